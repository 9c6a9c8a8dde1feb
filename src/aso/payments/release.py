"""Releasing a payment cycle (``aso payments release``): its pending payments paid, as far as the
employer's funding account covers them, each with its 835; the NACHA file of the EFTs, the
checks with their register and positive pay file; claims approved -> paid.

In one transaction, with the employer and the cycle's pending payments locked (an employer's
releases run one at a time, so two cannot spend the same funds; a cycle released twice finds
nothing pending the second time):

1. **Claims that changed since the cycle ran** (a new decision, a replacement or a void while
   the payment waited; the claims are locked until the release commits) leave the payment, and
   their recognition is withdrawn from the ledger; a later cycle pays the current version. A
   reversal whose original payment was voided meanwhile leaves too.
2. **Settlement** (``aso.payments.domain.settle``): each payment's own overpayments are netted,
   the payee's earlier ones taken back (PLB WO) as far as it goes.
3. **Funds**: payments in order are released while the funding account's balance per the ledger
   covers them (payments with nothing to pay always go: their 835 says why); the others stay
   pending for a release after the next deposit.
4. **Method**: EFT when the payee's account is active (a prenote sent three banking days before
   the effective date matures it), else a check numbered from the employer's sequence. A payee
   account still awaiting its prenote gets one in this file and a check this time.
5. **Files**: the ACH file (CCD+ ``HCCLAIMPMT`` for providers with the 835 TRN in the addenda,
   PPD for member reimbursements), the positive pay issue file and check register of the new
   checks, one 835 per payment (``aso.payments.remit``).
6. **Ledger** (``aso.payments.postings``), recoveries, claims paid on the release day, and the
   audit log, all committed together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aso.claims.bulk import collector_paused
from aso.db.uow import UnitOfWork
from aso.edi.x835 import BankAccount as RemitAccount
from aso.employers.models import Employer
from aso.errors import Conflict, Forbidden, NotFound
from aso.ledger.domain import Entry
from aso.ledger.service import write_entries
from aso.members.crypto import SsnCipher
from aso.money import ZERO
from aso.payments import checks, files, postings
from aso.payments import repository as repo
from aso.payments.domain import (
    Method,
    OpenRecovery,
    effective_date,
    prenote_matured,
    settle,
)
from aso.payments.instruments import MODIFIERS, Payout, ach_file, ascii_name, check_files
from aso.payments.models import (
    CheckRow,
    FundingAccountRow,
    PayeeAccountRow,
    PaymentCycleRow,
    PaymentFileRow,
    PaymentRow,
    RecoveryOffsetRow,
    RecoveryRow,
)
from aso.payments.remit import Remitter, Sent
from aso.payments.schemas import ReleaseRead
from aso.payments.views import file_reads, payment_read, visible_cycle
from aso.security import audit
from aso.security.domain import Principal, Role

Progress = Callable[[int, int], None]
"""Told (payments written, payments to write) while the 835s are written."""


def release_cycle(
    *,
    uow: UnitOfWork,
    actor: Principal,
    number: str,
    cipher: SsnCipher,
    released_on: date | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ReleaseRead:
    """Release what the funds cover of the cycle's pending payments (TPA administrators)."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("only a TPA administrator releases payments")
    now = now or datetime.now(UTC)
    on = released_on or now.date()
    try:
        with uow, collector_paused():
            session = uow.session
            cycle = visible_cycle(session, actor, number, lock=True)
            employer = repo.lock_employer(session, cycle.employer_id)
            if employer is None:
                raise NotFound(f"no employer {cycle.employer_id}")
            account = repo.funding_account(session, employer.id)
            if account is None:
                raise Conflict(
                    f"{employer.ein} has no claims funding account: set it first "
                    "(aso funding account)"
                )
            run = _Release(session, actor, employer, cycle, account, cipher, on, now, progress)
            result = run.release()
            uow.commit()
    except IntegrityError as exc:
        raise Conflict(
            "another release paid some of these claims at the same moment: nothing was "
            "recorded; release the cycle again"
        ) from exc
    return result


