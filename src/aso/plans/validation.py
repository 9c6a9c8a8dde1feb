"""Validating a plan-design document: errors that reject it, legal warnings that do not.

Three passes, each reporting with the dotted path of the field at fault: the schema
(``aso.plans.domain``, retold by ``aso.plans.messages``), the cross-field rules
(``aso.plans.rules``) and, on a valid design only, the legal checks (``aso.plans.legal``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from aso.errors import Problem, ValidationFailed
from aso.plans.domain import Line, PlanDesign
from aso.plans.legal import LegalWarning, legal_warnings
from aso.plans.messages import DOCUMENT_MESSAGE, problems_from
from aso.plans.rules import category_problems, design_problems


@dataclass(frozen=True)
class DesignCheck:
    """The outcome of validating one design: the design when it has no errors."""

    design: PlanDesign | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[LegalWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_design(data: Mapping[str, Any]) -> DesignCheck:
    """Check a plan-design document; never raises for a bad design."""
    if not isinstance(data, Mapping):
        return DesignCheck(None, [Problem("", DOCUMENT_MESSAGE)])
    try:
        design = PlanDesign.model_validate(data)
    except ValidationError as exc:
        return DesignCheck(None, problems_from(exc) + _early_category_problems(data, exc))
    errors = design_problems(design)
    if errors:
        return DesignCheck(None, errors)
    return DesignCheck(design, [], legal_warnings(design))


def parse_design(data: Mapping[str, Any]) -> PlanDesign:
    """The design of a document, or ``ValidationFailed`` listing every error found."""
    check = validate_design(data)
    if check.design is None:
        raise ValidationFailed(check.errors, summary="invalid plan design")
    return check.design


def _early_category_problems(data: Mapping[str, Any], exc: ValidationError) -> list[Problem]:
    """Service categories foreign to the line, found even when other fields fail the schema."""
    if any(error["loc"][:1] == ("line",) for error in exc.errors()):
        return []
    benefits = data.get("benefits")
    if not isinstance(benefits, Mapping):
        return []
    keys = [key for key in benefits if isinstance(key, str)]
    return list(category_problems(Line(data["line"]), keys))
