"""Corrections and examiners' decisions in the database, on SQLite and PostgreSQL.

The strongest check: a void and a replacement on a family with later claims, once the listed
claims are reprocessed, leave the family's accumulators (and the later claims' results) exactly
as a fresh adjudication of the corrected history leaves them, in another employer's identical
family. Then: the pend queue and its filters, release, override (reason required,
audit-logged), deny with a CARC, and later claims listed after a decision.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from aso.bootstrap import App
from aso.claims.examiner import deny, override, pend_queue, release, reprocess, reprocessing
from aso.claims.schemas import (
    BalanceRead,
    DenyRequest,
    LineResultRead,
    OverrideRequest,
    ReleaseRequest,
)
from aso.claims.service import member_accumulators, rebuild_accumulators
from aso.db.uow import UnitOfWork
from aso.errors import Conflict, Forbidden, ValidationFailed
from aso.security.domain import Principal, Role
from tests.integration.claims_builders import (
    EXAMINER,
    ClaimsWorld,
    adjudicate,
    build_world,
    claim,
    current_lines,
    line,
    rows,
    submit,
)

REP = Principal(user_id=None, username="rep", role=Role.SERVICE_REP)


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    return build_world(app, uow)


def lab(claim_id: str, member: str, day: str, allowed: int, received: str, **fields: Any) -> Any:
    return claim(
        claim_id,
        member,
        line(day, allowed + 100, category="lab", allowed=allowed),
        received=received,
        **fields,
    )


def family_history(w: ClaimsWorld, prefix: str = "") -> list[dict[str, Any]]:
    """Four lab claims of the Lee family against the family deductible, in order of receipt."""
    return [
        lab(f"{prefix}C1", w.ann, "2026-02-01", 700, "2026-02-05"),
        lab(f"{prefix}C2", w.bo, "2026-02-10", 900, "2026-02-15"),
        lab(f"{prefix}C3", w.cy, "2026-02-20", 600, "2026-02-25"),
        lab(f"{prefix}C4", w.ann, "2026-03-01", 1500, "2026-03-05"),
    ]


def balances(uow: UnitOfWork, member: str) -> list[tuple[Any, ...]]:
    """A member's balances without its id (to compare two families)."""
    found = member_accumulators(uow=uow, actor=EXAMINER, member_id=member).balances
    return sorted(_without_id(row) for row in found)


def _without_id(row: BalanceRead) -> tuple[Any, ...]:
    data = row.model_dump()
    data.pop("member_id")
    return tuple(sorted(data.items()))


def amounts(lines: list[LineResultRead]) -> list[tuple[Any, ...]]:
    return [
        (x.status, x.allowed, x.deductible, x.coinsurance, x.plan_paid, x.not_covered)
        for x in lines
    ]


