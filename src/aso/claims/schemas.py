"""Request and response shapes of claims, authorizations and accumulators (apart from the
tables). Amounts are ``Decimal`` dollars, written in JSON as decimal strings ("25.00")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator

from aso.plans.domain import ALL_CATEGORIES, Line

Code = Annotated[str, Field(pattern=r"^[A-Z0-9]{5}$")]


class ClaimReceipt(BaseModel):
    """What intake did with one submitted claim: stored now, or already on file (the same
    claim sent again is never stored twice)."""

    id: str
    key: int
    """The claim's database id (public ids repeat across submitters and corrections)."""
    member_id: str
    status: str
    stored: bool


class ProviderRead(BaseModel):
    npi: str | None
    network: str
    taxonomy: str | None
    kind: str | None


class ClaimLineRead(BaseModel):
    line: int
    date: date
    category: str | None
    procedure: str | None
    modifiers: list[str]
    pos: str | None
    revenue_code: str | None
    ndc: str | None
    tooth: str | None
    units: Decimal
    charge: Decimal
    allowed: Decimal | None
    prior_auth: str | None
    emergency: bool


class AdjustmentRead(BaseModel):
    group: str
    carc: str
    amount: Decimal


class LineResultRead(BaseModel):
    """One line's decision in one version, in the shape of DESIGN 7."""

    line: int
    status: str
    category: str | None
    charge: Decimal
    allowed: Decimal
    copay: Decimal
    deductible: Decimal
    coinsurance: Decimal
    not_covered: Decimal
    balance_bill: Decimal
    plan_paid: Decimal
    member_responsibility: Decimal
    adjustments: list[AdjustmentRead]
    remarks: list[str]
    pend_reason: str | None = None
    plan_id: str | None = None
    network: str | None = None


class VersionRead(BaseModel):
    version: int
    status: str
    action: str
    note: str | None
    at: datetime
    by: str
    lines: list[LineResultRead]


class ClaimRead(BaseModel):
    id: str
    key: int
    member_id: str
    member_known: bool
    employer_ein: str | None
    type: str
    status: str
    received: date
    frequency: int
    replaces: str | None
    provider: ProviderRead
    diagnoses: list[str]
    type_of_bill: str | None
    facility_network: str | None
    submitted_at: datetime
    submitted_by: str
    lines: list[ClaimLineRead]
    versions: list[VersionRead]
    """Every adjudication, oldest first; the last is the current one."""


class BalanceRead(BaseModel):
    """Deductible and out-of-pocket met and remaining, for a member or its family, in one
    accumulator group, plan period and network tier. A limit of None: the plan has none."""

    scope: Literal["member", "family"]
    member_id: str
    """The member, or the subscriber for a family."""
    group: str
    period_start: date
    period_end: date
    network: Literal["in", "out"]
    deductible: Decimal
    deductible_limit: Decimal | None
    deductible_remaining: Decimal | None
    out_of_pocket: Decimal
    out_of_pocket_limit: Decimal | None
    out_of_pocket_remaining: Decimal | None
    plans: list[str] = []
    """The names of the member's plans that count toward this balance."""


class MemberAccumulatorsRead(BaseModel):
    member_id: str
    balances: list[BalanceRead]


class TotalDifference(BaseModel):
    """A running total that differs from the sum of its entries and adjustments."""

    scope: Literal["member", "family"]
    member_id: str
    kind: str
    group: str
    network: str
    period_start: date
    period_end: date
    running: Decimal
    recomputed: Decimal


class RebuildReport(BaseModel):
    """``aso accumulators rebuild``: totals recomputed from the entries and what differed
    (with ``--verify`` nothing is changed; without it the running totals are replaced)."""

    verified_only: bool
    totals: int
    differences: list[TotalDifference]


class AuthorizationCreate(BaseModel):
    number: Annotated[str, Field(min_length=1, max_length=50)]
    member_id: str
    start: date
    end: date
    categories: list[str] = Field(default_factory=list)
    procedures: list[Code] = Field(default_factory=list)
    units: Annotated[Decimal, Field(gt=0, decimal_places=4)] | None = None
    status: Literal["approved", "pending", "denied", "cancelled"] = "approved"
    note: str | None = None

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - ALL_CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories: {', '.join(unknown)}")
        return value


