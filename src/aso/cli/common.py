"""Conventions every command follows: JSON alone on stdout, messages and progress on stderr,
errors as ``where: message`` lines and an exit status (1 for a finding, 2 for unusable input)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.errors import AsoError, ValidationFailed

T = TypeVar("T")

err = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def report_error(exc: AsoError, code: int = 2) -> NoReturn:
    if isinstance(exc, ValidationFailed):
        for problem in exc.problems:
            err.print(str(problem), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code)
    fail(str(exc), code)


def progress() -> Progress:
    """A Rich progress bar on stderr for long work."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


@contextmanager
def application() -> Iterator[App]:
    """The wired application for a command: settings, engine, a migrated database."""
    app = App()
    app.migrate()
    try:
        yield app
    finally:
        app.engine.dispose()


def use_case(call: Callable[[UnitOfWork], T]) -> T:
    """Run one use case against the wired application: its result, or its error reported
    (exit 2 for input that cannot be used, 1 for anything else it refused)."""
    with application() as aso:
        try:
            return call(aso.uow())
        except ValidationFailed as exc:
            report_error(exc, 2)
        except AsoError as exc:
            report_error(exc, 1)
