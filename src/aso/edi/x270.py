"""270 eligibility inquiries (005010X279A1) read into plain values, one per patient.

A 270 names an information source (2100A, the payer asked), an information receiver (2100B,
the provider asking), a subscriber (2100C) and, when the patient is a dependent without an id of
its own, the dependent (2100D). Each patient level has its trace numbers (TRN, echoed in the
271), its demographics (DMG), the date asked about (DTP*291: in 2100C/2100D, else the first one
in the 2110 loops) and the service type codes asked about (EQ01, repeated with ISA11).

A patient is the subscriber when its level has no dependent level below it (HL04 0) or asks
about service types itself; otherwise each dependent level is one. ``EligibilityInquiry`` comes
out as soon as the patient's level ends. An EQ that asks about a procedure (EQ02) instead of a
service type is answered as ``30``, the plan as a whole (section 1.4.7 of the guide: an
information source answers at least the generic request), with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
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

GUIDE = "005010X279A1"
PURPOSES = frozenset({"01", "13"})
"""BHT02: cancellation, request."""
PLAN_DATE = "291"
HEALTH_BENEFIT_PLAN = "30"
SERVICE_TYPE = re.compile(r"^[0-9A-Z]{1,2}$")


@dataclass(frozen=True, slots=True)
class Person:
    """A subscriber (2100C) or dependent (2100D) as the inquiry names it."""

    name: Name
    demographics: Demographics = NO_DEMOGRAPHICS
    relationship: str = ""
    """INS02 of a dependent (01 spouse, 19 child, ...), as sent."""
    date: Period | None = None
    """DTP*291 of the level."""


@dataclass(frozen=True, slots=True)
class EligibilityInquiry:
    """One patient's inquiry: who asks whom, about whom, about what and for which date."""

    set_control: str
    reference: str
    """BHT03, the submitter's transaction id the 271 repeats."""
    source: Name
    receiver: Name
    subscriber: Person
    dependent: Person | None
    traces: tuple[Trace, ...]
    service_types: tuple[str, ...]
    benefit_date: Period | None
    """The first DTP*291 of the patient's 2110 loops."""
    levels: tuple[str, str, str]
    """HL01 of the source, receiver and subscriber levels: the 271 mirrors the hierarchy."""
    position: int
    """The patient's HL, by its ordinal in the set."""

    @property
    def patient(self) -> Person:
        return self.dependent or self.subscriber

    def date_of_service(self, today: date) -> date:
        """The date asked about; the date of processing when the inquiry names none (guide,
        2100C DTP: "if not sent, the information source assumes the date of processing")."""
        period = self.patient.date or self.subscriber.date or self.benefit_date
        return period.first if period is not None else today


@dataclass(frozen=True, slots=True)
class InquiryRead:
    """The event the reader hands on for each patient."""

    inquiry: EligibilityInquiry


@dataclass
class _Level:
    """A subscriber or dependent level as it is read."""

    number: str
    code: str
    position: int
    child_code: str
    name: Name = NO_NAME
    demographics: Demographics = NO_DEMOGRAPHICS
    relationship: str = ""
    date: Period | None = None
    benefit_date: Period | None = None
    traces: list[Trace] = field(default_factory=list)
    service_types: list[str] = field(default_factory=list)

    def person(self) -> Person:
        return Person(self.name, self.demographics, self.relationship, self.date)


