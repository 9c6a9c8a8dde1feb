"""Every file of ../shared/x12-samples (the ASC X12 guides' examples, from stupidedi's fixtures)
is read, and each 837 gives the claims, lines, codes and charges it holds.

The expectations below were read off the files by hand. What the readers report on them is
asserted exactly too: the guides' examples use made-up NPIs that fail the check digit (a claim
error: the claim would be rejected alone), ICD-9 codes (flagged), RD8 dates with one date, a
few dental claims without a date of service; among the other files, the 999s beside the 835s
stop after their AK1 (truncated) and the 277 ``1.era`` has an IEA02 that is not its ISA13.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from aso.claims.parsing import parse_claim
from aso.errors import ValidationFailed
from tests.conftest import shared_dir
from tests.unit.edi_builders import parse_text, sample, texts

NPI = "fails the NPI check digit"


class Line(NamedTuple):
    code: str
    """The procedure, or ``revenue/procedure`` on an 837I."""
    charge: str
    date: str | None
    extra: dict[str, Any] = {}  # noqa: RUF012 - never changed


class Claim(NamedTuple):
    id: str
    member: str
    charge: str
    lines: list[Line]
    claim: dict[str, Any] = {}  # noqa: RUF012 - never changed


def line(code: str, charge: str, date: str | None, **extra: Any) -> Line:
    return Line(code, charge, date, extra)


RH = {"modifiers": ["RH"], "emergency": True}
COB_LINES = [
    line("99213", "43.00", "2005-10-03", pos="11"),
    line("90782", "15.00", "2005-10-03"),
    line("J3301", "21.04", "2005-10-03"),
]
CHILD_TED = {"relationship": "child", "first_name": "TED", "dob": "1973-05-01", "sex": "M"}
OFFICE_2006 = [
    line("99213", "40.00", "2006-10-03"),
    line("87070", "15.00", "2006-10-03"),
    line("99214", "35.00", "2006-10-10"),
    line("86663", "10.00", "2006-10-10"),
]
HOME_INFUSION = "home-infusion-therapy-pharmacy--adjudicated-with-"
HOME_INFUSION_HCPCS = HOME_INFUSION + "HCPCS-in-loop-2400-or-NDC-in-loop-2410-.edi"
HOME_INFUSION_NDC = HOME_INFUSION + "NDC-in-loop-2410-.edi"

PROFESSIONAL: dict[str, tuple[list[Claim], list[tuple[str | None, str, str | None, str]]]] = {
    "COB-claim-from-billing-provider-to-payer-a.edi": (
        [Claim("26407789", "111223333", "79.04", COB_LINES, {"patient": CHILD_TED})],
        [("26407789", "2010AA", "NM109", NPI), ("26407789", "2310B", "NM109", NPI)],
    ),
    "COB-claim-from-billing-provider-to-payer-b.edi": (
        [Claim("26407789", "222334444", "79.04", COB_LINES, {"received": "2005-10-15"})],
        [("26407789", "2010AA", "NM109", NPI), ("26407789", "2310B", "NM109", NPI)],
    ),
    "COB-claim-from-payer-a-to-payer-b-in-payer-to-payer.edi": (
        [Claim("26407789", "22233444", "79.04", COB_LINES)],
        [("26407789", "2010AA", "NM109", NPI), ("26407789", "2310B", "NM109", NPI)],
    ),
    "ambulance.edi": (
        [
            Claim(
                "051068",
                "012345678A",
                "766.50",
                [
                    line("A0427", "700.00", "2005-02-08", units="1", pos="41", **RH),
                    line("A0425", "8.20", "2005-02-08", units="21", **RH),
                    line("A0422", "46.00", "2005-02-08", **RH),
                    line("A0382", "12.30", "2005-02-08", **RH),
                ],
                {"provider": {"taxonomy": "3416L0300X", "npi": "2366554859"}},
            )
        ],
        [("051068", "2010AA", "NM109", NPI)],
    ),
    "anesthesia.edi": (
        [
            Claim(
                "153829140",
                "123456789A",
                "827.00",
                [
                    line(
                        "00142",
                        "827.00",
                        "2005-01-12",
                        modifiers=["QK", "QS", "P1"],
                        units="61",
                        pos="22",
                    )
                ],
                {"provider": {"taxonomy": "207L00000X"}},
            )
        ],
        [("153829140", "2010AA", "NM109", NPI), ("153829140", "2310B", "NM109", NPI)],
    ),
    "chiropractic.edi": (
        [Claim("125WILL", "123456789A", "145.50", [line("98940", "145.50", "2005-02-15")])],
        [("125WILL", "2010AA", "NM109", NPI)],
    ),
    "commercial-health-insurance.edi": (
        [Claim("26463774", "JS00111223333", "100.00", OFFICE_2006, {"patient": CHILD_TED})],
        [("26463774", "2010AA", "NM109", NPI)],
    ),
    "drug-administered-in-the-physician-office.edi": (
        [
            Claim(
                "CLMNO12345",
                "MBRID12345",
                "103.37",
                [
                    line("90782", "50.00", "2004-07-11", pos="11", units="1"),
                    line("J1550", "53.37", "2004-07-11", ndc="00026063512"),
                ],
                {"provider": {"npi": "1234567893", "taxonomy": "208D00000X"}},
            )
        ],
        [],
    ),
    "encounter.edi": (
        [
            Claim(
                "26462967",
                "00221111",
                "100.00",
                [*OFFICE_2006[:1], line("87072", "15.00", "2006-10-03"), *OFFICE_2006[2:]],
            )
        ],
        [("26462967", "2010AA", "NM109", NPI)],
    ),
    HOME_INFUSION_HCPCS: (
        [
            Claim(
                "CLMNO12345",
                "MBRID01234",
                "2232.93",
                [
                    line("S9500", "1400.00", "2004-02-01", units="7", pos="12"),
                    line("J0696", "682.50", "2004-02-01", units="56", ndc="00004196501"),
                    line("J7051", "15.12", "2004-02-01", units="28", ndc="63323024910"),
                    line("J3490", "67.69", "2004-02-01", units="7", ndc="00338004938"),
                    line("J3490", "57.12", "2004-02-01", units="14", ndc="08290033010"),
                    line("J3490", "10.50", "2004-02-01", units="7", ndc="08290038005"),
                ],
            )
        ],
        [],
    ),
    HOME_INFUSION_NDC: (
        [
            Claim(
                "CLMNO12345",
                "MBRID01234",
                "2232.93",
                [
                    line("S9500", "1400.00", "2004-02-01", units="7"),
                    line("S5001", "682.50", "2004-02-01", units="7", ndc="00004196501"),
                    line("S5000", "15.12", "2004-02-01", units="14", ndc="63323024910"),
                    line("S5000", "67.69", "2004-02-01", units="7", ndc="00338004938"),
                    line("S5000", "57.12", "2004-02-01", units="14", ndc="08290033010"),
                    line("S5000", "10.50", "2004-02-01", units="7", ndc="08290038005"),
                ],
            )
        ],
        [],
    ),
    "medicare-secondary-payer-COB.edi": (
        [
            Claim(
                "101KEN6055",
                "102200221B1",
                "120.00",
                [line("99203", "120.00", "2005-01-19", modifiers=["25"])],
            )
        ],
        [("101KEN6055", "2010AA", "NM109", NPI), ("101KEN6055", "2310B", "NM109", NPI)],
    ),
    "out-of-network-repriced-claim.edi": (
        [
            Claim(
                "TS234H3",
                "57976235C",
                "252.71",
                [line("99284", "252.71", "2005-05-06", pos="23")],
                {"patient": {"relationship": "child", "first_name": "TOM"}},
            )
        ],
        [("TS234H3", "2310B", "NM109", NPI)],
    ),
    "oxygen.edi": (
        [
            Claim(
                "R03996273 #01",
                "111222333A",
                "520.24",
                [
                    line("E1390", "461.10", "2005-03-21", modifiers=["RR"]),
                    line("E0431", "59.14", "2005-03-21", modifiers=["RR"]),
                ],
            )
        ],
        [("R03996273 #01", "2010AA", "NM109", NPI)],
    ),
    "ppo-repriced-claim.edi": (
        [
            Claim(
                "ABC123-RI",
                "00124A089",
                "28.75",
                [
                    line("E0570", "25.00", "2005-05-14", modifiers=["RR"], allowed="23.75"),
                    line("A7003", "3.75", "2005-05-14", modifiers=["NU"], allowed="3.00"),
                ],
            )
        ],
        [("ABC123-RI", "2010AA", "NM109", NPI)],
    ),
    "wheelchair.edi": (
        [
            Claim(
                "SMI123",
                "987654321A",
                "75.00",
                [line("K0001", "75.00", "2005-03-21", modifiers=["RR", "KH", "BR"], pos="12")],
            )
        ],
        [],
    ),
}

INSTITUTIONAL: dict[str, tuple[list[Claim], list[tuple[str | None, str, str | None, str]]]] = {
    "837-institutional-claim.edi": (
        [
            Claim(
                "756048Q",
                "030005074A",
                "89.93",
                [
                    line("0305/85025", "13.39", "1996-09-11", units="1"),
                    line("0730/93005", "76.54", "1996-09-11", units="3"),
                ],
                {"type_of_bill": "141", "frequency": "1"},
            )
        ],
        [("756048Q", "2010AA", "NM109", NPI)],
    ),
    "automobile-accident.edi": (
        [
            Claim(
                "67236695521",
                "B999777791G",
                "545.00",
                [
                    line("0450/98765", "150.00", "2005-10-31"),
                    line("0360/26591", "75.00", "2005-10-31"),
                    line("0312/86225", "100.00", "2005-10-31", units="2"),
                    line("0360/99283", "220.00", "2005-10-31"),
                ],
                {"type_of_bill": "131", "patient": {"relationship": "other", "first_name": "RON"}},
            )
        ],
        [("67236695521", "2010AA", "NM109", NPI), ("67236695521", "2310A", "NM109", NPI)],
    ),
    "out-of-network-repriced-claim.edi": (
        [
            Claim(
                "W392-49141",
                "34902390F",
                "14.84",
                [line("0301/82270", "14.84", "2005-06-17", emergency=True)],
                {"type_of_bill": "131"},
            )
        ],
        [("W392-49141", "2310A", "NM109", NPI)],
    ),
    "ppo-repriced-claim.edi": (
        [
            Claim(
                "456DFH43",
                "345U8423H",
                "237.50",
                [
                    line("0471/92557", "178.00", "2005-07-06", allowed="137.06", emergency=True),
                    line("0471/92567", "59.50", "2005-07-06", allowed="45.82", emergency=True),
                ],
                {"patient": {"relationship": "child", "first_name": "JOY"}},
            )
        ],
        [("456DFH43", "2010AA", "NM109", NPI)],
    ),
    "two-claims-for-the-same-provider.edi": (
        [
            Claim(
                "756048Q",
                "030005074",
                "89.95",
                [
                    line("0305/85025", "13.39", "2005-03-15"),
                    line("0730/93010", "76.56", "2005-03-15", units="3"),
                ],
                {"provider": {"taxonomy": "282N00000X"}},
            ),
            Claim(
                "756049Q",
                "123405074",
                "50.00",
                [line("0300/85087", "50.00", "2005-04-01")],
            ),
        ],
        [
            ("756048Q", "2010AA", "NM109", NPI),
            ("756049Q", "2010AA", "NM109", NPI),
            ("756049Q", "2310A", "NM109", NPI),
        ],
    ),
}

NO_DATE = "the line has no date of service (DTP*472)"
DENTAL: dict[str, tuple[list[Claim], list[tuple[str | None, str, str | None, str]]]] = {
    "claim-from-billing-provider-to-payer-a.edi": (
        [
            Claim(
                "26403774",
                "JS00111223333",
                "200.00",
                [line("D3320", "200.00", "2006-11-09", tooth="5", pos="11")],
                {"patient": CHILD_TED | {"dob": "1992-05-01"}},
            )
        ],
        [("26403774", "2010AA", "NM109", NPI), ("26403774", "2310B", "NM109", NPI)],
    ),
    "claim-from-billing-provider-to-payer-b.edi": (
        [
            Claim(
                "26403774", "T55TY666", "200.00", [line("D3320", "200.00", "2006-11-09", tooth="5")]
            )
        ],
        [("26403774", "2010AA", "NM109", NPI), ("26403774", "2310B", "NM109", NPI)],
    ),
    "claim-multi-quantity-single-line.edi": (
        [
            Claim(
                "22",
                "123456",
                "44.00",
                [line("D0230", "44.00", "2014-03-03", units="4")],
                {"provider": {"npi": "1234567984", "taxonomy": "1223G0001X"}},
            )
        ],
        [],
    ),
    "commercial-health-insurance.edi": (
        [
            Claim(
                "26403774",
                "111223333",
                "150.00",
                [
                    line("D2150", "100.00", "2006-10-29", tooth="12"),
                    line("D1110", "50.00", "2006-10-29"),
                ],
            )
        ],
        [("26403774", "2010AA", "NM109", NPI), ("26403774", "2310B", "NM109", NPI)],
    ),
    "multiple-tooth-numbers.edi": (
        [Claim("1191", "123456", "900.00", [line("D5214", "900.00", None, tooth="31")])],
        [("1191", "2400", None, NO_DATE)],
    ),
    "orthodontic-treatment-plan.edi": (
        [Claim("SMITH788", "111223333", "4000.00", [line("D8080", "4000.00", None)])],
        [("SMITH788", "2010AA", "NM109", NPI), ("SMITH788", "2400", None, NO_DATE)],
    ),
    "predetermination-of-benefits.edi": (
        [Claim("SMITH878", "111223333", "750.00", [line("D2750", "750.00", None, tooth="13")])],
        [
            ("SMITH878", "2010AA", "NM109", NPI),
            ("SMITH878", "2300", "CLM19", "a predetermination of benefits"),
            ("SMITH878", "2400", None, NO_DATE),
        ],
    ),
    "sales-tax.edi": (
        [
            Claim(
                "119033233",
                "123456",
                "293.19",
                [
                    line("D7140", "150.00", None, tooth="31"),
                    line("D0140", "130.00", None),
                    line("D9985", "13.19", None),
                ],
            )
        ],
        [("119033233", "2400", None, NO_DATE)] * 3,
    ),
}

CASES = [
    (guide, name, expected)
    for guide, table in (("X222A1", PROFESSIONAL), ("X223A2", INSTITUTIONAL), ("X224A2", DENTAL))
    for name, expected in table.items()
]


def _check_line(document: dict[str, Any], expected: Line, institutional: bool) -> None:
    revenue, _, procedure = expected.code.rpartition("/")
    assert document.get("procedure") == procedure
    assert document.get("revenue_code") == (revenue or None)
    assert document["charge"] == expected.charge
    assert document.get("date") == expected.date
    for key, value in expected.extra.items():
        assert document.get(key) == value, key
    if not institutional:
        assert document.get("revenue_code") is None


def _contains(found: dict[str, Any], expected: dict[str, Any]) -> None:
    for key, value in expected.items():
        if isinstance(value, dict):
            _contains(found[key], value)
        else:
            assert found[key] == value, key


@pytest.mark.parametrize(("guide", "name", "expected"), CASES, ids=[c[1] for c in CASES])
def test_the_837_samples_give_their_claims(
    guide: str,
    name: str,
    expected: tuple[list[Claim], list[tuple[str | None, str, str | None, str]]],
) -> None:
    claims, errors = expected
    (transaction,) = parse_text(sample(guide, name))["transactions"]
    assert [c["id"] for c in transaction["claims"]] == [c.id for c in claims]
    for document, source, claim in zip(
        transaction["claims"], transaction["sources"], claims, strict=True
    ):
        assert document["member"] == claim.member
        assert document["type"] == {"X222A1": "professional", "X223A2": "institutional"}.get(
            guide, "dental"
        )
        assert source["charge"] == claim.charge
        assert len(document["lines"]) == len(claim.lines)
        for found, wanted in zip(document["lines"], claim.lines, strict=True):
            _check_line(found, wanted, guide == "X223A2")
        total = sum(int(found["charge"].replace(".", "")) for found in document["lines"])
        assert total == int(claim.charge.replace(".", "")), "the lines add up to CLM02"
        _contains(document, claim.claim)
    found_errors = [
        (e.get("claim"), e["loop"], e.get("element"), e["message"]) for e in transaction["errors"]
    ]
    assert len(found_errors) == len(errors), texts(transaction["errors"])
    for (claim_id, loop, element, message), wanted in zip(found_errors, errors, strict=True):
        assert (claim_id, loop, element) == wanted[:3]
        assert wanted[3] in message
    rejected = {e["claim"] for e in transaction["errors"] if e["level"] == "claim"}
    assert transaction["status"] == ("accepted_with_errors" if rejected else "accepted")


@pytest.mark.parametrize(("guide", "name", "expected"), CASES, ids=[c[1] for c in CASES])
def test_the_engine_accepts_every_claim_the_reader_accepts(
    guide: str, name: str, expected: Any
) -> None:
    """And every claim the engine's structural check refuses is one the reader rejected."""
    (transaction,) = parse_text(sample(guide, name))["transactions"]
    rejected = {e["claim"] for e in transaction["errors"] if e["level"] == "claim"}
    for document in transaction["claims"]:
        try:
            parse_claim({**document, "network": "in"})
        except ValidationFailed as exc:
            assert document["id"] in rejected, str(exc)


