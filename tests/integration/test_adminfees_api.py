"""The invoices API on SQLite and PostgreSQL: an administrator sets an agreement (a wrong field
is a 422 that names it) and runs a month (twice: billed once); an invoice reads as JSON, PDF or
CSV by ``Accept`` or ``format``; an employer's benefits manager reads its own employer's
invoices only and may not run them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from aso.api import invoices
from aso.api.app import create_app
from aso.bootstrap import App
from aso.security.domain import Role
from tests.builders import bearer
from tests.integration.adminfees_builders import TERMS
from tests.integration.claims_builders import build_world


def with_invoices(app: App) -> FastAPI:
    """The application with the invoices router (until ``aso.api.app`` includes it)."""
    api = create_app(app)
    if not any(getattr(r, "path", "").startswith("/v1/invoices") for r in api.routes):
        api.include_router(invoices.router)
    return api


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(with_invoices(app)) as c:
        yield c


def test_set_run_and_read_an_invoice_in_each_format(app: App, client: TestClient) -> None:
    alpha = build_world(app, app.uow()).employer_id
    beta = build_world(app, app.uow(), ein="36-7654321").employer_id
    admin = bearer(app, Role.ADMIN, username="boss")

    wrong = client.post(
        f"/v1/employers/{alpha}/fee-agreements",
        json={**TERMS, "pepm": {"medical": "-40"}},
        headers=admin,
    )
    assert wrong.status_code == 422
    assert [p["where"] for p in wrong.json()["problems"]] == ["pepm.medical"]
    made = client.post(f"/v1/employers/{alpha}/fee-agreements", json=TERMS, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["terms"]["pepm"] == {"medical": "40.00", "pharmacy": "6.00"}

    body = {"month": "2026-03", "issued_on": "2026-03-02"}
    ran = client.post("/v1/invoices/run", json=body, headers=admin)
    assert ran.status_code == 200, ran.text
    [item] = ran.json()["invoices"]
    assert (item["outcome"], item["total"]) == ("issued", "432.00")
    again = client.post("/v1/invoices/run", json=body, headers=admin).json()
    assert [(i["outcome"], i["number"]) for i in again["invoices"]] == [
        ("existing", item["number"])
    ]
    number = item["number"]
    bad_month = client.post("/v1/invoices/run", json={"month": "March"}, headers=admin)
    assert bad_month.status_code == 422

    own = bearer(app, Role.EMPLOYER, username="alpha-hr", employer_id=alpha)
    read = client.get(f"/v1/invoices/{number}", headers=own)
    assert read.status_code == 200
    invoice = read.json()
    assert (invoice["month"], invoice["total"], invoice["pass_through"]) == (
        "2026-03",
        "432.00",
        "340.00",
    )
    assert [line["amount"] for line in invoice["lines"]] == [
        "80.00",
        "12.00",
        "60.00",
        "180.00",
        "100.00",
    ]

    pdf = client.get(f"/v1/invoices/{number}", headers={**own, "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert number in text and "$432.00" in text
    by_query = client.get(f"/v1/invoices/{number}?format=csv", headers=own)
    assert by_query.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(by_query.text)))
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("432.00")
    assert len(rows) == len(invoice["lines"])
    by_accept = client.get(f"/v1/invoices/{number}", headers={**own, "Accept": "text/csv"})
    assert by_accept.text == by_query.text

    listed = client.get(f"/v1/employers/{alpha}/invoices", headers=own).json()
    assert [(i["number"], i["status"]) for i in listed] == [(number, "issued")]

    other = bearer(app, Role.EMPLOYER, username="beta-hr", employer_id=beta)
    assert client.get(f"/v1/invoices/{number}", headers=other).status_code == 404
    assert client.get(f"/v1/employers/{alpha}/invoices", headers=other).status_code == 404
    assert client.get(f"/v1/invoices/{number}?format=pdf", headers=other).status_code == 404
    assert client.post("/v1/invoices/run", json=body, headers=own).status_code == 403
    assert (
        client.post(f"/v1/employers/{alpha}/fee-agreements", json=TERMS, headers=own).status_code
        == 403
    )
    assert client.get(f"/v1/invoices/{number}").status_code == 401

    voided = client.post(
        f"/v1/invoices/{number}/void", json={"reason": "test", "on": "2026-03-03"}, headers=admin
    )
    assert voided.status_code == 200 and voided.json()["status"] == "void"
