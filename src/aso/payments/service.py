"""Use cases of claims funding around the cycles: an employer's funding account and prefunding
setting, payees' bank accounts, deposits, the funding status, and reading cycles, funding
requests, payments and their files.

Who may do what (DESIGN 1): a TPA administrator sets accounts, records deposits, runs and
releases cycles (``aso.payments.cycles``, ``aso.payments.release``), voids payments and applies
returns; TPA staff and auditors read everything; an employer's benefits manager reads its own
employer's funding status and funding requests, which are de-identified, and nothing else of
payments (they name members reimbursed). Reading a cycle's payments or files touches member
data and is audit-logged.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aso.db.base import utcnow
from aso.db.uow import UnitOfWork
from aso.employers.models import Employer
from aso.employers.service import visible_employer
from aso.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from aso.ledger.service import write_entries
from aso.members.crypto import SsnCipher
from aso.members.models import Member
from aso.money import ZERO, to_money
from aso.payments import files, nacha, postings
from aso.payments import repository as repo
from aso.payments.domain import match_deposit, prefund_target
from aso.payments.models import (
    FundingAccountRow,
    FundingDepositRow,
    FundingMatchRow,
    PayeeAccountRow,
    PaymentCycleRow,
    PaymentRow,
)
from aso.payments.schemas import (
    BankAccountRead,
    BankAccountSet,
    CycleRead,
    DepositCreate,
    DepositRead,
    FundingAccountRead,
    FundingAccountSet,
    FundingRequestRead,
    FundingStatusRead,
    PaymentRead,
    RequestStatusRead,
)
from aso.payments.views import (
    bank_account_read,
    cycle_read,
    deposit_read,
    funding_account_read,
    funding_request,
    payment_read,
    visible_cycle,
)
from aso.providers.domain import normalize_npi
from aso.security import audit
from aso.security.domain import TPA_STAFF, Principal, Role

READERS = TPA_STAFF | {Role.AUDITOR}
"""Who reads payments (they name the members reimbursed)."""
FUNDING_READERS = READERS | {Role.EMPLOYER}
"""Who reads funding status and (de-identified) funding requests."""
DEPOSITS_SHOWN = 20


def _require_admin(actor: Principal, what: str) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden(f"only a TPA administrator {what}")


def _require(actor: Principal, roles: frozenset[Role], what: str) -> None:
    if actor.role not in roles:
        raise Forbidden(f"the {actor.role.value} role may not read {what}")


# --- the employer's funding account ----------------------------------------------------------


def set_funding_account(
    *, uow: UnitOfWork, actor: Principal, employer_id: int, data: FundingAccountSet
) -> FundingAccountRead:
    """Set the employer's claims funding account and prefunding (TPA administrators). The
    first check number is kept once checks have been drawn unless a higher one is given."""
    _require_admin(actor, "sets funding accounts")
    problems = _bank_problems(data.routing, data.account_number, digits_only=True)
    if problems:
        raise ValidationFailed(problems)
    with uow:
        session = uow.session
        employer = visible_employer(session, actor, employer_id)
        row = repo.funding_account(session, employer_id)
        if row is None:
            row = FundingAccountRow(
                employer_id=employer_id,
                next_check_number=data.first_check_number or _first_check(employer_id),
            )
            session.add(row)
        elif data.first_check_number is not None:
            if data.first_check_number < row.next_check_number:
                raise Conflict(f"checks up to {row.next_check_number - 1} may have been drawn")
            row.next_check_number = data.first_check_number
        row.bank_name = data.bank_name.strip()
        row.routing = data.routing
        row.account_number = data.account_number
        row.account_type = data.account_type
        row.prefund_days = data.prefund_days
        row.updated_at = utcnow()
        row.updated_by = actor.username
        session.flush()
        audit.record(session, actor, "update", "funding_account", [employer_id])
        result = funding_account_read(row, employer)
        uow.commit()
    return result


def _first_check(employer_id: int) -> int:
    """Each employer's checks from its own range (``employer id`` x 100,000 + 1): TRN02 of
    an 835 is the check number, and no two plans' remittances may share a trace."""
    return employer_id * 100_000 + 1


def _bank_problems(routing: str, account: str, *, digits_only: bool = False) -> list[Problem]:
    problems = []
    message = nacha.routing_problem(routing)
    if message:
        problems.append(Problem("routing", message))
    pattern = "[0-9]{1,17}" if digits_only else "[0-9A-Za-z-]{1,17}"
    if not re.fullmatch(pattern, account):
        what = "digits" if digits_only else "letters, digits or hyphens"
        problems.append(Problem("account_number", f"1 to 17 {what}"))
    return problems


def get_funding_account(
    *, uow: UnitOfWork, actor: Principal, employer_id: int
) -> FundingAccountRead:
    _require(actor, FUNDING_READERS, "funding accounts")
    with uow:
        employer = visible_employer(uow.session, actor, employer_id)
        row = repo.funding_account(uow.session, employer_id)
        if row is None:
            raise NotFound(f"{employer.ein} has no claims funding account")
        return funding_account_read(row, employer)


