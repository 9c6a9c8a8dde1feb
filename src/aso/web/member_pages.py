"""Members' pages: their claims with deductible and out-of-pocket progress, and each claim's
explanation of benefits (HTML, and the PDF to keep), and their ID cards.

The home page of a member lists, for itself and each family member it may see (a subscriber its
minor dependents), the coverage, the claims with what the plan paid and what is owed, and the
in-network deductible and out-of-pocket met as progress bars. ``/eob/{key}`` shows one claim's
EOB and ``/eob/{key}/pdf`` downloads it; both are open to whoever may see the claim
(``aso.claims.eob``): the patient's family as above and TPA staff, who answer members' calls.
``/id-card/{member_id}`` downloads a member's ID card (``aso.members.id_card``), and
``/estimate`` asks what a service would cost (``aso.claims.estimate``): for the member or a
family member it may see, at an in-network provider of the directory or any network. TPA staff
find members at ``/members`` (``aso.members.search``) and see a family as its members do at
``/members/{member_id}``, with each claim's examiner page a click away.
Everything read is audit-logged by the use cases it goes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from aso.api.deps import PDF, attachment
from aso.bootstrap import App
from aso.claims.appeals import appeals_of, file_appeal
from aso.claims.eob import APPEAL_RIGHTS, category_label, claim_eob_by_key, member_claims
from aso.claims.eob_pdf import eob_pdf_bytes
from aso.claims.estimate import estimate
from aso.claims.schemas import AppealCreate, BalanceRead, ClaimSummaryRead, EstimateRequest
from aso.claims.service import member_accumulators
from aso.errors import AsoError, Forbidden, ValidationFailed
from aso.members.id_card import id_card
from aso.members.id_card_pdf import id_card_pdf_bytes
from aso.members.schemas import MemberRead
from aso.members.search import find_members
from aso.members.service import list_family
from aso.plans.domain import DENTAL_CATEGORIES, MEDICAL_CATEGORIES, VISION_CATEGORIES
from aso.providers.service import MAX_PAGE, list_providers
from aso.security.domain import Principal
from aso.web.common import AsoApp, Caller, templates, to_login

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Meter:
    """A progress bar: ``met`` of ``limit``."""

    label: str
    met: Decimal
    limit: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(self.limit - self.met, Decimal(0))

    @property
    def percent(self) -> int:
        if self.limit <= 0:
            return 100
        return int(min(self.met / self.limit, Decimal(1)) * 100)


@dataclass(frozen=True, slots=True)
class Meters:
    """The bars of one accumulator group: the plans that count toward it, and its bars."""

    plans: str
    bars: list[Meter]


@dataclass(frozen=True, slots=True)
class Person:
    member: MemberRead
    claims: list[ClaimSummaryRead]
    meters: list[Meters]


def member_home(app: App, principal: Principal, member_number: str) -> list[Person]:
    """The family a member sees, with each person's claims and progress."""
    people = []
    for member in list_family(uow=app.uow(), actor=principal, member_id=member_number):
        claims = member_claims(uow=app.uow(), actor=principal, member_id=member.member_id)
        found = member_accumulators(uow=app.uow(), actor=principal, member_id=member.member_id)
        people.append(Person(member, claims, meters(found.balances)))
    return people


def meters(balances: list[BalanceRead]) -> list[Meters]:
    """In-network deductible and out-of-pocket bars by accumulator group (the plans that share
    it named), the member's before the family's."""
    groups: dict[str, Meters] = {}
    for balance in sorted(balances, key=lambda b: b.scope != "member"):
        if balance.network != "in":
            continue
        whose = "you" if balance.scope == "member" else "family"
        group = groups.setdefault(balance.group, Meters(", ".join(balance.plans), []))
        if balance.deductible_limit is not None:
            group.bars.append(
                Meter(f"Deductible ({whose})", balance.deductible, balance.deductible_limit)
            )
        if balance.out_of_pocket_limit is not None:
            group.bars.append(
                Meter(
                    f"Out-of-pocket maximum ({whose})",
                    balance.out_of_pocket,
                    balance.out_of_pocket_limit,
                )
            )
    return [group for group in groups.values() if group.bars]


@router.get("/eob/{key}", response_model=None)
def eob_page(request: Request, key: int, app: AsoApp, principal: Caller) -> Response:
    if principal is None:
        return to_login()
    return _eob_page(request, app, principal, key)


@router.post("/eob/{key}/appeal", response_model=None)
async def appeal_form(request: Request, key: int, app: AsoApp, principal: Caller) -> Response:
    """File an appeal from the EOB page; back to the page with it, or with what is wrong."""
    if principal is None:
        return to_login()
    form = await request.form()
    fields = {
        "reason": str(form.get("reason") or "").strip(),
        "urgent": form.get("urgent") == "on",
        **({"channel": str(form.get("channel"))} if form.get("channel") else {}),
    }

    def file() -> Response:
        try:
            data = AppealCreate.model_validate(fields)
            file_appeal(uow=app.uow(), actor=principal, key=key, data=data)
        except ValidationError as exc:
            problem = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())
            return _eob_page(request, app, principal, key, problem=problem, status_code=422)
        except AsoError as exc:
            return _eob_page(request, app, principal, key, problem=str(exc),
                             status_code=exc.status_code)  # fmt: skip
        return _eob_page(request, app, principal, key, filed=True)

    return await run_in_threadpool(file)


