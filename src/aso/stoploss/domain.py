"""Stop-loss arithmetic as plain values: contracts, the claims a contract's basis takes in,
positions per member (specific) and for the group (aggregate), large-case notifications and what
a reimbursement request asks for.

Amounts are ``Decimal`` dollars rounded half up to cents where they are computed; rates are
fractions (``1.0`` = the carrier reimburses 100% of the excess, ``0.5`` = notify at 50% of the
deductible), as coinsurance is in a plan design (DESIGN 5).

Worked through (``tests/unit/test_stoploss_domain.py``): a specific deductible of $100,000 and a
member with $340,000 paid gives a specific excess of $240,000, reimbursed at 100%; only the
first $100,000 of that member counts toward the aggregate.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from aso.employers.domain import add_months, end_of_month
from aso.errors import Problem
from aso.money import ZERO, round_cents
from aso.plans.domain import Line, Tier

ONE = Decimal(1)
MAX_MONTHS = 36
"""The longest incurred or paid period a basis may name (e.g. ``36/12``)."""
MAX_POLICY_MONTHS = 24
COVERABLE = (Line.MEDICAL, Line.PHARMACY, Line.DENTAL, Line.VISION)
"""Lines whose claims are paid from the plan (disability benefits are not claims here)."""
_BASIS = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$")


class Kind(StrEnum):
    """What a reimbursement request claims: one member's specific excess, or the group's
    aggregate excess."""

    SPECIFIC = "specific"
    AGGREGATE = "aggregate"


@dataclass(frozen=True, slots=True)
class Basis:
    """Incurred and paid months: ``12/15`` = incurred in 12 months, paid in 15."""

    incurred_months: int
    paid_months: int

    @classmethod
    def parse(cls, text: str) -> Basis:
        match = _BASIS.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a basis: incurred/paid months, e.g. 12/15")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.incurred_months}/{self.paid_months}"


@dataclass(frozen=True, slots=True)
class Window:
    """A span of days, both included."""

    first: date
    last: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class AggregateTerms:
    factors: Mapping[Tier, Decimal]
    """Monthly attachment factor per enrolled employee, by coverage tier."""
    minimum: Decimal
    """The minimum aggregate attachment point."""
    rate: Decimal = ONE
    """The share of the aggregate excess the carrier reimburses."""


@dataclass(frozen=True, slots=True)
class Contract:
    """A stop-loss contract for one policy period (whole months, from a month's first day to a
    month's last day)."""

    start: date
    end: date
    basis: Basis
    specific_deductible: Decimal
    specific_rate: Decimal = ONE
    notification_rate: Decimal = Decimal("0.5")
    lasers: Mapping[str, Decimal] = field(default_factory=dict)
    """A higher specific deductible for a named member (by public member id)."""
    aggregate: AggregateTerms | None = None
    lines: tuple[Line, ...] = (Line.MEDICAL, Line.PHARMACY)
    """The lines of coverage whose claims the contract covers."""

    @property
    def months(self) -> tuple[date, ...]:
        """The first day of each month of the policy."""
        count = _months_between(self.start, self.end)
        return tuple(add_months(self.start, n) for n in range(count))

    @property
    def incurred(self) -> Window:
        """Claims incurred (line service dates) in the ``incurred_months`` up to the policy's
        end: the policy's months, and before them the run-in when the basis has one."""
        after_end = self.end + timedelta(days=1)
        return Window(add_months(after_end, -self.basis.incurred_months), self.end)

    @property
    def paid(self) -> Window:
        return paid_window(self.start, self.basis)

    def deductible_for(self, member: str) -> Decimal:
        return self.lasers.get(member, self.specific_deductible)

    def threshold_for(self, member: str) -> Decimal:
        """Paid claims at which the carrier is to be told of a large case: a share of the
        member's deductible (its laser's, when it has one)."""
        return round_cents(self.deductible_for(member) * self.notification_rate)

    def covers(self, line: Line) -> bool:
        return line in self.lines


def paid_window(start: date, basis: Basis) -> Window:
    """Claims paid in the ``paid_months`` from the policy's start: the policy's months, and
    after them the run-out when the basis has one."""
    return Window(start, add_months(start, basis.paid_months) - timedelta(days=1))


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


# --- checks ----------------------------------------------------------------------------------


def contract_problems(contract: Contract) -> list[Problem]:
    """Everything wrong with a contract, each naming the field of the contract document."""
    return [
        *_period_problems(contract),
        *_specific_problems(contract),
        *_aggregate_problems(contract.aggregate),
        *_lines_problems(contract.lines),
    ]


def _lines_problems(lines: tuple[Line, ...]) -> list[Problem]:
    if not lines:
        return [Problem("lines", "name at least one line of coverage")]
    return [
        Problem("lines", f"{line.value}: stop-loss covers claims of {', '.join(COVERABLE)}")
        for line in lines
        if line not in COVERABLE
    ]


def _period_problems(contract: Contract) -> list[Problem]:
    problems: list[Problem] = []
    if contract.start.day != 1:
        problems.append(Problem("period.start", "a policy starts on the first of a month"))
    if contract.end != end_of_month(contract.end):
        problems.append(Problem("period.end", "a policy ends on the last day of a month"))
    if contract.end < contract.start:
        problems.append(Problem("period.end", "must not be before the start"))
        return problems
    months = _months_between(contract.start, contract.end)
    if months > MAX_POLICY_MONTHS:
        problems.append(Problem("period.end", f"a policy lasts at most {MAX_POLICY_MONTHS} months"))
    basis = contract.basis
    for name, value in (("incurred", basis.incurred_months), ("paid", basis.paid_months)):
        if not months <= value <= MAX_MONTHS:
            problems.append(
                Problem(
                    "basis",
                    f"{value} {name} months: between the policy's {months} months and {MAX_MONTHS}",
                )
            )
    return problems


def _specific_problems(contract: Contract) -> list[Problem]:
    problems = _positive("specific.deductible", contract.specific_deductible)
    problems += _rate("specific.reimbursement", contract.specific_rate)
    problems += _rate("specific.notification", contract.notification_rate)
    for member, deductible in contract.lasers.items():
        if deductible != round_cents(deductible):
            problems.append(Problem(f"specific.lasers.{member}", f"{deductible} is not in cents"))
        elif deductible <= contract.specific_deductible:
            problems.append(
                Problem(
                    f"specific.lasers.{member}",
                    f"a laser's deductible must be above the specific deductible "
                    f"({contract.specific_deductible}): it is {deductible}",
                )
            )
    return problems


def _aggregate_problems(terms: AggregateTerms | None) -> list[Problem]:
    if terms is None:
        return []
    problems = _rate("aggregate.reimbursement", terms.rate)
    if terms.minimum < 0:
        problems.append(Problem("aggregate.minimum_attachment", "must not be negative"))
    for tier in Tier:
        factor = terms.factors.get(tier)
        where = f"aggregate.attachment_factors.{tier.value}"
        if factor is None:
            problems.append(Problem(where, "give a factor for every tier"))
        elif factor < 0 or factor != round_cents(factor):
            problems.append(Problem(where, f"{factor} is not an amount in cents, 0 or more"))
    return problems


def _positive(where: str, amount: Decimal) -> list[Problem]:
    if amount <= 0 or amount != round_cents(amount):
        return [Problem(where, f"{amount} is not a positive amount in cents")]
    return []


def _rate(where: str, rate: Decimal) -> list[Problem]:
    if not ZERO < rate <= ONE or rate != rate.quantize(Decimal("0.0001")):
        return [Problem(where, f"{rate} is not a share above 0 and up to 1 (4 decimals)")]
    return []


# --- the claims a contract takes in ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaidLine:
    """What the plan paid for one line of a paid claim."""

    claim: int
    member: str
    paid_on: date
    incurred_on: date
    """The line's service date."""
    amount: Decimal
    line: Line = Line.MEDICAL


def eligible(contract: Contract, lines: Iterable[PaidLine], as_of: date) -> list[PaidLine]:
    """The lines the contract's basis takes in, as known on ``as_of``: of a covered line of
    coverage, incurred in the incurred window and paid in the paid window, by ``as_of``."""
    incurred, paid = contract.incurred, contract.paid
    return [
        line
        for line in lines
        if line.paid_on <= as_of
        and line.paid_on in paid
        and line.incurred_on in incurred
        and contract.covers(line.line)
    ]


# --- specific: per member --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimShare:
    """One claim of a member, in the order claims were paid: what of it fills the specific
    deductible and what is above it (the specific excess)."""

    claim: int
    paid_on: date
    paid: Decimal
    toward_deductible: Decimal
    excess: Decimal


@dataclass(frozen=True, slots=True)
class MemberPosition:
    member: str
    deductible: Decimal
    lasered: bool
    threshold: Decimal
    """Paid claims at which a large-case notification is due."""
    claims: tuple[ClaimShare, ...]
    reached_threshold_on: date | None
    """The day a payment took the member's paid claims to the threshold."""
    rate: Decimal

    @property
    def paid(self) -> Decimal:
        return sum((c.paid for c in self.claims), ZERO)

    @property
    def excess(self) -> Decimal:
        """Paid claims above the deductible (the carrier's share is ``reimbursable``)."""
        return sum((c.excess for c in self.claims), ZERO)

    @property
    def toward_aggregate(self) -> Decimal:
        """Paid claims up to the deductible: all of them that count toward the aggregate."""
        return self.paid - self.excess

    @property
    def reimbursable(self) -> Decimal:
        return round_cents(self.excess * self.rate)

    @property
    def notifiable(self) -> bool:
        return self.reached_threshold_on is not None


def member_position(contract: Contract, member: str, lines: Iterable[PaidLine]) -> MemberPosition:
    """One member's specific position from its eligible lines. Claims are taken in the order
    they were paid (then by claim), so the claims behind the excess are those paid after the
    deductible was met; the part of a claim that crosses it is split."""
    deductible = contract.deductible_for(member)
    threshold = contract.threshold_for(member)
    shares: list[ClaimShare] = []
    reached: date | None = None
    running = ZERO
    for claim, paid_on, paid in _claims_in_paid_order(lines):
        excess_before = max(ZERO, running - deductible)
        running += paid
        excess = max(ZERO, running - deductible) - excess_before
        shares.append(ClaimShare(claim, paid_on, paid, paid - excess, excess))
        if reached is None and running >= threshold:
            reached = paid_on
    if running < threshold:
        reached = None
    return MemberPosition(
        member=member,
        deductible=deductible,
        lasered=member in contract.lasers,
        threshold=threshold,
        claims=tuple(shares),
        reached_threshold_on=reached,
        rate=contract.specific_rate,
    )


def _claims_in_paid_order(lines: Iterable[PaidLine]) -> list[tuple[int, date, Decimal]]:
    totals: dict[tuple[date, int], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        totals[(line.paid_on, line.claim)] += line.amount
    return [(claim, paid_on, paid) for (paid_on, claim), paid in sorted(totals.items())]


# --- aggregate -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnrollmentSpan:
    """An employee's coverage in the contract's first line: tier and days (``end`` None =
    open)."""

    employee: int
    tier: Tier
    start: date
    end: date | None


def enrolled(spans: Iterable[EnrollmentSpan], month: date) -> dict[Tier, int]:
    """Employees enrolled on the first of ``month``, by tier (each employee once: the tier of
    its coverage that day)."""
    tiers: dict[int, Tier] = {}
    for span in spans:
        if span.start <= month and (span.end is None or month <= span.end):
            tiers[span.employee] = span.tier
    counts = {tier: 0 for tier in Tier}
    for tier in tiers.values():
        counts[tier] += 1
    return counts


@dataclass(frozen=True, slots=True)
class MonthAttachment:
    month: date
    enrolled: Mapping[Tier, int]
    amount: Decimal
    """Sum over tiers of factor x employees enrolled."""


@dataclass(frozen=True, slots=True)
class AggregatePosition:
    months: tuple[MonthAttachment, ...]
    """The policy's months begun by the day of the position."""
    policy_months: int
    minimum: Decimal
    rate: Decimal
    eligible: Decimal
    """Paid claims that count: each member's up to its specific deductible."""

    @property
    def from_enrollment(self) -> Decimal:
        return sum((m.amount for m in self.months), ZERO)

    @property
    def attachment(self) -> Decimal:
        """The attachment point: the months' attachment, or the minimum when higher."""
        return max(self.from_enrollment, self.minimum)

    @property
    def final(self) -> bool:
        """Every month of the policy is counted: the attachment point is known."""
        return len(self.months) == self.policy_months

    @property
    def excess(self) -> Decimal:
        return max(ZERO, self.eligible - self.attachment)

    @property
    def reimbursable(self) -> Decimal:
        return round_cents(self.excess * self.rate)


def monthly_attachment(terms: AggregateTerms, counts: Mapping[Tier, int]) -> Decimal:
    """One month's attachment: each tier's factor x the employees enrolled in it."""
    return round_cents(sum((terms.factors.get(tier, ZERO) * n for tier, n in counts.items()), ZERO))


def aggregate_position(
    contract: Contract,
    members: Sequence[MemberPosition],
    spans: Sequence[EnrollmentSpan],
    as_of: date,
) -> AggregatePosition | None:
    terms = contract.aggregate
    if terms is None:
        return None
    months = []
    for month in contract.months:
        if month > as_of:
            break
        counts = enrolled(spans, month)
        months.append(MonthAttachment(month, counts, monthly_attachment(terms, counts)))
    return AggregatePosition(
        months=tuple(months),
        policy_months=len(contract.months),
        minimum=terms.minimum,
        rate=terms.rate,
        eligible=sum((m.toward_aggregate for m in members), ZERO),
    )


# --- the whole position ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Position:
    """A contract's position on a day, from the claims paid by then."""

    contract: Contract
    as_of: date
    members: tuple[MemberPosition, ...]
    """Every member with eligible paid claims, by member id."""
    aggregate: AggregatePosition | None

    @property
    def settled(self) -> bool:
        """The paid window has closed: nothing more can count."""
        return self.as_of > self.contract.paid.last

    @property
    def paid(self) -> Decimal:
        return sum((m.paid for m in self.members), ZERO)

    @property
    def specific_excess(self) -> Decimal:
        return sum((m.excess for m in self.members), ZERO)

    @property
    def specific_reimbursable(self) -> Decimal:
        return sum((m.reimbursable for m in self.members), ZERO)

    def member(self, member: str) -> MemberPosition | None:
        return next((m for m in self.members if m.member == member), None)


def position(
    contract: Contract,
    lines: Iterable[PaidLine],
    spans: Sequence[EnrollmentSpan],
    as_of: date,
) -> Position:
    by_member: dict[str, list[PaidLine]] = defaultdict(list)
    for line in eligible(contract, lines, as_of):
        by_member[line.member].append(line)
    members = tuple(
        member_position(contract, member, by_member[member]) for member in sorted(by_member)
    )
    return Position(
        contract=contract,
        as_of=as_of,
        members=members,
        aggregate=aggregate_position(contract, members, spans, as_of),
    )


def large_claimants(position: Position, also: Iterable[str] = ()) -> list[MemberPosition]:
    """The members a report lists one by one: those at the notification threshold, with a
    specific excess, or named in ``also`` (e.g. with a request), in the order they reached the
    threshold (then by member id), so that anonymous labels ("Claimant 1") stay put as claims
    are paid."""
    named = set(also)
    listed = [m for m in position.members if m.notifiable or m.excess or m.member in named]
    known = {m.member for m in position.members}
    listed += [member_position(position.contract, member, []) for member in named - known]
    return sorted(listed, key=lambda m: (m.reached_threshold_on or date.max, m.member))


# --- reimbursement requests ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Requested:
    """What earlier requests of a member (or of the aggregate) asked: the reimbursement and,
    claim by claim, the amount counted (specific excess, or toward the aggregate)."""

    amount: Decimal = ZERO
    by_claim: Mapping[int, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RequestLine:
    claim: int
    paid: Decimal
    """The claim's eligible paid amount now (0 when it no longer counts)."""
    counted: Decimal
    """What this request adds for the claim (negative when a claim counts for less than an
    earlier request said, e.g. after it was voided)."""


@dataclass(frozen=True, slots=True)
class RequestDraft:
    kind: Kind
    member: str | None
    amount: Decimal
    """The reimbursement asked for: what is reimbursable now less what was asked before."""
    lines: tuple[RequestLine, ...]

    @property
    def counted(self) -> Decimal:
        return sum((line.counted for line in self.lines), ZERO)


def specific_request(member: MemberPosition, requested: Requested) -> RequestDraft | None:
    """The member's specific excess not yet requested, with the claims behind it; None when
    there is nothing more to ask for."""
    now = {c.claim: (c.paid, c.excess) for c in member.claims}
    amount = member.reimbursable - requested.amount
    if amount <= 0:
        return None
    return RequestDraft(Kind.SPECIFIC, member.member, amount, _lines(now, requested))


def aggregate_request(position: Position, requested: Requested) -> RequestDraft | None:
    """The aggregate excess not yet requested, once the paid window has closed and the
    attachment point is final; the claims behind it are every claim, with what each counts
    toward the aggregate."""
    aggregate = position.aggregate
    if aggregate is None or not position.settled or not aggregate.final:
        return None
    amount = aggregate.reimbursable - requested.amount
    if amount <= 0:
        return None
    now = {c.claim: (c.paid, c.toward_deductible) for m in position.members for c in m.claims}
    return RequestDraft(Kind.AGGREGATE, None, amount, _lines(now, requested))


def _lines(
    now: Mapping[int, tuple[Decimal, Decimal]], requested: Requested
) -> tuple[RequestLine, ...]:
    claims = sorted(set(now) | set(requested.by_claim))
    lines = []
    for claim in claims:
        paid, counted = now.get(claim, (ZERO, ZERO))
        change = counted - requested.by_claim.get(claim, ZERO)
        if change:
            lines.append(RequestLine(claim, paid, change))
    return tuple(lines)
