"""Pure rules about employers: EINs, addresses, plan years and which plans fit in them."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from aso.errors import Problem
from aso.plans.domain import PlanDesign

IRS_CAMPUS_PREFIXES: frozenset[str] = frozenset(
    f"{n:02d}"
    for n in (
        *range(1, 7), *range(10, 17), *range(20, 28), *range(30, 49), *range(50, 69),
        *range(71, 78), *range(80, 89), *range(90, 96), 98, 99,
    )
)  # fmt: skip
"""The two-digit prefixes the IRS assigns EINs from (IRS, "How EINs are assigned and valid EIN
prefixes"): by campus (Andover, Atlanta, Austin, Brookhaven, Cincinnati, Fresno, Kansas City,
Memphis, Ogden, Philadelphia), Internet and SBA. 00, 07-09, 17-19, 28-29, 49, 69-70, 78-79, 89,
96-97 are never issued."""

_EIN = re.compile(r"^(\d{2})-?(\d{7})$")

US_STATES: frozenset[str] = frozenset(
    (
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL",
        "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE",
        "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD",
        "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "VI", "GU", "AS", "MP",
    )
)  # fmt: skip
"""USPS codes of the states, DC and the territories."""

_ZIP = re.compile(r"^\d{5}(-\d{4})?$")

MAX_RUNOUT_MONTHS = 36


def normalize_ein(text: str) -> str:
    """The EIN as ``NN-NNNNNNN``; raises ``ValueError`` saying what is wrong.

    Accepts the nine digits with or without the hyphen. The prefix must be one the IRS issues
    and the serial part must not be all zeros.
    """
    match = _EIN.match(text.strip())
    if not match:
        raise ValueError("an EIN is 9 digits written NN-NNNNNNN")
    prefix, serial = match.groups()
    if prefix not in IRS_CAMPUS_PREFIXES:
        raise ValueError(f"{prefix} is not an EIN prefix the IRS issues")
    if serial == "0000000":
        raise ValueError("the last 7 digits of an EIN cannot be all zeros")
    return f"{prefix}-{serial}"


@dataclass(frozen=True, slots=True)
class Address:
    address1: str
    city: str
    state: str
    zip: str
    address2: str | None = None


def address_problems(address: Address, prefix: str = "") -> list[Problem]:
    """What is wrong with a US postal address, each problem naming its field."""
    problems: list[Problem] = []
    if not address.address1.strip():
        problems.append(Problem(f"{prefix}address1", "required"))
    if not address.city.strip():
        problems.append(Problem(f"{prefix}city", "required"))
    if address.state.upper() not in US_STATES:
        problems.append(Problem(f"{prefix}state", f"{address.state!r} is not a US state code"))
    if not _ZIP.match(address.zip):
        problems.append(Problem(f"{prefix}zip", "a ZIP code is 5 digits or ZIP+4 (NNNNN-NNNN)"))
    return problems


@dataclass(frozen=True, slots=True)
class PlanYear:
    """An employer's plan year: claims incurred from ``start`` to ``end`` are the year's, and
    are paid up to ``runout_months`` after ``end``."""

    start: date
    end: date
    runout_months: int

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: PlanYear) -> bool:
        return self.start <= other.end and other.start <= self.end

    @property
    def runout_end(self) -> date:
        """The last day a claim incurred in the year may be paid (a year ending on a month's
        last day runs out on a month's last day)."""
        later = add_months(self.end, self.runout_months)
        return end_of_month(later) if self.end == end_of_month(self.end) else later


def plan_year_problems(year: PlanYear, existing: list[PlanYear]) -> list[Problem]:
    """A plan year must be ordered, at most about a year long (a short first year is fine),
    have a sane run-out and not overlap another plan year of the same employer."""
    problems: list[Problem] = []
    if year.end < year.start:
        problems.append(Problem("end", "must not be before start"))
    elif year.end > add_months(year.start, 12) - timedelta(days=1):
        problems.append(Problem("end", "a plan year lasts at most 12 months"))
    if not 0 <= year.runout_months <= MAX_RUNOUT_MONTHS:
        problems.append(Problem("runout_months", f"must be between 0 and {MAX_RUNOUT_MONTHS}"))
    for other in existing:
        if other.overlaps(year):
            problems.append(Problem("start", f"overlaps the plan year {other.start}..{other.end}"))
    return problems


def design_problems(design: PlanDesign, year: PlanYear) -> list[Problem]:
    """A plan design belongs to one plan year: its period must fall inside it."""
    if year.contains(design.period.start) and year.contains(design.period.end):
        return []
    return [
        Problem(
            "period",
            f"{design.period.start}..{design.period.end} does not fall in the plan year "
            f"{year.start}..{year.end}",
        )
    ]


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
