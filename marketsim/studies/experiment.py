"""Experiment files: a base scenario, factors to vary, a design, replications and what to keep.

An experiment expands into points (one value per factor) and runs (a point and a replication).
Every point's scenario is validated before anything runs, and every run's seed derives from the
experiment's root seed, the point and the replication, so results never depend on how many
workers ran them or in which order.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import scipy  # scipy.stats loads on first use: half a second that only the sampled designs need pay
from pydantic import Field, ValidationError, model_validator

from ..market.metrics import SEGMENT_COUNTS
from ..scenario.errors import validation_problems
from ..scenario.loading import read_toml, scenario_from_dict
from ..scenario.schema import MAX_SEED, FileName, Name, Number, Positive, ScenarioError, Strict, Text
from .memory import run_bytes

# a variant's name is a value in the factor's column, never a column or folder name: dots allowed
Level = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")]
Value = Annotated[str, Field(max_length=4096)] | bool | Annotated[int, Field(ge=-2**53, le=2**53)] | Number
MAX_POINTS = 100_000
PROBE_CONSUMERS = 1000  # a copy of the base scenario run for one step to learn its metrics' names
MAX_RUNS = 1_000_000
# columns of runs.parquet that a factor's name (or path) must not take
RESERVED_COLUMNS = ("run", "point", "replication", "seed", "status", "error")
# time-series columns an experiment may keep (docs/outputs.md)
TIMESERIES_METRICS = tuple(sorted({*SEGMENT_COUNTS, "revenue", "margin", "wasted_spend", "loyalty", "share", "control",
                                   "spend"}))
Setting = Value | list[Any] | dict[str, Any]  # what an override sets: a value, or a whole array or table


class Range(Strict):
    """A numeric interval: evenly spaced ``steps`` levels in a factorial design, bounds otherwise."""

    min: Number
    max: Number
    steps: Annotated[int, Field(ge=2, le=1000)] | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self

    def at(self, u: float) -> float | int:
        value = self.min + u * (self.max - self.min)
        return int(round(value)) if self.integer else float(value)


def _kind(value: Value) -> str:
    return "bool" if isinstance(value, bool) else "text" if isinstance(value, str) else "number"


class Factor(Strict):
    """One dimension of the design: a scenario field (``path``) or named scenario ``variants``."""

    name: Name | None = None
    path: str | None = None
    levels: Annotated[list[Value], Field(min_length=1)] | None = None
    range: Range | None = None
    variants: dict[Level, dict[str, Setting]] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Factor:
        if self.variants is not None:
            if self.path is not None or self.levels is not None or self.range is not None:
                raise ValueError("a factor with variants takes no path, levels or range")
            if self.name is None:
                raise ValueError("a factor with variants needs a 'name' (for example strategy)")
            if not self.variants:
                raise ValueError("variants needs at least one named variant")
            return self
        if self.path is None:
            raise ValueError("a factor needs 'path' (a dotted scenario field) or 'variants'")
        if (self.levels is None) == (self.range is None):
            raise ValueError("a factor needs exactly one of 'levels' or 'range'")
        if self.levels is not None and len({_kind(v) for v in self.levels}) > 1:
            raise ValueError("levels must all be numbers, all text or all true/false, not a mix")
        if self.levels is not None and len(set(map(repr, self.levels))) < len(self.levels):
            raise ValueError("levels must not repeat")
        return self

    @property
    def label(self) -> str:
        return self.name or self.path

    @property
    def categorical(self) -> bool:
        return self.variants is not None or (self.levels is not None
                                             and any(isinstance(v, str) for v in self.levels))

    def grid(self) -> list[Value]:
        """Levels of a full factorial design."""
        if self.variants is not None:
            return list(self.variants)
        if self.levels is not None:
            return list(self.levels)
        if self.range.steps is None:
            raise ValueError("a range in a factorial design needs 'steps'")
        return [self.range.at(u) for u in np.linspace(0.0, 1.0, self.range.steps)]

    def at(self, u: float) -> Value:
        """The level at quantile ``u`` in [0, 1), for sampling designs."""
        if self.range is not None:
            return self.range.at(u)
        options = self.grid()
        return options[min(int(u * len(options)), len(options) - 1)]

    def overrides(self, value: Value) -> dict[str, Setting]:
        return dict(self.variants[value]) if self.variants is not None else {self.path: value}


class Design(Strict):
    type: Literal["factorial", "latin_hypercube", "sobol", "monte_carlo"] = "factorial"
    samples: Annotated[int, Field(ge=1, le=100_000)] | None = None

    @model_validator(mode="after")
    def _samples(self) -> Design:
        if self.type != "factorial" and self.samples is None:
            raise ValueError(f"a {self.type} design needs 'samples'")
        return self


class Comparison(Strict):
    """What the report's heat map compares: where the micro brand beats the macro brand."""

    micro: Name
    macro: Name
    metric: Name = "cac_paid"
    better: Literal["lower", "higher"] = "lower"


