"""Tables of the X12 files received (the registry that recognises a file sent twice) and of the
control numbers of the interchanges sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aso.db.base import Base, UTCDateTime, utcnow

STATUSES = (
    "processing",
    "processed",
    "processed_with_errors",
    "rejected",
    "duplicate",
    "unreadable",
    "failed",
)
"""``processing`` while its sets are applied; ``processed`` every set accepted;
``processed_with_errors`` some set or group rejected (or a claim rejected alone); ``rejected``
the interchange's envelope is broken (TA1 R, nothing processed); ``duplicate`` the same file,
or the same interchange from the same sender, was processed before; ``unreadable`` not X12;
``failed`` the processing stopped on an unexpected error (the file may be sent again)."""


class ReceivedFile(Base):
    """One X12 file received, and the acknowledgments sent back.

    A file counts as received for duplicate detection while its two keys are set: the content
    hash (``content_key``) and the sender with its interchange control number
    (``interchange_key``, ``ZZ:SENDERID:000010216``). Both are unique, so two imports of the same
    file at the same moment cannot both process it. A file whose envelope was rejected, or whose
    processing failed, keeps its row with the keys cleared: the sender may send it again
    (corrected, with the same control number), as trading partners expect of a rejected
    interchange.
    """

    __tablename__ = "edi_received_files"
    __table_args__ = (
        CheckConstraint("status IN ('" + "', '".join(STATUSES) + "')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sender_qualifier: Mapped[str | None] = mapped_column(String(2))
    sender_id: Mapped[str | None] = mapped_column(String(15))
    receiver_qualifier: Mapped[str | None] = mapped_column(String(2))
    receiver_id: Mapped[str | None] = mapped_column(String(15))
    control_number: Mapped[str | None] = mapped_column(String(9))
    """ISA13 of the interchange received."""
    usage: Mapped[str | None] = mapped_column(String(1))
    transaction_sets: Mapped[str] = mapped_column(String(200), default="")
    """The set ids received, in order (``834,834``)."""
    status: Mapped[str] = mapped_column(String(30))
    content_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    interchange_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("edi_received_files.id", ondelete="SET NULL")
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_by: Mapped[str] = mapped_column(String(120))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_control_number: Mapped[int | None] = mapped_column(Integer)
    """ISA13 of the acknowledgment interchange sent back."""
    ack_999: Mapped[str | None] = mapped_column(Text)
    ack_ta1: Mapped[str | None] = mapped_column(Text)
    summary_json: Mapped[str] = mapped_column(Text, default="{}")


class ControlNumber(Base):
    """The last control number used by a sequence of outbound interchanges (``interchange``:
    every ISA13 the platform sends, acknowledgments, 835s, 271s and 277s alike)."""

    __tablename__ = "edi_control_numbers"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(BigInteger)