def test_the_guides_quirks_are_warnings() -> None:
    institutional = parse_text(sample("X223A2", "837-institutional-claim.edi"))
    (transaction,) = institutional["transactions"]
    assert texts(transaction["warnings"]) == [
        "warning: segment 23 (DTP, segment 21 of set 987654), element DTP03: RD8 asks for a range "
        "(CCYYMMDD-CCYYMMDD); '19960911' is read as 1996-09-11 to 1996-09-11",
        "warning: claim 756048Q, segment 25 (HI, segment 23 of set 987654): ICD-9-CM codes "
        "BK:3669 are kept with the claim's source, not in its diagnoses: the engine reads "
        "ICD-10-CM only",
        "warning: claim 756048Q, segment 26 (HI, segment 24 of set 987654): ICD-9-CM codes "
        "BF:4019, BF:79431 are kept with the claim's source, not in its diagnoses: the engine "
        "reads ICD-10-CM only",
    ]
    assert transaction["sources"][0]["icd9"] == ["BK:3669", "BF:4019", "BF:79431"]
    (teeth,) = parse_text(sample("X224A2", "multiple-tooth-numbers.edi"))["transactions"]
    assert teeth["sources"][0]["lines"][0]["teeth"] == [
        {"tooth": tooth} for tooth in ("31", "30", "21", "19", "18")
    ]
    assert "several teeth" in texts(teeth["warnings"])[-1]
    (repriced,) = parse_text(sample("X222A1", "out-of-network-repriced-claim.edi"))["transactions"]
    assert "allowed" not in repriced["claims"][0]["lines"][0]
    assert any("HCP01 00" in text for text in texts(repriced["warnings"]))
    (encounter,) = parse_text(sample("X222A1", "encounter.edi"))["transactions"]
    assert any("BHT06 RP" in text for text in texts(encounter["warnings"]))
    (surfaces,) = parse_text(sample("X224A2", "commercial-health-insurance.edi"))["transactions"]
    assert surfaces["sources"][0]["lines"][0]["teeth"] == [{"tooth": "12", "surfaces": ["M", "O"]}]


