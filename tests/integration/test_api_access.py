"""Every /v1 endpoint, as every role, against records in and out of the role's scope.

Out of scope always answers 403 or 404 and never carries the record's data (DESIGN section 1);
no token answers 401; reads of member data leave audit rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from aso.api.app import create_app
from aso.bootstrap import App
from aso.security.domain import Role
from aso.security.models import AuditEntry
from tests.builders import World, build_world, token_for

OK = 200
DENIED = (403, 404)


@pytest.fixture
def world(app: App) -> World:
    return build_world(app)


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


def endpoints(world: World) -> dict[str, str]:
    a, b = world.families["A"], world.families["B"]
    ea, eb = world.employers["A"], world.employers["B"]
    elig = "/v1/eligibility?line=medical&date=2026-03-01&member_id="
    return {
        "employer A": f"/v1/employers/{ea}",
        "employer B": f"/v1/employers/{eb}",
        "summary A": f"/v1/employers/{ea}/summary",
        "summary B": f"/v1/employers/{eb}/summary",
        "members of A": f"/v1/employers/{ea}/members",
        "members of B": f"/v1/employers/{eb}/members",
        "subscriber A": f"/v1/members/{a.subscriber}",
        "spouse A": f"/v1/members/{a.spouse}",
        "child A": f"/v1/members/{a.child}",
        "subscriber B": f"/v1/members/{b.subscriber}",
        "family A": f"/v1/members/{a.subscriber}/family",
        "family B": f"/v1/members/{b.subscriber}/family",
        "eligibility subscriber A": elig + a.subscriber,
        "eligibility spouse A": elig + a.spouse,
        "eligibility subscriber B": elig + b.subscriber,
        "pend queue": "/v1/pended-claims",
        "reprocessing": "/v1/reprocessing",
    }


ALL = frozenset(
    [
        "employer A", "employer B", "summary A", "summary B", "members of A", "members of B",
        "subscriber A", "spouse A", "child A", "subscriber B", "family A", "family B",
        "eligibility subscriber A", "eligibility spouse A", "eligibility subscriber B",
    ]
)  # fmt: skip
EXAMINERS = frozenset(["pend queue", "reprocessing"])
ALLOWED: dict[str, frozenset[str]] = {
    "admin": ALL | EXAMINERS,
    "examiner": ALL | EXAMINERS,
    "service_rep": ALL,
    "auditor": frozenset({"employer A", "employer B", "summary A", "summary B"}),
    "employer A": frozenset({"employer A", "summary A"}),
    "member subscriber A": frozenset(
        {"subscriber A", "child A", "family A", "eligibility subscriber A"}
    ),
    "member spouse A": frozenset({"spouse A", "eligibility spouse A"}),
    "provider": frozenset(
        {"eligibility subscriber A", "eligibility spouse A", "eligibility subscriber B"}
    ),
}


def _token(app: App, world: World, who: str) -> str:
    if who == "employer A":
        return token_for(app, Role.EMPLOYER, employer_id=world.employers["A"])
    if who == "member subscriber A":
        return token_for(app, Role.MEMBER, member_number=world.families["A"].subscriber)
    if who == "member spouse A":
        return token_for(app, Role.MEMBER, member_number=world.families["A"].spouse)
    return token_for(app, Role(who))


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_each_role_sees_its_scope_and_nothing_else(
    who: str, app: App, world: World, client: TestClient
) -> None:
    headers = {"Authorization": f"Bearer {_token(app, world, who)}"}
    # The data a denial must not carry (the id the caller sent may be echoed back).
    secrets = ("Brown", "Alvarez", "1980-03-02", "3456")
    sent = [m for f in world.families.values() for m in (f.subscriber, f.spouse, f.child)]
    for name, url in endpoints(world).items():
        response = client.get(url, headers=headers)
        if name in ALLOWED[who]:
            assert response.status_code == OK, (who, name, response.text)
        else:
            assert response.status_code in DENIED, (who, name, response.status_code)
            told = response.text
            for member_id in sent:  # a random id may hold "3456" by chance
                told = told.replace(member_id, "")
            assert not any(n in told for n in secrets), (who, name, response.text)


def test_a_subscriber_sees_its_minor_child_but_not_its_adult_spouse(
    app: App, world: World, client: TestClient
) -> None:
    family = world.families["A"]
    token = _token(app, world, "member subscriber A")
    response = client.get(
        f"/v1/members/{family.subscriber}/family", headers={"Authorization": f"Bearer {token}"}
    )
    ids = {m["member_id"] for m in response.json()}
    assert ids == {family.subscriber, family.child}


def test_employer_user_lists_only_its_own_employer(
    app: App, world: World, client: TestClient
) -> None:
    token = _token(app, world, "employer A")
    response = client.get("/v1/employers", headers={"Authorization": f"Bearer {token}"})
    assert [e["id"] for e in response.json()] == [world.employers["A"]]


def test_every_endpoint_needs_a_token(app: App, world: World, client: TestClient) -> None:
    for name, url in endpoints(world).items():
        assert client.get(url).status_code == 401, name
        bad = client.get(url, headers={"Authorization": "Bearer not-a-token"})
        assert bad.status_code == 401, name
    assert client.get("/v1/employers").status_code == 401


def test_reads_of_member_data_are_audit_logged(app: App, world: World, client: TestClient) -> None:
    token = _token(app, world, "service_rep")
    subscriber = world.families["A"].subscriber
    response = client.get(f"/v1/members/{subscriber}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == OK
    with app.uow() as uow:
        rows = uow.session.execute(
            select(AuditEntry.action, AuditEntry.record_type).where(
                AuditEntry.username.like("service_rep%")
            )
        ).all()
    assert [tuple(r) for r in rows] == [("view", "member")]


def test_sign_in_with_a_wrong_password_is_refused(
    app: App, world: World, client: TestClient
) -> None:
    token_for(app, Role.ADMIN, username="alice")
    bad = client.post("/v1/auth/token", data={"username": "alice", "password": "nope nope nope"})
    assert bad.status_code == 401
    good = client.post(
        "/v1/auth/token", data={"username": "alice", "password": "correct horse battery"}
    )
    assert good.status_code == 200
    me = client.get(
        "/v1/auth/me", headers={"Authorization": f"Bearer {good.json()['access_token']}"}
    )
    assert me.json()["role"] == "admin"
