"""The engine benchmark's workload (tests/bench/engine.py) runs and balances, at a small size."""

from __future__ import annotations

from tests.bench.engine import generate, run


def test_the_benchmark_workload_adjudicates() -> None:
    workload = generate(target_lines=3_000)
    assert workload.lines >= 3_000
    assert {claim.type for claim in workload.claims} >= {"professional", "pharmacy", "dental"}
    seconds, statuses = run(workload)
    assert sum(statuses.values()) == workload.lines
    assert statuses["paid"] > workload.lines * 0.8
    assert seconds > 0
