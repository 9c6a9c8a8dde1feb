"""``POST /v1/x12``: a real-time X12 inquiry answered in the response (issue 4, items 5 and 7).

The body is the X12 interchange as text (``Content-Type: text/plain`` or
``application/edi-x12``); the response (200, ``application/edi-x12``) is the interchange that
answers it: the 271 for a 270 eligibility inquiry, the 277 for a 276 claim status request, or,
when the request is rejected, its 999 (a set in error) or TA1 (a broken envelope), which the
``X-X12-Answer`` header names (``answer``, ``999``, ``ta1``). A body that is not an X12
interchange, or holds other transaction sets, is a 422 naming what is wrong.

TPA staff and providers may ask (``aso.edi.realtime.INQUIRY_ROLES``); every member and claim
answered about is audit-logged. Register with ``api.include_router(x12.router)``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from aso.api.deps import Uow, require
from aso.edi.realtime import INQUIRY_ROLES, respond
from aso.errors import Problem, ValidationFailed
from aso.security.domain import Principal

router = APIRouter(prefix="/v1", tags=["edi"])

Partner = Annotated[Principal, Depends(require(*sorted(INQUIRY_ROLES)))]
MEDIA_TYPES = ("text/plain", "application/edi-x12")
X12_MEDIA_TYPE = "application/edi-x12"
X12_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media: {
                "schema": {"type": "string"},
                "example": "ISA*00*          *00*          *ZZ*CLINIC ...~GS*HS*...~ST*270*0001*"
                "005010X279A1~...~SE*13*0001~GE*1*1~IEA*1*000000001~",
            }
            for media in MEDIA_TYPES
        },
    },
    "responses": {
        "200": {
            "description": "The 271 or 277 answering the request, or its 999 or TA1.",
            "content": {X12_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    },
}


async def _body(request: Request) -> str:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise ValidationFailed(
            [
                Problem(
                    "Content-Type",
                    f"{media or 'none'}: send the X12 text as {' or '.join(MEDIA_TYPES)}",
                )
            ]
        )
    try:
        return (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            [Problem("body", f"byte {exc.start} is not UTF-8 text")], "not X12 text"
        ) from exc


@router.post("/x12", response_class=Response, openapi_extra=X12_BODY)
async def answer(request: Request, uow: Uow, principal: Partner) -> Response:
    """Answer a 270 with a 271 or a 276 with a 277 (or reject it with a 999 or a TA1)."""
    text = await _body(request)
    found = await run_in_threadpool(respond, uow=uow, actor=principal, text=text)
    return Response(found.text, media_type=X12_MEDIA_TYPE, headers={"X-X12-Answer": found.kind})
