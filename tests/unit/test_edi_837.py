"""837P, 837I and 837D into the scenario claim shape (DESIGN 7 and 9), read from the handwritten
files of tests/data/x12, whose every value is checked here, and broken copies of them."""

from __future__ import annotations

from typing import Any

import pytest

from aso.claims.domain import ClaimType, Frequency, Network
from aso.claims.parsing import parse_claim
from tests.unit.edi_builders import (
    DENTAL,
    INSTITUTIONAL,
    PROFESSIONAL,
    data,
    only,
    parse_text,
    swap,
    texts,
)

P, INST, D = data(PROFESSIONAL), data(INSTITUTIONAL), data(DENTAL)
ANA = {
    "member": "S1001",
    "last_name": "RIVERA",
    "first_name": "ANA",
    "middle_name": "M",
    "dob": "1980-03-02",
    "sex": "F",
}
ANA_SUBSCRIBER = {
    **ANA,
    "payer_responsibility": "P",
    "relationship_code": "18",
    "group_number": "GRP1001",
    "group_name": "ACME WIDGETS",
    "claim_filing": "CI",
    "payer_name": "ASO HEALTH PLAN",
    "payer_id": "ASO01",
}


def claims(text: str) -> list[dict[str, Any]]:
    transaction = only(parse_text(text))
    assert transaction["errors"] == [], texts(transaction["errors"])
    result: list[dict[str, Any]] = transaction["claims"]
    return result


def test_the_professional_claims() -> None:
    first, second = claims(P)
    assert first == {
        "id": "PCN-1001",
        "member": "S1001",
        "type": "professional",
        "provider": {
            "name": "MAPLE FAMILY MEDICINE",
            "npi": "1234567893",
            "tin": "371234567",
            "kind": "professional",
            "taxonomy": "207R00000X",
        },
        "received": "2026-02-10",
        "diagnoses": ["J069", "R509", "E119"],
        "frequency": "1",
        "prior_auth": "PA778899",
        "patient": {"relationship": "subscriber", "relationship_code": "18", **ANA},
        "subscriber": ANA_SUBSCRIBER,
        "lines": [
            {
                "date": "2026-02-02",
                "procedure": "99213",
                "modifiers": ["25"],
                "pos": "11",
                "units": "1",
                "charge": "125.00",
            },
            {
                "date": "2026-02-02",
                "procedure": "36415",
                "pos": "11",
                "units": "1",
                "charge": "12.00",
            },
            {
                "date": "2026-02-02",
                "procedure": "J1100",
                "pos": "11",
                "ndc": "00409499101",
                "units": "2",
                "charge": "30.00",
            },
        ],
    }
    assert second["id"] == "PCN-1002" and second["member"] == "S1002"
    assert second["provider"]["taxonomy"] == "207Q00000X"  # no rendering provider: the billing's
    assert (second["frequency"], second["replaces"]) == ("7", "CLM-ORIG-77")
    assert second["diagnoses"] == ["S62101A"]
    assert second["patient"] == {
        "relationship": "child",
        "relationship_code": "19",
        "last_name": "RIVERA",
        "first_name": "SOFIA",
        "dob": "2015-04-19",
        "sex": "F",
    }
    assert second["subscriber"]["first_name"] == "JOSE"
    assert second["lines"] == [
        {
            "date": "2026-02-03",
            "procedure": "99204",
            "pos": "20",
            "units": "1",
            "charge": "240.00",
            "allowed": "140.00",
            "prior_auth": "PA-LINE-5",
            "emergency": True,
        }
    ]


def test_the_sources_keep_what_the_claim_shape_cannot() -> None:
    first, second = only(parse_text(P))["sources"]
    assert first == {
        "claim": "PCN-1001",
        "position": 21,
        "set_position": 19,
        "charge": "167.00",
        "rendering": {
            "last_name": "CHEN",
            "first_name": "LI",
            "npi": "1300000001",
            "taxonomy": "207R00000X",
        },
        "lines": [
            {"line": 1, "position": 26, "unit_basis": "UN"},
            {"line": 2, "position": 29, "unit_basis": "UN"},
            {"line": 3, "position": 32, "unit_basis": "UN"},
        ],
    }
    assert second["lines"] == [{"line": 1, "position": 53, "unit_basis": "UN"}]


