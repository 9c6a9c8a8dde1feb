"""Voiding a check (``aso payments void``), with or without a reissue, and undoing a payment
that never reached its payee (a voided check, an ACH return).

- **Reissue**: the check is voided and a new one, numbered from the employer's sequence, pays
  the same claims; the payment stays released, its 835 stands (its claims were remitted once),
  the ledger moves the settlement from the old check to the new one, and the positive pay file
  tells the bank to refuse the old number and honour the new one.
- **Void** (no reissue) and **return**: the payment is undone whole. Its claims are approved and
  unpaid again (a later cycle pays them), what it reversed is paid again in the books, its
  recoveries are undone, its ledger entries reversed and its claims withdrawn from claims
  payable, and an 835 reverses its 835 (``aso.payments.remit``). A payment that later payments
  depend on (they reversed the claims it paid, or took back the overpayments it made) cannot be
  undone alone: undo those first (``Conflict``; a return is then reported, not applied).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.db.uow import UnitOfWork
from aso.edi.remittance_claims import Due
from aso.edi.x835 import PlbReason, ProviderAdjustment
from aso.employers.models import Employer
from aso.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from aso.ledger.models import LedgerTransaction
from aso.ledger.service import write_entries, write_reversal
from aso.payments import checks, files, postings
from aso.payments import repository as repo
from aso.payments.domain import void_adjustments
from aso.payments.instruments import ascii_name, check_files
from aso.payments.models import (
    CheckRow,
    FundingAccountRow,
    PaymentCycleRow,
    PaymentFileRow,
    PaymentRow,
    RecoveryOffsetRow,
    RecoveryRow,
)
from aso.payments.remit import Remitter
from aso.payments.schemas import VoidRead
from aso.payments.views import file_reads, payment_read
from aso.security import audit
from aso.security.domain import Principal, Role


def void_payment(
    *,
    uow: UnitOfWork,
    actor: Principal,
    payment_id: int,
    reason: str,
    reissue: bool = False,
    on: date | None = None,
    now: datetime | None = None,
) -> VoidRead:
    """Void a released payment's check; reissue it under a new number, or undo the payment."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("only a TPA administrator voids payments")
    if not reason.strip():
        raise ValidationFailed([Problem("reason", "say why the check is void")])
    now = now or datetime.now(UTC)
    on = on or now.date()
    with uow:
        session = uow.session
        payment = _payment(session, payment_id)
        employer = repo.lock_employer(session, payment.employer_id)
        assert employer is not None
        payment = _payment(session, payment_id, lock=True)
        if payment.status != "released" or payment.method != "CHK":
            raise Conflict(f"payment {payment_id} is not a released check ({payment.status})")
        check = _check(session, payment)
        if on < check.issued_on:
            raise ValidationFailed([Problem("on", f"{on} is before the check was issued")])
        check.status, check.voided_on, check.void_reason = "voided", on, reason[:200]
        batch = f"VOID-{payment.id}-{check.number}"
        account = repo.funding_account(session, employer.id)
        assert account is not None
        new: CheckRow | None = None
        kept: list[PaymentFileRow] = []
        if reissue:
            new = _reissue(session, actor, employer, account, payment, check, on)
        else:
            kept += undo(
                session,
                actor,
                employer,
                payment,
                on=on,
                now=now,
                why=reason,
                status="voided",
                reference=str(check.number),
                batch=batch,
            )
        kept += _check_files(session, employer.id, account, batch, [check, new])
        session.flush()
        audit.record(
            session,
            actor,
            "reissue" if reissue else "void",
            "payment",
            [payment.id],
            detail=reason[:200],
        )
        cycle = session.get(PaymentCycleRow, payment.cycle_id)
        assert cycle is not None
        result = VoidRead(
            batch=batch,
            payment=payment_read(payment, cycle.number),
            voided_check=check.number,
            new_check=new.number if new else None,
            files=file_reads(kept),
        )
        uow.commit()
    return result


def _payment(session: Session, payment_id: int, *, lock: bool = False) -> PaymentRow:
    query = select(PaymentRow).where(PaymentRow.id == payment_id)
    if lock:
        query = query.with_for_update()
    payment = session.scalars(query).one_or_none()
    if payment is None:
        raise NotFound(f"no payment {payment_id}")
    return payment


def _check(session: Session, payment: PaymentRow) -> CheckRow:
    check = session.scalars(
        select(CheckRow).where(
            CheckRow.employer_id == payment.employer_id, CheckRow.number == payment.check_number
        )
    ).one()
    if check.status != "issued":
        raise Conflict(f"check {check.number} is already void")
    return check


def _reissue(
    session: Session,
    actor: Principal,
    employer: Employer,
    account: FundingAccountRow,
    payment: PaymentRow,
    check: CheckRow,
    on: date,
) -> CheckRow:
    number = account.next_check_number
    account.next_check_number = number + 1
    new = CheckRow(
        employer_id=employer.id,
        payment_id=payment.id,
        number=number,
        issued_on=on,
        amount_cents=check.amount_cents,
        payee_name=check.payee_name,
        status="issued",
    )
    session.add(new)
    if payment.settle_tx is not None:
        write_reversal(
            session,
            actor=actor,
            transaction_id=payment.settle_tx,
            posted_on=on,
            memo=f"Check {check.number} void: reissued as check {number}",
        )
    entry = postings.settled(
        employer.id, on, f"CHK-{number}", payment.payee_qualifier, payment.amount_cents
    )
    if entry is not None:
        [payment.settle_tx] = write_entries(session, actor=actor, entries=[entry])
    payment.check_number = number
    return new


