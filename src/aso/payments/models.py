"""Tables of claims funding and payments. Register with ``from aso.payments import models as
_payments`` in ``aso.db.models``.

- ``funding_accounts``: an employer's claims funding account (the bank account payments are
  drawn on), its prefunding setting and its check number sequence.
- ``payee_bank_accounts``: where a payee (a provider by NPI, a reimbursed subscriber by member
  id) takes EFT, with its prenote status; the account number is kept encrypted (only its last
  four digits in clear). At most one account of a payee is in use.
- ``payment_cycles``: a cycle per employer and run: the claims it gathered up to a date, what
  was recognized and requested (the funding request), its ledger entries.
- ``funding_deposits`` and ``funding_matches``: the employer's deposits and the funding
  requests each paid.
- ``payments``: one per payee per cycle: its amounts (claims, recoveries, the amount paid),
  method, trace (TRN02), check number or ACH trace, 835 and ledger entries, status.
- ``payment_claims``: the claim versions a payment pays (``payment``) or takes back
  (``reversal``). **Never twice**: a version is in at most one active row per role (a partial
  unique index), whether that row's payment is pending or released; a row stops being active
  only when its payment is voided or returned, or when its claim changed before release.
- ``payment_checks``: every check drawn (number unique per employer), issued or voided.
- ``overpayment_recoveries`` and ``recovery_offsets``: what a payee was overpaid (per claim,
  the reference its 835 PLB WO names) and how later payments took it back.
- ``payment_files``: every file a release, void or return produced (NACHA, positive pay, check
  register, 835 reversal), kept so it can be written again.
- ``ach_notices``: ACH returns and notifications of change received, each applied once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
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
from sqlalchemy.orm import Mapped, mapped_column

from aso.db.base import Base, Money, UTCDateTime, utcnow

ID = BigInteger().with_variant(Integer, "sqlite")
ACCOUNT_TYPES = ("checking", "savings")
ACCOUNT_STATUSES = ("prenote_due", "prenote_sent", "active", "inactive")
CYCLE_STATUSES = ("open", "partial", "released")
PAYMENT_STATUSES = ("pending", "released", "voided", "returned", "cancelled")
METHODS = ("EFT", "CHK", "NON")
ROLES = ("payment", "reversal")
RECOVERY_STATUSES = ("open", "recovered", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _partial(name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows that meet ``where``, on both databases."""
    condition = text(where)
    return Index(name, *columns, unique=True, sqlite_where=condition, postgresql_where=condition)


class FundingAccountRow(Base):
    """The employer's claims funding account: the bank (also the ODFI of its ACH files and the
    drawee of its checks), the account, the prefunded balance to keep (in days of expected
    claims) and the next check number."""

    __tablename__ = "funding_accounts"
    __table_args__ = (
        CheckConstraint(_in("account_type", ACCOUNT_TYPES), name="account_type"),
        CheckConstraint("prefund_days >= 0", name="prefund_days_not_negative"),
        CheckConstraint("next_check_number > 0", name="check_number_positive"),
    )

    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), primary_key=True
    )
    bank_name: Mapped[str] = mapped_column(String(23))
    routing: Mapped[str] = mapped_column(String(9))
    account_number: Mapped[str] = mapped_column(String(17))
    """The employer's own account: printed on every check it issues, so kept in clear."""
    account_type: Mapped[str] = mapped_column(String(8))
    prefund_days: Mapped[int] = mapped_column(Integer, default=0)
    next_check_number: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120))


