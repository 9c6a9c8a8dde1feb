"""Acknowledgments of a file received: the 999 Implementation Acknowledgment (005010X231A1) and
the TA1 Interchange Acknowledgment (X12.5), written from the reader's findings.

The 999 has one transaction set per functional group received (AK1 names the group) and, in it,
one AK2 per transaction set received with the verdict in IK5: ``A`` accepted, ``E`` accepted with
errors (an 837 claim rejected alone), ``R`` rejected (a syntax error, or a member the enrollment
rules refuse: nothing of the set is kept). Each segment in error gets an IK3 (its id, its ordinal
in the set, its loop, the IK304 code) with the business unit it belongs to in a CTX (the claim's
CLM01, the subscriber's REF*0F) and an IK4 per element in error (position, IK403 code, the bad
value). AK9 sums the group up: ``A``, ``E``, ``P`` (partly accepted) or ``R``, with the
functional group error codes (AK905..AK909) when the group's own envelope is wrong.

A TA1 answers the interchange: ``R`` with the note code (TA105) of the first envelope error
(nothing of the file is processed, so no 999 is written for it), ``A`` with note 000 when the
sender asked for one (ISA14 = 1). A duplicate interchange is answered with TA1 ``R`` note 025.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aso.edi.codes import SegmentError, Ta1Note
from aso.edi.events import Group, SetHeader
from aso.edi.findings import Finding
from aso.edi.reader import Interchange as ReceivedInterchange
from aso.edi.writer import (
    DEFAULT_DELIMITERS,
    Interchange,
    InterchangeHeader,
    Party,
    TransactionSet,
)

GUIDE_999 = "005010X231A1"
NO_ERROR = "000"
ACKNOWLEDGED_GROUPS = frozenset({"BE", "HB", "HC", "HI", "HN", "HP", "HR", "HS", "RA"})
"""Functional ids a 999 may acknowledge (AK101): acknowledgments are not acknowledged."""
ACKNOWLEDGED_SETS = frozenset({"270", "271", "276", "277", "278", "820", "834", "835", "837"})
"""Transaction sets a 999 may name (AK201)."""
ENVELOPE_SEGMENTS = frozenset({"ST", "SE"})
"""Their errors are told by the IK5 codes, not by an IK3."""
SET_STATUS = {"accepted": "A", "accepted_with_errors": "E", "rejected": "R"}
MAX_CODES = 5
MAX_ELEMENT_ERRORS = 99


@dataclass(frozen=True, slots=True)
class Error:
    """A finding of a set, with the business unit it belongs to (CTX), when there is one."""

    finding: Finding
    context: tuple[str, str] | None = None
    """(context name, value), e.g. ``("CLM01", "26407789")``."""


@dataclass(frozen=True, slots=True)
class SetAck:
    """The verdict on one transaction set received."""

    header: SetHeader
    status: str
    """``accepted``, ``accepted_with_errors`` or ``rejected``."""
    errors: tuple[Error, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupAck:
    """The verdict on one functional group: its sets, and its own envelope findings."""

    group: Group
    sets: tuple[SetAck, ...]
    findings: tuple[Finding, ...] = ()

    @property
    def rejected(self) -> bool:
        """A group whose envelope is wrong is rejected whole: none of its sets is processed."""
        return any(f.is_error for f in self.findings)

    @property
    def accepted_sets(self) -> int:
        if self.rejected:
            return 0
        return sum(s.status != "rejected" for s in self.sets)

    def status(self) -> str:
        """AK901."""
        statuses = {s.status for s in self.sets}
        if self.rejected or not self.sets or statuses == {"rejected"}:
            return "R"
        if "rejected" in statuses:
            return "P"
        return "E" if "accepted_with_errors" in statuses else "A"


def acknowledged(group: Group) -> bool:
    return group.functional_id in ACKNOWLEDGED_GROUPS


def _reply_header(
    received: ReceivedInterchange, control_number: int, now: datetime
) -> InterchangeHeader:
    """Our interchange back: sender and receiver swapped, the sender's usage indicator kept."""
    return InterchangeHeader(
        sender=Party(received.receiver_qualifier, received.receiver),
        receiver=Party(received.sender_qualifier, received.sender),
        control_number=control_number,
        created=now,
        usage=received.usage,
        delimiters=DEFAULT_DELIMITERS,
    )


def write_999(
    received: ReceivedInterchange,
    groups: Sequence[GroupAck],
    *,
    control_number: int,
    now: datetime,
) -> str:
    """The 999 interchange answering ``groups`` (those a 999 may acknowledge: see
    ``acknowledged``), one transaction set per group."""
    interchange = Interchange(_reply_header(received, control_number, now))
    answered = [g for g in groups if acknowledged(g.group)]
    if not answered:
        raise ValueError("no functional group of this interchange can be acknowledged by a 999")
    first = answered[0].group
    group = interchange.group(
        "FA",
        sender=first.receiver,
        receiver=first.sender,
        control_number=control_number,
        version=GUIDE_999,
    )
    for answer in answered:
        transaction = group.transaction("999", reference=GUIDE_999)
        received_group = answer.group
        transaction.add(
            "AK1",
            received_group.functional_id,
            received_group.control_number,
            received_group.version,
        )
        for verdict in answer.sets:
            _set_response(transaction, verdict)
        transaction.add("AK9", *_ak9(answer))
    return interchange.render()


def _set_response(transaction: TransactionSet, verdict: SetAck) -> None:
    header = verdict.header
    if header.set_id not in ACKNOWLEDGED_SETS:
        return
    transaction.add("AK2", header.set_id, header.control_number, header.reference)
    errors = [e for e in verdict.errors if e.finding.is_error]
    for segment_errors in _by_segment(errors):
        _ik3(transaction, segment_errors)
    codes = _set_codes(errors, verdict.status)
    transaction.add("IK5", SET_STATUS[verdict.status], *codes)


