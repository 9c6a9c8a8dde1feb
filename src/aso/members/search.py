"""Finding a member from what a caller says on the phone: the member id, the employee number,
or the name ("Lee", "Lee Ann", "Ann Lee"), for TPA staff (DESIGN 1: the service representative
answers member and provider calls).

A word with a digit is an employee number (names have none). Names match case-insensitively by
prefix of the last name (and of the first name when two words are given, in either order),
through the index on ``lower(last_name), lower(first_name)``: a range on the lower-cased name,
which both SQLite and PostgreSQL answer from the index among millions of members. Results are
audit-logged as views of the members found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from aso.db.uow import UnitOfWork
from aso.employers.models import Employer
from aso.errors import Forbidden, Problem, ValidationFailed
from aso.members.models import Member
from aso.members.schemas import MemberRead
from aso.members.service import member_read
from aso.security import audit
from aso.security.domain import Principal

MEMBER_ID = re.compile(r"^M\d{9}$", re.IGNORECASE)
FOUND_AT_MOST = 50


def find_members(
    *, uow: UnitOfWork, actor: Principal, text: str, limit: int = FOUND_AT_MOST
) -> list[MemberRead]:
    """The members matching ``text``, by last then first name (TPA staff only)."""
    if not actor.is_staff:
        raise Forbidden("finding members is for TPA staff")
    words = text.split()
    if not words or any(len(w) > 60 for w in words):
        raise ValidationFailed([Problem("q", "a member id, an employee number or a name")])
    with uow:
        session = uow.session
        found = session.scalars(_query(words).limit(limit)).all()
        result = _reads(session, found)
        audit.record(session, actor, "view", "member", [m.id for m in found], detail="search")
        uow.commit()
    return result


def _query(words: list[str]) -> Select[Member]:
    order = (func.lower(Member.last_name), func.lower(Member.first_name), Member.id)
    if len(words) == 1 and MEMBER_ID.match(words[0]):
        return select(Member).where(Member.member_number == words[0].upper())
    if len(words) == 1 and any(char.isdigit() for char in words[0]):
        return select(Member).where(Member.employee_number == words[0]).order_by(*order)
    if len(words) == 1:
        return (
            select(Member).where(_starts(func.lower(Member.last_name), words[0])).order_by(*order)
        )
    first, second = words[0], " ".join(words[1:])
    return (
        select(Member)
        .where(
            or_(
                and_(
                    _starts(func.lower(Member.last_name), first),
                    _starts(func.lower(Member.first_name), second),
                ),
                and_(
                    _starts(func.lower(Member.last_name), second),
                    _starts(func.lower(Member.first_name), first),
                ),
            )
        )
        .order_by(*order)
    )


def _starts(column: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix`` (lower-cased), as a range an index answers."""
    low = prefix.lower()
    return and_(column >= low, column < low + "\uffff")


def _reads(session: Session, members: Sequence[Member]) -> list[MemberRead]:
    employers = {
        e.id: e
        for e in session.scalars(
            select(Employer).where(Employer.id.in_({m.employer_id for m in members}))
        )
    }
    heads = {
        m.id: m.member_number
        for m in session.scalars(
            select(Member).where(
                Member.id.in_({m.subscriber_id for m in members if m.subscriber_id})
            )
        )
    }
    return [
        member_read(m, employers[m.employer_id], heads.get(m.subscriber_id or 0)) for m in members
    ]
