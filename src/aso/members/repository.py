"""Loading and saving members and coverages. Never commits."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from aso.employers.models import OfferedPlan
from aso.members.domain import CoverageSpan, Person, Relationship, new_member_id
from aso.members.models import CensusImport, Coverage, Member
from aso.plans.domain import Line, Tier

_WITH_COVERAGE = selectinload(Member.coverages).selectinload(Coverage.plan)


def member_by_number(session: Session, member_number: str) -> Member | None:
    return session.scalars(
        select(Member).where(Member.member_number == member_number.strip().upper())
    ).one_or_none()


def family(session: Session, subscriber_id: int) -> list[Member]:
    """The subscriber first, then its dependents in birth order, with their coverages."""
    rows = session.scalars(
        select(Member)
        .where(or_(Member.id == subscriber_id, Member.subscriber_id == subscriber_id))
        .options(_WITH_COVERAGE)
        .order_by(Member.subscriber_id.is_not(None), Member.birth_date, Member.id)
    ).all()
    return list(rows)


def members_of_employer(session: Session, employer_id: int) -> Sequence[Member]:
    return session.scalars(
        select(Member)
        .where(Member.employer_id == employer_id)
        .options(_WITH_COVERAGE)
        .order_by(Member.last_name, Member.first_name, Member.id)
    ).all()


def subscribers_by_employee_number(
    session: Session, employee_number: str, employer_id: int | None = None
) -> Sequence[Member]:
    query = select(Member).where(Member.employee_number == employee_number)
    if employer_id is not None:
        query = query.where(Member.employer_id == employer_id)
    return session.scalars(query).all()


def allocate_member_numbers(session: Session, count: int, rng: random.Random) -> list[str]:
    """``count`` new member ids that no member has yet (checked in one query per attempt)."""
    chosen: list[str] = []
    while len(chosen) < count:
        wanted = count - len(chosen)
        candidates = list(dict.fromkeys(new_member_id(rng) for _ in range(wanted)))
        taken = set(
            session.scalars(
                select(Member.member_number).where(Member.member_number.in_(candidates))
            )
        )
        chosen.extend(c for c in candidates if c not in taken and c not in chosen)
    return chosen[:count]


def person(member: Member) -> Person:
    return Person(Relationship(member.relationship), member.birth_date)


def span(coverage: Coverage) -> CoverageSpan:
    plan = coverage.plan
    return CoverageSpan(
        line=Line(coverage.line),
        plan_code=plan.code,
        plan_name=plan.name,
        tier=Tier(coverage.tier),
        start=coverage.start_date,
        end=coverage.end_date,
        plan_end=plan.period_end,
        id=coverage.id,
    )


def plans_by_code(
    session: Session, employer_id: int, codes: Collection[str]
) -> Sequence[OfferedPlan]:
    return session.scalars(
        select(OfferedPlan).where(
            OfferedPlan.employer_id == employer_id, OfferedPlan.code.in_(list(codes))
        )
    ).all()


def census_import(session: Session, employer_id: int, sha256: str) -> CensusImport | None:
    return session.scalars(
        select(CensusImport).where(
            CensusImport.employer_id == employer_id, CensusImport.sha256 == sha256
        )
    ).one_or_none()


def enrollment_counts(
    session: Session, employer_id: int, on: date
) -> list[tuple[str, str, str, int]]:
    """(line, tier, relationship, members) for coverages in force on ``on``: coverages are
    stored already cut to a child's age limit, and never outlive their plan's period."""
    rows = session.execute(
        select(Coverage.line, Coverage.tier, Member.relationship, func.count(Member.id))
        .join(Member, Member.id == Coverage.member_id)
        .join(OfferedPlan, OfferedPlan.id == Coverage.plan_id)
        .where(
            Member.employer_id == employer_id,
            Coverage.start_date <= on,
            or_(Coverage.end_date.is_(None), Coverage.end_date >= on),
            OfferedPlan.period_end >= on,
        )
        .group_by(Coverage.line, Coverage.tier, Member.relationship)
    ).all()
    return [(line, tier, rel, int(n)) for line, tier, rel, n in rows]


def member_counts(session: Session, employer_id: int) -> tuple[int, int]:
    """(subscribers, members) on file for the employer."""
    subscribers, members = session.execute(
        select(
            func.count(Member.id).filter(Member.relationship == Relationship.SUBSCRIBER.value),
            func.count(Member.id),
        ).where(Member.employer_id == employer_id)
    ).one()
    return int(subscribers), int(members)


def covered_member_count(session: Session, employer_id: int, on: date) -> int:
    return int(
        session.scalar(
            select(func.count(func.distinct(Coverage.member_id)))
            .join(Member, Member.id == Coverage.member_id)
            .join(OfferedPlan, OfferedPlan.id == Coverage.plan_id)
            .where(
                Member.employer_id == employer_id,
                Coverage.start_date <= on,
                or_(Coverage.end_date.is_(None), Coverage.end_date >= on),
                OfferedPlan.period_end >= on,
            )
        )
        or 0
    )
