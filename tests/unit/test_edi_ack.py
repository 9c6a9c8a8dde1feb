"""The X12 writer and the acknowledgments written with it: envelopes whose counts and control
numbers are right, 999s that say A, E, R or P with the segment and element of each error, TA1s
with the note of the envelope error. Every acknowledgment passes pyx12 (DESIGN 9) and reads back
with the project's own reader."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aso.edi.ack import GroupAck, SetAck, salvage_isa, write_999, write_ta1
from aso.edi.check import FileCheck
from aso.edi.codes import Ta1Note
from aso.edi.parse import parse_stream
from aso.edi.reader import SegmentReader
from aso.edi.writer import (
    DEFAULT_DELIMITERS,
    Interchange,
    InterchangeHeader,
    Party,
    segment_text,
)
from tests.unit.edi_builders import DATA, PROFESSIONAL, data, swap
from tests.unit.x834_builders import (
    check,
    coverage,
    enrollment,
    family,
    interchange,
    member,
    pyx12_findings,
)

NOW = datetime(2026, 5, 11, 9, 30, tzinfo=UTC)


def acks(text: str) -> tuple[FileCheck, list[GroupAck]]:
    found = check(text)
    groups = [
        GroupAck(
            g.group, tuple(SetAck(s.header, s.status, tuple(s.errors)) for s in g.sets), g.findings
        )
        for g in found.groups
    ]
    return found, groups


def segments(text: str) -> list[str]:
    return [line for line in text.replace("\n", "").split("~") if line]


# the writer ----------------------------------------------------------------------------------


def test_an_interchange_is_written_with_its_counts_and_control_numbers() -> None:
    header = InterchangeHeader(Party("ZZ", "ASOTPA"), Party("30", "311234567"), 42, NOW, "T")
    interchange = Interchange(header)
    group = interchange.group(
        "HP", sender="ASOTPA", receiver="PROV", control_number=7, version="005010X221A1"
    )
    first = group.transaction("835", reference="005010X221A1")
    first.add("BPR", "I", "100", "C", "ACH")
    first.add("TRN", "1", "12345", "1311234567")
    group.transaction("835", reference="005010X221A1").add("BPR", "H", "0", "C", "NON")
    text = interchange.render()
    lines = segments(text)
    assert lines[0] == (
        "ISA*00*          *00*          *ZZ*ASOTPA         *30*311234567      *260511*0930*^*"
        "00501*000000042*0*T*:"
    )
    assert len(lines[0]) + 1 == 106
    assert lines[1] == "GS*HP*ASOTPA*PROV*20260511*0930*7*X*005010X221A1"
    assert lines[2:6] == [
        "ST*835*0001*005010X221A1",
        "BPR*I*100*C*ACH",
        "TRN*1*12345*1311234567",
        "SE*4*0001",
    ]
    assert lines[-3:] == ["SE*3*0002", "GE*2*7", "IEA*1*000000042"]
    document = parse_stream(io.BytesIO(text.encode()))
    assert document["errors"] == []
    assert [t["status"] for t in document["transactions"]] == ["accepted", "accepted"]


def test_trailing_empty_elements_and_components_are_left_out() -> None:
    assert segment_text("IK4", (("2", ""), "", "7", ""), DEFAULT_DELIMITERS) == "IK4*2**7~"
    assert segment_text("HD", ("021", "", "HLT", "", ""), DEFAULT_DELIMITERS) == "HD*021**HLT~"


@pytest.mark.parametrize("value", ["A*B", "A~B", "A:B", "A^B"])
def test_a_value_holding_a_delimiter_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="X12 cannot escape it"):
        segment_text("NM1", ("IL", value), DEFAULT_DELIMITERS)


def test_control_numbers_are_checked() -> None:
    with pytest.raises(ValueError, match="ISA13 0 is not between 1 and 999999999"):
        Interchange(InterchangeHeader(Party("ZZ", "A"), Party("ZZ", "B"), 0, NOW))
    interchange = Interchange(InterchangeHeader(Party("ZZ", "A"), Party("ZZ", "B"), 1, NOW))
    group = interchange.group("FA", sender="A", receiver="B", control_number=1, version="X")
    group.transaction("999", reference="X", control_number="0001")
    with pytest.raises(ValueError, match="ST02 0001 is already used"):
        group.transaction("999", reference="X", control_number="0001")
    with pytest.raises(ValueError, match="GS06 1 is already used"):
        interchange.group("FA", sender="A", receiver="B", control_number=1, version="X")
    with pytest.raises(ValueError, match=r"ISA06 .* is longer than 15"):
        Interchange(InterchangeHeader(Party("ZZ", "A" * 16), Party("ZZ", "B"), 1, NOW)).render()


# 999 -----------------------------------------------------------------------------------------


def test_an_accepted_set_gets_ik5_a_and_ak9_a(tmp_path: Path) -> None:
    found, groups = acks(interchange(enrollment(*family())))
    text = write_999(found.interchange, groups, control_number=5, now=NOW)
    assert segments(text)[1:-1] == [
        "GS*FA*ASOTPA*BENADMIN*20260511*0930*5*X*005010X231A1",
        "ST*999*0001*005010X231A1",
        "AK1*BE*101*005010X220A1",
        "AK2*834*0001*005010X220A1",
        "IK5*A",
        "AK9*A*1*1*1",
        "SE*6*0001",
        "GE*1*5",
    ]
    assert segments(text)[0].startswith(
        "ISA*00*          *00*          *ZZ*ASOTPA         *ZZ*"
        "BENADMIN       *260511*0930*^*00501*000000005*0*P*:"
    )
    assert pyx12_findings(text, tmp_path) == []


def test_a_two_set_file_with_one_broken_set_is_partly_accepted(tmp_path: Path) -> None:
    good = enrollment(*family())
    bad = enrollment(member(coverage(start="20261301")))  # no 13th month
    found, groups = acks(interchange(good, bad))
    assert [s.status for s in found.sets] == ["accepted", "rejected"]
    text = write_999(found.interchange, groups, control_number=6, now=NOW)
    assert segments(text)[3:-3] == [
        "AK1*BE*101*005010X220A1",
        "AK2*834*0001*005010X220A1",
        "IK5*A",
        "AK2*834*0002*005010X220A1",
        "IK3*DTP*12*2300*8",
        "IK4*3**8*20261301",
        "IK5*R*5",
        "AK9*P*2*2*1",
    ]
    assert pyx12_findings(text, tmp_path) == []


def test_a_wrong_segment_count_rejects_its_set_with_ik5_code_4(tmp_path: Path) -> None:
    text = interchange(enrollment(*family()))
    broken = swap(text, "SE*25*0001", "SE*24*0001")
    found, groups = acks(broken)
    ack = write_999(found.interchange, groups, control_number=7, now=NOW)
    assert "IK5*R*4" in segments(ack)
    assert "AK9*R*1*1*0" in segments(ack)
    assert pyx12_findings(ack, tmp_path) == []


def test_a_bad_set_control_number_and_a_missing_trailer(tmp_path: Path) -> None:
    text = swap(interchange(enrollment(*family())), "SE*25*0001", "SE*25*0002")
    found, groups = acks(text)
    ack = write_999(found.interchange, groups, control_number=8, now=NOW)
    assert "IK5*R*3" in segments(ack)
    no_trailer = swap(interchange(enrollment(*family())), "SE*25*0001~\n", "")
    found, groups = acks(no_trailer)
    ack = write_999(found.interchange, groups, control_number=9, now=NOW)
    assert "IK5*R*2" in segments(ack)
    assert pyx12_findings(ack, tmp_path) == []


def test_a_group_whose_trailer_miscounts_is_rejected_whole(tmp_path: Path) -> None:
    text = swap(interchange(enrollment(*family())), "GE*1*101", "GE*2*101")
    found, groups = acks(text)
    ack = write_999(found.interchange, groups, control_number=10, now=NOW)
    assert segments(ack)[-4] == "AK9*R*2*1*0*5"
    assert "IK5*A" in segments(ack)
    assert pyx12_findings(ack, tmp_path) == []


def test_an_837_with_a_claim_rejected_alone_is_accepted_with_errors(tmp_path: Path) -> None:
    text = swap(data(PROFESSIONAL), "1234567893", "1234567890")
    found, groups = acks(text)
    (verdict,) = found.sets
    assert verdict.status == "accepted_with_errors"
    ack = write_999(found.interchange, groups, control_number=11, now=NOW)
    lines = segments(ack)
    assert "IK5*E*5" in lines and "AK9*E*1*1*1" in lines
    ik3 = lines.index(next(line for line in lines if line.startswith("IK3*NM1")))
    assert lines[ik3 + 1].startswith("CTX*CLM01:PCN-100")
    assert lines[ik3 + 2] == "IK4*9**I12*1234567890"
    assert pyx12_findings(ack, tmp_path) == []


# TA1 -----------------------------------------------------------------------------------------


def test_a_ta1_rejects_with_the_note_of_the_envelope_error(tmp_path: Path) -> None:
    text = swap(interchange(enrollment(*family())), "IEA*1*000000101", "IEA*1*000000102")
    found = check(text)
    error = found.envelope_error()
    assert error is not None and error.ta1 is Ta1Note.CONTROL_NUMBER_MISMATCH
    ta1 = write_ta1(found.interchange, error.ta1, control_number=12, now=NOW)
    assert segments(ta1)[1:] == ["TA1*000000101*260510*1200*R*001", "IEA*0*000000012"]
    assert pyx12_findings(ta1, tmp_path) == []


def test_an_accepted_ta1_has_note_000(tmp_path: Path) -> None:
    found = check(interchange(enrollment(*family()), acknowledgment="1"))
    ta1 = write_ta1(found.interchange, None, control_number=13, now=NOW)
    assert segments(ta1)[1] == "TA1*000000101*260510*1200*A*000"
    assert pyx12_findings(ta1, tmp_path) == []


@pytest.mark.parametrize(
    ("bend", "note"),
    [
        (lambda t: t[: t.index("GE*")], Ta1Note.PREMATURE_END_OF_FILE),
        (lambda t: swap(t, "IEA*1*", "IEA*2*"), Ta1Note.INVALID_GROUP_COUNT),
        (lambda t: t.replace("~\nIEA", "~\nREF*0F*STRAY~\nIEA"), Ta1Note.INVALID_CONTROL_STRUCTURE),
    ],
    ids=["truncated", "group count", "segment outside a set"],
)
def test_broken_envelopes_get_their_ta1_note(bend: object, note: Ta1Note, tmp_path: Path) -> None:
    assert callable(bend)
    found = check(bend(interchange(enrollment(*family()))))
    error = found.envelope_error()
    assert error is not None and error.ta1 is note
    ta1 = write_ta1(found.interchange, error.ta1, control_number=14, now=NOW)
    assert f"*R*{note.value}" in segments(ta1)[1]
    assert pyx12_findings(ta1, tmp_path) == []


def test_a_broken_isa_is_salvaged_for_its_ta1(tmp_path: Path) -> None:
    text = interchange(enrollment(*family())).replace("*00501*", "*00401*", 1)
    with pytest.raises(Exception, match="version 00401 is not supported"):
        SegmentReader(io.BytesIO(text.encode()))
    salvaged = salvage_isa(text)
    assert salvaged is not None
    assert (salvaged.sender, salvaged.control_number, salvaged.date) == (
        "BENADMIN",
        "000000101",
        "2026-05-10",
    )
    ta1 = write_ta1(salvaged, Ta1Note.VERSION_NOT_SUPPORTED, control_number=15, now=NOW)
    assert segments(ta1)[1] == "TA1*000000101*260510*1200*R*003"
    assert pyx12_findings(ta1, tmp_path) == []
    assert salvage_isa("employee_number,first_name\n") is None
    assert salvage_isa(DATA.joinpath(PROFESSIONAL).read_text()[:50]) is None
