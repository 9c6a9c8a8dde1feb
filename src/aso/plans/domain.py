"""The plan-design schema of DESIGN section 5, as frozen pydantic models.

One schema serves the templates, the API, the employer's plan editor and the scenario files.
Amounts are dollars (Decimal); ``coinsurance`` is the member's share (0.2 = member pays 20%).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)


class Line(StrEnum):
    MEDICAL = "medical"
    PHARMACY = "pharmacy"
    DENTAL = "dental"
    VISION = "vision"
    STD = "std"
    LTD = "ltd"


class Tier(StrEnum):
    EMPLOYEE = "employee"
    EMPLOYEE_SPOUSE = "employee_spouse"
    EMPLOYEE_CHILDREN = "employee_children"
    FAMILY = "family"


MEDICAL_CATEGORIES: tuple[str, ...] = (
    "preventive", "office_visit_pcp", "office_visit_specialist", "telemedicine", "urgent_care",
    "emergency_room", "ambulance", "inpatient_hospital", "outpatient_surgery", "lab",
    "imaging_basic", "imaging_advanced", "mental_health_outpatient", "mental_health_inpatient",
    "substance_use_outpatient", "substance_use_inpatient", "physical_therapy", "chiropractic",
    "durable_medical_equipment", "maternity", "skilled_nursing", "home_health", "hospice",
    "wellness_program", "bariatric_surgery", "other_medical",
)  # fmt: skip
PHARMACY_CATEGORIES: tuple[str, ...] = (
    "rx_generic", "rx_preferred_brand", "rx_non_preferred_brand", "rx_specialty",
)  # fmt: skip
DENTAL_CATEGORIES: tuple[str, ...] = (
    "dental_preventive", "dental_basic", "dental_major", "orthodontia",
)  # fmt: skip
VISION_CATEGORIES: tuple[str, ...] = (
    "vision_exam", "vision_lenses", "vision_frames", "vision_contacts",
)  # fmt: skip

CATEGORIES_BY_LINE: dict[Line, tuple[str, ...]] = {
    Line.MEDICAL: MEDICAL_CATEGORIES,
    Line.PHARMACY: PHARMACY_CATEGORIES,
    Line.DENTAL: DENTAL_CATEGORIES,
    Line.VISION: VISION_CATEGORIES,
    Line.STD: (),
    Line.LTD: (),
}
ALL_CATEGORIES: frozenset[str] = frozenset(c for cs in CATEGORIES_BY_LINE.values() for c in cs)
DISABILITY_LINES = frozenset({Line.STD, Line.LTD})

NonNegMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Share = Annotated[Decimal, Field(ge=0, le=1)]
PositiveInt = Annotated[int, Field(gt=0, strict=True)]
NDC_PATTERN = r"^[0-9]{11}$"
"""A National Drug Code in the 11-digit (5-4-2) form pharmacy claims carry, without hyphens."""


def _pharmacy_tier(category: str) -> str:
    if category not in PHARMACY_CATEGORIES:
        raise ValueError(f"must be one of {', '.join(PHARMACY_CATEGORIES)}")
    return category


Ndc = Annotated[str, StringConstraints(pattern=NDC_PATTERN)]
PharmacyTier = Annotated[str, AfterValidator(_pharmacy_tier)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Period(_Frozen):
    start: date
    end: date

    @field_validator("end")
    @classmethod
    def _ordered(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError("must not be before start")
        return end

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class Amounts(_Frozen):
    """An individual and a family amount (deductible or out-of-pocket maximum) for one tier."""

    individual: NonNegMoney
    family: NonNegMoney

    @field_validator("family")
    @classmethod
    def _family_at_least_individual(cls, family: Decimal, info: ValidationInfo) -> Decimal:
        individual = info.data.get("individual")
        if individual is not None and family < individual:
            raise ValueError("must be at least individual")
        return family


class Accumulation(_Frozen):
    """A deductible or out-of-pocket maximum: per network tier, embedded or aggregate."""

    in_: Amounts | None = Field(default=None, alias="in")
    out: Amounts | None = None
    embedded: bool = True
    cross_accumulate: bool = False

    def for_network(self, network: str) -> Amounts | None:
        return self.in_ if network == "in" else self.out


class CostShare(_Frozen):
    """The member's cost share for one category in one network tier (DESIGN 6.4)."""

    copay: NonNegMoney = Decimal("0")
    coinsurance: Share = Decimal("0")
    deductible: bool = False
    copay_timing: Literal["before_deductible", "after_deductible"] = "before_deductible"
    allowance: NonNegMoney | None = None
    min_cost: NonNegMoney | None = None
    max_cost: NonNegMoney | None = None

    @field_validator("max_cost")
    @classmethod
    def _bounds(cls, max_cost: Decimal | None, info: ValidationInfo) -> Decimal | None:
        min_cost = info.data.get("min_cost")
        if min_cost is not None and max_cost is not None and max_cost < min_cost:
            raise ValueError("must be at least min_cost")
        return max_cost


