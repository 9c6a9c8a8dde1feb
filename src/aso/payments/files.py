"""The files of a release, void or return, kept so they can be written out again: NACHA, positive
pay and check register texts in ``payment_files``; an 835 as a pointer to its remittance (its
text is ``edi_remittances.content``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.edi.remittance_models import RemittanceRow
from aso.payments.models import PaymentFileRow
from aso.payments.remit import Sent


def keep(
    session: Session, employer_id: int, batch: str, name: str, kind: str, content: str
) -> PaymentFileRow:
    row = PaymentFileRow(
        employer_id=employer_id,
        batch=batch,
        name=name,
        kind=kind,
        content=content,
        sha256=hashlib.sha256(content.encode()).hexdigest(),
    )
    session.add(row)
    return row


def keep_835s(
    session: Session, employer_id: int, batch: str, remittances: Sequence[Sent]
) -> list[PaymentFileRow]:
    rows = [
        PaymentFileRow(
            employer_id=employer_id,
            batch=batch,
            name=remittance.filename,
            kind="835",
            remittance_id=remittance.id,
            sha256=remittance.sha256,
        )
        for remittance in remittances
    ]
    session.add_all(rows)
    return rows


def of_batch(session: Session, batch: str) -> list[PaymentFileRow]:
    query = select(PaymentFileRow).where(PaymentFileRow.batch == batch).order_by(PaymentFileRow.id)
    return list(session.scalars(query))


def texts(session: Session, rows: Sequence[PaymentFileRow]) -> list[tuple[str, str]]:
    """(file name, text) of each file."""
    found = []
    for row in rows:
        if row.content is not None:
            found.append((row.name, row.content))
        else:
            remittance = session.get(RemittanceRow, row.remittance_id)
            assert remittance is not None
            found.append((row.name, remittance.content))
    return found


def write_all(folder: Path, files: Sequence[tuple[str, str]]) -> list[Path]:
    """Write the files into ``folder`` (made if need be); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files:
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written
