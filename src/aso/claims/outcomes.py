"""The two outcomes of a line that is not paid (DESIGN 6.5): denied, or pended."""

from __future__ import annotations

from decimal import Decimal

from aso.claims import explain
from aso.claims.domain import (
    ZERO,
    Adjustment,
    ClaimLine,
    Group,
    LineResult,
    LineStatus,
    PendReason,
)
from aso.claims.plan_rules import PlanRules


def deny(
    line: ClaimLine,
    category: str | None,
    group: Group,
    carc: str,
    remarks: tuple[str, ...],
    trace: list[str] | None,
    text: str,
    plan: PlanRules | None = None,
) -> LineResult:
    """A denied line: allowed and plan paid 0, the whole charge one adjustment (DESIGN 6.5)."""
    if trace is not None:
        if text:
            trace.append(text)
        trace.append(explain.denied(group, carc, line.charge))
    return LineResult(
        line=line.number,
        status=LineStatus.DENIED,
        category=category,
        charge=line.charge,
        not_covered=line.charge if group is Group.PATIENT else ZERO,
        adjustments=(Adjustment(group, carc, line.charge),),
        remarks=remarks,
        plan=None if plan is None else plan.id,
        trace=() if trace is None else tuple(trace),
    )


def pend(
    line: ClaimLine,
    category: str | None,
    reason: PendReason,
    allowed: Decimal,
    trace: list[str] | None,
    plan: PlanRules,
) -> LineResult:
    """A pended line pays nothing yet and touches no accumulator."""
    if trace is not None:
        trace.append(f"Pended ({reason.value}): nothing is paid or accumulated until released.")
    return LineResult(
        line=line.number,
        status=LineStatus.PENDED,
        category=category,
        charge=line.charge,
        allowed=allowed,
        pend_reason=reason.value,
        plan=plan.id,
        trace=() if trace is None else tuple(trace),
    )