class AuthorizationRead(BaseModel):
    number: str
    member_id: str
    start: date
    end: date
    categories: list[str]
    procedures: list[str]
    units: Decimal | None
    status: str
    note: str | None
    created_by: str
    created_at: datetime


class AccumulatorAdjustmentCreate(BaseModel):
    """A deductible or out-of-pocket amount entered by hand; ``amount`` may be negative (a
    correction). It counts in the accumulator group and plan period of the member's plan in
    ``line`` on ``effective`` (today by default)."""

    member_id: str
    kind: Literal["deductible", "out_of_pocket"]
    amount: Annotated[Decimal, Field(decimal_places=2)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    network: Literal["in", "out"] = "in"
    line: Line = Line.MEDICAL
    effective: date | None = None

    @field_validator("amount")
    @classmethod
    def _not_zero(cls, value: Decimal) -> Decimal:
        if value == 0:
            raise ValueError("must not be 0")
        return value

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a reason is required")
        return value.strip()


class AccumulatorAdjustmentRead(BaseModel):
    id: int
    member_id: str
    plan_id: str
    group: str
    period_start: date
    period_end: date
    kind: str
    network: str
    amount: Decimal
    effective: date
    reason: str
    created_by: str
    created_at: datetime


# examiner work ----------------------------------------------------------------------------------


def _reason_given(value: str) -> str:
    if not value.strip():
        raise ValueError("a reason is required")
    return value.strip()


Reason = Annotated[str, AfterValidator(_reason_given)]
"""Why an examiner decided as it did: required, kept in the audit log."""


class PendedLineRead(BaseModel):
    line: int
    pend_reason: str
    charge: Decimal
    allowed: Decimal


class PendedClaimRead(BaseModel):
    """A pended claim in the examiners' queue: its pended lines and how long it has waited."""

    id: str
    key: int
    employer_ein: str | None
    member_id: str
    provider_npi: str | None
    received: date
    age_days: int
    charge: Decimal
    """The charges of its pended lines."""
    lines: list[PendedLineRead]
    note: str | None
    """Why the claim pended when no line says it (a data error)."""


class ReleaseRequest(BaseModel):
    """Release pended lines to be paid (all pended lines when none are named)."""

    lines: list[int] = Field(default_factory=list)
    note: str = ""


class DenyRequest(BaseModel):
    """Deny lines with a CARC (all lines when none are named); the reason is required. The
    group defaults to the CARC's in ``aso/codes/carc.yaml`` (DESIGN 6.5): PR when the member
    owes the charge, OA for 18 and 23, otherwise CO (the provider writes it off)."""

    lines: list[int] = Field(default_factory=list)
    carc: str = Field(pattern=r"^[A-Z0-9]{1,5}$")
    group: Literal["CO", "PR", "OA", "PI"] | None = None
    reason: Reason


class OverrideRequest(BaseModel):
    """Set a line's allowed amount in place of its price; the reason is required and
    audit-logged. A pended line is released with it."""

    line: int = Field(ge=1)
    allowed: Decimal = Field(ge=0, decimal_places=2)
    reason: Reason


class DecisionResult(BaseModel):
    """The decided claim as it now stands, and the later claims of its family listed for
    reprocessing because their cost share would change."""

    claim: ClaimRead
    listed_for_reprocessing: list[str]


class ReprocessListing(BaseModel):
    id: str
    key: int
    employer_ein: str | None
    member_id: str
    cause: str
    listed_at: datetime
    listed_by: str


class ReprocessReport(BaseModel):
    families: int
    claims_written: list[str]
    listings_closed: int


class ClaimSummaryRead(BaseModel):
    """One claim in a member's list: what was billed, what the plan paid, what the member owes
    (the current version's totals; zeros until the claim is adjudicated)."""

    key: int
    id: str
    type: str
    status: str
    received: date
    first_service: date
    last_service: date
    provider_npi: str | None
    provider_name: str | None
    network: str
    charge: Decimal
    plan_paid: Decimal
    member_responsibility: Decimal


class EobNoteRead(BaseModel):
    """A reason (CARC, with its adjustment group) or remark (RARC) code of the claim, explained."""

    code: str
    kind: Literal["reason", "remark"]
    text: str


class EobLineRead(BaseModel):
    line: int
    date: date
    service: str
    """The procedure, revenue or drug code with a plain label of the benefit category."""
    status: str
    charge: Decimal
    allowed: Decimal
    plan_paid: Decimal
    deductible: Decimal
    copay: Decimal
    coinsurance: Decimal
    not_covered: Decimal
    member_responsibility: Decimal
    codes: list[str]
    """The note codes (``EobNoteRead.code``) that explain this line."""


class EobRead(BaseModel):
    """An explanation of benefits: one claim as its patient reads it. Not a bill."""

    claim_id: str
    key: int
    patient: str
    member_id: str
    subscriber: str
    plan: str | None
    employer: str | None
    provider_name: str | None
    provider_npi: str | None
    network: str
    received: date
    processed: date
    status: str
    version: int
    lines: list[EobLineRead]
    charge: Decimal
    allowed: Decimal
    plan_paid: Decimal
    member_responsibility: Decimal
    savings: Decimal
    """What the network discount saved: charges above the allowed amount the member does not
    owe (the CO adjustments of paid lines)."""
    notes: list[EobNoteRead]
    balances: list[BalanceRead]
    """The patient's deductible and out-of-pocket met and remaining, as of today, in the
    accumulators the claim's plan counts toward."""


class EstimateRequest(BaseModel):
    """A service a member wants priced before having it."""

    model_config = {"extra": "forbid"}

    procedure: Code | None = None
    """The CPT, HCPCS or CDT code (``99213``, ``D1110``)."""
    category: str | None = None
    """The benefit category, when no procedure code is known (``office_visit_pcp``)."""
    npi: Annotated[str, Field(pattern=r"^[0-9]{10}$")] | None = None
    """The provider: its network and contract price come from the directory."""
    network: Literal["in", "out"] | None = None
    """Without an NPI: which network the provider is in (default ``in``)."""
    charge: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)] | None = None
    """What the provider will bill; needed when no contract prices the service."""
    service_date: date | None = None
    """The day of the service (default today): coverage as of then, balances as met so far."""
    pos: Annotated[str, Field(pattern=r"^[0-9]{2}$")] | None = None

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str | None) -> str | None:
        if value is not None and value not in ALL_CATEGORIES:
            raise ValueError(f"{value!r} is not a benefit category")
        return value


