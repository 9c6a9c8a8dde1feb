"""Admin fees as plain values: the fee agreement, the enrollment census of a month, the charges
it gives, and the monthly invoice with its corrections of earlier months (DESIGN 8).

Under an ASO agreement the employer pays the TPA a fixed fee for its services, per employee per
month (PEPM) by line of coverage, or as a share of the claims paid, or per claim, usually with a
monthly minimum; the stop-loss premiums the employer owes its carrier are billed on the same
invoice and passed through (DESIGN 3 and 8).

Who counts: an *employee* is a subscriber (dependents never count); an employee counts for a
line of coverage in a month by the agreement's ``count_rule``: covered on the 1st, on the 15th,
or on any day of the month. ``std`` and ``ltd`` are billed together as ``disability``.

Retroactive changes (a termination entered in March effective January 31): each invoice
recomputes every earlier month already invoiced (within the agreement's look-back) from today's
enrollment and claims, compares that with what was billed for the month, and bills the
difference as adjustment lines that name the month they correct. A charge is keyed by what it
bills and its rate, so a rate changed after the fact reverses the old charge and bills the new.

Money is Decimal, rounded half up to cents where it is computed (a share of paid claims).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from aso.adminfees import months
from aso.errors import Problem, ValidationFailed
from aso.ledger.domain import Entry, credit, debit
from aso.money import ZERO, dollars, round_cents
from aso.plans.domain import Line, Tier


class FeeLine(StrEnum):
    """The lines of coverage a fee agreement prices (``std`` and ``ltd`` together)."""

    MEDICAL = "medical"
    PHARMACY = "pharmacy"
    DENTAL = "dental"
    VISION = "vision"
    DISABILITY = "disability"

    @property
    def heading(self) -> str:
        return self.value.capitalize()


FEE_LINE_OF_COVERAGE: Mapping[Line, FeeLine] = {
    Line.MEDICAL: FeeLine.MEDICAL,
    Line.PHARMACY: FeeLine.PHARMACY,
    Line.DENTAL: FeeLine.DENTAL,
    Line.VISION: FeeLine.VISION,
    Line.STD: FeeLine.DISABILITY,
    Line.LTD: FeeLine.DISABILITY,
}
FEE_LINE_OF_CLAIM_TYPE: Mapping[str, FeeLine] = {
    "professional": FeeLine.MEDICAL,
    "institutional": FeeLine.MEDICAL,
    "pharmacy": FeeLine.PHARMACY,
    "dental": FeeLine.DENTAL,
    "vision": FeeLine.VISION,
}
"""The claim type decides the line of coverage (DESIGN 3)."""
CLAIM_FEE_LINES = frozenset(FEE_LINE_OF_CLAIM_TYPE.values())


class CountRule(StrEnum):
    """When an employee counts for a line in a month."""

    FIRST_OF_MONTH = "first_of_month"
    """Covered on the 1st: who joins mid-month counts from the next month, who leaves
    mid-month counts for the month."""
    MID_MONTH = "mid_month"
    """Covered on the 15th."""
    ANY_DAY = "any_day"
    """Covered on at least one day of the month."""

    @property
    def wording(self) -> str:
        return {
            CountRule.FIRST_OF_MONTH: "enrolled on the 1st of the month",
            CountRule.MID_MONTH: "enrolled on the 15th of the month",
            CountRule.ANY_DAY: "enrolled on any day of the month",
        }[self]


ADMIN_FEES_RECEIVABLE = "admin_fees_receivable"
ADMIN_FEE_REVENUE = "admin_fee_revenue"
STOP_LOSS_PREMIUM_PAYABLE = "stop_loss_premium_payable"
"""The ledger accounts an invoice posts to (``aso.ledger.domain.CHART``)."""


class ChargeKind(StrEnum):
    PEPM = "pepm"
    PERCENT_OF_PAID = "percent_of_paid"
    PER_CLAIM = "per_claim"
    MINIMUM = "minimum"
    STOP_LOSS = "stop_loss"

    @property
    def pass_through(self) -> bool:
        """Billed for the stop-loss carrier, not the TPA's revenue."""
        return self is ChargeKind.STOP_LOSS


# --- the agreement -------------------------------------------------------------------------

Dollars = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Fraction = Annotated[Decimal, Field(ge=0, lt=1, decimal_places=6)]


