"""Voids and reissues of checks, ACH returns and notifications of change, and prenotes, on
SQLite and PostgreSQL. A reissued check keeps its payment (positive pay refuses the old number,
honours the new one); a voided check and a returned EFT undo their payment whole (claims
approved and unpaid again, an 835 that reverses the first, ledger entries reversed) and a later
cycle pays the claims again; a NOC corrects the payee's account; a return takes it out of use."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.errors import Conflict, ValidationFailed
from aso.payments.nacha_check import check_nacha
from aso.payments.returns import apply_notices
from aso.payments.schemas import ReleaseRead
from aso.payments.service import bank_accounts
from aso.payments.voids import void_payment
from aso.security.domain import SYSTEM
from tests.integration.claims_builders import ClaimsWorld, build_world, rows
from tests.integration.payments_builders import (
    NOW,
    NPI_ANN,
    NPI_UNKNOWN,
    adjudicated,
    books,
    cipher,
    clinic_bank,
    deposit,
    files_of,
    funding_account,
    release,
    run,
    visit,
)
from tests.integration.providers_builders import import_samples
from tests.unit.x834_builders import pyx12_findings
from tests.unit.x835_reading import only_remittance

D = Decimal


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    import_samples(app)
    found = build_world(app, uow)
    funding_account(uow, found)
    return found


def paid(app: App, uow: UnitOfWork, world: ClaimsWorld, day: str) -> ReleaseRead:
    cycle = run(uow, world, on=day)
    if cycle.requested:
        deposit(uow, world, cycle.requested, on=day)
    released = release(app, uow, cycle.number, on=day)
    assert released.pending == 0
    return released


def status_of(uow: UnitOfWork, number: str) -> tuple[str, object]:
    ((status, paid_on),) = rows(
        uow, "SELECT status, paid_on FROM claims WHERE claim_number = :n", n=number
    )
    return status, paid_on


def test_a_check_reissued_then_voided_and_paid_again(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    adjudicated(uow, visit("V-1", world.ann, 125), visit("V-3", world.bo, 75, npi=NPI_UNKNOWN))
    first = paid(app, uow, world, "2026-06-01")
    by_payee = {p.payee_id: p for p in first.payments}
    clinic, member = by_payee[NPI_ANN], by_payee[world.ann]
    assert (clinic.method, member.method) == ("CHK", "CHK")
    bank = books(uow, world).accounts["claims_funding_bank"]

    reissued = void_payment(
        uow=uow,
        actor=SYSTEM,
        payment_id=clinic.id,
        reason="lost in the mail",
        reissue=True,
        now=NOW,
    )
    assert reissued.voided_check == clinic.check_number
    assert reissued.new_check == max(clinic.check_number or 0, member.check_number or 0) + 1
    assert reissued.payment.status == "released"
    positive = next(
        t
        for n, t in files_of(uow, f"VOID-{clinic.id}-{clinic.check_number}").items()
        if "positive-pay" in n
    )
    codes = {line[12:22].lstrip("0"): line[40] for line in positive.splitlines()}
    assert codes == {str(clinic.check_number): "V", str(reissued.new_check): "I"}
    assert books(uow, world).accounts["claims_funding_bank"] == bank
    assert status_of(uow, "V-1")[0] == "paid"

    voided = void_payment(
        uow=uow, actor=SYSTEM, payment_id=member.id, reason="stale-dated", now=NOW
    )
    assert voided.payment.status == "voided" and voided.new_check is None
    assert status_of(uow, "V-3") == ("approved", None)
    found = files_of(uow, f"VOID-{member.id}-{member.check_number}")
    (text,) = [t for n, t in found.items() if n.endswith(".x12")]
    assert pyx12_findings(text, tmp_path, "void.835") == [], text
    reversal = only_remittance(text)
    assert reversal.bpr[1:5] == ["H", "0", "C", "NON"]
    assert [(c.id, c.status, c.paid) for c in reversal.claims] == [("V-3", "22", D("-50"))]
    assert reversal.plb == [("CS", str(member.check_number), D("-50"))]
    assert books(uow, world).accounts["claims_funding_bank"] == bank + D("50.00")
    with pytest.raises(Conflict):
        void_payment(uow=uow, actor=SYSTEM, payment_id=member.id, reason="again", now=NOW)

    again = paid(app, uow, world, "2026-06-10")
    (payment,) = again.payments
    assert (payment.payee_id, payment.amount, payment.method) == (world.ann, D("50.00"), "CHK")
    assert status_of(uow, "V-3")[0] == "paid"
    ledger = books(uow, world)
    assert ledger.net == 0 and ledger.accounts["claims_expense"] == D("150.00")
    assert ledger.accounts["claims_payable"] == 0


def test_a_noc_corrects_the_account_and_a_return_undoes_the_payment(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    clinic_bank(app, uow)
    adjudicated(uow, visit("E-1", world.ann, 125))
    first = paid(app, uow, world, "2026-06-01")
    (payment,) = first.payments
    assert payment.method == "EFT" and payment.ach_trace
    noc = f"trace,code,corrected_data\n{payment.ach_trace},C01,87654321\n"
    applied = apply_notices(uow=uow, actor=SYSTEM, text=noc, cipher=cipher(app), now=NOW)
    assert applied.applied == 1 and "account number corrected" in applied.notices[0].outcome
    (account,) = [a for a in bank_accounts(uow=uow, actor=SYSTEM, npi=NPI_ANN)]
    assert (account.account, account.status) == ("******4321", "active")
    again = apply_notices(uow=uow, actor=SYSTEM, text=noc, cipher=cipher(app), now=NOW)
    assert again.applied == 0 and again.notices[0].outcome.startswith("already applied")
    assert status_of(uow, "E-1")[0] == "paid"

    adjudicated(uow, visit("E-2", world.ann, 75, day="2026-03-03", received="2026-06-02"))
    second = paid(app, uow, world, "2026-06-05")
    (eft,) = second.payments
    ach = next(t for n, t in files_of(uow, second.batch or "").items() if n.endswith(".ach"))
    assert check_nacha(ach) == [] and "87654321" in ach

    returned = apply_notices(
        uow=uow,
        actor=SYSTEM,
        cipher=cipher(app),
        now=NOW,
        text=f"trace,code,date\n{eft.ach_trace},R03,2026-06-09\n",
    )
    (notice,) = returned.notices
    assert notice.applied and notice.payment_id == eft.id
    assert "returned" in notice.outcome and "taken out of use" in notice.outcome
    assert status_of(uow, "E-2") == ("approved", None)
    (text,) = [t for n, t in files_of(uow, f"RETURN-{eft.id}").items() if n.endswith(".x12")]
    assert pyx12_findings(text, tmp_path, "return.835") == [], text
    assert only_remittance(text).plb == [("CS", eft.trace, D("-50"))]
    (account,) = [a for a in bank_accounts(uow=uow, actor=SYSTEM, npi=NPI_ANN)]
    assert account.status == "inactive"

    third = paid(app, uow, world, "2026-06-12")
    (check,) = third.payments
    assert (check.method, check.amount) == ("CHK", D("50.00"))
    ledger = books(uow, world)
    assert ledger.net == 0 and ledger.accounts["claims_expense"] == D("150.00")
    assert ledger.accounts["claims_funding_bank"] == 0


def test_a_returns_file_is_read_whole_before_anything_changes(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    bad = "trace,code,corrected_data\n123,X99,\n456,C02,12345\n"
    with pytest.raises(ValidationFailed) as caught:
        apply_notices(uow=uow, actor=SYSTEM, text=bad, cipher=cipher(app), now=NOW)
    assert [p.where for p in caught.value.problems] == ["line 2.code", "line 3.corrected_data"]
    unknown = apply_notices(
        uow=uow, actor=SYSTEM, text="trace,code\n999,R03\n", cipher=cipher(app), now=NOW
    )
    assert unknown.applied == 0 and "no ACH entry" in unknown.notices[0].outcome


def test_a_new_account_is_prenoted_and_paid_by_eft_three_banking_days_later(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    clinic_bank(app, uow, verified=False)
    adjudicated(uow, visit("P-1", world.ann, 125))
    first = paid(app, uow, world, "2026-06-01")  # a Monday: effective Tuesday 2 June
    assert first.payments[0].method == "CHK" and first.prenotes == 1
    ach = next(t for n, t in files_of(uow, first.batch or "").items() if n.endswith(".ach"))
    assert check_nacha(ach) == []
    (entry,) = [r for r in ach.splitlines() if r.startswith("6")]
    assert entry[1:3] == "23" and entry[29:39] == "0000000000"
    (account,) = bank_accounts(uow=uow, actor=SYSTEM, npi=NPI_ANN)
    assert (account.status, str(account.prenote_effective)) == ("prenote_sent", "2026-06-02")

    adjudicated(uow, visit("P-2", world.ann, 75, day="2026-03-03", received="2026-06-02"))
    early = paid(app, uow, world, "2026-06-03")  # effective Thursday 4 June: too soon
    assert early.payments[0].method == "CHK"
    adjudicated(uow, visit("P-3", world.ann, 75, day="2026-03-04", received="2026-06-03"))
    later = paid(app, uow, world, "2026-06-04")  # effective Friday 5 June
    assert later.payments[0].method == "EFT"
    (account,) = bank_accounts(uow=uow, actor=SYSTEM, npi=NPI_ANN)
    assert account.status == "active"
    assert books(uow, world).net == 0
