"""A payment cycle end to end on SQLite and PostgreSQL: claims adjudicated by the batch, a cycle
and its de-identified funding request (PDF and CSV), deposits matched to it, payments released
only as far as the funds go, an ACH file that passes the structure check with each 835's TRN in
its addenda, checks with their register and positive pay file, 835s that pass pyx12, claims paid
on the release day, and books whose trial balance nets to zero."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.edi.remittance import export_835
from aso.errors import Conflict
from aso.payments.documents import request_csv_text, request_pdf_bytes
from aso.payments.nacha_check import check_nacha
from aso.payments.service import funding_status, get_funding_request
from aso.security.domain import SYSTEM
from tests.integration.claims_builders import ClaimsWorld, build_world, rows
from tests.integration.payments_builders import (
    NPI_ANN,
    NPI_UNKNOWN,
    adjudicated,
    books,
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


def statuses(uow: UnitOfWork) -> dict[str, tuple[str, object]]:
    found = rows(uow, "SELECT claim_number, status, paid_on FROM claims ORDER BY id")
    return {
        number: (status, str(paid_on)[:10] if paid_on else None)
        for number, status, paid_on in found
    }


def test_a_cycle_from_claims_to_payments(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    clinic_bank(app, uow)
    adjudicated(
        uow,
        visit("V-1", world.ann, 125),  # plan pays 100
        visit("V-2", world.bo, 75),  # 50
        visit("V-3", world.cy, 85, npi=NPI_UNKNOWN),  # 60 to Ann, reimbursed
        visit("V-4", world.dee, 100, day="2025-12-01"),  # before coverage: denied
    )
    cycle = run(uow, world)
    assert (cycle.claims, cycle.payees, cycle.claims_amount) == (4, 2, D("210.00"))
    assert cycle.requested == D("210.00") and cycle.pending == 2

    request = get_funding_request(uow=uow, actor=SYSTEM, number=cycle.number)
    assert sum(line.amount for line in request.lines) == D("210.00")
    assert {(line.payee, line.amount) for line in request.lines} == {
        ("provider", D("100.00")),
        ("provider", D("50.00")),
        ("member", D("60.00")),
    }
    text = request_csv_text(request)
    pdf = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(request_pdf_bytes(request))).pages
    )
    for shown in (text, pdf):
        for secret in ("Diaz", "Dee", "Bo ", world.ann, world.bo, world.cy, "1980", "1981", "V-1"):
            assert secret not in shown
    assert "Ann Lee MD" in text and "210.00" in pdf
    assert [r["line_of_coverage"] for r in csv.DictReader(io.StringIO(text))] == ["medical"] * 3

    nothing = release(app, uow, cycle.number)
    assert (nothing.released, nothing.pending, nothing.shortfall) == (0, 2, D("210.00"))

    deposit(uow, world, "100.00", reference=cycle.number)
    first = release(app, uow, cycle.number)  # the reimbursement fits, the clinic's 150 waits
    assert (first.released, first.checks, first.checks_amount) == (1, 1, D("60.00"))
    assert (first.pending, first.shortfall, first.cycle_status) == (1, D("110.00"), "partial")
    assert books(uow, world).accounts["claims_funding_bank"] == D("40.00")

    deposit(uow, world, "110.00")
    second = release(app, uow, cycle.number)
    assert (second.released, second.eft, second.released_amount) == (1, 1, D("150.00"))
    assert second.cycle_status == "released" and second.claims_paid == 2

    found = files_of(uow, first.batch or "") | files_of(uow, second.batch or "")
    ach = next(text for name, text in found.items() if name.endswith(".ach"))
    assert check_nacha(ach) == []
    for name, text in found.items():
        if name.endswith(".x12"):
            assert pyx12_findings(text, tmp_path, name) == [], text
    provider = only_remittance(next(t for n, t in found.items() if NPI_ANN in n))
    assert provider.bpr[1:5] == ["I", "150", "C", "ACH"]
    assert f"TRN*1*{provider.trace}*1311234567~" in ach
    assert sorted(c.id for c in provider.claims) == ["V-1", "V-2", "V-4"]
    member = only_remittance(next(t for n, t in found.items() if world.ann in n))
    assert member.bpr[1:5] == ["I", "60", "C", "CHK"] and member.trace == str(
        first.payments[0].check_number
    )
    register = next(t for n, t in found.items() if n.endswith("check-register.csv"))
    assert "60.00" in register and "issued" in register

    assert statuses(uow) == {
        "V-1": ("paid", "2026-06-03"),
        "V-2": ("paid", "2026-06-03"),
        "V-3": ("paid", "2026-06-03"),
        "V-4": ("denied", None),
    }
    ledger = books(uow, world)
    assert ledger.net == 0
    assert ledger.accounts["claims_expense"] == D("210.00")
    assert ledger.accounts["claims_funding_bank"] == D("0.00")
    assert ledger.accounts["claims_payable"] == D("0.00")
    status = funding_status(uow=uow, actor=SYSTEM, employer_id=world.employer_id)
    assert status.requests[0].outstanding == 0 and status.bank_balance == 0
    with pytest.raises(Conflict, match="nothing to pay"):
        run(uow, world)
    again = release(app, uow, cycle.number)
    assert again.released == 0 and again.pending == 0


def test_a_prefunded_balance_is_requested_kept_and_reported(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    """Ten days of expected claims: the claims adjudicated in the window (all on one day, so
    one day of history: $150 a day) make a target of $1,500, asked for on top of the claims."""
    funding_account(uow, world, prefund_days=10)
    adjudicated(uow, visit("F-1", world.ann, 125), visit("F-2", world.bo, 75))
    ((adjudicated_on,),) = rows(uow, "SELECT max(adjudicated_at) FROM claim_versions")
    through = str(adjudicated_on)[:10]
    cycle = run(uow, world, through=through)
    assert (cycle.prefund_target, cycle.requested) == (D("1500.00"), D("1650.00"))
    deposit(uow, world, cycle.requested, reference=cycle.number)
    release(app, uow, cycle.number)
    status = funding_status(
        uow=uow, actor=SYSTEM, employer_id=world.employer_id, as_of=date.fromisoformat(through)
    )
    assert (status.bank_balance, status.uncommitted, status.prefund_target) == (
        D("1500.00"),
        D("1500.00"),
        D("1500.00"),
    )
    adjudicated(uow, visit("F-3", world.cy, 75, day="2026-03-03"))
    later = run(uow, world, through=through, on="2026-06-08")
    # the claim, and the target's rise to $2,000 ($200 of claims a day now): 50 + 500
    assert (later.prefund_target, later.requested) == (D("2000.00"), D("550.00"))


def test_claims_an_835_export_remitted_are_left_out_and_reported(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    adjudicated(uow, visit("X-1", world.ann, 125), visit("X-2", world.bo, 75))
    ((version_id,),) = rows(
        uow,
        "SELECT v.id FROM claim_versions v JOIN claims c ON c.id = v.claim_id "
        "WHERE c.claim_number = 'X-1'",
    )
    export_835(uow=uow, actor=SYSTEM, ein=world.ein, version_ids=[version_id])
    cycle = run(uow, world)
    assert (cycle.claims, cycle.claims_amount, cycle.remitted_elsewhere) == (1, D("50.00"), 1)
    # once the employer is paid by cycles, its 835s go with the payments: no export beside them
    with pytest.raises(Conflict, match="paid through payment cycles"):
        export_835(uow=uow, actor=SYSTEM, ein=world.ein)
