"""Accumulators from the database, on SQLite and PostgreSQL: the running totals always equal the
sums of their entries (``rebuild --verify`` finds a difference made behind their back, and
none otherwise), manual adjustments count like any entry, balances are scoped and audited, and,
over random claim sequences, the state rebuilt from the stored entries equals the engine's
running state (a hypothesis property)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aso.bootstrap import App
from aso.claims.accumulators import AccumulatorState
from aso.claims.adjustments import add_adjustment, list_adjustments
from aso.claims.edits import ClaimHistory
from aso.claims.engine import adjudicate_claim
from aso.claims.parsing import parse_claim
from aso.claims.reference_data import Pricing, load_employer
from aso.claims.repository import Names, family_entries
from aso.claims.schemas import AccumulatorAdjustmentCreate
from aso.claims.service import member_accumulators, rebuild_accumulators
from aso.db.uow import UnitOfWork
from aso.errors import Forbidden, NotFound, ValidationFailed
from aso.security.domain import Principal, Role
from tests.integration.claims_builders import (
    EXAMINER,
    ClaimsWorld,
    adjudicate,
    build_world,
    claim,
    current_lines,
    execute,
    line,
    rows,
    submit,
)


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    return build_world(app, uow)


def verify(uow: UnitOfWork, **options: Any) -> list[tuple[str, str, str, Decimal, Decimal]]:
    report = rebuild_accumulators(uow=uow, actor=EXAMINER, **options)
    return [(d.scope, d.member_id, d.kind, d.running, d.recomputed) for d in report.differences]


def test_verify_finds_no_difference_after_a_batch_and_the_one_made_behind_its_back(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(
        uow,
        claim("C1", world.bo, line("2026-02-01", 900, category="lab", allowed=800)),
        claim("C2", world.dee, line("2026-02-01", 180, category="office_visit_pcp", allowed=110)),
    )
    adjudicate(uow)
    assert verify(uow) == []
    execute(
        uow,
        "UPDATE accumulator_entries SET amount_cents = amount_cents + 1234"
        " WHERE kind = 'deductible'",
    )
    found = verify(uow)
    assert sorted(found) == [
        ("family", world.ann, "deductible", Decimal("800.00"), Decimal("812.34")),
        ("member", world.bo, "deductible", Decimal("800.00"), Decimal("812.34")),
    ]
    assert verify(uow, employer_id=world.employer_id) == found

    repaired = rebuild_accumulators(uow=uow, actor=EXAMINER, verify=False)
    assert len(repaired.differences) == 2
    assert verify(uow) == []
    balances = member_accumulators(uow=uow, actor=EXAMINER, member_id=world.bo).balances
    member_in = next(b for b in balances if b.scope == "member" and b.network == "in")
    assert member_in.deductible == Decimal("812.34")
    assert member_in.deductible_remaining == Decimal("1500.00") - Decimal("812.34")


def test_a_total_with_no_entries_left_is_a_difference_too(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(uow, claim("C1", world.dee, line("2026-02-01", 900, category="lab", allowed=800)))
    adjudicate(uow)
    execute(uow, "DELETE FROM accumulator_entries")
    assert {(scope, kind) for scope, _, kind, _, recomputed in verify(uow) if not recomputed} == {
        ("member", "deductible"),
        ("member", "out_of_pocket"),
        ("family", "deductible"),
        ("family", "out_of_pocket"),
    }


def test_only_examiners_and_administrators_rebuild(uow: UnitOfWork, world: ClaimsWorld) -> None:
    rep = Principal(user_id=None, username="rep", role=Role.SERVICE_REP)
    with pytest.raises(Forbidden):
        rebuild_accumulators(uow=uow, actor=rep)


def test_a_prior_carrier_deductible_changes_the_next_claims_deductible(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    made = add_adjustment(
        uow=uow,
        actor=EXAMINER,
        data=AccumulatorAdjustmentCreate(
            member_id=world.dee,
            kind="deductible",
            amount=Decimal("1000.00"),
            reason="met with the prior carrier (Acme Health) in January",
            effective=date(2026, 2, 1),
        ),
    )
    assert (made.group, made.plan_id, made.created_by) == ("ppo1500-med-rx", "PPO1500", "examiner")
    submit(
        uow,
        claim("C1", world.dee, line("2026-02-10", 900, category="lab", allowed=800)),
        claim("C2", world.cy, line("2026-02-10", 900, category="lab", allowed=800)),
    )
    adjudicate(uow)
    adjusted, control = current_lines(uow, "C1")[0], current_lines(uow, "C2")[0]
    # PPO 1500: $1,500 individual deductible; $1,000 met before leaves $500 (then 20%).
    assert (adjusted.deductible, adjusted.coinsurance) == (Decimal("500.00"), Decimal("60.00"))
    assert (control.deductible, control.coinsurance) == (Decimal("800.00"), Decimal("0.00"))
    balances = member_accumulators(uow=uow, actor=EXAMINER, member_id=world.dee).balances
    member_in = next(b for b in balances if b.scope == "member" and b.network == "in")
    assert (member_in.deductible, member_in.deductible_remaining) == (
        Decimal("1500.00"),
        Decimal("0.00"),
    )
    assert verify(uow) == []
    assert [a.reason for a in list_adjustments(uow=uow, actor=EXAMINER, member_id=world.dee)] == [
        "met with the prior carrier (Acme Health) in January"
    ]


def test_a_negative_correction_takes_an_amount_off(uow: UnitOfWork, world: ClaimsWorld) -> None:
    submit(uow, claim("C1", world.dee, line("2026-02-10", 900, category="lab", allowed=800)))
    adjudicate(uow)
    add_adjustment(
        uow=uow,
        actor=EXAMINER,
        data=AccumulatorAdjustmentCreate(
            member_id=world.dee, kind="deductible", amount=Decimal("-300"), reason="correction"
        ),
        today=date(2026, 3, 1),
    )
    balances = member_accumulators(uow=uow, actor=EXAMINER, member_id=world.dee).balances
    assert next(b for b in balances if b.scope == "member").deductible == Decimal("500.00")
    assert verify(uow) == []


def test_an_adjustment_needs_a_reason_coverage_and_an_examiner(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    with pytest.raises(ValidationError):
        AccumulatorAdjustmentCreate(member_id=world.dee, kind="deductible", amount=1, reason=" ")
    data = AccumulatorAdjustmentCreate(
        member_id=world.dee,
        kind="deductible",
        amount=Decimal(100),
        reason="prior carrier",
        effective=date(2025, 6, 1),
    )
    with pytest.raises(ValidationFailed, match="no medical coverage on 2025-06-01"):
        add_adjustment(uow=uow, actor=EXAMINER, data=data)
    rep = Principal(user_id=None, username="rep", role=Role.SERVICE_REP)
    with pytest.raises(Forbidden):
        add_adjustment(uow=uow, actor=rep, data=data)


def test_balances_are_the_members_own_and_audited(uow: UnitOfWork, world: ClaimsWorld) -> None:
    (ann_pk,), (dee_pk,) = rows(
        uow,
        "SELECT id FROM members WHERE member_number IN (:a, :d) ORDER BY member_number = :d",
        a=world.ann,
        d=world.dee,
    )
    ann = Principal(None, "ann", Role.MEMBER, family_id=ann_pk, member_id=ann_pk)
    found = member_accumulators(
        uow=uow, actor=ann, member_id=world.cy, today=date(2026, 6, 1)
    ).balances
    assert {(b.scope, b.member_id) for b in found} == {("member", world.cy), ("family", world.ann)}
    with pytest.raises(NotFound):
        member_accumulators(uow=uow, actor=ann, member_id=world.bo)
    with pytest.raises(NotFound):
        member_accumulators(uow=uow, actor=ann, member_id=world.dee)
    employer = Principal(None, "hr", Role.EMPLOYER, employer_id=world.employer_id)
    with pytest.raises(NotFound):
        member_accumulators(uow=uow, actor=employer, member_id=world.dee)
    audit = rows(uow, "SELECT username, record_type, detail FROM audit_log WHERE action = 'view'")
    assert audit == [("ann", "member", "accumulators")]
    assert dee_pk != ann_pk


# property: state rebuilt from stored entries = the engine's running state --------------------

CATEGORIES = ("lab", "office_visit_pcp", "imaging_basic", "emergency_room", "urgent_care")


@st.composite
def claim_sequences(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Claims of the Lee family and Dee: random categories, amounts, networks, dates, with
    exact duplicates and voids of earlier claims mixed in."""
    found: list[dict[str, Any]] = []
    for index in range(draw(st.integers(min_value=1, max_value=9))):
        kind = draw(st.sampled_from(("new", "new", "new", "duplicate", "void")))
        if kind != "new" and found:
            earlier = draw(st.sampled_from([c for c in found if c.get("frequency") != 8]))
            if kind == "duplicate":
                found.append({**earlier, "id": f"X{index}", "received": earlier["received"]})
            elif not any(c.get("replaces") == earlier["id"] for c in found):
                found.append(
                    {"id": f"X{index}", "member": earlier["member"], "network": "in",
                     "received": "2026-12-31", "frequency": 8, "replaces": earlier["id"]}
                )  # fmt: skip
            continue
        day = date(2026, 1, 1) + timedelta(days=draw(st.integers(min_value=0, max_value=300)))
        lines = [
            {
                "date": day.isoformat(),
                "category": draw(st.sampled_from(CATEGORIES)),
                "charge": Decimal(draw(st.integers(min_value=50, max_value=4000))),
                "allowed": Decimal(draw(st.integers(min_value=10, max_value=3000))),
            }
            for _ in range(draw(st.integers(min_value=1, max_value=3)))
        ]
        found.append(
            {
                "id": f"X{index}",
                "member": draw(st.sampled_from(("ann", "bo", "cy", "dee"))),
                "network": draw(st.sampled_from(("in", "in", "out"))),
                "received": (day + timedelta(days=draw(st.integers(0, 30)))).isoformat(),
                "lines": lines,
            }
        )
    return found


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=claim_sequences(), split=st.integers(min_value=0, max_value=9))
def test_state_rebuilt_from_stored_entries_equals_the_running_state(
    uow: UnitOfWork, world: ClaimsWorld, sequence: list[dict[str, Any]], split: int
) -> None:
    execute(uow, "DELETE FROM accumulator_entries WHERE reversal_of IS NOT NULL")
    for table in (
        "claim_reprocessing", "line_decisions",
        "accumulator_entries", "result_adjustments", "line_results", "claim_versions",
        "claim_documents", "claim_lines", "accumulator_totals",
    ):  # fmt: skip
        execute(uow, f"DELETE FROM {table}")
    execute(uow, "DELETE FROM claims WHERE replaces_id IS NOT NULL")
    execute(uow, "DELETE FROM claims")
    people = {"ann": world.ann, "bo": world.bo, "cy": world.cy, "dee": world.dee}
    documents = [{**c, "member": people[c["member"]]} for c in sequence]
    first, second = documents[:split], documents[split:]
    receipts = []
    for part in (first, second):
        if part:
            receipts += submit(uow, *part)
            adjudicate(uow)
    assert verify(uow) == []

    stored = [r for r in receipts if r.stored]
    keys = {r.id: str(r.key) for r in stored}
    order = []
    for part in (first, second):
        taken = sorted(
            (d for d in part if d["id"] in keys), key=lambda d: (d["received"], int(keys[d["id"]]))
        )
        order += taken
    with uow:
        reference = load_employer(uow.session, world.employer_id, Pricing())
        names = Names(reference.member_number, reference.plans.engine_id)
        entries = family_entries(uow.session, list(set(reference.family_pk.values())), names)
    running: dict[str, AccumulatorState] = {}
    histories: dict[str, ClaimHistory] = {}
    for document in order:
        engine_claim = parse_claim(document)
        engine_claim = replace(
            engine_claim, id=keys[document["id"]], replaces=keys.get(document.get("replaces", ""))
        )
        family = reference.context.members[engine_claim.member].family
        adjudicate_claim(
            engine_claim,
            context=reference.context,
            state=running.setdefault(family, AccumulatorState()),
            history=histories.setdefault(family, ClaimHistory()),
        )
    for family_pk, loaded in entries.items():
        rebuilt = AccumulatorState.from_entries(item.entry for item in loaded)
        family = reference.member_number[family_pk]
        assert rebuilt.totals() == running.get(family, AccumulatorState()).totals()
