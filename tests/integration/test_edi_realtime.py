"""``POST /v1/x12`` on SQLite and PostgreSQL: 270 inquiries answered with 271s and 276 requests
with 277s from the members, plans, accumulators and claims on file, rejections answered with a
999 or a TA1, access for staff and providers only, and every answer about a member or a claim
audit-logged.

The world is ``claims_builders``' Acme: PPO 1500 (deductible 1500/3000 in network, out-of-pocket
5000/10000) and the 4-tier pharmacy plan sharing its accumulators; the Lee family (Ann, Bo, Cy)
on tier family, Dee Diaz alone on tier employee. Each answer is read back with the project's
reader: one accepted set, its counts right.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.members.service import change_coverage_end
from aso.plans.domain import Line
from aso.security.domain import SYSTEM, Role
from tests.builders import token_for
from tests.integration.claims_builders import (
    ClaimsWorld,
    adjudicate,
    build_world,
    claim,
    execute,
    line,
    rows,
    submit,
)
from tests.integration.realtime_builders import (
    CLINIC_NPI,
    between,
    inquiry_270,
    segments,
    status_276,
)
from tests.unit.edi_builders import parse_text, swap

OTHER_NPI = "1245319599"

X12 = {"Content-Type": "application/edi-x12"}
PPO = "PPO 1500"
RX = "Pharmacy 4-tier (with PPO 1500)"


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    return build_world(app, uow)


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


@pytest.fixture
def provider(app: App) -> dict[str, str]:
    token = token_for(app, Role.PROVIDER, username="clinic", npis=[CLINIC_NPI, OTHER_NPI])
    return {"Authorization": f"Bearer {token}"}


def ask(client: TestClient, headers: dict[str, str], text: str, kind: str = "answer") -> str:
    response = client.post("/v1/x12", content=text, headers=headers | X12)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/edi-x12"
    assert response.headers["x-x12-answer"] == kind
    return response.text


def read_back(text: str, set_id: str) -> dict[str, Any]:
    document = parse_text(text)
    assert document["errors"] == []
    (transaction,) = document["transactions"]
    assert (transaction["set"], transaction["status"], transaction["errors"]) == (
        set_id,
        "accepted",
        [],
    )
    return transaction


def today() -> str:
    return f"{datetime.now(UTC):%Y%m%d}"


def audit(app: App, record_type: str) -> list[tuple[Any, ...]]:
    return rows(
        app.uow(),
        "SELECT username, record_id, detail FROM audit_log WHERE record_type = :kind "
        "AND action = 'view' ORDER BY id",
        kind=record_type,
    )


def member_pk(app: App, number: str) -> str:
    ((pk,),) = rows(app.uow(), "SELECT id FROM members WHERE member_number = :n", n=number)
    return str(pk)


# 270 -> 271 --------------------------------------------------------------------------------------


def test_a_covered_member_with_the_deductible_partly_met(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld, provider: dict[str, str]
) -> None:
    """Ann met 800 of her 1500 deductible (an 800 lab bill, all of it deductible, so also 800 of
    her 5000 out-of-pocket maximum); her family the same 800 of 3000 and 10000."""
    submit(uow, claim("LAB1", world.ann, line("2026-03-01", 900, category="lab", allowed=800)))
    adjudicate(uow)
    text = ask(client, provider, inquiry_270(world.ann, last="LEE", first="ANN", birth="19800302"))
    read_back(text, "271")
    assert between(text, "HL*3", "EB*G") == [
        "HL*3*2*22*0",
        "TRN*2*TRACE-1*9CLINIC0001",
        f"NM1*IL*1*Lee*Ann****MI*{world.ann}",
        "N3*1 Main St",
        "N4*Columbus*OH*43215",
        "DMG*D8*19800302*F",
        "DTP*346*D8*20260101",
        "DTP*347*D8*20261231",
        f"EB*1*FAM*30**{PPO}",
        "DTP*291*RD8*20260101-20261231",
        "EB*C*IND*30***23*1500*****Y",
        "EB*C*IND*30***29*700*****Y",
        "EB*C*FAM*30***23*3000*****Y",
        "EB*C*FAM*30***29*2200*****Y",
        "EB*C*IND*30***23*3000*****N",
        "EB*C*IND*30***29*3000*****N",
        "EB*C*FAM*30***23*6000*****N",
        "EB*C*FAM*30***29*6000*****N",
    ]
    found = segments(text)
    assert found[found.index("EB*G*IND*30***23*5000*****Y") + 1] == "EB*G*IND*30***29*4200*****Y"
    assert "EB*G*FAM*30***29*9200*****Y" in found
    assert between(text, "EB*1**98", "EB*I**AL") == [
        "EB*1**98",
        "EB*B**98***27*25*****Y",
        "EB*A**98*****.4****N",
    ]
    assert between(text, "EB*1**47", "EB*1**86") == [
        "EB*1**47",
        "EB*A**47*****.2***Y*Y",
        "EB*A**47*****.4***Y*N",
    ]
    assert f"EB*1*FAM*88**{RX}" in found
    assert "EB*I**35" in found  # no dental coverage
    assert segments(text)[0].startswith("ISA*00*          *00*          *ZZ*ASOTPA         *ZZ*")
    assert found[1].startswith("GS*HB*ASOTPA*CLINIC*")
    assert audit(app, "member") == [("clinic", member_pk(app, world.ann), "270/271 eligibility")]


def test_an_inquiry_about_specific_service_types(
    app: App, client: TestClient, world: ClaimsWorld, provider: dict[str, str]
) -> None:
    text = ask(client, provider, inquiry_270(world.dee, service_types="98^UC^AL"))
    read_back(text, "271")
    assert between(text, "EB*1", "SE*") == [
        f"EB*1*EMP*30**{PPO}",
        "DTP*291*RD8*20260101-20261231",
        "EB*C*IND*30***23*1500*****Y",
        "EB*C*IND*30***29*1500*****Y",
        "EB*C*IND*30***23*3000*****N",
        "EB*C*IND*30***29*3000*****N",
        "EB*G*IND*30***23*5000*****Y",
        "EB*G*IND*30***29*5000*****Y",
        "EB*G*IND*30***23*10000*****N",
        "EB*G*IND*30***29*10000*****N",
        "EB*1**98",
        "EB*B**98***27*25*****Y",
        "EB*A**98*****.4****N",
        "EB*1**UC",
        "EB*B**UC***27*75*****Y",
        "EB*A**UC*****.4****N",
        "EB*I**AL",
    ]


@pytest.mark.parametrize(
    ("member", "fields", "aaa"),
    [
        ("M000000018", {}, "AAA*Y**75*C"),
        ("", {}, "AAA*N**72*C"),
        ("ann", {"last": "SMITH"}, "AAA*Y**73*C"),
        ("ann", {"birth": "19800303"}, "AAA*Y**71*C"),
    ],
)
def test_a_subscriber_not_found_gets_an_aaa_and_nothing_else(
    app: App,
    client: TestClient,
    world: ClaimsWorld,
    provider: dict[str, str],
    member: str,
    fields: dict[str, str],
    aaa: str,
) -> None:
    member_id = world.ann if member == "ann" else member
    text = ask(client, provider, inquiry_270(member_id, **fields))
    read_back(text, "271")
    name = f"NM1*IL*1*{fields.get('last', '')}*****MI*{member_id}".rstrip("*")
    expected = ["HL*3*2*22*0", "TRN*2*TRACE-1*9CLINIC0001", name, aaa]
    if "birth" in fields:
        expected.append(f"DMG*D8*{fields['birth']}")
    assert between(text, "HL*3", "SE*") == expected
    assert not any(s.startswith("EB*") for s in segments(text))
    assert audit(app, "member") == []


def test_a_terminated_member_is_inactive_after_the_end(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld, provider: dict[str, str]
) -> None:
    change_coverage_end(
        uow=uow, actor=SYSTEM, member_id=world.dee, line=Line.MEDICAL, end=date(2026, 3, 31),
        today=date(2026, 6, 1),
    )  # fmt: skip
    after = ask(client, provider, inquiry_270(world.dee, on="20260601"))
    read_back(after, "271")
    assert between(after, "DTP*346", "EB*B**88") == [
        "DTP*346*D8*20260101",
        "DTP*347*D8*20260331",
        f"EB*6*EMP*30**{PPO}",
        "DTP*356*D8*20260101",
        "DTP*357*D8*20260331",
        "EB*I**35",
        f"EB*1*EMP*88**{RX}",
        "DTP*291*RD8*20260101-20261231",
        "EB*G*IND*88***23*5000*****Y",  # the pharmacy plan has an out-of-pocket maximum alone
        "EB*G*IND*88***29*5000*****Y",
    ]
    before = ask(client, provider, inquiry_270(world.dee, on="20260315"))
    assert f"EB*1*EMP*30**{PPO}" in segments(before)


def test_a_dependent_is_answered_as_the_subscriber_of_its_own_id(
    app: App, client: TestClient, world: ClaimsWorld, provider: dict[str, str]
) -> None:
    text = ask(client, provider, inquiry_270(world.ann, dependent=("CY", "LEE", "20150901")))
    read_back(text, "271")
    assert between(text, "HL*3", "DTP*346") == [
        "HL*3*2*22*0",
        "TRN*2*TRACE-1*9CLINIC0001",
        f"NM1*IL*1*Lee*Cy****MI*{world.cy}",
        "N3*1 Main St",
        "N4*Columbus*OH*43215",
        "DMG*D8*20150901*F",
        "INS*Y*18*001*25",
    ]
    assert audit(app, "member") == [("clinic", member_pk(app, world.cy), "270/271 eligibility")]
    unknown = ask(client, provider, inquiry_270(world.ann, dependent=("ZED", "LEE", "20150901")))
    read_back(unknown, "271")
    assert between(unknown, "HL*3", "SE*") == [
        "HL*3*2*22*1",
        f"NM1*IL*1******MI*{world.ann}",
        "HL*4*3*23*0",
        "TRN*2*TRACE-1*9CLINIC0001",
        "NM1*03*1*LEE*ZED",
        "AAA*Y**77*C",
        "DMG*D8*20150901",
    ]


# 276 -> 277 --------------------------------------------------------------------------------------


def test_the_status_of_an_adjudicated_claim_paid_later(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld, provider: dict[str, str]
) -> None:
    """Bo's office visit (99213: allowed 110, copay 25, the plan pays 85) and lab (80053: 800
    allowed, all of it deductible): adjudicated, awaiting the payment run (F0:3), then paid
    (F1:65); the lab line alone pays nothing (F4:104)."""
    visit = line("2026-03-02", 150, category="office_visit_pcp", procedure="99213", allowed=110)
    lab = line("2026-03-02", 900, category="lab", procedure="80053", allowed=800)
    submit(uow, claim("OV1", world.bo, visit, lab))
    adjudicate(uow)
    asked = [
        "REF*EJ*OV1",
        "SVC*HC:99213*150*****1",
        "DTP*472*D8*20260302",
        "SVC*HC:80053*900*****1",
        "SVC*HC:99999*10*****1",
    ]
    text = ask(client, provider, status_276(world.bo, first="BO", claims=[asked]))
    read_back(text, "277")
    ((key,),) = rows(app.uow(), "SELECT id FROM claims WHERE claim_number = 'OV1'")
    day = today()
    assert between(text, "HL*4", "SE*") == [
        "HL*4*3*22*0",
        f"NM1*IL*1**BO****MI*{world.bo}",
        "TRN*2*T1",
        f"STC*F0:3*{day}**1050*85",
        f"REF*1K*{key}-1",
        "REF*EJ*OV1",
        "DTP*472*D8*20260302",
        "SVC*HC:99213*150*85****1",
        f"STC*F0:3*{day}",
        "DTP*472*D8*20260302",
        "SVC*HC:80053*900*0****1",
        f"STC*F4:104*{day}",
        "DTP*472*D8*20260302",
        "SVC*HC:99999*10*0****1",
        f"STC*D0:35*{day}",
    ]
    execute(uow, "UPDATE claims SET status = 'paid' WHERE claim_number = 'OV1'")
    paid = ask(client, provider, status_276(world.bo, claims=[[f"REF*1K*{key}-1"]]))
    read_back(paid, "277")
    assert f"STC*F1:65*{day}**1050*85" in segments(paid)
    assert [r[2] for r in audit(app, "claim")] == ["276/277 claim status"] * 2


def test_denied_pended_received_and_unknown_claims(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld, provider: dict[str, str]
) -> None:
    change_coverage_end(
        uow=uow, actor=SYSTEM, member_id=world.dee, line=Line.MEDICAL, end=date(2026, 3, 31),
        today=date(2026, 6, 1),
    )  # fmt: skip
    submit(uow, claim("DEN1", world.dee, line("2026-05-01", 200, category="lab", allowed=150)))
    submit(uow, claim("BIG1", world.ann, line("2026-03-01", 60000, category="lab", allowed=40000)))
    adjudicate(uow)
    submit(uow, claim("NEW1", world.ann, line("2026-05-20", 120, category="lab")))
    day = today()

    denied = ask(client, provider, status_276(world.dee, claims=[["REF*EJ*DEN1"]]))
    read_back(denied, "277")
    assert f"STC*F2:88:IL*{day}**200*0" in segments(denied)

    text = ask(client, provider, status_276(world.ann, claims=[
        ["REF*EJ*BIG1"], ["REF*EJ*NEW1"], ["REF*EJ*NOPE", "AMT*T3*75", "DTP*472*D8*20260301"],
    ]))  # fmt: skip
    read_back(text, "277")
    found = segments(text)
    assert f"STC*P2:40*{day}**60000" in found
    assert any(s.startswith("STC*P1:20*") and s.endswith("**120") for s in found)
    assert between(text, "TRN*2*T3", "SE*") == [
        "TRN*2*T3",
        f"STC*A4:35*{day}**75",
        "REF*EJ*NOPE",
        "DTP*472*D8*20260301",
    ]


def test_a_claim_is_answered_only_to_its_patient_and_provider(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld, provider: dict[str, str]
) -> None:
    submit(uow, claim("CY1", world.cy, line("2026-02-01", 180, category="office_visit_pcp",
                                             allowed=110)))  # fmt: skip
    adjudicate(uow)
    day = today()
    by_dependent = ask(client, provider, status_276(
        world.ann, claims=[["REF*EJ*CY1"]], dependent=("CY", "LEE", "20150901")))  # fmt: skip
    read_back(by_dependent, "277")
    assert between(by_dependent, "HL*4", "REF*1K") == [
        "HL*4*3*22*1",
        f"NM1*IL*1******MI*{world.ann}",
        "HL*5*4*23",
        "NM1*QC*1*LEE*CY",
        "TRN*2*T1",
        f"STC*F0:3*{day}**180*85",
    ]
    by_dates = ask(client, provider, status_276(world.cy, claims=[["DTP*472*RD8*20260101-20260131",
        ], ["DTP*472*RD8*20260201-20260228"]]))  # fmt: skip
    assert [s[:8] for s in segments(by_dates) if s.startswith("STC*")] == ["STC*A4:3", "STC*F0:3"]
    for wrong in (
        status_276(world.bo, claims=[["REF*EJ*CY1"]]),
        status_276(world.cy, claims=[["REF*EJ*CY1"]], npi=OTHER_NPI),
        status_276(world.cy, claims=[["REF*EJ*CY1"]]).replace("*XX*1234567893", "*FI*123456789"),
        status_276(world.ann, claims=[["REF*EJ*CY1"]], dependent=("CY", "LEE", "20150902")),
    ):
        assert any(s.startswith("STC*A4:35*") for s in segments(ask(client, provider, wrong)))
    assert len(audit(app, "claim")) == 2


def test_a_provider_user_asks_only_as_the_npis_it_acts_for(
    app: App, uow: UnitOfWork, client: TestClient, world: ClaimsWorld
) -> None:
    submit(uow, claim("CY1", world.cy, line("2026-02-01", 180, category="office_visit_pcp",
                                             allowed=110)))  # fmt: skip
    adjudicate(uow)
    elsewhere = token_for(app, Role.PROVIDER, username="elsewhere", npis=[OTHER_NPI])
    headers = {"Authorization": f"Bearer {elsewhere}"}
    eligibility = ask(client, headers, inquiry_270(world.ann))
    read_back(eligibility, "271")
    assert between(eligibility, "HL*2", "SE*") == [
        "HL*2*1*21*0",
        f"NM1*1P*2*MAIN STREET CLINIC*****XX*{CLINIC_NPI}",
        "AAA*Y**41*N",
    ]
    by_name = inquiry_270(world.ann).replace(f"*XX*{CLINIC_NPI}", "*SV*CLINIC01")
    assert "AAA*Y**41*N" in segments(ask(client, headers, by_name))
    status = ask(client, headers, status_276(world.cy, claims=[["REF*EJ*CY1"]]))
    assert [s[:9] for s in segments(status) if s.startswith("STC*")] == ["STC*A4:35"]
    assert audit(app, "member") == audit(app, "claim") == []
    staff = {"Authorization": f"Bearer {token_for(app, Role.SERVICE_REP)}"}
    answered = ask(client, staff, inquiry_270(world.ann))
    assert any(s.startswith("EB*1*") for s in segments(answered))
    found = ask(client, staff, status_276(world.cy, claims=[["REF*EJ*CY1"]]))
    assert [s[:8] for s in segments(found) if s.startswith("STC*")] == ["STC*F0:3"]


# rejections and access ---------------------------------------------------------------------------


def test_a_syntax_error_is_answered_with_a_999_and_a_broken_envelope_with_a_ta1(
    app: App, client: TestClient, world: ClaimsWorld, provider: dict[str, str]
) -> None:
    bad_date = swap(inquiry_270(world.ann, birth="19800302"), "DMG*D8*19800302", "DMG*D8*1980")
    rejected = ask(client, provider, bad_date, "999")
    document = parse_text(rejected)
    assert document["transactions"][0]["set"] == "999"
    assert between(rejected, "AK1", "SE*") == [
        "AK1*HS*101*005010X279A1",
        "AK2*270*0001*005010X279A1",
        "IK3*DMG*10*2100*8",
        "IK4*2**8*1980",
        "IK5*R*5",
        "AK9*R*1*1*0",
    ]
    broken = swap(inquiry_270(world.ann), "IEA*1*", "IEA*2*")
    ta1 = ask(client, provider, broken, "ta1")
    (ta1_segment,) = [s for s in segments(ta1) if s.startswith("TA1*")]
    assert ta1_segment == "TA1*000000101*260601*1200*R*021"
    assert audit(app, "member") == []


def test_what_is_not_a_real_time_inquiry_is_refused(
    client: TestClient, world: ClaimsWorld, provider: dict[str, str]
) -> None:
    claim_file = swap(
        swap(inquiry_270(world.ann), "GS*HS*", "GS*HC*"), "ST*270*0001*005010X279A1",
        "ST*837*0001*005010X222A1",
    )  # fmt: skip
    refused = client.post("/v1/x12", content=claim_file, headers=provider | X12)
    assert refused.status_code == 422
    (problem,) = refused.json()["problems"]
    assert problem["where"] == "segment 3 (ST)" and "ST01 837" in problem["message"]
    odd_group = client.post(
        "/v1/x12", content=swap(inquiry_270(world.ann), "GS*HS*", "GS*ZZ*"), headers=provider | X12
    )
    assert odd_group.status_code == 422 and "GS01 ZZ" in odd_group.text
    junk = client.post("/v1/x12", content="hello", headers=provider | X12)
    assert junk.status_code == 422 and "not an X12 interchange" in junk.text
    as_json = client.post(
        "/v1/x12", content=inquiry_270(world.ann), headers=provider | {"Content-Type": "a/b"}
    )
    assert as_json.status_code == 422 and as_json.json()["problems"][0]["where"] == "Content-Type"
    plain = client.post(
        "/v1/x12", content=inquiry_270(world.ann), headers=provider | {"Content-Type": "text/plain"}
    )
    assert plain.status_code == 200


def test_staff_and_providers_may_ask_members_and_employers_may_not(
    app: App, client: TestClient, world: ClaimsWorld
) -> None:
    text = inquiry_270(world.ann)
    assert client.post("/v1/x12", content=text, headers=X12).status_code == 401
    for role, scope, status in (
        (Role.ADMIN, {}, 200),
        (Role.EXAMINER, {}, 200),
        (Role.SERVICE_REP, {}, 200),
        (Role.PROVIDER, {}, 200),
        (Role.MEMBER, {"member_number": world.ann}, 403),
        (Role.EMPLOYER, {"employer_id": world.employer_id}, 403),
        (Role.AUDITOR, {}, 403),
    ):
        headers = {"Authorization": f"Bearer {token_for(app, role, **scope)}"} | X12
        assert client.post("/v1/x12", content=text, headers=headers).status_code == status, role
    assert len(audit(app, "member")) == 4


def test_an_interchange_with_two_inquiries_gets_one_answer_set(
    client: TestClient, world: ClaimsWorld, provider: dict[str, str]
) -> None:
    one = inquiry_270(world.ann)
    body = one[one.index("ST*") : one.index("GE*")].replace("ST*270*0001", "ST*270*0002")
    body = body.replace("SE*12*0001", "SE*12*0002").replace(world.ann, world.dee)
    two = swap(one, "GE*1*101", body + "GE*2*101")
    text = ask(client, provider, two)
    document = parse_text(text)
    assert [(t["set"], t["status"]) for t in document["transactions"]] == [
        ("271", "accepted"),
        ("271", "accepted"),
    ]
