"""Builders of ACH inputs for tests: the two-payment cycle of the golden file, changed with
``dataclasses.replace`` where a test is about one field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from aso.payments.nacha import (
    AccountType,
    BankAccount,
    Batch,
    Originator,
    Payment,
    Transmission,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
PAYER_ID = "1987654321"
"""TRN03: ``1`` + the employer plan's EIN 98-7654321."""

TRANSMISSION = Transmission(
    destination="021000021",
    destination_name="JPMORGAN CHASE BANK",
    origin="1123456789",
    origin_name="ACME BENEFITS TPA",
    created=datetime(2026, 3, 2, 14, 30),
    file_id_modifier="A",
    reference_code="CYC00042",
)
ORIGINATOR = Originator(
    company_name="WIDGET CO HEALTH",
    company_id=PAYER_ID,
    odfi="021000021",
    funding=BankAccount("021000021", "5550001111", AccountType.CHECKING),
)
CLINIC = Payment(
    payee_id="1234567893",
    payee_name="RIVERSIDE CLINIC PC",
    account=BankAccount("011000015", "12345678", AccountType.CHECKING),
    amount=Decimal("1234.56"),
    trace="100000001",
    payer_id=PAYER_ID,
)
MEMBER = Payment(
    payee_id="M00042",
    payee_name="JANE Q MEMBER",
    account=BankAccount("121000358", "9876543210", AccountType.SAVINGS),
    amount=Decimal("87.50"),
    trace="100000002",
    payer_id=PAYER_ID,
)
BATCH = Batch(originator=ORIGINATOR, effective_date=date(2026, 3, 4), payments=(CLINIC, MEMBER))


def batch(*payments: Payment, **changes: Any) -> Batch:
    """The golden batch with other payments (or the same ones) and other fields."""
    return replace(BATCH, payments=payments or BATCH.payments, **changes)


def aba(first_eight: str) -> str:
    """A routing number from eight digits, its check digit computed here apart from the code
    under test: 3, 7, 1 weights, the nine digits' weighted sum a multiple of ten."""
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    total = sum(int(d) * w for d, w in zip(first_eight, weights, strict=True))
    return first_eight + str(-total % 10)
