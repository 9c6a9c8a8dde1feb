"""The pure rules of paying claims: netting and recovering overpayments (X221A1 1.10.2.17),
the PLB of a payment and of its reversal, funding requests and prefunding, deposits matched to
requests, banking days and prenotes, returns and notifications of change; the ledger entries of
each event balance; the funding request's files show no member."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from aso.edi.writer import Party
from aso.errors import ValidationFailed
from aso.ledger.domain import check_entry
from aso.payments import postings, remit
from aso.payments.documents import request_csv_text, request_pdf_bytes
from aso.payments.domain import (
    FundingPosition,
    Item,
    OpenRecovery,
    OpenRequest,
    Role,
    banking_days_after,
    deactivates,
    effective_date,
    match_deposit,
    overpayments,
    parse_correction,
    prefund_target,
    prenote_matured,
    requested_amount,
    settle,
    void_adjustments,
)
from aso.payments.returns import read_notices
from aso.payments.schemas import FundingLine, FundingRequestRead
from tests.unit.test_edi_835 import NOW, office_visit, remittance

D = Decimal


def paid(claim: int, amount: str, root: int | None = None, version: int = 1) -> Item:
    return Item(
        claim, claim * 10 + version, version, Role.PAYMENT, D(amount), D(amount) + 10, root or claim
    )


def reversed_(claim: int, amount: str, root: int | None = None, version: int = 1) -> Item:
    return Item(
        claim,
        claim * 10 + version,
        version,
        Role.REVERSAL,
        -D(amount),
        -D(amount) - 10,
        root or claim,
    )


# --- overpayments -------------------------------------------------------------------------


def test_a_correction_that_pays_less_is_an_overpayment_named_by_the_reversed_claim() -> None:
    items = [reversed_(1, "100"), paid(2, "30", root=1), paid(3, "40")]
    (found,) = overpayments(items)
    assert (found.root, found.reference, found.amount) == (1, "1-1", D("70"))


def test_the_payment_absorbs_its_own_overpayment_first_and_defers_the_rest() -> None:
    """The worked example's second cycle: -100 + 30 + 40."""
    settled = settle([reversed_(1, "100"), paid(2, "30", root=1), paid(3, "40")])
    assert (settled.claims, settled.overpaid, settled.gross) == (D("-30"), D("70"), D("40"))
    assert (settled.recovered, settled.deferred, settled.amount) == (D("40"), D("30"), D("0"))
    assert [(a.reason, a.reference, a.amount) for a in settled.adjustments] == [
        ("WO", "1-1", D("-30"))
    ]
    assert settled.claims - sum(a.amount for a in settled.adjustments) == settled.amount


def test_earlier_overpayments_are_taken_back_oldest_first_as_far_as_the_payment_goes() -> None:
    recoveries = [OpenRecovery(1, "1-1", D("30")), OpenRecovery(2, "5-1", D("25"))]
    settled = settle([paid(7, "40")], recoveries)
    assert [(r.reference, taken) for r, taken in settled.offsets] == [
        ("1-1", D("30")),
        ("5-1", D("10")),
    ]
    assert settled.amount == 0 and settled.recovered == D("40")
    assert [(a.reference, a.amount) for a in settled.adjustments] == [
        ("1-1", D("30")),
        ("5-1", D("10")),
    ]


def test_a_correction_that_pays_more_pays_the_difference() -> None:
    settled = settle([reversed_(1, "100"), paid(1, "150", version=2)])
    assert (settled.amount, settled.adjustments, settled.overpaid) == (D("50"), (), D("0"))


AMOUNTS = st.integers(0, 50_000).map(lambda cents: D(cents) / 100)


