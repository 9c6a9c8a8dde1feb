"""``/v1`` claims funding and payments: employers' funding accounts, deposits and funding
status; payment cycles, their (de-identified) funding requests, releases and payments; voids and
reissues; ACH returns and notifications of change; payees' bank accounts; the files of a
release, void or return.

A TPA administrator does everything; TPA staff and auditors read; an employer's benefits manager
reads its own employer's funding status, cycles and funding requests (another employer's answer
404) and nothing that names a member. ``GET /v1/payment-cycles/{number}/funding-request``
answers JSON, or the PDF or CSV by the ``Accept`` header or a ``format`` query, the query
winning. Register with ``api.include_router(payments.router)``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request, Response, status

from aso.api.deps import CSV, PDF, CurrentPrincipal, Uow, attachment, format_from_accept, get_app
from aso.bootstrap import App
from aso.members.crypto import SsnCipher
from aso.payments import service
from aso.payments.cycles import run_cycle
from aso.payments.documents import request_csv_text, request_pdf_bytes
from aso.payments.release import release_cycle
from aso.payments.returns import apply_notices
from aso.payments.schemas import (
    BankAccountRead,
    BankAccountSet,
    CycleCreate,
    CycleRead,
    DepositCreate,
    DepositRead,
    FundingAccountRead,
    FundingAccountSet,
    FundingRequestRead,
    FundingStatusRead,
    PaymentRead,
    ReleaseCreate,
    ReleaseRead,
    ReturnsRead,
    VoidCreate,
    VoidRead,
)
from aso.payments.voids import void_payment

router = APIRouter(prefix="/v1", tags=["payments"])

Aso = Annotated[App, Depends(get_app)]


def _cipher(app: App) -> SsnCipher:
    return SsnCipher(app.settings.resolved_ssn_key())


# --- employers' funding --------------------------------------------------------------------


@router.put("/employers/{employer_id}/funding-account", response_model=FundingAccountRead)
def set_funding_account(
    employer_id: int, data: FundingAccountSet, uow: Uow, principal: CurrentPrincipal
) -> FundingAccountRead:
    """The employer's claims funding account, prefunding (days of claims) and check numbers."""
    return service.set_funding_account(uow=uow, actor=principal, employer_id=employer_id, data=data)


@router.get("/employers/{employer_id}/funding-account", response_model=FundingAccountRead)
def get_funding_account(
    employer_id: int, uow: Uow, principal: CurrentPrincipal
) -> FundingAccountRead:
    return service.get_funding_account(uow=uow, actor=principal, employer_id=employer_id)


@router.get("/employers/{employer_id}/funding", response_model=FundingStatusRead)
def funding_status(employer_id: int, uow: Uow, principal: CurrentPrincipal) -> FundingStatusRead:
    """Bank balance, requests outstanding, claims payable, prefunding, deposits."""
    return service.funding_status(uow=uow, actor=principal, employer_id=employer_id)


@router.post(
    "/employers/{employer_id}/deposits",
    response_model=DepositRead,
    status_code=status.HTTP_201_CREATED,
)
def record_deposit(
    employer_id: int, data: DepositCreate, uow: Uow, principal: CurrentPrincipal
) -> DepositRead:
    """A deposit, matched to the employer's open funding requests; the rest prefunds."""
    return service.record_deposit(uow=uow, actor=principal, employer_id=employer_id, data=data)


@router.get("/employers/{employer_id}/payment-cycles", response_model=list[CycleRead])
def list_cycles(employer_id: int, uow: Uow, principal: CurrentPrincipal) -> list[CycleRead]:
    return service.list_cycles(uow=uow, actor=principal, employer_id=employer_id)


# --- cycles ---------------------------------------------------------------------------------


@router.post("/payment-cycles", response_model=CycleRead, status_code=status.HTTP_201_CREATED)
def create_cycle(data: CycleCreate, uow: Uow, principal: CurrentPrincipal) -> CycleRead:
    """Run a payment cycle: claims adjudicated up to ``through``, one payment per payee, the
    funding request (409 when nothing is due)."""
    return run_cycle(
        uow=uow,
        actor=principal,
        employer_id=data.employer_id,
        through=data.through,
        run_on=data.run_on,
    )


