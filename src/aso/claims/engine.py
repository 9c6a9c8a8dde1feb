"""Adjudication of one claim (DESIGN 6.1-6.5): the edits in order, line by line.

``adjudicate_claim`` takes the claim, the reference data (``Context``: plans, members, coverage,
fee schedules, authorizations, all plain values built once) and the family's running state
(``AccumulatorState`` and ``ClaimHistory``), and gives a ``ClaimResult`` carrying the new
accumulator entries. The state and history are updated in place with what the claim adds, so
the next claim of the family sees it; a store persists ``result.entries`` and can always
rebuild the state from them. Denials and pends are data on the result; only a reference to
nothing (a correction of an unknown claim) raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from aso.claims import explain
from aso.claims.accumulators import AccumulatorState, add_months
from aso.claims.categories import CategoryRules, default_rules, derive_category
from aso.claims.cost_sharing import cap, member_cost_share
from aso.claims.domain import (
    ONE,
    ZERO,
    AccumulatorEntry,
    Adjustment,
    Authorization,
    Claim,
    ClaimLine,
    ClaimResult,
    ClaimStatus,
    ClaimType,
    Coverage,
    Frequency,
    Group,
    Kind,
    LineResult,
    LineStatus,
    Member,
    Network,
    PendReason,
)
from aso.claims.edits import ClaimHistory, age_on, authorized, over_service_limit
from aso.claims.eligibility import CoverageIndex, Span
from aso.claims.plan_rules import BenefitRule, Maximum, PlanRules, Share, compile_plan
from aso.claims.pricing import FeeSchedule, Pricer
from aso.errors import Problem, ValidationFailed
from aso.plans.domain import Line, PlanDesign, Tier

CO, PR, OA = Group.CONTRACTUAL, Group.PATIENT, Group.OTHER
IN, OUT = Network.IN, Network.OUT
EMPLOYEE = Tier.EMPLOYEE
OTHER_TIER = {IN: OUT, OUT: IN}

# Remark codes (RARC) added where they help the reader of a remittance.
RARC_INELIGIBLE = "N30"
RARC_BENEFIT_RESTRICTIONS = "N130"
RARC_AGE = "N129"
RARC_AUTHORIZATION = "M62"
RARC_FREQUENCY = "N640"
RARC_NO_SURPRISES = "N830"


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


def adjudicate_claim(
    claim: Claim, *, context: Context, state: AccumulatorState, history: ClaimHistory
) -> ClaimResult:
    """Adjudicate one claim against the family's state; ``state`` and ``history`` are updated.

    A replacement (frequency 7) first reverses the accumulator entries of the claim it replaces
    and is then adjudicated as an ordinary claim; a void (8) only reverses them, and reports the
    voided claim's lines as ``reversed`` (DESIGN 6.5 and 7).
    """
    reversals: list[AccumulatorEntry] = []
    replaced = None
    if claim.frequency is not Frequency.ORIGINAL:
        replaced = _corrected(claim, history)
        reversals = state.reverse_claim(replaced, by=claim.id)
        history.supersede(replaced, by=claim.id)
        if claim.frequency is Frequency.VOID:
            voided = history.result(replaced)
            assert voided is not None
            result = ClaimResult(
                claim=claim.id,
                member=claim.member,
                status=ClaimStatus.VOIDED,
                lines=tuple(_reversed(line) for line in voided.lines),
                entries=tuple(reversals),
                replaces=replaced,
            )
            history.record(claim, result)
            return result
    member = context.members.get(claim.member)
    entries: list[AccumulatorEntry] = list(reversals)
    lines = tuple(
        _adjudicate_line(claim, line, member, context, state, history, entries)
        for line in claim.lines
    )
    result = ClaimResult(
        claim=claim.id,
        member=claim.member,
        status=_claim_status(lines),
        lines=lines,
        entries=tuple(entries),
        replaces=replaced,
    )
    history.record(claim, result)
    return result


def _corrected(claim: Claim, history: ClaimHistory) -> str:
    """The current version of the claim a replacement or void corrects."""
    target = None if claim.replaces is None else history.latest(claim.replaces)
    if target is None or history.result(target) is None:
        raise ValidationFailed(
            [Problem(f"claims[{claim.id}].replaces", f"no earlier claim {claim.replaces!r}")]
        )
    return target


def _claim_status(lines: tuple[LineResult, ...]) -> ClaimStatus:
    """Pended when any line pends, else paid when any line is paid, else denied (DESIGN 6.5)."""
    statuses = {line.status for line in lines}
    if LineStatus.PENDED in statuses:
        return ClaimStatus.PENDED
    if LineStatus.PAID in statuses:
        return ClaimStatus.PAID
    return ClaimStatus.DENIED


def _reversed(line: LineResult) -> LineResult:
    """A voided claim's line: a paid line with every amount negated, any other with zeros."""
    if line.status is not LineStatus.PAID:
        return LineResult(
            line=line.line,
            status=LineStatus.REVERSED,
            category=line.category,
            charge=ZERO,
            plan=line.plan,
            network=line.network,
        )
    return LineResult(
        line=line.line,
        status=LineStatus.REVERSED,
        category=line.category,
        charge=_negated(line.charge),
        allowed=_negated(line.allowed),
        copay=_negated(line.copay),
        deductible=_negated(line.deductible),
        coinsurance=_negated(line.coinsurance),
        not_covered=_negated(line.not_covered),
        balance_bill=_negated(line.balance_bill),
        plan_paid=_negated(line.plan_paid),
        adjustments=tuple(adjustment.negated() for adjustment in line.adjustments),
        remarks=line.remarks,
        plan=line.plan,
        network=line.network,
    )


