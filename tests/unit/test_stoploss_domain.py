"""Worked examples of stop-loss arithmetic (``aso.stoploss.domain``), no database.

The numbers are worked by hand in each test's docstring, from the usual contract terms: a
specific deductible per member (a laser: a higher one for a named member), a reimbursement
percent of the excess, an aggregate attachment point of monthly factors by tier x employees
enrolled (never below a minimum), with only amounts up to each member's specific deductible
counting toward the aggregate, and a basis of incurred/paid months (12/15, 12/12, 24/12).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from aso.plans.domain import Line, Tier
from aso.stoploss.domain import (
    AggregateTerms,
    Basis,
    Contract,
    EnrollmentSpan,
    Kind,
    PaidLine,
    Requested,
    aggregate_request,
    contract_problems,
    enrolled,
    large_claimants,
    member_position,
    position,
    specific_request,
)

D = Decimal
START, END = date(2026, 1, 1), date(2026, 12, 31)


def contract(basis: str = "12/15", **fields: Any) -> Contract:
    """A 2026 policy with a $100,000 specific deductible, reimbursed at 100%."""
    terms: dict[str, Any] = {
        "start": START,
        "end": END,
        "basis": Basis.parse(basis),
        "specific_deductible": D("100000"),
    }
    return Contract(**{**terms, **fields})


def paid(
    claim: int,
    member: str,
    amount: str,
    paid_on: date = date(2026, 6, 1),
    incurred_on: date = date(2026, 5, 1),
    line: Line = Line.MEDICAL,
) -> PaidLine:
    return PaidLine(claim, member, paid_on, incurred_on, D(amount), line)


def employees(count: int, tier: Tier, first: int = 0) -> list[EnrollmentSpan]:
    return [EnrollmentSpan(first + n, tier, START, None) for n in range(count)]


# --- specific ------------------------------------------------------------------------------


def test_a_member_with_340000_paid_over_a_100000_deductible() -> None:
    """Specific deductible $100,000, reimbursed at 100%: $340,000 paid - $100,000 = $240,000
    specific excess, all of it reimbursable; $100,000 counts toward the aggregate."""
    member = member_position(contract(), "M1", [paid(1, "M1", "340000")])
    assert (member.paid, member.excess, member.reimbursable) == (
        D("340000"),
        D("240000"),
        D("240000"),
    )
    assert member.toward_aggregate == D("100000")


def test_the_reimbursement_percent_applies_to_the_excess() -> None:
    """At 90%: $240,000 excess x 0.9 = $216,000 reimbursable."""
    member = member_position(contract(specific_rate=D("0.9")), "M1", [paid(1, "M1", "340000")])
    assert (member.excess, member.reimbursable) == (D("240000"), D("216000.00"))


def test_a_laser_member_has_its_own_higher_deductible() -> None:
    """M2 is lasered at $250,000: $340,000 paid - $250,000 = $90,000 excess, and $250,000
    counts toward the aggregate; M1 with the same claims keeps the $100,000 deductible."""
    terms = contract(lasers={"M2": D("250000")})
    lasered = member_position(terms, "M2", [paid(1, "M2", "340000")])
    assert (lasered.deductible, lasered.lasered) == (D("250000"), True)
    assert (lasered.excess, lasered.reimbursable, lasered.toward_aggregate) == (
        D("90000"),
        D("90000"),
        D("250000"),
    )
    assert member_position(terms, "M1", [paid(2, "M1", "340000")]).excess == D("240000")


def test_below_the_deductible_nothing_is_reimbursable() -> None:
    member = member_position(contract(), "M1", [paid(1, "M1", "99999.99")])
    assert (member.excess, member.reimbursable, member.toward_aggregate) == (
        D("0"),
        D("0"),
        D("99999.99"),
    )


def test_the_claim_that_crosses_the_deductible_is_split() -> None:
    """Claims paid in order: $60,000 (Mar), $70,000 (Apr), $30,000 (May). The running total
    reaches $100,000 inside the second claim: $40,000 of it fills the deductible and $30,000
    is excess; the third is all excess. Excess $60,000 = $160,000 - $100,000."""
    lines = [
        paid(3, "M1", "30000", paid_on=date(2026, 5, 4)),
        paid(1, "M1", "60000", paid_on=date(2026, 3, 2)),
        paid(2, "M1", "50000", paid_on=date(2026, 4, 6)),
        paid(2, "M1", "20000", paid_on=date(2026, 4, 6)),  # a second line of claim 2
    ]
    member = member_position(contract(), "M1", lines)
    assert [(c.claim, c.paid, c.toward_deductible, c.excess) for c in member.claims] == [
        (1, D("60000"), D("60000"), D("0")),
        (2, D("70000"), D("40000"), D("30000")),
        (3, D("30000"), D("0"), D("30000")),
    ]
    assert member.excess == D("60000")


def test_a_large_case_is_notified_at_half_the_deductible() -> None:
    """Threshold 50% of $100,000 = $50,000, reached by the April payment ($30,000 + $25,000);
    for a member lasered at $250,000 the threshold is $125,000, not reached by $55,000."""
    lines = [
        paid(1, "M1", "30000", paid_on=date(2026, 3, 2)),
        paid(2, "M1", "25000", paid_on=date(2026, 4, 6)),
    ]
    terms = contract(lasers={"M2": D("250000")})
    member = member_position(terms, "M1", lines)
    assert (member.threshold, member.reached_threshold_on) == (D("50000.00"), date(2026, 4, 6))
    lasered = member_position(terms, "M2", [paid(3, "M2", "55000")])
    assert (lasered.threshold, lasered.notifiable) == (D("125000.00"), False)


# --- basis ---------------------------------------------------------------------------------


def test_the_windows_of_12_15_12_12_and_24_12() -> None:
    """12/15: incurred in the policy's 12 months, paid in 15 from its start (run-out to March
    31 of the next year). 12/12: both in the policy year. 24/12: incurred in the 24 months up
    to the policy's end (run-in from January 1 of the year before), paid in the policy year."""
    runout, plain, runin = contract("12/15"), contract("12/12"), contract("24/12")
    assert (runout.incurred.first, runout.incurred.last) == (START, END)
    assert (runout.paid.first, runout.paid.last) == (START, date(2027, 3, 31))
    assert (plain.incurred.first, plain.paid.last) == (START, END)
    assert (runin.incurred.first, runin.incurred.last) == (date(2025, 1, 1), END)
    assert (runin.paid.first, runin.paid.last) == (START, END)


