"""Tables of networks, providers, contracts and fee schedules with their rates and drug prices.

Money is integer cents (``Money``, ``*_cents``); sub-cent unit prices and conversion factors
integer millicents (``Millicents``, ``*_millicents``: 1/100,000 dollar, the five decimals AWP
and MAC lists use); shares integer basis points (``BasisPoints``, ``*_bp``: 1.5 = 15000).
None of them is ever a float. Rate targets the rate does not use are '' rather than NULL so
that the uniqueness of a schedule's rates holds on both databases.
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
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from aso.db.base import Base, Money, UTCDateTime, utcnow


class _Scaled(TypeDecorator[Decimal]):
    """A Decimal stored as an integer count of 1/``scale``; a value finer than that is refused
    (the domain never produces one) rather than rounded."""

    impl: type[Integer] = BigInteger
    cache_ok = True
    scale = 1

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("a float must not be stored")
        scaled = Decimal(value) * self.scale
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} is finer than 1/{self.scale}")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(int(value)) / self.scale


class Millicents(_Scaled):
    """Dollars in Python, integer 1/100,000 dollar in the database."""

    cache_ok = True
    scale = 100_000


class BasisPoints(_Scaled):
    """A share in Python (1.5 = 150%), integer basis points in the database (15000)."""

    impl = Integer
    cache_ok = True
    scale = 10_000


class NetworkRow(Base):
    """A provider network, by code."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProviderRow(Base):
    """A provider of the directory: NPI, TIN (EIN), taxonomy, kind and practice address."""

    __tablename__ = "providers"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('professional', 'facility', 'pharmacy', 'dental', 'vision')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    tin: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(200))
    taxonomy: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(12))
    address1: Mapped[str] = mapped_column(String(120))
    address2: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contracts: Mapped[list[ContractRow]] = relationship(
        back_populates="provider", order_by="ContractRow.start_date"
    )


class FeeScheduleRow(Base):
    """A fee schedule and its settings; ``network`` is ``in`` (used through contracts) or
    ``out`` (the out-of-network reference); ``claim_types`` is comma-separated, NULL = all."""

    __tablename__ = "fee_schedules"
    __table_args__ = (
        CheckConstraint("network IN ('in', 'out')", name="network"),
        CheckConstraint("percent_of_charge_bp IS NULL OR percent_of_charge_bp > 0", name="poc"),
        CheckConstraint("percent_of_medicare_bp IS NULL OR percent_of_medicare_bp > 0", name="pom"),
        CheckConstraint(
            "conversion_factor_millicents IS NULL OR conversion_factor_millicents > 0", name="cf"
        ),
        CheckConstraint(
            "awp_discount_bp IS NULL OR (awp_discount_bp >= 0 AND awp_discount_bp <= 10000)",
            name="awp_discount",
        ),
        CheckConstraint("dispensing_fee_cents >= 0", name="dispensing_fee"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    network: Mapped[str] = mapped_column(String(3))
    claim_types: Mapped[str | None] = mapped_column(String(80))
    percent_of_charge_bp: Mapped[Decimal | None] = mapped_column(BasisPoints)
    percent_of_medicare_bp: Mapped[Decimal | None] = mapped_column(BasisPoints)
    conversion_factor_millicents: Mapped[Decimal | None] = mapped_column(Millicents)
    awp_discount_bp: Mapped[Decimal | None] = mapped_column(BasisPoints)
    dispensing_fee_cents: Mapped[Decimal] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContractRow(Base):
    """A provider's contract with a network from ``start_date`` to ``end_date`` (the last day
    in effect; NULL = open), priced by an in-network fee schedule."""

    __tablename__ = "provider_contracts"
    __table_args__ = (
        UniqueConstraint("provider_id", "network_id", "start_date"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ordered"),
        Index("ix_provider_contracts_dates", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    fee_schedule_id: Mapped[int] = mapped_column(
        ForeignKey("fee_schedules.id", ondelete="RESTRICT"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    provider: Mapped[ProviderRow] = relationship(back_populates="contracts")
    network: Mapped[NetworkRow] = relationship()
    fee_schedule: Mapped[FeeScheduleRow] = relationship()


class FeeRateRow(Base):
    """One rate of a schedule: exactly one of procedure (with an optional modifier), revenue
    code and category; ``basis`` is ``amount`` (per unit), ``per_diem`` or ``case_rate``."""

    __tablename__ = "fee_schedule_rates"
    __table_args__ = (
        UniqueConstraint(
            "fee_schedule_id",
            "procedure",
            "modifier",
            "revenue_code",
            "category",
            name="uq_fee_schedule_rates_target",
        ),
        CheckConstraint("basis IN ('amount', 'per_diem', 'case_rate')", name="basis"),
        CheckConstraint("amount_cents >= 0", name="amount"),
        CheckConstraint(
            "(CASE WHEN procedure <> '' THEN 1 ELSE 0 END)"
            " + (CASE WHEN revenue_code <> '' THEN 1 ELSE 0 END)"
            " + (CASE WHEN category <> '' THEN 1 ELSE 0 END) = 1",
            name="one_target",
        ),
        CheckConstraint("modifier = '' OR procedure <> ''", name="modifier_with_procedure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fee_schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedules.id", ondelete="CASCADE"))
    procedure: Mapped[str] = mapped_column(String(5))
    modifier: Mapped[str] = mapped_column(String(2))
    revenue_code: Mapped[str] = mapped_column(String(4))
    category: Mapped[str] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(String(10))
    amount_cents: Mapped[Decimal] = mapped_column(Money)


class DrugPriceRow(Base):
    """Unit prices of one NDC in a schedule: AWP and MAC (at least one)."""

    __tablename__ = "fee_schedule_drugs"
    __table_args__ = (
        UniqueConstraint("fee_schedule_id", "ndc"),
        CheckConstraint(
            "awp_millicents IS NOT NULL OR mac_millicents IS NOT NULL", name="some_price"
        ),
        CheckConstraint(
            "(awp_millicents IS NULL OR awp_millicents >= 0)"
            " AND (mac_millicents IS NULL OR mac_millicents >= 0)",
            name="not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fee_schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedules.id", ondelete="CASCADE"))
    ndc: Mapped[str] = mapped_column(String(11))
    awp_millicents: Mapped[Decimal | None] = mapped_column(Millicents)
    mac_millicents: Mapped[Decimal | None] = mapped_column(Millicents)
