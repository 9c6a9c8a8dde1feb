"""Importing an X12 file (issue 4 items 6 and 7): recognise it if it came before, check its
envelopes and sets, apply each accepted set in a transaction of its own, answer with a 999 (and
a TA1 when one is due), and keep a registry row of what was received and sent back.

The file is read twice, streaming both times. The first pass checks everything the reader checks
and keeps nothing but verdicts: an interchange whose envelope is broken (a truncated file, an IEA
that does not count its groups or repeat its ISA13, a segment outside any envelope) is answered
with a TA1 ``R`` and nothing of it is processed (DESIGN 9), so nothing can be stored before the
end of the file is known to be sound. The second pass applies the sets that passed, one
transaction per set: an 834 through the enrollment (``aso.edi.enrollment``), an 837 through the
claims intake (``aso.edi.claim_intake``). A set with a syntax error, a set whose members the
enrollment rules refuse, and the sets of a functional group whose own envelope is wrong change
nothing; the other sets of the file go on.

Duplicates: a file whose content (SHA-256) or whose sender and interchange control number
(ISA05/ISA06 + ISA13) match a file processed before is not processed again; it is answered, as
many TPAs do, with a TA1 ``R`` note 025 (duplicate interchange control number) and reported
with the earlier file. A file rejected at its envelope, or whose processing failed, does not
count: it may be sent again.

One interchange per file: a file holding several is answered for its first with TA1 note 022.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aso.claims.bulk import collector_paused
from aso.db.uow import UnitOfWork
from aso.edi import repository as repo
from aso.edi.ack import GroupAck, SetAck, acknowledged, salvage_isa, write_999, write_ta1
from aso.edi.check import NOT_PROCESSED, PROCESSED, FileCheck, Opener, SetCheck, check_file
from aso.edi.claim_intake import submit_set
from aso.edi.claim_parts import ClaimRead
from aso.edi.codes import Ta1Note
from aso.edi.enrollment import apply_enrollment, compares_only
from aso.edi.envelope import Walker
from aso.edi.events import SetClosed, SetOpened
from aso.edi.findings import Finding, Unreadable
from aso.edi.models import ReceivedFile
from aso.edi.parse import reader_for
from aso.edi.reader import Interchange, SegmentReader
from aso.edi.schemas import DuplicateOf, ImportSummary, TransactionSummary
from aso.edi.x834 import MemberRead
from aso.employers.service import require_admin
from aso.members.crypto import SsnCipher
from aso.security.domain import Principal

# the second pass: applying the accepted sets ----------------------------------------------------


@dataclass
class Applier:
    """Applies each accepted 834 or 837 set of a file in a transaction of its own."""

    uow: UnitOfWork
    actor: Principal
    cipher: SsnCipher
    today: date
    rng: random.Random

    def run(self, opener: Opener, check: FileCheck) -> None:
        todo = {
            s.header.position: s
            for g in check.groups
            if not g.rejected
            for s in g.sets
            if s.status in ("accepted", "accepted_with_errors") and s.header.set_id in PROCESSED
        }
        if not todo:
            return
        reads: list[Any] = []
        with closing(opener()) as stream, collector_paused():
            for event in Walker(SegmentReader(stream), reader_for):
                if isinstance(event, SetOpened):
                    reads = []
                elif isinstance(event, MemberRead | ClaimRead):
                    reads.append(event)
                elif isinstance(event, SetClosed) and event.header.position in todo:
                    self.apply(todo[event.header.position], reads)

    def apply(self, target: SetCheck, reads: list[Any]) -> None:
        if target.header.set_id == "834":
            self._enrollment(target, [r for r in reads if isinstance(r, MemberRead)])
        else:
            self._claims(target, [r for r in reads if isinstance(r, ClaimRead)])

    def _enrollment(self, target: SetCheck, reads: list[MemberRead]) -> None:
        with self.uow as uow:
            outcome = apply_enrollment(
                session=uow.session,
                actor=self.actor,
                cipher=self.cipher,
                reads=reads,
                today=self.today,
                rng=self.rng,
            )
            target.enrollment = outcome
            if outcome.refused:
                target.refuse(outcome.errors)
                outcome.discard()
            elif compares_only(reads[0]):
                outcome.notes.append(
                    "a comparison (BGN08 4 or an information copy): the changes listed are the "
                    "differences with the enrollment on file; nothing was changed"
                )
            else:
                uow.commit()

    def _claims(self, target: SetCheck, reads: list[ClaimRead]) -> None:
        outcome = submit_set(uow=self.uow, actor=self.actor, reads=reads)
        target.claims = outcome
        if outcome.errors:
            target.status = "accepted_with_errors"
            target.errors.extend(outcome.errors)


# acknowledgments --------------------------------------------------------------------------------


def _acknowledgments(
    session: Session, check: FileCheck, now: datetime
) -> tuple[str | None, str | None, int | None]:
    """The 999 (for the groups a 999 may answer) and the TA1 the sender asked for (ISA14 1)."""
    groups = [
        GroupAck(
            g.group,
            tuple(SetAck(s.header, s.status, tuple(s.errors)) for s in g.sets if _answered(s)),
            g.findings,
        )
        for g in check.groups
        if acknowledged(g.group)
    ]
    ack_999 = ta1 = None
    control = None
    if groups:
        control = repo.next_control_number(session)
        ack_999 = write_999(check.interchange, groups, control_number=control, now=now)
    if check.interchange.acknowledgment_requested == "1":
        number = repo.next_control_number(session)
        ta1 = write_ta1(check.interchange, None, control_number=number, now=now)
        control = control or number
    return ack_999, ta1, control


def _answered(target: SetCheck) -> bool:
    return target.status != NOT_PROCESSED


# the use case -----------------------------------------------------------------------------------


def import_file(
    *,
    uow: UnitOfWork,
    actor: Principal,
    opener: Opener,
    filename: str,
    cipher: SsnCipher,
    today: date | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> ImportSummary:
    """Import one X12 file (see the module); returns what became of it, with the 999 and TA1
    sent back. Only a TPA administrator imports files."""
    require_admin(actor)
    now = now or datetime.now(UTC)
    today = today or now.date()
    sha256, size = _digest(opener)
    received = Received(filename=filename[-255:], sha256=sha256, size=size, actor=actor, now=now)
    try:
        check = check_file(opener)
    except Unreadable as exc:
        return _unreadable(uow, received, opener, exc)
    received.interchange = check.interchange
    earlier = _earlier(uow, received)
    if earlier is not None:
        return _duplicate(uow, received, check, earlier)
    error = check.envelope_error()
    if error is not None:
        return _rejected(uow, received, check, error)
    row_id = _claim(uow, received)
    if row_id is None:
        earlier = _earlier(uow, received)
        assert earlier is not None
        return _duplicate(uow, received, check, earlier)
    applier = Applier(uow, actor, cipher, today, rng or random.SystemRandom())
    try:
        applier.run(opener, check)
        return _answer(uow, received, check, row_id)
    except Exception:
        _failed(uow, row_id)
        raise


def _answer(uow: UnitOfWork, received: Received, check: FileCheck, row_id: int) -> ImportSummary:
    """The acknowledgments of a processed file, kept with its registry row."""
    with uow:
        session = uow.session
        ack_999, ta1, control = _acknowledgments(session, check, received.now)
        summary = _summary(received, check, check.status(), row_id, ack_999, ta1)
        found = session.get(ReceivedFile, row_id)
        assert found is not None
        found.status = summary.status
        found.ack_999, found.ack_ta1, found.ack_control_number = ack_999, ta1, control
        found.completed_at = datetime.now(UTC)
        found.summary_json = summary.model_dump_json(exclude={"ack_999", "ack_ta1"})
        uow.commit()
    return summary


@dataclass
class Received:
    """What is known of a file received, for its registry row."""

    filename: str
    sha256: str
    size: int
    actor: Principal
    now: datetime
    interchange: Interchange | None = None

    @property
    def key(self) -> str | None:
        i = self.interchange
        if i is None:
            return None
        return repo.interchange_key(i.sender_qualifier, i.sender, i.control_number)

    def row(self, status: str, *, keys: bool = False) -> ReceivedFile:
        i = self.interchange
        return ReceivedFile(
            filename=self.filename,
            sha256=self.sha256,
            size=self.size,
            sender_qualifier=i.sender_qualifier if i else None,
            sender_id=i.sender if i else None,
            receiver_qualifier=i.receiver_qualifier if i else None,
            receiver_id=i.receiver if i else None,
            control_number=i.control_number if i else None,
            usage=i.usage if i else None,
            status=status,
            content_key=self.sha256 if keys else None,
            interchange_key=self.key if keys else None,
            received_at=self.now,
            received_by=self.actor.username,
        )


def _digest(opener: Opener) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with closing(opener()) as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _finish(
    uow: UnitOfWork,
    received: Received,
    status: str,
    summary_for: Callable[[int | None, str | None], ImportSummary],
    ta1_note: Ta1Note | None,
    duplicate_of: int | None = None,
) -> ImportSummary:
    """A file not processed: its registry row, the TA1 rejecting it (when one can be written),
    in one transaction."""
    with uow:
        session = uow.session
        ta1 = None
        row = received.row(status)
        row.duplicate_of_id = duplicate_of
        if ta1_note is not None and received.interchange is not None:
            row.ack_control_number = repo.next_control_number(session)
            ta1 = write_ta1(
                received.interchange,
                ta1_note,
                control_number=row.ack_control_number,
                now=received.now,
            )
        row.ack_ta1 = ta1
        row.completed_at = received.now
        session.add(row)
        session.flush()
        summary = summary_for(row.id, ta1)
        row.summary_json = summary.model_dump_json(exclude={"ack_999", "ack_ta1"})
        uow.commit()
    return summary


def _unreadable(
    uow: UnitOfWork, received: Received, opener: Opener, exc: Unreadable
) -> ImportSummary:
    """Not an interchange whose ISA can be trusted: a TA1 when the parts it repeats can still
    be told apart, else nothing can be answered."""
    with closing(opener()) as stream:
        head = stream.read(400).decode("utf-8", errors="replace")
    received.interchange = salvage_isa(head)
    note = exc.finding.ta1 or Ta1Note.INVALID_CONTROL_STRUCTURE
    status = "rejected" if received.interchange is not None else "unreadable"

    def summary(row_id: int | None, ta1: str | None) -> ImportSummary:
        return ImportSummary(
            id=row_id,
            filename=received.filename,
            sha256=received.sha256,
            status=status,
            interchange=received.interchange.to_json() if received.interchange else None,
            errors=[str(exc.finding)],
            ack_ta1=ta1,
        )

    return _finish(uow, received, status, summary, note)


def _rejected(
    uow: UnitOfWork, received: Received, check: FileCheck, error: Finding
) -> ImportSummary:
    """A broken envelope: TA1 R with the note of its first error; nothing is processed."""

    def summary(row_id: int | None, ta1: str | None) -> ImportSummary:
        return _summary(received, check, "rejected", row_id, None, ta1, processed=False)

    return _finish(
        uow, received, "rejected", summary, error.ta1 or Ta1Note.INVALID_CONTROL_STRUCTURE
    )


def _earlier(uow: UnitOfWork, received: Received) -> DuplicateOf | None:
    """The file processed before with the same content, or the same sender and ISA13."""
    with uow:
        previous = repo.processed_before(uow.session, received.sha256, received.key)
        if previous is None:
            return None
        return DuplicateOf(
            id=previous.id,
            filename=previous.filename,
            received_at=previous.received_at,
            same_content=previous.sha256 == received.sha256,
        )


def _claim(uow: UnitOfWork, received: Received) -> int | None:
    """The registry row of a file about to be processed, committed with its keys (None: the
    same interchange was claimed a moment before, by another import)."""
    with uow:
        row = received.row("processing", keys=True)
        uow.session.add(row)
        try:
            uow.session.flush()
        except IntegrityError:
            return None
        row_id = row.id
        uow.commit()
    return row_id


def _duplicate(
    uow: UnitOfWork, received: Received, check: FileCheck, earlier: DuplicateOf
) -> ImportSummary:
    """The file, or its interchange, was processed before: TA1 R note 025, nothing done."""

    def summary(row_id: int | None, ta1: str | None) -> ImportSummary:
        found = _summary(received, check, "duplicate", row_id, None, ta1, processed=False)
        what = (
            "the same file"
            if earlier.same_content
            else "an interchange with the same sender and control number"
        )
        found.errors.insert(
            0,
            f"{what} ({earlier.filename}) was received on {earlier.received_at:%Y-%m-%d %H:%M} "
            "UTC and processed: this one is not processed again",
        )
        found.duplicate_of = earlier
        return found

    return _finish(
        uow, received, "duplicate", summary, Ta1Note.DUPLICATE_CONTROL_NUMBER, earlier.id
    )


def _failed(uow: UnitOfWork, row_id: int) -> None:
    """Processing stopped on an unexpected error: the file may be sent again (the sets already
    applied are recognised then: an 834 read twice, the same claims, change nothing)."""
    with uow:
        row = uow.session.get(ReceivedFile, row_id)
        if row is not None:
            row.status, row.content_key, row.interchange_key = "failed", None, None
            row.completed_at = datetime.now(UTC)
            uow.commit()


def _summary(
    received: Received,
    check: FileCheck,
    status: str,
    row_id: int | None,
    ack_999: str | None,
    ta1: str | None,
    *,
    processed: bool = True,
) -> ImportSummary:
    envelope = [str(f) for f in check.findings if f.is_error]
    for group in check.groups:
        envelope += [str(f) for f in group.findings if f.is_error]
    if check.interchanges > 1:
        envelope.append(f"the file holds {check.interchanges} interchanges: send one per file")
    return ImportSummary(
        id=row_id,
        filename=received.filename,
        sha256=received.sha256,
        status=status,
        interchange=check.interchange.to_json(),
        errors=envelope,
        transactions=[_transaction(s, processed) for s in check.sets],
        ack_999=ack_999,
        ack_ta1=ta1,
    )


def _transaction(target: SetCheck, processed: bool) -> TransactionSummary:
    header = target.header
    return TransactionSummary(
        set=header.set_id,
        control_number=header.control_number,
        guide=header.reference,
        group=header.group.control_number if header.group else None,
        status=target.status if processed else "not_processed",
        errors=[str(e.finding) for e in target.errors],
        warnings=[str(f) for f in target.warnings],
        enrollment=target.enrollment.to_json() if target.enrollment else None,
        claims=target.claims.to_json() if target.claims else None,
    )


def summary_of(row: ReceivedFile) -> dict[str, Any]:
    """A registry row's stored summary, with its acknowledgments."""
    data: dict[str, Any] = json.loads(row.summary_json or "{}")
    data.update(ack_999=row.ack_999, ack_ta1=row.ack_ta1)
    return data
