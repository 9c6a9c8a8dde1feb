"""The claims API on SQLite and PostgreSQL: ``POST /v1/claims`` (201, 200 when on file, 422
naming claim, line and field, 409), ``GET /v1/claims/{id}`` and
``GET /v1/members/{id}/accumulators`` scoped to staff and the member's own family and
audit-logged, authorizations and accumulator adjustments for examiners."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.security.domain import Role
from tests.builders import bearer
from tests.integration.claims_builders import (
    ClaimsWorld,
    adjudicate,
    build_world,
    claim,
    line,
    rows,
)


def api_with_claims(app: App) -> FastAPI:
    return create_app(app)


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    return build_world(app, uow)


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(api_with_claims(app)) as c:
        yield c


def as_json(document: dict[str, Any]) -> dict[str, Any]:
    """Amounts as JSON numbers would carry them (strings keep them exact here)."""
    lines = [{**item, "charge": str(item["charge"])} for item in document.get("lines", [])]
    return {**document, "lines": lines}


def test_submit_store_once_reject_and_conflict(
    app: App, client: TestClient, world: ClaimsWorld
) -> None:
    provider = bearer(app, Role.PROVIDER, username="clinic")
    document = as_json(claim("C1", world.ann, line("2026-02-01", 180, category="lab")))
    created = client.post("/v1/claims", json=[document], headers=provider)
    assert created.status_code == 201, created.text
    assert created.json()[0] | {"key": 0} == {
        "id": "C1",
        "key": 0,
        "member_id": world.ann,
        "status": "received",
        "stored": True,
    }
    again = client.post("/v1/claims", json=document, headers=provider)
    assert again.status_code == 200 and again.json()[0]["stored"] is False

    bad = as_json(claim("C2", world.ann, line("2026-02-01", 180, category="massage")))
    rejected = client.post("/v1/claims", json=bad, headers=provider)
    assert rejected.status_code == 422
    assert rejected.json()["problems"] == [
        {"where": "claims[C2].lines[1].category", "message": "unknown category 'massage'"}
    ]
    changed = as_json(claim("C1", world.ann, line("2026-02-01", 190, category="lab")))
    assert client.post("/v1/claims", json=changed, headers=provider).status_code == 409
    assert rows(app.uow(), "SELECT count(*) FROM claims") == [(1,)]

    employer = bearer(app, Role.EMPLOYER, employer_id=world.employer_id)
    assert client.post("/v1/claims", json=document, headers=employer).status_code == 403
    assert client.post("/v1/claims", json=document).status_code == 401


def test_a_yaml_body_keeps_amounts_exact(app: App, client: TestClient, world: ClaimsWorld) -> None:
    body = (
        f"id: Y1\nmember: {world.ann}\nnetwork: in\nreceived: 2026-03-01\n"
        "lines:\n  - {date: 2026-02-01, category: lab, charge: 180.10, allowed: 99.99}\n"
    )
    headers = bearer(app, Role.EXAMINER) | {"Content-Type": "application/yaml"}
    assert client.post("/v1/claims", content=body, headers=headers).status_code == 201
    assert rows(app.uow(), "SELECT charge_cents, allowed_cents FROM claim_lines") == [(18010, 9999)]


def test_reading_a_claim_is_scoped_and_audited(
    app: App, client: TestClient, world: ClaimsWorld
) -> None:
    examiner = bearer(app, Role.EXAMINER, username="exam")
    for document in (
        claim("CY1", world.cy, line("2026-02-01", 180, category="office_visit_pcp", allowed=110)),
        claim("BO1", world.bo, line("2026-02-01", 900, category="lab", allowed=800)),
        claim("DE1", world.dee, line("2026-02-01", 900, category="lab", allowed=800)),
    ):
        assert client.post("/v1/claims", json=as_json(document), headers=examiner).is_success
    adjudicate(app.uow())

    staff = client.get("/v1/claims/CY1", headers=examiner)
    assert staff.status_code == 200
    body = staff.json()
    assert (body["status"], body["member_id"], body["employer_ein"]) == (
        "approved",
        world.cy,
        world.ein,
    )
    assert body["versions"][0]["lines"][0]["copay"] == "25.00"
    assert body["lines"][0]["charge"] == "180.00"

    ann = bearer(app, Role.MEMBER, username="ann", member_number=world.ann)
    assert client.get("/v1/claims/CY1", headers=ann).status_code == 200  # her minor child
    assert client.get("/v1/claims/BO1", headers=ann).status_code == 404  # her adult spouse
    assert client.get("/v1/claims/DE1", headers=ann).status_code == 404  # another family
    employer = bearer(app, Role.EMPLOYER, username="hr", employer_id=world.employer_id)
    assert client.get("/v1/claims/CY1", headers=employer).status_code == 404
    assert client.get("/v1/claims/NOPE", headers=examiner).status_code == 404

    audit = rows(
        app.uow(),
        "SELECT username, record_type, detail FROM audit_log WHERE action = 'view' ORDER BY id",
    )
    assert audit == [
        ("exam", "claim", f"member {world.cy}"),
        ("ann", "claim", f"member {world.cy}"),
    ]


def test_accumulators_authorizations_and_adjustments(
    app: App, client: TestClient, world: ClaimsWorld
) -> None:
    examiner = bearer(app, Role.EXAMINER, username="exam")
    rep = bearer(app, Role.SERVICE_REP, username="rep")
    made = client.post(
        "/v1/accumulator-adjustments",
        json={"member_id": world.dee, "kind": "deductible", "amount": "250.00",
              "reason": "prior carrier", "effective": "2026-02-01"},
        headers=examiner,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    refused = client.post(
        "/v1/accumulator-adjustments",
        json={"member_id": world.dee, "kind": "deductible", "amount": "1", "reason": "x"},
        headers=rep,
    )
    assert refused.status_code == 403
    assert (
        client.get(f"/v1/members/{world.dee}/accumulator-adjustments", headers=rep).json()[0][
            "amount"
        ]
        == "250.00"
    )

    balances = client.get(f"/v1/members/{world.dee}/accumulators", headers=rep)
    assert balances.status_code == 200
    member_in = next(b for b in balances.json()["balances"] if b["network"] == "in")
    assert (member_in["deductible"], member_in["deductible_remaining"]) == ("250.00", "1250.00")
    ann = bearer(app, Role.MEMBER, username="ann", member_number=world.ann)
    assert client.get(f"/v1/members/{world.dee}/accumulators", headers=ann).status_code == 404

    authorization = {"number": "PA1", "member_id": world.ann, "start": "2026-01-01",
                     "end": "2026-03-31", "categories": ["imaging_advanced"]}  # fmt: skip
    assert client.post("/v1/authorizations", json=authorization, headers=rep).status_code == 403
    assert (
        client.post("/v1/authorizations", json=authorization, headers=examiner).status_code == 201
    )
    assert (
        client.post("/v1/authorizations", json=authorization, headers=examiner).status_code == 409
    )
    listed = client.get("/v1/authorizations", params={"member_id": world.ann}, headers=rep)
    assert [a["number"] for a in listed.json()] == ["PA1"]


def test_examiners_work_the_pend_queue_through_the_api(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld
) -> None:
    examiner = bearer(app, Role.EXAMINER)
    big = claim("P1", world.dee, line("2026-03-01", 60000, category="lab", allowed=40000))
    assert client.post("/v1/claims", json=[as_json(big)], headers=examiner).status_code == 201
    adjudicate(uow)
    queue = client.get("/v1/pended-claims?reason=high_dollar", headers=examiner)
    assert [(c["id"], c["lines"][0]["pend_reason"]) for c in queue.json()] == [
        ("P1", "high_dollar")
    ]
    rep = bearer(app, Role.SERVICE_REP)
    assert client.post("/v1/claims/P1/release", json={}, headers=rep).status_code == 403
    missing = client.post(
        "/v1/claims/P1/override", json={"line": 1, "allowed": "100.00"}, headers=examiner
    )
    assert missing.status_code == 422 and "reason" in missing.text
    released = client.post("/v1/claims/P1/release", json={"note": "ok"}, headers=examiner)
    assert released.status_code == 200, released.text
    body = released.json()
    assert body["claim"]["status"] == "approved"
    assert body["claim"]["versions"][-1]["action"] == "release"
    assert body["listed_for_reprocessing"] == []
    again = client.post("/v1/claims/P1/release", json={}, headers=examiner)
    assert again.status_code == 409 and "no pended line" in again.text
    denied = client.post(
        "/v1/claims/P1/deny", json={"carc": "50", "reason": "not necessary"}, headers=examiner
    )
    assert denied.json()["claim"]["status"] == "denied"
    assert client.get("/v1/reprocessing", headers=examiner).json() == []
    report = client.post("/v1/reprocessing", headers=examiner).json()
    assert report == {"families": 0, "claims_written": [], "listings_closed": 0}
