"""The classroom dashboard: its lessons, levers, runs and charts, and the page itself in a real headless browser.

The browser tests start ``marketsim dashboard`` on a free local port and drive Debian's Chromium with
Playwright at 1280x720, with every request that would leave the machine refused: a refused request, a
missing file, a page error or a console error fails the test. A missing browser is installed by
``dashboard_setup`` or fails the tests, never skips them. Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import gc
import io
import re
import socket
import subprocess
import threading
import time
import weakref
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest
from dashboard_setup import CHROMIUM_ARGS, chromium, free_port, offline, start_marketsim, stop, watch
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from marketsim.cli import app as cli_app
from marketsim.dashboard import server as dashboard_server
from marketsim.dashboard.app import PLAY_SECONDS, TICK, change, leader, stride
from marketsim.dashboard.charts import TEXT, kept, line_chart, network_chart, nice_ceiling, run_charts
from marketsim.dashboard.classroom import AS_WRITTEN, VARIANT, Classroom, Runs
from marketsim.dashboard.figures import panels_png
from marketsim.dashboard.lessons import (
    LEVERS,
    Lesson,
    Slider,
    lever_defaults,
    load_lesson,
    overrides,
    ready_lessons,
    show,
    variant,
)
from marketsim.dashboard.questions import QUESTIONS
from marketsim.dashboard.runs import Track, customers_curve, fan
from marketsim.market.model import MarketModel

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
BASELINE = ROOT / "scenarios" / "baseline.toml"
SHORT_HORIZON = 12
VIEWPORT = {"width": 1280, "height": 720}


def finished(classroom: Classroom) -> Runs:
    now = classroom.now
    now.written.wait()
    now.variant.wait()
    assert now.error is None
    return now


def spend(now: Runs, run: str) -> dict[str, float]:
    frame = now.summary()
    return dict(zip(frame[frame.run == run].brand, frame[frame.run == run].spend))


# --------------------------------------------------------------------------- lessons and levers


def test_every_ready_scenario_is_a_lesson_with_story_question_and_levers():
    lessons = ready_lessons()
    comparisons = {load_lesson(p).name for p in (ROOT / "scenarios").glob("*.toml")
                   if len(load_lesson(p).scenario.brands) > 1}
    assert set(lessons) == comparisons and "baseline" in comparisons and "air_conditioners" not in comparisons
    for name, path in lessons.items():
        lesson = load_lesson(path)
        assert lesson.story and not lesson.story.startswith("#") and "Encodings" not in lesson.story
        assert lesson.question == QUESTIONS[name]
        assert lesson.niche in lesson.scenario.segment_names
        assert {"budget_split", "relevance", "wom", "niche_size", "price"} <= set(lever_defaults(lesson))
        has_ads = any(c.brand == lesson.micro and c.type == "ads" for c in lesson.scenario.campaigns)
        assert ("precision" in lever_defaults(lesson)) == has_ads  # a lever that would move nothing is not shown


def test_levers_at_their_starting_values_change_nothing():
    for path in ready_lessons().values():
        lesson = load_lesson(path)
        assert overrides(lesson, lever_defaults(lesson)) == {}
        assert variant(lesson, lever_defaults(lesson)) == lesson.scenario


def test_each_lever_changes_the_field_it_names():
    lesson = load_lesson(BASELINE)
    start = lever_defaults(lesson)
    sc = variant(lesson, {**start, "precision": 0.5, "niche_size": 0.4, "price": 6.0, "homophily": 0.3, "wom": 0.1,
                          "relevance": 0.2})
    assert sc.brand("Spark").price == 6.0
    relevance = {c.name: c.relevance for c in sc.campaigns}
    # the lever moves the campaign it reads (Spark's social ads), not the event's or the samples' relevance
    assert (relevance["spark_social"], relevance["spark_event"], relevance["spark_samples"]) == (0.2, 1.0, 0.0)
    assert [c.precision for c in sc.campaigns if c.brand == "Spark" and c.type == "ads"] == [0.5]
    assert [c.relevance for c in sc.campaigns if c.brand == "Mass"] == [0.1]  # the mass brand is untouched
    shares = {s.name: s.share for s in sc.population.segments}
    assert shares["young_active"] / sum(shares.values()) == pytest.approx(0.4)
    assert shares["families"] / shares["seniors"] == pytest.approx(0.35 / 0.20)  # the rest keep their ratios
    assert sc.network.homophily == 0.3 and sc.word_of_mouth.strength == 0.1


def test_the_budget_lever_moves_money_and_what_it_buys_between_the_brands():
    """25% of the money to Spark (as written 50%): Spark's budget and everything its campaigns buy halve, Mass's
    grow by half; the total budget stays; one-off costs (research, channel set-up) stay."""
    lesson = load_lesson(BASELINE)
    written = lesson.scenario
    sc = variant(lesson, {**lever_defaults(lesson), "budget_split": 0.25})
    assert (sc.brand("Spark").budget, sc.brand("Mass").budget) == (30_000, 90_000)
    before, after = ({c.name: c for c in s.campaigns} for s in (written, sc))
    assert after["spark_social"].impressions == before["spark_social"].impressions / 2
    assert after["spark_social"].budget == before["spark_social"].budget / 2
    assert after["spark_social"].research == before["spark_social"].research
    assert after["spark_event"].reach == before["spark_event"].reach / 2
    assert after["spark_event"].fixed_cost == before["spark_event"].fixed_cost / 2
    assert after["spark_samples"].seeds == before["spark_samples"].seeds / 2
    assert after["mass_tv"].impressions == before["mass_tv"].impressions * 1.5
    assert [ch.setup_cost for ch in sc.channels] == [ch.setup_cost for ch in written.channels]


@pytest.mark.parametrize("name, split", [("baseline", 0.25), ("rainy_city_rides", 0.2), ("underserved_segment", 0.6)])
def test_the_budget_lever_changes_what_each_brand_spends(name, split):
    """Spend follows the money: less to the niche brand, it spends less and the mass brand more; more, the
    reverse (a budget that only capped spending changed nothing in these lessons)."""
    classroom = Classroom(ready_lessons()[name])
    start = classroom.now.levers["budget_split"]
    classroom.move("budget_split", split)
    now = finished(classroom)
    micro, macro = now.lesson.micro, now.lesson.macro
    written, moved = spend(now, AS_WRITTEN), spend(now, VARIANT)
    direction = np.sign(split - start)
    assert np.sign(moved[micro] - written[micro]) == direction
    assert np.sign(moved[macro] - written[macro]) == -direction


def test_every_lever_labels_its_unit_and_every_lesson_value_sits_on_its_slider():
    for lever in LEVERS:
        label = lever.label.format(unit="day")
        assert "{" not in label and lever.help
        assert ("%" in label) == lever.percent, label
        assert lever.min < lever.max and lever.step > 0
        assert not lever.percent or 0 <= lever.min and lever.max <= 100, label
    assert show(LEVERS[1], 0.85) == "85%" and show(LEVERS[-1], 12.5) == "12.5"
    assert show(LEVERS[0], 0.2941176) == "29.4%"
    for path in ready_lessons().values():
        lesson = load_lesson(path)
        for lever in LEVERS:
            if lever.key in lever_defaults(lesson):
                value = lever_defaults(lesson)[lever.key]
                slider = Slider.of(lever, value)
                assert slider.at(slider.start) == value and slider.position(value) == slider.start
                variant(lesson, {**lever_defaults(lesson), lever.key: slider.at(0)})  # both ends are valid
                variant(lesson, {**lever_defaults(lesson), lever.key: slider.at(slider.last)})


@given(lever=st.sampled_from(LEVERS), fraction=st.floats(-0.5, 1.5))
def test_a_slider_starts_at_the_lessons_value_and_reaches_both_ends_of_the_range(lever, fraction):
    """Whatever a lesson's value (on the lever's grid or not, inside its range or not), the slider starts exactly
    there, rises by one step a position from it (the ends excepted), stays within the range (and the value),
    and reaches both of its ends exactly."""
    scale = 100.0 if lever.percent else 1.0
    value = (lever.min + fraction * (lever.max - lever.min)) / scale
    slider = Slider.of(lever, value)
    low, high = min(lever.min, value * scale), max(lever.max, value * scale)
    assert 0 <= slider.start <= slider.last and slider.at(slider.start) == value
    shown = np.array(slider.values) * scale
    assert shown[0] == pytest.approx(low, abs=1e-8) and shown[-1] == pytest.approx(high, abs=1e-8)
    assert np.all(np.diff(shown) > 0) and np.all(np.diff(shown) <= lever.step + 1e-9)
    assert np.allclose(np.diff(shown[1:-1]), lever.step)
    assert all(slider.position(slider.at(p)) == p for p in range(slider.last + 1))


def test_the_aim_levers_leave_a_mixed_plans_other_campaigns_as_written():
    """In launch_decision Ridge's social ads and its TV spot are the two halves of the question: the precision
    and relevance levers move the social ads only."""
    lesson = load_lesson(ready_lessons()["launch_decision"])
    sc = variant(lesson, {**lever_defaults(lesson), "precision": 0.5, "relevance": 0.3})
    campaigns = {c.name: c for c in sc.campaigns}
    written = {c.name: c for c in lesson.scenario.campaigns}
    assert (campaigns["ridge_social"].precision, campaigns["ridge_social"].relevance) == (0.5, 0.3)
    for name in ("ridge_tv", "ridge_samples"):
        assert campaigns[name] == written[name]


def test_a_lever_that_would_move_nothing_is_not_offered():
    lesson = load_lesson(BASELINE)
    events_only = lesson.scenario.model_copy(update={"campaigns": [c for c in lesson.scenario.campaigns
                                                                   if c.type != "ads"]})
    no_money = lesson.scenario.model_copy(update={"brands": [b.model_copy(update={"budget": 0.0})
                                                             if b.name == "Mass" else b for b in lesson.scenario.brands]})
    for scenario, missing in ((events_only, "precision"), (no_money, "budget_split")):
        assert missing not in lever_defaults(Lesson(BASELINE, scenario, lesson.story, lesson.question))


def test_every_lever_of_every_lesson_changes_its_scenario_one_step_away():
    for path in ready_lessons().values():
        lesson = load_lesson(path)
        start = lever_defaults(lesson)
        for lever in LEVERS:
            if lever.key in start:
                slider = Slider.of(lever, start[lever.key])
                step = slider.at(slider.start + 1 if slider.start < slider.last else slider.start - 1)
                assert variant(lesson, {**start, lever.key: step}) != lesson.scenario, (lesson.name, lever.key)


@pytest.mark.slow
def test_every_lever_changes_its_run():
    """One step of each lever of the baseline changes what the variant's run shows at the horizon."""
    classroom = Classroom(BASELINE)
    written = finished(classroom).runs_at(365)[AS_WRITTEN]
    start = lever_defaults(load_lesson(BASELINE))
    for lever in LEVERS:
        slider = Slider.of(lever, start[lever.key])
        classroom.put_back()
        classroom.move(lever.key, slider.at(slider.start + 1))
        moved = finished(classroom).runs_at(365)[VARIANT]
        assert not np.array_equal(moved.customers, written.customers) or not np.array_equal(moved.spend,
                                                                                            written.spend), lever.key


