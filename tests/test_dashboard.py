"""The classroom dashboard: its lessons and levers, and the page itself in a real headless browser.

The browser tests start ``marketsim dashboard`` on a free local port with a short lesson (the
baseline cut to a few weeks, so a run reaches its summary in seconds) and drive Debian's Chromium
with Playwright. A missing browser or CDN file is set up by ``dashboard_setup`` and fails the
tests if it cannot be, never skips them. Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest
from dashboard_setup import CDN_PATH, CHROMIUM_ARGS, cdn_cache, chromium, fetch_missing, fill_cdn_cache
from typer.testing import CliRunner

from marketsim.cli import app as cli_app
from marketsim.dashboard.app import summary_frame
from marketsim.dashboard.classroom import AS_WRITTEN, VARIANT, Classroom, Session
from marketsim.dashboard.lessons import (
    LEVERS,
    QUESTIONS,
    lever_defaults,
    load_lesson,
    overrides,
    ready_lessons,
    show,
    story,
    variant,
)
from marketsim.market.model import MarketModel

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
BASELINE = ROOT / "scenarios" / "baseline.toml"
SHORT_HORIZON = 12

# --------------------------------------------------------------------------- lessons and levers


def test_every_ready_scenario_is_a_lesson_with_story_question_and_levers():
    lessons = ready_lessons()
    comparisons = {load_lesson(p).name for p in (ROOT / "scenarios").glob("*.toml")
                   if len(load_lesson(p).scenario.brands) > 1}
    assert set(lessons) == comparisons and "baseline" in comparisons and "air_conditioners" not in comparisons
    for name, path in lessons.items():
        lesson = load_lesson(path)
        assert lesson.story and not lesson.story.startswith("#")
        assert lesson.question == QUESTIONS[name]
        assert lesson.niche in lesson.scenario.segment_names
        assert {"budget_split", "precision", "relevance", "wom", "niche_size", "price"} <= set(lever_defaults(lesson))


def test_story_is_the_opening_comment_block():
    text = story(BASELINE)
    assert text.startswith("Micro versus macro: two competing brands with equal budgets.")
    assert "share each brand holds in the young, active niche." in text
    assert "name =" not in text


def test_levers_at_their_starting_values_change_nothing():
    lesson = load_lesson(BASELINE)
    assert overrides(lesson, lever_defaults(lesson)) == {}
    assert variant(lesson, lever_defaults(lesson)) == lesson.scenario


def test_each_lever_changes_the_field_it_names():
    lesson = load_lesson(BASELINE)
    start = lever_defaults(lesson)
    sc = variant(lesson, {**start, "budget_split": 0.25, "precision": 0.5, "niche_size": 0.4, "price": 6.0,
                          "homophily": 0.3, "wom": 0.1, "relevance": 0.2})
    spark, mass = sc.brand("Spark"), sc.brand("Mass")
    assert (spark.budget, mass.budget) == (30_000, 90_000)  # the total stays 120,000
    assert spark.price == 6.0
    assert all(c.relevance == 0.2 for c in sc.campaigns if c.brand == "Spark")
    assert [c.precision for c in sc.campaigns if c.brand == "Spark" and c.type == "ads"] == [0.5]
    assert [c.relevance for c in sc.campaigns if c.brand == "Mass"] == [0.1]  # the mass brand is untouched
    shares = {s.name: s.share for s in sc.population.segments}
    assert shares["young_active"] / sum(shares.values()) == pytest.approx(0.4)
    assert shares["families"] / shares["seniors"] == pytest.approx(0.35 / 0.20)  # the rest keep their ratios
    assert sc.network.homophily == 0.3 and sc.word_of_mouth.strength == 0.1


def test_every_lever_label_ends_with_the_unit_its_slider_shows():
    """A percent lever says % in its last parentheses and holds a fraction the slider shows x 100; the others
    name their unit there and show the field as it is. Every lesson's starting value fits its slider's range."""
    for lever in LEVERS:
        label = lever.label.format(unit="day")
        assert label.endswith(")") and "{" not in label, label
        unit = label.rsplit("(", 1)[1]
        assert ("%" in unit) == lever.percent, label
        assert lever.min < lever.max and lever.step > 0
        assert not lever.percent or 0 <= lever.min and lever.max <= 100, label
    assert show(LEVERS[1], 0.85) == "85%" and show(LEVERS[-1], 12.5) == "12.5"
    for path in ready_lessons().values():
        lesson = load_lesson(path)
        for lever in LEVERS:
            if lever.key in lever_defaults(lesson):
                shown = lever_defaults(lesson)[lever.key] * (100 if lever.percent else 1)
                assert lever.min <= shown <= lever.max, (lesson.name, lever.key, shown)


def small_session(**levers) -> Session:
    session = Session(BASELINE)
    session.levers.update(levers)
    return session


def test_both_runs_share_their_random_numbers_until_a_lever_moves():
    same = Classroom(small_session())
    for _ in range(40):
        same.step()
    a, b = (same.runs[n].recorder.data["customer"] for n in (AS_WRITTEN, VARIANT))
    assert np.array_equal(a, b)

    moved = Classroom(small_session(precision=0.2))
    for _ in range(40):
        moved.step()
    assert not np.array_equal(moved.runs[AS_WRITTEN].recorder.data["customer"],
                              moved.runs[VARIANT].recorder.data["customer"])
    assert np.array_equal(moved.runs[AS_WRITTEN].recorder.data["customer"], a)  # same seed, same run


@pytest.mark.slow
def test_the_classroom_model_runs_to_its_horizon_and_stops():
    classroom = Classroom(small_session())
    while classroom.running:
        classroom.step()
    assert classroom.steps == classroom.horizon == 365
    assert classroom.finished


def test_a_classroom_step_is_one_step_of_each_run_as_if_it_ran_alone():
    """Each step advances both runs by one model step, and adds nothing to them: after 31 steps each run's
    records are those of the same scenario run alone for 31 steps from the same seed (how fast a step goes is
    measured beside a bare model's step by benchmarks/model_speed.py --classroom)."""
    session = small_session(precision=0.2)
    classroom = Classroom(session)
    for _ in range(31):
        classroom.step()
    assert classroom.running and not classroom.finished
    for name, scenario in ((AS_WRITTEN, session.lesson.scenario), (VARIANT, variant(session.lesson, session.levers))):
        alone = MarketModel(scenario, rng=session.seed)
        for _ in range(31):
            alone.step()
        run = classroom.runs[name]
        assert run.steps == alone.steps == 31
        for column, values in alone.recorder.data.items():
            assert np.array_equal(run.recorder.data[column], values), (name, column)
        assert run.recorder.data["impressions"][1:32].sum() > 0 and not run.recorder.data["impressions"][32:].any()


def test_the_network_sample_is_a_few_hundred_linked_consumers_laid_out_once():
    classroom = Classroom(small_session())
    sample = classroom.sample(AS_WRITTEN)
    assert len(sample.nodes) == 300 and sample.xy.shape == (300, 2)
    assert len(sample.edges) >= 299  # a snowball sample is connected
    assert classroom.sample(AS_WRITTEN) is sample


def test_dashboard_warns_when_open_to_the_network(monkeypatch):
    calls = []
    monkeypatch.setattr("marketsim.dashboard.server.serve", lambda *args: calls.append(args))
    result = CliRunner().invoke(cli_app, ["dashboard", "--host", "0.0.0.0", "--no-open"])
    assert result.exit_code == 0
    assert "anyone on this network" in result.output
    assert calls == [(None, "0.0.0.0", 8765, False)]
    quiet = CliRunner().invoke(cli_app, ["dashboard", "--no-open"])
    assert "anyone on this network" not in quiet.output
    assert calls[-1] == (None, "127.0.0.1", 8765, False)


def test_dashboard_rejects_a_bad_scenario(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = 'x'\n")
    result = CliRunner().invoke(cli_app, ["dashboard", str(bad), "--no-open"])
    assert result.exit_code == 2
    assert "population" in result.output


# --------------------------------------------------------------------------- the page in a browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def short_lesson(tmp_path_factory) -> Path:
    """The baseline cut to SHORT_HORIZON days and 3,000 consumers, with its story."""
    text = BASELINE.read_text(encoding="utf-8")
    text = text.replace('name = "baseline"', 'name = "short_baseline"').replace("horizon = 365",
                                                                            f"horizon = {SHORT_HORIZON}")
    path = tmp_path_factory.mktemp("lesson") / "short_baseline.toml"
    path.write_text(text.replace("size = 20000", "size = 3000"), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def server(short_lesson):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "marketsim", "dashboard", str(short_lesson), "--port", str(port),
                                "--no-open"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the dashboard did not start: {process.stdout.read().decode()[-2000:]}")
            time.sleep(0.3)
    yield process, port, url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def open_page(context, url: str):
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: page.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector(".step-counter", timeout=90_000)
    return page


def missing_cdn_files(browser, url: str) -> set[tuple[str, str, str]]:
    """CDN files the page asked for and the server could not give (found by loading it once)."""
    missing = set()
    context = browser.new_context()
    page = context.new_page()
    page.on("response", lambda r: missing.update(CDN_PATH.findall(r.url)) if r.status >= 400 else None)
    page.goto(url)
    page.wait_for_selector(".step-counter", timeout=90_000)
    page.get_by_role("button", name="▶").click()  # the summary at the horizon loads more
    page.locator(".summary-card").get_by_text("Figures (PNG)").wait_for(timeout=90_000)
    page.wait_for_timeout(1000)
    context.close()
    return missing


@pytest.fixture(scope="session")
def browser(server):
    from importlib.metadata import version

    from playwright.sync_api import sync_playwright

    _, _, url = server
    fill_cdn_cache(url)
    checked = cdn_cache() / f".marketsim-checked-solara-{version('solara')}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        for _ in range(3 if not checked.exists() else 0):  # files scripts load later (grid layout, Markdown)
            missing = missing_cdn_files(browser, url)
            if not missing:
                checked.touch()
                break
            fetch_missing(missing)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    yield context
    context.close()


def step_text(page, column: int = 0) -> str:
    return page.locator(".step-counter").nth(column).inner_text()


def step_number(page, column: int = 0) -> int:
    return int(step_text(page, column).split()[1])


def plot_source(page, column: int = 0) -> str:
    return page.locator("img").nth(2 * column).get_attribute("src")


def wait_until(condition, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def test_page_loads_without_console_errors(context, server):
    page = open_page(context, server[2])
    page.wait_for_timeout(1500)
    assert page.errors == []
    assert step_text(page) == f"Step 0 of {SHORT_HORIZON} (0 days)"
    assert "Question for the class" in page.inner_text("body")
    screenshot(page, "dashboard-loaded")


def test_play_advances_the_step_counter_and_the_plots(context, server):
    page = open_page(context, server[2])
    before = plot_source(page)
    page.get_by_role("button", name="▶").click()
    wait_until(lambda: step_number(page) > 0, what="the first steps")
    wait_until(lambda: plot_source(page) != before, what="the plots to change")
    wait_until(lambda: step_number(page) == step_number(page, 1) == SHORT_HORIZON, what="the horizon")
    assert page.errors == []


def click_lever(page, key: str, fraction: float) -> None:
    track = page.locator(f".lever-{key} + .v-input .v-slider")
    box = track.bounding_box()
    page.mouse.click(box["x"] + fraction * box["width"], box["y"] + box["height"] / 2)


def test_a_lever_resets_the_run_and_changes_the_variant_curves(context, server):
    page = open_page(context, server[2])
    page.get_by_role("button", name="Step").click()
    wait_until(lambda: step_number(page) > 0, what="a step")
    click_lever(page, "wom", 0.9)
    wait_until(lambda: "Word-of-mouth strength" in page.locator(".variant-changes").inner_text(), what="the lever")
    assert step_number(page, 0) == step_number(page, 1) == 0
    page.get_by_role("button", name="▶").click()
    wait_until(lambda: step_number(page) == step_number(page, 1) == SHORT_HORIZON, what="the horizon")
    written, changed = (page.locator(".lead-line").nth(k).inner_text() for k in (0, 1))
    assert written != changed  # same seed, stronger word of mouth: the curves differ
    screenshot(page, "dashboard-lever")


def test_switching_the_lesson(context, server):
    page = open_page(context, server[2])
    page.locator(".v-select").first.click()
    page.get_by_role("option", name="named_bottles").click()
    wait_until(lambda: "Cola" in page.locator(".lead-line").first.inner_text(), what="the new lesson")
    wait_until(lambda: "Share a Coke" in page.inner_text("body"), what="the new lesson's story")
    assert step_text(page) == "Step 0 of 365 (0 days)"


def test_two_sessions_have_their_own_models(browser, server):
    first, second = (browser.new_context(viewport={"width": 1600, "height": 1000}) for _ in range(2))
    try:
        one, two = open_page(first, server[2]), open_page(second, server[2])
        one.get_by_role("button", name="Step").click()
        wait_until(lambda: step_number(one) > 0, what="a step in the first session")
        two.wait_for_timeout(1000)
        assert step_number(two) == 0
    finally:
        first.close()
        second.close()


@pytest.mark.slow
def test_summary_card_and_downloads_at_the_horizon(context, server, short_lesson):
    page = open_page(context, server[2])
    page.get_by_role("button", name="▶").click()
    card = page.locator(".summary-card")
    wait_until(lambda: "figures (png)" in card.inner_text().lower(), what="the summary")
    assert "cost per new customer" in card.inner_text()
    screenshot(page, "dashboard-summary")
    with page.expect_download() as png:
        page.get_by_text("Figures (PNG)").click()
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as csv:
        page.get_by_text("Summary (CSV)").click()
    downloaded = pd.read_csv(csv.value.path())
    assert list(downloaded.columns[:2]) == ["brand", "customers"]
    # the page's numbers are those of the lesson's two runs (as written, and the unmoved variant) at the horizon
    classroom = Classroom(Session(short_lesson))
    while classroom.running:
        classroom.step()
    expected = pd.read_csv(io.StringIO(summary_frame(classroom).to_csv(index=False)))
    assert len(downloaded) == 2 * len(classroom.lesson.scenario.brands)
    pd.testing.assert_frame_equal(downloaded, expected)


def test_the_server_listens_only_on_localhost_by_default(server):
    process, port, _ = server
    listening = {c.laddr for p in [psutil.Process(process.pid), *psutil.Process(process.pid).children(True)]
                 for c in p.net_connections("inet") if c.status == psutil.CONN_LISTEN and c.laddr.port == port}
    assert listening and {a.ip for a in listening} == {"127.0.0.1"}
