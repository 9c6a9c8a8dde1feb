"""Prior authorizations: the register a line's authorization number is checked against.

An authorization is issued for one member, for categories (``imaging_advanced``) or procedure
codes (``72148``) or both (none: any service), from a first to a last day, optionally for at
most so many units per line. When the plan requires authorization for a category, a line must
carry the number of an ``approved`` authorization of the same member that covers its date,
category or procedure and units; otherwise it is denied CARC 197 (DESIGN 6.1 step 5; the engine
checks it, ``aso.claims.edits.authorized``). Every claim adjudicated from the database is
checked against this register.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.claims.models import AUTHORIZATION_STATUSES, AuthorizationRow
from aso.claims.schemas import AuthorizationCreate, AuthorizationRead
from aso.claims.stored import join_codes, split_codes
from aso.db.uow import UnitOfWork
from aso.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from aso.members.models import Member
from aso.members.repository import member_by_number
from aso.security import audit
from aso.security.domain import TPA_STAFF, Principal, Role

AUTHORIZERS = frozenset({Role.ADMIN, Role.EXAMINER})
"""Utilization review is the examiners' (and administrators') work."""


def add_authorization(
    *, uow: UnitOfWork, actor: Principal, data: AuthorizationCreate
) -> AuthorizationRead:
    """Record an authorization; its number must be new."""
    if actor.role not in AUTHORIZERS:
        raise Forbidden("only administrators and claims examiners record authorizations")
    if data.end < data.start:
        raise ValidationFailed([Problem("end", "must not be before start")])
    with uow:
        session = uow.session
        member = member_by_number(session, data.member_id)
        if member is None:
            raise ValidationFailed([Problem("member_id", f"no member {data.member_id}")])
        if _by_number(session, data.number) is not None:
            raise Conflict(f"authorization {data.number} already exists")
        row = AuthorizationRow(
            number=data.number,
            employer_id=member.employer_id,
            member_id=member.id,
            categories=join_codes(sorted(set(data.categories))),
            procedures=join_codes(sorted(set(data.procedures))),
            start_date=data.start,
            end_date=data.end,
            units_e4=data.units,
            status=data.status,
            note=data.note,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", "authorization", [row.id])
        result = _read(row, member.member_number)
        uow.commit()
    return result


def set_authorization_status(
    *, uow: UnitOfWork, actor: Principal, number: str, status: str
) -> AuthorizationRead:
    """Approve, deny or cancel an authorization (claims adjudicated later see the change)."""
    if actor.role not in AUTHORIZERS:
        raise Forbidden("only administrators and claims examiners change authorizations")
    if status not in AUTHORIZATION_STATUSES:
        listed = ", ".join(AUTHORIZATION_STATUSES)
        raise ValidationFailed([Problem("status", f"must be one of {listed}")])
    with uow:
        session = uow.session
        row = _by_number(session, number)
        if row is None:
            raise NotFound(f"no authorization {number}")
        row.status = status
        audit.record(session, actor, "update", "authorization", [row.id], detail=status)
        member = session.get(Member, row.member_id)
        assert member is not None
        result = _read(row, member.member_number)
        uow.commit()
    return result


def list_authorizations(
    *, uow: UnitOfWork, actor: Principal, member_id: str | None = None
) -> list[AuthorizationRead]:
    """Authorizations of a member, or all of them, for TPA staff."""
    if actor.role not in TPA_STAFF:
        raise Forbidden("authorizations are for TPA staff")
    with uow:
        session = uow.session
        query = select(AuthorizationRow, Member.member_number).join(
            Member, Member.id == AuthorizationRow.member_id
        )
        if member_id is not None:
            member = member_by_number(session, member_id)
            if member is None:
                raise NotFound(f"no member {member_id}")
            query = query.where(AuthorizationRow.member_id == member.id)
        rows = session.execute(
            query.order_by(AuthorizationRow.start_date, AuthorizationRow.number)
        ).all()
        return [_read(row, number) for row, number in rows]


def _by_number(session: Session, number: str) -> AuthorizationRow | None:
    return session.scalars(
        select(AuthorizationRow).where(AuthorizationRow.number == number)
    ).one_or_none()


def _read(row: AuthorizationRow, member_number: str) -> AuthorizationRead:
    return AuthorizationRead(
        number=row.number,
        member_id=member_number,
        start=row.start_date,
        end=row.end_date,
        categories=list(split_codes(row.categories)),
        procedures=list(split_codes(row.procedures)),
        units=row.units_e4,
        status=row.status,
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
    )