def test_an_unmoved_variant_is_the_run_as_written_and_a_lever_moved_back_restores_it():
    classroom = Classroom(BASELINE)
    assert classroom.now.variant is classroom.now.written and set(classroom.now.tracks()) == {AS_WRITTEN}
    written = classroom.now.written
    slider = Slider.of(LEVERS[1], classroom.now.levers["precision"])
    classroom.move("precision", slider.at(slider.start - 3))
    moved = classroom.now.variant
    assert moved is not written and classroom.now.changes() == ["Targeting precision: 70% (as written: 85%)"]
    classroom.move("precision", slider.at(slider.start))
    assert classroom.now.variant is classroom.now.written is written and classroom.now.changes() == []
    assert moved.wait(60) and not moved.finished  # the abandoned variant stopped stepping


def test_a_track_is_the_same_run_as_a_model_stepped_alone():
    """The run computed ahead in its thread is bit for bit the scenario run alone from the same seed, and the
    network sample's states are the model's own at the end."""
    lesson = load_lesson(ready_lessons()["rainy_city_rides"])
    track = Track(lesson.scenario, 3)
    alone = MarketModel(lesson.scenario, rng=3)
    while alone.running:
        alone.step()
    assert track.wait(120) and track.finished and track.error is None
    for column, values in alone.recorder.data.items():
        assert np.array_equal(track.model.recorder.data[column], values), column
    assert np.array_equal(track.model.recorder.spend, alone.recorder.spend)
    nodes = track.sample.nodes
    assert np.array_equal(track.states.current[-1], np.asarray(alone.state.current)[nodes])
    assert np.array_equal(track.states.loyalty[-1], np.asarray(alone.state.loyalty)[nodes])


