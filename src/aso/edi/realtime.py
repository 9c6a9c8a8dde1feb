"""Real-time inquiries (issue 4 items 5 and 7): a 270 answered with a 271, a 276 with a 277, in
one round trip (``POST /v1/x12``, ``aso edi answer``).

The request is read once, in memory (a real-time request is small), with the envelope checks of
every X12 file (``aso.edi.envelope``) and the readers of ``x270`` and ``x276``. Then:

- an interchange whose envelope is broken (its ISA, a count, a control number, a truncated
  file) is answered with a TA1 ``R`` and the note of its first error (X12.5): nothing of it is
  answered;
- a request holding anything but 270 and 276 sets is refused with an error naming the ST
  (enrollment and claim files go to ``POST /v1/edi/files``);
- a request with a set or a functional group in error (a syntax error, a guide other than
  005010X279A1 or 005010X212) is answered with its 999 (005010X231A1), the sets and the
  segments in error named: the sender corrects it and asks again. A real-time request is
  answered whole or not at all;
- otherwise each 270 set gets a 271 set and each 276 set a 277 set, in one functional group
  (HB, HN) per group received, in one interchange back to the sender (sender and receiver
  swapped, its usage indicator kept). The CAQH CORE real-time rules send no TA1 and no 999 for
  a request that is answered.

Control numbers come from the sequence every outbound interchange uses
(``aso.edi.repository.next_control_number``); the look-ups are audit-logged as views of the
members and claims answered about, in the same transaction.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from aso.db.uow import UnitOfWork
from aso.edi import repository as repo
from aso.edi import x270, x276
from aso.edi.ack import Error, GroupAck, SetAck, acknowledged, salvage_isa, write_999, write_ta1
from aso.edi.check import FileCheck, GroupCheck, SetCheck
from aso.edi.codes import SetError, Ta1Note
from aso.edi.eligibility_answer import answer_inquiry
from aso.edi.envelope import Walker
from aso.edi.events import (
    GroupClosed,
    InterchangeClosed,
    SetClosed,
    SetHeader,
    SetOpened,
    SetReader,
)
from aso.edi.findings import Finding, Level, Unreadable
from aso.edi.reader import Delimiters, SegmentReader
from aso.edi.reader import Interchange as ReceivedInterchange
from aso.edi.status_answer import answer_request
from aso.edi.writer import FunctionalGroup, Interchange, InterchangeHeader, Party
from aso.edi.x271 import write_271
from aso.edi.x277 import write_277
from aso.errors import Forbidden, Problem, ValidationFailed
from aso.security.domain import Principal, Role

INQUIRY_ROLES = frozenset({Role.ADMIN, Role.EXAMINER, Role.SERVICE_REP, Role.PROVIDER})
"""Who may ask (DESIGN 1): TPA staff, and providers, whose trading partner calls these are.
Members and employer users have their own pages and API."""
ANSWERED = {
    "270": ("HB", x270.GUIDE),
    "276": ("HN", x276.GUIDE),
}
"""Set received: the functional id of the answer's group, the guide both follow."""
GUIDES = {"270": x270.GUIDE, "276": x276.GUIDE}


@dataclass(frozen=True, slots=True)
class X12Answer:
    """What a request is answered with: the X12 text, and what kind of answer it is."""

    text: str
    kind: Literal["answer", "999", "ta1"]
    """``answer``: the 271 and 277 sets; ``999``: the request is rejected, its 999 says where;
    ``ta1``: the interchange is rejected at its envelope."""


def reader_for(header: SetHeader, delimiters: Delimiters) -> SetReader:
    """The reader of a 270 or 276 set of its guide; any other set has its envelope checked."""
    if header.set_id == "270" and header.reference == x270.GUIDE:
        return x270.EligibilityRequestReader(header, delimiters)
    if header.set_id == "276" and header.reference == x276.GUIDE:
        return x276.StatusRequestReader(header, delimiters)
    return SetReader(header, delimiters)


