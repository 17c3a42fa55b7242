"""How fast the classroom dashboard answers, measured in a real browser as a teacher uses it.

Starts ``marketsim dashboard`` with the baseline lesson (20,000 consumers, 365 days) and drives Debian's
Chromium at 1280x720 with Playwright, every request off the machine refused. For each of ``--repeats`` fresh
pages it measures:

- lever, first frame: from a word-of-mouth lever move (with the time shown at the horizon) to the first frame
  that draws the variant's year so far (its dashed lines, while the run is still being computed);
- lever, whole year: from the same move until the variant's whole year is on the page (its monitors too);
- play: from Play at day 0 until the page shows day 365;
- and, beside them in the same run, a bare run of the variant alone (MarketModel stepped to the horizon in
  this process), the floor for "lever, whole year".

The server's memory (RSS) is printed at the start, after the pages and after they are closed.
Figures depend on the machine and its load: quote them with ``uptime`` and compare ratios.

    .venv/bin/python benchmarks/dashboard_speed.py             # three pages
    .venv/bin/python benchmarks/dashboard_speed.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from dashboard_setup import CHROMIUM_ARGS, chromium, offline, watch  # noqa: E402

BASELINE = ROOT / "scenarios" / "baseline.toml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(condition, timeout: float = 120.0, poll: float = 0.02) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError
        time.sleep(poll)
    return time.perf_counter() - start


def bare_run(wom: float) -> float:
    import marketsim
    from marketsim.dashboard.lessons import lever_defaults, load_lesson, variant

    lesson = load_lesson(BASELINE)
    scenario = variant(lesson, {**lever_defaults(lesson), "wom": wom})
    start = time.perf_counter()
    model = marketsim.MarketModel(scenario, rng=1)
    while model.running:
        model.step()
    return time.perf_counter() - start


def measure(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_selector(".step-counter", timeout=120_000)
    counter = page.locator(".step-counter")
    monitors = page.locator(".monitor").first
    wait(lambda: "computing" not in counter.inner_text())
    page.locator(".play-button").click()
    play = wait(lambda: counter.inner_text() == "Day 365 of 365")
    before = monitors.inner_text()
    progress = page.locator(".variant-progress")

    def drawn() -> bool:  # the variant's dashed lines are on the page, up to some day past the first
        shown = progress.all_inner_texts()  # "your variant: day 57…" while it catches up
        return bool(shown) and float(shown[0].split()[-1].rstrip("…")) > 0

    def complete() -> bool:  # the variant's whole year: its monitors have figures ("-" while it computes)
        shown = monitors.inner_text()
        return progress.count() == 0 and shown != before and "\t-\t" not in shown

    page.locator(".slider-wom .v-slider__thumb-container").focus()
    page.keyboard.press("PageUp")
    first = wait(lambda: drawn() or complete())
    whole = wait(complete) + first
    return {"play": play, "first": first, "whole": whole}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "marketsim", "dashboard", str(BASELINE), "--port", str(port),
                               "--no-open"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "SOLARA_KERNEL_CULL_TIMEOUT": "2s"})
    url = f"http://127.0.0.1:{port}/"
    try:
        wait(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, timeout=120, poll=0.3)
        memory = psutil.Process(server.pid)
        from playwright.sync_api import sync_playwright

        rows, problems = [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            warm = browser.new_context(viewport={"width": 1280, "height": 720})
            warm.new_page().goto(url)
            time.sleep(8)
            warm.close()
            time.sleep(5)
            rss_start = memory.memory_info().rss
            for _ in range(args.repeats):
                context = browser.new_context(viewport={"width": 1280, "height": 720})
                refused = offline(context)
                page = context.new_page()
                seen = watch(page)
                rows.append(measure(page, url))
                problems += seen + refused
                context.close()
                rows[-1]["bare"] = bare_run(0.06)  # the lever's one PageUp: 1% -> 6%
            rss_pages = memory.memory_info().rss
            time.sleep(10)
            rss_end = memory.memory_info().rss
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.2f}, {args.repeats} pages, baseline "
          f"(20,000 consumers, 365 days), medians (min-max):")
    for key, label in (("first", "lever -> first variant frame"), ("whole", "lever -> variant's whole year"),
                       ("bare", "the variant's year, bare model"), ("play", "Play -> day 365")):
        values = np.array([r[key] for r in rows])
        print(f"  {label:32} {np.median(values):6.2f} s  ({values.min():.2f}-{values.max():.2f})")
    whole, bare = np.median([r["whole"] for r in rows]), np.median([r["bare"] for r in rows])
    print(f"  a lever's whole year costs {whole / bare:.1f} x a bare run of it")
    print(f"  server memory: {rss_start / 2**20:,.0f} MiB at the start, {rss_pages / 2**20:,.0f} MiB after the pages, "
          f"{rss_end / 2**20:,.0f} MiB ten seconds after they closed")
    print(f"  problems on the pages: {problems or 'none'}")


if __name__ == "__main__":
    main()
