"""Reading a CSV file's header and rows, and their cells, collecting every problem.

A problem is ``row N, column: why`` with N the file line (the header is line 1; a quoted value
spanning lines counts from its first line), or ``row N: why`` about a whole row. Blank lines
are skipped. Pure: the callers pass the text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from aso.errors import Problem
from aso.members.census_rows import records, row_number

T = TypeVar("T")

__all__ = ["Cells", "CsvRow", "CsvTable", "read_table", "row_number"]


@dataclass(frozen=True, slots=True)
class CsvRow:
    number: int
    cells: dict[str, str]


@dataclass
class CsvTable:
    columns: list[str] = field(default_factory=list)
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    row_count: int = 0
    """Records after the header, blank lines left out (including rejected ones)."""


def read_table(text: str, *, required: Sequence[str], optional: Sequence[str] = ()) -> CsvTable:
    """The rows of a CSV file whose header names every ``required`` column and otherwise only
    ``optional`` ones (in any order, any case). A bad header is the only problem reported."""
    table = CsvTable()
    lines = records(text.removeprefix("\ufeff"))
    header = next(lines, None)
    if header is None or not any(v.strip() for v in header[1]):
        table.problems.append(Problem("row 1", "the file is empty (it needs a header line)"))
        return table
    columns = [c.strip().lower() for c in header[1]]
    known = set(required) | set(optional)
    table.problems += [
        Problem("row 1", f"missing column {c}") for c in required if c not in columns
    ]
    table.problems += [Problem("row 1", f"unknown column {c!r}") for c in columns if c not in known]
    table.problems += [
        Problem("row 1", f"column {c} is named twice")
        for c in sorted({c for c in columns if columns.count(c) > 1})
    ]
    if table.problems:
        return table
    table.columns = columns
    for number, values in lines:
        if not any(v.strip() for v in values):
            continue
        table.row_count += 1
        if len(values) != len(columns):
            table.problems.append(
                Problem(f"row {number}", f"has {len(values)} fields, the header {len(columns)}")
            )
            continue
        cells = {c: v.strip() for c, v in zip(columns, values, strict=True)}
        table.rows.append(CsvRow(number, cells))
    return table


class Cells:
    """One row's cells; each reader adds a problem naming the row and column when it fails."""

    def __init__(self, row: CsvRow, problems: list[Problem]) -> None:
        self.row = row
        self.problems = problems
        self._start = len(problems)

    @property
    def ok(self) -> bool:
        """No problem found in this row so far."""
        return len(self.problems) == self._start

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(f"row {self.row.number}, {column}", message))

    def raw(self, column: str) -> str:
        """The cell as written ('' when blank or when the file has no such optional column)."""
        return self.row.cells.get(column, "")

    def text(self, column: str, *, required: bool = False, max_length: int = 200) -> str | None:
        value = self.raw(column)
        if not value:
            if required:
                self.problem(column, "required")
            return None
        if len(value) > max_length:
            self.problem(column, f"at most {max_length} characters")
            return None
        return value

    def parse(self, column: str, parser: Callable[[str], T], *, required: bool = False) -> T | None:
        """The cell read by ``parser`` (which raises ``ValueError`` saying what is wrong)."""
        value = self.raw(column)
        if not value:
            if required:
                self.problem(column, "required")
            return None
        try:
            return parser(value)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None
