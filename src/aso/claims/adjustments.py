"""Accumulator adjustments: deductible or out-of-pocket amounts entered by hand.

A member who met part of a deductible with a prior carrier earlier in the plan year gets credit
for it (a common plan provision on a change of carrier mid-year); an examiner corrects a total
that a claim outside the system should have fed. Each adjustment is an entry with a reason and
the user who made it, in the accumulator group and plan period of the member's plan in a line of
coverage on a date, and it counts like any other entry: in the running totals now, and in the
state every later claim of the family is adjudicated from (``repository.family_entries``).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.claims import repository as repo
from aso.claims.bulk import Bulk
from aso.claims.models import AccumulatorAdjustmentRow
from aso.claims.repository import TotalKey
from aso.claims.schemas import AccumulatorAdjustmentCreate, AccumulatorAdjustmentRead
from aso.claims.stored import cents
from aso.db.uow import UnitOfWork
from aso.employers.models import OfferedPlan
from aso.errors import Forbidden, NotFound, Problem, ValidationFailed
from aso.members.models import Coverage, Member
from aso.members.repository import member_by_number
from aso.security import audit
from aso.security.domain import TPA_STAFF, Principal, Role

ADJUSTERS = frozenset({Role.ADMIN, Role.EXAMINER})


def add_adjustment(
    *,
    uow: UnitOfWork,
    actor: Principal,
    data: AccumulatorAdjustmentCreate,
    today: date | None = None,
) -> AccumulatorAdjustmentRead:
    """Record an adjustment and add it to the member's and the family's running totals."""
    if actor.role not in ADJUSTERS:
        raise Forbidden("only administrators and claims examiners adjust accumulators")
    effective = data.effective or today or date.today()
    with uow:
        session = uow.session
        member = member_by_number(session, data.member_id)
        if member is None:
            raise ValidationFailed([Problem("member_id", f"no member {data.member_id}")])
        plan = _plan_on(session, member, data, effective)
        design = plan.design()
        row = AccumulatorAdjustmentRow(
            employer_id=member.employer_id,
            member_id=member.id,
            family_id=member.family_id,
            plan_id=plan.id,
            coverage=design.line.value,
            accumulator_group=design.group,
            network=data.network,
            kind=data.kind,
            amount_cents=data.amount,
            effective_date=effective,
            period_start=design.period.start,
            period_end=design.period.end,
            reason=data.reason,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        _add_to_totals(session, row)
        audit.record(session, actor, "create", "accumulator_adjustment", [row.id])
        result = _read(row, member.member_number, plan.code)
        uow.commit()
    return result


def list_adjustments(
    *, uow: UnitOfWork, actor: Principal, member_id: str
) -> list[AccumulatorAdjustmentRead]:
    """A member's adjustments, oldest first, for TPA staff."""
    if actor.role not in TPA_STAFF:
        raise Forbidden("accumulator adjustments are for TPA staff")
    with uow:
        session = uow.session
        member = member_by_number(session, member_id)
        if member is None:
            raise NotFound(f"no member {member_id}")
        rows = session.execute(
            select(AccumulatorAdjustmentRow, OfferedPlan.code)
            .join(OfferedPlan, OfferedPlan.id == AccumulatorAdjustmentRow.plan_id)
            .where(AccumulatorAdjustmentRow.member_id == member.id)
            .order_by(AccumulatorAdjustmentRow.id)
        ).all()
        return [_read(row, member.member_number, code) for row, code in rows]


def _plan_on(
    session: Session, member: Member, data: AccumulatorAdjustmentCreate, day: date
) -> OfferedPlan:
    """The member's plan in the adjustment's line of coverage on ``day``."""
    for coverage in session.scalars(
        select(Coverage).where(Coverage.member_id == member.id, Coverage.line == data.line.value)
    ):
        plan = coverage.plan
        last = plan.period_end if coverage.end_date is None else coverage.end_date
        if coverage.start_date <= day <= min(last, plan.period_end):
            return plan
    raise ValidationFailed(
        [
            Problem(
                "effective",
                f"member {member.member_number} has no {data.line.value} coverage on {day}",
            )
        ]
    )


def _add_to_totals(session: Session, row: AccumulatorAdjustmentRow) -> None:
    tail = (row.kind, row.accumulator_group, row.network, row.period_start, row.period_end)
    amount = cents(row.amount_cents)
    deltas: Counter[TotalKey] = Counter()
    deltas[("member", row.member_id, *tail)] += amount
    deltas[("family", row.family_id, *tail)] += amount
    repo.add_to_totals(Bulk(session), deltas)


def _read(
    row: AccumulatorAdjustmentRow, member_number: str, plan_code: str
) -> AccumulatorAdjustmentRead:
    return AccumulatorAdjustmentRead(
        id=row.id,
        member_id=member_number,
        plan_id=plan_code,
        group=row.accumulator_group,
        period_start=row.period_start,
        period_end=row.period_end,
        kind=row.kind,
        network=row.network,
        amount=row.amount_cents,
        effective=row.effective_date,
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at,
    )
