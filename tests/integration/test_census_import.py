"""The census import through the database, on SQLite and PostgreSQL: all or nothing, every bad
row reported, idempotent, and an edited file updates rather than duplicates."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.employers import service as employers
from aso.employers.schemas import EmployerCreate, PlanYearCreate
from aso.errors import Forbidden, ValidationFailed
from aso.members import service
from aso.members.census import CENSUS_COLUMNS, CensusRejected, import_census
from aso.members.crypto import SsnCipher
from aso.members.models import CensusImport, Coverage, Member
from aso.members.schemas import CensusSummary
from aso.plans.domain import Line
from aso.plans.templates import get_template
from aso.security.domain import SYSTEM, Principal, Role
from aso.security.models import AuditEntry
from aso.synth.population import Offerings, generate_census

TODAY = date(2026, 5, 10)
ADDRESS = dict(address1="1 Main St", city="Columbus", state="OH", zip="43215")
PLANS = ("PPO1500", "HDHP3400", "RX-4TIER", "HDHP-RX", "DENTAL-PPO", "VISION", "STD60", "LTD60")


class Census:
    def __init__(self, app: App, uow: UnitOfWork) -> None:
        self.uow = uow
        self.cipher = SsnCipher(app.settings.resolved_ssn_key())
        acme = employers.create_employer(
            uow=uow, actor=SYSTEM, data=EmployerCreate(name="Acme", ein="31-1234567", **ADDRESS)
        )
        self.employer_id = acme.id
        employers.add_plan_year(
            uow=uow,
            actor=SYSTEM,
            employer_id=acme.id,
            data=PlanYearCreate(start=date(2026, 1, 1), end=date(2026, 12, 31)),
        )
        for plan in PLANS:
            employers.offer_plan(
                uow=uow, actor=SYSTEM, employer_id=acme.id, design=get_template(plan)
            )

    def run(self, rows: list[dict[str, str]], name: str = "census.csv", **kw: Any) -> CensusSummary:
        return self.run_text(to_csv(rows), name, **kw)

    def run_text(self, text: str, name: str = "census.csv", **kw: Any) -> CensusSummary:
        return import_census(
            uow=self.uow,
            actor=kw.get("actor", SYSTEM),
            employer_id=self.employer_id,
            text=text,
            filename=name,
            cipher=self.cipher,
            today=TODAY,
            rng=random.Random(5),
        )

    def snapshot(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Every member and coverage as plain values (timestamps left out)."""
        with self.uow as uow:
            members = uow.session.execute(
                select(
                    Member.id,
                    Member.member_number,
                    Member.subscriber_id,
                    Member.relationship,
                    Member.employee_number,
                    Member.first_name,
                    Member.last_name,
                    Member.birth_date,
                    Member.sex,
                    Member.ssn_encrypted,
                    Member.ssn_last4,
                    Member.address1,
                    Member.city,
                    Member.state,
                    Member.zip,
                    Member.hire_date,
                    Member.annual_earnings_cents,
                    Member.employment_class,
                ).order_by(Member.id)
            ).all()
            coverages = uow.session.execute(
                select(
                    Coverage.id,
                    Coverage.member_id,
                    Coverage.plan_id,
                    Coverage.line,
                    Coverage.tier,
                    Coverage.start_date,
                    Coverage.end_date,
                ).order_by(Coverage.id)
            ).all()
            return [tuple(m) for m in members], [tuple(c) for c in coverages]

    def member(self, first: str) -> Member:
        with self.uow as uow:
            found = uow.session.scalars(select(Member).where(Member.first_name == first)).one()
            uow.session.expunge(found)
            return found

    def coverages(self, first: str) -> list[tuple[str, str, str, date, date | None]]:
        with self.uow as uow:
            rows = uow.session.execute(
                select(
                    Coverage.line,
                    Coverage.tier,
                    Member.first_name,
                    Coverage.start_date,
                    Coverage.end_date,
                )
                .join(Member, Member.id == Coverage.member_id)
                .where(Member.first_name == first)
                .order_by(Coverage.line, Coverage.start_date)
            ).all()
            return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


@pytest.fixture
def census(app: App, uow: UnitOfWork) -> Census:
    return Census(app, uow)


