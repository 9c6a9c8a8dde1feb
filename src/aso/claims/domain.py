"""Values the claims engine takes and gives (DESIGN 3, 6 and 7): plain frozen dataclasses.

No validation happens here: the engine trusts these values, which is what makes it fast. Input
from outside (a scenario file, an API request, an X12 claim) is checked and turned into them by
``aso.claims.parsing``, which raises ``ValidationFailed`` on a structural error (6.1 step 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import IntEnum, StrEnum

from aso.plans.domain import Line, Tier

ZERO = Decimal("0.00")
ONE = Decimal(1)


class ClaimType(StrEnum):
    PROFESSIONAL = "professional"
    INSTITUTIONAL = "institutional"
    DENTAL = "dental"
    PHARMACY = "pharmacy"
    VISION = "vision"


LINE_OF_COVERAGE: dict[ClaimType, Line] = {
    ClaimType.PROFESSIONAL: Line.MEDICAL,
    ClaimType.INSTITUTIONAL: Line.MEDICAL,
    ClaimType.DENTAL: Line.DENTAL,
    ClaimType.PHARMACY: Line.PHARMACY,
    ClaimType.VISION: Line.VISION,
}
"""The claim type decides the line of coverage (DESIGN 3)."""


class Frequency(IntEnum):
    """Claim frequency code (X12 CLM05-3)."""

    ORIGINAL = 1
    REPLACEMENT = 7
    VOID = 8


class Network(StrEnum):
    IN = "in"
    OUT = "out"


class LineStatus(StrEnum):
    PAID = "paid"
    DENIED = "denied"
    PENDED = "pended"
    REVERSED = "reversed"


class ClaimStatus(StrEnum):
    PAID = "paid"
    DENIED = "denied"
    PENDED = "pended"
    VOIDED = "voided"


class Group(StrEnum):
    """X12 claim adjustment group: who owes the amount."""

    CONTRACTUAL = "CO"
    PATIENT = "PR"
    OTHER = "OA"
    PAYER_INITIATED = "PI"


class PendReason(StrEnum):
    HIGH_DOLLAR = "high_dollar"
    SUSPECT_DUPLICATE = "suspect_duplicate"
    NO_PRICE = "no_price"


class Relationship(StrEnum):
    SUBSCRIBER = "subscriber"
    SPOUSE = "spouse"
    DOMESTIC_PARTNER = "domestic_partner"
    CHILD = "child"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Member:
    """A covered person; ``family`` is the subscriber's member id (a subscriber's own id)."""

    id: str
    family: str
    relationship: Relationship = Relationship.SUBSCRIBER
    dob: date | None = None
    sex: str | None = None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Enrollment of a member in a plan on a tier; ``end`` is the last covered day."""

    member: str
    plan: str
    tier: Tier
    start: date
    end: date | None = None


