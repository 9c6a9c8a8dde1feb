"""The demo's money: each demo employer's fee agreement and monthly invoices, Northwind's
stop-loss contract, and the claims payment cycles of the months before the demo's day, all
through the same use cases a TPA's staff run (``aso invoices``, ``aso stoploss``,
``aso payments``, ``aso funding``), so the demo has a real history and its books balance.

The demo's day is ``DEMO_AS_OF`` (``aso.synth.demo_claims``). The year is replayed month by
month up to it: the claims received in a month are adjudicated at its end (so each version
carries that date), a payment cycle gathers them, the employer deposits what the funding request
asks and the payments are released; the month's invoice is issued on the 1st of the next month.
The claims received since the last month's end are adjudicated on the demo's day and wait for
the next cycle, as a TPA's open claims do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from aso.adminfees.domain import FeeAgreement, FeeLine, StopLossPremium
from aso.adminfees.service import run_invoices, set_agreement
from aso.bootstrap import App
from aso.claims.batch import BatchSummary, adjudicate_received
from aso.errors import Conflict
from aso.members.crypto import SsnCipher
from aso.payments.cycles import run_cycle
from aso.payments.release import release_cycle
from aso.payments.schemas import BankAccountSet, DepositCreate, FundingAccountSet
from aso.payments.service import record_deposit, set_bank_account, set_funding_account
from aso.plans.domain import Line, Tier
from aso.security.domain import SYSTEM
from aso.stoploss.schemas import (
    AggregateCreate,
    ContractCreate,
    PeriodCreate,
    SpecificCreate,
)
from aso.stoploss.service import create_contract, track
from aso.synth.providers import SyntheticProvider

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
    batches: dict[int, BatchSummary] = field(default_factory=dict)
    """Each employer's adjudication, all months together."""


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


def set_up_funding(
    app: App, employer_ids: Sequence[int], roster: Sequence[SyntheticProvider]
) -> None:
    """Each employer's claims funding account, and EFT details for most in-network providers
    (the rest are paid by check, as some always are)."""
    for number, employer_id in enumerate(employer_ids, start=1):
        funding = FundingAccountSet(
            bank_name="Huntington Natl Bank",
            routing="044000024",
            account_number=f"{number:04d}7723019",
            prefund_days=0,
        )
        set_funding_account(uow=app.uow(), actor=SYSTEM, employer_id=employer_id, data=funding)
    cipher = SsnCipher(app.settings.resolved_ssn_key())
    for index, provider in enumerate(roster):
        if index % 4 == 3:
            continue  # a quarter of the roster takes checks
        account = BankAccountSet(
            npi=provider.npi,
            routing="041000124",
            account_number=f"{index + 1:06d}0418",
            verified=True,
        )
        set_bank_account(uow=app.uow(), actor=SYSTEM, data=account, cipher=cipher)


def pay_month(app: App, employer_id: int, month_end: date) -> Decimal:
    """The month's payment cycle: run on the 1st, funded by the employer on the 2nd with
    exactly what it asks, released on the 3rd; what was paid."""
    run_on = month_end + timedelta(days=1)
    try:
        cycle = run_cycle(
            uow=app.uow(), actor=SYSTEM, employer_id=employer_id, through=month_end, run_on=run_on
        )
    except Conflict:
        return ZERO  # nothing due this month
    if cycle.requested > 0:
        record_deposit(
            uow=app.uow(),
            actor=SYSTEM,
            employer_id=employer_id,
            data=DepositCreate(
                amount=cycle.requested,
                received_on=run_on + timedelta(days=1),
                reference=f"wire {cycle.number}",
            ),
        )
    released_on = run_on + timedelta(days=2)
    released = release_cycle(
        uow=app.uow(),
        actor=SYSTEM,
        number=cycle.number,
        cipher=SsnCipher(app.settings.resolved_ssn_key()),
        released_on=released_on,
        now=datetime.combine(released_on, time(10, 0), tzinfo=UTC),
    )
    return released.released_amount


def build_money(
    app: App,
    *,
    employer_ids: Sequence[int],
    year: tuple[date, date],
    as_of: date,
    stop_loss_for: Sequence[int] = (),
    pay: Callable[[App, int, date], Decimal] | None = pay_month,
    step: Callable[[str], None] = lambda _: None,
) -> MoneyHistory:
    """Agreements and stop-loss, then the year replayed month by month: the claims received in
    the month adjudicated at its end, the payment cycle (``pay``, when given), the invoice on
    the 1st of the next month; last, the claims received since, adjudicated on ``as_of``."""
    history = MoneyHistory(batches={employer_id: BatchSummary() for employer_id in employer_ids})
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
        step(f"the books of {month:%B %Y}")
        for employer_id in employer_ids:
            _adjudicate(app, history, employer_id, month_end)
            if pay is not None:
                history.paid += pay(app, employer_id, month_end)
                history.cycles += 1
        issued_on = month_end + timedelta(days=1)
        run = run_invoices(uow=app.uow(), actor=SYSTEM, month=month, issued_on=issued_on)
        history.invoices += run.issued
        history.invoiced += sum((item.total or ZERO) for item in run.invoices)
    for employer_id in employer_ids:
        _adjudicate(app, history, employer_id, as_of)
    for employer_id in stop_loss_for:
        report = track(uow=app.uow(), actor=SYSTEM, employer_id=employer_id, as_of=as_of)
        history.notifications += len(report.notifications)
    return history


def _adjudicate(app: App, history: MoneyHistory, employer_id: int, day: date) -> None:
    """The employer's claims received by ``day``, adjudicated at its close of business."""
    at = datetime.combine(day, time(18, 0), tzinfo=UTC)
    batch = adjudicate_received(
        uow=app.uow(), actor=SYSTEM, employer_id=employer_id, received_through=day, at=at
    )
    history.batches[employer_id].add(batch)