class EstimateRead(BaseModel):
    """What the plan would pay and the member would owe for one service had on
    ``service_date``, given the member's coverage and the deductible and out-of-pocket met so
    far."""

    member_id: str
    service_date: date
    service: str
    provider_npi: str | None
    provider_name: str | None
    network: str
    status: str
    """``paid`` (the plan covers it), ``denied`` or ``pended`` (not estimable)."""
    charge: Decimal
    charge_assumed: bool
    """The charge was not given: the contract price stands for it."""
    allowed: Decimal
    plan_pays: Decimal
    deductible: Decimal
    copay: Decimal
    coinsurance: Decimal
    not_covered: Decimal
    balance_bill: Decimal
    you_pay: Decimal
    """Member cost share + not covered + what an out-of-network provider may bill beyond the
    allowed amount."""
    notes: list[EobNoteRead]
    disclaimer: str


class AppealCreate(BaseModel):
    model_config = {"extra": "forbid"}

    reason: Annotated[str, Field(min_length=1, max_length=4000)]
    """Why the member disagrees, in its words."""
    urgent: bool = False
    """Urgent care: decided within 72 hours instead of 30 days."""
    channel: Literal["web", "phone", "mail"] | None = None
    """How it came in (staff filing on a member's behalf); a member's own is ``web``."""


class AppealDecision(BaseModel):
    model_config = {"extra": "forbid"}

    outcome: Literal["upheld", "overturned", "withdrawn"]
    note: Annotated[str, Field(min_length=1, max_length=4000)]
    """The reasons, as the decision letter gives them."""


class AppealRead(BaseModel):
    id: int
    claim_id: str
    claim_key: int
    member_id: str
    patient: str
    version: int
    urgent: bool
    channel: str
    reason: str
    filed_at: datetime
    filed_by: str
    due_by: datetime
    overdue: bool
    status: str
    decided_at: datetime | None
    decided_by: str | None
    decision: str | None
