"""The demo's money: each demo employer's fee agreement and monthly invoices, Northwind's
stop-loss contract, and the claims payment cycles of the months before the demo's day, all
through the same use cases a TPA's staff run (``aso invoices``, ``aso stoploss``,
``aso payments``, ``aso funding``), so the demo has a real history and its books balance.

The demo's day is ``DEMO_AS_OF`` (``aso.synth.demo_claims``): invoices for each month from
January up to it, issued on the 1st of the next month; a payment cycle at the end of each month
gathering the claims received by then, funded by the employer's deposit of exactly what the
funding request asks, and released.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from aso.adminfees.domain import FeeAgreement, FeeLine, StopLossPremium
from aso.adminfees.service import run_invoices, set_agreement
from aso.bootstrap import App
from aso.plans.domain import Line, Tier
from aso.security.domain import SYSTEM
from aso.stoploss.schemas import (
    AggregateCreate,
    ContractCreate,
    PeriodCreate,
    SpecificCreate,
)
from aso.stoploss.service import create_contract, track

D = Decimal
ZERO = Decimal("0.00")


@dataclass
class MoneyHistory:
    """What the demo's money history holds, for the command's summary."""

    invoices: int = 0
    invoiced: Decimal = ZERO
    cycles: int = 0
    paid: Decimal = ZERO
    notifications: int = 0
    notes: list[str] = field(default_factory=list)


def agreement(start: date) -> FeeAgreement:
    """A typical ASO fee schedule: PEPM by line, a monthly minimum, and the stop-loss premium
    passed through by tier."""
    return FeeAgreement(
        effective=start,
        pepm={
            FeeLine.MEDICAL: D("38.00"),
            FeeLine.PHARMACY: D("6.50"),
            FeeLine.DENTAL: D("4.25"),
            FeeLine.VISION: D("1.50"),
            FeeLine.DISABILITY: D("3.00"),
        },
        per_claim={FeeLine.DENTAL: D("0.75")},
        monthly_minimum=D("1500.00"),
        stop_loss=(
            StopLossPremium(
                name="Specific and aggregate stop-loss premium",
                line=Line.MEDICAL,
                pepm_by_tier={
                    Tier.EMPLOYEE: D("62.00"),
                    Tier.EMPLOYEE_SPOUSE: D("124.00"),
                    Tier.EMPLOYEE_CHILDREN: D("112.00"),
                    Tier.FAMILY: D("178.00"),
                },
            ),
        ),
    )


def stop_loss_contract(start: date, end: date) -> ContractCreate:
    """Northwind's contract: a $75,000 specific deductible (so the demo's year shows large
    cases), 12/15, with an aggregate at 125% of expected claims."""
    return ContractCreate(
        period=PeriodCreate(start=start, end=end),
        basis="12/15",
        carrier="Great Lakes Reinsurance (demo)",
        policy_number="GLR-SL-2026-0415",
        specific=SpecificCreate(deductible=D("75000")),
        aggregate=AggregateCreate(
            attachment_factors={
                Tier.EMPLOYEE: D("520"),
                Tier.EMPLOYEE_SPOUSE: D("1040"),
                Tier.EMPLOYEE_CHILDREN: D("960"),
                Tier.FAMILY: D("1480"),
            },
            minimum_attachment=D("250000"),
        ),
    )


def month_starts(first: date, before: date) -> list[date]:
    """The first day of each month from ``first``'s month up to the month before ``before``."""
    found = []
    day = first.replace(day=1)
    while day < before.replace(day=1):
        found.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return found


def build_money(
    app: App,
    *,
    employer_ids: Sequence[int],
    year: tuple[date, date],
    as_of: date,
    stop_loss_for: Sequence[int] = (),
    pay: Callable[[App, int, date], Decimal] | None = None,
    step: Callable[[str], None] = lambda _: None,
) -> MoneyHistory:
    """Agreements, stop-loss, then month by month: the payment cycle (``pay``, when the
    payments package provides it) and the invoice."""
    history = MoneyHistory()
    start, end = year
    for employer_id in employer_ids:
        set_agreement(uow=app.uow(), actor=SYSTEM, employer_id=employer_id, terms=agreement(start))
    for employer_id in stop_loss_for:
        create_contract(
            uow=app.uow(),
            actor=SYSTEM,
            employer_id=employer_id,
            data=stop_loss_contract(start, end),
        )
    for month in month_starts(start, as_of):
        month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        step(f"money: {month:%B %Y}")
        if pay is not None:
            for employer_id in employer_ids:
                history.paid += pay(app, employer_id, month_end)
                history.cycles += 1
        issued_on = month_end + timedelta(days=1)
        run = run_invoices(uow=app.uow(), actor=SYSTEM, month=month, issued_on=issued_on)
        history.invoices += run.issued
        history.invoiced += sum((item.total or ZERO) for item in run.invoices)
    for employer_id in stop_loss_for:
        report = track(uow=app.uow(), actor=SYSTEM, employer_id=employer_id, as_of=as_of)
        history.notifications += len(report.notifications)
    return history
