"""Step 8 of DESIGN 6.1 for a covered, priced line: cost sharing against the accumulators
(6.4), caps on the plan share, the high-dollar pend, and the accumulator entries it yields."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from aso.claims import explain
from aso.claims.accumulators import AccumulatorState
from aso.claims.cost_sharing import cap, member_cost_share
from aso.claims.domain import (
    ONE,
    ZERO,
    AccumulatorEntry,
    Adjustment,
    Claim,
    ClaimLine,
    Group,
    Kind,
    LineResult,
    LineStatus,
    Member,
    Network,
    PendReason,
)
from aso.claims.eligibility import Span
from aso.claims.outcomes import pend
from aso.claims.plan_rules import BenefitRule, Maximum, Share
from aso.plans.domain import Line, Tier

CO, PR = Group.CONTRACTUAL, Group.PATIENT
IN, OUT = Network.IN, Network.OUT
EMPLOYEE = Tier.EMPLOYEE
OTHER_TIER = {IN: OUT, OUT: IN}
RARC_BENEFIT_RESTRICTIONS = "N130"
RARC_NO_SURPRISES = "N830"


@dataclass(frozen=True, slots=True)
class CoveredLine:
    """What edits 2-6 decided about a line that the plan covers."""

    claim: Claim
    line: ClaimLine
    member: Member
    span: Span
    benefit: BenefitRule
    share: Share
    category: str
    tier: Network
    """The network tier whose cost share and accumulators apply."""
    protected: bool
    """Out of network but protected by the No Surprises Act (DESIGN 6.3)."""


def _remaining(
    maximum: Maximum | None, kind: Kind, state: AccumulatorState, covered: CoveredLine
) -> Decimal | None:
    """What remains of a deductible or out-of-pocket maximum for this member (DESIGN 6.4).

    On tier ``employee`` only the individual amount binds; on a family tier both bind when
    embedded, only the family amount when aggregate. None: the plan has no such maximum here.
    """
    if maximum is None:
        return None
    network = covered.tier
    individual = maximum.individual(network)
    family = maximum.family(network)
    if individual is None or family is None:
        return None
    span, member = covered.span, covered.member
    plan = span.plan
    start, end = plan.period_start, plan.period_end
    remaining = family - state.family_total(kind, member.family, plan.group, network, start, end)
    if span.tier is EMPLOYEE or maximum.embedded:
        own = individual - state.member_total(kind, member.id, plan.group, network, start, end)
        remaining = own if span.tier is EMPLOYEE else min(own, remaining)
    return remaining if remaining > 0 else ZERO


def settle_line(
    covered: CoveredLine,
    allowed: Decimal,
    state: AccumulatorState,
    entries: list[AccumulatorEntry],
    trace: list[str] | None,
) -> LineResult:
    """Step 8: member cost share, caps on the plan share, the high-dollar pend, the entries."""
    line, plan, tier = covered.line, covered.span.plan, covered.tier
    if tier is IN and covered.category == "preventive" and plan.line is Line.MEDICAL:
        copay = deductible = coinsurance = ZERO
        if trace is not None:
            trace.append("Preventive care in network: no copay, deductible or coinsurance (ACA).")
    else:
        copay, deductible, coinsurance = member_cost_share(
            allowed,
            covered.share,
            remaining_deductible=_remaining(plan.deductible, Kind.DEDUCTIBLE, state, covered),
            remaining_oop=_remaining(plan.oop, Kind.OUT_OF_POCKET, state, covered),
            trace=trace,
        )
    cost_share = copay + deductible + coinsurance
    plan_share, not_covered = _plan_caps(allowed - cost_share, covered, state, trace)
    limit = plan.pended_over
    if limit is not None and plan_share > limit and PendReason.HIGH_DOLLAR not in line.released:
        if trace is not None:
            trace.append(explain.high_dollar(plan_share, limit))
        return pend(line, covered.category, PendReason.HIGH_DOLLAR, allowed, trace, plan)
    new = _entries(covered, deductible, cost_share, plan_share)
    state.apply_all(new)
    entries.extend(new)
    if trace is not None:
        trace.append(explain.paid(plan_share, cost_share + not_covered))
    rest = line.charge - allowed
    return LineResult(
        line=line.number,
        status=LineStatus.PAID,
        category=covered.category,
        charge=line.charge,
        allowed=allowed,
        copay=copay,
        deductible=deductible,
        coinsurance=coinsurance,
        not_covered=not_covered,
        balance_bill=rest if tier is OUT else ZERO,
        plan_paid=plan_share,
        adjustments=_adjustments(tier, rest, copay, deductible, coinsurance, not_covered),
        remarks=_remarks(covered.protected, not_covered),
        plan=plan.id,
        network=tier,
        trace=() if trace is None else tuple(trace),
    )


def _adjustments(
    tier: Network,
    rest: Decimal,
    copay: Decimal,
    deductible: Decimal,
    coinsurance: Decimal,
    not_covered: Decimal,
) -> tuple[Adjustment, ...]:
    """Every amount not paid as group + CARC: the charge above the allowed amount (CARC 45, the
    provider's in network or when protected, the member's balance bill otherwise), then the
    member's deductible (1), coinsurance (2), copay (3) and what caps left uncovered (119)."""
    found = []
    if rest:
        found.append(Adjustment(PR if tier is OUT else CO, "45", rest))
    for carc, amount in (("1", deductible), ("2", coinsurance), ("3", copay), ("119", not_covered)):
        if amount:
            found.append(Adjustment(PR, carc, amount))
    return tuple(found)


