"""Tables of admin fees. Register with ``from aso.adminfees import models as _adminfees`` in
``aso.db.models``.

- ``admin_fee_agreements``: an employer's fee terms (the agreement document kept whole as
  JSON, amounts as decimal strings) from an effective month; one per employer and month.
- ``admin_fee_invoices``: one issued invoice per employer and month (a partial unique index:
  running a month twice never bills twice; a void invoice frees its month), with its totals in
  cents and the ledger transaction that posted it.
- ``admin_fee_invoice_lines``: the invoice's lines, each quantity x rate = amount, an
  adjustment naming the month it corrects.
- ``admin_fee_billed``: what has been billed for each month under each charge key (kind, line
  of coverage, tier, premium name, rate): the sum of the issued invoices' lines for that month,
  kept so that a later invoice bills only the difference between what a month is due today and
  what it was billed. Updated with the invoice lines in the same transaction.

Quantities and rates are exact decimals stored as integers (``*_e2`` hundredths, ``*_e6``
millionths), money as integer cents.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from aso.db.base import Base, Money, UTCDateTime, utcnow

STATUSES = ("issued", "void")
KINDS = ("pepm", "percent_of_paid", "per_claim", "minimum", "stop_loss")
ID = BigInteger().with_variant(Integer, "sqlite")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Scaled(TypeDecorator[Decimal]):
    """An exact decimal with at most ``places`` decimal places, as an integer count of
    10^-places (a quantity of hundredths, a rate of millionths)."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("a quantity or rate must not be a float")
        scaled = Decimal(value).scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places).quantize(Decimal(1).scaleb(-self.places))


class FeeAgreementRow(Base):
    """An employer's admin fee agreement in effect from ``effective`` (a month's first day)
    until the next one's. Setting an agreement for the same month again replaces its terms:
    later invoices then correct the months it covers (within their look-back)."""

    __tablename__ = "admin_fee_agreements"
    __table_args__ = (UniqueConstraint("employer_id", "effective"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True
    )
    effective: Mapped[date] = mapped_column(Date)
    terms_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120))


class InvoiceRow(Base):
    """An admin fee invoice of one employer for one month. Never edited but to void it."""

    __tablename__ = "admin_fee_invoices"
    __table_args__ = (
        Index(
            "uq_admin_fee_invoices_issued_month",
            "employer_id",
            "month",
            unique=True,
            sqlite_where=text("status = 'issued'"),
            postgresql_where=text("status = 'issued'"),
        ),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("total_cents = current_cents + adjustments_cents", name="total_by_month"),
        CheckConstraint("total_cents = fees_cents + pass_through_cents", name="total_by_payee"),
        CheckConstraint("due_on >= issued_on", name="due_after_issue"),
        CheckConstraint("(status = 'void') = (voided_at IS NOT NULL)", name="void_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True
    )
    month: Mapped[date] = mapped_column(Date)
    """The month billed (its first day)."""
    status: Mapped[str] = mapped_column(String(10), default="issued")
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("admin_fee_agreements.id", ondelete="RESTRICT")
    )
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    current_cents: Mapped[Decimal] = mapped_column(Money)
    """The month's own charges."""
    adjustments_cents: Mapped[Decimal] = mapped_column(Money)
    """Corrections of earlier months."""
    fees_cents: Mapped[Decimal] = mapped_column(Money)
    """The TPA's admin fees (revenue)."""
    pass_through_cents: Mapped[Decimal] = mapped_column(Money)
    """Stop-loss premiums billed for the carrier."""
    total_cents: Mapped[Decimal] = mapped_column(Money)
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ID, ForeignKey("ledger_transactions.id", ondelete="RESTRICT")
    )
    """The entry that posted it (None when the total and its parts are all zero)."""
    void_transaction_id: Mapped[int | None] = mapped_column(
        ID, ForeignKey("ledger_transactions.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by: Mapped[str | None] = mapped_column(String(120))
    void_reason: Mapped[str | None] = mapped_column(String(200))


class InvoiceLineRow(Base):
    """One line of an invoice: counts and amounts only, never a member."""

    __tablename__ = "admin_fee_invoice_lines"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("admin_fee_invoices.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    line: Mapped[str | None] = mapped_column(String(12))
    """The fee line (``medical`` ... ``disability``) of a PEPM, share or per-claim charge."""
    tier: Mapped[str | None] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(60), default="")
    """The stop-loss premium's name."""
    month_corrected: Mapped[date | None] = mapped_column(Date)
    """None for the invoice's own month; else the earlier month this adjustment corrects."""
    description: Mapped[str] = mapped_column(String(200))
    quantity_e2: Mapped[Decimal | None] = mapped_column(Scaled(2))
    rate_e6: Mapped[Decimal | None] = mapped_column(Scaled(6))
    amount_cents: Mapped[Decimal] = mapped_column(Money)


class BilledRow(Base):
    """What the issued invoices billed for ``month`` under one charge key, in total."""

    __tablename__ = "admin_fee_billed"
    __table_args__ = (
        UniqueConstraint("employer_id", "month", "key"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"))
    month: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(160))
    """kind|line|tier|label|rate: the charge key written out, unique per employer and month."""
    kind: Mapped[str] = mapped_column(String(20))
    line: Mapped[str | None] = mapped_column(String(12))
    tier: Mapped[str | None] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(60), default="")
    rate_e6: Mapped[Decimal | None] = mapped_column(Scaled(6))
    quantity_e2: Mapped[Decimal] = mapped_column(Scaled(2))
    amount_cents: Mapped[Decimal] = mapped_column(Money)
