"""The 835s sent, as a mailbox: a provider fetches its remittances again (a lost file, a new
practice-management system), and TPA staff find any of them.

- ``list_remittances``: newest first, filtered by payee NPI and payment dates. A provider user
  sees only the 835s paid to the NPIs it acts for (``Principal.npis``); staff and auditors see
  every one.
- ``get_remittance``: one 835's text by its trace number (TRN02), to the same callers; anything
  else is not found, so an 835's existence never leaks. An 835 names patients and their claims:
  every fetch is audit-logged as a view of the remittance.

Employer users and members have no 835s: theirs are the funding requests, invoices and EOBs.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select

from aso.db.uow import UnitOfWork
from aso.edi.remittance_models import RemittanceRow
from aso.edi.schemas import RemittanceSummaryRead
from aso.errors import Forbidden, NotFound
from aso.security import audit
from aso.security.domain import TPA_STAFF, Principal, Role

READERS = TPA_STAFF | {Role.AUDITOR, Role.PROVIDER}
NPI_QUALIFIER = "XX"
LISTED = 500


def list_remittances(
    *,
    uow: UnitOfWork,
    actor: Principal,
    npi: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = LISTED,
) -> list[RemittanceSummaryRead]:
    """The 835s the caller may fetch, newest payment first (see the module)."""
    query = _visible(actor).order_by(RemittanceRow.payment_date.desc(), RemittanceRow.id.desc())
    if npi is not None:
        query = query.where(
            RemittanceRow.payee_qualifier == NPI_QUALIFIER, RemittanceRow.payee_id == npi
        )
    if since is not None:
        query = query.where(RemittanceRow.payment_date >= since)
    if until is not None:
        query = query.where(RemittanceRow.payment_date <= until)
    with uow:
        rows = uow.session.scalars(query.limit(limit)).all()
        return [_summary(row) for row in rows]


def get_remittance(*, uow: UnitOfWork, actor: Principal, trace: str) -> tuple[str, str]:
    """(file name, X12 text) of the 835 with this trace number; audit-logged."""
    with uow:
        row = uow.session.scalars(
            _visible(actor).where(RemittanceRow.trace_number == trace)
        ).one_or_none()
        if row is None:
            raise NotFound(f"no remittance {trace}")
        audit.record(uow.session, actor, "view", "remittance", [row.id], detail=row.filename)
        uow.commit()
        return row.filename, row.content


def _visible(actor: Principal) -> Select[RemittanceRow]:
    if actor.role not in READERS:
        raise Forbidden("835 remittances are for providers and TPA staff")
    query = select(RemittanceRow)
    if actor.role is Role.PROVIDER:
        query = query.where(
            RemittanceRow.payee_qualifier == NPI_QUALIFIER,
            RemittanceRow.payee_id.in_(sorted(actor.npis)),
        )
    return query


def _summary(row: RemittanceRow) -> RemittanceSummaryRead:
    return RemittanceSummaryRead(
        trace=row.trace_number,
        payee_qualifier=row.payee_qualifier,
        payee_id=row.payee_id,
        payee_name=row.payee_name,
        payment_method=row.payment_method,
        payment_date=row.payment_date,
        amount=row.amount_cents,
        claims=row.claims,
        reversals=row.reversals,
        filename=row.filename,
        created_at=row.created_at,
    )
