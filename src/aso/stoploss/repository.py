"""Loading what stop-loss needs: contracts as domain values, the paid claim lines a contract's
basis takes in, employees' enrollment spans, and what earlier requests asked and what the carrier
paid. Never commits.

Which claims count: claims of the employer with status ``paid`` (a payment released them,
``paid_on`` its day), the lines of their current version with the plan's payment, of a claim
type whose line of coverage the contract covers (DESIGN 3). A paid claim later replaced or voided
becomes ``voided`` and drops out; its replacement counts once paid. What earlier requests asked
stays asked: a request made after such a change lists the claim with a negative amount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from aso.claims.domain import LINE_OF_COVERAGE, ClaimType
from aso.claims.models import ClaimLineRow, ClaimRow, ClaimVersionRow, LineResultRow
from aso.claims.repository import current_version
from aso.employers.models import OfferedPlan
from aso.members.models import Coverage, Member
from aso.money import ZERO
from aso.plans.domain import Line, Tier
from aso.stoploss.domain import (
    AggregateTerms,
    Basis,
    Contract,
    EnrollmentSpan,
    PaidLine,
    Requested,
)
from aso.stoploss.models import (
    AttachmentFactorRow,
    LaserRow,
    NotificationRow,
    ReceiptRow,
    ReimbursementRequestRow,
    RequestClaimRow,
    StopLossContractRow,
)


def contract_rows(
    session: Session, employer_id: int, *, lock: bool = False
) -> list[StopLossContractRow]:
    """The employer's contracts by period; ``lock`` holds them (PostgreSQL ``FOR UPDATE``) so
    that two trackings or two requests for one employer run one after the other."""
    query = (
        select(StopLossContractRow)
        .where(StopLossContractRow.employer_id == employer_id)
        .order_by(StopLossContractRow.period_start)
    )
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query))


def to_contract(session: Session, row: StopLossContractRow) -> Contract:
    lasers = session.execute(
        select(Member.member_number, LaserRow.deductible_cents)
        .join(Member, Member.id == LaserRow.member_id)
        .where(LaserRow.contract_id == row.id)
    )
    return Contract(
        start=row.period_start,
        end=row.period_end,
        basis=Basis(row.incurred_months, row.paid_months),
        specific_deductible=row.specific_deductible_cents,
        specific_rate=row.specific_rate_bp,
        notification_rate=row.notification_rate_bp,
        lasers={number: deductible for number, deductible in lasers},
        aggregate=_aggregate_terms(session, row),
        lines=tuple(Line(value) for value in row.lines.split(",")),
    )


def _aggregate_terms(session: Session, row: StopLossContractRow) -> AggregateTerms | None:
    if row.aggregate_rate_bp is None or row.minimum_attachment_cents is None:
        return None
    factors = session.execute(
        select(AttachmentFactorRow.tier, AttachmentFactorRow.factor_cents).where(
            AttachmentFactorRow.contract_id == row.id
        )
    )
    return AggregateTerms(
        factors={Tier(tier): factor for tier, factor in factors},
        minimum=row.minimum_attachment_cents,
        rate=row.aggregate_rate_bp,
    )


def paid_lines(
    session: Session, employer_id: int, contract: Contract, as_of: date
) -> list[PaidLine]:
    """The employer's paid claim lines the contract's windows take in, paid by ``as_of``."""
    incurred, paid = contract.incurred, contract.paid
    types = [kind.value for kind, line in LINE_OF_COVERAGE.items() if contract.covers(line)]
    query = (
        select(
            ClaimRow.id,
            Member.member_number,
            ClaimRow.paid_on,
            ClaimLineRow.service_date,
            LineResultRow.plan_paid_cents,
            ClaimRow.type,
        )
        .join(
            ClaimVersionRow,
            current_version(),
        )
        .join(LineResultRow, LineResultRow.version_id == ClaimVersionRow.id)
        .join(
            ClaimLineRow,
            and_(ClaimLineRow.claim_id == ClaimRow.id, ClaimLineRow.line == LineResultRow.line),
        )
        .join(Member, Member.id == ClaimRow.member_id)
        .where(
            ClaimRow.employer_id == employer_id,
            ClaimRow.status == "paid",
            ClaimRow.type.in_(types),
            ClaimRow.paid_on >= paid.first,
            ClaimRow.paid_on <= min(paid.last, as_of),
            ClaimLineRow.service_date >= incurred.first,
            ClaimLineRow.service_date <= incurred.last,
            LineResultRow.plan_paid_cents != 0,
        )
    )
    return [
        PaidLine(claim, member, paid_on, service_date, amount, LINE_OF_COVERAGE[ClaimType(kind)])
        for claim, member, paid_on, service_date, amount, kind in session.execute(query)
        if paid_on is not None  # the query's filter holds: this tells the type checker
    ]


def enrollment_spans(session: Session, employer_id: int, line: Line) -> list[EnrollmentSpan]:
    """Employees' (subscribers') coverages in one line of coverage; an open coverage ends with
    its plan's period (DESIGN 3)."""
    query = (
        select(
            Coverage.member_id,
            Coverage.tier,
            Coverage.start_date,
            Coverage.end_date,
            OfferedPlan.period_end,
        )
        .join(Member, Member.id == Coverage.member_id)
        .join(OfferedPlan, OfferedPlan.id == Coverage.plan_id)
        .where(
            Member.employer_id == employer_id,
            Member.relationship == "subscriber",
            Coverage.line == line.value,
        )
    )
    return [
        EnrollmentSpan(member, Tier(tier), start, min(end or plan_end, plan_end))
        for member, tier, start, end, plan_end in session.execute(query)
    ]


