"""One line through the edits of DESIGN 6.1 steps 2-7; the first that fails decides it.

Eligibility, timely filing, duplicates, category and benefit (coverage, network, waiting period,
age, prior authorization), visit and frequency limits, pricing. A line that passes them all is
settled by ``aso.claims.payment`` (step 8). An examiner's decisions travel on the line: the
pend reasons released, an allowed amount set in place of the price, or a denial with a CARC
(which decides the line as soon as the member is found eligible).
"""

from __future__ import annotations

from decimal import Decimal

from aso.claims import explain
from aso.claims.accumulators import AccumulatorState, add_months
from aso.claims.categories import derive_category
from aso.claims.context import Context
from aso.claims.domain import (
    ZERO,
    AccumulatorEntry,
    Claim,
    ClaimLine,
    ClaimType,
    Group,
    LineResult,
    Member,
    Network,
    PendReason,
)
from aso.claims.edits import ClaimHistory, age_on, authorized, over_service_limit
from aso.claims.eligibility import Span
from aso.claims.outcomes import deny, pend
from aso.claims.payment import CoveredLine, settle_line
from aso.claims.plan_rules import BenefitRule

CO, PR, OA = Group.CONTRACTUAL, Group.PATIENT, Group.OTHER
IN, OUT = Network.IN, Network.OUT

# Remark codes (RARC, described in aso/codes/rarc.yaml) added where they help the reader.
RARC_INELIGIBLE = "N30"
RARC_BENEFIT_RESTRICTIONS = "N130"
RARC_AGE = "N129"
RARC_AUTHORIZATION = "M62"
RARC_FREQUENCY = "N640"


def adjudicate_line(
    claim: Claim,
    line: ClaimLine,
    member: Member | None,
    context: Context,
    state: AccumulatorState,
    history: ClaimHistory,
    entries: list[AccumulatorEntry],
) -> LineResult:
    """Edits 2-8 of DESIGN 6.1 for one line; the first that fails decides it."""
    trace: list[str] | None = [] if context.explain else None
    if member is None:
        return deny(
            line,
            line.category,
            CO,
            "31",
            (),
            trace,
            f"Eligibility: member {claim.member} is unknown (CARC 31).",
        )
    coverage_line = claim.line_of_coverage
    carc, span = context.coverage.covering(member.id, coverage_line, line.date)
    if span is None:
        assert carc is not None
        text = (
            explain.ineligible(carc, member.id, coverage_line, line.date)
            if trace is not None
            else ""
        )
        return deny(line, line.category, PR, carc, (RARC_INELIGIBLE,), trace, text)
    plan = span.plan
    if trace is not None:
        trace.append(explain.eligible(member.id, span, line.date))
    if line.denial is not None:
        text = f"Examiner's decision: the line is denied (CARC {line.denial.carc})."
        return deny(line, line.category, line.denial.group, line.denial.carc, (), trace, text, plan)
    late = (claim.received - line.date).days
    if late > plan.timely_filing_days:
        text = explain.late(late, plan.timely_filing_days) if trace is not None else ""
        return deny(line, line.category, CO, "29", (), trace, text, plan)
    if trace is not None:
        trace.append(explain.on_time(late, plan.timely_filing_days))
    duplicate = history.duplicate_of(claim, line)
    if duplicate is not None:
        exact, prior = duplicate
        if exact:
            text = explain.duplicate(prior) if trace is not None else ""
            return deny(line, line.category, OA, "18", (), trace, text, plan)
        if PendReason.SUSPECT_DUPLICATE not in line.released:
            if trace is not None:
                trace.append(explain.suspect(prior))
            return pend(line, line.category, PendReason.SUSPECT_DUPLICATE, ZERO, trace, plan)
    elif trace is not None:
        trace.append("Duplicate check: no earlier claim has this line: passed.")
    return _covered_line(claim, line, member, span, context, state, entries, trace)


