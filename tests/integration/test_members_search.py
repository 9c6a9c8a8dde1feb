"""The service desk's member search on SQLite and PostgreSQL: by member id, employee number or
name (either order, any case, by prefix), for TPA staff only, audit-logged."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.api.deps import TOKEN_COOKIE
from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.errors import Forbidden, ValidationFailed
from aso.members.search import find_members
from aso.security.domain import Principal, Role
from tests.builders import token_for
from tests.integration.claims_builders import EXAMINER, ClaimsWorld, build_world, rows


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    build_world(app, uow, ein="36-7654321")  # a second employer's Lee family
    return build_world(app, uow)


def names(uow: UnitOfWork, text: str) -> list[tuple[str, str, str]]:
    found = find_members(uow=uow, actor=EXAMINER, text=text)
    return [(m.last_name, m.first_name, m.employer_ein) for m in found]


def test_find_by_name_id_or_employee_number(uow: UnitOfWork, world: ClaimsWorld) -> None:
    assert names(uow, "lee") == [  # by name, then as entered (the second employer first)
        ("Lee", "Ann", "36-7654321"), ("Lee", "Ann", "31-1234567"),
        ("Lee", "Bo", "36-7654321"), ("Lee", "Bo", "31-1234567"),
        ("Lee", "Cy", "36-7654321"), ("Lee", "Cy", "31-1234567"),
    ]  # fmt: skip
    assert names(uow, "LEE bo") == names(uow, "Bo Lee") == names(uow, "le b")
    assert len(names(uow, "Bo Lee")) == 2
    assert names(uow, "Di") == [("Diaz", "Dee", "36-7654321"), ("Diaz", "Dee", "31-1234567")]
    assert names(uow, world.cy.lower()) == [("Lee", "Cy", "31-1234567")]
    assert names(uow, "E5672") == [("Diaz", "Dee", "31-1234567")]
    assert names(uow, "Nobody") == []
    logged = rows(uow, "SELECT count(*) FROM audit_log WHERE detail = 'search'")
    assert logged == [(18,)]  # a row per member shown: 6 + 3 x 2 + 2 + 2 + 1 + 1


def test_only_staff_search(uow: UnitOfWork, world: ClaimsWorld) -> None:
    for role in (Role.EMPLOYER, Role.MEMBER, Role.PROVIDER, Role.AUDITOR):
        with pytest.raises(Forbidden):
            find_members(uow=uow, actor=Principal(None, "x", role), text="Lee")
    with pytest.raises(ValidationFailed):
        find_members(uow=uow, actor=EXAMINER, text="   ")


def test_the_web_pages_are_for_staff(app: App, world: ClaimsWorld) -> None:
    with TestClient(create_app(app)) as client:
        client.cookies.set(TOKEN_COOKIE, token_for(app, Role.MEMBER, member_number=world.ann))
        assert client.get("/members?q=Lee").status_code == 403
        refused = client.get(f"/members/{world.dee}")
        assert refused.status_code == 403 and "Diaz" not in refused.text
        client.cookies.set(TOKEN_COOKIE, token_for(app, Role.SERVICE_REP))
        page = client.get(f"/members/{world.cy}")
        assert page.status_code == 200 and page.text.count('class="card member"') == 3
        assert client.get("/members/M000000000").status_code == 404
