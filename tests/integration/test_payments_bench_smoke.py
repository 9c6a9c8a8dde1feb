"""The payments benchmark (tests/bench/payments.py) builds, runs and releases a cycle at a small
size on a SQLite file of its own, its 835s written by forked workers as a large release writes
them (the figures come from ``make bench``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aso.payments import remit
from tests.bench.payments import measure


def test_the_payments_benchmark_runs_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remit, "PARALLEL_FROM", 100)
    ran, released, paid = measure(tmp_path, claims=600)
    assert paid == 600 and ran > 0 and released > 0
