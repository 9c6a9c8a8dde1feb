"""Stop-loss use cases: create a contract, track positions (and send large-case
notifications), request reimbursements, record what the carrier pays, report.

Who may do what (DESIGN 1): a TPA administrator sets up contracts and moves money (requests,
receipts); TPA staff track; staff read full reports; an employer's benefits manager reads its
own employer's report, de-identified (``aso.stoploss.views``), as do auditors; another
employer's answer NotFound, as if it did not exist.

Which contracts a use case works on, on a day ``as_of`` (or the one ``contract_id`` names):
tracking, the contracts *in force* (their paid window holds the day: a 12/15 contract runs into
the next policy's first three months); a report, those in force or, when none is, the latest
that started; a request, every contract that started by then (a closed contract's specific
excess may still be asked for, its aggregate only after it closed).

Ledger entries (``aso.ledger``; the chart's ``stop_loss_receivable`` is an asset,
``stop_loss_recoveries`` revenue that lowers the plan's net cost of claims):

- a request recognizes what the carrier owes: debit ``stop_loss_receivable``, credit
  ``stop_loss_recoveries``, the amount requested (kind ``stoploss_request``);
- a reimbursement received lands in the employer's claims account and clears the receivable:
  debit ``claims_funding_bank``, credit ``stop_loss_receivable`` (kind ``stoploss_receipt``);
- a request settled short (the carrier will pay no more) reverses the recovery not received:
  debit ``stop_loss_recoveries``, credit ``stop_loss_receivable`` (kind ``stoploss_writeoff``),
  so the receivable of a closed request is always zero.

Entries name the request, never a member (the ledger holds no member data).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.db.uow import UnitOfWork
from aso.employers.models import Employer
from aso.employers.service import visible_employer
from aso.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from aso.ledger.domain import Entry, Leg, credit, debit
from aso.ledger.service import write_entries
from aso.money import ZERO, round_cents
from aso.security import audit
from aso.security.domain import TPA_STAFF, Principal, Role
from aso.stoploss import repository as repo
from aso.stoploss import views
from aso.stoploss.domain import (
    AggregateTerms,
    Basis,
    Contract,
    Kind,
    RequestDraft,
    aggregate_request,
    contract_problems,
    paid_window,
    specific_request,
)
from aso.stoploss.models import (
    AttachmentFactorRow,
    LaserRow,
    NotificationRow,
    ReceiptRow,
    ReimbursementRequestRow,
    RequestClaimRow,
    StopLossContractRow,
)
from aso.stoploss.schemas import (
    ContractCreate,
    ContractRead,
    NotificationRead,
    ReceiptRead,
    RequestRead,
    StopLossReportRead,
    TrackRead,
)

READERS = TPA_STAFF | {Role.AUDITOR, Role.EMPLOYER}


# --- contracts -------------------------------------------------------------------------------


def create_contract(
    *, uow: UnitOfWork, actor: Principal, employer_id: int, data: ContractCreate
) -> ContractRead:
    """Set up a contract for a policy period (TPA administrators). Lasers name members of the
    employer by public id; periods of one employer's contracts never overlap."""
    _require_admin(actor, "sets up stop-loss contracts")
    with uow:
        session = uow.session
        visible_employer(session, actor, employer_id)
        contract = _contract(data)
        people = repo.people(session, employer_id, contract.lasers)
        problems = _laser_problems(data, people) + contract_problems(contract)
        problems += _overlaps(repo.contract_rows(session, employer_id), contract)
        if problems:
            raise ValidationFailed(problems, "the contract cannot be set up")
        row = _insert_contract(session, actor, employer_id, data, contract, people)
        audit.record(session, actor, "create", "stoploss_contract", [row.id])
        result = views.contract_read(row, contract, deidentified=False)
        uow.commit()
    return result


def contracts(*, uow: UnitOfWork, actor: Principal, employer_id: int) -> list[ContractRead]:
    """The employer's contracts (lasers listed for staff only)."""
    _require_reader(actor)
    with uow:
        session = uow.session
        visible_employer(session, actor, employer_id)
        return [
            views.contract_read(row, repo.to_contract(session, row), deidentified=_hidden(actor))
            for row in repo.contract_rows(session, employer_id)
        ]


