"""The payments API on SQLite and PostgreSQL: an administrator sets the funding account and a
payee's bank account, runs a cycle, records a deposit, releases, voids and applies a return; an
employer's benefits manager reads its own funding status and de-identified funding request (JSON,
PDF, CSV) and nothing else; other roles are refused."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from aso.api import payments
from aso.api.app import create_app
from aso.bootstrap import App
from aso.payments.nacha_check import check_nacha
from aso.security.domain import Role
from tests.builders import bearer
from tests.integration.claims_builders import build_world
from tests.integration.payments_builders import NPI_ANN, adjudicated, visit
from tests.integration.providers_builders import import_samples


def with_payments(app: App) -> FastAPI:
    """The application with the payments router (until ``aso.api.app`` includes it)."""
    api = create_app(app)
    if not any(getattr(r, "path", "").startswith("/v1/payment-cycles") for r in api.routes):
        api.include_router(payments.router)
    return api


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(with_payments(app)) as c:
        yield c


def test_a_cycle_through_the_api(app: App, client: TestClient) -> None:
    import_samples(app)
    world = build_world(app, app.uow())
    other = build_world(app, app.uow(), ein="36-7654321")
    adjudicated(app.uow(), visit("A-1", world.ann, 125), visit("A-2", world.bo, 75))
    admin = bearer(app, Role.ADMIN, username="boss")
    own = bearer(app, Role.EMPLOYER, username="acme-hr", employer_id=world.employer_id)
    stranger = bearer(app, Role.EMPLOYER, username="beta-hr", employer_id=other.employer_id)
    examiner = bearer(app, Role.EXAMINER, username="ex")

    account = {"bank_name": "First Ohio Bank", "routing": "021000021", "account_number": "55501"}
    bad = client.put(
        f"/v1/employers/{world.employer_id}/funding-account",
        json={**account, "routing": "021000022"},
        headers=admin,
    )
    assert bad.status_code == 422 and bad.json()["problems"][0]["where"] == "routing"
    made = client.put(
        f"/v1/employers/{world.employer_id}/funding-account", json=account, headers=admin
    )
    assert made.status_code == 200, made.text
    assert made.json()["account"] == "*5501"
    bank = {"npi": NPI_ANN, "routing": "011000015", "account_number": "12345678", "verified": True}
    registered = client.post("/v1/payee-bank-accounts", json=bank, headers=admin)
    assert registered.status_code == 201 and registered.json()["account"] == "******5678"
    assert client.post("/v1/payee-bank-accounts", json=bank, headers=own).status_code == 403

    body = {"employer_id": world.employer_id, "through": "2026-12-31", "run_on": "2026-06-01"}
    assert client.post("/v1/payment-cycles", json=body, headers=examiner).status_code == 403
    ran = client.post("/v1/payment-cycles", json=body, headers=admin)
    assert ran.status_code == 201, ran.text
    cycle = ran.json()
    number = cycle["number"]
    assert (cycle["requested"], cycle["payees"]) == ("150.00", 1)
    assert client.post("/v1/payment-cycles", json=body, headers=admin).status_code == 409

    request = client.get(f"/v1/payment-cycles/{number}/funding-request", headers=own)
    assert request.status_code == 200 and len(request.json()["lines"]) == 2
    assert world.ann not in request.text and "A-1" not in request.text
    pdf = client.get(f"/v1/payment-cycles/{number}/funding-request?format=pdf", headers=own)
    assert pdf.headers["content-type"] == "application/pdf"
    assert "150.00" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    csv = client.get(
        f"/v1/payment-cycles/{number}/funding-request", headers={**own, "Accept": "text/csv"}
    )
    assert csv.text.startswith("request,ein,claim_reference")
    assert (
        client.get(f"/v1/payment-cycles/{number}/funding-request", headers=stranger).status_code
        == 404
    )
    assert client.get(f"/v1/payment-cycles/{number}/payments", headers=own).status_code == 403

    deposit = {"amount": "150.00", "received_on": "2026-06-02", "reference": number}
    assert (
        client.post(
            f"/v1/employers/{world.employer_id}/deposits", json=deposit, headers=own
        ).status_code
        == 403
    )
    paid = client.post(f"/v1/employers/{world.employer_id}/deposits", json=deposit, headers=admin)
    assert paid.status_code == 201 and paid.json()["matched"] == [
        {"cycle": number, "amount": "150.00"}
    ]
    status = client.get(f"/v1/employers/{world.employer_id}/funding", headers=own).json()
    assert (status["bank_balance"], status["claims_payable"]) == ("150.00", "150.00")
    assert (
        client.get(f"/v1/employers/{world.employer_id}/funding", headers=stranger).status_code
        == 404
    )

    released = client.post(
        f"/v1/payment-cycles/{number}/release", json={"released_on": "2026-06-03"}, headers=admin
    )
    assert released.status_code == 200, released.text
    result = released.json()
    assert (result["eft"], result["eft_amount"], result["claims_paid"]) == (1, "150.00", 2)
    found = client.get(f"/v1/payment-files/{result['batch']}", headers=admin).json()
    (ach,) = [text for name, text in found.items() if name.endswith(".ach")]
    assert check_nacha(ach) == []
    assert client.get(f"/v1/payment-files/{result['batch']}", headers=examiner).status_code == 403

    (payment,) = result["payments"]
    void = client.post(f"/v1/payments/{payment['id']}/void", json={"reason": "x"}, headers=admin)
    assert void.status_code == 409  # an EFT has no check to void
    notice = f"trace,code\n{payment['ach_trace']},R02\n"
    returned = client.post(
        "/v1/payments/returns", content=notice, headers={**admin, "Content-Type": "text/csv"}
    )
    assert returned.status_code == 200 and returned.json()["applied"] == 1
    assert client.get(f"/v1/payments/{payment['id']}", headers=admin).json()["status"] == "returned"
    status = client.get(f"/v1/employers/{world.employer_id}/funding", headers=admin).json()
    assert (status["bank_balance"], status["claims_payable"]) == ("150.00", "0.00")
