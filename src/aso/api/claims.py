"""``/v1/claims``, ``/v1/claims/{id}/eob``, ``/v1/pended-claims``, ``/v1/reprocessing``,
``/v1/members/{id}/claims``, ``/v1/members/{id}/estimate``, ``/v1/members/{id}/accumulators``,
``/v1/appeals``, ``/v1/authorizations`` and ``/v1/accumulator-adjustments``: claim intake and
reading, EOBs, cost estimates, appeals, examiners' work (the pend queue, release, deny,
override, reprocessing), accumulators, prior authorizations and accumulator adjustments.

Claims are submitted by providers and TPA staff as JSON (or YAML with ``Content-Type:
application/yaml``), read back by staff and by the member's own family; every read of a claim
or of accumulators is audit-logged. Register with ``api.include_router(claims.router)``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from aso.api.deps import PDF, CurrentPrincipal, Uow, attachment, format_from_accept, require
from aso.api.plans import read_document
from aso.claims import appeals, eob, service
from aso.claims.adjustments import add_adjustment, list_adjustments
from aso.claims.authorizations import add_authorization, list_authorizations
from aso.claims.eob_pdf import eob_pdf_bytes
from aso.claims.estimate import estimate
from aso.claims.examiner import deny, override, pend_queue, release, reprocess, reprocessing
from aso.claims.intake import submit_claims
from aso.claims.schemas import (
    AccumulatorAdjustmentCreate,
    AccumulatorAdjustmentRead,
    AppealCreate,
    AppealDecision,
    AppealRead,
    AuthorizationCreate,
    AuthorizationRead,
    ClaimRead,
    ClaimReceipt,
    ClaimSummaryRead,
    DecisionResult,
    DenyRequest,
    EobRead,
    EstimateRead,
    EstimateRequest,
    MemberAccumulatorsRead,
    OverrideRequest,
    PendedClaimRead,
    ReleaseRequest,
    ReprocessListing,
    ReprocessReport,
)
from aso.security.domain import Principal, Role

router = APIRouter(prefix="/v1", tags=["claims"])

Examiner = Annotated[Principal, Depends(require(Role.ADMIN, Role.EXAMINER))]
Staff = Annotated[Principal, Depends(require(Role.ADMIN, Role.EXAMINER, Role.SERVICE_REP))]

CLAIM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "description": "A claim (DESIGN 7 shape: id, member, type, provider or "
                    "network, received, diagnoses, lines with date, codes or category, units, "
                    "charge, allowed, prior_auth), or a list of claims.",
                    "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}],
                }
            }
        },
    }
}


@router.post("/claims", response_model=list[ClaimReceipt], openapi_extra=CLAIM_BODY)
async def submit(
    request: Request, response: Response, uow: Uow, principal: CurrentPrincipal
) -> list[ClaimReceipt]:
    """Store claims as received: all of them, or none (422 naming claim, line and field).

    The same claim sent again is not stored twice (its receipt says ``stored: false``); the
    same id with different content is a 409 unless the claim is a replacement or a void
    (frequency 7 or 8). A claim for an unknown member is stored and denied when adjudicated.
    Answers 201 when any claim was stored, 200 when all were on file already.
    """
    document = await read_document(request)
    receipts = await run_in_threadpool(submit_claims, uow=uow, actor=principal, documents=document)
    stored = any(receipt.stored for receipt in receipts)
    response.status_code = status.HTTP_201_CREATED if stored else status.HTTP_200_OK
    return receipts


@router.get("/claims/{claim_id}", response_model=ClaimRead)
def claim(
    claim_id: str, uow: Uow, principal: CurrentPrincipal, npi: str | None = None
) -> ClaimRead:
    """A claim with every version of its adjudication; ``npi`` names the submitting provider
    when several sent the same id. Outside the caller's scope: 404."""
    return service.get_claim(uow=uow, actor=principal, claim_id=claim_id, npi=npi)