@given(
    st.lists(st.tuples(st.integers(1, 4), st.booleans(), AMOUNTS), max_size=8),
    st.lists(AMOUNTS, max_size=3),
)
def test_a_settlement_balances_and_never_pays_below_zero(
    rows: list[tuple[int, bool, Decimal]], owed: list[Decimal]
) -> None:
    items = [
        (reversed_(root * 100 + n, str(a), root) if rev else paid(root * 100 + n, str(a), root))
        for n, (root, rev, a) in enumerate(rows)
    ]
    recoveries = [OpenRecovery(n, f"{n}-1", a) for n, a in enumerate(owed) if a > 0]
    settled = settle(items, recoveries)
    assert settled.amount >= 0
    assert settled.claims - sum(a.amount for a in settled.adjustments) == settled.amount
    assert settled.gross - settled.recovered == settled.amount
    assert all(taken <= r.remaining for r, taken in settled.offsets)


def test_the_reversal_of_a_payment_negates_its_plb_and_balances_with_cs() -> None:
    original = settle(
        [reversed_(1, "100"), paid(2, "30", root=1), paid(3, "40")],
        [OpenRecovery(9, "9-1", D("5"))],
    ).adjustments
    undone = void_adjustments(original, D("20"), "100042")
    assert [(a.reason, a.reference, a.amount) for a in undone] == [
        ("WO", "1-1", D("30")),
        ("CS", "100042", D("-20")),
    ]


# --- funding ----------------------------------------------------------------------------


def test_a_request_asks_for_the_claims_and_the_prefunding_less_what_is_kept() -> None:
    position = FundingPosition(bank=D("500"), receivable=D("0"), payable=D("800"))
    assert position.uncommitted == D("-300")
    assert requested_amount(position, prefund_target=D("1000")) == D("1300")
    rich = FundingPosition(bank=D("5000"), receivable=D("0"), payable=D("800"))
    assert requested_amount(rich, prefund_target=D("1000")) == 0


def test_the_prefund_target_is_days_of_the_last_ninety_days_claims() -> None:
    assert prefund_target(14, D("90000"), 200) == D("14000.00")
    assert prefund_target(14, D("30000"), 30) == D("14000.00")  # a younger plan: its 30 days
    assert prefund_target(0, D("90000"), 90) == 0 and prefund_target(7, D("0"), 0) == 0


def test_a_deposit_pays_the_request_it_names_then_the_oldest() -> None:
    requests = [OpenRequest(1, "PC-1", D("100")), OpenRequest(2, "PC-2", D("50"))]
    matched = match_deposit(D("120"), requests, reference="PC-2")
    assert [(r.number, a) for r, a in matched] == [("PC-2", D("50")), ("PC-1", D("70"))]
    assert sum(a for _, a in match_deposit(D("500"), requests)) == D("150")


def test_banking_days_prenotes_and_effective_dates() -> None:
    friday = date(2026, 6, 5)
    assert effective_date(friday) == date(2026, 6, 8)
    assert banking_days_after(date(2026, 6, 2), 3) == friday
    assert not prenote_matured(date(2026, 6, 2), date(2026, 6, 4))
    assert prenote_matured(date(2026, 6, 2), friday)


# --- returns and notifications of change ----------------------------------------------


def test_corrections_read_as_nacha_writes_them_or_as_words() -> None:
    assert parse_correction("C01", "123456789").account == "123456789"
    assert parse_correction("C02", "011000015").routing == "011000015"
    c03 = parse_correction("C03", "011000015   987654321")
    assert (c03.routing, c03.account) == ("011000015", "987654321")
    assert parse_correction("C05", "32").account_type == "savings"
    c07 = parse_correction("C07", "011000015987654321       22")
    assert (c07.routing, c07.account, c07.account_type) == ("011000015", "987654321", "checking")
    with pytest.raises(ValidationFailed, match="not a transaction code"):
        parse_correction("C05", "99")
    assert deactivates("R03") and not deactivates("R01")


