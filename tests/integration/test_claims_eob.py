"""A member's claims and explanations of benefits on SQLite and PostgreSQL:
``GET /v1/members/{id}/claims`` and ``GET /v1/claims/{id}/eob`` (JSON and a real PDF), amounts
equal to the claim's current adjudication, every code explained, scoped to staff and the
patient's own family and audit-logged; no EOB before the claim is decided."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from aso.api.app import create_app
from aso.bootstrap import App
from aso.claims.eob import category_label, processed_claims
from aso.claims.service import get_claim
from aso.db.uow import UnitOfWork
from aso.errors import Forbidden
from aso.security.domain import Principal, Role
from tests.builders import bearer
from tests.integration.claims_builders import (
    EXAMINER,
    ClaimsWorld,
    adjudicate,
    build_world,
    claim,
    line,
    rows,
    submit,
)

D = Decimal


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    found = build_world(app, uow)
    submit(
        uow,
        claim(
            "CY1",
            found.cy,
            line("2026-02-01", 180, category="office_visit_pcp", procedure="99213", allowed=110),
            line("2026-02-01", 300, category="lab", procedure="80053", allowed=200),
            line("2026-02-01", 50, category="bariatric_surgery", procedure="43644"),
        ),
        claim("CY2", found.cy, line("2026-03-10", 90, category="lab", allowed=60)),
    )
    adjudicate(uow)
    submit(uow, claim("CY3", found.cy, line("2026-04-01", 75, category="lab")))
    return found


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


def test_a_parent_reads_its_childs_claims_and_eob(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld
) -> None:
    ann = bearer(app, Role.MEMBER, member_number=world.ann)
    listed = client.get(f"/v1/members/{world.cy}/claims", headers=ann)
    assert listed.status_code == 200, listed.text
    claims = listed.json()
    assert [(c["id"], c["status"]) for c in claims] == [
        ("CY3", "received"),
        ("CY2", "approved"),
        ("CY1", "approved"),
    ]
    current = get_claim(uow=uow, actor=EXAMINER, claim_id="CY1").versions[-1].lines
    first = claims[-1]
    assert D(first["charge"]) == D("530.00")
    assert D(first["plan_paid"]) == sum(r.plan_paid for r in current) == D("85.00")
    assert D(first["member_responsibility"]) == sum(r.member_responsibility for r in current)
    assert D(claims[0]["plan_paid"]) == D(claims[0]["member_responsibility"]) == 0

    response = client.get("/v1/claims/CY1/eob", headers=ann)
    assert response.status_code == 200, response.text
    eob = response.json()
    assert (eob["patient"], eob["subscriber"], eob["plan"]) == ("Cy Lee", "Ann Lee", "PPO 1500")
    assert [line["service"] for line in eob["lines"]] == [
        "99213 (Office visit PCP)",
        "80053 (Lab)",
        "43644 (Bariatric surgery)",
    ]
    for shown, decided in zip(eob["lines"], current, strict=True):
        assert D(shown["plan_paid"]) == decided.plan_paid
        assert D(shown["member_responsibility"]) == decided.member_responsibility
        assert D(shown["deductible"]) == decided.deductible
    assert D(eob["member_responsibility"]) == D("25.00") + D("200.00") + D("50.00")
    assert D(eob["savings"]) == D("70.00") + D("100.00")
    notes = {note["code"]: note["text"] for note in eob["notes"]}
    assert "PR-1" in notes and "You may owe this amount" in notes["PR-1"]
    assert "CO-45" in notes and "may not bill you" in notes["CO-45"]
    assert all(code in notes for line in eob["lines"] for code in line["codes"])
    deductible = next(b for b in eob["balances"] if b["scope"] == "member" and b["network"] == "in")
    assert D(deductible["deductible"]) == D("260.00")  # 200 on CY1, 60 on CY2
    assert D(deductible["deductible_remaining"]) == D("1240.00")
    assert all("PPO 1500" in b["plans"] for b in eob["balances"])

    pdf = client.get("/v1/claims/CY1/eob", headers=ann | {"Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert 'filename="eob-CY1-1.pdf"' in pdf.headers["content-disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for shown in (
        "THIS IS NOT A BILL",
        "Cy Lee",
        world.cy,
        "PPO 1500",
        "$530.00",
        "$85.00",
        "$275.00",
        "$170.00",
        "Your right to appeal",
        "$260.00 of $1,500.00 met",
    ):
        assert shown in text, shown

    views = rows(
        uow,
        "SELECT username, record_type, detail FROM audit_log WHERE action = 'view' "
        "AND (detail LIKE 'EOB%' OR detail = 'claims list') ORDER BY id",
    )
    assert [(r[1], r[2][:3]) for r in views] == [
        ("member", "cla"),
        ("claim", "EOB"),
        ("claim", "EOB"),
    ]


def test_others_get_nothing_and_an_undecided_claim_has_no_eob(
    app: App, client: TestClient, world: ClaimsWorld
) -> None:
    for role, scope in (
        (Role.MEMBER, {"member_number": world.bo}),  # an adult spouse does not see the child
        (Role.MEMBER, {"member_number": world.dee}),
        (Role.EMPLOYER, {"employer_id": world.employer_id}),
        (Role.AUDITOR, {}),
        (Role.PROVIDER, {}),
    ):
        headers = bearer(app, role, **scope)
        assert client.get(f"/v1/members/{world.cy}/claims", headers=headers).status_code in (
            403,
            404,
        ), role
        refused = client.get("/v1/claims/CY1/eob", headers=headers)
        assert refused.status_code in (403, 404), role
        assert "Lee" not in refused.text
    service = bearer(app, Role.SERVICE_REP)
    assert client.get("/v1/claims/CY1/eob", headers=service).status_code == 200
    waiting = client.get("/v1/claims/CY3/eob", headers=service)
    assert waiting.status_code == 409 and "not processed yet" in waiting.text


def test_category_labels_read_as_words() -> None:
    assert category_label("office_visit_pcp") == "Office visit PCP"
    assert category_label("emergency_room") == "Emergency room"
    assert category_label("dme") == "DME"
    assert category_label(None) == ""


def test_an_eob_run_lists_the_claims_decided_in_its_window(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    now = datetime.now(UTC)
    window = {"employer_id": world.employer_id, "since": now - timedelta(hours=1), "until": now}
    keys = processed_claims(uow=uow, actor=EXAMINER, **window)
    numbers = rows(uow, "SELECT id, claim_number FROM claims")
    assert sorted(dict(numbers)[k] for k in keys) == ["CY1", "CY2"]  # not CY3, still received
    later = {**window, "since": now, "until": now + timedelta(hours=1)}
    assert processed_claims(uow=uow, actor=EXAMINER, **later) == []
    member = Principal(user_id=None, username="ann", role=Role.MEMBER)
    with pytest.raises(Forbidden):
        processed_claims(uow=uow, actor=member, **window)