def test_the_institutional_claims() -> None:
    emergency, inpatient = claims(INST)
    assert emergency["type"] == "institutional"
    assert emergency["provider"] == {
        "name": "MERCY GENERAL HOSPITAL",
        "npi": "1400000000",
        "tin": "376543210",
        "kind": "facility",
        "taxonomy": "282N00000X",
    }
    assert (emergency["type_of_bill"], emergency["frequency"]) == ("131", "1")
    assert emergency["diagnoses"] == ["R0789", "I10"]  # the reason for visit repeats the principal
    assert emergency["prior_auth"] == "PA-ER-1"
    assert emergency["lines"] == [
        {
            "date": "2026-03-01",
            "procedure": "99284",
            "revenue_code": "0450",
            "units": "1",
            "charge": "980.00",
            "emergency": True,
        },
        {
            "date": "2026-03-01",
            "procedure": "80053",
            "revenue_code": "0300",
            "units": "1",
            "charge": "120.50",
            "emergency": True,
        },
        {
            "date": "2026-03-01",
            "procedure": "71046",
            "revenue_code": "0320",
            "units": "1",
            "charge": "350.00",
            "emergency": True,
        },
    ]
    assert inpatient["type_of_bill"] == "111"
    assert inpatient["diagnoses"] == ["J189", "R0600", "E119"]
    assert inpatient["lines"] == [
        {"date": "2026-03-02", "revenue_code": "0120", "units": "3", "charge": "4500.00"},
        {"date": "2026-03-02", "revenue_code": "0250", "units": "10", "charge": "300.00"},
        {
            "date": "2026-03-02",
            "procedure": "85025",
            "revenue_code": "0300",
            "units": "1",
            "charge": "1500.00",
        },
    ]
    sources = only(parse_text(INST))["sources"]
    assert sources[1]["statement"] == {"from": "2026-03-02", "to": "2026-03-05"}
    assert sources[1]["lines"][0]["unit_basis"] == "DA"
    assert sources[0]["attending"]["npi"] == "1500000009"


def test_the_dental_claim() -> None:
    (claim,) = claims(D)
    assert claim["type"] == "dental"
    assert claim["provider"]["kind"] == "dental"
    assert claim["patient"]["relationship"] == "spouse"
    assert claim["patient"]["first_name"] == "JOSE"
    assert claim["member"] == "S1001"
    assert [(line["procedure"], line["charge"], line["date"]) for line in claim["lines"]] == [
        ("D0120", "55.00", "2026-01-15"),
        ("D1110", "95.00", "2026-01-15"),
        ("D2391", "160.00", "2026-01-15"),
    ]
    assert claim["lines"][2]["tooth"] == "30"
    assert {line["pos"] for line in claim["lines"]} == {"11"}
    (source,) = only(parse_text(D))["sources"]
    assert source["lines"][2]["teeth"] == [{"tooth": "30", "surfaces": ["M", "O"]}]


@pytest.mark.parametrize("name", [PROFESSIONAL, INSTITUTIONAL, DENTAL])
def test_the_claims_engine_accepts_every_claim(name: str) -> None:
    """The network is not in an 837: the intake finds it; everything else is the file's."""
    for document in claims(data(name)):
        claim = parse_claim({**document, "network": "in"})
        assert claim.id == document["id"]
        assert claim.provider.network is Network.IN
        assert claim.provider.npi == document["provider"]["npi"]
        assert sum(line.charge for line in claim.lines) > 0
        assert len(claim.lines) == len(document["lines"])
    engine = parse_claim({**claims(P)[1], "network": "out"})
    assert engine.frequency is Frequency.REPLACEMENT and engine.replaces == "CLM-ORIG-77"
    assert engine.lines[0].emergency and engine.lines[0].allowed == 140
    assert parse_claim({**claims(INST)[0], "network": "in"}).type is ClaimType.INSTITUTIONAL


def test_an_npi_with_a_bad_check_digit_rejects_its_claim_alone() -> None:
    transaction = only(parse_text(swap(P, "XX*1300000001", "XX*1300000002")))
    assert transaction["status"] == "accepted_with_errors"
    (error,) = transaction["errors"]
    assert error["text"] == (
        "claim PCN-1001, segment 24 (NM1, segment 22 of set 0001), element NM109: the "
        "rendering NPI '1300000002' fails the NPI check digit (Luhn over 80840 and its first "
        "9 digits)"
    )
    assert (error["level"], error["loop"], error["codes"]) == ("claim", "2310B", {"ik4": "I12"})
    assert [claim["id"] for claim in transaction["claims"]] == ["PCN-1001", "PCN-1002"]


def test_a_bad_billing_npi_rejects_every_claim_it_bills() -> None:
    transaction = only(parse_text(swap(P, "XX*1234567893", "XX*1234567890")))
    assert [(e["claim"], e["position"], e["element"]) for e in transaction["errors"]] == [
        ("PCN-1001", 10, "NM109"),
        ("PCN-1002", 10, "NM109"),
    ]
    with pytest.raises(Exception, match="fails the NPI check digit"):
        parse_claim({**transaction["claims"][0], "network": "in"})


def test_an_amount_that_is_not_one_rejects_the_set() -> None:
    transaction = only(parse_text(swap(P, "SV1*HC:36415*12*", "SV1*HC:36415*12x*")))
    assert transaction["status"] == "rejected"
    (error,) = transaction["errors"]
    assert error["text"] == (
        "segment 30 (SV1, segment 28 of set 0001), element SV102: '12x' is not a decimal "
        "amount (at most 2 decimal places)"
    )
    assert error["codes"] == {"ik3": "8", "ik4": "6"}
    assert (error["loop"], error["value"]) == ("2400", "12x")


