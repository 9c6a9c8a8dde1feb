"""``aso providers`` and ``aso fees``: the provider directory with its contracts, and fee
schedules, imported from CSV files.

Register with::

    app.add_typer(providers.app, name="providers")
    app.add_typer(providers.fees_app, name="fees")

An import prints a summary (``--json``: the summary alone on stdout). A rejected file prints
each problem as ``row N, column: why`` on stderr, changes nothing and exits 1 (with
``--json`` the rejected summary, listing the problems, is also printed on stdout); a file that
cannot be read exits 2, as do bad options.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from aso.cli.common import application, err, fail, out, print_json, report_error
from aso.errors import AsoError, NotFound, Problem, ValidationFailed
from aso.providers import service
from aso.providers.fee_csv import DRUG_COLUMNS, RATE_COLUMNS, read_settings
from aso.providers.imports import ImportRejected, import_fee_schedule, import_providers
from aso.providers.provider_csv import ALL_COLUMNS
from aso.providers.schemas import FeeImportSummary, ProviderImportSummary, ProviderRead
from aso.security.domain import cli_principal

app = typer.Typer(
    help="The provider directory: providers, networks, contracts.", no_args_is_help=True
)
fees_app = typer.Typer(help="Fee schedules: rates, drug prices and settings.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="print JSON only")

PROVIDERS_HELP = (
    "Import providers and their contracts: every bad row is listed and nothing is written"
    " (exit 1), or all of it is. The same file again changes nothing; an edited file updates"
    " providers and contracts.\n\nColumns: " + ", ".join(ALL_COLUMNS) + " (network,"
    " contract_start, contract_end, fee_schedule, address2 and network_name may be left out)."
    " A row with a network is a contract from contract_start to contract_end (the last day;"
    " blank = open) priced by fee_schedule, an in-network schedule imported before."
)

FEES_HELP = (
    "Import a fee schedule: its settings (the options, which state them whole: an option left"
    " out is unset) and either its rates (columns " + ", ".join(RATE_COLUMNS) + ") or its drug"
    " unit prices (columns " + ", ".join(DRUG_COLUMNS) + "), which the file replaces. Shares"
    " are decimals or percents (1.5 or 150%). All or nothing; the same file again changes"
    " nothing."
)


def read_text(file: Path) -> str:
    """The file as text, or exit 2 saying why it cannot be read."""
    try:
        return file.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        fail(f"{file}: cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        report_error(ValidationFailed([Problem("date", "not a date (use YYYY-MM-DD)")]), 2)


def _rejected(exc: ImportRejected, as_json: bool) -> NoReturn:
    for line in exc.report.errors:
        err.print(line, highlight=False, markup=False, soft_wrap=True)
    err.print(
        f"{exc.report.filename}: rejected with {len(exc.report.errors)} problem(s); "
        "nothing was imported",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    if as_json:
        print_json(exc.report.model_dump(mode="json"))
    raise typer.Exit(1)


# providers ----------------------------------------------------------------------------------


@app.command("import", help=PROVIDERS_HELP)
def providers_import(
    file: Path = typer.Argument(..., help="providers CSV (header line, then one row each)"),
    as_json: bool = JSON_OPTION,
) -> None:
    text = read_text(file)
    with application() as aso:
        try:
            summary = import_providers(
                uow=aso.uow(), actor=cli_principal(), text=text, filename=file.name
            )
        except ImportRejected as exc:
            _rejected(exc, as_json)
        except AsoError as exc:
            report_error(exc, 1)
    if as_json:
        print_json(summary.model_dump(mode="json"))
    else:
        _print_provider_summary(summary)


@app.command("show")
def providers_show(
    npi: str = typer.Argument(..., metavar="NPI"),
    on: str | None = typer.Option(None, "--date", help="network status on this date (today)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """A provider with its contracts and its network status on a date."""
    day = _day(on)
    with application() as aso:
        try:
            provider = service.get_provider(uow=aso.uow(), npi=npi, on=day)
        except NotFound as exc:
            report_error(exc, 1)
        except AsoError as exc:
            report_error(exc, 2)
    if as_json:
        print_json(provider.model_dump(mode="json"))
    else:
        _print_provider(provider)


@app.command("list")
def providers_list(
    network: str | None = typer.Option(None, "--network", help="only providers in this network"),
    on: str | None = typer.Option(None, "--date", help="in the network on this date (today)"),
    limit: int = typer.Option(100, "--limit", min=1, max=service.MAX_PAGE),
    offset: int = typer.Option(0, "--offset", min=0),
    as_json: bool = JSON_OPTION,
) -> None:
    """Providers by name, a page at a time."""
    day = _day(on)
    with application() as aso:
        try:
            providers = service.list_providers(
                uow=aso.uow(), network=network, on=day, limit=limit, offset=offset
            )
        except AsoError as exc:
            report_error(exc, 2)
    if as_json:
        print_json([p.model_dump(mode="json") for p in providers])
        return
    table = Table("NPI", "name", "kind", "taxonomy", "network", "contracts")
    for p in providers:
        table.add_row(
            p.npi,
            escape(p.name),
            p.kind.value,
            p.taxonomy,
            p.network_status.value,
            ", ".join(sorted({c.network for c in p.contracts if c.in_effect})) or "-",
        )
    out.print(table)


def _print_provider_summary(summary: ProviderImportSummary) -> None:
    table = Table("", "added", "updated", "unchanged", title=f"{summary.filename}: imported")
    table.add_row(
        "providers",
        str(summary.providers_added),
        str(summary.providers_updated),
        str(summary.providers_unchanged),
    )
    table.add_row(
        "contracts",
        str(summary.contracts_added),
        str(summary.contracts_updated),
        str(summary.contracts_unchanged),
    )
    out.print(table)
    if summary.networks_added:
        out.print("networks added: " + ", ".join(summary.networks_added), markup=False)
    for line in summary.changes:
        out.print(line, markup=False)


def _print_provider(p: ProviderRead) -> None:
    out.print(
        f"[bold]{escape(p.name)}[/bold]  NPI {p.npi}  TIN {p.tin}  {p.kind.value}  {p.taxonomy}"
    )
    address = ", ".join(x for x in (p.address1, p.address2, p.city) if x)
    out.print(f"{address}, {p.state} {p.zip}", markup=False)
    out.print(f"{p.network_status.value} network on {p.as_of}", markup=False)
    table = Table("network", "fee schedule", "start", "end", "in effect")
    for c in p.contracts:
        table.add_row(
            escape(c.network),
            c.fee_schedule,
            str(c.start),
            str(c.end or "open"),
            "yes" if c.in_effect else "no",
        )
    out.print(table)


# fee schedules ------------------------------------------------------------------------------


@fees_app.command("import", help=FEES_HELP)
def fees_import(
    file: Path = typer.Argument(..., help="rates or drug prices CSV"),
    schedule: str = typer.Option(..., "--schedule", help="the schedule's code"),
    network: str = typer.Option(..., "--network", help="in (contracts) or out (reference)"),
    name: str | None = typer.Option(None, "--name"),
    claim_types: str | None = typer.Option(
        None, "--claim-types", help="comma-separated (default: every claim type)"
    ),
    percent_of_charge: str | None = typer.Option(None, "--percent-of-charge"),
    percent_of_medicare: str | None = typer.Option(None, "--percent-of-medicare"),
    conversion_factor: str | None = typer.Option(
        None, "--conversion-factor", help="dollars per RVU (default: the Medicare-style one)"
    ),
    awp_discount: str | None = typer.Option(None, "--awp-discount", help="e.g. 0.18 or 18%"),
    dispensing_fee: str | None = typer.Option(None, "--dispensing-fee", help="dollars"),
    as_json: bool = JSON_OPTION,
) -> None:
    try:
        settings = read_settings(
            network=network,
            name=name,
            claim_types=claim_types,
            percent_of_charge=percent_of_charge,
            percent_of_medicare=percent_of_medicare,
            conversion_factor=conversion_factor,
            awp_discount=awp_discount,
            dispensing_fee=dispensing_fee,
        )
    except ValidationFailed as exc:
        report_error(exc, 2)
    text = read_text(file)
    with application() as aso:
        try:
            summary = import_fee_schedule(
                uow=aso.uow(),
                actor=cli_principal(),
                code=schedule,
                settings=settings,
                text=text,
                filename=file.name,
            )
        except ImportRejected as exc:
            _rejected(exc, as_json)
        except AsoError as exc:
            report_error(exc, 2)
    if as_json:
        print_json(summary.model_dump(mode="json"))
    else:
        _print_fee_summary(summary)


@fees_app.command("show")
def fees_show(
    code: str = typer.Argument(..., metavar="CODE"),
    as_json: bool = JSON_OPTION,
) -> None:
    """A fee schedule: settings, rates and drug prices."""
    with application() as aso:
        try:
            found = service.get_fee_schedule(uow=aso.uow(), code=code)
        except NotFound as exc:
            report_error(exc, 1)
        except AsoError as exc:
            report_error(exc, 2)
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    out.print(
        f"[bold]{found.code}[/bold] {escape(found.name or '')}  {found.network.value} network"
    )
    settings = {
        "claim types": ", ".join(found.claim_types) if found.claim_types else "all",
        "percent of charge": found.percent_of_charge,
        "percent of Medicare": found.percent_of_medicare,
        "conversion factor": found.conversion_factor,
        "AWP discount": found.awp_discount,
        "dispensing fee": found.dispensing_fee,
        "contracts": found.contracts,
    }
    for label, value in settings.items():
        if value is not None:
            out.print(f"{label}: {value}", markup=False)
    if found.rates:
        table = Table("procedure", "modifier", "revenue code", "category", "basis", "amount")
        for r in found.rates:
            table.add_row(
                r.procedure or "",
                r.modifier or "",
                r.revenue_code or "",
                r.category or "",
                r.basis,
                f"{r.amount:.2f}",
            )
        out.print(table)
    if found.drugs:
        drugs = Table("NDC", "AWP", "MAC")
        for d in found.drugs:
            drugs.add_row(d.ndc, str(d.awp or ""), str(d.mac or ""))
        out.print(drugs)


@fees_app.command("list")
def fees_list(as_json: bool = JSON_OPTION) -> None:
    """Every fee schedule with its counts of rates, drug prices and contracts."""
    with application() as aso:
        schedules = service.list_fee_schedules(uow=aso.uow())
    if as_json:
        print_json([s.model_dump(mode="json") for s in schedules])
        return
    table = Table("code", "name", "network", "rates", "drugs", "contracts")
    for s in schedules:
        table.add_row(
            s.code,
            escape(s.name or ""),
            s.network.value,
            str(s.rates),
            str(s.drugs),
            str(s.contracts),
        )
    out.print(table)


def _print_fee_summary(summary: FeeImportSummary) -> None:
    what = "drug prices" if summary.file.value == "drug_prices" else "rates"
    verb = "created" if summary.created else "imported"
    out.print(f"{summary.code}: {verb} from {summary.filename}", markup=False)
    out.print(
        f"{what}: {summary.added} added, {summary.changed} changed, {summary.removed} removed, "
        f"{summary.unchanged} unchanged",
        markup=False,
    )
    for line in summary.settings_changed:
        out.print(line, markup=False)
