"""``aso edi``: X12 files. ``parse`` reads a file with the project's reader, no database;
``validate`` checks it with pyx12, the independent validator; ``import`` processes it.

Register with::

    app.add_typer(edi.app, name="edi")

``aso edi parse FILE --json`` prints the parse alone on stdout (DESIGN 9: one transaction per
ST..SE with its claims in the scenario claim shape, errors and warnings); without ``--json``, a
summary. Exit 0 when every set parsed, 1 when a set, a claim or an envelope has errors, 2 when
the file is unreadable (not X12, a broken ISA). ``aso edi validate FILE`` prints pyx12's
findings, one per line, and exits 1 when there are any, 2 when pyx12 cannot check the file.

``aso edi import FILE`` detects the transactions (834 enrollment, 837 claims), processes each
accepted set, writes the 999 (and the TA1, when one is due) beside the file, or in ``--ack-dir``,
as ``FILE.999`` and ``FILE.ta1``, and prints a summary (``--json``: the summary alone). Exit 0
when every set was accepted, 1 when something was rejected or the file was received before, 2
when the file is not X12 or cannot be read.

``aso edi export 835 --employer EIN [--since DAY] [--until DAY] [--out DIR]`` writes the 835
remittances due for the employer's adjudicated claims (``aso.edi.remittance``), one file per
payee, into ``--out`` (the current folder by default), and prints what it wrote: files, payees,
claims, total paid (``--json``: the summary alone). Exit 0 (also when nothing is due), 1 when
the export is refused, 2 for unusable input (a bad EIN or day, files that cannot be written).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from aso.cli import edi_answer
from aso.cli.common import application, fail, out, print_json, progress, report_error
from aso.edi.findings import Unreadable
from aso.edi.parse import has_errors, parse_file
from aso.edi.schemas import ImportSummary, TransactionSummary
from aso.errors import AsoError, ValidationFailed
from aso.money import fmt

if TYPE_CHECKING:
    from aso.edi.remittance import ExportSummary, RemittanceFile

app = typer.Typer(
    help="X12 EDI files: parse, validate, import; export 835 remittances; answer 270/276.",
    no_args_is_help=True,
)
export_app = typer.Typer(help="Write outbound X12 files.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.command("answer")(edi_answer.answer)

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
        counts = {
            "837": f"{len(transaction['claims'])} claim(s)",
            "834": f"{len(transaction['members'])} member(s)",
        }.get(transaction["set"], "")
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


@app.command("import")
def import_(
    file: Path = FILE_ARGUMENT,
    ack_dir: Path | None = typer.Option(
        None, "--ack-dir", help="write the 999 and TA1 here (default: beside the file)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the summary as JSON only"),
    adjudicate: bool = typer.Option(
        False,
        "--adjudicate",
        help="adjudicate the claims as they are stored (a second process follows the import)",
    ),
) -> None:
    """Process an X12 file (834 enrollment, 837 claims) and write its 999 (and TA1); with
    ``--adjudicate``, adjudicate every received claim too."""
    from aso.edi.pipeline import import_and_adjudicate
    from aso.edi.service import import_file
    from aso.members.crypto import SsnCipher
    from aso.security.domain import cli_principal

    if not file.is_file():
        fail(f"{file}: no such file")
    folder = ack_dir or file.parent
    batch = None
    with application() as aso:
        cipher = SsnCipher(aso.settings.resolved_ssn_key())
        try:
            if adjudicate:
                done = import_and_adjudicate(
                    app=aso,
                    actor=cli_principal(),
                    opener=lambda: file.open("rb"),
                    filename=file.name,
                    cipher=cipher,
                )
                summary, batch = done.summary, done.batch
            else:
                summary = import_file(
                    uow=aso.uow(),
                    actor=cli_principal(),
                    opener=lambda: file.open("rb"),
                    filename=file.name,
                    cipher=cipher,
                )
        except OSError as exc:
            fail(f"{file}: cannot read: {exc.strerror or exc}")
        except AsoError as exc:
            report_error(exc)
    written = _write_acks(folder, file.name, summary.ack_999, summary.ack_ta1)
    adjudicated = None if batch is None else batch.as_dict()
    if as_json:
        print_json(
            summary.model_dump(mode="json")
            | {"acknowledgment_files": written, "adjudicated": adjudicated}
        )
    else:
        _print_import(file, summary, written)
        if batch is not None:
            statuses = ", ".join(f"{n} {s}" for s, n in sorted(batch.claim_statuses.items()))
            out.print(f"adjudicated {batch.claims} claim(s), {batch.lines} line(s): {statuses}")
    if summary.status == "unreadable":
        raise typer.Exit(2)
    if summary.status != "processed":
        raise typer.Exit(1)


def _write_acks(folder: Path, name: str, ack_999: str | None, ta1: str | None) -> list[str]:
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, text in ((".999", ack_999), (".ta1", ta1)):
        if text is not None:
            path = folder / f"{name}{suffix}"
            path.write_text(text, encoding="ascii")
            written.append(str(path))
    return written


def _print_import(file: Path, summary: ImportSummary, written: list[str]) -> None:
    interchange = summary.interchange or {}
    where = (
        f"interchange {interchange['control_number']} from {interchange['sender']}"
        if interchange
        else "no interchange"
    )
    out.print(f"{file}: {where}: {summary.status.replace('_', ' ')}", markup=False)
    for error in summary.errors:
        out.print(f"  {error}", markup=False)
    for transaction in summary.transactions:
        out.print(
            f"  set {transaction.set} {transaction.control_number} "
            f"({transaction.guide or 'no guide'}): {transaction.status.replace('_', ' ')}"
            + _counts(transaction),
            markup=False,
        )
        details = transaction.errors + transaction.warnings
        if transaction.enrollment:
            details += transaction.enrollment["changes"] + transaction.enrollment["notes"]
        for line in details:
            out.print(f"    {line}", markup=False)
    for path in written:
        out.print(f"  acknowledgment written to {path}", markup=False)


def _counts(transaction: TransactionSummary) -> str:
    enrollment, claims = transaction.enrollment, transaction.claims
    if enrollment:
        employer = enrollment["employer"]
        return (
            f", employer {employer['name']} ({employer['ein']}), {enrollment['members']} "
            f"member(s): {enrollment['members_added']} added, {enrollment['members_updated']} "
            f"updated, {enrollment['members_unchanged']} unchanged; coverages: "
            f"{enrollment['coverages_added']} added, {enrollment['coverages_changed']} changed, "
            f"{enrollment['coverages_unchanged']} unchanged"
        )
    if claims:
        return (
            f", claims: {claims['stored']} stored, {claims['already_on_file']} already on file, "
            f"{claims['rejected']} rejected"
        )
    return ""


# export ---------------------------------------------------------------------------------------


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a day (YYYY-MM-DD)")


@export_app.command("835")
def export_835(
    employer: str = typer.Option(..., "--employer", help="the employer (EIN) whose plan pays"),
    since: str | None = typer.Option(
        None, "--since", help="claims adjudicated on or after this day (YYYY-MM-DD, UTC)"
    ),
    until: str | None = typer.Option(
        None, "--until", help="claims adjudicated on or before this day (YYYY-MM-DD, UTC)"
    ),
    out_dir: Path = typer.Option(Path("."), "--out", help="write the 835 files here"),
    as_json: bool = typer.Option(False, "--json", help="print the summary as JSON only"),
) -> None:
    """Write the 835 remittances due for an employer's adjudicated claims: one per payee, each
    claim version once (a corrected claim's earlier payment reversed first)."""
    from aso.edi.remittance import export_835 as export
    from aso.security.domain import cli_principal

    first, last = _day(since, "--since"), _day(until, "--until")
    written: list[Path] = []

    def deliver(file: RemittanceFile) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / file.filename
        path.write_text(file.text, encoding="ascii")
        written.append(path)

    with application() as aso, progress() as bar:
        task = bar.add_task("writing 835s", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            summary = export(
                uow=aso.uow(),
                actor=cli_principal(),
                ein=employer,
                since=first,
                until=last,
                deliver=deliver,
                progress=advance,
            )
        except OSError as exc:
            _discard(written)
            fail(f"{out_dir}: cannot write the 835s: {exc.strerror or exc}")
        except AsoError as exc:
            _discard(written)
            report_error(exc, 2 if isinstance(exc, ValidationFailed) else 1)
    if as_json:
        print_json(summary.to_json() | {"folder": str(out_dir)})
    else:
        _print_export(summary, out_dir)


def _discard(paths: list[Path]) -> None:
    """Files of an export that was not recorded: they must not be sent."""
    for path in paths:
        path.unlink(missing_ok=True)


def _print_export(summary: ExportSummary, folder: Path) -> None:
    if not summary.files:
        out.print(f"employer {summary.employer}: nothing to remit", markup=False)
        return
    out.print(
        f"employer {summary.employer}: wrote {len(summary.files)} 835 file(s) to {folder}: "
        f"{len(summary.files)} payee(s), {summary.claims} claim(s), "
        f"{summary.reversals} reversal(s), total paid {fmt(summary.total_paid)}",
        markup=False,
    )
    table = Table("payee", "id", "claims", "reversals", "paid", "owed", "file")
    for file in summary.files:
        table.add_row(
            file.payee_name,
            file.payee_id,
            str(file.claims),
            str(file.reversals),
            fmt(file.amount),
            fmt(file.owed),
            file.filename,
        )
    out.print(table)
