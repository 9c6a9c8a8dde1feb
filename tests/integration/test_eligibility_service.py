"""The eligibility check through the database, on SQLite and PostgreSQL: each answer and reason,
both ways of naming the member, the audit entry, and who may ask."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.employers import service as employers
from aso.employers.schemas import EmployerCreate, PlanYearCreate
from aso.errors import Forbidden, NotFound, ValidationFailed
from aso.members import service
from aso.members.crypto import SsnCipher
from aso.members.repository import member_by_number
from aso.members.schemas import CoverageCreate, EligibilityRead, MemberCreate, MemberRead
from aso.plans.domain import Line, Tier
from aso.plans.templates import get_template
from aso.security.domain import SYSTEM, Principal, Role
from aso.security.models import AuditEntry

TODAY = date(2026, 5, 10)
ADDRESS = dict(address1="1 Main St", city="Columbus", state="OH", zip="43215")
PROVIDER = Principal(user_id=None, username="clinic", role=Role.PROVIDER)


class Family:
    """Ann (subscriber, E001) on PPO1500 family from 2026-02-01, terminated 2026-04-30;
    Bo her spouse with her; Cy her child, who turns 26 on 2026-06-15."""

    def __init__(self, app: App, uow: UnitOfWork) -> None:
        self.uow = uow
        cipher = SsnCipher(app.settings.resolved_ssn_key())
        acme = employers.create_employer(
            uow=uow, actor=SYSTEM, data=EmployerCreate(name="Acme", ein="31-1234567", **ADDRESS)
        )
        self.employer_id = acme.id
        employers.add_plan_year(
            uow=uow,
            actor=SYSTEM,
            employer_id=acme.id,
            data=PlanYearCreate(start=date(2026, 1, 1), end=date(2026, 12, 31)),
        )
        employers.offer_plan(
            uow=uow, actor=SYSTEM, employer_id=acme.id, design=get_template("PPO1500")
        )

        def add(data: MemberCreate) -> MemberRead:
            return service.add_member(
                uow=uow, actor=SYSTEM, employer_id=acme.id, data=data, cipher=cipher, today=TODAY
            )

        self.ann = add(
            MemberCreate(
                relationship="subscriber",
                employee_number="E001",
                first_name="Ann",
                last_name="Lee",
                birth_date=date(1980, 3, 2),
                sex="F",
                **ADDRESS,
            )
        )
        self.bo = add(
            MemberCreate(
                relationship="spouse",
                subscriber=self.ann.member_id,
                first_name="Bo",
                last_name="Lee",
                birth_date=date(1981, 7, 19),
                sex="M",
            )
        )
        self.cy = add(
            MemberCreate(
                relationship="child",
                subscriber=self.ann.member_id,
                first_name="Cy",
                last_name="Lee",
                birth_date=date(2000, 6, 15),
                sex="M",
            )
        )
        for member in (self.ann, self.bo, self.cy):
            service.add_coverage(
                uow=uow,
                actor=SYSTEM,
                member_id=member.member_id,
                today=TODAY,
                data=CoverageCreate(plan_id="PPO1500", tier=Tier.FAMILY, start=date(2026, 2, 1)),
            )

    def check(
        self, on: date, line: Line = Line.MEDICAL, actor: Principal = SYSTEM, **who: object
    ) -> EligibilityRead:
        return service.check_eligibility(
            uow=self.uow,
            actor=actor,
            line=line,
            on=on,
            today=TODAY,
            **who,
        )


@pytest.fixture
def family(app: App, uow: UnitOfWork) -> Family:
    return Family(app, uow)


def test_covered_with_plan_tier_and_dates(family: Family) -> None:
    result = family.check(date(2026, 3, 15), member_id=family.ann.member_id)
    assert result.covered and result.reason is None and result.carc is None
    assert (result.plan_id, result.tier, result.coverage_start, result.coverage_end) == (
        "PPO1500",
        Tier.FAMILY,
        date(2026, 2, 1),
        None,
    )
    assert result.plan_name == get_template("PPO1500").name
    assert result.covered_through == date(2026, 12, 31)


def test_each_reason_why_not(family: Family) -> None:
    ann = family.ann.member_id
    assert family.check(date(2026, 3, 15), member_id="M000000000").reason == "no_such_member"
    no_line = family.check(date(2026, 3, 15), Line.DENTAL, member_id=ann)
    assert (no_line.reason, no_line.carc, no_line.message) == (
        "no_coverage_in_line",
        "109",
        "no dental coverage",
    )
    early = family.check(date(2026, 1, 20), member_id=ann)
    assert (early.reason, early.carc, early.message) == (
        "before_coverage_start",
        "26",
        "before the first medical coverage starts on 2026-02-01",
    )
    service.change_coverage_end(
        uow=family.uow,
        actor=SYSTEM,
        member_id=ann,
        line=Line.MEDICAL,
        end=date(2026, 4, 30),
        today=TODAY,
    )
    assert family.check(date(2026, 4, 30), member_id=ann).covered
    ended = family.check(date(2026, 5, 1), member_id=ann)
    assert (ended.reason, ended.carc, ended.message, ended.coverage_end) == (
        "coverage_ended",
        "27",
        "medical coverage ended on 2026-04-30",
        date(2026, 4, 30),
    )
    bo_after = family.check(date(2026, 5, 1), member_id=family.bo.member_id)
    assert bo_after.reason == "coverage_ended"  # the spouse's coverage ended with hers


def test_a_child_over_26_is_not_covered_and_the_answer_says_why(family: Family) -> None:
    cy = family.cy.member_id
    assert family.check(date(2026, 6, 30), member_id=cy).covered
    result = family.check(date(2026, 7, 1), member_id=cy)
    assert (result.covered, result.reason, result.carc) == (False, "child_over_26", "27")
    assert result.message == (
        "child over 26: turned 26 on 2026-06-15, covered to the end of that month (2026-06-30)"
    )


def test_by_subscriber_employee_number_or_member_id_with_name_and_birth_date(
    family: Family,
) -> None:
    on = date(2026, 3, 15)
    by_number = family.check(
        on, subscriber="E001", first_name="bo", last_name="LEE", birth_date=date(1981, 7, 19)
    )
    assert by_number.member_id == family.bo.member_id and by_number.covered
    by_member_id = family.check(
        on,
        subscriber=family.ann.member_id,
        first_name="Cy",
        last_name="Lee",
        birth_date=date(2000, 6, 15),
        employer_ein=None,
    )
    assert by_member_id.member_id == family.cy.member_id
    wrong_birth = family.check(
        on, subscriber="E001", first_name="Bo", last_name="Lee", birth_date=date(1981, 7, 20)
    )
    assert wrong_birth.reason == "no_such_member" and wrong_birth.member_id is None
    other_employer = family.check(
        on,
        subscriber="E001",
        first_name="Bo",
        last_name="Lee",
        birth_date=date(1981, 7, 19),
        employer_ein="27-7654321",
    )
    assert other_employer.reason == "no_such_member"
    with pytest.raises(ValidationFailed, match="give a member id, or a subscriber"):
        family.check(on, subscriber="E001", first_name="Bo")


def test_each_check_of_a_member_is_audit_logged(family: Family) -> None:
    family.check(date(2026, 3, 15), member_id=family.cy.member_id, actor=PROVIDER)
    family.check(date(2026, 3, 15), member_id="M000000000", actor=PROVIDER)
    with family.uow as uow:
        rows = uow.session.execute(
            select(
                AuditEntry.action, AuditEntry.record_type, AuditEntry.detail, AuditEntry.username
            ).where(AuditEntry.detail == "eligibility")
        ).all()
        assert [tuple(r) for r in rows] == [("view", "member", "eligibility", "clinic")]


def test_who_may_ask(family: Family) -> None:
    on = date(2026, 3, 15)
    hr = Principal(user_id=None, username="hr", role=Role.EMPLOYER, employer_id=family.employer_id)
    with pytest.raises(Forbidden):
        family.check(on, member_id=family.ann.member_id, actor=hr)
    with family.uow as uow:
        ann_row = member_by_number(uow.session, family.ann.member_id)
        bo_row = member_by_number(uow.session, family.bo.member_id)
        assert ann_row is not None and bo_row is not None
        as_bo = Principal(
            user_id=None,
            username="bo",
            role=Role.MEMBER,
            member_id=bo_row.id,
            family_id=ann_row.id,
        )
    assert family.check(on, member_id=family.bo.member_id, actor=as_bo).covered
    with pytest.raises(Forbidden):
        family.check(on, member_id=family.ann.member_id, actor=as_bo)
    with pytest.raises(NotFound):
        family.check(on, member_id="M000000000", actor=as_bo)
