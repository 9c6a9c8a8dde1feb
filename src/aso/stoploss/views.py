"""A contract's position on a day (``load``: the contract, the claims paid, enrollment and
earlier requests, read through ``repository``) and the shapes the API and the CLI show of it,
with or without what identifies a member.

De-identification (DESIGN 1, HIPAA "minimum necessary", 45 CFR 164.502(b) and the safe-harbor
identifiers of 164.514(b)(2)): an employer's users see each large claimant as "Claimant N" with
amounts only; no member id, name, claim number, nor a date tied to the person (the day a claimant
reached the threshold or was notified); lasers, which name members, are counted, not listed.
Labels follow the order claimants reached the notification threshold, so "Claimant 1" stays
"Claimant 1" as more claims are paid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from aso.money import ZERO
from aso.stoploss import repository as repo
from aso.stoploss.domain import (
    AggregatePosition,
    Contract,
    Kind,
    MemberPosition,
    Position,
    large_claimants,
)
from aso.stoploss.domain import position as compute_position
from aso.stoploss.models import NotificationRow, ReimbursementRequestRow, StopLossContractRow
from aso.stoploss.repository import Asked, Person
from aso.stoploss.schemas import (
    AggregateRead,
    AggregateTermsRead,
    ClaimantRead,
    ContractPositionRead,
    ContractRead,
    LaserRead,
    MonthRead,
    OtherMembersRead,
    RequestClaimRead,
    RequestRead,
)


@dataclass(frozen=True)
class Loaded:
    """A contract with its position on a day and what its requests asked."""

    row: StopLossContractRow
    position: Position
    asked: Asked

    @property
    def contract(self) -> Contract:
        return self.position.contract


def load(session: Session, row: StopLossContractRow, as_of: date) -> Loaded:
    contract = repo.to_contract(session, row)
    lines = repo.paid_lines(session, row.employer_id, contract, as_of)
    spans = (
        repo.enrollment_spans(session, row.employer_id, contract.lines[0])
        if contract.aggregate is not None
        else []
    )
    return Loaded(row, compute_position(contract, lines, spans, as_of), repo.asked(session, row.id))


@dataclass(frozen=True)
class Claimants:
    """The members a contract's report lists one by one, with their labels and records."""

    listed: list[MemberPosition]
    labels: dict[str, str]
    people: dict[str, Person]
    requests: list[ReimbursementRequestRow]
    numbers: dict[int, str]
    """Public member ids of the members the requests name."""

    def label(self, member: str | None) -> str | None:
        return None if member is None else self.labels.get(member)


def claimants(session: Session, loaded: Loaded) -> Claimants:
    requests = list(repo.request_rows(session, loaded.row.id))
    numbers = repo.member_numbers(session, {r.member_id for r in requests if r.member_id})
    listed = large_claimants(loaded.position, also=numbers.values())
    labels = {m.member: f"Claimant {n}" for n, m in enumerate(listed, start=1)}
    return Claimants(
        listed=listed,
        labels=labels,
        people=repo.people(session, loaded.row.employer_id, labels),
        requests=requests,
        numbers=numbers,
    )


def contract_read(
    row: StopLossContractRow, contract: Contract, *, deidentified: bool
) -> ContractRead:
    terms = contract.aggregate
    return ContractRead(
        id=row.id,
        employer_id=row.employer_id,
        period_start=contract.start,
        period_end=contract.end,
        basis=str(contract.basis),
        incurred_from=contract.incurred.first,
        incurred_to=contract.incurred.last,
        paid_from=contract.paid.first,
        paid_to=contract.paid.last,
        lines=[line.value for line in contract.lines],
        carrier=row.carrier,
        policy_number=row.policy_number,
        specific_deductible=contract.specific_deductible,
        specific_reimbursement=contract.specific_rate,
        notification=contract.notification_rate,
        laser_count=len(contract.lasers),
        lasers=None
        if deidentified
        else [LaserRead(member_id=m, deductible=d) for m, d in sorted(contract.lasers.items())],
        aggregate=None
        if terms is None
        else AggregateTermsRead(
            attachment_factors={tier.value: f for tier, f in sorted(terms.factors.items())},
            minimum_attachment=terms.minimum,
            reimbursement=terms.rate,
        ),
    )


