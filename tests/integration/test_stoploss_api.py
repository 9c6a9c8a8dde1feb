"""The stop-loss API on SQLite and PostgreSQL: an administrator sets up a contract, requests
and records a reimbursement; staff track and read the full report; the employer's benefits
manager reads its own report de-identified, another employer's is a 404; roles that may not
write get a 403; a wrong contract is a 422 naming the field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aso.api import stoploss
from aso.api.app import create_app
from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.security.domain import Role
from tests.builders import bearer
from tests.integration.stoploss_builders import Paid, contract_document, pay, world


def with_stoploss(app: App) -> FastAPI:
    """The application with the stop-loss router (until ``aso.api.app`` includes it)."""
    api = create_app(app)
    if not any("/stoploss" in getattr(r, "path", "") for r in api.routes):
        api.include_router(stoploss.router)
    return api


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(with_stoploss(app)) as c:
        yield c


def test_contract_report_request_and_receipt(app: App, uow: UnitOfWork, client: TestClient) -> None:
    acme = world(app, uow)
    other = world(app, uow, ein="36-7654321")
    base = f"/v1/employers/{acme.employer_id}/stoploss"
    admin = bearer(app, Role.ADMIN, username="boss")
    examiner = bearer(app, Role.EXAMINER, username="exa")
    benefits = bearer(app, Role.EMPLOYER, employer_id=acme.employer_id)
    stranger = bearer(app, Role.EMPLOYER, employer_id=other.employer_id)

    document = contract_document(acme.dee)
    assert client.post(f"{base}/contracts", json=document, headers=examiner).status_code == 403
    wrong = client.post(f"{base}/contracts", json={**document, "basis": "6/15"}, headers=admin)
    assert wrong.status_code == 422
    assert [p["where"] for p in wrong.json()["problems"]] == ["basis"]
    created = client.post(f"{base}/contracts", json=document, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["paid_to"] == "2027-03-31"

    pay(
        uow,
        Paid("BO-1", acme.bo, "340000", "2026-02-10", "2026-03-05"),
        Paid("ANN-1", acme.ann, "20000", "2026-02-11", "2026-03-05"),
    )
    tracked = client.post(f"{base}/tracking", json={"as_of": "2026-06-30"}, headers=examiner)
    assert tracked.status_code == 200, tracked.text
    assert [n["member_id"] for n in tracked.json()["notifications"]] == [acme.bo]

    full = client.get(base, params={"as_of": "2026-06-30"}, headers=examiner).json()
    [claimant] = full["contracts"][0]["claimants"]
    assert (claimant["member_id"], claimant["name"], claimant["excess"]) == (
        acme.bo,
        "Bo Lee",
        "240000.00",
    )

    assert (
        client.post(f"{base}/requests", json={"as_of": "2026-06-30"}, headers=examiner).status_code
        == 403
    )
    made = client.post(f"{base}/requests", json={"as_of": "2026-06-30"}, headers=admin)
    assert made.status_code == 201, made.text
    [request] = made.json()
    assert (request["amount"], request["claims"]) == (
        "240000.00",
        [{"claim_id": "BO-1", "paid": "340000.00", "counted": "240000.00"}],
    )
    shown = client.get(f"{base}/requests/{request['id']}", headers=examiner).json()
    assert shown["claims"] == request["claims"]
    receipt = client.post(
        f"{base}/requests/{request['id']}/receipts",
        json={"amount": "240000.00", "received_on": "2026-07-20", "reference": "EFT 1"},
        headers=admin,
    )
    assert receipt.status_code == 201, receipt.text
    assert receipt.json()["request"]["status"] == "paid"
    again = client.post(
        f"{base}/requests/{request['id']}/receipts",
        json={"amount": "1.00", "received_on": "2026-07-21"},
        headers=admin,
    )
    assert again.status_code == 409

    seen = client.get(base, params={"as_of": "2026-07-31"}, headers=benefits)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["deidentified"] is True
    [claimant] = body["contracts"][0]["claimants"]
    assert claimant == {
        "label": "Claimant 1",
        "member_id": None,
        "name": None,
        "lasered": None,
        "deductible": "100000.00",
        "threshold": "50000.00",
        "paid": "340000.00",
        "toward_aggregate": "100000.00",
        "excess": "240000.00",
        "reimbursable": "240000.00",
        "requested": "240000.00",
        "received": "240000.00",
        "notified": True,
        "notified_on": None,
    }
    assert body["contracts"][0]["contract"]["lasers"] is None
    for secret in (acme.bo, acme.ann, acme.dee, "Lee", "Diaz", "BO-1"):
        assert secret not in seen.text
    assert client.get(base, headers=stranger).status_code == 404
    assert client.get(f"{base}/requests/{request['id']}", headers=benefits).status_code == 403
    assert (
        client.post(f"{base}/tracking", json={"as_of": "2026-06-30"}, headers=benefits).status_code
        == 403
    )
    other_base = f"/v1/employers/{other.employer_id}/stoploss"
    misplaced = client.get(f"{other_base}/requests/{request['id']}", headers=examiner)
    assert misplaced.status_code == 404
