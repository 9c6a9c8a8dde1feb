"""``/v1/plans``: templates and validation through the API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.bootstrap import App
from aso.security.domain import Role
from tests.builders import token_for


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        c.headers["Authorization"] = f"Bearer {token_for(app, Role.SERVICE_REP)}"
        yield c


def test_templates_list_and_show(client: TestClient) -> None:
    listed = client.get("/v1/plans/templates").json()
    assert {"PPO1500", "HDHP3400", "LTD60"} <= {t["id"] for t in listed}
    assert {t["line"] for t in listed} == {"medical", "pharmacy", "dental", "vision", "std", "ltd"}
    design = client.get("/v1/plans/templates/PPO1500").json()
    assert design["line"] == "medical"
    assert client.get("/v1/plans/templates/NOPE").status_code == 404


def test_validate_names_the_bad_field_and_warns_on_legal_limits(client: TestClient) -> None:
    design = client.get("/v1/plans/templates/PPO1500").json()
    assert client.post("/v1/plans/validate", json=design).json() == {
        "ok": True,
        "errors": [],
        "warnings": [],
    }
    design["oop_max"]["in"]["individual"] = "12000"
    design["oop_max"]["in"]["family"] = "24000"
    design["benefits"]["chiropractic"]["limit"] = {"visits": 0}
    result = client.post("/v1/plans/validate", json=design).json()
    assert result["ok"] is False
    assert {"where": "benefits.chiropractic.limit.visits", "message": "must be a whole number > 0",
            "year": None} in result["errors"]  # fmt: skip


def test_validate_reads_yaml_and_reports_legal_warnings(client: TestClient) -> None:
    design = client.get("/v1/plans/templates/PPO1500").json()
    design["oop_max"]["in"] = {"individual": "12000", "family": "24000"}
    import yaml

    result = client.post(
        "/v1/plans/validate",
        content=yaml.safe_dump(design),
        headers={"Content-Type": "application/yaml"},
    ).json()
    assert result["ok"] is True
    assert any(
        w["where"].startswith("oop_max.in") and w["year"] == 2026 for w in result["warnings"]
    )


def test_validate_refuses_an_unreadable_body(client: TestClient) -> None:
    response = client.post(
        "/v1/plans/validate", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["where"] == "body"
