"""Request and response shapes of the member, coverage, eligibility and census use cases.

Reads never carry a whole SSN: only ``ssn_masked`` (``***-**-1234``).
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from aso.members.domain import Relationship, Sex
from aso.plans.domain import Line, Tier

Name = Annotated[str, Field(min_length=1, max_length=60)]


class _In(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class MemberCreate(_In):
    """A subscriber (``employee_number`` and employment data) or a dependent (``subscriber``:
    the subscriber's member id)."""

    relationship: Relationship
    employee_number: Annotated[str | None, Field(max_length=20)] = None
    subscriber: str | None = None
    first_name: Name
    last_name: Name
    birth_date: date
    sex: Sex
    ssn: str | None = None
    address1: Annotated[str | None, Field(max_length=120)] = None
    address2: Annotated[str | None, Field(max_length=120)] = None
    city: Annotated[str | None, Field(max_length=80)] = None
    state: Annotated[str | None, Field(max_length=2)] = None
    zip: Annotated[str | None, Field(max_length=10)] = None
    """A dependent without an address shares its subscriber's."""
    hire_date: date | None = None
    annual_earnings: Annotated[Decimal | None, Field(ge=0, max_digits=14, decimal_places=2)] = None
    employment_class: Annotated[str | None, Field(max_length=40)] = None


class CoverageCreate(_In):
    plan_id: str
    """The plan design id offered by the employer in the plan year containing ``start``."""
    tier: Tier
    start: date
    end: date | None = None


class CoverageRead(BaseModel):
    id: int
    line: Line
    plan_id: str
    plan_name: str
    tier: Tier
    start: date
    end: date | None
    """The last covered day; None = until the plan's period ends."""
    covered_through: date
    """The last covered day with the plan's period and a child's age limit applied."""


class MemberRead(BaseModel):
    member_id: str
    relationship: Relationship
    subscriber_member_id: str | None
    employee_number: str | None
    employer_ein: str
    first_name: str
    last_name: str
    birth_date: date
    sex: Sex
    ssn_masked: str | None
    address1: str
    address2: str | None
    city: str
    state: str
    zip: str
    hire_date: date | None
    annual_earnings: Decimal | None
    employment_class: str | None
    coverages: list[CoverageRead] = []


class CoverageChangeRead(BaseModel):
    member_id: str
    coverage_id: int
    line: Line
    plan_id: str
    old_end: date | None
    new_end: date | None
    retroactive: bool
    description: str


class EligibilityRead(BaseModel):
    covered: bool
    line: Line
    date: dt.date
    member_id: str | None
    reason: str | None
    """``no_such_member``, ``no_coverage_in_line``, ``before_coverage_start``,
    ``coverage_ended`` or ``child_over_26``; None when covered."""
    carc: str | None
    message: str
    plan_id: str | None = None
    plan_name: str | None = None
    tier: Tier | None = None
    coverage_start: dt.date | None = None
    coverage_end: dt.date | None = None
    covered_through: dt.date | None = None


class TierCount(BaseModel):
    line: Line
    tier: Tier
    subscribers: int
    members: int


class EmployerSummary(BaseModel):
    """De-identified enrollment counts for an employer's own users (HIPAA minimum necessary)."""

    employer_ein: str
    employer_name: str
    on: date
    subscribers: int
    members: int
    covered_members: int
    by_line_and_tier: list[TierCount]


class CensusSummary(BaseModel):
    """What an import did; when ``accepted`` is false, ``errors`` lists every problem
    (``row N, field: why``) and nothing was written."""

    filename: str
    sha256: str
    accepted: bool = True
    already_imported: bool = False
    """The same file was accepted before: nothing was done this time."""
    rows: int
    members_added: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    coverages_added: int = 0
    coverages_changed: int = 0
    coverages_unchanged: int = 0
    changes: list[str] = []
    notes: list[str] = []
    errors: list[str] = []


class CardBenefit(BaseModel):
    label: str
    value: str


class CardCoverage(BaseModel):
    """One line of coverage on the card: its plan, tier and the cost shares members ask about."""

    line: Line
    plan: str
    tier: str
    since: date
    benefits: list[CardBenefit]


class IdCardRead(BaseModel):
    """What a member's ID card shows, front and back."""

    member_id: str
    name: str
    subscriber: str
    subscriber_id: str
    employer: str
    group: str
    """The employer's group number: its EIN."""
    as_of: date
    coverages: list[CardCoverage]
    member_services: str
    payer_id: str
    """Where providers send 837s, 270s and 276s (the TPA's interchange id)."""
    claims_address: list[str]
