"""Entry point of the ``aso`` command."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from aso.cli import (
    claims,
    demo,
    edi,
    employers,
    invoices,
    ledger,
    members,
    payments,
    plans,
    providers,
    serve,
    simulate,
    stoploss,
    users,
)
from aso.cli.common import err
from aso.config import get_settings

app = typer.Typer(
    name="aso",
    help="ASO: administration of self-funded employer benefit plans.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def configuration_checked() -> None:
    """Refuse to start on a bad setting, naming its variable (exit 2)."""
    try:
        get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            variable = "ASO_" + "_".join(str(part) for part in error["loc"]).upper()
            message = error["msg"].removeprefix("Value error, ")
            err.print(
                f"configuration: {variable}: {message}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        raise typer.Exit(2) from None


app.add_typer(claims.accumulators_app, name="accumulators")
app.add_typer(claims.auth_app, name="authorizations")
app.add_typer(claims.claims_app, name="claims")
app.add_typer(edi.app, name="edi")
app.add_typer(employers.app, name="employers")
app.add_typer(invoices.app, name="invoices")
app.add_typer(ledger.app, name="ledger")
app.add_typer(members.members_app, name="members")
app.add_typer(members.census_app, name="census")
app.add_typer(members.eligibility_app, name="eligibility")
app.add_typer(payments.app, name="payments")
app.add_typer(payments.funding_app, name="funding")
app.add_typer(plans.app, name="plans")
app.add_typer(providers.app, name="providers")
app.add_typer(providers.fees_app, name="fees")
app.add_typer(stoploss.app, name="stoploss")
app.add_typer(users.app, name="users")
app.command("simulate")(simulate.simulate)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