class StopLossPremium(BaseModel):
    """A stop-loss premium passed through: per employee per month by tier (the tier of the
    employee's coverage in ``line``, counted by the agreement's rule), or a fixed monthly amount."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    line: Line = Line.MEDICAL
    pepm_by_tier: dict[Tier, Dollars] | None = None
    monthly: Dollars | None = None

    @model_validator(mode="after")
    def _one_basis(self) -> StopLossPremium:
        if (self.pepm_by_tier is None) == (self.monthly is None):
            raise ValueError("give either pepm_by_tier or monthly")
        return self


class FeeAgreement(BaseModel):
    """An employer's admin fee terms from ``effective`` (the first day of a month) until the
    next agreement's. Rates are dollars; ``percent_of_paid`` is a fraction of the plan's paid
    amount of claims paid in the month (0.035 = 3.5%)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    effective: date
    count_rule: CountRule = CountRule.FIRST_OF_MONTH
    pepm: dict[FeeLine, Dollars] = Field(default_factory=dict)
    percent_of_paid: dict[FeeLine, Fraction] = Field(default_factory=dict)
    per_claim: dict[FeeLine, Dollars] = Field(default_factory=dict)
    monthly_minimum: Dollars = ZERO
    """The least admin fee of a month (PEPM, share of claims and per-claim fees together;
    pass-through premiums apart): a shortfall is billed as a top-up."""
    stop_loss: tuple[StopLossPremium, ...] = ()
    lookback_months: int = Field(default=12, ge=0, le=36)
    """How many months back an invoice corrects months already invoiced."""
    payment_terms_days: int = Field(default=30, ge=0, le=180)

    @field_validator("effective")
    @classmethod
    def _first_of_month(cls, value: date) -> date:
        if value.day != 1:
            raise ValueError(f"{value} is not the first day of a month: fees are monthly")
        return value

    @field_validator("percent_of_paid", "per_claim")
    @classmethod
    def _claim_lines(cls, value: dict[FeeLine, Decimal]) -> dict[FeeLine, Decimal]:
        others = sorted(line.value for line in value if line not in CLAIM_FEE_LINES)
        if others:
            raise ValueError(
                f"{', '.join(others)}: only lines whose claims are paid here "
                f"({', '.join(sorted(line.value for line in CLAIM_FEE_LINES))})"
            )
        return value

    @field_validator("stop_loss")
    @classmethod
    def _names_unique(cls, value: tuple[StopLossPremium, ...]) -> tuple[StopLossPremium, ...]:
        names = [premium.name for premium in value]
        if len(set(names)) != len(names):
            raise ValueError("each stop-loss premium needs its own name")
        return value


def parse_agreement(document: Any) -> FeeAgreement:
    """The agreement a YAML or JSON document describes, or ``ValidationFailed`` naming each
    wrong field."""
    try:
        return FeeAgreement.model_validate(document)
    except ValidationError as exc:
        raise ValidationFailed(
            [
                Problem(".".join(str(part) for part in error["loc"]), error["msg"])
                for error in exc.errors()
            ],
            "the fee agreement is not valid",
        ) from exc


def agreement_for(agreements: Iterable[FeeAgreement], month: date) -> FeeAgreement | None:
    """The agreement in effect in ``month``: the latest effective on or before its first day."""
    earlier = [a for a in agreements if a.effective <= month]
    return max(earlier, key=lambda a: a.effective) if earlier else None


# --- what a month holds ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnrolledSpan:
    """One coverage of one employee (an opaque id): no names, only what billing counts."""

    employee: int
    line: Line
    tier: Tier
    start: date
    last_day: date


@dataclass(frozen=True, slots=True)
class PaidClaims:
    """Claims of one line paid in one month: how many, and the plan's paid amount."""

    month: date
    line: FeeLine
    claims: int
    plan_paid: Decimal


@dataclass(frozen=True, slots=True)
class Census:
    """Employees counted in a month: per fee line, and per coverage line and tier."""

    employees: Mapping[FeeLine, int]
    tiers: Mapping[tuple[Line, Tier], int]


