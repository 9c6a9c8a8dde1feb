"""Employer use cases: create an employer, add a plan year, offer a plan, list and read them.

Each use case opens the unit of work, checks who is asking, calls the domain rules and commits
once. TPA administrators set employers and plan years up; an employer's benefits manager may also
offer plans for its own employer (it designs its plans, DESIGN section 1).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aso.db.uow import UnitOfWork
from aso.employers import repository as repo
from aso.employers.domain import (
    Address,
    PlanYear,
    address_problems,
    design_problems,
    normalize_ein,
)
from aso.employers.domain import plan_year_problems as year_problems
from aso.employers.models import Employer, OfferedPlan, PlanYearRow
from aso.employers.schemas import (
    EmployerCreate,
    EmployerRead,
    OfferedPlanRead,
    PlanYearCreate,
    PlanYearRead,
)
from aso.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from aso.plans.domain import PlanDesign
from aso.security import audit
from aso.security.domain import Principal, Role


def create_employer(*, uow: UnitOfWork, actor: Principal, data: EmployerCreate) -> EmployerRead:
    require_admin(actor)
    address = Address(data.address1, data.city, data.state, data.zip, data.address2)
    problems = address_problems(address)
    if problems:
        raise ValidationFailed(problems)
    with uow:
        session = uow.session
        if repo.employer_by_ein(session, data.ein) is not None:
            raise Conflict(f"an employer with EIN {data.ein} already exists")
        employer = Employer(**data.model_dump())
        session.add(employer)
        session.flush()
        audit.record(session, actor, "create", "employer", [employer.id])
        result = employer_read(employer, [])
        uow.commit()
    return result


def add_plan_year(
    *, uow: UnitOfWork, actor: Principal, employer_id: int, data: PlanYearCreate
) -> PlanYearRead:
    require_admin(actor)
    with uow:
        session = uow.session
        visible_employer(session, actor, employer_id)
        year = PlanYear(data.start, data.end, data.runout_months)
        existing = [to_plan_year(row) for row in repo.plan_years(session, employer_id)]
        problems = year_problems(year, existing)
        if problems:
            raise ValidationFailed(problems)
        row = PlanYearRow(
            employer_id=employer_id,
            start_date=data.start,
            end_date=data.end,
            runout_months=data.runout_months,
        )
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", "plan_year", [row.id])
        result = plan_year_read(row, [])
        uow.commit()
    return result


def offer_plan(
    *, uow: UnitOfWork, actor: Principal, employer_id: int, design: PlanDesign
) -> OfferedPlanRead:
    """Offer a plan design in the plan year that contains its period; its id must be new there."""
    if actor.role not in (Role.ADMIN, Role.EMPLOYER):
        raise Forbidden("only an administrator or the employer's benefits manager offers plans")
    with uow:
        session = uow.session
        visible_employer(session, actor, employer_id)
        row_year = repo.plan_year_containing(session, employer_id, design.period.start)
        if row_year is None:
            raise ValidationFailed(
                [
                    Problem(
                        "period.start",
                        f"no plan year of this employer contains "
                        f"{design.period.start}: add the plan year first",
                    )
                ]
            )
        problems = design_problems(design, to_plan_year(row_year))
        if problems:
            raise ValidationFailed(problems)
        if repo.offered_plan(session, plan_year_id=row_year.id, code=design.id) is not None:
            raise Conflict(
                f"plan {design.id} is already offered in the plan year starting "
                f"{row_year.start_date}"
            )
        plan = OfferedPlan(
            employer_id=employer_id,
            plan_year_id=row_year.id,
            code=design.id,
            line=design.line.value,
            name=design.name,
            period_start=design.period.start,
            period_end=design.period.end,
            design_json=design.model_dump_json(by_alias=True, exclude_none=True),
        )
        session.add(plan)
        try:
            session.flush()
        except IntegrityError as exc:  # a concurrent offer of the same id
            raise Conflict(f"plan {design.id} is already offered in that plan year") from exc
        audit.record(session, actor, "create", "plan", [plan.id])
        result = offered_plan_read(plan)
        uow.commit()
    return result


def list_employers(*, uow: UnitOfWork, actor: Principal) -> list[EmployerRead]:
    """Every employer the actor may see, with plan years and plans (no member data)."""
    with uow:
        return [
            employer_read(e, e.plan_years)
            for e in repo.list_employers(uow.session)
            if actor.may_see_employer(e.id)
        ]


def get_employer(*, uow: UnitOfWork, actor: Principal, employer_id: int) -> EmployerRead:
    with uow:
        employer = visible_employer(uow.session, actor, employer_id)
        return employer_read(employer, employer.plan_years)


def find_employer(*, uow: UnitOfWork, actor: Principal, ein: str) -> EmployerRead:
    """The employer with this EIN (written with or without the hyphen)."""
    normalized = _ein(ein)
    with uow:
        employer = repo.employer_by_ein(uow.session, normalized)
        if employer is None or not actor.may_see_employer(employer.id):
            raise NotFound(f"no employer with EIN {normalized}")
        return employer_read(employer, employer.plan_years)


def employer_id_by_ein(*, uow: UnitOfWork, ein: str) -> int:
    """The database id of the employer with this EIN, for commands run on the server (such as
    tying an employer user to its employer)."""
    normalized = _ein(ein)
    with uow:
        employer = repo.employer_by_ein(uow.session, normalized)
        if employer is None:
            raise NotFound(f"no employer with EIN {normalized}")
        return employer.id


def _ein(text: str) -> str:
    try:
        return normalize_ein(text)
    except ValueError as exc:
        raise ValidationFailed([Problem("ein", str(exc))]) from exc


# helpers shared with the members package ---------------------------------------------------


def require_admin(actor: Principal) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden("only a TPA administrator may do this")


def visible_employer(session: Session, actor: Principal, employer_id: int) -> Employer:
    """The employer, or NotFound when it does not exist or the actor may not see it (so that
    another employer's existence is never revealed)."""
    employer = session.get(Employer, employer_id)
    if employer is None or not actor.may_see_employer(employer_id):
        raise NotFound(f"no employer {employer_id}")
    return employer


def to_plan_year(row: PlanYearRow) -> PlanYear:
    return PlanYear(row.start_date, row.end_date, row.runout_months)


def offered_plan_read(plan: OfferedPlan) -> OfferedPlanRead:
    return OfferedPlanRead(
        id=plan.id,
        plan_id=plan.code,
        line=plan.line,
        name=plan.name,
        period_start=plan.period_start,
        period_end=plan.period_end,
    )


def plan_year_read(row: PlanYearRow, plans: list[OfferedPlan]) -> PlanYearRead:
    return PlanYearRead(
        id=row.id,
        start=row.start_date,
        end=row.end_date,
        runout_months=row.runout_months,
        runout_end=to_plan_year(row).runout_end,
        plans=[offered_plan_read(p) for p in plans],
    )


def employer_read(employer: Employer, years: list[PlanYearRow]) -> EmployerRead:
    return EmployerRead(
        id=employer.id,
        ein=employer.ein,
        name=employer.name,
        address1=employer.address1,
        address2=employer.address2,
        city=employer.city,
        state=employer.state,
        zip=employer.zip,
        contact_name=employer.contact_name,
        contact_email=employer.contact_email,
        contact_phone=employer.contact_phone,
        plan_years=[plan_year_read(y, y.plans) for y in years],
    )
