"""The ledger API on SQLite and PostgreSQL: an administrator posts and reverses, the trial
balance and statements are read by staff and, for its own employer only, by the employer's
benefits manager; a wrong leg is a 422 that names it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aso.api import ledger
from aso.api.app import create_app
from aso.bootstrap import App
from aso.ledger import models as _ledger  # noqa: F401  (the tables, until aso.db.models has them)
from aso.security.domain import Role
from tests.builders import bearer
from tests.integration.ledger_builders import two_employers


def with_ledger(app: App) -> FastAPI:
    """The application with the ledger router (until ``aso.api.app`` includes it)."""
    api = create_app(app)
    if not any(getattr(r, "path", "").startswith("/v1/ledger") for r in api.routes):
        api.include_router(ledger.router)
    return api


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(with_ledger(app)) as c:
        yield c


def deposit(employer_id: int, amount: str) -> dict[str, Any]:
    return {
        "employer_id": employer_id,
        "posted_on": "2026-03-01",
        "memo": "employer deposit",
        "kind": "deposit",
        "reference": "wire 4471",
        "legs": [
            {"account": "claims_funding_bank", "debit": amount},
            {"account": "employer_deposits", "credit": amount},
        ],
    }


def test_post_read_reverse_and_trial_balance(app: App, client: TestClient) -> None:
    alpha, beta = two_employers(app)
    admin = bearer(app, Role.ADMIN, username="boss")
    posted = client.post("/v1/ledger/transactions", json=deposit(alpha, "2500.00"), headers=admin)
    assert posted.status_code == 201, posted.text
    body = posted.json()
    assert (body["total"], body["created_by"], body["legs"][1]["credit"]) == (
        "2500.00",
        "boss",
        "2500.00",
    )
    assert (
        client.post(
            "/v1/ledger/transactions", json=deposit(beta, "40.10"), headers=admin
        ).status_code
        == 201
    )

    balance = client.get("/v1/ledger/trial-balance", headers=admin).json()
    assert balance == {
        "accounts": [
            {"account": "claims_funding_bank", "debit": "2540.10", "credit": "0.00"},
            {"account": "employer_deposits", "debit": "0.00", "credit": "2540.10"},
        ],
        "total_debit": "2540.10",
        "total_credit": "2540.10",
        "net": "0.00",
    }
    one = client.get("/v1/ledger/trial-balance", params={"employer_id": beta}, headers=admin)
    assert one.json()["total_debit"] == "40.10"

    reversal = client.post(
        f"/v1/ledger/transactions/{body['id']}/reversal",
        json={"posted_on": "2026-03-02", "memo": "deposit bounced"},
        headers=admin,
    )
    assert reversal.status_code == 201, reversal.text
    assert (reversal.json()["reverses"], reversal.json()["memo"]) == (body["id"], "deposit bounced")
    again = client.post(
        f"/v1/ledger/transactions/{body['id']}/reversal",
        json={"posted_on": "2026-03-02"},
        headers=admin,
    )
    assert again.status_code == 409
    read = client.get(f"/v1/ledger/transactions/{body['id']}", headers=admin).json()
    assert read["reversed_by"] == reversal.json()["id"]
    assert client.get("/v1/ledger/trial-balance", headers=admin).json()["total_debit"] == "40.10"


def test_a_wrong_leg_is_named(app: App, client: TestClient) -> None:
    alpha, _ = two_employers(app)
    admin = bearer(app, Role.ADMIN)
    bad = deposit(alpha, "100.00")
    bad["legs"].append({"account": "claims_expense", "debit": "0.5", "credit": "0.5"})
    bad["legs"][1]["credit"] = "99.999"
    answer = client.post("/v1/ledger/transactions", json=bad, headers=admin)
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {"where": "legs[3]", "message": "give either a debit or a credit"}
    ]
    bad["legs"].pop()
    answer = client.post("/v1/ledger/transactions", json=bad, headers=admin)
    assert answer.json()["problems"] == [
        {"where": "legs[2].amount", "message": "99.999 has fractions of a cent"}
    ]


def test_who_sees_what(app: App, client: TestClient) -> None:
    alpha, beta = two_employers(app)
    admin = bearer(app, Role.ADMIN)
    for employer_id in (alpha, beta):
        client.post("/v1/ledger/transactions", json=deposit(employer_id, "10.00"), headers=admin)
    manager = bearer(app, Role.EMPLOYER, username="hr-alpha", employer_id=alpha)
    examiner = bearer(app, Role.EXAMINER)
    auditor = bearer(app, Role.AUDITOR)

    own = client.get("/v1/ledger/trial-balance", headers=manager)
    assert own.status_code == 200 and own.json()["total_debit"] == "10.00"
    assert (
        client.get(
            "/v1/ledger/trial-balance", params={"employer_id": beta}, headers=manager
        ).status_code
        == 404
    )
    mine = client.get(
        f"/v1/employers/{alpha}/ledger/statement",
        params={"account": "claims_funding_bank", "since": "2026-01-01", "until": "2026-12-31"},
        headers=manager,
    )
    assert mine.status_code == 200, mine.text
    [bank] = mine.json()["accounts"]
    assert (bank["opening"], bank["closing"], len(bank["entries"])) == ("0.00", "10.00", 1)
    assert client.get(f"/v1/employers/{beta}/ledger/statement", headers=manager).status_code == 404
    assert (
        client.post(
            "/v1/ledger/transactions", json=deposit(alpha, "1.00"), headers=manager
        ).status_code
        == 403
    )

    for reader in (examiner, auditor):
        assert client.get("/v1/ledger/trial-balance", headers=reader).json()["net"] == "0.00"
        assert (
            client.get(f"/v1/employers/{beta}/ledger/statement", headers=reader).status_code == 200
        )
        assert (
            client.post(
                "/v1/ledger/transactions", json=deposit(beta, "1.00"), headers=reader
            ).status_code
            == 403
        )
    assert client.get("/v1/ledger/trial-balance").status_code == 401
    accounts = client.get("/v1/ledger/accounts", headers=manager).json()
    assert accounts[0] == {
        "code": "claims_funding_bank",
        "name": "Claims funding bank",
        "type": "asset",
        "normal_balance": "debit",
        "description": accounts[0]["description"],
    }
