"""``aso plans``: templates and validation of plan designs."""

from __future__ import annotations

import typer

app = typer.Typer(help="Plan designs: templates and validation.", no_args_is_help=True)
