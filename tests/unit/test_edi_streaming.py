"""The reader streams: a generated 837P is read in chunks, claim by claim, in memory that does not
grow with the file (tracemalloc's peak stays a fraction of the file's size and about the same for a
file ten times bigger), and the benchmark's workload reads and validates."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from aso.edi.claim_parts import ClaimRead
from aso.edi.parse import iter_events
from tests.bench.edi import parse_seconds, pyx12_seconds, split_seconds, write_837p


def _peak(path: Path) -> tuple[int, int]:
    """Claims read and tracemalloc's peak (bytes) while iterating the file's events."""
    claims = 0
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            for event in iter_events(stream, chunk_size=1 << 16):
                if isinstance(event, ClaimRead):
                    claims += 1
        return claims, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    sizes = {}
    for claims in (1_200, 12_000):
        path = tmp_path / f"{claims}.x12"
        with path.open("w", encoding="ascii") as out:
            write_837p(out, claims)
        read, peak = _peak(path)
        assert read == claims
        sizes[claims] = (path.stat().st_size, peak)
    small_peak, (big_size, big_peak) = sizes[1_200][1], sizes[12_000]
    assert big_size > 4_000_000
    assert big_peak < big_size / 4, (big_peak, big_size)
    assert big_peak < small_peak * 1.5 + 100_000, (big_peak, small_peak)


def test_the_benchmark_workload_parses_and_passes_pyx12(tmp_path: Path) -> None:
    path = tmp_path / "bench.x12"
    with path.open("w", encoding="ascii") as out:
        write_837p(out, 30, claims_per_set=12)
    seconds, claims, lines = parse_seconds(path)
    assert (claims, lines) == (30, 60) and seconds > 0
    assert split_seconds(path) > 0
    checked, findings = pyx12_seconds(path)
    assert findings == 0 and checked > 0
