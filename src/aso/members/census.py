"""The employer's CSV census: employees, dependents and their elections, one row per member.

Two steps. :func:`parse_census` is pure: it reads the whole file and checks every row and every
family in it against the plans the employer offers, collecting every problem as
``row N, field: why`` (the row is the file line; the header is line 1). :func:`import_census`
then matches the rows with the members on file, checks what needs the database (an unknown
subscriber, an overlap with a coverage on file), and only when nothing at all is wrong writes
everything in one transaction. A rejected file changes nothing.

Re-importing is safe: a file accepted before (same SHA-256) is recognised and skipped, and rows
are matched with members on file (employer + employee number + relationship + first name + birth
date, with fallbacks so that a corrected name or birth date updates the member rather than adding
a second one), so an edited file updates, and the same content changes nothing. A row's coverage
is matched by line and start date; a new ``coverage_end`` terminates it (retroactively when in
the past). A family's rows describe the whole family: a dependent left out keeps its coverage as
it is (give it a ``coverage_end`` to end it).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from datetime import date

from aso.db.uow import UnitOfWork
from aso.employers import repository as employer_repo
from aso.employers.models import OfferedPlan
from aso.employers.service import require_admin, visible_employer
from aso.errors import Problem, ValidationFailed
from aso.members import repository as repo
from aso.members.census_apply import CensusPlan
from aso.members.census_rows import (
    CENSUS_COLUMNS,
    CensusRow,
    OfferedPlanRef,
    ParsedCensus,
    PlanIndex,
    RowReader,
    check_families,
    records,
    row_number,
)
from aso.members.crypto import SsnCipher
from aso.members.models import CensusImport
from aso.members.schemas import CensusSummary
from aso.plans.domain import Line
from aso.security.domain import Principal

__all__ = [
    "CENSUS_COLUMNS",
    "CensusRejected",
    "CensusRow",
    "OfferedPlanRef",
    "ParsedCensus",
    "import_census",
    "parse_census",
]


class CensusRejected(ValidationFailed):
    """A census file with problems: nothing was imported. ``report`` is the summary to show,
    with every problem in ``errors``."""

    def __init__(self, problems: list[Problem], report: CensusSummary) -> None:
        super().__init__(problems, summary=f"{report.filename}: rejected, nothing imported")
        self.report = report.model_copy(
            update={"accepted": False, "errors": [str(p) for p in problems]}
        )


def parse_census(text: str, offered: Sequence[OfferedPlanRef], today: date) -> ParsedCensus:
    """Read and check a whole census file; nothing stops at the first problem."""
    result = ParsedCensus()
    lines = records(text.removeprefix("\ufeff"))
    header = next(lines, None)
    if header is None:
        result.problems.append(Problem("row 1", "the file is empty"))
        return result
    columns = [c.strip().lower() for c in header[1]]
    missing = [c for c in CENSUS_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in CENSUS_COLUMNS]
    if missing or unknown or len(set(columns)) != len(columns):
        result.problems += [Problem("row 1", f"missing column {c}") for c in missing]
        result.problems += [Problem("row 1", f"unknown column {c}") for c in unknown]
        if len(set(columns)) != len(columns):
            result.problems.append(Problem("row 1", "a column is named twice"))
        return result
    plans = PlanIndex(offered)
    for number, values in lines:
        if not any(v.strip() for v in values):
            continue
        result.row_count += 1
        if len(values) != len(columns):
            result.problems.append(
                Problem(f"row {number}", f"has {len(values)} fields, the header {len(columns)}")
            )
            continue
        cells = {c: v.strip() for c, v in zip(columns, values, strict=True)}
        reader = RowReader(number, cells, plans, today)
        row = reader.read()
        result.problems += reader.problems
        result.notes += reader.notes
        if row is not None:
            result.rows.append(row)
        else:
            result.bad_families.add(cells["employee_number"])
    check_families(result)
    result.problems.sort(key=row_number)
    return result


def import_census(
    *,
    uow: UnitOfWork,
    actor: Principal,
    employer_id: int,
    text: str,
    filename: str,
    cipher: SsnCipher,
    today: date | None = None,
    rng: random.Random | None = None,
) -> CensusSummary:
    """Import a census file for an employer: all of it, or, when any row is wrong, nothing
    (``ValidationFailed`` lists every problem). ``rng`` makes new member ids reproducible."""
    require_admin(actor)
    today = today or date.today()
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with uow:
        session = uow.session
        visible_employer(session, actor, employer_id)
        previous = repo.census_import(session, employer_id, sha256)
        if previous is not None:
            return _already_imported(previous, filename)
        plans = employer_repo.offered_plans(session, employer_id)
        parsed = parse_census(text, [_plan_ref(p) for p in plans], today)
        plan = CensusPlan(session, employer_id, {p.id: p for p in plans}, today)
        plan.bad_families = parsed.bad_families
        plan.match(parsed.rows)
        problems = parsed.problems + plan.problems
        if problems:
            raise CensusRejected(
                sorted(problems, key=row_number),
                CensusSummary(filename=filename, sha256=sha256, rows=parsed.row_count),
            )
        summary = plan.apply(actor, cipher, rng or random.SystemRandom(), filename)
        summary.rows = parsed.row_count
        summary.sha256 = sha256
        summary.notes = parsed.notes + summary.notes
        session.add(
            CensusImport(
                employer_id=employer_id,
                sha256=sha256,
                filename=filename[-255:],
                imported_by=actor.username,
                summary_json=summary.model_dump_json(),
            )
        )
        uow.commit()
    return summary


def _already_imported(previous: CensusImport, filename: str) -> CensusSummary:
    before = CensusSummary.model_validate(json.loads(previous.summary_json))
    return CensusSummary(
        filename=filename,
        sha256=previous.sha256,
        already_imported=True,
        rows=before.rows,
        members_unchanged=before.members_added + before.members_updated + before.members_unchanged,
        notes=[
            f"the same file ({previous.filename}) was imported on "
            f"{previous.imported_at:%Y-%m-%d %H:%M} UTC by {previous.imported_by}: nothing changed"
        ],
    )


def _plan_ref(plan: OfferedPlan) -> OfferedPlanRef:
    return OfferedPlanRef(
        plan_id=plan.id,
        code=plan.code,
        line=Line(plan.line),
        period_start=plan.period_start,
        period_end=plan.period_end,
        year_start=plan.plan_year.start_date,
        year_end=plan.plan_year.end_date,
    )