def _check_files(
    session: Session,
    employer_id: int,
    account: FundingAccountRow,
    batch: str,
    rows: Sequence[CheckRow | None],
) -> list[PaymentFileRow]:
    """Positive pay (the void record, and the new check's issue record) and their register."""
    found = [
        checks.Check(
            number=row.number,
            issued_on=row.issued_on,
            payee=ascii_name(row.payee_name),
            amount=row.amount_cents,
            status=checks.CheckStatus(row.status),
            voided_on=row.voided_on,
        )
        for row in rows
        if row is not None
    ]
    return check_files(session, employer_id, account, batch, found)


# --- undoing a payment --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Recoveries:
    made: list[RecoveryRow]
    """Overpayments the payment's reversals established."""
    offsets: list[RecoveryOffsetRow]
    """What the payment took back, of its own overpayments and earlier ones."""


def _recoveries(session: Session, payment: PaymentRow) -> _Recoveries:
    made = list(session.scalars(select(RecoveryRow).where(RecoveryRow.payment_id == payment.id)))
    offsets = list(
        session.scalars(
            select(RecoveryOffsetRow).where(
                RecoveryOffsetRow.payment_id == payment.id, RecoveryOffsetRow.active
            )
        )
    )
    made_ids = {r.id for r in made}
    later = session.scalars(
        select(RecoveryOffsetRow.payment_id).where(
            RecoveryOffsetRow.recovery_id.in_(made_ids or {0}),
            RecoveryOffsetRow.active,
            RecoveryOffsetRow.payment_id != payment.id,
        )
    ).all()
    if later:
        raise Conflict(
            f"payment {payment.id}'s overpayments were taken back by payments "
            f"{sorted(set(later))}: undo those first"
        )
    return _Recoveries(made, offsets)


def _original_adjustments(session: Session, recoveries: _Recoveries) -> list[ProviderAdjustment]:
    """The payment's PLB as its 835 had it: deferrals (WO negative), then recoveries."""
    wo = PlbReason.OVERPAYMENT_RECOVERY.value
    immediate = {o.recovery_id: o.amount_cents for o in recoveries.offsets if o.immediate}
    found = []
    for recovery in recoveries.made:
        deferred = recovery.amount_cents - immediate.get(recovery.id, 0)
        if deferred > 0:
            found.append(ProviderAdjustment(wo, -deferred, recovery.reference))
    for offset in recoveries.offsets:
        if not offset.immediate:
            row = session.get(RecoveryRow, offset.recovery_id)
            assert row is not None
            found.append(ProviderAdjustment(wo, offset.amount_cents, row.reference))
    return found


def undo(
    session: Session,
    actor: Principal,
    employer: Employer,
    payment: PaymentRow,
    *,
    on: date,
    now: datetime,
    why: str,
    status: str,
    reference: str,
    batch: str,
) -> list[PaymentFileRow]:
    """Undo a released payment that never reached its payee (see the module docstring);
    returns the files (its 835 reversal)."""
    items = repo.items_of(session, [payment.id])[payment.id]
    later = repo.reversed_since(
        session, payment.id, [r.version_id for r in items if r.role == "payment"]
    )
    if later:
        raise Conflict(
            f"payment {payment.id}'s claims were reversed since by payments {later}: undo "
            "those first"
        )
    recoveries = _recoveries(session, payment)
    original = _original_adjustments(session, recoveries)
    key = (payment.payee_qualifier, payment.payee_id)
    dues = [Due(r.version_id, r.claim_id, r.role == "payment", key) for r in items]
    remitter = Remitter.prepare(session, employer, dues, actor.username, now, 1)
    trace = f"V{payment.id:09d}"
    remitter.remit(
        key=key,
        payee=remitter.payee(key),
        dues=dues,
        claims=remitter.claims(dues),
        adjustments=void_adjustments(original, payment.amount_cents, reference),
        method="NON",
        on=on,
        trace=trace,
    )
    remittance = remitter.save()[trace]
    payment.void_remittance_id = remittance.id
    repo.end_items(session, [r.id for r in items], status)
    repo.mark_unpaid(session, {(r.claim_id, r.version) for r in items if r.role == "payment"})
    for recovery in recoveries.made:
        recovery.status = "cancelled"
    for offset in recoveries.offsets:
        offset.active = False
    session.flush()
    for recovery_id in {o.recovery_id for o in recoveries.offsets if not o.immediate}:
        row = session.get(RecoveryRow, recovery_id)
        assert row is not None
        repo.refresh_recovery(session, row)
    _unpost(session, actor, employer, payment, on, why)
    payment.status, payment.ended_on, payment.end_reason = status, on, why[:200]
    return files.keep_835s(session, employer.id, batch, [remittance])


def _unpost(
    session: Session, actor: Principal, employer: Employer, payment: PaymentRow, on: date, why: str
) -> None:
    """Reverse the payment's release and settlement (on the later of ``on`` and their own
    dates: an EFT settles on its effective date) and withdraw its claims."""
    for transaction_id in (payment.settle_tx, payment.release_tx):
        if transaction_id is None:
            continue
        posted = session.scalar(
            select(LedgerTransaction.posted_on).where(LedgerTransaction.id == transaction_id)
        )
        day = max(on, posted) if posted is not None else on
        write_reversal(
            session,
            actor=actor,
            transaction_id=transaction_id,
            posted_on=day,
            memo=f"Payment {payment.id} undone: {why}",
        )
    entry = postings.withdrawn(
        employer.id,
        on,
        f"PAY-{payment.id}",
        payment.claims_cents,
        payment.overpaid_cents,
        f"Claims of payment {payment.id} unpaid again",
    )
    if entry is not None:
        write_entries(session, actor=actor, entries=[entry])
