"""Admin fee arithmetic, worked by hand: PEPM by line under each counting rule, the monthly
minimum, a share of paid claims, per-claim fees, stop-loss premiums passed through, and
retroactive terminations, additions and rate changes corrected on the next invoice, each
adjustment naming the month it corrects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aso.adminfees.domain import (
    Billed,
    ChargeKey,
    ChargeKind,
    CountRule,
    EnrolledSpan,
    FeeAgreement,
    FeeLine,
    InvoiceDraft,
    PaidClaims,
    agreement_for,
    compute_invoice,
    describe,
    invoice_entry,
    month_charges,
    months_to_correct,
    parse_agreement,
    quantity_text,
    rate_text,
    take_census,
)
from aso.adminfees.months import add_months, label, parse_month
from aso.errors import ValidationFailed
from aso.ledger.domain import Side, entry_problems
from aso.plans.domain import Line, Tier

D = Decimal
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))
YEAR_END = date(2026, 12, 31)
BilledState = dict[date, dict[ChargeKey, Billed]]


def agreement(**terms: Any) -> FeeAgreement:
    return parse_agreement({"effective": "2026-01-01", **terms})


def span(
    employee: int,
    line: Line = Line.MEDICAL,
    start: date = JAN,
    end: date = YEAR_END,
    tier: Tier = Tier.EMPLOYEE,
) -> EnrolledSpan:
    return EnrolledSpan(employee, line, tier, start, end)


def invoice(
    month: date,
    terms: FeeAgreement | Sequence[FeeAgreement],
    enrollment: Sequence[EnrolledSpan],
    billed: BilledState | None = None,
    claims: Sequence[PaidClaims] = (),
) -> InvoiceDraft:
    state = billed or {}
    return compute_invoice(
        month=month,
        agreements=[terms] if isinstance(terms, FeeAgreement) else terms,
        enrollment=enrollment,
        claims=claims,
        billed=state,
        invoiced=list(state),
    )


def bill(billed: BilledState, draft: InvoiceDraft) -> BilledState:
    """What is billed after ``draft`` is issued (as the service keeps it per month and key)."""
    after: BilledState = defaultdict(dict, {m: dict(keys) for m, keys in billed.items()})
    after.setdefault(draft.month, {})
    for charge in draft.lines:
        month = charge.month_corrected or draft.month
        was = after[month].get(charge.key, Billed(D(0), D(0)))
        after[month][charge.key] = Billed(
            was.quantity + (charge.quantity or 0), was.amount + charge.amount
        )
    return dict(after)


def amounts(draft: InvoiceDraft) -> list[tuple[str, str]]:
    return [(describe(c), f"{c.amount:.2f}") for c in draft.lines]


# --- PEPM ------------------------------------------------------------------------------------

PEPM = {
    "medical": "38.50",
    "pharmacy": "6.00",
    "dental": "4.25",
    "vision": "1.50",
    "disability": "3",
}


def march_enrollment() -> list[EnrolledSpan]:
    return [
        # employee 1: medical, pharmacy, dental, vision all year
        *(span(1, line) for line in (Line.MEDICAL, Line.PHARMACY, Line.DENTAL, Line.VISION)),
        # employee 2: medical from March 10; short- and long-term disability (counted once)
        span(2, Line.MEDICAL, start=date(2026, 3, 10)),
        span(2, Line.STD),
        span(2, Line.LTD),
        # employee 3: medical until March 20; employee 4: dental only
        span(3, Line.MEDICAL, end=date(2026, 3, 20)),
        span(4, Line.DENTAL),
        # employee 5: medical ended March 10
        span(5, Line.MEDICAL, end=date(2026, 3, 10)),
    ]


def test_pepm_by_line_enrolled_on_the_first() -> None:
    # On March 1: medical 1, 3, 5 (2 starts on the 10th) = 3 x 38.50 = 115.50; pharmacy 1 x
    # 6.00; dental 1 and 4 = 2 x 4.25 = 8.50; vision 1 x 1.50; disability 2 (STD and LTD
    # count once) = 1 x 3.00. Total 134.50.
    draft = invoice(MAR, agreement(pepm=PEPM), march_enrollment())
    assert amounts(draft) == [
        ("Medical PEPM", "115.50"),
        ("Pharmacy PEPM", "6.00"),
        ("Dental PEPM", "8.50"),
        ("Vision PEPM", "1.50"),
        ("Disability PEPM", "3.00"),
    ]
    assert [quantity_text(c) for c in draft.lines] == ["3", "1", "2", "1", "1"]
    assert [rate_text(c) for c in draft.lines] == ["38.50", "6.00", "4.25", "1.50", "3.00"]
    assert draft.total == D("134.50") == draft.current == draft.fees
    assert draft.adjustments == 0 and draft.pass_through == 0


@pytest.mark.parametrize(
    ("rule", "medical"),
    [
        # employees 1, 3, 5 on the 1st; 1, 2, 3 on the 15th (5 left on the 10th, 2 joined the
        # 10th); 1, 2, 3, 5 on some day of March
        (CountRule.FIRST_OF_MONTH, 3),
        (CountRule.MID_MONTH, 3),
        (CountRule.ANY_DAY, 4),
    ],
)
def test_the_counting_rule_is_a_setting(rule: CountRule, medical: int) -> None:
    census = take_census(march_enrollment(), MAR, rule)
    assert census.employees[FeeLine.MEDICAL] == medical
    draft = invoice(
        MAR, agreement(pepm={"medical": "38.50"}, count_rule=rule.value), march_enrollment()
    )
    assert draft.total == medical * D("38.50")


def test_any_day_takes_the_tier_of_the_latest_coverage_of_the_month() -> None:
    # a plan change on March 16 from employee only to family: counted once, as family
    spans = [
        span(1, end=date(2026, 3, 15)),
        span(1, start=date(2026, 3, 16), tier=Tier.FAMILY),
    ]
    census = take_census(spans, MAR, CountRule.ANY_DAY)
    assert census.employees == {FeeLine.MEDICAL: 1}
    assert census.tiers == {(Line.MEDICAL, Tier.FAMILY): 1}
    first = take_census(spans, MAR, CountRule.FIRST_OF_MONTH)
    assert first.tiers == {(Line.MEDICAL, Tier.EMPLOYEE): 1}


# --- minimum, share of paid claims, per-claim fees, pass-through ---------------------------------


def employees(count: int, tier: Tier = Tier.EMPLOYEE, first_id: int = 1) -> list[EnrolledSpan]:
    return [span(n, tier=tier) for n in range(first_id, first_id + count)]


def test_the_monthly_minimum_tops_the_fees_up() -> None:
    terms = agreement(pepm={"medical": "38.50"}, monthly_minimum="2500")
    # 50 x 38.50 = 1,925.00 < 2,500.00: a top-up of 575.00
    small = invoice(MAR, terms, employees(50))
    assert amounts(small) == [("Medical PEPM", "1925.00"), ("Monthly minimum top-up", "575.00")]
    assert small.total == D("2500.00")
    # 70 x 38.50 = 2,695.00 >= the minimum: no top-up
    large = invoice(MAR, terms, employees(70))
    assert amounts(large) == [("Medical PEPM", "2695.00")]


def test_a_share_of_paid_claims_and_per_claim_fees() -> None:
    terms = agreement(
        percent_of_paid={"medical": "0.035", "pharmacy": "0.02"},
        per_claim={"medical": "2.75", "pharmacy": "0.85"},
    )
    claims = [
        PaidClaims(MAR, FeeLine.MEDICAL, 12, D("10000.15")),
        PaidClaims(MAR, FeeLine.PHARMACY, 40, D("3210.55")),
        PaidClaims(FEB, FeeLine.MEDICAL, 99, D("99999.99")),  # another month: not this invoice's
    ]
    draft = invoice(MAR, terms, [], claims=claims)
    # 3.5% of 10,000.15 = 350.00525 -> 350.01 (half up); 2% of 3,210.55 = 64.211 -> 64.21;
    # 12 x 2.75 = 33.00; 40 x 0.85 = 34.00
    assert amounts(draft) == [
        ("Medical claims paid at 3.5%", "350.01"),
        ("Pharmacy claims paid at 2%", "64.21"),
        ("Medical per-claim fee", "33.00"),
        ("Pharmacy per-claim fee", "34.00"),
    ]
    assert [quantity_text(c) for c in draft.lines] == ["10000.15", "3210.55", "12", "40"]
    assert [rate_text(c) for c in draft.lines] == ["0.035", "0.02", "2.75", "0.85"]
    assert draft.total == D("481.22")


def test_stop_loss_premiums_are_passed_through_and_not_held_to_the_minimum() -> None:
    terms = agreement(
        pepm={"medical": "38.50"},
        monthly_minimum="500",
        stop_loss=[
            {
                "name": "Specific stop-loss premium",
                "pepm_by_tier": {
                    "employee": "62.10",
                    "employee_spouse": "131.40",
                    "family": "190.25",
                },
            },
            {"name": "Aggregate stop-loss premium", "monthly": "410.00"},
        ],
    )
    enrolled = [*employees(2), *employees(1, Tier.FAMILY, first_id=3)]
    draft = invoice(MAR, terms, enrolled)
    # fees: 3 x 38.50 = 115.50, topped up by 384.50 to the 500.00 minimum; premiums: 2 x
    # 62.10 + 1 x 190.25 = 314.45 specific (no one on employee + spouse), 410.00 aggregate
    assert amounts(draft) == [
        ("Medical PEPM", "115.50"),
        ("Monthly minimum top-up", "384.50"),
        ("Specific stop-loss premium, employee only", "124.20"),
        ("Specific stop-loss premium, family", "190.25"),
        ("Aggregate stop-loss premium, monthly", "410.00"),
    ]
    assert draft.fees == D("500.00")
    assert draft.pass_through == D("724.45")
    assert draft.total == D("1224.45")


def test_the_ledger_entry_splits_revenue_and_premiums_payable() -> None:
    terms = agreement(
        pepm={"medical": "40"}, stop_loss=[{"name": "Aggregate premium", "monthly": "100"}]
    )
    draft = invoice(MAR, terms, employees(3))
    entry = invoice_entry(draft, employer_id=7, number="INV-1", posted_on=date(2026, 3, 2))
    assert entry is not None and entry_problems(entry) == []
    legs = {(leg.account, leg.side, leg.amount) for leg in entry.legs}
    assert legs == {
        ("admin_fees_receivable", Side.DEBIT, D("220")),
        ("admin_fee_revenue", Side.CREDIT, D("120")),
        ("stop_loss_premium_payable", Side.CREDIT, D("100")),
    }
    assert entry.kind == "admin_fee_invoice" and entry.reference == "INV-1"


# --- retroactive changes ---------------------------------------------------------------------


def test_a_retroactive_termination_is_credited_on_the_next_invoice() -> None:
    terms = agreement(pepm={"medical": "40.00"})
    three = employees(3)
    billed = bill({}, invoice(JAN, terms, three))
    billed = bill(billed, invoice(FEB, terms, three))
    # In March, employee 3's termination is entered effective January 31: covered on January
    # 1 (January stands), not on February 1 (February billed one employee too many).
    today = [*employees(2), span(3, end=date(2026, 1, 31))]
    march = invoice(MAR, terms, today, billed)
    assert amounts(march) == [
        ("Medical PEPM", "80.00"),
        ("Medical PEPM, February 2026 correction: -1 employee", "-40.00"),
    ]
    assert [c.month_corrected for c in march.lines] == [None, FEB]
    assert march.current == D("80.00") and march.adjustments == D("-40.00")
    assert march.total == D("40.00")
    # April corrects nothing more: February is now billed right
    april = invoice(APR, terms, today, bill(billed, march))
    assert amounts(april) == [("Medical PEPM", "80.00")]


def test_a_retroactive_addition_is_billed_on_the_next_invoice() -> None:
    terms = agreement(
        pepm={"medical": "40.00"},
        stop_loss=[{"name": "Specific premium", "pepm_by_tier": {"family": "190.25"}}],
    )
    two = employees(2, Tier.FAMILY)
    billed = bill(bill({}, invoice(JAN, terms, two)), invoice(FEB, terms, two))
    # Entered in March: employee 3 covered (family) since January 15, so counted from February
    today = [*two, span(3, start=date(2026, 1, 15), tier=Tier.FAMILY)]
    march = invoice(MAR, terms, today, billed)
    assert amounts(march) == [
        ("Medical PEPM", "120.00"),
        ("Specific premium, family", "570.75"),
        ("Medical PEPM, February 2026 correction: +1 employee", "40.00"),
        ("Specific premium, family, February 2026 correction: +1 employee", "190.25"),
    ]
    assert march.pass_through == D("761.00")
    assert march.fees == D("160.00")


def test_a_correction_under_the_minimum_moves_to_the_top_up() -> None:
    terms = agreement(pepm={"medical": "38.50"}, monthly_minimum="2500")
    fifty = employees(50)
    billed = bill({}, invoice(FEB, terms, fifty))
    today = [*employees(49), span(50, end=date(2026, 1, 31))]
    march = invoice(MAR, terms, today, billed)
    # February's PEPM falls by 38.50, the top-up rises by as much: February still owes 2,500
    assert amounts(march)[-2:] == [
        ("Medical PEPM, February 2026 correction: -1 employee", "-38.50"),
        ("Monthly minimum top-up, February 2026 correction", "38.50"),
    ]
    assert march.adjustments == 0
    assert march.total == D("2500.00")


def test_a_rate_changed_after_the_fact_reverses_the_old_charge_and_bills_the_new() -> None:
    old = agreement(pepm={"medical": "40.00"})
    three = employees(3)
    billed = bill({}, invoice(FEB, old, three))
    new = agreement(pepm={"medical": "42.00"})  # the January agreement, corrected in March
    march = invoice(MAR, new, three, billed)
    assert amounts(march) == [
        ("Medical PEPM", "126.00"),
        ("Medical PEPM, February 2026 correction: +3 employees", "126.00"),
        ("Medical PEPM, February 2026 correction: -3 employees", "-120.00"),
    ]
    assert [rate_text(c) for c in march.lines] == ["42.00", "42.00", "40.00"]
    assert march.adjustments == D("6.00")


def test_paid_claims_are_recomputed_too() -> None:
    terms = agreement(per_claim={"medical": "2.75"})
    billed = bill({}, invoice(FEB, terms, [], claims=[PaidClaims(FEB, FeeLine.MEDICAL, 10, D(0))]))
    # two more February claims were paid after February's invoice
    claims = [PaidClaims(FEB, FeeLine.MEDICAL, 12, D(0)), PaidClaims(MAR, FeeLine.MEDICAL, 4, D(0))]
    march = invoice(MAR, terms, [], billed, claims)
    assert amounts(march) == [
        ("Medical per-claim fee", "11.00"),
        ("Medical per-claim fee, February 2026 correction: +2 claims", "5.50"),
    ]


def test_the_look_back_limits_which_months_are_corrected() -> None:
    assert months_to_correct(MAR, 12, [JAN, FEB, MAR, APR]) == [JAN, FEB]
    assert months_to_correct(MAR, 1, [JAN, FEB]) == [FEB]
    assert months_to_correct(MAR, 0, [JAN, FEB]) == []
    terms = agreement(pepm={"medical": "40.00"}, lookback_months=1)
    three = employees(3)
    billed = bill(bill({}, invoice(JAN, terms, three)), invoice(FEB, terms, three))
    # terminated effective December 31 of the year before: January is outside the look-back
    gone = [*employees(2)]
    march = invoice(MAR, terms, gone, billed)
    assert [c.month_corrected for c in march.lines] == [None, FEB]


def test_an_agreement_per_month_applies_to_its_own_months() -> None:
    january = agreement(pepm={"medical": "40.00"})
    march = parse_agreement({"effective": "2026-03-01", "pepm": {"medical": "45.00"}})
    three = employees(3)
    billed = bill({}, invoice(FEB, [january, march], three))
    draft = invoice(MAR, [january, march], three, billed)
    assert amounts(draft) == [("Medical PEPM", "135.00")]
    with pytest.raises(ValidationFailed, match="no fee agreement in effect in 2025-12"):
        invoice(date(2025, 12, 1), [january], three)


# --- the agreement document ------------------------------------------------------------------


def problems(document: Mapping[str, Any]) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_agreement(document)
    return [p.where for p in caught.value.problems]


def test_an_agreement_names_each_wrong_field() -> None:
    assert problems({"effective": "2026-01-15"}) == ["effective"]
    assert problems({"effective": "2026-01-01", "pepm": {"medical": "-1"}}) == ["pepm.medical"]
    assert problems({"effective": "2026-01-01", "pepm": {"medical": "38.505"}}) == ["pepm.medical"]
    assert problems({"effective": "2026-01-01", "pepm": {"dentistry": "1"}}) == [
        "pepm.dentistry.[key]"
    ]
    assert problems({"effective": "2026-01-01", "per_claim": {"disability": "1"}}) == ["per_claim"]
    assert problems({"effective": "2026-01-01", "percent_of_paid": {"medical": "3.5"}}) == [
        "percent_of_paid.medical"
    ]
    assert problems({"effective": "2026-01-01", "count_rule": "on_the_1st"}) == ["count_rule"]
    assert problems(
        {
            "effective": "2026-01-01",
            "stop_loss": [{"name": "S", "monthly": "1", "pepm_by_tier": {}}],
        }
    ) == ["stop_loss.0"]
    assert problems({"effective": "2026-01-01", "fees": {}}) == ["fees"]


def test_months() -> None:
    assert parse_month("2026-03") == MAR
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 11, 1), 14) == date(2028, 1, 1)
    assert label(FEB) == "February 2026"
    for bad in ("2026-13", "March", "2026-3"):
        with pytest.raises(ValidationFailed):
            parse_month(bad)


def test_a_charge_key_is_the_same_whatever_the_rate_is_written_as() -> None:
    assert ChargeKey(ChargeKind.PEPM, FeeLine.MEDICAL, rate=D("40")) == ChargeKey(
        ChargeKind.PEPM, FeeLine.MEDICAL, rate=D("40.000000")
    )
    assert hash(ChargeKey(ChargeKind.PEPM, rate=D("40"))) == hash(
        ChargeKey(ChargeKind.PEPM, rate=D("40.00"))
    )


# --- property: after each invoice, every invoiced month is billed what it is due today ----------

PROPERTY_TERMS = agreement(
    pepm={"medical": "40.00", "dental": "4.25"},
    monthly_minimum="150",
    stop_loss=[
        {"name": "Specific", "pepm_by_tier": {"employee": "60.10", "family": "180.35"}},
        {"name": "Aggregate", "monthly": "99.99"},
    ],
)
days = st.integers(min_value=0, max_value=180)


@st.composite
def coverage(draw: st.DrawFn, employee: int) -> EnrolledSpan:
    start = date.fromordinal(JAN.toordinal() + draw(days))
    end = date.fromordinal(start.toordinal() + draw(st.integers(0, 200)))
    line = draw(st.sampled_from([Line.MEDICAL, Line.DENTAL]))
    tier = draw(st.sampled_from([Tier.EMPLOYEE, Tier.FAMILY]))
    return span(employee, line, start, min(end, YEAR_END), tier)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[EnrolledSpan], list[list[tuple[int, EnrolledSpan]]]]:
    people = range(1, 6)
    first = [draw(coverage(n)) for n in people]
    changes = [
        [(n, draw(coverage(n))) for n in draw(st.lists(st.sampled_from(list(people)), max_size=2))]
        for _ in range(6)
    ]
    return first, changes


@settings(max_examples=60, deadline=None)
@given(histories())
def test_after_each_invoice_every_month_is_billed_what_it_is_due(
    history: tuple[list[EnrolledSpan], list[list[tuple[int, EnrolledSpan]]]],
) -> None:
    enrollment, changes = history
    billed: BilledState = {}
    for index, month in enumerate(add_months(JAN, n) for n in range(6)):
        for employee, replacement in changes[index]:  # retroactive changes entered this month
            enrollment = [s for s in enrollment if s.employee != employee] + [replacement]
        billed = bill(billed, invoice(month, PROPERTY_TERMS, enrollment, billed))
        for earlier, keys in billed.items():
            terms = agreement_for([PROPERTY_TERMS], earlier)
            assert terms is not None
            due = month_charges(terms, take_census(enrollment, earlier, terms.count_rule), {})
            assert sum(b.amount for b in keys.values()) == sum(c.amount for c in due)
            assert {k: b.amount for k, b in keys.items() if b.amount or b.quantity} == {
                c.key: c.amount for c in due
            }
