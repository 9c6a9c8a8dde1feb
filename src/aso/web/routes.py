"""Web pages: sign in, sign out, and a home page scoped to the caller's role.

Until the full web issue lands, the home page lists what the caller may see: for TPA staff and
auditors every employer, for an employer user its own (plans and de-identified counts), for a
member its own coverage and that of the family members it may see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from aso.api.deps import TOKEN_COOKIE, get_app, get_principal
from aso.bootstrap import App
from aso.employers.service import list_employers
from aso.errors import NotAuthenticated
from aso.members.service import employer_summary, list_family
from aso.security.domain import Principal, Role
from aso.security.service import sign_in

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def optional_principal(request: Request, app: Annotated[App, Depends(get_app)]) -> Principal | None:
    try:
        return get_principal(request, app, None)
    except NotAuthenticated:
        return None


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
        context["family"] = list_family(
            uow=app.uow(), actor=principal, member_id=principal.member_number
        )
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
