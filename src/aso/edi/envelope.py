"""Envelopes: ISA/IEA, GS/GE and ST/SE with their counts and control numbers (X12.6, and the
005010 guides' appendix B), and each set's segments handed, with their loop, to its reader.

The walker yields the events of ``events`` as it goes, never holding more than the set being
read. A set whose ``SetClosed`` carries a set-level error is rejected as a whole: a consumer
that stored its claims as they came rolls them back (DESIGN 9).

Checked here: trailers present (IEA, GE, SE), IEA01 = the number of groups, GE01 = the number of
sets, SE01 = the number of segments from ST to SE, IEA02 = ISA13, GE02 = GS06, SE02 = ST02,
unique ST02 in a group, segment ids well formed, HL01/HL02 numbering, and that no segment stands
outside its envelope.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aso.edi.codes import ElementError, GroupError, SegmentError, SetError, Ta1Note
from aso.edi.events import (
    Group,
    GroupClosed,
    InterchangeClosed,
    ReaderFactory,
    SegmentHandler,
    SetClosed,
    SetHeader,
    SetOpened,
    SetReader,
)
from aso.edi.findings import Finding, Level, Severity, Unreadable
from aso.edi.guides import guide_for
from aso.edi.loops import QUALIFIED, Guide, Position, loop
from aso.edi.reader import Interchange, Segment, SegmentReader, parse_isa

ENVELOPE = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
CONTROL = re.compile(r"^[0-9A-Za-z]{4,9}$")
NO_ST03 = frozenset({"835"})
"""Sets whose guide does not use ST03 (X221A1: the 835 names its guide in GS08 only)."""
FUNCTIONAL_ID = {
    "837": "HC",
    "834": "BE",
    "835": "HP",
    "270": "HS",
    "271": "HB",
    "276": "HR",
    "277": "HN",
    "997": "FA",
    "999": "FA",
}
"""GS01 of the group a transaction set belongs in."""
UNKNOWN = Guide("", "", "unknown", loop("HEADER", "ST"))


@dataclass
class _Open:
    """The envelopes the walker is inside, and what it counted in them."""

    interchange: Interchange | None = None
    interchange_findings: list[Finding] = field(default_factory=list)
    groups: int = 0
    group: Group | None = None
    group_findings: list[Finding] = field(default_factory=list)
    sets: int = 0
    controls: set[str] = field(default_factory=set)
    header: SetHeader | None = None
    reader: SetReader | None = None
    set_findings: list[Finding] = field(default_factory=list)
    count: int = 0
    position: Position = field(default_factory=lambda: UNKNOWN.start())
    hl_last: int = 0


class Walker:
    """Checks the envelopes of an interchange and hands each set's segments to its reader."""

    def __init__(self, source: SegmentReader, readers: ReaderFactory) -> None:
        self.source = source
        self.readers = readers
        self.delimiters = source.delimiters
        self.state = _Open()
        self.valid_ids: set[str] = set()
        self.last: Segment | None = None

    def __iter__(self) -> Iterator[Any]:
        state = self.state
        reader: SetReader | None = None
        handlers: dict[str, SegmentHandler] = {}
        position = state.position
        triggers: frozenset[str] = frozenset()
        valid = self.valid_ids
        count = 0
        segment = None
        for segment in self.source:  # the last one stays in ``segment`` for the end of file
            sid = segment.id
            if reader is not None and sid not in ENVELOPE and segment.terminated:
                count += 1
                if sid not in valid and not self._valid_id(segment, count, position):
                    continue
                if sid in triggers:
                    qualifier = QUALIFIED.get(sid)
                    position = position.step(sid, segment.get(qualifier) if qualifier else "")
                    if sid == "HL":
                        self._hierarchy(segment, count, position)
                handler = handlers.get(sid)
                if handler is not None:
                    found = handler(segment, count, position.id)
                    if found:
                        yield from found
                continue
            state.count, state.position = count, position
            if not segment.terminated:
                self._truncated(segment)
                break
            yield from self._envelope(segment)
            reader, count, position = state.reader, state.count, state.position
            handlers = reader.handlers if reader is not None else {}
            guide = state.header.guide if state.header else None
            triggers = guide.triggers if guide else frozenset()
        state.count, state.position = count, position
        self.last = segment
        yield from self._finish()

    # -- findings -------------------------------------------------------------------------

    def _at_set(
        self, segment: Segment, set_position: int, loop_id: str, message: str, **codes: Any
    ) -> Finding:
        header = self.state.header
        assert header is not None
        return Finding(
            Level.SET,
            message,
            segment=segment.id,
            position=segment.position,
            set_position=set_position,
            set_control=header.control_number,
            loop=loop_id,
            **codes,
        )

    def _interchange_error(
        self, segment: Segment, message: str, note: Ta1Note, **more: Any
    ) -> None:
        self.state.interchange_findings.append(
            Finding(
                Level.INTERCHANGE,
                message,
                segment=segment.id,
                position=segment.position,
                ta1=note,
                **more,
            )
        )

    def _group_error(self, segment: Segment, message: str, code: GroupError, **more: Any) -> None:
        self.state.group_findings.append(
            Finding(
                Level.GROUP,
                message,
                segment=segment.id,
                position=segment.position,
                group_code=code,
                **more,
            )
        )

    # -- inside a set ---------------------------------------------------------------------

    def _valid_id(self, segment: Segment, set_position: int, position: Position) -> bool:
        if SEGMENT_ID.match(segment.id):
            self.valid_ids.add(segment.id)
            return True
        self.state.set_findings.append(
            self._at_set(
                segment,
                set_position,
                position.id,
                f"{segment.id!r} is not a segment id",
                segment_code=SegmentError.UNRECOGNIZED_ID,
            )
        )
        return False

    def _hierarchy(self, segment: Segment, set_position: int, position: Position) -> None:
        """HL01 counts up from 1 by 1; HL02 names an earlier HL01; HL03 is a level of the guide."""
        state = self.state
        number, parent, level = segment.get(1), segment.get(2), segment.get(3)
        header = state.header
        assert header is not None and header.guide is not None
        problems = []
        if number != str(state.hl_last + 1):
            problems.append((1, f"HL01 {number!r} should be {state.hl_last + 1}"))
        if parent and not (parent.isdigit() and 0 < int(parent) <= state.hl_last):
            problems.append((2, f"HL02 {parent!r} is not an earlier HL01"))
        if level not in header.guide.levels or position.loop.trigger != "HL":
            problems.append((3, f"HL03 {level!r} is not a hierarchical level of this guide"))
        for element, message in problems:
            state.set_findings.append(
                self._at_set(
                    segment,
                    set_position,
                    position.id,
                    message,
                    element=element,
                    value=segment.get(element),
                    element_code=ElementError.INVALID_CODE,
                )
            )
        if number.isdigit():
            state.hl_last = int(number)

    # -- envelope segments ----------------------------------------------------------------

    def _envelope(self, segment: Segment) -> Iterator[Any]:
        state = self.state
        sid = segment.id
        if sid == "ISA":
            yield from self._isa(segment)
        elif state.interchange is None:
            self._interchange_error(
                segment,
                f"{sid} stands outside an interchange (after its IEA)",
                Ta1Note.INVALID_CONTROL_STRUCTURE,
            )
        elif sid == "GS":
            yield from self._gs(segment)
        elif sid == "ST":
            yield from self._st(segment)
        elif sid == "SE":
            yield from self._se(segment)
        elif sid == "GE":
            yield from self._ge(segment)
        elif sid == "IEA":
            yield from self._iea(segment)
        elif sid == "TA1" and state.group is None:
            return  # an interchange acknowledgment may stand between the groups (X12.5)
        else:
            where = "a functional group" if state.group is not None else "an interchange"
            self._interchange_error(
                segment,
                f"{sid} stands in {where} but outside any transaction set (ST..SE)",
                Ta1Note.INVALID_CONTROL_STRUCTURE,
            )

    def _isa(self, segment: Segment) -> Iterator[Any]:
        """The file's first ISA was read by the reader; a later one begins another interchange."""
        state = self.state
        if segment.position == 1:
            state.interchange = self.source.interchange
            return
        if state.interchange is not None:
            yield from self._close_all(segment)
        text = self.delimiters.element.join(segment.elements) + self.delimiters.segment
        try:
            interchange = parse_isa(text)
        except Unreadable as exc:
            note = exc.finding.ta1 or Ta1Note.INVALID_CONTROL_STRUCTURE
            self._interchange_error(segment, exc.finding.message, note)
            return
        if interchange.delimiters != self.delimiters:
            self._interchange_error(
                segment,
                "this interchange uses other delimiters than the file's first: read it alone",
                Ta1Note.INVALID_CONTROL_STRUCTURE,
            )
            return
        state.interchange, state.interchange_findings, state.groups = interchange, [], 0

    def _gs(self, segment: Segment) -> Iterator[Any]:
        state = self.state
        if state.header is not None:
            yield from self._close_set(segment)
        if state.group is not None:
            yield from self._close_group(segment)
        control = segment.get(6)
        state.group = Group(
            functional_id=segment.get(1),
            sender=segment.get(2),
            receiver=segment.get(3),
            date=segment.get(4),
            control_number=control,
            version=segment.get(8),
            position=segment.position,
        )
        state.group_findings, state.sets, state.controls = [], 0, set()
        if not (control.isdigit() and len(control) <= 9):
            self._group_error(
                segment,
                f"GS06 {control!r} is not a group control number (1 to 9 digits)",
                GroupError.CONTROL_NUMBER_SYNTAX,
                element=6,
                value=control,
            )

    def _st(self, segment: Segment) -> Iterator[Any]:
        state = self.state
        if state.header is not None:
            yield from self._close_set(segment)
        assert state.interchange is not None
        set_id, control = segment.get(1), segment.get(2)
        group = state.group
        reference = segment.get(3) or (group.version if group else "")
        guide = guide_for(set_id, reference)
        header = SetHeader(
            set_id, control, reference, guide, segment.position, state.interchange, group
        )
        state.header, state.set_findings, state.count = header, [], 1
        state.position = (guide or UNKNOWN).start()
        state.hl_last = 0
        for element, message, code in self._st_errors(segment, header):
            self._st_finding(segment, element, message, set_code=code)
        for element, message in self._st_warnings(segment, header):
            self._st_finding(segment, element, message, severity=Severity.WARNING)
        state.controls.add(control)
        state.reader = self.readers(header, self.delimiters)
        yield SetOpened(header)

    def _st_errors(
        self, segment: Segment, header: SetHeader
    ) -> Iterator[tuple[int, str, SetError]]:
        group = self.state.group
        control = header.control_number
        if group is None:
            yield 1, "the set stands outside a functional group (GS..GE)", SetError.NOT_IN_GROUP
        if not CONTROL.match(control):
            yield (
                2,
                f"ST02 {control!r} is not a control number (4 to 9 characters)",
                SetError.INVALID_CONTROL_NUMBER,
            )
        if control in self.state.controls:
            yield (
                2,
                f"ST02 {control} repeats a set control number of this group",
                SetError.CONTROL_NUMBER_NOT_UNIQUE,
            )
        if group is None:
            return
        expected = FUNCTIONAL_ID.get(header.set_id)
        if expected is not None and expected != group.functional_id:
            yield (
                1,
                f"ST01 {header.set_id} does not belong in a group of functional id "
                f"{group.functional_id} (GS01)",
                SetError.INVALID_SET_ID,
            )
        if segment.get(3) not in ("", group.version):
            yield (
                3,
                f"ST03 {segment.get(3)} differs from GS08 {group.version}",
                SetError.INVALID_IMPLEMENTATION_REFERENCE,
            )

    def _st_warnings(self, segment: Segment, header: SetHeader) -> Iterator[tuple[int, str]]:
        if not segment.get(3) and header.reference and header.set_id not in NO_ST03:
            yield 3, f"ST03 is missing: the set is read as GS08 says, {header.reference}"
        if header.guide is None:
            yield (
                3,
                f"no loops are known for {header.set_id} {header.reference or '(no guide)'}: "
                "its envelope is checked, its content is not read",
            )

    def _st_finding(self, segment: Segment, element: int, message: str, **codes: Any) -> None:
        self.state.set_findings.append(
            self._at_set(
                segment,
                1,
                "HEADER",
                message,
                element=element,
                value=segment.get(element) or None,
                **codes,
            )
        )

    def _se(self, segment: Segment) -> Iterator[Any]:
        state = self.state
        header = state.header
        if header is None:
            self._interchange_error(
                segment,
                "SE without an ST: it closes no transaction set",
                Ta1Note.INVALID_CONTROL_STRUCTURE,
            )
            return
        state.count += 1
        count, control = segment.get(1), segment.get(2)
        if count != str(state.count):
            state.set_findings.append(
                self._at_set(
                    segment,
                    state.count,
                    "HEADER",
                    f"SE01 says {count or 'nothing'} segments, the set has {state.count} "
                    "(ST and SE included)",
                    element=1,
                    value=count,
                    set_code=SetError.SEGMENT_COUNT_MISMATCH,
                )
            )
        if control != header.control_number:
            state.set_findings.append(
                self._at_set(
                    segment,
                    state.count,
                    "HEADER",
                    f"SE02 {control!r} is not the set's control number ST02 "
                    f"{header.control_number!r}",
                    element=2,
                    value=control,
                    set_code=SetError.CONTROL_NUMBER_MISMATCH,
                )
            )
        yield from self._close_set(None)

    def _ge(self, segment: Segment) -> Iterator[Any]:
        state = self.state
        if state.header is not None:
            yield from self._close_set(segment)
        group = state.group
        if group is None:
            self._interchange_error(
                segment,
                "GE without a GS: it closes no functional group",
                Ta1Note.INVALID_CONTROL_STRUCTURE,
            )
            return
        count, control = segment.get(1), segment.get(2)
        if count != str(state.sets):
            self._group_error(
                segment,
                f"GE01 says {count or 'nothing'} transaction sets, the group has {state.sets}",
                GroupError.SET_COUNT_MISMATCH,
                element=1,
                value=count,
            )
        if control != group.control_number:
            self._group_error(
                segment,
                f"GE02 {control!r} is not the group's control number GS06 {group.control_number!r}",
                GroupError.CONTROL_NUMBER_MISMATCH,
                element=2,
                value=control,
            )
        yield from self._close_group(None)

    def _iea(self, segment: Segment) -> Iterator[Any]:
        state = self.state
        if state.header is not None:
            yield from self._close_set(segment)
        if state.group is not None:
            yield from self._close_group(segment)
        interchange = state.interchange
        assert interchange is not None
        count, control = segment.get(1), segment.get(2)
        if count != str(state.groups):
            self._interchange_error(
                segment,
                f"IEA01 says {count or 'nothing'} functional groups, the interchange has "
                f"{state.groups}",
                Ta1Note.INVALID_GROUP_COUNT,
                element=1,
                value=count,
            )
        if control != interchange.control_number:
            self._interchange_error(
                segment,
                f"IEA02 {control!r} is not the interchange control number ISA13 "
                f"{interchange.control_number!r}",
                Ta1Note.CONTROL_NUMBER_MISMATCH,
                element=2,
                value=control,
            )
        yield from self._close_interchange(None)

    # -- closing: ``ended_by`` is the segment that ends an envelope whose trailer is missing
    # (None when the trailer was there); ``self.end`` stands for the end of the file.

    def _ending(self, ended_by: Segment) -> str:
        if ended_by.position < 0:
            last = self.last
            if last is None:
                return "the file ends first"
            where = "after" if last.terminated else "inside"
            return f"the file ends {where} segment {last.position} ({last.id})"
        return f"{ended_by.id} at segment {ended_by.position} comes first"

    def _close_set(self, ended_by: Segment | None) -> Iterator[Any]:
        state = self.state
        header, reader = state.header, state.reader
        assert header is not None and reader is not None
        if ended_by is not None:
            state.set_findings.append(
                Finding(
                    Level.SET,
                    f"set {header.control_number} has no SE: {self._ending(ended_by)}",
                    segment="ST",
                    position=header.position,
                    set_position=1,
                    set_control=header.control_number,
                    loop="HEADER",
                    set_code=SetError.TRAILER_MISSING,
                )
            )
        yield from reader.close()
        findings = tuple(state.set_findings + reader.findings)
        yield SetClosed(header, findings, state.count, reader.rejected_claims)
        state.header, state.reader, state.set_findings = None, None, []
        state.position = UNKNOWN.start()
        state.sets += 1

    def _close_group(self, ended_by: Segment | None) -> Iterator[Any]:
        state = self.state
        group = state.group
        assert group is not None
        if ended_by is not None:
            state.group_findings.append(
                Finding(
                    Level.GROUP,
                    f"functional group {group.control_number} has no GE: {self._ending(ended_by)}",
                    segment="GS",
                    position=group.position,
                    group_code=GroupError.TRAILER_MISSING,
                )
            )
        yield GroupClosed(group, tuple(state.group_findings))
        state.group, state.group_findings = None, []
        state.groups += 1

    def _close_interchange(self, ended_by: Segment | None) -> Iterator[Any]:
        state = self.state
        interchange = state.interchange
        assert interchange is not None
        if ended_by is not None:
            state.interchange_findings.append(
                Finding(
                    Level.INTERCHANGE,
                    f"interchange {interchange.control_number} has no IEA: "
                    f"{self._ending(ended_by)}",
                    segment="ISA",
                    position=1,
                    ta1=Ta1Note.PREMATURE_END_OF_FILE,
                )
            )
        yield InterchangeClosed(interchange, tuple(state.interchange_findings))
        state.interchange, state.interchange_findings = None, []

    def _close_all(self, ended_by: Segment) -> Iterator[Any]:
        state = self.state
        if state.header is not None:
            yield from self._close_set(ended_by)
        if state.group is not None:
            yield from self._close_group(ended_by)
        if state.interchange is not None:
            yield from self._close_interchange(ended_by)

    def _truncated(self, segment: Segment) -> None:
        self._interchange_error(
            segment,
            f"the file ends inside segment {segment.position} ({segment.id}): it has no "
            f"terminator {self.delimiters.segment!r}",
            Ta1Note.PREMATURE_END_OF_FILE,
        )

    def _finish(self) -> Iterator[Any]:
        state = self.state
        yield from self._close_all(Segment(["EOF"], -1))
        if state.interchange_findings:
            yield InterchangeClosed(self.source.interchange, tuple(state.interchange_findings))
