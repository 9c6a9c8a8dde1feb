"""Request and response shapes of the ledger (apart from the tables). Amounts are ``Decimal``
dollars, written in JSON as decimal strings with two places ("25.00")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

from aso.money import fmt

Amount = Annotated[Decimal, PlainSerializer(fmt, return_type=str)]


class LegCreate(BaseModel):
    """One leg: an account and either a debit or a credit (a positive amount)."""

    account: str
    debit: Decimal | None = None
    credit: Decimal | None = None


class TransactionCreate(BaseModel):
    """A journal entry to post by hand (an administrator's adjusting entry)."""

    employer_id: int
    posted_on: date
    memo: str
    kind: str = "manual"
    reference: str | None = None
    legs: list[LegCreate] = Field(default_factory=list)


class ReversalCreate(BaseModel):
    posted_on: date
    memo: str | None = None


class LegRead(BaseModel):
    line: int
    account: str
    debit: Amount
    credit: Amount


class TransactionRead(BaseModel):
    id: int
    employer_id: int
    posted_on: date
    kind: str
    reference: str | None
    memo: str
    reverses: int | None
    """The transaction this one reverses."""
    reversed_by: int | None
    """The transaction that reverses this one."""
    created_at: datetime
    created_by: str
    total: Amount
    """Debits (which equal credits)."""
    legs: list[LegRead]


class TrialBalanceLineRead(BaseModel):
    account: str
    debit: Amount
    credit: Amount


class TrialBalanceRead(BaseModel):
    """Each account's balance in the debit or credit column; ``net`` is always zero."""

    accounts: list[TrialBalanceLineRead]
    total_debit: Amount
    total_credit: Amount
    net: Amount


class StatementLineRead(BaseModel):
    transaction_id: int
    posted_on: date
    kind: str
    memo: str
    reference: str | None
    reverses: int | None
    debit: Amount
    credit: Amount
    balance: Amount


class AccountStatementRead(BaseModel):
    """An account over a period; balances on its normal side (``normal_balance``)."""

    account: str
    name: str
    normal_balance: str
    opening: Amount
    total_debit: Amount
    total_credit: Amount
    closing: Amount
    entries: list[StatementLineRead]


class LedgerStatementRead(BaseModel):
    employer_id: int
    ein: str
    employer: str
    since: date | None
    until: date | None
    accounts: list[AccountStatementRead]


class AccountRead(BaseModel):
    code: str
    name: str
    type: str
    normal_balance: str
    description: str
