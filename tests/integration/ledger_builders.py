"""Builders for ledger tests: two employers, entries of a claim's life, raw SQL posting."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, bindparam, func, select, text
from sqlalchemy.orm import Session

from aso.bootstrap import App, make_session_factory
from aso.ledger.domain import Entry, Leg, credit, debit
from aso.ledger.models import LedgerLeg, LedgerTransaction
from aso.security.domain import Principal, Role
from tests.builders import add_employer

ADMIN = Principal(user_id=None, username="ledger-admin", role=Role.ADMIN)
EINS = ("31-1234567", "36-7654321")


def two_employers(app: App) -> tuple[int, int]:
    return (add_employer(app, "Alpha Widgets", EINS[0]), add_employer(app, "Beta Foods", EINS[1]))


def employer_user(employer_id: int) -> Principal:
    return Principal(user_id=None, username="benefits", role=Role.EMPLOYER, employer_id=employer_id)


def make_entry(
    employer_id: int,
    *legs: Leg,
    on: date = date(2026, 3, 1),
    memo: str = "test entry",
    kind: str = "manual",
    reference: str | None = None,
) -> Entry:
    return Entry(
        posted_on=on, employer_id=employer_id, memo=memo, kind=kind, legs=legs, reference=reference
    )


def deposit(employer_id: int, amount: str, on: date = date(2026, 3, 1)) -> Entry:
    return make_entry(
        employer_id,
        debit("claims_funding_bank", amount),
        credit("employer_deposits", amount),
        on=on,
        memo="employer deposit",
        kind="deposit",
    )


def approved(employer_id: int, amount: str, on: date = date(2026, 3, 2)) -> Entry:
    return make_entry(
        employer_id,
        debit("claims_expense", amount),
        credit("claims_payable", amount),
        on=on,
        memo="claims approved",
        kind="claims_approved",
    )


def released(employer_id: int, provider: str, member: str, on: date) -> Entry:
    """Payments released to providers and members (a zero amount has no leg)."""
    total = str(Decimal(provider) + Decimal(member))
    payees = [("provider_payable", provider), ("member_payable", member)]
    return make_entry(
        employer_id,
        debit("claims_payable", total),
        *(credit(account, amount) for account, amount in payees if Decimal(amount)),
        on=on,
        memo="payments released",
        kind="payment",
        reference="cycle 1",
    )


# --- raw SQL: what the database itself accepts -----------------------------------------------

LEG_SQL = text(
    "INSERT INTO ledger_legs (transaction_key, line, account, amount_cents) "
    "VALUES (:key, :line, :account, :cents)"
).bindparams(bindparam("key", type_=LedgerLeg.transaction_key.type))
HEADER_SQL = text(
    "INSERT INTO ledger_transactions "
    "(key, employer_id, posted_on, kind, memo, created_at, created_by) "
    "VALUES (:key, :employer, :on, 'manual', 'raw', :on, 'test')"
).bindparams(bindparam("key", type_=LedgerTransaction.key.type))


def raw_legs(session: Session, key: uuid.UUID, cents: Sequence[int], first_line: int = 1) -> None:
    for line, amount in enumerate(cents, start=first_line):
        session.execute(
            LEG_SQL, {"key": key, "line": line, "account": "claims_expense", "cents": amount}
        )


def raw_header(session: Session, key: uuid.UUID, employer_id: int) -> None:
    session.execute(HEADER_SQL, {"key": key, "employer": employer_id, "on": date(2026, 3, 1)})


def raw_post(engine: Engine, employer_id: int, cents: Sequence[int]) -> uuid.UUID:
    """Legs, then the transaction row, then commit, as plain SQL; rolls back what failed."""
    key = uuid.uuid4()
    with make_session_factory(engine)() as session:
        try:
            raw_legs(session, key, cents)
            raw_header(session, key, employer_id)
            session.commit()
        except Exception:
            session.rollback()
            raise
    return key


def counts(engine: Engine) -> tuple[int, int, int]:
    """Transactions, legs, and the net of every leg in cents (zero when all balanced)."""
    with make_session_factory(engine)() as session:
        transactions = session.scalar(select(func.count()).select_from(LedgerTransaction))
        legs = session.scalar(select(func.count()).select_from(LedgerLeg))
        net = session.scalar(text("SELECT coalesce(sum(amount_cents), 0) FROM ledger_legs"))
    return int(transactions or 0), int(legs or 0), int(net or 0)
