"""Batch adjudication on SQLite and PostgreSQL.

The strongest check: claims adjudicated from the database, family by family in order of
receipt and intake, give line for line the results and accumulators ``aso simulate`` gives for a
scenario built from the same plans, members, coverage, authorizations and claims. Then: versions
are never edited, a second run does nothing, entries are one per contributing line, a void
reverses them, a claim with broken data pends with a reason without stopping the batch, and a
batch can be limited to some families.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from aso.bootstrap import App
from aso.claims.authorizations import add_authorization
from aso.claims.scenario import run_scenario
from aso.claims.schemas import AuthorizationCreate, LineResultRead
from aso.claims.service import member_accumulators
from aso.db.uow import UnitOfWork
from tests.integration.claims_builders import (
    EXAMINER,
    NPI_CLINIC,
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


def authorize(uow: UnitOfWork, number: str, member: str, **fields: Any) -> None:
    data = {"start": "2026-01-01", "end": "2026-12-31", "categories": ["imaging_advanced"]}
    data.update(fields)
    add_authorization(
        uow=uow,
        actor=EXAMINER,
        data=AuthorizationCreate.model_validate({"number": number, "member_id": member, **data}),
    )


def mixed_claims(w: ClaimsWorld) -> list[dict[str, Any]]:
    """Claims of every outcome, listed in submission order (not the order of receipt)."""
    office = line("2026-02-01", 180, category="office_visit_pcp", allowed=110)
    return [
        claim("C04", w.ann, line("2026-02-10", 1200, procedure="72148", pos="22", allowed=700,
              prior_auth="PA1"), received="2026-02-20"),
        claim("C01", w.ann, office, received="2026-02-05"),
        claim("C02", w.bo, line("2026-02-02", 900, category="lab", allowed=800),
              received="2026-02-05"),
        claim("C03", w.cy, line("2026-02-03", 1500, category="emergency_room", allowed=900),
              network="out", npi=NPI_CLINIC, received="2026-02-06"),
        claim("C05", w.ann, line("2026-02-11", 1200, procedure="72148", pos="22", allowed=700,
              prior_auth="PA-NONE"), received="2026-02-21"),
        claim("C06", w.bo, line("2026-02-02", 900, category="lab", allowed=800),
              received="2026-02-22"),
        claim("C07", w.bo, line("2026-02-02", 950, category="lab", allowed=800),
              received="2026-02-23"),
        claim("C08", w.dee, line("2026-02-04", 30, ndc="00093715301", units=30, allowed=12),
              type="pharmacy", received="2026-02-04"),
        claim("C09", "M000000017", line("2026-02-04", 75, category="lab"), received="2026-02-06"),
        claim("C10", w.ann, line("2026-01-05", 300, category="lab", allowed=250),
              received="2027-02-01"),
        claim("C11", w.dee, line("2026-03-01", 60000, category="lab", allowed=40000),
              received="2026-03-05"),
        claim("C12", w.dee, line("2025-12-15", 100, category="lab", allowed=90),
              received="2026-01-10"),
        claim("C13", w.cy, line("2026-03-02", 2000, category="other_medical", allowed=1000),
              network="out", npi=NPI_CLINIC, received="2026-03-09"),
        claim("C14", w.ann, received="2026-04-01", frequency=8, replaces="C01"),
        claim("C15", w.bo, line("2026-02-02", 900, category="lab", allowed=600),
              received="2026-04-02", frequency=7, replaces="C02"),
        claim("C16", w.ann, line("2026-03-03", 400, category="lab"), received="2026-03-10"),
        claim("C17", w.cy, line("2026-03-04", 220, category="office_visit_specialist",
              allowed=160), line("2026-03-04", 140, category="lab", allowed=120),
              received="2026-03-10"),
        claim("C18", w.cy, line("2026-03-05", 90, category="lab", allowed=70),
              received="2026-03-10"),
    ]  # fmt: skip


def scenario_of(w: ClaimsWorld, claims: list[dict[str, Any]], auth: list[Any]) -> dict[str, Any]:
    """The same plans, people, coverage, register and claims as a scenario (DESIGN 7), the
    claims in the order the batch takes them."""
    people = [
        {"id": w.ann, "relationship": "subscriber", "dob": "1980-03-02", "sex": "F"},
        {"id": w.bo, "relationship": "spouse", "subscriber": w.ann, "dob": "1981-07-19"},
        {"id": w.cy, "relationship": "child", "subscriber": w.ann, "dob": "2015-09-01"},
        {"id": w.dee, "relationship": "subscriber", "dob": "1975-01-20", "sex": "F"},
    ]
    tiers = {w.ann: "family", w.bo: "family", w.cy: "family", w.dee: "employee"}
    return {
        "name": "the batch's claims as a scenario",
        "plans": [design.id for design in w.designs],
        "members": people,
        "coverage": [
            {"member": member, "plan": design.id, "tier": tier, "start": "2026-01-01"}
            for member, tier in tiers.items()
            for design in w.designs
        ],
        "authorizations": auth,
        "claims": claims,
    }


AMOUNTS = (
    "charge",
    "allowed",
    "copay",
    "deductible",
    "coinsurance",
    "not_covered",
    "balance_bill",
    "plan_paid",
    "member_responsibility",
)


def comparable(line_result: dict[str, Any] | LineResultRead) -> tuple[Any, ...]:
    data = line_result if isinstance(line_result, dict) else line_result.model_dump(mode="json")
    adjustments = tuple((a["group"], a["carc"], Decimal(a["amount"])) for a in data["adjustments"])
    return (
        data["status"],
        data["category"],
        *(Decimal(data[name]) for name in AMOUNTS),
        adjustments,
        tuple(data["remarks"]),
        data.get("pend_reason"),
    )


def test_batch_results_equal_aso_simulate_on_the_same_data(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    authorize(uow, "PA1", world.ann)
    documents = mixed_claims(world)
    receipts = submit(uow, *documents)
    summary = adjudicate(uow)
    assert summary.claims == len(documents)

    order = {r.id: r.key for r in receipts}
    in_batch_order = sorted(documents, key=lambda d: (d["received"], order[d["id"]]))
    register = [{"number": "PA1", "member": world.ann, "start": "2026-01-01",
                 "end": "2026-12-31", "categories": ["imaging_advanced"]}]  # fmt: skip
    expected = run_scenario(scenario_of(world, in_batch_order, register))

    statuses = dict(rows(uow, "SELECT claim_number, status FROM claims WHERE frequency <> 8"))
    for output in expected["claims"]:
        claim_id = output["id"]
        stored = current_lines(uow, claim_id)
        assert [comparable(x) for x in stored] == [comparable(x) for x in output["lines"]], claim_id
        if claim_id not in ("C01", "C02", "C14"):
            engine_status = {"paid": "approved"}.get(output["status"], output["status"])
            assert statuses[claim_id] == engine_status, claim_id
    assert statuses["C01"] == statuses["C02"] == "voided"
    outcome = {o["id"]: o for o in expected["claims"]}
    assert {a["carc"] for a in outcome["C05"]["lines"][0]["adjustments"]} == {"197"}
    assert outcome["C07"]["lines"][0]["pend_reason"] == "suspect_duplicate"
    assert outcome["C09"]["lines"][0]["adjustments"][0]["carc"] == "31"

    running = {
        (scope, number, kind, group, network): Decimal(cents) / 100
        for scope, number, kind, group, network, cents in rows(
            uow,
            "SELECT t.scope, m.member_number, t.kind, t.accumulator_group, t.network,"
            " t.amount_cents FROM accumulator_totals t JOIN members m ON m.id = t.holder_id",
        )
    }
    simulated = {}
    for row in expected["accumulators"]:
        scope = "member" if "member" in row else "family"
        who = row[scope]
        for kind in ("deductible", "out_of_pocket"):
            simulated[(scope, who, kind, row["group"], row["network"])] = Decimal(row[kind])
    assert {k: v for k, v in running.items() if v} == {k: v for k, v in simulated.items() if v}
    assert any(v for v in simulated.values())
    balances = member_accumulators(uow=uow, actor=EXAMINER, member_id=world.bo).balances
    family_in = [b for b in balances if b.scope == "family" and b.network == "in"]
    assert family_in[0].member_id == world.ann
    assert (
        family_in[0].deductible
        == simulated[("family", world.ann, "deductible", family_in[0].group, "in")]
    )


def test_a_second_run_with_nothing_received_does_nothing(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(uow, claim("C1", world.ann, line("2026-02-01", 180, category="lab", allowed=100)))
    assert adjudicate(uow).claims == 1
    before = rows(uow, "SELECT count(*) FROM claim_versions")
    again = adjudicate(uow)
    assert (again.claims, again.lines, again.families) == (0, 0, 0)
    assert rows(uow, "SELECT count(*) FROM claim_versions") == before


def snapshot(uow: UnitOfWork) -> list[tuple[Any, ...]]:
    return rows(
        uow,
        "SELECT v.claim_id, v.version, v.status, v.action, v.adjudicated_at, r.line, r.status,"
        " r.allowed_cents, r.deductible_cents, r.plan_paid_cents FROM claim_versions v"
        " JOIN line_results r ON r.version_id = v.id ORDER BY v.id, r.line",
    )


def test_versions_are_never_edited_a_new_decision_is_a_new_version(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(
        uow,
        claim("C1", world.ann, line("2026-02-01", 900, category="lab", allowed=800)),
        claim("C2", world.dee, line("2026-02-01", 1200, procedure="72148", pos="22",
              allowed=700, prior_auth="PA7")),
    )  # fmt: skip
    adjudicate(uow)
    first = snapshot(uow)
    assert [row[6] for row in first] == ["paid", "denied"]

    submit(uow, claim("C3", world.bo, line("2026-03-01", 300, category="lab", allowed=200)))
    authorize(uow, "PA7", world.dee)
    # the examiner's re-adjudication (issue 3, item 6) puts the denied claim back in the queue
    execute(uow, "UPDATE claims SET status = 'received' WHERE claim_number = 'C2'")
    adjudicate(uow)
    after = snapshot(uow)
    assert after[: len(first)] == first
    versions = rows(
        uow,
        "SELECT c.claim_number, v.version, v.status FROM claim_versions v"
        " JOIN claims c ON c.id = v.claim_id ORDER BY c.claim_number, v.version",
    )
    assert versions == [
        ("C1", 1, "approved"),
        ("C2", 1, "denied"),
        ("C2", 2, "approved"),
        ("C3", 1, "approved"),
    ]
    assert rows(uow, "SELECT current_version FROM claims WHERE claim_number = 'C2'") == [(2,)]


def test_each_contributing_line_has_its_entries_and_pended_or_denied_lines_none(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(
        uow,
        claim(
            "C1",
            world.bo,
            line("2026-02-01", 900, category="lab", allowed=800),
            line("2026-02-01", 180, category="office_visit_pcp", allowed=110),
            line("2026-02-01", 60000, category="lab", allowed=50000),
            line("2026-02-01", 100, category="bariatric_surgery"),
        ),
    )
    adjudicate(uow)
    results = current_lines(uow, "C1")
    assert [r.status for r in results] == ["paid", "paid", "pended", "denied"]
    entries = rows(
        uow,
        "SELECT e.line, e.kind, e.network, e.amount_cents, m.member_number, f.member_number"
        " FROM accumulator_entries e JOIN members m ON m.id = e.member_id"
        " JOIN members f ON f.id = e.family_id ORDER BY e.line, e.kind",
    )
    lab, office = results[0], results[1]
    assert entries == [
        (1, "deductible", "in", int(lab.deductible * 100), world.bo, world.ann),
        (1, "out_of_pocket", "in", int((lab.deductible + lab.coinsurance) * 100), world.bo,
         world.ann),
        (2, "out_of_pocket", "in", int(office.copay * 100), world.bo, world.ann),
    ]  # fmt: skip
    assert lab.deductible == Decimal("800.00") and office.copay == Decimal("25.00")


def test_a_void_reverses_the_entries_of_the_claim_it_voids(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(uow, claim("C1", world.bo, line("2026-02-01", 900, category="lab", allowed=800)))
    adjudicate(uow)
    submit(uow, claim("C1", world.bo, frequency=8, replaces="C1", received="2026-03-02"))
    adjudicate(uow)
    entries = rows(uow, "SELECT id, amount_cents, reversal_of FROM accumulator_entries ORDER BY id")
    originals = [row for row in entries if row[2] is None]
    reversals = [row for row in entries if row[2] is not None]
    assert sorted(r[2] for r in reversals) == sorted(o[0] for o in originals)
    assert sum(row[1] for row in entries) == 0
    statuses = rows(uow, "SELECT frequency, status FROM claims ORDER BY sequence")
    assert statuses == [(1, "voided"), (8, "voided")]
    totals = rows(uow, "SELECT amount_cents FROM accumulator_totals")
    assert totals and all(amount == 0 for (amount,) in totals)
    void_lines = current_lines(uow, "C1")
    assert [(r.status, r.deductible, r.plan_paid) for r in void_lines] == [
        ("reversed", Decimal("-800.00"), Decimal("0.00"))
    ]


def test_broken_data_pends_with_a_reason_and_never_blocks_the_batch(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    other = build_world(app, uow, ein="36-7654321")
    execute(
        uow,
        "UPDATE employer_plans SET design_json = :broken"
        " WHERE employer_id = :e AND code = 'PPO1500'",
        broken='{"id": "PPO1500", "line": "medical"}',
        e=other.employer_id,
    )
    submit(
        uow,
        claim("B1", other.ann, line("2026-02-01", 100, category="lab", allowed=90)),
        claim("A1", world.ann, line("2026-02-01", 100, category="lab", allowed=90)),
        claim("A2", world.dee, line("2026-02-01", 100, category="lab", allowed=90),
              frequency=7, replaces="A1", received="2026-02-01"),
        claim("A3", world.bo, line("2026-02-01", 180, category="office_visit_pcp", allowed=110)),
    )  # fmt: skip
    summary = adjudicate(uow)
    assert summary.claims == 4
    reasons = {p.claim: p.reason for p in summary.problems}
    assert set(reasons) == {"B1", "A2"}
    assert "PPO1500 (2026) cannot be read" in reasons["B1"]
    assert "corrects a claim that has not been adjudicated" in reasons["A2"]
    notes = dict(
        rows(
            uow,
            "SELECT c.claim_number, v.note FROM claim_versions v JOIN claims c"
            " ON c.id = v.claim_id WHERE v.status = 'pended'",
        )
    )
    assert notes == reasons
    assert [r.pend_reason for r in current_lines(uow, "B1")] == ["data_error"]
    assert [r.status for r in current_lines(uow, "A3")] == ["paid"]
    pended = "SELECT id FROM claims WHERE claim_number IN ('A2', 'B1')"
    assert rows(uow, f"SELECT count(*) FROM accumulator_entries WHERE claim_id IN ({pended})") == [
        (0,)
    ]


def test_a_batch_can_take_some_families_or_about_so_many_claims(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(
        uow,
        claim("C1", world.ann, line("2026-02-01", 100, category="lab", allowed=90)),
        claim("C2", world.bo, line("2026-02-02", 100, category="lab", allowed=90)),
        claim("C3", world.dee, line("2026-02-03", 100, category="lab", allowed=90)),
    )
    ((lee,),) = rows(uow, "SELECT id FROM members WHERE member_number = :n", n=world.ann)
    seen: list[tuple[int, int]] = []
    first = adjudicate(
        uow, family_ids=[lee], progress=lambda done, total: seen.append((done, total))
    )
    assert (first.claims, first.families) == (2, 1)
    assert seen == [(2, 2)]
    assert rows(uow, "SELECT claim_number FROM claims WHERE status = 'received'") == [("C3",)]
    submit(uow, claim("C4", world.cy, line("2026-02-04", 100, category="lab", allowed=90)))
    limited = adjudicate(uow, limit=1)
    assert limited.claims == 1 and limited.families == 1
    assert adjudicate(uow).claims == 1


ORPHANS = {
    "line result without its version": "SELECT count(*) FROM line_results r"
    " WHERE NOT EXISTS (SELECT 1 FROM claim_versions v WHERE v.id = r.version_id)",
    "line result with an unknown plan": "SELECT count(*) FROM line_results r"
    " WHERE r.plan_id IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM employer_plans p WHERE p.id = r.plan_id)",
    "adjustment without its line result": "SELECT count(*) FROM result_adjustments a"
    " WHERE NOT EXISTS (SELECT 1 FROM line_results r"
    " WHERE r.version_id = a.version_id AND r.line = a.line)",
    "entry without its version": "SELECT count(*) FROM accumulator_entries e"
    " WHERE NOT EXISTS (SELECT 1 FROM claim_versions v WHERE v.id = e.version_id)",
    "entry of an unknown claim": "SELECT count(*) FROM accumulator_entries e"
    " WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = e.claim_id)",
    "entry of an unknown member or family": "SELECT count(*) FROM accumulator_entries e"
    " WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = e.member_id)"
    " OR NOT EXISTS (SELECT 1 FROM members m WHERE m.id = e.family_id)",
    "entry of an unknown plan": "SELECT count(*) FROM accumulator_entries e"
    " WHERE NOT EXISTS (SELECT 1 FROM employer_plans p WHERE p.id = e.plan_id)",
    "total of an unknown member": "SELECT count(*) FROM accumulator_totals t"
    " WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = t.holder_id)",
}


def test_every_id_the_batch_writes_names_its_row(uow: UnitOfWork, world: ClaimsWorld) -> None:
    """The batch's rows hold plain ids where a foreign key would cost a check per row (see
    ``aso.claims.models``): each must name an existing row."""
    authorize(uow, "PA1", world.ann)
    submit(uow, *mixed_claims(world))
    adjudicate(uow)
    assert (
        rows(uow, "SELECT count(*) FROM accumulator_entries WHERE reversal_of IS NOT NULL")[0][0]
        > 0
    )
    assert {name: rows(uow, sql)[0][0] for name, sql in ORPHANS.items()} == dict.fromkeys(
        ORPHANS, 0
    )
    entries_per_family = rows(
        uow,
        "SELECT count(*) FROM accumulator_entries e JOIN claims c ON c.id = e.claim_id"
        " WHERE c.family_id <> e.family_id",
    )
    assert entries_per_family == [(0,)]


def test_a_batch_takes_claims_received_by_a_day_and_stamps_its_versions(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(
        uow,
        claim("T1", world.ann, line("2026-02-01", 180, category="lab", allowed=100),
              received="2026-02-05"),
        claim("T2", world.ann, line("2026-03-01", 180, category="lab", allowed=100),
              received="2026-03-05"),
    )  # fmt: skip
    at = datetime(2026, 2, 28, 18, 0, tzinfo=UTC)
    first = adjudicate(uow, received_through=date(2026, 2, 28), at=at)
    assert first.claims == 1
    stamped = rows(uow, "SELECT c.claim_number, v.adjudicated_at FROM claim_versions v "
                        "JOIN claims c ON c.id = v.claim_id")  # fmt: skip
    assert [number for number, _ in stamped] == ["T1"]
    assert str(stamped[0][1]).startswith("2026-02-28 18:00")
    assert adjudicate(uow).claims == 1