class EligibilityRequestReader(RequestReader):
    """Reads the patients of one 270 set, handing each inquiry on when its level ends."""

    def __init__(self, header: SetHeader, delimiters: Delimiters) -> None:
        super().__init__(header, delimiters)
        self.reference = ""
        self.source = NO_NAME
        self.receiver = NO_NAME
        self.source_number = self.receiver_number = ""
        self.subscriber: _Level | None = None
        self.level: _Level | None = None
        self.handlers = {
            "BHT": self._bht,
            "HL": self._hl,
            "NM1": self._nm1,
            "TRN": self._trn,
            "DMG": self._dmg,
            "INS": self._ins,
            "DTP": self._dtp,
            "EQ": self._eq,
        }

    def close(self) -> list[Any]:
        done = self._finish()
        if not self.read:
            self.nothing_read("2000C", "patient: it has no subscriber level (HL 22)")
        return done

    def _finish(self) -> list[Any]:
        level, self.level = self.level, None
        if level is None or self.subscriber is None:
            return []
        if level.code == "22" and level.child_code == "1" and not level.service_types:
            return []
        dependent = level.person() if level.code == "23" else None
        benefit_date = level.benefit_date
        inquiry = EligibilityInquiry(
            set_control=self.header.control_number,
            reference=self.reference,
            source=self.source,
            receiver=self.receiver,
            subscriber=self.subscriber.person(),
            dependent=dependent,
            traces=tuple(level.traces),
            service_types=tuple(dict.fromkeys(level.service_types or [HEALTH_BENEFIT_PLAN])),
            benefit_date=benefit_date,
            levels=(self.source_number, self.receiver_number, self.subscriber.number),
            position=level.position,
        )
        self.read += 1
        return [InquiryRead(inquiry)]

    def _bht(self, segment: Segment, set_position: int, loop: str) -> None:
        if segment.get(2) not in PURPOSES:
            self.syntax(
                segment,
                set_position,
                loop,
                2,
                f"BHT02 {segment.get(2)!r} is not a purpose of a 270 (13 request, 01 cancellation)",
                ElementError.INVALID_CODE,
            )
        self.reference = segment.get(3)
        self.last_position = set_position

    def _hl(self, segment: Segment, set_position: int, loop: str) -> list[Any] | None:
        done = self._finish()
        self.last_position = set_position
        number, code = segment.get(1), segment.get(3)
        if code == "20":
            self.source, self.source_number, self.subscriber = NO_NAME, number, None
        elif code == "21":
            self.receiver, self.receiver_number, self.subscriber = NO_NAME, number, None
        elif code in ("22", "23"):
            level = _Level(number, code, set_position, segment.get(4))
            if code == "22":
                self.subscriber = level
            self.level = level
        return done or None

    def _nm1(self, segment: Segment, set_position: int, loop: str) -> None:
        name = Name.of(segment)
        if loop == "2100A":
            self.source = name
        elif loop == "2100B":
            self.receiver = name
        elif loop in ("2100C", "2100D") and self.level is not None:
            self.level.name = name

    def _trn(self, segment: Segment, set_position: int, loop: str) -> None:
        if self.level is None:
            return
        self.required(segment, set_position, loop, 2, "TRN02, the trace number,")
        self.required(segment, set_position, loop, 3, "TRN03, the trace assigning entity,")
        self.level.traces.append(Trace.of(segment))

    def _dmg(self, segment: Segment, set_position: int, loop: str) -> None:
        if self.level is not None:
            self.level.demographics = self.demographics(segment, set_position, loop)

    def _ins(self, segment: Segment, set_position: int, loop: str) -> None:
        if self.level is not None:
            self.level.relationship = segment.get(2)

    def _dtp(self, segment: Segment, set_position: int, loop: str) -> None:
        level = self.level
        if level is None or segment.get(1) != PLAN_DATE:
            return
        period = self.period(segment, set_position, loop)
        if loop.startswith("2100"):
            level.date = period
        elif level.benefit_date is None:
            level.benefit_date = period

    def _eq(self, segment: Segment, set_position: int, loop: str) -> None:
        if self.level is None:
            return
        codes = self.repeated(segment.get(1))
        if not codes and not segment.get(2):
            self.syntax(
                segment,
                set_position,
                loop,
                1,
                "EQ01 (service type codes) or EQ02 (a procedure) is required",
                ElementError.REQUIRED_MISSING,
            )
            return
        for code in codes:
            if not SERVICE_TYPE.match(code):
                self.syntax(
                    segment,
                    set_position,
                    loop,
                    1,
                    f"{code!r} is not a service type code",
                    ElementError.INVALID_CODE,
                )
                return
        if not codes:
            self.warning(
                segment,
                set_position,
                loop,
                2,
                "an inquiry by procedure (EQ02) is answered for the plan as a whole "
                "(service type 30)",
            )
            codes = (HEALTH_BENEFIT_PLAN,)
        self.level.service_types.extend(codes)
