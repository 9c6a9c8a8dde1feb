"""Builders for test data: employers with a plan, families, users of every role, tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aso.bootstrap import App
from aso.employers.schemas import EmployerCreate, PlanYearCreate
from aso.employers.service import add_plan_year, create_employer, offer_plan
from aso.members.crypto import SsnCipher
from aso.members.schemas import CoverageCreate, MemberCreate
from aso.members.service import add_coverage, add_member
from aso.plans.domain import PlanDesign, Tier
from aso.security.domain import SYSTEM, Role
from aso.security.service import create_user, sign_in

CLINIC_NPI = "1234567893"
"""The NPI a test provider user acts for by default: the test claims' and requests' clinic."""

PASSWORD = "correct horse battery"


def simple_ppo(plan_id: str = "PPO1500") -> PlanDesign:
    """A small in-network PPO design for 2026 (enough for enrollment and eligibility tests)."""
    return PlanDesign.model_validate(
        {
            "id": plan_id,
            "name": f"Test {plan_id}",
            "line": "medical",
            "period": {"start": "2026-01-01", "end": "2026-12-31"},
            "deductible": {"in": {"individual": "1500", "family": "3000"}},
            "oop_max": {"in": {"individual": "5000", "family": "10000"}},
            "benefits": {
                "preventive": {"in": {"coinsurance": "0"}},
                "office_visit_pcp": {"in": {"copay": "25"}},
            },
        }
    )


def cipher_for(app: App) -> SsnCipher:
    return SsnCipher(app.settings.resolved_ssn_key())


@dataclass
class Family:
    subscriber: str
    spouse: str
    child: str


@dataclass
class World:
    """Two employers, each with one family (adult subscriber and spouse, a minor child)."""

    employers: dict[str, int] = field(default_factory=dict)
    families: dict[str, Family] = field(default_factory=dict)
    member_pks: dict[str, int] = field(default_factory=dict)


def add_employer(app: App, name: str, ein: str) -> int:
    employer = create_employer(
        uow=app.uow(),
        actor=SYSTEM,
        data=EmployerCreate(
            name=name, ein=ein, address1="1 Main St", city="Columbus", state="OH", zip="43215"
        ),
    )
    add_plan_year(
        uow=app.uow(),
        actor=SYSTEM,
        employer_id=employer.id,
        data=PlanYearCreate(start=date(2026, 1, 1), end=date(2026, 12, 31), runout_months=3),
    )
    offer_plan(uow=app.uow(), actor=SYSTEM, employer_id=employer.id, design=simple_ppo())
    return employer.id


def add_family(app: App, employer_id: int, employee_number: str, last: str) -> Family:
    cipher = cipher_for(app)

    def member(**kw: Any) -> str:
        data = MemberCreate(last_name=last, **kw)
        read = add_member(
            uow=app.uow(), actor=SYSTEM, employer_id=employer_id, data=data, cipher=cipher
        )
        add_coverage(
            uow=app.uow(),
            actor=SYSTEM,
            member_id=read.member_id,
            data=CoverageCreate(plan_id="PPO1500", tier=Tier.FAMILY, start=date(2026, 1, 1)),
        )
        return read.member_id

    sub = member(
        relationship="subscriber",
        employee_number=employee_number,
        first_name="Pat",
        birth_date=date(1980, 3, 2),
        sex="F",
        ssn="900-12-3456",
        address1="1 Elm St",
        city="Columbus",
        state="OH",
        zip="43215",
        hire_date=date(2015, 1, 5),
    )
    spouse = member(
        relationship="spouse",
        subscriber=sub,
        first_name="Sam",
        birth_date=date(1981, 5, 6),
        sex="M",
    )
    child = member(
        relationship="child", subscriber=sub, first_name="Kim", birth_date=date(2015, 9, 1), sex="F"
    )
    return Family(subscriber=sub, spouse=spouse, child=child)


def build_world(app: App) -> World:
    world = World()
    world.employers["A"] = add_employer(app, "Alpha Widgets", "31-1234567")
    world.employers["B"] = add_employer(app, "Beta Foods", "36-7654321")
    world.families["A"] = add_family(app, world.employers["A"], "E001", "Alvarez")
    world.families["B"] = add_family(app, world.employers["B"], "E001", "Brown")
    return world


def member_pk(app: App, member_number: str) -> int:
    from aso.members.service import member_pk_by_public_id

    return member_pk_by_public_id(uow=app.uow(), member_id=member_number)


def token_for(
    app: App,
    role: Role,
    *,
    username: str | None = None,
    employer_id: int | None = None,
    member_number: str | None = None,
    npis: Sequence[str] | None = None,
) -> str:
    """Create a user of ``role`` and sign it in; returns its bearer token. A provider user acts
    for ``npis`` (by default the NPI the test claims and requests name)."""
    name = username or f"{role.value}-{employer_id or ''}-{member_number or ''}"
    if npis is None:
        npis = [CLINIC_NPI] if role is Role.PROVIDER else []
    create_user(
        uow=app.uow(),
        username=name,
        password=PASSWORD,
        role=role,
        employer_id=employer_id,
        member_id=member_pk(app, member_number) if member_number else None,
        npis=npis,
    )
    return sign_in(uow=app.uow(), username=name, password=PASSWORD, ttl_minutes=60).token


def bearer(app: App, role: Role, **scope: Any) -> dict[str, str]:
    """The Authorization header of a new user of ``role`` (``token_for``'s scope)."""
    return {"Authorization": f"Bearer {token_for(app, role, **scope)}"}
