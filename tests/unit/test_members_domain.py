"""Member rules: SSNs, member ids, ages, coverage (tiers, overlaps, age 26, terminations) and
the eligibility decision with each reason why not."""

from __future__ import annotations

import random
from datetime import date

import pytest

from aso.members.domain import (
    CoverageSpan,
    IneligibleReason,
    Person,
    Relationship,
    age_on,
    birthday,
    change_end,
    child_coverage_limit,
    cut_for_age,
    decide_eligibility,
    ending_with_subscriber,
    family_tier_problem,
    is_member_id,
    luhn_digit,
    mask_ssn,
    new_member_id,
    normalize_ssn,
    overlapping,
    tier_problem,
)
from aso.plans.domain import Line, Tier

PLAN_END = date(2026, 12, 31)


def span(
    start: date,
    end: date | None = None,
    *,
    line: Line = Line.MEDICAL,
    tier: Tier = Tier.EMPLOYEE,
    plan: str = "PPO1500",
    plan_end: date = PLAN_END,
    id: int | None = None,
) -> CoverageSpan:
    return CoverageSpan(line, plan, f"Acme {plan}", tier, start, end, plan_end, id)


# SSNs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["123-45-6789", "123456789", " 123-45-6789 ", "987-65-4321"])
def test_an_ssn_is_kept_as_nine_digits(text: str) -> None:
    assert normalize_ssn(text) in ("123456789", "987654321")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("12-345-6789", "9 digits"),
        ("1234567890", "9 digits"),
        ("000-12-3456", "not an SSN area"),
        ("666-12-3456", "not an SSN area"),
        ("123-00-4567", "never all zeros"),
        ("123-45-0000", "never all zeros"),
    ],
)
def test_an_impossible_ssn_is_refused(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        normalize_ssn(text)


def test_an_ssn_is_only_ever_shown_masked() -> None:
    assert mask_ssn("6789") == "***-**-6789"
    assert mask_ssn(None) is None


# member ids ---------------------------------------------------------------------------------


def test_member_ids_are_m_and_nine_digits_with_a_luhn_check_digit() -> None:
    rng = random.Random(3)
    ids = [new_member_id(rng) for _ in range(200)]
    assert all(len(i) == 10 and i[0] == "M" and i[1:].isdigit() for i in ids)
    assert all(is_member_id(i) for i in ids)
    assert ids == [new_member_id(r) for r in [random.Random(3)] for _ in range(200)]


def test_a_mistyped_member_id_fails_its_check_digit() -> None:
    good = "M" + "12345678" + str(luhn_digit("12345678"))
    assert is_member_id(good)
    assert is_member_id(good.lower())
    one_digit_off = good[:3] + str((int(good[3]) + 1) % 10) + good[4:]
    assert not is_member_id(one_digit_off)
    assert not is_member_id("X123456789")
    assert not is_member_id("M12345")


def test_luhn_digit_matches_the_standard_example() -> None:
    # ISO/IEC 7812 worked example: 7992739871 has check digit 3.
    assert luhn_digit("7992739871") == 3


# ages ---------------------------------------------------------------------------------------


def test_ages_and_birthdays() -> None:
    assert age_on(date(2000, 6, 15), date(2026, 6, 14)) == 25
    assert age_on(date(2000, 6, 15), date(2026, 6, 15)) == 26
    assert birthday(date(2000, 2, 29), 26) == date(2026, 2, 28)
    assert birthday(date(2000, 2, 29), 28) == date(2028, 2, 29)


def test_a_child_is_covered_to_the_end_of_the_month_it_turns_26() -> None:
    assert child_coverage_limit(date(2000, 6, 15)) == date(2026, 6, 30)
    assert child_coverage_limit(date(2000, 6, 1)) == date(2026, 6, 30)
    assert child_coverage_limit(date(2000, 12, 31)) == date(2026, 12, 31)
    assert child_coverage_limit(date(2000, 2, 29)) == date(2026, 2, 28)


def test_a_childs_coverage_is_cut_at_the_age_limit() -> None:
    born = date(2000, 6, 15)
    end, cut = cut_for_age(Relationship.CHILD, born, date(2026, 1, 1), None, PLAN_END)
    assert end == date(2026, 6, 30)
    assert cut is not None and "cut to 2026-06-30" in cut.describe()
    end, cut = cut_for_age(Relationship.CHILD, born, date(2026, 1, 1), date(2026, 9, 30), PLAN_END)
    assert end == date(2026, 6, 30)


def test_no_cut_when_the_coverage_ends_first() -> None:
    born = date(2001, 6, 15)  # turns 26 in 2027, after the plan year
    assert cut_for_age(Relationship.CHILD, born, date(2026, 1, 1), None, PLAN_END) == (None, None)
    early = date(2026, 3, 31)
    assert cut_for_age(
        Relationship.CHILD, date(2000, 6, 15), date(2026, 1, 1), early, PLAN_END
    ) == (
        early,
        None,
    )
    spouse = cut_for_age(Relationship.SPOUSE, date(2000, 6, 15), date(2026, 1, 1), None, PLAN_END)
    assert spouse == (None, None)


def test_a_child_over_the_limit_cannot_start_coverage() -> None:
    with pytest.raises(ValueError, match="turned 26 on 2026-06-15 and can be covered only to"):
        cut_for_age(Relationship.CHILD, date(2000, 6, 15), date(2026, 7, 1), None, PLAN_END)


# tiers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relationship", "tier", "line", "ok"),
    [
        (Relationship.SUBSCRIBER, Tier.EMPLOYEE, Line.MEDICAL, True),
        (Relationship.SUBSCRIBER, Tier.FAMILY, Line.MEDICAL, True),
        (Relationship.SPOUSE, Tier.EMPLOYEE, Line.MEDICAL, False),
        (Relationship.CHILD, Tier.EMPLOYEE, Line.DENTAL, False),
        (Relationship.SPOUSE, Tier.EMPLOYEE_SPOUSE, Line.MEDICAL, True),
        (Relationship.DOMESTIC_PARTNER, Tier.FAMILY, Line.VISION, True),
        (Relationship.SPOUSE, Tier.EMPLOYEE_CHILDREN, Line.MEDICAL, False),
        (Relationship.CHILD, Tier.EMPLOYEE_SPOUSE, Line.MEDICAL, False),
        (Relationship.CHILD, Tier.EMPLOYEE_CHILDREN, Line.MEDICAL, True),
        (Relationship.SUBSCRIBER, Tier.EMPLOYEE, Line.STD, True),
        (Relationship.SUBSCRIBER, Tier.FAMILY, Line.LTD, False),
        (Relationship.SPOUSE, Tier.FAMILY, Line.STD, False),
    ],
)
def test_tier_fits_the_member(relationship: Relationship, tier: Tier, line: Line, ok: bool) -> None:
    assert (tier_problem(relationship, tier, line) is None) is ok