def _by_segment(errors: Sequence[Error]) -> list[list[Error]]:
    """The errors that get an IK3, grouped by segment (one IK3, several IK4s), in set order."""
    grouped: dict[tuple[str, int, str], list[Error]] = {}
    for error in errors:
        finding = error.finding
        if finding.segment_code is None and finding.element_code is None:
            continue
        if finding.segment in ENVELOPE_SEGMENTS or finding.segment is None:
            continue
        if finding.set_position is None:
            continue
        code = (finding.segment_code or SegmentError.HAS_ELEMENT_ERRORS).value
        grouped.setdefault((finding.segment, finding.set_position, code), []).append(error)
    return [grouped[key] for key in sorted(grouped, key=lambda k: (k[1], k[0], k[2]))]


def _ik3(transaction: TransactionSet, errors: list[Error]) -> None:
    first = errors[0].finding
    assert first.segment is not None and first.set_position is not None
    code = first.segment_code or SegmentError.HAS_ELEMENT_ERRORS
    loop = _loop_code(first.loop)
    transaction.add("IK3", first.segment, str(first.set_position), loop, code.value)
    context = next((e.context for e in errors if e.context), None)
    if context is None and first.claim:
        context = ("CLM01", first.claim)
    if context is not None:
        transaction.add("CTX", context)
    seen: set[tuple[int, int | None, str]] = set()
    for error in errors:
        finding = error.finding
        if finding.element_code is None or finding.element is None:
            continue
        key = (finding.element, finding.component, finding.element_code.value)
        if key in seen or len(seen) == MAX_ELEMENT_ERRORS:
            continue
        seen.add(key)
        position: tuple[str, ...] = (str(finding.element),)
        if finding.component is not None:
            position = (str(finding.element), str(finding.component))
        value = _printable(finding.value)
        transaction.add("IK4", position, "", finding.element_code.value, value)


def _loop_code(loop: str | None) -> str:
    """IK303: the guide's loop number (4 characters at most: ``2010AA`` is loop 2010's);
    nothing for the header, which is no loop."""
    if not loop or not loop[:1].isdigit():
        return ""
    return loop[:4]


def _printable(value: str | None) -> str:
    """IK404 echoes the bad value; one holding a delimiter, or too long, is left out."""
    if not value or len(value) > 99 or any(c in value for c in "*:^~"):
        return ""
    return value


def _set_codes(errors: Sequence[Error], status: str) -> list[str]:
    """IK502..IK506: the set's own error codes, and 5 (segments in error) when it has IK3s."""
    codes: list[str] = []
    for error in errors:
        code = error.finding.set_code
        if code is not None and code.value not in codes:
            codes.append(code.value)
    if status != "accepted" and _by_segment(errors) and "5" not in codes:
        codes.append("5")
    return codes[:MAX_CODES]


def _ak9(answer: GroupAck) -> tuple[str, ...]:
    counted = len(answer.sets)
    included = counted
    codes: list[str] = []
    for finding in answer.findings:
        if finding.group_code is not None and finding.group_code.value not in codes:
            codes.append(finding.group_code.value)
        if finding.group_code is not None and finding.group_code.value == "5":
            included = int(finding.value) if finding.value and finding.value.isdigit() else counted
    return (
        answer.status(),
        str(included),
        str(counted),
        str(answer.accepted_sets),
        *codes[:MAX_CODES],
    )


def _ta1_elements(
    received: ReceivedInterchange, verdict: str, note: Ta1Note | str
) -> tuple[str, ...]:
    date = received.date.replace("-", "")[2:]
    return (received.control_number, date, received.time.replace(":", ""), verdict, str(note))


def write_ta1(
    received: ReceivedInterchange,
    note: Ta1Note | None,
    *,
    control_number: int,
    now: datetime,
) -> str:
    """A TA1 alone in its interchange: rejected with ``note``, or accepted (note 000)."""
    interchange = Interchange(_reply_header(received, control_number, now))
    if note is None:
        interchange.ta1(*_ta1_elements(received, "A", NO_ERROR))
    else:
        interchange.ta1(*_ta1_elements(received, "R", note))
    return interchange.render()


def salvage_isa(head: str) -> ReceivedInterchange | None:
    """The parts of a broken ISA a TA1 needs (sender, receiver, ISA09, ISA10, ISA13, ISA15),
    when they can still be told apart; None when not even that can be trusted."""
    text = head.lstrip("\ufeff\r\n ")
    if not text.startswith("ISA") or len(text) < 4:
        return None
    separator = text[3]
    elements = text.split(separator, 17)
    if len(elements) < 16:
        return None
    control, day, time = elements[13].strip(), elements[9].strip(), elements[10].strip()
    if not (control.isdigit() and len(control) == 9 and day.isdigit() and len(day) == 6):
        return None
    if not (time.isdigit() and len(time) == 4):
        return None
    return ReceivedInterchange(
        sender_qualifier=elements[5].strip()[:2],
        sender=elements[6].strip()[:15],
        receiver_qualifier=elements[7].strip()[:2],
        receiver=elements[8].strip()[:15],
        date=f"20{day[:2]}-{day[2:4]}-{day[4:]}",
        time=f"{time[:2]}:{time[2:]}",
        version=elements[12].strip(),
        control_number=control,
        acknowledgment_requested=elements[14].strip()[:1],
        usage=elements[15].strip()[:1] if elements[15].strip()[:1] in ("P", "T") else "P",
        delimiters=DEFAULT_DELIMITERS,
    )
