"""The classroom page: one lesson, the scenario as written against the teacher's variant, for a projector.

Run it with ``marketsim dashboard [SCENARIO]``; Solara renders ``Page`` once per browser session, so each
session has its own Classroom and one student's lever never touches another's runs. The runs are computed
ahead in threads (runs.py); the page moves a cursor over them (Play, Step, Reset) and draws in the browser
(ECharts), so a lever move or a step never waits for a redraw on the server. At 1280x720 the top bar
(lesson, seed, Play, Step, Reset, End) and the levers fit without scrolling; the monitors and the four panels of
the question follow; the network, the fan of seeds and the summary with its downloads are below.
"""

from __future__ import annotations

import math
import os
import threading
from html import escape
from pathlib import Path

import numpy as np
import solara

from .charts import TEXT, colour, fan_chart, network_chart, run_charts
from .classroom import AS_WRITTEN, VARIANT, Classroom, Runs
from .figures import panels_png
from .lessons import LESSON_ENV, LEVERS, Slider, lever_defaults, load_lesson, ready_lessons, show
from .readout import MEASURES, NEW_NOTE, measures
from .runs import fan

TICK = 0.2  # seconds between frames while playing
WAIT_TICK = 0.3  # seconds between frames while a run catches up with the cursor (drawing slows the run)
PLAY_SECONDS = 7.0  # frames alone: with drawing, a lesson plays to its horizon in about eight seconds
FAN_SEEDS = 20

CSS = f"""
.v-application, .v-application .v-label, .v-application .v-btn, .v-application .v-select__selection,
.v-application input {{ font-size: {TEXT}px !important; }}
.marketsim-bar {{ position: sticky; top: 0; z-index: 5; background: #f5f5f5; padding: 4px 8px;
  border-bottom: 1px solid #ddd; align-items: center; }}
.marketsim-bar .v-btn {{ min-width: 84px !important; }}
.marketsim-title {{ font-size: {TEXT + 4}px; font-weight: 600; }}
.step-counter {{ font-size: {TEXT + 4}px; font-weight: 600; white-space: nowrap; }}
.variant-progress {{ font-size: {TEXT}px; white-space: nowrap; }}
.marketsim-levers {{ width: 330px; flex: none; }}
.lever-label {{ font-size: {TEXT}px; line-height: 1.2; margin-top: 6px; }}
.marketsim-levers .v-input {{ margin-top: 0 !important; padding-top: 0 !important; }}
.marketsim-levers .v-input__slot {{ margin-bottom: 0 !important; }}
.marketsim-levers .v-messages {{ display: none; }}
.question {{ font-size: {TEXT + 2}px; font-weight: 600; }}
.monitor table {{ border-collapse: collapse; font-size: {TEXT}px; }}
.monitor td, .monitor th {{ padding: 1px 8px; text-align: right; }}
.monitor td:first-child, .monitor th:first-child {{ text-align: left; }}
.monitor .big {{ font-size: {TEXT + 6}px; font-weight: 600; }}
.monitor-title {{ font-size: {TEXT}px; font-weight: 600; }}
.summary-card table {{ font-size: {TEXT}px; }}
.v-tooltip__content {{ font-size: {TEXT}px !important; max-width: 420px; }}
.v-application p, .v-application li {{ font-size: {TEXT}px; }}
"""


def first_lesson() -> Path:
    chosen = os.environ.get(LESSON_ENV)
    if chosen:
        return Path(chosen).resolve()
    lessons = ready_lessons()
    return lessons.get("baseline", next(iter(lessons.values())))


def lesson_choices() -> dict[str, Path]:
    """The ready lessons, and first the scenario the dashboard was started with when it is not one of them
    (named after its file too when a ready lesson has its name)."""
    choices = ready_lessons()
    started = first_lesson()
    if started not in choices.values():
        name = load_lesson(started).name
        choices = {name if name not in choices else f"{name} ({started.name})": started, **choices}
    return choices


def stride(horizon: int) -> int:
    """Steps per frame while playing, so that any lesson plays to its horizon in about PLAY_SECONDS of frames."""
    return max(1, math.ceil(horizon * TICK / PLAY_SECONDS))


def figure(value: float, measure: str) -> str:
    """A monitor's figure: people whole with separators, money to two decimals, shares in %."""
    if not math.isfinite(value):
        return "-"
    if measure == "share of the niche":
        return f"{value:.0%}"
    return f"{value:,.2f}" if measure == "cost per new customer" else f"{value:,.0f}"