@dataclass(frozen=True, slots=True)
class Authorization:
    """An approved (or not) prior authorization: what it covers, for whom, and when."""

    number: str
    member: str
    start: date
    end: date
    status: str = "approved"
    categories: frozenset[str] = frozenset()
    procedures: frozenset[str] = frozenset()
    units: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Provider:
    """The billing/rendering provider as the engine needs it: network status first."""

    network: Network
    npi: str | None = None
    taxonomy: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class ExaminerDenial:
    """An examiner's decision to deny a line: the CARC and who owes the charge (DESIGN 6.5)."""

    group: Group
    carc: str


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One service line. ``number`` is 1-based, as the output reports it."""

    number: int
    date: date
    charge: Decimal
    category: str | None = None
    procedure: str | None = None
    modifiers: tuple[str, ...] = ()
    pos: str | None = None
    revenue_code: str | None = None
    ndc: str | None = None
    tooth: str | None = None
    units: Decimal = ONE
    allowed: Decimal | None = None
    """Pre-priced allowed amount (a rented network's repricing); lowered to the charge."""
    prior_auth: str | None = None
    emergency: bool = False
    usual_and_customary: Decimal | None = None
    """Pharmacy: the pharmacy's usual and customary price; the charge when absent."""
    released: frozenset[str] = frozenset()
    """Pend reasons an examiner released: re-adjudication does not pend the line for them."""
    override_allowed: Decimal | None = None
    """An allowed amount an examiner set, with a reason: it replaces the price."""
    denial: ExaminerDenial | None = None
    """An examiner's denial of the line: it decides the line once the member is eligible."""


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    member: str
    provider: Provider
    received: date
    lines: tuple[ClaimLine, ...]
    type: ClaimType = ClaimType.PROFESSIONAL
    diagnoses: tuple[str, ...] = ()
    """ICD-10-CM codes without the dot, the principal first."""
    type_of_bill: str | None = None
    """Institutional type of bill, three digits (facility type, classification, frequency)."""
    facility_network: Network | None = None
    frequency: Frequency = Frequency.ORIGINAL
    replaces: str | None = None

    @property
    def line_of_coverage(self) -> Line:
        return LINE_OF_COVERAGE[self.type]


@dataclass(frozen=True, slots=True)
class Adjustment:
    """An X12 claim adjustment: group + CARC + amount (CAS segment)."""

    group: Group
    carc: str
    amount: Decimal

    def negated(self) -> Adjustment:
        return Adjustment(self.group, self.carc, -self.amount)


@dataclass(frozen=True, slots=True)
class LineResult:
    """How one line was decided (DESIGN 7 output). Amounts are Decimal cents.

    ``plan`` and ``network`` say which plan and which network tier's cost share and
    accumulators applied (an out-of-network line the No Surprises Act protects uses ``in``).
    """

    line: int
    status: LineStatus
    category: str | None
    charge: Decimal
    allowed: Decimal = ZERO
    copay: Decimal = ZERO
    deductible: Decimal = ZERO
    coinsurance: Decimal = ZERO
    not_covered: Decimal = ZERO
    balance_bill: Decimal = ZERO
    plan_paid: Decimal = ZERO
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    pend_reason: str | None = None
    plan: str | None = None
    network: Network | None = None
    trace: tuple[str, ...] = field(default=(), compare=False)

    @property
    def member_responsibility(self) -> Decimal:
        """Copay + deductible + coinsurance + member-liable non-covered amounts (DESIGN 7)."""
        return self.copay + self.deductible + self.coinsurance + self.not_covered

    @property
    def cost_share(self) -> Decimal:
        """What counts toward the out-of-pocket maximum: copay + deductible + coinsurance."""
        return self.copay + self.deductible + self.coinsurance


class Kind(StrEnum):
    """What an accumulator entry counts."""

    DEDUCTIBLE = "deductible"
    OUT_OF_POCKET = "out_of_pocket"
    VISITS = "visits"
    """One paid line of a category with a visit or count limit (amount 1)."""
    BENEFIT_DOLLARS = "benefit_dollars"
    """Plan payment of a category with a dollar limit."""
    PLAN_PAID = "plan_paid"
    """Plan payment under a plan with an annual or lifetime maximum."""


@dataclass(frozen=True, slots=True)
class AccumulatorEntry:
    """What one adjudicated line added to one accumulator (DESIGN 3: accumulators are derived).

    Totals are sums of entries. ``group`` is the accumulator group for deductible and
    out-of-pocket entries; ``category`` names the limited category of visit and benefit-dollar
    entries; ``plan`` and ``coverage`` (the line of coverage) place plan payments. A reversal
    (a replacement or a void) repeats the original entry with the amount negated and
    ``reversed_by`` naming the correcting claim.
    """

    claim: str
    line: int
    member: str
    family: str
    kind: Kind
    amount: Decimal
    service_date: date
    period_start: date
    period_end: date
    plan: str
    coverage: Line
    group: str = ""
    network: Network | None = None
    category: str = ""
    reversed_by: str | None = None

    def reversal(self, by: str) -> AccumulatorEntry:
        return AccumulatorEntry(
            claim=self.claim,
            line=self.line,
            member=self.member,
            family=self.family,
            kind=self.kind,
            amount=-self.amount,
            service_date=self.service_date,
            period_start=self.period_start,
            period_end=self.period_end,
            plan=self.plan,
            coverage=self.coverage,
            group=self.group,
            network=self.network,
            category=self.category,
            reversed_by=by,
        )


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """One claim's decision and the accumulator entries it produced (reversals first)."""

    claim: str
    member: str
    status: ClaimStatus
    lines: tuple[LineResult, ...]
    entries: tuple[AccumulatorEntry, ...] = ()
    replaces: str | None = None