@dataclass
class _Request:
    """A request read: the verdicts on its envelopes and sets, and each set's inquiries."""

    check: FileCheck
    reads: dict[int, list[Any]] = field(default_factory=dict)
    """The inquiries of each set, by its ST's ordinal in the file."""


def _read(text: str) -> _Request:
    source = SegmentReader(io.StringIO(text))
    request = _Request(FileCheck(source.interchange))
    check = request.check
    interchanges = {id(source.interchange)}
    pending: list[SetCheck] = []
    reads: list[Any] = []
    for event in Walker(source, reader_for):
        if isinstance(event, SetOpened):
            reads = request.reads.setdefault(event.header.position, [])
        elif isinstance(event, x270.InquiryRead | x276.StatusRequested):
            reads.append(event)
        elif isinstance(event, SetClosed):
            pending.append(_verdict(event))
        elif isinstance(event, GroupClosed):
            check.groups.append(GroupCheck(event.group, pending, event.findings))
            pending = []
        elif isinstance(event, InterchangeClosed):
            interchanges.add(id(event.interchange))
            check.findings.extend(event.findings)
            check.orphans.extend(pending)
            pending = []
    check.interchanges = len(interchanges)
    return request


def _verdict(event: SetClosed) -> SetCheck:
    header = event.header
    verdict = SetCheck(
        header,
        event.status,
        [Error(f) for f in event.findings if f.is_error],
        [f for f in event.findings if not f.is_error],
    )
    guide = GUIDES.get(header.set_id)
    if verdict.status != "rejected" and guide is not None and header.reference != guide:
        verdict.refuse(
            [
                Error(
                    Finding(
                        Level.SET,
                        f"{header.set_id} {header.reference or '(no guide)'} is not answered: "
                        f"this platform answers {header.set_id} sets of {guide}",
                        segment="ST",
                        position=header.position,
                        set_position=1,
                        set_control=header.control_number,
                        element=3,
                        value=header.reference or None,
                        set_code=SetError.NOT_SUPPORTED,
                    )
                )
            ]
        )
    return verdict


# the use case -----------------------------------------------------------------------------------


def respond(
    *,
    uow: UnitOfWork,
    actor: Principal,
    text: str,
    now: datetime | None = None,
    today: date | None = None,
) -> X12Answer:
    """The answer to a real-time X12 request (see the module). Raises ``ValidationFailed`` for
    a request that is not an X12 interchange, or holds sets other than 270 and 276."""
    if actor.role not in INQUIRY_ROLES:
        raise Forbidden(f"the {actor.role.value} role may not send X12 inquiries")
    now = now or datetime.now(UTC)
    today = today or now.date()
    try:
        request = _read(text)
    except Unreadable as exc:
        return _unreadable(uow, text, exc, now)
    check = request.check
    error = check.envelope_error()
    if error is not None:
        note = error.ta1 or Ta1Note.INVALID_CONTROL_STRUCTURE
        return _in_transaction(uow, lambda session: _ta1(session, check.interchange, note, now))
    _require_inquiries(check)
    if _rejected(check):
        return _in_transaction(uow, lambda session: _999(session, check, now))

    def answer(session: Session) -> X12Answer:
        return _answers(session, actor, request, now, today)

    return _in_transaction(uow, answer)


def answer_x12(*, uow: UnitOfWork, actor: Principal, text: str) -> str:
    """The X12 text answering a 270 (a 271), a 276 (a 277), or rejecting the request (a 999 or
    a TA1): ``respond``'s text."""
    return respond(uow=uow, actor=actor, text=text).text


def _in_transaction(uow: UnitOfWork, work: Callable[[Session], X12Answer]) -> X12Answer:
    with uow:
        answer = work(uow.session)
        uow.commit()
    return answer


