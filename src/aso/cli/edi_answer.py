"""``aso edi answer FILE``: answer a real-time X12 request from a file, as ``POST /v1/x12`` does.

Register with::

    app.command("answer")(edi_answer.answer)

on the ``aso edi`` Typer app (``aso.cli.edi.app``). The answer (a 271 for a 270, a 277 for a
276, or the 999 or TA1 rejecting the request) is printed alone on stdout, or written to
``--output``. Exit 0 when the request was answered, 1 when it was rejected (999 or TA1), 2
when the file cannot be read or is not a real-time inquiry.
"""

from __future__ import annotations

from pathlib import Path

import typer

from aso.cli.common import application, err, fail, report_error
from aso.errors import AsoError

FILE_ARGUMENT = typer.Argument(..., help="an X12 file holding 270 or 276 sets")
OUTPUT_OPTION = typer.Option(
    None, "--output", "-o", help="write the answer here instead of printing it"
)


def answer(file: Path = FILE_ARGUMENT, output: Path | None = OUTPUT_OPTION) -> None:
    """Answer a 270 with a 271 or a 276 with a 277 (a 999 or TA1 when the file is rejected)."""
    from aso.edi.realtime import respond
    from aso.security.domain import cli_principal

    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as exc:
        fail(f"{file}: cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        fail(f"{file}: byte {exc.start} is not UTF-8 text")
    with application() as aso:
        try:
            found = respond(uow=aso.uow(), actor=cli_principal(), text=text)
        except AsoError as exc:
            report_error(exc)
    if output is None:
        typer.echo(found.text, nl=False)
    else:
        output.write_text(found.text, encoding="utf-8")
        err.print(f"{file}: answer ({found.kind}) written to {output}", markup=False)
    if found.kind != "answer":
        err.print(f"{file}: the request is rejected: the {found.kind.upper()} says why")
        raise typer.Exit(1)
