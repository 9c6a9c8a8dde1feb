"""Builders for admin fee tests: the claims world (Acme: the Lee family on tier family, Dee Diaz
alone on tier employee, both subscribers on PPO1500 and RX-4TIER from January 1), an agreement
priced so that a month's numbers are easy to check by hand, paid claims, and a check that what
was billed per month equals the issued invoices' lines."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from aso.adminfees import models as _adminfees  # noqa: F401  (the tables, until aso.db.models has them)
from aso.adminfees.domain import parse_agreement
from aso.adminfees.models import BilledRow, InvoiceLineRow, InvoiceRow
from aso.adminfees.schemas import InvoiceRead, InvoiceRunRead
from aso.adminfees.service import get_invoice, run_invoices, set_agreement
from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.ledger.service import trial_balance
from aso.security.domain import Principal, Role
from tests.integration.claims_builders import ClaimsWorld, build_world, execute

ADMIN = Principal(user_id=None, username="billing-admin", role=Role.ADMIN)
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))

TERMS: dict[str, Any] = {
    "effective": "2026-01-01",
    "count_rule": "first_of_month",
    "pepm": {"medical": "40.00", "pharmacy": "6.00"},
    "stop_loss": [
        {
            "name": "Specific stop-loss premium",
            "pepm_by_tier": {"employee": "60.00", "family": "180.00"},
        },
        {"name": "Aggregate stop-loss premium", "monthly": "100.00"},
    ],
    "payment_terms_days": 30,
}
"""A month with both subscribers enrolled: medical 2 x 40.00 = 80.00, pharmacy 2 x 6.00 =
12.00 (fees 92.00); specific 60.00 (Dee) + 180.00 (the Lees) + aggregate 100.00 = 340.00 passed
through. Total 432.00."""


def world_with_agreement(app: App, ein: str = "31-1234567", **terms: Any) -> ClaimsWorld:
    world = build_world(app, app.uow(), ein=ein)
    set_agreement(
        uow=app.uow(),
        actor=ADMIN,
        employer_id=world.employer_id,
        terms=parse_agreement({**TERMS, **terms}),
    )
    return world


def run(
    app: App, month: date, employer_id: int | None = None, issued_on: date | None = None
) -> InvoiceRunRead:
    return run_invoices(
        uow=app.uow(),
        actor=ADMIN,
        month=month,
        employer_id=employer_id,
        issued_on=issued_on or month.replace(day=2),
    )


def issue(app: App, month: date, employer_id: int) -> InvoiceRead:
    """Run the month for the employer; the invoice it issued."""
    result = run(app, month, employer_id)
    [item] = result.invoices
    assert item.outcome == "issued", item
    assert item.number is not None
    return get_invoice(uow=app.uow(), actor=ADMIN, number=item.number)


def mark_paid(uow: UnitOfWork, claim_number: str, paid_on: date) -> None:
    """What a payment release does to a claim (the payments package sets it in production)."""
    execute(
        uow,
        "UPDATE claims SET status = 'paid', paid_on = :day WHERE claim_number = :number",
        day=paid_on,
        number=claim_number,
    )


def balances(app: App, employer_id: int) -> dict[str, Decimal]:
    """Each account's balance, debits positive; and the net under key ``net``."""
    tb = trial_balance(uow=app.uow(), actor=ADMIN, employer_id=employer_id)
    found = {line.account: line.debit - line.credit for line in tb.accounts}
    found["net"] = tb.net
    return found


def billed_matches_lines(uow: UnitOfWork, employer_id: int) -> bool:
    """What ``admin_fee_billed`` holds per month and key equals the sum of the lines of the
    issued invoices that billed it."""
    with uow:
        session = uow.session
        expected: dict[tuple[date, str, str | None, str | None, str, Decimal | None], Decimal] = (
            defaultdict(Decimal)
        )
        lines = session.execute(
            select(InvoiceLineRow, InvoiceRow.month)
            .join(InvoiceRow, InvoiceRow.id == InvoiceLineRow.invoice_id)
            .where(InvoiceRow.employer_id == employer_id, InvoiceRow.status == "issued")
        ).all()
        for row, month in lines:
            key = (
                row.month_corrected or month,
                row.kind,
                row.line,
                row.tier,
                row.label,
                row.rate_e6,
            )
            expected[key] += row.amount_cents
        held = {
            (r.month, r.kind, r.line, r.tier, r.label, r.rate_e6): r.amount_cents
            for r in session.scalars(select(BilledRow).where(BilledRow.employer_id == employer_id))
        }
    nonzero = {k: v for k, v in held.items() if v}
    return nonzero == {k: v for k, v in expected.items() if v}
