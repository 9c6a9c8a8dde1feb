"""``/v1/providers`` and ``/v1/fee-schedules``: the provider directory and fee schedules.

Any signed-in role reads them (the directory is not PHI; in-network rates are published under
Transparency in Coverage); only administrators import. An import takes the CSV file as the
request body (``Content-Type: text/csv``) and answers the summary, or 422 listing every bad
row and field when the file is rejected (nothing is written then).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from aso.api.deps import CurrentPrincipal, Uow, require
from aso.errors import Problem, ValidationFailed
from aso.providers import service
from aso.providers.fee_csv import read_settings
from aso.providers.imports import import_fee_schedule, import_providers
from aso.providers.schemas import (
    FeeImportSummary,
    FeeScheduleRead,
    FeeScheduleSummaryRead,
    ProviderImportSummary,
    ProviderRead,
)
from aso.security.domain import Principal, Role

router = APIRouter(prefix="/v1", tags=["providers"])

Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


async def csv_body(request: Request) -> str:
    try:
        return (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem("body", "not UTF-8 text")]) from exc


@router.get("/providers", response_model=list[ProviderRead])
def providers(
    uow: Uow,
    principal: CurrentPrincipal,
    network: str | None = None,
    on: Annotated[date | None, Query(alias="date")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ProviderRead]:
    """Providers by name; with ``network`` (its code), those with a contract in it in effect
    on ``date`` (today by default)."""
    return service.list_providers(uow=uow, network=network, on=on, limit=limit, offset=offset)


@router.get("/providers/{npi}", response_model=ProviderRead)
def provider(
    npi: str,
    uow: Uow,
    principal: CurrentPrincipal,
    on: Annotated[date | None, Query(alias="date")] = None,
) -> ProviderRead:
    """A provider with its contracts and its network status on ``date`` (today)."""
    return service.get_provider(uow=uow, npi=npi, on=on)


@router.post("/providers/import", response_model=ProviderImportSummary)
async def providers_import(
    request: Request, uow: Uow, principal: Admin, filename: str = "providers.csv"
) -> ProviderImportSummary:
    """Import a providers CSV (columns as ``aso providers import --help`` lists them)."""
    text = await csv_body(request)
    return await run_in_threadpool(
        import_providers, uow=uow, actor=principal, text=text, filename=filename
    )


@router.get("/fee-schedules", response_model=list[FeeScheduleSummaryRead])
def fee_schedules(uow: Uow, principal: CurrentPrincipal) -> list[FeeScheduleSummaryRead]:
    return service.list_fee_schedules(uow=uow)


@router.get("/fee-schedules/{code}", response_model=FeeScheduleRead)
def fee_schedule(code: str, uow: Uow, principal: CurrentPrincipal) -> FeeScheduleRead:
    """A fee schedule whole: settings, rates and drug prices."""
    return service.get_fee_schedule(uow=uow, code=code)


@router.post("/fee-schedules/{code}/import", response_model=FeeImportSummary)
async def fee_schedule_import(
    code: str,
    request: Request,
    uow: Uow,
    principal: Admin,
    network: str,
    name: str | None = None,
    claim_types: str | None = None,
    percent_of_charge: str | None = None,
    percent_of_medicare: str | None = None,
    conversion_factor: str | None = None,
    awp_discount: str | None = None,
    dispensing_fee: str | None = None,
    filename: str = "fee_schedule.csv",
) -> FeeImportSummary:
    """Import a schedule's rates or drug prices (the body; the header tells which) with its
    settings (the query parameters, which state them whole: one left out is unset)."""
    settings = read_settings(
        network=network,
        name=name,
        claim_types=claim_types,
        percent_of_charge=percent_of_charge,
        percent_of_medicare=percent_of_medicare,
        conversion_factor=conversion_factor,
        awp_discount=awp_discount,
        dispensing_fee=dispensing_fee,
    )
    text = await csv_body(request)
    return await run_in_threadpool(
        import_fee_schedule,
        uow=uow,
        actor=principal,
        code=code,
        settings=settings,
        text=text,
        filename=filename,
    )