@dataclass
class _Release:
    session: Session
    actor: Principal
    employer: Employer
    cycle: PaymentCycleRow
    account: FundingAccountRow
    cipher: SsnCipher
    on: date
    now: datetime
    progress: Progress | None
    entries: list[tuple[Entry, Payout | None, str]] = field(default_factory=list)
    changed: int = 0
    claims_paid: int = 0
    prenotes: list[tuple[PayeeAccountRow, Payout]] = field(default_factory=list)
    kept: list[PaymentFileRow] = field(default_factory=list)

    @property
    def effective(self) -> date:
        return effective_date(self.on)

    def release(self) -> ReleaseRead:
        pending = repo.payments_of(self.session, self.cycle.id, status="pending", lock=True)
        items = repo.items_of(self.session, [p.id for p in pending])
        states = self._drop_changed(pending, items)
        available = repo.position(self.session, self.employer.id).available
        payouts, waiting = self._fund(pending, items, available)
        available -= sum((p.amount for p in payouts), ZERO)
        batch = self._batch() if payouts else None
        if payouts:
            assert batch is not None
            self._methods(payouts)
            remitter = Remitter.prepare(
                self.session,
                self.employer,
                [due for p in payouts for due in p.dues()],
                self.actor.username,
                self.now,
                len(payouts),
            )
            for payout in payouts:
                payout.payee = remitter.payee(payout.key)
            self._ach(payouts, batch)
            self._checks(payouts, batch)
            remittances = self._remit(payouts, remitter)
            self.kept += files.keep_835s(self.session, self.employer.id, batch, remittances)
            self._post(payouts)
            self._recover(payouts)
            self._pay_claims(payouts, states)
            self._finish(payouts, batch)
        self._entries_written()
        self._cycle_status()
        self.session.flush()
        if payouts:
            audit.record(
                self.session,
                self.actor,
                "release",
                "payment",
                [p.payment.id for p in payouts],
                detail=self.cycle.number,
            )
        return self._read(payouts, waiting, available, batch)

    # --- 1. claims that changed ---------------------------------------------------------

    def _drop_changed(
        self, pending: Sequence[PaymentRow], items: dict[int, list[Row[Any]]]
    ) -> dict[int, tuple[int, str]]:
        rows = [row for found in items.values() for row in found]
        paid_rows = [r for r in rows if r.role == "payment"]
        states = repo.claim_states(self.session, {r.claim_id for r in paid_rows}, lock=True)
        still_paid = repo.paid_versions(
            self.session, {r.version_id for r in rows if r.role == "reversal"}
        )
        changed = {
            r.id
            for r in rows
            if (r.role == "payment" and not _current(r, states))
            or (r.role == "reversal" and r.version_id not in still_paid)
        }
        if not changed:
            return states
        repo.end_items(self.session, changed, "changed")
        self.changed = len(changed)
        claims = overpaid = ZERO
        for payment in pending:
            kept = [r for r in items[payment.id] if r.id not in changed]
            if len(kept) == len(items[payment.id]):
                continue
            after = settle([repo.to_item(r) for r in kept])
            claims += payment.claims_cents - after.claims
            overpaid += payment.overpaid_cents - after.overpaid
            payment.claims_cents, payment.overpaid_cents = after.claims, after.overpaid
            items[payment.id] = kept
        why = f"Claims of {self.cycle.number} changed before release"
        entry = postings.withdrawn(
            self.employer.id, self.on, self.cycle.number, claims, overpaid, why
        )
        if entry is not None:
            self.entries.append((entry, None, "withdrawn"))
        return states

    # --- 2-3. settlement and funds ------------------------------------------------------

    def _fund(
        self,
        pending: Sequence[PaymentRow],
        items: dict[int, list[Row[Any]]],
        available: Decimal,
    ) -> tuple[list[Payout], list[Payout]]:
        recoveries = repo.open_recoveries(self.session, self.employer.id)
        released: list[Payout] = []
        waiting: list[Payout] = []
        for payment in pending:
            found = items[payment.id]
            if not found:
                payment.status = "cancelled"
                continue
            key = (payment.payee_qualifier, payment.payee_id)
            settled = settle([repo.to_item(r) for r in found], recoveries.get(key, []))
            payout = Payout(payment, found, settled)
            if settled.amount <= available:
                available -= settled.amount
                released.append(payout)
            else:
                payment.amount_cents = settled.amount
                waiting.append(payout)
        return released, waiting

    # --- 4. method ------------------------------------------------------------------------

    def _methods(self, payouts: Sequence[Payout]) -> None:
        accounts = repo.accounts_in_use(self.session, {p.key for p in payouts})
        for payout in payouts:
            account = accounts.get(payout.key)
            if account is not None and account.status == "prenote_sent":
                matured = account.prenote_effective is not None and prenote_matured(
                    account.prenote_effective, self.effective
                )
                if matured:
                    account.status = "active"
            if account is not None and account.status == "prenote_due":
                self.prenotes.append((account, payout))
            if payout.amount == 0:
                payout.method = Method.NONE
            elif account is not None and account.status == "active":
                payout.method, payout.account = Method.EFT, account
            else:
                payout.method = Method.CHECK
        checks_due = [p for p in payouts if p.method is Method.CHECK]
        first = self.account.next_check_number
        for offset, payout in enumerate(checks_due):
            payout.check = first + offset
        self.account.next_check_number = first + len(checks_due)

    # --- 5. files -------------------------------------------------------------------------

    def _batch(self) -> str:
        count = self.session.scalar(
            select(func.count(func.distinct(PaymentRow.batch))).where(
                PaymentRow.cycle_id == self.cycle.id, PaymentRow.batch.is_not(None)
            )
        )
        return f"{self.cycle.number}-R{int(count or 0) + 1}"

    def _ach(self, payouts: Sequence[Payout], batch: str) -> None:
        eft = [p for p in payouts if p.method is Method.EFT]
        if not eft and not self.prenotes:
            return
        written = ach_file(
            employer=self.employer,
            account=self.account,
            cipher=self.cipher,
            payouts=eft,
            prenotes=[(account, p.payee.name if p.payee else "") for account, p in self.prenotes],
            effective=self.effective,
            created=self.now,
            modifier=self._modifier(),
            reference=self.cycle.number[-8:],
        )
        for owner, trace in written.traces:
            if isinstance(owner, Payout):
                owner.ach_trace = trace
            else:
                owner.status = "prenote_sent"
                owner.prenote_effective = self.effective
                owner.prenote_trace = trace
        self.kept.append(
            files.keep(self.session, self.employer.id, batch, f"{batch}.ach", "nacha", written.text)
        )

    def _modifier(self) -> str:
        """File ID Modifier: A, B, ... for the files sent to the bank the same day."""
        today = self.session.scalar(
            select(func.count())
            .select_from(PaymentFileRow)
            .where(
                PaymentFileRow.employer_id == self.employer.id,
                PaymentFileRow.kind == "nacha",
                PaymentFileRow.created_at >= datetime.combine(self.now.date(), time(), UTC),
            )
        )
        return MODIFIERS[int(today or 0) % len(MODIFIERS)]

    def _checks(self, payouts: Sequence[Payout], batch: str) -> None:
        drawn = [p for p in payouts if p.method is Method.CHECK]
        if not drawn:
            return
        issued = []
        for payout in drawn:
            assert payout.check is not None and payout.payee is not None
            name = ascii_name(payout.payee.name)
            issued.append(
                checks.Check(
                    payout.check, self.on, name, payout.amount, payee_id=payout.payment.payee_id
                )
            )
            self.session.add(
                CheckRow(
                    employer_id=self.employer.id,
                    payment_id=payout.payment.id,
                    number=payout.check,
                    issued_on=self.on,
                    amount_cents=payout.amount,
                    payee_name=name[:60],
                    status="issued",
                )
            )
        self.kept += check_files(self.session, self.employer.id, self.account, batch, issued)

    def _remit(self, payouts: Sequence[Payout], remitter: Remitter) -> list[Sent]:
        funding = RemitAccount(self.account.routing, self.account.account_number)
        for done, payout in enumerate(payouts, start=1):
            dues = payout.dues()
            claims = remitter.claims(dues)
            assert sum((c.paid for c in claims), ZERO) == payout.settlement.claims
            accounts = None
            if payout.method is Method.EFT:
                assert payout.account is not None
                number = self.cipher.decrypt(payout.account.account_encrypted)
                accounts = (funding, RemitAccount(payout.account.routing, number))
            assert payout.payee is not None
            remitter.remit(
                key=payout.key,
                payee=payout.payee,
                dues=dues,
                claims=claims,
                adjustments=payout.settlement.adjustments,
                method=payout.method.value,
                on=self.on if payout.method is not Method.EFT else self.effective,
                trace=payout.trace,
                accounts=accounts,
            )
            if self.progress is not None:
                self.progress(done, len(payouts))
        sent = remitter.save()
        for payout in payouts:
            payout.payment.remittance_id = sent[payout.trace].id
        return list(sent.values())

    # --- 6. ledger, recoveries, claims ------------------------------------------------------

    def _post(self, payouts: Sequence[Payout]) -> None:
        for payout in payouts:
            payment, settled = payout.payment, payout.settlement
            qualifier = payment.payee_qualifier
            reference = f"PAY-{payment.id}"
            entry = postings.released(
                self.employer.id,
                self.on,
                reference,
                qualifier,
                settled.gross,
                settled.recovered,
                settled.amount,
            )
            if entry is not None:
                self.entries.append((entry, payout, "release"))
            day = self.effective if payout.method is Method.EFT else self.on
            instrument = f"CHK-{payout.check}" if payout.check else f"EFT-{payout.trace}"
            entry = postings.settled(self.employer.id, day, instrument, qualifier, settled.amount)
            if entry is not None:
                self.entries.append((entry, payout, "settle"))

    def _entries_written(self) -> None:
        if not self.entries:
            return
        ids = write_entries(self.session, actor=self.actor, entries=[e for e, _, _ in self.entries])
        for transaction_id, (_, payout, what) in zip(ids, self.entries, strict=True):
            if payout is None:
                continue
            if what == "release":
                payout.payment.release_tx = transaction_id
            else:
                payout.payment.settle_tx = transaction_id

    def _recover(self, payouts: Sequence[Payout]) -> None:
        for payout in payouts:
            payment = payout.payment
            for overpayment, immediate, _ in payout.settlement.new:
                recovery = RecoveryRow(
                    employer_id=self.employer.id,
                    payee_qualifier=payment.payee_qualifier,
                    payee_id=payment.payee_id,
                    claim_id=overpayment.claim_id,
                    reference=overpayment.reference,
                    amount_cents=overpayment.amount,
                    payment_id=payment.id,
                    status="recovered" if immediate == overpayment.amount else "open",
                    established_on=self.on,
                )
                self.session.add(recovery)
                self.session.flush()
                if immediate > 0:
                    self.session.add(
                        RecoveryOffsetRow(
                            recovery_id=recovery.id,
                            payment_id=payment.id,
                            amount_cents=immediate,
                            immediate=True,
                        )
                    )
            for open_, taken in payout.settlement.offsets:
                self._offset(open_, taken, payment.id)

    def _offset(self, recovery: OpenRecovery, taken: Decimal, payment_id: int) -> None:
        self.session.add(
            RecoveryOffsetRow(recovery_id=recovery.id, payment_id=payment_id, amount_cents=taken)
        )
        if taken == recovery.remaining:
            row = self.session.get(RecoveryRow, recovery.id)
            assert row is not None
            row.status = "recovered"

    def _pay_claims(self, payouts: Sequence[Payout], states: dict[int, tuple[int, str]]) -> None:
        approved = {
            r.claim_id
            for p in payouts
            for r in p.items
            if r.role == "payment" and states[r.claim_id][1] == "approved"
        }
        if repo.mark_paid(self.session, approved, self.on) != len(approved):
            raise Conflict("a claim of this cycle changed during the release: release it again")
        self.claims_paid = len(approved)

    def _finish(self, payouts: Sequence[Payout], batch: str) -> None:
        for payout in payouts:
            payment, settled = payout.payment, payout.settlement
            payment.status = "released"
            payment.method = payout.method.value
            payment.claims_cents = settled.claims
            payment.overpaid_cents = settled.overpaid
            payment.recovered_cents = settled.recovered
            payment.deferred_cents = settled.deferred
            payment.amount_cents = settled.amount
            payment.trace = payout.trace
            payment.check_number = payout.check
            payment.ach_trace = payout.ach_trace
            payment.bank_account_id = payout.account.id if payout.account else None
            payment.batch = batch
            payment.released_on = self.on
            payment.effective_on = self.effective if payout.method is Method.EFT else self.on

    def _cycle_status(self) -> None:
        counts = dict(
            self.session.execute(
                select(PaymentRow.status, func.count())
                .where(PaymentRow.cycle_id == self.cycle.id)
                .group_by(PaymentRow.status)
            ).all()
        )
        if counts.get("pending"):
            done = any(status != "pending" for status in counts)
            self.cycle.status = "partial" if done else "open"
        else:
            self.cycle.status = "released"

    def _read(
        self,
        payouts: Sequence[Payout],
        waiting: Sequence[Payout],
        available: Decimal,
        batch: str | None,
    ) -> ReleaseRead:
        def total(found: Sequence[Payout]) -> Decimal:
            return sum((p.amount for p in found), ZERO)

        eft = [p for p in payouts if p.method is Method.EFT]
        drawn = [p for p in payouts if p.method is Method.CHECK]
        pending = total(waiting)
        return ReleaseRead(
            cycle=self.cycle.number,
            batch=batch,
            released_on=self.on,
            effective_on=self.effective,
            cycle_status=self.cycle.status,
            released=len(payouts),
            released_amount=total(payouts),
            eft=len(eft),
            eft_amount=total(eft),
            checks=len(drawn),
            checks_amount=total(drawn),
            no_payment=sum(1 for p in payouts if p.method is Method.NONE),
            pending=len(waiting),
            pending_amount=pending,
            shortfall=max(ZERO, pending - available),
            changed_claims=self.changed,
            claims_paid=self.claims_paid,
            prenotes=len(self.prenotes),
            available_after=available,
            files=file_reads(self.kept),
            payments=[
                payment_read(p.payment, self.cycle.number, p.payee.name if p.payee else None)
                for p in payouts
            ],
        )


def _current(row: Row[Any], states: dict[int, tuple[int, str]]) -> bool:
    version, status = states.get(row.claim_id, (0, ""))
    return version == row.version and status in ("approved", "denied")