def position_read(
    session: Session, loaded: Loaded, *, deidentified: bool
) -> tuple[ContractPositionRead, Claimants]:
    position, asked = loaded.position, loaded.asked
    found = claimants(session, loaded)
    sent = repo.notifications(session, loaded.row.id)
    requested, received = _per_member(found, asked)
    listed_ids = {m.member for m in found.listed}
    others = [m for m in position.members if m.member not in listed_ids]
    requests = [
        request_read(r, asked, found, deidentified=deidentified, claims=None)
        for r in found.requests
    ]
    read = ContractPositionRead(
        contract=contract_read(loaded.row, loaded.contract, deidentified=deidentified),
        settled=position.settled,
        paid=position.paid,
        specific_excess=position.specific_excess,
        specific_reimbursable=position.specific_reimbursable,
        claimants=[
            _claimant(m, found, sent, requested, received, deidentified=deidentified)
            for m in found.listed
        ],
        other_members=OtherMembersRead(
            members=len(others),
            paid=sum((m.paid for m in others), ZERO),
            toward_aggregate=sum((m.toward_aggregate for m in others), ZERO),
        ),
        aggregate=_aggregate(position.aggregate, requested, received),
        requested=sum((r.amount for r in requests), ZERO),
        received=sum((r.received for r in requests), ZERO),
        outstanding=sum((r.outstanding for r in requests), ZERO),
        requests=requests,
    )
    return read, found


def _per_member(
    found: Claimants, asked: Asked
) -> tuple[dict[str | None, Decimal], dict[str | None, Decimal]]:
    """Requested and received per member (None: the aggregate)."""
    requested: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    received: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    for r in found.requests:
        member = found.numbers.get(r.member_id) if r.member_id else None
        requested[member] += r.amount_cents
        received[member] += asked.received.get(r.id, ZERO)
    return requested, received


def _claimant(
    m: MemberPosition,
    found: Claimants,
    sent: Mapping[int, NotificationRow],
    requested: Mapping[str | None, Decimal],
    received: Mapping[str | None, Decimal],
    *,
    deidentified: bool,
) -> ClaimantRead:
    person = found.people.get(m.member)
    notification = sent.get(person.id) if person else None
    return ClaimantRead(
        label=found.labels[m.member],
        member_id=None if deidentified else m.member,
        name=None if deidentified or person is None else person.name,
        lasered=None if deidentified else m.lasered,
        deductible=m.deductible,
        threshold=m.threshold,
        paid=m.paid,
        toward_aggregate=m.toward_aggregate,
        excess=m.excess,
        reimbursable=m.reimbursable,
        requested=requested.get(m.member, ZERO),
        received=received.get(m.member, ZERO),
        notified=notification is not None,
        notified_on=None if deidentified or notification is None else notification.notified_on,
    )


def _aggregate(
    aggregate: AggregatePosition | None,
    requested: Mapping[str | None, Decimal],
    received: Mapping[str | None, Decimal],
) -> AggregateRead | None:
    if aggregate is None:
        return None
    return AggregateRead(
        months=[
            MonthRead(
                month=m.month,
                enrolled={tier.value: n for tier, n in m.enrolled.items()},
                attachment=m.amount,
            )
            for m in aggregate.months
        ],
        from_enrollment=aggregate.from_enrollment,
        minimum_attachment=aggregate.minimum,
        attachment=aggregate.attachment,
        final=aggregate.final,
        eligible=aggregate.eligible,
        excess=aggregate.excess,
        reimbursable=aggregate.reimbursable,
        requested=requested.get(None, ZERO),
        received=received.get(None, ZERO),
    )


def request_read(
    row: ReimbursementRequestRow,
    asked: Asked,
    found: Claimants,
    *,
    deidentified: bool,
    claims: Sequence[tuple[str, Decimal, Decimal]] | None,
) -> RequestRead:
    member = found.numbers.get(row.member_id) if row.member_id else None
    received = asked.received.get(row.id, ZERO)
    written_off = asked.written_off.get(row.id, ZERO)
    return RequestRead(
        id=row.id,
        contract_id=row.contract_id,
        kind=Kind(row.kind),
        claimant=found.label(member),
        member_id=None if deidentified else member,
        requested_on=row.requested_on,
        amount=row.amount_cents,
        counted=row.counted_cents,
        attachment=row.attachment_cents,
        received=received,
        written_off=written_off,
        outstanding=row.amount_cents - received - written_off,
        status=status(row, received),
        closed_on=row.closed_on,
        ledger_transaction_id=row.ledger_transaction_id,
        claims=None
        if deidentified or claims is None
        else [RequestClaimRead(claim_id=c, paid=p, counted=n) for c, p, n in claims],
    )


def status(row: ReimbursementRequestRow, received: Decimal) -> str:
    if row.closed_on is None:
        return "open"
    return "paid" if received == row.amount_cents else "settled"
