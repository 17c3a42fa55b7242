"""The commands that run the model: run, validate, sweep, report, scenarios and dashboard."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ..scenario.loading import load_scenario, read_toml
from ..scenario.schema import ScenarioError, plain
from .common import (
    INTERRUPTED,
    RUNS_FAILED,
    Scheduler,
    Workers,
    _check_inputs,
    _check_memory,
    _fail,
    _load,
    _resolve,
    _say_implausible,
    _say_medians,
    _seed,
    _sweep_with_progress,
    _writable,
    app,
    err,
    out,
    ready,
)

if TYPE_CHECKING:  # the simulator itself (numba, Mesa) loads only when a command needs it
    from ..studies.runner import RunResult

def _fmt(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if math.isinf(value):
            return "inf"
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


SUMMARY_ROWS = ("reach", "reach_outside_audience", "installed_base", "customers", "first_acquisitions_paid",
                "first_acquisitions_wom", "reacquisitions", "wom_share", "churned", "switched", "loyalty", "penetration",
                "market_share", "impressions", "wasted_share", "spend", "cac_paid", "cac_blended", "ltv",
                "margin_per_customer", "ltv_to_cac", "customer_equity", "return_on_spend")
LIFT_ROWS = ("incremental_customers", "incremental_first_acquisitions", "incremental_margin",
             "incremental_return_on_spend")


def summary_table(result: RunResult) -> Table:
    s = result.summary
    each = s.get("people_per_consumer", 1)
    people = f" of {each:,} people each (counts and money are for the people)" if each > 1 else ""
    table = Table(title=Text(f"{s['scenario']}: {s['consumers']:,} consumers{people}, {s['horizon']:g} {s['unit']}s, "
                             f"seed {s['seed']}"))
    table.add_column("metric")
    brands = s["brands"]
    for name in brands:
        table.add_column(name, justify="right")
    for row in (*SUMMARY_ROWS, *(LIFT_ROWS if s.get("lift") else ()), "controls"):
        cells = []
        for m in brands.values():
            v = m.get(row, math.nan)
            cells.append(", ".join(v) or "-" if isinstance(v, list) else _fmt(v))
        table.add_row(row, *cells)
    return table


RUN_FILES = (*(f"{table}.{kind}" for table in ("timeseries", "buying", "duplication") for kind in ("parquet", "csv")),
             "summary.json", "run.png")


@app.command("run")
def run_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML), or the name of a ready one (baseline)")],
    seed: Annotated[int | None, _seed("Random seed; the same seed gives the same run")] = None,
    set_: Annotated[list[str], typer.Option("--set", help="Override a field: key=value, e.g. "
                                                          "campaigns.mass_tv.budget=20000")] = [],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for timeseries.parquet and summary.json")]
    = Path("results"),
    plot: Annotated[bool, typer.Option(help="Also write run.png: customers, adoption causes, shares, spend")]
    = False,
    table_format: Annotated[str, typer.Option("--format", help="parquet or csv (for spreadsheets)")] = "parquet",
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
    lift: Annotated[bool, typer.Option(help="Also run each brand without its campaigns (same random numbers) and "
                                            "report the incremental customers, margin and return on spend")]
    = False,
) -> None:
    """Run a scenario to its horizon, write its results and print a summary."""
    from ..files import file_set
    from ..studies.runner import campaign_warnings, run, write_results

    if table_format not in ("parquet", "csv"):
        raise _fail("invalid --format", f"--format is parquet or csv, not {table_format!r}")
    _writable("--out", out_dir)
    sc = _load(scenario, set_)
    _check_inputs(sc, scenario)
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet, transient=True) as bar:
        task = bar.add_task(f"building {sc.population.size:,} consumers", total=sc.time.steps)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, description="simulating")

        try:
            result = run(sc, seed=seed, progress=advance, lift=lift)
        except ScenarioError as exc:  # inputs read while building, such as an edge-list file
            raise _fail("invalid input", exc) from None
        except KeyboardInterrupt:
            err.print("interrupted: nothing written")
            raise typer.Exit(INTERRUPTED) from None
    try:
        with file_set(out_dir, RUN_FILES) as staging:
            files = write_results(result, staging, table_format)
            if plot:
                from ..output.plots import plot_run, save_figure

                files.append(save_figure(plot_run(result.timeseries, f"{sc.name} (seed {result.summary['seed']})"),
                                         staging / "run.png"))
    except OSError as exc:
        raise _fail("cannot write the results", f"{out_dir}: {exc.strerror or exc}") from None
    _say_medians(sc)
    out.print(summary_table(result))
    for warning in campaign_warnings(result):
        out.print(f"warning: {warning}", markup=False, highlight=False, style="yellow")
    out.print("wrote " + ", ".join(str(Path(out_dir) / f.name) for f in files), soft_wrap=True)


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML)")],
    set_: Annotated[list[str], typer.Option("--set", help="Override a field: key=value")] = [],
) -> None:
    """Check a scenario file, and the edge list it names, without running it."""
    from ..studies.memory import run_bytes

    sc = _load(scenario, set_)
    _say_medians(sc)
    _say_implausible(sc)
    _check_inputs(sc, scenario)
    each = sc.population.people_per_consumer
    out.print(f"{plain(str(scenario))}: valid ({sc.population.size:,} consumers"
              f"{f' of {each:,} people each' if each > 1 else ''}, {len(sc.brands)} brands, "
              f"{len(sc.campaigns)} campaigns, {sc.time.steps} steps, about "
              f"{run_bytes(sc) / 2**20:,.0f} MiB per run)")


@app.command()
def sweep(
    experiment: Annotated[Path, typer.Argument(help="Experiment file (TOML)")],
    workers: Workers = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Results folder (default: results/<name>)")] = None,
    scheduler: Scheduler = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Run every point and replication of an experiment; run it again to resume.

    Exit code 0 when every run succeeded, 1 when some failed (their errors are in runs.parquet),
    2 on bad input (nothing written), 130 when interrupted (finished runs kept)."""
    from ..studies.pool import start_pool_server

    if scheduler is None:
        start_pool_server()  # first: it imports the simulator while this process does the same
    from ..studies.experiment import load_experiment

    with Progress(TextColumn("checking the design's points"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, disable=quiet, transient=True) as bar:
        task = bar.add_task("", total=None)
        try:
            exp = load_experiment(_resolve(experiment, "experiments"),
                                  progress=lambda done, total: bar.update(task, completed=done, total=total))
        except ScenarioError as exc:
            raise _fail("invalid experiment", exc) from None
        except KeyboardInterrupt:
            err.print("interrupted while checking the design: nothing written")
            raise typer.Exit(INTERRUPTED) from None
    _check_memory(experiment, exp.largest_run_bytes, workers, scheduler)
    out_dir = out_dir or Path("results") / exp.spec.name
    report = _sweep_with_progress(exp, out_dir, exp.spec.name, workers, scheduler, quiet, "sweep")
    out.print(f"{report.total} runs: {report.done} done ({report.skipped} already on disk), {report.failed} failed, "
              f"in {report.seconds:.1f} s")
    out.print(f"results: {report.out / 'runs.parquet'}, {report.out / 'timeseries.parquet'}")
    if report.failed:
        err.print(f"{report.failed} of {report.total} runs failed: their errors are in the rows with status "
                  f"'failed' of {report.out / 'runs.parquet'}", style="bold red")
        raise typer.Exit(RUNS_FAILED)


@app.command()
def report(results: Annotated[Path, typer.Argument(help="A sweep's results folder")]) -> None:
    """Turn a sweep's results into figures (PNG, SVG) and a Markdown report."""
    from ..output.report import make_report
    from ..studies.results import NoFinishedRuns, ResultsError

    try:
        files = make_report(results)
    except NoFinishedRuns as exc:
        err.print(f"nothing to report: {exc}", style="bold red", soft_wrap=True)
        raise typer.Exit(RUNS_FAILED) from None
    except ResultsError as exc:
        raise _fail("cannot report", exc) from None
    out.print("wrote " + ", ".join(str(f) for f in files), soft_wrap=True)


@app.command()
def scenarios(
    directory: Annotated[Path | None, typer.Argument(help="Folder of scenario files; default: the ready ones")]
    = None,
) -> None:
    """List the scenarios, experiments and strategies files of a folder with their one-line descriptions."""
    folder = directory or (Path("scenarios") if Path("scenarios").is_dir() else ready("scenarios"))
    try:
        files = sorted(folder.glob("*.toml"))
    except OSError as exc:
        raise _fail("no scenarios", f"{plain(str(folder))}: cannot read ({exc.strerror or type(exc).__name__})") \
            from None
    if not files:
        raise _fail("no scenarios", FileNotFoundError(f"no .toml files in {folder}"))
    table = Table(title=Text(f"files in {plain(str(folder))}"))
    table.add_column("file")
    table.add_column("kind")
    table.add_column("description")
    for f in files:
        try:
            kind, description = _describe(f)
            table.add_row(f.name, kind, description)
        except ScenarioError as exc:
            table.add_row(f.name, "", Text(f"invalid: {exc.problems[0][1]}", style="red"))
    out.print(table)


def _describe(path: Path) -> tuple[str, str]:
    """What a TOML file is (a scenario, an experiment or a file of strategies) and its one line."""
    from ..studies.assess import load_strategies
    from ..studies.experiment import load_experiment

    _, raw = read_toml(path)
    if "brands" not in raw and isinstance(raw.get("scenario"), str):
        return "experiment", load_experiment(path).spec.description
    if "brands" not in raw and "strategies" in raw:
        return "strategies", ", ".join(s.name for s in load_strategies(path))
    return "scenario", load_scenario(path).description


@app.command()
def dashboard(
    scenario: Annotated[Path | None, typer.Argument(help="Lesson to open first (a scenario file); "
                                                         "default: the baseline")] = None,
    port: Annotated[int, typer.Option(help="Port to serve the page on")] = 8765,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 opens it to the whole network")]
    = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open the page in a web browser")] = True,
) -> None:
    """Start the classroom dashboard: live micro-versus-macro runs in the browser."""
    if scenario is not None:
        _load(scenario, [])
    if host in ("0.0.0.0", "::", ""):
        err.print(f"warning: listening on {host or 'every address'}: anyone on this network can open the "
                  "dashboard and run models on this computer", style="bold yellow")
    from ..dashboard.server import serve

    serve(scenario, host, port, open_browser, say=err.print)
