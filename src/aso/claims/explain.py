"""Plain-language steps of a line's decision (``aso simulate --explain``; EOBs; the examiner).

Only called when a trace is asked for, so the wording costs nothing on the batch path.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aso.claims.categories import Rule, describe_derivation
from aso.claims.domain import ClaimLine, Group, Network
from aso.claims.edits import PriorLine
from aso.claims.eligibility import AFTER_COVERAGE, BEFORE_COVERAGE, Span
from aso.claims.plan_rules import PlanRules, Share
from aso.claims.pricing import percent
from aso.claims.reasons import carc_description
from aso.plans.domain import Line

_WHO_OWES = {
    Group.CONTRACTUAL: "the provider writes it off",
    Group.PATIENT: "the member owes it",
    Group.OTHER: "no one is billed",
    Group.PAYER_INITIATED: "the payer adjusts it",
}


def ineligible(carc: str, member: str, line: Line, day: date) -> str:
    if carc == BEFORE_COVERAGE:
        why = "is before the member's first coverage start"
    elif carc == AFTER_COVERAGE:
        why = "is after a coverage end (or in a gap between coverages)"
    else:
        why = f"falls where {member} has no {line.value} coverage at all"
    return f"Eligibility: {day.isoformat()} {why} (CARC {carc})."


def eligible(member: str, span: Span, day: date) -> str:
    return (
        f"Eligibility: {member} is covered on {day.isoformat()} by plan {span.plan.id} "
        f"({span.tier.value} tier): passed."
    )


def late(days: int, limit: int) -> str:
    return f"Timely filing: received {days} days after the service, over the {limit}-day limit."


def on_time(days: int, limit: int) -> str:
    return f"Timely filing: received {days} days after the service (limit {limit}): passed."


def duplicate(prior: PriorLine) -> str:
    return (
        f"Duplicate of claim {prior.claim} line {prior.line}: same provider, date, codes and "
        "charge."
    )


def suspect(prior: PriorLine) -> str:
    return (
        f"Suspect duplicate of claim {prior.claim} line {prior.line}: same provider, date and "
        "procedure, but modifiers, place of service or charge differ."
    )


def category(line: ClaimLine, name: str, rule: Rule | None) -> str:
    return describe_derivation(line, name, rule)


def no_out_of_network(name: str) -> str:
    return f"Benefit: {name} is not covered out of network (CARC 242)."


def waiting(name: str, months: int, covered_from: date) -> str:
    return (
        f"Benefit: {name} has a {months}-month waiting period; covered from "
        f"{covered_from.isoformat()} (CARC 204)."
    )


def too_old(name: str, age: int, max_age: int) -> str:
    return f"Benefit: {name} is covered only before age {max_age}; the member is {age} (CARC 204)."


def benefit(name: str, network: Network, share: Share, protected: bool, plan: PlanRules) -> str:
    parts = []
    if share.copay:
        timing = ""
        if share.deductible:
            after = share.after_deductible
            timing = " (after the deductible)" if after else " (before the deductible)"
        parts.append(f"copay {share.copay:.2f}{timing}")
    if share.coinsurance:
        parts.append(f"coinsurance {percent(share.coinsurance)}")
    parts.append("deductible applies" if share.deductible else "no deductible")
    if share.allowance is not None:
        parts.append(f"allowance {share.allowance:.2f}")
    if share.min_cost is not None or share.max_cost is not None:
        parts.append(f"coinsurance between {share.min_cost or 0:.2f} and {share.max_cost or 0:.2f}")
    where = "in-network" if network is Network.IN else "out-of-network"
    text = f"Benefit: {name}, {where} cost share of plan {plan.id}: "
    text += ", ".join(parts) + "."
    if protected:
        text += (
            " No Surprises Act: an out-of-network line paid with in-network cost sharing and "
            "accumulators; the provider may not balance-bill."
        )
    return text


def no_authorization(line: ClaimLine) -> str:
    if line.prior_auth is None:
        return "Prior authorization required and none given (CARC 197)."
    return f"Prior authorization {line.prior_auth} does not cover this line (CARC 197)."


def capped(what: str, remaining: Decimal, excess: Decimal) -> str:
    room = remaining if remaining > 0 else Decimal(0)
    return (
        f"Plan share capped by the {what} ({room:.2f} left): {excess:.2f} is not covered "
        "(PR-119), counted toward no accumulator."
    )


def high_dollar(plan_share: Decimal, limit: Decimal) -> str:
    return f"High dollar: the plan would pay {plan_share:.2f}, above {limit:.2f}; held for review."


def paid(plan_share: Decimal, member: Decimal) -> str:
    return f"Paid: the plan pays {plan_share:.2f}; the member owes {member:.2f}."


def denied(group: Group, carc: str, charge: Decimal) -> str:
    reason = carc_description(carc)
    return (
        f"Denied {group.value}-{carc} ({reason.rstrip('.')}): the {charge:.2f} charge is not "
        f"paid; {_WHO_OWES[group]}."
    )
