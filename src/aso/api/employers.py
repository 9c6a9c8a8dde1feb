"""``/v1/employers``: employers, plan years, offered plans and de-identified enrollment counts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from aso.api.deps import CurrentPrincipal, Uow, get_app
from aso.api.plans import read_document
from aso.bootstrap import App
from aso.employers.schemas import (
    EmployerCreate,
    EmployerRead,
    OfferedPlanRead,
    PlanYearCreate,
    PlanYearRead,
)
from aso.employers.service import (
    add_plan_year,
    create_employer,
    get_employer,
    list_employers,
    offer_plan,
)
from aso.members.census import import_census
from aso.members.crypto import SsnCipher
from aso.members.schemas import CensusSummary, EmployerSummary, MemberRead
from aso.members.service import employer_summary, list_members
from aso.plans.validation import parse_design

router = APIRouter(prefix="/v1/employers", tags=["employers"])


@router.get("", response_model=list[EmployerRead])
def employers(uow: Uow, principal: CurrentPrincipal) -> list[EmployerRead]:
    """The employers the caller may see (an employer user: its own)."""
    return list_employers(uow=uow, actor=principal)


@router.post("", response_model=EmployerRead, status_code=201)
def new_employer(data: EmployerCreate, uow: Uow, principal: CurrentPrincipal) -> EmployerRead:
    return create_employer(uow=uow, actor=principal, data=data)


@router.get("/{employer_id}", response_model=EmployerRead)
def employer(employer_id: int, uow: Uow, principal: CurrentPrincipal) -> EmployerRead:
    return get_employer(uow=uow, actor=principal, employer_id=employer_id)


@router.post("/{employer_id}/plan-years", response_model=PlanYearRead, status_code=201)
def new_plan_year(
    employer_id: int, data: PlanYearCreate, uow: Uow, principal: CurrentPrincipal
) -> PlanYearRead:
    return add_plan_year(uow=uow, actor=principal, employer_id=employer_id, data=data)


@router.post(
    "/{employer_id}/plans",
    response_model=OfferedPlanRead,
    status_code=201,
)
async def new_plan(
    employer_id: int, request: Request, uow: Uow, principal: CurrentPrincipal
) -> OfferedPlanRead:
    """Offer a plan design (DESIGN section 5, JSON or YAML) in the plan year that contains its
    period; the design passes every validation rule first."""
    design = parse_design(await read_document(request))
    return await run_in_threadpool(
        offer_plan, uow=uow, actor=principal, employer_id=employer_id, design=design
    )


@router.get("/{employer_id}/summary", response_model=EmployerSummary)
def summary(
    employer_id: int, uow: Uow, principal: CurrentPrincipal, on: date | None = None
) -> EmployerSummary:
    """Enrollment counts by line and tier: no names, no member ids (minimum necessary)."""
    return employer_summary(uow=uow, actor=principal, employer_id=employer_id, on=on)


@router.get("/{employer_id}/members", response_model=list[MemberRead])
def members(employer_id: int, uow: Uow, principal: CurrentPrincipal) -> list[MemberRead]:
    """Every member of the employer, for TPA staff only; the read is audit-logged."""
    return list_members(uow=uow, actor=principal, employer_id=employer_id)


@router.post("/{employer_id}/census", response_model=CensusSummary)
async def census(
    employer_id: int,
    request: Request,
    app: Annotated[App, Depends(get_app)],
    principal: CurrentPrincipal,
    filename: str = "census.csv",
) -> CensusSummary:
    """Import a census CSV (the request body, ``Content-Type: text/csv``): all of it or, when
    any row is wrong, nothing (422 listing every bad row and field). The same file twice changes
    nothing the second time."""
    text = (await request.body()).decode("utf-8-sig", errors="replace")
    return await run_in_threadpool(
        import_census,
        uow=app.uow(),
        actor=principal,
        employer_id=employer_id,
        text=text,
        filename=filename,
        cipher=SsnCipher(app.settings.resolved_ssn_key()),
    )