def test_a_closed_sessions_own_runs_and_threads_are_freed():
    """What the memory test in the browser measures from outside: a session's variant (its own run, never
    shared) and its thread are gone once the session is dropped."""
    threads = threading.active_count()
    classroom = Classroom(BASELINE)
    classroom.move("wom", 0.05)
    variant = weakref.ref(classroom.now.variant)
    classroom.move("wom", 0.06)  # the first variant is abandoned at once
    abandoned = variant()
    assert abandoned.wait(60) and not abandoned.finished
    del abandoned
    finished(classroom)
    own = weakref.ref(classroom.now.variant)
    del classroom
    gc.collect()
    assert variant() is None and own() is None
    assert threading.active_count() <= threads


def test_runs_as_written_are_shared_and_a_seed_makes_another_run():
    one, two = Classroom(BASELINE), Classroom(BASELINE)
    assert one.now.written is two.now.written  # computed once for every session
    two.reseed(2)
    a, b = finished(one), finished(two)
    assert not np.array_equal(a.written.model.recorder.data["customer"], b.written.model.recorder.data["customer"])


def test_new_customers_are_first_time_customers_and_their_cost_is_the_blended_cac():
    """With strong word of mouth many customers leave and come back: the summary still counts each person once
    as new to a brand (a brand never has more new customers than the market has people), and its cost per new
    customer is the run summary's cac_blended."""
    classroom = Classroom(BASELINE)
    classroom.move("wom", 0.10)
    now = finished(classroom)
    frame = now.summary()
    variant_rows = frame[frame.run == VARIANT]
    new = variant_rows["new customers from paid contacts"] + variant_rows["new customers from word of mouth"]
    assert (new <= now.lesson.scenario.population.size).all()  # each person is new to a brand once
    model = now.variant.model
    summary = model.recorder.summary(model.scenario_spec, model.buying.own_purchases)
    for _, row in variant_rows.iterrows():
        assert row["cost per new customer"] == pytest.approx(summary[row.brand]["cac_blended"], rel=1e-12)
        assert row["new customers from word of mouth"] == summary[row.brand]["first_acquisitions_wom"]


