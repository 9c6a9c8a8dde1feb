"""The database benchmark's workload (tests/bench/claims_db.py) builds, adjudicates and stores,
at a small size, on a SQLite file of its own (the figures come from ``make bench``)."""

from __future__ import annotations

from pathlib import Path

from tests.bench.claims_db import generate, measure


def test_the_database_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    workload = generate(target_lines=400)
    lines = workload.lines
    seconds, summary = measure(f"sqlite:///{tmp_path / 'bench.db'}", lambda: workload, "smoke")
    assert summary.lines == lines >= 400
    assert summary.line_statuses["paid"] > lines * 0.8
    assert not summary.problems
    assert seconds > 0
