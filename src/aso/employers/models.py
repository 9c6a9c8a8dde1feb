"""Tables of employers, their plan years and the plans offered in each plan year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aso.db.base import Base, UTCDateTime, utcnow
from aso.plans.domain import PlanDesign
from aso.yamlio import load_json_text


class Employer(Base):
    """A plan sponsor, identified by its EIN (``NN-NNNNNNN``)."""

    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    ein: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address1: Mapped[str] = mapped_column(String(120))
    address2: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan_years: Mapped[list[PlanYearRow]] = relationship(
        back_populates="employer", order_by="PlanYearRow.start_date"
    )


class PlanYearRow(Base):
    """One plan year of an employer, with its run-out period in months."""

    __tablename__ = "plan_years"
    __table_args__ = (
        UniqueConstraint("employer_id", "start_date"),
        CheckConstraint("end_date >= start_date", name="ordered"),
        CheckConstraint("runout_months >= 0", name="runout_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    runout_months: Mapped[int]

    employer: Mapped[Employer] = relationship(back_populates="plan_years")
    plans: Mapped[list[OfferedPlan]] = relationship(
        back_populates="plan_year", order_by="OfferedPlan.code"
    )


class OfferedPlan(Base):
    """A plan an employer offers in a plan year: one plan design for one line of coverage.

    The design is kept whole as JSON (amounts as decimal strings); ``code`` is the design's
    ``id``, unique per employer and plan year; line, name and period are copied out for queries.
    """

    __tablename__ = "employer_plans"
    __table_args__ = (
        UniqueConstraint("employer_id", "plan_year_id", "code"),
        CheckConstraint("period_end >= period_start", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="CASCADE"), index=True
    )
    plan_year_id: Mapped[int] = mapped_column(
        ForeignKey("plan_years.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    line: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    design_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan_year: Mapped[PlanYearRow] = relationship(back_populates="plans")

    def design(self) -> PlanDesign:
        """The stored design, validated again (numbers come back as Decimals, never floats)."""
        return PlanDesign.model_validate(load_json_text(self.design_json))