def test_the_fan_holds_each_seeds_own_run():
    lesson = load_lesson(ready_lessons()["small_business_teens"])
    short = lesson.scenario.model_copy(update={"time": lesson.scenario.time.model_copy(update={"horizon": 20})})
    done = []
    curves = fan({AS_WRITTEN: short}, [4, 5], progress=lambda k, n: done.append((k, n)))
    assert curves[AS_WRITTEN].shape == (2, 21, 2) and done[-1] == (2, 2)
    assert np.array_equal(curves[AS_WRITTEN][1], customers_curve(short, 5))
    assert not np.array_equal(curves[AS_WRITTEN][0], curves[AS_WRITTEN][1])


def test_a_tie_is_not_a_lead_and_the_least_cost_leads():
    brands = ["Spark", "Mass"]
    assert leader(np.array([0.0, 0.0]), brands, "customers") == "tied"
    assert leader(np.array([3.0, 5.0]), brands, "customers") == "Mass leads"
    assert leader(np.array([3.0, 5.0]), brands, "cost per new customer") == "Spark leads"
    assert leader(np.array([np.nan, np.nan]), brands, "cost per new customer") == "no figure yet"
    assert leader(np.array([np.nan, 7.0]), brands, "cost per new customer") == "Mass leads"
    assert change(0.45, 0.84, "share of the niche") == "+39 pts" and change(2.0, 2.0, "customers") == "same"