def _unreadable(uow: UnitOfWork, text: str, exc: Unreadable, now: datetime) -> X12Answer:
    """Not an interchange whose ISA can be trusted: a TA1 when the parts it repeats can still
    be told apart, else an error."""
    received = salvage_isa(text[:400])
    if received is None:
        raise ValidationFailed([exc.finding.problem()], "not an X12 interchange")
    note = exc.finding.ta1 or Ta1Note.INVALID_CONTROL_STRUCTURE
    return _in_transaction(uow, lambda session: _ta1(session, received, note, now))


def _ta1(
    session: Session, received: ReceivedInterchange, note: Ta1Note, now: datetime
) -> X12Answer:
    number = repo.next_control_number(session)
    return X12Answer(write_ta1(received, note, control_number=number, now=now), "ta1")


def _require_inquiries(check: FileCheck) -> None:
    problems = [
        Problem(
            f"segment {s.header.position} (ST)",
            f"ST01 {s.header.set_id}: POST /v1/x12 answers 270 eligibility inquiries and 276 "
            "claim status requests; send enrollment (834) and claim (837) files to "
            "POST /v1/edi/files",
        )
        for s in check.sets
        if s.header.set_id not in ANSWERED
    ]
    if not check.sets:
        problems.append(Problem("ISA", "the interchange holds no transaction set to answer"))
    problems.extend(
        Problem(
            f"segment {g.group.position} (GS)",
            f"GS01 {g.group.functional_id or '(none)'} is not the functional id of an "
            "inquiry (HS for a 270, HR for a 276)",
        )
        for g in check.groups
        if not acknowledged(g.group)
    )
    if check.orphans:
        problems.extend(
            Problem(
                f"segment {s.header.position} (ST)",
                "the set stands outside a functional group (GS..GE): there is no group to "
                "answer it in",
            )
            for s in check.orphans
        )
    if problems:
        raise ValidationFailed(problems, "not a real-time inquiry")


def _rejected(check: FileCheck) -> bool:
    return any(g.rejected or any(s.status == "rejected" for s in g.sets) for g in check.groups)


def _999(session: Session, check: FileCheck, now: datetime) -> X12Answer:
    groups = [
        GroupAck(
            g.group, tuple(SetAck(s.header, s.status, tuple(s.errors)) for s in g.sets), g.findings
        )
        for g in check.groups
        if acknowledged(g.group)
    ]
    number = repo.next_control_number(session)
    return X12Answer(write_999(check.interchange, groups, control_number=number, now=now), "999")


def _answers(
    session: Session, actor: Principal, request: _Request, now: datetime, today: date
) -> X12Answer:
    received = request.check.interchange
    interchange = Interchange(
        InterchangeHeader(
            sender=Party(received.receiver_qualifier, received.receiver),
            receiver=Party(received.sender_qualifier, received.sender),
            control_number=repo.next_control_number(session),
            created=now,
            usage=received.usage,
        )
    )
    for check in request.check.groups:
        group: FunctionalGroup | None = None
        for verdict in check.sets:
            header = verdict.header
            functional_id, guide = ANSWERED[header.set_id]
            if group is None:
                group = interchange.group(
                    functional_id,
                    sender=check.group.receiver,
                    receiver=check.group.sender,
                    control_number=repo.next_control_number(session),
                    version=guide,
                )
            _answer_set(session, actor, group, request.reads[header.position], now, today)
    return X12Answer(interchange.render(), "answer")


def _answer_set(
    session: Session,
    actor: Principal,
    group: FunctionalGroup,
    reads: list[Any],
    now: datetime,
    today: date,
) -> None:
    inquiries = [r.inquiry for r in reads if isinstance(r, x270.InquiryRead)]
    if inquiries:
        answers = [answer_inquiry(session, actor, inquiry, today) for inquiry in inquiries]
        write_271(group, answers, now=now)
        return
    requests = [r.request for r in reads if isinstance(r, x276.StatusRequested)]
    write_277(group, [answer_request(session, actor, r, today) for r in requests], now=now)
