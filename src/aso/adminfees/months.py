"""Calendar months, the period of an admin fee invoice: a month is the ``date`` of its first day."""

from __future__ import annotations

import calendar
import re
from datetime import date

from aso.errors import Problem, ValidationFailed

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def first_of(day: date) -> date:
    return day.replace(day=1)


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (before, when negative) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last``, both included."""
    months: list[date] = []
    month = first_of(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def label(month: date) -> str:
    """``March 2026``: how an invoice names a month."""
    return f"{calendar.month_name[month.month]} {month.year}"


def code(month: date) -> str:
    """``2026-03``: how commands, files and JSON name a month."""
    return f"{month:%Y-%m}"


def parse_month(text: str, where: str = "month") -> date:
    """A month written ``YYYY-MM``, or ``ValidationFailed`` naming ``where``."""
    found = _MONTH.match(text.strip())
    if found and 1 <= int(found.group(2)) <= 12 and int(found.group(1)) >= 1900:
        return date(int(found.group(1)), int(found.group(2)), 1)
    raise ValidationFailed([Problem(where, f"{text!r} is not a month: write YYYY-MM (2026-03)")])
