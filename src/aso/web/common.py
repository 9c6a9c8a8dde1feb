"""What every web page shares: the templates and the caller (None when not signed in)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from aso.api.deps import get_app, get_principal
from aso.bootstrap import App
from aso.errors import NotAuthenticated
from aso.security.domain import Principal

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def optional_principal(request: Request, app: Annotated[App, Depends(get_app)]) -> Principal | None:
    try:
        return get_principal(request, app, None)
    except NotAuthenticated:
        return None


Caller = Annotated[Principal | None, Depends(optional_principal)]
AsoApp = Annotated[App, Depends(get_app)]


def to_login() -> Response:
    return RedirectResponse("/login", status_code=303)
