"""``aso simulate``: adjudicate a self-contained scenario file (DESIGN section 7).

JSON alone on stdout; messages on stderr. Exit 0 when adjudicated, 1 when ``--check`` found a
difference from the file's ``expected`` results, 2 on a structural error or an unreadable file.
"""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from aso.claims.scenario import check_expected, run_scenario
from aso.cli.common import err, fail, print_json, report_error
from aso.errors import ValidationFailed
from aso.yamlio import load_document


def simulate(
    file: Path = typer.Argument(..., help="scenario file (YAML or JSON)"),
    check: bool = typer.Option(False, "--check", help="compare with the file's expected results"),
    explain: bool = typer.Option(False, "--explain", help="add each line's decision trace"),
) -> None:
    """Adjudicate a scenario and print the results as JSON."""
    try:
        document = load_document(file)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        fail(f"cannot read {file}: {exc}", 2)
    try:
        output = run_scenario(document, explain=explain)
        differences = check_expected(document, output) if check else []
    except ValidationFailed as exc:
        report_error(exc, 2)
    print_json(output)
    if differences:
        for difference in differences:
            err.print(difference, highlight=False, markup=False)
        err.print(f"{len(differences)} difference(s) from the expected results", highlight=False)
        raise typer.Exit(1)
