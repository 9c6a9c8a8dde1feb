"""``aso edi``: X12 files. ``parse`` reads a file with the project's reader, no database;
``validate`` checks it with pyx12, the independent validator.

Register with::

    app.add_typer(edi.app, name="edi")

``aso edi parse FILE --json`` prints the parse alone on stdout (DESIGN 9: one transaction per
ST..SE with its claims in the scenario claim shape, errors and warnings); without ``--json``, a
summary. Exit 0 when every set parsed, 1 when a set, a claim or an envelope has errors, 2 when
the file is unreadable (not X12, a broken ISA). ``aso edi validate FILE`` prints pyx12's
findings, one per line, and exits 1 when there are any, 2 when pyx12 cannot check the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aso.cli.common import fail, out, print_json
from aso.edi.findings import Unreadable
from aso.edi.parse import has_errors, parse_file

app = typer.Typer(help="X12 EDI files: parse and validate.", no_args_is_help=True)

FILE_ARGUMENT = typer.Argument(..., help="an X12 file (834, 835, 837, 270/271, 276/277, 999)")


def _read(file: Path) -> dict[str, Any]:
    try:
        return parse_file(file)
    except Unreadable as exc:
        fail(f"{file}: unreadable: {exc}")
    except OSError as exc:
        fail(f"{file}: cannot read: {exc.strerror or exc}")


def _print_summary(file: Path, document: dict[str, Any]) -> None:
    for interchange in document["interchanges"]:
        out.print(
            f"{file}: interchange {interchange['control_number']} from {interchange['sender']} "
            f"to {interchange['receiver']} on {interchange['date']}",
            markup=False,
        )
    for finding in document["errors"] + document["warnings"]:
        out.print(f"  {finding['text']}", markup=False)
    for transaction in document["transactions"]:
        counts = f"{len(transaction['claims'])} claim(s)" if transaction["set"] == "837" else ""
        out.print(
            f"  set {transaction['set']} {transaction['control_number']} "
            f"({transaction['guide'] or 'no guide'}): {transaction['status']}"
            + (f", {counts}" if counts else ""),
            markup=False,
        )
        for finding in transaction["errors"] + transaction["warnings"]:
            out.print(f"    {finding['text']}", markup=False)


@app.command("parse")
def parse(
    file: Path = FILE_ARGUMENT,
    as_json: bool = typer.Option(False, "--json", help="print the parse as JSON only"),
) -> None:
    """Read an X12 file (no database): its envelopes, sets, claims, errors and warnings."""
    document = _read(file)
    if as_json:
        print_json(document)
    else:
        _print_summary(file, document)
    if has_errors(document):
        raise typer.Exit(1)


@app.command("validate")
def validate(file: Path = FILE_ARGUMENT) -> None:
    """Check an X12 file with pyx12 and list what it finds (exit 1 when it finds anything)."""
    from aso.edi.validate import CannotValidate, validate_file  # pyx12 loads only when used

    try:
        findings = validate_file(file)
    except (Unreadable, CannotValidate) as exc:
        fail(f"{file}: {exc}")
    except OSError as exc:
        fail(f"{file}: cannot read: {exc.strerror or exc}")
    for finding in findings:
        out.print(str(finding), markup=False, highlight=False)
    if findings:
        out.print(f"{file}: pyx12 found {len(findings)} problem(s)", markup=False)
        raise typer.Exit(1)
    out.print(f"{file}: valid (pyx12 found nothing)", markup=False)
