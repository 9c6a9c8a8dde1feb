"""The NACHA structure checker: every file the writer produces passes it (a property over random
payment lists, with counts, hash and totals also recomputed here from the inputs), and each kind
of damage to a good file is found and named by record and positions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aso.payments.nacha import (
    PADDING,
    AccountType,
    BankAccount,
    Batch,
    Payment,
    write_nacha,
)
from aso.payments.nacha_check import check_nacha
from tests.unit.payment_builders import BATCH, CLINIC, ORIGINATOR, PAYER_ID, TRANSMISSION, aba

NAME_CHARACTERS = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


@st.composite
def payments(draw: st.DrawFn) -> Payment:
    prenote = draw(st.booleans()) and draw(st.booleans())
    cents = 0 if prenote else draw(st.integers(min_value=1, max_value=9_999_999_999))
    return Payment(
        payee_id=draw(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=15)),
        payee_name=draw(st.text(NAME_CHARACTERS, min_size=1, max_size=40).filter(str.strip)),
        account=BankAccount(
            routing=aba(draw(st.text("0123456789", min_size=8, max_size=8))),
            number=draw(st.text("0123456789-", min_size=1, max_size=17)),
            type=draw(st.sampled_from(AccountType)),
        ),
        amount=Decimal(cents) / 100,
        trace=draw(st.text("0123456789ABCDEF", min_size=1, max_size=40)),
        payer_id=PAYER_ID,
        prenote=prenote,
    )


@st.composite
def batches(draw: st.DrawFn) -> Batch:
    originator = replace(
        ORIGINATOR,
        odfi=aba(draw(st.text("0123456789", min_size=8, max_size=8))),
        funding=BankAccount(aba(draw(st.text("0123456789", min_size=8, max_size=8))), "1"),
    )
    return Batch(
        originator=originator,
        effective_date=draw(st.dates(date(2020, 1, 1), date(2040, 12, 31))),
        payments=tuple(draw(st.lists(payments(), min_size=1, max_size=25))),
    )


def offsets(batch: Batch, *, balanced: bool) -> int:
    """Offset debits of a balanced batch: one per $99,999,999.99 (or part) of its credits."""
    credits = sum(int(p.amount * 100) for p in batch.payments)
    return -(-credits // 9_999_999_999) if balanced else 0


def routing_hash(batch: Batch, *, balanced: bool) -> int:
    routings = [int(p.account.routing[:8]) for p in batch.payments]
    assert batch.originator.funding is not None
    funding = int(batch.originator.funding.routing[:8])
    return sum(routings) + funding * offsets(batch, balanced=balanced)


def unique_traces(drawn: list[Batch]) -> list[Batch]:
    """The drawn payments with traces of their own (the writer refuses a trace given twice)."""
    count = iter(range(10**6))
    return [
        replace(b, payments=tuple(replace(p, trace=f"{p.trace}-{next(count)}") for p in b.payments))
        for b in drawn
    ]


@settings(deadline=None)
@given(st.lists(batches(), min_size=1, max_size=3), st.booleans())
def test_every_file_written_passes_the_check_and_adds_up(
    drawn: list[Batch], balanced: bool
) -> None:
    drawn = unique_traces(drawn)
    text = write_nacha(transmission=TRANSMISSION, batches=drawn, balanced=balanced).text
    assert check_nacha(text) == []
    lines = text.splitlines()
    assert len(lines) % 10 == 0
    controls = [line for line in lines if line[0] == "8"]
    file_control = next(line for line in lines if line[0] == "9" and line != PADDING)
    for batch, control in zip(drawn, controls, strict=True):
        credits = sum(int(p.amount * 100) for p in batch.payments)
        live = sum(1 for p in batch.payments if not p.prenote)
        offset = offsets(batch, balanced=balanced)
        assert int(control[4:10]) == len(batch.payments) + live + offset
        assert int(control[10:20]) == routing_hash(batch, balanced=balanced) % 10**10
        assert int(control[32:44]) == credits
        assert int(control[20:32]) == (credits if balanced else 0)
    total_hash = sum(routing_hash(b, balanced=balanced) for b in drawn)
    assert int(file_control[21:31]) == total_hash % 10**10
    assert int(file_control[7:13]) == len(lines) // 10
    assert int(file_control[1:7]) == len(drawn)


def test_an_entry_hash_over_ten_digits_keeps_the_rightmost_ten() -> None:
    """120 payments to routing 999999992: 120 x 99,999,999 = 11,999,999,880, written as its
    rightmost ten digits 1999999880, in the batch control and in the file control."""
    routing = aba("99999999")
    assert routing == "999999992"
    payments = tuple(
        replace(CLINIC, account=BankAccount(routing, "1"), trace=str(n)) for n in range(120)
    )
    text = write_nacha(transmission=TRANSMISSION, batches=[replace(BATCH, payments=payments)]).text
    assert check_nacha(text) == []
    lines = text.splitlines()
    batch_control = next(line for line in lines if line[0] == "8")
    file_control = next(line for line in lines if line[0] == "9" and line != PADDING)
    assert batch_control[10:20] == "1999999880"
    assert file_control[21:31] == "1999999880"
    assert file_control[13:21] == "00000240"  # 120 entries and 120 addenda


def test_a_file_entry_hash_over_ten_digits_keeps_the_rightmost_ten() -> None:
    """Two batches of 60 payments to 999999992: each batch hashes to 5,999,999,940 (ten digits),
    the file to 11,999,999,880, written 1999999880."""
    routing = aba("99999999")

    def sixty(offset: int) -> tuple[Payment, ...]:
        account = BankAccount(routing, "1")
        return tuple(replace(CLINIC, account=account, trace=str(offset + n)) for n in range(60))

    two = [replace(BATCH, payments=sixty(0)), replace(BATCH, payments=sixty(60))]
    text = write_nacha(transmission=TRANSMISSION, batches=two).text
    assert check_nacha(text) == []
    lines = text.splitlines()
    assert [line[10:20] for line in lines if line[0] == "8"] == ["5999999940"] * 2
    file_control = next(line for line in lines if line[0] == "9" and line != PADDING)
    assert file_control[21:31] == "1999999880"


# --- damage is found --------------------------------------------------------------------------


def good() -> list[str]:
    """Two batches of the golden file's two payments, the second another employer's."""
    gadget = "1555555555"
    second = replace(
        BATCH,
        originator=replace(ORIGINATOR, company_id=gadget),
        payments=tuple(replace(p, payer_id=gadget) for p in BATCH.payments),
    )
    two_batches = [BATCH, second]
    text = write_nacha(transmission=TRANSMISSION, batches=two_batches).text
    assert check_nacha(text) == []
    return text.splitlines()


def found(lines: list[str]) -> list[str]:
    return [str(p) for p in check_nacha("\n".join(lines) + "\n")]


def put(line: str, start: int, value: str) -> str:
    """``value`` written over ``line`` from position ``start`` (1-based, as NACHA counts)."""
    return line[: start - 1] + value + line[start - 1 + len(value) :]


def test_crlf_line_ends_and_a_missing_final_line_break_are_read() -> None:
    lines = good()
    assert check_nacha("\r\n".join(lines)) == []


def test_an_empty_file_is_a_finding() -> None:
    assert [str(p) for p in check_nacha("")] == ["file: the file is empty"]


def test_a_short_record_is_named() -> None:
    lines = good()
    lines[2] = lines[2][:93]
    assert found(lines) == ["record 3: is 93 characters long, not 94"]


def test_a_character_outside_ascii_is_named() -> None:
    lines = good()
    lines[2] = put(lines[2], 55, "É")
    assert found(lines) == ["record 3: holds characters outside printable ASCII"]


def test_a_changed_amount_breaks_the_batch_and_file_totals() -> None:
    lines = good()
    lines[2] = put(lines[2], 30, "0000123457")
    assert found(lines) == [
        "record 7 positions 33-44 (total_credit): is 132206, the records say 132207",
        "record 14 positions 44-55 (total_credit): is 264412, the records say 264413",
    ]


def test_a_changed_routing_number_breaks_its_check_digit_and_the_hashes() -> None:
    lines = good()
    lines[2] = put(lines[2], 4, "01100002")
    assert found(lines) == [
        "record 3 positions 4-11 (rdfi): routing number 011000025 fails the ABA check digit "
        "(it should end in 8)",
        "record 7 positions 11-20 (entry_hash): is 13200036, the records say 13200037",
        "record 14 positions 22-31 (entry_hash): is 26400072, the records say 26400073",
    ]


def test_a_missing_padding_record_breaks_the_blocking() -> None:
    lines = good()[:-1]
    assert found(lines) == [
        "file: 19 records: not a whole number of blocks of 10 (pad the last block with "
        "records of all 9s)",
    ]


def test_a_whole_block_of_padding_is_named() -> None:
    lines = good() + [PADDING] * 10
    assert "record 15: a whole block of padding: padding only fills the last block" in found(lines)


def test_a_wrong_block_count_is_named() -> None:
    lines = good()
    lines[13] = put(lines[13], 8, "000003")
    assert found(lines) == ["record 14 positions 8-13 (block_count): is 3, the records say 2"]


def test_entries_out_of_trace_order_are_named() -> None:
    lines = good()
    lines[2:4], lines[4:6] = lines[4:6], lines[2:4]
    assert found(lines) == [
        "record 5 positions 80-94 (trace_number): 021000020000001 does not ascend "
        "(after 021000020000002)",
    ]


def test_a_trace_number_from_another_odfi_is_named() -> None:
    lines = good()
    lines[2] = put(lines[2], 80, "01100001")
    assert found(lines) == [
        "record 3 positions 80-94 (trace_number): 011000010000001 does not start with the "
        "batch's ODFI 02100002",
    ]


def test_a_wrong_addenda_sequence_is_named() -> None:
    lines = good()
    lines[3] = put(lines[3], 84, "0002")
    assert found(lines) == [
        "record 4 positions 84-87 (addenda_sequence): is 2, the records say 1",
    ]


def test_an_addenda_pointing_at_another_entry_is_named() -> None:
    lines = good()
    lines[3] = put(lines[3], 88, "0000009")
    assert found(lines) == [
        "record 4 positions 88-94 (entry_sequence): is '0000009', the records say '0000001'",
    ]


def test_a_missing_addenda_breaks_the_indicator_counts_and_reassociation() -> None:
    lines = good()
    del lines[3]
    lines.append(PADDING)  # keep the blocking right
    assert found(lines) == [
        "record 3 positions 79-79 (addenda_indicator): says 1 but 0 addenda follow",
        "record 3: a healthcare EFT credit without the TRN reassociation addenda",
        "record 6 positions 5-10 (entry_addenda_count): is 4, the records say 3",
        "record 13 positions 14-21 (entry_addenda_count): is 8, the records say 7",
    ]


def test_two_addenda_on_a_ccd_entry_are_named() -> None:
    lines = good()
    lines.insert(4, lines[3])
    lines.pop()  # keep the blocking right
    assert found(lines) == [
        "record 3: a CCD entry carries at most one addenda record",
        "record 5 positions 84-87 (addenda_sequence): is 1, the records say 2",
        "record 8 positions 5-10 (entry_addenda_count): is 4, the records say 5",
        "record 15 positions 14-21 (entry_addenda_count): is 8, the records say 9",
    ]


def test_a_debit_in_a_credits_only_batch_is_named() -> None:
    lines = good()
    lines[2] = put(lines[2], 2, "27")
    assert found(lines)[:2] == [
        "record 3 positions 2-3 (transaction_code): a debit in a credits-only batch (220)",
        "record 7 positions 21-32 (total_debit): is 0, the records say 123456",
    ]


def test_an_unknown_transaction_code_is_named() -> None:
    lines = good()
    lines[2] = put(lines[2], 2, "42")
    assert (
        "record 3 positions 2-3 (transaction_code): 42 is not a transaction code for "
        "checking or savings" in found(lines)
    )


def test_a_batch_control_that_does_not_match_its_header_is_named() -> None:
    lines = good()
    lines[6] = put(lines[6], 88, "0000009")
    assert found(lines) == [
        "record 7 positions 88-94 (batch_number): is '0000009', the records say '0000001'",
    ]


def test_batch_numbers_ascend() -> None:
    lines = good()
    lines[7] = put(lines[7], 88, "0000001")
    lines[12] = put(lines[12], 88, "0000001")
    assert found(lines) == [
        "record 8 positions 88-94 (batch_number): batch number 1 does not ascend"
    ]


def test_a_missing_batch_control_is_named() -> None:
    lines = good()
    del lines[6]
    lines.append(PADDING)
    assert found(lines) == ["record 7: a batch header before the control of record 2"]


def test_a_file_without_a_file_control_is_named() -> None:
    lines = good()
    lines[13] = PADDING
    assert found(lines) == [
        "record 13: the last record before the padding is not a file control (9)"
    ]


def test_a_file_header_with_another_blocking_factor_is_named() -> None:
    lines = good()
    lines[0] = put(lines[0], 38, "20")
    assert found(lines) == [
        "record 1 positions 38-39 (blocking_factor): is '20', the records say '10'"
    ]


def test_a_prenote_with_an_amount_is_named() -> None:
    lines = good()
    lines[2] = put(lines[2], 2, "23")
    assert "record 3 positions 30-39 (amount): a prenote carries no amount" in found(lines)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 19), st.integers(1, 94), st.text(NAME_CHARACTERS, min_size=1, max_size=3)
        ),
        min_size=1,
        max_size=5,
    )
)
def test_damage_anywhere_is_reported_never_raised(changes: list[tuple[int, int, str]]) -> None:
    """Printable characters written over any record at any position: the checker reads the
    result and returns findings (or none, when the change happens to keep every rule)."""
    lines = good()
    for index, start, value in changes:
        lines[index] = put(lines[index], start, value)[:94]
    assert isinstance(check_nacha("\n".join(lines)), list)


@pytest.mark.parametrize("index", range(14))
@pytest.mark.parametrize("repeat", [False, True])
def test_a_record_removed_or_repeated_is_found(index: int, repeat: bool) -> None:
    """Any of the 14 records before the padding taken out or given twice, the padding changed
    to keep whole blocks: record order, counts or sequence numbers always tell."""
    lines = good()
    if repeat:
        lines.insert(index, lines[index])
        lines.pop()
    else:
        del lines[index]
        lines.append(PADDING)
    assert len(lines) % 10 == 0
    assert check_nacha("\n".join(lines)) != []
