"""Checks as a payment method: the check register CSV and the positive pay issue file.

``golden/positive_pay_fixed.txt`` was typed from literal pieces, apart from the writer, and read
against ``POSITIVE_PAY_FIXED`` (80 columns, CRLF line ends): 1-12 ``004567890123`` the account
number right-justified and zero-filled; 13-22 ``0000010001`` the check number zero-filled; 23-30
``03042026`` the issue date MMDDYYYY; 31-40 ``0000123456`` the amount in cents with an implied
decimal point ($1,234.56; ``0000008750`` $87.50; ``0002500000`` $25,000.00); 41 ``I`` issued or
``V`` voided (check 10002, voided on 10 March, keeps its issue date and amount so the bank can
match and refuse it); 42-80 the payee name left-justified and blank-filled, check 10003's
``SAINT ELSEWHERE REGIONAL MEDICAL CENTER OF OHIO`` cut to its first 39 characters. The records
are in check number order whatever order the checks are given in.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from aso.errors import ValidationFailed
from aso.payments.checks import (
    POSITIVE_PAY_CSV,
    POSITIVE_PAY_FIXED,
    Check,
    CheckStatus,
    check_register_csv,
    positive_pay,
)
from tests.unit.payment_builders import GOLDEN

ACCOUNT = "4567890123"
CLINIC = Check(10001, date(2026, 3, 4), "RIVERSIDE CLINIC PC", Decimal("1234.56"), payee_id="P1")
VOIDED = Check(
    10002,
    date(2026, 3, 4),
    "JOHN A SMITH",
    Decimal("87.50"),
    status=CheckStatus.VOIDED,
    voided_on=date(2026, 3, 10),
    payee_id="M00042",
)
HOSPITAL = Check(
    10003,
    date(2026, 3, 5),
    "SAINT ELSEWHERE REGIONAL MEDICAL CENTER OF OHIO",
    Decimal("25000.00"),
    payee_id="P7",
)
CHECKS = (HOSPITAL, CLINIC, VOIDED)


def refused(*checks: Check, account: str = ACCOUNT) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as excinfo:
        positive_pay(account=account, checks=checks)
    return {p.where: p.message for p in excinfo.value.problems}


def test_the_fixed_width_file_matches_the_golden_file_byte_for_byte() -> None:
    golden = (GOLDEN / "positive_pay_fixed.txt").read_bytes()
    assert positive_pay(account=ACCOUNT, checks=CHECKS).encode("ascii") == golden


def test_the_fixed_layout_is_eighty_columns() -> None:
    assert POSITIVE_PAY_FIXED.record_length == 80
    lines = positive_pay(account=ACCOUNT, checks=CHECKS).split("\r\n")
    assert lines[-1] == ""
    assert {len(line) for line in lines[:-1]} == {80}


def test_the_csv_layout_carries_the_same_fields_without_a_header() -> None:
    text = positive_pay(account=ACCOUNT, checks=CHECKS, layout=POSITIVE_PAY_CSV)
    assert text == (
        "4567890123,10001,03/04/2026,1234.56,I,RIVERSIDE CLINIC PC\r\n"
        "4567890123,10002,03/04/2026,87.50,V,JOHN A SMITH\r\n"
        "4567890123,10003,03/05/2026,25000.00,I,SAINT ELSEWHERE REGIONAL MEDICAL CENTER OF OHIO\r\n"
    )


def test_a_payee_with_a_comma_is_quoted_in_the_csv() -> None:
    check = replace(CLINIC, payee="SMITH, JOHN")
    text = positive_pay(account=ACCOUNT, checks=[check], layout=POSITIVE_PAY_CSV)
    assert next(csv.reader(io.StringIO(text)))[-1] == "SMITH, JOHN"


def test_the_register_lists_every_check_with_its_status() -> None:
    assert check_register_csv(CHECKS) == (
        "check_number,issue_date,payee_id,payee,amount,status,voided_on\n"
        "10001,2026-03-04,P1,RIVERSIDE CLINIC PC,1234.56,issued,\n"
        "10002,2026-03-04,M00042,JOHN A SMITH,87.50,voided,2026-03-10\n"
        "10003,2026-03-05,P7,SAINT ELSEWHERE REGIONAL MEDICAL CENTER OF OHIO,25000.00,issued,\n"
    )


def test_an_empty_register_has_its_header() -> None:
    assert check_register_csv([]) == (
        "check_number,issue_date,payee_id,payee,amount,status,voided_on\n"
    )


def test_an_amount_with_a_fraction_of_a_cent_is_refused() -> None:
    assert refused(replace(CLINIC, amount=Decimal("1.005"))) == {
        "checks[0] (check 10001).amount": "1.005 has fractions of a cent"
    }


def test_a_float_amount_is_refused() -> None:
    assert refused(replace(CLINIC, amount=12.5)) == {  # type: ignore[arg-type]
        "checks[0] (check 10001).amount": "12.5 is not a Decimal amount"
    }


def test_an_amount_too_large_for_the_layout_is_named() -> None:
    assert refused(replace(CLINIC, amount=Decimal("100000000.00"))) == {
        "checks[0] (check 10001).amount": (
            "10000000000 does not fit the 10 positions of fixed-width 80"
        )
    }


def test_a_check_number_listed_twice_is_refused() -> None:
    assert refused(CLINIC, replace(HOSPITAL, number=10001)) == {
        "checks": "check numbers listed twice: [10001]"
    }


def test_a_voided_check_says_when() -> None:
    assert refused(replace(VOIDED, voided_on=None)) == {
        "checks[0] (check 10002).voided_on": "a voided check says when it was voided"
    }
    assert refused(replace(VOIDED, voided_on=date(2026, 3, 1))) == {
        "checks[0] (check 10002).voided_on": "a check is voided after it is issued"
    }
    assert refused(replace(CLINIC, voided_on=date(2026, 3, 9))) == {
        "checks[0] (check 10001).voided_on": "an issued check has no void date"
    }


def test_a_payee_outside_printable_ascii_is_refused() -> None:
    assert list(refused(replace(CLINIC, payee="CLÍNICA"))) == ["checks[0] (check 10001).payee"]


@pytest.mark.parametrize("account", ["", "45-678", "ACCT1"])
def test_the_account_is_digits(account: str) -> None:
    assert list(refused(CLINIC, account=account)) == ["account"]


def test_an_account_longer_than_its_columns_is_named_on_each_check() -> None:
    assert refused(CLINIC, account="1234567890123") == {
        "checks[0] (check 10001).account": (
            "1234567890123 does not fit the 12 positions of fixed-width 80"
        )
    }


def test_an_empty_positive_pay_file_is_refused() -> None:
    assert refused() == {"checks": "a positive pay file lists at least one check"}


def test_the_register_refuses_what_positive_pay_refuses() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        check_register_csv([replace(CLINIC, number=0)])
    assert [p.where for p in excinfo.value.problems] == ["checks[0] (check 0).number"]