def test_a_dependent_on_tier_employee_says_why() -> None:
    assert tier_problem(Relationship.CHILD, Tier.EMPLOYEE, Line.MEDICAL) == (
        "a child cannot be on tier employee"
    )


@pytest.mark.parametrize(
    ("tier", "dependents", "ok"),
    [
        (Tier.EMPLOYEE, [], True),
        (Tier.EMPLOYEE, [Relationship.CHILD], False),
        (Tier.EMPLOYEE_SPOUSE, [Relationship.SPOUSE], True),
        (Tier.EMPLOYEE_SPOUSE, [Relationship.DOMESTIC_PARTNER], True),
        (Tier.EMPLOYEE_SPOUSE, [], False),
        (Tier.EMPLOYEE_SPOUSE, [Relationship.SPOUSE, Relationship.CHILD], False),
        (Tier.EMPLOYEE_CHILDREN, [Relationship.CHILD, Relationship.CHILD], True),
        (Tier.EMPLOYEE_CHILDREN, [Relationship.SPOUSE], False),
        (Tier.FAMILY, [Relationship.SPOUSE, Relationship.CHILD], True),
        (Tier.FAMILY, [Relationship.SPOUSE], True),
        (Tier.FAMILY, [], False),
    ],
)
def test_the_subscribers_tier_fits_the_family(
    tier: Tier, dependents: list[Relationship], ok: bool
) -> None:
    assert (family_tier_problem(tier, dependents) is None) is ok


