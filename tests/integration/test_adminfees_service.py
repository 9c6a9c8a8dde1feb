"""Admin fee invoices on SQLite and PostgreSQL: a month invoiced twice is billed once; the
invoice posts to the ledger (receivable against revenue and stop-loss premiums payable) and the
trial balance nets to zero; a retroactive termination is credited on the next invoice, naming
the month; paid claims feed the share and per-claim fees; the PDF (read back with pypdf) and
the CSV show the lines and the total and no member; voids; who may read what."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from aso.adminfees.domain import parse_agreement
from aso.adminfees.service import (
    get_invoice,
    invoice_csv,
    invoice_pdf,
    list_invoices,
    run_invoices,
    set_agreement,
    void_invoice,
)
from aso.bootstrap import App
from aso.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aso.members.service import change_coverage_end
from aso.plans.domain import Line
from aso.security.domain import SYSTEM, Principal, Role
from tests.integration.adminfees_builders import (
    ADMIN,
    APR,
    FEB,
    JAN,
    MAR,
    balances,
    billed_matches_lines,
    issue,
    mark_paid,
    run,
    world_with_agreement,
)
from tests.integration.claims_builders import adjudicate, claim, current_lines, line, rows, submit

D = Decimal


def employer_user(employer_id: int) -> Principal:
    return Principal(user_id=None, username="benefits", role=Role.EMPLOYER, employer_id=employer_id)


def test_a_month_run_twice_is_billed_once_and_posted_to_the_ledger(app: App) -> None:
    world = world_with_agreement(app)
    first = run(app, MAR)
    [item] = first.invoices
    assert (item.outcome, item.number, item.total) == (
        "issued",
        f"INV-2026-03-{world.employer_id:05d}",
        D("432.00"),
    )
    again = run(app, MAR)
    assert [(i.outcome, i.number) for i in again.invoices] == [("existing", item.number)]
    assert (again.issued, again.existing, again.skipped) == (0, 1, 0)
    assert rows(app.uow(), "SELECT count(*) FROM admin_fee_invoices") == [(1,)]
    assert rows(
        app.uow(), "SELECT count(*) FROM ledger_transactions WHERE kind = 'admin_fee_invoice'"
    ) == [(1,)]

    invoice = get_invoice(uow=app.uow(), actor=ADMIN, number=item.number or "")
    assert [
        (line.description, line.quantity, line.rate, line.amount) for line in invoice.lines
    ] == [
        ("Medical PEPM", "2", "40.00", D("80.00")),
        ("Pharmacy PEPM", "2", "6.00", D("12.00")),
        ("Specific stop-loss premium, employee only", "1", "60.00", D("60.00")),
        ("Specific stop-loss premium, family", "1", "180.00", D("180.00")),
        ("Aggregate stop-loss premium, monthly", "1", "100.00", D("100.00")),
    ]
    assert (invoice.fees, invoice.pass_through, invoice.total) == (D("92"), D("340"), D("432"))
    assert (invoice.issued_on, invoice.due_on) == (date(2026, 3, 2), date(2026, 4, 1))
    books = balances(app, world.employer_id)
    assert books["admin_fees_receivable"] == D("432.00")
    assert books["admin_fee_revenue"] == D("-92.00")
    assert books["stop_loss_premium_payable"] == D("-340.00")
    assert books["net"] == 0


def test_a_retroactive_termination_is_credited_on_the_next_invoice(app: App) -> None:
    world = world_with_agreement(app)
    issue(app, JAN, world.employer_id)
    issue(app, FEB, world.employer_id)
    # entered on March 5: Dee's medical coverage ended January 31
    change_coverage_end(
        uow=app.uow(),
        actor=SYSTEM,
        member_id=world.dee,
        line=Line.MEDICAL,
        end=date(2026, 1, 31),
        today=date(2026, 3, 5),
    )
    march = issue(app, MAR, world.employer_id)
    adjustments = [
        (line.month_corrected, line.description, line.quantity, line.amount)
        for line in march.lines
        if line.month_corrected
    ]
    assert adjustments == [
        (FEB, "Medical PEPM, February 2026 correction: -1 employee", "-1", D("-40.00")),
        (
            FEB,
            "Specific stop-loss premium, employee only, February 2026 correction: -1 employee",
            "-1",
            D("-60.00"),
        ),
    ]
    # March itself: medical 1 x 40 + pharmacy 2 x 6 = 52; premiums 180 + 100 = 280
    assert march.current == D("332.00")
    assert march.adjustments == D("-100.00")
    assert (march.fees, march.pass_through, march.total) == (D("12.00"), D("220.00"), D("232.00"))
    assert billed_matches_lines(app.uow(), world.employer_id)
    # April corrects nothing more
    april = issue(app, APR, world.employer_id)
    assert [line.month_corrected for line in april.lines if line.month_corrected] == []
    books = balances(app, world.employer_id)
    assert books["admin_fees_receivable"] == D("432") * 2 + D("232") + D("332")
    assert books["net"] == 0


def test_paid_claims_feed_the_share_and_the_per_claim_fee(app: App) -> None:
    world = world_with_agreement(
        app,
        pepm={},
        stop_loss=[],
        percent_of_paid={"medical": "0.035"},
        per_claim={"medical": "2.75", "pharmacy": "0.85"},
        monthly_minimum="25.00",
    )
    submit(
        app.uow(),
        claim("C1", world.dee, line("2026-02-03", 6000, category="lab", allowed=5000)),
        claim("C2", world.ann, line("2026-02-04", 180, category="office_visit_pcp", allowed=110)),
        claim("C3", world.bo, line("2026-02-05", 180, category="office_visit_pcp", allowed=110)),
    )
    adjudicate(app.uow())
    # C1: 5,000.00 less the 1,500.00 deductible and 20% of the 3,500.00 left = 2,800.00;
    # C2: 110.00 less the 25.00 copay = 85.00
    assert [r.plan_paid for r in current_lines(app.uow(), "C1")] == [D("2800.00")]
    assert [r.plan_paid for r in current_lines(app.uow(), "C2")] == [D("85.00")]
    mark_paid(app.uow(), "C1", date(2026, 3, 10))
    mark_paid(app.uow(), "C2", date(2026, 3, 31))
    mark_paid(app.uow(), "C3", date(2026, 4, 1))  # April's
    march = issue(app, MAR, world.employer_id)
    # 3.5% of 2,885.00 = 100.975 -> 100.98 (half up); 2 claims x 2.75 = 5.50; above the
    # 25.00 minimum; no pharmacy claim paid: no pharmacy line
    assert [(r.description, r.quantity, r.rate, r.amount) for r in march.lines] == [
        ("Medical claims paid at 3.5%", "2885.00", "0.035", D("100.98")),
        ("Medical per-claim fee", "2", "2.75", D("5.50")),
    ]
    assert march.total == D("106.48")
    # the same claims, all April's: April bills C3 only, plus the 25.00 minimum top-up
    april = issue(app, APR, world.employer_id)
    assert [(r.description, r.amount) for r in april.lines] == [
        ("Medical claims paid at 3.5%", D("2.98")),
        ("Medical per-claim fee", D("2.75")),
        ("Monthly minimum top-up", D("19.27")),
    ]


def test_the_pdf_and_the_csv_show_the_lines_adjustments_and_total_and_no_member(app: App) -> None:
    world = world_with_agreement(app)
    issue(app, FEB, world.employer_id)
    change_coverage_end(
        uow=app.uow(),
        actor=SYSTEM,
        member_id=world.dee,
        line=Line.MEDICAL,
        end=date(2026, 1, 31),
        today=date(2026, 3, 5),
    )
    march = issue(app, MAR, world.employer_id)
    document = invoice_pdf(uow=app.uow(), actor=ADMIN, number=march.number)
    assert document.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    for expected in (
        "ASO Plan Administrators",
        march.employer,
        f"EIN {world.ein}",
        march.number,
        "March 2026",
        "April 1, 2026",  # due
        "Medical PEPM, February 2026 correction: -1 employee",
        "-$40.00",
        "Total due",
        "$232.00",
    ):
        assert expected in text, expected
    member_numbers = [world.ann, world.bo, world.cy, world.dee]
    for private in ("Lee", "Diaz", "Dee", *member_numbers):
        assert private not in text

    table = list(
        csv.DictReader(io.StringIO(invoice_csv(uow=app.uow(), actor=ADMIN, number=march.number)))
    )
    assert len(table) == len(march.lines)
    assert sum(D(row["amount"]) for row in table) == march.total == D("232.00")
    assert [row["description"] for row in table] == [line.description for line in march.lines]
    corrections = [row for row in table if row["month_corrected"]]
    assert {row["month_corrected"] for row in corrections} == {"2026-02"}
    assert {row["invoice"] for row in table} == {march.number}
    assert not any(private in ",".join(row.values()) for row in table for private in member_numbers)


def test_a_void_reverses_the_entry_and_frees_the_month(app: App) -> None:
    world = world_with_agreement(app)
    february = issue(app, FEB, world.employer_id)
    march = issue(app, MAR, world.employer_id)
    with pytest.raises(Conflict, match="not the employer's latest"):
        void_invoice(uow=app.uow(), actor=ADMIN, number=february.number, reason="wrong", on=MAR)
    voided = void_invoice(
        uow=app.uow(), actor=ADMIN, number=march.number, reason="wrong rates", on=date(2026, 3, 3)
    )
    assert voided.status == "void" and voided.void_transaction_id is not None
    assert balances(app, world.employer_id)["admin_fees_receivable"] == february.total
    with pytest.raises(Conflict, match="already void"):
        void_invoice(uow=app.uow(), actor=ADMIN, number=march.number, reason="again")
    assert billed_matches_lines(app.uow(), world.employer_id)
    again = issue(app, MAR, world.employer_id)
    assert again.number == f"{march.number}-2"
    assert again.total == march.total
    listed = list_invoices(uow=app.uow(), actor=ADMIN, employer_id=world.employer_id)
    assert [(i.number, i.status) for i in listed] == [
        (again.number, "issued"),
        (march.number, "void"),
        (february.number, "issued"),
    ]
    assert balances(app, world.employer_id)["net"] == 0


def test_who_may_run_and_read_invoices(app: App) -> None:
    alpha = world_with_agreement(app)
    beta = world_with_agreement(app, ein="36-7654321")
    invoice = issue(app, MAR, alpha.employer_id)
    own = employer_user(alpha.employer_id)
    assert get_invoice(uow=app.uow(), actor=own, number=invoice.number).total == invoice.total
    assert invoice_pdf(uow=app.uow(), actor=own, number=invoice.number).startswith(b"%PDF")
    assert [
        i.number for i in list_invoices(uow=app.uow(), actor=own, employer_id=alpha.employer_id)
    ] == [invoice.number]
    other = employer_user(beta.employer_id)
    with pytest.raises(NotFound):
        get_invoice(uow=app.uow(), actor=other, number=invoice.number)
    with pytest.raises(NotFound):
        list_invoices(uow=app.uow(), actor=other, employer_id=alpha.employer_id)
    with pytest.raises(Forbidden):
        run_invoices(uow=app.uow(), actor=own, month=APR, employer_id=alpha.employer_id)
    with pytest.raises(Forbidden):
        set_agreement(
            uow=app.uow(),
            actor=own,
            employer_id=alpha.employer_id,
            terms=parse_agreement({"effective": "2026-05-01"}),
        )
    member = Principal(user_id=None, username="m", role=Role.MEMBER, family_id=1, member_id=1)
    with pytest.raises(Forbidden):
        get_invoice(uow=app.uow(), actor=member, number=invoice.number)
    for role in (Role.EXAMINER, Role.SERVICE_REP, Role.AUDITOR):
        staff = Principal(user_id=None, username=role.value, role=role)
        assert (
            get_invoice(uow=app.uow(), actor=staff, number=invoice.number).number == invoice.number
        )


def test_an_employer_without_an_agreement_in_effect_is_skipped(app: App) -> None:
    world = world_with_agreement(app, effective="2026-04-01")
    assert run(app, MAR).invoices == []
    [item] = run(app, MAR, world.employer_id).invoices
    assert item.outcome == "skipped" and item.message == "no fee agreement in effect in 2026-03"
    assert run(app, APR).issued == 1
    with pytest.raises(ValidationFailed):
        parse_agreement({"effective": "2026-04-15"})
