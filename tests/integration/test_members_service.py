"""Member and coverage use cases on SQLite and PostgreSQL: SSNs encrypted at rest and masked,
overlaps refused, tiers checked, children cut at 26, retroactive terminations, audit-logged reads
and scoping by role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.employers import service as employers
from aso.employers.schemas import EmployerCreate, PlanYearCreate
from aso.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aso.members import service
from aso.members.crypto import SsnCipher
from aso.members.domain import is_member_id
from aso.members.models import Coverage, Member
from aso.members.schemas import CoverageCreate, MemberCreate, MemberRead
from aso.plans.domain import Line, Tier
from aso.plans.templates import get_template
from aso.security.domain import SYSTEM, Principal, Role
from aso.security.models import AuditEntry

TODAY = date(2026, 5, 10)
START = date(2026, 1, 1)
ADDRESS = dict(address1="1 Main St", city="Columbus", state="OH", zip="43215")


@dataclass
class World:
    app: App
    uow: UnitOfWork
    cipher: SsnCipher
    employer_id: int

    def subscriber(self, number: str, first: str = "Ann", ssn: str | None = None) -> MemberRead:
        data = MemberCreate(
            relationship="subscriber",
            employee_number=number,
            first_name=first,
            last_name="Lee",
            birth_date=date(1980, 3, 2),
            sex="F",
            ssn=ssn,
            hire_date=date(2015, 6, 1),
            annual_earnings="52000.00",
            employment_class="salaried",
            **ADDRESS,
        )
        return self.add(data)

    def dependent(self, head: MemberRead, relationship: str, first: str, born: date) -> MemberRead:
        data = MemberCreate(
            relationship=relationship,
            subscriber=head.member_id,
            first_name=first,
            last_name="Lee",
            birth_date=born,
            sex="M",
        )
        return self.add(data)

    def add(self, data: MemberCreate) -> MemberRead:
        return service.add_member(
            uow=self.uow,
            actor=SYSTEM,
            employer_id=self.employer_id,
            data=data,
            cipher=self.cipher,
            today=TODAY,
        )

    def cover(
        self,
        member: MemberRead,
        tier: Tier,
        plan: str = "PPO1500",
        start: date = START,
        end: date | None = None,
    ) -> None:
        service.add_coverage(
            uow=self.uow,
            actor=SYSTEM,
            member_id=member.member_id,
            data=CoverageCreate(plan_id=plan, tier=tier, start=start, end=end),
            today=TODAY,
        )

    def read(self, member: MemberRead, actor: Principal = SYSTEM) -> MemberRead:
        return service.get_member(
            uow=self.uow, actor=actor, member_id=member.member_id, today=TODAY
        )


def make_employer(uow: UnitOfWork, ein: str) -> int:
    created = employers.create_employer(
        uow=uow, actor=SYSTEM, data=EmployerCreate(name=f"Employer {ein}", ein=ein, **ADDRESS)
    )
    employers.add_plan_year(
        uow=uow,
        actor=SYSTEM,
        employer_id=created.id,
        data=PlanYearCreate(start=START, end=date(2026, 12, 31)),
    )
    for plan in ("PPO1500", "DENTAL-PPO", "STD60"):
        employers.offer_plan(
            uow=uow, actor=SYSTEM, employer_id=created.id, design=get_template(plan)
        )
    return created.id


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> World:
    cipher = SsnCipher(app.settings.resolved_ssn_key())
    return World(app, uow, cipher, make_employer(uow, "31-1234567"))


def audit_rows(uow: UnitOfWork, action: str, record_type: str) -> list[tuple[str, str | None, str]]:
    """(record id, detail, username) of the audit entries, oldest first."""
    with uow:
        rows = uow.session.execute(
            select(AuditEntry.record_id, AuditEntry.detail, AuditEntry.username)
            .where(AuditEntry.action == action, AuditEntry.record_type == record_type)
            .order_by(AuditEntry.id)
        ).all()
        return [(r[0], r[1], r[2]) for r in rows]


def db_id(uow: UnitOfWork, member: MemberRead) -> int:
    return service.member_pk_by_public_id(uow=uow, member_id=member.member_id)


# SSNs and member ids ------------------------------------------------------------------------


def test_the_ssn_is_encrypted_at_rest_and_shown_only_masked(world: World) -> None:
    ann = world.subscriber("E001", ssn="123-45-6789")
    assert ann.ssn_masked == "***-**-6789"
    assert "123456789" not in ann.model_dump_json()
    assert "123-45-6789" not in ann.model_dump_json()
    with world.uow as uow:
        raw = uow.session.execute(
            text("SELECT * FROM members WHERE member_number = :n"), {"n": ann.member_id}
        ).one()
        assert not any("123456789" in str(v) or "123-45-6789" in str(v) for v in raw)
        row = uow.session.scalars(select(Member).where(Member.member_number == ann.member_id)).one()
        assert row.ssn_encrypted is not None
        assert row.ssn_encrypted != "123456789"
        assert world.cipher.decrypt(row.ssn_encrypted) == "123456789"
        assert row.ssn_last4 == "6789"
        assert row.ssn_digest == world.cipher.digest("123456789")
        other_key = SsnCipher(Fernet.generate_key())
        with pytest.raises(ValueError):
            other_key.decrypt(row.ssn_encrypted)


def test_a_bad_ssn_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed, match="ssn: 666 is not an SSN area number"):
        world.subscriber("E001", ssn="666-12-3456")


def test_members_get_distinct_public_ids_and_a_family(world: World) -> None:
    ann = world.subscriber("E001")
    bo = world.dependent(ann, "spouse", "Bo", date(1981, 7, 19))
    assert is_member_id(ann.member_id) and is_member_id(bo.member_id)
    assert ann.member_id != bo.member_id
    assert bo.subscriber_member_id == ann.member_id and bo.employee_number is None
    assert (bo.address1, bo.city) == ("1 Main St", "Columbus")  # shares the subscriber's
    with pytest.raises(Conflict, match="employee number E001 is already on file"):
        world.subscriber("E001", first="Zed")


def test_a_dependent_needs_a_subscriber_of_the_same_employer(world: World) -> None:
    other = make_employer(world.uow, "27-7654321")
    stranger = World(world.app, world.uow, world.cipher, other).subscriber("X1")
    with pytest.raises(ValidationFailed, match="no subscriber"):
        world.dependent(stranger, "spouse", "Bo", date(1981, 7, 19))


# coverage rules -----------------------------------------------------------------------------


def test_two_coverages_of_one_member_in_one_line_may_not_overlap(world: World) -> None:
    ann = world.subscriber("E001")
    world.cover(ann, Tier.EMPLOYEE, end=date(2026, 6, 30))
    clash = "already has coverage medical PPO1500 employee 2026-01-01..2026-06-30, which overlaps"
    with pytest.raises(Conflict, match=re.escape(clash)):
        world.cover(ann, Tier.EMPLOYEE, start=date(2026, 6, 1))
    world.cover(ann, Tier.EMPLOYEE, start=date(2026, 7, 1))  # the day after: no overlap
    world.cover(ann, Tier.EMPLOYEE, plan="DENTAL-PPO", start=date(2026, 3, 1))  # another line
    assert [(c.line, c.start) for c in world.read(ann).coverages] == [
        (Line.MEDICAL, date(2026, 1, 1)),
        (Line.DENTAL, date(2026, 3, 1)),
        (Line.MEDICAL, date(2026, 7, 1)),
    ]


def test_a_dependent_cannot_be_on_tier_employee(world: World) -> None:
    ann = world.subscriber("E001")
    world.cover(ann, Tier.FAMILY)
    cy = world.dependent(ann, "child", "Cy", date(2012, 1, 5))
    with pytest.raises(ValidationFailed, match="tier: a child cannot be on tier employee"):
        world.cover(cy, Tier.EMPLOYEE)
    world.cover(cy, Tier.FAMILY)


def test_a_dependent_joins_its_subscribers_plan_and_tier(world: World) -> None:
    ann = world.subscriber("E001")
    bo = world.dependent(ann, "spouse", "Bo", date(1981, 7, 19))
    with pytest.raises(ValidationFailed, match="the subscriber has no medical coverage"):
        world.cover(bo, Tier.EMPLOYEE_SPOUSE)
    world.cover(ann, Tier.FAMILY)
    with pytest.raises(ValidationFailed, match="the subscriber is on PPO1500 tier family"):
        world.cover(bo, Tier.EMPLOYEE_SPOUSE)


def test_disability_covers_the_employee_alone(world: World) -> None:
    ann = world.subscriber("E001")
    world.cover(ann, Tier.EMPLOYEE, plan="STD60")
    bo = world.dependent(ann, "spouse", "Bo", date(1981, 7, 19))
    with pytest.raises(ValidationFailed, match="only the employee is covered by std"):
        world.cover(bo, Tier.FAMILY, plan="STD60")


def test_a_plan_not_offered_in_the_plan_year_is_refused(world: World) -> None:
    ann = world.subscriber("E001")
    with pytest.raises(ValidationFailed, match="VISION is not offered in the plan year"):
        world.cover(ann, Tier.EMPLOYEE, plan="VISION")
    with pytest.raises(ValidationFailed, match="PPO1500 is not offered in the plan year"):
        world.cover(ann, Tier.EMPLOYEE, start=date(2027, 1, 1))


def test_a_childs_coverage_is_cut_at_the_end_of_the_month_it_turns_26(world: World) -> None:
    ann = world.subscriber("E001")
    world.cover(ann, Tier.EMPLOYEE_CHILDREN)
    cy = world.dependent(ann, "child", "Cy", date(2000, 6, 15))
    world.cover(cy, Tier.EMPLOYEE_CHILDREN)
    (coverage,) = world.read(cy).coverages
    assert coverage.end == date(2026, 6, 30)
    assert coverage.covered_through == date(2026, 6, 30)
    too_old = world.dependent(ann, "child", "Di", date(1999, 2, 1))
    with pytest.raises(ValidationFailed, match="turned 26 on 2025-02-01"):
        world.cover(too_old, Tier.EMPLOYEE_CHILDREN)


def test_a_retroactive_termination_ends_the_family_and_says_what_changed(world: World) -> None:
    ann = world.subscriber("E001")
    world.cover(ann, Tier.FAMILY)
    bo = world.dependent(ann, "spouse", "Bo", date(1981, 7, 19))
    world.cover(bo, Tier.FAMILY)
    changes = service.change_coverage_end(
        uow=world.uow,
        actor=SYSTEM,
        member_id=ann.member_id,
        line=Line.MEDICAL,
        end=date(2026, 3, 31),
        today=TODAY,
    )
    assert [(c.member_id, c.old_end, c.new_end, c.retroactive) for c in changes] == [
        (ann.member_id, None, date(2026, 3, 31), True),
        (bo.member_id, None, date(2026, 3, 31), True),
    ]
    assert changes[0].description == (
        f"{ann.member_id}: medical PPO1500 coverage from 2026-01-01: end open -> 2026-03-31 "
        "(retroactive termination)"
    )
    assert world.read(bo).coverages[0].end == date(2026, 3, 31)
    logged = audit_rows(world.uow, "update", "coverage")
    assert [detail for _, detail, _ in logged] == [
        "medical PPO1500 coverage from 2026-01-01: end open -> 2026-03-31 (retroactive termination)"
    ] * 2


def test_a_termination_cannot_precede_the_start_and_a_reinstatement_cannot_overlap(
    world: World,
) -> None:
    ann = world.subscriber("E001")
    world.cover(ann, Tier.EMPLOYEE, start=date(2026, 2, 1), end=date(2026, 3, 31))
    with pytest.raises(ValidationFailed, match="before the coverage start"):
        service.change_coverage_end(
            uow=world.uow,
            actor=SYSTEM,
            member_id=ann.member_id,
            line=Line.MEDICAL,
            end=date(2026, 1, 31),
            today=TODAY,
        )
    world.cover(ann, Tier.EMPLOYEE, start=date(2026, 6, 1))
    with pytest.raises(Conflict, match="the new end would overlap"):
        service.change_coverage_end(
            uow=world.uow,
            actor=SYSTEM,
            member_id=ann.member_id,
            line=Line.MEDICAL,
            end=None,
            start=date(2026, 2, 1),
            today=TODAY,
        )
    changes = service.change_coverage_end(
        uow=world.uow,
        actor=SYSTEM,
        member_id=ann.member_id,
        line=Line.MEDICAL,
        end=date(2026, 5, 31),
        start=date(2026, 2, 1),
        today=TODAY,
    )
    assert not changes[0].retroactive  # an extension, not a termination
    with world.uow as uow:
        ends = uow.session.scalars(select(Coverage.end_date).order_by(Coverage.start_date)).all()
        assert ends == [date(2026, 5, 31), None]


# reads: audit and scope ---------------------------------------------------------------------


def test_every_read_of_member_data_is_audit_logged(world: World) -> None:
    ann = world.subscriber("E001")
    bo = world.dependent(ann, "spouse", "Bo", date(1981, 7, 19))
    ids = [str(db_id(world.uow, m)) for m in (ann, bo)]
    world.read(ann)
    service.list_family(uow=world.uow, actor=SYSTEM, member_id=ann.member_id, today=TODAY)
    service.list_members(uow=world.uow, actor=SYSTEM, employer_id=world.employer_id)
    views = audit_rows(world.uow, "view", "member")
    assert views == [
        (ids[0], None, "system"),
        (ids[0], "family", "system"),
        (ids[1], "family", "system"),
        (ids[0], "list", "system"),
        (ids[1], "list", "system"),
    ]


@pytest.fixture
def family(world: World) -> tuple[MemberRead, MemberRead, MemberRead]:
    ann = world.subscriber("E001")
    bo = world.dependent(ann, "spouse", "Bo", date(1981, 7, 19))
    cy = world.dependent(ann, "child", "Cy", date(2012, 1, 5))
    return ann, bo, cy


def member_user(uow: UnitOfWork, member: MemberRead, head: MemberRead) -> Principal:
    return Principal(
        user_id=None,
        username=member.first_name,
        role=Role.MEMBER,
        member_id=db_id(uow, member),
        family_id=db_id(uow, head),
    )


def test_a_subscriber_sees_itself_and_its_minor_dependents_only(
    world: World, family: tuple[MemberRead, MemberRead, MemberRead]
) -> None:
    ann, bo, cy = family
    as_ann = member_user(world.uow, ann, ann)
    seen = service.list_family(uow=world.uow, actor=as_ann, member_id=ann.member_id, today=TODAY)
    assert [m.member_id for m in seen] == [ann.member_id, cy.member_id]
    assert world.read(cy, as_ann).first_name == "Cy"
    with pytest.raises(Forbidden):
        world.read(bo, as_ann)  # an adult dependent's records are its own


def test_a_member_never_learns_of_another_family(
    world: World, family: tuple[MemberRead, MemberRead, MemberRead]
) -> None:
    ann, bo, _ = family
    zed = world.subscriber("E002", first="Zed")
    as_zed = member_user(world.uow, zed, zed)
    with pytest.raises(NotFound):
        world.read(ann, as_zed)
    with pytest.raises(NotFound):
        service.list_family(uow=world.uow, actor=as_zed, member_id=bo.member_id, today=TODAY)
    as_bo = member_user(world.uow, bo, ann)
    assert world.read(bo, as_bo).member_id == bo.member_id
    with pytest.raises(Forbidden):
        world.read(ann, as_bo)  # same family: the spouse is not the subscriber's keeper


def test_employer_users_get_counts_never_member_records(
    world: World, family: tuple[MemberRead, MemberRead, MemberRead]
) -> None:
    ann, bo, cy = family
    world.cover(ann, Tier.FAMILY)
    world.cover(bo, Tier.FAMILY)
    world.cover(cy, Tier.FAMILY)
    world.cover(ann, Tier.EMPLOYEE, plan="DENTAL-PPO")
    other = make_employer(world.uow, "27-7654321")
    hr = Principal(user_id=None, username="hr", role=Role.EMPLOYER, employer_id=world.employer_id)
    with pytest.raises(Forbidden):
        world.read(ann, hr)
    with pytest.raises(Forbidden):
        service.list_members(uow=world.uow, actor=hr, employer_id=world.employer_id)
    with pytest.raises(NotFound):
        service.list_members(uow=world.uow, actor=hr, employer_id=other)
    with pytest.raises(NotFound):
        service.employer_summary(uow=world.uow, actor=hr, employer_id=other)
    summary = service.employer_summary(
        uow=world.uow, actor=hr, employer_id=world.employer_id, on=date(2026, 6, 1)
    )
    assert (summary.subscribers, summary.members, summary.covered_members) == (1, 3, 3)
    assert [(c.line, c.tier, c.subscribers, c.members) for c in summary.by_line_and_tier] == [
        (Line.DENTAL, Tier.EMPLOYEE, 1, 1),
        (Line.MEDICAL, Tier.FAMILY, 1, 3),
    ]
    dump = summary.model_dump_json()
    assert "Ann" not in dump and ann.member_id not in dump
    before = service.employer_summary(
        uow=world.uow, actor=hr, employer_id=world.employer_id, on=date(2025, 12, 31)
    )
    assert before.covered_members == 0 and before.by_line_and_tier == []


def test_staff_see_any_member_and_unknown_ids_are_not_found(world: World) -> None:
    ann = world.subscriber("E001")
    rep = Principal(user_id=None, username="rep", role=Role.SERVICE_REP)
    assert world.read(ann, rep).member_id == ann.member_id
    with pytest.raises(NotFound):
        service.get_member(uow=world.uow, actor=rep, member_id="M000000000")
    with pytest.raises(NotFound):
        service.member_pk_by_public_id(uow=world.uow, member_id="M000000000")
