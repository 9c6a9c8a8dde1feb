"""Writing the audit log. Callers pass the session of the use case, so the entry commits (or
rolls back) with the read or change it records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from aso.db.base import utcnow
from aso.security.domain import Principal
from aso.security.models import AuditEntry

AUDIT_LOG = cast(Table, AuditEntry.__table__)


def record(
    session: Session,
    actor: Principal,
    action: str,
    record_type: str,
    record_ids: Iterable[object],
    detail: str | None = None,
) -> None:
    """One audit row per record: ``action`` is e.g. ``view``, ``create``, ``update``."""
    now = utcnow()
    rows = [
        {
            "at": now,
            "user_id": actor.user_id,
            "username": actor.username,
            "action": action,
            "record_type": record_type,
            "record_id": str(rid),
            "detail": detail,
        }
        for rid in record_ids
    ]
    if rows:
        # the table, not the ORM class: a batch of claims writes thousands of rows at once
        session.execute(insert(AUDIT_LOG), rows)
