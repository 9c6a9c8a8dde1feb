"""The EOB run benchmark (tests/bench/eobs.py) builds a small demo and prints its EOBs (the
figures come from ``make bench``)."""

from __future__ import annotations

from pathlib import Path

from tests.bench.eobs import measure


def test_the_eob_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    figures = measure(tmp_path, employees=8, eobs=20)
    assert figures["eobs"] == 20 and figures["print"] > 0 and figures["bytes"] > 20 * 1000
