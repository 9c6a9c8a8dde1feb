"""``/v1/providers`` and ``/v1/fee-schedules``: any signed-in role reads, only administrators
import, a rejected file answers 422 with every row and field and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.bootstrap import App
from aso.security.domain import Role
from tests.builders import World, build_world, token_for
from tests.integration.providers_builders import import_samples, sample

CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


@pytest.fixture
def world(app: App) -> World:
    return build_world(app)


def tokens(app: App, world: World) -> dict[Role, str]:
    family = world.families["A"]
    return {
        role: token_for(
            app,
            role,
            employer_id=world.employers["A"] if role is Role.EMPLOYER else None,
            member_number=family.subscriber if role is Role.MEMBER else None,
        )
        for role in Role
    }


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def test_every_signed_in_role_reads_the_directory(
    app: App, client: TestClient, world: World
) -> None:
    import_samples(app)
    for role, token in tokens(app, world).items():
        one = client.get("/v1/providers/1234567893?date=2026-03-01", headers=bearer(token))
        assert one.status_code == 200, (role, one.text)
        assert one.json()["network_status"] == "in"
        assert one.json()["contracts"][0]["fee_schedule"] == "MED-2026"
        listed = client.get("/v1/providers?network=PPO-OH&date=2026-07-01", headers=bearer(token))
        assert [p["npi"] for p in listed.json()] == ["1234567893"], role
        schedule = client.get("/v1/fee-schedules/MED-2026", headers=bearer(token))
        assert schedule.status_code == 200, role
        assert schedule.json()["rates"][1] == {
            "procedure": "99213",
            "modifier": None,
            "revenue_code": None,
            "category": None,
            "basis": "amount",
            "amount": "95.00",
        }
        assert len(client.get("/v1/fee-schedules", headers=bearer(token)).json()) == 3
    assert client.get("/v1/providers/1234567893").status_code == 401
    assert client.get("/v1/fee-schedules/MED-2026").status_code == 401


def test_reads_of_what_is_not_there(app: App, client: TestClient) -> None:
    token = token_for(app, Role.EXAMINER)
    missing = client.get("/v1/providers/1000000004", headers=bearer(token))
    assert missing.status_code == 404
    bad = client.get("/v1/providers/1000000005", headers=bearer(token))
    assert bad.status_code == 422
    assert bad.json()["problems"] == [
        {
            "where": "npi",
            "message": "1000000005 fails the NPI check digit (the last digit would be 4)",
        }
    ]
    assert client.get("/v1/fee-schedules/NOPE", headers=bearer(token)).status_code == 404
    assert client.get("/v1/providers?limit=0", headers=bearer(token)).status_code == 422


def test_only_administrators_import(app: App, client: TestClient, world: World) -> None:
    for role, token in tokens(app, world).items():
        if role is Role.ADMIN:
            continue
        fees = client.post(
            "/v1/fee-schedules/MED-2026/import?network=in",
            content=sample("med-2026.csv"),
            headers=bearer(token, **CSV),
        )
        assert fees.status_code == 403, role
        providers = client.post(
            "/v1/providers/import", content=sample("providers.csv"), headers=bearer(token, **CSV)
        )
        assert providers.status_code == 403, role
    admin = bearer(token_for(app, Role.ADMIN, username="boss"))
    assert client.get("/v1/fee-schedules", headers=admin).json() == []
    assert client.get("/v1/providers", headers=admin).json() == []


def test_an_administrator_imports_and_a_rejected_file_changes_nothing(
    app: App, client: TestClient
) -> None:
    admin = bearer(token_for(app, Role.ADMIN), **CSV)
    settings = "network=in&percent_of_medicare=120%25&name=Medical%202026"
    created = client.post(
        f"/v1/fee-schedules/med-2026/import?{settings}&filename=med.csv",
        content=sample("med-2026.csv"),
        headers=admin,
    )
    assert created.status_code == 200, created.text
    assert created.json() == {
        "code": "MED-2026",
        "filename": "med.csv",
        "file": "rates",
        "accepted": True,
        "created": True,
        "rows": 5,
        "settings_changed": [],
        "added": 5,
        "changed": 0,
        "removed": 0,
        "unchanged": 0,
        "errors": [],
    }
    bad_settings = client.post(
        "/v1/fee-schedules/RX/import?network=sideways&awp_discount=2",
        content="ndc,awp\n00093714656,1\n",
        headers=admin,
    )
    assert bad_settings.status_code == 422
    assert [p["where"] for p in bad_settings.json()["problems"]] == ["network", "awp_discount"]
    rx = client.post(
        "/v1/fee-schedules/RX-2026/import?network=in&claim_types=pharmacy",
        content=sample("rx-2026-drugs.csv"),
        headers=admin,
    )
    assert rx.status_code == 200 and rx.json()["file"] == "drug_prices"

    rejected = client.post(
        "/v1/providers/import",
        content=sample("providers.csv").replace("282N00000X", "282N0000X"),
        headers=admin,
    )
    assert rejected.status_code == 422
    assert rejected.json()["problems"] == [
        {
            "where": "row 3, taxonomy",
            "message": "a taxonomy code is 10 letters or digits ending in X, e.g. 207Q00000X",
        }
    ]
    assert client.get("/v1/providers", headers=admin).json() == []
    accepted = client.post(
        "/v1/providers/import?filename=roster.csv", content=sample("providers.csv"), headers=admin
    )
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["filename"], accepted.json()["providers_added"]) == ("roster.csv", 4)
    again = client.post("/v1/providers/import", content=sample("providers.csv"), headers=admin)
    assert again.json()["providers_unchanged"] == 4
    not_text = client.post("/v1/providers/import", content=b"\xff\xfe\x00", headers=admin)
    assert not_text.status_code == 422
    assert not_text.json()["problems"] == [{"where": "body", "message": "not UTF-8 text"}]
