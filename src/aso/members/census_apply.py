"""The service half of the census import: match checked rows with the members on file, find
what the database must refuse (an unknown subscriber, an overlap with a coverage on file), then
write members and coverages. Never commits: :func:`aso.members.census.import_census` does.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from aso.employers.domain import Address
from aso.employers.models import OfferedPlan
from aso.errors import Problem
from aso.members import repository as repo
from aso.members.census_rows import CensusRow, Election, match_group
from aso.members.crypto import SsnCipher
from aso.members.domain import (
    CoverageSpan,
    Relationship,
    change_end,
    day_before,
    ending_with_subscriber,
    family_tier_problem,
)
from aso.members.models import Coverage, Member
from aso.members.schemas import CensusSummary
from aso.members.service import set_ssn
from aso.security import audit
from aso.security.domain import Principal


@dataclass
class _MemberWork:
    """What to do for one row: the member on file (None = new) and its new field values."""

    row: CensusRow
    member: Member | None
    head: _MemberWork | None
    head_on_file: Member | None
    values: dict[str, object] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)


@dataclass
class _Cascade:
    """A dependent on file, not in the file, whose coverage ends with its subscriber's."""

    row: CensusRow
    dependent: Member
    coverage: Coverage
    end: date


@dataclass
class _CoverageWork:
    work: _MemberWork
    election: Election
    existing: Coverage | None
    end: date | None
    superseded: Coverage | None = None


