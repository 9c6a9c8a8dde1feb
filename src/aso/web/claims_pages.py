"""Examiners' pages: the pend queue, the appeal queue (``/work/appeals``: open appeals by due
time, decided here by examiners), and a claim with its versions and the decision forms.

``/work/pended`` lists pended claims, oldest first, filtered by reason, employer and age;
``/claims/{key}`` shows a claim (any TPA staff) with forms to release, deny or override
(administrators and examiners), each posting to the same use cases as the API and the CLI.
A refused decision shows its message on the claim's page and changes nothing. The session
cookie is ``SameSite=Strict``, so another site cannot post these forms as a signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from aso.bootstrap import App
from aso.claims import appeals, examiner
from aso.claims.models import ClaimRow
from aso.claims.schemas import (
    AppealDecision,
    DecisionResult,
    DenyRequest,
    OverrideRequest,
    ReleaseRequest,
)
from aso.claims.service import get_claim
from aso.db.uow import UnitOfWork
from aso.employers.service import list_employers
from aso.errors import AsoError, NotFound, Problem, ValidationFailed
from aso.security.domain import TPA_STAFF, Principal
from aso.web.common import AsoApp, Caller, templates, to_login

router = APIRouter(include_in_schema=False)
REASONS = ("high_dollar", "suspect_duplicate", "no_price", "data_error")


def _number(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


@router.get("/work/pended", response_model=None)
def pended(
    request: Request,
    app: AsoApp,
    principal: Caller,
    reason: str | None = None,
    employer: str | None = None,
    older_than: str | None = None,
) -> Response:
    if principal is None:
        return to_login()
    context: dict[str, object] = {
        "principal": principal,
        "reasons": REASONS,
        "reason": reason or "",
        "employer": employer or "",
        "older_than": older_than or "",
    }
    try:
        context["employers"] = list_employers(uow=app.uow(), actor=principal)
        context["queue"] = examiner.pend_queue(
            uow=app.uow(),
            actor=principal,
            reason=reason or None,
            employer_id=_number(employer),
            older_than_days=_number(older_than),
        )
    except AsoError as exc:
        context["error"] = str(exc)
        return templates.TemplateResponse(
            request, "pended.html", context, status_code=exc.status_code
        )
    return templates.TemplateResponse(request, "pended.html", context)


@router.get("/claims/{key}", response_model=None)
def claim_page(request: Request, key: int, app: AsoApp, principal: Caller) -> Response:
    if principal is None:
        return to_login()
    return _claim_page(request, app, principal, key)


def _claim_page(
    request: Request,
    app: App,
    principal: Principal,
    key: int,
    *,
    error: str | None = None,
    listed: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, object] = {"principal": principal, "error": error, "listed": listed}
    try:
        number, npi = _public_id(app, principal, key)
        context["claim"] = get_claim(uow=app.uow(), actor=principal, claim_id=number, npi=npi)
    except AsoError as exc:
        context["error"] = str(exc)
        return templates.TemplateResponse(
            request, "claim.html", context, status_code=exc.status_code
        )
    context["may_decide"] = principal.role in examiner.EXAMINERS
    return templates.TemplateResponse(request, "claim.html", context, status_code=status_code)


def _public_id(app: App, principal: Principal, key: int) -> tuple[str, str]:
    """The claim's public id and submitter; staff only (members see claims elsewhere)."""
    if principal.role not in TPA_STAFF:
        raise NotFound(f"no claim {key}")
    with app.uow() as uow:
        found = uow.session.execute(
            select(ClaimRow.claim_number, ClaimRow.submitter).where(ClaimRow.id == key)
        ).first()
    if found is None:
        raise NotFound(f"no claim {key}")
    return found[0], found[1]


Decide = Callable[[UnitOfWork, Principal, str, str], DecisionResult]
"""A decision on the claim with this public id and submitter."""
M = TypeVar("M", bound=BaseModel)


