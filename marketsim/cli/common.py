"""What every ``marketsim`` command shares: the app, its consoles and exit codes, ready files by name, and
the checks of inputs made before any work (a bad input exits 2 with nothing written)."""

from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path
from typing import Annotated

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
from rich.text import Text

from ..files import unwritable_folder
from ..scenario.loading import load_scenario, parse_override
from ..scenario.schema import MAX_SEED, Scenario, ScenarioError, plain

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


# the options of every command that runs many simulations, said once
Workers = Annotated[int | None, typer.Option(min=1, help="Local worker processes (default: one per core)")]
Scheduler = Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")]


def _writable(option: str, folder: Path | None) -> None:
    """Refuse an output folder that cannot be written before any work, not after it."""
    problem = None if folder is None else unwritable_folder(folder)
    if problem:
        raise _fail(f"invalid {option}", problem)


def _check_edge_list(sc: Scenario) -> None:
    """What the types cannot see: the edge-list file's content."""
    from ..market.network import read_edge_list

    try:
        if sc.network.type == "file":
            read_edge_list(sc.network.path, sc.population.size)
    except ScenarioError as exc:
        raise _fail("invalid edge list (network.path)", exc) from None


def _check_memory(source: Path, per_run: int, workers: int | None = 1, scheduler: str | None = None) -> None:
    """Refuse runs too big for this machine's memory, as many at once as local workers run."""
    import os

    from ..studies.memory import too_big

    problem = too_big(per_run, 1 if scheduler else (workers or os.cpu_count() or 1))
    if problem:
        raise _fail("too big for this machine", f"{source}: {problem}")


def _check_inputs(sc: Scenario, source: Path) -> None:
    """The edge list and the memory of one run of ``sc``."""
    from ..studies.memory import run_bytes

    _check_edge_list(sc)
    _check_memory(source, run_bytes(sc))


def _say_medians(sc: Scenario) -> None:
    """Tell the user which fields were given as distributions and that a run uses their medians."""
    for u in sc._uncertain:
        out.print(f"uncertain {u.path} = {u.dist.describe()}: using its median {u.median:g}", markup=False,
                  soft_wrap=True, highlight=False)


def _say_implausible(sc: Scenario) -> None:
    """Fields outside the plausible range docs/parameters.md gives them: allowed, worth a second look."""
    from ..scenario.parameters import outside_plausible_ranges

    for name, value, (low, high) in outside_plausible_ranges(sc):
        out.print(f"note: {name} = {value:g} is outside its plausible range, {low:.3g} to {high:.3g} in this "
                  f"file's time unit (docs/parameters.md)", markup=False, soft_wrap=True, highlight=False)


class RateColumn(ProgressColumn):
    """Runs per second."""

    def render(self, task) -> Text:
        return Text(f"{task.speed:.2f} runs/s" if task.speed else "", style="progress.data.speed")


def _sweep_with_progress(experiment, out_dir: Path, label: str, workers: int | None, scheduler: str | None,
                         quiet: bool, what: str, executor=None):
    """Run a sweep under a progress bar of its runs; a refusal exits 2, an interrupt 130 (finished
    runs kept, so the same command resumes)."""
    from ..studies.sweep import run_sweep

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
