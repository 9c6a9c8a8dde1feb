"""Web pages: sign in, sign out, and a home page scoped to the caller's role.

Until the full web issue lands, the home page lists what the caller may see: for TPA staff and
auditors every employer, for an employer user its own (plans and de-identified counts), for a
member its own coverage, claims and deductible progress and those of the family members it may
see (``aso.web.member_pages``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aso.api.deps import TOKEN_COOKIE, get_app
from aso.bootstrap import App
from aso.employers.service import list_employers
from aso.errors import NotAuthenticated
from aso.members.service import employer_summary
from aso.security.domain import Principal, Role
from aso.security.service import sign_in
from aso.web.common import optional_principal, templates
from aso.web.member_pages import member_home

router = APIRouter(include_in_schema=False)


@router.get("/", response_model=None)
def home(
    request: Request,
    app: Annotated[App, Depends(get_app)],
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Response:
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    context: dict[str, object] = {"principal": principal}
    if principal.role is Role.MEMBER and principal.member_number:
        context["family"] = member_home(app, principal, principal.member_number)
    else:
        employers = list_employers(uow=app.uow(), actor=principal)
        context["employers"] = [
            (e, employer_summary(uow=app.uow(), actor=principal, employer_id=e.id))
            for e in employers
        ]
    return templates.TemplateResponse(request, "home.html", context)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html", {"principal": None})


@router.post("/login", response_model=None)
def login(
    request: Request,
    app: Annotated[App, Depends(get_app)],
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    try:
        issued = sign_in(
            uow=app.uow(),
            username=username,
            password=password,
            ttl_minutes=app.settings.token_ttl_minutes,
        )
    except NotAuthenticated as exc:
        context = {"principal": None, "error": str(exc), "username": username}
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        TOKEN_COOKIE,
        issued.token,
        httponly=True,
        samesite="strict",
        max_age=app.settings.token_ttl_minutes * 60,
    )
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response
