"""A property over random sequences of claims, cycles, deposits, releases, voids and reissues,
ACH returns and decisions that change paid claims (recoveries), on SQLite: after every step the
employer's trial balance nets to zero, the funding account never goes below zero, and the books
agree with the payments (the bank is deposits less payments released; claims payable and
overpayments receivable are what pending payments and open recoveries say; a claim is paid
exactly when a released payment pays its current version)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from aso.bootstrap import App
from aso.config import Settings
from aso.db.uow import UnitOfWork
from aso.employers.schemas import EmployerCreate
from aso.employers.service import create_employer
from aso.errors import Conflict
from aso.money import ZERO
from aso.payments import repository as repo
from aso.payments.cycles import run_cycle
from aso.payments.release import release_cycle
from aso.payments.returns import apply_notices
from aso.payments.schemas import BankAccountSet, DepositCreate
from aso.payments.service import record_deposit, set_bank_account, set_funding_account
from aso.payments.voids import void_payment
from aso.security.domain import SYSTEM
from tests.integration.payments_builders import FUNDING, books, cipher
from tests.integration.payments_data import (
    Spec,
    decide_again,
    insert_claims,
    insert_providers,
    insert_subscribers,
    npi,
)

D = Decimal
START = date(2026, 3, 2)


@contextmanager
def fresh(engine: Engine, test_settings: Settings) -> Iterator[App]:
    """An App whose sessions join one transaction, rolled back after the example."""
    connection = engine.connect()
    outer = connection.begin()
    app = App(settings=test_settings, engine=engine)
    app.session_factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    try:
        yield app
    finally:
        outer.rollback()
        connection.close()


@dataclass
class World:
    app: App
    employer_id: int
    providers: tuple[str, str]
    members: list[tuple[int, str]]
    today: date = START
    deposits: Decimal = ZERO
    claims: list[int] = field(default_factory=list)

    @property
    def uow(self) -> UnitOfWork:
        return self.app.uow()

    def tick(self) -> date:
        self.today += timedelta(days=1)
        return self.today


def make_world(app: App, serial: int) -> World:
    ein = f"31-{serial:07d}"
    employer = create_employer(
        uow=app.uow(),
        actor=SYSTEM,
        data=EmployerCreate(
            name=f"Prop {serial}",
            ein=ein,
            address1="1 Main",
            city="Columbus",
            state="OH",
            zip="43215",
        ),
    )
    set_funding_account(uow=app.uow(), actor=SYSTEM, employer_id=employer.id, data=FUNDING)
    providers = (npi(serial * 10 + 1), npi(serial * 10 + 2))
    with app.uow() as uow:
        insert_providers(uow.session, providers)
        members = insert_subscribers(uow.session, employer.id, 2, start=serial * 10)
        uow.commit()
    account = BankAccountSet(
        npi=providers[0], routing="011000015", account_number="12345678", verified=True
    )
    set_bank_account(uow=app.uow(), actor=SYSTEM, data=account, cipher=cipher(app))
    return World(app, employer.id, providers, members)


# --- the steps ----------------------------------------------------------------------------


def add_claims(world: World, claims: list[tuple[int, int]]) -> None:
    specs = []
    for payee, dollars in claims:
        member_id, number = world.members[payee % 2]
        provider = world.providers[payee] if payee < 2 else None
        specs.append(Spec(member_id, number, provider, D(dollars), world.today))
    with world.uow as uow:
        world.claims += insert_claims(uow.session, world.employer_id, specs)
        uow.commit()


def cycle(world: World) -> None:
    with suppress(Conflict):  # nothing to pay
        run_cycle(
            uow=world.uow,
            actor=SYSTEM,
            employer_id=world.employer_id,
            through=world.today + timedelta(days=60),
            run_on=world.tick(),
        )


def pay(world: World) -> None:
    """The usual round: a cycle, the deposit it asks for, its release."""
    cycle(world)
    requested = (
        cents(world, "SELECT sum(requested_cents) FROM payment_cycles WHERE employer_id = :e")
        - world.deposits
    )
    if requested > 0:
        deposit(world, requested)
    release(world)


def deposit(world: World, dollars: int | Decimal) -> None:
    data = DepositCreate(amount=D(dollars), received_on=world.tick())
    record_deposit(uow=world.uow, actor=SYSTEM, employer_id=world.employer_id, data=data)
    world.deposits += D(dollars)


def release(world: World) -> None:
    day = world.tick()
    for (number,) in query(
        world,
        "SELECT number FROM payment_cycles WHERE status <> 'released' "
        "AND employer_id = :e ORDER BY id",
    ):
        release_cycle(
            uow=world.uow, actor=SYSTEM, number=number, cipher=cipher(world.app), released_on=day
        )


def void(world: World, pick: int, reissue: bool) -> None:
    found = query(
        world,
        "SELECT id FROM payments WHERE status = 'released' AND method = 'CHK' "
        "AND employer_id = :e ORDER BY id",
    )
    if not found:
        return
    (payment_id,) = found[pick % len(found)]
    try:
        void_payment(
            uow=world.uow,
            actor=SYSTEM,
            payment_id=payment_id,
            reason="test",
            reissue=reissue,
            on=world.tick(),
        )
        event("check reissued" if reissue else "payment voided")
    except Conflict:
        event("void refused: later payments depend on it")


def ach_return(world: World, pick: int) -> None:
    found = query(
        world,
        "SELECT ach_trace, amount_cents FROM payments WHERE status = 'released' "
        "AND method = 'EFT' AND employer_id = :e ORDER BY id",
    )
    if not found:
        return
    trace, cents = found[pick % len(found)]
    notice = f"trace,code,amount,date\n{trace},R01,{D(cents) / 100},{world.tick()}\n"
    done = apply_notices(uow=world.uow, actor=SYSTEM, text=notice, cipher=cipher(world.app))
    event("payment returned" if done.applied else "return not applied")


def decide(world: World, pick: int, percent: int) -> None:
    paid = query(
        world,
        "SELECT c.id, r.plan_paid_cents FROM claims c JOIN claim_versions v ON "
        "v.claim_id = c.id AND v.version = c.current_version JOIN line_results r "
        "ON r.version_id = v.id WHERE c.status = 'paid' AND c.employer_id = :e "
        "ORDER BY c.id",
    )
    if not paid:
        return
    claim_id, cents = paid[pick % len(paid)]
    with world.uow as uow:
        decide_again(uow.session, claim_id, (D(cents) * percent / 10000).quantize(D("0.01")))
        uow.commit()


def query(world: World, sql: str) -> list[Any]:
    with world.uow as uow:
        return list(uow.session.execute(text(sql), {"e": world.employer_id}))


# --- the invariants ------------------------------------------------------------------------


def cents(world: World, sql: str) -> Decimal:
    ((value,),) = query(world, sql)
    return D(int(value or 0)) / 100


def check(world: World) -> None:
    ledger = books(world.uow, world)
    accounts = ledger.accounts
    assert ledger.net == 0
    bank = accounts.get("claims_funding_bank", ZERO)
    assert bank >= 0, "payments exceeded the funds"
    released = cents(
        world,
        "SELECT sum(amount_cents) FROM payments WHERE status = 'released' AND employer_id = :e",
    )
    assert bank == world.deposits - released
    pending = cents(
        world,
        "SELECT sum(claims_cents + overpaid_cents) FROM payments "
        "WHERE status = 'pending' AND employer_id = :e",
    )
    assert -accounts.get("claims_payable", ZERO) == pending
    booked = cents(
        world,
        "SELECT sum(overpaid_cents) FROM payments WHERE status = 'pending' AND employer_id = :e",
    )
    with world.uow as uow:
        open_ = repo.open_recoveries(uow.session, world.employer_id)
    if open_:
        event("an overpayment waits for recovery")
    remaining = sum((r.remaining for found in open_.values() for r in found), ZERO)
    assert accounts.get("overpayment_receivable", ZERO) == remaining + booked
    mismatched = query(
        world,
        "SELECT c.id FROM claims c WHERE c.employer_id = :e AND (c.status = 'paid') <> EXISTS ("
        "SELECT 1 FROM payment_claims pc JOIN payments p ON p.id = pc.payment_id JOIN "
        "claim_versions v ON v.id = pc.version_id WHERE pc.claim_id = c.id AND pc.active AND "
        "pc.role = 'payment' AND p.status = 'released' AND v.version = c.current_version)",
    )
    assert mismatched == []


STEP = st.one_of(
    st.tuples(
        st.just("claims"),
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 400)), min_size=1, max_size=3),
    ),
    st.tuples(st.just("cycle")),
    st.tuples(st.just("pay")),
    st.tuples(st.just("pay")),
    st.tuples(st.just("deposit"), st.integers(1, 900)),
    st.tuples(st.just("release")),
    st.tuples(st.just("void"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("return"), st.integers(0, 5)),
    st.tuples(st.just("decide"), st.integers(0, 5), st.sampled_from([0, 40, 150])),
)
SERIAL = iter(range(1, 10**6))
EXAMPLE = [
    ("pay",),
    ("claims", [(0, 60)]),
    ("pay",),
    ("return", 1),  # the second EFT comes back: its claim is paid by check next time
    ("decide", 0, 0),  # the first EFT claim pays nothing now: an overpayment
    ("claims", [(2, 30), (1, 20)]),
    ("pay",),  # reversal and correction, the overpayment partly deferred
    ("void", 0, True),
    ("void", 1, False),  # undone: its claim is paid again by the next cycle
    ("claims", [(0, 25)]),
    ("pay",),  # the rest of the overpayment taken back
    ("pay",),
]
"""One sequence that goes everywhere: recoveries across cycles, a reissue, a void, a return."""


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=10))
@example(steps=EXAMPLE)
def test_books_balance_and_payments_never_exceed_the_funds(
    sqlite_engine: Engine, test_settings: Settings, steps: list[tuple[Any, ...]]
) -> None:
    with fresh(sqlite_engine, test_settings) as app:
        world = make_world(app, next(SERIAL))
        for step in [("claims", [(0, 100), (2, 50)]), *steps, ("cycle",), ("release",)]:
            kind, *args = step
            if kind == "claims":
                add_claims(world, *args)
            elif kind == "cycle":
                cycle(world)
            elif kind == "pay":
                pay(world)
            elif kind == "deposit":
                deposit(world, *args)
            elif kind == "release":
                release(world)
            elif kind == "void":
                void(world, *args)
            elif kind == "return":
                ach_return(world, *args)
            else:
                decide(world, *args)
            check(world)
