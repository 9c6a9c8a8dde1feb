"""``aso simulate``: adjudicate a self-contained scenario file (DESIGN section 7)."""

from __future__ import annotations

from pathlib import Path

import typer


def simulate(
    file: Path = typer.Argument(..., help="scenario file (YAML or JSON)"),
    check: bool = typer.Option(False, "--check", help="compare with the file's expected results"),
    explain: bool = typer.Option(False, "--explain", help="add each line's decision trace"),
) -> None:
    """Adjudicate a scenario and print the results as JSON."""
    raise typer.Exit(2)
