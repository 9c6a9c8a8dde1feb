"""The 835 mailbox on SQLite and PostgreSQL: ``GET /v1/edi/remittances`` lists a provider user's
own 835s (by the NPIs it acts for) and every one for staff; ``GET /v1/edi/remittances/{trace}``
answers the 835 as sent, audit-logged; nobody else sees one, nor learns that it exists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.security.domain import Role
from tests.builders import bearer
from tests.integration.claims_builders import ClaimsWorld, build_world, rows
from tests.integration.payments_builders import (
    NPI_ANN,
    NPI_UNKNOWN,
    adjudicated,
    clinic_bank,
    deposit,
    funding_account,
    release,
    run,
    visit,
)
from tests.integration.providers_builders import import_samples

OTHER_NPI = "1245319599"


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    import_samples(app)
    found = build_world(app, uow)
    funding_account(uow, found)
    clinic_bank(app, uow)
    adjudicated(
        uow,
        visit("V-1", found.ann, 125),  # the plan pays the clinic 100
        visit("V-3", found.cy, 85, npi=NPI_UNKNOWN),  # 60 reimbursed to Ann
    )
    cycle = run(uow, found)
    deposit(uow, found, "160.00", reference=cycle.number)
    release(app, uow, cycle.number)
    return found


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


def test_a_provider_fetches_its_own_835s_again(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld
) -> None:
    clinic = bearer(app, Role.PROVIDER, username="clinic", npis=[NPI_ANN])
    listed = client.get("/v1/edi/remittances", headers=clinic)
    assert listed.status_code == 200, listed.text
    [mine] = listed.json()
    assert (mine["payee_qualifier"], mine["payee_id"], mine["amount"]) == ("XX", NPI_ANN, "100.00")
    assert (mine["payment_method"], mine["claims"]) == ("ACH", 1)
    fetched = client.get(f"/v1/edi/remittances/{mine['trace']}", headers=clinic)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"].startswith("application/edi-x12")
    assert mine["filename"] in fetched.headers["content-disposition"]
    assert fetched.text.startswith("ISA*") and f"TRN*1*{mine['trace']}*" in fetched.text
    assert "CLP*V-1*" in fetched.text
    assert rows(
        uow, "SELECT username, record_type FROM audit_log WHERE record_type = 'remittance'"
    ) == [("clinic", "remittance")]

    staff = bearer(app, Role.EXAMINER)
    every = client.get("/v1/edi/remittances", headers=staff).json()
    assert sorted((r["payee_qualifier"], r["payee_id"]) for r in every) == [
        ("FI", world.ann),
        ("XX", NPI_ANN),
    ]
    member_835 = next(r for r in every if r["payee_qualifier"] == "FI")
    assert client.get(f"/v1/edi/remittances/{member_835['trace']}", headers=clinic).status_code == (
        404
    )
    assert [r["trace"] for r in client.get(
        f"/v1/edi/remittances?npi={NPI_ANN}", headers=staff).json()] == [mine["trace"]]  # fmt: skip
    assert client.get("/v1/edi/remittances?since=2027-01-01", headers=staff).json() == []


def test_nobody_else_sees_an_835(app: App, client: TestClient, world: ClaimsWorld) -> None:
    staff = bearer(app, Role.ADMIN)
    trace = client.get("/v1/edi/remittances", headers=staff).json()[0]["trace"]
    elsewhere = bearer(app, Role.PROVIDER, username="elsewhere", npis=[OTHER_NPI])
    assert client.get("/v1/edi/remittances", headers=elsewhere).json() == []
    assert client.get(f"/v1/edi/remittances/{trace}", headers=elsewhere).status_code == 404
    for role, scope in (
        (Role.EMPLOYER, {"employer_id": world.employer_id}),
        (Role.MEMBER, {"member_number": world.ann}),
    ):
        headers = bearer(app, role, **scope)
        assert client.get("/v1/edi/remittances", headers=headers).status_code == 403
        assert client.get(f"/v1/edi/remittances/{trace}", headers=headers).status_code == 403
    assert client.get("/v1/edi/remittances").status_code == 401
