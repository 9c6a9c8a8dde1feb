"""Ledger use cases on SQLite and PostgreSQL: posting, the trial balance (nets to zero, per
employer or all), reversals, account statements, and who may see or do what (DESIGN 1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from aso.bootstrap import App
from aso.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aso.ledger import models as _ledger  # noqa: F401  (the tables, until aso.db.models has them)
from aso.ledger import service
from aso.ledger.domain import CHART, Leg, Side, credit, debit
from aso.ledger.models import LedgerTransaction
from aso.ledger.schemas import LegCreate, TransactionCreate
from aso.security.domain import Principal, Role
from tests.integration.ledger_builders import (
    ADMIN,
    approved,
    deposit,
    employer_user,
    make_entry,
    released,
    two_employers,
)

D = Decimal


@pytest.fixture
def employers(app: App) -> tuple[int, int]:
    return two_employers(app)


def balances(app: App, employer_id: int | None = None) -> dict[str, tuple[str, str]]:
    result = service.trial_balance(uow=app.uow(), actor=ADMIN, employer_id=employer_id)
    return {line.account: (str(line.debit), str(line.credit)) for line in result.accounts}


def test_posting_and_the_trial_balance(app: App, employers: tuple[int, int]) -> None:
    alpha, beta = employers
    service.post_all(
        uow=app.uow(),
        actor=ADMIN,
        entries=[
            deposit(alpha, "10000.00"),
            approved(alpha, "1250.40"),
            released(alpha, "1000.40", "250.00", on=date(2026, 3, 9)),
            deposit(beta, "3000.00"),
        ],
    )
    assert balances(app, alpha) == {
        "claims_funding_bank": ("10000.00", "0.00"),
        "claims_payable": ("0.00", "0.00"),
        "provider_payable": ("0.00", "1000.40"),
        "member_payable": ("0.00", "250.00"),
        "employer_deposits": ("0.00", "10000.00"),
        "claims_expense": ("1250.40", "0.00"),
    }
    everyone = service.trial_balance(uow=app.uow(), actor=ADMIN)
    assert everyone.model_dump(mode="json") == {
        "accounts": [
            {"account": "claims_funding_bank", "debit": "13000.00", "credit": "0.00"},
            {"account": "claims_payable", "debit": "0.00", "credit": "0.00"},
            {"account": "provider_payable", "debit": "0.00", "credit": "1000.40"},
            {"account": "member_payable", "debit": "0.00", "credit": "250.00"},
            {"account": "employer_deposits", "debit": "0.00", "credit": "13000.00"},
            {"account": "claims_expense", "debit": "1250.40", "credit": "0.00"},
        ],
        "total_debit": "14250.40",
        "total_credit": "14250.40",
        "net": "0.00",
    }


def test_a_posted_entry_reads_back_with_its_legs(app: App, employers: tuple[int, int]) -> None:
    entry = released(employers[0], "80.00", "20.00", on=date(2026, 3, 9))
    posted = service.post(uow=app.uow(), actor=ADMIN, entry=entry)
    read = service.get_transaction(uow=app.uow(), actor=ADMIN, transaction_id=posted.id)
    assert read == posted
    assert (read.kind, read.reference, read.total, read.created_by) == (
        "payment",
        "cycle 1",
        D("100.00"),
        "ledger-admin",
    )
    assert [(leg.line, leg.account, leg.debit, leg.credit) for leg in read.legs] == [
        (1, "claims_payable", D("100.00"), D("0.00")),
        (2, "provider_payable", D("0.00"), D("80.00")),
        (3, "member_payable", D("0.00"), D("20.00")),
    ]


def test_a_wrong_entry_is_refused_naming_the_leg_and_nothing_lands(
    app: App, employers: tuple[int, int]
) -> None:
    alpha = employers[0]
    with pytest.raises(ValidationFailed) as raised:
        service.post_all(
            uow=app.uow(),
            actor=ADMIN,
            entries=[
                deposit(alpha, "100.00"),
                make_entry(alpha, debit("claims_expense", "5.00"), credit("claims_payable", "4")),
                make_entry(alpha, debit("claims_expense", "5.001"), credit("bank", "5.00")),
            ],
        )
    assert [str(p) for p in raised.value.problems] == [
        "entries[2].legs: debits 5.00 and credits 4.00 differ by 1.00: an entry must balance",
        "entries[3].legs[1].amount: 5.001 has fractions of a cent",
        "entries[3].legs[2].account: no account 'bank' in the chart",
    ]
    with pytest.raises(ValidationFailed, match="employer_id: no employer 999999"):
        service.post(uow=app.uow(), actor=ADMIN, entry=deposit(999999, "1.00"))
    with app.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(LedgerTransaction)) == 0


def test_a_manual_entry_needs_a_debit_or_a_credit_on_each_leg(
    app: App, employers: tuple[int, int]
) -> None:
    data = TransactionCreate(
        employer_id=employers[0],
        posted_on=date(2026, 3, 1),
        memo="bank fee refunded",
        legs=[
            LegCreate(account="claims_funding_bank", debit=D("12.00")),
            LegCreate(account="claims_expense", debit=D("12.00"), credit=D("12.00")),
            LegCreate(account="claims_expense"),
        ],
    )
    with pytest.raises(ValidationFailed) as raised:
        service.post_manual(uow=app.uow(), actor=ADMIN, data=data)
    assert [p.where for p in raised.value.problems] == ["legs[2]", "legs[3]"]
    fixed = data.model_copy(
        update={"legs": [data.legs[0], LegCreate(account="claims_expense", credit=D("12.00"))]}
    )
    posted = service.post_manual(uow=app.uow(), actor=ADMIN, data=fixed)
    assert (posted.kind, posted.total) == ("manual", D("12.00"))


def test_a_reversal_cancels_an_entry_once(app: App, employers: tuple[int, int]) -> None:
    alpha = employers[0]
    service.post(uow=app.uow(), actor=ADMIN, entry=deposit(alpha, "500.00"))
    wrong = service.post(uow=app.uow(), actor=ADMIN, entry=approved(alpha, "120.00"))
    reversal = service.reverse(
        uow=app.uow(), actor=ADMIN, transaction_id=wrong.id, posted_on=date(2026, 3, 4)
    )
    assert (reversal.reverses, reversal.total, reversal.posted_on) == (
        wrong.id,
        D("120.00"),
        date(2026, 3, 4),
    )
    assert [(leg.account, leg.debit, leg.credit) for leg in reversal.legs] == [
        ("claims_expense", D("0.00"), D("120.00")),
        ("claims_payable", D("120.00"), D("0.00")),
    ]
    original = service.get_transaction(uow=app.uow(), actor=ADMIN, transaction_id=wrong.id)
    assert original.reversed_by == reversal.id and original.legs == wrong.legs
    assert balances(app, alpha) == {
        "claims_funding_bank": ("500.00", "0.00"),
        "claims_payable": ("0.00", "0.00"),
        "employer_deposits": ("0.00", "500.00"),
        "claims_expense": ("0.00", "0.00"),
    }
    with pytest.raises(Conflict, match=f"already reversed by {reversal.id}"):
        service.reverse(
            uow=app.uow(), actor=ADMIN, transaction_id=wrong.id, posted_on=date(2026, 3, 5)
        )
    with pytest.raises(ValidationFailed, match="itself a reversal"):
        service.reverse(
            uow=app.uow(), actor=ADMIN, transaction_id=reversal.id, posted_on=date(2026, 3, 5)
        )
    with pytest.raises(NotFound):
        service.reverse(uow=app.uow(), actor=ADMIN, transaction_id=0, posted_on=date(2026, 3, 5))


def test_statement_opening_running_and_closing_balances(
    app: App, employers: tuple[int, int]
) -> None:
    alpha, beta = employers
    service.post_all(
        uow=app.uow(),
        actor=ADMIN,
        entries=[
            approved(alpha, "100.00", on=date(2026, 2, 27)),
            approved(alpha, "400.00", on=date(2026, 3, 2)),
            released(alpha, "250.00", "0.00", on=date(2026, 3, 9)),
            approved(alpha, "70.00", on=date(2026, 4, 1)),
            approved(beta, "999.00", on=date(2026, 3, 3)),
        ],
    )
    result = service.statement(
        uow=app.uow(),
        actor=ADMIN,
        employer_id=alpha,
        account="claims_payable",
        since=date(2026, 3, 1),
        until=date(2026, 3, 31),
    )
    [payable] = result.accounts
    assert (result.ein, payable.normal_balance, payable.opening, payable.closing) == (
        "31-1234567",
        "credit",
        D("100.00"),
        D("250.00"),
    )
    assert [(e.posted_on.day, e.kind, e.debit, e.credit, e.balance) for e in payable.entries] == [
        (2, "claims_approved", D("0.00"), D("400.00"), D("500.00")),
        (9, "payment", D("250.00"), D("0.00"), D("250.00")),
    ]
    every = service.statement(uow=app.uow(), actor=ADMIN, employer_id=alpha)
    assert [a.account for a in every.accounts] == [
        "claims_payable",
        "provider_payable",
        "claims_expense",
    ]
    assert every.accounts[2].closing == D("570.00")
    assert sum(len(a.entries) for a in every.accounts) == 8
    with pytest.raises(ValidationFailed) as raised:
        service.statement(
            uow=app.uow(),
            actor=ADMIN,
            employer_id=alpha,
            account="cash",
            since=date(2026, 3, 2),
            until=date(2026, 3, 1),
        )
    assert [p.where for p in raised.value.problems] == ["account", "until"]


READERS = [
    Principal(user_id=None, username="examiner", role=Role.EXAMINER),
    Principal(user_id=None, username="rep", role=Role.SERVICE_REP),
    Principal(user_id=None, username="auditor", role=Role.AUDITOR),
]


def test_who_may_read_and_post(app: App, employers: tuple[int, int]) -> None:
    alpha, beta = employers
    service.post_all(
        uow=app.uow(), actor=ADMIN, entries=[deposit(alpha, "10.00"), deposit(beta, "20.00")]
    )
    for reader in READERS:
        assert service.trial_balance(uow=app.uow(), actor=reader).total_debit == D("30.00")
        assert service.statement(uow=app.uow(), actor=reader, employer_id=beta).accounts
        with pytest.raises(Forbidden):
            service.post(uow=app.uow(), actor=reader, entry=deposit(alpha, "1.00"))

    manager = employer_user(alpha)
    own = service.trial_balance(uow=app.uow(), actor=manager)
    assert own.total_debit == D("10.00")
    assert service.trial_balance(uow=app.uow(), actor=manager, employer_id=alpha) == own
    assert service.statement(uow=app.uow(), actor=manager, employer_id=alpha).ein == "31-1234567"
    with pytest.raises(NotFound):
        service.trial_balance(uow=app.uow(), actor=manager, employer_id=beta)
    with pytest.raises(NotFound):
        service.statement(uow=app.uow(), actor=manager, employer_id=beta)
    beta_deposit = service.statement(uow=app.uow(), actor=ADMIN, employer_id=beta)
    beta_id = beta_deposit.accounts[0].entries[0].transaction_id
    with pytest.raises(NotFound):
        service.get_transaction(uow=app.uow(), actor=manager, transaction_id=beta_id)
    with pytest.raises(Forbidden):
        service.post(uow=app.uow(), actor=manager, entry=deposit(alpha, "1.00"))
    with pytest.raises(Forbidden):
        service.reverse(
            uow=app.uow(), actor=manager, transaction_id=beta_id, posted_on=date.today()
        )

    for outsider in (Role.MEMBER, Role.PROVIDER):
        who = Principal(user_id=None, username="x", role=outsider, employer_id=alpha)
        with pytest.raises(Forbidden):
            service.trial_balance(uow=app.uow(), actor=who)
        with pytest.raises(Forbidden):
            service.statement(uow=app.uow(), actor=who, employer_id=alpha)


ACCOUNT_CODES = st.sampled_from([a.code for a in CHART])


@st.composite
def entries(draw: st.DrawFn) -> tuple[list[Leg], bool]:
    """Legs whose credits split the debits' total, perhaps a cent off; and whether balanced."""
    debits = draw(st.lists(st.integers(1, 10**8), min_size=1, max_size=3))
    total = sum(debits)
    cuts = sorted(draw(st.sets(st.integers(1, total - 1), max_size=2)) if total > 1 else set())
    credits = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    skew = draw(st.sampled_from([0, 0, 0, 1]))
    credits[-1] += skew
    legs = [Leg(draw(ACCOUNT_CODES), Side.DEBIT, D(c) / 100) for c in debits] + [
        Leg(draw(ACCOUNT_CODES), Side.CREDIT, D(c) / 100) for c in credits
    ]
    return legs, skew == 0


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(entries(), st.booleans(), st.booleans()), min_size=1, max_size=5))
def test_the_trial_balance_always_nets_to_zero(
    app: App, employers: tuple[int, int], postings: list[tuple[tuple[list[Leg], bool], bool, bool]]
) -> None:
    """Random entries, reversals and employers: an unbalanced entry never lands, and the
    trial balance (of each employer and of all) nets to zero after every step."""
    for (legs, balanced), second_employer, then_reverse in postings:
        employer_id = employers[1] if second_employer else employers[0]
        entry = make_entry(employer_id, *legs)
        with app.uow() as uow:
            before = uow.session.scalar(select(func.count()).select_from(LedgerTransaction))
        if not balanced:
            with pytest.raises(ValidationFailed):
                service.post(uow=app.uow(), actor=ADMIN, entry=entry)
            with app.uow() as uow:
                after = uow.session.scalar(select(func.count()).select_from(LedgerTransaction))
            assert after == before
            continue
        posted = service.post(uow=app.uow(), actor=ADMIN, entry=entry)
        if then_reverse:
            service.reverse(
                uow=app.uow(), actor=ADMIN, transaction_id=posted.id, posted_on=entry.posted_on
            )
        for scope in (None, *employers):
            balance = service.trial_balance(uow=app.uow(), actor=ADMIN, employer_id=scope)
            assert balance.net == 0 and balance.total_debit == balance.total_credit