@router.get("/payment-cycles/{number}", response_model=CycleRead)
def get_cycle(number: str, uow: Uow, principal: CurrentPrincipal) -> CycleRead:
    return service.get_cycle(uow=uow, actor=principal, number=number)


@router.get(
    "/payment-cycles/{number}/funding-request",
    response_model=FundingRequestRead,
    responses={200: {"content": {PDF: {}, CSV: {}}}},
)
def get_funding_request(
    number: str,
    request: Request,
    uow: Uow,
    principal: CurrentPrincipal,
    format: Literal["json", "pdf", "csv"] | None = None,
) -> Any:
    """The cycle's funding request, de-identified: JSON, PDF or CSV."""
    found = service.get_funding_request(uow=uow, actor=principal, number=number)
    wanted = format or format_from_accept(request.headers.get("accept", ""))
    if wanted == "pdf":
        return Response(
            request_pdf_bytes(found),
            media_type=PDF,
            headers=attachment(f"funding-request-{number}.pdf"),
        )
    if wanted == "csv":
        return Response(
            request_csv_text(found),
            media_type=f"{CSV}; charset=utf-8",
            headers=attachment(f"funding-request-{number}.csv"),
        )
    return found


@router.get("/payment-cycles/{number}/payments", response_model=list[PaymentRead])
def cycle_payments(number: str, uow: Uow, principal: CurrentPrincipal) -> list[PaymentRead]:
    return service.cycle_payments(uow=uow, actor=principal, number=number)


@router.post("/payment-cycles/{number}/release", response_model=ReleaseRead)
def release(
    number: str,
    uow: Uow,
    principal: CurrentPrincipal,
    app: Aso,
    data: Annotated[ReleaseCreate | None, Body()] = None,
) -> ReleaseRead:
    """Release the cycle's pending payments as far as the funds go; the files are under
    ``/v1/payment-files/{batch}``."""
    return release_cycle(
        uow=uow,
        actor=principal,
        number=number,
        cipher=_cipher(app),
        released_on=data.released_on if data else None,
    )


# --- payments -------------------------------------------------------------------------------


@router.get("/payments/{payment_id}", response_model=PaymentRead)
def get_payment(payment_id: int, uow: Uow, principal: CurrentPrincipal) -> PaymentRead:
    return service.get_payment(uow=uow, actor=principal, payment_id=payment_id)


@router.post("/payments/{payment_id}/void", response_model=VoidRead)
def void(payment_id: int, data: VoidCreate, uow: Uow, principal: CurrentPrincipal) -> VoidRead:
    """Void a check: reissue it, or undo the payment (409 when it is not a released check)."""
    return void_payment(
        uow=uow,
        actor=principal,
        payment_id=payment_id,
        reason=data.reason,
        reissue=data.reissue,
        on=data.on,
    )


@router.post("/payments/returns", response_model=ReturnsRead)
async def returns(request: Request, uow: Uow, principal: CurrentPrincipal, app: Aso) -> ReturnsRead:
    """A returns and NOC file as the body (``text/csv``: trace, code, corrected_data)."""
    text = (await request.body()).decode("utf-8")
    return apply_notices(uow=uow, actor=principal, text=text, cipher=_cipher(app))


@router.get("/payment-files/{batch}")
def payment_files(batch: str, uow: Uow, principal: CurrentPrincipal) -> dict[str, str]:
    """The files of a release, void or return by name: NACHA, positive pay, register, 835s."""
    return dict(service.batch_files(uow=uow, actor=principal, batch=batch))


# --- payees' bank accounts ----------------------------------------------------------------


@router.post(
    "/payee-bank-accounts", response_model=BankAccountRead, status_code=status.HTTP_201_CREATED
)
def set_bank_account(
    data: BankAccountSet, uow: Uow, principal: CurrentPrincipal, app: Aso
) -> BankAccountRead:
    """A payee's EFT account (by NPI, or a subscriber's member id); a prenote goes first
    unless ``verified``."""
    return service.set_bank_account(uow=uow, actor=principal, data=data, cipher=_cipher(app))


@router.get("/payee-bank-accounts", response_model=list[BankAccountRead])
def bank_accounts(
    uow: Uow, principal: CurrentPrincipal, npi: str | None = None, member: str | None = None
) -> list[BankAccountRead]:
    return service.bank_accounts(uow=uow, actor=principal, npi=npi, member=member)
