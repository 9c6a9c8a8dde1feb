"""Entry point of the ``aso`` command."""

from __future__ import annotations

import typer

from aso.cli import plans, simulate

app = typer.Typer(
    name="aso",
    help="ASO: administration of self-funded employer benefit plans.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(plans.app, name="plans")
app.command("simulate")(simulate.simulate)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
