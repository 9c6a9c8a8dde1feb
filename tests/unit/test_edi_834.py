"""834 (005010X220A1) read into members with their coverage rows (DESIGN 9): every sample of
../shared/x12-samples mapped, read off the files by hand, and malformed elements rejecting the
set with the segment and element named."""

from __future__ import annotations

from typing import Any

import pytest

from aso.edi.x834 import MemberRead
from tests.unit.edi_builders import events, only, parse_text, sample, texts
from tests.unit.x834_builders import coverage, enrollment, family, interchange, member

SAMPLES: dict[str, dict[str, Any]] = {
    "add-dependent--full-time-student--to-existing-enrollment.edi": {
        "subscriber": "123456789",
        "relationship": "child",
        "relationship_code": "19",
        "maintenance": "021",
        "maintenance_reason": "28",
        "benefit_status": "A",
        "student_status": "F",
        "group": "123456001",
        "last_name": "DOE",
        "first_name": "JAMES",
        "middle_name": "E",
        "ssn": "***-**-9876",
        "dob": "1977-08-16",
        "sex": "M",
        "coverage": [
            {
                "line": "medical",
                "insurance_line": "HLT",
                "maintenance": "021",
                "start": "1996-06-01",
            }
        ],
    },
    "add-subscriber-coverage.edi": {
        "subscriber": "202443307",
        "relationship": "subscriber",
        "maintenance": "001",
        "maintenance_reason": "22",
        "employment_status": "FT",
        "first_name": "WILLIAM",
        "last_name": "SMITH",
        "id": "2024433307",
        "coverage": [
            {"line": "dental", "insurance_line": "DEN", "maintenance": "021", "start": "2002-07-01"}
        ],
    },
    "cancel-a-dependent.edi": {
        "relationship": "child",
        "maintenance": "024",
        "maintenance_reason": "07",
        "eligibility_end": "1996-08-01",
        "dob": "1977-08-16",
        "coverage": [],
    },
    "change-subscriber-information.edi": {
        "relationship": "subscriber",
        "maintenance": "001",
        "maintenance_reason": "25",
        "dob": "1950-04-15",
        "prior": {"last_name": "DOE", "first_name": "JAMES", "dob": "1950-04-16"},
        "coverage": [],
    },
    "enroll-employee-in-managed-care-product.edi": {
        "subscriber": "202443307",
        "maintenance": "021",
        "ssn": "***-**-3307",
        "dob": "1970-06-14",
        "eligibility_start": "1996-01-12",
        "address": {
            "address1": "1715 SOUTHWIND AVENUE",
            "city": "ANYTOWN",
            "state": "PA",
            "zip": "171110000",
        },
        "coverage": [
            {
                "line": "medical",
                "insurance_line": "HMO",
                "maintenance": "021",
                "start": "1996-06-01",
            }
        ],
    },
    "enroll-employee-in-multiple-health-care-insurance-products.edi": {
        "first_name": "JOHN",
        "middle_name": "P",
        "ssn": "***-**-6789",
        "address": {
            "address1": "100 MARKET ST",
            "address2": "APT 3G",
            "city": "CAMP HILL",
            "state": "PA",
            "zip": "17011",
        },
        "coverage": [
            {"line": line, "insurance_line": code, "maintenance": "021", "start": "1996-06-01"}
            for line, code in (("medical", "HLT"), ("dental", "DEN"), ("vision", "VIS"))
        ],
    },
    "reinstate-an-employee.edi": {
        "maintenance": "025",
        "effective": "1996-10-01",
        "coverage": [],
    },
    "reinstate-employee-at-coverage--hd--level.edi": {
        "maintenance": "025",
        "coverage": [
            {"line": "dental", "insurance_line": "DEN", "maintenance": "025", "start": "2002-07-01"}
        ],
    },
    "reinstate-member-eligibility--ins-.edi": {
        "maintenance": "025",
        "id": "202443307",
        "coverage": [],
    },
    "terminate-eligibility-for-subscriber.edi": {
        "maintenance": "024",
        "maintenance_reason": "08",
        "employment_status": "TE",
        "eligibility_end": "1996-10-01",
        "coverage": [],
    },
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_834_sample_is_read_and_mapped(name: str) -> None:
    document = parse_text(sample("X220A1", name))
    transaction = only(document)
    assert (transaction["set"], transaction["guide"], transaction["status"]) == (
        "834",
        "005010X220A1",
        "accepted",
    )
    assert transaction["errors"] == [] and document["errors"] == []
    (found,) = transaction["members"]
    expected = SAMPLES[name]
    assert {key: found.get(key) for key in expected} == expected
    assert "123456789" not in str({k: v for k, v in found.items() if k not in ("subscriber",)})


def test_the_set_header_says_whose_enrollment_and_how_it_applies() -> None:
    reads = [
        e
        for e in events(sample("X220A1", "change-subscriber-information.edi"))
        if isinstance(e, MemberRead)
    ]
    (read,) = reads
    assert read.enrollment.to_json() == {
        "purpose": "00",
        "reference": "12456",
        "created": "1998-05-20",
        "action": "2",
        "sponsor": {"name": "GENERIC INC", "qualifier": "FI", "id": "000111000"},
        "payer": {"name": "ABC INSURANCE", "id": "654456654"},
    }
    assert read.member.ssn == "103229876"  # for matching and storing encrypted, never shown


def test_a_family_with_plan_and_tier() -> None:
    text = interchange(enrollment(*family(), action="RX", effective="20260101"))
    transaction = only(parse_text(text))
    assert transaction["status"] == "accepted"
    assert [
        (m["first_name"], m["relationship"], m["coverage"]) for m in transaction["members"]
    ] == [
        (
            first,
            relationship,
            [
                {
                    "line": "medical",
                    "insurance_line": "HLT",
                    "maintenance": "021",
                    "plan": "PPO1500",
                    "tier": "family",
                    "coverage_level": "FAM",
                    "start": "2026-01-01",
                }
            ],
        )
        for first, relationship in (("ANA", "subscriber"), ("LUIS", "spouse"), ("MIA", "child"))
    ]
    assert transaction["members"][0]["address"] == {
        "address1": "12 OAK ST",
        "city": "COLUMBUS",
        "state": "OH",
        "zip": "43215",
    }


def test_a_termination_date_range_and_lines_this_tpa_does_not_administer() -> None:
    loop = member(
        coverage("DEN", "DENTAL-PPO", "EMP", "20260101", "20260630", maintenance="024"),
        coverage("HE", "HEARING", "EMP", maintenance="021"),
        maintenance="024",
    )
    text = interchange(enrollment(loop)).replace(
        "DTP*348*D8*20260101~\nDTP*349*D8*20260630", "DTP*348*RD8*20260101-20260630"
    )
    (found,) = only(parse_text(text))["members"]
    assert found["coverage"] == [
        {
            "line": "dental",
            "insurance_line": "DEN",
            "maintenance": "024",
            "plan": "DENTAL-PPO",
            "tier": "employee",
            "coverage_level": "EMP",
            "start": "2026-01-01",
            "end": "2026-06-30",
        },
        {
            "insurance_line": "HE",
            "maintenance": "021",
            "plan": "HEARING",
            "tier": "employee",
            "coverage_level": "EMP",
            "start": "2026-01-01",
        },
    ]


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("INS*Y*18*021", "INS*Y*18*099", "segment 7 (INS, segment 5 of set 0001), element INS03"),
        ("INS*Y*18*021", "INS*N*18*021", "segment 7 (INS, segment 5 of set 0001), element INS02"),
        (
            "DMG*D8*19800302",
            "DMG*D8*19800231",
            "segment 12 (DMG, segment 10 of set 0001), element DMG02",
        ),
        ("HD*021**HLT", "HD*021**XYZ", "segment 13 (HD, segment 11 of set 0001), element HD03"),
        ("*FAM", "*QQQ", "segment 13 (HD, segment 11 of set 0001), element HD05"),
        (
            "DTP*348*D8*20260101",
            "DTP*348*D6*260101",
            "segment 14 (DTP, segment 12 of set 0001), element DTP02",
        ),
        ("****2", "****7", "segment 4 (BGN, segment 2 of set 0001), element BGN08"),
        (
            "N1*P5*ACME WIDGETS*FI*311234567",
            "N1*P5*ACME WIDGETS*FI",
            "segment 5 (N1, segment 3 of set 0001), element N104",
        ),
    ],
    ids=[
        "maintenance",
        "subscriber indicator",
        "birth date",
        "insurance line",
        "coverage level",
        "date format",
        "action",
        "sponsor id",
    ],
)
def test_a_malformed_element_rejects_the_set_naming_it(old: str, new: str, where: str) -> None:
    text = interchange(enrollment(member(coverage())))
    bent = text.replace(old, new, 1)
    assert bent != text
    transaction = only(parse_text(bent))
    assert transaction["status"] == "rejected"
    assert any(t.startswith(where) for t in texts(transaction["errors"])), texts(
        transaction["errors"]
    )


