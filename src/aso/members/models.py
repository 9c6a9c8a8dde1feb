"""Tables of members (subscribers and dependents), coverages and census imports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import relationship as link

from aso.db.base import Base, Money, UTCDateTime, utcnow
from aso.employers.models import OfferedPlan


class Member(Base):
    """A person covered by an employer's plans.

    A subscriber has an employee number (unique per employer) and employment data; a dependent
    points to its subscriber and has neither. The SSN is kept only encrypted, with its last four
    digits for masking and a keyed digest for matching.
    """

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("employer_id", "employee_number"),
        CheckConstraint(
            "(relationship = 'subscriber' AND subscriber_id IS NULL"
            " AND employee_number IS NOT NULL)"
            " OR (relationship <> 'subscriber' AND subscriber_id IS NOT NULL"
            " AND employee_number IS NULL)",
            name="family_shape",
        ),
        Index("ix_members_name", func.lower(text("last_name")), func.lower(text("first_name"))),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_number: Mapped[str] = mapped_column(String(10), unique=True)
    """The public member id (``M`` + 9 digits)."""
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="CASCADE"), index=True
    )
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    relationship: Mapped[str] = mapped_column(String(20))
    employee_number: Mapped[str | None] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    ssn_encrypted: Mapped[str | None] = mapped_column(Text)
    ssn_last4: Mapped[str | None] = mapped_column(String(4))
    ssn_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    address1: Mapped[str] = mapped_column(String(120))
    address2: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    hire_date: Mapped[date | None] = mapped_column(Date)
    annual_earnings_cents: Mapped[Decimal | None] = mapped_column(Money)
    employment_class: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    coverages: Mapped[list[Coverage]] = link(
        back_populates="member", order_by="Coverage.start_date"
    )

    @property
    def family_id(self) -> int:
        """The subscriber's id: what :class:`aso.security.domain.Principal` scopes a family by."""
        return self.subscriber_id if self.subscriber_id is not None else self.id


class Coverage(Base):
    """An enrollment: member x plan (hence line) x tier, from ``start_date`` to ``end_date``
    (the last covered day; NULL = until the plan's period ends)."""

    __tablename__ = "coverages"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ordered"),
        Index("ix_coverages_member_line", "member_id", "line"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("employer_plans.id", ondelete="RESTRICT"), index=True
    )
    line: Mapped[str] = mapped_column(String(10))
    tier: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    member: Mapped[Member] = link(back_populates="coverages")
    plan: Mapped[OfferedPlan] = link()


class CensusImport(Base):
    """A census file accepted for an employer, by content hash: the same file is never
    processed twice (DESIGN section 9)."""

    __tablename__ = "census_imports"
    __table_args__ = (UniqueConstraint("employer_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(120))
    summary_json: Mapped[str] = mapped_column(Text)