def _remarks(protected: bool, not_covered: Decimal) -> tuple[str, ...]:
    remarks: tuple[str, ...] = (RARC_NO_SURPRISES,) if protected else ()
    return (*remarks, RARC_BENEFIT_RESTRICTIONS) if not_covered else remarks


def _plan_caps(
    plan_share: Decimal, covered: CoveredLine, state: AccumulatorState, trace: list[str] | None
) -> tuple[Decimal, Decimal]:
    """Allowance, dollar limit, annual and lifetime maximums, in that order (DESIGN 6.4 step 3).

    Each moves the excess of the plan share to the member as not covered (PR-119).
    """
    member, benefit, category = covered.member, covered.benefit, covered.category
    plan = covered.span.plan
    allowance = covered.share.allowance
    not_covered = ZERO
    if allowance is not None:
        plan_share, excess = cap(plan_share, allowance)
        if excess and trace is not None:
            trace.append(explain.capped("allowance", allowance, excess))
        not_covered += excess
    if benefit.dollars is not None:
        used = state.benefit_dollars(
            member.id, category, plan.period_start, plan.period_end, lifetime=benefit.lifetime
        )
        plan_share, excess = cap(plan_share, benefit.dollars - used)
        if excess and trace is not None:
            trace.append(explain.capped(f"{category} dollar limit", benefit.dollars - used, excess))
        not_covered += excess
    if plan.annual_max is not None:
        used = state.plan_paid(member.id, plan.id, plan.period_start, plan.period_end)
        plan_share, excess = cap(plan_share, plan.annual_max - used)
        if excess and trace is not None:
            trace.append(explain.capped("annual maximum", plan.annual_max - used, excess))
        not_covered += excess
    if plan.lifetime_max is not None:
        used = state.lifetime_paid(member.id, plan.line)
        plan_share, excess = cap(plan_share, plan.lifetime_max - used)
        if excess and trace is not None:
            trace.append(explain.capped("lifetime maximum", plan.lifetime_max - used, excess))
        not_covered += excess
    return plan_share, not_covered


def _entries(
    covered: CoveredLine, deductible: Decimal, out_of_pocket: Decimal, plan_share: Decimal
) -> list[AccumulatorEntry]:
    """What a paid line adds to the accumulators (DESIGN 6.4 step 4).

    Deductible and out-of-pocket amounts count in the line's network tier, and in the other
    tier too when the plan cross-accumulates; visits, limited benefit dollars and plan payments
    under a maximum count per member.
    """
    claim, line, member, plan = covered.claim, covered.line, covered.member, covered.span.plan
    new: list[AccumulatorEntry] = []

    def add(kind: Kind, amount: Decimal, network: Network | None = None, what: str = "") -> None:
        new.append(
            AccumulatorEntry(
                claim.id,
                line.number,
                member.id,
                member.family,
                kind,
                amount,
                line.date,
                plan.period_start,
                plan.period_end,
                plan.id,
                plan.line,
                plan.group,
                network,
                what,
            )
        )

    tier = covered.tier
    for kind, amount, maximum in (
        (Kind.DEDUCTIBLE, deductible, plan.deductible),
        (Kind.OUT_OF_POCKET, out_of_pocket, plan.oop),
    ):
        if amount:
            add(kind, amount, tier)
            if maximum is not None and maximum.cross_accumulate:
                add(kind, amount, OTHER_TIER[tier])
    if covered.benefit.counts_services:
        add(Kind.VISITS, ONE, what=covered.category)
    if covered.benefit.dollars is not None and plan_share:
        add(Kind.BENEFIT_DOLLARS, plan_share, what=covered.category)
    if (plan.annual_max is not None or plan.lifetime_max is not None) and plan_share:
        add(Kind.PLAN_PAID, plan_share)
    return new
