"""What the readers of real-time inquiries (270, 276) share: the parties and people they name,
their trace numbers, and the element checks whose failure rejects the set (999 IK5 ``R``).

Values are kept as sent, so the answer can echo them (the 271 and the 277 return the
information source, receiver, provider and patient the request named, and its trace numbers).
A malformed element (a date that is not a date, an amount that is not one, a required element
left empty) is a syntax error of the set: its finding names the segment, its ordinal in the set,
the loop and the element, and carries the IK3/IK4 codes of the 999.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from aso.edi.codes import ElementError, SegmentError
from aso.edi.events import SetHeader, SetReader
from aso.edi.findings import Finding, Level, Severity
from aso.edi.reader import Delimiters, Segment
from aso.edi.values import decimal, iso_date, money


@dataclass(frozen=True, slots=True)
class Name:
    """An NM1 as sent: who (NM101, NM102), the name (NM103..NM107), the id (NM108, NM109)."""

    elements: tuple[str, ...]
    """NM101..NM109 as sent (empty strings where the request left them out)."""

    @classmethod
    def of(cls, segment: Segment) -> Name:
        return cls(tuple(segment.get(i) for i in range(1, 10)))

    def get(self, number: int) -> str:
        return self.elements[number - 1]

    @property
    def entity(self) -> str:
        return self.get(1)

    @property
    def last(self) -> str:
        return self.get(3)

    @property
    def first(self) -> str:
        return self.get(4)

    @property
    def id_qualifier(self) -> str:
        return self.get(8)

    @property
    def id(self) -> str:
        return self.get(9)

    @property
    def npi(self) -> str | None:
        """NM109 when NM108 says it is an NPI (``XX``)."""
        return self.id if self.id_qualifier == "XX" and self.id else None


NO_NAME = Name(("",) * 9)


@dataclass(frozen=True, slots=True)
class Trace:
    """A TRN: trace type (1 current, 2 referenced), number, originator, its supplemental id."""

    type: str
    number: str
    originator: str
    supplemental: str

    @classmethod
    def of(cls, segment: Segment) -> Trace:
        return cls(segment.get(1), segment.get(2), segment.get(3), segment.get(4))


@dataclass(frozen=True, slots=True)
class Demographics:
    """A DMG: birth date (D8) and gender code as sent."""

    birth_date: date | None
    sex: str
    sent: str
    """DMG02 as sent, echoed when the person is not found."""


NO_DEMOGRAPHICS = Demographics(None, "", "")


@dataclass(frozen=True, slots=True)
class Period:
    """A DTP date (D8) or range (RD8): ``first`` to ``last``, both included."""

    first: date
    last: date

    def overlaps(self, first: date, last: date) -> bool:
        return self.first <= last and first <= self.last


class RequestReader(SetReader):
    """A set reader with the element checks of the inquiry guides."""

    def __init__(self, header: SetHeader, delimiters: Delimiters) -> None:
        super().__init__(header, delimiters)
        self.repetition = delimiters.repetition
        self.component = delimiters.component
        self.read = 0
        """How many inquiries the set has handed on."""
        self.last_position = 1
        """The ordinal in the set of the last hierarchical level (or BHT) read."""

    def nothing_read(self, loop: str, what: str) -> None:
        """The set asks about nothing: a required loop is missing (999 IK304 I7)."""
        self.findings.append(
            Finding(
                Level.SET,
                f"the set asks about no {what}",
                segment="HL",
                set_position=self.last_position,
                set_control=self.header.control_number,
                loop=loop,
                segment_code=SegmentError.LOOP_UNDER_MINIMUM,
            )
        )

    def syntax(
        self,
        segment: Segment,
        set_position: int,
        loop: str,
        element: int,
        message: str,
        code: ElementError,
    ) -> None:
        """A malformed element: the set is rejected (999 IK3 code 8 with this IK4)."""
        self.findings.append(
            self._finding(
                segment,
                set_position,
                loop,
                message,
                element=element,
                value=segment.get(element) or None,
                segment_code=SegmentError.HAS_ELEMENT_ERRORS,
                element_code=code,
            )
        )

    def warning(
        self, segment: Segment, set_position: int, loop: str, element: int, message: str
    ) -> None:
        """What the reader reads in a way the guide does not quite allow; rejects nothing."""
        self.findings.append(
            self._finding(
                segment,
                set_position,
                loop,
                message,
                severity=Severity.WARNING,
                element=element,
                value=segment.get(element) or None,
            )
        )

    def _finding(
        self, segment: Segment, set_position: int, loop: str, message: str, **more: Any
    ) -> Finding:
        return Finding(
            Level.SET,
            message,
            segment=segment.id,
            position=segment.position,
            set_position=set_position,
            set_control=self.header.control_number,
            loop=loop,
            **more,
        )

    def required(
        self, segment: Segment, set_position: int, loop: str, element: int, what: str
    ) -> str:
        """Element ``element``, or "" with a syntax error when it is empty."""
        value = segment.get(element)
        if not value:
            self.syntax(
                segment,
                set_position,
                loop,
                element,
                f"{what} is required",
                ElementError.REQUIRED_MISSING,
            )
        return value

    def demographics(self, segment: Segment, set_position: int, loop: str) -> Demographics:
        """DMG01 D8 and DMG02 a date; DMG03 the gender code."""
        sent = segment.get(2)
        if segment.get(1) not in ("", "D8"):
            self.syntax(
                segment,
                set_position,
                loop,
                1,
                f"DMG01 {segment.get(1)!r} is not D8 (a birth date is CCYYMMDD)",
                ElementError.INVALID_CODE,
            )
            return Demographics(None, segment.get(3), sent)
        birth = self._date(segment, set_position, loop, 2, sent) if sent else None
        return Demographics(birth, segment.get(3), sent)

    def period(self, segment: Segment, set_position: int, loop: str) -> Period | None:
        """DTP02 D8 or RD8 and DTP03 the date or the range; None (and a syntax error) when
        they are not."""
        qualifier, text = segment.get(2), segment.get(3)
        if qualifier == "D8":
            day = self._date(segment, set_position, loop, 3, text)
            return None if day is None else Period(day, day)
        if qualifier == "RD8":
            start, dash, end = text.partition("-")
            first, last = iso_date(start), iso_date(end)
            if dash and first is not None and last is not None and first <= last:
                return Period(date.fromisoformat(first), date.fromisoformat(last))
            self.syntax(
                segment,
                set_position,
                loop,
                3,
                f"{text!r} is not a date range (CCYYMMDD-CCYYMMDD, the first not after the second)",
                ElementError.INVALID_DATE,
            )
            return None
        self.syntax(
            segment,
            set_position,
            loop,
            2,
            f"DTP02 {qualifier!r} is neither D8 nor RD8",
            ElementError.INVALID_CODE,
        )
        return None

    def _date(
        self, segment: Segment, set_position: int, loop: str, element: int, text: str
    ) -> date | None:
        found = iso_date(text)
        if found is None:
            self.syntax(
                segment,
                set_position,
                loop,
                element,
                f"{text!r} is not a date (CCYYMMDD)",
                ElementError.INVALID_DATE,
            )
            return None
        return date.fromisoformat(found)

    def amount(
        self, segment: Segment, set_position: int, loop: str, element: int
    ) -> Decimal | None:
        """A monetary amount (data element 782), or None with a syntax error; "" is None."""
        text = segment.get(element)
        if not text:
            return None
        found = money(text)
        if found is None:
            self.syntax(
                segment,
                set_position,
                loop,
                element,
                f"{text!r} is not a decimal amount (at most 2 decimal places)",
                ElementError.INVALID_CHARACTER,
            )
            return None
        return Decimal(found)

    def quantity(
        self, segment: Segment, set_position: int, loop: str, element: int
    ) -> Decimal | None:
        text = segment.get(element)
        if not text:
            return None
        found = decimal(text)
        if found is None or found < 0:
            self.syntax(
                segment,
                set_position,
                loop,
                element,
                f"{text!r} is not a quantity",
                ElementError.INVALID_CHARACTER,
            )
            return None
        return found

    def repeated(self, text: str) -> tuple[str, ...]:
        """The repetitions of an element (ISA11 separates them), the empty ones left out."""
        return tuple(part for part in text.split(self.repetition) if part)

    def components(self, text: str) -> tuple[str, ...]:
        return tuple(text.split(self.component))
