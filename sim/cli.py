"""The ``marketsim`` command: run, validate and list scenarios; sweep experiments and report on them."""

from __future__ import annotations

import math
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.table import Table
from rich.text import Text

from .runner import RunResult, run, write_results
from .scenario import Scenario, ScenarioError, load_scenario, parse_override

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Agent-based simulator of micro- versus macro-marketing.")
out = Console()
err = Console(stderr=True)

BAD_INPUT = 2


def _fail(title: str, exc: Exception) -> typer.Exit:
    """Report bad input (not a bug: no traceback) and give the exit to raise."""
    err.print(title, style="bold red")
    err.print(str(exc), markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(BAD_INPUT)


def _load(path: Path, sets: list[str]) -> Scenario:
    """Load a scenario or exit with code 2 and a message naming the file and field."""
    try:
        overrides = dict(parse_override(s) for s in sets)
    except ValueError as exc:
        raise _fail("invalid --set", exc) from None
    try:
        return load_scenario(path, overrides)
    except ScenarioError as exc:
        raise _fail("invalid scenario", exc) from None


def _say_medians(sc: Scenario) -> None:
    """Tell the user which fields were given as distributions and that a run uses their medians."""
    for u in sc._uncertain:
        out.print(f"uncertain {u.path} = {u.dist.describe()}: using its median {u.median:g}", markup=False,
                  soft_wrap=True, highlight=False)


def _fmt(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if math.isinf(value):
            return "inf"
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


SUMMARY_ROWS = ("reach", "reach_outside_audience", "customers", "adopters", "acquisitions_paid", "acquisitions_wom",
                "wom_share", "churned", "switched", "loyalty", "penetration", "market_share", "impressions",
                "wasted_share", "spend", "cac", "ltv_realised", "ltv_projected", "ltv_to_cac", "return_on_spend",
                "controls")


def summary_table(result: RunResult) -> Table:
    s = result.summary
    table = Table(title=f"{s['scenario']}: {s['consumers']:,} consumers, {s['horizon']:g} {s['unit']}s, seed {s['seed']}")
    table.add_column("metric")
    brands = s["brands"]
    for name in brands:
        table.add_column(name, justify="right")
    for row in SUMMARY_ROWS:
        cells = []
        for m in brands.values():
            v = m[row]
            cells.append(", ".join(v) or "-" if isinstance(v, list) else _fmt(v))
        table.add_row(row, *cells)
    return table


@app.command("run")
def run_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML)")],
    seed: Annotated[int | None, typer.Option(help="Random seed; the same seed gives the same run")] = None,
    set_: Annotated[list[str], typer.Option("--set", help="Override a field: key=value, e.g. "
                                                          "campaigns.mass_tv.budget=20000")] = [],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for timeseries.parquet and summary.json")]
    = Path("results"),
    plot: Annotated[bool, typer.Option(help="Also write run.png: customers, adoption causes, shares, spend")]
    = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Run a scenario to its horizon, write its results and print a summary."""
    sc = _load(scenario, set_)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet, transient=True) as bar:
        task = bar.add_task(f"building {sc.population.size:,} consumers", total=sc.time.steps)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, description="simulating")

        try:
            result = run(sc, seed=seed, progress=advance)
        except ScenarioError as exc:  # inputs read while building, such as an edge-list file
            raise _fail("invalid input", exc) from None
    files = write_results(result, out_dir)
    if plot:
        from .plots import plot_run, save_figure

        files.append(save_figure(plot_run(result.timeseries, f"{sc.name} (seed {result.summary['seed']})"),
                                 Path(out_dir) / "run.png"))
    _say_medians(sc)
    out.print(summary_table(result))
    out.print("wrote " + ", ".join(str(f) for f in files))


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML)")],
    set_: Annotated[list[str], typer.Option("--set", help="Override a field: key=value")] = [],
) -> None:
    """Check a scenario file without running it."""
    sc = _load(scenario, set_)
    _say_medians(sc)
    out.print(f"{scenario}: valid ({sc.population.size:,} consumers, {len(sc.brands)} brands, "
              f"{len(sc.campaigns)} campaigns, {sc.time.steps} steps)")


class RateColumn(ProgressColumn):
    """Runs per second."""

    def render(self, task) -> Text:
        return Text(f"{task.speed:.2f} runs/s" if task.speed else "", style="progress.data.speed")


@app.command()
def sweep(
    experiment: Annotated[Path, typer.Argument(help="Experiment file (TOML)")],
    workers: Annotated[int | None, typer.Option(help="Local worker processes (default: one per core)")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Results folder (default: results/<name>)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Run every point and replication of an experiment; run it again to resume."""
    from .experiment import load_experiment
    from .sweep import run_sweep

    try:
        exp = load_experiment(experiment)
    except ScenarioError as exc:
        raise _fail("invalid experiment", exc) from None
    out_dir = out_dir or Path("results") / exp.spec.name
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet) as bar:
        task = bar.add_task(exp.spec.name, total=len(exp.points) * exp.spec.replications)
        try:
            report = run_sweep(exp, out_dir, workers=workers, scheduler=scheduler,
                               progress=lambda done, total: bar.update(task, completed=done))
        except ValueError as exc:
            raise _fail("cannot run the sweep", exc) from None
        except KeyboardInterrupt:
            err.print(f"interrupted: finished runs are kept in {out_dir}; run the same command to resume")
            raise typer.Exit(130) from None
    out.print(f"{report.total} runs: {report.done} done ({report.skipped} already on disk), {report.failed} failed, "
              f"in {report.seconds:.1f} s")
    if report.failed:
        out.print(f"failed runs and their errors: rows with status 'failed' in {report.out / 'runs.parquet'}")
    out.print(f"results: {report.out / 'runs.parquet'}, {report.out / 'timeseries.parquet'}")


