"""Adjudication of claims (DESIGN 6.1-6.5): the public API of the engine.

``adjudicate_claim`` takes the claim, the reference data (``Context``: plans, members, coverage,
fee schedules, authorizations, all plain values built once) and the family's running state
(``AccumulatorState`` and ``ClaimHistory``), and gives a ``ClaimResult`` carrying the new
accumulator entries. The state and history are updated in place with what the claim adds, so
the next claim of the family sees it; a store persists ``result.entries`` and can always
rebuild the state from them. ``reprocess`` adjudicates later claims again after a correction.
Denials and pends are data on the result; only a reference to nothing (a correction of an
unknown claim) raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from aso.claims.accumulators import AccumulatorState
from aso.claims.adjudication import adjudicate_line
from aso.claims.context import Context, build_context
from aso.claims.domain import (
    ZERO,
    AccumulatorEntry,
    Claim,
    ClaimResult,
    ClaimStatus,
    Frequency,
    LineResult,
    LineStatus,
)
from aso.claims.edits import ClaimHistory
from aso.errors import Problem, ValidationFailed

__all__ = ["Context", "adjudicate_claim", "build_context", "reprocess"]


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
        adjudicate_line(claim, line, member, context, state, history, entries)
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


def reprocess(
    claims: Iterable[Claim],
    *,
    context: Context,
    state: AccumulatorState,
    history: ClaimHistory,
    by: str,
) -> list[ClaimResult]:
    """Adjudicate claims again, in order, after a correction earlier in the family's history.

    Every claim already adjudicated among them is first reversed (its entries negated with
    ``reversed_by=by``, its lines out of the duplicate checks), all before any is adjudicated
    again: so each sees exactly the claims before it, and the accumulators end as a fresh
    adjudication of the corrected history would leave them. A replacement or void among them
    corrects its claim as usual. Each result carries its claim's reversals first.
    """
    ordered = list(claims)
    reversals: dict[str, list[AccumulatorEntry]] = {}
    for claim in reversed(ordered):
        if history.result(claim.id) is not None:
            reversals[claim.id] = state.reverse_claim(claim.id, by=by)
            history.withdraw(claim.id)
    results = []
    for claim in ordered:
        result = adjudicate_claim(claim, context=context, state=state, history=history)
        earlier = reversals.get(claim.id)
        if earlier:
            result = replace(result, entries=(*earlier, *result.entries))
        results.append(result)
    return results


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