def test_a_lesson_plays_to_its_horizon_in_the_same_number_of_frames_whatever_its_steps():
    """Play's frames: at most PLAY_SECONDS of them for any lesson and more than half that for a long one (whole
    steps a frame), one step a frame for a short one (how long a frame takes in a browser is
    benchmarks/dashboard_speed.py's)."""
    for steps in (12, 52, 156, 365, 3650):
        frames = -(-steps // stride(steps))
        assert frames * TICK <= PLAY_SECONDS + TICK and (frames == steps or frames * TICK > PLAY_SECONDS / 2)


# --------------------------------------------------------------------------- charts


def font_sizes(option) -> list[float]:
    if isinstance(option, dict):
        return [v for k, v in option.items() if k == "fontSize"] + [s for v in option.values() for s in font_sizes(v)]
    if isinstance(option, list):
        return [s for v in option for s in font_sizes(v)]
    return []


def test_both_runs_share_each_charts_axes_with_units_and_projector_text():
    classroom = Classroom(BASELINE)
    classroom.move("wom", 0.0)
    now = finished(classroom)
    sc = now.lesson.scenario
    charts = run_charts(now.runs_at(200), now.lesson.niche, "day", sc.time.horizon)
    assert set(charts) == {"customers", "word of mouth", "spend", "niche"}
    for chart in charts.values():
        assert isinstance(chart["yAxis"], dict) and isinstance(chart["xAxis"], dict)  # one axis each: no twin
        assert chart["xAxis"]["name"] == "time (days)" and chart["yAxis"]["name"]
        assert chart["xAxis"]["min"] == 0 and chart["xAxis"]["max"] == 365 and chart["yAxis"]["min"] == 0
        names = [s["name"] for s in chart["series"]]
        assert names == ["Spark, as written", "Mass, as written", "Spark, your variant", "Mass, your variant"]
        assert [s["lineStyle"]["type"] for s in chart["series"]] == ["solid"] * 2 + ["dashed"] * 2
        assert max(p[0] for s in chart["series"] for p in s["data"]) == 200  # drawn up to the cursor
        assert min(font_sizes(chart)) >= TEXT
    assert charts["niche"]["yAxis"]["max"] == 100
    states = now.written.states
    network = network_chart("x", now.written.sample, states.current[-1], states.aware[-1], states.loyalty[-1],
                            ["Spark", "Mass"])
    assert min(font_sizes(network)) >= TEXT
    assert sum(len(s["data"]) for s in network["series"][1:]) == len(now.written.sample.nodes)
    png = panels_png(now.runs_at(365), "young_active", "day", 365, "baseline")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_chart_line_keeps_a_fixed_grid_and_its_last_point():
    assert list(kept(7, 3)) == [0, 3, 6] and list(kept(8, 3)) == [0, 3, 6, 7] and list(kept(0, 3)) == []
    t = np.arange(366.0)
    from marketsim.dashboard.charts import Line

    chart = line_chart("c", "people", "time (days)", 365, [Line("a", "#000", False, t, t * 2)])
    data = chart["series"][0]["data"]
    assert len(data) <= 151 and data[-1] == [365.0, 730.0] and data[0] == [0.0, 0.0]
    assert [nice_ceiling(v) for v in (3219, 0.3, 100, 101)] == [4000, 0.3, 100, 150]


# --------------------------------------------------------------------------- the command


def test_dashboard_warns_when_open_to_the_network(monkeypatch):
    calls = []
    monkeypatch.setattr("marketsim.dashboard.server.serve", lambda *args, **kwargs: calls.append(args))
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


def test_open_says_why_no_browser_was_opened(monkeypatch):
    said = []
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        monkeypatch.setattr("webbrowser.open", lambda url: False)
        dashboard_server.open_when_listening(f"http://127.0.0.1:{port}/", port, said.append)
        assert said == [f"could not open a browser: no web browser was found (set the BROWSER variable, or open the "
                        f"address yourself); the page is at http://127.0.0.1:{port}/"]
        monkeypatch.setattr("webbrowser.open", lambda url: True)
        dashboard_server.open_when_listening(f"http://127.0.0.1:{port}/", port, said.append)
        assert len(said) == 1
    dashboard_server.open_when_listening("http://127.0.0.1:9/", 9, said.append, timeout=0.5)
    assert said[-1] == "could not open a browser: the server did not answer within 0 s"


def test_the_server_keeps_everything_on_this_machine():
    settings = dashboard_server.SETTINGS
    assert settings["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert settings["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")
    assert settings["SOLARA_THEME_SHOW_BANNER"] == "false"


# --------------------------------------------------------------------------- the page in a browser


@pytest.fixture(scope="session")
def short_lesson(tmp_path_factory) -> Path:
    """The baseline cut to SHORT_HORIZON days and 3,000 consumers, with its story."""
    text = BASELINE.read_text(encoding="utf-8")
    text = text.replace('name = "baseline"', 'name = "short_baseline"').replace("horizon = 365",
                                                                            f"horizon = {SHORT_HORIZON}")
    path = tmp_path_factory.mktemp("lesson") / "short_baseline.toml"
    path.write_text(text.replace("size = 20000", "size = 3000"), encoding="utf-8")
    return path


def start_server(lesson: Path, **env) -> tuple[subprocess.Popen, int, str]:
    port = free_port()
    process = start_marketsim(["dashboard", str(lesson), "--port", str(port), "--no-open"], port, ROOT, **env)
    return process, port, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def server(short_lesson):
    process, port, url = start_server(short_lesson)
    yield process, port, url
    stop(process)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A page of the dashboard in an offline context, with every problem it meets."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        self.refused = offline(self.context)
        self.page = self.context.new_page()
        self.problems = watch(self.page)
        self.page.goto(url)
        self.page.wait_for_selector(".step-counter", timeout=90_000)
        self.wait(self.settled, "the first runs")

    def counter(self) -> str:
        return self.page.locator(".step-counter").inner_text()

    def settled(self) -> bool:
        """Both runs are drawn up to the time shown (no run is still catching up)."""
        return "computing" not in self.counter() and self.page.locator(".variant-progress").count() == 0

    def step(self) -> int:
        """The time shown (days in the short lesson: one a step)."""
        return int(self.counter().split()[1])

    def wait(self, condition, what: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; page: {self.page.inner_text('body')[:500]}")
            time.sleep(0.1)

    def button(self, name: str):
        return self.page.locator(f".{name}-button")

    def spend(self, run: int) -> str:
        """The spend row of a run's summary table (0: as written, 1: the variant)."""
        table = self.page.locator(".summary-card table").nth(run)
        return table.locator("tr", has=self.page.locator("td", has_text=re.compile("^spend$"))).inner_text()

    def monitors(self) -> str:
        return " | ".join(self.page.locator(".monitor").all_inner_texts())

    def steady_monitors(self) -> str:
        """The monitors once they stop changing: one drawing reaches the browser as several messages, so the
        time shown can be new while a monitor is not yet."""
        last = self.monitors()
        while True:
            self.page.wait_for_timeout(700)
            now = self.monitors()
            if now == last:
                return now
            last = now

    def move(self, key: str, keys: str) -> None:
        """Press ``keys`` (e.g. 'ArrowRight') on a lever's slider, as a teacher would with the keyboard."""
        self.page.locator(f".slider-{key} .v-slider__thumb-container").focus()
        self.page.keyboard.press(keys)

    def check_clean(self) -> None:
        assert self.refused == [], f"requests that would leave the machine: {self.refused[:5]}"
        assert self.problems == [], self.problems[:5]

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=ARTIFACTS / f"{name}.png")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser, server):
    page = Page(browser, server[2])
    yield page
    page.close()


def in_view(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"]


SMALLEST_TEXT = """() => {
  let smallest = 1000, where = '';
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < smallest) { smallest = size; where = el.textContent.trim().slice(0, 40); }
  }
  return [smallest, where];
}"""


def test_page_fits_a_projector_offline(page, server):
    """At 1280x720 the lesson picker, every lever and the controls are on screen without scrolling; no text is
    under 16 px; nothing is fetched from outside and nothing is missing."""
    body = page.page.inner_text("body")
    assert page.counter() == f"Day 0 of {SHORT_HORIZON}"
    assert "Question:" in body and "Leading" not in body and "Model Parameters" not in body
    assert "Customers — tied" in page.monitors()  # 0 against 0 is no lead
    controls = [page.page.locator(".lesson-select"), page.page.locator(".seed-input"),
                *(page.button(b) for b in ("play", "step", "reset", "end")), page.page.locator(".put-back")]
    controls += [page.page.locator(f".slider-{lever.key}") for lever in LEVERS]
    assert all(in_view(c) for c in controls), [c for c in controls if not in_view(c)]
    smallest, where = page.page.evaluate(SMALLEST_TEXT)
    assert smallest >= TEXT, (smallest, where)
    page.page.wait_for_timeout(1000)
    page.check_clean()
    page.screenshot("dashboard-loaded")


def test_step_is_one_step_and_play_reaches_the_horizon(page):
    page.button("step").click()
    page.wait(lambda: page.counter() == "Day 1 of 12", "one step")
    page.button("play").click()
    page.wait(lambda: page.step() == SHORT_HORIZON, "the horizon")
    assert page.button("play").is_disabled() and page.button("step").is_disabled()
    page.button("reset").click()
    page.wait(lambda: page.step() == 0, "the reset")
    assert page.button("play").is_enabled()
    page.check_clean()


def test_a_lever_changes_the_variant_and_moving_it_back_restores_it(page):
    page.button("end").click()
    page.wait(lambda: page.step() == SHORT_HORIZON, "the end")
    as_written = page.steady_monitors()
    page.move("wom", "PageUp")  # several steps up at once
    page.wait(lambda: "Word of mouth" in page.page.locator(".variant-changes").inner_text(), "the lever")
    page.wait(lambda: page.settled() and page.monitors() != as_written, "the variant's run")
    assert page.step() == SHORT_HORIZON  # a lever keeps the time shown
    page.screenshot("dashboard-lever")
    page.move("wom", "PageDown")
    page.wait(lambda: "No lever moved" in page.page.locator(".variant-changes").inner_text(), "the lever back")
    page.wait(lambda: page.monitors() == as_written, "the run as written")
    page.check_clean()


def test_the_seed_changes_both_runs_and_the_fan_shows_many(page):
    page.button("end").click()
    page.wait(lambda: page.step() == SHORT_HORIZON, "the end")
    first = page.steady_monitors()
    page.page.locator(".seed-input input").fill("7")
    page.page.locator(".seed-input input").press("Enter")
    page.wait(lambda: page.settled() and page.monitors() != first, "another seed's runs")
    page.page.locator(".fan-button").click()
    page.page.locator(".chart-fan").first.wait_for(timeout=180_000)
    assert "Seeds 7 to 26" in page.page.locator(".fan-card").inner_text()
    page.check_clean()


def test_switching_the_lesson(page):
    """Another lesson starts at day 0 with Play ready, whatever the last one was doing."""
    page.button("end").click()
    page.wait(lambda: page.button("play").is_disabled(), "the end")
    page.page.locator(".lesson-select").click()
    page.page.get_by_role("option", name="named_bottles").click()
    page.wait(lambda: "Cola" in page.monitors(), "the new lesson")
    page.wait(lambda: "Share a Coke" in page.page.inner_text("body"), "the new lesson's story")
    assert page.counter().startswith("Day 0 of 365") and page.button("play").is_enabled()
    page.check_clean()


def test_two_sessions_have_their_own_runs(browser, server):
    one, two = Page(browser, server[2]), Page(browser, server[2])
    try:
        one.button("step").click()
        one.wait(lambda: one.step() == 1, "a step in the first session")
        one.move("precision", "PageDown")
        one.wait(lambda: "Targeting precision" in one.page.locator(".variant-changes").inner_text(), "a lever")
        two.page.wait_for_timeout(1000)
        assert two.step() == 0 and "No lever moved" in two.page.locator(".variant-changes").inner_text()
    finally:
        one.close()
        two.close()


@pytest.mark.slow
def test_summary_card_and_downloads_at_the_horizon(page, short_lesson):
    page.button("end").click()
    card = page.page.locator(".summary-card")
    page.wait(lambda: card.count() and "figures (png)" in card.inner_text().lower(), "the summary")
    assert "cost per new customer" in card.inner_text() and "first time" in card.inner_text()
    with page.page.expect_download() as png:
        page.page.get_by_text("Figures (PNG)").click()
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.page.expect_download() as csv:
        page.page.get_by_text("Summary (CSV)").click()
    downloaded = pd.read_csv(csv.value.path())
    assert list(downloaded.columns[:2]) == ["brand", "customers"]
    expected = pd.read_csv(io.StringIO(finished(Classroom(short_lesson)).summary().to_csv(index=False)))
    pd.testing.assert_frame_equal(downloaded, expected)
    page.check_clean()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ready_lessons()))
