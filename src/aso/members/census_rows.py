"""The pure half of the census import: reading one row's fields and checking families.

Every problem is a :class:`aso.errors.Problem` whose ``where`` is ``row N, column`` (the row is
the file line; the header is line 1). Nothing here touches the database or a file.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from aso.employers.domain import Address, address_problems
from aso.errors import Problem
from aso.members.domain import (
    PARTNERS,
    Relationship,
    Sex,
    cut_for_age,
    normalize_ssn,
    tier_problem,
)
from aso.money import to_money
from aso.plans.domain import Line, Tier

CENSUS_COLUMNS: tuple[str, ...] = (
    "employee_number", "relationship", "first_name", "last_name", "dob", "sex", "ssn",
    "address1", "city", "state", "zip", "hire_date", "annual_earnings", "employment_class",
    "medical_plan", "medical_tier", "pharmacy_plan", "pharmacy_tier", "dental_plan",
    "dental_tier", "vision_plan", "vision_tier", "std_plan", "ltd_plan", "coverage_start",
    "coverage_end",
)  # fmt: skip

ELECTION_COLUMNS: tuple[tuple[Line, str, str | None], ...] = (
    (Line.MEDICAL, "medical_plan", "medical_tier"),
    (Line.PHARMACY, "pharmacy_plan", "pharmacy_tier"),
    (Line.DENTAL, "dental_plan", "dental_tier"),
    (Line.VISION, "vision_plan", "vision_tier"),
    (Line.STD, "std_plan", None),
    (Line.LTD, "ltd_plan", None),
)
"""Each line's plan column and tier column (disability lines cover the employee alone)."""

