"""Dependencies shared by the routers: the wired application, the caller, role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.errors import Forbidden, NotAuthenticated
from aso.security.domain import Principal, Role
from aso.security.service import authenticate

_bearer = HTTPBearer(auto_error=False, description="token from POST /v1/auth/token")
TOKEN_COOKIE = "aso_token"


def get_app(request: Request) -> App:
    app: App = request.app.state.aso
    return app


def get_uow(app: Annotated[App, Depends(get_app)]) -> UnitOfWork:
    return app.uow()


def get_principal(
    request: Request,
    app: Annotated[App, Depends(get_app)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from the Authorization header (API) or the session cookie (web pages)."""
    token = credentials.credentials if credentials else request.cookies.get(TOKEN_COOKIE)
    if not token:
        raise NotAuthenticated("sign in first: send 'Authorization: Bearer <token>'")
    return authenticate(uow=app.uow(), token=token)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
Uow = Annotated[UnitOfWork, Depends(get_uow)]


def require(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets only the given roles through."""
    allowed = frozenset(roles)

    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"the {principal.role.value} role may not do this")
        return principal

    return check


STAFF = (Role.ADMIN, Role.EXAMINER, Role.SERVICE_REP)

PDF, CSV = "application/pdf", "text/csv"


def format_from_accept(accept: str) -> str:
    """``pdf``, ``csv`` or ``json``: what an ``Accept`` header asks a document route for."""
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if PDF in kinds:
        return "pdf"
    if CSV in kinds:
        return "csv"
    return "json"


def attachment(name: str) -> dict[str, str]:
    """The header that makes a browser save the response as ``name``."""
    return {"Content-Disposition": f'attachment; filename="{name}"'}