def counted_span(
    spans: Sequence[EnrolledSpan], month: date, rule: CountRule
) -> EnrolledSpan | None:
    """The coverage (of one employee in one line) by which the employee counts in ``month``,
    if any: for ``any_day``, the latest to start of those in force during the month."""
    if rule is CountRule.ANY_DAY:
        first, last = month, months.last_day(month)
        during = [s for s in spans if s.start <= last and s.last_day >= first]
        return max(during, key=lambda s: s.start) if during else None
    day = month if rule is CountRule.FIRST_OF_MONTH else month.replace(day=15)
    return next((s for s in spans if s.start <= day <= s.last_day), None)


def take_census(spans: Iterable[EnrolledSpan], month: date, rule: CountRule) -> Census:
    by_employee_line: dict[tuple[int, Line], list[EnrolledSpan]] = defaultdict(list)
    for span in spans:
        by_employee_line[(span.employee, span.line)].append(span)
    employees: dict[FeeLine, set[int]] = defaultdict(set)
    tiers: dict[tuple[Line, Tier], int] = defaultdict(int)
    for (employee, line), own in by_employee_line.items():
        counted = counted_span(own, month, rule)
        if counted is not None:
            employees[FEE_LINE_OF_COVERAGE[line]].add(employee)
            tiers[(line, counted.tier)] += 1
    return Census({line: len(ids) for line, ids in employees.items()}, dict(tiers))


# --- charges ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChargeKey:
    """What a charge bills, at which rate: the unit in which billed amounts are kept per month.
    ``label`` names a stop-loss premium; ``rate`` is None for the minimum top-up."""

    kind: ChargeKind
    line: FeeLine | None = None
    tier: Tier | None = None
    label: str = ""
    rate: Decimal | None = None

    def sort_key(self) -> tuple[int, int, str, int, Decimal]:
        return (
            list(ChargeKind).index(self.kind),
            list(FeeLine).index(self.line) if self.line else -1,
            self.label,
            list(Tier).index(self.tier) if self.tier else -1,
            self.rate if self.rate is not None else ZERO,
        )


@dataclass(frozen=True, slots=True)
class Charge:
    """One invoice line: quantity x rate = amount; ``month_corrected`` is None for the
    invoice's own month, else the earlier month an adjustment corrects."""

    key: ChargeKey
    quantity: Decimal | None
    amount: Decimal
    month_corrected: date | None = None

    @property
    def kind(self) -> ChargeKind:
        return self.key.kind

    @property
    def rate(self) -> Decimal | None:
        return self.key.rate

    @property
    def is_adjustment(self) -> bool:
        return self.month_corrected is not None


@dataclass(frozen=True, slots=True)
class Billed:
    """What was billed for a month under one key: the sum of the lines that billed it."""

    quantity: Decimal
    amount: Decimal


def month_charges(
    terms: FeeAgreement, census: Census, paid: Mapping[FeeLine, PaidClaims]
) -> list[Charge]:
    """What a month is due under ``terms``. A charge of nothing (no quantity, no amount) is no
    line."""
    fees = [
        *_per_unit(ChargeKind.PEPM, terms.pepm, lambda line: census.employees.get(line, 0)),
        *_share_of_paid(terms.percent_of_paid, paid),
        *_per_unit(ChargeKind.PER_CLAIM, terms.per_claim, lambda line: _claims(paid, line)),
    ]
    subtotal = sum((charge.amount for charge in fees), ZERO)
    if subtotal < terms.monthly_minimum:
        top_up = round_cents(terms.monthly_minimum - subtotal)
        fees.append(Charge(ChargeKey(ChargeKind.MINIMUM), None, top_up))
    premiums = [charge for p in terms.stop_loss for charge in _premium(p, census)]
    return [c for c in (*fees, *premiums) if c.amount != 0 or c.quantity]


def _claims(paid: Mapping[FeeLine, PaidClaims], line: FeeLine) -> int:
    found = paid.get(line)
    return found.claims if found else 0


def _per_unit(
    kind: ChargeKind, rates: Mapping[FeeLine, Decimal], count: Callable[[FeeLine], int]
) -> list[Charge]:
    charges = []
    for line in FeeLine:
        if line in rates:
            quantity = Decimal(count(line))
            rate = rates[line]
            charges.append(
                Charge(ChargeKey(kind, line, rate=rate), quantity, round_cents(quantity * rate))
            )
    return charges