class PayeeAccountRow(Base):
    """A payee's bank account for EFT. ``prenote_due``: registered, a zero-dollar prenote goes
    with the next ACH file; ``prenote_sent``: live entries from the third banking day after
    the prenote settles; ``active``; ``inactive`` (returned, replaced or closed)."""

    __tablename__ = "payee_bank_accounts"
    __table_args__ = (
        _partial(
            "uq_payee_bank_accounts_in_use",
            "payee_qualifier",
            "payee_id",
            where="status <> 'inactive'",
        ),
        CheckConstraint("payee_qualifier IN ('XX', 'FI')", name="qualifier"),
        CheckConstraint(_in("account_type", ACCOUNT_TYPES), name="account_type"),
        CheckConstraint(_in("status", ACCOUNT_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payee_qualifier: Mapped[str] = mapped_column(String(2))
    payee_id: Mapped[str] = mapped_column(String(10))
    routing: Mapped[str] = mapped_column(String(9))
    account_encrypted: Mapped[str] = mapped_column(Text)
    account_last4: Mapped[str] = mapped_column(String(4))
    account_type: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12))
    prenote_effective: Mapped[date | None] = mapped_column(Date)
    prenote_trace: Mapped[str | None] = mapped_column(String(15), index=True)
    inactive_reason: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentCycleRow(Base):
    """A payment cycle and its funding request: claims adjudicated up to ``through``;
    ``claims_cents`` what their CLPs net to, ``overpaid_cents`` what corrections take back
    from payees, ``gross_cents`` = the two added (what the cycle owes payees before
    recoveries); ``requested_cents`` what the employer was asked to deposit."""

    __tablename__ = "payment_cycles"
    __table_args__ = (
        UniqueConstraint("employer_id", "sequence"),
        CheckConstraint(_in("status", CYCLE_STATUSES), name="status"),
        CheckConstraint("requested_cents >= 0", name="requested_not_negative"),
        CheckConstraint("gross_cents = claims_cents + overpaid_cents", name="gross"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[str] = mapped_column(String(30), unique=True)
    sequence: Mapped[int] = mapped_column(Integer)
    through: Mapped[date] = mapped_column(Date)
    run_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    claims: Mapped[int] = mapped_column(Integer)
    claims_cents: Mapped[Decimal] = mapped_column(Money)
    overpaid_cents: Mapped[Decimal] = mapped_column(Money)
    gross_cents: Mapped[Decimal] = mapped_column(Money)
    prefund_target_cents: Mapped[Decimal] = mapped_column(Money)
    available_cents: Mapped[Decimal] = mapped_column(Money)
    """Funds on hand or requested and not yet spoken for when the cycle ran."""
    requested_cents: Mapped[Decimal] = mapped_column(Money)
    recognized_tx: Mapped[int | None] = mapped_column(ID)
    requested_tx: Mapped[int | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class FundingDepositRow(Base):
    """Money the employer put into its claims funding account."""

    __tablename__ = "funding_deposits"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True
    )
    received_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[Decimal] = mapped_column(Money)
    reference: Mapped[str | None] = mapped_column(String(80))
    ledger_tx: Mapped[int] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class FundingMatchRow(Base):
    """The part of a deposit that paid a cycle's funding request."""

    __tablename__ = "funding_matches"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    deposit_id: Mapped[int] = mapped_column(
        ForeignKey("funding_deposits.id", ondelete="RESTRICT"), primary_key=True
    )
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("payment_cycles.id", ondelete="RESTRICT"), primary_key=True
    )
    amount_cents: Mapped[Decimal] = mapped_column(Money)


class PaymentRow(Base):
    """One payee's payment in one cycle. Amounts: ``claims_cents`` the CLP04s added up,
    ``overpaid_cents`` what corrections in it take back, ``recovered_cents`` the overpayments
    taken from it (this cycle's and earlier ones'), ``deferred_cents`` the overpayments left to
    later payments (PLB WO negative), and ``amount_cents`` = claims + deferred - recovered of
    earlier ones, what the payee receives (BPR02)."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("cycle_id", "payee_qualifier", "payee_id"),
        CheckConstraint(_in("status", PAYMENT_STATUSES), name="status"),
        CheckConstraint(f"method IS NULL OR {_in('method', METHODS)}", name="method"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint(
            "status = 'pending' OR status = 'cancelled' OR method IS NOT NULL",
            name="released_method",
        ),
        Index("ix_payments_payee", "employer_id", "payee_qualifier", "payee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"))
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("payment_cycles.id", ondelete="RESTRICT"), index=True
    )
    payee_qualifier: Mapped[str] = mapped_column(String(2))
    payee_id: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    method: Mapped[str | None] = mapped_column(String(3))
    claims_cents: Mapped[Decimal] = mapped_column(Money)
    overpaid_cents: Mapped[Decimal] = mapped_column(Money)
    recovered_cents: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    deferred_cents: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    amount_cents: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    trace: Mapped[str | None] = mapped_column(String(50), unique=True)
    """TRN02 of its 835: the check number, or the EFT trace."""
    check_number: Mapped[int | None] = mapped_column(BigInteger)
    """The check in force (a reissue replaces it)."""
    ach_trace: Mapped[str | None] = mapped_column(String(15), index=True)
    """The ACH entry's trace number, as a return or a notification of change names it."""
    bank_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("payee_bank_accounts.id", ondelete="RESTRICT")
    )
    batch: Mapped[str | None] = mapped_column(String(40))
    released_on: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    remittance_id: Mapped[int | None] = mapped_column(
        ForeignKey("edi_remittances.id", ondelete="RESTRICT")
    )
    void_remittance_id: Mapped[int | None] = mapped_column(
        ForeignKey("edi_remittances.id", ondelete="RESTRICT")
    )
    release_tx: Mapped[int | None] = mapped_column(ID)
    settle_tx: Mapped[int | None] = mapped_column(ID)
    """The settlement of the instrument in force (a reissued check's replaces the first's)."""
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    return_code: Mapped[str | None] = mapped_column(String(3))


class PaymentClaimRow(Base):
    """A claim version a payment pays or takes back, with what its CLP carries (a reversal's
    amounts negative). ``root_claim_id`` is the first claim of its chain of corrections: a
    reversal and the correction that replaces it net per chain."""

    __tablename__ = "payment_claims"
    __table_args__ = (
        _partial("uq_payment_claims_active", "version_id", "role", where="active"),
        CheckConstraint(_in("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), index=True
    )
    claim_id: Mapped[int] = mapped_column(ID, index=True)
    version_id: Mapped[int] = mapped_column(ID, ForeignKey("claim_versions.id"))
    version: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(8))
    root_claim_id: Mapped[int] = mapped_column(ID)
    charge_cents: Mapped[Decimal] = mapped_column(Money)
    paid_cents: Mapped[Decimal] = mapped_column(Money)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    ended: Mapped[str | None] = mapped_column(String(10))
    """Why the row stopped being active: ``changed`` (the claim changed before release),
    ``voided`` or ``returned`` (its payment was)."""


class CheckRow(Base):
    """A check drawn on the employer's funding account."""

    __tablename__ = "payment_checks"
    __table_args__ = (
        UniqueConstraint("employer_id", "number"),
        CheckConstraint("status IN ('issued', 'voided')", name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"))
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int] = mapped_column(BigInteger)
    issued_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[Decimal] = mapped_column(Money)
    payee_name: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(8), default="issued")
    voided_on: Mapped[date | None] = mapped_column(Date)
    void_reason: Mapped[str | None] = mapped_column(String(200))


class RecoveryRow(Base):
    """An overpayment to recover from a payee: a claim paid more before its correction than
    after. ``reference`` is what the 835s name it by (PLB03-2: the reversed claim's CLP07)."""

    __tablename__ = "overpayment_recoveries"
    __table_args__ = (
        CheckConstraint(_in("status", RECOVERY_STATUSES), name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_overpayment_recoveries_payee", "employer_id", "payee_qualifier", "payee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"))
    payee_qualifier: Mapped[str] = mapped_column(String(2))
    payee_id: Mapped[str] = mapped_column(String(10))
    claim_id: Mapped[int] = mapped_column(ID)
    reference: Mapped[str] = mapped_column(String(50))
    amount_cents: Mapped[Decimal] = mapped_column(Money)
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), index=True
    )
    """The payment whose 835 carried the reversal."""
    status: Mapped[str] = mapped_column(String(10), default="open")
    established_on: Mapped[date] = mapped_column(Date)


class RecoveryOffsetRow(Base):
    """What one payment took back of one overpayment (``immediate``: in the very payment whose
    reversal made it, the reversal and the correction netting)."""

    __tablename__ = "recovery_offsets"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recovery_id: Mapped[int] = mapped_column(
        ForeignKey("overpayment_recoveries.id", ondelete="RESTRICT"), index=True
    )
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), index=True
    )
    amount_cents: Mapped[Decimal] = mapped_column(Money)
    immediate: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PaymentFileRow(Base):
    """A file a release, void or return produced: ``batch`` names the event (the cycle's
    release, ``VOID-<payment>``, ...), ``kind`` what it is."""

    __tablename__ = "payment_files"
    __table_args__ = (
        CheckConstraint("kind IN ('nacha', 'positive_pay', 'check_register', '835')", name="kind"),
        CheckConstraint("content IS NOT NULL OR remittance_id IS NOT NULL", name="content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"))
    batch: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    content: Mapped[str | None] = mapped_column(Text)
    remittance_id: Mapped[int | None] = mapped_column(
        ForeignKey("edi_remittances.id", ondelete="RESTRICT")
    )
    """An 835's text is the remittance's (``edi_remittances.content``), not copied here."""
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AchNoticeRow(Base):
    """An ACH return (R..) or notification of change (C..) received for an entry: applied
    once (the same trace and code again is reported, not applied)."""

    __tablename__ = "ach_notices"
    __table_args__ = (UniqueConstraint("trace", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trace: Mapped[str] = mapped_column(String(15))
    code: Mapped[str] = mapped_column(String(3))
    corrected: Mapped[str | None] = mapped_column(String(40))
    received_on: Mapped[date] = mapped_column(Date)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"))
    bank_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("payee_bank_accounts.id", ondelete="RESTRICT")
    )
    outcome: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
