"""Appeals of claim decisions on SQLite and PostgreSQL: filed by the member (or a subscriber for
a minor dependent) or by staff on its behalf, within 180 days, one open per claim; queued by due
time (30 days, 72 hours when urgent); decided by examiners with their reasons; audit-logged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.bootstrap import App
from aso.claims.appeals import file_appeal
from aso.claims.schemas import AppealCreate
from aso.db.uow import UnitOfWork
from aso.errors import Conflict
from aso.security.domain import Role
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


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    found = build_world(app, uow)
    submit(
        uow,
        claim("CY1", found.cy, line("2026-02-01", 50, category="bariatric_surgery")),
        claim("DEE1", found.dee, line("2026-02-03", 90, category="lab", allowed=60)),
    )
    adjudicate(uow)
    return found


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


def test_file_queue_and_decide(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld
) -> None:
    ann = bearer(app, Role.MEMBER, member_number=world.ann)
    filed = client.post("/v1/claims/CY1/appeals", json={"reason": "The surgery was needed."},
                        headers=ann)  # fmt: skip
    assert filed.status_code == 201, filed.text
    appeal = filed.json()
    assert (appeal["status"], appeal["channel"], appeal["patient"]) == ("open", "web", "Cy Lee")
    due = datetime.fromisoformat(appeal["due_by"]) - datetime.fromisoformat(appeal["filed_at"])
    assert due == timedelta(days=30)
    again = client.post("/v1/claims/CY1/appeals", json={"reason": "again"}, headers=ann)
    assert again.status_code == 409 and "open appeal already" in again.text

    rep = bearer(app, Role.SERVICE_REP)
    phoned = {"reason": "called in", "urgent": True, "channel": "phone"}
    urgent = client.post("/v1/claims/DEE1/appeals", headers=rep, json=phoned).json()
    assert urgent["channel"] == "phone" and urgent["filed_by"].startswith("service_rep")
    queue = client.get("/v1/appeals", headers=rep).json()
    assert [a["claim_id"] for a in queue] == ["DEE1", "CY1"]  # 72 hours before 30 days
    assert client.get("/v1/appeals", headers=ann).status_code == 403

    decision = {"outcome": "overturned", "note": "Medically necessary per the records."}
    assert client.post(f"/v1/appeals/{appeal['id']}/decision", json=decision,
                       headers=rep).status_code == 403  # fmt: skip
    examiner = bearer(app, Role.EXAMINER)
    decided = client.post(f"/v1/appeals/{appeal['id']}/decision", json=decision, headers=examiner)
    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["decision"]) == (
        "overturned", "Medically necessary per the records.",
    )  # fmt: skip
    twice = client.post(f"/v1/appeals/{appeal['id']}/decision", json=decision, headers=examiner)
    assert twice.status_code == 409
    assert [a["claim_id"] for a in client.get("/v1/appeals", headers=rep).json()] == ["DEE1"]
    assert rows(uow, "SELECT action FROM audit_log WHERE record_type = 'appeal' ORDER BY id") == [
        ("create",),
        ("create",),
        ("overturned",),
    ]


def test_who_may_appeal_and_what_is_refused(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld
) -> None:
    bo = bearer(app, Role.MEMBER, member_number=world.bo)  # an adult spouse: not the child's
    assert (
        client.post("/v1/claims/CY1/appeals", json={"reason": "x"}, headers=bo).status_code == 404
    )
    employer = bearer(app, Role.EMPLOYER, employer_id=world.employer_id)
    refused = client.post("/v1/claims/CY1/appeals", json={"reason": "x"}, headers=employer)
    assert refused.status_code in (403, 404)
    rep = bearer(app, Role.SERVICE_REP)
    empty = client.post("/v1/claims/CY1/appeals", json={"reason": ""}, headers=rep)
    assert empty.status_code == 422 and "reason" in empty.text
    key = rows(uow, "SELECT id FROM claims WHERE claim_number = 'CY1'")[0][0]
    late = datetime.now(UTC) + timedelta(days=181)
    with pytest.raises(Conflict, match="within 180 days"):
        file_appeal(uow=uow, actor=EXAMINER, key=key, data=AppealCreate(reason="late"), now=late)
    assert rows(uow, "SELECT count(*) FROM claim_appeals") == [(0,)]