class CensusPlan:
    """The import worked out against the members on file, before anything is written."""

    def __init__(
        self, session: Session, employer_id: int, plans: dict[int, OfferedPlan], today: date
    ) -> None:
        self.session = session
        self.employer_id = employer_id
        self.plans = plans
        self.today = today
        self.problems: list[Problem] = []
        self.members: list[_MemberWork] = []
        self.coverages: list[_CoverageWork] = []
        self.bad_families: set[str] = set()
        self.claimed: set[int] = set()
        """Dependents on file matched by a row of this file."""
        self.cascades: list[_Cascade] = []
        on_file = repo.members_of_employer(session, employer_id)
        self.subscribers = {m.employee_number: m for m in on_file if m.employee_number}
        self.dependents: dict[int, list[Member]] = defaultdict(list)
        for member in on_file:
            if member.subscriber_id is not None:
                self.dependents[member.subscriber_id].append(member)

    def problem(self, row: CensusRow, column: str, message: str) -> None:
        self.problems.append(Problem(f"row {row.row}, {column}", message))

    # matching ---------------------------------------------------------------------------

    def match(self, rows: list[CensusRow]) -> None:
        heads: dict[str, _MemberWork] = {}
        for row in rows:
            if row.is_subscriber:
                work = _MemberWork(row, self._match_subscriber(row), None, None)
                heads[row.employee_number] = work
                self.members.append(work)
        for row in rows:
            if not row.is_subscriber:
                dependent = self._match_dependent(row, heads.get(row.employee_number))
                if dependent is not None:
                    self.members.append(dependent)
        for work in self.members:
            self._member_values(work)
            self._coverage_work(work)
            if work.row.is_subscriber and work.row.employee_number not in self.bad_families:
                self._check_tiers(work)

    def _absent_dependents(self, work: _MemberWork) -> list[Member]:
        """The subscriber's dependents on file that this file does not list."""
        if work.member is None:
            return []
        return [d for d in self.dependents[work.member.id] if d.id not in self.claimed]

    def _match_subscriber(self, row: CensusRow) -> Member | None:
        member = self.subscribers.get(row.employee_number)
        if member is None:
            return None
        same_name = member.first_name.casefold() == row.first_name.casefold()
        if not same_name and member.birth_date != row.birth_date:
            self.problem(
                row,
                "employee_number",
                f"{row.employee_number} is {member.first_name} {member.last_name} "
                f"({member.member_number}) on file, born {member.birth_date}",
            )
        return member

    def _match_dependent(self, row: CensusRow, head: _MemberWork | None) -> _MemberWork | None:
        on_file_head = head.member if head else self.subscribers.get(row.employee_number)
        if head is None and on_file_head is None:
            if row.employee_number in self.bad_families:
                return None  # its subscriber's row is wrong, and reported
            self.problem(
                row,
                "employee_number",
                f"no subscriber {row.employee_number} in this file or on file",
            )
            return None
        candidates = [] if on_file_head is None else self.dependents[on_file_head.id]
        member = _best_match(row, [c for c in candidates if c.id not in self.claimed])
        if member is not None:
            self.claimed.add(member.id)
        return _MemberWork(row, member, head, on_file_head)

    # member fields ----------------------------------------------------------------------

    def _member_values(self, work: _MemberWork) -> None:
        row = work.row
        address = row.address or self._head_address(work)
        values: dict[str, object] = {
            "relationship": row.relationship.value,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "birth_date": row.birth_date,
            "sex": row.sex.value,
            "address1": address.address1,
            "city": address.city,
            "state": address.state,
            "zip": address.zip,
        }
        if row.is_subscriber:
            values |= {
                "employee_number": row.employee_number,
                "hire_date": row.hire_date,
                "annual_earnings_cents": row.annual_earnings,
                "employment_class": row.employment_class,
            }
        work.values = values
        if work.member is not None:
            work.changed = [k for k, v in values.items() if getattr(work.member, k) != v]

    def _head_address(self, work: _MemberWork) -> Address:
        if work.head is not None and work.head.row.address is not None:
            return work.head.row.address
        head = work.head_on_file
        assert head is not None
        return Address(head.address1, head.city, head.state, head.zip, head.address2)

    # coverages --------------------------------------------------------------------------

    def _coverage_work(self, work: _MemberWork) -> None:
        row = work.row
        on_file = [] if work.member is None else list(work.member.coverages)
        for election in row.elections:
            assert row.coverage_start is not None
            same_start = [
                c
                for c in on_file
                if c.line == election.line.value and c.start_date == row.coverage_start
            ]
            existing = same_start[0] if same_start else None
            item = _CoverageWork(work, election, existing, row.coverage_end)
            candidate = self._span(election, row.coverage_start, row.coverage_end, existing)
            others = [c for c in on_file if c is not existing]
            for clash in (c for c in others if repo.span(c).overlaps(candidate)):
                if clash.end_date is None and clash.start_date < candidate.start:
                    item.superseded = clash
                else:
                    self.problem(
                        row,
                        election.column,
                        f"overlaps the member's coverage {repo.span(clash).describe()}",
                    )
            if work.head is None and not row.is_subscriber:
                self._check_against_head_on_file(work, election)
            if existing is not None and row.is_subscriber and row.coverage_end is not None:
                self._end_absent_dependents(work, repo.span(existing), row.coverage_end)
            self.coverages.append(item)

    def _end_absent_dependents(self, work: _MemberWork, before: CoverageSpan, end: date) -> None:
        for dependent in self._absent_dependents(work):
            by_id = {c.id: c for c in dependent.coverages}
            to_end, orphaned = ending_with_subscriber(before, end, map(repo.span, by_id.values()))
            for span in orphaned:
                self.problem(
                    work.row,
                    "coverage_end",
                    f"dependent {dependent.member_number}'s {span.line.value} coverage starts "
                    f"{span.start}, after this end: end it first",
                )
            for span in to_end:
                assert span.id is not None
                self.cascades.append(_Cascade(work.row, dependent, by_id[span.id], end))

    def _check_tiers(self, work: _MemberWork) -> None:
        """The subscriber's tier in each line fits the dependents enrolled with it: those this
        file lists and those on file that it does not."""
        row = work.row
        in_file = [w.row for w in self.members if w.head is work]
        absent = self._absent_dependents(work)
        for election in row.elections:
            assert row.coverage_start is not None
            mine = self._span(election, row.coverage_start, row.coverage_end, None)
            enrolled = [d.relationship for d in in_file if d.election(election.line)]
            enrolled += [
                Relationship(d.relationship)
                for d in absent
                if any(repo.span(c).overlaps(mine) for c in d.coverages)
            ]
            why = family_tier_problem(election.tier, enrolled)
            if why:
                self.problem(row, election.column.replace("_plan", "_tier"), why)

    def _span(
        self, election: Election, start: date, end: date | None, existing: Coverage | None
    ) -> CoverageSpan:
        plan = election.plan
        return CoverageSpan(
            election.line,
            plan.code,
            plan.code,
            election.tier,
            start,
            end,
            plan.period_end,
            None if existing is None else existing.id,
        )

    def _check_against_head_on_file(self, work: _MemberWork, election: Election) -> None:
        """A dependent listed without its subscriber joins the subscriber's coverage on file."""
        head = work.head_on_file
        start = work.row.coverage_start
        assert head is not None and start is not None
        for span in (repo.span(c) for c in head.coverages):
            if span.line == election.line and span.start <= start <= span.last_day:
                if span.plan_code != election.plan.code or span.tier != election.tier:
                    self.problem(
                        work.row,
                        election.column,
                        f"the subscriber is on {span.plan_code} tier {span.tier.value} on "
                        f"{start}: a dependent joins the same plan and tier",
                    )
                return
        self.problem(
            work.row,
            election.column,
            f"the subscriber has no {election.line.value} coverage on {start}",
        )

    # writing ----------------------------------------------------------------------------

    def apply(
        self, actor: Principal, cipher: SsnCipher, rng: random.Random, filename: str
    ) -> CensusSummary:
        summary = CensusSummary(filename=filename, sha256="", rows=0)
        detail = f"census {filename}"[:200]
        new = [w for w in self.members if w.member is None]
        numbers = iter(repo.allocate_member_numbers(self.session, len(new), rng))
        for subscribers in (True, False):  # subscribers first: dependents need their ids
            for work in self.members:
                if work.row.is_subscriber == subscribers:
                    self._write_member(work, cipher, numbers, summary)
            self.session.flush()
        added = [w.member.id for w in new if w.member is not None]
        updated = [w.member.id for w in self.members if w.changed and w.member is not None]
        audit.record(self.session, actor, "create", "member", added, detail=detail)
        audit.record(self.session, actor, "update", "member", updated, detail=detail)
        created = [self._write_coverage(item, actor, summary, detail) for item in self.coverages]
        for cascade in self.cascades:
            self._write_cascade(cascade, actor, summary, detail)
        self.session.flush()
        ids = [c.id for c in created if c is not None]
        audit.record(self.session, actor, "create", "coverage", ids, detail=detail)
        return summary

    def _write_member(
        self,
        work: _MemberWork,
        cipher: SsnCipher,
        numbers: Iterator[str],
        summary: CensusSummary,
    ) -> None:
        row = work.row
        if work.member is None:
            head = work.head.member if work.head else work.head_on_file
            member = Member(
                member_number=next(numbers),
                employer_id=self.employer_id,
                subscriber_id=None if head is None else head.id,
                **work.values,
            )
            set_ssn(member, row.ssn, cipher)
            self.session.add(member)
            work.member = member
            summary.members_added += 1
            return
        member = work.member
        if row.ssn is not None and member.ssn_digest != cipher.digest(row.ssn):
            work.changed.append("ssn")
            set_ssn(member, row.ssn, cipher)
        if not work.changed:
            summary.members_unchanged += 1
            return
        for key in work.changed:
            if key != "ssn":
                setattr(member, key, work.values[key])
        summary.members_updated += 1
        summary.changes.append(
            f"row {row.row}: {member.member_number} updated ({', '.join(work.changed)})"
        )

    def _write_coverage(
        self, item: _CoverageWork, actor: Principal, summary: CensusSummary, detail: str
    ) -> Coverage | None:
        """The new coverage, if the row adds one; changes to one on file are made in place."""
        member = item.work.member
        row = item.work.row
        assert member is not None and row.coverage_start is not None
        plan = self.plans[item.election.plan.plan_id]
        if item.superseded is not None:
            old = item.superseded
            change = change_end(repo.span(old), day_before(row.coverage_start), self.today)
            old.end_date = change.new_end
            summary.coverages_changed += 1
            self._log(summary, actor, row, member, old, f"{change.describe()}, superseded", detail)
        existing = item.existing
        if existing is None:
            coverage = Coverage(
                member_id=member.id,
                plan_id=plan.id,
                line=item.election.line.value,
                tier=item.election.tier.value,
                start_date=row.coverage_start,
                end_date=item.end,
            )
            self.session.add(coverage)
            summary.coverages_added += 1
            return coverage
        what = self._coverage_changes(existing, plan, item)
        if not what:
            summary.coverages_unchanged += 1
            return None
        summary.coverages_changed += 1
        self._log(summary, actor, row, member, existing, "; ".join(what), detail)
        return None

    def _write_cascade(
        self, cascade: _Cascade, actor: Principal, summary: CensusSummary, detail: str
    ) -> None:
        change = change_end(repo.span(cascade.coverage), cascade.end, self.today)
        cascade.coverage.end_date = cascade.end
        summary.coverages_changed += 1
        text = f"{change.describe()}, with its subscriber"
        self._log(summary, actor, cascade.row, cascade.dependent, cascade.coverage, text, detail)

    def _coverage_changes(
        self, existing: Coverage, plan: OfferedPlan, item: _CoverageWork
    ) -> list[str]:
        what = []
        if existing.plan_id != plan.id:
            what.append(f"plan {existing.plan.code} -> {plan.code}")
            existing.plan_id = plan.id
            existing.plan = plan
        if existing.tier != item.election.tier.value:
            what.append(f"tier {existing.tier} -> {item.election.tier.value}")
            existing.tier = item.election.tier.value
        if existing.end_date != item.end:
            what.append(change_end(repo.span(existing), item.end, self.today).describe())
            existing.end_date = item.end
        return what

    def _log(
        self,
        summary: CensusSummary,
        actor: Principal,
        row: CensusRow,
        member: Member,
        coverage: Coverage,
        text: str,
        detail: str,
    ) -> None:
        summary.changes.append(f"row {row.row}: {member.member_number} {text}")
        audit.record(self.session, actor, "update", "coverage", [coverage.id], detail=detail)


def _best_match(row: CensusRow, candidates: list[Member]) -> Member | None:
    """The dependent on file this row is: same relationship group, first name and birth date;
    else the only one with the same first name, or the only one with the same birth date
    (a corrected birth date or name)."""
    group = match_group(row.relationship)
    same_group = [c for c in candidates if match_group(Relationship(c.relationship)) == group]
    first = row.first_name.casefold()
    tests: list[Callable[[Member], bool]] = [
        lambda c: c.first_name.casefold() == first and c.birth_date == row.birth_date,
        lambda c: c.first_name.casefold() == first,
        lambda c: c.birth_date == row.birth_date,
    ]
    for test in tests:
        found = [c for c in same_group if test(c)]
        if found:
            return found[0] if len(found) == 1 else None
    return None