SUBSCRIBER_ONLY = ("hire_date", "annual_earnings", "employment_class", "std_plan", "ltd_plan")
EARLIEST_BIRTH = date(1900, 1, 1)
_EMPLOYEE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
_CLASS = re.compile(r"^[A-Za-z][A-Za-z0-9 _-]{0,39}$")
_MONEY = re.compile(r"^\$?\d{1,3}(,?\d{3})*(\.\d{1,2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_E = TypeVar("_E", Relationship, Sex, Tier)


@dataclass(frozen=True, slots=True)
class OfferedPlanRef:
    """What the check needs to know about a plan the employer offers."""

    plan_id: int
    code: str
    line: Line
    period_start: date
    period_end: date
    year_start: date
    year_end: date


@dataclass(frozen=True, slots=True)
class Election:
    line: Line
    plan: OfferedPlanRef
    tier: Tier
    column: str


@dataclass(frozen=True, slots=True)
class CensusRow:
    """One checked row. ``coverage_end`` is the end the coverages get: the file's, cut at a
    child's age limit and at the end of its subscriber's coverage."""

    row: int
    employee_number: str
    relationship: Relationship
    first_name: str
    last_name: str
    birth_date: date
    sex: Sex
    ssn: str | None
    address: Address | None
    hire_date: date | None
    annual_earnings: Decimal | None
    employment_class: str | None
    elections: tuple[Election, ...]
    coverage_start: date | None
    coverage_end: date | None

    @property
    def is_subscriber(self) -> bool:
        return self.relationship is Relationship.SUBSCRIBER

    def election(self, line: Line) -> Election | None:
        return next((e for e in self.elections if e.line == line), None)


@dataclass
class ParsedCensus:
    rows: list[CensusRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    row_count: int = 0
    bad_families: set[str] = field(default_factory=set)
    """Employee numbers with a rejected row: their family checks wait for the fix."""


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first file line of the record, fields) for each CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for values in reader:
        yield line, values
        line = reader.line_num + 1


class PlanIndex:
    def __init__(self, offered: Sequence[OfferedPlanRef]) -> None:
        self._by_code: dict[str, list[OfferedPlanRef]] = defaultdict(list)
        for plan in offered:
            self._by_code[plan.code].append(plan)

    def find(self, code: str, start: date) -> OfferedPlanRef | str:
        """The plan offered under ``code`` in the plan year containing ``start``, or why not."""
        candidates = self._by_code.get(code)
        if not candidates:
            return f"{code} is not a plan this employer offers"
        for plan in candidates:
            if plan.year_start <= start <= plan.year_end:
                return plan
        return f"{code} is not offered in the plan year containing {start}"


class RowReader:
    """Reads one row's fields, collecting a problem per bad field."""

    def __init__(self, row: int, cells: dict[str, str], plans: PlanIndex, today: date) -> None:
        self.row = row
        self.cells = cells
        self.plans = plans
        self.today = today
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(f"row {self.row}, {column}", message))

    def text(self, column: str, *, required: bool = False, max_length: int = 60) -> str | None:
        value = self.cells[column]
        if not value:
            if required:
                self.problem(column, "required")
            return None
        if len(value) > max_length:
            self.problem(column, f"at most {max_length} characters")
            return None
        return value

    def day(self, column: str, *, required: bool = False) -> date | None:
        value = self.cells[column]
        if not value:
            if required:
                self.problem(column, "required (YYYY-MM-DD)")
            return None
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.problem(column, "not a date (use YYYY-MM-DD)")
            return None

    def choice(self, column: str, kind: type[_E], value: str) -> _E | None:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(k.value for k in kind)
            self.problem(column, f"{value!r} is not one of {allowed}")
            return None

    def read(self) -> CensusRow | None:
        before = len(self.problems)
        employee_number = self.text("employee_number", required=True, max_length=20)
        if employee_number and not _EMPLOYEE_NUMBER.match(employee_number):
            self.problem("employee_number", "letters, digits, '.', '_' or '-' only")
        relationship = self._relationship()
        first = self.text("first_name", required=True)
        last = self.text("last_name", required=True)
        birth = self._birth_date()
        sex = self._sex()
        ssn = self._ssn()
        address = self._address(relationship)
        subscriber = relationship is Relationship.SUBSCRIBER
        hire, earnings, emp_class = self._employment(relationship, birth)
        start = self.day("coverage_start")
        end = self.day("coverage_end")
        if start and end and end < start:
            self.problem("coverage_end", "before coverage_start")
        elections = self._elections(relationship, start, end)
        if (
            subscriber
            and earnings is None
            and any(e.line in (Line.STD, Line.LTD) for e in elections)
        ):
            self.problem("annual_earnings", "required with std or ltd (they pay a share of it)")
        end = self._age_cut(relationship, birth, start, end, elections)
        if len(self.problems) > before:
            return None
        assert employee_number and relationship and first and last and birth and sex
        return CensusRow(
            row=self.row,
            employee_number=employee_number,
            relationship=relationship,
            first_name=first,
            last_name=last,
            birth_date=birth,
            sex=sex,
            ssn=ssn,
            address=address,
            hire_date=hire,
            annual_earnings=earnings,
            employment_class=emp_class,
            elections=tuple(elections),
            coverage_start=start,
            coverage_end=end,
        )

    def _relationship(self) -> Relationship | None:
        value = self.cells["relationship"].lower()
        if not value:
            self.problem("relationship", "required")
            return None
        return self.choice("relationship", Relationship, value)

    def _sex(self) -> Sex | None:
        if not self.cells["sex"]:
            self.problem("sex", "required (M, F or U)")
            return None
        return self.choice("sex", Sex, self.cells["sex"].upper())

    def _birth_date(self) -> date | None:
        birth = self.day("dob", required=True)
        if birth and birth > self.today:
            self.problem("dob", "is in the future")
            return None
        if birth and birth < EARLIEST_BIRTH:
            self.problem("dob", f"is before {EARLIEST_BIRTH}")
            return None
        return birth

    def _ssn(self) -> str | None:
        if not self.cells["ssn"]:
            return None
        try:
            return normalize_ssn(self.cells["ssn"])
        except ValueError as exc:
            self.problem("ssn", str(exc))
            return None

    def _address(self, relationship: Relationship | None) -> Address | None:
        parts = [self.cells[c] for c in ("address1", "city", "state", "zip")]
        if relationship is not Relationship.SUBSCRIBER and not any(parts):
            return None  # a dependent shares its subscriber's address
        address = Address(parts[0], parts[1], parts[2].upper(), parts[3])
        for problem in address_problems(address):
            self.problem(problem.where, problem.message)
        for column, limit in (("address1", 120), ("city", 80)):
            if len(self.cells[column]) > limit:
                self.problem(column, f"at most {limit} characters")
        return address

    def _employment(
        self, relationship: Relationship | None, birth: date | None
    ) -> tuple[date | None, Decimal | None, str | None]:
        if relationship is None:
            return None, None, None  # reported; which fields belong cannot be told
        if relationship is not Relationship.SUBSCRIBER:
            for column in SUBSCRIBER_ONLY:
                if self.cells[column]:
                    self.problem(column, "only on subscriber rows")
            return None, None, None
        hire = self.day("hire_date", required=True)
        if hire and birth and hire <= birth:
            self.problem("hire_date", "not after the date of birth")
        earnings = None
        if self.cells["annual_earnings"]:
            raw = self.cells["annual_earnings"]
            if _MONEY.match(raw):
                earnings = to_money(raw.replace("$", "").replace(",", ""))
            else:
                self.problem("annual_earnings", "not an amount (e.g. 52000.00)")
        emp_class = self.text("employment_class", max_length=40)
        if emp_class and not _CLASS.match(emp_class):
            self.problem("employment_class", "a word such as salaried, hourly or executive")
        return hire, earnings, None if emp_class is None else emp_class.lower()

    def _elections(
        self, relationship: Relationship | None, start: date | None, end: date | None
    ) -> list[Election]:
        elections = []
        for line, plan_column, tier_column in ELECTION_COLUMNS:
            election = self._election(line, plan_column, tier_column, relationship, start, end)
            if election is not None:
                elections.append(election)
        return elections

    def _election(
        self,
        line: Line,
        plan_column: str,
        tier_column: str | None,
        relationship: Relationship | None,
        start: date | None,
        end: date | None,
    ) -> Election | None:
        code = self.cells[plan_column]
        tier_text = self.cells[tier_column].lower() if tier_column else Tier.EMPLOYEE.value
        if not code:
            if tier_column and tier_text:
                self.problem(tier_column, f"given without a {plan_column}")
            return None
        if relationship is not Relationship.SUBSCRIBER and tier_column is None:
            return None  # reported as subscriber-only
        if tier_column and not tier_text:
            self.problem(tier_column, f"required with {plan_column}")
            return None
        tier = self.choice(tier_column or plan_column, Tier, tier_text)
        if start is None:
            if not self.cells["coverage_start"]:
                self.problem("coverage_start", f"required when {plan_column} is given")
            return None
        found = self.plans.find(code, start)
        if isinstance(found, str):
            self.problem(plan_column, found)
            return None
        if found.line != line:
            self.problem(plan_column, f"{code} is a {found.line.value} plan")
            return None
        if not found.period_start <= start <= found.period_end:
            self.problem(
                "coverage_start",
                f"outside {code}'s period {found.period_start}..{found.period_end}",
            )
        if end and end > found.period_end:
            self.problem("coverage_end", f"after {code}'s period ends ({found.period_end})")
        if tier is None or relationship is None:
            return None
        why = tier_problem(relationship, tier, line)
        if why:
            self.problem(tier_column or plan_column, why)
            return None
        return Election(line, found, tier, plan_column)

    def _age_cut(
        self,
        relationship: Relationship | None,
        birth: date | None,
        start: date | None,
        end: date | None,
        elections: list[Election],
    ) -> date | None:
        if relationship is None or birth is None or start is None or not elections:
            return end
        plan_end = min(e.plan.period_end for e in elections)
        try:
            cut_end, cut = cut_for_age(relationship, birth, start, end, plan_end)
        except ValueError as exc:
            self.problem("coverage_start", str(exc))
            return end
        if cut is not None:
            self.notes.append(f"row {self.row}: {cut.describe()}")
        return cut_end


