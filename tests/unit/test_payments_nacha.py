"""The NACHA writer: one file compared byte for byte with a golden file checked by hand, the ABA
check digit, balanced files, prenotes and bad input named by payment and field.

How ``golden/nacha_ccd_two_payments.ach`` was verified. It was typed from literal pieces, one per
field, apart from the writer (never produced by it), then each record read against the NACHA
Operating Rules, Appendix Three (ACH Record Format Specifications), positions 1-based:

Record 1, File Header: 1 ``1`` record type; 2-3 ``01`` priority code; 4-13 `` 021000021``
immediate destination (a blank, then the bank's routing number, 0+2+1 weighted 3,7,1 ... sums to
30); 14-23 ``1123456789`` immediate origin (1 + the TPA's EIN 12-3456789); 24-29 ``260302`` file
creation date YYMMDD; 30-33 ``1430`` time HHMM; 34 ``A`` file id modifier; 35-37 ``094`` record
size; 38-39 ``10`` blocking factor; 40 ``1`` format code; 41-63 ``JPMORGAN CHASE BANK`` and four
blanks (23); 64-86 ``ACME BENEFITS TPA`` and six blanks (23); 87-94 ``CYC00042`` reference code.

Record 2, Batch Header: 1 ``5``; 2-4 ``220`` service class (credits only: no offset requested);
5-20 ``WIDGET CO HEALTH`` company name (16, the employer that owns the funding account); 21-40
twenty blanks, company discretionary data; 41-50 ``1987654321`` company identification (1 + the
plan's EIN); 51-53 ``CCD`` SEC code; 54-63 ``HCCLAIMPMT`` company entry description (the
healthcare EFT rule); 64-69 six blanks, no descriptive date; 70-75 ``260304`` effective entry
date; 76-78 three blanks, settlement date (the ACH Operator's); 79 ``1`` originator status code;
80-87 ``02100002`` originating DFI (the ODFI routing number without its check digit); 88-94
``0000001`` batch number.

Records 3 and 5, Entry Detail (CCD): 1 ``6``; 2-3 ``22`` (credit to checking) and ``32``
(credit to savings); 4-11 ``01100001`` / ``12100035`` receiving DFI identification; 12 ``5`` /
``8`` check digit (011000015: 3*0+7*1+1*1+3*0+7*0+1*0+3*0+7*1+1*5 = 20; 121000358:
3*1+7*2+1*1+3*0+7*0+1*0+3*3+7*5+1*8 = 70, both multiples of ten); 13-29 ``12345678`` and nine
blanks / ``9876543210`` and seven blanks, DFI account number (17, left-justified); 30-39
``0000123456`` / ``0000008750`` amount in cents ($1,234.56 and $87.50); 40-54 ``1234567893`` and
five blanks / ``M00042`` and nine blanks, identification number (the payee id); 55-76
``RIVERSIDE CLINIC PC`` and three blanks / ``JANE Q MEMBER`` and nine blanks, receiving company
name (22); 77-78 two blanks, discretionary data; 79 ``1`` addenda record indicator; 80-94
``021000020000001`` / ``021000020000002`` trace number (the ODFI's eight digits, then a
seven-digit sequence, ascending).

Records 4 and 6, Addenda (CCD+): 1 ``7``; 2-3 ``05`` addenda type; 4-83 payment related
information, ``TRN*1*100000001*1987654321~`` (27 characters: TRN01 1, TRN02 the 835's trace
number, TRN03 1 + the payer's EIN, the ``~`` terminator) and 53 blanks (80); 84-87 ``0001``
addenda sequence number; 88-94 ``0000001`` / ``0000002`` entry detail sequence number (the last
seven digits of the entry's trace number).

Record 7, Batch Control: 1 ``8``; 2-4 ``220`` as in the header; 5-10 ``000004`` entry/addenda
count (two entries, two addenda); 11-20 ``0013200036`` entry hash (01100001 + 12100035 =
13200036); 21-32 ``000000000000`` total debits; 33-44 ``000000132206`` total credits (123456 +
8750 cents); 45-54 ``1987654321`` company identification as in the header; 55-73 nineteen blanks
(message authentication code); 74-79 six blanks (reserved); 80-87 ``02100002`` ODFI; 88-94
``0000001`` batch number.

Record 8, File Control: 1 ``9``; 2-7 ``000001`` batch count; 8-13 ``000001`` block count (8
records, one block of ten); 14-21 ``00000004`` entry/addenda count; 22-31 ``0013200036`` entry
hash; 32-43 ``000000000000`` total debits; 44-55 ``000000132206`` total credits; 56-94 39 blanks
(reserved).

Records 9 and 10: 94 nines each, filling the block of ten. Every record is 94 characters and
ends with a line feed.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from aso.errors import ValidationFailed
from aso.payments.nacha import (
    LAYOUTS,
    RECORD_LENGTH,
    AccountType,
    BankAccount,
    Batch,
    NachaFile,
    Payment,
    SecCode,
    entry_hash,
    routing_check_digit,
    routing_problem,
    trn_segment,
    write_nacha,
)
from aso.payments.nacha_check import check_nacha
from tests.unit.payment_builders import (
    BATCH,
    CLINIC,
    GOLDEN,
    MEMBER,
    ORIGINATOR,
    PAYER_ID,
    TRANSMISSION,
    aba,
    batch,
)


def write(*batches: Batch, balanced: bool = False) -> NachaFile:
    written = write_nacha(transmission=TRANSMISSION, batches=batches, balanced=balanced)
    assert check_nacha(written.text) == []
    return written


def problems(excinfo: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.where: p.message for p in excinfo.value.problems}


# --- the golden file --------------------------------------------------------------------------


def test_two_payments_match_the_golden_file_byte_for_byte() -> None:
    golden = (GOLDEN / "nacha_ccd_two_payments.ach").read_bytes()
    written = write(BATCH)
    assert written.text.encode("ascii") == golden
    assert written.traces == (("021000020000001", "021000020000002"),)


def test_the_golden_file_passes_the_structure_check() -> None:
    text = (GOLDEN / "nacha_ccd_two_payments.ach").read_text()
    assert check_nacha(text) == []
    assert len(text.splitlines()) == 10
    assert {len(line) for line in text.splitlines()} == {RECORD_LENGTH}


def test_each_layout_covers_positions_1_to_94_without_gaps() -> None:
    for layout in LAYOUTS.values():
        position = 1
        for spec in layout.fields:
            assert spec.start == position, (layout.name, spec.name)
            position = spec.end + 1
        assert position == RECORD_LENGTH + 1, layout.name


# --- routing numbers, hash, TRN ---------------------------------------------------------------


@pytest.mark.parametrize(
    "routing",
    ["021000021", "011000015", "121000358", "026009593", "111000025", "091000019"],
)
def test_published_routing_numbers_pass_the_aba_check(routing: str) -> None:
    assert routing_check_digit(routing[:8]) == int(routing[8])
    assert routing_problem(routing) is None


def test_every_wrong_check_digit_is_refused() -> None:
    for digit in "0123456789":
        routing = "02100002" + digit
        assert (routing_problem(routing) is None) == (digit == "1")


@pytest.mark.parametrize("routing", ["02100002", "0210000211", "02100002x", " 21000021", ""])
def test_a_routing_number_is_nine_digits(routing: str) -> None:
    assert "nine digits" in (routing_problem(routing) or "")


def test_the_check_digit_agrees_with_an_independent_computation() -> None:
    for first in ("00000000", "99999999", "12345678", "31100000", "07000001"):
        assert routing_check_digit(first) == int(aba(first)[8])


def test_the_entry_hash_keeps_the_rightmost_ten_digits() -> None:
    assert entry_hash(["99999999"] * 101) == 10099999899 - 10**10
    assert entry_hash(["01100001", "12100035"]) == 13200036


def test_the_trn_segment_is_the_835_reassociation_trace() -> None:
    assert trn_segment("EFT123", PAYER_ID) == "TRN*1*EFT123*1987654321~"


# --- what the writer writes -------------------------------------------------------------------


def test_a_balanced_batch_debits_the_funding_account_for_its_credits() -> None:
    text = write(BATCH, balanced=True).text
    lines = text.splitlines()
    header, offset, control = lines[1], lines[6], lines[7]
    assert header[1:4] == "200"
    assert offset[1:3] == "27"  # debit to checking
    assert offset[3:12] == "021000021"
    assert offset[12:29] == "5550001111".ljust(17)
    assert offset[29:39] == "0000132206"
    assert offset[78] == "0"  # the offset carries no addenda
    assert control[20:32] == control[32:44] == "000000132206"
    assert control[10:20] == "0015300038"  # 01100001 + 12100035 + 02100002


def test_a_savings_funding_account_is_debited_with_code_37() -> None:
    savings = replace(ORIGINATOR, funding=BankAccount("021000021", "77", AccountType.SAVINGS))
    text = write(batch(originator=savings), balanced=True).text
    assert text.splitlines()[6][1:3] == "37"


def test_prenotes_are_zero_dollar_entries_without_addenda() -> None:
    prenotes = (
        replace(CLINIC, amount=Decimal("0.00"), prenote=True),
        replace(MEMBER, amount=Decimal(0), prenote=True),
    )
    lines = write(batch(*prenotes), balanced=True).text.splitlines()
    assert [line[1:3] for line in lines[2:4]] == ["23", "33"]
    assert [line[29:39] for line in lines[2:4]] == ["0000000000"] * 2
    assert [line[78] for line in lines[2:4]] == ["0", "0"]
    assert lines[4][0] == "8"  # nothing to offset
    assert lines[1][1:4] == "220"


def test_batches_are_numbered_and_trace_numbers_ascend_through_the_file() -> None:
    other = replace(
        ORIGINATOR, company_name="GADGET INC", company_id="1555555555", odfi="011000015"
    )
    written = write(BATCH, batch(replace(CLINIC, trace="100000003"), originator=other))
    lines = written.text.splitlines()
    headers = [line for line in lines if line[0] == "5"]
    assert [h[87:94] for h in headers] == ["0000001", "0000002"]
    assert written.traces == (
        ("021000020000001", "021000020000002"),
        ("011000010000003",),
    )
    assert lines[11][:7] == "9000002"  # file control: two batches


def test_long_names_are_cut_to_their_field() -> None:
    long = replace(CLINIC, payee_name="SAINT ELSEWHERE REGIONAL MEDICAL CENTER")
    originator = replace(ORIGINATOR, company_name="WIDGET COMPANY EMPLOYEE HEALTH PLAN")
    lines = write(batch(long, originator=originator)).text.splitlines()
    assert lines[1][4:20] == "WIDGET COMPANY E"
    assert lines[2][54:76] == "SAINT ELSEWHERE REGION"


def test_a_nine_digit_origin_is_written_after_a_blank() -> None:
    text = write_nacha(transmission=replace(TRANSMISSION, origin="011000015"), batches=[BATCH]).text
    assert text[13:23] == " 011000015"


def test_the_largest_entry_fits_ten_digits() -> None:
    big = replace(CLINIC, amount=Decimal("99999999.99"))
    assert write(batch(big)).text.splitlines()[2][29:39] == "9999999999"


# --- bad input, named by payment and field ----------------------------------------------------

CLINIC_AT = "batches[0].payments[0] (payee '1234567893')"
MEMBER_AT = "batches[0].payments[1] (payee 'M00042')"


def refused(*batches: Batch, balanced: bool = False) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as excinfo:
        write_nacha(transmission=TRANSMISSION, batches=batches, balanced=balanced)
    return problems(excinfo)


def test_a_routing_number_with_a_bad_check_digit_names_the_payment() -> None:
    bad = replace(MEMBER, account=replace(MEMBER.account, routing="121000359"))
    found = refused(batch(CLINIC, bad))
    assert found == {
        f"{MEMBER_AT}.account.routing": (
            "routing number 121000359 fails the ABA check digit (it should end in 8)"
        )
    }


def test_an_amount_with_a_fraction_of_a_cent_is_refused() -> None:
    found = refused(batch(replace(CLINIC, amount=Decimal("10.005"))))
    assert found == {f"{CLINIC_AT}.amount": "10.005 has fractions of a cent"}


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (10.5, "10.5 is not a Decimal amount"),
        (Decimal("NaN"), "Decimal('NaN') is not a Decimal amount"),
        (Decimal("0.00"), "0.00 must be positive"),
        (Decimal("-1.00"), "-1.00 must be positive"),
        (Decimal("100000000.00"), "100000000.00 is more than one entry holds ($99,999,999.99)"),
    ],
)
def test_amounts_the_file_cannot_carry_are_refused(amount: object, message: str) -> None:
    assert refused(batch(replace(CLINIC, amount=amount))) == {f"{CLINIC_AT}.amount": message}


def test_a_prenote_with_an_amount_is_refused() -> None:
    found = refused(batch(replace(CLINIC, prenote=True)))
    assert found == {f"{CLINIC_AT}.amount": "1234.56: a prenote is for zero dollars"}


@pytest.mark.parametrize("name", ["CLÍNICA SAN JOSÉ", "RIVERSIDE\tCLINIC", "CLINIC\n"])
def test_a_name_with_characters_nacha_forbids_is_refused(name: str) -> None:
    found = refused(batch(replace(CLINIC, payee_name=name)))
    assert list(found) == [f"{CLINIC_AT}.payee_name"]
    assert "characters NACHA does not allow" in found[f"{CLINIC_AT}.payee_name"]


def test_an_empty_name_is_refused() -> None:
    assert refused(batch(CLINIC, replace(MEMBER, payee_name="  "))) == {
        f"{MEMBER_AT}.payee_name": "is required"
    }


def test_a_trace_with_a_trn_delimiter_is_refused() -> None:
    found = refused(batch(replace(CLINIC, trace="EFT*1")))
    assert found == {f"{CLINIC_AT}.trace": "'EFT*1' holds a TRN delimiter (* ~ \\)"}


def test_a_trace_longer_than_trn02_allows_is_refused() -> None:
    found = refused(batch(replace(CLINIC, trace="9" * 51)))
    assert list(found) == [f"{CLINIC_AT}.trace"]


@pytest.mark.parametrize("payer_id", ["987654321", "19876543210"])
def test_the_payer_id_is_ten_characters(payer_id: str) -> None:
    found = refused(batch(replace(CLINIC, payer_id=payer_id)))
    assert found == {f"{CLINIC_AT}.payer_id": "TRN03 is ten characters: 1 + the EIN"}


@pytest.mark.parametrize("number", ["", "123456789012345678", "1234 5678", "12/34"])
def test_a_bad_account_number_is_refused(number: str) -> None:
    bad = replace(CLINIC, account=replace(CLINIC.account, number=number))
    assert list(refused(batch(bad))) == [f"{CLINIC_AT}.account.number"]


def test_a_payee_id_longer_than_fifteen_is_refused() -> None:
    bad = replace(MEMBER, payee_id="M" * 16)
    assert list(refused(batch(CLINIC, bad))) == [
        f"batches[0].payments[1] (payee '{'M' * 16}').payee_id"
    ]


def test_every_problem_of_every_payment_is_reported_at_once() -> None:
    bad_clinic = replace(CLINIC, amount=Decimal("1.001"), payee_name="CAFÉ")
    bad_member = replace(MEMBER, account=replace(MEMBER.account, routing="12100035"))
    found = refused(batch(bad_clinic, bad_member))
    assert set(found) == {
        f"{CLINIC_AT}.amount",
        f"{CLINIC_AT}.payee_name",
        f"{MEMBER_AT}.account.routing",
    }


def test_a_balanced_file_needs_the_funding_account() -> None:
    unfunded = replace(ORIGINATOR, funding=None)
    found = refused(batch(originator=unfunded), balanced=True)
    assert found == {"batches[0].originator.funding": "a balanced file debits the funding account"}


def test_an_empty_batch_and_an_empty_file_are_refused() -> None:
    assert refused() == {"batches": "a file needs at least one batch"}
    assert refused(replace(BATCH, payments=())) == {
        "batches[0].payments": "a batch needs at least one payment"
    }


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"destination": "021000022"}, "transmission.destination"),
        ({"origin": "12345"}, "transmission.origin"),
        ({"file_id_modifier": "a"}, "transmission.file_id_modifier"),
        ({"reference_code": "TOO-LONG-9"}, "transmission.reference_code"),
        ({"origin_name": ""}, "transmission.origin_name"),
    ],
)
def test_bad_file_header_values_are_named(change: dict[str, str], where: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        write_nacha(transmission=replace(TRANSMISSION, **change), batches=[BATCH])
    assert list(problems(excinfo)) == [where]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"odfi": "021000020"}, "batches[0].originator.odfi"),
        ({"company_id": "19876543210"}, "batches[0].originator.company_id"),
        ({"company_name": "WIDGET\x00CO"}, "batches[0].originator.company_name"),
    ],
)
def test_bad_originator_values_are_named(change: dict[str, str], where: str) -> None:
    assert list(refused(batch(originator=replace(ORIGINATOR, **change)))) == [where]


def test_a_payment_is_a_frozen_value() -> None:
    with pytest.raises(AttributeError):
        CLINIC.amount = Decimal(1)  # type: ignore[misc]
    assert isinstance(CLINIC, Payment)


def test_credits_over_one_entry_are_offset_by_several_debits() -> None:
    """Three credits of $50,000,000.00: $150,000,000.00 is more than one entry holds, so the
    offset is $99,999,999.99 and then $50,000,000.01."""
    big = [replace(CLINIC, amount=Decimal("50000000.00"), trace=f"B{n}") for n in range(3)]
    lines = write(batch(*big), balanced=True).text.splitlines()
    offsets = [line for line in lines if line[0] == "6" and line[1:3] == "27"]
    assert [line[29:39] for line in offsets] == ["9999999999", "5000000001"]
    control = next(line for line in lines if line[0] == "8")
    assert control[20:32] == control[32:44] == "015000000000"


def test_a_trace_given_twice_is_refused() -> None:
    again = replace(MEMBER, trace=CLINIC.trace)
    assert refused(batch(CLINIC, again)) == {
        "batches[0].payments[1] (payee 'M00042').trace": (
            "trace '100000001' is also the trace of batches[0].payments[0]"
        )
    }


def test_the_same_trace_from_another_payer_is_another_payment() -> None:
    other = replace(MEMBER, trace=CLINIC.trace, payer_id="1555555555")
    assert write(batch(CLINIC, other)).traces == (("021000020000001", "021000020000002"),)


def test_member_reimbursements_may_go_in_a_ppd_batch() -> None:
    lines = write(batch(MEMBER, sec_code=SecCode.PPD, description="CLAIMREIMB")).text.splitlines()
    assert lines[1][50:53] == "PPD"
    assert lines[1][53:63] == "CLAIMREIMB"


def test_a_healthcare_eft_is_ccd() -> None:
    assert refused(batch(sec_code=SecCode.PPD)) == {
        "batches[0].sec_code": "a healthcare EFT (HCCLAIMPMT) is CCD"
    }
