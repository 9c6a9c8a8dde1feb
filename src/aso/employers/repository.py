"""Loading employers, plan years and offered plans. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from aso.employers.models import Employer, OfferedPlan, PlanYearRow
from aso.errors import NotFound


def employer_by_ein(session: Session, ein: str) -> Employer | None:
    return session.scalars(select(Employer).where(Employer.ein == ein)).one_or_none()


def get_employer(session: Session, employer_id: int) -> Employer:
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise NotFound(f"no employer {employer_id}")
    return employer


def list_employers(session: Session) -> Sequence[Employer]:
    return session.scalars(
        select(Employer)
        .options(selectinload(Employer.plan_years).selectinload(PlanYearRow.plans))
        .order_by(Employer.name, Employer.id)
    ).all()


def plan_years(session: Session, employer_id: int) -> Sequence[PlanYearRow]:
    return session.scalars(
        select(PlanYearRow)
        .where(PlanYearRow.employer_id == employer_id)
        .order_by(PlanYearRow.start_date)
    ).all()


def plan_year_containing(session: Session, employer_id: int, day: date) -> PlanYearRow | None:
    return session.scalars(
        select(PlanYearRow).where(
            PlanYearRow.employer_id == employer_id,
            PlanYearRow.start_date <= day,
            PlanYearRow.end_date >= day,
        )
    ).one_or_none()


def offered_plans(session: Session, employer_id: int) -> Sequence[OfferedPlan]:
    return session.scalars(
        select(OfferedPlan)
        .where(OfferedPlan.employer_id == employer_id)
        .options(selectinload(OfferedPlan.plan_year))
        .order_by(OfferedPlan.period_start, OfferedPlan.code)
    ).all()


def offered_plan(session: Session, *, plan_year_id: int, code: str) -> OfferedPlan | None:
    return session.scalars(
        select(OfferedPlan).where(
            OfferedPlan.plan_year_id == plan_year_id, OfferedPlan.code == code
        )
    ).one_or_none()
