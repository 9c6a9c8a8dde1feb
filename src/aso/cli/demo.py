"""``aso demo``: rebuild the demo employers, their plans and people, and a user per role."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from aso.cli.common import application, err, fail, progress


def demo(
    employees: int = typer.Option(500, "--employees", min=5, help="size of the demo employer"),
) -> None:
    """Build (or rebuild from scratch: same seed, same data) the demo in the configured database."""
    from aso.synth.demo import build_demo

    _start_afresh()
    with application() as aso, progress() as bar:
        task = bar.add_task("demo", total=None)

        def step(what: str) -> None:
            bar.update(task, description=what, advance=1)

        result = build_demo(aso, employees=employees, step=step)
        bar.update(task, description="demo ready")
        logins_file = aso.settings.var_dir / "demo-logins.txt"
        url = aso.engine.url.render_as_string(hide_password=True)

    for (name, ein, members), batch in zip(result.employers, result.batches, strict=True):
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(batch.claim_statuses.items()))
        err.print(
            f"[green]✓[/green] {name} (EIN {ein}): {members} members; "
            f"{batch.claims} claims, {batch.lines} lines adjudicated ({statuses})",
            soft_wrap=True,
        )
    money = result.money
    err.print(
        f"[green]✓[/green] money: {money.invoices} invoices (${money.invoiced:,}), "
        f"{money.cycles} payment cycles (${money.paid:,} paid), "
        f"{money.notifications} stop-loss large-case notifications",
        soft_wrap=True,
    )
    table = Table(title="Demo logins (new passwords each run)", title_justify="left")
    for column in ("user", "password", "role", "who"):
        table.add_column(column)
    for login in result.logins:
        table.add_row(login.username, login.password, login.role.value, login.note)
    err.print(table)
    lines = [f"{x.username}\t{x.password}\t{x.role.value}\t{x.note}" for x in result.logins]
    logins_file.parent.mkdir(parents=True, exist_ok=True)
    logins_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    logins_file.chmod(0o600)
    first = result.logins[0]
    err.print(
        f"Database: {url}\nLogins saved to {logins_file}.\n"
        "A bearer token for the /v1 API (then send 'Authorization: Bearer <token>'):\n"
        f"  curl -s -d username={first.username} -d password={first.password} "
        "http://127.0.0.1:8000/v1/auth/token"
    )


def _start_afresh() -> None:
    """The demo's SQLite database is rebuilt from nothing: its books are immutable (the
    database refuses to delete a journal entry), so an earlier demo cannot be taken out row by
    row. A database that holds anything but an earlier demo is never touched: the command
    stops and says so. On PostgreSQL the demo goes into an empty database."""
    from sqlalchemy import inspect, text
    from sqlalchemy.engine import make_url

    from aso.bootstrap import make_engine
    from aso.config import get_settings
    from aso.synth.demo import demo_employers

    url = get_settings().resolved_database_url()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            eins = (
                {row[0] for row in connection.execute(text("SELECT ein FROM employers"))}
                if "employers" in tables
                else set()
            )
    finally:
        engine.dispose()
    others = eins - {spec.ein for spec in demo_employers()}
    if others:
        fail(
            f"{make_url(url).render_as_string(hide_password=True)} holds employers other than "
            f"the demo's ({', '.join(sorted(others))}): the demo rebuilds its own database; "
            "point ASO_DATABASE_URL (or ASO_VAR_DIR) somewhere else"
        )
    if not eins:
        return
    database = make_url(url).database
    if make_url(url).get_backend_name() != "sqlite" or not database:
        fail("an earlier demo is in this database: rebuild the demo in an empty database")
    for suffix in ("", "-wal", "-shm"):
        Path(database + suffix).unlink(missing_ok=True)