def test_every_lever_of_every_lesson_in_the_browser(page, name):
    """Each ready lesson at 1280x720: every lever moves one step from the lesson's value and back to it exactly
    (the variant becomes the run as written again), the budget lever changes what the brands spend, and nothing
    is missing or fails on the way."""
    lesson = load_lesson(ready_lessons()[name])
    page.page.locator(".lesson-select").click()
    page.page.get_by_role("option", name=name, exact=True).click()
    page.wait(lambda: lesson.micro in page.monitors() and page.settled(), name)
    page.button("end").click()
    time_ = lesson.scenario.time
    page.wait(lambda: page.counter() == f"{time_.unit.capitalize()} {time_.horizon:g} of {time_.horizon:g}", "the end")
    as_written = page.steady_monitors()
    for lever in LEVERS:
        if lever.key not in lever_defaults(lesson):
            continue
        slider = Slider.of(lever, lever_defaults(lesson)[lever.key])
        up = slider.start < slider.last
        page.move(lever.key, "ArrowRight" if up else "ArrowLeft")
        moved = f"{lever.label.split(' (')[0]}: {show(lever, slider.at(slider.start + (1 if up else -1)))}"
        page.wait(lambda: moved in page.page.locator(".variant-changes").inner_text(), f"{lever.key} moved")
        if lever.key == "budget_split":  # the other levers' runs: test_every_lever_changes_its_run
            page.wait(page.settled, f"{lever.key}'s run")
            page.wait(lambda: page.spend(0) != page.spend(1), "spend to follow the money")
            assert page.monitors() != as_written
        page.move(lever.key, "ArrowLeft" if up else "ArrowRight")
        page.wait(lambda: "No lever moved" in page.page.locator(".variant-changes").inner_text(), f"{lever.key} back")
        page.wait(lambda: page.monitors() == as_written, f"{lever.key}: the run as written again")
    page.check_clean()
    page.screenshot(f"dashboard-{name}")


