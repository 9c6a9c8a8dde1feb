"""Tables of claims as received, their adjudications and the accumulator entries they made.

- ``claims``, ``claim_lines`` and ``claim_documents``: what a provider sent, as sent (the
  document is kept whole too), with the member and family found at intake (an unknown member
  is stored with no member and is denied CARC 31 when adjudicated, DESIGN 9). ``claims.status``
  is the claim's current state; the engine's ``paid`` is stored as ``approved`` until a payment
  releases it (DESIGN 3).
- ``claim_versions``, ``line_results`` and ``result_adjustments``: each adjudication of a claim
  is a new, numbered version and is never edited (a re-adjudication, release, override or
  correction writes another one). Amounts are integer cents.
- ``accumulator_entries``: one row per ``AccumulatorEntry`` an adjudication produced (what one
  line added to one accumulator); a reversal points to the entry it cancels.
  ``accumulator_adjustments`` are entries made by hand (a deductible met with a prior carrier, a
  correction) with a reason and a user. ``accumulator_totals`` keeps the running deductible and
  out-of-pocket totals per member and family; they are derived (DESIGN 3) and ``aso
  accumulators rebuild --verify`` recomputes them from the entries and adjustments.
- ``prior_authorizations``: the register a line's authorization number is checked against.
- ``line_decisions``: an examiner's decisions on a claim's lines (release a pend, set the allowed
  amount, deny with a CARC), with the reason and the user; every later adjudication of the claim
  applies them. ``claim_reprocessing``: later claims of a family whose cost share changed after
  a correction or a decision, listed until they are reprocessed (``aso.claims.rework``).

The batch writes versions, results, adjustments, entries and totals in bulk
(``aso.claims.bulk``), with ids it allocates itself, so the tables use plain columns the driver
can fill directly: money ``*_cents`` (``Money``), service units ``units_e4`` (``Units``,
1/10,000 of a unit), codes as strings, lists of codes comma-joined. It writes about five rows
per claim line, and a database checks a foreign key row by row (on PostgreSQL a check costs
about as much as writing the row): so a version refers to its claim by a foreign key, a
reversal to the entry it cancels, and the rest of the batch's rows (a line result or an
adjustment and its version, an entry and its version, claim, member, family and plan, a total
and its member) hold plain ids, copied from rows the same transaction read or wrote. Nothing
deletes claims, members or plans that claims refer to; ``tests/integration`` checks that every
such id names its row.
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
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from aso.db.base import Base, Money, UTCDateTime, utcnow

UNITS_SCALE = 10_000
ID = BigInteger().with_variant(Integer, "sqlite")
"""Ids the batch allocates itself; a SQLite INTEGER key is the rowid, a PostgreSQL one a
BIGSERIAL whose sequence hands out blocks of ids."""
CLAIM_STATUSES = ("received", "pended", "denied", "approved", "paid", "voided")
LINE_STATUSES = ("paid", "denied", "pended", "reversed")
ENTRY_KINDS = ("deductible", "out_of_pocket", "visits", "benefit_dollars", "plan_paid")
AUTHORIZATION_STATUSES = ("approved", "pending", "denied", "cancelled")
DECISIONS = ("release", "override", "deny")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Units(TypeDecorator[Decimal]):
    """Service units (up to 4 decimals: drug quantities) as an integer count of 1/10,000."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        return None if value is None else units_e4(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else units_from_e4(int(value))


def units_e4(value: Decimal) -> int:
    if isinstance(value, float):
        raise TypeError("units must not be a float")
    scaled = Decimal(value) * UNITS_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than 4 decimal places")
    return int(scaled)


def units_from_e4(value: int) -> Decimal:
    whole, rest = divmod(value, UNITS_SCALE)
    return Decimal(whole) if rest == 0 else (Decimal(value) / UNITS_SCALE).normalize()