def test_a_date_that_is_not_one_rejects_the_set() -> None:
    transaction = only(parse_text(swap(P, "DTP*472*D8*20260203", "DTP*472*D8*20260230")))
    (error,) = transaction["errors"]
    assert error["text"] == (
        "segment 55 (DTP, segment 53 of set 0001), element DTP03: '20260230' is not a date "
        "(CCYYMMDD)"
    )
    assert error["codes"] == {"ik3": "8", "ik4": "8"}


def test_a_missing_procedure_code_names_the_component() -> None:
    transaction = only(parse_text(swap(P, "SV1*HC:99204*240", "SV1*HC*240")))
    (error,) = transaction["errors"]
    assert error["text"] == (
        "segment 54 (SV1, segment 52 of set 0001), element SV101-2: the procedure code is required"
    )
    assert error["codes"] == {"ik3": "8", "ik4": "1"}


def test_a_total_charge_that_is_not_the_sum_of_the_lines_rejects_the_claim() -> None:
    transaction = only(parse_text(swap(P, "CLM*PCN-1001*167*", "CLM*PCN-1001*168*")))
    (error,) = transaction["errors"]
    assert error["text"] == (
        "claim PCN-1001, segment 21 (CLM, segment 19 of set 0001), element CLM02: CLM02 168.00 "
        "is not the sum of the line charges, 167.00"
    )
    assert transaction["status"] == "accepted_with_errors"


def test_a_claim_without_lines_breaks_the_set() -> None:
    start, end = P.index("LX*1~\r\nSV1*HC:99204"), P.index("SE*56*0001")
    text = (P[:start] + P[end:]).replace("SE*56*0001", "SE*51*0001")
    transaction = only(parse_text(text))
    (error,) = transaction["errors"]
    assert error["text"] == (
        "segment 50 (CLM, segment 48 of set 0001): claim PCN-1002 has no service line (loop "
        "2400 is required)"
    )
    assert error["codes"] == {"ik3": "I7"}


def test_icd9_codes_are_kept_and_flagged() -> None:
    transaction = only(parse_text(swap(P, "HI*ABK:S62101A", "HI*BK:8151*BF:E8889")))
    second = transaction["claims"][1]
    assert "diagnoses" not in second
    assert transaction["sources"][1]["icd9"] == ["BK:8151", "BF:E8889"]
    assert texts(transaction["warnings"]) == [
        "warning: claim PCN-1002, segment 52 (HI, segment 50 of set 0001): ICD-9-CM codes "
        "BK:8151, BF:E8889 are kept with the claim's source, not in its diagnoses: the engine "
        "reads ICD-10-CM only"
    ]
    assert transaction["status"] == "accepted"


def test_a_claim_level_repricing_prices_a_one_line_claim() -> None:
    text = swap(P, "HCP*03*140*100*REPRICER1~\r\n", "")
    text = swap(text, "REF*F8*CLM-ORIG-77~", "REF*F8*CLM-ORIG-77~\r\nHCP*03*150*90~")
    transaction = only(parse_text(text))
    assert transaction["claims"][1]["lines"][0]["allowed"] == "150.00"
    assert transaction["sources"][1]["repriced_allowed"] == "150.00"


def test_zero_pricing_gives_no_allowed_amount() -> None:
    text = swap(P, "HCP*03*140*100*REPRICER1", "HCP*00*0**REPRICER1*********T1")
    transaction = only(parse_text(text))
    assert "allowed" not in transaction["claims"][1]["lines"][0]
    assert texts(transaction["warnings"]) == [
        "warning: claim PCN-1002, segment 57 (HCP, segment 55 of set 0001), element HCP01: "
        "HCP01 00: the repricer did not price the claim (zero pricing, not covered under its "
        "contract, reject reason T1); no allowed amount is taken from it"
    ]


def test_a_predetermination_is_not_a_claim_for_payment() -> None:
    text = swap(
        D,
        "CLM*DEN-3001*310***11:B:1*Y*A*Y*Y",
        "CLM*DEN-3001*310***11:B:1*Y*A*Y*Y" + "*" * 10 + "PB",
    )
    transaction = only(parse_text(text))
    (error,) = transaction["errors"]
    assert error["element"] == "CLM19" and error["claim"] == "DEN-3001"
    assert transaction["sources"][0]["predetermination"] is True


def test_a_dental_line_without_a_date_is_rejected_with_its_claim() -> None:
    transaction = only(parse_text(swap(D, "DTP*472*D8*20260115~\n", "").replace("SE*33", "SE*32")))
    assert [(e["claim"], e["line"]) for e in transaction["errors"]] == [
        ("DEN-3001", 1),
        ("DEN-3001", 2),
        ("DEN-3001", 3),
    ]


def test_an_encounter_file_is_flagged() -> None:
    transaction = only(parse_text(swap(P, "*0930*CH~", "*0930*RP~")))
    assert texts(transaction["warnings"]) == [
        "warning: segment 4 (BHT, segment 2 of set 0001), element BHT06: BHT06 RP: the set "
        "reports encounters (services paid otherwise, e.g. under capitation), not claims for "
        "payment"
    ]
