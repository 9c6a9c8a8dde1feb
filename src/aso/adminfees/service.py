"""Admin fee use cases: set an employer's fee agreement, run a month's invoices, read an
invoice (JSON, PDF, CSV), list an employer's invoices, void the latest one.

Who may do what (DESIGN 1): a TPA administrator sets agreements, runs and voids invoices; TPA
staff and auditors read every employer's invoices; an employer's benefits manager reads its
own employer's (another employer's answer NotFound, as if they did not exist). An invoice holds
counts and amounts only, never a member.

A month is invoiced once per employer: each employer's invoice is one transaction that locks
the employer, finds an issued invoice for the month if there is one (and reports it), and the
database's unique index on (employer, month) of issued invoices stops a concurrent second run.
The invoice, its lines, what each month has now been billed, and its ledger entry (admin fees
receivable against admin fee revenue and, for premiums passed through, stop-loss premiums
payable) commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aso.adminfees import months
from aso.adminfees import repository as repo
from aso.adminfees.documents import Issuer, invoice_csv_text, invoice_pdf_bytes
from aso.adminfees.domain import (
    FeeAgreement,
    agreement_for,
    compute_invoice,
    invoice_entry,
    quantity_text,
    rate_text,
)
from aso.adminfees.models import FeeAgreementRow, InvoiceLineRow, InvoiceRow
from aso.adminfees.schemas import (
    AgreementRead,
    InvoiceLineRead,
    InvoiceRead,
    InvoiceRunItem,
    InvoiceRunRead,
    InvoiceSummaryRead,
)
from aso.db.base import utcnow
from aso.db.uow import UnitOfWork
from aso.employers.models import Employer
from aso.employers.service import visible_employer
from aso.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from aso.ledger.service import write_entries, write_reversal
from aso.security import audit
from aso.security.domain import TPA_STAFF, Principal, Role

READERS = TPA_STAFF | {Role.AUDITOR, Role.EMPLOYER}
Progress = Callable[[int, int], None]
"""Told (done, total) after each employer of a run."""


# --- agreements ------------------------------------------------------------------------------


def set_agreement(
    *, uow: UnitOfWork, actor: Principal, employer_id: int, terms: FeeAgreement
) -> AgreementRead:
    """Set the employer's agreement from ``terms.effective``; an agreement for that month
    already there is replaced (later invoices correct the months it covers)."""
    _require_admin(actor)
    with uow:
        session = uow.session
        employer = visible_employer(session, actor, employer_id)
        rows = repo.agreement_rows(session, employer_id)
        row = next((r for r in rows if r.effective == terms.effective), None)
        action = "update" if row else "create"
        if row is None:
            row = FeeAgreementRow(
                employer_id=employer_id, effective=terms.effective, created_by=actor.username
            )
            session.add(row)
        row.terms_json = terms.model_dump_json()
        row.updated_by = actor.username
        row.updated_at = utcnow()
        session.flush()
        audit.record(session, actor, action, "admin_fee_agreement", [row.id])
        result = _agreement_read(row, employer)
        uow.commit()
    return result


def list_agreements(*, uow: UnitOfWork, actor: Principal, employer_id: int) -> list[AgreementRead]:
    _require_reader(actor)
    with uow:
        employer = visible_employer(uow.session, actor, employer_id)
        return [_agreement_read(r, employer) for r in repo.agreement_rows(uow.session, employer_id)]


# --- running invoices ------------------------------------------------------------------------


def run_invoices(
    *,
    uow: UnitOfWork,
    actor: Principal,
    month: date,
    employer_id: int | None = None,
    issued_on: date | None = None,
    progress: Progress | None = None,
) -> InvoiceRunRead:
    """Invoice ``month`` for one employer, or for every employer with an agreement in effect.
    Each employer's invoice commits on its own; running a month again reports the invoices
    already issued and bills nothing twice."""
    _require_admin(actor)
    month = months.first_of(month)
    issued_on = issued_on or date.today()
    with uow:
        if employer_id is not None:
            targets = [visible_employer(uow.session, actor, employer_id).id]
        else:
            targets = [e.id for e in repo.employers_with_agreements(uow.session, month)]
    items: list[InvoiceRunItem] = []
    for done, target in enumerate(targets, start=1):
        items.append(_invoice_employer(uow, actor, target, month, issued_on))
        if progress is not None:
            progress(done, len(targets))
    return InvoiceRunRead(
        month=month,
        issued=sum(1 for i in items if i.outcome == "issued"),
        existing=sum(1 for i in items if i.outcome == "existing"),
        skipped=sum(1 for i in items if i.outcome == "skipped"),
        invoices=items,
    )


def _invoice_employer(
    uow: UnitOfWork, actor: Principal, employer_id: int, month: date, issued_on: date
) -> InvoiceRunItem:
    try:
        with uow:
            item = _issue(uow.session, actor, employer_id, month, issued_on)
            uow.commit()
        return item
    except IntegrityError:
        # another run issued this month's invoice first: report it
        with uow:
            existing = repo.issued_invoice(uow.session, employer_id, month)
            if existing is None:
                raise
            return _run_item(_employer(uow.session, employer_id), "existing", existing)


def _issue(
    session: Session, actor: Principal, employer_id: int, month: date, issued_on: date
) -> InvoiceRunItem:
    employer = repo.lock_employer(session, employer_id)
    if employer is None:
        raise NotFound(f"no employer {employer_id}")
    existing = repo.issued_invoice(session, employer_id, month)
    if existing is not None:
        return _run_item(employer, "existing", existing)
    rows = repo.agreement_rows(session, employer_id)
    agreements = [repo.terms_of(row) for row in rows]
    terms = agreement_for(agreements, month)
    if terms is None:
        message = f"no fee agreement in effect in {months.code(month)}"
        return InvoiceRunItem(
            employer_id=employer.id,
            ein=employer.ein,
            employer=employer.name,
            outcome="skipped",
            message=message,
        )
    oldest = months.add_months(month, -terms.lookback_months)
    invoiced = repo.invoiced_months(session, employer_id, oldest)
    draft = compute_invoice(
        month=month,
        agreements=agreements,
        enrollment=repo.enrollment(session, employer_id, oldest),
        claims=repo.paid_claims(session, employer_id, oldest, months.last_day(month)),
        billed=repo.billed_by_month(repo.billed_rows(session, employer_id, [*invoiced, month])),
        invoiced=invoiced,
    )
    number = _number(employer_id, month, repo.invoice_count(session, employer_id, month))
    invoice = InvoiceRow(
        number=number,
        employer_id=employer_id,
        month=month,
        status="issued",
        agreement_id=next(r.id for r in rows if r.effective == terms.effective),
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=terms.payment_terms_days),
        current_cents=draft.current,
        adjustments_cents=draft.adjustments,
        fees_cents=draft.fees,
        pass_through_cents=draft.pass_through,
        total_cents=draft.total,
        created_by=actor.username,
    )
    session.add(invoice)
    session.flush()
    session.add_all(repo.line_rows(invoice.id, draft.lines))
    repo.add_billed(session, employer_id, month, draft.lines)
    entry = invoice_entry(draft, employer_id=employer_id, number=number, posted_on=issued_on)
    if entry is not None:
        [invoice.ledger_transaction_id] = write_entries(session, actor=actor, entries=[entry])
    session.flush()
    audit.record(session, actor, "create", "admin_fee_invoice", [invoice.id])
    adjustments = sum(1 for charge in draft.lines if charge.is_adjustment)
    return _run_item(employer, "issued", invoice, adjustments)


def _number(employer_id: int, month: date, earlier: int) -> str:
    """``INV-2026-03-00012``; a month invoiced again after a void gets ``-2``, ``-3``, ..."""
    number = f"INV-{months.code(month)}-{employer_id:05d}"
    return f"{number}-{earlier + 1}" if earlier else number


# --- voiding ---------------------------------------------------------------------------------


def void_invoice(
    *, uow: UnitOfWork, actor: Principal, number: str, reason: str, on: date | None = None
) -> InvoiceRead:
    """Void an employer's latest issued invoice: its ledger entry is reversed and what it
    billed is taken back, so the month can be invoiced again. An earlier invoice can be voided
    only after the later ones (they corrected months from what it billed)."""
    _require_admin(actor)
    if not reason.strip():
        raise ValidationFailed([Problem("reason", "say why the invoice is void")])
    with uow:
        session = uow.session
        invoice = _visible_invoice(session, actor, number)
        repo.lock_employer(session, invoice.employer_id)
        if invoice.status != "issued":
            raise Conflict(f"invoice {number} is already void")
        if repo.latest_issued_id(session, invoice.employer_id) != invoice.id:
            raise Conflict(f"invoice {number} is not the employer's latest: void the later first")
        lines = repo.lines_of(session, invoice.id)
        repo.add_billed(
            session, invoice.employer_id, invoice.month, map(repo.to_charge, lines), sign=-1
        )
        if invoice.ledger_transaction_id is not None:
            invoice.void_transaction_id = write_reversal(
                session,
                actor=actor,
                transaction_id=invoice.ledger_transaction_id,
                posted_on=on or date.today(),
                memo=f"Void of admin fee invoice {number}: {reason}"[:200],
            )
        invoice.status = "void"
        invoice.voided_at = utcnow()
        invoice.voided_by = actor.username
        invoice.void_reason = reason[:200]
        session.flush()
        audit.record(session, actor, "void", "admin_fee_invoice", [invoice.id], detail=reason)
        result = _invoice_read(session, invoice)
        uow.commit()
    return result


# --- reading ---------------------------------------------------------------------------------


def get_invoice(*, uow: UnitOfWork, actor: Principal, number: str) -> InvoiceRead:
    _require_reader(actor)
    with uow:
        return _invoice_read(uow.session, _visible_invoice(uow.session, actor, number))


def list_invoices(
    *, uow: UnitOfWork, actor: Principal, employer_id: int
) -> list[InvoiceSummaryRead]:
    """The employer's invoices, latest month first."""
    _require_reader(actor)
    with uow:
        employer = visible_employer(uow.session, actor, employer_id)
        return [_summary(r, employer) for r in repo.invoices_of(uow.session, employer_id)]