def change(a: float, b: float, measure: str) -> str:
    """The variant's difference from the run as written, as the monitor shows it ('same' when it rounds to 0)."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return "-"
    if measure == "share of the niche":
        points = round(100 * (b - a))
        return f"{points:+d} pts" if points else "same"
    shown = round(b - a, 2 if measure == "cost per new customer" else 0)
    if not shown:
        return "same"
    return f"{shown:+,.2f}" if measure == "cost per new customer" else f"{shown:+,.0f}"


def leader(values: np.ndarray, brands: list[str], measure: str) -> str:
    """Who leads on a measure, or 'tied' (the least cost leads; no figure yet, no leader)."""
    finite = np.isfinite(values)
    if not finite.any():
        return "no figure yet"
    best = np.nanmin(values) if measure == "cost per new customer" else np.nanmax(values)
    leading = [brands[b] for b in range(len(brands)) if finite[b] and values[b] == best]
    return f"{leading[0]} leads" if len(leading) == 1 else "tied"


class Drawing:
    """A chart's ECharts option, held by an object Solara's renderer does not look into: it compares and walks
    every prop a component gets, which for thousands of points costs more than the chart itself."""

    def __init__(self, option: dict):
        self.option = option


@solara.component
def Chart(drawing: Drawing, height: int, name: str):
    """A browser-side chart whose option is sent to the browser as it is, without being diffed (a new
    ``drawing`` each frame)."""
    element = solara.FigureEcharts(option={}, attributes={"style": f"height: {height}px;", "class": f"chart-{name}"})

    def send() -> None:
        solara.get_widget(element).option = drawing.option

    solara.use_effect(send, [drawing])
    return element


@solara.component
def Monitor(measure: str, figures: dict[str, np.ndarray], brands: list[str], computing: bool):
    """One big-number monitor: a measure per brand, as written, the variant and the difference ('-' while the
    variant is ``computing``)."""
    written = figures[AS_WRITTEN]
    variant = figures.get(VARIANT, written if not computing else np.full(len(brands), np.nan))
    leads = leader(written, brands, measure), leader(variant, brands, measure)
    title = leads[0] if leads[0] == leads[1] or computing else f"as written {leads[0]}, variant {leads[1]}"
    with solara.Column(classes=["monitor"], gap="0px"):
        solara.Text(f"{measure.capitalize()} — {title}", classes=["monitor-title"])
        rows = "".join(
            f"<tr><td style='color:{colour(b)}'><b>{escape(brand)}</b></td>"
            f"<td class='big'>{figure(written[b], measure)}</td><td class='big'>{figure(variant[b], measure)}</td>"
            f"<td>{change(written[b], variant[b], measure)}</td></tr>"
            for b, brand in enumerate(brands))
        solara.HTML(tag="div", unsafe_innerHTML="<table><tr><th></th><th>written</th><th>variant</th>"
                                                f"<th>change</th></tr>{rows}</table>")


@solara.component
def Levers(classroom: Classroom, now: Runs, on_change):
    """The sliders, each starting exactly at the lesson's value."""
    lesson = now.lesson
    start = lever_defaults(lesson)
    unit = lesson.scenario.time.unit
    with solara.Column(classes=["marketsim-levers"], gap="0px"):
        solara.Text("Levers (change 'your variant')", classes=["monitor-title"])
        for lever in LEVERS:
            if lever.key not in start:
                continue
            slider = Slider.of(lever, start[lever.key])
            value = now.levers[lever.key]
            with solara.Tooltip(lever.help.format(unit=unit)):
                solara.Text(f"{lever.label.format(unit=unit)}: {show(lever, value)}",
                            classes=["lever-label", f"lever-{lever.key}"])
            with solara.Column(classes=[f"slider-{lever.key}"], gap="0px"):
                solara.SliderInt("", value=slider.position(value), min=0, max=slider.last, thumb_label=False,
                                 tick_labels=False, on_value=lambda p, key=lever.key, slider=slider: on_change(
                                     lambda: classroom.move(key, slider.at(p))))
        solara.Button("Put every lever back", on_click=lambda: on_change(classroom.put_back), outlined=True,
                      classes=["put-back"])