def test_void_and_replacement_reprocessed_equal_a_fresh_adjudication(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(uow, *family_history(world))
    adjudicate(uow)
    # C1 is replaced by a smaller bill, C3 is voided: both after C4 was adjudicated
    replacement = lab("C1", world.ann, "2026-02-01", 150, "2026-04-01", frequency=7, replaces="C1")
    void = claim("C3", world.cy, received="2026-04-02", frequency=8, replaces="C3")
    submit(uow, replacement, void)
    summary = adjudicate(uow)
    listed = {row.id for row in reprocessing(uow=uow, actor=EXAMINER)}
    assert summary.listed == len(listed)
    # Bo's C2 stays within his own deductible either way; Ann's C4 meets more of hers now
    assert listed == {"C4"}
    report = reprocess(uow=uow, actor=EXAMINER)
    assert report.claims_written == ["C4"]
    assert report.listings_closed == len(listed)
    assert reprocessing(uow=uow, actor=EXAMINER) == []

    fresh = build_world(app, uow, ein="31-7654321")
    corrected = family_history(fresh, prefix="F")
    corrected[0] = lab("FC1", fresh.ann, "2026-02-01", 150, "2026-02-05")
    del corrected[2]
    submit(uow, *corrected)
    adjudicate(uow)

    for mine, theirs in ((world.ann, fresh.ann), (world.bo, fresh.bo), (world.cy, fresh.cy)):
        assert balances(uow, mine) == balances(uow, theirs)
    for number in ("C1", "C2", "C4"):
        assert amounts(current_lines(uow, number)) == amounts(current_lines(uow, f"F{number}"))
    assert rebuild_accumulators(uow=uow, actor=EXAMINER).differences == []
    # the claims reprocessed carry the reason in their new version
    versions = rows(
        uow,
        "SELECT v.action, v.note FROM claim_versions v JOIN claims c ON c.id = v.claim_id "
        "WHERE c.claim_number = 'C4' ORDER BY v.version",
    )
    assert versions[-1][0] == "reprocess"
    assert "claim C1 replaces C1" in versions[-1][1]


def test_a_second_reprocess_changes_nothing(uow: UnitOfWork, world: ClaimsWorld) -> None:
    submit(uow, *family_history(world))
    adjudicate(uow)
    submit(uow, claim("C1", world.ann, received="2026-04-01", frequency=8, replaces="C1"))
    adjudicate(uow)
    first = reprocess(uow=uow, actor=EXAMINER)
    assert first.claims_written
    again = reprocess(uow=uow, actor=EXAMINER)
    assert again.claims_written == [] and again.listings_closed == 0


def test_a_correction_that_changes_nothing_later_lists_nothing(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(uow, *family_history(world))
    adjudicate(uow)
    # the last claim replaced by the same service at the same price: nothing after it
    same = lab("C4", world.ann, "2026-03-01", 1500, "2026-04-01", frequency=7, replaces="C4")
    submit(uow, same)
    summary = adjudicate(uow)
    assert summary.listed == 0
    assert reprocessing(uow=uow, actor=EXAMINER) == []


# the pend queue ---------------------------------------------------------------------------------


def pended_world(uow: UnitOfWork, w: ClaimsWorld) -> None:
    """A high-dollar line (Dee), a suspect duplicate (Bo) and a paid claim (Ann)."""
    submit(
        uow,
        claim(
            "P1",
            w.dee,
            line("2026-03-01", 60000, category="lab", allowed=40000),
            received="2026-03-05",
        ),
        claim(
            "P2", w.bo, line("2026-02-02", 900, category="lab", allowed=800), received="2026-02-10"
        ),
        claim(
            "P3", w.bo, line("2026-02-02", 950, category="lab", allowed=800), received="2026-02-12"
        ),
        claim(
            "P4",
            w.ann,
            line("2026-02-03", 180, category="office_visit_pcp", allowed=110),
            received="2026-02-12",
        ),
    )
    adjudicate(uow)


def test_the_pend_queue_filters_by_reason_employer_and_age(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    pended_world(uow, world)
    queue = pend_queue(uow=uow, actor=EXAMINER, today=_day("2026-03-20"))
    assert [(c.id, [x.pend_reason for x in c.lines]) for c in queue] == [
        ("P3", ["suspect_duplicate"]),
        ("P1", ["high_dollar"]),
    ]
    assert queue[0].age_days == 36 and queue[0].employer_ein == world.ein
    high = pend_queue(uow=uow, actor=EXAMINER, reason="high_dollar", today=_day("2026-03-20"))
    assert [c.id for c in high] == ["P1"]
    old = pend_queue(uow=uow, actor=EXAMINER, older_than_days=20, today=_day("2026-03-20"))
    assert [c.id for c in old] == ["P3"]
    other = build_world(app, uow, ein="31-7654321")
    assert pend_queue(uow=uow, actor=EXAMINER, employer_id=other.employer_id) == []
    viewed = rows(uow, "SELECT COUNT(*) FROM audit_log WHERE detail = 'pend queue'")
    assert viewed[0][0] >= 2
    with pytest.raises(Forbidden):
        pend_queue(uow=uow, actor=REP)


def _day(text: str) -> date:
    return date.fromisoformat(text)


# decisions --------------------------------------------------------------------------------------


def test_release_pays_a_high_dollar_line_and_counts_it(uow: UnitOfWork, world: ClaimsWorld) -> None:
    pended_world(uow, world)
    result = release(
        uow=uow, actor=EXAMINER, claim_id="P1", request=ReleaseRequest(note="reviewed: ok")
    )
    current = result.claim.versions[-1]
    assert (current.action, current.status, current.note) == ("release", "approved", "reviewed: ok")
    paid = current.lines[0]
    assert paid.status == "paid" and paid.plan_paid > 0
    assert paid.plan_paid + sum(a.amount for a in paid.adjustments) == paid.charge
    assert rebuild_accumulators(uow=uow, actor=EXAMINER).differences == []
    assert pend_queue(uow=uow, actor=EXAMINER, reason="high_dollar") == []
    with pytest.raises(ValidationFailed, match=r"line 1 is paid, not pended"):
        release(uow=uow, actor=EXAMINER, claim_id="P1", request=ReleaseRequest(lines=[1]))


def test_release_of_a_suspect_duplicate_pays_it(uow: UnitOfWork, world: ClaimsWorld) -> None:
    pended_world(uow, world)
    result = release(uow=uow, actor=EXAMINER, claim_id="P3", request=ReleaseRequest())
    assert result.claim.status == "approved"
    assert result.claim.versions[-1].lines[0].status == "paid"


def test_override_sets_the_allowed_amount_with_a_reason_audit_logged(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    pended_world(uow, world)
    request = OverrideRequest(line=1, allowed=Decimal("90.00"), reason="contract rate per audit")
    result = override(uow=uow, actor=EXAMINER, claim_id="P4", request=request)
    line_result = result.claim.versions[-1].lines[0]
    assert line_result.allowed == Decimal("90.00")
    assert line_result.copay + line_result.plan_paid == Decimal("90.00")
    assert result.claim.versions[-1].action == "override"
    audit = rows(
        uow,
        "SELECT username, action, detail FROM audit_log WHERE action = 'override'",
    )
    assert audit == [
        ("examiner", "override", "line 1 allowed set to 90.00: contract rate per audit")
    ]
    stored = rows(uow, "SELECT action, allowed_cents, reason, decided_by FROM line_decisions")
    assert stored == [("override", 9000, "contract rate per audit", "examiner")]
    with pytest.raises(ValidationError, match="reason"):
        OverrideRequest(line=1, allowed=Decimal("90.00"), reason="  ")
    with pytest.raises(ValidationFailed, match="more than the charge"):
        override(
            uow=uow,
            actor=EXAMINER,
            claim_id="P4",
            request=OverrideRequest(line=1, allowed=Decimal("500.00"), reason="x"),
        )


def test_an_override_releases_a_pended_line(uow: UnitOfWork, world: ClaimsWorld) -> None:
    pended_world(uow, world)
    request = OverrideRequest(line=1, allowed=Decimal("30000.00"), reason="negotiated")
    result = override(uow=uow, actor=EXAMINER, claim_id="P1", request=request)
    assert result.claim.versions[-1].lines[0].status == "paid"
    assert result.claim.versions[-1].lines[0].allowed == Decimal("30000.00")


def test_deny_with_a_carc(uow: UnitOfWork, world: ClaimsWorld) -> None:
    pended_world(uow, world)
    result = deny(
        uow=uow,
        actor=EXAMINER,
        claim_id="P3",
        request=DenyRequest(carc="18", reason="same service billed twice"),
    )
    denied = result.claim.versions[-1].lines[0]
    assert result.claim.status == "denied"
    assert [(a.group, a.carc, a.amount) for a in denied.adjustments] == [
        ("OA", "18", Decimal("950.00"))
    ]
    with pytest.raises(ValidationFailed, match="not a known CARC"):
        deny(
            uow=uow,
            actor=EXAMINER,
            claim_id="P1",
            request=DenyRequest(carc="ZZ9", reason="x"),
        )


def test_decisions_are_refused_for_claims_not_adjudicated_or_voided(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(uow, lab("R1", world.ann, "2026-02-01", 100, "2026-02-05"))
    with pytest.raises(Conflict, match="not been adjudicated"):
        release(uow=uow, actor=EXAMINER, claim_id="R1", request=ReleaseRequest())
    adjudicate(uow)
    with pytest.raises(Conflict, match="no pended line"):
        release(uow=uow, actor=EXAMINER, claim_id="R1", request=ReleaseRequest())
    with pytest.raises(ValidationFailed, match="there is no line 3"):
        deny(
            uow=uow,
            actor=EXAMINER,
            claim_id="R1",
            request=DenyRequest(lines=[3], carc="50", reason="x"),
        )
    with pytest.raises(Forbidden):
        release(uow=uow, actor=REP, claim_id="R1", request=ReleaseRequest())
    before = rows(uow, "SELECT COUNT(*) FROM line_decisions")
    assert before == [(0,)]


def test_a_decision_lists_the_later_claims_whose_cost_share_changes(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(uow, *family_history(world))
    adjudicate(uow)
    result = deny(
        uow=uow,
        actor=EXAMINER,
        claim_id="C1",
        request=DenyRequest(carc="50", reason="not medically necessary"),
    )
    assert result.claim.versions[-1].lines[0].adjustments[0].group == "CO"
    assert result.listed_for_reprocessing == ["C4"]
    before = current_lines(uow, "C4")
    reprocess(uow=uow, actor=EXAMINER)
    after = current_lines(uow, "C4")
    assert after[0].deductible > before[0].deductible  # C1 no longer meets part of it
    assert rebuild_accumulators(uow=uow, actor=EXAMINER).differences == []
    # the denial stands when the claim is adjudicated again with the family
    assert current_lines(uow, "C1")[0].status == "denied"
