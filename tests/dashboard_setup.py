"""Set-up for the browser tests: a headless Chromium and Solara's CDN files, both offline-ready.

Solara's page loads its JavaScript and CSS from ``/_solara/cdn/<package>@<version>/<file>``; the
server answers from ``<prefix>/share/solara/cdn/`` and otherwise fetches from a CDN, which CI and
this machine cannot reach. ``fill_cdn_cache`` reads the exact packages and versions the page asks
for, fetches each once from the npm registry (``npm pack``) and unpacks it into that cache.
``chromium`` finds a browser for Playwright or installs one (Debian's package where apt works,
``playwright install chromium`` elsewhere). Both steps are idempotent and return at once when done.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CDN_PATH = re.compile(r"_solara/cdn/((?:@[^/\"']+/)?[^/@\"']+)@([^/\"']+)/([^\"'?#\s]+)")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")


def cdn_cache() -> Path:
    return Path(sys.prefix) / "share" / "solara" / "cdn"


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


def cdn_files(page_url: str) -> set[tuple[str, str, str]]:
    """(package, version, file) for every CDN file the page at ``page_url`` asks for."""
    with urllib.request.urlopen(page_url, timeout=60) as response:
        html = response.read().decode("utf-8", "replace")
    return set(CDN_PATH.findall(html))


def unpack_npm(package: str, version: str, into: Path) -> None:
    """Fetch ``package@version`` from the npm registry and unpack its files into ``into``."""
    if shutil.which("npm") is None:
        raise RuntimeError("npm is needed to fill Solara's CDN cache for the browser tests "
                           "(Debian: apt-get install -y npm)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"{package}@{version}", "--silent", "--pack-destination", tmp],
                       check=True, capture_output=True, timeout=300)
        (tarball,) = Path(tmp).glob("*.tgz")
        staging = Path(tmp) / "unpacked"
        with tarfile.open(tarball) as archive:
            archive.extractall(staging, filter="data")
        into.parent.mkdir(parents=True, exist_ok=True)
        partial = into.with_name(into.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.move(str(staging / "package"), partial)
        partial.rename(into)  # appears whole or not at all


def fill_cdn_cache(page_url: str) -> list[str]:
    """Make every CDN file the page asks for available offline; returns the packages fetched."""
    return fetch_missing(cdn_files(page_url))


def fetch_missing(files: set[tuple[str, str, str]]) -> list[str]:
    """Unpack the npm package of each (package, version, file) that the cache lacks."""
    fetched = []
    with locked("solara-cdn"):
        for package, version, file in sorted(files):
            folder = cdn_cache() / f"{package}@{version}"
            if (folder / file).is_file():
                continue
            if folder.exists():
                raise RuntimeError(f"{folder} exists but lacks {file}: remove the folder and run the tests again")
            unpack_npm(package, version, folder)
            fetched.append(f"{package}@{version}")
    return fetched


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
