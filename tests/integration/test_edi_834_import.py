"""834 files applied to members and coverage, on SQLite and PostgreSQL (issue 4 item 2): adds,
changes, terminations (retroactive too), reinstatements, dependents, coverage per line and tier,
full-file and verify modes, through the members services so their rules hold; a member the rules
refuse refuses its set (the 999 names the segment and element) and the set changes nothing; an
834 read twice leaves the same enrollment as once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.members.crypto import SsnCipher
from aso.plans.domain import Tier
from tests.integration.edi_builders import Desk, assert_acks_valid, segments
from tests.unit.x834_builders import coverage, enrollment, family, interchange, member

JAN = date(2026, 1, 1)
PPO_FAMILY = ("PPO1500", Tier.FAMILY)


@pytest.fixture
def desk(app: App, uow: UnitOfWork) -> Desk:
    found = Desk(app, uow, SsnCipher(app.settings.resolved_ssn_key()))
    found.employer()
    return found


def medical(
    plan: str = "PPO1500", tier: str = "family", start: date = JAN, end: date | None = None
) -> tuple[str, str, str, date, date | None]:
    return ("medical", plan, tier, start, end)


def test_a_family_is_enrolled_with_its_coverage(desk: Desk, tmp_path: Path) -> None:
    loops = family()
    for loop in loops[:2]:
        loop += coverage("DEN", "DENTAL-PPO", "ESP")  # Mia is not in the dental plan
    summary = desk.run(interchange(enrollment(*loops)))
    assert summary.status == "processed", summary.transactions[0].errors
    enrollment_done = summary.transactions[0].enrollment
    assert enrollment_done is not None
    assert (enrollment_done["members_added"], enrollment_done["coverages_added"]) == (3, 5)
    dental = ("dental", "DENTAL-PPO", "employee_spouse", JAN, None)
    assert desk.coverages("ANA") == desk.coverages("LUIS") == [dental, medical()]
    assert desk.coverages("MIA") == [medical()]
    ana, mia = desk.member("ANA"), desk.member("MIA")
    assert (ana["employee_number"], ana["relationship"], ana["zip"]) == (
        "E100",
        "subscriber",
        "43215",
    )
    assert (mia["relationship"], mia["birth_date"]) == ("child", date(2015, 9, 1))
    assert segments(summary.ack_999)[5:7] == ["IK5*A", "AK9*A*1*1*1"]
    assert_acks_valid(summary, tmp_path)


def test_an_834_read_twice_leaves_the_same_enrollment_as_once(desk: Desk) -> None:
    loops = family()
    for loop in loops:
        loop += coverage("VIS", "VISION", "FAM")
    first = desk.run(interchange(enrollment(*loops), control=201))
    once = desk.snapshot()
    again = desk.run(interchange(enrollment(*loops), control=202), name="resent.x12")
    assert first.status == again.status == "processed"
    assert desk.snapshot() == once
    done = again.transactions[0].enrollment
    assert done is not None
    assert (done["members_unchanged"], done["coverages_unchanged"], done["changes"]) == (3, 6, [])


def test_a_retroactive_termination_ends_the_dependents_with_the_subscriber(desk: Desk) -> None:
    desk.run(interchange(enrollment(*family()), control=301))
    end = "20260331"  # before today (2026-05-11): claims paid after it will be recovered
    loop = member(coverage(start=None, end=end, maintenance="024"), maintenance="024", reason="08")
    summary = desk.run(interchange(enrollment(loop), control=302))
    assert summary.status == "processed", summary.transactions[0].errors
    for first in ("ANA", "LUIS", "MIA"):
        assert desk.coverages(first) == [medical(end=date(2026, 3, 31))]
    changes = summary.transactions[0].enrollment["changes"]  # type: ignore[index]
    assert all("(retroactive termination)" in text for text in changes)
    assert len(changes) == 3


def test_an_ins_level_termination_ends_every_line_on_the_eligibility_end(desk: Desk) -> None:
    loops = family()
    for loop in loops:
        loop += coverage("DEN", "DENTAL-PPO", "FAM")
    desk.run(interchange(enrollment(*loops), control=311))
    loop = member(maintenance="024", dates={"357": "20260630"}, dob=None, address=False)
    summary = desk.run(interchange(enrollment(loop), control=312))
    assert summary.status == "processed", summary.transactions[0].errors
    for first in ("ANA", "LUIS", "MIA"):
        assert [c[4] for c in desk.coverages(first)] == [date(2026, 6, 30)] * 2


def test_a_dependent_is_cancelled_and_reinstated(desk: Desk) -> None:
    desk.run(interchange(enrollment(*family()), control=321))
    cancel = member(
        relationship="19", first="MIA", dob="20150901", maintenance="024", dates={"357": "20260430"}
    )
    assert desk.run(interchange(enrollment(cancel), control=322)).status == "processed"
    assert desk.coverages("MIA") == [medical(end=date(2026, 4, 30))]
    assert desk.coverages("ANA") == [medical()]
    back = member(relationship="19", first="MIA", dob="20150901", maintenance="025")
    summary = desk.run(interchange(enrollment(back), control=323))
    assert summary.status == "processed", summary.transactions[0].errors
    assert desk.coverages("MIA") == [medical()]


def test_reinstating_a_subscriber_reinstates_the_dependents_ended_with_it(desk: Desk) -> None:
    desk.run(interchange(enrollment(*family()), control=331))
    desk.run(
        interchange(enrollment(member(maintenance="024", dates={"357": "20260228"})), control=332)
    )
    assert desk.coverages("LUIS") == [medical(end=date(2026, 2, 28))]
    loop = member(coverage(start=None, maintenance="025"), maintenance="025")
    summary = desk.run(interchange(enrollment(loop), control=333))
    assert summary.status == "processed", summary.transactions[0].errors
    for first in ("ANA", "LUIS", "MIA"):
        assert desk.coverages(first) == [medical()]


def test_a_plan_change_moves_the_family_to_the_new_plan(desk: Desk) -> None:
    desk.run(interchange(enrollment(*family()), control=341))
    change = member(
        coverage(plan="HDHP3400", start="20260701", maintenance="001"),
        maintenance="001",
        reason="AI",
    )
    summary = desk.run(interchange(enrollment(change), control=342))
    assert summary.status == "processed", summary.transactions[0].errors
    june, july = date(2026, 6, 30), date(2026, 7, 1)
    expected = [medical("HDHP3400", start=july), medical(end=june)]
    assert desk.coverages("ANA") == desk.coverages("LUIS") == desk.coverages("MIA") == expected


def test_a_spouse_added_mid_year_changes_the_subscriber_tier(desk: Desk) -> None:
    desk.run(interchange(enrollment(member(coverage(level="EMP"))), control=351))
    assert desk.coverages("ANA") == [medical(tier="employee")]
    ana = member(coverage(level="ESP", start="20260601", maintenance="001"), maintenance="001")
    luis = member(
        coverage(level="", plan="", start="20260601"),
        relationship="01",
        first="LUIS",
        dob="19790611",
        sex="M",
    )
    summary = desk.run(interchange(enrollment(ana, luis), control=352))
    assert summary.status == "processed", summary.transactions[0].errors
    assert desk.coverages("ANA") == [
        medical(tier="employee", end=date(2026, 5, 31)),
        medical(tier="employee_spouse", start=date(2026, 6, 1)),
    ]
    assert desk.coverages("LUIS") == [medical(tier="employee_spouse", start=date(2026, 6, 1))]


def test_without_plan_and_tier_the_only_plan_and_the_family_decide(desk: Desk) -> None:
    loops = [
        member(coverage("DEN", plan="", level="")),
        member(coverage("DEN", plan="", level=""), relationship="19", first="MIA", dob="20150901"),
    ]
    summary = desk.run(interchange(enrollment(*loops)))
    assert summary.status == "processed", summary.transactions[0].errors
    assert desk.coverages("ANA") == [("dental", "DENTAL-PPO", "employee_children", JAN, None)]


def test_a_child_is_covered_to_the_end_of_the_month_it_turns_26(desk: Desk) -> None:
    loops = family()
    loops[2] = member(coverage(), relationship="19", first="OMAR", dob="20000815", sex="M")
    summary = desk.run(interchange(enrollment(*loops)))
    assert summary.status == "processed", summary.transactions[0].errors
    assert desk.coverages("OMAR") == [medical(end=date(2026, 8, 31))]
    again = desk.run(interchange(enrollment(*loops), control=102), name="again.x12")
    assert again.transactions[0].enrollment["coverages_unchanged"] == 3  # type: ignore[index]


def test_a_member_the_rules_refuse_refuses_its_whole_set(desk: Desk, tmp_path: Path) -> None:
    loops = family()
    loops[2] = member(coverage(plan="GOLD999"), relationship="19", first="MIA", dob="20150901")
    summary = desk.run(interchange(enrollment(*loops)))
    assert summary.status == "processed_with_errors"
    (transaction,) = summary.transactions
    assert transaction.status == "rejected"
    assert transaction.errors == [
        "segment 25 (HD, segment 23 of set 0001), element HD04: GOLD999 is not a medical plan "
        "this employer offers"
    ]
    assert desk.counts() == (0, 0)  # Ana and Luis were fine: nothing of the set is kept
    assert transaction.enrollment is not None
    assert (transaction.enrollment["members_added"], transaction.enrollment["changes"]) == (0, [])
    assert transaction.enrollment["notes"] == ["the set was refused: nothing of it was kept"]
    lines = segments(summary.ack_999)
    assert lines[5:10] == [
        "IK3*HD*23*2300*8",
        "CTX*SUBSCRIBER NUMBER REF02:E100",
        "IK4*4**7*GOLD999",
        "IK5*R*5",
        "AK9*R*1*1*0",
    ]
    assert_acks_valid(summary, tmp_path)


def _family_with(index: int, loop: list[str]) -> list[list[str]]:
    loops = family()
    loops[index] = loop
    return loops


def luis(*coverages: list[str], dob: str = "19790611") -> list[str]:
    return member(*coverages, relationship="01", first="LUIS", dob=dob, sex="M")


REFUSALS = {
    "birth date": (
        _family_with(1, luis(coverage(), dob="20270101")),
        "segment 18 (DMG, segment 16 of set 0001), element DMG02: birth_date: is in the future",
    ),
    "dependent tier": (
        _family_with(1, luis(coverage(level="ESP"))),
        "segment 19 (HD, segment 17 of set 0001), element HD05: the subscriber is on PPO1500 "
        "tier family: a dependent joins the same plan and tier",
    ),
    "tier fits family": (
        [member(coverage(level="ESP"))],
        "segment 13 (HD, segment 11 of set 0001), element HD05: M",
    ),
    "child tier": (
        _family_with(
            2, member(coverage(level="ESP"), relationship="19", first="MIA", dob="20150901")
        ),
        "element HD05: a child cannot be on tier employee_spouse",
    ),
    "no employee": (
        [member(coverage(level="SPO"))],
        "segment 13 (HD, segment 11 of set 0001), element HD05: coverage level SPO leaves the "
        "employee out: the tiers here are employee, employee and spouse, employee and children, "
        "family",
    ),
    "plan year": (
        [member(coverage(level="EMP", start="20250101"))],
        "segment 14 (DTP, segment 12 of set 0001), element DTP03: PPO1500 is not offered in the "
        "plan year containing 2025-01-01",
    ),
    "new member without birth date": (
        [member(coverage(level="EMP"), dob=None)],
        "segment 9 (DMG, segment 7 of set 0001): a new member's birth date (DMG02) is required",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_each_refusal_names_its_segment_and_element(desk: Desk, case: str) -> None:
    loops, error = REFUSALS[case]
    summary = desk.run(interchange(enrollment(*loops)))
    (transaction,) = summary.transactions
    assert transaction.status == "rejected"
    assert any(error in text for text in transaction.errors), transaction.errors
    assert desk.counts() == (0, 0)


def test_a_dependent_whose_subscriber_is_unknown_is_refused(desk: Desk) -> None:
    loop = member(coverage(), relationship="19", first="MIA", dob="20150901", number="E999")
    (transaction,) = desk.run(interchange(enrollment(loop))).transactions
    assert transaction.errors == [
        "segment 8 (REF, segment 6 of set 0001), element REF02: no subscriber E999 is on file or "
        "in this set"
    ]


def test_an_unknown_sponsor_is_refused_on_n104(desk: Desk) -> None:
    (transaction,) = desk.run(interchange(enrollment(*family(), ein="361234567"))).transactions
    assert transaction.errors == [
        "segment 5 (N1, segment 3 of set 0001), element N104: no employer with EIN 36-1234567 "
        "is on file"
    ]


def test_a_family_keyed_by_ssn_never_stores_the_ssn_in_the_clear(desk: Desk) -> None:
    loops = family()
    loops[0] = member(coverage(), number="900123456", ssn="900123456")
    loops[2] = member(
        coverage(),
        relationship="19",
        first="MIA",
        dob="20150901",
        number="900123456",
        ssn="900654321",
    )
    del loops[1]
    summary = desk.run(interchange(enrollment(*loops)))
    assert summary.status == "processed", summary.transactions[0].errors
    ana = desk.member("ANA")
    assert ana["employee_number"].startswith("SSN-") and "900123456" not in ana["employee_number"]
    assert ana["ssn_last4"] == "3456"
    assert desk.member("MIA")["ssn_last4"] == "4321"
    cancel = member(
        relationship="19",
        first="MIA",
        dob="20150901",
        number="900123456",
        maintenance="024",
        dates={"357": "20260331"},
    )
    assert desk.run(interchange(enrollment(cancel), control=102)).status == "processed"
    assert desk.coverages("MIA") == [medical(end=date(2026, 3, 31))]


def test_a_correction_updates_the_member_found_by_its_earlier_data(desk: Desk) -> None:
    desk.run(interchange(enrollment(*family()), control=401))
    fix = member(
        relationship="19",
        first="MIA",
        dob="20150902",
        maintenance="001",
        reason="25",
        prior=("MIA", "20150901"),
    )
    summary = desk.run(interchange(enrollment(fix), control=402))
    assert summary.status == "processed", summary.transactions[0].errors
    assert desk.member("MIA")["birth_date"] == date(2015, 9, 2)
    assert desk.counts() == (3, 3)


def test_a_full_file_ends_the_members_it_leaves_out(desk: Desk) -> None:
    other = desk.subscriber(
        "E200",
        "BEA",
        date(1975, 1, 2),
        ("PPO1500", Tier.EMPLOYEE, JAN, None),
        ("VISION", Tier.EMPLOYEE, JAN, None),
        last="KIM",
    )
    assert other
    loops = [member(coverage(level="EMP", maintenance="030"), maintenance="030")]
    text = interchange(enrollment(*loops, action="RX", effective="20260601"))
    summary = desk.run(text)
    assert summary.status == "processed", summary.transactions[0].errors
    assert desk.coverages("BEA") == [
        medical(tier="employee", end=date(2026, 5, 31)),
        ("vision", "VISION", "employee", JAN, None),  # the file carries no vision enrollment
    ]
    assert desk.coverages("ANA") == [medical(tier="employee")]
    changes = summary.transactions[0].enrollment["changes"]  # type: ignore[index]
    assert any("(not in the full file)" in text for text in changes)


def test_a_verify_file_compares_and_changes_nothing(desk: Desk) -> None:
    desk.run(interchange(enrollment(*family()), control=501))
    before = desk.snapshot()
    loops = family(maintenance="030")
    loops[2] = member(
        coverage(end="20260430", maintenance="030"),
        relationship="19",
        first="MIA",
        dob="20150901",
        maintenance="030",
    )
    summary = desk.run(interchange(enrollment(*loops, action="4"), control=502))
    assert summary.status == "processed"
    assert desk.snapshot() == before
    done = summary.transactions[0].enrollment
    assert done is not None
    assert any("2026-04-30" in text for text in done["changes"])
    assert "nothing was changed" in done["notes"][-1]


def test_lines_this_tpa_does_not_administer_are_noted_not_enrolled(desk: Desk) -> None:
    loop = member(coverage(level="EMP"), coverage("HE", "HEARING", "EMP"))
    summary = desk.run(interchange(enrollment(loop)))
    assert summary.status == "processed", summary.transactions[0].errors
    assert desk.coverages("ANA") == [medical(tier="employee")]
    notes = summary.transactions[0].enrollment["notes"]  # type: ignore[index]
    assert notes == [
        "ANA RIVERA (E100): HD03 HE is not a line this TPA administers: that "
        "coverage loop is not enrolled"
    ]


def test_pharmacy_and_disability_lines_are_enrolled(desk: Desk) -> None:
    loop = member(
        coverage(level="EMP"),
        coverage("PDG", "RX-4TIER", "EMP"),
        coverage("STD", "STD60", ""),
        dates={"336": "20150105"},
    )
    summary = desk.run(interchange(enrollment(loop)))
    assert summary.status == "processed", summary.transactions[0].errors
    assert desk.coverages("ANA") == [
        medical(tier="employee"),
        ("pharmacy", "RX-4TIER", "employee", JAN, None),
        ("std", "STD60", "employee", JAN, None),
    ]
    assert desk.member("ANA")["hire_date"] == date(2015, 1, 5)
    spouse = member(
        coverage("STD", "STD60", ""), relationship="01", first="LUIS", dob="19790611", sex="M"
    )
    refused = desk.run(interchange(enrollment(spouse), control=102))
    assert "only the employee is covered by std" in refused.transactions[0].errors[0]
