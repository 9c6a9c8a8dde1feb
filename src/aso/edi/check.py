"""The first pass over an X12 file: the verdicts on its interchange, functional groups and
transaction sets, keeping nothing of their content (DESIGN 9).

An interchange whose envelope is broken is rejected whole (``envelope_error``: its TA1 note);
a functional group whose own envelope is wrong rejects its sets (999 AK9 R); a set with a syntax
error is rejected (IK5 R), one with a claim rejected alone is accepted with errors (IK5 E). Sets
this platform does not take in a file (any but 834 and 837) are rejected as not supported (IK502
1); acknowledgments received (a 999, a 997) are recorded and not answered.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from typing import IO

from aso.edi.ack import Error, acknowledged
from aso.edi.claim_intake import ClaimsOutcome
from aso.edi.claim_parts import ClaimRead
from aso.edi.codes import SetError, Ta1Note
from aso.edi.enrollment_outcome import EnrollmentOutcome
from aso.edi.envelope import Walker
from aso.edi.events import Group, GroupClosed, InterchangeClosed, SetClosed, SetHeader, SetOpened
from aso.edi.findings import Finding, Level
from aso.edi.parse import reader_for
from aso.edi.reader import Interchange, SegmentReader

Opener = Callable[[], IO[bytes]]
"""Opens the file from its start (it is read twice)."""
PROCESSED = frozenset({"834", "837"})
NOT_PROCESSED = "not_processed"


@dataclass
class SetCheck:
    header: SetHeader
    status: str
    errors: list[Error] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    enrollment: EnrollmentOutcome | None = None
    claims: ClaimsOutcome | None = None

    def refuse(self, errors: list[Error]) -> None:
        """Applying the set was refused: it is rejected, its errors added."""
        self.status = "rejected"
        self.errors.extend(errors)


@dataclass
class GroupCheck:
    group: Group
    sets: list[SetCheck] = field(default_factory=list)
    findings: tuple[Finding, ...] = ()

    @property
    def rejected(self) -> bool:
        return any(f.is_error for f in self.findings)


@dataclass
class FileCheck:
    interchange: Interchange
    findings: list[Finding] = field(default_factory=list)
    groups: list[GroupCheck] = field(default_factory=list)
    orphans: list[SetCheck] = field(default_factory=list)
    """Sets outside any functional group: rejected, and without a group to answer them in."""
    interchanges: int = 0

    @property
    def sets(self) -> list[SetCheck]:
        return [s for g in self.groups for s in g.sets] + self.orphans

    def envelope_error(self) -> Finding | None:
        """The first error that rejects the interchange (its TA1 note), if any."""
        errors = [f for f in self.findings if f.is_error]
        if self.interchanges > 1:
            errors.append(
                Finding(
                    Level.INTERCHANGE,
                    f"the file holds {self.interchanges} interchanges: send one per file",
                    ta1=Ta1Note.INVALID_CONTROL_STRUCTURE,
                )
            )
        return min(errors, key=_position) if errors else None

    def status(self) -> str:
        clean = not self.orphans and all(
            not g.rejected and all(s.status in ("accepted", NOT_PROCESSED) for s in g.sets)
            for g in self.groups
        )
        return "processed" if clean else "processed_with_errors"


def _position(finding: Finding) -> int:
    return finding.position if finding.position is not None else 1 << 62


def check_file(opener: Opener) -> FileCheck:
    """The verdicts on a file's interchange, groups and sets (``Unreadable``: not X12)."""
    with closing(opener()) as stream:
        source = SegmentReader(stream)
        check = FileCheck(source.interchange)
        interchanges = {id(source.interchange)}
        current: SetCheck | None = None
        pending: list[SetCheck] = []
        for event in Walker(source, reader_for):
            if isinstance(event, SetOpened):
                current = SetCheck(event.header, "")
            elif isinstance(event, ClaimRead) and current is not None:
                current.errors.extend(Error(f) for f in event.findings if f.is_error)
                current.warnings.extend(f for f in event.findings if not f.is_error)
            elif isinstance(event, SetClosed) and current is not None:
                _close_set(current, event)
                pending.append(current)
            elif isinstance(event, GroupClosed):
                check.groups.append(GroupCheck(event.group, pending, event.findings))
                pending = []
            elif isinstance(event, InterchangeClosed):
                interchanges.add(id(event.interchange))
                check.findings.extend(event.findings)
                check.orphans.extend(pending)
                pending = []
    check.interchanges = len(interchanges)
    return check


def _close_set(current: SetCheck, event: SetClosed) -> None:
    current.errors.extend(Error(f) for f in event.findings if f.is_error)
    current.warnings.extend(f for f in event.findings if not f.is_error)
    current.status = event.status
    header = current.header
    if current.status == "rejected" or (header.set_id in PROCESSED and header.guide is not None):
        return
    group = header.group
    if group is not None and not acknowledged(group):
        current.status = NOT_PROCESSED
        return
    what = (
        f"{header.set_id} {header.reference or '(no guide)'} is not a guide this import reads"
        if header.set_id in PROCESSED
        else f"aso edi import processes 834 and 837 sets, not {header.set_id}"
    )
    current.refuse(
        [
            Error(
                Finding(
                    Level.SET,
                    what,
                    segment="ST",
                    position=header.position,
                    set_position=1,
                    set_control=header.control_number,
                    set_code=SetError.NOT_SUPPORTED,
                )
            )
        ]
    )
