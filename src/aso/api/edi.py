"""``POST /v1/edi/files``: an X12 file received through the API (issue 4, items 6 and 7), and
``GET /v1/edi/remittances[/{trace}]``: the 835s sent, for the providers paid and TPA staff
(``aso.edi.remittance_mailbox``).

The body is the file as sent (any content type); the answer is the import's summary with the
999 (and TA1) text to hand back to the sender. Only a TPA administrator imports files: an 834
changes the enrollment of the employer it names, an 837 adds claims. A file received twice is
answered with its duplicate TA1 and changes nothing.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from aso.api.deps import CurrentPrincipal, Uow, attachment, get_app, require
from aso.bootstrap import App
from aso.edi.remittance_mailbox import get_remittance, list_remittances
from aso.edi.schemas import ImportSummary, RemittanceSummaryRead
from aso.edi.service import import_file
from aso.members.crypto import SsnCipher
from aso.security.domain import Principal, Role

router = APIRouter(prefix="/v1/edi", tags=["edi"])

Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


@router.post("/files", response_model=ImportSummary)
async def receive_file(
    request: Request,
    app: Annotated[App, Depends(get_app)],
    principal: Admin,
    filename: str = "upload.x12",
) -> ImportSummary:
    """Process an X12 file: ``status`` is ``processed`` (every set accepted),
    ``processed_with_errors``, ``rejected`` (its envelope is broken: TA1, nothing processed),
    ``duplicate`` or ``unreadable``; ``ack_999`` and ``ack_ta1`` are the acknowledgments."""
    body = await request.body()
    return await run_in_threadpool(
        import_file,
        uow=app.uow(),
        actor=principal,
        opener=lambda: io.BytesIO(body),
        filename=filename,
        cipher=SsnCipher(app.settings.resolved_ssn_key()),
    )


@router.get("/remittances", response_model=list[RemittanceSummaryRead])
def remittances(
    uow: Uow,
    principal: CurrentPrincipal,
    npi: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = Query(500, ge=1, le=5000),
) -> list[RemittanceSummaryRead]:
    """The 835s sent, newest payment first: a provider user's own (by the NPIs it acts for),
    every one for TPA staff and auditors."""
    return list_remittances(
        uow=uow, actor=principal, npi=npi, since=since, until=until, limit=limit
    )


@router.get(
    "/remittances/{trace}",
    response_class=Response,
    responses={200: {"content": {"application/edi-x12": {}}}},
)
def remittance(trace: str, uow: Uow, principal: CurrentPrincipal) -> Response:
    """One 835 by its trace number (TRN02), as sent; audit-logged."""
    filename, text = get_remittance(uow=uow, actor=principal, trace=trace)
    return Response(text, media_type="application/edi-x12", headers=attachment(filename))
