"""Deductible and out-of-pocket met and remaining, per member and family (DESIGN 3 and 6.4):
pure arithmetic over the running totals and the limits of the member's plans.

Limits come from the plans that share an accumulator group in a plan period (the first that
has each amount, as the scenario output does); a family's limits and totals are shown only when
the member is on a family tier, where they bind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from aso.claims.domain import ZERO, Network
from aso.claims.plan_rules import Maximum
from aso.claims.schemas import BalanceRead

Scope = Literal["member", "family"]
BalanceKey = tuple[str, str, str, str, date, date]
"""(scope, kind, accumulator group, network, period start, period end)."""


@dataclass(frozen=True, slots=True)
class PlanLimits:
    """What one of the member's plans says about its accumulators."""

    group: str
    period_start: date
    period_end: date
    deductible: Maximum | None
    oop: Maximum | None
    family_tier: bool
    plan: str = ""
    """The plan's name, to say which plans a balance counts (plans may share a group)."""


def balances(
    member: str, family: str, plans: Sequence[PlanLimits], totals: Mapping[BalanceKey, Decimal]
) -> list[BalanceRead]:
    """One row per scope, group and period, and network tier with a limit or an amount met."""
    grouped: dict[tuple[str, date, date], list[PlanLimits]] = {}
    for plan in plans:
        grouped.setdefault((plan.group, plan.period_start, plan.period_end), []).append(plan)
    rows: list[BalanceRead] = []
    for (group, start, end), found in sorted(grouped.items()):
        scopes: list[tuple[Scope, str]] = [("member", member)]
        if any(plan.family_tier for plan in found):
            scopes.append(("family", family))
        for scope, holder in scopes:
            for network in Network:
                row = _row(scope, holder, (group, start, end), network, found, totals)
                if row is not None:
                    rows.append(row)
    return rows


def _row(
    scope: Scope,
    holder: str,
    key: tuple[str, date, date],
    network: Network,
    plans: Sequence[PlanLimits],
    totals: Mapping[BalanceKey, Decimal],
) -> BalanceRead | None:
    group, start, end = key
    net = network.value
    deductible = totals.get((scope, "deductible", group, net, start, end), ZERO)
    oop = totals.get((scope, "out_of_pocket", group, net, start, end), ZERO)
    deductible_limit = _limit([p.deductible for p in plans], scope, network)
    oop_limit = _limit([p.oop for p in plans], scope, network)
    if not (deductible or oop or deductible_limit is not None or oop_limit is not None):
        return None
    return BalanceRead(
        scope=scope,
        member_id=holder,
        group=group,
        period_start=start,
        period_end=end,
        network="in" if network is Network.IN else "out",
        deductible=deductible,
        deductible_limit=deductible_limit,
        deductible_remaining=_remaining(deductible_limit, deductible),
        out_of_pocket=oop,
        out_of_pocket_limit=oop_limit,
        out_of_pocket_remaining=_remaining(oop_limit, oop),
        plans=sorted({p.plan for p in plans if p.plan}),
    )


def _limit(maximums: Sequence[Maximum | None], scope: Scope, network: Network) -> Decimal | None:
    for maximum in maximums:
        if maximum is None:
            continue
        amount = maximum.individual(network) if scope == "member" else maximum.family(network)
        if amount is not None:
            return amount
    return None


def _remaining(limit: Decimal | None, used: Decimal) -> Decimal | None:
    if limit is None:
        return None
    return max(limit - used, ZERO)
