"""Request and response shapes of admin fees (apart from the tables). Amounts are decimal
strings with two places ("25.00"); months ``YYYY-MM``; quantities are counts of employees or
claims (whole numbers) or, for a share of paid claims, the paid amount; a share's rate is a
fraction ("0.035" = 3.5%)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, PlainSerializer

from aso.adminfees import months
from aso.ledger.schemas import Amount

Month = Annotated[date, PlainSerializer(months.code, return_type=str)]


class AgreementRead(BaseModel):
    id: int
    employer_id: int
    ein: str
    effective: date
    terms: dict[str, Any]
    """The agreement document (``aso.adminfees.domain.FeeAgreement``), amounts as strings."""
    updated_at: datetime
    updated_by: str


class InvoiceLineRead(BaseModel):
    seq: int
    kind: str
    line: str | None
    tier: str | None
    label: str
    description: str
    month_corrected: Month | None
    """None for the invoice's own month; else the earlier month this adjustment corrects."""
    quantity: str | None
    """Employees or claims (a whole number), or the paid amount a share is taken of."""
    rate: str | None
    """Dollars per unit, or the share as a fraction; none for the minimum top-up."""
    amount: Amount
    pass_through: bool


class InvoiceSummaryRead(BaseModel):
    number: str
    employer_id: int
    ein: str
    month: Month
    status: Literal["issued", "void"]
    issued_on: date
    due_on: date
    total: Amount


class InvoiceRead(InvoiceSummaryRead):
    """An invoice: the month's charges, adjustments of earlier months, and its totals
    (``current`` + ``adjustments`` = ``total`` = ``fees`` + ``pass_through``). Counts and
    amounts only: no member appears on an invoice."""

    employer: str
    employer_address: list[str]
    count_rule: str
    current: Amount
    adjustments: Amount
    fees: Amount
    pass_through: Amount
    ledger_transaction_id: int | None
    void_transaction_id: int | None
    void_reason: str | None
    created_at: datetime
    created_by: str
    lines: list[InvoiceLineRead]


class InvoiceRunItem(BaseModel):
    employer_id: int
    ein: str
    employer: str
    outcome: Literal["issued", "existing", "skipped"]
    """``existing``: the month was already invoiced (nothing billed twice); ``skipped``: no
    agreement in effect."""
    number: str | None = None
    total: Amount | None = None
    adjustment_lines: int = 0
    message: str | None = None


class InvoiceRunRead(BaseModel):
    month: Month
    issued: int
    existing: int
    skipped: int
    invoices: list[InvoiceRunItem]


class InvoiceRunCreate(BaseModel):
    """``POST /v1/invoices/run``: the month (``YYYY-MM``), one employer or all, and the issue
    date (default today)."""

    month: str
    employer_id: int | None = None
    issued_on: date | None = None


class InvoiceVoidCreate(BaseModel):
    reason: str
    on: date | None = None