def _contract(data: ContractCreate) -> Contract:
    try:
        basis = Basis.parse(data.basis)
    except ValueError as exc:
        raise ValidationFailed([Problem("basis", str(exc))]) from exc
    specific, aggregate = data.specific, data.aggregate
    return Contract(
        start=data.period.start,
        end=data.period.end,
        basis=basis,
        specific_deductible=specific.deductible,
        specific_rate=specific.reimbursement,
        notification_rate=specific.notification,
        lasers={laser.member: laser.deductible for laser in specific.lasers},
        aggregate=None
        if aggregate is None
        else AggregateTerms(
            factors=dict(aggregate.attachment_factors),
            minimum=aggregate.minimum_attachment,
            rate=aggregate.reimbursement,
        ),
        lines=tuple(dict.fromkeys(data.lines)),
    )


def _laser_problems(data: ContractCreate, people: dict[str, repo.Person]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, laser in enumerate(data.specific.lasers, start=1):
        where = f"specific.lasers[{number}].member"
        if laser.member not in people:
            problems.append(Problem(where, f"no member {laser.member} of this employer"))
        elif laser.member in seen:
            problems.append(Problem(where, f"{laser.member} has another laser"))
        seen.add(laser.member)
    return problems


def _overlaps(rows: Sequence[StopLossContractRow], contract: Contract) -> list[Problem]:
    return [
        Problem(
            "period",
            f"overlaps contract {row.id} ({row.period_start}..{row.period_end}) of this employer",
        )
        for row in rows
        if row.period_start <= contract.end and contract.start <= row.period_end
    ]


def _insert_contract(
    session: Session,
    actor: Principal,
    employer_id: int,
    data: ContractCreate,
    contract: Contract,
    people: dict[str, repo.Person],
) -> StopLossContractRow:
    terms = contract.aggregate
    row = StopLossContractRow(
        employer_id=employer_id,
        period_start=contract.start,
        period_end=contract.end,
        incurred_months=contract.basis.incurred_months,
        paid_months=contract.basis.paid_months,
        lines=",".join(line.value for line in contract.lines),
        carrier=data.carrier,
        policy_number=data.policy_number,
        specific_deductible_cents=contract.specific_deductible,
        specific_rate_bp=contract.specific_rate,
        notification_rate_bp=contract.notification_rate,
        aggregate_rate_bp=None if terms is None else terms.rate,
        minimum_attachment_cents=None if terms is None else terms.minimum,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    session.add_all(
        LaserRow(contract_id=row.id, member_id=people[member].id, deductible_cents=deductible)
        for member, deductible in contract.lasers.items()
    )
    if terms is not None:
        session.add_all(
            AttachmentFactorRow(contract_id=row.id, tier=tier.value, factor_cents=factor)
            for tier, factor in terms.factors.items()
        )
    session.flush()
    return row


# --- tracking and reports --------------------------------------------------------------------


def track(
    *,
    uow: UnitOfWork,
    actor: Principal,
    employer_id: int,
    as_of: date,
    contract_id: int | None = None,
) -> TrackRead:
    """Positions of the contracts in force from the claims paid by ``as_of``, and a large-case
    notification for each member whose paid claims reached the threshold, made once per member
    per contract (TPA staff)."""
    if actor.role not in TPA_STAFF:
        raise Forbidden(f"the {actor.role.value} role may not track stop-loss")
    with uow:
        session = uow.session
        employer = visible_employer(session, actor, employer_id)
        rows = _in_force(repo.contract_rows(session, employer_id, lock=True), as_of, contract_id)
        loaded = [views.load(session, row, as_of) for row in rows]
        notes = [note for item in loaded for note in _notify(session, actor, item)]
        report = _report(session, actor, employer, loaded, as_of)
        uow.commit()
    return TrackRead(employer_id=employer_id, as_of=as_of, notifications=notes, report=report)


def _notify(session: Session, actor: Principal, loaded: views.Loaded) -> list[NotificationRead]:
    found = views.claimants(session, loaded)
    sent = repo.notifications(session, loaded.row.id)
    made: list[NotificationRead] = []
    rows: list[NotificationRow] = []
    for member in found.listed:
        person = found.people[member.member]
        if member.reached_threshold_on is None or person.id in sent:
            continue
        row = NotificationRow(
            contract_id=loaded.row.id,
            member_id=person.id,
            threshold_cents=member.threshold,
            paid_cents=member.paid,
            reached_on=member.reached_threshold_on,
            notified_on=loaded.position.as_of,
            created_by=actor.username,
        )
        rows.append(row)
        made.append(
            NotificationRead(
                contract_id=loaded.row.id,
                claimant=found.labels[member.member],
                member_id=member.member,
                name=person.name,
                threshold=member.threshold,
                paid=member.paid,
                reached_on=member.reached_threshold_on,
                notified_on=loaded.position.as_of,
            )
        )
    session.add_all(rows)
    session.flush()
    audit.record(session, actor, "create", "stoploss_notification", [r.id for r in rows])
    return made


def report(
    *,
    uow: UnitOfWork,
    actor: Principal,
    employer_id: int,
    as_of: date,
    contract_id: int | None = None,
) -> StopLossReportRead:
    """Positions per contract: large claimants, everyone else together, the aggregate, what
    was requested and received. De-identified for anyone but TPA staff."""
    _require_reader(actor)
    with uow:
        session = uow.session
        employer = visible_employer(session, actor, employer_id)
        rows = _reported(repo.contract_rows(session, employer_id), as_of, contract_id)
        loaded = [views.load(session, row, as_of) for row in rows]
        result = _report(session, actor, employer, loaded, as_of)
        uow.commit()
    return result


def _report(
    session: Session,
    actor: Principal,
    employer: Employer,
    loaded: Sequence[views.Loaded],
    as_of: date,
) -> StopLossReportRead:
    hidden = _hidden(actor)
    positions = []
    viewed: set[int] = set()
    for item in loaded:
        read, found = views.position_read(session, item, deidentified=hidden)
        positions.append(read)
        viewed.update(person.id for person in found.people.values())
    audit.record(session, actor, "view", "stoploss_contract", [item.row.id for item in loaded])
    if not hidden:
        audit.record(session, actor, "view", "member", sorted(viewed), detail="stop-loss")
    return StopLossReportRead(
        employer_id=employer.id,
        ein=employer.ein,
        employer=employer.name,
        as_of=as_of,
        deidentified=hidden,
        contracts=positions,
    )


# --- reimbursement requests ------------------------------------------------------------------


def request_reimbursement(
    *,
    uow: UnitOfWork,
    actor: Principal,
    employer_id: int,
    as_of: date,
    kind: Kind = Kind.SPECIFIC,
    contract_id: int | None = None,
) -> list[RequestRead]:
    """Ask the carrier for what is reimbursable and not yet requested (TPA administrators):
    for ``specific``, one request per member with new excess, listing the claims behind it;
    for ``aggregate``, one per contract whose paid window has closed. Each request posts its
    receivable to the ledger. Returns the requests made (none when nothing is due)."""
    _require_admin(actor, "requests stop-loss reimbursements")
    with uow:
        session = uow.session
        visible_employer(session, actor, employer_id)
        rows = _started(repo.contract_rows(session, employer_id, lock=True), as_of, contract_id)
        made: list[RequestRead] = []
        for row in rows:
            made += _request(session, actor, views.load(session, row, as_of), kind)
        uow.commit()
    return made


def _request(
    session: Session, actor: Principal, loaded: views.Loaded, kind: Kind
) -> list[RequestRead]:
    position, asked = loaded.position, loaded.asked
    if kind is Kind.SPECIFIC:
        drafts = [specific_request(m, asked.requested_by(m.member)) for m in position.members]
    else:
        drafts = [aggregate_request(position, asked.aggregate)]
    wanted = [draft for draft in drafts if draft is not None]
    if not wanted:
        return []
    people = repo.people(session, loaded.row.employer_id, [d.member for d in wanted if d.member])
    rows = [_write_request(session, actor, loaded, draft, people) for draft in wanted]
    audit.record(session, actor, "create", "stoploss_request", [row.id for row in rows])
    asked, found = repo.asked(session, loaded.row.id), views.claimants(session, loaded)
    return [
        views.request_read(
            row, asked, found, deidentified=False, claims=repo.request_claims(session, row.id)
        )
        for row in rows
    ]


def _write_request(
    session: Session,
    actor: Principal,
    loaded: views.Loaded,
    draft: RequestDraft,
    people: dict[str, repo.Person],
) -> ReimbursementRequestRow:
    aggregate = loaded.position.aggregate
    row = ReimbursementRequestRow(
        contract_id=loaded.row.id,
        kind=draft.kind.value,
        member_id=people[draft.member].id if draft.member else None,
        requested_on=loaded.position.as_of,
        amount_cents=draft.amount,
        counted_cents=draft.counted,
        attachment_cents=aggregate.attachment
        if draft.kind is Kind.AGGREGATE and aggregate
        else None,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    session.add_all(
        RequestClaimRow(
            request_id=row.id, claim_id=line.claim, paid_cents=line.paid, counted_cents=line.counted
        )
        for line in draft.lines
    )
    entry = Entry(
        posted_on=row.requested_on,
        employer_id=loaded.row.employer_id,
        memo=f"Stop-loss {draft.kind.value} reimbursement requested of the carrier "
        f"(contract {loaded.row.id}, request {row.id})",
        kind="stoploss_request",
        reference=f"stop-loss request {row.id}",
        legs=(
            debit("stop_loss_receivable", draft.amount),
            credit("stop_loss_recoveries", draft.amount),
        ),
    )
    [row.ledger_transaction_id] = write_entries(session, actor=actor, entries=[entry])
    session.flush()
    return row


def get_request(
    *,
    uow: UnitOfWork,
    actor: Principal,
    request_id: int,
    employer_id: int | None = None,
    today: date | None = None,
) -> RequestRead:
    """A request with the claims behind it (TPA staff)."""
    if actor.role not in TPA_STAFF:
        raise Forbidden(f"the {actor.role.value} role may not read stop-loss requests")
    with uow:
        session = uow.session
        row, contract = _request_row(session, actor, request_id, employer_id, lock=False)
        return _request_read(session, row, contract, today or date.today())


# --- reimbursements received -----------------------------------------------------------------


def record_reimbursement(
    *,
    uow: UnitOfWork,
    actor: Principal,
    request_id: int,
    amount: Decimal,
    received_on: date,
    reference: str | None = None,
    final: bool = False,
    employer_id: int | None = None,
) -> ReceiptRead:
    """Record what the carrier paid on a request (TPA administrators), into the employer's
    claims account. Never more than is outstanding; ``final`` settles the request, writing
    off what the carrier will not pay. A request received in full or settled is closed."""
    _require_admin(actor, "records stop-loss reimbursements")
    with uow:
        session = uow.session
        row, contract = _request_row(session, actor, request_id, employer_id, lock=True)
        asked = repo.asked(session, contract.id)
        outstanding = (
            row.amount_cents
            - asked.received.get(row.id, ZERO)
            - asked.written_off.get(row.id, ZERO)
        )
        _check_receipt(row, amount, received_on, outstanding, final)
        written_off = outstanding - amount if final else ZERO
        receipt_tx, writeoff_tx = _post_receipt(
            session, actor, row, contract.employer_id, amount, written_off, received_on, reference
        )
        receipt = ReceiptRow(
            request_id=row.id,
            received_on=received_on,
            amount_cents=amount,
            written_off_cents=written_off,
            final=final,
            reference=reference,
            receipt_transaction_id=receipt_tx,
            writeoff_transaction_id=writeoff_tx,
            created_by=actor.username,
        )
        session.add(receipt)
        if final or amount == outstanding:
            row.closed_on = received_on
        session.flush()
        audit.record(session, actor, "create", "stoploss_receipt", [receipt.id])
        result = ReceiptRead(
            id=receipt.id,
            request_id=row.id,
            received_on=received_on,
            amount=amount,
            written_off=written_off,
            final=final,
            reference=reference,
            receipt_transaction_id=receipt_tx,
            writeoff_transaction_id=writeoff_tx,
            request=_request_read(session, row, contract, received_on),
        )
        uow.commit()
    return result


def _check_receipt(
    row: ReimbursementRequestRow,
    amount: Decimal,
    received_on: date,
    outstanding: Decimal,
    final: bool,
) -> None:
    if row.closed_on is not None:
        raise Conflict(f"stop-loss request {row.id} is closed since {row.closed_on}")
    problems: list[Problem] = []
    if not amount.is_finite() or amount < 0 or amount != round_cents(amount):
        problems.append(Problem("amount", f"{amount} is not an amount in cents, 0 or more"))
    elif amount == 0 and not final:
        problems.append(Problem("amount", "give the amount received, or settle the request"))
    elif amount > outstanding:
        problems.append(
            Problem("amount", f"{amount} is more than the {outstanding} outstanding on request")
        )
    if received_on < row.requested_on:
        problems.append(
            Problem("received_on", f"{received_on} is before the request ({row.requested_on})")
        )
    if problems:
        raise ValidationFailed(problems, "the reimbursement cannot be recorded")


def _post_receipt(
    session: Session,
    actor: Principal,
    row: ReimbursementRequestRow,
    employer_id: int,
    amount: Decimal,
    written_off: Decimal,
    on: date,
    reference: str | None,
) -> tuple[int | None, int | None]:
    """The receipt's entry and the write-off's, each only when its amount is not zero."""

    def post(kind: str, memo: str, *legs: Leg) -> int:
        entry = Entry(
            posted_on=on,
            employer_id=employer_id,
            memo=f"{memo}, request {row.id}",
            kind=kind,
            reference=f"stop-loss request {row.id}",
            legs=legs,
        )
        [transaction_id] = write_entries(session, actor=actor, entries=[entry])
        return transaction_id

    source = f" ({reference})" if reference else ""
    receipt = (
        post(
            "stoploss_receipt",
            f"Stop-loss reimbursement received{source}",
            debit("claims_funding_bank", amount),
            credit("stop_loss_receivable", amount),
        )
        if amount > 0
        else None
    )
    writeoff = (
        post(
            "stoploss_writeoff",
            "Stop-loss request settled short: the recovery not received written off",
            debit("stop_loss_recoveries", written_off),
            credit("stop_loss_receivable", written_off),
        )
        if written_off > 0
        else None
    )
    return receipt, writeoff


def _request_row(
    session: Session,
    actor: Principal,
    request_id: int,
    employer_id: int | None,
    *,
    lock: bool,
) -> tuple[ReimbursementRequestRow, StopLossContractRow]:
    query = select(ReimbursementRequestRow).where(ReimbursementRequestRow.id == request_id)
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    contract = session.get(StopLossContractRow, row.contract_id) if row else None
    if (
        row is None
        or contract is None
        or (employer_id is not None and contract.employer_id != employer_id)
        or not actor.may_see_employer(contract.employer_id)
    ):
        raise NotFound(f"no stop-loss request {request_id}")
    return row, contract


def _request_read(
    session: Session, row: ReimbursementRequestRow, contract: StopLossContractRow, as_of: date
) -> RequestRead:
    """The request with the claims behind it; its claimant's label as of a day."""
    loaded = views.load(session, contract, max(row.requested_on, as_of))
    return views.request_read(
        row,
        loaded.asked,
        views.claimants(session, loaded),
        deidentified=False,
        claims=repo.request_claims(session, row.id),
    )


# --- which contracts -------------------------------------------------------------------------


def _paid_last(row: StopLossContractRow) -> date:
    return paid_window(row.period_start, Basis(row.incurred_months, row.paid_months)).last


def _chosen(
    rows: Sequence[StopLossContractRow], contract_id: int | None
) -> list[StopLossContractRow] | None:
    if contract_id is None:
        return None
    chosen = [row for row in rows if row.id == contract_id]
    if not chosen:
        raise NotFound(f"no stop-loss contract {contract_id} of this employer")
    return chosen


def _in_force(
    rows: Sequence[StopLossContractRow], as_of: date, contract_id: int | None
) -> list[StopLossContractRow]:
    chosen = _chosen(rows, contract_id)
    if chosen is not None:
        return chosen
    return [row for row in rows if row.period_start <= as_of <= _paid_last(row)]


def _reported(
    rows: Sequence[StopLossContractRow], as_of: date, contract_id: int | None
) -> list[StopLossContractRow]:
    in_force = _in_force(rows, as_of, contract_id)
    if in_force:
        return in_force
    return [row for row in rows if row.period_start <= as_of][-1:]


def _started(
    rows: Sequence[StopLossContractRow], as_of: date, contract_id: int | None
) -> list[StopLossContractRow]:
    chosen = _chosen(rows, contract_id)
    return chosen if chosen is not None else [row for row in rows if row.period_start <= as_of]


# --- roles -----------------------------------------------------------------------------------


def _hidden(actor: Principal) -> bool:
    """Whether the actor gets the de-identified view."""
    return actor.role not in TPA_STAFF


def _require_admin(actor: Principal, what: str) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden(f"only a TPA administrator {what}")


def _require_reader(actor: Principal) -> None:
    if actor.role not in READERS:
        raise Forbidden(f"the {actor.role.value} role may not read stop-loss")
