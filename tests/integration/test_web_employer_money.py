"""An employer's money page on SQLite and PostgreSQL: the monthly chart of claims funding
requested and admin fees invoiced (inline SVG), the funding position, the funding requests and
invoices with their documents linked, nothing about a member, and only for the employer's own
benefits manager, TPA staff and auditors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.api.deps import TOKEN_COOKIE
from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.security.domain import Role
from tests.builders import token_for
from tests.integration.adminfees_builders import FEB, JAN, issue, world_with_agreement
from tests.integration.claims_builders import ClaimsWorld, build_world
from tests.integration.payments_builders import adjudicated, deposit, funding_account, run, visit
from tests.integration.providers_builders import import_samples


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    import_samples(app)
    found = world_with_agreement(app)
    funding_account(uow, found)
    adjudicated(uow, visit("V-1", found.ann, 125), visit("V-2", found.bo, 75))
    cycle = run(uow, found, on="2026-02-10")
    deposit(uow, found, "100.00", on="2026-02-11", reference=cycle.number)
    issue(app, JAN, found.employer_id)
    issue(app, FEB, found.employer_id)
    return found


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


def sign_in(client: TestClient, app: App, role: Role, **scope: Any) -> TestClient:
    """The client with the session cookie of a new user of ``role`` (web pages read it)."""
    client.cookies.set(TOKEN_COOKIE, token_for(app, role, **scope))
    return client


def test_the_benefits_manager_sees_what_the_plan_costs(
    app: App, client: TestClient, world: ClaimsWorld
) -> None:
    sign_in(client, app, Role.EMPLOYER, employer_id=world.employer_id)
    page = client.get(f"/employers/{world.employer_id}/money")
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count("<svg") == 1 and "<title>Claims funding requested and admin fees" in html
    assert "<title>Claims funding requested, Feb 2026: $150</title>" in html
    assert "<title>Admin fees invoiced, Jan 2026:" in html
    assert "Admin fees invoiced, Feb 2026:" in html
    assert html.count("funding-request?format=pdf") == 1
    assert html.count("?format=pdf") == 3  # the request and two invoices
    assert "$50.00" in html  # requested 150, deposited 100: 50 outstanding
    for member in ("Lee", "Diaz", world.ann, world.bo, "V-1"):
        assert member not in html, member


def test_others_may_not_look(app: App, client: TestClient, world: ClaimsWorld) -> None:
    other = build_world(app, app.uow(), ein="36-7654321")
    url = f"/employers/{world.employer_id}/money"
    refused = sign_in(client, app, Role.EMPLOYER, employer_id=other.employer_id).get(url)
    assert refused.status_code == 404 and "Acme" not in refused.text
    member = sign_in(client, app, Role.MEMBER, member_number=world.ann)
    assert member.get(url).status_code in (403, 404)
    for role in (Role.ADMIN, Role.AUDITOR):
        assert sign_in(client, app, role).get(url).status_code == 200
    client.cookies.clear()
    assert client.get(url, follow_redirects=False).status_code == 303
