"""pyx12 as the independent check (DESIGN 9): its findings as ``Finding`` values with the
acknowledgment codes it gives, and a clear refusal where it has no map."""

from __future__ import annotations

from pathlib import Path

import pytest

from aso.edi.codes import ElementError, SetError, Ta1Note
from aso.edi.findings import Level, Unreadable
from aso.edi.validate import CannotValidate, validate_file
from tests.unit.edi_builders import DATA, DENTAL, INSTITUTIONAL, PROFESSIONAL, data, sample, swap


@pytest.mark.parametrize("name", [PROFESSIONAL, INSTITUTIONAL])
def test_the_handwritten_claims_pass(name: str) -> None:
    assert validate_file(DATA / name) == []


def test_a_bad_code_is_found_on_its_segment_and_element(tmp_path: Path) -> None:
    path = tmp_path / "oxygen.edi"
    path.write_text(sample("X222A1", "oxygen.edi"))
    findings = validate_file(path)
    assert [str(f) for f in findings] == [
        f"segment {position} (PWK, segment {position - 2} of set 0001), element PWK02: (AD) is "
        "not a valid code for Attachment Transmission Code (PWK02)"
        for position in (24, 47)
    ]
    assert all(
        (f.level, f.element_code, f.value) == (Level.SET, ElementError.INVALID_CODE, "AD")
        for f in findings
    )


def test_envelope_errors_carry_their_codes(tmp_path: Path) -> None:
    path = tmp_path / "bad.x12"
    text = swap(data(PROFESSIONAL), "SE*56*0001", "SE*50*0001")
    path.write_text(swap(text, "IEA*1*000000905", "IEA*1*000000906"))
    findings = validate_file(path)
    assert [f.ta1 for f in findings if f.level is Level.INTERCHANGE] == [
        Ta1Note.CONTROL_NUMBER_MISMATCH
    ]
    assert [f.set_code for f in findings if f.set_code] == [SetError.SEGMENT_COUNT_MISMATCH]


def test_pyx12_has_no_map_for_the_837d() -> None:
    with pytest.raises(CannotValidate, match="005010X224A2"):
        validate_file(DATA / DENTAL)


def test_a_file_that_is_not_x12_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "census.csv"
    path.write_text("employee_number,first_name\n1,Ana\n")
    with pytest.raises(Unreadable):
        validate_file(path)
