"""One family's run of the batch (no database): claims from the family's stored state, a claim
that cannot be adjudicated pended with its reason without disturbing the next, and reversals
paired with the stored entries they cancel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aso.claims.domain import Claim, ClaimLine, Frequency, LineStatus
from aso.claims.family_run import FamilyWork, run_family
from aso.claims.persist import _link
from aso.claims.repository import LoadedEntry
from aso.claims.stored import DATA_ERROR, StoredClaim, entry_key
from tests.unit.engine_builders import Adjudicator, claim, context, family, line, ppo

MEMBERS = family("S1", "C1")
CONTEXT = context([ppo()], MEMBERS)


def stored(pk: int, engine_claim: Claim, member_id: int | None = 1) -> StoredClaim:
    return StoredClaim(
        pk=pk,
        number=f"N{pk}",
        employer_id=1,
        member_id=member_id,
        family_id=1,
        status="received",
        version=0,
        frequency=int(engine_claim.frequency),
        replaces_id=None,
        claim=engine_claim,
    )


def lab(claim_id: str, allowed: str, *more: ClaimLine) -> Claim:
    return claim(claim_id, "S1", line(1, allowed=allowed, charge="5000.00", category="lab"), *more)


def test_a_family_starts_from_its_stored_entries() -> None:
    earlier = Adjudicator(CONTEXT)
    (first,) = earlier(claim("1", "S1", line(1, charge="900.00", allowed="600.00", category="lab")))
    loaded = [LoadedEntry(10 + i, e, None) for i, e in enumerate(first.entries)]
    later = claim("2", "S1", line(1, charge="900.00", allowed="600.00", category="lab"))
    decided = run_family(FamilyWork([stored(2, later)], [], loaded), CONTEXT, {})
    # PPO: $1,000 deductible in network; $600 was met by the stored claim.
    assert decided[0].result.lines[0].deductible == Decimal("400.00")


def test_a_member_whose_plan_cannot_be_read_pends_with_the_reason() -> None:
    work = FamilyWork([stored(1, lab("1", "300.00"), member_id=7)], [], [])
    (decided,) = run_family(work, CONTEXT, {7: "plan PPO (2026) cannot be read: bad"})
    assert decided.note == "plan PPO (2026) cannot be read: bad"
    assert [(x.status, x.pend_reason) for x in decided.result.lines] == [
        (LineStatus.PENDED, DATA_ERROR)
    ]
    assert decided.result.entries == ()


def test_a_claim_the_engine_fails_on_leaves_the_state_as_it_was() -> None:
    broken_line = ClaimLine(
        2,
        date(2026, 3, 1),
        "oops",
        category="lab",
        allowed=Decimal("100.00"),  # type: ignore[arg-type]
    )
    failing = lab("1", "400.00", broken_line)
    following = claim("2", "S1", line(1, date(2026, 3, 2), "5000.00", "1000.00", category="lab"))
    decided = run_family(
        FamilyWork([stored(1, failing), stored(2, following)], [], []), CONTEXT, {}
    )
    assert decided[0].note is not None and decided[0].note.startswith("TypeError")
    assert decided[0].result.entries == ()
    # the failed claim's first line added nothing: the whole $1,000 deductible is still due
    assert decided[1].result.lines[0].deductible == Decimal("1000.00")
    assert decided[1].note is None


def test_a_void_pairs_its_reversals_with_the_stored_entries() -> None:
    earlier = Adjudicator(CONTEXT)
    original = claim("1", "S1", line(1, charge="900.00", allowed="600.00", category="lab"))
    (first,) = earlier(original)
    loaded = [LoadedEntry(10 + i, e, None) for i, e in enumerate(first.entries)]
    void = claim("2", "S1", frequency=Frequency.VOID, replaces="1")
    work = FamilyWork([stored(2, void)], [(original, first)], loaded)
    (decided,) = run_family(work, CONTEXT, {})
    assert decided.live is not None
    links = [_link(100 + i, e, decided.live) for i, e in enumerate(decided.result.entries)]
    assert sorted(x for x in links if x is not None) == [10, 11]
    assert {e.reversed_by for e in decided.result.entries} == {"2"}
    assert set(decided.live) == {entry_key(e, e.amount) for e in first.entries}


def test_a_reversal_with_nothing_to_cancel_is_an_error() -> None:
    earlier = Adjudicator(CONTEXT)
    (first,) = earlier(claim("1", "S1", line(1, charge="900.00", allowed="600.00", category="lab")))
    reversal = first.entries[0].reversal("2")
    with pytest.raises(RuntimeError, match="no stored entry"):
        _link(1, reversal, {})
