"""Tables of stop-loss: contracts with their lasers and attachment factors, the large-case
notifications sent, reimbursement requests with the claims behind them, and reimbursements
received. Register with ``from aso.stoploss import models as _stoploss`` in ``aso.db.models``.

Money is integer cents (``Money``, columns ``*_cents``); rates are integer basis points
(``Rate``, columns ``*_bp``: 10,000 = 100%). Requests and receipts name the ledger
transactions they posted. Nothing here is deleted: a contract is never edited once claims were
requested against it (a wrong one is for an administrator to correct by hand), a request is
closed, not removed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from aso.db.base import Base, Money, UTCDateTime, utcnow

ID = BigInteger().with_variant(Integer, "sqlite")
"""The id type of ``claims`` and ``ledger_transactions``, which these tables refer to."""
BP = Decimal(10_000)
TIERS = ("employee", "employee_spouse", "employee_children", "family")
KINDS = ("specific", "aggregate")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Rate(TypeDecorator[Decimal]):
    """A share (``Decimal``, e.g. 0.5) as integer basis points (5000)."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("a rate must not be a float")
        scaled = Decimal(value) * BP
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than 4 decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / BP).quantize(Decimal("0.0001"))


class StopLossContractRow(Base):
    """One employer's stop-loss contract for one policy period (specific, and aggregate when
    ``aggregate_rate_bp`` is set)."""

    __tablename__ = "stoploss_contracts"
    __table_args__ = (
        UniqueConstraint("employer_id", "period_start"),
        CheckConstraint("period_end >= period_start", name="ordered"),
        CheckConstraint("incurred_months >= 1 AND paid_months >= 1", name="basis_months"),
        CheckConstraint("specific_deductible_cents > 0", name="deductible_positive"),
        CheckConstraint(
            "specific_rate_bp > 0 AND specific_rate_bp <= 10000"
            " AND notification_rate_bp > 0 AND notification_rate_bp <= 10000",
            name="specific_rates",
        ),
        CheckConstraint(
            "(aggregate_rate_bp IS NULL AND minimum_attachment_cents IS NULL)"
            " OR (aggregate_rate_bp > 0 AND aggregate_rate_bp <= 10000"
            " AND minimum_attachment_cents >= 0)",
            name="aggregate_terms",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True
    )
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    incurred_months: Mapped[int] = mapped_column(SmallInteger)
    paid_months: Mapped[int] = mapped_column(SmallInteger)
    lines: Mapped[str] = mapped_column(String(60))
    """Lines of coverage, comma-joined (``medical,pharmacy``)."""
    carrier: Mapped[str | None] = mapped_column(String(120))
    policy_number: Mapped[str | None] = mapped_column(String(40))
    specific_deductible_cents: Mapped[Decimal] = mapped_column(Money)
    specific_rate_bp: Mapped[Decimal] = mapped_column(Rate)
    notification_rate_bp: Mapped[Decimal] = mapped_column(Rate)
    aggregate_rate_bp: Mapped[Decimal | None] = mapped_column(Rate)
    minimum_attachment_cents: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class LaserRow(Base):
    """A higher specific deductible for one named member under one contract."""

    __tablename__ = "stoploss_lasers"
    __table_args__ = (CheckConstraint("deductible_cents > 0", name="deductible_positive"),)

    contract_id: Mapped[int] = mapped_column(
        ForeignKey("stoploss_contracts.id", ondelete="RESTRICT"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), primary_key=True
    )
    deductible_cents: Mapped[Decimal] = mapped_column(Money)


class AttachmentFactorRow(Base):
    """The monthly aggregate attachment factor of one coverage tier under one contract."""

    __tablename__ = "stoploss_attachment_factors"
    __table_args__ = (
        CheckConstraint(_in("tier", TIERS), name="tier"),
        CheckConstraint("factor_cents >= 0", name="factor_not_negative"),
    )

    contract_id: Mapped[int] = mapped_column(
        ForeignKey("stoploss_contracts.id", ondelete="RESTRICT"), primary_key=True
    )
    tier: Mapped[str] = mapped_column(String(20), primary_key=True)
    factor_cents: Mapped[Decimal] = mapped_column(Money)


class NotificationRow(Base):
    """A large-case notification sent to the carrier: once per member per contract."""

    __tablename__ = "stoploss_notifications"
    __table_args__ = (UniqueConstraint("contract_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("stoploss_contracts.id", ondelete="RESTRICT")
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    threshold_cents: Mapped[Decimal] = mapped_column(Money)
    paid_cents: Mapped[Decimal] = mapped_column(Money)
    """The member's eligible paid claims when the notification was made."""
    reached_on: Mapped[date] = mapped_column(Date)
    """The day a payment took the member to the threshold."""
    notified_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class ReimbursementRequestRow(Base):
    """A reimbursement asked of the carrier: one member's specific excess, or the aggregate
    excess. ``counted_cents`` is what the request adds to the excess (specific) or to the
    claims toward the aggregate, the sum of its claims' ``counted_cents``; ``amount_cents`` the
    reimbursement asked. ``closed_on`` is set when it is received in full or settled short."""

    __tablename__ = "stoploss_requests"
    __table_args__ = (
        Index("ix_stoploss_requests_contract", "contract_id", "kind", "member_id"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(
            "(kind = 'specific') = (member_id IS NOT NULL)", name="specific_names_member"
        ),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("stoploss_contracts.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(String(10))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    requested_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[Decimal] = mapped_column(Money)
    counted_cents: Mapped[Decimal] = mapped_column(Money)
    attachment_cents: Mapped[Decimal | None] = mapped_column(Money)
    """The aggregate attachment point the request was computed against."""
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ID, ForeignKey("ledger_transactions.id", ondelete="RESTRICT")
    )
    """The entry of the receivable. Written in the same transaction as the request, just
    after it (the entry's reference names the request's id), so never empty once committed."""
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class RequestClaimRow(Base):
    """A claim behind a request: its eligible paid amount when requested and what the request
    counts of it (negative when it counts for less than an earlier request said)."""

    __tablename__ = "stoploss_request_claims"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("stoploss_requests.id", ondelete="RESTRICT"), primary_key=True
    )
    claim_id: Mapped[int] = mapped_column(
        ID, ForeignKey("claims.id", ondelete="RESTRICT"), primary_key=True
    )
    paid_cents: Mapped[Decimal] = mapped_column(Money)
    counted_cents: Mapped[Decimal] = mapped_column(Money)


class ReceiptRow(Base):
    """A reimbursement received from the carrier against a request; a ``final`` receipt
    settles the request and writes off what the carrier will not pay (``written_off_cents``)."""

    __tablename__ = "stoploss_receipts"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0 AND written_off_cents >= 0", name="not_negative"),
        CheckConstraint("amount_cents > 0 OR final", name="something_received_or_final"),
        CheckConstraint("written_off_cents = 0 OR final", name="written_off_when_final"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("stoploss_requests.id", ondelete="RESTRICT"), index=True
    )
    received_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[Decimal] = mapped_column(Money)
    written_off_cents: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    reference: Mapped[str | None] = mapped_column(String(80))
    """The carrier's check or EFT trace number."""
    receipt_transaction_id: Mapped[int | None] = mapped_column(
        ID, ForeignKey("ledger_transactions.id", ondelete="RESTRICT")
    )
    writeoff_transaction_id: Mapped[int | None] = mapped_column(
        ID, ForeignKey("ledger_transactions.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
