"""Response shapes of the X12 file import (``aso edi import``, ``POST /v1/edi/files``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


class TransactionSummary(BaseModel):
    """One transaction set received: its verdict (as the 999's IK5 says) and what it did."""

    set: str
    control_number: str
    guide: str
    group: str | None
    status: str
    """``accepted``, ``accepted_with_errors``, ``rejected`` (as the 999 says), or
    ``not_processed`` (an acknowledgment received: it is recorded, not answered)."""
    errors: list[str] = []
    warnings: list[str] = []
    enrollment: dict[str, Any] | None = None
    """For an 834: the employer, the counts of members and coverages added, changed and
    unchanged, each change, and notes."""
    claims: dict[str, Any] | None = None
    """For an 837: claims stored, already on file, and rejected alone."""


class DuplicateOf(BaseModel):
    id: int
    filename: str
    received_at: datetime
    same_content: bool


class ImportSummary(BaseModel):
    """What became of a file: ``status`` as the registry keeps it (``aso.edi.models``)."""

    id: int | None
    """The registry row (None when the file could not be read at all)."""
    filename: str
    sha256: str
    status: str
    interchange: dict[str, str] | None = None
    duplicate_of: DuplicateOf | None = None
    errors: list[str] = []
    """Envelope errors (interchange and functional groups)."""
    transactions: list[TransactionSummary] = []
    ack_999: str | None = None
    ack_ta1: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status == "processed"


class RemittanceSummaryRead(BaseModel):
    """One 835 sent: to whom, for what payment, and how to fetch it."""

    trace: str
    """TRN02: the payment's trace number (the check number, or the EFT's trace)."""
    payee_qualifier: str
    payee_id: str
    payee_name: str
    payment_method: str
    payment_date: date
    amount: Decimal
    claims: int
    reversals: int
    filename: str
    created_at: datetime