# --- payees' bank accounts ---------------------------------------------------------------------


def set_bank_account(
    *, uow: UnitOfWork, actor: Principal, data: BankAccountSet, cipher: SsnCipher
) -> BankAccountRead:
    """Register a payee's EFT account (TPA administrators); it replaces the one in use. A
    prenote goes with the payee's next ACH file unless the account is ``verified``."""
    _require_admin(actor, "registers payees' bank accounts")
    problems = _bank_problems(data.routing, data.account_number)
    if (data.npi is None) == (data.member is None):
        problems.append(Problem("payee", "give either an NPI or a member id"))
    if problems:
        raise ValidationFailed(problems)
    with uow:
        session = uow.session
        payee = _payee(session, data)
        current = repo.account_in_use(session, payee, lock=True)
        now = utcnow()
        if current is not None:
            current.status, current.inactive_reason = "inactive", "replaced"
            current.updated_at = now
            session.flush()
        row = PayeeAccountRow(
            payee_qualifier=payee[0],
            payee_id=payee[1],
            routing=data.routing,
            account_encrypted=cipher.encrypt(data.account_number),
            account_last4=data.account_number[-4:],
            account_type=data.account_type,
            status="active" if data.verified else "prenote_due",
            created_by=actor.username,
            updated_at=now,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict(
                "another account was registered for this payee at the same time"
            ) from exc
        audit.record(session, actor, "create", "payee_bank_account", [row.id], detail=payee[1])
        result = bank_account_read(row)
        uow.commit()
    return result


def _payee(session: Session, data: BankAccountSet) -> tuple[str, str]:
    if data.npi is not None:
        try:
            return ("XX", normalize_npi(data.npi))
        except ValueError as exc:
            raise ValidationFailed([Problem("npi", str(exc))]) from exc
    number = (data.member or "").strip().upper()
    member = session.scalars(select(Member).where(Member.member_number == number)).one_or_none()
    if member is None:
        raise NotFound(f"no member {number}")
    if member.subscriber_id is not None:
        raise ValidationFailed(
            [Problem("member", f"{number} is a dependent: reimbursements go to the subscriber")]
        )
    return ("FI", member.member_number)


def bank_accounts(
    *, uow: UnitOfWork, actor: Principal, npi: str | None = None, member: str | None = None
) -> list[BankAccountRead]:
    """A payee's bank accounts, newest first (TPA staff and auditors)."""
    _require(actor, READERS, "bank accounts")
    with uow:
        query = select(PayeeAccountRow).order_by(PayeeAccountRow.id.desc())
        if npi is not None:
            query = query.where(
                PayeeAccountRow.payee_qualifier == "XX", PayeeAccountRow.payee_id == npi.strip()
            )
        if member is not None:
            query = query.where(
                PayeeAccountRow.payee_qualifier == "FI",
                PayeeAccountRow.payee_id == member.strip().upper(),
            )
        return [bank_account_read(row) for row in uow.session.scalars(query)]


# --- deposits ----------------------------------------------------------------------------------


def record_deposit(
    *, uow: UnitOfWork, actor: Principal, employer_id: int, data: DepositCreate
) -> DepositRead:
    """Record the employer's deposit and match it to its open funding requests (the one its
    reference names first, then the oldest); the rest is prefunding (TPA administrators)."""
    _require_admin(actor, "records deposits")
    amount = to_money(data.amount)
    if amount != data.amount or amount <= 0:
        raise ValidationFailed([Problem("amount", f"{data.amount}: a positive amount in cents")])
    with uow:
        session = uow.session
        employer = repo.lock_employer(session, employer_id)
        if employer is None or not actor.may_see_employer(employer_id):
            raise NotFound(f"no employer {employer_id}")
        reference = data.reference.strip() if data.reference else None
        matched = match_deposit(amount, repo.open_requests(session, employer_id), reference)
        total = sum((share for _, share in matched), ZERO)
        entry = postings.deposited(
            employer_id, data.received_on, amount, total, reference or f"deposit {data.received_on}"
        )
        assert entry is not None
        [transaction_id] = write_entries(session, actor=actor, entries=[entry])
        deposit = FundingDepositRow(
            employer_id=employer_id,
            received_on=data.received_on,
            amount_cents=amount,
            reference=reference,
            ledger_tx=transaction_id,
            created_by=actor.username,
        )
        session.add(deposit)
        session.flush()
        session.add_all(
            FundingMatchRow(deposit_id=deposit.id, cycle_id=request.cycle_id, amount_cents=share)
            for request, share in matched
        )
        session.flush()
        audit.record(session, actor, "create", "funding_deposit", [deposit.id])
        result = deposit_read(session, deposit, employer)
        uow.commit()
    return result


# --- status and reads --------------------------------------------------------------------------


def funding_status(
    *, uow: UnitOfWork, actor: Principal, employer_id: int, as_of: date | None = None
) -> FundingStatusRead:
    """The employer's claims money per the ledger, its prefunding, its funding requests and
    deposits (an employer user: its own employer's)."""
    _require(actor, FUNDING_READERS, "funding status")
    with uow:
        session = uow.session
        employer = visible_employer(session, actor, employer_id)
        position = repo.position(session, employer_id)
        account = repo.funding_account(session, employer_id)
        days = account.prefund_days if account is not None else 0
        target = prefund_target(
            days, *repo.paid_in_window(session, employer_id, as_of or date.today())
        )
        recoveries = repo.open_recoveries(session, employer_id)
        return FundingStatusRead(
            employer_id=employer.id,
            ein=employer.ein,
            bank_balance=position.bank,
            funding_requested=position.receivable,
            claims_payable=position.payable,
            payments_outstanding=position.outstanding,
            overpayments_receivable=repo.overpayments_receivable(session, employer_id),
            available=position.available,
            uncommitted=position.uncommitted,
            prefund_days=days,
            prefund_target=target,
            requests=_requests(session, employer_id),
            deposits=_deposits(session, employer),
            open_recoveries=sum(len(found) for found in recoveries.values()),
            recoveries_outstanding=sum(
                (r.remaining for found in recoveries.values() for r in found), ZERO
            ),
        )


def _requests(session: Session, employer_id: int) -> list[RequestStatusRead]:
    cycles = list(
        session.scalars(
            select(PaymentCycleRow)
            .where(PaymentCycleRow.employer_id == employer_id)
            .order_by(PaymentCycleRow.id.desc())
        )
    )
    deposited = repo.deposited_for(session, [c.id for c in cycles])
    return [
        RequestStatusRead(
            cycle=c.number,
            run_on=c.run_on,
            requested=c.requested_cents,
            deposited=deposited.get(c.id, ZERO),
            outstanding=max(ZERO, c.requested_cents - deposited.get(c.id, ZERO)),
            cycle_status=c.status,
        )
        for c in cycles
    ]


def _deposits(session: Session, employer: Employer) -> list[DepositRead]:
    rows = session.scalars(
        select(FundingDepositRow)
        .where(FundingDepositRow.employer_id == employer.id)
        .order_by(FundingDepositRow.id.desc())
        .limit(DEPOSITS_SHOWN)
    )
    return [deposit_read(session, row, employer) for row in rows]


def get_cycle(*, uow: UnitOfWork, actor: Principal, number: str) -> CycleRead:
    _require(actor, FUNDING_READERS, "payment cycles")
    with uow:
        return cycle_read(uow.session, visible_cycle(uow.session, actor, number))


def list_cycles(*, uow: UnitOfWork, actor: Principal, employer_id: int) -> list[CycleRead]:
    _require(actor, FUNDING_READERS, "payment cycles")
    with uow:
        session = uow.session
        visible_employer(session, actor, employer_id)
        rows = session.scalars(
            select(PaymentCycleRow)
            .where(PaymentCycleRow.employer_id == employer_id)
            .order_by(PaymentCycleRow.id.desc())
        )
        return [cycle_read(session, row) for row in rows]


def get_funding_request(*, uow: UnitOfWork, actor: Principal, number: str) -> FundingRequestRead:
    """The cycle's funding request, de-identified (the employer's own, for an employer user)."""
    _require(actor, FUNDING_READERS, "funding requests")
    with uow:
        session = uow.session
        cycle = visible_cycle(session, actor, number)
        result = funding_request(session, cycle)
        audit.record(session, actor, "view", "funding_request", [cycle.id])
        uow.commit()
    return result


def cycle_payments(*, uow: UnitOfWork, actor: Principal, number: str) -> list[PaymentRead]:
    """The cycle's payments (TPA staff and auditors: they name members reimbursed)."""
    _require(actor, READERS, "payments")
    with uow:
        session = uow.session
        cycle = visible_cycle(session, actor, number)
        rows = repo.payments_of(session, cycle.id)
        audit.record(session, actor, "view", "payment", [p.id for p in rows])
        result = [payment_read(p, cycle.number) for p in rows]
        uow.commit()
    return result


def get_payment(*, uow: UnitOfWork, actor: Principal, payment_id: int) -> PaymentRead:
    _require(actor, READERS, "payments")
    with uow:
        session = uow.session
        payment = session.get(PaymentRow, payment_id)
        if payment is None:
            raise NotFound(f"no payment {payment_id}")
        cycle = session.get(PaymentCycleRow, payment.cycle_id)
        assert cycle is not None
        audit.record(session, actor, "view", "payment", [payment.id])
        result = payment_read(payment, cycle.number)
        uow.commit()
    return result


def batch_files(*, uow: UnitOfWork, actor: Principal, batch: str) -> list[tuple[str, str]]:
    """(name, text) of the files of a release, void or return (TPA administrators: they hold
    bank account numbers and members' names)."""
    _require_admin(actor, "reads payment files")
    with uow:
        session = uow.session
        rows = files.of_batch(session, batch)
        if not rows:
            raise NotFound(f"no payment files {batch}")
        audit.record(session, actor, "view", "payment_file", [r.id for r in rows], detail=batch)
        result = files.texts(session, rows)
        uow.commit()
    return result
