"""Ledger use cases: post an entry, reverse one, read a transaction, the trial balance and an
employer's account statement.

Who may do what (DESIGN 1): a TPA administrator posts and reverses; TPA staff and auditors
read every employer's books; an employer's benefits manager reads its own employer's books
only (another employer's answer NotFound, as if it did not exist). The ledger holds no member
data, so memos must name no member.

Use cases that move money (funding, payments, fees, stop-loss) post their entries in their own
unit of work with ``write_entries`` and ``write_reversal``, which check the entries and write
them without committing; the database checks them once more (``aso.ledger.ddl``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from aso.db.uow import UnitOfWork
from aso.employers.models import Employer
from aso.employers.service import visible_employer
from aso.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from aso.ledger import repository as repo
from aso.ledger.domain import (
    ACCOUNTS,
    CHART,
    AccountStatement,
    Entry,
    Leg,
    Side,
    StatementLine,
    account_statement,
    entry_problems,
    reversing_entry,
    statement_accounts,
)
from aso.ledger.domain import trial_balance as build_trial_balance
from aso.ledger.models import LedgerTransaction
from aso.ledger.schemas import (
    AccountRead,
    AccountStatementRead,
    LedgerStatementRead,
    LegCreate,
    LegRead,
    StatementLineRead,
    TransactionCreate,
    TransactionRead,
    TrialBalanceLineRead,
    TrialBalanceRead,
)
from aso.money import ZERO
from aso.security import audit
from aso.security.domain import TPA_STAFF, Principal, Role

READERS = TPA_STAFF | {Role.AUDITOR, Role.EMPLOYER}


# --- writing, inside another use case's unit of work ----------------------------------------


def write_entries(session: Session, *, actor: Principal, entries: Sequence[Entry]) -> list[int]:
    """Check and write entries (all or none); returns their ids. Does not commit."""
    problems = [
        Problem(f"entries[{number}].{p.where}" if len(entries) > 1 else p.where, p.message)
        for number, entry in enumerate(entries, start=1)
        for p in _entry_problems(session, entry)
    ]
    if problems:
        raise ValidationFailed(problems, "the entry cannot be posted")
    ids = repo.insert_entries(session, entries, actor.username)
    audit.record(session, actor, "create", "ledger_transaction", ids)
    return ids


def write_reversal(
    session: Session,
    *,
    actor: Principal,
    transaction_id: int,
    posted_on: date,
    memo: str | None = None,
) -> int:
    """Reverse a posted transaction (once); returns the reversal's id. Does not commit."""
    row = repo.lock_transaction(session, transaction_id)
    if row is None:
        raise NotFound(f"no ledger transaction {transaction_id}")
    existing = repo.reversed_by(session, transaction_id)
    if existing is not None:
        raise Conflict(f"transaction {transaction_id} is already reversed by {existing}")
    original = repo.to_entry(row, repo.legs_of(session, row.key))
    reversal = reversing_entry(original, original_id=transaction_id, posted_on=posted_on, memo=memo)
    [reversal_id] = write_entries(session, actor=actor, entries=[reversal])
    return reversal_id


def _entry_problems(session: Session, entry: Entry) -> list[Problem]:
    problems = entry_problems(entry)
    if not problems and session.get(Employer, entry.employer_id) is None:
        problems.append(Problem("employer_id", f"no employer {entry.employer_id}"))
    return problems


# --- use cases ------------------------------------------------------------------------------


def post(*, uow: UnitOfWork, actor: Principal, entry: Entry) -> TransactionRead:
    """Post one balanced entry (TPA administrators)."""
    [posted] = post_all(uow=uow, actor=actor, entries=[entry])
    return posted


def post_all(
    *, uow: UnitOfWork, actor: Principal, entries: Sequence[Entry]
) -> list[TransactionRead]:
    """Post several entries together: all of them, or none when any is wrong."""
    _require_admin(actor)
    with uow:
        ids = write_entries(uow.session, actor=actor, entries=entries)
        result = [_read(uow.session, transaction_id) for transaction_id in ids]
        uow.commit()
    return result


def post_manual(*, uow: UnitOfWork, actor: Principal, data: TransactionCreate) -> TransactionRead:
    """Post an entry given as debits and credits (an administrator's adjusting entry)."""
    _require_admin(actor)
    return post(uow=uow, actor=actor, entry=entry_from(data))


def reverse(
    *,
    uow: UnitOfWork,
    actor: Principal,
    transaction_id: int,
    posted_on: date,
    memo: str | None = None,
) -> TransactionRead:
    """Cancel a posted transaction with its reversing entry (entries are never edited)."""
    _require_admin(actor)
    with uow:
        reversal_id = write_reversal(
            uow.session,
            actor=actor,
            transaction_id=transaction_id,
            posted_on=posted_on,
            memo=memo,
        )
        result = _read(uow.session, reversal_id)
        uow.commit()
    return result


def get_transaction(*, uow: UnitOfWork, actor: Principal, transaction_id: int) -> TransactionRead:
    _require_reader(actor)
    with uow:
        row = repo.transaction(uow.session, transaction_id)
        if row is None or not actor.may_see_employer(row.employer_id):
            raise NotFound(f"no ledger transaction {transaction_id}")
        return _read(uow.session, transaction_id)


