"""``/v1/employers/{id}/stoploss``: an employer's stop-loss report, contracts, tracking,
reimbursement requests and reimbursements received.

TPA staff read full reports; an employer's benefits manager (and an auditor) reads its own
employer's, de-identified; another employer's answer 404. A TPA administrator sets up contracts,
requests and records reimbursements; TPA staff track. Register with
``api.include_router(stoploss.router)``.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status

from aso.api.deps import CurrentPrincipal, Uow
from aso.stoploss import service
from aso.stoploss.schemas import (
    ContractCreate,
    ContractRead,
    ReceiptCreate,
    ReceiptRead,
    RequestCreate,
    RequestRead,
    StopLossReportRead,
    TrackCreate,
    TrackRead,
)

router = APIRouter(prefix="/v1/employers/{employer_id}/stoploss", tags=["stop-loss"])


@router.get("", response_model=StopLossReportRead)
def report(
    employer_id: int,
    uow: Uow,
    principal: CurrentPrincipal,
    as_of: date | None = None,
    contract_id: int | None = None,
) -> StopLossReportRead:
    """Positions from the claims paid by ``as_of`` (default today): large claimants, everyone
    else together, the aggregate, requests. De-identified for anyone but TPA staff."""
    return service.report(
        uow=uow,
        actor=principal,
        employer_id=employer_id,
        as_of=as_of or date.today(),
        contract_id=contract_id,
    )


@router.get("/contracts", response_model=list[ContractRead])
def contracts(employer_id: int, uow: Uow, principal: CurrentPrincipal) -> list[ContractRead]:
    return service.contracts(uow=uow, actor=principal, employer_id=employer_id)


@router.post("/contracts", response_model=ContractRead, status_code=status.HTTP_201_CREATED)
def new_contract(
    employer_id: int, data: ContractCreate, uow: Uow, principal: CurrentPrincipal
) -> ContractRead:
    """Set up a contract (TPA administrators); 422 names the field that is wrong."""
    return service.create_contract(uow=uow, actor=principal, employer_id=employer_id, data=data)


@router.post("/tracking", response_model=TrackRead)
def track(employer_id: int, data: TrackCreate, uow: Uow, principal: CurrentPrincipal) -> TrackRead:
    """Track the contracts in force and make the large-case notifications now due."""
    return service.track(
        uow=uow,
        actor=principal,
        employer_id=employer_id,
        as_of=data.as_of or date.today(),
        contract_id=data.contract_id,
    )


@router.post("/requests", response_model=list[RequestRead], status_code=status.HTTP_201_CREATED)
def new_requests(
    employer_id: int, data: RequestCreate, uow: Uow, principal: CurrentPrincipal
) -> list[RequestRead]:
    """Request what is reimbursable and not yet requested (an empty list when nothing is)."""
    return service.request_reimbursement(
        uow=uow,
        actor=principal,
        employer_id=employer_id,
        as_of=data.as_of or date.today(),
        kind=data.kind,
        contract_id=data.contract_id,
    )


@router.get("/requests/{request_id}", response_model=RequestRead)
def request(
    employer_id: int, request_id: int, uow: Uow, principal: CurrentPrincipal
) -> RequestRead:
    """A request with the claims behind it (TPA staff)."""
    return service.get_request(
        uow=uow, actor=principal, request_id=request_id, employer_id=employer_id
    )


@router.post(
    "/requests/{request_id}/receipts",
    response_model=ReceiptRead,
    status_code=status.HTTP_201_CREATED,
)
def new_receipt(
    employer_id: int,
    request_id: int,
    data: ReceiptCreate,
    uow: Uow,
    principal: CurrentPrincipal,
) -> ReceiptRead:
    """Record a reimbursement from the carrier (TPA administrators); ``final`` settles the
    request, writing off what is not paid."""
    return service.record_reimbursement(
        uow=uow,
        actor=principal,
        request_id=request_id,
        amount=data.amount,
        received_on=data.received_on,
        reference=data.reference,
        final=data.final,
        employer_id=employer_id,
    )