# overlaps and terminations ------------------------------------------------------------------


def test_coverages_of_one_line_overlap_when_they_share_a_day() -> None:
    jan_jun = span(date(2026, 1, 1), date(2026, 6, 30), id=1)
    assert overlapping([jan_jun], span(date(2026, 7, 1))) == []
    assert overlapping([jan_jun], span(date(2026, 6, 30))) == [jan_jun]
    assert overlapping([jan_jun], span(date(2025, 1, 1), date(2026, 1, 1))) == [jan_jun]
    assert overlapping([jan_jun], span(date(2026, 3, 1), line=Line.DENTAL)) == []


def test_an_open_coverage_lasts_to_its_plans_period_end_and_no_further() -> None:
    open_2026 = span(date(2026, 1, 1), id=1)
    assert open_2026.last_day == PLAN_END
    next_year = span(date(2027, 1, 1), plan_end=date(2027, 12, 31))
    assert overlapping([open_2026], next_year) == []
    assert overlapping([open_2026], span(date(2026, 12, 31))) == [open_2026]


def test_a_coverage_does_not_overlap_itself() -> None:
    current = span(date(2026, 1, 1), id=7)
    assert overlapping([current], span(date(2026, 1, 1), date(2026, 5, 31), id=7)) == []


def test_a_retroactive_termination_says_what_changed() -> None:
    change = change_end(span(date(2026, 1, 1)), date(2026, 3, 31), today=date(2026, 5, 10))
    assert change.retroactive
    assert change.old_end is None and change.new_end == date(2026, 3, 31)
    assert change.describe() == (
        "medical PPO1500 coverage from 2026-01-01: end open -> 2026-03-31 (retroactive termination)"
    )


def test_a_future_termination_is_not_retroactive() -> None:
    change = change_end(span(date(2026, 1, 1)), date(2026, 8, 31), today=date(2026, 5, 10))
    assert not change.retroactive
    assert change.describe().endswith("(termination)")
    reinstated = change_end(span(date(2026, 1, 1), date(2026, 3, 31)), None, date(2026, 5, 10))
    assert (
        reinstated.describe() == "medical PPO1500 coverage from 2026-01-01: end 2026-03-31 -> open"
    )


def test_an_end_before_the_start_or_after_the_plan_is_refused() -> None:
    with pytest.raises(ValueError, match="before the coverage start"):
        change_end(span(date(2026, 3, 1)), date(2026, 2, 28), today=date(2026, 5, 10))
    with pytest.raises(ValueError, match="after the plan's period ends"):
        change_end(span(date(2026, 3, 1)), date(2027, 1, 31), today=date(2026, 5, 10))


def test_dependents_end_with_the_subscriber_coverage_they_joined() -> None:
    subscriber = span(date(2026, 1, 1))
    spouse = span(date(2026, 1, 1), tier=Tier.FAMILY, id=1)
    newborn = span(date(2026, 5, 3), tier=Tier.FAMILY, id=2)  # joined after the new end
    already_ended = span(date(2026, 1, 1), date(2026, 2, 28), tier=Tier.FAMILY, id=3)
    dental = span(date(2026, 1, 1), line=Line.DENTAL, tier=Tier.FAMILY, id=4)
    later_year = span(date(2027, 1, 1), plan_end=date(2027, 12, 31), tier=Tier.FAMILY, id=5)
    to_end, orphaned = ending_with_subscriber(
        subscriber, date(2026, 3, 31), [spouse, newborn, already_ended, dental, later_year]
    )
    assert to_end == [spouse]
    assert orphaned == [newborn]


# eligibility --------------------------------------------------------------------------------

ADULT = Person(Relationship.SUBSCRIBER, date(1980, 3, 2))


