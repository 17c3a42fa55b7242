"""The ``marketsim`` command: run, validate and list scenarios; sweep experiments and report on them."""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
from contextlib import ExitStack, nullcontext
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from .files import FolderBusy, folder_lock, unwritable_folder
from .scenario.loading import load_scenario, parse_override, read_toml
from .scenario.schema import MAX_SEED, Scenario, ScenarioError, plain
from .studies.objectives import DEFAULT_METRIC, METRICS

if TYPE_CHECKING:  # the simulator itself (numba, Mesa) loads only when a command needs it
    from .studies.runner import RunResult

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="Agent-based simulator of micro- versus macro-marketing.")
# user text (names, paths, descriptions) is printed as it is: never read as Rich markup
out = Console(markup=False, highlight=False)
err = Console(stderr=True, markup=False, highlight=False)

BAD_INPUT = 2
RUNS_FAILED = 1
INTERRUPTED = 130


def _version(value: bool) -> None:
    if value:
        out.print(f"marketsim {metadata.version('marketsim')}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                 help="Show the version and exit")] = False) -> None:
    """Agent-based simulator of micro- versus macro-marketing."""


def _fail(title: str, exc: Exception | str) -> typer.Exit:
    """Report bad input (not a bug: no traceback) and give the exit to raise."""
    err.print(title, style="bold red")
    err.print(str(exc) if isinstance(exc, ScenarioError) else plain(str(exc), 2000), soft_wrap=True)
    return typer.Exit(BAD_INPUT)


def ready(kind: str) -> Path:
    """The folder of ready scenarios or experiments shipped inside the package."""
    return Path(str(resources.files(f"marketsim.{kind}")))


def _resolve(path: Path, kind: str, suffix: str = ".toml") -> Path:
    """A file as given, else a ready one by name (``marketsim run baseline``) from any folder."""
    try:
        if path.exists() or path.suffix or len(path.parts) != 1:
            return path
        candidate = ready(kind) / f"{path.name}{suffix}"
        return candidate if candidate.is_file() else path
    except OSError:  # a name the file system cannot hold: reading it says so, naming the file
        return path


def _load(path: Path, sets: list[str]) -> Scenario:
    """Load a scenario or exit with code 2 and a message naming the file and field."""
    try:
        overrides = dict(parse_override(s) for s in sets)
    except ValueError as exc:
        raise _fail("invalid --set", exc) from None
    try:
        sc = load_scenario(_resolve(path, "scenarios"), overrides)
    except ScenarioError as exc:
        raise _fail("invalid scenario", exc) from None
    for where, message in sc.warnings():
        err.print(f"warning: {path}: {where}: {message}", style="yellow", soft_wrap=True)
    return sc


def _seed(what: str):
    """The --seed option, one range for every command: any seed a sweep gave a run can be run again."""
    return typer.Option(min=0, max=MAX_SEED, help=what)


def _writable(option: str, folder: Path | None) -> None:
    """Refuse an output folder that cannot be written before any work, not after it."""
    problem = None if folder is None else unwritable_folder(folder)
    if problem:
        raise _fail(f"invalid {option}", problem)


def _check_edge_list(sc: Scenario) -> None:
    """What the types cannot see: the edge-list file's content."""
    from .market.network import read_edge_list

    try:
        if sc.network.type == "file":
            read_edge_list(sc.network.path, sc.population.size)
    except ScenarioError as exc:
        raise _fail("invalid edge list (network.path)", exc) from None


def _check_memory(source: Path, per_run: int, workers: int | None = 1, scheduler: str | None = None) -> None:
    """Refuse runs too big for this machine's memory, as many at once as local workers run."""
    import os

    from .studies.memory import too_big

    problem = too_big(per_run, 1 if scheduler else (workers or os.cpu_count() or 1))
    if problem:
        raise _fail("too big for this machine", f"{source}: {problem}")


def _check_inputs(sc: Scenario, source: Path) -> None:
    """The edge list and the memory of one run of ``sc``."""
    from .studies.memory import run_bytes

    _check_edge_list(sc)
    _check_memory(source, run_bytes(sc))


def _say_medians(sc: Scenario) -> None:
    """Tell the user which fields were given as distributions and that a run uses their medians."""
    for u in sc._uncertain:
        out.print(f"uncertain {u.path} = {u.dist.describe()}: using its median {u.median:g}", markup=False,
                  soft_wrap=True, highlight=False)


def _say_implausible(sc: Scenario) -> None:
    """Fields outside the plausible range docs/parameters.md gives them: allowed, worth a second look."""
    from .scenario.parameters import outside_plausible_ranges

    for name, value, (low, high) in outside_plausible_ranges(sc):
        out.print(f"note: {name} = {value:g} is outside its plausible range, {low:.3g} to {high:.3g} in this "
                  f"file's time unit (docs/parameters.md)", markup=False, soft_wrap=True, highlight=False)


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
    table = Table(title=Text(f"{s['scenario']}: {s['consumers']:,} consumers, {s['horizon']:g} {s['unit']}s, "
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


RUN_FILES = ("timeseries.parquet", "timeseries.csv", "summary.json", "run.png")


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
    from .files import file_set
    from .studies.runner import campaign_warnings, run, write_results

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
                from .output.plots import plot_run, save_figure

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
    from .studies.memory import run_bytes

    sc = _load(scenario, set_)
    _say_medians(sc)
    _say_implausible(sc)
    _check_inputs(sc, scenario)
    out.print(f"{plain(str(scenario))}: valid ({sc.population.size:,} consumers, {len(sc.brands)} brands, "
              f"{len(sc.campaigns)} campaigns, {sc.time.steps} steps, about "
              f"{run_bytes(sc) / 2**20:,.0f} MiB per run)")


class RateColumn(ProgressColumn):
    """Runs per second."""

    def render(self, task) -> Text:
        return Text(f"{task.speed:.2f} runs/s" if task.speed else "", style="progress.data.speed")


def _sweep_with_progress(experiment, out_dir: Path, label: str, workers: int | None, scheduler: str | None,
                         quiet: bool, what: str, executor=None):
    """Run a sweep under a progress bar of its runs; a refusal exits 2, an interrupt 130 (finished
    runs kept, so the same command resumes)."""
    from .studies.sweep import run_sweep

    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), RateColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet) as bar:
        task = bar.add_task(label, total=None)
        try:
            return run_sweep(experiment, out_dir, workers=workers, scheduler=scheduler, executor=executor,
                             progress=lambda done, total: bar.update(task, completed=done, total=total))
        except ValueError as exc:
            raise _fail(f"cannot run the {what}", exc) from None
        except KeyboardInterrupt:
            err.print(f"interrupted: finished runs are kept in {out_dir}; run the same command to resume")
            raise typer.Exit(INTERRUPTED) from None


@app.command()
def sweep(
    experiment: Annotated[Path, typer.Argument(help="Experiment file (TOML)")],
    workers: Annotated[int | None, typer.Option(min=1, help="Local worker processes (default: one per core)")]
    = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Results folder (default: results/<name>)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Run every point and replication of an experiment; run it again to resume.

    Exit code 0 when every run succeeded, 1 when some failed (their errors are in runs.parquet),
    2 on bad input (nothing written), 130 when interrupted (finished runs kept)."""
    from .studies.pool import start_pool_server

    if scheduler is None:
        start_pool_server()  # first: it imports the simulator while this process does the same
    from .studies.experiment import load_experiment

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
    from .output.report import make_report
    from .studies.results import NoFinishedRuns, ResultsError

    try:
        files = make_report(results)
    except NoFinishedRuns as exc:
        err.print(f"nothing to report: {exc}", style="bold red", soft_wrap=True)
        raise typer.Exit(RUNS_FAILED) from None
    except ResultsError as exc:
        raise _fail("cannot report", exc) from None
    out.print("wrote " + ", ".join(str(f) for f in files), soft_wrap=True)


@app.command()
def assess(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML) with uncertain assumptions, or the name "
                                                  "of a ready one")],
    runs: Annotated[str | None, typer.Option(help="Sampled futures (Latin hypercube): 2 to 100,000, or auto (batches "
                                                  "of 32 until the best plan's interval clears the runner-up's, at most "
                                                  "512); default 64")] = None,
    sobol: Annotated[int | None, typer.Option(min=2, max=65_536, help="Instead of --runs: Saltelli's design of N base "
                                                                       "samples (a power of 2), N x (assumptions + 2) "
                                                                       "futures, for Sobol indices with errors")]
    = None,
    strategies: Annotated[Path | None, typer.Option(help="TOML file of strategies tables (default: the "
                                                         "scenario's, else each brand's plan as written)")] = None,
    posterior: Annotated[Path | None, typer.Option(help="A calibration's posterior.csv: the fields it holds are drawn "
                                                        "from it, jointly, instead of from their distributions")]
    = None,
    metric: Annotated[str, typer.Option(help=f"What 'best' means: {', '.join(METRICS)} (docs/assess.md)")]
    = DEFAULT_METRIC,
    report_dir: Annotated[Path | None, typer.Option("--report", help="Write report.html and report.md here")]
    = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Runs folder (default: results/assess-<file name>)")]
    = None,
    seed: Annotated[int, _seed("Root seed of the samples and runs")] = 0,
    workers: Annotated[int | None, typer.Option(min=1, help="Local worker processes (default: one per core)")]
    = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")]
    = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Run each strategy on the same sampled futures; say which wins, how often, and what must be true.

    Exit code 0 with a conclusion, 1 when so many runs failed that none can be drawn (a sampled future
    counts only when every strategy's run in it finished; at least half of them must), 2 on bad input
    (nothing written), 130 when interrupted (finished runs kept)."""
    import json

    from .studies.pool import start_pool_server

    if scheduler is None:
        start_pool_server()  # first: it imports the simulator while this process does the same
    from .files import json_safe, write_text
    from .output.assess_report import conclusion, write_report
    from .studies.assess import (
        AUTO_BATCH,
        TooFewFutures,
        analyse,
        findings_json,
        load_strategies,
        plan_assessment,
        until_settled,
    )
    from .studies.results import NoFinishedRuns, ResultsError, layout_of, read_results
    from .studies.sweep import check_scheduler, executor_for

    if sobol is not None and (runs is not None or sobol & (sobol - 1)):
        raise _fail("invalid --sobol", ValueError("--sobol takes a power of 2 (2, 4, ... 65,536) and replaces --runs: "
                                                  "give one of them"))
    runs = "64" if runs is None else runs
    auto = runs == "auto"
    if not auto and not (runs.isascii() and runs.isdecimal() and 2 <= int(runs) <= 100_000):
        raise _fail("invalid --runs", ValueError(f"'{plain(runs, 20)}' is neither a number from 2 to 100,000 nor "
                                                 "auto"))
    if metric not in METRICS:
        raise _fail("invalid --metric", ValueError(f"'{plain(metric, 60)}' is not one of {', '.join(METRICS)}"))
    try:
        check_scheduler(scheduler)
    except ValueError as exc:
        raise _fail("invalid --scheduler", exc) from None
    _writable("--report", report_dir)
    _writable("--out", out_dir)
    scenario = _resolve(scenario, "scenarios")
    try:
        chosen = load_strategies(strategies) if strategies is not None else None
        where = None if strategies is None else str(strategies)
        plan = plan_assessment(scenario, AUTO_BATCH if auto else int(runs), seed, chosen, where, sobol=sobol,
                               posterior=posterior)
    except ScenarioError as exc:
        raise _fail("invalid scenario", exc) from None
    _check_edge_list(plan.scenario)
    _check_memory(scenario, plan.experiment.largest_run_bytes, workers, scheduler)
    out_dir = out_dir or Path("results") / f"assess-{scenario.stem}"  # the file's: a copy has the same name inside
    with ExitStack() as held:
        try:  # the cluster first, then one writer from the sweep's check to the assessment's last write
            cluster = held.enter_context(executor_for(workers, scheduler)) if scheduler is not None else None
            held.enter_context(folder_lock(out_dir))
        except ValueError as exc:  # the cluster cannot be reached, or another process holds a folder
            raise _fail("cannot run the assessment", exc) from None
        ran = []  # runs per batch, for the count of failures

        def run_batch(batch_plan, batch: int | None = None):
            where = out_dir if batch is None else out_dir / f"batch-{batch}"
            label = f"assess {plan.scenario.name}" + ("" if batch is None else f", futures {batch * AUTO_BATCH + 1}-"
                                                                               f"{(batch + 1) * AUTO_BATCH}")
            done = _sweep_with_progress(batch_plan.experiment, where, label, workers, scheduler, quiet, "assessment",
                                        cluster)
            table = read_results(done.out, layout_of(batch_plan.experiment)).runs
            ran.append(len(table))
            return table

        runs_files = out_dir / ("batch-*/runs.parquet" if auto else "runs.parquet")
        try:
            findings = (until_settled(lambda j: plan if j == 0 else plan_assessment(scenario, AUTO_BATCH, seed, chosen,
                                                                                    where, j, posterior=posterior),
                                      run_batch, metric)
                        if auto else analyse(plan, run_batch(plan), metric))
        except NoFinishedRuns as exc:
            err.print(f"no conclusion: {exc}", style="bold red", soft_wrap=True)
            raise typer.Exit(RUNS_FAILED) from None
        except ResultsError as exc:
            raise _fail("cannot read the assessment's runs", exc) from None
        except ScenarioError as exc:  # a later batch of --runs auto drew a future its scenario refuses
            raise _fail("invalid scenario (the batches run so far are kept)", exc) from None
        except TooFewFutures as exc:
            err.print(f"no conclusion: {exc}. Their errors are in the rows with status 'failed' of {runs_files}",
                      style="bold red", soft_wrap=True)
            raise typer.Exit(RUNS_FAILED) from None
        if findings.failed_runs:
            err.print(f"warning: {findings.failed_runs} of {sum(ran)} runs failed: the futures they were in are left "
                      f"out (errors in {runs_files})", style="yellow", soft_wrap=True)
        findings_text = json.dumps(json_safe(findings_json(findings)), indent=1, default=float) + "\n"
        files = [write_text(out_dir / f"assessment-{metric}.json", findings_text)]
        if report_dir is not None:
            try:
                files += write_report(findings, f"Assessment of {plan.scenario.name}", plan.scenario.time.unit,
                                      report_dir)
            except FolderBusy as exc:
                raise _fail("cannot write the report", exc) from None
    if auto:
        out.print(f"(--runs auto: {findings.outcomes['sample'].nunique()} futures kept, in batches of {AUTO_BATCH})")
    out.print(conclusion(findings), soft_wrap=True, markup=False)
    out.print("wrote " + ", ".join(str(f) for f in files))


def _lever(text: str):
    """--lever PATH=LOW:HIGH: one scenario field searched between two numbers."""
    from .scenario.schema import LeverSpec

    path, _, bounds = text.partition("=")
    low, _, high = bounds.partition(":")
    try:
        return LeverSpec(name=path.strip().replace(".", "_")[:64] or "lever", low=float(low), high=float(high),
                         set={path.strip(): [0.0, 1.0]})
    except ValueError as exc:
        raise ValueError(f"'{plain(text, 80)}' is not PATH=LOW:HIGH with LOW below HIGH, two finite numbers "
                         f"({plain(str(exc).splitlines()[-1], 200)})") from None


@app.command()
def optimize(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML) with uncertain assumptions and [[levers]], "
                                                  "or the name of a ready one")],
    lever: Annotated[list[str] | None, typer.Option(help="A field to search instead of the scenario's levers: "
                                                         "PATH=LOW:HIGH (repeatable)")] = None,
    posterior: Annotated[Path | None, typer.Option(help="A calibration's posterior.csv: the fields it holds are drawn "
                                                        "from it, jointly, instead of from their distributions")]
    = None,
    metric: Annotated[str, typer.Option(help="What to maximise: a metric of marketsim assess that is better "
                                             "higher")] = DEFAULT_METRIC,
    goal: Annotated[str, typer.Option(help="mean (expected value), p10 (a cautious plan: its 10th percentile) or "
                                           "p_payback (probability of paying back)")] = "mean",
    trials: Annotated[int, typer.Option(min=2, max=10_000, help="Plans to try (Optuna's TPE sampler)")] = 24,
    futures: Annotated[int, typer.Option(min=2, max=100_000, help="Sampled futures each plan runs in (common "
                                                                  "random numbers)")] = 32,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Runs folder (default: results/optimize-<file name>)")]
    = None,
    seed: Annotated[int, _seed("Root seed of the futures, the runs and the sampler")] = 0,
    workers: Annotated[int | None, typer.Option(min=1, help="Local worker processes (default: one per core)")]
    = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")]
    = None,
    quiet: Annotated[bool, typer.Option(help="No progress messages")] = False,
) -> None:
    """Find the lever values (budget level, split between campaigns, any numeric field) with the best expected
    result under the uncertain assumptions; report its interval, the frontier of value against risk, the
    runner-up's regret and what a pilot should measure first (expected value of perfect information).

    Exit code 0 with a choice, 1 when every plan's runs failed, 2 on bad input (nothing written), 130 when
    interrupted (finished batches kept: the same command resumes)."""
    import json

    from .studies.pool import start_pool_server

    if scheduler is None:
        start_pool_server()  # first: it imports the simulator while this process does the same
    from .files import json_safe, write_text
    from .output.optimize_report import fig_frontier, summary_lines, trials_frame
    from .studies.optimize import NoCandidates, optimum_json, prepare
    from .studies.optimize import optimize as search
    from .studies.sweep import check_scheduler

    try:
        levers = [_lever(x) for x in lever] if lever else None
    except ValueError as exc:
        raise _fail("invalid --lever", exc) from None
    _writable("--out", out_dir)
    scenario = _resolve(scenario, "scenarios")
    try:
        check_scheduler(scheduler)
        as_written = prepare(scenario, metric, goal, levers, futures, seed, posterior)[2]
    except ScenarioError as exc:
        raise _fail("invalid scenario", exc) from None
    except ValueError as exc:
        raise _fail("cannot optimize", exc) from None
    _check_edge_list(as_written.scenario)
    _check_memory(scenario, as_written.experiment.largest_run_bytes, workers, scheduler)
    out_dir = out_dir or Path("results") / f"optimize-{scenario.stem}"
    with err.status("optimizing", spinner="dots") if not quiet else nullcontext() as status:
        def say(done: int, total: int) -> None:
            if status is not None:
                status.update(f"optimizing: {done} of {total} plans tried")

        try:
            with folder_lock(out_dir):
                found = search(scenario, out_dir, trials=trials, futures=futures, metric=metric, goal=goal,
                               levers=levers, seed=seed, workers=workers, scheduler=scheduler, posterior=posterior,
                               progress=say)
                files = [write_text(out_dir / f"optimization-{metric}-{goal}.json",
                                    json.dumps(json_safe(optimum_json(found)), indent=1, default=float) + "\n"),
                         fig_frontier(found, out_dir / f"frontier-{metric}-{goal}.png")]
        except (ValueError, FolderBusy) as exc:  # another process holds the folder, or it holds other results
            raise _fail("cannot optimize", exc) from None
        except NoCandidates as exc:
            err.print(f"no choice: {exc}", style="bold red", soft_wrap=True)
            raise typer.Exit(RUNS_FAILED) from None
        except KeyboardInterrupt:
            err.print(f"interrupted: finished batches are kept in {out_dir}; run the same command to resume")
            raise typer.Exit(INTERRUPTED) from None
    table = Table(title=f"plans tried, best first ({goal} of {metric})")
    frame = trials_frame(found)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*map(str, row))
    out.print(table)
    for line in summary_lines(found):
        out.print(line, soft_wrap=True)
    out.print("wrote " + ", ".join(str(f) for f in files))


