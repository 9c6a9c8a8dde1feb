"""The X12 tokenizer: delimiters from the ISA (never assumed), chunked reading, line breaks or
none, a byte-order mark, and an ISA that cannot be trusted (X12.5; 005010 guides, appendix B)."""

from __future__ import annotations

import io

import pytest

from aso.edi.codes import Ta1Note
from aso.edi.findings import Unreadable
from aso.edi.reader import Delimiters, SegmentReader
from tests.unit.edi_builders import DENTAL, INSTITUTIONAL, PROFESSIONAL, data, parse_text


def segments(text: str, chunk_size: int = 1 << 16) -> list[tuple[int, list[str], bool]]:
    reader = SegmentReader(io.BytesIO(text.encode()), chunk_size)
    return [(s.position, s.elements, s.terminated) for s in reader]


def test_the_delimiters_come_from_the_isa() -> None:
    reader = SegmentReader(io.BytesIO(data(INSTITUTIONAL).encode()))
    assert reader.delimiters == Delimiters(element="|", component=">", repetition="!", segment="~")
    interchange = reader.interchange
    assert (interchange.sender, interchange.receiver) == ("MERCYHOSP", "ASOTPA")
    assert (interchange.date, interchange.time) == ("2026-03-05", "14:15")
    assert (interchange.control_number, interchange.usage) == ("000000311", "P")
    found = segments(data(INSTITUTIONAL))
    assert found[2] == (3, ["ST", "837", "0311", "005010X223A2"], True)
    assert found[20][:2] == (
        21,
        ["CLM", "HOSP-5001", "1450.5", "", "", "13>A>1", "", "A", "Y", "Y"],
    )


def test_carriage_returns_and_line_feeds_after_terminators_are_ignored() -> None:
    text = data(PROFESSIONAL)
    assert "~\r\n" in text
    with_breaks = segments(text)
    without = segments(text.replace("\r\n", ""))
    assert with_breaks == without
    assert all("\r" not in "".join(elements) for _, elements, _ in with_breaks)
    assert with_breaks[-1] == (len(with_breaks), ["IEA", "1", "000000905"], True)


def test_a_line_feed_can_be_the_terminator_itself() -> None:
    text = data(DENTAL).replace("~\n", "\n")
    assert SegmentReader(io.BytesIO(text.encode())).delimiters.segment == "\n"
    assert parse_text(text) == parse_text(data(DENTAL))


def test_other_delimiters_read_the_same_claims() -> None:
    original = data(DENTAL)
    table = str.maketrans({"*": "^", ":": "\\", "^": "{", "~": "!"})
    bent = original.replace("~\n", "~").translate(table)
    assert SegmentReader(io.BytesIO(bent.encode())).delimiters == Delimiters("^", "\\", "{", "!")
    assert parse_text(bent)["transactions"] == parse_text(original)["transactions"]


@pytest.mark.parametrize("chunk_size", [1, 2, 7, 64, 1000])
def test_chunk_boundaries_do_not_matter(chunk_size: int) -> None:
    for name in (PROFESSIONAL, INSTITUTIONAL, DENTAL):
        text = data(name)
        assert segments(text, chunk_size) == segments(text)
        assert parse_text(text, chunk_size=chunk_size) == parse_text(text)


def test_a_text_stream_reads_as_the_bytes_do() -> None:
    text = data(PROFESSIONAL)
    from_text = [s.elements for s in SegmentReader(io.StringIO(text), 50)]
    assert from_text == [elements for _, elements, _ in segments(text)]


def test_a_leading_byte_order_mark_is_tolerated() -> None:
    text = data(INSTITUTIONAL)
    assert parse_text("\ufeff" + text) == parse_text(text)


def test_the_last_piece_without_a_terminator_is_marked() -> None:
    text = data(INSTITUTIONAL)
    cut = text[: text.index("SV2|0300|HC>85025") + 13]
    last = segments(cut)[-1]
    assert last[1] == ["SV2", "0300", "HC>8"] and last[2] is False


def unreadable(text: str | bytes) -> Unreadable:
    raw = text if isinstance(text, bytes) else text.encode()
    with pytest.raises(Unreadable) as caught:
        SegmentReader(io.BytesIO(raw))
    return caught.value


def test_a_file_that_is_not_x12_is_unreadable() -> None:
    error = unreadable("name,dob\nAna,1980-03-02\n")
    assert str(error) == "not an X12 interchange: it begins with 'name,dob\\nAna,1980-03', not ISA"
    assert unreadable("").finding.message.startswith("not an X12 interchange")


def test_an_isa_of_the_wrong_length_names_the_element() -> None:
    text = data(PROFESSIONAL).replace("*ZZ*CLEARINGHOUSE  *", "*ZZ*CLEARINGHOUSE*", 1)
    error = unreadable(text)
    assert str(error) == (
        "segment 1 (ISA), element ISA06: the ISA is 104 characters long, not 106: ISA06 has "
        "13 characters where the fixed width is 15"
    )
    assert error.finding.ta1 is Ta1Note.INVALID_SENDER_ID
    assert error.finding.value == "CLEARINGHOUSE"


@pytest.mark.parametrize(
    ("old", "new", "note", "message"),
    [
        ("*00501*", "*00401*", Ta1Note.VERSION_NOT_SUPPORTED, "version 00401 is not supported"),
        ("*000000905*", "*00000090X*", Ta1Note.INVALID_CONTROL_NUMBER, "is not 9 digits"),
        ("*1*P*:~", "*1*X*:~", Ta1Note.INVALID_TEST_INDICATOR, "neither P nor T"),
        ("*260210*", "*261310*", Ta1Note.INVALID_DATE, "not a date (YYMMDD)"),
        ("*P*:~", "*P*~~", Ta1Note.INVALID_SEGMENT_TERMINATOR, "not a distinct delimiter"),
    ],
)
def test_a_broken_isa_element_gets_its_ta1_note(
    old: str, new: str, note: Ta1Note, message: str
) -> None:
    error = unreadable(data(PROFESSIONAL).replace(old, new, 1))
    assert error.finding.ta1 is note
    assert message in error.finding.message


def test_a_file_that_ends_inside_the_isa_is_unreadable() -> None:
    error = unreadable(data(PROFESSIONAL)[:60])
    assert error.finding.message == "the ISA ends after 7 elements; it has 16"


def test_bytes_that_are_not_utf8_are_unreadable() -> None:
    raw = data(PROFESSIONAL).encode().replace(b"RIVERA*ANA", b"RIVERA*\xff\xfeANA", 1)
    offset = raw.index(b"\xff")
    with pytest.raises(Unreadable) as caught:
        list(SegmentReader(io.BytesIO(raw), chunk_size=100))
    assert caught.value.finding.message == f"byte {offset} is not UTF-8 text"