def test_the_server_listens_only_on_localhost_by_default(server):
    process, port, _ = server
    listening = {c.laddr for p in [psutil.Process(process.pid), *psutil.Process(process.pid).children(True)]
                 for c in p.net_connections("inet") if c.status == psutil.CONN_LISTEN and c.laddr.port == port}
    assert listening and {a.ip for a in listening} == {"127.0.0.1"}


@pytest.mark.slow
def test_closed_sessions_give_their_memory_back(browser, short_lesson):
    """Several classes' worth of tabs, each moving levers and playing, then closed: the server's memory returns
    to within 20% of what it held with one page open."""
    process, _, url = start_server(short_lesson, SOLARA_KERNEL_CULL_TIMEOUT="2s")
    try:
        server = psutil.Process(process.pid)
        first = Page(browser, url)
        first.button("end").click()
        first.wait(lambda: first.step() == SHORT_HORIZON, "the end")
        first.close()
        time.sleep(5)
        start = server.memory_info().rss
        for _ in range(2):
            pages = [Page(browser, url) for _ in range(4)]
            for k, page in enumerate(pages):
                page.move(LEVERS[k].key, "PageDown")
                page.button("end").click()
            for page in pages:
                page.wait(lambda page=page: page.step() == SHORT_HORIZON and page.settled(),
                          "the end")
            peak = server.memory_info().rss
            for page in pages:
                page.close()
        deadline = time.monotonic() + 60
        while server.memory_info().rss > 1.2 * start and time.monotonic() < deadline:
            time.sleep(1)
        assert server.memory_info().rss <= 1.2 * start, (start, peak, server.memory_info().rss)
    finally:
        stop(process)
