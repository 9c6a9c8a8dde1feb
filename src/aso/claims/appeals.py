"""Appeals of claim decisions (DESIGN 1: a member files an appeal, the service desk takes them;
29 CFR 2560.503-1, the ERISA claims procedure).

- ``file_appeal``: the member (for itself or a minor dependent, on the web) or TPA staff (on
  the member's behalf, by phone or mail) appeals the claim's current decision. It must come
  within 180 days of that decision; a claim has at most one open appeal (the database refuses a
  second). It is due in 30 days (post-service, one of two levels), or in 72 hours when urgent.
- ``appeal_queue``: open appeals, the earliest due first, with those overdue flagged (staff).
- ``decide_appeal``: a claims examiner or administrator upholds or overturns the decision, or
  records that the member withdrew, always with the reasons. Overturning records the outcome;
  the examiner then changes the claim with the examiner's decisions (release, override, deny),
  which adjudicate it again in its place (``aso.claims.examiner``).
- ``appeals_of``: a claim's appeals, shown with its EOB.

Every step is audit-logged; what a caller may see follows the claim (``aso.claims.access``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.claims.models import AppealRow, ClaimRow, ClaimVersionRow
from aso.claims.schemas import AppealCreate, AppealDecision, AppealRead
from aso.claims.service import claim_by_key
from aso.db.uow import UnitOfWork
from aso.errors import Conflict, Forbidden, NotFound
from aso.members.models import Member
from aso.security import audit
from aso.security.domain import TPA_STAFF, Principal, Role

FILING_WINDOW = timedelta(days=180)
POST_SERVICE = timedelta(days=30)
URGENT = timedelta(hours=72)
DECIDERS = frozenset({Role.ADMIN, Role.EXAMINER})


def file_appeal(
    *,
    uow: UnitOfWork,
    actor: Principal,
    key: int,
    data: AppealCreate,
    now: datetime | None = None,
) -> AppealRead:
    """Appeal the claim's current decision (see the module)."""
    now = now or datetime.now(UTC)
    if actor.role not in TPA_STAFF and actor.role is not Role.MEMBER:
        raise Forbidden("appeals are filed by the member or by TPA staff for it")
    with uow:
        session = uow.session
        claim = claim_by_key(session, actor, key, now.date())
        if claim.current_version == 0 or claim.member_id is None:
            raise Conflict(f"claim {claim.claim_number} is not decided yet: nothing to appeal")
        decided = _decided_at(session, claim)
        if now > decided + FILING_WINDOW:
            last = (decided + FILING_WINDOW).date()
            raise Conflict(
                f"claim {claim.claim_number} was decided on {decided.date()}: an appeal had to "
                f"be filed within 180 days, by {last}"
            )
        if _open(session, claim.id) is not None:
            raise Conflict(f"claim {claim.claim_number} has an open appeal already")
        channel = "web" if actor.role is Role.MEMBER else data.channel or "phone"
        row = AppealRow(
            claim_id=claim.id,
            member_id=claim.member_id,
            version=claim.current_version,
            urgent=data.urgent,
            channel=channel,
            reason=data.reason.strip(),
            filed_at=now,
            filed_by=actor.username,
            due_by=now + (URGENT if data.urgent else POST_SERVICE),
        )
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", "appeal", [row.id], detail=claim.claim_number)
        result = _read(session, row, now)
        uow.commit()
    return result


def appeals_of(
    *, uow: UnitOfWork, actor: Principal, key: int, now: datetime | None = None
) -> list[AppealRead]:
    """The claim's appeals, the latest first (whoever may see the claim)."""
    now = now or datetime.now(UTC)
    with uow:
        session = uow.session
        claim = claim_by_key(session, actor, key, now.date())
        rows = session.scalars(
            select(AppealRow).where(AppealRow.claim_id == claim.id).order_by(AppealRow.id.desc())
        ).all()
        return [_read(session, row, now) for row in rows]


def appeal_queue(
    *, uow: UnitOfWork, actor: Principal, limit: int = 500, now: datetime | None = None
) -> list[AppealRead]:
    """Open appeals, the earliest due first (TPA staff); audit-logged as a view of the claims."""
    now = now or datetime.now(UTC)
    if actor.role not in TPA_STAFF:
        raise Forbidden("the appeal queue is for TPA staff")
    with uow:
        session = uow.session
        rows = session.scalars(
            select(AppealRow)
            .where(AppealRow.status == "open")
            .order_by(AppealRow.due_by, AppealRow.id)
            .limit(limit)
        ).all()
        found = [_read(session, row, now) for row in rows]
        audit.record(session, actor, "view", "claim", [r.claim_id for r in rows], detail="appeals")
        uow.commit()
    return found


def decide_appeal(
    *,
    uow: UnitOfWork,
    actor: Principal,
    appeal_id: int,
    data: AppealDecision,
    now: datetime | None = None,
) -> AppealRead:
    """Record the appeal's outcome and its reasons (claims examiners and administrators)."""
    now = now or datetime.now(UTC)
    if actor.role not in DECIDERS:
        raise Forbidden("only claims examiners and administrators decide appeals")
    with uow:
        session = uow.session
        row = session.get(AppealRow, appeal_id, with_for_update=True)
        if row is None:
            raise NotFound(f"no appeal {appeal_id}")
        if row.status != "open":
            raise Conflict(f"appeal {appeal_id} is {row.status} already")
        row.status = data.outcome
        row.decided_at = now
        row.decided_by = actor.username
        row.decision = data.note.strip()
        session.flush()
        audit.record(session, actor, data.outcome, "appeal", [row.id], detail=row.decision[:200])
        result = _read(session, row, now)
        uow.commit()
    return result


def _decided_at(session: Session, claim: ClaimRow) -> datetime:
    decided = session.scalar(
        select(ClaimVersionRow.adjudicated_at).where(
            ClaimVersionRow.claim_id == claim.id,
            ClaimVersionRow.version == claim.current_version,
        )
    )
    assert decided is not None
    return decided


def _open(session: Session, claim_id: int) -> AppealRow | None:
    return session.scalar(
        select(AppealRow).where(AppealRow.claim_id == claim_id, AppealRow.status == "open")
    )


def _read(session: Session, row: AppealRow, now: datetime) -> AppealRead:
    claim = session.get(ClaimRow, row.claim_id)
    member = session.get(Member, row.member_id)
    assert claim is not None and member is not None
    return AppealRead(
        id=row.id,
        claim_id=claim.claim_number,
        claim_key=claim.id,
        member_id=member.member_number,
        patient=f"{member.first_name} {member.last_name}",
        version=row.version,
        urgent=row.urgent,
        channel=row.channel,
        reason=row.reason,
        filed_at=row.filed_at,
        filed_by=row.filed_by,
        due_by=row.due_by,
        overdue=row.status == "open" and row.due_by < now,
        status=row.status,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        decision=row.decision,
    )


def due_label(appeal: AppealRead, today: date) -> str:
    """``due in 3 days``, ``due today``, ``2 days overdue``: for the queue page."""
    days = (appeal.due_by.date() - today).days
    if days > 0:
        return f"due in {days} day{'s' if days != 1 else ''}"
    if days == 0:
        return "due today"
    return f"{-days} day{'s' if days != -1 else ''} overdue"
