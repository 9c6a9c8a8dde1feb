"""Scenario files (DESIGN 7): a self-contained set of plans, members, coverage and claims,
adjudicated in file order with no database. The member cost estimator, the plan-design "what if"
tool and the engine's test format.

``run_scenario(document, explain=...)`` gives the JSON-ready output (amounts as 2-place decimal
strings); ``check_expected(document, output)`` lists every difference from the file's
``expected`` block, naming claim, line and field. A structural error anywhere raises
``ValidationFailed`` and nothing is adjudicated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aso.claims.accumulators import AccumulatorState
from aso.claims.checking import check_expected
from aso.claims.domain import (
    Authorization,
    Claim,
    ClaimResult,
    Coverage,
    Frequency,
    Member,
)
from aso.claims.edits import ClaimHistory
from aso.claims.engine import Context, adjudicate_claim, build_context
from aso.claims.output import accumulator_rows, claim_output
from aso.claims.parsing import Reader, read_claim
from aso.claims.pricing import FeeSchedule
from aso.claims.reference import (
    read_authorizations,
    read_coverage,
    read_fee_schedules,
    read_members,
)
from aso.errors import NotFound, Problem, ValidationFailed
from aso.plans.domain import PlanDesign

__all__ = ["Scenario", "adjudicate_scenario", "check_expected", "load_scenario", "run_scenario"]

TOP_FIELDS = frozenset(
    {"name", "description", "plans", "members", "coverage", "fee_schedules", "authorizations",
     "claims", "expected"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    plans: tuple[PlanDesign, ...]
    members: tuple[Member, ...]
    coverage: tuple[Coverage, ...]
    fee_schedules: tuple[FeeSchedule, ...]
    authorizations: tuple[Authorization, ...] | None
    claims: tuple[Claim, ...]


def load_scenario(document: object) -> Scenario:
    """The scenario of a document, or ``ValidationFailed`` listing every structural error."""
    reader = Reader()
    if not isinstance(document, Mapping):
        raise ValidationFailed([Problem("", "a scenario is a mapping (YAML or JSON object)")])
    reader.known_fields(document, TOP_FIELDS, "scenario")
    plans = _plans(reader, document.get("plans"))
    members = read_members(reader, document.get("members"))
    coverage = read_coverage(
        reader, document.get("coverage"), {m.id for m in members}, {p.id for p in plans}
    )
    schedules = read_fee_schedules(reader, document.get("fee_schedules"))
    authorizations = read_authorizations(reader, document.get("authorizations"))
    claims = _claims(reader, document.get("claims"))
    if reader.problems:
        raise ValidationFailed(reader.problems, summary="invalid scenario")
    return Scenario(
        name=str(document.get("name", "")),
        plans=tuple(plans),
        members=tuple(members),
        coverage=tuple(coverage),
        fee_schedules=tuple(schedules),
        authorizations=None if authorizations is None else tuple(authorizations),
        claims=tuple(claims),
    )


def _plans(reader: Reader, raw: object) -> list[PlanDesign]:
    plans: list[PlanDesign] = []
    for index, item in enumerate(reader.sequence(raw, "plans")):
        where = f"plans[{index}]"
        try:
            design = _design(item)
        except ValidationFailed as exc:
            for problem in exc.problems:
                at = f"{where}.{problem.where}" if problem.where else where
                reader.problem(at, problem.message)
            continue
        except NotFound as exc:
            reader.problem(where, str(exc) or f"no plan template {item!r}")
            continue
        if any(plan.id == design.id for plan in plans):
            reader.problem(f"{where}.id", f"plan {design.id} appears twice")
        plans.append(design)
    return plans


def _design(item: object) -> PlanDesign:
    """A plan design from a mapping, or from a template id (``aso plans templates``)."""
    if isinstance(item, str):
        from aso.plans.templates import get_template  # the catalogue loads its files lazily

        return get_template(item)
    if not isinstance(item, Mapping):
        raise ValidationFailed([Problem("", "a plan is a design mapping or a template id")])
    from aso.plans.validation import parse_design

    return parse_design(item)


def _claims(reader: Reader, raw: object) -> list[Claim]:
    claims: list[Claim] = []
    seen: set[str] = set()
    for index, item in enumerate(reader.sequence(raw, "claims")):
        claim = read_claim(reader, item, index)
        if claim is None:
            continue
        where = f"claims[{claim.id}]"
        if claim.id in seen:
            reader.problem(f"{where}.id", f"claim {claim.id} appears twice")
        if claim.frequency is not Frequency.ORIGINAL and claim.replaces not in seen:
            reader.problem(f"{where}.replaces", f"no earlier claim {claim.replaces}")
        seen.add(claim.id)
        claims.append(claim)
    return claims


# -- running -------------------------------------------------------------------------------------


def adjudicate_scenario(
    scenario: Scenario, *, explain: bool = False
) -> tuple[list[ClaimResult], AccumulatorState, Context]:
    """Every claim in file order against one running state."""
    context = build_context(
        plans=scenario.plans,
        members=scenario.members,
        coverage=scenario.coverage,
        fee_schedules=scenario.fee_schedules,
        authorizations=scenario.authorizations,
        explain=explain,
    )
    state = AccumulatorState()
    history = ClaimHistory()
    results = [
        adjudicate_claim(claim, context=context, state=state, history=history)
        for claim in scenario.claims
    ]
    return results, state, context


def run_scenario(document: Mapping[str, Any], *, explain: bool = False) -> dict[str, Any]:
    """The output of DESIGN 7 for a scenario document (JSON-ready: amounts are strings)."""
    scenario = load_scenario(document)
    results, state, context = adjudicate_scenario(scenario, explain=explain)
    return {
        "claims": [claim_output(result, explain=explain) for result in results],
        "accumulators": accumulator_rows(scenario.members, state, context),
    }
