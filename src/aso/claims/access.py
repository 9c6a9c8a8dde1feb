"""Who may see a member's claims and accumulators (DESIGN 1, HIPAA minimum necessary).

TPA staff see everyone's; a member sees its own and, as a subscriber, its minor dependents'
(``Principal.may_see_member_phi``); anyone else gets NotFound, exactly as for a record that does
not exist, so that existence never leaks.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from aso.errors import NotFound
from aso.members.domain import ADULT_AGE, age_on
from aso.members.models import Member
from aso.members.repository import member_by_number
from aso.security.domain import Principal


def may_see(actor: Principal, member: Member, today: date) -> bool:
    adult = age_on(member.birth_date, today) >= ADULT_AGE
    return actor.may_see_member_phi(family_id=member.family_id, member_id=member.id, adult=adult)


def visible_member(session: Session, actor: Principal, number: str, today: date) -> Member:
    """The member with this public id, if the actor may see its records."""
    member = member_by_number(session, number)
    if member is None or not may_see(actor, member, today):
        raise NotFound(f"no member {number}")
    return member
