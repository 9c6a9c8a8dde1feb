"""Builders for stop-loss tests: the claims world (``claims_builders``) on a plan that pays
100% of the allowed amount with no high-dollar pend (so a $340,000 line pays $340,000), claims
adjudicated then marked paid as a released payment would, and a contract document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.plans.domain import PlanDesign
from aso.security.domain import Principal, Role
from aso.stoploss import models as _stoploss  # noqa: F401  (the tables, until aso.db.models has them)
from aso.stoploss.schemas import ContractCreate
from tests.integration.claims_builders import (
    ClaimsWorld,
    adjudicate,
    build_world,
    claim,
    execute,
    line,
    submit,
)

ADMIN = Principal(user_id=None, username="stoploss-admin", role=Role.ADMIN)
EXAMINER = Principal(user_id=None, username="examiner", role=Role.EXAMINER)
AUDITOR = Principal(user_id=None, username="auditor", role=Role.AUDITOR)
D = Decimal


def full_pay_plan() -> PlanDesign:
    """Medical 2026: the plan pays the whole allowed amount of these categories."""
    return PlanDesign.model_validate(
        {
            "id": "SL100",
            "name": "Stop-loss test plan",
            "line": "medical",
            "period": {"start": "2026-01-01", "end": "2026-12-31"},
            "benefits": {
                "preventive": {"in": {"coinsurance": "0"}},
                "other_medical": {"in": {"coinsurance": "0"}},
            },
        }
    )


def employer_user(employer_id: int) -> Principal:
    return Principal(user_id=None, username="benefits", role=Role.EMPLOYER, employer_id=employer_id)


def world(app: App, uow: UnitOfWork, ein: str = "31-1234567") -> ClaimsWorld:
    """Acme: Ann Lee (subscriber, family tier), Bo and Cy Lee; Dee Diaz (employee tier)."""
    return build_world(app, uow, ein=ein, designs=(full_pay_plan(),))


@dataclass(frozen=True)
class Paid:
    number: str
    member: str
    amount: str
    service: str
    paid_on: str


def pay(uow: UnitOfWork, *claims: Paid) -> None:
    """Submit, adjudicate, and mark each claim paid on its day (what releasing its payment
    does)."""
    documents = [
        claim(
            c.number,
            c.member,
            line(c.service, c.amount, category="other_medical", allowed=D(c.amount)),
            received=c.service,
        )
        for c in claims
    ]
    submit(uow, *documents)
    adjudicate(uow)
    for c in claims:
        execute(
            uow,
            "UPDATE claims SET status = 'paid', paid_on = :day WHERE claim_number = :number",
            day=date.fromisoformat(c.paid_on),
            number=c.number,
        )


def contract_document(
    laser: str | None = None, *, basis: str = "12/15", minimum: str = "400000"
) -> dict[str, Any]:
    """Specific $100,000 at 100%, notification at 50%; aggregate factors employee $450,
    employee + spouse $900, employee + children $850, family $1,300 a month, minimum
    attachment $400,000; ``laser`` at $250,000."""
    specific: dict[str, Any] = {
        "deductible": "100000",
        "reimbursement": "1.0",
        "notification": "0.5",
    }
    if laser:
        specific["lasers"] = [{"member": laser, "deductible": "250000"}]
    return {
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "basis": basis,
        "carrier": "Example Re",
        "policy_number": "SL-2026-001",
        "specific": specific,
        "aggregate": {
            "attachment_factors": {
                "employee": "450",
                "employee_spouse": "900",
                "employee_children": "850",
                "family": "1300",
            },
            "minimum_attachment": minimum,
            "reimbursement": "1.0",
        },
    }


def contract_create(laser: str | None = None, **options: Any) -> ContractCreate:
    return ContractCreate.model_validate(contract_document(laser, **options))
