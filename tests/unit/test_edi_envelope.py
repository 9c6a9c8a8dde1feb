"""Envelopes, counts and control numbers (X12.6; 005010 guides, appendix B), with the codes the
999 and TA1 will carry, and loops placed as the implementation guides draw them.

The 837P of tests/data/x12 numbers its segments as its lines: ISA 1, GS 2, ST 3, ..., SE 58,
GE 59, IEA 60; a segment's ordinal in the set is its line minus 2.
"""

from __future__ import annotations

import io
from typing import Any

from aso.edi.claim_parts import ClaimRead
from aso.edi.envelope import Walker
from aso.edi.events import (
    GroupClosed,
    InterchangeClosed,
    SetClosed,
    SetHeader,
    SetOpened,
    SetReader,
)
from aso.edi.reader import Delimiters, Segment, SegmentReader
from tests.bench.edi import generate_837p
from tests.unit.edi_builders import (
    PROFESSIONAL,
    data,
    events,
    only,
    parse_text,
    sample,
    swap,
    texts,
)

P = data(PROFESSIONAL)


def codes(finding: dict[str, Any]) -> dict[str, str]:
    result: dict[str, str] = finding["codes"]
    return result


def test_a_sound_file_is_accepted_with_no_finding() -> None:
    document = parse_text(P)
    assert document["errors"] == [] and document["warnings"] == []
    assert document["interchanges"] == [
        {
            "control_number": "000000905",
            "sender": "ZZ:CLEARINGHOUSE",
            "receiver": "ZZ:ASOTPA",
            "date": "2026-02-10",
            "time": "09:30",
            "usage": "P",
        }
    ]
    transaction = only(document)
    assert (transaction["set"], transaction["guide"], transaction["control_number"]) == (
        "837",
        "005010X222A1",
        "0001",
    )
    assert (transaction["interchange"], transaction["group"]) == ("000000905", "905")
    assert transaction["status"] == "accepted"
    assert transaction["errors"] == [] and transaction["warnings"] == []


def test_the_events_come_in_file_order() -> None:
    kinds = [type(event).__name__ for event in events(P)]
    assert kinds == [
        "SetOpened",
        "ClaimRead",
        "ClaimRead",
        "SetClosed",
        "GroupClosed",
        "InterchangeClosed",
    ]


def test_a_wrong_segment_count_rejects_the_set() -> None:
    transaction = only(parse_text(swap(P, "SE*56*0001", "SE*55*0001")))
    assert transaction["status"] == "rejected"
    (error,) = transaction["errors"]
    assert error["text"] == (
        "segment 58 (SE, segment 56 of set 0001), element SE01: SE01 says 55 segments, "
        "the set has 56 (ST and SE included)"
    )
    assert (error["level"], error["value"], codes(error)) == ("set", "55", {"ik5": "4"})


def test_a_trailer_control_number_that_differs_rejects_the_set() -> None:
    transaction = only(parse_text(swap(P, "SE*56*0001", "SE*56*0002")))
    (error,) = transaction["errors"]
    assert error["text"] == (
        "segment 58 (SE, segment 56 of set 0001), element SE02: SE02 '0002' is not the set's "
        "control number ST02 '0001'"
    )
    assert codes(error) == {"ik5": "3"} and transaction["status"] == "rejected"


def test_a_group_trailer_that_differs_is_a_group_error() -> None:
    document = parse_text(swap(P, "GE*1*905", "GE*2*906"))
    assert texts(document["errors"]) == [
        "segment 59 (GE), element GE01: GE01 says 2 transaction sets, the group has 1",
        "segment 59 (GE), element GE02: GE02 '906' is not the group's control number GS06 '905'",
    ]
    assert [codes(e) for e in document["errors"]] == [{"ak9": "5"}, {"ak9": "4"}]
    assert only(document)["status"] == "accepted"


def test_an_interchange_trailer_that_differs_is_ta1_worthy() -> None:
    document = parse_text(swap(P, "IEA*1*000000905", "IEA*2*000000906"))
    assert texts(document["errors"]) == [
        "segment 60 (IEA), element IEA01: IEA01 says 2 functional groups, the interchange has 1",
        "segment 60 (IEA), element IEA02: IEA02 '000000906' is not the interchange control "
        "number ISA13 '000000905'",
    ]
    assert [(e["level"], codes(e)) for e in document["errors"]] == [
        ("interchange", {"ta1": "021"}),
        ("interchange", {"ta1": "001"}),
    ]


