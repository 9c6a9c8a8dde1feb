"""The 835 of each payment, through the same builder (``aso.edi.x835``), the same claims
(``aso.edi.remittance_claims``) and the same registry of remitted versions
(``edi_remittances``, ``edi_remitted_claims``) as the 835 export, so that whichever path sends
it, no claim version is remitted as paid twice.

A released payment's 835: BPR02 its amount and BPR04 its method (``ACH`` with both bank
accounts, ``CHK``, or ``NON`` when nothing is paid), TRN02 the check number or the EFT trace
(the same TRN the ACH addenda carries), its claims (reversals of corrected claims just before
their corrections) and the PLB of its overpayments (``aso.payments.domain``).

A voided or returned payment's 835 reverses it: each claim it paid reversed, each version it
reversed reinstated as paid, each PLB adjustment negated, and the payment's amount as PLB ``CS``
negative with the check or trace number, so BPR02 is zero (``H``, ``NON``): the payee's books
come back to where they were before the payment.

The registry keeps a version's first payment and first reversal (its key); a version paid again
after its payment was voided and reversed is carried by its new 835 and recorded in
``payment_claims``, where the partial unique index keeps it in one live payment.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.claims.bulk import Bulk
from aso.claims.repository import chunks
from aso.db.base import Base
from aso.edi import remittance_claims as due_claims
from aso.edi.models import ControlNumber
from aso.edi.remittance import edi_contact, sender
from aso.edi.remittance_claims import Due, Loaded
from aso.edi.remittance_models import RemittanceRow, RemittedClaimRow
from aso.edi.repository import INTERCHANGE
from aso.edi.writer import MAX_CONTROL, Party
from aso.edi.x835 import (
    Address,
    BankAccount,
    ClaimPayment,
    ClaimStatusCode,
    Payee,
    Payer,
    Payment,
    PaymentMethod,
    ProviderAdjustment,
    Remittance,
    problems,
    write_835,
)
from aso.employers.models import Employer
from aso.errors import ValidationFailed
from aso.members.models import Member
from aso.money import to_cents
from aso.payments.domain import PayeeKey

REMITTANCES = Base.metadata.tables[RemittanceRow.__tablename__]
REMITTED = Base.metadata.tables[RemittedClaimRow.__tablename__]
REMITTANCE_COLUMNS = (
    "employer_id",
    "payee_qualifier",
    "payee_id",
    "payee_name",
    "control_number",
    "trace_number",
    "payment_method",
    "payment_date",
    "amount_cents",
    "claims_paid_cents",
    "adjustments_cents",
    "owed_cents",
    "claims",
    "reversals",
    "filename",
    "sha256",
    "content",
    "created_at",
    "created_by",
)
REMITTED_COLUMNS = (
    "version_id",
    "role",
    "remittance_id",
    "claim_id",
    "position",
    "charge_cents",
    "paid_cents",
)
"""Written as tables (Core), not entities: a release may remit a hundred thousand claims."""
METHODS = {"EFT": PaymentMethod.ACH, "CHK": PaymentMethod.CHECK, "NON": PaymentMethod.NONE}


def payer(employer: Employer) -> Payer:
    """Loop 1000A: the employer's self-funded plan, as the export names it."""
    return Payer(
        name=employer.name,
        tin=employer.ein.replace("-", ""),
        address=Address(
            employer.address1, employer.city, employer.state, employer.zip, employer.address2
        ),
        contact=edi_contact(),
    )


@dataclass(frozen=True, slots=True)
class Sent:
    """An 835 recorded: its remittance row and file."""

    id: int
    trace: str
    filename: str
    sha256: str