def test_a_claim_paid_after_the_run_out_is_excluded() -> None:
    """Each claim is $150,000, incurred in December 2026. Under 12/15 the one paid on 2027-03-31
    counts (the last day of the run-out) and the one paid on 2027-04-01 does not: one claim
    over the $100,000 deductible, $50,000 excess."""
    december = date(2026, 12, 20)
    lines = [
        paid(1, "M1", "150000", paid_on=date(2027, 3, 31), incurred_on=december),
        paid(2, "M2", "150000", paid_on=date(2027, 4, 1), incurred_on=december),
    ]
    result = position(contract("12/15"), lines, [], as_of=date(2027, 6, 30))
    assert [(m.member, m.excess) for m in result.members] == [("M1", D("50000"))]


def test_12_15_takes_the_run_out_and_12_12_does_not() -> None:
    """A $340,000 claim incurred 2026-12-10 and paid 2027-02-15: under 12/15 $240,000 specific
    excess; under 12/12 the contract never sees it (it belongs to the next policy's 24/12 or
    to nobody)."""
    line = paid(1, "M1", "340000", paid_on=date(2027, 2, 15), incurred_on=date(2026, 12, 10))
    as_of = date(2027, 3, 1)
    assert position(contract("12/15"), [line], [], as_of).specific_excess == D("240000")
    assert position(contract("12/12"), [line], [], as_of).members == ()