def to_csv(rows: list[dict[str, str]], line_end: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CENSUS_COLUMNS, restval="", lineterminator=line_end)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def subscriber(number: str = "E001", first: str = "Ann", **fields: str) -> dict[str, str]:
    return {
        "employee_number": number,
        "relationship": "subscriber",
        "first_name": first,
        "last_name": "Lee",
        "dob": "1980-03-02",
        "sex": "F",
        "ssn": "123-45-6789",
        "address1": "1 Main St",
        "city": "Columbus",
        "state": "OH",
        "zip": "43215",
        "hire_date": "2015-06-01",
        "annual_earnings": "52000.00",
        "employment_class": "salaried",
        "medical_plan": "PPO1500",
        "medical_tier": "family",
        "pharmacy_plan": "RX-4TIER",
        "pharmacy_tier": "family",
        "std_plan": "STD60",
        "coverage_start": "2026-01-01",
    } | fields


def dependent(relationship: str, first: str, dob: str, **fields: str) -> dict[str, str]:
    return {
        "employee_number": "E001",
        "relationship": relationship,
        "first_name": first,
        "last_name": "Lee",
        "dob": dob,
        "sex": "M",
        "medical_plan": "PPO1500",
        "medical_tier": "family",
        "pharmacy_plan": "RX-4TIER",
        "pharmacy_tier": "family",
        "coverage_start": "2026-01-01",
    } | fields


def lee_family(**subscriber_fields: str) -> list[dict[str, str]]:
    return [
        subscriber(**subscriber_fields),
        dependent("spouse", "Bo", "1981-07-19", ssn="123-45-6790"),
        dependent("child", "Cy", "2012-01-05"),
    ]


SOLO = subscriber(
    "E002",
    "Dee",
    ssn="",
    medical_tier="employee",
    pharmacy_tier="employee",
    std_plan="",
    dob="1990-10-10",
)


def test_a_good_file_is_imported(census: Census) -> None:
    summary = census.run([*lee_family(), SOLO])
    assert (summary.rows, summary.members_added, summary.coverages_added) == (4, 4, 9)
    assert summary.already_imported is False
    ann = census.member("Ann")
    assert ann.ssn_last4 == "6789" and ann.ssn_encrypted and "6789" not in ann.ssn_encrypted
    assert census.cipher.decrypt(ann.ssn_encrypted) == "123456789"
    bo = census.member("Bo")
    assert bo.subscriber_id == ann.id and (bo.address1, bo.zip) == ("1 Main St", "43215")
    assert census.coverages("Ann") == [
        ("medical", "family", "Ann", date(2026, 1, 1), None),
        ("pharmacy", "family", "Ann", date(2026, 1, 1), None),
        ("std", "employee", "Ann", date(2026, 1, 1), None),
    ]
    assert census.member("Dee").ssn_encrypted is None
    with census.uow as uow:
        created = uow.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "create",
                AuditEntry.record_type == "member",
                AuditEntry.detail == "census census.csv",
            )
        )
        assert created == 4


def test_a_file_with_errors_changes_nothing_and_lists_every_bad_row(census: Census) -> None:
    census.run([SOLO])
    before = census.snapshot()
    rows = [
        *lee_family(),  # rows 2-4 fine
        subscriber("E003", "Eve", dob="1985-13-01", ssn="123-45-6791"),  # row 5
        dependent("child", "Fay", "2014-02-02", employee_number="E404"),  # row 6
        subscriber(
            "E004",
            "Gus",
            ssn="123-45-6792",
            medical_tier="platinum",
            pharmacy_plan="",
            pharmacy_tier="",
        ),  # row 7
        subscriber(
            "E002",
            "Dee",
            ssn="",
            medical_tier="employee",
            pharmacy_tier="employee",
            std_plan="",
            dob="1990-10-10",
            coverage_start="2026-03-01",
            coverage_end="2026-02-01",
        ),  # row 8
    ]
    with pytest.raises(ValidationFailed) as caught:
        census.run(rows)
    assert [str(p) for p in caught.value.problems] == [
        "row 5, dob: not a date (use YYYY-MM-DD)",
        "row 6, employee_number: no subscriber E404 in this file or on file",
        "row 7, medical_tier: 'platinum' is not one of employee, employee_spouse, "
        "employee_children, family",
        "row 8, coverage_end: before coverage_start",
    ]
    assert caught.value.summary == "census.csv: rejected, nothing imported"
    assert isinstance(caught.value, CensusRejected)
    report = caught.value.report
    assert (report.accepted, report.rows, report.members_added) == (False, 7, 0)
    assert report.errors == [str(p) for p in caught.value.problems]
    assert census.snapshot() == before
    with census.uow as uow:
        assert uow.session.scalar(select(func.count(CensusImport.id))) == 1