def test_a_missing_iea_is_a_premature_end() -> None:
    document = parse_text(P[: P.index("IEA*")])
    assert texts(document["errors"]) == [
        "segment 1 (ISA): interchange 000000905 has no IEA: the file ends after segment 59 (GE)"
    ]
    assert codes(document["errors"][0]) == {"ta1": "023"}
    assert only(document)["status"] == "accepted"


def test_a_truncated_file_names_where_it_ends_and_closes_every_envelope() -> None:
    document = parse_text(P[: P.index("SV1*HC:36415") + 10])
    assert texts(document["errors"]) == [
        "segment 1 (ISA): interchange 000000905 has no IEA: the file ends inside segment 30 (SV1)",
        "segment 2 (GS): functional group 905 has no GE: the file ends inside segment 30 (SV1)",
        "segment 30 (SV1): the file ends inside segment 30 (SV1): it has no terminator '~'",
    ]
    transaction = only(document)
    assert transaction["status"] == "rejected"
    assert texts(transaction["errors"]) == [
        "segment 3 (ST, segment 1 of set 0001): set 0001 has no SE: the file ends inside "
        "segment 30 (SV1)",
        "claim PCN-1001 line 2, segment 29 (LX, segment 27 of set 0001): the line has no date "
        "of service (DTP*472)",
    ]
    assert codes(transaction["errors"][0]) == {"ik5": "2"}
    assert transaction["claims"][0]["lines"][0]["procedure"] == "99213"


def test_a_set_without_se_is_rejected_and_the_next_one_read() -> None:
    text = swap(generate_837p(4, claims_per_set=2), "SE*42*0001~\n", "")
    document = parse_text(text)
    first, second = document["transactions"]
    assert first["status"] == "rejected"
    assert texts(first["errors"]) == [
        "segment 3 (ST, segment 1 of set 0001): set 0001 has no SE: ST at segment 44 comes first"
    ]
    assert second["status"] == "accepted" and len(second["claims"]) == 2
    assert document["errors"] == []


def test_a_rejected_set_leaves_the_others_of_the_file_accepted() -> None:
    text = swap(generate_837p(6, claims_per_set=2), "SE*42*0002", "SE*41*0002")
    statuses = [t["status"] for t in parse_text(text)["transactions"]]
    assert statuses == ["accepted", "rejected", "accepted"]


def test_a_repeated_set_control_number_is_rejected() -> None:
    text = generate_837p(4, claims_per_set=2)
    text = swap(swap(text, "ST*837*0002", "ST*837*0001"), "SE*42*0002", "SE*42*0001")
    first, second = parse_text(text)["transactions"]
    assert first["status"] == "accepted"
    assert texts(second["errors"]) == [
        "segment 45 (ST, segment 1 of set 0001), element ST02: ST02 0001 repeats a set control "
        "number of this group"
    ]
    assert codes(second["errors"][0]) == {"ik5": "23"}


def test_a_segment_outside_any_set_breaks_the_control_structure() -> None:
    document = parse_text(swap(P, "GE*1*905~", "REF*EI*1~\r\nGE*1*905~"))
    assert texts(document["errors"]) == [
        "segment 59 (REF): REF stands in a functional group but outside any transaction set "
        "(ST..SE)"
    ]
    assert codes(document["errors"][0]) == {"ta1": "022"}


def test_a_malformed_segment_id_rejects_the_set() -> None:
    text = swap(P, "N3*100 MAPLE AVE", "n3*100 MAPLE AVE")
    (error,) = only(parse_text(text))["errors"]
    assert error["text"] == "segment 11 (n3, segment 9 of set 0001): 'n3' is not a segment id"
    assert codes(error) == {"ik3": "1"}


def test_hierarchical_levels_count_up_and_name_earlier_parents() -> None:
    text = swap(P, "HL*4*3*23*0", "HL*5*9*23*0")
    errors = only(parse_text(text))["errors"]
    assert texts(errors) == [
        "segment 44 (HL, segment 42 of set 0001), element HL01: HL01 '5' should be 4",
        "segment 44 (HL, segment 42 of set 0001), element HL02: HL02 '9' is not an earlier HL01",
    ]
    assert {e["loop"] for e in errors} == {"2000C"}
    assert [codes(e) for e in errors] == [{"ik4": "7"}, {"ik4": "7"}]