def _eob_page(
    request: Request,
    app: App,
    principal: Principal,
    key: int,
    *,
    problem: str | None = None,
    filed: bool = False,
    status_code: int = 200,
) -> Response:
    context: dict[str, object] = {
        "principal": principal,
        "appeal": APPEAL_RIGHTS,
        "problem": problem,
        "filed": filed,
    }
    try:
        context["eob"] = claim_eob_by_key(uow=app.uow(), actor=principal, key=key)
        context["appeals"] = appeals_of(uow=app.uow(), actor=principal, key=key)
    except AsoError as exc:
        context["error"] = str(exc)
        return templates.TemplateResponse(request, "eob.html", context, status_code=exc.status_code)
    return templates.TemplateResponse(request, "eob.html", context, status_code=status_code)


@router.get("/eob/{key}/pdf", response_model=None)
def eob_pdf(key: int, app: AsoApp, principal: Caller) -> Response:
    if principal is None:
        return to_login()
    found = claim_eob_by_key(uow=app.uow(), actor=principal, key=key)
    name = f"eob-{found.claim_id}-{found.version}.pdf"
    return Response(eob_pdf_bytes(found), media_type=PDF, headers=attachment(name))


@router.get("/id-card/{member_id}", response_model=None)
def id_card_pdf(member_id: str, app: AsoApp, principal: Caller) -> Response:
    if principal is None:
        return to_login()
    card = id_card(uow=app.uow(), actor=principal, member_id=member_id)
    name = f"id-card-{card.member_id}.pdf"
    return Response(id_card_pdf_bytes(card), media_type=PDF, headers=attachment(name))


ESTIMATED_CATEGORIES = (*MEDICAL_CATEGORIES, *DENTAL_CATEGORIES, *VISION_CATEGORIES)
FORM_FIELDS = ("procedure", "category", "npi", "charge", "service_date")


@router.get("/estimate", response_model=None)
def estimate_form(
    request: Request, app: AsoApp, principal: Caller, member: str | None = None
) -> Response:
    if principal is None:
        return to_login()
    return _estimate_page(request, app, principal, {"member": member or ""}, None)


@router.get("/members", response_model=None)
def member_search(
    request: Request, app: AsoApp, principal: Caller, q: str | None = None
) -> Response:
    """The service desk's search: a member id, an employee number or a name (TPA staff)."""
    if principal is None:
        return to_login()
    context: dict[str, object] = {"principal": principal, "q": q or ""}
    status = 200
    if q:
        try:
            context["found"] = find_members(uow=app.uow(), actor=principal, text=q)
        except AsoError as exc:
            context["error"] = str(exc)
            status = exc.status_code
    elif not principal.is_staff:
        context["error"] = "finding members is for TPA staff"
        status = 403
    return templates.TemplateResponse(request, "members.html", context, status_code=status)


@router.get("/members/{member_id}", response_model=None)
def member_page(request: Request, member_id: str, app: AsoApp, principal: Caller) -> Response:
    """A member's family as the member sees it, for TPA staff on a call: coverage, claims with
    their EOBs (and the examiner's page), balances, ID cards."""
    if principal is None:
        return to_login()
    context: dict[str, object] = {"principal": principal, "member_id": member_id}
    try:
        if not principal.is_staff:
            raise Forbidden("this page is for TPA staff; members find theirs on the home page")
        context["family"] = member_home(app, principal, member_id)
    except AsoError as exc:
        context["error"] = str(exc)
        return templates.TemplateResponse(
            request, "member.html", context, status_code=exc.status_code
        )
    return templates.TemplateResponse(request, "member.html", context)


@router.post("/estimate", response_model=None)
async def estimate_post(request: Request, app: AsoApp, principal: Caller) -> Response:
    if principal is None:
        return to_login()
    form = await request.form()
    values = {name: str(form.get(name) or "").strip() for name in (*FORM_FIELDS, "member")}
    return await run_in_threadpool(_estimate_page, request, app, principal, values, True)


def _estimate_page(
    request: Request,
    app: App,
    principal: Principal,
    values: dict[str, str],
    asked: bool | None,
) -> Response:
    """The form (the family the caller may see, the in-network directory, the categories) and,
    once asked, the estimate or what is wrong with the request."""
    context: dict[str, object] = {
        "principal": principal,
        "values": values,
        "categories": [(c, category_label(c)) for c in ESTIMATED_CATEGORIES],
        "family": _family(app, principal),
        "providers": list_providers(uow=app.uow(), limit=MAX_PAGE),
    }
    status = 200
    if asked:
        try:
            fields = {name: values[name] for name in FORM_FIELDS if values.get(name)}
            data = EstimateRequest.model_validate(fields)
            member = values.get("member") or principal.member_number or ""
            context["estimate"] = estimate(
                uow=app.uow(), actor=principal, member_id=member, request=data
            )
        except ValidationError as exc:
            context["problems"] = [
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            ]
            status = 422
        except AsoError as exc:
            problems = exc.problems if isinstance(exc, ValidationFailed) else []
            context["problems"] = [str(p) for p in problems] or [str(exc)]
            status = exc.status_code
    return templates.TemplateResponse(request, "estimate.html", context, status_code=status)


def _family(app: App, principal: Principal) -> list[MemberRead]:
    """Whom a member may ask about: itself and the family members it may see."""
    if principal.member_number is None:
        return []
    return list_family(uow=app.uow(), actor=principal, member_id=principal.member_number)
