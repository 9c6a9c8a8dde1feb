"""``/v1/plans``: the template catalogue and plan-design validation (DESIGN section 5)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from aso.api.deps import CurrentPrincipal
from aso.errors import Problem, ValidationFailed
from aso.plans.domain import PlanDesign
from aso.plans.templates import get_template, list_templates
from aso.plans.validation import validate_design
from aso.yamlio import load_json_text, load_yaml_text

router = APIRouter(prefix="/v1/plans", tags=["plans"])


class TemplateRead(BaseModel):
    id: str
    line: str
    name: str


class FindingRead(BaseModel):
    where: str
    message: str
    year: int | None = None


class DesignCheckRead(BaseModel):
    ok: bool
    errors: list[FindingRead]
    warnings: list[FindingRead]


@router.get("/templates", response_model=list[TemplateRead])
def templates(principal: CurrentPrincipal) -> list[TemplateRead]:
    return [TemplateRead(id=t.id, line=t.line.value, name=t.name) for t in list_templates()]


@router.get("/templates/{template_id}", response_model=PlanDesign)
def template(template_id: str, principal: CurrentPrincipal) -> PlanDesign:
    return get_template(template_id)


async def read_document(request: Request) -> Any:
    """A JSON or YAML request body, numbers kept exact (Decimal, never float)."""
    raw = (await request.body()).decode("utf-8", errors="replace")
    kind = request.headers.get("content-type", "")
    try:
        return load_yaml_text(raw) if "yaml" in kind else load_json_text(raw)
    except ValueError as exc:
        raise ValidationFailed([Problem("body", f"not a readable document: {exc}")]) from exc
    except Exception as exc:  # yaml's own errors
        raise ValidationFailed([Problem("body", f"not readable YAML: {exc}")]) from exc


@router.post("/validate", response_model=DesignCheckRead)
async def validate(request: Request, principal: CurrentPrincipal) -> DesignCheckRead:
    """Check a plan design (JSON, or YAML with ``Content-Type: application/yaml``): errors name
    the path of each bad field; legal warnings name the yearly figure they used."""
    document = await read_document(request)
    if not isinstance(document, dict):
        raise ValidationFailed([Problem("body", "a plan design is a mapping of fields")])
    check = validate_design(document)
    return DesignCheckRead(
        ok=check.ok,
        errors=[FindingRead(where=p.where, message=p.message) for p in check.errors],
        warnings=[
            FindingRead(where=w.where, message=w.message, year=w.year) for w in check.warnings
        ],
    )
