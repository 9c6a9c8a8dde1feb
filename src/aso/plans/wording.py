"""A plan's cost shares in the words a member reads on an ID card or a summary: ``$25 copay``,
``20% after deductible``, ``$250 copay + 20% after deductible``, ``No charge``."""

from __future__ import annotations

from aso.money import usd
from aso.plans.domain import Benefit, CostShare


def cost_share_words(share: CostShare) -> str:
    """One network tier's cost share in words."""
    parts: list[str] = []
    if share.copay:
        parts.append(f"{usd(share.copay)} copay")
    if share.coinsurance:
        percent = format((share.coinsurance * 100).normalize(), "f")
        parts.append(f"{percent}%")
    if share.allowance is not None:
        parts.append(f"{usd(share.allowance)} allowance")
    if not parts:
        parts.append("No charge" if not share.deductible else "Covered")
    text = " + ".join(parts)
    bounds = [
        f"{usd(amount)} {name}"
        for name, amount in (("min", share.min_cost), ("max", share.max_cost))
        if amount is not None
    ]
    if bounds:
        text += f" ({', '.join(bounds)})"
    if share.deductible:
        text += " after deductible"
    return text


def benefit_words(benefit: Benefit | None) -> str:
    """The in-network cost share of a benefit in words ("Not covered" when it is not)."""
    if benefit is None or not benefit.covered:
        return "Not covered"
    if benefit.in_ is None:
        return "Out of network only"
    return cost_share_words(benefit.in_)