def test_a_set_without_members_or_sponsor_is_rejected() -> None:
    transaction = only(parse_text(interchange(["BGN*00*1*20260510*1200****2"])))
    assert texts(transaction["errors"]) == [
        "segment 3 (INS, segment 1 of set 0001): the set has no member loop (2000, INS): at "
        "least one is required",
        "segment 4 (N1, segment 2 of set 0001): the sponsor (N1*P5) is required",
    ]


def test_a_member_without_its_subscriber_identifier_is_flagged() -> None:
    loop = [segment for segment in member(coverage()) if not segment.startswith("REF*0F")]
    text = interchange(enrollment(loop))
    transaction = only(parse_text(text))
    assert transaction["status"] == "accepted"
    assert texts(transaction["warnings"]) == [
        "warning: segment 7 (REF, segment 5 of set 0001): the subscriber identifier (REF*0F) is "
        "missing: the guide requires it, and the member cannot be enrolled without it"
    ]


def test_an_ssn_that_is_not_one_is_not_kept() -> None:
    text = interchange(enrollment(member(coverage(), ssn="000123456")))
    transaction = only(parse_text(text))
    assert "ssn" not in transaction["members"][0]
    assert "NM109 is not an SSN" in texts(transaction["warnings"])[0]


def test_a_set_without_its_beginning_segment_is_rejected() -> None:
    body = enrollment(member(coverage()))[1:]
    transaction = only(parse_text(interchange(body)))
    assert texts(transaction["errors"]) == [
        "segment 3 (BGN, segment 1 of set 0001): the beginning segment (BGN) is required"
    ]