def check_families(result: ParsedCensus) -> None:
    """Checks across rows: one subscriber per employee number, each member once, one partner
    per family, dependents under their subscriber's plan and tier. (Whether the subscriber's tier
    fits its dependents needs the dependents on file too: the import checks it.)"""
    families: dict[str, list[CensusRow]] = defaultdict(list)
    seen: dict[tuple[str, str, str, date], int] = {}
    for row in result.rows:
        key = (
            row.employee_number,
            match_group(row.relationship),
            row.first_name.casefold(),
            row.birth_date,
        )
        if key in seen:
            result.problems.append(Problem(f"row {row.row}", f"the same member as row {seen[key]}"))
            continue
        seen[key] = row.row
        families[row.employee_number].append(row)
    checked: list[CensusRow] = []
    for members in families.values():
        checked += _check_family(members, result)
    result.rows = sorted(checked, key=lambda r: r.row)


def match_group(relationship: Relationship) -> str:
    """Spouse and domestic partner match each other (a relationship recorded wrongly and then
    corrected is the same person)."""
    return "partner" if relationship in PARTNERS else relationship.value


def _check_family(members: list[CensusRow], result: ParsedCensus) -> list[CensusRow]:
    heads = [m for m in members if m.is_subscriber]
    problems = result.problems
    for extra in heads[1:]:
        problems.append(
            Problem(
                f"row {extra.row}, employee_number",
                f"{extra.employee_number} already has a subscriber on row {heads[0].row}",
            )
        )
    partners = [m for m in members if m.relationship in PARTNERS]
    for extra in partners[1:]:
        problems.append(
            Problem(
                f"row {extra.row}, relationship",
                f"one spouse or domestic partner per family (row {partners[0].row})",
            )
        )
    if not heads or members[0].employee_number in result.bad_families:
        return members  # the subscriber is on file already (checked by the import), or a row
        # of the family is wrong: checking the rest would only repeat that
    head = heads[0]
    dependents = [m for m in members if not m.is_subscriber]
    rows = [head]
    for dependent in dependents:
        rows.append(_check_dependent(head, dependent, result))
    return rows


