"""``/v1/invoices`` and ``/v1/employers/{id}/invoices``: admin fee invoices and agreements.

A TPA administrator sets agreements, runs and voids invoices; TPA staff and auditors read every
employer's invoices, an employer's benefits manager its own employer's (another employer's
answer 404). ``GET /v1/invoices/{number}`` answers JSON, or the PDF or CSV by the ``Accept``
header (``application/pdf``, ``text/csv``) or a ``format`` query (``json``, ``pdf``, ``csv``),
the query winning. Register with ``api.include_router(invoices.router)``.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response, status

from aso.adminfees import months, service
from aso.adminfees.domain import parse_agreement
from aso.adminfees.schemas import (
    AgreementRead,
    InvoiceRead,
    InvoiceRunCreate,
    InvoiceRunRead,
    InvoiceSummaryRead,
    InvoiceVoidCreate,
)
from aso.api.deps import CSV, PDF, CurrentPrincipal, Uow, attachment, format_from_accept

router = APIRouter(prefix="/v1", tags=["invoices"])


@router.get("/employers/{employer_id}/invoices", response_model=list[InvoiceSummaryRead])
def list_invoices(
    employer_id: int, uow: Uow, principal: CurrentPrincipal
) -> list[InvoiceSummaryRead]:
    """The employer's invoices, latest month first."""
    return service.list_invoices(uow=uow, actor=principal, employer_id=employer_id)


@router.get(
    "/invoices/{number}",
    response_model=InvoiceRead,
    responses={200: {"content": {PDF: {}, CSV: {}}}},
)
def get_invoice(
    number: str,
    request: Request,
    uow: Uow,
    principal: CurrentPrincipal,
    format: Literal["json", "pdf", "csv"] | None = None,
) -> Any:
    """An invoice as JSON, PDF or CSV (one row per line)."""
    wanted = format or format_from_accept(request.headers.get("accept", ""))
    if wanted == "pdf":
        document = service.invoice_pdf(uow=uow, actor=principal, number=number)
        return Response(document, media_type=PDF, headers=attachment(f"{number}.pdf"))
    if wanted == "csv":
        rows = service.invoice_csv(uow=uow, actor=principal, number=number)
        return Response(
            rows, media_type=f"{CSV}; charset=utf-8", headers=attachment(f"{number}.csv")
        )
    return service.get_invoice(uow=uow, actor=principal, number=number)


@router.post("/invoices/run", response_model=InvoiceRunRead)
def run_invoices(data: InvoiceRunCreate, uow: Uow, principal: CurrentPrincipal) -> InvoiceRunRead:
    """Invoice a month (``YYYY-MM``) for one employer or all with an agreement in effect; a
    month already invoiced is reported as ``existing``, never billed twice."""
    return service.run_invoices(
        uow=uow,
        actor=principal,
        month=months.parse_month(data.month),
        employer_id=data.employer_id,
        issued_on=data.issued_on,
    )


@router.post("/invoices/{number}/void", response_model=InvoiceRead, status_code=status.HTTP_200_OK)
def void_invoice(
    number: str, data: InvoiceVoidCreate, uow: Uow, principal: CurrentPrincipal
) -> InvoiceRead:
    """Void the employer's latest invoice (409 when a later one exists or it is void)."""
    return service.void_invoice(
        uow=uow, actor=principal, number=number, reason=data.reason, on=data.on
    )


@router.get("/employers/{employer_id}/fee-agreements", response_model=list[AgreementRead])
def list_agreements(employer_id: int, uow: Uow, principal: CurrentPrincipal) -> list[AgreementRead]:
    return service.list_agreements(uow=uow, actor=principal, employer_id=employer_id)


@router.post(
    "/employers/{employer_id}/fee-agreements",
    response_model=AgreementRead,
    status_code=status.HTTP_201_CREATED,
)
def set_agreement(
    employer_id: int, document: dict[str, Any], uow: Uow, principal: CurrentPrincipal
) -> AgreementRead:
    """Set the employer's agreement from its ``effective`` month (422 names each wrong
    field)."""
    return service.set_agreement(
        uow=uow, actor=principal, employer_id=employer_id, terms=parse_agreement(document)
    )
