"""Pure rules about members, coverage and eligibility: no database, no files."""

from __future__ import annotations

import calendar
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from aso.plans.domain import DISABILITY_LINES, Line, Tier


class Relationship(StrEnum):
    SUBSCRIBER = "subscriber"
    SPOUSE = "spouse"
    DOMESTIC_PARTNER = "domestic_partner"
    CHILD = "child"


PARTNERS = frozenset({Relationship.SPOUSE, Relationship.DOMESTIC_PARTNER})


class Sex(StrEnum):
    """X12 gender codes: male, female, unknown."""

    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


ADULT_AGE = 18
"""From this birthday a dependent's records are its own (its subscriber no longer sees them)."""

DEPENDENT_AGE_LIMIT = 26
"""PHS Act section 2714 (45 CFR 147.120): a plan that covers children covers them until 26; like
most plans, ours covers them to the end of the month of the 26th birthday."""


# SSNs ---------------------------------------------------------------------------------------

_SSN = re.compile(r"^(\d{3})-?(\d{2})-?(\d{4})$")


def normalize_ssn(text: str) -> str:
    """Nine digits (dashes optional) with no all-zero part and not area 000 or 666, which the
    SSA never issues ("Social Security Number Randomization", 2011). Area 900-999 is accepted:
    those are ITINs, which some employers report for a dependent without an SSN, and synthetic
    test data uses them because no SSN is ever issued there."""
    match = _SSN.match(text.strip())
    if not match:
        raise ValueError("an SSN is 9 digits (NNN-NN-NNNN)")
    area, group, serial = match.groups()
    if area in ("000", "666"):
        raise ValueError(f"{area} is not an SSN area number")
    if group == "00" or serial == "0000":
        raise ValueError("an SSN's group and serial numbers are never all zeros")
    return area + group + serial


def mask_ssn(last4: str | None) -> str | None:
    """The only way an SSN is ever shown."""
    return None if last4 is None else f"***-**-{last4}"


# member ids ---------------------------------------------------------------------------------

_MEMBER_ID = re.compile(r"^M(\d{9})$")


