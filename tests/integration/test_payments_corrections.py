"""Corrections of paid claims, on SQLite and PostgreSQL: a replacement that pays less is reversed
beside its correction, the overpayment netted against the payee's other claims and the rest
deferred (PLB WO negative) and then taken back by the next payments (PLB WO positive), across
two cycles; a replacement that pays more pays the difference; a void takes everything back; a
claim that changes between the cycle's run and its release is left to a later cycle.

Worked example (the recovery across two cycles), Ann Lee MD paid by check:

============  =============================================  ==========  ===============
cycle         claims (plan pays allowed - $25 copay)         PLB         payment (BPR02)
============  =============================================  ==========  ===============
1             V-1 $100                                       -           $100
2             V-1 reversed -$100, its replacement +$30,      WO -$30     $0
              V-5 +$40: the chain owes $70, V-5 absorbs $40
3             V-6 +$20                                       WO +$20     $0
4             V-7 +$50                                       WO +$10     $40
============  =============================================  ==========  ===============

The plan's cost is $140 (30 + 40 + 20 + 50), and so is what left its account (100 + 40).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.payments.service import funding_status
from aso.security.domain import SYSTEM
from tests.integration.claims_builders import ClaimsWorld, build_world, rows
from tests.integration.payments_builders import (
    adjudicated,
    books,
    deposit,
    files_of,
    funding_account,
    release,
    run,
    visit,
)
from tests.integration.providers_builders import import_samples
from tests.unit.x834_builders import pyx12_findings
from tests.unit.x835_reading import RemittanceRead, only_remittance

D = Decimal


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    import_samples(app)
    found = build_world(app, uow)
    funding_account(uow, found)
    return found


def pay(app: App, uow: UnitOfWork, world: ClaimsWorld, day: str, tmp_path: Path) -> RemittanceRead:
    """Run a cycle, fund what it asks, release it; the one 835 (checked by pyx12)."""
    cycle = run(uow, world, on=day)
    if cycle.requested:
        deposit(uow, world, cycle.requested, on=day, reference=cycle.number)
    released = release(app, uow, cycle.number, on=day)
    assert released.pending == 0
    (remittance,) = [
        t for n, t in files_of(uow, released.batch or "").items() if n.endswith(".x12")
    ]
    assert pyx12_findings(remittance, tmp_path, "payment.835") == [], remittance
    return only_remittance(remittance)


def version_reference(uow: UnitOfWork, number: str, version: int = 1) -> str:
    ((claim_id,),) = rows(uow, "SELECT min(id) FROM claims WHERE claim_number = :n", n=number)
    return f"{claim_id}-{version}"


def test_an_overpayment_is_recovered_across_two_cycles(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    adjudicated(uow, visit("V-1", world.ann, 125))
    first = pay(app, uow, world, "2026-04-01", tmp_path)
    assert (first.amount, first.bpr[4]) == (D("100"), "CHK")

    adjudicated(
        uow,
        visit("V-1", world.ann, 55, frequency=7, replaces="V-1", received="2026-04-02"),
        visit("V-5", world.bo, 65, day="2026-03-05", received="2026-04-02"),
    )
    second = pay(app, uow, world, "2026-04-15", tmp_path)
    reference = version_reference(uow, "V-1")
    assert [(c.id, c.status, c.paid) for c in second.claims] == [
        ("V-1", "22", D("-100")),
        ("V-1", "1", D("30")),
        ("V-5", "1", D("40")),
    ]
    assert second.claims[0].control == reference
    assert second.plb == [("WO", reference, D("-30"))]
    assert second.bpr[1:5] == ["H", "0", "C", "NON"]
    status = funding_status(uow=uow, actor=SYSTEM, employer_id=world.employer_id)
    assert (status.open_recoveries, status.recoveries_outstanding) == (1, D("30.00"))

    adjudicated(uow, visit("V-6", world.ann, 45, day="2026-04-10", received="2026-04-20"))
    third = pay(app, uow, world, "2026-05-01", tmp_path)
    assert third.plb == [("WO", reference, D("20"))] and third.amount == 0

    adjudicated(uow, visit("V-7", world.cy, 75, day="2026-04-28", received="2026-05-02"))
    fourth = pay(app, uow, world, "2026-05-15", tmp_path)
    assert fourth.plb == [("WO", reference, D("10"))]
    assert (fourth.amount, fourth.bpr[4]) == (D("40"), "CHK")

    ledger = books(uow, world)
    assert ledger.net == 0
    assert ledger.accounts["claims_expense"] == D("140.00")
    assert ledger.accounts["overpayment_receivable"] == 0
    assert ledger.accounts["claims_payable"] == 0
    paid_out = rows(uow, "SELECT sum(amount_cents) FROM payments WHERE status = 'released'")
    assert paid_out == [(14000,)]
    status = funding_status(uow=uow, actor=SYSTEM, employer_id=world.employer_id)
    assert (
        status.open_recoveries == 0
        and status.bank_balance == ledger.accounts["claims_funding_bank"]
    )
    assert rows(uow, "SELECT status FROM claims WHERE claim_number = 'V-1' ORDER BY id") == [
        ("voided",),
        ("paid",),
    ]


def test_a_replacement_that_pays_more_pays_the_difference(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    adjudicated(uow, visit("R-1", world.ann, 125))
    pay(app, uow, world, "2026-04-01", tmp_path)
    adjudicated(
        uow, visit("R-1", world.ann, 175, frequency=7, replaces="R-1", received="2026-04-02")
    )
    second = pay(app, uow, world, "2026-04-15", tmp_path)
    assert [c.paid for c in second.claims] == [D("-100"), D("150")]
    assert second.amount == D("50") and second.plb == []
    assert books(uow, world).accounts["claims_expense"] == D("150.00")


def test_a_void_takes_everything_back_from_later_payments(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    adjudicated(uow, visit("X-1", world.ann, 125))
    pay(app, uow, world, "2026-04-01", tmp_path)
    adjudicated(
        uow, visit("X-1", world.ann, 125, frequency=8, replaces="X-1", received="2026-04-02")
    )
    voided = pay(app, uow, world, "2026-04-15", tmp_path)
    reference = version_reference(uow, "X-1")
    assert [(c.status, c.paid) for c in voided.claims] == [("22", D("-100"))]
    assert voided.plb == [("WO", reference, D("-100"))] and voided.amount == 0
    adjudicated(uow, visit("X-2", world.ann, 175, day="2026-04-10", received="2026-04-20"))
    later = pay(app, uow, world, "2026-05-01", tmp_path)
    assert later.plb == [("WO", reference, D("100"))] and later.amount == D("50")
    ledger = books(uow, world)
    assert ledger.net == 0 and ledger.accounts["claims_expense"] == D("150.00")
    assert ledger.accounts["overpayment_receivable"] == 0


def test_a_claim_changed_before_release_waits_for_the_next_cycle(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    adjudicated(uow, visit("C-1", world.ann, 125), visit("C-2", world.bo, 75))
    cycle = run(uow, world, on="2026-04-01")
    deposit(uow, world, cycle.requested, on="2026-04-01")
    adjudicated(
        uow, visit("C-1", world.ann, 105, frequency=7, replaces="C-1", received="2026-04-02")
    )
    released = release(app, uow, cycle.number, on="2026-04-03")
    assert (released.changed_claims, released.released_amount) == (1, D("50.00"))
    assert books(uow, world).accounts["claims_payable"] == 0
    later = pay(app, uow, world, "2026-04-15", tmp_path)
    assert [(c.id, c.status, c.paid) for c in later.claims] == [("C-1", "1", D("80"))]
    ledger = books(uow, world)
    assert ledger.net == 0 and ledger.accounts["claims_expense"] == D("130.00")
    assert rows(uow, "SELECT claim_number, status FROM claims ORDER BY id") == [
        ("C-1", "voided"),
        ("C-2", "paid"),
        ("C-1", "paid"),
    ]
