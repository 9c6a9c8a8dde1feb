"""An X12 file imported and its claims adjudicated as they are stored, on two processes.

``aso edi import FILE --adjudicate``: this process imports the file (``import_file``: the checks,
the 999, each accepted set's claims stored in a transaction of its own) while a second process
runs the claims batch in ``follow`` mode (``aso.claims.batch``), adjudicating each set's claims
once they are committed and then whatever is left when the import ends. Reading and checking
the file and preparing the claims is pure Python work, and so is the engine: on a machine with
two cores they overlap, and a large 837 is read, adjudicated and stored in about the time the
slower of the two takes (``tests/bench/edi_import.py``). The two only take turns to write:
PostgreSQL locks each family's rows, and SQLite transactions begin IMMEDIATE (``aso.bootstrap``).

The second process is forked (it inherits the settings, never this process's connections: it
builds an engine of its own). Where ``fork`` is not available, or ``parallel`` is off, the
import runs first and the batch after it, in this process.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from aso.bootstrap import App, make_engine
from aso.claims.batch import BatchSummary, adjudicate_received
from aso.config import Settings
from aso.edi.check import Opener
from aso.edi.schemas import ImportSummary
from aso.errors import AsoError
from aso.members.crypto import SsnCipher
from aso.security.domain import Principal

Importer = Callable[[App], ImportSummary]
"""Runs the import against an application (its engine, its units of work)."""


@dataclass(frozen=True)
class Imported:
    """The import's summary and the batch's."""

    summary: ImportSummary
    batch: BatchSummary


def import_and_adjudicate(
    *,
    app: App,
    actor: Principal,
    opener: Opener,
    filename: str,
    cipher: SsnCipher,
    parallel: bool = True,
    **options: Any,
) -> Imported:
    """Import the file (``aso.edi.service.import_file`` with ``options``) and adjudicate every
    claim received, the batch following the import in a second process when it can."""
    from aso.edi.service import import_file

    def run_import(target: App) -> ImportSummary:
        return import_file(
            uow=target.uow(),
            actor=actor,
            opener=opener,
            filename=filename,
            cipher=cipher,
            **options,
        )

    if not parallel or "fork" not in multiprocessing.get_all_start_methods():
        summary = run_import(app)
        return Imported(summary, adjudicate_received(uow=app.uow(), actor=actor))
    return _side_by_side(app, actor, run_import)


def _side_by_side(app: App, actor: Principal, run_import: Importer) -> Imported:
    context = multiprocessing.get_context("fork")
    importing = context.Event()
    importing.set()
    receiver, sender = context.Pipe(duplex=False)
    url = app.engine.url.render_as_string(hide_password=False)
    worker = context.Process(
        target=_follow, args=(app.settings, url, actor, importing, sender), daemon=True
    )
    worker.start()
    sender.close()
    try:
        summary = run_import(app)
    finally:
        importing.clear()
    try:
        outcome = receiver.recv()
    except EOFError:
        outcome = RuntimeError("the claims batch process ended without a word")
    finally:
        worker.join(timeout=60)
        receiver.close()
    if isinstance(outcome, BaseException):
        raise outcome
    return Imported(summary, outcome)


def _follow(
    settings: Settings, url: str, actor: Principal, importing: Any, sender: Connection
) -> None:
    """The second process: the batch, following the import until it ends, on an engine of
    its own (the same database as the importer's)."""
    app = App(settings=settings, engine=make_engine(url))
    try:
        batch = adjudicate_received(uow=app.uow(), actor=actor, follow=importing.is_set)
        sender.send(batch)
    except AsoError as exc:
        sender.send(exc)
    except Exception as exc:  # reported in the parent, with where it happened
        sender.send(RuntimeError(f"the claims batch failed: {exc}\n{traceback.format_exc()}"))
    finally:
        sender.close()
        app.engine.dispose()
