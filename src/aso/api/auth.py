"""``POST /v1/auth/token``: sign in with a user name and password, get a bearer token."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from pydantic import BaseModel

from aso.api.deps import CurrentPrincipal, get_app
from aso.bootstrap import App
from aso.security.service import sign_in

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    role: str


class MeRead(BaseModel):
    username: str
    role: str
    employer_id: int | None
    member_id: int | None


@router.post("/token", response_model=TokenRead)
def issue_token(
    app: Annotated[App, Depends(get_app)],
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> TokenRead:
    """OAuth2 password flow: form fields ``username`` and ``password``."""
    issued = sign_in(
        uow=app.uow(),
        username=username,
        password=password,
        ttl_minutes=app.settings.token_ttl_minutes,
    )
    return TokenRead(
        access_token=issued.token, expires_at=issued.expires_at, role=issued.principal.role.value
    )


@router.get("/me", response_model=MeRead)
def who_am_i(principal: CurrentPrincipal) -> MeRead:
    return MeRead(
        username=principal.username,
        role=principal.role.value,
        employer_id=principal.employer_id,
        member_id=principal.member_id,
    )