class Limit(_Frozen):
    """Visit, dollar or frequency limits on one category, per member."""

    visits: PositiveInt | None = None
    dollars: NonNegMoney | None = None
    count: PositiveInt | None = None
    months: PositiveInt | None = None
    lifetime: bool = False

    @field_validator("months")
    @classmethod
    def _months_with_count(cls, months: int | None, info: ValidationInfo) -> int | None:
        if months is not None and "count" in info.data and info.data["count"] is None:
            raise ValueError("goes with count (a frequency such as once every 24 months)")
        return months

    @model_validator(mode="after")
    def _something(self) -> Limit:
        if self.visits is None and self.dollars is None and self.count is None:
            raise ValueError("needs visits, dollars or count")
        return self


class Benefit(_Frozen):
    """How one service category is covered."""

    covered: bool = True
    prior_auth: bool = False
    in_: CostShare | None = Field(default=None, alias="in")
    out: CostShare | Literal["same_as_in"] | None = None
    limit: Limit | None = None
    waiting_months: Annotated[int, Field(ge=0, strict=True)] | None = None
    """Dental class rule: months of continuous coverage before the category is covered."""
    max_age: PositiveInt | None = None
    """Covered only before this birthday (e.g. orthodontia for children under 19)."""

    def share(self, network: str) -> CostShare | None:
        """The cost-share block for a network tier; ``same_as_in`` resolves to ``in``."""
        if network == "in":
            return self.in_
        if self.out == "same_as_in":
            return self.in_
        return self.out


class PeriodicAmount(_Frozen):
    amount: NonNegMoney
    per: Literal["week", "month"]


class Elimination(_Frozen):
    """Days of disability before benefits begin."""

    sickness_days: Annotated[int, Field(ge=0, strict=True)]
    accident_days: Annotated[int, Field(ge=0, strict=True)]


class Duration(_Frozen):
    """How long benefits last: weeks (STD), months, or to an age (LTD)."""

    weeks: PositiveInt | None = None
    months: PositiveInt | None = None
    to_age: PositiveInt | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Duration:
        if sum(v is not None for v in (self.weeks, self.months, self.to_age)) != 1:
            raise ValueError("needs exactly one of weeks, months or to_age")
        return self


Offset = Literal[
    "social_security", "workers_compensation", "state_disability", "pension", "other_employer_plan",
    "std", "salary_continuation",
]  # fmt: skip


class Disability(_Frozen):
    """Short- or long-term disability: a share of earnings, not medical bills."""

    benefit_percent: Annotated[Decimal, Field(gt=0, le=1)]
    maximum: PeriodicAmount
    minimum: PeriodicAmount | None = None
    elimination: Elimination
    max_duration: Duration
    offsets: tuple[Offset, ...] = ()
    mental_health_limit_months: PositiveInt | None = None
    own_occupation_months: PositiveInt | None = None
    earnings_basis: Literal["base_salary", "base_plus_commission", "w2"] = "base_salary"


class PlanDesign(_Frozen):
    id: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    line: Line
    period: Period
    accumulator_group: str | None = None
    timely_filing_days: PositiveInt = 365
    hsa_qualified: bool = False
    """Declared HSA-qualified high-deductible plan: the HDHP legal checks apply."""
    deductible: Accumulation | None = None
    oop_max: Accumulation | None = None
    benefits: dict[str, Benefit] = Field(default_factory=dict)
    annual_max: NonNegMoney | None = None
    lifetime_max: NonNegMoney | None = None
    pended_over: NonNegMoney | None = None
    formulary: dict[Ndc, PharmacyTier] = Field(default_factory=dict)
    """NDC (11 digits) -> one of the four ``rx_*`` tier categories."""
    disability: Disability | None = None

    @property
    def group(self) -> str:
        """The accumulator group: plans sharing it share deductible and out-of-pocket totals."""
        return self.accumulator_group or self.id

    @property
    def is_disability(self) -> bool:
        return self.line in DISABILITY_LINES
