"""Tables of the ledger: ``ledger_transactions`` (one row per journal entry) and ``ledger_legs``
(its debits and credits). Register with ``from aso.ledger import models as _ledger`` in
``aso.db.models``.

A leg stores one signed amount in integer cents: a debit positive, a credit negative, so a
transaction balances when its legs sum to zero. Legs refer to their transaction by its random
``key`` (a UUID the poster makes), not by its id: the legs are written *before* the
transaction row, whose insert trigger checks them, and the foreign key is deferred to commit so
that a leg without a posted transaction never lands (``aso.ledger.ddl`` explains the pattern and
holds the trigger statements, run here after ``create_all`` and by the migration).

So never ``session.add`` a transaction and its legs through the ORM (it would write the
transaction first and the database would refuse it): ``aso.ledger.repository`` writes legs,
then transactions, with Core inserts. Reads always join legs to their transaction, so legs
written on a connection without foreign keys enforced would still never count.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    Uuid,
    event,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from aso.db.base import Base, Money, UTCDateTime, utcnow
from aso.ledger import ddl

ID = BigInteger().with_variant(Integer, "sqlite")


class LedgerTransaction(Base):
    """A posted journal entry in one employer's books. ``kind`` says what happened, ``reference``
    where it came from (a payment, a cycle, a deposit); a reversal names the transaction it
    reverses (at most one reversal each)."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (
        Index("ix_ledger_transactions_employer_posted", "employer_id", "posted_on", "id"),
        CheckConstraint("memo <> ''", name="memo_not_empty"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    key: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"))
    posted_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(String(80))
    memo: Mapped[str] = mapped_column(String(200))
    reverses_id: Mapped[int | None] = mapped_column(
        ID, ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))


class LedgerLeg(Base):
    """A debit (positive ``amount_cents``) or credit (negative) of one account."""

    __tablename__ = "ledger_legs"
    __table_args__ = (
        UniqueConstraint("transaction_key", "line"),
        Index("ix_ledger_legs_account", "account"),
        CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        CheckConstraint("line >= 1", name="line_positive"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    transaction_key: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(
            "ledger_transactions.key",
            ondelete="RESTRICT",
            deferrable=True,
            initially="DEFERRED",
        )
    )
    line: Mapped[int] = mapped_column(Integer)
    account: Mapped[str] = mapped_column(String(40))
    amount_cents: Mapped[Decimal] = mapped_column(Money)


def _create_triggers(target: Table, connection: Connection, **_: Any) -> None:
    for statement in ddl.create_statements(connection.dialect.name):
        connection.execute(text(statement))


def _drop_triggers(target: Table, connection: Connection, **_: Any) -> None:
    for statement in ddl.drop_statements(connection.dialect.name):
        connection.execute(text(statement))


# The legs table is created after (and dropped before) the transactions table it refers to.
event.listen(LedgerLeg.__table__, "after_create", _create_triggers)
event.listen(LedgerLeg.__table__, "before_drop", _drop_triggers)