@app.command()
def calibrate(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML), or the name of a ready one; the fields "
                                                  "to fit given as distributions")],
    pilot: Annotated[Path, typer.Argument(help="CSV of observed new adopters: time, new_adopters[, brand, segment], "
                                               "or the name of a ready one")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for calibrated.toml, calibration.json, fit.png")]
    = Path("results/calibration"),
    seeds: Annotated[int, typer.Option(min=1, max=64, help="Simulations averaged per candidate (common seeds)")] = 4,
    seed: Annotated[int, _seed("Root seed of the common seeds")] = 0,
    workers: Annotated[int, typer.Option(min=1, help="Processes running the seeds in parallel")] = 1,
    quiet: Annotated[bool, typer.Option(help="No progress messages")] = False,
) -> None:
    """Fit the scenario's uncertain fields to a pilot's adoption curve by simulation."""
    from .studies.calibrate import calibrate as fit
    from .studies.calibrate import write_calibration

    _writable("--out", out_dir)
    scenario, pilot = _resolve(scenario, "scenarios"), _resolve(pilot, "scenarios", ".csv")
    with err.status("calibrating", spinner="dots") if not quiet else nullcontext() as status:
        def say(message: str) -> None:
            if status is not None:
                status.update(message)

        try:
            fitter, result = fit(scenario, pilot, seeds=seeds, seed=seed, workers=workers, progress=say)
        except ScenarioError as exc:
            raise _fail("invalid input", exc) from None
    try:
        files = write_calibration(fitter, result, out_dir)
    except FolderBusy as exc:
        raise _fail("cannot write the calibration", exc) from None
    table = Table(title=f"{fitter.scenario.name}: fitted to {len(result.observed)} periods, RMSE "
                        f"{result.rmse:,.1f} people per period, R² {result.r2:.3f}")
    for column in ("field", "prior", "estimate", "95% interval"):
        table.add_column(column)
    for f, x, (lo, hi) in zip(result.fields, result.estimate, result.interval):
        table.add_row(f.path, f.dist.describe(), f"{x:.4g}", f"{lo:.4g} to {hi:.4g}")
    out.print(table)
    out.print(f"{result.evaluations} parameter sets x {len(result.seeds)} seeds in {result.seconds:.1f} s; wrote "
              + ", ".join(str(f) for f in files))


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
    from .studies.assess import load_strategies
    from .studies.experiment import load_experiment

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
    from .dashboard.server import serve

    serve(scenario, host, port, open_browser)


TERM_GRACE_SECONDS = 20.0


def _interrupt(signum, frame) -> None:
    """SIGTERM: the same clean stop as Ctrl-C (runs ended, finished results kept), with a deadline. An
    exception raised between a lock's acquire and its release can deadlock the worker pool's shutdown
    (CPython issue 125886 and kin), and a job scheduler's timeout must end the command whatever
    happens: if the clean stop has not ended it in TERM_GRACE_SECONDS, it ends at once."""
    watchdog = threading.Timer(TERM_GRACE_SECONDS, _force_exit)
    watchdog.daemon = True
    watchdog.start()
    raise KeyboardInterrupt


def _force_exit() -> None:
    sys.stderr.write(f"interrupted: the clean stop took over {TERM_GRACE_SECONDS:g} s, so it ends here; finished "
                     "runs are kept\n")
    sys.stderr.flush()
    os._exit(INTERRUPTED)


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # what job schedulers and timeouts send
    app()