class ExperimentSpec(Strict):
    name: Name
    description: Text = ""
    question: Text = ""
    scenario: FileName
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = 0
    replications: Annotated[int, Field(ge=1, le=10_000)] = 5
    horizon: Positive | None = None
    overrides: dict[str, Setting] = {}
    lift: bool = False
    design: Design = Design()
    factors: Annotated[list[Factor], Field(min_length=1)]
    metrics: Annotated[list[Name], Field(max_length=100)] = ["customer", "adopters", "share", "spend"]
    bundle: Annotated[int, Field(ge=1, le=10_000)] | None = None
    compare: Comparison | None = None


@dataclass(frozen=True)
class Run:
    """One simulation of an experiment: a point of the design and a replication."""

    run: int
    point: int
    replication: int
    seed: int
    factors: dict[str, Value]
    overrides: dict[str, Setting]


@dataclass
class Experiment:
    spec: ExperimentSpec
    source: Path
    text: str  # the file as it was read, stored beside the results
    base: dict  # the base scenario as read from its file
    inputs: dict[str, Path]  # every file the runs read (base scenario, edge lists), to snapshot and hash
    base_dir: Path
    points: list[dict[str, Value]]
    largest_run_bytes: int = 0  # the memory estimate of the design's biggest run

    @property
    def factor_names(self) -> list[str]:
        return [f.label for f in self.spec.factors]

    def overrides(self, point: dict[str, Value]) -> dict[str, Setting]:
        out = dict(self.spec.overrides)
        if self.spec.horizon is not None:
            out["time.horizon"] = self.spec.horizon
        for f in self.spec.factors:
            out.update(f.overrides(point[f.label]))
        return out

    def runs(self) -> list[Run]:
        out = []
        for p, point in enumerate(self.points):
            for r in range(self.spec.replications):
                seq = np.random.SeedSequence(self.spec.seed, spawn_key=(p, r))
                seed = int(seq.generate_state(1, np.uint64)[0])
                out.append(Run(len(out), p, r, seed, point, self.overrides(point)))
        return out

    def lift(self, run: Run) -> bool | frozenset[str]:
        """Which brands the run also simulates without their campaigns: every advertiser or none, as the file says."""
        return self.spec.lift

    def scenario(self, overrides: dict[str, Setting]):
        return scenario_from_dict(copy.deepcopy(self.base), str(self.spec.scenario), self.base_dir, overrides)


def design_size(spec: ExperimentSpec) -> int:
    """How many points the design has, without making them."""
    if spec.design.type != "factorial":
        return spec.design.samples
    return math.prod(len(f.variants) if f.variants is not None else len(f.levels) if f.levels is not None
                     else f.range.steps or 1 for f in spec.factors)


