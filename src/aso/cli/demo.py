"""``aso demo``: rebuild the demo employers, their plans and people, and a user per role."""

from __future__ import annotations

import typer
from rich.table import Table

from aso.cli.common import application, err, progress


def demo(
    employees: int = typer.Option(500, "--employees", min=5, help="size of the demo employer"),
) -> None:
    """Build (or rebuild from scratch: same seed, same data) the demo in the configured database."""
    from aso.synth.demo import build_demo

    with application() as aso, progress() as bar:
        task = bar.add_task("demo", total=7)

        def step(what: str) -> None:
            bar.update(task, description=what, advance=1)

        result = build_demo(aso, employees=employees, step=step)
        bar.update(task, description="demo ready", completed=7)
        logins_file = aso.settings.var_dir / "demo-logins.txt"
        url = aso.engine.url.render_as_string(hide_password=True)

    for (name, ein, members), batch in zip(result.employers, result.batches, strict=True):
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(batch.claim_statuses.items()))
        err.print(
            f"[green]✓[/green] {name} (EIN {ein}): {members} members; "
            f"{batch.claims} claims, {batch.lines} lines adjudicated ({statuses})",
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
