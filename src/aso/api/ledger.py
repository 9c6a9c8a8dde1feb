"""``/v1/ledger`` and ``/v1/employers/{id}/ledger``: the chart of accounts, trial balances,
account statements, and entries posted or reversed by a TPA administrator.

TPA staff and auditors read every employer's books, an employer's benefits manager its own
employer's (another employer's answer 404). Register with
``api.include_router(ledger.router)``.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status

from aso.api.deps import CurrentPrincipal, Uow
from aso.ledger import service
from aso.ledger.schemas import (
    AccountRead,
    LedgerStatementRead,
    ReversalCreate,
    TransactionCreate,
    TransactionRead,
    TrialBalanceRead,
)

router = APIRouter(prefix="/v1", tags=["ledger"])


@router.get("/ledger/accounts", response_model=list[AccountRead])
def accounts(principal: CurrentPrincipal) -> list[AccountRead]:
    """The chart of accounts, the same in every employer's books."""
    return service.chart_of_accounts()


@router.get("/ledger/trial-balance", response_model=TrialBalanceRead)
def trial_balance(
    uow: Uow, principal: CurrentPrincipal, employer_id: int | None = None
) -> TrialBalanceRead:
    """Every account's balance in the debit or credit column, of one employer or of all (an
    employer user: its own); ``net`` is always zero."""
    return service.trial_balance(uow=uow, actor=principal, employer_id=employer_id)


@router.get("/employers/{employer_id}/ledger/statement", response_model=LedgerStatementRead)
def statement(
    employer_id: int,
    uow: Uow,
    principal: CurrentPrincipal,
    account: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> LedgerStatementRead:
    """One account (or every account used) over a period, both days included: opening
    balance, entries with the running balance, closing balance."""
    return service.statement(
        uow=uow,
        actor=principal,
        employer_id=employer_id,
        account=account,
        since=since,
        until=until,
    )


@router.post(
    "/ledger/transactions", response_model=TransactionRead, status_code=status.HTTP_201_CREATED
)
def post(data: TransactionCreate, uow: Uow, principal: CurrentPrincipal) -> TransactionRead:
    """Post a balanced entry by hand (TPA administrators); 422 names the leg that is wrong."""
    return service.post_manual(uow=uow, actor=principal, data=data)


@router.get("/ledger/transactions/{transaction_id}", response_model=TransactionRead)
def transaction(transaction_id: int, uow: Uow, principal: CurrentPrincipal) -> TransactionRead:
    return service.get_transaction(uow=uow, actor=principal, transaction_id=transaction_id)


@router.post(
    "/ledger/transactions/{transaction_id}/reversal",
    response_model=TransactionRead,
    status_code=status.HTTP_201_CREATED,
)
def reverse(
    transaction_id: int, data: ReversalCreate, uow: Uow, principal: CurrentPrincipal
) -> TransactionRead:
    """Cancel a transaction with its reversing entry (TPA administrators; once: 409 after)."""
    return service.reverse(
        uow=uow,
        actor=principal,
        transaction_id=transaction_id,
        posted_on=data.posted_on,
        memo=data.memo,
    )
