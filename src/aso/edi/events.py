"""What the envelope walker hands on: where a transaction set is (``SetHeader``), the events
of a file in order, and the reader of a set's content (``SetReader``).

The events come as the file is read: ``SetOpened``, whatever the set's reader produces (an 837
gives a ``ClaimRead`` per claim), ``SetClosed`` with the set's findings, then ``GroupClosed`` and
``InterchangeClosed`` with theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aso.edi.findings import Finding, Level
from aso.edi.loops import Guide
from aso.edi.reader import Delimiters, Interchange, Segment


@dataclass(frozen=True, slots=True)
class Group:
    """The GS header of a functional group."""

    functional_id: str
    sender: str
    receiver: str
    date: str
    control_number: str
    version: str
    position: int


@dataclass(frozen=True, slots=True)
class SetHeader:
    """Where a transaction set is: its ST, the guide it follows, its group and interchange."""

    set_id: str
    control_number: str
    reference: str
    guide: Guide | None
    position: int
    interchange: Interchange
    group: Group | None


@dataclass(frozen=True, slots=True)
class SetOpened:
    header: SetHeader


@dataclass(frozen=True, slots=True)
class SetClosed:
    """The end of a set. ``findings`` are the set's own; each rejected claim's came with it."""

    header: SetHeader
    findings: tuple[Finding, ...]
    segments: int
    rejected_claims: int = 0

    @property
    def status(self) -> str:
        """As the 999 will say: ``rejected`` (IK5 R), ``accepted_with_errors`` (E), ``accepted``."""
        errors = [f for f in self.findings if f.is_error]
        if any(f.level is Level.SET for f in errors):
            return "rejected"
        return "accepted_with_errors" if errors or self.rejected_claims else "accepted"


@dataclass(frozen=True, slots=True)
class GroupClosed:
    group: Group
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class InterchangeClosed:
    interchange: Interchange
    findings: tuple[Finding, ...]


SegmentHandler = Callable[[Segment, int, str], "list[Any] | None"]
"""Reads one segment, given its ordinal in the set and its loop id; returns what it completes
(None, usually)."""


class SetReader:
    """Reads the segments of one transaction set. This one keeps nothing: every set, whatever
    its guide, has its envelope, segment ids and loops checked by the walker. A reader of
    content names the segments it reads in ``handlers``; the walker skips the others."""

    def __init__(self, header: SetHeader, delimiters: Delimiters) -> None:
        self.header = header
        self.delimiters = delimiters
        self.handlers: dict[str, SegmentHandler] = {}
        self.findings: list[Finding] = []
        """Set-level findings (a claim's own travel with the claim)."""
        self.rejected_claims = 0

    def close(self) -> list[Any]:
        """The set's SE (or its end) is reached: return what is still open."""
        return []


ReaderFactory = Callable[[SetHeader, Delimiters], SetReader]