@app.command()
def report(results: Annotated[Path, typer.Argument(help="A sweep's results folder")]) -> None:
    """Turn a sweep's results into figures (PNG, SVG) and a Markdown report."""
    from .report import make_report

    if not (results / "runs.parquet").exists():
        raise _fail("no sweep results", FileNotFoundError(f"{results / 'runs.parquet'} does not exist"))
    files = make_report(results)
    out.print("wrote " + ", ".join(str(f) for f in files))


@app.command()
def assess(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML) with uncertain assumptions")],
    runs: Annotated[int, typer.Option(min=2, max=100_000, help="Sampled futures (Latin hypercube)")] = 64,
    strategies: Annotated[Path | None, typer.Option(help="File of [[strategies]] (default: the scenario's, "
                                                         "else each brand's plan as written)")] = None,
    metric: Annotated[str, typer.Option(help="What 'best' means: cac, ltv_to_cac, return_on_spend, reach, "
                                             "customers or time_to_control")] = "return_on_spend",
    report_dir: Annotated[Path | None, typer.Option("--report", help="Write report.html and report.md here")]
    = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Runs folder (default: results/assess-<name>)")]
    = None,
    seed: Annotated[int, typer.Option(min=0, help="Root seed of the samples and runs")] = 0,
    workers: Annotated[int | None, typer.Option(help="Local worker processes (default: one per core)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")]
    = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Run each strategy on the same sampled futures; say which wins, how often, and what must be true."""
    import json

    import pandas as pd

    from .assess import METRICS, analyse, findings_json, load_strategies, plan_assessment
    from .assess_report import conclusion, write_report
    from .files import write_text
    from .runner import _json_safe
    from .sweep import run_sweep

    if metric not in METRICS:
        raise _fail("invalid --metric", ValueError(f"'{metric}' is not one of {', '.join(METRICS)}"))
    try:
        chosen = load_strategies(strategies) if strategies is not None else None
        plan = plan_assessment(scenario, runs, seed, chosen)
    except ScenarioError as exc:
        raise _fail("invalid scenario", exc) from None
    out_dir = out_dir or Path("results") / f"assess-{plan.scenario.name}"
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet) as bar:
        task = bar.add_task(f"assess {plan.scenario.name}", total=len(plan.experiment.points))
        try:
            done = run_sweep(plan.experiment, out_dir, workers=workers, scheduler=scheduler,
                             progress=lambda n, total: bar.update(task, completed=n))
        except ValueError as exc:
            raise _fail("cannot run the assessment", exc) from None
        except KeyboardInterrupt:
            err.print(f"interrupted: finished runs are kept in {out_dir}; run the same command to resume")
            raise typer.Exit(130) from None
    findings = analyse(plan, pd.read_parquet(done.out / "runs.parquet"), metric)
    files = [write_text(done.out / "assessment.json", json.dumps(_json_safe(findings_json(findings)), indent=1,
                                                                default=float) + "\n")]
    if report_dir is not None:
        files += write_report(findings, f"Assessment of {plan.scenario.name}", plan.scenario.time.unit, report_dir)
    out.print(conclusion(findings), soft_wrap=True, markup=False)
    out.print("wrote " + ", ".join(str(f) for f in files))


@app.command()
def calibrate(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML); the fields to fit given as distributions")],
    pilot: Annotated[Path, typer.Argument(help="CSV of observed new adopters: time, new_adopters[, brand, segment]")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for calibrated.toml, calibration.json, fit.png")]
    = Path("results/calibration"),
    seeds: Annotated[int, typer.Option(min=1, max=64, help="Simulations averaged per candidate (common seeds)")] = 4,
    seed: Annotated[int, typer.Option(min=0, help="Root seed of the common seeds")] = 0,
    workers: Annotated[int, typer.Option(min=1, help="Processes running the seeds in parallel")] = 1,
    quiet: Annotated[bool, typer.Option(help="No progress messages")] = False,
) -> None:
    """Fit the scenario's uncertain fields to a pilot's adoption curve by simulation."""
    from .calibrate import calibrate as fit
    from .calibrate import write_calibration

    with err.status("calibrating", spinner="dots") if not quiet else nullcontext() as status:
        def say(message: str) -> None:
            if status is not None:
                status.update(message)

        try:
            fitter, result = fit(scenario, pilot, seeds=seeds, seed=seed, workers=workers, progress=say)
        except ScenarioError as exc:
            raise _fail("invalid input", exc) from None
    files = write_calibration(fitter, result, out_dir)
    table = Table(title=f"{fitter.scenario.name}: fitted to {len(result.observed)} periods, RMSE "
                        f"{result.rmse:,.1f} people per period, R² {result.r2:.3f}")
    for column in ("field", "prior", "estimate", "95% interval"):
        table.add_column(column)
    for f, x, (lo, hi) in zip(result.fields, result.estimate, result.interval):
        table.add_row(f.path, f.dist.describe(), f"{x:.4g}", f"{lo:.4g} to {hi:.4g}")
    out.print(table)
    out.print(f"{result.evaluations} parameter sets x {len(result.seeds)} seeds in {result.seconds:.1f} s; wrote "
              + ", ".join(str(f) for f in files))


READY = Path(__file__).resolve().parent.parent / "scenarios"


@app.command()
def scenarios(
    directory: Annotated[Path | None, typer.Argument(help="Folder of scenario files; default: the ready ones")]
    = None,
) -> None:
    """List scenario files with their one-line descriptions."""
    folder = directory or (Path("scenarios") if Path("scenarios").is_dir() else READY)
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise _fail("no scenarios", FileNotFoundError(f"no .toml files in {folder}"))
    table = Table(title=f"scenarios in {folder}")
    table.add_column("file")
    table.add_column("description")
    for f in files:
        try:
            table.add_row(f.name, load_scenario(f).description)
        except ScenarioError as exc:
            table.add_row(f.name, Text(f"invalid: {exc.problems[0][1]}", style="red"))
    out.print(table)


def main() -> None:
    app()
