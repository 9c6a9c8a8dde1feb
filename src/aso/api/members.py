"""``/v1/members`` and ``/v1/eligibility``: member records and ID cards (audit-logged) and
eligibility."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from aso.api.deps import PDF, CurrentPrincipal, Uow, attachment, format_from_accept
from aso.members.id_card import id_card
from aso.members.id_card_pdf import id_card_pdf_bytes
from aso.members.schemas import EligibilityRead, IdCardRead, MemberRead
from aso.members.service import check_eligibility, get_member, list_family
from aso.plans.domain import Line

router = APIRouter(prefix="/v1", tags=["members"])


@router.get("/members/{member_id}", response_model=MemberRead)
def member(member_id: str, uow: Uow, principal: CurrentPrincipal) -> MemberRead:
    """One member with its coverages (SSN masked). Outside the caller's scope: 404."""
    return get_member(uow=uow, actor=principal, member_id=member_id)


@router.get("/members/{member_id}/family", response_model=list[MemberRead])
def family(member_id: str, uow: Uow, principal: CurrentPrincipal) -> list[MemberRead]:
    """The members of the family the caller may see."""
    return list_family(uow=uow, actor=principal, member_id=member_id)


@router.get(
    "/members/{member_id}/id-card",
    response_model=IdCardRead,
    responses={200: {"content": {PDF: {}}}},
)
def member_id_card(
    member_id: str,
    request: Request,
    uow: Uow,
    principal: CurrentPrincipal,
    on: Annotated[date | None, Query(alias="date")] = None,
    format: Literal["json", "pdf"] | None = None,
) -> Any:
    """The member's ID card for the coverage in force on ``date`` (today), as JSON or as the
    card-sized PDF (``Accept: application/pdf`` or ``format=pdf``); 409 with no coverage."""
    card = id_card(uow=uow, actor=principal, member_id=member_id, on=on)
    if (format or format_from_accept(request.headers.get("accept", ""))) == "pdf":
        name = f"id-card-{card.member_id}.pdf"
        return Response(id_card_pdf_bytes(card), media_type=PDF, headers=attachment(name))
    return card


@router.get("/eligibility", response_model=EligibilityRead)
def eligibility(
    uow: Uow,
    principal: CurrentPrincipal,
    line: Line,
    on: Annotated[date, Query(alias="date")],
    member_id: str | None = None,
    subscriber: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    birth_date: date | None = None,
    employer_ein: str | None = None,
) -> EligibilityRead:
    """Covered or not on a date in a line, under which plan and tier, and if not, why.

    Name the member by ``member_id``, or by ``subscriber`` (member id or employee number) with
    ``first_name``, ``last_name`` and ``birth_date``.
    """
    return check_eligibility(
        uow=uow,
        actor=principal,
        line=line,
        on=on,
        member_id=member_id,
        subscriber=subscriber,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        employer_ein=employer_ein,
    )
