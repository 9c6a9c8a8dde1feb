"""Loading and saving received files and control numbers. Never commits."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from aso.edi.models import ControlNumber, ReceivedFile
from aso.edi.writer import MAX_CONTROL

INTERCHANGE = "interchange"


def interchange_key(sender_qualifier: str, sender_id: str, control_number: str) -> str:
    return f"{sender_qualifier}:{sender_id}:{control_number}"


def processed_before(session: Session, sha256: str, key: str | None) -> ReceivedFile | None:
    """The file received before with the same content, or the same sender and ISA13."""
    conditions = [ReceivedFile.content_key == sha256]
    if key is not None:
        conditions.append(ReceivedFile.interchange_key == key)
    return session.scalars(
        select(ReceivedFile).where(or_(*conditions)).order_by(ReceivedFile.id).limit(1)
    ).one_or_none()


def next_control_number(session: Session, name: str = INTERCHANGE) -> int:
    """The next number of a sequence (1 after 999999999), the row locked until the caller's
    transaction ends, so two senders never use the same one."""
    row = session.get(ControlNumber, name, with_for_update=True)
    if row is None:
        row = ControlNumber(name=name, last=0)
        session.add(row)
    row.last = row.last % MAX_CONTROL + 1
    session.flush()
    return row.last


def received_files(session: Session, limit: int = 50) -> list[ReceivedFile]:
    return list(session.scalars(select(ReceivedFile).order_by(ReceivedFile.id.desc()).limit(limit)))
