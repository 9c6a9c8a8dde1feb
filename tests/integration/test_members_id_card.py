"""Members' ID cards on SQLite and PostgreSQL: ``GET /v1/members/{id}/id-card`` as JSON and as a
card-sized PDF of two pages, the plan's cost shares in words, the TPA as configured on the back,
scoped to staff and the member's own family, audit-logged, and refused (409) without coverage."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from aso.api.app import create_app
from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.security.domain import Role
from tests.builders import bearer
from tests.integration.claims_builders import ClaimsWorld, build_world, rows


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    return build_world(app, uow)


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


def test_a_parent_gets_its_childs_card(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld
) -> None:
    ann = bearer(app, Role.MEMBER, member_number=world.ann)
    response = client.get(f"/v1/members/{world.cy}/id-card?date=2026-06-01", headers=ann)
    assert response.status_code == 200, response.text
    card = response.json()
    assert (card["name"], card["subscriber"], card["subscriber_id"]) == (
        "Cy Lee",
        "Ann Lee",
        world.ann,
    )
    assert (card["group"], card["payer_id"], card["member_services"]) == (
        world.ein,
        "ASOTPA",
        "(614) 555-0123",
    )
    assert [(c["line"], c["plan"], c["tier"]) for c in card["coverages"]] == [
        ("medical", "PPO 1500", "family"),
        ("pharmacy", "Pharmacy 4-tier (with PPO 1500)", "family"),
    ]
    medical = {b["label"]: b["value"] for b in card["coverages"][0]["benefits"]}
    assert medical == {
        "Primary care": "$25 copay",
        "Specialist": "$50 copay",
        "Urgent care": "$75 copay",
        "ER": "$250 copay + 20% after deductible",
        "Deductible": "$1,500 / $3,000 family",
        "Out-of-pocket": "$5,000 / $10,000 family",
    }
    pharmacy = {b["label"]: b["value"] for b in card["coverages"][1]["benefits"]}
    assert pharmacy["Generic"] == "$10 copay"

    pdf = client.get(f"/v1/members/{world.cy}/id-card?format=pdf", headers=ann)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 2
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4, 1), round(height / 72 * 25.4, 1)) == (85.6, 54.0)
    front, back = (page.extract_text() for page in reader.pages)
    for shown in ("Cy Lee", world.cy, "Subscriber Ann Lee", "$25 copay", "PPO 1500"):
        assert shown in front, shown
    for shown in ("Member services (614) 555-0123", "payer ID ASOTPA", "does not guarantee"):
        assert shown in back, shown
    assert rows(
        uow, "SELECT count(*) FROM audit_log WHERE detail = 'ID card' AND username LIKE 'member%'"
    ) == [(2,)]


def test_others_get_no_card_and_none_without_coverage(
    app: App, client: TestClient, world: ClaimsWorld
) -> None:
    for role, scope, who in (
        (Role.MEMBER, {"member_number": world.ann}, world.bo),  # an adult spouse's own record
        (Role.MEMBER, {"member_number": world.dee}, world.cy),
        (Role.EMPLOYER, {"employer_id": world.employer_id}, world.cy),
        (Role.PROVIDER, {}, world.cy),
    ):
        refused = client.get(f"/v1/members/{who}/id-card", headers=bearer(app, role, **scope))
        assert refused.status_code in (403, 404), (role, refused.text)
        assert "Lee" not in refused.text
    staff = bearer(app, Role.SERVICE_REP)
    assert client.get(f"/v1/members/{world.bo}/id-card", headers=staff).status_code == 200
    before = client.get(f"/v1/members/{world.bo}/id-card?date=2025-06-01", headers=staff)
    assert before.status_code == 409 and "no coverage in force on 2025-06-01" in before.text