TRUNCATED_999S = {
    f"{name}.edi.997"
    for name in (
        "dollars-and-data-sent-separate",
        "dollars-and-data-sent-together",
        "era-sample",
        "multiple-claims-single-check",
        "secondary-payment-with-higher-fee-schedule",
        "secondary-payments",
        "tertiary-payments",
    )
}
EXPECTED_SETS = {
    "X220A1": "834",
    "X221A1": "835",
    "X222A1": "837",
    "X223A2": "837",
    "X224A2": "837",
    "X230": "997",
    "X231A1": "999",
    "X212": "27",
    "X279": "27",
    "X279A1": "27",
}


def test_every_sample_file_is_read() -> None:
    files = sorted(p for p in shared_dir("x12-samples").rglob("*") if p.is_file())
    files = [p for p in files if p.name != "README.md"]
    assert len(files) == 91
    for path in files:
        document = parse_text(path.read_bytes().decode())
        transactions = document["transactions"]
        assert transactions, path.name
        guide = path.parent.name.split("-")[0]
        set_id = "999" if path.name.endswith(".997") else EXPECTED_SETS[guide]
        assert all(t["set"].startswith(set_id) for t in transactions), path.name
        if path.name in TRUNCATED_999S:
            assert texts(document["errors"]) == [
                "segment 1 (ISA): interchange 611261659 has no IEA: the file ends after segment "
                "4 (AK1)",
                f"segment 2 (GS): functional group {transactions[0]['group']} has no GE: the file "
                "ends after segment 4 (AK1)",
            ]
            assert transactions[0]["status"] == "rejected"
        elif path.name == "1.era":
            assert texts(document["errors"]) == [
                "segment 20 (IEA), element IEA02: IEA02 '267365555' is not the interchange "
                "control number ISA13 '269895334'"
            ]
        else:
            assert document["errors"] == [], (path.name, texts(document["errors"]))
            if set_id != "837":
                assert all(t["errors"] == [] for t in transactions), path.name
                assert all(t["status"] == "accepted" for t in transactions), path.name