@solara.component
def Summary(now: Runs):
    """The key metrics per brand at the horizon, with downloads for the slides."""
    frame = now.summary()
    lesson = now.lesson
    with solara.Card("Summary at the horizon", classes=["summary-card"]):
        solara.Text(NEW_NOTE)
        with solara.Columns([1, 1]):
            for name, rows in frame.groupby("run", sort=False):
                table = rows.drop(columns="run").set_index("brand").T
                head = "".join(f"<th>{escape(str(brand))}</th>" for brand in table.columns)
                body = "".join(f"<tr><td>{escape(metric)}</td>" + "".join(f"<td>{escape(cell(metric, v))}</td>"
                                                                         for v in values) + "</tr>"
                               for metric, values in table.iterrows())
                solara.HTML(tag="div", unsafe_innerHTML=f"<b>{name}</b><table><tr><th></th>{head}</tr>{body}</table>")
        stem = f"marketsim-{lesson.name}-seed{now.seed}"
        sc = lesson.scenario
        with solara.Row():
            solara.FileDownload(lambda: panels_png(now.runs_at(now.horizon), lesson.niche, sc.time.unit,
                                                   sc.time.horizon, f"{lesson.name}, seed {now.seed}"),
                                filename=f"{stem}.png", label="Figures (PNG)")
            solara.FileDownload(lambda: now.summary().to_csv(index=False).encode(),
                                filename=f"{stem}-summary.csv", label="Summary (CSV)")


def cell(metric: str, value) -> str:
    """A summary figure as the class reads it: shares in %, money with two decimals, people whole."""
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.0%}" if "share" in metric else f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, (int, np.integer)) else str(value)


@solara.component
def Fan(now: Runs):
    """Many seeds at once: the same plans under chance, so a class sees how much of a difference is luck."""
    result = solara.use_reactive(None)
    progress = solara.use_reactive((0, 0))
    wanted = solara.use_reactive(False)

    def forget() -> None:  # the runs changed: the fan shown was of other runs
        result.set(None)
        wanted.set(False)
        progress.set((0, 0))

    solara.use_effect(forget, [now])

    def compute(cancel: threading.Event) -> None:
        """The fan of the runs this component was drawn with; dropped, not shown, once they are replaced."""
        if not wanted.value:
            return
        scenarios = {AS_WRITTEN: now.lesson.scenario, **({VARIANT: now.variant_scenario()} if now.moved else {})}
        seeds = [now.seed + k for k in range(FAN_SEEDS)]
        curves = fan(scenarios, seeds, cancel=cancel,
                     progress=lambda done, total: None if cancel.is_set() else progress.set((done, total)))
        if curves is not None and not cancel.is_set():
            result.set(curves)

    solara.use_thread(compute, dependencies=[wanted.value, now], intrusive_cancel=False)
    with solara.Card("Chance against plan", classes=["fan-card"]):
        if result.value is None:
            if not wanted.value:
                solara.Button(f"Run {FAN_SEEDS} seeds", on_click=lambda: wanted.set(True), outlined=True,
                              classes=["fan-button"])
            else:
                done, total = progress.value
                solara.Text(f"Running {FAN_SEEDS} seeds: {done} of {total or '…'} runs done", classes=["fan-progress"])
                solara.ProgressLinear(value=100 * done / total if total else True)
            return
        curves = result.value
        sc = now.lesson.scenario
        steps = next(iter(curves.values())).shape[1]
        time_axis = np.arange(steps) * sc.time.dt
        y_max = float(max(c.max() for c in curves.values()))
        solara.Text(f"Seeds {now.seed} to {now.seed + FAN_SEEDS - 1}; solid: as written"
                    + ("; dashed grey: your variant" if VARIANT in curves else ""), classes=["fan-note"])
        with solara.Columns([1] * len(sc.brands)):
            for b, brand in enumerate(s.name for s in sc.brands):
                Chart(Drawing(fan_chart(brand, b, curves, time_axis, sc.time.unit, y_max)), 320, "fan")