def invoice_pdf(
    *, uow: UnitOfWork, actor: Principal, number: str, issuer: Issuer | None = None
) -> bytes:
    """The invoice as a PDF document."""
    return invoice_pdf_bytes(get_invoice(uow=uow, actor=actor, number=number), issuer)


def invoice_csv(*, uow: UnitOfWork, actor: Principal, number: str) -> str:
    """The invoice as CSV: one row per invoice line."""
    return invoice_csv_text(get_invoice(uow=uow, actor=actor, number=number))


# --- helpers ---------------------------------------------------------------------------------


def _visible_invoice(session: Session, actor: Principal, number: str) -> InvoiceRow:
    invoice = repo.invoice_by_number(session, number.strip())
    if invoice is None or not actor.may_see_employer(invoice.employer_id):
        raise NotFound(f"no invoice {number}")
    return invoice


def _employer(session: Session, employer_id: int) -> Employer:
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise NotFound(f"no employer {employer_id}")
    return employer


def _require_admin(actor: Principal) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden("only a TPA administrator sets fee agreements and runs invoices")


def _require_reader(actor: Principal) -> None:
    if actor.role not in READERS:
        raise Forbidden(f"the {actor.role.value} role may not read invoices")


def _agreement_read(row: FeeAgreementRow, employer: Employer) -> AgreementRead:
    return AgreementRead(
        id=row.id,
        employer_id=employer.id,
        ein=employer.ein,
        effective=row.effective,
        terms=repo.terms_of(row).model_dump(mode="json"),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _run_item(
    employer: Employer,
    outcome: Literal["issued", "existing"],
    invoice: InvoiceRow,
    adjustment_lines: int = 0,
) -> InvoiceRunItem:
    return InvoiceRunItem(
        employer_id=employer.id,
        ein=employer.ein,
        employer=employer.name,
        outcome=outcome,
        number=invoice.number,
        total=invoice.total_cents,
        adjustment_lines=adjustment_lines,
    )


def _summary(invoice: InvoiceRow, employer: Employer) -> InvoiceSummaryRead:
    return InvoiceSummaryRead(
        number=invoice.number,
        employer_id=employer.id,
        ein=employer.ein,
        month=invoice.month,
        status="void" if invoice.status == "void" else "issued",
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        total=invoice.total_cents,
    )


def _invoice_read(session: Session, invoice: InvoiceRow) -> InvoiceRead:
    employer = _employer(session, invoice.employer_id)
    agreement = session.get(FeeAgreementRow, invoice.agreement_id)
    assert agreement is not None
    lines = repo.lines_of(session, invoice.id)
    summary = _summary(invoice, employer)
    return InvoiceRead(
        **dict(summary),
        employer=employer.name,
        employer_address=_address(employer),
        count_rule=repo.terms_of(agreement).count_rule.wording,
        current=invoice.current_cents,
        adjustments=invoice.adjustments_cents,
        fees=invoice.fees_cents,
        pass_through=invoice.pass_through_cents,
        ledger_transaction_id=invoice.ledger_transaction_id,
        void_transaction_id=invoice.void_transaction_id,
        void_reason=invoice.void_reason,
        created_at=invoice.created_at,
        created_by=invoice.created_by,
        lines=[_line_read(row) for row in lines],
    )


def _line_read(row: InvoiceLineRow) -> InvoiceLineRead:
    charge = repo.to_charge(row)
    return InvoiceLineRead(
        seq=row.seq,
        kind=row.kind,
        line=row.line,
        tier=row.tier,
        label=row.label,
        description=row.description,
        month_corrected=row.month_corrected,
        quantity=quantity_text(charge),
        rate=rate_text(charge),
        amount=row.amount_cents,
        pass_through=charge.kind.pass_through,
    )


def _address(employer: Employer) -> list[str]:
    lines = [employer.address1, employer.address2 or "", f"{employer.city}, {employer.state}"]
    lines[-1] += f" {employer.zip}"
    return [line for line in lines if line]
