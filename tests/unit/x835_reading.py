"""Reading an 835 back with the project's own reader (``SegmentReader`` and the envelope
``Walker``, which checks ISA/GS/ST counts and control numbers and places every segment in its
loop of the X221A1 guide), into plain values tests compare with what was remitted."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aso.edi.envelope import Walker
from aso.edi.events import SetClosed, SetHeader, SetReader
from aso.edi.findings import Finding
from aso.edi.reader import Delimiters, Segment, SegmentReader


@dataclass
class LineRead:
    code: list[str]
    charge: Decimal
    paid: Decimal
    units: str
    dates: list[tuple[str, str]] = field(default_factory=list)
    adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)
    allowed: Decimal | None = None
    remarks: list[str] = field(default_factory=list)


@dataclass
class ClaimRead:
    id: str
    status: str
    charge: Decimal
    paid: Decimal
    responsibility: Decimal
    filing: str
    control: str
    frequency: str
    adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)
    people: dict[str, list[str]] = field(default_factory=dict)
    remarks: list[str] = field(default_factory=list)
    lines: list[LineRead] = field(default_factory=list)


@dataclass
class RemittanceRead:
    bpr: list[str] = field(default_factory=list)
    trace: str = ""
    payer: list[str] = field(default_factory=list)
    payee: list[str] = field(default_factory=list)
    payee_tin: str = ""
    claims: list[ClaimRead] = field(default_factory=list)
    plb: list[tuple[str, str, Decimal]] = field(default_factory=list)
    """(reason, reference, amount) of every PLB adjustment."""
    loops: list[tuple[str, str]] = field(default_factory=list)
    """(segment id, loop id) of every segment between ST and SE."""

    @property
    def amount(self) -> Decimal:
        return Decimal(self.bpr[2])


def _money(text: str) -> Decimal:
    return Decimal(text) if text else Decimal(0)


def _cas(segment: Segment) -> list[tuple[str, str, Decimal]]:
    found = []
    for start in range(2, len(segment.elements), 3):
        found.append((segment.get(1), segment.get(start), _money(segment.get(start + 1))))
    return found


class RemittanceReader(SetReader):
    """Keeps what the tests compare: BPR, TRN, N1s, CLPs with their CAS/NM1/MOA, SVCs with
    their DTM/CAS/AMT/LQ, PLBs."""

    def __init__(self, header: SetHeader, delimiters: Delimiters) -> None:
        super().__init__(header, delimiters)
        self.component = delimiters.component
        self.read = RemittanceRead()
        for segment_id in (
            "BPR", "TRN", "DTM", "N1", "N3", "N4", "PER", "REF", "LX", "CLP", "CAS", "NM1",
            "MOA", "MIA", "SVC", "AMT", "LQ", "PLB",
        ):  # fmt: skip
            self.handlers[segment_id] = self.segment

    def segment(self, segment: Segment, set_position: int, loop: str) -> None:
        read = self.read
        read.loops.append((segment.id, loop))
        method = getattr(self, f"_{segment.id.lower()}", None)
        if method is not None:
            method(segment, loop)

    def _bpr(self, segment: Segment, loop: str) -> None:
        self.read.bpr = segment.elements

    def _trn(self, segment: Segment, loop: str) -> None:
        self.read.trace = segment.get(2)

    def _n1(self, segment: Segment, loop: str) -> None:
        if segment.get(1) == "PR":
            self.read.payer = segment.elements
        else:
            self.read.payee = segment.elements

    def _ref(self, segment: Segment, loop: str) -> None:
        if segment.get(1) == "TJ":
            self.read.payee_tin = segment.get(2)

    def _clp(self, segment: Segment, loop: str) -> None:
        self.read.claims.append(
            ClaimRead(
                id=segment.get(1),
                status=segment.get(2),
                charge=_money(segment.get(3)),
                paid=_money(segment.get(4)),
                responsibility=_money(segment.get(5)),
                filing=segment.get(6),
                control=segment.get(7),
                frequency=segment.get(9),
            )
        )

    def _cas(self, segment: Segment, loop: str) -> None:
        claim = self.read.claims[-1]
        target = claim.lines[-1].adjustments if loop == "2110" else claim.adjustments
        target.extend(_cas(segment))

    def _nm1(self, segment: Segment, loop: str) -> None:
        if loop == "2100":
            self.read.claims[-1].people[segment.get(1)] = segment.elements

    def _moa(self, segment: Segment, loop: str) -> None:
        self.read.claims[-1].remarks += [code for code in segment.elements[3:] if code]

    def _mia(self, segment: Segment, loop: str) -> None:
        codes = [segment.get(5), *segment.elements[20:24]]
        self.read.claims[-1].remarks += [code for code in codes if code]

    def _svc(self, segment: Segment, loop: str) -> None:
        self.read.claims[-1].lines.append(
            LineRead(
                code=segment.get(1).split(self.component),
                charge=_money(segment.get(2)),
                paid=_money(segment.get(3)),
                units=segment.get(5),
            )
        )

    def _dtm(self, segment: Segment, loop: str) -> None:
        if loop == "2110":
            self.read.claims[-1].lines[-1].dates.append((segment.get(1), segment.get(2)))

    def _amt(self, segment: Segment, loop: str) -> None:
        if loop == "2110" and segment.get(1) == "B6":
            self.read.claims[-1].lines[-1].allowed = _money(segment.get(2))

    def _lq(self, segment: Segment, loop: str) -> None:
        self.read.claims[-1].lines[-1].remarks.append(segment.get(2))

    def _plb(self, segment: Segment, loop: str) -> None:
        for start in range(3, len(segment.elements), 2):
            reason, _, reference = segment.get(start).partition(self.component)
            self.read.plb.append((reason, reference, _money(segment.get(start + 1))))


@dataclass
class Read835:
    remittances: list[RemittanceRead]
    findings: list[Finding]
    """Everything the walker found wrong (envelopes, counts, segments out of place)."""


def read_835(text: str) -> Read835:
    """Every 835 of an interchange, and the reader's findings (none for a sound file)."""
    readers: list[RemittanceReader] = []
    findings: list[Finding] = []

    def factory(header: SetHeader, delimiters: Delimiters) -> SetReader:
        reader = RemittanceReader(header, delimiters)
        readers.append(reader)
        return reader

    events: list[Any] = list(Walker(SegmentReader(io.BytesIO(text.encode())), factory))
    for event in events:
        if hasattr(event, "findings"):
            findings.extend(event.findings)
        if isinstance(event, SetClosed):
            assert event.header.reference == "005010X221A1"
    return Read835([reader.read for reader in readers], findings)


def only_remittance(text: str) -> RemittanceRead:
    """The one 835 of a file the reader finds nothing wrong with."""
    found = read_835(text)
    assert found.findings == [], [str(f) for f in found.findings]
    (remittance,) = found.remittances
    return remittance