def design_points(spec: ExperimentSpec) -> list[dict[str, Value]]:
    factors, design = spec.factors, spec.design
    if design.type == "factorial":
        grids = [f.grid() for f in factors]
        return [dict(zip([f.label for f in factors], combo)) for combo in itertools.product(*grids)]
    d = len(factors)
    if design.type == "latin_hypercube":
        u = scipy.stats.qmc.LatinHypercube(d=d, rng=np.random.default_rng(spec.seed)).random(design.samples)
    elif design.type == "sobol":
        u = scipy.stats.qmc.Sobol(d=d, scramble=True, rng=np.random.default_rng(spec.seed)).random(design.samples)
    else:
        u = np.random.default_rng(spec.seed).random((design.samples, d))
    return [{f.label: f.at(float(u[i, k])) for k, f in enumerate(factors)} for i in range(design.samples)]


def scenario_paths(node: Any, prefix: str = "") -> list[str]:
    """Every dotted path a factor may set (a value, or a whole table), with list items named by their 'name'."""
    if isinstance(node, dict):
        out = [prefix] if prefix else []
        for key, value in node.items():
            out += scenario_paths(value, f"{prefix}.{key}" if prefix else key)
        return out
    if isinstance(node, list) and node and all(isinstance(x, dict) and "name" in x for x in node):
        return [p for x in node for p in scenario_paths(x, f"{prefix}.{x['name']}")]
    return [prefix]


