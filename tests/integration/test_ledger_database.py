"""The database itself keeps the ledger balanced and immutable, on SQLite and PostgreSQL.

Plain SQL, not the application, tries to commit an unbalanced transaction, a transaction with
one leg or none, legs with no transaction, a leg added to a posted transaction, an update, a
delete (and on SQLite an ``INSERT OR REPLACE``, on PostgreSQL a ``TRUNCATE``): each is refused.
What matters happens at commit (the deferred foreign key), so these tests use a database of
their own and really commit.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from aso.bootstrap import App, make_engine, make_session_factory
from aso.config import Settings
from aso.db.models import metadata
from aso.errors import Conflict
from aso.ledger import models as _ledger  # noqa: F401  (the tables, until aso.db.models has them)
from aso.ledger import service
from tests.builders import add_employer
from tests.conftest import _worker, create_pg_database, drop_pg_database
from tests.integration.ledger_builders import (
    ADMIN,
    counts,
    deposit,
    raw_header,
    raw_legs,
    raw_post,
)


@dataclass(frozen=True)
class Own:
    app: App
    employer_id: int

    @property
    def engine(self) -> Engine:
        return self.app.engine


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def own(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Own]:
    """A database of its own, with one employer, whose commits are real."""
    name = f"aso_ledger_{_worker()}"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'ledger.db'}"
    else:
        url = create_pg_database(name)
    engine = make_engine(url)
    metadata.create_all(engine)
    key = Fernet.generate_key().decode()
    app = App(settings=Settings(var_dir=tmp_path_factory.mktemp("var"), ssn_key=key), engine=engine)
    try:
        yield Own(app, add_employer(app, "Alpha Widgets", "31-1234567"))
    finally:
        engine.dispose()
        if request.param == "postgresql":
            drop_pg_database(name)


def test_a_balanced_transaction_commits(own: Own) -> None:
    before = counts(own.engine)
    raw_post(own.engine, own.employer_id, [12_500, -10_000, -2_500])
    after = counts(own.engine)
    assert (after[0] - before[0], after[1] - before[1], after[2]) == (1, 3, 0)


@pytest.mark.parametrize("cents", [[10_000, -9_999], [10_000, 1], [10_000], []])
def test_an_unbalanced_or_one_legged_transaction_is_refused(own: Own, cents: list[int]) -> None:
    before = counts(own.engine)
    with pytest.raises(IntegrityError, match="ledger: "):
        raw_post(own.engine, own.employer_id, cents)
    assert counts(own.engine) == before


def test_legs_without_their_transaction_are_refused_at_commit(own: Own) -> None:
    before = counts(own.engine)
    with make_session_factory(own.engine)() as session:
        raw_legs(session, uuid.uuid4(), [500, -500])
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
    assert counts(own.engine) == before


def test_a_leg_cannot_join_a_posted_transaction(own: Own) -> None:
    key = raw_post(own.engine, own.employer_id, [700, -700])
    before = counts(own.engine)
    for cents in ([5], [5, -5]):
        with make_session_factory(own.engine)() as session:
            with pytest.raises(IntegrityError, match="posted"):
                raw_legs(session, key, cents, first_line=3)
            session.rollback()
    with make_session_factory(own.engine)() as session:
        other = uuid.uuid4()
        raw_legs(session, other, [900, -900])
        raw_header(session, other, own.employer_id)
        with pytest.raises(IntegrityError, match="posted"):
            raw_legs(session, other, [1], first_line=3)
        session.rollback()
    assert counts(own.engine) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_legs SET amount_cents = amount_cents * 2",
        "UPDATE ledger_legs SET account = 'claims_payable'",
        "UPDATE ledger_transactions SET memo = 'edited'",
        "UPDATE ledger_transactions SET employer_id = employer_id",
        "DELETE FROM ledger_legs",
        "DELETE FROM ledger_transactions",
    ],
)
def test_posted_rows_cannot_be_changed_or_deleted(own: Own, statement: str) -> None:
    raw_post(own.engine, own.employer_id, [300, -300])
    before = counts(own.engine)
    with make_session_factory(own.engine)() as session:
        with pytest.raises(IntegrityError, match="immutable"):
            session.execute(text(statement))
            session.commit()
        session.rollback()
    assert counts(own.engine) == before


def test_rows_cannot_be_replaced_or_truncated(own: Own) -> None:
    """SQLite's INSERT OR REPLACE deletes without delete triggers; PostgreSQL's TRUNCATE skips
    row triggers: both are refused too."""
    raw_post(own.engine, own.employer_id, [400, -400])
    before = counts(own.engine)
    if own.engine.dialect.name == "sqlite":
        statements = [
            "INSERT OR REPLACE INTO ledger_legs SELECT id, transaction_key, line, account, "
            "amount_cents * 2 FROM ledger_legs LIMIT 1",
            f"INSERT OR REPLACE INTO ledger_legs SELECT id, '{uuid.uuid4().hex}', 1, account, "
            "amount_cents FROM ledger_legs LIMIT 1",
            "INSERT OR REPLACE INTO ledger_transactions SELECT * FROM ledger_transactions LIMIT 1",
        ]
    else:
        statements = ["TRUNCATE ledger_legs", "TRUNCATE ledger_transactions CASCADE"]
    for statement in statements:
        with make_session_factory(own.engine)() as session:
            with pytest.raises(IntegrityError, match="ledger: "):
                session.execute(text(statement))
                session.commit()
            session.rollback()
    assert counts(own.engine) == before


def test_the_service_posts_through_the_same_triggers(own: Own) -> None:
    posted = service.post(
        uow=own.app.uow(), actor=ADMIN, entry=deposit(own.employer_id, "50000.00")
    )
    assert posted.total == 50000
    balance = service.trial_balance(uow=own.app.uow(), actor=ADMIN)
    assert balance.net == 0 and balance.total_debit == balance.total_credit


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(-(10**9), 10**9).filter(lambda c: c != 0), min_size=0, max_size=5),
        min_size=1,
        max_size=6,
    )
)
def test_only_balanced_transactions_ever_land(own: Own, postings: list[list[int]]) -> None:
    """Random postings, balanced when a last leg evens them out: the database keeps exactly
    the balanced ones and the sum of every leg stays zero."""
    for number, drawn in enumerate(postings):
        total = sum(drawn)
        cents = [*drawn, -total] if number % 2 == 0 and total != 0 else drawn
        before = counts(own.engine)
        balanced = len(cents) >= 2 and sum(cents) == 0
        if balanced:
            raw_post(own.engine, own.employer_id, cents)
            assert counts(own.engine)[:2] == (before[0] + 1, before[1] + len(cents))
        else:
            with pytest.raises(IntegrityError):
                raw_post(own.engine, own.employer_id, cents)
            assert counts(own.engine) == before
        assert counts(own.engine)[2] == 0
    assert service.trial_balance(uow=own.app.uow(), actor=ADMIN).net == 0


def test_two_reversals_at_once_reverse_once(own: Own) -> None:
    """Never two reversals. On PostgreSQL each reversal locks its original first, so the
    second waits, sees the first and is a conflict; SQLite has one writer at a time, and the
    second, having read before the first wrote, is refused as 'database is locked'."""
    original = service.post(uow=own.app.uow(), actor=ADMIN, entry=deposit(own.employer_id, "7.00"))
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def reverse() -> None:
        barrier.wait()
        try:
            outcomes.append(
                service.reverse(
                    uow=own.app.uow(),
                    actor=ADMIN,
                    transaction_id=original.id,
                    posted_on=date(2026, 3, 2),
                ).id
            )
        except (Conflict, OperationalError) as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=reverse) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    reversals = [o for o in outcomes if isinstance(o, int)]
    assert len(outcomes) == 2 and len(reversals) == 1
    if own.engine.dialect.name == "postgresql":
        assert any(isinstance(o, Conflict) for o in outcomes)
    read = service.get_transaction(uow=own.app.uow(), actor=ADMIN, transaction_id=original.id)
    assert read.reversed_by == reversals[0]
