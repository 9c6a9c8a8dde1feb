"""The one error hierarchy. Denials are data (reason codes on results); these are broken rules
and bad input. The API turns each into an HTTP response in one place (``aso.api.app``), the CLI
into a message on stderr and an exit status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (a dotted path, a row number, a segment) and why."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class AsoError(Exception):
    """Base of every error the application raises on purpose."""

    status_code = 400


class ValidationFailed(AsoError):
    """Input broke one or more rules; nothing was changed."""

    status_code = 422

    def __init__(self, problems: Sequence[Problem], summary: str = "invalid input") -> None:
        self.problems = list(problems)
        self.summary = summary
        super().__init__(self.describe())

    def describe(self) -> str:
        return "\n".join(str(p) for p in self.problems) or self.summary


class NotFound(AsoError):
    status_code = 404


class Conflict(AsoError):
    status_code = 409


class NotAuthenticated(AsoError):
    status_code = 401


class Forbidden(AsoError):
    status_code = 403