def _check_dependent(head: CensusRow, dependent: CensusRow, result: ParsedCensus) -> CensusRow:
    """A dependent is covered in its subscriber's plan, at its tier, while the subscriber is;
    its coverage ends with the subscriber's."""
    for election in dependent.elections:
        theirs = head.election(election.line)
        where = f"row {dependent.row}, {election.column}"
        if theirs is None or theirs.plan != election.plan:
            result.problems.append(
                Problem(
                    where,
                    f"the subscriber (row {head.row}) is not enrolled in {election.plan.code}",
                )
            )
        elif theirs.tier != election.tier:
            result.problems.append(
                Problem(
                    where.replace("_plan", "_tier"),
                    f"must be the subscriber's tier {theirs.tier.value} (row {head.row})",
                )
            )
    if not dependent.elections or head.coverage_start is None:
        return dependent
    assert dependent.coverage_start is not None
    if dependent.coverage_start < head.coverage_start:
        result.problems.append(
            Problem(
                f"row {dependent.row}, coverage_start",
                f"before the subscriber's coverage_start {head.coverage_start}",
            )
        )
    if head.coverage_end and (
        dependent.coverage_end is None or dependent.coverage_end > head.coverage_end
    ):
        result.notes.append(
            f"row {dependent.row}: coverage ends with the subscriber's on {head.coverage_end}"
        )
        return replace(dependent, coverage_end=head.coverage_end)
    return dependent


def row_number(problem: Problem) -> int:
    """The row a problem is about (0 for the file as a whole), to list problems in file order."""
    match = re.match(r"row (\d+)", problem.where)
    return int(match.group(1)) if match else 0
