"""Tables of the 835 remittances sent: what each paid to whom, and which claim versions it paid
or reversed, so that no export remits a claim version twice.

- ``edi_remittances``: one row per 835 written (one payee of one employer): its control and
  trace numbers, the amounts (BPR02, the claims' CLP04s, the PLB adjustments), the balance the
  payee still owes afterwards (carried to its next remittance, PLB FB), the file (name, SHA-256
  and the text itself, so it can be sent again).
- ``edi_remitted_claims``: the claim versions a remittance carried, each as a ``payment`` (the
  version as adjudicated) or a ``reversal`` (a version remitted before, taken back because the
  claim was corrected). A version is paid at most once and reversed at most once: that is the
  table's key, so two exports at the same moment cannot both remit it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aso.claims.models import ID
from aso.db.base import Base, Money, UTCDateTime, utcnow

ROLES = ("payment", "reversal")
METHODS = ("CHK", "ACH", "NON")


class RemittanceRow(Base):
    """One 835 sent to one payee on behalf of one employer's plan."""

    __tablename__ = "edi_remittances"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("owed_cents >= 0", name="owed_not_negative"),
        CheckConstraint(
            "amount_cents = claims_paid_cents - adjustments_cents", name="amount_balances"
        ),
        CheckConstraint("payment_method IN ('" + "', '".join(METHODS) + "')", name="method"),
        Index("ix_edi_remittances_payee", "payee_qualifier", "payee_id", "payment_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True
    )
    payee_qualifier: Mapped[str] = mapped_column(String(2))
    """N103: ``XX`` (the NPI of a provider) or ``FI`` (a member reimbursed)."""
    payee_id: Mapped[str] = mapped_column(String(80))
    payee_name: Mapped[str] = mapped_column(String(60))
    control_number: Mapped[int] = mapped_column(Integer)
    """ISA13 (and GS06) of the interchange."""
    trace_number: Mapped[str] = mapped_column(String(50), unique=True)
    """TRN02: the check or EFT trace number (the payment's, once payments exist)."""
    payment_method: Mapped[str] = mapped_column(String(3))
    payment_date: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[Decimal] = mapped_column(Money)
    """BPR02: never negative."""
    claims_paid_cents: Mapped[Decimal] = mapped_column(Money)
    """The CLP04s added up (reversals negative)."""
    adjustments_cents: Mapped[Decimal] = mapped_column(Money)
    """The PLB amounts added up (positive: taken from the payment)."""
    owed_cents: Mapped[Decimal] = mapped_column(Money)
    """What the payee still owes after this remittance: taken back from its next one."""
    claims: Mapped[int] = mapped_column(Integer)
    reversals: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class RemittedClaimRow(Base):
    """A claim version a remittance paid (``payment``) or took back (``reversal``), with the
    amounts its CLP carried."""

    __tablename__ = "edi_remitted_claims"
    __table_args__ = (CheckConstraint("role IN ('" + "', '".join(ROLES) + "')", name="role"),)

    version_id: Mapped[int] = mapped_column(
        ID, ForeignKey("claim_versions.id", ondelete="RESTRICT"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(10), primary_key=True)
    remittance_id: Mapped[int] = mapped_column(
        ForeignKey("edi_remittances.id", ondelete="RESTRICT"), index=True
    )
    claim_id: Mapped[int] = mapped_column(
        ID, ForeignKey("claims.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    """The CLP's place in the 835 (1 for the first claim)."""
    charge_cents: Mapped[Decimal] = mapped_column(Money)
    """CLP03 as sent (negative for a reversal)."""
    paid_cents: Mapped[Decimal] = mapped_column(Money)
    """CLP04 as sent (negative for a reversal)."""
