"""Running a payment cycle: an employer's approved and denied claims up to a date, grouped into
one payment per payee, recognized in the ledger, and the funding request that asks the employer
for the money (``aso payments run``).

What a cycle gathers:

- the current version of every approved or denied claim adjudicated up to the date that no
  payment carries yet (an approved claim with nothing to pay and a denied claim need no money,
  but their 835 goes with the cycle, and an approved claim becomes paid with its payment);
- every version a released payment paid whose claim has since been decided again, replaced or
  voided: it is reversed in the payee's payment (whoever was paid), beside its correction,
  which the cycle gathers whatever its date;
- not the claims an ``aso edi export`` 835 already remitted (the registry of remitted versions
  lets no version be remitted twice): they are counted and reported.

Who is paid is ``aso.edi.remittance_claims``' rule (the billing provider when the directory
knows its NPI, else the subscriber, reimbursed). A claim for an unknown member from a provider
not on file has no one to pay or remit to and is left out.

One cycle runs per employer at a time (the employer row is locked), and the partial unique
index of ``payment_claims`` keeps a version in one active payment at most: two cycles never
share a claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aso.claims.bulk import collector_paused
from aso.db.base import Base
from aso.db.uow import UnitOfWork
from aso.edi.remittance_claims import Loaded
from aso.employers.models import Employer
from aso.errors import Conflict, Forbidden, NotFound
from aso.ledger.service import write_entries
from aso.money import ZERO
from aso.payments import postings
from aso.payments import repository as repo
from aso.payments.domain import (
    FundingPosition,
    Item,
    PayeeKey,
    Role,
    Settlement,
    prefund_target,
    requested_amount,
    settle,
)
from aso.payments.models import PaymentCycleRow, PaymentRow
from aso.payments.schemas import CycleRead
from aso.payments.views import cycle_read
from aso.security import audit
from aso.security.domain import Principal
from aso.security.domain import Role as UserRole

PAYMENTS = Base.metadata.tables[PaymentRow.__tablename__]
"""Written as a table (Core), not entities: a cycle may make thousands of payments."""


@dataclass(slots=True)
class Gathered:
    """What a cycle pays, by payee; claims left out and why."""

    payees: dict[PayeeKey, list[Item]] = field(default_factory=dict)
    remitted_elsewhere: int = 0
    no_payee: int = 0

    @property
    def claims(self) -> int:
        return sum(1 for items in self.payees.values() for i in items if not i.reversal)


def gather(session: Session, employer_id: int, through: date) -> Gathered:
    """The payments a cycle up to ``through`` would make (see the module docstring)."""
    due = repo.due_claims(session, employer_id, through)
    reversals = repo.due_reversals(session, employer_id)
    known = {d.claim_id for d in due}
    later = repo.successors(session, {r.item.claim_id for r in reversals}) - known
    if later:
        due += repo.due_claims_of(session, employer_id, later)
    members, providers = repo.payee_people(session, due)
    payee_rule = Loaded(
        versions={}, claims={}, lines={}, results={}, members=members, providers=providers
    )
    roots = repo.roots(session, {d.claim_id: d.replaces_id for d in due})
    found = Gathered(remitted_elsewhere=repo.remitted_elsewhere(session, employer_id, through))
    for reversal in reversals:
        found.payees.setdefault(reversal.payee, []).append(reversal.item)
    for claim in due:
        row = claim.row
        if row.family_id is None and row.provider_npi not in providers:
            found.no_payee += 1
            continue
        item = Item(
            claim_id=claim.claim_id,
            version_id=claim.version_id,
            version=claim.version,
            role=Role.PAYMENT,
            paid=claim.paid,
            charge=claim.charge,
            root=roots[claim.claim_id],
        )
        found.payees.setdefault(payee_rule.payee_key(row), []).append(item)
    for items in found.payees.values():
        items.sort(key=lambda i: (i.root, not i.reversal, i.claim_id))
    return found


def run_cycle(
    *,
    uow: UnitOfWork,
    actor: Principal,
    employer_id: int,
    through: date,
    run_on: date | None = None,
) -> CycleRead:
    """Create the employer's next payment cycle and its funding request (TPA administrators).
    ``Conflict`` when nothing is due."""
    if actor.role is not UserRole.ADMIN:
        raise Forbidden("only a TPA administrator runs payment cycles")
    run_on = run_on or date.today()
    try:
        with uow, collector_paused():
            session = uow.session
            employer = repo.lock_employer(session, employer_id)
            if employer is None:
                raise NotFound(f"no employer {employer_id}")
            gathered = gather(session, employer_id, through)
            if not gathered.payees:
                raise Conflict(
                    f"nothing to pay for {employer.ein}: no approved or denied claim "
                    f"adjudicated up to {through} that no payment carries"
                )
            cycle = _create(session, actor, employer, gathered, through, run_on)
            result = cycle_read(session, cycle, gathered.remitted_elsewhere)
            uow.commit()
    except IntegrityError as exc:
        raise Conflict(
            "another cycle took some of these claims at the same moment: nothing was "
            "recorded; run the cycle again"
        ) from exc
    return result


def _create(
    session: Session,
    actor: Principal,
    employer: Employer,
    gathered: Gathered,
    through: date,
    run_on: date,
) -> PaymentCycleRow:
    sequence = repo.next_sequence(session, employer.id)
    cycle = PaymentCycleRow(
        employer_id=employer.id,
        number=f"PC-{employer.ein.replace('-', '')}-{sequence:04d}",
        sequence=sequence,
        through=through,
        run_on=run_on,
        status="open",
        claims=gathered.claims,
        claims_cents=ZERO,
        overpaid_cents=ZERO,
        gross_cents=ZERO,
        prefund_target_cents=ZERO,
        available_cents=ZERO,
        requested_cents=ZERO,
        created_by=actor.username,
    )
    session.add(cycle)
    session.flush()
    payments = _payments(session, cycle, gathered.payees)
    cycle.claims_cents = sum((found.claims for _, found in payments), ZERO)
    cycle.overpaid_cents = sum((found.overpaid for _, found in payments), ZERO)
    cycle.gross_cents = cycle.claims_cents + cycle.overpaid_cents
    _fund(session, actor, employer, cycle, through)
    audit.record(session, actor, "create", "payment_cycle", [cycle.id], detail=cycle.number)
    return cycle


def _payments(
    session: Session, cycle: PaymentCycleRow, payees: dict[PayeeKey, list[Item]]
) -> list[tuple[int, Settlement]]:
    """One pending payment per payee, with its claims; amounts as they stand today (a release
    settles them again, with the recoveries then open). Written in bulk: (id, settlement)."""
    keys = sorted(payees)
    settled = [settle(payees[key]) for key in keys]
    returned = session.execute(
        insert(PAYMENTS).returning(PAYMENTS.c.id, PAYMENTS.c.payee_qualifier, PAYMENTS.c.payee_id),
        [
            {
                "employer_id": cycle.employer_id,
                "cycle_id": cycle.id,
                "payee_qualifier": qualifier,
                "payee_id": payee_id,
                "status": "pending",
                "claims_cents": found.claims,
                "overpaid_cents": found.overpaid,
                "recovered_cents": ZERO,
                "deferred_cents": ZERO,
                "amount_cents": found.amount,
            }
            for (qualifier, payee_id), found in zip(keys, settled, strict=True)
        ],
    )
    ids = {(row.payee_qualifier, row.payee_id): row.id for row in returned}
    repo.insert_items(session, [(ids[key], item) for key in keys for item in payees[key]])
    return [(ids[key], found) for key, found in zip(keys, settled, strict=True)]


def _fund(
    session: Session, actor: Principal, employer: Employer, cycle: PaymentCycleRow, through: date
) -> None:
    """Recognize the cycle's claims and ask for what they need, topped up to the prefunded
    balance (``aso.payments.domain.requested_amount``)."""
    before = repo.position(session, employer.id)
    account = repo.funding_account(session, employer.id)
    days = account.prefund_days if account is not None else 0
    target = prefund_target(days, *repo.paid_in_window(session, employer.id, through))
    after = FundingPosition(
        bank=before.bank,
        receivable=before.receivable,
        payable=before.payable + cycle.gross_cents,
        outstanding=before.outstanding,
    )
    cycle.prefund_target_cents = target
    cycle.available_cents = before.uncommitted
    cycle.requested_cents = requested_amount(after, target)
    recognition = postings.recognized(
        employer.id, cycle.run_on, cycle.number, cycle.claims_cents, cycle.overpaid_cents
    )
    request = postings.requested(employer.id, cycle.run_on, cycle.number, cycle.requested_cents)
    entries = [entry for entry in (recognition, request) if entry is not None]
    ids = iter(write_entries(session, actor=actor, entries=entries))
    if recognition is not None:
        cycle.recognized_tx = next(ids)
    if request is not None:
        cycle.requested_tx = next(ids)
    session.flush()
