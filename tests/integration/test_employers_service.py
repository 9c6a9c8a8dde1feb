"""Employer use cases on SQLite and PostgreSQL: creation with the EIN check, plan years, plans
offered per plan year (the design stored whole and read back), and who may see what."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from aso.db.uow import UnitOfWork
from aso.employers import service
from aso.employers.models import OfferedPlan
from aso.employers.schemas import EmployerCreate, EmployerRead, PlanYearCreate
from aso.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aso.plans.domain import Period, PlanDesign
from aso.plans.templates import get_template
from aso.security.domain import SYSTEM, Principal, Role
from aso.security.models import AuditEntry

ADDRESS = dict(address1="1 Main St", city="Columbus", state="OH", zip="43215")


def employer(uow: UnitOfWork, ein: str = "31-1234567", name: str = "Acme") -> EmployerRead:
    return service.create_employer(
        uow=uow, actor=SYSTEM, data=EmployerCreate(name=name, ein=ein, **ADDRESS)
    )


def year_2026(uow: UnitOfWork, employer_id: int) -> None:
    service.add_plan_year(
        uow=uow,
        actor=SYSTEM,
        employer_id=employer_id,
        data=PlanYearCreate(start=date(2026, 1, 1), end=date(2026, 12, 31), runout_months=3),
    )


def test_create_an_employer_and_read_it_back(uow: UnitOfWork) -> None:
    created = employer(uow)
    assert created.ein == "31-1234567"
    found = service.find_employer(uow=uow, actor=SYSTEM, ein="311234567")
    assert found == created
    assert service.get_employer(uow=uow, actor=SYSTEM, employer_id=created.id).name == "Acme"
    with uow:
        rows = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.record_type == "employer")
        ).all()
        assert [(a.action, a.record_id) for a in rows] == [("create", str(created.id))]


def test_an_ein_is_taken_once(uow: UnitOfWork) -> None:
    employer(uow)
    with pytest.raises(Conflict, match="EIN 31-1234567 already exists"):
        employer(uow, name="Other")


def test_a_bad_address_is_refused(uow: UnitOfWork) -> None:
    data = EmployerCreate(name="Acme", ein="31-1234567", **(ADDRESS | {"state": "QQ"}))
    with pytest.raises(ValidationFailed, match="state: 'QQ' is not a US state code"):
        service.create_employer(uow=uow, actor=SYSTEM, data=data)


def test_only_an_administrator_creates_employers(uow: UnitOfWork) -> None:
    examiner = Principal(user_id=None, username="ex", role=Role.EXAMINER)
    with pytest.raises(Forbidden):
        service.create_employer(
            uow=uow, actor=examiner, data=EmployerCreate(name="A", ein="31-1234567", **ADDRESS)
        )


def test_plan_years_do_not_overlap(uow: UnitOfWork) -> None:
    acme = employer(uow)
    year_2026(uow, acme.id)
    with pytest.raises(ValidationFailed, match=r"overlaps the plan year 2026-01-01\.\.2026-12-31"):
        service.add_plan_year(
            uow=uow,
            actor=SYSTEM,
            employer_id=acme.id,
            data=PlanYearCreate(start=date(2026, 7, 1), end=date(2027, 6, 30)),
        )
    years = service.get_employer(uow=uow, actor=SYSTEM, employer_id=acme.id).plan_years
    assert [(y.start, y.runout_end) for y in years] == [(date(2026, 1, 1), date(2027, 3, 31))]


def test_an_offered_plan_keeps_its_whole_design(uow: UnitOfWork) -> None:
    acme = employer(uow)
    year_2026(uow, acme.id)
    design = get_template("PPO1500")
    offered = service.offer_plan(uow=uow, actor=SYSTEM, employer_id=acme.id, design=design)
    assert (offered.plan_id, offered.line, offered.name) == ("PPO1500", "medical", design.name)
    with uow:
        stored = uow.session.get(OfferedPlan, offered.id)
        assert stored is not None
        assert stored.design() == design
    shown = service.get_employer(uow=uow, actor=SYSTEM, employer_id=acme.id)
    assert [p.plan_id for p in shown.plan_years[0].plans] == ["PPO1500"]


def test_a_plan_id_is_offered_once_per_plan_year(uow: UnitOfWork) -> None:
    acme = employer(uow)
    year_2026(uow, acme.id)
    design = get_template("DENTAL-PPO")
    service.offer_plan(uow=uow, actor=SYSTEM, employer_id=acme.id, design=design)
    with pytest.raises(Conflict, match="already offered"):
        service.offer_plan(uow=uow, actor=SYSTEM, employer_id=acme.id, design=design)
    other = employer(uow, ein="27-7654321", name="Other")
    year_2026(uow, other.id)
    service.offer_plan(uow=uow, actor=SYSTEM, employer_id=other.id, design=design)


def test_the_database_refuses_a_second_plan_with_the_same_id_in_a_plan_year(
    uow: UnitOfWork,
) -> None:
    acme = employer(uow)
    year_2026(uow, acme.id)
    offered = service.offer_plan(
        uow=uow, actor=SYSTEM, employer_id=acme.id, design=get_template("VISION")
    )
    with uow:
        first = uow.session.get(OfferedPlan, offered.id)
        assert first is not None
        copy = OfferedPlan(
            employer_id=first.employer_id,
            plan_year_id=first.plan_year_id,
            code=first.code,
            line=first.line,
            name="copy",
            period_start=first.period_start,
            period_end=first.period_end,
            design_json=first.design_json,
        )
        uow.session.add(copy)
        with pytest.raises(IntegrityError):
            uow.session.flush()


def _moved(design: PlanDesign, start: date, end: date) -> PlanDesign:
    return design.model_copy(update={"period": Period(start=start, end=end)})


def test_a_design_outside_every_plan_year_is_refused(uow: UnitOfWork) -> None:
    acme = employer(uow)
    year_2026(uow, acme.id)
    straddling = _moved(get_template("PPO1500"), date(2026, 7, 1), date(2027, 6, 30))
    with pytest.raises(ValidationFailed, match="does not fall in the plan year"):
        service.offer_plan(uow=uow, actor=SYSTEM, employer_id=acme.id, design=straddling)
    later = _moved(get_template("PPO1500"), date(2027, 1, 1), date(2027, 12, 31))
    with pytest.raises(ValidationFailed, match="no plan year of this employer contains"):
        service.offer_plan(uow=uow, actor=SYSTEM, employer_id=acme.id, design=later)
    with uow:
        assert uow.session.scalar(select(func.count(OfferedPlan.id))) == 0


def test_an_employer_user_sees_only_its_own_employer(uow: UnitOfWork) -> None:
    acme = employer(uow)
    other = employer(uow, ein="27-7654321", name="Other")
    manager = Principal(user_id=None, username="hr", role=Role.EMPLOYER, employer_id=acme.id)
    assert [e.ein for e in service.list_employers(uow=uow, actor=manager)] == ["31-1234567"]
    with pytest.raises(NotFound):
        service.get_employer(uow=uow, actor=manager, employer_id=other.id)
    with pytest.raises(NotFound):
        service.find_employer(uow=uow, actor=manager, ein=other.ein)
    member = Principal(user_id=None, username="m", role=Role.MEMBER, family_id=1, member_id=1)
    assert service.list_employers(uow=uow, actor=member) == []


def test_an_employer_user_offers_plans_for_its_own_employer_only(uow: UnitOfWork) -> None:
    acme = employer(uow)
    other = employer(uow, ein="27-7654321", name="Other")
    year_2026(uow, acme.id)
    year_2026(uow, other.id)
    manager = Principal(user_id=None, username="hr", role=Role.EMPLOYER, employer_id=acme.id)
    design = get_template("VISION")
    service.offer_plan(uow=uow, actor=manager, employer_id=acme.id, design=design)
    with pytest.raises(NotFound):
        service.offer_plan(uow=uow, actor=manager, employer_id=other.id, design=design)


def test_employer_id_by_ein(uow: UnitOfWork) -> None:
    acme = employer(uow)
    assert service.employer_id_by_ein(uow=uow, ein="311234567") == acme.id
    with pytest.raises(NotFound):
        service.employer_id_by_ein(uow=uow, ein="27-7654321")
    with pytest.raises(ValidationFailed, match="ein: "):
        service.employer_id_by_ein(uow=uow, ein="00-0000000")
