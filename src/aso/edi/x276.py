"""276 claim status requests (005010X212) read into plain values, one per claim asked about.

A 276 names the payer (2100A), the information receiver (2100B, the clearinghouse or provider
asking), the service provider (2100C, with its NPI), the subscriber (2100D, with its member id
and DMG) and, when the patient is a dependent, the dependent (2100E, name and DMG). Each claim
asked about is a 2200D or 2200E loop, opened by its trace number (TRN*1): the payer's claim
control number (REF*1K), the provider's own claim number (REF*EJ, the patient control number:
CLM01 of the 837), the institutional type of bill (REF*BLT), a pharmacy prescription number
(REF*XZ), a clearinghouse trace (REF*D9), the total charge (AMT*T3) and the service dates
(DTP*472). Service lines asked about (2210) have the procedure (SVC01), charge (SVC02), revenue
code (SVC04), units (SVC07), the line item control number (REF*FJ) and the line's date.

``StatusRequested`` comes out as soon as a claim's loop ends (the next TRN, HL, or the SE).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from aso.edi.codes import ElementError
from aso.edi.events import SetHeader
from aso.edi.inquiry_reader import (
    NO_DEMOGRAPHICS,
    NO_NAME,
    Demographics,
    Name,
    Period,
    RequestReader,
    Trace,
)
from aso.edi.reader import Delimiters, Segment

GUIDE = "005010X212"
SERVICE_DATE = "472"
TOTAL_CHARGE = "T3"
CLAIM_REFERENCES = {
    "1K": "payer_claim",
    "EJ": "patient_control",
    "BLT": "bill_type",
    "XZ": "prescription",
    "D9": "clearinghouse",
}
"""REF qualifiers of a claim asked about, and what each one is."""


@dataclass(frozen=True, slots=True)
class LineRequest:
    """A service line asked about (2210)."""

    procedure: tuple[str, ...]
    """SVC01 as sent: the qualifier (HC, NU, N4, ...), the code, its modifiers."""
    charge: Decimal | None
    revenue_code: str
    units: Decimal | None
    control_number: str = ""
    """REF*FJ, the provider's line item control number."""
    date: Period | None = None

    @property
    def code(self) -> str:
        return self.procedure[1] if len(self.procedure) > 1 else ""


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """One claim asked about, with whom it is asked of, by whom and about whom."""

    set_control: str
    reference: str
    """BHT03, the 277 repeats it."""
    source: Name
    receiver: Name
    provider: Name
    subscriber: Name
    subscriber_demographics: Demographics
    dependent: Name | None
    dependent_demographics: Demographics
    trace: Trace
    levels: tuple[str, str, str, str, str]
    """HL01 of the source, receiver, provider, subscriber and dependent ("" when none)
    levels: the 277 mirrors the hierarchy."""
    position: int
    """The TRN, by its ordinal in the set."""
    payer_claim: str = ""
    patient_control: str = ""
    bill_type: str = ""
    prescription: str = ""
    clearinghouse: str = ""
    charge: Decimal | None = None
    dates: Period | None = None
    lines: tuple[LineRequest, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusRequested:
    """The event the reader hands on for each claim asked about."""

    request: StatusRequest


@dataclass
class _Claim:
    trace: Trace
    position: int
    references: dict[str, str] = field(default_factory=dict)
    charge: Decimal | None = None
    dates: Period | None = None
    lines: list[LineRequest] = field(default_factory=list)


@dataclass
class _People:
    """The names of the current hierarchical levels, and their HL01s."""

    source: Name = NO_NAME
    receiver: Name = NO_NAME
    provider: Name = NO_NAME
    subscriber: Name = NO_NAME
    subscriber_demographics: Demographics = NO_DEMOGRAPHICS
    dependent: Name | None = None
    dependent_demographics: Demographics = NO_DEMOGRAPHICS
    numbers: dict[str, str] = field(default_factory=dict)

    def enter(self, code: str, number: str) -> None:
        """A new level: it and the levels below it start afresh."""
        order = ("20", "21", "19", "22", "23")
        if code not in order:
            return
        for lower in order[order.index(code) :]:
            self.numbers.pop(lower, None)
        self.numbers[code] = number
        if code in ("22", "23"):
            self.dependent, self.dependent_demographics = None, NO_DEMOGRAPHICS
        if code == "22":
            self.subscriber, self.subscriber_demographics = NO_NAME, NO_DEMOGRAPHICS

    def levels(self) -> tuple[str, str, str, str, str]:
        get = self.numbers.get
        return (get("20", ""), get("21", ""), get("19", ""), get("22", ""), get("23", ""))


class StatusRequestReader(RequestReader):
    """Reads the claims asked about in one 276 set."""

    def __init__(self, header: SetHeader, delimiters: Delimiters) -> None:
        super().__init__(header, delimiters)
        self.reference = ""
        self.people = _People()
        self.claim: _Claim | None = None
        self.handlers = {
            "BHT": self._bht,
            "HL": self._hl,
            "NM1": self._nm1,
            "DMG": self._dmg,
            "TRN": self._trn,
            "REF": self._ref,
            "AMT": self._amt,
            "DTP": self._dtp,
            "SVC": self._svc,
        }

    def close(self) -> list[Any]:
        done = self._finish()
        if not self.read:
            self.nothing_read("2200D", "claim: it has no claim status tracking number (TRN)")
        return done

    def _finish(self) -> list[Any]:
        claim, self.claim = self.claim, None
        if claim is None:
            return []
        people = self.people
        references = claim.references
        request = StatusRequest(
            set_control=self.header.control_number,
            reference=self.reference,
            source=people.source,
            receiver=people.receiver,
            provider=people.provider,
            subscriber=people.subscriber,
            subscriber_demographics=people.subscriber_demographics,
            dependent=people.dependent,
            dependent_demographics=people.dependent_demographics,
            trace=claim.trace,
            levels=people.levels(),
            position=claim.position,
            payer_claim=references.get("payer_claim", ""),
            patient_control=references.get("patient_control", ""),
            bill_type=references.get("bill_type", ""),
            prescription=references.get("prescription", ""),
            clearinghouse=references.get("clearinghouse", ""),
            charge=claim.charge,
            dates=claim.dates,
            lines=tuple(claim.lines),
        )
        self.read += 1
        return [StatusRequested(request)]

    def _bht(self, segment: Segment, set_position: int, loop: str) -> None:
        self.reference = segment.get(3)
        self.last_position = set_position

    def _hl(self, segment: Segment, set_position: int, loop: str) -> list[Any] | None:
        done = self._finish()
        self.last_position = set_position
        self.people.enter(segment.get(3), segment.get(1))
        return done or None

    def _nm1(self, segment: Segment, set_position: int, loop: str) -> None:
        name = Name.of(segment)
        people = self.people
        if loop == "2100A":
            people.source = name
        elif loop == "2100B":
            people.receiver = name
        elif loop == "2100C":
            people.provider = name
        elif loop == "2100D":
            people.subscriber = name
        elif loop == "2100E":
            people.dependent = name

    def _dmg(self, segment: Segment, set_position: int, loop: str) -> None:
        found = self.demographics(segment, set_position, loop)
        if loop == "2000E":
            self.people.dependent_demographics = found
        elif loop == "2000D":
            self.people.subscriber_demographics = found

    def _trn(self, segment: Segment, set_position: int, loop: str) -> list[Any] | None:
        if not loop.startswith("2200"):
            return None
        done = self._finish()
        self.required(segment, set_position, loop, 2, "TRN02, the claim's trace number,")
        self.claim = _Claim(Trace.of(segment), set_position)
        return done or None

    def _ref(self, segment: Segment, set_position: int, loop: str) -> None:
        claim = self.claim
        if claim is None:
            return
        if loop.startswith("2210") and claim.lines and segment.get(1) == "FJ":
            claim.lines[-1] = replace(claim.lines[-1], control_number=segment.get(2))
        elif loop.startswith("2200") and segment.get(1) in CLAIM_REFERENCES:
            claim.references[CLAIM_REFERENCES[segment.get(1)]] = segment.get(2)

    def _amt(self, segment: Segment, set_position: int, loop: str) -> None:
        if self.claim is not None and segment.get(1) == TOTAL_CHARGE:
            self.claim.charge = self.amount(segment, set_position, loop, 2)

    def _dtp(self, segment: Segment, set_position: int, loop: str) -> None:
        claim = self.claim
        if claim is None or segment.get(1) != SERVICE_DATE:
            return
        found = self.period(segment, set_position, loop)
        if loop.startswith("2210") and claim.lines:
            claim.lines[-1] = replace(claim.lines[-1], date=found)
        elif loop.startswith("2200"):
            claim.dates = found

    def _svc(self, segment: Segment, set_position: int, loop: str) -> None:
        if self.claim is None:
            return
        procedure = self.components(segment.get(1))
        if (len(procedure) < 2 or not procedure[1]) and not segment.get(4):
            self.syntax(
                segment,
                set_position,
                loop,
                1,
                "SVC01 needs a qualifier and a procedure code (or SVC04 a revenue code)",
                ElementError.REQUIRED_MISSING,
            )
        self.claim.lines.append(
            LineRequest(
                procedure=procedure,
                charge=self.amount(segment, set_position, loop, 2),
                revenue_code=segment.get(4),
                units=self.quantity(segment, set_position, loop, 7),
            )
        )
