"""The engine's API (DESIGN 6): state in, results and entries out; corrections and reprocessing
give the accumulators a fresh adjudication of the corrected history would."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from aso.claims.accumulators import AccumulatorState
from aso.claims.domain import (
    Claim,
    ClaimStatus,
    ExaminerDenial,
    Frequency,
    Group,
    Kind,
    LineStatus,
    Network,
)
from aso.claims.edits import ClaimHistory
from aso.claims.engine import adjudicate_claim, reprocess
from aso.errors import ValidationFailed
from aso.plans.domain import Tier
from tests.unit.engine_builders import Adjudicator, claim, context, family, line, ppo


def lab(claim_id: str, member: str, day: int, allowed: str) -> Claim:
    service = line(day=date(2026, 3, day), category="lab", charge="2000.00", allowed=allowed)
    return claim(claim_id, member, service)


def test_a_paid_line_yields_member_and_family_entries() -> None:
    run = Adjudicator(context([ppo()], family("S1", "D1"), tier=Tier.FAMILY))
    (result,) = run(claim("C1", "D1", line(category="lab", charge="900.00", allowed="600.00")))
    kinds = {(e.kind, e.amount, e.network, e.family) for e in result.entries}
    assert kinds == {
        (Kind.DEDUCTIBLE, Decimal("600.00"), Network.IN, "S1"),
        (Kind.OUT_OF_POCKET, Decimal("600.00"), Network.IN, "S1"),
    }
    state = run.state
    period = (date(2026, 1, 1), date(2026, 12, 31))
    assert state.family_total(Kind.DEDUCTIBLE, "S1", "med", Network.IN, *period) == 600


def test_denied_and_pended_lines_yield_no_entries() -> None:
    plan = ppo(pended_over=100)
    run = Adjudicator(context([plan], family("S1")))
    (result,) = run(
        claim(
            "C1",
            "S1",
            line(1, category="hospice", charge="300.00"),
            line(2, category="emergency_room", charge="900.00", allowed="800.00"),
        )
    )
    assert [ln.status for ln in result.lines] == [LineStatus.DENIED, LineStatus.PENDED]
    assert result.status is ClaimStatus.PENDED
    assert result.entries == ()


def test_totals_rebuilt_from_the_entries_equal_the_running_state() -> None:
    run = Adjudicator(context([ppo()], family("S1", "D1"), tier=Tier.FAMILY))
    run(lab("C1", "S1", 1, "700.00"), lab("C2", "D1", 2, "900.00"), lab("C3", "S1", 3, "400.00"))
    correction = lab("C1R", "S1", 1, "100.00")
    run(replace(correction, frequency=Frequency.REPLACEMENT, replaces="C1"))
    entries = [e for result in run.results for e in result.entries]
    assert AccumulatorState.from_entries(entries).totals() == run.state.totals()


def test_a_correction_of_an_unknown_claim_is_refused() -> None:
    run = Adjudicator(context([ppo()], family("S1")))
    with pytest.raises(ValidationFailed, match=r"claims\[V1\]\.replaces"):
        run(claim("V1", "S1", frequency=Frequency.VOID, replaces="C9"))


def test_a_history_seeded_from_stored_claims_finds_duplicates() -> None:
    ctx = context([ppo()], family("S1"))
    first = lab("C1", "S1", 1, "700.00")
    result = adjudicate_claim(first, context=ctx, state=AccumulatorState(), history=ClaimHistory())
    history = ClaimHistory.from_prior([(first, result)])
    again = adjudicate_claim(
        replace(first, id="C2"), context=ctx, state=AccumulatorState(), history=history
    )
    assert again.lines[0].adjustments[0].carc == "18"


@pytest.mark.parametrize("correction", ["void", "replacement"])
def test_reprocessing_later_claims_equals_a_fresh_adjudication(correction: str) -> None:
    ctx = context([ppo()], family("S1", "D1"), tier=Tier.FAMILY)
    c1, c2, c3 = (
        lab("C1", "S1", 1, "700.00"),
        lab("C2", "D1", 2, "900.00"),
        lab("C3", "S1", 3, "600.00"),
    )
    run = Adjudicator(ctx)
    run(c1, c2, c3)
    if correction == "void":
        fix = claim("V1", "S1", frequency=Frequency.VOID, replaces="C1")
        corrected_history = [c2, c3]
    else:
        fix = replace(lab("C1R", "S1", 1, "150.00"), frequency=Frequency.REPLACEMENT, replaces="C1")
        corrected_history = [replace(fix, frequency=Frequency.ORIGINAL, replaces=None), c2, c3]
    # the correction, then the later claims of the family again, in order
    again = reprocess([fix, c2, c3], context=ctx, state=run.state, history=run.history, by=fix.id)
    fresh = Adjudicator(ctx)
    expected = fresh(*corrected_history)
    assert run.state.totals() == fresh.state.totals()
    assert [r.lines for r in again[1:]] == [r.lines for r in expected[-2:]]
    entries = [e for result in [*run.results, *again] for e in result.entries]
    assert AccumulatorState.from_entries(entries).totals() == fresh.state.totals()


def test_an_examiner_denial_decides_an_eligible_line_with_its_carc() -> None:
    run = Adjudicator(context([ppo()], family("S1")))
    service = line(category="lab", charge="900.00", allowed="600.00")
    denied = replace(service, denial=ExaminerDenial(Group.CONTRACTUAL, "50"))
    (result,) = run(claim("C1", "S1", denied))
    (outcome,) = result.lines
    assert outcome.status is LineStatus.DENIED
    assert [(a.group, a.carc, a.amount) for a in outcome.adjustments] == [
        (Group.CONTRACTUAL, "50", Decimal("900.00"))
    ]
    assert outcome.not_covered == 0 and result.entries == ()


def test_an_examiner_allowed_amount_replaces_the_price_and_a_release_lifts_a_pend() -> None:
    run = Adjudicator(context([ppo(pended_over=100)], family("S1")))
    service = line(category="emergency_room", charge="900.00", allowed="800.00")
    (first,) = run(claim("C1", "S1", service))
    (pended,) = first.lines
    assert pended.pend_reason == "high_dollar"
    decided = replace(
        service, override_allowed=Decimal("300.00"), released=frozenset({"high_dollar"})
    )
    (result,) = run(claim("C2", "S1", replace(decided, date=date(2026, 3, 9))))
    (outcome,) = result.lines
    assert outcome.status is LineStatus.PAID and outcome.allowed == Decimal("300.00")
    assert outcome.plan_paid + sum(a.amount for a in outcome.adjustments) == outcome.charge