def test_a_missing_st03_reads_the_guide_from_gs08_with_a_warning() -> None:
    transaction = only(parse_text(swap(P, "ST*837*0001*005010X222A1", "ST*837*0001")))
    assert transaction["status"] == "accepted" and len(transaction["claims"]) == 2
    assert texts(transaction["warnings"]) == [
        "warning: segment 3 (ST, segment 1 of set 0001), element ST03: ST03 is missing: the "
        "set is read as GS08 says, 005010X222A1"
    ]


def test_a_set_that_belongs_to_another_functional_group_is_rejected() -> None:
    transaction = only(parse_text(swap(P, "GS*HC*", "GS*BE*")))
    assert texts(transaction["errors"]) == [
        "segment 3 (ST, segment 1 of set 0001), element ST01: ST01 837 does not belong in a "
        "group of functional id BE (GS01)"
    ]


def loops_of(text: str, ids: str) -> list[tuple[str, str, str]]:
    """(segment id, element 01, loop id) of each segment whose id is in ``ids``."""
    seen: list[tuple[str, str, str]] = []

    def record(segment: Segment, set_position: int, loop: str) -> None:
        seen.append((segment.id, segment.get(1), loop))

    def recorder(header: SetHeader, delimiters: Delimiters) -> SetReader:
        reader = SetReader(header, delimiters)
        reader.handlers = {sid: record for sid in ids.split()}
        return reader

    for _ in Walker(SegmentReader(io.BytesIO(text.encode())), recorder):
        pass
    return seen


def test_the_loops_of_the_837p_are_the_guides() -> None:
    assert loops_of(P, "NM1 CLM LX LIN CTP HCP SBR HL PRV") == [
        ("NM1", "41", "1000A"),
        ("NM1", "40", "1000B"),
        ("HL", "1", "2000A"),
        ("PRV", "BI", "2000A"),
        ("NM1", "85", "2010AA"),
        ("HL", "2", "2000B"),
        ("SBR", "P", "2000B"),
        ("NM1", "IL", "2010BA"),
        ("NM1", "PR", "2010BB"),
        ("CLM", "PCN-1001", "2300"),
        ("NM1", "82", "2310B"),
        ("PRV", "PE", "2310B"),
        ("LX", "1", "2400"),
        ("LX", "2", "2400"),
        ("LX", "3", "2400"),
        ("LIN", "", "2410"),
        ("CTP", "", "2410"),
        ("HL", "3", "2000B"),
        ("SBR", "P", "2000B"),
        ("NM1", "IL", "2010BA"),
        ("NM1", "PR", "2010BB"),
        ("HL", "4", "2000C"),
        ("NM1", "QC", "2010CA"),
        ("CLM", "PCN-1002", "2300"),
        ("LX", "1", "2400"),
        ("HCP", "03", "2400"),
    ]


def test_other_payer_loops_of_a_cob_claim() -> None:
    text = sample("X222A1", "COB-claim-from-payer-a-to-payer-b-in-payer-to-payer.edi")
    assert loops_of(text, "NM1 SBR LX SVD") == [
        ("NM1", "41", "1000A"),
        ("NM1", "40", "1000B"),
        ("NM1", "85", "2010AA"),
        ("NM1", "87", "2010AB"),
        ("SBR", "S", "2000B"),
        ("NM1", "IL", "2010BA"),
        ("NM1", "PR", "2010BB"),
        ("NM1", "QC", "2010CA"),
        ("NM1", "82", "2310B"),
        ("NM1", "77", "2310C"),
        ("SBR", "P", "2320"),
        ("NM1", "IL", "2330A"),
        ("NM1", "PR", "2330B"),
        ("NM1", "82", "2330D"),
        ("LX", "1", "2400"),
        ("SVD", "999996666", "2430"),
        ("LX", "2", "2400"),
        ("SVD", "999996666", "2430"),
        ("LX", "3", "2400"),
        ("SVD", "999996666", "2430"),
    ]


def test_the_loops_of_an_835_close_at_the_plb() -> None:
    text = sample("X221A1", "dollars-and-data-sent-together.edi")
    assert loops_of(text, "N1 LX CLP CAS NM1 PLB") == [
        ("N1", "PR", "1000A"),
        ("N1", "PE", "1000B"),
        ("LX", "110212", "2000"),
        ("CLP", "666123", "2100"),
        ("CAS", "CO", "2100"),
        ("NM1", "QC", "2100"),
        ("LX", "130212", "2000"),
        ("CLP", "777777", "2100"),
        ("CAS", "CO", "2100"),
        ("NM1", "QC", "2100"),
        ("PLB", "6543210903", "HEADER"),
    ]


