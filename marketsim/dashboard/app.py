"""The classroom page: Mesa's SolaraViz over a Classroom model, one model per browser session.

Run it with ``marketsim dashboard [SCENARIO]``; Solara imports this module and renders ``Page``
once per browser session, so each session builds its own Session and Classroom and one
student's Reset or lever never touches another's run.
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path

import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from .classroom import AS_WRITTEN, VARIANT, Classroom, Session
from .figures import network_figure, png, run_figure
from .lessons import LEVERS, describe_changes, lever_defaults, load_lesson, ready_lessons
from .readout import consumer_states, leaders, series, summary_table

LESSON_ENV = "MARKETSIM_LESSON"  # the scenario file `marketsim dashboard SCENARIO` opens first
PLAY_INTERVAL_MS = 20
CONSUMERS_PER_STEP_BETWEEN_REDRAWS = 1000


def render_every(consumers: int) -> int:
    """Steps between redraws while playing (Mesa's render interval). A redraw costs the same at
    any market size and far more than a step (about 0.7 s on a quiet 2-core machine, against 2 ms
    for a step of both runs at 3,000 consumers and 10 ms at 20,000), so the plots are redrawn
    every 10 steps at least, and less often for a bigger market; measured on 2026-11-24 that keeps
    3,000 and 20,000 consumers above ten steps a second."""
    return max(10, min(50, math.ceil(consumers / CONSUMERS_PER_STEP_BETWEEN_REDRAWS)))


def first_lesson() -> Path:
    chosen = os.environ.get(LESSON_ENV)
    if chosen:
        return Path(chosen).resolve()
    lessons = ready_lessons()
    return lessons.get("baseline", next(iter(lessons.values())))


def lesson_choices(current: Path) -> dict[str, Path]:
    """The ready lessons, plus the scenario the dashboard was started with if it is not one of them."""
    choices = ready_lessons()
    if current not in choices.values():
        choices = {load_lesson(current).name: current, **choices}
    return choices


@solara.component
def LessonPanel(model: solara.Reactive[Classroom], session: Session):
    """Sidebar: the lesson picker with the story and the question, and the levers."""
    classroom = model.value  # reading it redraws the panel whenever the model is rebuilt
    lesson = classroom.lesson
    choices = lesson_choices(lesson.path)

    def choose(name: str) -> None:
        session.choose(choices[name])
        model.value = Classroom(session)

    def move(key: str, value: float) -> None:
        session.levers = {**session.levers, key: value}
        model.value = Classroom(session)

    def put_back() -> None:
        session.choose(session.lesson_path)
        model.value = Classroom(session)

    with solara.Sidebar():
        with solara.Card("Lesson"):
            solara.Select("Lesson", values=list(choices), value=lesson.name, on_value=choose)
            solara.Markdown(lesson.story, style={"font-size": "0.9em"})
            solara.Markdown(f"**Question for the class:** {lesson.question}")
        with solara.Card("Levers (they change 'Your variant' and restart both runs)"):
            start = lever_defaults(lesson)
            unit = lesson.scenario.time.unit
            for lever in LEVERS:
                if lever.key not in start:
                    continue
                value = classroom.levers.get(lever.key, start[lever.key])
                scale = 100.0 if lever.percent else 1.0
                solara.Text(lever.label.format(unit=unit), style={"font-size": "0.85em"},
                            classes=[f"lever-{lever.key}"])
                solara.SliderFloat(
                    "",
                    value=round(value * scale, 6),
                    min=min(lever.min, start[lever.key] * scale),
                    max=max(lever.max, start[lever.key] * scale),
                    step=lever.step,
                    on_value=lambda v, key=lever.key, scale=scale: move(key, v / scale),
                    thumb_label="always",
                    tick_labels=False,
                )
            solara.Button("Put every lever back", on_click=put_back, text=True)


def lead_line(classroom: Classroom, name: str) -> str:
    parts = [f"{brand} on {measure} ({figures})"
             for measure, (brand, figures) in leaders(series(classroom.runs[name]), classroom.lesson.niche).items()]
    return "Leading: " + "; ".join(parts)


@solara.component
def RunView(classroom: Classroom, name: str, step: int):
    """One column: the run's step, who leads, the four live plots and the network sample."""
    run = classroom.runs[name]
    sc = run.scenario_spec
    with solara.Column(gap="4px"):
        solara.HTML(tag="h3", unsafe_innerHTML=name)
        changes = describe_changes(classroom.lesson, classroom.levers) if name == VARIANT else []
        solara.Text("; ".join(changes) if changes else "The scenario as written."
                    if name == AS_WRITTEN else "No lever moved: the same market as the left column.",
                    classes=["variant-changes" if name == VARIANT else "run-note"])
        solara.Text(f"Step {run.steps} of {run.horizon_steps} ({run.steps * sc.time.dt:g} {sc.time.unit}s)",
                    classes=["step-counter"])
        solara.Text(lead_line(classroom, name), classes=["lead-line"])
        s = series(run)
        solara.FigureMatplotlib(run_figure(s, classroom.lesson.niche, sc.time.unit, sc.time.horizon),
                                format="png", dependencies=[id(run), step])
        sample = classroom.sample(name)
        solara.FigureMatplotlib(network_figure(sample, *consumer_states(run, sample.nodes), s.brands),
                                format="png", dependencies=[id(run), step])


def summary_frame(classroom: Classroom) -> pd.DataFrame:
    return pd.concat([summary_table(run, classroom.lesson.niche).assign(run=name)
                      for name, run in classroom.runs.items()], ignore_index=True)


def figures_png(classroom: Classroom) -> bytes:
    """Both runs' plots side by side, for the slides."""
    fig = Figure(figsize=(14.4, 5.6), dpi=110)
    for panel, (name, run) in zip(fig.subfigures(1, len(classroom.runs)), classroom.runs.items()):
        sc = run.scenario_spec
        run_figure(series(run), classroom.lesson.niche, sc.time.unit, sc.time.horizon,
                   f"{classroom.lesson.name}: {name}", fig=panel)
    return png(fig)


def cell(metric: str, value) -> str:
    """A summary figure as the class reads it: shares in %, money with two decimals."""
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.0%}" if "share" in metric else f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, numbers.Integral) else str(value)


