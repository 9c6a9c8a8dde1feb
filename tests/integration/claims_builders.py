"""Builders for claims tests: an employer offering the PPO 1500 and 4-tier pharmacy templates
(one accumulator group), two families, and claim documents in the shape of DESIGN 7."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from aso.bootstrap import App
from aso.claims.batch import BatchSummary, adjudicate_received
from aso.claims.intake import submit_claims
from aso.claims.reference_data import Pricing
from aso.claims.schemas import ClaimReceipt, LineResultRead
from aso.claims.service import get_claim
from aso.db.uow import UnitOfWork
from aso.employers.schemas import EmployerCreate, PlanYearCreate
from aso.employers.service import add_plan_year, create_employer, offer_plan
from aso.members.crypto import SsnCipher
from aso.members.schemas import CoverageCreate, MemberCreate
from aso.members.service import add_coverage, add_member
from aso.plans.domain import PlanDesign, Tier
from aso.plans.templates import get_template
from aso.security.domain import SYSTEM, Principal, Role

TODAY = date(2026, 6, 1)
EXAMINER = Principal(user_id=None, username="examiner", role=Role.EXAMINER)
ADDRESS = {"address1": "1 Main St", "city": "Columbus", "state": "OH", "zip": "43215"}
NPI_PCP = "1234567893"
NPI_CLINIC = "1654321094"


@dataclass(frozen=True)
class ClaimsWorld:
    """Acme (EIN 31-1234567) offers PPO1500 and RX-4TIER for 2026. The Lee family (Ann, the
    subscriber; Bo, her spouse; Cy, their child) is on tier family; Dee Diaz alone on tier
    employee."""

    employer_id: int
    ein: str
    ann: str
    bo: str
    cy: str
    dee: str
    designs: tuple[PlanDesign, ...]


def build_world(
    app: App, uow: UnitOfWork, *, ein: str = "31-1234567", designs: tuple[PlanDesign, ...] = ()
) -> ClaimsWorld:
    cipher = SsnCipher(app.settings.resolved_ssn_key())
    employer = create_employer(
        uow=uow, actor=SYSTEM, data=EmployerCreate(name=f"Acme {ein}", ein=ein, **ADDRESS)
    )
    add_plan_year(
        uow=uow,
        actor=SYSTEM,
        employer_id=employer.id,
        data=PlanYearCreate(start=date(2026, 1, 1), end=date(2026, 12, 31), runout_months=3),
    )
    plans = designs or (get_template("PPO1500"), get_template("RX-4TIER"))
    for design in plans:
        offer_plan(uow=uow, actor=SYSTEM, employer_id=employer.id, design=design)

    def member(tier: Tier, **fields: Any) -> str:
        read = add_member(
            uow=uow,
            actor=SYSTEM,
            employer_id=employer.id,
            data=MemberCreate(**fields),
            cipher=cipher,
            today=TODAY,
        )
        for design in plans:
            add_coverage(
                uow=uow,
                actor=SYSTEM,
                member_id=read.member_id,
                data=CoverageCreate(plan_id=design.id, tier=tier, start=date(2026, 1, 1)),
                today=TODAY,
            )
        return read.member_id

    ann = member(
        Tier.FAMILY,
        relationship="subscriber",
        employee_number=f"E{ein[-3:]}1",
        first_name="Ann",
        last_name="Lee",
        birth_date=date(1980, 3, 2),
        sex="F",
        **ADDRESS,
    )
    bo = member(
        Tier.FAMILY,
        relationship="spouse",
        subscriber=ann,
        first_name="Bo",
        last_name="Lee",
        birth_date=date(1981, 7, 19),
        sex="M",
    )
    cy = member(
        Tier.FAMILY,
        relationship="child",
        subscriber=ann,
        first_name="Cy",
        last_name="Lee",
        birth_date=date(2015, 9, 1),
        sex="F",
    )
    dee = member(
        Tier.EMPLOYEE,
        relationship="subscriber",
        employee_number=f"E{ein[-3:]}2",
        first_name="Dee",
        last_name="Diaz",
        birth_date=date(1975, 1, 20),
        sex="F",
        **ADDRESS,
    )
    return ClaimsWorld(employer.id, ein, ann, bo, cy, dee, tuple(plans))


def line(day: str, charge: str | int, **fields: Any) -> dict[str, Any]:
    return {"date": day, "charge": Decimal(str(charge)), **fields}


def claim(
    claim_id: str,
    member: str,
    *lines: dict[str, Any],
    received: str = "2026-03-01",
    network: str = "in",
    npi: str | None = NPI_PCP,
    **fields: Any,
) -> dict[str, Any]:
    """A professional claim document (DESIGN 7), from the PCP's NPI by default."""
    document: dict[str, Any] = {
        "id": claim_id,
        "member": member,
        "received": received,
        "lines": list(lines),
        **fields,
    }
    if npi is None:
        document["network"] = network
    else:
        document["provider"] = {"npi": npi, "network": network, "taxonomy": "207Q00000X"}
    return document


def submit(uow: UnitOfWork, *documents: dict[str, Any]) -> list[ClaimReceipt]:
    return submit_claims(uow=uow, actor=EXAMINER, documents=list(documents))


def adjudicate(uow: UnitOfWork, **options: Any) -> BatchSummary:
    """The batch, pricing with what claims carry (no provider directory)."""
    return adjudicate_received(uow=uow, actor=EXAMINER, pricing=Pricing(), **options)


def current_lines(uow: UnitOfWork, claim_id: str) -> list[LineResultRead]:
    """The line results of the claim's current version."""
    return get_claim(uow=uow, actor=EXAMINER, claim_id=claim_id).versions[-1].lines


def rows(uow: UnitOfWork, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with uow:
        return [tuple(row) for row in uow.session.execute(text(sql), params)]


def execute(uow: UnitOfWork, sql: str, **params: Any) -> None:
    with uow:
        uow.session.execute(text(sql), params)
        uow.commit()