def test_24_12_takes_claims_incurred_before_the_policy() -> None:
    """A claim incurred 2025-11-03 and paid 2026-01-20 counts under 24/12 (run-in), not under
    12/12; a claim incurred in 2024 counts under neither."""
    before = paid(1, "M1", "120000", paid_on=date(2026, 1, 20), incurred_on=date(2025, 11, 3))
    ancient = paid(2, "M2", "120000", paid_on=date(2026, 1, 20), incurred_on=date(2024, 12, 1))
    as_of = date(2026, 6, 30)
    assert [
        m.member for m in position(contract("24/12"), [before, ancient], [], as_of).members
    ] == ["M1"]
    assert position(contract("12/12"), [before, ancient], [], as_of).members == ()


def test_claims_paid_after_the_day_of_the_position_do_not_count_yet() -> None:
    lines = [paid(1, "M1", "150000", paid_on=date(2026, 9, 1))]
    assert position(contract(), lines, [], as_of=date(2026, 8, 31)).members == ()
    assert position(contract(), lines, [], as_of=date(2026, 9, 1)).specific_excess == D("50000")


def test_only_the_contracts_lines_of_coverage_count() -> None:
    lines = [paid(1, "M1", "150000"), paid(2, "M1", "80000", line=Line.DENTAL)]
    result = position(contract(), lines, [], as_of=date(2026, 12, 31))
    assert result.paid == D("150000")


# --- aggregate ------------------------------------------------------------------------------


def aggregate_contract(minimum: str = "500000") -> Contract:
    factors = {
        Tier.EMPLOYEE: D("1000"),
        Tier.EMPLOYEE_SPOUSE: D("2000"),
        Tier.EMPLOYEE_CHILDREN: D("1800"),
        Tier.FAMILY: D("2500"),
    }
    return contract(
        "12/15",
        lasers={"M3": D("250000")},
        aggregate=AggregateTerms(factors=factors, minimum=D(minimum)),
    )


def aggregate_claims() -> list[PaidLine]:
    """M1 $340,000, M2 $60,000, M3 (lasered at $250,000) $300,000, and ten members with
    $15,000 each ($150,000): $850,000 paid in all."""
    return [
        paid(1, "M1", "340000"),
        paid(2, "M2", "60000"),
        paid(3, "M3", "300000"),
        *(paid(10 + n, f"M{10 + n}", "15000") for n in range(10)),
    ]


def test_aggregate_eligible_claims_are_net_of_specific_excess() -> None:
    """20 employees on tier employee and 10 on family all year: each month 20 x $1,000 + 10 x
    $2,500 = $45,000; 12 months = $540,000, above the $500,000 minimum: the attachment point.
    Toward the aggregate: M1 $100,000 (its deductible), M2 $60,000, M3 $250,000 (its laser),
    the others $150,000 = $560,000, not the $850,000 paid. Aggregate excess $20,000."""
    spans = employees(20, Tier.EMPLOYEE) + employees(10, Tier.FAMILY, first=100)
    result = position(aggregate_contract(), aggregate_claims(), spans, as_of=date(2027, 4, 1))
    aggregate = result.aggregate
    assert aggregate is not None
    assert [m.amount for m in aggregate.months] == [D("45000")] * 12
    assert (aggregate.from_enrollment, aggregate.attachment, aggregate.final) == (
        D("540000"),
        D("540000"),
        True,
    )
    assert result.paid == D("850000")
    assert (aggregate.eligible, aggregate.excess, aggregate.reimbursable) == (
        D("560000"),
        D("20000"),
        D("20000"),
    )
    assert result.specific_excess == D("290000")  # M1 $240,000 + M3 $50,000


def test_the_minimum_attachment_applies_when_enrollment_is_low() -> None:
    """10 employees on tier employee: 12 x $10,000 = $120,000, below the $500,000 minimum;
    the attachment point is $500,000 and $560,000 eligible gives $60,000 excess."""
    result = position(
        aggregate_contract(), aggregate_claims(), employees(10, Tier.EMPLOYEE), date(2027, 4, 1)
    )
    assert result.aggregate is not None
    assert (result.aggregate.attachment, result.aggregate.excess) == (D("500000"), D("60000"))