@router.get(
    "/claims/{claim_id}/eob", response_model=EobRead, responses={200: {"content": {PDF: {}}}}
)
def claim_eob(
    claim_id: str,
    request: Request,
    uow: Uow,
    principal: CurrentPrincipal,
    npi: str | None = None,
    format: Literal["json", "pdf"] | None = None,
) -> Any:
    """The claim's explanation of benefits, as JSON or as the PDF a member gets (``Accept:
    application/pdf`` or ``format=pdf``). Staff and the patient's own family; 404 otherwise,
    409 while the claim is not adjudicated."""
    found = eob.claim_eob(uow=uow, actor=principal, claim_id=claim_id, npi=npi)
    if (format or format_from_accept(request.headers.get("accept", ""))) == "pdf":
        name = f"eob-{found.claim_id}-{found.version}.pdf"
        return Response(eob_pdf_bytes(found), media_type=PDF, headers=attachment(name))
    return found


@router.get("/members/{member_id}/claims", response_model=list[ClaimSummaryRead])
def member_claims(member_id: str, uow: Uow, principal: CurrentPrincipal) -> list[ClaimSummaryRead]:
    """The member's claims, newest service first: billed, plan paid, what the member owes."""
    return eob.member_claims(uow=uow, actor=principal, member_id=member_id)


@router.post("/members/{member_id}/estimate", response_model=EstimateRead)
def cost_estimate(
    member_id: str, data: EstimateRequest, uow: Uow, principal: CurrentPrincipal
) -> EstimateRead:
    """What the plan would pay and the member would owe for one service (a procedure or a
    benefit category, at a provider by NPI or a network), adjudicated in memory against the
    member's coverage and balances: nothing is stored. 422 names ``charge`` when no contract
    prices the service and no charge is given."""
    return estimate(uow=uow, actor=principal, member_id=member_id, request=data)


@router.post(
    "/claims/{claim_id}/appeals", response_model=AppealRead, status_code=status.HTTP_201_CREATED
)
def appeal_claim(
    claim_id: str,
    data: AppealCreate,
    uow: Uow,
    principal: CurrentPrincipal,
    npi: str | None = None,
) -> AppealRead:
    """Appeal the claim's current decision: the member (or a subscriber for a minor dependent),
    or TPA staff on its behalf; within 180 days, one open appeal per claim (409 otherwise)."""
    key = service.claim_key(uow=uow, actor=principal, claim_id=claim_id, npi=npi)
    return appeals.file_appeal(uow=uow, actor=principal, key=key, data=data)


@router.get("/appeals", response_model=list[AppealRead])
def appeal_queue(
    uow: Uow, principal: CurrentPrincipal, limit: int = Query(500, ge=1, le=5000)
) -> list[AppealRead]:
    """Open appeals, the earliest due first, overdue ones flagged (TPA staff)."""
    return appeals.appeal_queue(uow=uow, actor=principal, limit=limit)


@router.post("/appeals/{appeal_id}/decision", response_model=AppealRead)
def decide_appeal(
    appeal_id: int, data: AppealDecision, uow: Uow, principal: Examiner
) -> AppealRead:
    """Uphold or overturn the decision appealed (or record a withdrawal), with the reasons."""
    return appeals.decide_appeal(uow=uow, actor=principal, appeal_id=appeal_id, data=data)


@router.get("/pended-claims", response_model=list[PendedClaimRead])
def pended_claims(
    uow: Uow,
    principal: Examiner,
    reason: str | None = None,
    employer_id: int | None = None,
    older_than_days: int | None = Query(None, ge=0),
    limit: int = Query(500, ge=1, le=5000),
) -> list[PendedClaimRead]:
    """The pend queue, oldest first: filter by pend reason, employer and age in days."""
    return pend_queue(
        uow=uow,
        actor=principal,
        reason=reason,
        employer_id=employer_id,
        older_than_days=older_than_days,
        limit=limit,
    )