def _share_of_paid(
    rates: Mapping[FeeLine, Decimal], paid: Mapping[FeeLine, PaidClaims]
) -> list[Charge]:
    charges = []
    for line in FeeLine:
        if line in rates:
            found = paid.get(line)
            base = found.plan_paid if found else ZERO
            key = ChargeKey(ChargeKind.PERCENT_OF_PAID, line, rate=rates[line])
            charges.append(Charge(key, base, round_cents(base * rates[line])))
    return charges


def _premium(premium: StopLossPremium, census: Census) -> list[Charge]:
    if premium.monthly is not None:
        key = ChargeKey(ChargeKind.STOP_LOSS, label=premium.name, rate=premium.monthly)
        return [Charge(key, Decimal(1), round_cents(premium.monthly))]
    assert premium.pepm_by_tier is not None
    charges = []
    for tier in Tier:
        if tier in premium.pepm_by_tier:
            rate = premium.pepm_by_tier[tier]
            quantity = Decimal(census.tiers.get((premium.line, tier), 0))
            key = ChargeKey(ChargeKind.STOP_LOSS, tier=tier, label=premium.name, rate=rate)
            charges.append(Charge(key, quantity, round_cents(quantity * rate)))
    return charges


def differences(
    due: Sequence[Charge], billed: Mapping[ChargeKey, Billed], corrected: date | None
) -> list[Charge]:
    """What to bill so that a month's billed amounts become what is due: for each key, the
    due quantity and amount minus what was billed (nothing billed: the charges themselves)."""
    totals: dict[ChargeKey, Billed] = {}
    for charge in due:
        before = totals.get(charge.key, Billed(ZERO, ZERO))
        totals[charge.key] = Billed(
            before.quantity + (charge.quantity or ZERO), before.amount + charge.amount
        )
    keys = [*totals, *sorted((k for k in billed if k not in totals), key=ChargeKey.sort_key)]
    charges = []
    for key in keys:
        now, was = totals.get(key, Billed(ZERO, ZERO)), billed.get(key, Billed(ZERO, ZERO))
        quantity, amount = now.quantity - was.quantity, now.amount - was.amount
        if quantity or amount:
            shown = None if key.kind is ChargeKind.MINIMUM else quantity
            charges.append(Charge(key, shown, amount, corrected))
    return charges


# --- the invoice -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceDraft:
    """A month's invoice before it has a number: its own month's charges, then the
    adjustments of earlier months, oldest first."""

    month: date
    terms: FeeAgreement
    lines: tuple[Charge, ...]

    @property
    def current(self) -> Decimal:
        return sum((c.amount for c in self.lines if not c.is_adjustment), ZERO)

    @property
    def adjustments(self) -> Decimal:
        return sum((c.amount for c in self.lines if c.is_adjustment), ZERO)

    @property
    def pass_through(self) -> Decimal:
        return sum((c.amount for c in self.lines if c.kind.pass_through), ZERO)

    @property
    def fees(self) -> Decimal:
        return self.total - self.pass_through

    @property
    def total(self) -> Decimal:
        return self.current + self.adjustments


def months_to_correct(month: date, lookback: int, invoiced: Iterable[date]) -> list[date]:
    """Earlier months already invoiced, within the look-back, oldest first."""
    oldest = months.add_months(month, -lookback)
    return sorted({m for m in invoiced if oldest <= m < month})


def compute_invoice(
    *,
    month: date,
    agreements: Sequence[FeeAgreement],
    enrollment: Sequence[EnrolledSpan],
    claims: Sequence[PaidClaims],
    billed: Mapping[date, Mapping[ChargeKey, Billed]],
    invoiced: Iterable[date],
) -> InvoiceDraft:
    """The invoice of ``month`` from today's enrollment and paid claims: what the month is due
    (less anything already billed for it), then every earlier invoiced month within the
    look-back recomputed and its difference from what was billed."""
    terms = agreement_for(agreements, month)
    if terms is None:
        raise ValidationFailed([Problem("month", f"no fee agreement in effect in {month:%Y-%m}")])
    paid: dict[date, dict[FeeLine, PaidClaims]] = defaultdict(dict)
    for row in claims:
        paid[row.month][row.line] = row

    def due(of: date) -> list[Charge]:
        in_effect = agreement_for(agreements, of)
        if in_effect is None:
            return []
        census = take_census(enrollment, of, in_effect.count_rule)
        return month_charges(in_effect, census, paid.get(of, {}))

    lines = differences(due(month), billed.get(month, {}), None)
    for earlier in months_to_correct(month, terms.lookback_months, invoiced):
        lines.extend(differences(due(earlier), billed.get(earlier, {}), earlier))
    return InvoiceDraft(month=month, terms=terms, lines=tuple(lines))