def test_the_attachment_counts_the_months_begun_so_far() -> None:
    """On 2026-03-15 three months are counted (3 x $45,000 = $135,000); the $500,000 minimum
    still binds and the attachment is not final."""
    spans = employees(20, Tier.EMPLOYEE) + employees(10, Tier.FAMILY, first=100)
    result = position(aggregate_contract(), [], spans, as_of=date(2026, 3, 15))
    assert result.aggregate is not None
    assert (len(result.aggregate.months), result.aggregate.from_enrollment) == (3, D("135000"))
    assert (result.aggregate.attachment, result.aggregate.final) == (D("500000"), False)


def test_employees_count_in_a_month_when_enrolled_on_its_first_day() -> None:
    spans = [
        EnrollmentSpan(1, Tier.EMPLOYEE, date(2026, 3, 15), None),
        EnrollmentSpan(2, Tier.FAMILY, START, date(2026, 6, 30)),
        EnrollmentSpan(3, Tier.EMPLOYEE, START, date(2026, 4, 30)),
        EnrollmentSpan(3, Tier.EMPLOYEE_SPOUSE, date(2026, 5, 1), None),  # a tier change
    ]
    counts = {month: enrolled(spans, date(2026, month, 1)) for month in (3, 4, 5, 7)}
    assert counts[3][Tier.EMPLOYEE] == 1 and counts[4][Tier.EMPLOYEE] == 2
    assert counts[5] == {
        Tier.EMPLOYEE: 1,
        Tier.EMPLOYEE_SPOUSE: 1,
        Tier.EMPLOYEE_CHILDREN: 0,
        Tier.FAMILY: 1,
    }
    assert counts[7][Tier.FAMILY] == 0


# --- requests --------------------------------------------------------------------------------


def test_a_specific_request_lists_the_claims_behind_the_excess() -> None:
    """Claims $60,000, $70,000, $30,000: excess $30,000 of claim 2 and $30,000 of claim 3.
    Nothing was requested: the request asks $60,000 with those two claims."""
    lines = [
        paid(1, "M1", "60000", paid_on=date(2026, 3, 2)),
        paid(2, "M1", "70000", paid_on=date(2026, 4, 6)),
        paid(3, "M1", "30000", paid_on=date(2026, 5, 4)),
    ]
    draft = specific_request(member_position(contract(), "M1", lines), Requested())
    assert draft is not None
    assert (draft.kind, draft.member, draft.amount, draft.counted) == (
        Kind.SPECIFIC,
        "M1",
        D("60000"),
        D("60000"),
    )
    assert [(line.claim, line.paid, line.counted) for line in draft.lines] == [
        (2, D("70000"), D("30000")),
        (3, D("30000"), D("30000")),
    ]


def test_a_later_request_asks_only_what_is_new() -> None:
    """$60,000 was requested for claims 2 and 3; claim 4 ($20,000) is paid later: the next
    request asks $20,000 for claim 4 alone. With nothing new, nothing is requested."""
    lines = [
        paid(1, "M1", "60000", paid_on=date(2026, 3, 2)),
        paid(2, "M1", "70000", paid_on=date(2026, 4, 6)),
        paid(3, "M1", "30000", paid_on=date(2026, 5, 4)),
    ]
    before = Requested(D("60000"), {2: D("30000"), 3: D("30000")})
    assert specific_request(member_position(contract(), "M1", lines), before) is None
    later = [*lines, paid(4, "M1", "20000", paid_on=date(2026, 7, 1))]
    draft = specific_request(member_position(contract(), "M1", later), before)
    assert draft is not None
    assert (draft.amount, [(x.claim, x.counted) for x in draft.lines]) == (
        D("20000"),
        [(4, D("20000"))],
    )


