"""The FastAPI application factory; the one place where errors become HTTP responses."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from aso import __version__
from aso.api import (
    auth,
    claims,
    edi,
    employers,
    invoices,
    ledger,
    members,
    payments,
    plans,
    providers,
    simulate,
    stoploss,
    x12,
)
from aso.bootstrap import App
from aso.errors import AsoError, NotAuthenticated, ValidationFailed


def _error_body(exc: AsoError) -> dict[str, object]:
    body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
    if isinstance(exc, ValidationFailed):
        body["problems"] = [{"where": p.where, "message": p.message} for p in exc.problems]
    return body


def create_app(aso: App | None = None) -> FastAPI:
    api = FastAPI(
        title="ASO",
        version=__version__,
        description="Administration of self-funded employer benefit plans.",
    )
    api.state.aso = aso or App()

    @api.exception_handler(AsoError)
    def _aso_error(request: Request, exc: AsoError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthenticated) else None
        return JSONResponse(_error_body(exc), status_code=exc.status_code, headers=headers)

    @api.exception_handler(RequestValidationError)
    def _request_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        body = {"error": "ValidationFailed", "detail": "invalid request", "problems": problems}
        return JSONResponse(body, status_code=422)

    api.include_router(auth.router)
    api.include_router(claims.router)
    api.include_router(edi.router)
    api.include_router(employers.router)
    api.include_router(invoices.router)
    api.include_router(ledger.router)
    api.include_router(members.router)
    api.include_router(payments.router)
    api.include_router(plans.router)
    api.include_router(providers.router)
    api.include_router(simulate.router)
    api.include_router(stoploss.router)
    api.include_router(x12.router)

    from aso.web import claims_pages, employer_pages, member_pages
    from aso.web import routes as web

    api.include_router(web.router)
    api.include_router(claims_pages.router)
    api.include_router(member_pages.router)
    api.include_router(employer_pages.router)
    static = Path(web.__file__).parent / "static"
    api.mount("/static", StaticFiles(directory=static), name="static")
    return api
