"""What the reader reports: findings that say where (segment ordinal in the file and in its set,
segment id, element) and carry the X12 acknowledgment codes the 999 and TA1 are written from.

A finding's level says what it rejects (DESIGN 9): an ``interchange`` finding is TA1-worthy and
nothing of the file is stored; a ``group`` finding rejects the functional group (999 AK9); a
``set`` finding rejects its transaction set (999 IK5 ``R``) while the file's other sets go on; a
``claim`` finding rejects that claim alone (its set is accepted with errors, IK5 ``E``).
Warnings reject nothing: they flag what the reader read in a way the guide does not quite allow
(the guides' own examples have such quirks) or what the engine's claim shape cannot carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aso.edi.codes import ElementError, GroupError, SegmentError, SetError, Ta1Note
from aso.errors import AsoError, Problem


class Level(StrEnum):
    INTERCHANGE = "interchange"
    GROUP = "group"
    SET = "set"
    CLAIM = "claim"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong (or worth flagging) in a file, with where it is and its X12 codes."""

    level: Level
    message: str
    severity: Severity = Severity.ERROR
    segment: str | None = None
    """Segment id (999 IK301)."""
    position: int | None = None
    """Ordinal of the segment in the file, the ISA being 1."""
    set_position: int | None = None
    """Ordinal of the segment in its transaction set, the ST being 1 (999 IK302)."""
    set_control: str | None = None
    loop: str | None = None
    """Loop id of the implementation guide (999 IK303)."""
    element: int | None = None
    """Element position in the segment (999 IK401-1)."""
    component: int | None = None
    """Component position in a composite element (999 IK401-2)."""
    value: str | None = None
    """The bad value as sent (999 IK404)."""
    ta1: Ta1Note | None = None
    group_code: GroupError | None = None
    set_code: SetError | None = None
    segment_code: SegmentError | None = None
    element_code: ElementError | None = None
    claim: str | None = None
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def element_name(self) -> str | None:
        """``CLM02``, ``CLM05-3``: the segment id, the element position, the component."""
        if self.element is None or self.segment is None:
            return None
        name = f"{self.segment}{self.element:02d}"
        return f"{name}-{self.component}" if self.component is not None else name

    @property
    def where(self) -> str:
        parts = []
        if self.claim is not None:
            parts.append(f"claim {self.claim}" + (f" line {self.line}" if self.line else ""))
        if self.position is not None:
            inside = self.segment or "?"
            if self.set_position is not None:
                inside += f", segment {self.set_position} of set {self.set_control}"
            parts.append(f"segment {self.position} ({inside})")
        if self.element_name is not None:
            parts.append(f"element {self.element_name}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"warning: {text}" if self.severity is Severity.WARNING else text

    def problem(self) -> Problem:
        return Problem(self.where, self.message)

    def to_json(self) -> dict[str, Any]:
        codes = {
            "ta1": self.ta1,
            "ak9": self.group_code,
            "ik5": self.set_code,
            "ik3": self.segment_code,
            "ik4": self.element_code,
        }
        data: dict[str, Any] = {
            "level": self.level.value,
            "severity": self.severity.value,
            "text": str(self),
            "message": self.message,
            "segment": self.segment,
            "position": self.position,
            "set_position": self.set_position,
            "loop": self.loop,
            "element": self.element_name,
            "value": self.value,
            "claim": self.claim,
            "line": self.line,
            "codes": {key: code.value for key, code in codes.items() if code is not None},
        }
        return {key: value for key, value in data.items() if value not in (None, {})}


class Unreadable(AsoError):
    """The input is not an X12 interchange whose ISA can be trusted: nothing of it is read."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(str(finding))