def trial_balance(
    *, uow: UnitOfWork, actor: Principal, employer_id: int | None = None
) -> TrialBalanceRead:
    """Every account's balance, of one employer or (without one) of all employers together.
    An employer user gets its own employer's."""
    _require_reader(actor)
    if actor.role is Role.EMPLOYER and employer_id is None:
        employer_id = actor.employer_id
    with uow:
        if employer_id is not None:
            visible_employer(uow.session, actor, employer_id)
        elif actor.role is Role.EMPLOYER:
            raise Forbidden("this employer user is tied to no employer")
        balance = build_trial_balance(repo.net_by_account(uow.session, employer_id=employer_id))
    return TrialBalanceRead(
        accounts=[
            TrialBalanceLineRead(account=line.account, debit=line.debit, credit=line.credit)
            for line in balance.lines
        ],
        total_debit=balance.total_debit,
        total_credit=balance.total_credit,
        net=balance.net,
    )


def statement(
    *,
    uow: UnitOfWork,
    actor: Principal,
    employer_id: int,
    account: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> LedgerStatementRead:
    """One employer's account (or every account it has used) over a period, both days
    included: the opening balance, each entry with the running balance, the closing balance."""
    _require_reader(actor)
    _check_period(account, since, until)
    with uow:
        session = uow.session
        employer = visible_employer(session, actor, employer_id)
        ein, name = employer.ein, employer.name
        opening = (
            repo.net_by_account(session, employer_id=employer_id, account=account, before=since)
            if since is not None
            else {}
        )
        moved = repo.movements(
            session, employer_id=employer_id, account=account, since=since, until=until
        )
    codes = [account] if account else [*opening, *(code for code, _ in moved)]
    statements = [
        account_statement(
            chart_account,
            opening.get(chart_account.code, ZERO),
            [movement for code, movement in moved if code == chart_account.code],
        )
        for chart_account in statement_accounts(codes)
    ]
    return LedgerStatementRead(
        employer_id=employer_id,
        ein=ein,
        employer=name,
        since=since,
        until=until,
        accounts=[_statement_read(s) for s in statements],
    )


def chart_of_accounts() -> list[AccountRead]:
    return [
        AccountRead(
            code=a.code,
            name=a.name,
            type=a.type.value,
            normal_balance=a.normal_side.value,
            description=a.description,
        )
        for a in CHART
    ]


# --- helpers --------------------------------------------------------------------------------


def entry_from(data: TransactionCreate) -> Entry:
    """The entry a request describes; a leg with both or neither of debit and credit is named."""
    problems: list[Problem] = []
    legs: list[Leg] = []
    for number, leg in enumerate(data.legs, start=1):
        made = _leg(leg)
        if made is None:
            problems.append(Problem(f"legs[{number}]", "give either a debit or a credit"))
        else:
            legs.append(made)
    if problems:
        raise ValidationFailed(problems, "the entry cannot be posted")
    return Entry(
        posted_on=data.posted_on,
        employer_id=data.employer_id,
        memo=data.memo,
        kind=data.kind,
        reference=data.reference,
        legs=tuple(legs),
    )


def _leg(data: LegCreate) -> Leg | None:
    if data.debit is not None and data.credit is None:
        return Leg(data.account, Side.DEBIT, data.debit)
    if data.credit is not None and data.debit is None:
        return Leg(data.account, Side.CREDIT, data.credit)
    return None


def _check_period(account: str | None, since: date | None, until: date | None) -> None:
    problems = []
    if account is not None and account not in ACCOUNTS:
        problems.append(Problem("account", f"no account {account!r} in the chart"))
    if since is not None and until is not None and since > until:
        problems.append(Problem("until", f"{until} is before {since}"))
    if problems:
        raise ValidationFailed(problems)


def _require_admin(actor: Principal) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden("only a TPA administrator posts or reverses ledger entries")


def _require_reader(actor: Principal) -> None:
    if actor.role not in READERS:
        raise Forbidden(f"the {actor.role.value} role may not read the ledger")


def _read(session: Session, transaction_id: int) -> TransactionRead:
    row = session.get(LedgerTransaction, transaction_id)
    assert row is not None
    legs = [repo.to_leg(leg) for leg in repo.legs_of(session, row.key)]
    return TransactionRead(
        id=row.id,
        employer_id=row.employer_id,
        posted_on=row.posted_on,
        kind=row.kind,
        reference=row.reference,
        memo=row.memo,
        reverses=row.reverses_id,
        reversed_by=repo.reversed_by(session, row.id),
        created_at=row.created_at,
        created_by=row.created_by,
        total=sum((leg.amount for leg in legs if leg.side is Side.DEBIT), ZERO),
        legs=[
            LegRead(
                line=number,
                account=leg.account,
                debit=leg.amount if leg.side is Side.DEBIT else ZERO,
                credit=leg.amount if leg.side is Side.CREDIT else ZERO,
            )
            for number, leg in enumerate(legs, start=1)
        ],
    )


def _statement_read(s: AccountStatement) -> AccountStatementRead:
    return AccountStatementRead(
        account=s.account.code,
        name=s.account.name,
        normal_balance=s.account.normal_side.value,
        opening=s.opening,
        total_debit=s.total_debit,
        total_credit=s.total_credit,
        closing=s.closing,
        entries=[_line_read(line) for line in s.lines],
    )


def _line_read(line: StatementLine) -> StatementLineRead:
    movement = line.movement
    return StatementLineRead(
        transaction_id=movement.transaction_id,
        posted_on=movement.posted_on,
        kind=movement.kind,
        memo=movement.memo,
        reference=movement.reference,
        reverses=movement.reverses,
        debit=line.debit,
        credit=line.credit,
        balance=line.balance,
    )