def test_a_conflict_with_coverage_on_file_is_reported_and_nothing_is_written(
    census: Census,
) -> None:
    census.run([SOLO | {"coverage_end": "2026-06-30"}])
    before = census.snapshot()
    later = SOLO | {"coverage_start": "2026-06-01", "ssn": "123-45-6799"}  # an edit + a clash
    with pytest.raises(ValidationFailed) as caught:
        census.run([later, *lee_family()])
    assert [str(p) for p in caught.value.problems] == [
        "row 2, medical_plan: overlaps the member's coverage medical PPO1500 employee "
        "2026-01-01..2026-06-30",
        "row 2, pharmacy_plan: overlaps the member's coverage pharmacy RX-4TIER employee "
        "2026-01-01..2026-06-30",
    ]
    assert census.snapshot() == before


def test_the_same_file_twice_is_recognised_and_changes_nothing(census: Census) -> None:
    rows = [*lee_family(), SOLO]
    census.run(rows)
    before = census.snapshot()
    again = census.run(rows, name="census-copy.csv")
    assert again.already_imported
    assert (again.members_added, again.members_updated, again.coverages_added) == (0, 0, 0)
    assert "the same file (census.csv) was imported" in again.notes[0]
    assert census.snapshot() == before


def test_the_same_content_in_another_file_matches_every_member_and_changes_nothing(
    census: Census,
) -> None:
    rows = [*lee_family(), SOLO]
    census.run(rows)
    before = census.snapshot()
    reordered = list(reversed(rows))
    text = to_csv(reordered, line_end="\r\n")
    summary = census.run_text(text, name="resent.csv")
    assert not summary.already_imported
    assert (summary.members_added, summary.members_updated, summary.members_unchanged) == (0, 0, 4)
    assert (summary.coverages_added, summary.coverages_changed) == (0, 0)
    assert summary.coverages_unchanged == 9
    assert census.snapshot() == before


def test_an_edited_file_updates_rather_than_duplicates(census: Census) -> None:
    census.run([*lee_family(), SOLO])
    members_before, coverages_before = census.snapshot()
    ann_id = census.member("Ann").id
    edited = [
        subscriber(
            last_name="Lee-Park",
            address1="9 Oak St",
            annual_earnings="61000",
            coverage_end="2026-03-31",
        ),
        dependent("spouse", "Bo", "1981-07-19", ssn="123-45-6790", last_name="Lee-Park"),
        dependent("child", "Cyrus", "2012-01-05"),  # first name corrected
        SOLO | {"dob": "1990-10-11", "medical_plan": "HDHP3400", "pharmacy_plan": "HDHP-RX"},
    ]
    summary = census.run(edited, name="census-v2.csv")
    assert (summary.members_added, summary.members_updated, summary.members_unchanged) == (0, 4, 0)
    members_after, coverages_after = census.snapshot()
    assert len(members_after) == len(members_before)
    assert len(coverages_after) == len(coverages_before)
    ann = census.member("Ann")
    assert ann.id == ann_id
    assert (ann.last_name, ann.address1, str(ann.annual_earnings_cents)) == (
        "Lee-Park",
        "9 Oak St",
        "61000.00",
    )
    assert census.member("Cyrus").subscriber_id == ann_id
    assert census.member("Dee").birth_date == date(1990, 10, 11)
    # Ann's termination on 2026-03-31 (before TODAY) is retroactive, and her family's ends too.
    assert {end for *_, end in census.coverages("Ann")} == {date(2026, 3, 31)}
    assert {end for *_, end in census.coverages("Bo")} == {date(2026, 3, 31)}
    assert (
        f"row 2: {ann.member_number} medical PPO1500 coverage from 2026-01-01: end open -> "
        "2026-03-31 (retroactive termination)"
    ) in summary.changes
    assert f"row 2: {ann.member_number} updated (last_name, address1, annual_earnings_cents)" in (
        summary.changes
    )
    dee = census.member("Dee").member_number
    assert f"row 5: {dee} plan PPO1500 -> HDHP3400" in summary.changes
    eligibility = service.check_eligibility(
        uow=census.uow,
        actor=SYSTEM,
        line=Line.MEDICAL,
        on=date(2026, 4, 1),
        member_id=census.member("Cyrus").member_number,
    )
    assert eligibility.reason == "coverage_ended"