def _covered_line(
    claim: Claim,
    line: ClaimLine,
    member: Member,
    span: Span,
    context: Context,
    state: AccumulatorState,
    entries: list[AccumulatorEntry],
    trace: list[str] | None,
) -> LineResult:
    """Edits 5-8: category and benefit, limits, pricing, then cost sharing."""
    plan = span.plan
    category, rule = derive_category(claim, line, plan.formulary, context.rules)
    if trace is not None:
        trace.append(explain.category(line, category, rule))
    benefit = plan.benefits.get(category)
    refusal = _benefit_refusal(benefit, category, member, span, line, trace)
    if refusal is not None:
        return deny(line, category, PR, "204", refusal, trace, "", plan)
    assert benefit is not None
    network = claim.provider.network
    emergency = line.emergency or category == "emergency_room"
    protected = network is OUT and (
        emergency
        or benefit.out_same_as_in
        or (claim.type is ClaimType.PROFESSIONAL and claim.facility_network is IN)
    )
    tier = IN if network is IN or protected else OUT
    share = benefit.in_share if tier is IN else benefit.out_share
    if share is None:
        if tier is OUT:
            text = explain.no_out_of_network(category) if trace is not None else ""
            return deny(line, category, PR, "242", (RARC_BENEFIT_RESTRICTIONS,), trace, text, plan)
        text = f"Benefit: {category} has no in-network cost share: not covered (CARC 204)."
        return deny(line, category, PR, "204", (RARC_BENEFIT_RESTRICTIONS,), trace, text, plan)
    if trace is not None:
        trace.append(explain.benefit(category, tier, share, protected, plan))
    if benefit.prior_auth and not emergency:
        if not authorized(claim, line, category, context.authorizations):
            group = CO if network is IN or protected else PR
            text = explain.no_authorization(line) if trace is not None else ""
            return deny(line, category, group, "197", (RARC_AUTHORIZATION,), trace, text, plan)
        if trace is not None:
            trace.append(f"Prior authorization {line.prior_auth}: accepted.")
    period = (plan.period_start, plan.period_end)
    if benefit.counts_services:
        over = over_service_limit(
            benefit, state.service_dates(member.id, category), line.date, period
        )
        if over is not None:
            text = f"Limit: {over}; this line is over the limit (CARC 119)."
            return deny(line, category, PR, "119", (RARC_FREQUENCY,), trace, text, plan)
        if trace is not None:
            trace.append("Limits: within the visit and frequency limits.")
    allowed: Decimal | None = line.override_allowed
    if allowed is not None:
        if trace is not None:
            trace.append(f"Pricing: an examiner set the allowed amount to ${allowed:,}.")
    else:
        allowed = context.pricer.price(claim, line, category, trace)
    if allowed is None:
        return pend(line, category, PendReason.NO_PRICE, ZERO, trace, plan)
    covered = CoveredLine(claim, line, member, span, benefit, share, category, tier, protected)
    return settle_line(covered, allowed, state, entries, trace)


def _benefit_refusal(
    benefit: BenefitRule | None,
    category: str,
    member: Member,
    span: Span,
    line: ClaimLine,
    trace: list[str] | None,
) -> tuple[str, ...] | None:
    """Remarks of a CARC 204 denial when the plan does not cover the line, else None."""
    if benefit is None or not benefit.covered:
        if trace is not None:
            trace.append(f"Benefit: {category} is not covered by plan {span.plan.id} (CARC 204).")
        return (RARC_BENEFIT_RESTRICTIONS,)
    if benefit.waiting_months is not None:
        covered_from = add_months(span.continuous_start, benefit.waiting_months)
        if line.date < covered_from:
            if trace is not None:
                trace.append(explain.waiting(category, benefit.waiting_months, covered_from))
            return (RARC_BENEFIT_RESTRICTIONS,)
    if benefit.max_age is not None and member.dob is not None:
        age = age_on(member.dob, line.date)
        if age >= benefit.max_age:
            if trace is not None:
                trace.append(explain.too_old(category, age, benefit.max_age))
            return (RARC_AGE,)
    return None
