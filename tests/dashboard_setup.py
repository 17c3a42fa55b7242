"""Set-up for the browser tests: a headless Chromium for Playwright, and a page that never leaves the machine.

The page's assets come from the ``solara-assets`` package (a project dependency), so nothing is fetched here:
``offline`` makes a browser context refuse every request that is not to the loopback address and record it,
and a test fails on any refused request, any response of 400 or more, and any page or console error.
``chromium`` finds a browser for Playwright or installs one (Debian's package where apt works, ``playwright
install chromium`` elsewhere); it returns at once when there is one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@contextmanager
def locked(name: str):
    """One set-up at a time across test workers (pytest-xdist)."""
    path = Path(tempfile.gettempdir()) / f"marketsim-{name}.lock"
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def chromium() -> str:
    """The path of a Chromium that Playwright can drive, installing one when there is none."""
    with locked("chromium"):
        if DEBIAN_CHROMIUM.exists():
            return str(DEBIAN_CHROMIUM)
        if shutil.which("apt-get") and os.geteuid() == 0:
            subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True, timeout=600)
            subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True, capture_output=True,
                           timeout=1200, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            return str(DEBIAN_CHROMIUM)
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True, timeout=1200)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            return p.chromium.executable_path


def offline(context) -> list[str]:
    """Refuse every request of ``context`` that leaves the machine; returns the list the refusals go to."""
    refused: list[str] = []

    def route(r):
        if urlparse(r.request.url).hostname in LOOPBACK:
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return refused


def watch(page) -> list[str]:
    """Every page error, console error and response of 400 or more on ``page``, as they come."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_marketsim(args: list[str], port: int, cwd: Path, **env) -> subprocess.Popen:
    """``python -m marketsim ARGS`` (a command that serves a page on ``port``), once it answers there."""
    process = subprocess.Popen([sys.executable, "-m", "marketsim", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, cwd=cwd, env={**os.environ, **env})
    deadline = time.monotonic() + 120
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"marketsim {args[0]} did not start: {process.stdout.read().decode()[-2000:]}")
            time.sleep(0.3)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()

