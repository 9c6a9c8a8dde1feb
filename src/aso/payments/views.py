"""Rows as the API and the CLI show them. A funding request shows no member (DESIGN 1): its
lines name the payer's claim reference, the service month, the line of coverage and the
provider; a member reimbursement names no provider it does not know and never the member."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aso.claims.domain import LINE_OF_COVERAGE, ClaimType
from aso.employers.models import Employer
from aso.errors import NotFound
from aso.money import ZERO
from aso.payments import repository as repo
from aso.payments.domain import control_reference, masked
from aso.payments.models import (
    FundingAccountRow,
    FundingDepositRow,
    FundingMatchRow,
    PayeeAccountRow,
    PaymentCycleRow,
    PaymentFileRow,
    PaymentRow,
)
from aso.payments.schemas import (
    BankAccountRead,
    CycleRead,
    DepositMatchRead,
    DepositRead,
    FileRead,
    FundingAccountRead,
    FundingLine,
    FundingRequestRead,
    PaymentRead,
)
from aso.security.domain import Principal


def employer_of(session: Session, employer_id: int) -> Employer:
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise NotFound(f"no employer {employer_id}")
    return employer


def visible_cycle(
    session: Session, actor: Principal, number: str, *, lock: bool = False
) -> PaymentCycleRow:
    cycle = repo.cycle_by_number(session, number.strip(), lock=lock)
    if cycle is None or not actor.may_see_employer(cycle.employer_id):
        raise NotFound(f"no payment cycle {number}")
    return cycle


def address(employer: Employer) -> list[str]:
    lines = [employer.address1, employer.address2 or "", f"{employer.city}, {employer.state}"]
    lines[-1] += f" {employer.zip}"
    return [line for line in lines if line]


def cycle_read(session: Session, cycle: PaymentCycleRow, remitted_elsewhere: int = 0) -> CycleRead:
    employer = employer_of(session, cycle.employer_id)
    counts = dict(
        session.execute(
            select(PaymentRow.status, func.count())
            .where(PaymentRow.cycle_id == cycle.id)
            .group_by(PaymentRow.status)
        ).all()
    )
    deposited = repo.deposited_for(session, [cycle.id]).get(cycle.id, ZERO)
    return CycleRead(
        number=cycle.number,
        employer_id=employer.id,
        ein=employer.ein,
        through=cycle.through,
        run_on=cycle.run_on,
        status=cycle.status,
        claims=cycle.claims,
        payees=sum(counts.values()),
        claims_amount=cycle.claims_cents,
        overpaid=cycle.overpaid_cents,
        gross=cycle.gross_cents,
        prefund_target=cycle.prefund_target_cents,
        available=cycle.available_cents,
        requested=cycle.requested_cents,
        deposited=deposited,
        pending=counts.get("pending", 0),
        released=sum(n for s, n in counts.items() if s != "pending"),
        remitted_elsewhere=remitted_elsewhere,
    )


def funding_request(session: Session, cycle: PaymentCycleRow) -> FundingRequestRead:
    employer = employer_of(session, cycle.employer_id)
    lines = [
        FundingLine(
            reference=control_reference(row.claim_id, row.version),
            kind="reversal" if row.role == "reversal" else "claim",
            payee="provider" if row.payee_qualifier == "XX" else "member",
            service_month=_month(row.service_date),
            line_of_coverage=LINE_OF_COVERAGE[ClaimType(row.type)].value,
            provider_npi=row.provider_npi,
            provider_name=row.provider_name,
            amount=row.paid_cents,
        )
        for row in repo.request_lines(session, cycle.id)
    ]
    return FundingRequestRead(
        number=cycle.number,
        employer=employer.name,
        ein=employer.ein,
        employer_address=address(employer),
        run_on=cycle.run_on,
        through=cycle.through,
        claims_amount=cycle.claims_cents,
        overpaid=cycle.overpaid_cents,
        gross=cycle.gross_cents,
        available=cycle.available_cents,
        prefund_target=cycle.prefund_target_cents,
        requested=cycle.requested_cents,
        deposited=repo.deposited_for(session, [cycle.id]).get(cycle.id, ZERO),
        lines=lines,
    )


def _month(day: date | str | None) -> str:
    if day is None:
        return ""
    return str(day)[:7]


def payment_read(
    payment: PaymentRow, cycle_number: str, payee_name: str | None = None
) -> PaymentRead:
    return PaymentRead(
        id=payment.id,
        cycle=cycle_number,
        payee_qualifier=payment.payee_qualifier,
        payee_id=payment.payee_id,
        payee_name=payee_name,
        status=payment.status,
        method=payment.method,
        claims_amount=payment.claims_cents,
        recovered=payment.recovered_cents,
        deferred=payment.deferred_cents,
        amount=payment.amount_cents,
        trace=payment.trace,
        check_number=payment.check_number,
        ach_trace=payment.ach_trace,
        released_on=payment.released_on,
        effective_on=payment.effective_on,
    )


def file_reads(files: Sequence[PaymentFileRow]) -> list[FileRead]:
    return [FileRead(name=f.name, kind=f.kind, sha256=f.sha256) for f in files]


def funding_account_read(row: FundingAccountRow, employer: Employer) -> FundingAccountRead:
    return FundingAccountRead(
        employer_id=employer.id,
        ein=employer.ein,
        bank_name=row.bank_name,
        routing=row.routing,
        account=masked(row.account_number),
        account_type=row.account_type,
        prefund_days=row.prefund_days,
        next_check_number=row.next_check_number,
    )


def bank_account_read(row: PayeeAccountRow) -> BankAccountRead:
    return BankAccountRead(
        id=row.id,
        payee_qualifier=row.payee_qualifier,
        payee_id=row.payee_id,
        routing=row.routing,
        account="*" * 6 + row.account_last4,
        account_type=row.account_type,
        status=row.status,
        prenote_effective=row.prenote_effective,
    )


def deposit_read(session: Session, deposit: FundingDepositRow, employer: Employer) -> DepositRead:
    matches = session.execute(
        select(PaymentCycleRow.number, FundingMatchRow.amount_cents)
        .join(PaymentCycleRow, PaymentCycleRow.id == FundingMatchRow.cycle_id)
        .where(FundingMatchRow.deposit_id == deposit.id)
        .order_by(PaymentCycleRow.id)
    ).all()
    matched = [DepositMatchRead(cycle=number, amount=amount) for number, amount in matches]
    return DepositRead(
        id=deposit.id,
        employer_id=employer.id,
        ein=employer.ein,
        amount=deposit.amount_cents,
        received_on=deposit.received_on,
        reference=deposit.reference,
        matched=matched,
        prefunding=deposit.amount_cents - sum((m.amount for m in matched), ZERO),
    )