def test_covered_gives_the_plan_tier_and_dates() -> None:
    coverage = span(date(2026, 1, 1), tier=Tier.FAMILY)
    result = decide_eligibility(ADULT, [coverage], Line.MEDICAL, date(2026, 5, 1))
    assert result.covered and result.reason is None
    assert result.coverage == coverage
    assert result.covered_through == PLAN_END


def test_the_first_and_last_covered_days_are_covered() -> None:
    coverage = [span(date(2026, 2, 1), date(2026, 4, 30))]
    assert decide_eligibility(ADULT, coverage, Line.MEDICAL, date(2026, 2, 1)).covered
    assert decide_eligibility(ADULT, coverage, Line.MEDICAL, date(2026, 4, 30)).covered


def test_no_such_member() -> None:
    result = decide_eligibility(None, [], Line.MEDICAL, date(2026, 5, 1))
    assert (result.covered, result.reason) == (False, IneligibleReason.NO_SUCH_MEMBER)
    assert result.reason.carc == "31"


def test_no_coverage_in_the_line() -> None:
    result = decide_eligibility(ADULT, [span(date(2026, 1, 1))], Line.DENTAL, date(2026, 5, 1))
    assert result.reason is IneligibleReason.NO_COVERAGE_IN_LINE
    assert result.message == "no dental coverage"
    assert result.reason.carc == "109"


def test_before_the_first_coverage_start() -> None:
    coverage = [span(date(2026, 7, 1)), span(date(2026, 3, 1), date(2026, 3, 31))]
    result = decide_eligibility(ADULT, coverage, Line.MEDICAL, date(2026, 2, 14))
    assert result.reason is IneligibleReason.BEFORE_COVERAGE
    assert result.message == "before the first medical coverage starts on 2026-03-01"
    assert result.reason.carc == "26"


def test_after_coverage_ended_and_in_a_gap() -> None:
    coverage = [span(date(2026, 1, 1), date(2026, 4, 30)), span(date(2026, 7, 1))]
    gap = decide_eligibility(ADULT, coverage, Line.MEDICAL, date(2026, 5, 14))
    assert gap.reason is IneligibleReason.COVERAGE_ENDED
    assert gap.message == "medical coverage ended on 2026-04-30"
    assert gap.reason.carc == "27"
    assert decide_eligibility(ADULT, coverage, Line.MEDICAL, date(2026, 7, 1)).covered
    after_year = decide_eligibility(ADULT, coverage, Line.MEDICAL, date(2027, 1, 1))
    assert after_year.message == "medical coverage ended on 2026-12-31"


def test_a_child_over_26_is_not_covered_and_eligibility_says_why() -> None:
    child = Person(Relationship.CHILD, date(2000, 6, 15))
    coverage = [span(date(2026, 1, 1), tier=Tier.FAMILY)]  # stored open: the rule still applies
    assert decide_eligibility(child, coverage, Line.MEDICAL, date(2026, 6, 30)).covered
    result = decide_eligibility(child, coverage, Line.MEDICAL, date(2026, 7, 1))
    assert result.reason is IneligibleReason.CHILD_OVER_AGE_LIMIT
    assert result.message == (
        "child over 26: turned 26 on 2026-06-15, covered to the end of that month (2026-06-30)"
    )
    assert result.covered_through == date(2026, 6, 30)
    cut = [span(date(2026, 1, 1), date(2026, 6, 30), tier=Tier.FAMILY)]  # stored already cut
    assert decide_eligibility(child, cut, Line.MEDICAL, date(2026, 8, 1)).reason is (
        IneligibleReason.CHILD_OVER_AGE_LIMIT
    )


def test_a_child_whose_coverage_ended_earlier_ended_for_that_reason() -> None:
    child = Person(Relationship.CHILD, date(2000, 6, 15))
    coverage = [span(date(2026, 1, 1), date(2026, 3, 31), tier=Tier.FAMILY)]
    result = decide_eligibility(child, coverage, Line.MEDICAL, date(2026, 8, 1))
    assert result.reason is IneligibleReason.COVERAGE_ENDED