def luhn_digit(digits: str) -> int:
    """The Luhn check digit for ``digits`` (ISO/IEC 7812-1): catches one wrong digit and most
    swaps of neighbours when someone reads a member id over the phone."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def new_member_id(rng: random.Random) -> str:
    """A random member id; the caller makes sure it is not taken. Random (not derived from the
    database id) so that ids reveal neither enrollment counts nor order."""
    body = f"{rng.randrange(10**8):08d}"
    return f"M{body}{luhn_digit(body)}"


def is_member_id(text: str) -> bool:
    match = _MEMBER_ID.match(text.strip().upper())
    if match is None:
        return False
    digits = match.group(1)
    return luhn_digit(digits[:8]) == int(digits[8])


# ages ---------------------------------------------------------------------------------------


def birthday(birth: date, age: int) -> date:
    """The day one turns ``age`` (a 29 February birthday falls on 28 February in common years)."""
    year = birth.year + age
    return date(year, birth.month, min(birth.day, calendar.monthrange(year, birth.month)[1]))


def age_on(birth: date, day: date) -> int:
    years = day.year - birth.year
    return years if day >= birthday(birth, years) else years - 1


def end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def child_coverage_limit(birth: date) -> date:
    """The last day a child may be covered: the end of the month it turns 26."""
    return end_of_month(birthday(birth, DEPENDENT_AGE_LIMIT))


# coverage -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoverageSpan:
    """One coverage of one member: a plan in a line, a tier, a first and a last covered day.

    ``end`` None means until the plan's period ends (``plan_end``): a coverage never outlives
    the plan year of its plan.
    """

    line: Line
    plan_code: str
    plan_name: str
    tier: Tier
    start: date
    end: date | None
    plan_end: date
    id: int | None = None

    @property
    def last_day(self) -> date:
        return self.plan_end if self.end is None else min(self.end, self.plan_end)

    def overlaps(self, other: CoverageSpan) -> bool:
        return (
            self.line == other.line
            and self.start <= other.last_day
            and other.start <= self.last_day
        )

    def describe(self) -> str:
        end = "open" if self.end is None else str(self.end)
        return f"{self.line.value} {self.plan_code} {self.tier.value} {self.start}..{end}"


def overlapping(existing: Iterable[CoverageSpan], candidate: CoverageSpan) -> list[CoverageSpan]:
    """Coverages that overlap ``candidate`` (other than itself): at most one coverage per line
    per day, or a claim would not know which plan pays."""
    return [c for c in existing if c.overlaps(candidate) and (c.id is None or c.id != candidate.id)]


def tier_problem(relationship: Relationship, tier: Tier, line: Line) -> str | None:
    """Whether one member may be on ``tier``: a dependent is never on ``employee``, a partner
    never on ``employee_children``, a child never on ``employee_spouse``; disability lines cover
    the employee alone (they replace the employee's earnings)."""
    if line in DISABILITY_LINES:
        if relationship is not Relationship.SUBSCRIBER:
            return f"only the employee is covered by {line.value}"
        if tier is not Tier.EMPLOYEE:
            return f"{line.value} coverage is on tier employee"
        return None
    if relationship is Relationship.SUBSCRIBER:
        return None
    if tier is Tier.EMPLOYEE:
        return f"a {relationship.value} cannot be on tier employee"
    if relationship in PARTNERS and tier is Tier.EMPLOYEE_CHILDREN:
        return f"a {relationship.value} cannot be on tier employee_children"
    if relationship is Relationship.CHILD and tier is Tier.EMPLOYEE_SPOUSE:
        return "a child cannot be on tier employee_spouse"
    return None


def family_tier_problem(tier: Tier, dependents: Sequence[Relationship]) -> str | None:
    """Whether the subscriber's tier agrees with the dependents covered with it in a line."""
    partners = sum(r in PARTNERS for r in dependents)
    children = sum(r is Relationship.CHILD for r in dependents)
    if tier is Tier.EMPLOYEE and dependents:
        return "tier employee covers no dependents, but dependents are enrolled"
    if tier is Tier.EMPLOYEE_SPOUSE and (partners == 0 or children):
        return "tier employee_spouse needs a spouse or domestic partner and no children enrolled"
    if tier is Tier.EMPLOYEE_CHILDREN and (children == 0 or partners):
        return "tier employee_children needs children and no spouse or partner enrolled"
    if tier is Tier.FAMILY and not dependents:
        return "tier family needs at least one dependent enrolled"
    return None


@dataclass(frozen=True, slots=True)
class AgeCut:
    """A child's coverage shortened to the age limit."""

    limit: date
    requested_end: date | None

    def describe(self) -> str:
        asked = "open" if self.requested_end is None else str(self.requested_end)
        return (
            f"end {asked} cut to {self.limit}: "
            "a child is covered to the end of the month it turns 26"
        )


def cut_for_age(
    relationship: Relationship, birth: date, start: date, end: date | None, plan_end: date
) -> tuple[date | None, AgeCut | None]:
    """The end a coverage may have: a child's is cut at the end of the month it turns 26 when
    that comes before the coverage would end anyway (its ``end``, else its plan's period end).

    Raises ``ValueError`` when the coverage would start after that day.
    """
    if relationship is not Relationship.CHILD:
        return end, None
    limit = child_coverage_limit(birth)
    if start > limit:
        raise ValueError(
            f"the child turned 26 on {birthday(birth, DEPENDENT_AGE_LIMIT)} and can be covered "
            f"only to {limit}"
        )
    if limit < min(end or plan_end, plan_end):
        return limit, AgeCut(limit, end)
    return end, None


@dataclass(frozen=True, slots=True)
class CoverageChange:
    """A coverage's end date moved: a termination (retroactive when the new end is in the past),
    an extension or a reinstatement."""

    coverage: CoverageSpan
    old_end: date | None
    new_end: date | None
    retroactive: bool

    def describe(self) -> str:
        old = "open" if self.old_end is None else str(self.old_end)
        new = "open" if self.new_end is None else str(self.new_end)
        c = self.coverage
        text = f"{c.line.value} {c.plan_code} coverage from {c.start}: end {old} -> {new}"
        if self.new_end is not None and (self.old_end is None or self.new_end < self.old_end):
            text += " (retroactive termination)" if self.retroactive else " (termination)"
        return text


def change_end(span: CoverageSpan, new_end: date | None, today: date) -> CoverageChange:
    """Move a coverage's last covered day. Terminations in the past are allowed (the employer
    reports a leaver late; claims already paid after ``new_end`` are then recovered); ending
    before the start would erase the coverage, which is not a termination."""
    if new_end is not None and new_end < span.start:
        raise ValueError(f"the end {new_end} is before the coverage start {span.start}")
    if new_end is not None and new_end > span.plan_end:
        raise ValueError(f"the end {new_end} is after the plan's period ends ({span.plan_end})")
    return CoverageChange(span, span.end, new_end, new_end is not None and new_end < today)


def ending_with_subscriber(
    subscriber: CoverageSpan, new_end: date, dependents: Iterable[CoverageSpan]
) -> tuple[list[CoverageSpan], list[CoverageSpan]]:
    """When a subscriber's coverage now ends on ``new_end``: the dependents' coverages in its
    line that began while it was in force and run past ``new_end`` (they end with it), and those
    that began after ``new_end`` while it was in force (they would be left under no subscriber,
    and cannot be ended before they start: they must be dealt with first). A dependent is
    covered through its subscriber's enrollment, never on its own."""
    to_end, orphaned = [], []
    for span in dependents:
        if span.line != subscriber.line or span.last_day <= new_end:
            continue
        if subscriber.start <= span.start <= new_end:
            to_end.append(span)
        elif new_end < span.start <= subscriber.last_day:
            orphaned.append(span)
    return to_end, orphaned


# eligibility --------------------------------------------------------------------------------


class IneligibleReason(StrEnum):
    """Why a member is not covered; ``carc`` is the claim adjustment reason code of DESIGN 6.1."""

    NO_SUCH_MEMBER = "no_such_member"
    NO_COVERAGE_IN_LINE = "no_coverage_in_line"
    BEFORE_COVERAGE = "before_coverage_start"
    COVERAGE_ENDED = "coverage_ended"
    CHILD_OVER_AGE_LIMIT = "child_over_26"

    @property
    def carc(self) -> str:
        return _CARC[self]


_CARC = {
    IneligibleReason.NO_SUCH_MEMBER: "31",
    IneligibleReason.NO_COVERAGE_IN_LINE: "109",
    IneligibleReason.BEFORE_COVERAGE: "26",
    IneligibleReason.COVERAGE_ENDED: "27",
    IneligibleReason.CHILD_OVER_AGE_LIMIT: "27",
}


@dataclass(frozen=True, slots=True)
class Person:
    relationship: Relationship
    birth_date: date


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The answer for one member, line and date. When not covered, ``coverage`` is the coverage
    the answer refers to (the one that ended, or the first one not yet started), if any."""

    line: Line
    on: date
    covered: bool
    reason: IneligibleReason | None
    message: str
    coverage: CoverageSpan | None
    covered_through: date | None


def covered_through(person: Person, span: CoverageSpan) -> date:
    """The coverage's last covered day, the age limit of a child included."""
    if person.relationship is Relationship.CHILD:
        return min(span.last_day, child_coverage_limit(person.birth_date))
    return span.last_day


def decide_eligibility(
    person: Person | None, coverages: Iterable[CoverageSpan], line: Line, on: date
) -> Eligibility:
    """Is ``person`` covered in ``line`` on ``on``? The checks run in the order of DESIGN 6.1
    step 2: unknown member, no coverage in the line, before the first start, after an end
    (a gap between coverages counts as after the earlier one's end)."""
    if person is None:
        return _not(line, on, IneligibleReason.NO_SUCH_MEMBER, "no such member", None, None)
    spans = sorted((c for c in coverages if c.line == line), key=lambda c: c.start)
    if not spans:
        return _not(
            line, on, IneligibleReason.NO_COVERAGE_IN_LINE, f"no {line.value} coverage", None, None
        )
    for span in spans:
        through = covered_through(person, span)
        if span.start <= on <= through:
            return Eligibility(line, on, True, None, f"covered by {span.plan_code}", span, through)
    if on < spans[0].start:
        first = spans[0]
        return _not(
            line,
            on,
            IneligibleReason.BEFORE_COVERAGE,
            f"before the first {line.value} coverage starts on {first.start}",
            first,
            covered_through(person, first),
        )
    last = [s for s in spans if s.start <= on][-1]
    through = covered_through(person, last)
    aged_out = person.relationship is Relationship.CHILD and through == child_coverage_limit(
        person.birth_date
    )
    if aged_out:
        turned = birthday(person.birth_date, DEPENDENT_AGE_LIMIT)
        return _not(
            line,
            on,
            IneligibleReason.CHILD_OVER_AGE_LIMIT,
            f"child over 26: turned 26 on {turned}, covered to the end of that month ({through})",
            last,
            through,
        )
    return _not(
        line,
        on,
        IneligibleReason.COVERAGE_ENDED,
        f"{line.value} coverage ended on {through}",
        last,
        through,
    )


def _not(
    line: Line,
    on: date,
    reason: IneligibleReason,
    message: str,
    span: CoverageSpan | None,
    through: date | None,
) -> Eligibility:
    return Eligibility(line, on, False, reason, message, span, through)


def day_before(day: date) -> date:
    return day - timedelta(days=1)