def _check_path(path: str, valid: list[str], where: str) -> list[tuple[str, str]]:
    if path in valid:
        return []
    top = path.split(".")[0]
    related = [p for p in valid if p.split(".")[0] == top] or valid
    close = difflib.get_close_matches(path, valid, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return [(where, f"'{path}' is not a scenario field{hint} Fields here: {', '.join(related)}")]


def summary_metric_names(base: dict, base_dir: Path) -> list[str] | None:
    """The per-brand metric names a run's summary has, from a one-step run of a small copy of the
    base scenario (None if that cannot run: the check is then left to the report). The copy keeps
    room for the base's events and seeding, which may not exceed the market."""
    from .runner import run

    raw = copy.deepcopy(base)
    counts = [c.get(k) for c in raw.get("campaigns", []) if isinstance(c, dict) for k in ("reach", "seeds")]
    raw.setdefault("population", {})["size"] = max([PROBE_CONSUMERS, *(n for n in counts if isinstance(n, int))])
    raw.setdefault("time", {})["horizon"] = raw["time"].get("dt", 1.0)
    try:
        result = run(scenario_from_dict(raw, "<probe>", base_dir), seed=0)
    except Exception:  # noqa: BLE001 - a probe only; real runs report their own errors
        return None
    return sorted(next(iter(result.summary["brands"].values())))


def input_files(spec: ExperimentSpec, scenario_file: Path, base: dict) -> dict[str, Path]:
    """Files the runs read: the base scenario and every edge list the base or a factor names."""
    files = {"scenario": scenario_file}
    paths = [base.get("network", {}).get("path")] + [spec.overrides.get("network.path")]
    for f in spec.factors:
        if f.path == "network.path":
            paths += f.levels or []
        paths += [sets.get("network.path") for sets in (f.variants or {}).values()]
    for p in paths:
        if isinstance(p, str):
            resolved = (scenario_file.parent / p).resolve()
            files[f"edge list {p}"] = resolved
    return files


def fingerprint(experiment: Experiment) -> dict[str, str]:
    """Content hashes of everything a sweep's results depend on, and the simulator's version."""
    from importlib import metadata

    out = {"marketsim": metadata.version("marketsim"),
           "experiment": hashlib.sha256(experiment.text.encode("utf-8")).hexdigest()}
    for label, path in experiment.inputs.items():
        try:
            out[label] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            out[label] = "unreadable"
    return out


def load_experiment(path: str | Path, progress: Callable[[int, int], None] | None = None) -> Experiment:
    """Read and validate an experiment file and every scenario its design makes.

    ``progress(done, total)`` is called while the design's points are checked."""
    path = Path(path)
    source = str(path)
    text, raw = read_toml(path)
    try:
        spec = ExperimentSpec.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(source, validation_problems(raw, exc)) from None

    scenario_file = (path.parent / spec.scenario).resolve()
    try:
        _, base = read_toml(scenario_file)
        base_scenario = scenario_from_dict(copy.deepcopy(base), str(scenario_file), scenario_file.parent)
    except ScenarioError as exc:  # the experiment's field, then what is wrong with the file it names
        raise ScenarioError(source, [("scenario", f"{exc.source}: {k}: {m}" if k else f"{exc.source}: {m}")
                                     for k, m in exc.problems]) from None
    valid = scenario_paths(base_scenario.model_dump(by_alias=True))

    problems: list[tuple[str, str]] = []
    for key in spec.overrides:
        problems += _check_path(key, valid, f"overrides.{key}")
    for i, f in enumerate(spec.factors):
        where = f"factors[{f.label}]"
        if f.path is not None:
            problems += _check_path(f.path, valid, f"{where}.path")
            if f.range is not None and f.range.steps is None and spec.design.type == "factorial":
                problems.append((f"{where}.range", "a factorial design needs 'steps' in each range"))
        for variant, sets in (f.variants or {}).items():
            for key in sets:
                problems += _check_path(key, valid, f"{where}.variants.{variant}")
    labels = [f.label for f in spec.factors]
    if len(set(labels)) != len(labels):
        problems.append(("factors", "factor names (or paths) must be unique"))
    brands = [b.name for b in base_scenario.brands]
    for label in labels:
        if label in RESERVED_COLUMNS:
            problems.append((f"factors[{label}]", f"'{label}' is a column of runs.parquet; name the factor "
                             f"otherwise (reserved: {', '.join(RESERVED_COLUMNS)})"))
        clash = next((b for b in brands if label.startswith(f"{b}.")), None)
        if clash is not None:
            problems.append((f"factors[{label}]", f"collides with brand '{clash}''s summary columns "
                             f"({clash}.<metric>); give the factor a 'name' or rename the brand"))
    if len(set(spec.metrics)) != len(spec.metrics):
        problems.append(("metrics", "metrics must not repeat"))
    points = design_size(spec)
    if points > MAX_POINTS or points * spec.replications > MAX_RUNS:
        problems.append(("design", f"{points:,} points x {spec.replications} replications is too many; at most "
                         f"{MAX_POINTS:,} points and {MAX_RUNS:,} runs"))
    for m in spec.metrics:
        if m not in TIMESERIES_METRICS:
            problems.append(("metrics", f"'{m}' is not a time-series column; allowed: {', '.join(TIMESERIES_METRICS)}"))
    if spec.compare is not None:
        for role in ("micro", "macro"):
            if getattr(spec.compare, role) not in brands:
                problems.append((f"compare.{role}", f"'{getattr(spec.compare, role)}' is not a brand; allowed: "
                                 f"{', '.join(brands)}"))
        if spec.compare.micro == spec.compare.macro:
            problems.append(("compare", "micro and macro must be two different brands"))
        metrics = summary_metric_names(base, scenario_file.parent)
        if metrics is not None and spec.compare.metric not in metrics:
            problems.append(("compare.metric", f"'{spec.compare.metric}' is not a run metric; allowed: "
                             f"{', '.join(metrics)}"))
    if problems:
        raise ScenarioError(source, problems)

    experiment = Experiment(spec=spec, source=path, text=text, base=base, inputs=input_files(spec, scenario_file, base),
                            base_dir=scenario_file.parent, points=design_points(spec))
    check_points(experiment, source, progress)
    return experiment


def check_points(experiment: Experiment, source: str, progress: Callable[[int, int], None] | None = None) -> None:
    """Validate every point's scenario before anything runs (a run must not fail on its input), and
    keep the memory estimate of the largest."""
    for p, point in enumerate(experiment.points):
        try:
            sc = experiment.scenario(experiment.overrides(point))
        except ScenarioError as exc:
            detail = "; ".join(f"{k}: {m}" if k else m for k, m in exc.problems)
            raise ScenarioError(source, [(f"point {p} {point}", detail)]) from None
        experiment.largest_run_bytes = max(experiment.largest_run_bytes, run_bytes(sc))
        if progress is not None:
            progress(p + 1, len(experiment.points))
