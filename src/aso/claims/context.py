"""Reference data of adjudication (``Context``), built once from plain values and shared by
every claim: compiled plans, members, coverage, fee schedules, authorizations, category rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from aso.claims.categories import CategoryRules, default_rules
from aso.claims.domain import Authorization, Coverage, Member
from aso.claims.eligibility import CoverageIndex
from aso.claims.plan_rules import PlanRules, compile_plan
from aso.claims.pricing import FeeSchedule, Pricer
from aso.plans.domain import PlanDesign


@dataclass(frozen=True, slots=True)
class Context:
    """Reference data for adjudication, compiled once and shared by every claim."""

    plans: Mapping[str, PlanRules]
    members: Mapping[str, Member]
    coverage: CoverageIndex
    pricer: Pricer
    authorizations: Mapping[str, Authorization] | None = None
    rules: CategoryRules = field(default_factory=default_rules)
    explain: bool = False


def build_context(
    *,
    plans: Iterable[PlanDesign],
    members: Iterable[Member],
    coverage: Iterable[Coverage],
    fee_schedules: Iterable[FeeSchedule] = (),
    authorizations: Iterable[Authorization] | None = None,
    explain: bool = False,
) -> Context:
    """A ``Context`` from plain values (plan designs are compiled here, once)."""
    compiled = {design.id: compile_plan(design) for design in plans}
    return Context(
        plans=compiled,
        members={member.id: member for member in members},
        coverage=CoverageIndex(coverage, compiled),
        pricer=Pricer(tuple(fee_schedules)),
        authorizations=None
        if authorizations is None
        else {auth.number: auth for auth in authorizations},
        explain=explain,
    )
