"""An employer's money page: what the plan costs month by month, the claims funding position,
the funding requests with their de-identified PDFs, and the admin fee invoices.

``/employers/{id}/money`` is for TPA staff, auditors and the employer's own benefits manager
(the use cases decide: ``aso.payments.service.funding_status`` and
``aso.adminfees.service.list_invoices``). Everything on it is amounts and counts: no member is
named (HIPAA "minimum necessary"). The chart sets, for each of the last twelve months, the claims
funding requested beside the admin fees invoiced.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aso.adminfees.months import label
from aso.adminfees.service import list_invoices
from aso.employers.service import get_employer
from aso.errors import AsoError
from aso.money import ZERO
from aso.payments.service import funding_status
from aso.web.charts import Series, grouped_bars
from aso.web.common import AsoApp, Caller, templates, to_login

router = APIRouter(include_in_schema=False)
MONTHS_CHARTED = 12


@router.get("/employers/{employer_id}/money", response_model=None)
def money_page(request: Request, employer_id: int, app: AsoApp, principal: Caller) -> Response:
    if principal is None:
        return to_login()
    context: dict[str, object] = {"principal": principal}
    try:
        context["employer"] = get_employer(uow=app.uow(), actor=principal, employer_id=employer_id)
        funding = funding_status(uow=app.uow(), actor=principal, employer_id=employer_id)
        invoices = list_invoices(uow=app.uow(), actor=principal, employer_id=employer_id)
    except AsoError as exc:
        context["error"] = str(exc)
        return templates.TemplateResponse(
            request, "money.html", context, status_code=exc.status_code
        )
    requested = _by_month((r.run_on, r.requested) for r in funding.requests)
    invoiced = _by_month((i.month, i.total) for i in invoices if i.status == "issued")
    months = sorted(set(requested) | set(invoiced))[-MONTHS_CHARTED:]
    context.update(
        funding=funding,
        invoices=invoices,
        chart=grouped_bars(
            "Claims funding requested and admin fees invoiced, by month",
            [f"{m:%b %Y}" for m in months],
            [
                Series("Claims funding requested", [requested.get(m, ZERO) for m in months]),
                Series("Admin fees invoiced", [invoiced.get(m, ZERO) for m in months]),
            ],
        )
        if months
        else None,
        month_label=label,
    )
    return templates.TemplateResponse(request, "money.html", context)


def _by_month(amounts: Iterable[tuple[date, Decimal]]) -> dict[date, Decimal]:
    totals: dict[date, Decimal] = {}
    for day, amount in amounts:
        month = day.replace(day=1)
        totals[month] = totals.get(month, ZERO) + amount
    return totals
