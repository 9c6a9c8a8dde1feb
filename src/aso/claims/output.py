"""The JSON-ready output of a scenario run (DESIGN 7): claims with their lines (amounts as
2-place decimal strings) and the accumulators met, with their limits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from aso.claims.accumulators import AccumulatorState
from aso.claims.context import Context
from aso.claims.domain import ClaimResult, Kind, LineResult, Member, Network
from aso.claims.plan_rules import Maximum, PlanRules
from aso.money import fmt
from aso.plans.domain import Line, Tier

GroupPeriod = tuple[str, date, date]
"""(accumulator group, plan period start, plan period end)."""
Scope = Literal["member", "family"]


def claim_output(result: ClaimResult, *, explain: bool = False) -> dict[str, Any]:
    return {
        "id": result.claim,
        "status": result.status.value,
        "lines": [line_output(line, explain=explain) for line in result.lines],
    }


def line_output(line: LineResult, *, explain: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "line": line.line,
        "status": line.status.value,
        "category": line.category,
        "charge": fmt(line.charge),
        "allowed": fmt(line.allowed),
        "copay": fmt(line.copay),
        "deductible": fmt(line.deductible),
        "coinsurance": fmt(line.coinsurance),
        "not_covered": fmt(line.not_covered),
        "balance_bill": fmt(line.balance_bill),
        "plan_paid": fmt(line.plan_paid),
        "member_responsibility": fmt(line.member_responsibility),
        "adjustments": [
            {"group": a.group.value, "carc": a.carc, "amount": fmt(a.amount)}
            for a in line.adjustments
        ],
        "remarks": list(line.remarks),
    }
    if line.pend_reason is not None:
        out["pend_reason"] = line.pend_reason
    if explain:
        out["trace"] = list(line.trace)
    return out


def accumulator_rows(
    members: Sequence[Member], state: AccumulatorState, context: Context
) -> list[dict[str, Any]]:
    """Deductible and out-of-pocket met, with their limits, per member and per family, per
    accumulator group, plan period and network tier. A family's limits are given only when one
    of its members is on a family tier (on tier employee the family amount never binds)."""
    rows: list[dict[str, Any]] = []
    families: dict[tuple[str, GroupPeriod], tuple[list[PlanRules], bool]] = {}
    for member in members:
        for key, (plans, family_tier) in _groups(member, context).items():
            rows += _rows("member", member.id, key, plans, state)
            found, binds = families.get((member.family, key), ([], False))
            families[(member.family, key)] = ([*found, *plans], binds or family_tier)
    for (family, key), (plans, binds) in families.items():
        rows += _rows("family", family, key, plans if binds else [], state)
    return rows


def _groups(member: Member, context: Context) -> dict[GroupPeriod, tuple[list[PlanRules], bool]]:
    """The member's plans by accumulator group and period, and whether any is on a family tier."""
    found: dict[GroupPeriod, tuple[list[PlanRules], bool]] = {}
    for coverage_line in Line:
        for span in context.coverage.spans(member.id, coverage_line):
            plan = span.plan
            key = (plan.group, plan.period_start, plan.period_end)
            plans, family_tier = found.get(key, ([], False))
            found[key] = ([*plans, plan], family_tier or span.tier is not Tier.EMPLOYEE)
    return found


def _rows(
    scope: Scope, who: str, key: GroupPeriod, plans: Sequence[PlanRules], state: AccumulatorState
) -> list[dict[str, Any]]:
    """One row per network tier that has a limit or an amount met."""
    group, start, end = key
    total = state.member_total if scope == "member" else state.family_total
    rows = []
    for network in Network:
        deductible = total(Kind.DEDUCTIBLE, who, group, network, start, end)
        out_of_pocket = total(Kind.OUT_OF_POCKET, who, group, network, start, end)
        deductible_limit = _limit([p.deductible for p in plans], scope, network)
        oop_limit = _limit([p.oop for p in plans], scope, network)
        if not (deductible or out_of_pocket or deductible_limit or oop_limit):
            continue
        rows.append(
            {
                scope: who,
                "group": group,
                "period": {"start": start.isoformat(), "end": end.isoformat()},
                "network": network.value,
                "deductible": fmt(deductible),
                "deductible_limit": deductible_limit,
                "out_of_pocket": fmt(out_of_pocket),
                "out_of_pocket_limit": oop_limit,
            }
        )
    return rows


def _limit(maximums: Sequence[Maximum | None], scope: Scope, network: Network) -> str | None:
    """The first plan's amount for the scope (individual or family) and tier, as a string."""
    for maximum in maximums:
        if maximum is None:
            continue
        amount = maximum.individual(network) if scope == "member" else maximum.family(network)
        if amount is not None:
            return fmt(amount)
    return None
