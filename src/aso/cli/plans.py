"""``aso plans``: templates and validation of plan designs.

``validate`` prints each error as ``path: message`` and each legal warning as
``warning: path: message (<year> figure)`` on stdout; it exits 1 on any error, 0 otherwise
(warnings included) and 2 when the file cannot be read as YAML or JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.table import Table

from aso.cli.common import out, print_json, report_error
from aso.errors import NotFound, Problem, ValidationFailed
from aso.plans.domain import PlanDesign
from aso.plans.legal import LegalWarning
from aso.plans.service import load_design_file
from aso.plans.templates import get_template, list_templates
from aso.plans.validation import DesignCheck

app = typer.Typer(help="Plan designs: templates and validation.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="print JSON only")


@app.command("templates")
def templates(as_json: bool = JSON_OPTION) -> None:
    """List the plan-design templates: id, line and name, one a row."""
    rows = [{"id": t.id, "line": t.line.value, "name": t.name} for t in list_templates()]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "line", "name", title="Plan-design templates")
    for row in rows:
        table.add_row(row["id"], row["line"], row["name"])
    out.print(table)


@app.command("show")
def show(
    template_id: str = typer.Argument(..., metavar="ID", help="template id (aso plans templates)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print a template's design as YAML (or JSON), ready to copy and change."""
    try:
        design = get_template(template_id)
    except NotFound as exc:
        report_error(exc, 2)
    if as_json:
        print_json(design.model_dump(mode="json", by_alias=True))
        return
    typer.echo(design_yaml(design), nl=False)


@app.command("validate")
def validate(
    file: Path = typer.Argument(..., help="plan design (YAML or JSON)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Check a plan design: errors (exit 1) and legal warnings (exit 0)."""
    try:
        check = load_design_file(file)
    except ValidationFailed as exc:
        report_error(exc, 2)
    if as_json:
        print_json(check_json(file, check))
    else:
        _print_check(file, check)
    if not check.ok:
        raise typer.Exit(1)


def _print_check(file: Path, check: DesignCheck) -> None:
    for error in check.errors:
        typer.echo(str(error))
    for warning in check.warnings:
        typer.echo(f"warning: {warning}")
    if check.design is not None:
        design = check.design
        found = f"{len(check.warnings)} legal warning(s)" if check.warnings else "no legal warnings"
        typer.echo(f"{file}: valid {design.line.value} plan {design.id}, {found}")


def check_json(file: Path, check: DesignCheck) -> dict[str, Any]:
    design = check.design
    return {
        "file": str(file),
        "valid": check.ok,
        "id": design.id if design else None,
        "line": design.line.value if design else None,
        "errors": [_problem_json(p) for p in check.errors],
        "warnings": [_warning_json(w) for w in check.warnings],
    }


def _problem_json(problem: Problem) -> dict[str, str]:
    return {"where": problem.where, "message": problem.message}


def _warning_json(warning: LegalWarning) -> dict[str, Any]:
    return {"where": warning.where, "message": warning.message, "year": warning.year}


# -- YAML output ------------------------------------------------------------------------------


class _DesignDumper(yaml.SafeDumper):
    """Writes Decimals as plain YAML numbers (read back as Decimals by ``aso.yamlio``)."""


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f"))


class _Code(str):
    """A code made of digits (an NDC): always quoted, so YAML never reads it as a number."""


def _represent_code(dumper: yaml.SafeDumper, value: _Code) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_DesignDumper.add_representer(Decimal, _represent_decimal)
_DesignDumper.add_representer(_Code, _represent_code)


def design_yaml(design: PlanDesign) -> str:
    """The design as YAML, leaving out fields at their defaults, in the schema's field order."""
    return document_yaml(design.model_dump(by_alias=True, exclude_defaults=True))


def document_yaml(document: Mapping[str, Any]) -> str:
    """A plan-design document as YAML: numbers stay exact, NDCs quoted."""
    data = _plain(dict(document))
    if isinstance(data.get("formulary"), dict):
        data["formulary"] = {_Code(ndc): tier for ndc, tier in data["formulary"].items()}
    text: str = yaml.dump(data, Dumper=_DesignDumper, sort_keys=False, allow_unicode=True)
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | date | str | int | bool) or value is None:
        return value
    return str(value)