def _negated(amount: Decimal) -> Decimal:
    """``-amount``, but 0.00 stays 0.00 (never -0.00)."""
    return -amount if amount else ZERO


# -- one line ----------------------------------------------------------------------------------


def _adjudicate_line(
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
        return _deny(
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
        return _deny(line, line.category, PR, carc, (RARC_INELIGIBLE,), trace, text)
    plan = span.plan
    if trace is not None:
        trace.append(explain.eligible(member.id, span, line.date))
    late = (claim.received - line.date).days
    if late > plan.timely_filing_days:
        text = explain.late(late, plan.timely_filing_days) if trace is not None else ""
        return _deny(line, line.category, CO, "29", (), trace, text, plan)
    if trace is not None:
        trace.append(explain.on_time(late, plan.timely_filing_days))
    duplicate = history.duplicate_of(claim, line)
    if duplicate is not None:
        exact, prior = duplicate
        if exact:
            text = explain.duplicate(prior) if trace is not None else ""
            return _deny(line, line.category, OA, "18", (), trace, text, plan)
        if PendReason.SUSPECT_DUPLICATE not in line.released:
            if trace is not None:
                trace.append(explain.suspect(prior))
            return _pend(line, line.category, PendReason.SUSPECT_DUPLICATE, ZERO, trace, plan)
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
        return _deny(line, category, PR, "204", refusal, trace, "", plan)
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
            return _deny(line, category, PR, "242", (RARC_BENEFIT_RESTRICTIONS,), trace, text, plan)
        text = f"Benefit: {category} has no in-network cost share: not covered (CARC 204)."
        return _deny(line, category, PR, "204", (RARC_BENEFIT_RESTRICTIONS,), trace, text, plan)
    if trace is not None:
        trace.append(explain.benefit(category, tier, share, protected, plan))
    if benefit.prior_auth and not emergency:
        if not authorized(claim, line, category, context.authorizations):
            group = CO if network is IN or protected else PR
            text = explain.no_authorization(line) if trace is not None else ""
            return _deny(line, category, group, "197", (RARC_AUTHORIZATION,), trace, text, plan)
        if trace is not None:
            trace.append(f"Prior authorization {line.prior_auth}: accepted.")
    period = (plan.period_start, plan.period_end)
    if benefit.counts_services:
        over = over_service_limit(
            benefit, state.service_dates(member.id, category), line.date, period
        )
        if over is not None:
            text = f"Limit: {over}; this line is over the limit (CARC 119)."
            return _deny(line, category, PR, "119", (RARC_FREQUENCY,), trace, text, plan)
        if trace is not None:
            trace.append("Limits: within the visit and frequency limits.")
    allowed = context.pricer.price(claim, line, category, trace)
    if allowed is None:
        return _pend(line, category, PendReason.NO_PRICE, ZERO, trace, plan)
    return _cost_share(
        claim,
        line,
        member,
        span,
        benefit,
        share,
        category,
        tier,
        protected,
        allowed,
        state,
        entries,
        trace,
    )


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


def _remaining(
    maximum: Maximum | None,
    kind: Kind,
    state: AccumulatorState,
    member: Member,
    span: Span,
    network: Network,
) -> Decimal | None:
    """What remains of a deductible or out-of-pocket maximum for this member (DESIGN 6.4).

    On tier ``employee`` only the individual amount binds; on a family tier both bind when
    embedded, only the family amount when aggregate. None: the plan has no such maximum here.
    """
    if maximum is None:
        return None
    individual = maximum.individual(network)
    family = maximum.family(network)
    if individual is None or family is None:
        return None
    plan = span.plan
    start, end = plan.period_start, plan.period_end
    remaining = family - state.family_total(kind, member.family, plan.group, network, start, end)
    if span.tier is EMPLOYEE or maximum.embedded:
        own = individual - state.member_total(kind, member.id, plan.group, network, start, end)
        remaining = own if span.tier is EMPLOYEE else min(own, remaining)
    return remaining if remaining > 0 else ZERO


def _cost_share(
    claim: Claim,
    line: ClaimLine,
    member: Member,
    span: Span,
    benefit: BenefitRule,
    share: Share,
    category: str,
    tier: Network,
    protected: bool,
    allowed: Decimal,
    state: AccumulatorState,
    entries: list[AccumulatorEntry],
    trace: list[str] | None,
) -> LineResult:
    """Step 8: member cost share, caps on the plan share, the high-dollar pend, the entries."""
    plan = span.plan
    if tier is IN and category == "preventive" and plan.line is Line.MEDICAL:
        copay = deductible = coinsurance = ZERO
        if trace is not None:
            trace.append("Preventive care in network: no copay, deductible or coinsurance (ACA).")
    else:
        remaining_deductible = _remaining(
            plan.deductible, Kind.DEDUCTIBLE, state, member, span, tier
        )
        remaining_oop = _remaining(plan.oop, Kind.OUT_OF_POCKET, state, member, span, tier)
        copay, deductible, coinsurance = member_cost_share(
            allowed,
            share,
            remaining_deductible=remaining_deductible,
            remaining_oop=remaining_oop,
            trace=trace,
        )
    plan_share = allowed - copay - deductible - coinsurance
    plan_share, not_covered = _plan_caps(
        plan_share, member, span, benefit, share, category, line, state, trace
    )
    limit = plan.pended_over
    if limit is not None and plan_share > limit and PendReason.HIGH_DOLLAR not in line.released:
        if trace is not None:
            trace.append(explain.high_dollar(plan_share, limit))
        return _pend(line, category, PendReason.HIGH_DOLLAR, allowed, trace, plan)
    rest = line.charge - allowed
    balance_bill = rest if tier is OUT else ZERO
    adjustments: list[Adjustment] = []
    if rest:
        adjustments.append(Adjustment(PR if tier is OUT else CO, "45", rest))
    if deductible:
        adjustments.append(Adjustment(PR, "1", deductible))
    if coinsurance:
        adjustments.append(Adjustment(PR, "2", coinsurance))
    if copay:
        adjustments.append(Adjustment(PR, "3", copay))
    if not_covered:
        adjustments.append(Adjustment(PR, "119", not_covered))
    remarks: tuple[str, ...] = ()
    if protected:
        remarks = (RARC_NO_SURPRISES,)
    if not_covered:
        remarks = (*remarks, RARC_BENEFIT_RESTRICTIONS)
    new = _entries(
        claim,
        line,
        member,
        span,
        benefit,
        category,
        tier,
        deductible,
        copay + deductible + coinsurance,
        plan_share,
    )
    state.apply_all(new)
    entries.extend(new)
    if trace is not None:
        trace.append(explain.paid(plan_share, copay + deductible + coinsurance + not_covered))
    return LineResult(
        line=line.number,
        status=LineStatus.PAID,
        category=category,
        charge=line.charge,
        allowed=allowed,
        copay=copay,
        deductible=deductible,
        coinsurance=coinsurance,
        not_covered=not_covered,
        balance_bill=balance_bill,
        plan_paid=plan_share,
        adjustments=tuple(adjustments),
        remarks=remarks,
        plan=plan.id,
        network=tier,
        trace=() if trace is None else tuple(trace),
    )


def _plan_caps(
    plan_share: Decimal,
    member: Member,
    span: Span,
    benefit: BenefitRule,
    share: Share,
    category: str,
    line: ClaimLine,
    state: AccumulatorState,
    trace: list[str] | None,
) -> tuple[Decimal, Decimal]:
    """Allowance, dollar limit, annual and lifetime maximums, in that order (DESIGN 6.4 step 3).

    Each moves the excess of the plan share to the member as not covered (PR-119).
    """
    plan = span.plan
    not_covered = ZERO
    if share.allowance is not None:
        plan_share, excess = cap(plan_share, share.allowance)
        if excess and trace is not None:
            trace.append(explain.capped("allowance", share.allowance, excess))
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
    claim: Claim,
    line: ClaimLine,
    member: Member,
    span: Span,
    benefit: BenefitRule,
    category: str,
    tier: Network,
    deductible: Decimal,
    out_of_pocket: Decimal,
    plan_share: Decimal,
) -> list[AccumulatorEntry]:
    """What a paid line adds to the accumulators (DESIGN 6.4 step 4).

    Deductible and out-of-pocket amounts count in the line's network tier, and in the other
    tier too when the plan cross-accumulates; visits, limited benefit dollars and plan payments
    under a maximum count per member.
    """
    plan = span.plan
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

    for kind, amount, maximum in (
        (Kind.DEDUCTIBLE, deductible, plan.deductible),
        (Kind.OUT_OF_POCKET, out_of_pocket, plan.oop),
    ):
        if amount:
            add(kind, amount, tier)
            if maximum is not None and maximum.cross_accumulate:
                add(kind, amount, OTHER_TIER[tier])
    if benefit.counts_services:
        add(Kind.VISITS, ONE, what=category)
    if benefit.dollars is not None and plan_share:
        add(Kind.BENEFIT_DOLLARS, plan_share, what=category)
    if (plan.annual_max is not None or plan.lifetime_max is not None) and plan_share:
        add(Kind.PLAN_PAID, plan_share)
    return new


# -- denied and pended lines ---------------------------------------------------------------------


def _deny(
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
        not_covered=line.charge if group is PR else ZERO,
        adjustments=(Adjustment(group, carc, line.charge),),
        remarks=remarks,
        plan=None if plan is None else plan.id,
        trace=() if trace is None else tuple(trace),
    )


def _pend(
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