@dataclass
class Remitter:
    """Writes the 835s of one release, void or return, and records them all at once
    (``save``): the remittances in one statement, the registry in another."""

    session: Session
    employer: Employer
    loaded: Loaded
    actor: str
    now: datetime
    registered: set[tuple[int, str]]
    """(version id, role) already in the registry, or about to be."""
    controls: Iterator[int]
    subscribers: dict[str, Member]
    bulk: Bulk
    jobs: list[Job] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    carried: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    @classmethod
    def prepare(
        cls,
        session: Session,
        employer: Employer,
        dues: Sequence[Due],
        actor: str,
        now: datetime,
        count: int,
    ) -> Remitter:
        """Load what ``count`` 835s of ``dues`` need, their control numbers reserved."""
        loaded = due_claims.load(session, dues)
        registered = _registered(session, {d.version_id for d in dues})
        subscribers = {m.member_number: m for m in loaded.members.values()}
        controls = iter(control_numbers(session, count))
        return cls(
            session, employer, loaded, actor, now, registered, controls, subscribers, Bulk(session)
        )

    def payee(self, key: PayeeKey) -> Payee:
        """Loop 1000B: the provider, or the subscriber reimbursed (from what is loaded, as
        ``remittance_claims.payee`` names them)."""
        member = self.subscribers.get(key[1]) if key[0] == "FI" else None
        if member is None:
            return due_claims.payee(self.loaded, key, self.session)
        address = Address(member.address1, member.city, member.state, member.zip, member.address2)
        return Payee(
            f"{member.first_name} {member.last_name}", "FI", member.member_number, address=address
        )

    def claims(self, dues: Sequence[Due]) -> list[ClaimPayment]:
        return [self.loaded.payment(due) for due in dues]

    def remit(
        self,
        *,
        key: PayeeKey,
        payee: Payee,
        dues: Sequence[Due],
        claims: Sequence[ClaimPayment],
        adjustments: Sequence[ProviderAdjustment],
        method: str,
        on: date,
        trace: str,
        accounts: tuple[BankAccount, BankAccount] | None = None,
    ) -> None:
        """Write the 835; it is recorded, with the versions it pays or reverses, by ``save``."""
        payer_account, payee_account = accounts if accounts else (None, None)
        remittance = Remittance(
            payer=payer(self.employer),
            payee=payee,
            payment=Payment(METHODS[method], on, trace, payer_account, payee_account),
            claims=tuple(claims),
            adjustments=tuple(adjustments),
            production_date=self.now.date(),
        )
        found = problems(remittance)
        if found:
            raise ValidationFailed(found, "the remittance does not balance")
        control = next(self.controls)
        self.jobs.append((remittance, Party("ZZ", key[1]), control))
        amount = remittance.amount
        reversals = sum(c.status is ClaimStatusCode.REVERSAL for c in claims)
        self.rows.append(
            (
                self.employer.id,
                key[0],
                key[1],
                payee.name[:60],
                control,
                trace,
                (METHODS[method] if amount > 0 else PaymentMethod.NONE).value,
                self.bulk.day(on),
                to_cents(amount),
                to_cents(remittance.claims_paid),
                to_cents(remittance.adjustments_total),
                0,
                len(claims) - reversals,
                reversals,
                f"835-{self.employer.ein.replace('-', '')}-{key[1]}-{control:09d}.x12",
                self.bulk.stamp(self.now),
                self.actor,
            )
        )
        self._register(trace, dues, claims)

    def _register(self, trace: str, dues: Sequence[Due], claims: Sequence[ClaimPayment]) -> None:
        """The versions' first payment and first reversal go into the registry."""
        for position, (due, claim) in enumerate(zip(dues, claims, strict=True), start=1):
            role = "reversal" if claim.status is ClaimStatusCode.REVERSAL else "payment"
            if (due.version_id, role) in self.registered:
                continue
            self.registered.add((due.version_id, role))
            row = (
                due.version_id,
                role,
                due.claim_id,
                position,
                to_cents(claim.charge),
                to_cents(claim.paid),
            )
            self.carried.append((trace, row))

    def save(self) -> dict[str, Sent]:
        """Write every 835 and record them (through the driver's bulk path); by trace."""
        if not self.rows:
            return {}
        texts = write_all(self.jobs, self.now)
        hashes = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
        ids = self.bulk.allocate_ids(REMITTANCES, len(self.rows))
        rows = [
            (pk, *row[:15], digest, text, *row[15:])
            for pk, row, digest, text in zip(ids, self.rows, hashes, texts, strict=True)
        ]
        self.bulk.insert(REMITTANCES, ("id", *REMITTANCE_COLUMNS), rows)
        sent = {row[6]: Sent(row[0], row[6], row[15], row[16]) for row in rows}
        carried = [(*row[:2], sent[trace].id, *row[2:]) for trace, row in self.carried]
        self.bulk.insert(REMITTED, REMITTED_COLUMNS, carried)
        self.rows, self.carried, self.jobs = [], [], []
        return sent


Job = tuple[Remittance, Party, int]
"""An 835 to write: the remittance, its receiver and its control number."""
PARALLEL_FROM = 20_000
"""Claims from which a release writes its 835s in forked worker processes."""
_JOBS: list[Job] = []
"""What forked workers write (they inherit it: nothing is pickled but the texts back)."""


def write_all(jobs: list[Job], now: datetime) -> list[str]:
    """The 835s' texts, in order. A large release writes them in worker processes, one per
    core (the builder is pure and CPU-bound: threads would wait on each other), forked so
    that they start with the remittances in memory; elsewhere, or for a small one, here."""
    claims = sum(len(remittance.claims) for remittance, _, _ in jobs)
    workers = min(os.cpu_count() or 1, 4)
    if claims < PARALLEL_FROM or workers < 2 or "fork" not in mp.get_all_start_methods():
        return _write(jobs, now)
    global _JOBS
    _JOBS = jobs
    try:
        step = -(-len(jobs) // (workers * 4))
        ranges = [(start, min(start + step, len(jobs)), now) for start in range(0, len(jobs), step)]
        with mp.get_context("fork").Pool(workers) as pool:
            return [text for part in pool.map(_write_range, ranges) for text in part]
    finally:
        _JOBS = []


def _write_range(bounds: tuple[int, int, datetime]) -> list[str]:
    start, end, now = bounds
    return _write(_JOBS[start:end], now)


def _write(jobs: Sequence[Job], now: datetime) -> list[str]:
    return [
        write_835(remittance, sender=sender(), receiver=receiver, control_number=control, now=now)
        for remittance, receiver, control in jobs
    ]


def control_numbers(session: Session, count: int) -> list[int]:
    """``count`` numbers of the interchange sequence at once (``aso.edi.repository``
    hands out one at a time), the sequence's row locked until the transaction ends."""
    if count <= 0:
        return []
    row = session.get(ControlNumber, INTERCHANGE, with_for_update=True)
    if row is None:
        row = ControlNumber(name=INTERCHANGE, last=0)
        session.add(row)
    numbers = []
    last = row.last
    for _ in range(count):
        last = last % MAX_CONTROL + 1
        numbers.append(last)
    row.last = last
    session.flush()
    return numbers


def _registered(session: Session, version_ids: Collection[int]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for batch in chunks(sorted(version_ids)):
        query = select(RemittedClaimRow.version_id, RemittedClaimRow.role).where(
            RemittedClaimRow.version_id.in_(batch)
        )
        found.update((version_id, role) for version_id, role in session.execute(query))
    return found