def test_a_later_election_supersedes_an_open_coverage(census: Census) -> None:
    census.run([SOLO])
    marries = [
        SOLO
        | {
            "medical_tier": "employee_spouse",
            "pharmacy_tier": "employee_spouse",
            "coverage_start": "2026-07-01",
        },
        dependent(
            "spouse",
            "Hal",
            "1989-01-01",
            employee_number="E002",
            medical_tier="employee_spouse",
            pharmacy_tier="employee_spouse",
            coverage_start="2026-07-01",
        ),
    ]
    summary = census.run(marries, name="marriage.csv")
    assert (summary.members_added, summary.coverages_added, summary.coverages_changed) == (1, 4, 2)
    assert census.coverages("Dee") == [
        ("medical", "employee", "Dee", date(2026, 1, 1), date(2026, 6, 30)),
        ("medical", "employee_spouse", "Dee", date(2026, 7, 1), None),
        ("pharmacy", "employee", "Dee", date(2026, 1, 1), date(2026, 6, 30)),
        ("pharmacy", "employee_spouse", "Dee", date(2026, 7, 1), None),
    ]
    assert any("superseded" in change for change in summary.changes)


def test_a_dependent_listed_alone_joins_its_subscriber_on_file(census: Census) -> None:
    census.run(lee_family())
    baby = dependent("child", "Ivy", "2026-04-02", coverage_start="2026-04-02")
    summary = census.run([baby], name="newborn.csv")
    assert (summary.members_added, summary.coverages_added) == (1, 2)
    assert census.member("Ivy").subscriber_id == census.member("Ann").id
    wrong_tier = dependent(
        "child", "Jo", "2026-04-02", coverage_start="2026-04-02", medical_tier="employee_children"
    )
    with pytest.raises(
        ValidationFailed, match="row 2, medical_plan: the subscriber is on PPO1500 tier family"
    ):
        census.run([wrong_tier], name="newborn2.csv")


def test_the_subscribers_tier_must_fit_the_dependents_in_the_file_and_on_file(
    census: Census,
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        census.run([subscriber()])
    assert [str(p) for p in caught.value.problems] == [
        "row 2, medical_tier: tier family needs at least one dependent enrolled",
        "row 2, pharmacy_tier: tier family needs at least one dependent enrolled",
    ]
    census.run(lee_family())
    alone = subscriber(medical_tier="employee", pharmacy_tier="employee")
    with pytest.raises(ValidationFailed, match="tier employee covers no dependents"):
        census.run([alone], name="alone.csv")


def test_a_subscribers_termination_ends_the_dependents_left_out_of_the_file(
    census: Census,
) -> None:
    census.run(lee_family())
    summary = census.run([subscriber(coverage_end="2026-03-31")], name="leaver.csv")
    assert (summary.members_unchanged, summary.coverages_changed) == (1, 7)  # 3 + 2 + 2
    for first in ("Ann", "Bo", "Cy"):
        assert {end for *_, end in census.coverages(first)} == {date(2026, 3, 31)}
    bo = census.member("Bo").member_number
    assert (
        f"row 2: {bo} medical PPO1500 coverage from 2026-01-01: end open -> 2026-03-31 "
        "(retroactive termination), with its subscriber"
    ) in summary.changes


def test_only_an_administrator_imports(census: Census) -> None:
    rep = Principal(user_id=None, username="rep", role=Role.SERVICE_REP)
    with pytest.raises(Forbidden, match="administrator"):
        census.run([SOLO], actor=rep)


def test_the_synthetic_population_imports_and_reimports_cleanly(census: Census) -> None:
    offer = Offerings(
        medical=(("PPO1500", 0.6), ("HDHP3400", 0.4)),
        pharmacy_for={"PPO1500": "RX-4TIER", "HDHP3400": "HDHP-RX"},
        dental="DENTAL-PPO",
        vision="VISION",
        std="STD60",
        ltd="LTD60",
    )
    rows = generate_census(seed=11, employees=60, offerings=offer, coverage_start=date(2026, 1, 1))
    first = census.run(rows, name="synth.csv")
    assert first.members_added == len(rows)
    before = census.snapshot()
    second = census.run_text(to_csv(rows, line_end="\r\n"), name="synth-crlf.csv")
    assert second.members_unchanged == len(rows) and second.coverages_added == 0
    assert census.snapshot() == before