def invoice_entry(
    draft: InvoiceDraft, *, employer_id: int, number: str, posted_on: date
) -> Entry | None:
    """The journal entry of an invoice: the employer owes the total (admin fees receivable),
    the fees are the TPA's revenue and the stop-loss premiums are owed on to the carrier. A
    negative part (a credit of earlier months) sits on the other side; a zero part has no
    leg, and an invoice of nothing has no entry."""
    signed = (
        (ADMIN_FEES_RECEIVABLE, draft.total),
        (ADMIN_FEE_REVENUE, -draft.fees),
        (STOP_LOSS_PREMIUM_PAYABLE, -draft.pass_through),
    )
    legs = tuple(debit(a, v) if v > 0 else credit(a, -v) for a, v in signed if v != 0)
    if not legs:
        return None
    return Entry(
        posted_on=posted_on,
        employer_id=employer_id,
        memo=f"Admin fee invoice {number}, {months.label(draft.month)}",
        kind="admin_fee_invoice",
        reference=number,
        legs=legs,
    )


# --- wording ---------------------------------------------------------------------------------

TIER_WORDS = {
    Tier.EMPLOYEE: "employee only",
    Tier.EMPLOYEE_SPOUSE: "employee + spouse",
    Tier.EMPLOYEE_CHILDREN: "employee + children",
    Tier.FAMILY: "family",
}


def percent(fraction: Decimal) -> str:
    """``3.5%`` for 0.035."""
    return f"{format((fraction * 100).normalize(), 'f')}%"


def quantity_text(charge: Charge) -> str | None:
    """The quantity as files show it: a count, or the paid amount a share is taken of."""
    if charge.quantity is None:
        return None
    if charge.kind is ChargeKind.PERCENT_OF_PAID:
        return f"{round_cents(charge.quantity):.2f}"
    return str(int(charge.quantity))


def rate_text(charge: Charge) -> str | None:
    """The rate as files show it: dollars, or a share as a fraction (``0.035``)."""
    if charge.rate is None:
        return None
    if charge.kind is ChargeKind.PERCENT_OF_PAID:
        return format(charge.rate.normalize(), "f")
    return f"{round_cents(charge.rate):.2f}"


def describe(charge: Charge) -> str:
    """The line's text on the invoice, e.g. ``Medical PEPM, March 2026 correction: -1
    employee`` (no member is ever named: only counts and amounts)."""
    text = _what(charge.key)
    if charge.month_corrected is None:
        return text
    text = f"{text}, {months.label(charge.month_corrected)} correction"
    change = _change(charge)
    return f"{text}: {change}" if change else text


def _what(key: ChargeKey) -> str:
    line = key.line.heading if key.line else ""
    if key.kind is ChargeKind.PEPM:
        return f"{line} PEPM"
    if key.kind is ChargeKind.PERCENT_OF_PAID:
        assert key.rate is not None
        return f"{line} claims paid at {percent(key.rate)}"
    if key.kind is ChargeKind.PER_CLAIM:
        return f"{line} per-claim fee"
    if key.kind is ChargeKind.MINIMUM:
        return "Monthly minimum top-up"
    return f"{key.label}, {TIER_WORDS[key.tier]}" if key.tier else f"{key.label}, monthly"


def _change(charge: Charge) -> str | None:
    quantity = charge.quantity
    kind = charge.kind
    if quantity is None or (kind is ChargeKind.STOP_LOSS and charge.key.tier is None):
        return None
    if kind is ChargeKind.PERCENT_OF_PAID:
        sign = "+" if quantity > 0 else ""
        return f"{sign}{dollars(quantity)} paid"
    noun = "claim" if kind is ChargeKind.PER_CLAIM else "employee"
    count = int(quantity)
    return f"{count:+d} {noun}{'' if abs(count) == 1 else 's'}"
