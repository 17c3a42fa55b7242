"""The commands that help decide a budget: ``assess``, ``optimize`` and ``calibrate`` (docs/assess.md,
docs/calibration.md), on the app and with the checks of marketsim/cli/__init__.py."""

from __future__ import annotations

from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..files import FolderBusy, folder_lock
from ..scenario.schema import ScenarioError, plain
from ..studies.objectives import DEFAULT_METRIC, METRICS
from .common import (
    INTERRUPTED,
    RUNS_FAILED,
    Scheduler,
    Workers,
    _check_edge_list,
    _check_memory,
    _fail,
    _resolve,
    _seed,
    _sweep_with_progress,
    _writable,
    app,
    err,
    out,
)


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
    workers: Workers = None,
    scheduler: Scheduler = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Run each strategy on the same sampled futures; say which wins, how often, and what must be true.

    Exit code 0 with a conclusion, 1 when so many runs failed that none can be drawn (a sampled future
    counts only when every strategy's run in it finished; at least half of them must), 2 on bad input
    (nothing written), 130 when interrupted (finished runs kept)."""
    import json

    from ..studies.pool import start_pool_server

    if scheduler is None:
        start_pool_server()  # first: it imports the simulator while this process does the same
    from ..files import json_safe, write_text
    from ..output.assess_report import conclusion, write_report
    from ..studies.assess import (
        AUTO_BATCH,
        TooFewFutures,
        analyse,
        findings_json,
        load_strategies,
        plan_assessment,
        until_settled,
    )
    from ..studies.results import NoFinishedRuns, ResultsError, layout_of, read_results
    from ..studies.sweep import check_scheduler, executor_for

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
    from ..scenario.schema import LeverSpec

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
    workers: Workers = None,
    scheduler: Scheduler = None,
    quiet: Annotated[bool, typer.Option(help="No progress messages")] = False,
) -> None:
    """Find the lever values (budget level, split between campaigns, any numeric field) with the best expected
    result under the uncertain assumptions; report its interval, the frontier of value against risk, the
    runner-up's regret and what a pilot should measure first (expected value of perfect information).

    Exit code 0 with a choice, 1 when every plan's runs failed, 2 on bad input (nothing written), 130 when
    interrupted (finished batches kept: the same command resumes)."""
    import json

    from ..studies.pool import start_pool_server

    if scheduler is None:
        start_pool_server()  # first: it imports the simulator while this process does the same
    from ..files import json_safe, write_text
    from ..output.optimize_report import fig_frontier, summary_lines, trials_frame
    from ..studies.optimize import NoCandidates, optimum_json, prepare
    from ..studies.optimize import optimize as search
    from ..studies.sweep import check_scheduler

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
    from ..studies.calibrate import calibrate as fit
    from ..studies.calibrate import write_calibration

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
