"""Cost estimates on SQLite and PostgreSQL: ``POST /v1/members/{id}/estimate`` adjudicates one
service in memory against the member's coverage, its deductible met so far and the provider's
contract, stores nothing, names ``charge`` when it cannot price, and answers only staff and the
member's own family."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.bootstrap import App
from aso.claims.batch import adjudicate_received
from aso.claims.service import get_claim
from aso.db.uow import UnitOfWork
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
from tests.integration.providers_builders import import_samples

D = Decimal
PCP = "1234567893"  # Ann Lee MD: in network, MED-2026 prices 99213 at 95.00
NO_CONTRACT = "1000000004"  # Bob Ray DO: no contract, out of network


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    import_samples(app)
    found = build_world(app, uow)
    submit(uow, claim("D1", found.dee, line("2026-02-01", 2000, category="lab", allowed=1400)))
    adjudicate(uow)
    return found


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


Found = dict[str, Any]


def ask(client: TestClient, headers: dict[str, str], member: str, **body: str) -> Found:
    url = f"/v1/members/{member}/estimate"
    response = client.post(url, json={"service_date": "2026-06-01", **body}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def amounts(found: Found, *names: str) -> tuple[Decimal, ...]:
    return tuple(D(found[name]) for name in names)


def test_an_office_visit_at_an_in_network_doctor_costs_the_copay(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld
) -> None:
    ann = bearer(app, Role.MEMBER, member_number=world.ann)
    before = rows(uow, "SELECT count(*) FROM claims")
    found = ask(client, ann, world.ann, procedure="99213", npi=PCP)
    assert (found["status"], found["network"], found["provider_name"]) == (
        "paid",
        "in",
        "Ann Lee MD",
    )
    assert found["service"] == "99213 (Office visit PCP)" and found["charge_assumed"] is True
    assert amounts(found, "charge", "allowed", "plan_pays", "copay", "you_pay") == (
        D("95.00"), D("95.00"), D("70.00"), D("25.00"), D("25.00"),
    )  # fmt: skip
    assert [n["code"] for n in found["notes"]] == ["PR-3"]
    assert rows(uow, "SELECT count(*) FROM claims") == before
    assert rows(uow, "SELECT count(*) FROM audit_log WHERE detail = 'cost estimate'") == [(1,)]


def test_the_deductible_met_so_far_counts(app: App, client: TestClient, world: ClaimsWorld) -> None:
    staff = bearer(app, Role.SERVICE_REP)
    # Dee has met 1,400 of her 1,500 deductible: 100 more, then 20% of the rest.
    lab = ask(client, staff, world.dee, category="lab", npi=PCP, charge="500")
    assert amounts(lab, "allowed", "deductible", "coinsurance", "plan_pays", "you_pay") == (
        D("500.00"), D("100.00"), D("80.00"), D("320.00"), D("180.00"),
    )  # fmt: skip
    assert "NOPRICE" in [n["code"] for n in lab["notes"]]  # no rate: the charge stands for it
    ann = ask(client, staff, world.ann, category="lab", npi=PCP, charge="500")
    assert amounts(ann, "deductible", "you_pay") == (D("500.00"), D("500.00"))


def test_out_of_network_shows_the_balance_bill(
    app: App, client: TestClient, world: ClaimsWorld
) -> None:
    staff = bearer(app, Role.SERVICE_REP)
    found = ask(client, staff, world.ann, procedure="99213", npi=NO_CONTRACT, charge="300")
    assert found["network"] == "out"
    allowed, balance, you = amounts(found, "allowed", "balance_bill", "you_pay")
    assert allowed < D("300") and balance == D("300") - allowed and you == D("300.00")
    assert "OUT" in [n["code"] for n in found["notes"]]


def test_what_cannot_be_estimated_is_refused_naming_the_field(
    app: App, client: TestClient, world: ClaimsWorld
) -> None:
    staff = bearer(app, Role.SERVICE_REP)
    url = f"/v1/members/{world.ann}/estimate"

    def problems(body: Found) -> list[str]:
        response = client.post(url, json=body, headers=staff)
        assert response.status_code == 422, response.text
        return [p["where"] for p in response.json()["problems"]]

    assert problems({"npi": PCP}) == ["procedure"]
    assert problems({"procedure": "99213", "npi": "1234567890"}) == ["npi"]
    assert problems({"category": "bariatric_surgery", "npi": PCP}) == ["charge"]
    assert problems({"category": "teleportation"}) == ["body.category"]
    body = {"category": "bariatric_surgery", "npi": PCP, "charge": "20000"}
    covered = client.post(url, json=body, headers=staff).json()
    assert (covered["status"], covered["you_pay"]) == ("denied", "20000.00")


def test_only_staff_and_the_family_may_ask(
    app: App, client: TestClient, world: ClaimsWorld
) -> None:
    body = {"procedure": "99213", "npi": PCP}
    ann = bearer(app, Role.MEMBER, member_number=world.ann)
    child = client.post(f"/v1/members/{world.cy}/estimate", json=body, headers=ann)
    assert child.status_code == 200
    other_family = client.post(f"/v1/members/{world.dee}/estimate", json=body, headers=ann)
    assert other_family.status_code == 404
    for role, scope, member in (
        (Role.MEMBER, {"member_number": world.bo}, world.cy),
        (Role.EMPLOYER, {"employer_id": world.employer_id}, world.ann),
        (Role.PROVIDER, {}, world.ann),
    ):
        response = client.post(
            f"/v1/members/{member}/estimate", json=body, headers=bearer(app, role, **scope)
        )
        assert response.status_code in (403, 404), (role, response.text)


@pytest.mark.parametrize(
    ("who", "procedure", "charge"),
    [("ann", "99213", None), ("dee", "80053", "100.00"), ("dee", "99213", "180.00")],
)
def test_an_estimate_is_what_the_claim_then_gets(
    app: App,
    uow: UnitOfWork,
    client: TestClient,
    world: ClaimsWorld,
    who: str,
    procedure: str,
    charge: str | None,
) -> None:
    member = getattr(world, who)
    staff = bearer(app, Role.SERVICE_REP)
    body = {"procedure": procedure, "npi": PCP} | ({"charge": charge} if charge else {})
    found = ask(client, staff, member, **body)
    submit(uow, claim("REAL", member, line("2026-06-01", found["charge"], procedure=procedure),
                      npi=PCP, received="2026-06-02"))  # fmt: skip
    adjudicate_received(uow=uow, actor=EXAMINER)  # priced by the directory, as in production
    [decided] = get_claim(uow=uow, actor=EXAMINER, claim_id="REAL").versions[-1].lines
    assert (decided.allowed, decided.plan_paid, decided.member_responsibility) == amounts(
        found, "allowed", "plan_pays", "you_pay"
    )