def _decided(
    request: Request, app: App, principal: Principal | None, key: int, decide: Decide
) -> Response:
    """Run a decision; back to the claim's page with the claims it listed, or with the error
    (nothing changed)."""
    if principal is None:
        return to_login()
    try:
        number, npi = _public_id(app, principal, key)
        result = decide(app.uow(), principal, number, npi)
    except AsoError as exc:
        return _claim_page(
            request, app, principal, key, error=_message(exc), status_code=exc.status_code
        )
    return _claim_page(request, app, principal, key, listed=result.listed_for_reprocessing)


def _message(exc: AsoError) -> str:
    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{problem.where}: {problem.message}" for problem in exc.problems)
    return str(exc)


def _lines(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(",", " ").split()]
    except ValueError as exc:
        raise ValidationFailed([Problem("lines", f"{text!r} is not a list of lines")]) from exc


def _validated(model: type[M], data: Mapping[str, object]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            [Problem(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
        ) from exc


@router.post("/claims/{key}/release", response_model=None)
def release_form(
    request: Request,
    key: int,
    app: AsoApp,
    principal: Caller,
    lines: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    def decide(uow: UnitOfWork, actor: Principal, number: str, npi: str) -> DecisionResult:
        data = _validated(ReleaseRequest, {"lines": _lines(lines), "note": note})
        return examiner.release(uow=uow, actor=actor, claim_id=number, request=data, npi=npi)

    return _decided(request, app, principal, key, decide)


@router.post("/claims/{key}/deny", response_model=None)
def deny_form(
    request: Request,
    key: int,
    app: AsoApp,
    principal: Caller,
    carc: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    lines: Annotated[str, Form()] = "",
) -> Response:
    def decide(uow: UnitOfWork, actor: Principal, number: str, npi: str) -> DecisionResult:
        fields = {"lines": _lines(lines), "carc": carc.strip(), "reason": reason}
        data = _validated(DenyRequest, fields)
        return examiner.deny(uow=uow, actor=actor, claim_id=number, request=data, npi=npi)

    return _decided(request, app, principal, key, decide)


@router.post("/claims/{key}/override", response_model=None)
def override_form(
    request: Request,
    key: int,
    app: AsoApp,
    principal: Caller,
    line: Annotated[str, Form()],
    allowed: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    def decide(uow: UnitOfWork, actor: Principal, number: str, npi: str) -> DecisionResult:
        fields = {"line": line, "allowed": allowed.strip(), "reason": reason}
        data = _validated(OverrideRequest, fields)
        return examiner.override(uow=uow, actor=actor, claim_id=number, request=data, npi=npi)

    return _decided(request, app, principal, key, decide)


@router.get("/work/appeals", response_model=None)
def appeals_page(request: Request, app: AsoApp, principal: Caller) -> Response:
    if principal is None:
        return to_login()
    return _appeals_page(request, app, principal)


@router.post("/work/appeals/{appeal_id}", response_model=None)
def decide_appeal_form(
    request: Request,
    appeal_id: int,
    app: AsoApp,
    principal: Caller,
    outcome: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    """An examiner's decision on an appeal; back to the queue, or with what is wrong."""
    if principal is None:
        return to_login()
    try:
        data = _validated(AppealDecision, {"outcome": outcome, "note": note.strip()})
        appeals.decide_appeal(uow=app.uow(), actor=principal, appeal_id=appeal_id, data=data)
    except AsoError as exc:
        return _appeals_page(request, app, principal, error=_message(exc),
                             status_code=exc.status_code)  # fmt: skip
    return _appeals_page(request, app, principal, decided=appeal_id)


def _appeals_page(
    request: Request,
    app: App,
    principal: Principal,
    *,
    error: str | None = None,
    decided: int | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, object] = {"principal": principal, "error": error, "decided": decided}
    try:
        context["queue"] = appeals.appeal_queue(uow=app.uow(), actor=principal)
    except AsoError as exc:
        context["error"] = str(exc)
        return templates.TemplateResponse(
            request, "appeals.html", context, status_code=exc.status_code
        )
    context["may_decide"] = principal.role in appeals.DECIDERS
    context["today"] = date.today()
    context["due_label"] = appeals.due_label
    return templates.TemplateResponse(request, "appeals.html", context, status_code=status_code)
