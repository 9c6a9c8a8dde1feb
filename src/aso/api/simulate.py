"""``POST /v1/simulate``: adjudicate a self-contained scenario (DESIGN section 7) with no database.

The member cost estimator and the plan designer's "what if": any signed-in user may run one, since
a scenario carries its own (usually made-up) people and touches no stored record.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from aso.api.deps import CurrentPrincipal
from aso.api.plans import read_document
from aso.claims.scenario import check_expected, run_scenario
from aso.errors import Problem, ValidationFailed

router = APIRouter(prefix="/v1", tags=["simulate"])


@router.post("/simulate")
async def simulate(
    request: Request, principal: CurrentPrincipal, explain: bool = False, check: bool = False
) -> dict[str, Any]:
    """The scenario's results as ``aso simulate`` prints them (JSON, or YAML with
    ``Content-Type: application/yaml``). ``explain=true`` adds each line's trace; ``check=true``
    adds ``differences`` from the scenario's ``expected`` block. A structural error is a 422
    naming the claim, line and field."""
    document = await read_document(request)
    if not isinstance(document, dict):
        raise ValidationFailed([Problem("body", "a scenario is a mapping of fields")])
    output = await run_in_threadpool(run_scenario, document, explain=explain)
    if check:
        output["differences"] = check_expected(document, output)
    return output