class ClaimRow(Base):
    """A claim as received. The public id (``claim_number``, X12 CLM01) is unique per
    submitter (the billing provider's NPI, '' when the claim names none) among original
    claims; a replacement or void (frequency 7 or 8) may repeat it."""

    __tablename__ = "claims"
    __table_args__ = (
        Index(
            "uq_claims_original_number",
            "claim_number",
            "submitter",
            unique=True,
            sqlite_where=text("frequency = 1"),
            postgresql_where=text("frequency = 1"),
        ),
        Index("ix_claims_number", "claim_number"),
        Index(
            "ix_claims_received",
            "employer_id",
            sqlite_where=text("status = 'received'"),
            postgresql_where=text("status = 'received'"),
        ),
        Index("ix_claims_family_order", "family_id", "received", "sequence"),
        Index(
            "ix_claims_pended",
            "received",
            sqlite_where=text("status = 'pended'"),
            postgresql_where=text("status = 'pended'"),
        ),
        CheckConstraint(_in("status", CLAIM_STATUSES), name="status"),
        CheckConstraint("frequency IN (1, 7, 8)", name="frequency"),
        CheckConstraint(
            "type IN ('professional', 'institutional', 'dental', 'pharmacy', 'vision')",
            name="type",
        ),
        CheckConstraint("current_version >= 0", name="version_not_negative"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    """Intake order: claims of a family received the same day are adjudicated in this order."""
    claim_number: Mapped[str] = mapped_column(String(50))
    submitter: Mapped[str] = mapped_column(String(10))
    content_sha256: Mapped[str] = mapped_column(String(64))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"))
    member_number: Mapped[str] = mapped_column(String(40))
    """The member id as sent, known or not."""
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    family_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    """The subscriber's member id: claims are adjudicated family by family, and found by
    family (then member) for a family's records."""
    type: Mapped[str] = mapped_column(String(15))
    provider_npi: Mapped[str | None] = mapped_column(String(10))
    provider_network: Mapped[str] = mapped_column(String(3))
    provider_taxonomy: Mapped[str | None] = mapped_column(String(10))
    provider_kind: Mapped[str | None] = mapped_column(String(20))
    received: Mapped[date] = mapped_column(Date)
    diagnoses: Mapped[str] = mapped_column(Text, default="")
    type_of_bill: Mapped[str | None] = mapped_column(String(3))
    facility_network: Mapped[str | None] = mapped_column(String(3))
    frequency: Mapped[int] = mapped_column(SmallInteger, default=1)
    replaces_number: Mapped[str | None] = mapped_column(String(50))
    replaces_id: Mapped[int | None] = mapped_column(ID, ForeignKey("claims.id"))
    status: Mapped[str] = mapped_column(String(10), default="received")
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    paid_on: Mapped[date | None] = mapped_column(Date)
    """The day the payment that paid the claim was released (status ``paid``)."""
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by: Mapped[str] = mapped_column(String(120))


class ClaimDocumentRow(Base):
    """The claim document as submitted (JSON; amounts as decimal strings), kept apart from the
    claim row that each adjudication updates."""

    __tablename__ = "claim_documents"

    claim_id: Mapped[int] = mapped_column(
        ID, ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    document: Mapped[str] = mapped_column(Text)


class ClaimLineRow(Base):
    """A service line as submitted; ``line`` counts from 1."""

    __tablename__ = "claim_lines"
    __table_args__ = (
        CheckConstraint("line >= 1", name="line_positive"),
        CheckConstraint("charge_cents >= 0", name="charge_not_negative"),
        CheckConstraint("units_e4 > 0", name="units_positive"),
    )

    claim_id: Mapped[int] = mapped_column(
        ID, ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    service_date: Mapped[date] = mapped_column(Date)
    category: Mapped[str | None] = mapped_column(String(40))
    procedure: Mapped[str | None] = mapped_column(String(5))
    modifiers: Mapped[str] = mapped_column(String(20), default="")
    pos: Mapped[str | None] = mapped_column(String(2))
    revenue_code: Mapped[str | None] = mapped_column(String(4))
    ndc: Mapped[str | None] = mapped_column(String(11))
    tooth: Mapped[str | None] = mapped_column(String(2))
    units_e4: Mapped[Decimal] = mapped_column(Units)
    charge_cents: Mapped[Decimal] = mapped_column(Money)
    allowed_cents: Mapped[Decimal | None] = mapped_column(Money)
    """Pre-priced allowed amount (a rented network's repricing), when sent."""
    usual_and_customary_cents: Mapped[Decimal | None] = mapped_column(Money)
    prior_auth: Mapped[str | None] = mapped_column(String(50))
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)


class ClaimVersionRow(Base):
    """One adjudication of a claim. Never updated: the next decision is the next version."""

    __tablename__ = "claim_versions"
    __table_args__ = (
        UniqueConstraint("claim_id", "version"),
        Index("ix_claim_versions_adjudicated_at", "adjudicated_at"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(_in("status", CLAIM_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ID, ForeignKey("claims.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(20))
    """Why this version exists: ``adjudicate`` (the batch), an examiner's ``release``,
    ``override`` or ``deny``, or ``reprocess`` (after an earlier claim of the family changed)."""
    note: Mapped[str | None] = mapped_column(Text)
    """A plain-language reason, e.g. the data error that pended the claim."""
    adjudicated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    adjudicated_by: Mapped[str] = mapped_column(String(120))


class LineResultRow(Base):
    """How one line was decided in one version (DESIGN 7), every amount in cents."""

    __tablename__ = "line_results"
    __table_args__ = (
        CheckConstraint(_in("status", LINE_STATUSES), name="status"),
        CheckConstraint(
            "member_responsibility_cents"
            " = copay_cents + deductible_cents + coinsurance_cents + not_covered_cents",
            name="member_responsibility",
        ),
    )

    version_id: Mapped[int] = mapped_column(ID, primary_key=True)
    line: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(40))
    pend_reason: Mapped[str | None] = mapped_column(String(30))
    plan_id: Mapped[int | None] = mapped_column(Integer)
    """The employer plan (``employer_plans.id``) whose benefits applied."""
    network: Mapped[str | None] = mapped_column(String(3))
    """The network tier whose cost share and accumulators applied."""
    charge_cents: Mapped[Decimal] = mapped_column(Money)
    allowed_cents: Mapped[Decimal] = mapped_column(Money)
    copay_cents: Mapped[Decimal] = mapped_column(Money)
    deductible_cents: Mapped[Decimal] = mapped_column(Money)
    coinsurance_cents: Mapped[Decimal] = mapped_column(Money)
    not_covered_cents: Mapped[Decimal] = mapped_column(Money)
    balance_bill_cents: Mapped[Decimal] = mapped_column(Money)
    plan_paid_cents: Mapped[Decimal] = mapped_column(Money)
    member_responsibility_cents: Mapped[Decimal] = mapped_column(Money)
    remarks: Mapped[str] = mapped_column(String(100), default="")
    """RARC remark codes, comma-joined."""


class ResultAdjustmentRow(Base):
    """An X12 adjustment of a line result (``line_results`` by version and line): group (CO,
    PR, OA, PI) + CARC + amount."""

    __tablename__ = "result_adjustments"
    __table_args__ = (CheckConstraint("group_code IN ('CO', 'PR', 'OA', 'PI')", name="group_code"),)

    version_id: Mapped[int] = mapped_column(ID, primary_key=True)
    line: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    group_code: Mapped[str] = mapped_column(String(2))
    carc: Mapped[str] = mapped_column(String(5))
    amount_cents: Mapped[Decimal] = mapped_column(Money)


class AccumulatorEntryRow(Base):
    """What one adjudicated line added to one accumulator (``AccumulatorEntry``).

    ``claim_id`` and ``line`` name the line that counts; ``version_id`` the adjudication that
    wrote the row (for a reversal, the correcting claim's), and ``reversal_of`` the entry a
    reversal cancels. ``member_id``, ``family_id`` and ``plan_id`` are those of the claim and
    line result the entry comes from.
    """

    __tablename__ = "accumulator_entries"
    __table_args__ = (
        Index(
            "uq_accumulator_entries_reversal_of",
            "reversal_of",
            unique=True,
            sqlite_where=text("reversal_of IS NOT NULL"),
            postgresql_where=text("reversal_of IS NOT NULL"),
        ),
        CheckConstraint(_in("kind", ENTRY_KINDS), name="kind"),
        CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    version_id: Mapped[int] = mapped_column(ID)
    claim_id: Mapped[int] = mapped_column(ID)
    line: Mapped[int] = mapped_column(SmallInteger)
    reversal_of: Mapped[int | None] = mapped_column(ID, ForeignKey("accumulator_entries.id"))
    member_id: Mapped[int] = mapped_column(Integer)
    family_id: Mapped[int] = mapped_column(Integer, index=True)
    plan_id: Mapped[int] = mapped_column(Integer)
    coverage: Mapped[str] = mapped_column(String(10))
    """The line of coverage (medical, pharmacy, ...)."""
    accumulator_group: Mapped[str] = mapped_column(String(80))
    network: Mapped[str | None] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40), default="")
    amount_cents: Mapped[Decimal] = mapped_column(Money)
    service_date: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)


class AccumulatorAdjustmentRow(Base):
    """A deductible or out-of-pocket amount entered by hand: met with a prior carrier this
    plan year, or a correction (negative to take an amount off). Counts like any entry."""

    __tablename__ = "accumulator_adjustments"
    __table_args__ = (
        CheckConstraint("kind IN ('deductible', 'out_of_pocket')", name="kind"),
        CheckConstraint("network IN ('in', 'out')", name="network"),
        CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        CheckConstraint("length(trim(reason)) > 0", name="reason_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    family_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    plan_id: Mapped[int] = mapped_column(ForeignKey("employer_plans.id", ondelete="RESTRICT"))
    coverage: Mapped[str] = mapped_column(String(10))
    accumulator_group: Mapped[str] = mapped_column(String(80))
    network: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[Decimal] = mapped_column(Money)
    effective_date: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccumulatorTotalRow(Base):
    """Running deductible or out-of-pocket total of a member or a family (``holder_id`` is
    the member, or the subscriber for a family) in one accumulator group, network tier and
    plan period. Derived: the sum of the entries and adjustments that feed it."""

    __tablename__ = "accumulator_totals"
    __table_args__ = (
        CheckConstraint("scope IN ('member', 'family')", name="scope"),
        CheckConstraint("kind IN ('deductible', 'out_of_pocket')", name="kind"),
    )

    scope: Mapped[str] = mapped_column(String(6), primary_key=True)
    holder_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    accumulator_group: Mapped[str] = mapped_column(String(80), primary_key=True)
    network: Mapped[str] = mapped_column(String(3), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[date] = mapped_column(Date, primary_key=True)
    amount_cents: Mapped[Decimal] = mapped_column(Money)


class AuthorizationRow(Base):
    """A prior authorization: for one member, the categories or procedure codes it covers,
    the dates it spans (inclusive) and the units approved per line."""

    __tablename__ = "prior_authorizations"
    __table_args__ = (
        CheckConstraint(_in("status", AUTHORIZATION_STATUSES), name="status"),
        CheckConstraint("end_date >= start_date", name="ordered"),
        CheckConstraint("units_e4 IS NULL OR units_e4 > 0", name="units_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    categories: Mapped[str] = mapped_column(Text, default="")
    procedures: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    units_e4: Mapped[Decimal | None] = mapped_column(Units)
    status: Mapped[str] = mapped_column(String(12), default="approved")
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LineDecisionRow(Base):
    """An examiner's decision on one line of a claim: ``release`` a pend (its reason), set the
    allowed amount (``override``, a reason required) or ``deny`` with a CARC (a reason
    required). Never edited: a later decision on the same line takes precedence."""

    __tablename__ = "line_decisions"
    __table_args__ = (
        CheckConstraint(_in("action", DECISIONS), name="action"),
        CheckConstraint("action <> 'release' OR pend_reason IS NOT NULL", name="release_reason"),
        CheckConstraint(
            "action <> 'override' OR (allowed_cents IS NOT NULL AND allowed_cents >= 0)",
            name="override_amount",
        ),
        CheckConstraint(
            "action <> 'deny' OR (carc IS NOT NULL AND group_code IN ('CO', 'PR', 'OA', 'PI'))",
            name="deny_code",
        ),
        CheckConstraint("action = 'release' OR length(trim(reason)) > 0", name="reason_given"),
        CheckConstraint("line >= 1", name="line_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ID, ForeignKey("claims.id", ondelete="RESTRICT"), index=True
    )
    line: Mapped[int] = mapped_column(SmallInteger)
    action: Mapped[str] = mapped_column(String(10))
    pend_reason: Mapped[str | None] = mapped_column(String(30))
    allowed_cents: Mapped[Decimal | None] = mapped_column(Money)
    carc: Mapped[str | None] = mapped_column(String(5))
    group_code: Mapped[str | None] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer)
    """The claim version the decision produced."""
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReprocessRow(Base):
    """A claim listed for reprocessing: an earlier claim of its family was corrected or
    decided again and this claim's cost share would change. Open until reprocessed."""

    __tablename__ = "claim_reprocessing"
    __table_args__ = (
        Index(
            "uq_claim_reprocessing_open",
            "claim_id",
            unique=True,
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
        Index("ix_claim_reprocessing_family", "family_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ID, ForeignKey("claims.id", ondelete="RESTRICT"))
    family_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"))
    cause_claim_id: Mapped[int] = mapped_column(ID, ForeignKey("claims.id", ondelete="RESTRICT"))
    """The claim whose correction or decision changed this one's cost share."""
    cause: Mapped[str] = mapped_column(Text)
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    listed_by: Mapped[str] = mapped_column(String(120))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_version: Mapped[int | None] = mapped_column(Integer)
    """The version reprocessing wrote (None when the claim came out unchanged)."""


APPEAL_STATUSES = ("open", "upheld", "overturned", "withdrawn")
APPEAL_CHANNELS = ("web", "phone", "mail")


class AppealRow(Base):
    """A member's appeal of a claim decision (29 CFR 2560.503-1): filed within 180 days of the
    decision, decided by a claims examiner by its due time. At most one open per claim."""

    __tablename__ = "claim_appeals"
    __table_args__ = (
        Index(
            "uq_claim_appeals_open",
            "claim_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_claim_appeals_due", "status", "due_by"),
        CheckConstraint(_in("status", APPEAL_STATUSES), name="status"),
        CheckConstraint(_in("channel", APPEAL_CHANNELS), name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ID, ForeignKey("claims.id", ondelete="RESTRICT"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer)
    """The claim version appealed."""
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(5))
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    filed_by: Mapped[str] = mapped_column(String(120))
    due_by: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="open")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decision: Mapped[str | None] = mapped_column(Text)