@solara.component
def SummaryCard(classroom: Classroom, step: int):
    """The key metrics per brand at the horizon, with downloads for the slides."""
    with solara.Card("Summary", classes=["summary-card"]):
        if not classroom.finished:
            solara.Markdown(f"The summary and the downloads appear at the end of the horizon "
                            f"(step {classroom.horizon}).")
            return
        frame = summary_frame(classroom)
        for name, rows in frame.groupby("run", sort=False):
            table = rows.drop(columns="run").set_index("brand").T
            lines = ["| | " + " | ".join(table.columns) + " |", "|---" * (len(table.columns) + 1) + "|"]
            lines += [f"| {metric} | " + " | ".join(cell(metric, v) for v in values) + " |"
                      for metric, values in table.iterrows()]
            solara.Markdown(f"**{name}**\n\n" + "\n".join(lines))
        stem = f"marketsim-{classroom.lesson.name}-seed{classroom.session.seed}"
        with solara.Row():
            solara.FileDownload(lambda: figures_png(classroom), filename=f"{stem}.png", label="Figures (PNG)")
            solara.FileDownload(lambda: summary_frame(classroom).to_csv(index=False).encode(),
                                filename=f"{stem}-summary.csv", label="Summary (CSV)")


@solara.component
def MainView(classroom: Classroom):
    """The two runs side by side, then the summary; redrawn when Mesa's controller steps the model."""
    update_counter.get()
    with solara.Columns([1, 1]):
        for name in classroom.runs:
            RunView(classroom, name, classroom.steps)
    SummaryCard(classroom, classroom.steps)


@solara.component
def Page():
    session = solara.use_memo(lambda: Session(first_lesson()), [])
    model = solara.use_memo(lambda: solara.Reactive(Classroom(session)), [])
    LessonPanel(model, session)
    SolaraViz(
        model,
        components=[],  # the main area is MainView's: Mesa's draggable grid has fixed cell heights
        model_params={"session": session},
        play_interval=PLAY_INTERVAL_MS,
        render_interval=render_every(session.lesson.scenario.population.size),
        name="marketsim classroom: micro- versus macro-marketing",
    )
    MainView(model.value)
