"""The outline of an X12 file as the project's reader sees it: each segment of each set with the
loop of the implementation guide it falls in. Answers the platform writes are compared, loop
by loop and segment by segment, with the guides' example files through it (pyx12 has no map
for 271 or 277)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from aso.edi.envelope import Walker
from aso.edi.events import SetHeader, SetReader
from aso.edi.reader import Delimiters, Segment, SegmentReader

Step = tuple[str, str]
"""(loop id, segment id)."""


class _Every(dict[str, Callable[[Segment, int, str], None]]):
    """A handler table that hands every segment to one handler."""

    def __init__(self, handler: Callable[[Segment, int, str], None]) -> None:
        super().__init__()
        self.handler = handler

    def get(self, key: str, default: Any = None) -> Callable[[Segment, int, str], None]:  # type: ignore[override]
        return self.handler


def outline(text: str) -> list[Step]:
    """Every segment between each ST and SE (exclusive), with its loop."""
    steps: list[Step] = []

    def record(segment: Segment, position: int, loop: str) -> None:
        steps.append((loop, segment.id))

    def reader(header: SetHeader, delimiters: Delimiters) -> SetReader:
        found = SetReader(header, delimiters)
        found.handlers = _Every(record)
        return found

    for _ in Walker(SegmentReader(io.StringIO(text)), reader):
        pass
    return steps


def loops(steps: list[Step]) -> list[str]:
    """The loops in the order they are entered (a loop entered again counts again)."""
    found: list[str] = []
    for loop, _ in steps:
        if not found or found[-1] != loop:
            found.append(loop)
    return found
