"""``POST /v1/employers/{id}/census``: all or nothing, idempotent, scoped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.bootstrap import App
from aso.security.domain import Role
from aso.synth.demo import census_csv
from aso.synth.population import Offerings, generate_census
from tests.builders import add_employer, token_for

OFFER = Offerings(medical=(("PPO1500", 1.0),))


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


def _csv(employees: int = 6) -> str:
    rows = generate_census(
        seed=3, employees=employees, offerings=OFFER, coverage_start=date(2026, 1, 1)
    )
    return census_csv(rows)


def test_a_good_file_imports_once_and_a_bad_one_changes_nothing(
    app: App, client: TestClient
) -> None:
    employer = add_employer(app, "Alpha Widgets", "31-1234567")
    headers = {"Authorization": f"Bearer {token_for(app, Role.ADMIN)}", "Content-Type": "text/csv"}
    url = f"/v1/employers/{employer}/census"

    bad = _csv().replace("PPO1500", "NOPLAN", 1)
    rejected = client.post(url, content=bad, headers=headers)
    assert rejected.status_code == 422
    assert any(p["where"].startswith("row 2") for p in rejected.json()["problems"])
    summary = client.get(f"/v1/employers/{employer}/summary", headers=headers).json()
    assert summary["members"] == 0

    first = client.post(url, content=_csv(), headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["members_added"] > 6
    second = client.post(url, content=_csv(), headers=headers).json()
    assert second["already_imported"] is True
    assert second["members_added"] == 0
    after = client.get(f"/v1/employers/{employer}/summary", headers=headers).json()
    assert after["members"] == first.json()["members_added"]


def test_another_employers_user_cannot_import(app: App, client: TestClient) -> None:
    alpha = add_employer(app, "Alpha Widgets", "31-1234567")
    beta = add_employer(app, "Beta Foods", "36-7654321")
    token = token_for(app, Role.EMPLOYER, employer_id=beta)
    response = client.post(
        f"/v1/employers/{alpha}/census",
        content=_csv(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    assert response.status_code in (403, 404)