@router.post("/claims/{claim_id}/release", response_model=DecisionResult)
def release_claim(
    claim_id: str, data: ReleaseRequest, uow: Uow, principal: Examiner, npi: str | None = None
) -> DecisionResult:
    """Release pended lines to be paid (all pended lines when none are named)."""
    return release(uow=uow, actor=principal, claim_id=claim_id, request=data, npi=npi)


@router.post("/claims/{claim_id}/deny", response_model=DecisionResult)
def deny_claim(
    claim_id: str, data: DenyRequest, uow: Uow, principal: Examiner, npi: str | None = None
) -> DecisionResult:
    """Deny lines with a CARC and a reason (all lines when none are named)."""
    return deny(uow=uow, actor=principal, claim_id=claim_id, request=data, npi=npi)


@router.post("/claims/{claim_id}/override", response_model=DecisionResult)
def override_claim(
    claim_id: str, data: OverrideRequest, uow: Uow, principal: Examiner, npi: str | None = None
) -> DecisionResult:
    """Set a line's allowed amount in place of its price, with a reason (audit-logged)."""
    return override(uow=uow, actor=principal, claim_id=claim_id, request=data, npi=npi)


@router.get("/reprocessing", response_model=list[ReprocessListing])
def reprocessing_list(
    uow: Uow, principal: Examiner, employer_id: int | None = None
) -> list[ReprocessListing]:
    """Claims listed for reprocessing after a correction or a decision earlier in the family."""
    return reprocessing(uow=uow, actor=principal, employer_id=employer_id)


@router.post("/reprocessing", response_model=ReprocessReport)
def reprocessing_run(
    uow: Uow, principal: Examiner, employer_id: int | None = None
) -> ReprocessReport:
    """Reprocess the listed claims; every claim whose result changes gets a new version."""
    return reprocess(uow=uow, actor=principal, employer_id=employer_id)


@router.get("/members/{member_id}/accumulators", response_model=MemberAccumulatorsRead)
def accumulators(member_id: str, uow: Uow, principal: CurrentPrincipal) -> MemberAccumulatorsRead:
    """Deductible and out-of-pocket met and remaining, for the member and its family."""
    return service.member_accumulators(uow=uow, actor=principal, member_id=member_id)


@router.post(
    "/authorizations", response_model=AuthorizationRead, status_code=status.HTTP_201_CREATED
)
def authorize(data: AuthorizationCreate, uow: Uow, principal: Examiner) -> AuthorizationRead:
    """Record a prior authorization (administrators and claims examiners)."""
    return add_authorization(uow=uow, actor=principal, data=data)


@router.get("/authorizations", response_model=list[AuthorizationRead])
def authorizations(
    uow: Uow, principal: Staff, member_id: str | None = None
) -> list[AuthorizationRead]:
    """Prior authorizations, of one member or all (TPA staff)."""
    return list_authorizations(uow=uow, actor=principal, member_id=member_id)


@router.post(
    "/accumulator-adjustments",
    response_model=AccumulatorAdjustmentRead,
    status_code=status.HTTP_201_CREATED,
)
def adjust(
    data: AccumulatorAdjustmentCreate, uow: Uow, principal: Examiner
) -> AccumulatorAdjustmentRead:
    """Add a deductible or out-of-pocket amount by hand, with a reason (e.g. met with a prior
    carrier this plan year); it counts like any accumulator entry."""
    return add_adjustment(uow=uow, actor=principal, data=data)


@router.get(
    "/members/{member_id}/accumulator-adjustments",
    response_model=list[AccumulatorAdjustmentRead],
)
def adjustments(member_id: str, uow: Uow, principal: Staff) -> list[AccumulatorAdjustmentRead]:
    """A member's accumulator adjustments (TPA staff)."""
    return list_adjustments(uow=uow, actor=principal, member_id=member_id)