@dataclass
class Asked:
    """What a contract's requests asked and what the carrier paid, per member (specific) and
    for the aggregate."""

    specific: dict[str, Requested] = field(default_factory=dict)
    aggregate: Requested = field(default_factory=Requested)
    received: dict[int, Decimal] = field(default_factory=dict)
    """Received per request."""
    written_off: dict[int, Decimal] = field(default_factory=dict)

    def requested_by(self, member: str) -> Requested:
        return self.specific.get(member, Requested())


def asked(session: Session, contract_id: int) -> Asked:
    requests = list(request_rows(session, contract_id))
    numbers = member_numbers(session, {r.member_id for r in requests if r.member_id})
    amounts: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    for request in requests:
        member = numbers[request.member_id] if request.member_id else None
        amounts[member] += request.amount_cents
    counted: dict[str | None, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    by_claim = session.execute(
        select(
            ReimbursementRequestRow.member_id,
            RequestClaimRow.claim_id,
            func.sum(RequestClaimRow.counted_cents),
        )
        .join(RequestClaimRow, RequestClaimRow.request_id == ReimbursementRequestRow.id)
        .where(ReimbursementRequestRow.contract_id == contract_id)
        .group_by(ReimbursementRequestRow.member_id, RequestClaimRow.claim_id)
    )
    for member_id, claim, total in by_claim:
        counted[numbers[member_id] if member_id else None][claim] = total
    result = Asked(
        specific={
            member: Requested(amount, dict(counted[member]))
            for member, amount in amounts.items()
            if member is not None
        },
        aggregate=Requested(amounts[None], dict(counted[None])),
    )
    _add_receipts(session, result, [r.id for r in requests])
    return result


def _add_receipts(session: Session, result: Asked, request_ids: Sequence[int]) -> None:
    if not request_ids:
        return
    rows = session.execute(
        select(
            ReceiptRow.request_id,
            func.sum(ReceiptRow.amount_cents),
            func.sum(ReceiptRow.written_off_cents),
        )
        .where(ReceiptRow.request_id.in_(request_ids))
        .group_by(ReceiptRow.request_id)
    )
    for request_id, received, written_off in rows:
        result.received[request_id] = received
        result.written_off[request_id] = written_off


def request_rows(session: Session, contract_id: int) -> Iterable[ReimbursementRequestRow]:
    return session.scalars(
        select(ReimbursementRequestRow)
        .where(ReimbursementRequestRow.contract_id == contract_id)
        .order_by(ReimbursementRequestRow.id)
    )


def request_claims(session: Session, request_id: int) -> list[tuple[str, Decimal, Decimal]]:
    """The claims behind a request: public claim id, paid, counted."""
    rows = session.execute(
        select(ClaimRow.claim_number, RequestClaimRow.paid_cents, RequestClaimRow.counted_cents)
        .join(ClaimRow, ClaimRow.id == RequestClaimRow.claim_id)
        .where(RequestClaimRow.request_id == request_id)
        .order_by(ClaimRow.claim_number, ClaimRow.id)
    )
    return [(number, paid, counted) for number, paid, counted in rows]


def notifications(session: Session, contract_id: int) -> dict[int, NotificationRow]:
    """The notifications sent under a contract, by member (database id)."""
    rows = session.scalars(
        select(NotificationRow).where(NotificationRow.contract_id == contract_id)
    )
    return {row.member_id: row for row in rows}


def member_numbers(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(Member.id, Member.member_number).where(Member.id.in_(wanted)))
    return {pk: number for pk, number in rows}


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    number: str
    name: str


def people(session: Session, employer_id: int, numbers: Iterable[str]) -> dict[str, Person]:
    """Members of the employer by public id."""
    wanted = set(numbers)
    if not wanted:
        return {}
    rows = session.execute(
        select(Member.id, Member.member_number, Member.first_name, Member.last_name).where(
            Member.employer_id == employer_id, Member.member_number.in_(wanted)
        )
    )
    return {number: Person(pk, number, f"{first} {last}") for pk, number, first, last in rows}
