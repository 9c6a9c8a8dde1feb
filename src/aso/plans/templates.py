"""The catalogue of plan-design templates that ship with the platform (``template_files/``).

Each template is a complete, realistic design for plan year 2026 that validates with no errors and
no legal warnings; an employer starts from one and changes what it needs. A scenario file may name
a template by id instead of spelling the design out (DESIGN section 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from aso.errors import NotFound, ValidationFailed
from aso.plans.domain import Line, PlanDesign
from aso.plans.service import load_design_file

__all__ = ["TemplateInfo", "get_template", "list_templates", "load_design_file"]


@dataclass(frozen=True)
class TemplateInfo:
    id: str
    line: Line
    name: str


def list_templates() -> list[TemplateInfo]:
    """Every template, by line of coverage in DESIGN order, then id."""
    return list(_infos())


def get_template(template_id: str) -> PlanDesign:
    """The design of a template; ``NotFound`` names the ids there are."""
    try:
        return _catalogue()[template_id]
    except KeyError:
        known = ", ".join(sorted(_catalogue()))
        raise NotFound(f"no plan template {template_id!r}; templates: {known}") from None


@cache
def _infos() -> tuple[TemplateInfo, ...]:
    order = list(Line)
    designs = sorted(_catalogue().values(), key=lambda d: (order.index(d.line), d.id))
    return tuple(TemplateInfo(id=d.id, line=d.line, name=d.name) for d in designs)


def _folder() -> Path:
    return Path(str(resources.files("aso.plans").joinpath("template_files")))


@cache
def _catalogue() -> dict[str, PlanDesign]:
    """Every template file, validated once; a broken template is a defect of the release."""
    catalogue: dict[str, PlanDesign] = {}
    for file in sorted(_folder().glob("*.yaml")):
        check = load_design_file(file)
        if check.design is None:
            raise ValidationFailed(check.errors, summary=f"template {file.name} is invalid")
        catalogue[check.design.id] = check.design
    return catalogue
