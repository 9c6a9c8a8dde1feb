"""``aso serve``: the web app and the ``/v1`` API (Ctrl-C stops it)."""

from __future__ import annotations

import typer

from aso.cli.common import err


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="port to listen on"),
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    from aso.api.app import create_app
    from aso.bootstrap import App

    aso = App()
    aso.migrate()
    err.print(
        f"ASO is serving at [bold]http://{host}:{port}/[/bold] (API docs: /docs). Ctrl-C stops it."
    )
    uvicorn.run(create_app(aso), host=host, port=port, log_level="warning")
