"""Starting the dashboard: Solara's server, in this process, bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from .app import LESSON_ENV

APP = "marketsim.dashboard.app"


def solara_arguments(host: str, port: int, open_browser: bool) -> list[str]:
    """``solara run`` in production mode (no auto-reload, no dev tools); Solara prints the address
    and opens it in a browser when asked and one is available."""
    return ["run", APP, "--host", host, "--port", str(port), "--production",
            "--open" if open_browser else "--no-open", "--log-level", "warning"]


def serve(scenario: Path | None, host: str, port: int, open_browser: bool) -> None:
    """Serve the page until interrupted (Ctrl-C)."""
    from solara.__main__ import cli

    if scenario is not None:
        os.environ[LESSON_ENV] = str(Path(scenario).resolve())
    cli.main(solara_arguments(host, port, open_browser), prog_name="marketsim dashboard", standalone_mode=False)
