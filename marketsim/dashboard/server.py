"""Starting the dashboard: Solara's server, in this process, bound to 127.0.0.1 unless told otherwise.

Nothing the page needs comes from outside the machine: Solara's page assets (its Vue app, RequireJS, ECharts,
Mermaid, fonts) are installed by the ``solara-assets`` package into the folder Solara serves them from, the
server's fallback for a missing asset points at the loopback address (so a missing file is an error on the
page, never a download), and Solara's usage statistics are off. A session closed by its tab ends after
``KERNEL_CULL`` (a dropped connection can come back within it), and its runs with it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import webbrowser
from pathlib import Path
from urllib.parse import urlparse

from .lessons import LESSON_ENV

APP = "marketsim.dashboard.app"
GAME_APP = "marketsim.dashboard.game_page"
GAME_STORE_ENV = "MARKETSIM_GAME_STORE"  # the game's SQLite file, for the game page
KERNEL_CULL = "60s"
SETTINGS = {  # Solara's, unless the environment sets them
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/",  # the discard port: a missing asset fails at once, locally
    "SOLARA_KERNEL_CULL_TIMEOUT": KERNEL_CULL,
    "SOLARA_THEME_SHOW_BANNER": "false",  # Solara's badge would sit on the charts
    "SOLARA_THEME_TITLE": "marketsim classroom",
}


def solara_arguments(host: str, port: int, app: str = APP) -> list[str]:
    """``solara run`` in production mode (no auto-reload, no dev tools); the browser is opened here."""
    return ["run", app, "--host", host, "--port", str(port), "--production", "--no-open", "--log-level", "warning"]


def open_when_listening(url: str, port: int, say, timeout: float = 120.0) -> None:
    """Open ``url`` in a browser once the server answers there, or say why it could not be opened."""
    host = urlparse(url).hostname
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        say(f"could not open a browser: the server did not answer within {timeout:.0f} s")
        return
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error as exc:
        opened, reason = False, str(exc)
    else:
        reason = "no web browser was found (set the BROWSER variable, or open the address yourself)"
    if not opened:
        say(f"could not open a browser: {reason}; the page is at {url}")


def page_url(host: str, port: int) -> str:
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}/"


def serve(scenario: Path | None, host: str, port: int, open_browser: bool, say=print) -> None:
    """Serve the classroom dashboard until interrupted (Ctrl-C)."""
    env = {} if scenario is None else {LESSON_ENV: str(Path(scenario).resolve())}
    url = page_url(host, port)
    say(f"marketsim classroom: {url} (Ctrl-C stops it)")
    serve_app(APP, env, host, port, url if open_browser else None, say, "marketsim dashboard")


def serve_app(app: str, env: dict[str, str], host: str, port: int, open_url: str | None, say, prog: str) -> None:
    """Serve a Solara ``app`` with Solara's settings and ``env`` until interrupted; open ``open_url`` once up."""
    for key, value in SETTINGS.items():
        os.environ.setdefault(key, value)
    os.environ.update(env)
    if open_url is not None:
        threading.Thread(target=open_when_listening, args=(open_url, port, say), daemon=True).start()
    from solara.__main__ import cli

    cli.main(solara_arguments(host, port, app), prog_name=prog, standalone_mode=False)
