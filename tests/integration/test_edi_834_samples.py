"""Each 834 example of the implementation guide (../shared/x12-samples, read in place) applied to
the enrollment it presumes, on SQLite and PostgreSQL. The examples name a made-up sponsor
(EIN 99-9888777) with one plan per line; their dates are in 1996 and 2002, so every change is
retroactive. What each must do is read off the file and the guide's description of the example.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.members.crypto import SsnCipher
from aso.plans.domain import Tier
from tests.integration.edi_builders import Desk, assert_acks_valid, segments
from tests.unit.edi_builders import sample

PLANS = ("PPO1500", "DENTAL-PPO", "VISION")
Y1996, Y2002 = date(1996, 1, 1), date(2002, 1, 1)


@pytest.fixture
def desk(app: App, uow: UnitOfWork) -> Desk:
    found = Desk(app, uow, SsnCipher(app.settings.resolved_ssn_key()))
    found.employer(ein="99-9888777", name="Sample Sponsor", years=(1996, 2002), plans=PLANS)
    return found


def run(desk: Desk, name: str, tmp_path: Path, text: str | None = None) -> dict[str, object]:
    summary = desk.run(text or sample("X220A1", name), name=name)
    assert_acks_valid(summary, tmp_path)
    (transaction,) = summary.transactions
    assert summary.status == "processed", transaction.errors
    assert segments(summary.ack_999)[5] == "IK5*A"
    assert transaction.enrollment is not None
    return transaction.enrollment


def doe_family(desk: Desk, *, end: date | None = None, child_ssn: str | None = None) -> None:
    """John Doe (employee 123456789) and Mary, on PPO1500 family tier since 1996-01-01."""
    family = ("PPO1500", Tier.FAMILY, Y1996, end)
    john = desk.subscriber("123456789", "JOHN", date(1950, 4, 16), family, last="DOE", sex="M")
    desk.dependent(john, "spouse", "MARY", date(1952, 3, 3), family, last="DOE", sex="F")
    if child_ssn:
        desk.dependent(john, "child", "JAMES", date(1977, 8, 16), family, last="DOE", ssn=child_ssn)


def smith(desk: Desk, *coverages: tuple[str, Tier, date, date | None]) -> str:
    """William Smith (employee 202443307)."""
    return desk.subscriber(
        "202443307", "WILLIAM", date(1970, 6, 14), *coverages, last="SMITH", sex="M"
    )


def test_add_a_full_time_student_to_an_existing_enrollment(desk: Desk, tmp_path: Path) -> None:
    doe_family(desk)
    name = "add-dependent--full-time-student--to-existing-enrollment.edi"
    done = run(desk, name, tmp_path)
    assert done["members_added"] == 1
    assert desk.coverages("JAMES") == [("medical", "PPO1500", "family", date(1996, 6, 1), None)]
    james = desk.member("JAMES")
    assert (james["relationship"], james["birth_date"], james["ssn_last4"]) == (
        "child",
        date(1977, 8, 16),
        "9876",
    )


def test_add_coverage_for_a_subscriber(desk: Desk, tmp_path: Path) -> None:
    smith(desk, ("PPO1500", Tier.EMPLOYEE, Y2002, None))
    done = run(desk, "add-subscriber-coverage.edi", tmp_path)
    assert (done["members_unchanged"], done["coverages_added"]) == (1, 1)
    assert desk.coverages("WILLIAM") == [
        ("dental", "DENTAL-PPO", "employee", date(2002, 7, 1), None),
        ("medical", "PPO1500", "employee", Y2002, None),
    ]


def test_cancel_a_dependent(desk: Desk, tmp_path: Path) -> None:
    doe_family(desk, child_ssn="103229876")
    run(desk, "cancel-a-dependent.edi", tmp_path)
    assert desk.coverages("JAMES") == [("medical", "PPO1500", "family", Y1996, date(1996, 8, 1))]
    assert (
        desk.coverages("JOHN")
        == desk.coverages("MARY")
        == [("medical", "PPO1500", "family", Y1996, None)]
    )


def test_change_subscriber_information(desk: Desk, tmp_path: Path) -> None:
    doe_family(desk)
    desk.subscriber("123456780", "JAMES", date(1950, 4, 16), last="DOE", sex="M")
    name = "change-subscriber-information.edi"
    text = sample("X220A1", name)
    refused = desk.run(text, name=name)  # the example's sponsor EIN 000111000 is no EIN
    (transaction,) = refused.transactions
    assert transaction.errors == [
        "segment 5 (N1, segment 3 of set 12345), element N104: the sponsor's EIN 000111000: 00 "
        "is not an EIN prefix the IRS issues"
    ]
    assert segments(refused.ack_999)[5:8] == ["IK3*N1*3*1000*8", "IK4*4**I12*000111000", "IK5*R*5"]
    assert_acks_valid(refused, tmp_path)
    fixed = text.replace("*FI*000111000~", "*FI*999888777~").replace("*000010216*", "*000010217*")
    fixed = fixed.replace("IEA*1*000010216", "IEA*1*000010217").replace(
        "REF*0F*123456789", "REF*0F*123456780"
    )
    done = run(desk, name, tmp_path, fixed)
    assert done["members_updated"] == 1
    assert desk.member("JAMES")["birth_date"] == date(1950, 4, 15)  # corrected from 1950-04-16
    assert desk.member("JAMES")["ssn_last4"] == "9876"


def test_enroll_an_employee_in_a_managed_care_product(desk: Desk, tmp_path: Path) -> None:
    run(desk, "enroll-employee-in-managed-care-product.edi", tmp_path)
    assert desk.coverages("WILLIAM") == [("medical", "PPO1500", "employee", date(1996, 6, 1), None)]
    william = desk.member("WILLIAM")
    assert william["employee_number"].startswith("SSN-")  # REF*0F is his SSN: never in the clear
    assert (william["zip"], william["ssn_last4"], william["birth_date"]) == (
        "17111-0000",
        "3307",
        date(1970, 6, 14),
    )


def test_enroll_an_employee_in_several_products(desk: Desk, tmp_path: Path) -> None:
    done = run(desk, "enroll-employee-in-multiple-health-care-insurance-products.edi", tmp_path)
    assert (done["members_added"], done["coverages_added"]) == (1, 3)
    start = date(1996, 6, 1)
    assert desk.coverages("JOHN") == [
        ("dental", "DENTAL-PPO", "employee", start, None),
        ("medical", "PPO1500", "employee", start, None),
        ("vision", "VISION", "employee", start, None),
    ]


def test_reinstate_an_employee(desk: Desk, tmp_path: Path) -> None:
    doe_family(desk, end=date(1996, 9, 30))
    run(desk, "reinstate-an-employee.edi", tmp_path)
    for first in ("JOHN", "MARY"):
        assert desk.coverages(first) == [("medical", "PPO1500", "family", Y1996, None)]


def test_reinstate_an_employee_at_coverage_level(desk: Desk, tmp_path: Path) -> None:
    july = date(2002, 7, 1)
    smith(
        desk,
        ("PPO1500", Tier.EMPLOYEE, Y2002, None),
        ("DENTAL-PPO", Tier.EMPLOYEE, july, date(2002, 9, 30)),
    )
    run(desk, "reinstate-employee-at-coverage--hd--level.edi", tmp_path)
    assert desk.coverages("WILLIAM") == [
        ("dental", "DENTAL-PPO", "employee", july, None),
        ("medical", "PPO1500", "employee", Y2002, None),
    ]


def test_reinstate_member_eligibility(desk: Desk, tmp_path: Path) -> None:
    july, september = date(2002, 7, 1), date(2002, 9, 30)
    smith(
        desk,
        ("PPO1500", Tier.EMPLOYEE, Y2002, september),
        ("DENTAL-PPO", Tier.EMPLOYEE, july, september),
        ("VISION", Tier.EMPLOYEE, Y2002, date(2002, 3, 31)),  # dropped earlier: stays ended
    )
    run(desk, "reinstate-member-eligibility--ins-.edi", tmp_path)
    assert desk.coverages("WILLIAM") == [
        ("dental", "DENTAL-PPO", "employee", july, None),
        ("medical", "PPO1500", "employee", Y2002, None),
        ("vision", "VISION", "employee", Y2002, date(2002, 3, 31)),
    ]


def test_terminate_eligibility_for_a_subscriber(desk: Desk, tmp_path: Path) -> None:
    doe_family(desk)
    done = run(desk, "terminate-eligibility-for-subscriber.edi", tmp_path)
    assert done["coverages_changed"] == 2
    for first in ("JOHN", "MARY"):
        assert desk.coverages(first) == [("medical", "PPO1500", "family", Y1996, date(1996, 10, 1))]
    changes = done["changes"]
    assert isinstance(changes, list)
    assert all("(retroactive termination)" in text for text in changes)
