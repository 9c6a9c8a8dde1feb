"""Writing and reading the ledger. Never commits.

Entries are written legs first, then their transaction rows (``aso.ledger.ddl``), with Core
inserts so that many entries cost two statements. Every read joins legs to a posted
transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from aso.db.base import utcnow
from aso.ledger.domain import Entry, Leg, Movement, Side
from aso.ledger.models import LedgerLeg, LedgerTransaction


def insert_entries(session: Session, entries: Sequence[Entry], created_by: str) -> list[int]:
    """Write checked entries; returns their transaction ids in the order given."""
    if not entries:
        return []
    keys = [uuid.uuid4() for _ in entries]
    legs = [
        {"transaction_key": key, "line": number, "account": leg.account, "amount_cents": leg.signed}
        for key, entry in zip(keys, entries, strict=True)
        for number, leg in enumerate(entry.legs, start=1)
    ]
    session.execute(insert(LedgerLeg), legs)
    now = utcnow()
    headers = [
        {
            "key": key,
            "employer_id": entry.employer_id,
            "posted_on": entry.posted_on,
            "kind": entry.kind,
            "reference": entry.reference,
            "memo": entry.memo,
            "reverses_id": entry.reverses,
            "created_at": now,
            "created_by": created_by,
        }
        for key, entry in zip(keys, entries, strict=True)
    ]
    returned = session.execute(
        insert(LedgerTransaction).returning(LedgerTransaction.key, LedgerTransaction.id), headers
    )
    ids = {row.key: row.id for row in returned}
    return [ids[key] for key in keys]


def transaction(session: Session, transaction_id: int) -> LedgerTransaction | None:
    return session.get(LedgerTransaction, transaction_id)


def legs_of(session: Session, key: uuid.UUID) -> Sequence[LedgerLeg]:
    return session.scalars(
        select(LedgerLeg).where(LedgerLeg.transaction_key == key).order_by(LedgerLeg.line)
    ).all()


def reversed_by(session: Session, transaction_id: int) -> int | None:
    return session.scalar(
        select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == transaction_id)
    )


def lock_transaction(session: Session, transaction_id: int) -> LedgerTransaction | None:
    """The transaction, locked (on PostgreSQL) so that two reversals of it queue up."""
    return session.scalars(
        select(LedgerTransaction).where(LedgerTransaction.id == transaction_id).with_for_update()
    ).one_or_none()


def to_entry(row: LedgerTransaction, legs: Sequence[LedgerLeg]) -> Entry:
    return Entry(
        posted_on=row.posted_on,
        employer_id=row.employer_id,
        memo=row.memo,
        kind=row.kind,
        reference=row.reference,
        reverses=row.reverses_id,
        legs=tuple(to_leg(leg) for leg in legs),
    )


def to_leg(row: LedgerLeg) -> Leg:
    amount = row.amount_cents
    return Leg(row.account, Side.DEBIT if amount > 0 else Side.CREDIT, abs(amount))


def net_by_account(
    session: Session,
    *,
    employer_id: int | None = None,
    account: str | None = None,
    before: date | None = None,
) -> dict[str, Decimal]:
    """Debits minus credits per account: of one employer or all, before a date or ever."""
    query = (
        select(LedgerLeg.account, func.sum(LedgerLeg.amount_cents))
        .join(LedgerTransaction, LedgerTransaction.key == LedgerLeg.transaction_key)
        .group_by(LedgerLeg.account)
    )
    if employer_id is not None:
        query = query.where(LedgerTransaction.employer_id == employer_id)
    if account is not None:
        query = query.where(LedgerLeg.account == account)
    if before is not None:
        query = query.where(LedgerTransaction.posted_on < before)
    return {code: total for code, total in session.execute(query)}


def movements(
    session: Session,
    *,
    employer_id: int,
    account: str | None,
    since: date | None,
    until: date | None,
) -> list[tuple[str, Movement]]:
    """The legs of one employer's books in a period (both days included), in posting order."""
    query = (
        select(LedgerLeg.account, LedgerLeg.amount_cents, LedgerTransaction)
        .join(LedgerTransaction, LedgerTransaction.key == LedgerLeg.transaction_key)
        .where(LedgerTransaction.employer_id == employer_id)
        .order_by(LedgerTransaction.posted_on, LedgerTransaction.id, LedgerLeg.line)
    )
    if account is not None:
        query = query.where(LedgerLeg.account == account)
    if since is not None:
        query = query.where(LedgerTransaction.posted_on >= since)
    if until is not None:
        query = query.where(LedgerTransaction.posted_on <= until)
    return [
        (
            code,
            Movement(
                transaction_id=row.id,
                posted_on=row.posted_on,
                kind=row.kind,
                memo=row.memo,
                reference=row.reference,
                amount=amount,
                reverses=row.reverses_id,
            ),
        )
        for code, amount, row in session.execute(query)
    ]