@solara.component
def Page():
    classroom = solara.use_memo(lambda: Classroom(first_lesson()), [])
    runs_now = solara.use_reactive(classroom.now)  # replaced when the lesson, a lever or the seed changes
    cursor = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    frame = solara.use_reactive(0)  # a computed step arrived while waiting for it
    now = runs_now.value  # read once: this drawing shows one lesson's runs, whatever happens meanwhile
    lesson = now.lesson
    sc = lesson.scenario
    shown = min(cursor.value, now.written.computed)  # the run as written at the cursor, once it is there
    behind = now.available < cursor.value  # a run (most often a new variant) is still catching up

    def rebuild(action) -> None:
        action()
        runs_now.set(classroom.now)
        cursor.set(min(cursor.value, classroom.now.horizon))

    def clock(cancel: threading.Event) -> None:
        """Advance the cursor while playing; redraw while the runs catch up with it. Ends when neither. Not
        restarted by its own frames (the cursor is no dependency): a thread cancelled while it draws loses the
        frame."""
        while not cancel.wait(TICK if playing.value else WAIT_TICK):
            if playing.value:
                target = min(cursor.value + stride(now.horizon), now.horizon)
                if now.available >= target:
                    cursor.set(target)
                else:  # a lever moved while playing: draw the variant as it comes
                    frame.set(frame.value + 1)
                if cursor.value >= now.horizon and now.available >= now.horizon:
                    playing.set(False)
                    return
            else:
                frame.set(frame.value + 1)
                if now.available >= cursor.value or now.error is not None:
                    return

    solara.use_thread(clock, dependencies=[playing.value, now, behind], intrusive_cancel=False)
    solara.Style(CSS)

    def choose(name: str) -> None:
        playing.set(False)
        cursor.set(0)
        rebuild(lambda: classroom.choose(lesson_choices()[name]))

    with solara.Column(gap="6px", style={"padding": "0 8px"}):
        with solara.Row(classes=["marketsim-bar"], gap="10px"):
            solara.Text("marketsim classroom", classes=["marketsim-title"])
            choices = lesson_choices()
            solara.Select("Lesson", values=list(choices), value=next(k for k, v in choices.items()
                                                                    if v == now.lesson_path),
                          on_value=choose, style={"max-width": "260px"}, classes=["lesson-select"])
            solara.InputInt("Seed", value=now.seed, style={"max-width": "90px"}, classes=["seed-input"],
                            on_value=lambda s: rebuild(lambda: classroom.reseed(max(0, int(s)))))
            solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                          color="primary", disabled=cursor.value >= now.horizon, classes=["play-button"])
            solara.Button("Step", on_click=lambda: cursor.set(min(cursor.value + 1, now.horizon)),
                          disabled=playing.value or behind or cursor.value >= now.horizon,
                          classes=["step-button"])
            solara.Button("Reset", on_click=lambda: (playing.set(False), cursor.set(0)), classes=["reset-button"])
            solara.Button("End", on_click=lambda: (playing.set(False), cursor.set(now.horizon)),
                          disabled=cursor.value >= now.horizon, classes=["end-button"])
            waiting = " (computing…)" if shown < cursor.value else ""
            solara.Text(f"{sc.time.unit.capitalize()} {shown * sc.time.dt:g} of {sc.time.horizon:g}{waiting}",
                        classes=["step-counter"])
            if now.variant.computed < shown:
                solara.Text(f"your variant: {sc.time.unit} {now.variant.computed * sc.time.dt:g}…",
                            classes=["variant-progress"])
        if now.error is not None:
            solara.Error(f"The run stopped: {now.error}")
        with solara.Row(gap="12px", style={"align-items": "flex-start"}):
            Levers(classroom, now, rebuild)
            with solara.Column(gap="6px", style={"flex": "1", "min-width": "0"}):
                solara.Text(f"Question: {lesson.question}", classes=["question"])
                changes = now.changes()
                solara.Text("Your variant: " + "; ".join(changes) if changes else
                            "No lever moved: your variant is the scenario as written (move a lever).",
                            classes=["variant-changes"])
                runs = now.runs_at(shown)
                brands = next(iter(runs.values())).brands
                # a variant still catching up has no figures at the cursor yet: its monitors wait for it
                figures = {name: measures(s, lesson.niche) for name, s in runs.items() if len(s.time) == shown + 1}
                with solara.Columns([1, 1, 1]):
                    for measure in MEASURES:
                        Monitor(measure, {name: f[measure] for name, f in figures.items()}, brands,
                                computing=now.moved and VARIANT not in figures)
                charts = run_charts(runs, lesson.niche, sc.time.unit, sc.time.horizon)
                with solara.Columns([1, 1]):
                    for key in ("customers", "niche"):
                        Chart(Drawing(charts[key]), 300, key.replace(" ", "-"))
                with solara.Columns([1, 1]):
                    for key in ("word of mouth", "spend"):
                        Chart(Drawing(charts[key]), 300, key.replace(" ", "-"))
        with solara.Columns([1, 1]):
            for name, track in now.tracks().items():
                step = min(shown, track.computed)
                Chart(Drawing(network_chart(f"{name}: {len(track.sample.nodes)} consumers and their links "
                                            "(size: loyalty)", track.sample, track.states.current[step],
                                            track.states.aware[step], track.states.loyalty[step], brands)),
                      420, "network")
        with solara.Card("The story"):
            solara.HTML(tag="div", unsafe_innerHTML="".join(f"<p>{escape(p)}</p>" for p in lesson.story.split("\n\n")),
                        classes=["story"])
        Fan(now)
        if shown >= now.horizon and not behind:
            Summary(now)
        else:
            solara.Text(f"The summary and the downloads appear at the end ({sc.time.unit} {sc.time.horizon:g}).",
                        classes=["summary-note"])