def test_a_voided_claim_shows_as_a_negative_line_of_the_next_request() -> None:
    """$60,000 requested (claims 2 and 3). Claim 3 is then voided and claim 4 ($50,000) paid:
    the running total is $60,000, $130,000, $180,000, so claim 2 still has $30,000 excess and
    claim 4 $50,000: $80,000, $20,000 more than asked. The request lists claim 3 at -$30,000
    and claim 4 at +$50,000."""
    lines = [
        paid(1, "M1", "60000", paid_on=date(2026, 3, 2)),
        paid(2, "M1", "70000", paid_on=date(2026, 4, 6)),
        paid(4, "M1", "50000", paid_on=date(2026, 7, 1)),
    ]
    before = Requested(D("60000"), {2: D("30000"), 3: D("30000")})
    draft = specific_request(member_position(contract(), "M1", lines), before)
    assert draft is not None
    assert draft.amount == D("20000")
    assert [(x.claim, x.paid, x.counted) for x in draft.lines] == [
        (3, D("0"), D("-30000")),
        (4, D("50000"), D("50000")),
    ]


def test_the_aggregate_is_requested_once_the_paid_window_has_closed() -> None:
    """The $20,000 aggregate excess of the example above: not requestable on 2027-03-31 (the
    last day of the 12/15 run-out), requestable from 2027-04-01, with every claim and the
    amount it counts toward the aggregate."""
    spans = employees(20, Tier.EMPLOYEE) + employees(10, Tier.FAMILY, first=100)
    terms, claims = aggregate_contract(), aggregate_claims()
    open_ = position(terms, claims, spans, as_of=date(2027, 3, 31))
    assert aggregate_request(open_, Requested()) is None
    closed = position(terms, claims, spans, as_of=date(2027, 4, 1))
    draft = aggregate_request(closed, Requested())
    assert draft is not None
    assert (draft.kind, draft.member, draft.amount, draft.counted) == (
        Kind.AGGREGATE,
        None,
        D("20000"),
        D("560000"),
    )
    assert (draft.lines[0].claim, draft.lines[0].counted) == (1, D("100000"))
    assert aggregate_request(closed, Requested(D("20000"), {})) is None


def test_large_claimants_in_the_order_they_reached_the_threshold() -> None:
    """M9 reached $50,000 in March, M1 in May; M5 ($20,000) is not listed."""
    lines = [
        paid(1, "M1", "80000", paid_on=date(2026, 5, 1)),
        paid(2, "M9", "51000", paid_on=date(2026, 3, 1)),
        paid(3, "M5", "20000", paid_on=date(2026, 2, 1)),
    ]
    result = position(contract(), lines, [], as_of=date(2026, 12, 31))
    assert [m.member for m in large_claimants(result)] == ["M9", "M1"]
    assert [m.member for m in large_claimants(result, also=["M5", "M7"])] == [
        "M9",
        "M1",
        "M5",
        "M7",
    ]


# --- checks ----------------------------------------------------------------------------------


def test_contract_problems_name_the_field() -> None:
    wrong = contract(
        "6/15",
        start=date(2026, 1, 2),
        specific_rate=D("1.5"),
        lasers={"M1": D("90000")},
        aggregate=AggregateTerms(factors={Tier.EMPLOYEE: D("1.005")}, minimum=D("-1")),
    )
    assert [p.where for p in contract_problems(wrong)] == [
        "period.start",
        "basis",
        "specific.reimbursement",
        "specific.lasers.M1",
        "aggregate.minimum_attachment",
        "aggregate.attachment_factors.employee",
        "aggregate.attachment_factors.employee_spouse",
        "aggregate.attachment_factors.employee_children",
        "aggregate.attachment_factors.family",
    ]
    assert contract_problems(aggregate_contract()) == []
    assert [str(p) for p in contract_problems(contract(lines=(Line.MEDICAL, Line.STD)))] == [
        "lines: std: stop-loss covers claims of medical, pharmacy, dental, vision"
    ]


@pytest.mark.parametrize("text", ["12", "12/", "a/b", "12-15"])
def test_a_basis_is_incurred_slash_paid_months(text: str) -> None:
    with pytest.raises(ValueError, match="incurred/paid months"):
        Basis.parse(text)
    assert str(Basis.parse(" 12 / 15 ")) == "12/15"