def test_the_loops_of_a_271_open_at_ls_and_close_at_le() -> None:
    text = sample(
        "X279", "response-to-generic-request-by-physician-for-patient--dependent--eligibility.edi"
    )
    found = loops_of(text, "HL NM1 EB LS LE")
    assert found[-8:] == [
        ("EB", "1", "2110D"),
        ("EB", "L", "2110D"),
        ("EB", "1", "2110D"),
        ("EB", "B", "2110D"),
        ("EB", "B", "2110D"),
        ("LS", "2120", "2110D"),
        ("NM1", "P3", "2120D"),
        ("LE", "2120", "2110D"),
    ]
    assert ("NM1", "03", "2100D") in found and ("HL", "4", "2000D") in found


def test_the_loops_of_a_999() -> None:
    text = sample("X231A1", "response-to-functional-group-containing-3-837s.edi")
    assert loops_of(text, "AK2 IK3 IK4 CTX IK5 AK9") == [
        ("AK2", "837", "2000"),
        ("IK5", "A", "2000"),
        ("AK2", "837", "2000"),
        ("IK3", "CLM", "2100"),
        ("CTX", "CLM01:123456789", "2100"),
        ("IK4", "2", "2110"),
        ("IK5", "R", "2000"),
        ("AK2", "837", "2000"),
        ("IK3", "REF", "2100"),
        ("CTX", "SITUATIONAL TRIGGER", "2100"),
        ("CTX", "CLM01:987654321", "2100"),
        ("IK5", "R", "2000"),
        ("AK9", "P", "HEADER"),
    ]


def test_the_set_status_says_what_the_999_will() -> None:
    for event in events(P):
        assert not isinstance(event, ClaimRead) or not event.rejected
        if isinstance(event, SetClosed):
            assert event.status == "accepted" and event.segments == 56
        if isinstance(event, SetOpened):
            assert event.header.guide is not None and event.header.guide.set_id == "837"
        if isinstance(event, GroupClosed | InterchangeClosed):
            assert event.findings == ()


def test_the_loops_of_an_834_with_coverage_coordination_and_reporting_categories() -> None:
    body = [
        "ST*834*0001*005010X220A1",
        "BGN*00*1*20260101*1200****4",
        "N1*P5*ACME WIDGETS*FI*123456789",
        "N1*IN*ASO TPA*FI*987654321",
        "INS*Y*18*021*28*A***FT",
        "NM1*IL*1*RIVERA*ANA****34*123456789",
        "HD*021**HLT*PPO1500*FAM",
        "LX*1",
        "NM1*P3*1*CHEN*LI****XX*1300000001",
        "COB*P*POL1*1",
        "NM1*IN*2*OTHER INSURER",
        "LS*2700",
        "LX*1",
        "N1*75*PLAN TYPE",
        "LE*2700",
        "INS*N*19*021*28*A",
        "NM1*IL*1*RIVERA*SOFIA",
    ]
    isa = P[: P.index("~") + 1].replace("*1*P*:~", "*0*P*:~")
    text = "~".join(
        [isa + "GS*BE*ACME*ASO*20260101*1200*1*X*005010X220A1", *body, f"SE*{len(body) + 1}*0001"]
    )
    text += "~GE*1*1~IEA*1*000000905~"
    assert loops_of(text, "N1 INS NM1 HD LX COB LS LE") == [
        ("N1", "P5", "1000A"),
        ("N1", "IN", "1000B"),
        ("INS", "Y", "2000"),
        ("NM1", "IL", "2100A"),
        ("HD", "021", "2300"),
        ("LX", "1", "2310"),
        ("NM1", "P3", "2310"),
        ("COB", "P", "2320"),
        ("NM1", "IN", "2330"),
        ("LS", "2700", "2000"),
        ("LX", "1", "2700"),
        ("N1", "75", "2750"),
        ("LE", "2700", "2000"),
        ("INS", "N", "2000"),
        ("NM1", "IL", "2100A"),
    ]
    assert only(parse_text(text))["status"] == "accepted"