def test_a_returns_file_names_each_wrong_row() -> None:
    notices = read_notices("trace,code,corrected_data,date\n021000020000001,R03,,2026-06-09\n")
    assert (notices[0].code, notices[0].day, notices[0].is_return) == (
        "R03",
        date(2026, 6, 9),
        True,
    )
    with pytest.raises(ValidationFailed) as caught:
        read_notices("trace,code,date\n,R03,\n1,Q1,tomorrow\n")
    assert [p.where for p in caught.value.problems] == [
        "line 2.trace",
        "line 3.code",
        "line 3.date",
    ]
    with pytest.raises(ValidationFailed, match="missing"):
        read_notices("trace\n1\n")


# --- ledger entries ---------------------------------------------------------------------


def test_every_posting_balances_and_names_its_accounts() -> None:
    entries = [
        postings.recognized(1, date(2026, 6, 1), "PC-1", D("-30"), D("70")),
        postings.requested(1, date(2026, 6, 1), "PC-1", D("40")),
        postings.deposited(1, date(2026, 6, 2), D("100"), D("40"), "PC-1"),
        postings.released(1, date(2026, 6, 3), "PAY-1", "XX", D("40"), D("40"), D("0")),
        postings.settled(1, date(2026, 6, 3), "CHK-1", "FI", D("25")),
        postings.withdrawn(1, date(2026, 6, 4), "PAY-1", D("25"), D("0"), "voided"),
    ]
    for entry in entries:
        assert entry is not None
        check_entry(entry)
    assert postings.released(1, date(2026, 6, 3), "PAY-2", "XX", D("0"), D("0"), D("0")) is None
    member = postings.settled(1, date(2026, 6, 3), "CHK-1", "FI", D("25"))
    assert member is not None and {leg.account for leg in member.legs} == {
        "member_payable",
        "claims_funding_bank",
    }


# --- the funding request's files ------------------------------------------------------


def request() -> FundingRequestRead:
    def line(reference: str, payee: str, amount: str, **fields: str) -> FundingLine:
        return FundingLine(
            reference=reference,
            kind="claim",
            payee=payee,
            service_month="2026-02",
            line_of_coverage="medical",
            provider_npi=fields.get("npi"),
            provider_name=fields.get("name"),
            amount=D(amount),
        )

    return FundingRequestRead(
        number="PC-311234567-0001",
        employer="Acme",
        ein="31-1234567",
        employer_address=["1 Main St", "Columbus, OH 43215"],
        run_on=date(2026, 6, 1),
        through=date(2026, 5, 31),
        claims_amount=D("160"),
        overpaid=D("0"),
        gross=D("160"),
        available=D("0"),
        prefund_target=D("0"),
        requested=D("160"),
        deposited=D("0"),
        lines=[
            line("11-1", "provider", "100", npi="1234567893", name="Ann Lee MD"),
            line("12-1", "member", "60"),
        ],
    )


def test_the_funding_request_as_csv_and_pdf() -> None:
    rows = list(csv.DictReader(io.StringIO(request_csv_text(request()))))
    assert [(r["claim_reference"], r["amount"]) for r in rows] == [
        ("11-1", "100.00"),
        ("12-1", "60.00"),
    ]
    assert set(rows[0]) == {
        "request",
        "ein",
        "claim_reference",
        "kind",
        "service_month",
        "line_of_coverage",
        "provider_npi",
        "provider_name",
        "amount",
    }
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(request_pdf_bytes(request()))).pages
    )
    assert "CLAIMS FUNDING REQUEST" in text and "$160.00" in text
    assert "Member reimbursement" in text and "Ann Lee MD (1234567893)" in text


# --- 835s written by forked workers ------------------------------------------------------


def test_835s_written_by_workers_are_those_written_here(monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = [
        (remittance(office_visit(f"PCN-{n}")), Party("ZZ", f"P{n}"), 1000 + n) for n in range(12)
    ]
    serial = remit.write_all(jobs, NOW)
    monkeypatch.setattr(remit, "PARALLEL_FROM", 1)
    assert remit.write_all(jobs, NOW) == serial
    assert all(f"*{1000 + n:09d}*" in text for n, text in enumerate(serial))
