"""``POST /v1/simulate``: the same results as ``aso simulate`` for the shared scenarios."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.bootstrap import App
from aso.claims.scenario import run_scenario
from aso.security.domain import Role
from aso.yamlio import load_document
from tests.builders import token_for
from tests.conftest import shared_dir


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        c.headers["Authorization"] = f"Bearer {token_for(app, Role.SERVICE_REP)}"
        yield c


def test_shared_scenarios_give_the_cli_results_and_no_differences(client: TestClient) -> None:
    files = sorted(shared_dir("scenarios").glob("*.yaml"))
    assert files
    for path in files:
        response = client.post(
            "/v1/simulate?check=true",
            content=path.read_bytes(),
            headers={"Content-Type": "application/yaml"},
        )
        assert response.status_code == 200, (path.name, response.text)
        body = response.json()
        assert body.pop("differences") == [], path.name
        assert body == run_scenario(load_document(path)), path.name


def test_explain_adds_a_trace_and_a_structural_error_names_the_field(client: TestClient) -> None:
    path = Path(shared_dir("scenarios")) / "01-ppo-office-copay.yaml"
    text = path.read_text()
    explained = client.post(
        "/v1/simulate?explain=true", content=text, headers={"Content-Type": "application/yaml"}
    ).json()
    assert explained["claims"][0]["lines"][0]["trace"]
    broken = text.replace("charge: 180.00", "charge: -180.00")
    response = client.post(
        "/v1/simulate", content=broken, headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 422
    where = response.json()["problems"][0]["where"]
    assert "C1" in where and "charge" in where


def test_simulate_needs_a_token(app: App) -> None:
    with TestClient(create_app(app)) as anonymous:
        assert anonymous.post("/v1/simulate", json={}).status_code == 401
