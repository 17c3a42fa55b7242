"""Hostile input: the ready scenarios and experiments, mutated (wrong types, infinities, NaN, huge and
negative values, unknown names, deep nesting, markup and control characters), give either exit code 2
with a message naming the file and field, no traceback and nothing written, or a run that keeps
every invariant. New fields inherit this through the types in marketsim/scenario/schema.py, so it covers them."""

import copy
import os
import math
import re
import tomllib
from pathlib import Path

import pytest
import tomli_w
from helpers import fuzz_settings, mutate, value_paths
from hypothesis import event, given
from hypothesis import strategies as st
from test_invariants import assert_invariants
from typer.testing import CliRunner

import marketsim
from marketsim.cli import app
from marketsim.scenario.loading import load_scenario
from marketsim.scenario.schema import ScenarioError
from marketsim.studies.experiment import load_experiment

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {p.name: tomllib.loads(p.read_text()) for p in sorted((ROOT / "scenarios").glob("*.toml"))}
EXPERIMENTS = {p.name: tomllib.loads(p.read_text()) for p in sorted((ROOT / "experiments").glob("*.toml"))}
LONG = "x" * 300
NEVER_ECHOED = ["a\x1b[31mb\nc", LONG]  # control characters and long text are escaped or cut
MARKUP = ["[/bold]", "[red]x[/]"]  # printed as plain text, never read as Rich markup


def nested(depth: int):
    node: object = 1
    for _ in range(depth):
        node = {"a": node}
    return node


hostile = st.one_of(
    st.sampled_from([math.inf, -math.inf, math.nan, 1e20, 1e300, 1e12, 1000, 1e-300, -1, -1e9, 0, 0.5, 10**30, 2**64,
                     True, False,
                     "365", "", "..", [], {}, [1, "a"], *NEVER_ECHOED, *MARKUP]),
    st.builds(nested, st.sampled_from([3, 30])),
    st.floats(), st.integers(-10**20, 10**20), st.text(max_size=10),
)


@st.composite
def mutated(draw, ready: dict):
    name = draw(st.sampled_from(sorted(ready)))
    raw = copy.deepcopy(ready[name])
    for _ in range(draw(st.integers(1, 3))):
        candidates = list(value_paths(raw))
        if not candidates:
            break
        # a copy of the value: the same list or table drawn again must not carry an earlier mutation
        mutate(raw, draw(st.sampled_from(candidates)), draw(st.sampled_from(["replace", "replace", "delete",
                                                                             "unknown", "wrap"])),
               copy.deepcopy(draw(hostile)))
    return name, raw


def small(raw: dict) -> dict:
    """A quick version of a scenario: few consumers, few steps (unless a mutation broke those tables)."""
    raw = copy.deepcopy(raw)
    if isinstance(raw.get("population"), dict):
        raw["population"]["size"] = 200
    for campaign in raw.get("campaigns") if isinstance(raw.get("campaigns"), list) else []:
        for field in ("reach", "seeds"):  # an event or seeding bigger than the market is refused
            if isinstance(campaign, dict) and isinstance(campaign.get(field), int) and campaign[field] > 20:
                campaign[field] = 20
    time = raw.get("time")
    dt = time.get("dt", 1.0) if isinstance(time, dict) else None
    if isinstance(dt, (int, float)) and not isinstance(dt, bool):
        time["horizon"] = 8 * dt
    return raw


def assert_clean_failure(result, source: Path, folder: Path, before: set) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)  # not a crash
    assert "Traceback" not in result.stderr
    assert f"{source}: " in result.stderr  # the file, then the field or what is wrong
    for text in NEVER_ECHOED:
        assert text not in result.stderr
    assert set(folder.rglob("*")) == before, "nothing written"


@fuzz_settings(120)
@given(case=mutated(SCENARIOS), run_it=st.integers(0, 9))
def test_mutated_ready_scenarios_fail_cleanly_or_run_correctly(case, run_it, tmp_path_factory):
    name, raw = case
    folder = tmp_path_factory.mktemp("fuzz")
    source = folder / name
    try:
        source.write_text(tomli_w.dumps(small(raw)))
    except (TypeError, ValueError):  # TOML cannot hold this value (such as a mixed array in old tomli-w)
        event("not writable as TOML")
        return
    before = set(folder.rglob("*"))
    result = CliRunner().invoke(app, ["validate", str(source)])
    event(f"exit {result.exit_code}")
    if result.exit_code != 0:
        assert_clean_failure(result, source, folder, before)
        return
    assert result.exception is None and "valid" in result.stdout
    if run_it == 0:  # a tenth of the valid ones also run, and must keep every invariant
        event("ran")
        sc = load_scenario(source)
        assert_invariants(sc, marketsim.run(sc, seed=1))


@fuzz_settings(40)
@given(case=mutated(EXPERIMENTS))
def test_mutated_ready_experiments_fail_cleanly(case, tmp_path_factory):
    name, raw = case
    folder = tmp_path_factory.mktemp("fuzz")
    if isinstance(raw.get("scenario"), str):  # the experiment's own scenario, wherever the copy lies
        # a path joined as text, not resolved: a mutated one (a NUL byte) must reach the loader, which refuses it
        raw["scenario"] = os.path.normpath(ROOT / "experiments" / raw["scenario"])
    source = folder / name
    try:
        source.write_text(tomli_w.dumps(raw))
    except (TypeError, ValueError):
        event("not writable as TOML")
        return
    try:
        load_experiment(source)
        event("valid")
    except ScenarioError:
        event("invalid")
        before = set(folder.rglob("*"))
        result = CliRunner().invoke(app, ["sweep", str(source), "--out", str(folder / "out"), "--quiet"])
        assert_clean_failure(result, source, folder, before)


@pytest.mark.parametrize("args, message", [
    (["validate", "{dir}/x[/bold].toml"], "file not found"),
    (["run", "{dir}/s.toml", "--seed", "-1"], "--seed': Input should be greater than or equal to 0"),
    (["run", "{dir}/s.toml", "--out", "{dir}/s.toml"], "is a file, not a folder"),
    (["run", "{dir}/s.toml", "--out", "{dir}/s.toml/below"], "is a file, so"),
    (["run", "{dir}/s.toml", "--format", "xls"], "--format is parquet or csv"),
    (["validate", "{dir}/s.toml", "--set", "time.horizon=inf"], "time.horizon: Input should be a finite number"),
    (["validate", "{dir}/s.toml", "--set", "time.horizon=2.5"], "must be a whole number of steps"),
    (["validate", "{dir}/s.toml", "--set", 'time.horizon="365"'], "time.horizon: Input should be a valid number"),
    (["validate", "{dir}/s.toml", "--set", "brands.Spark.budget=true"], "budget: Input should be a valid number"),
    (["validate", "{dir}/s.toml", "--set", "network.mean_degree=1e9"], "network.mean_degree: Input should be less"),
    (["validate", "{dir}/s.toml", "--set", "brands.Spark.purchase_rate=1e20"], "purchase_rate: Input should be less"),
    (["validate", "{dir}/s.toml", "--set", "brands.Spark.price=inf"], "price: Input should be a finite number"),
    (["validate", "{dir}/s.toml", "--set", "campaigns.spark_social.audience.min=nan"], "finite number"),
    (["validate", "{dir}/s.toml", "--set", "campaigns.mass_tv.reach=5"], "reach do(es) not apply to a 'ads' campaign"),
    (["validate", "{dir}/s.toml", "--set", "population.size=50000000", "--set", "network.mean_degree=1000"],
     "too big for this machine"),
    (["validate", "{dir}/s.toml", "--set", f"name=\"{LONG}\""], "(302 characters)"),
])
def test_command_line_mistakes_exit_2_without_traceback(tmp_path, args, message):
    (tmp_path / "s.toml").write_text((ROOT / "scenarios" / "baseline.toml").read_text())
    before = set(tmp_path.rglob("*"))
    result = CliRunner().invoke(app, [a.format(dir=tmp_path) for a in args])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (result.stderr, result.exception)
    assert message in " ".join(result.stderr.split()), result.stderr
    assert LONG not in result.stderr
    assert set(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("content, message", [
    ("a = " + "[\n" * 1000 + "]\n" * 1000, "nested more than"),
    ("[a]\n" + "b = {" * 30 + "}" * 30, "nested more than"),
    ("x." * 100_000 + "y = 1", "line 1: longer than 4,000 characters"),
    ("x." * 1_900 + "y = 1", "nested more than"),
    ("a = 1\n" + "#" * 1_100_000, "larger than 1,000,000 bytes"),
])
def test_hostile_files_are_refused_up_front(tmp_path, content, message):
    path = tmp_path / "s.toml"
    path.write_text(content)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_dev_zero_is_refused():
    result = CliRunner().invoke(app, ["validate", "/dev/zero"])
    assert result.exit_code == 2 and "larger than" in result.stderr


def test_a_scenario_too_big_for_the_machine_is_named(tmp_path):
    """Found by the fuzz test: the memory refusal did not say which file."""
    path = tmp_path / "s.toml"
    path.write_text((ROOT / "scenarios" / "baseline.toml").read_text())
    result = CliRunner().invoke(app, ["validate", str(path), "--set", "time.dt=38465", "--set", "time.horizon=38465"])
    assert result.exit_code == 2 and "too big for this machine" in result.stderr
    assert f"{path}: " in " ".join(result.stderr.split())


# Inputs beside the scenario: pilots (calibrate), strategies files (assess), distributions, and the
# scenario an experiment names. Each is mutated; a rejection must be clean and name the file.
UNCERTAIN = copy.deepcopy(SCENARIOS["baseline.toml"])
UNCERTAIN["word_of_mouth"]["strength"] = {"dist": "uniform", "low": 0.05, "high": 0.3}
PILOT = [{"time": "30", "new_adopters": "40", "brand": "Spark", "segment": "young_active"},
         {"time": "60", "new_adopters": "55", "brand": "Spark", "segment": ""}]
STRATEGIES = {"strategies": [{"name": "micro", "brand": "Spark", "set": {"campaigns.spark_social.budget": 5000}},
                             {"name": "macro", "brand": "Mass"}]}
hostile_cell = st.one_of(st.sampled_from(["", "-1", "1e400", "nan", "inf", "2.5", "0", "99999999999", "Spark",
                                          "young_active", "all", *NEVER_ECHOED, *MARKUP]),
                         st.integers(-10**12, 10**12).map(str), st.text(max_size=8))


def sized(raw: dict) -> dict:
    """small(), with a market large enough for the ready scenarios' events and seeding (1,500 at most):
    only validated here, never run."""
    raw = small(raw)
    if isinstance(raw.get("population"), dict):
        raw["population"]["size"] = 2000
    return raw


def write_uncertain(folder: Path) -> Path:
    path = folder / "s.toml"
    path.write_text(tomli_w.dumps(sized(UNCERTAIN)))
    return path


@fuzz_settings(60)
@given(edits=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["time", "new_adopters", "brand", "segment",
                                                                    "extra"]), hostile_cell), min_size=1, max_size=3),
       drop=st.sets(st.sampled_from(["time", "new_adopters", "brand", "segment"]), max_size=1))
def test_mutated_pilots_fail_cleanly(edits, drop, tmp_path_factory):
    import csv

    from marketsim.studies.pilot import read_pilot

    folder = tmp_path_factory.mktemp("fuzz")
    scenario = write_uncertain(folder)
    rows = copy.deepcopy(PILOT) + [{}]
    for row, column, value in edits:
        rows[row][column] = value
    columns = [c for c in dict.fromkeys(k for r in rows for k in r) if c not in drop]
    pilot = folder / "pilot.csv"
    with open(pilot, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(r for r in rows if r)
    try:
        read_pilot(pilot, load_scenario(scenario))
        event("valid")
        return
    except ScenarioError:
        event("invalid")
    before = set(folder.rglob("*"))
    result = CliRunner().invoke(app, ["calibrate", str(scenario), str(pilot), "--out", str(folder / "out"), "--quiet"])
    assert_clean_failure(result, pilot, folder, before)


@fuzz_settings(40)
@given(case=mutated({"strategies.toml": STRATEGIES}))
def test_mutated_strategies_files_fail_cleanly(case, tmp_path_factory):
    from marketsim.studies.assess import load_strategies, plan_assessment

    _, raw = case
    folder = tmp_path_factory.mktemp("fuzz")
    scenario = write_uncertain(folder)
    source = folder / "strategies.toml"
    try:
        source.write_text(tomli_w.dumps(raw))
    except (TypeError, ValueError):
        event("not writable as TOML")
        return
    try:
        plan_assessment(scenario, 2, 0, load_strategies(source), str(source))
        event("valid")
        return
    except ScenarioError:
        event("invalid")
    before = set(folder.rglob("*"))
    result = CliRunner().invoke(app, ["assess", str(scenario), "--runs", "2", "--strategies", str(source),
                                      "--out", str(folder / "out"), "--quiet"])
    assert_clean_failure(result, source, folder, before)


distribution = st.fixed_dictionaries({"dist": st.one_of(st.sampled_from(["uniform", "loguniform", "triangular",
                                                                         "normal"]), hostile)},
                                     optional={k: hostile for k in ("low", "high", "mode", "mean", "sd")})


@fuzz_settings(80)
@given(case=mutated(SCENARIOS), table=distribution, data=st.data())
def test_mutated_distributions_fail_cleanly_or_validate(case, table, data, tmp_path_factory):
    name, raw = case
    numbers = [p for p in value_paths(raw) if isinstance(_at(raw, p), (int, float)) and not isinstance(_at(raw, p),
                                                                                                        bool)]
    if numbers:
        mutate(raw, data.draw(st.sampled_from(numbers)), "replace", table)
    folder = tmp_path_factory.mktemp("fuzz")
    source = folder / name
    try:
        source.write_text(tomli_w.dumps(sized(raw)))
    except (TypeError, ValueError):
        event("not writable as TOML")
        return
    before = set(folder.rglob("*"))
    result = CliRunner().invoke(app, ["validate", str(source)])
    event(f"exit {result.exit_code}")
    if result.exit_code != 0:
        assert_clean_failure(result, source, folder, before)


def _at(raw, path):
    for key in path:
        raw = raw[key]
    return raw


@fuzz_settings(30)
@given(case=mutated(SCENARIOS))
def test_an_experiment_naming_a_broken_scenario_fails_cleanly(case, tmp_path_factory):
    name, raw = case
    folder = tmp_path_factory.mktemp("fuzz")
    try:
        (folder / name).write_text(tomli_w.dumps(sized(raw)))
    except (TypeError, ValueError):
        event("not writable as TOML")
        return
    experiment = folder / "e.toml"
    experiment.write_text(tomli_w.dumps({"name": "e", "scenario": name, "replications": 1,
                                         "factors": [{"path": "time.horizon", "levels": [4, 8]}]}))
    try:
        load_experiment(experiment)
        event("valid")
        return
    except ScenarioError:
        event("invalid")
    before = set(folder.rglob("*"))
    result = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(folder / "out"), "--quiet"])
    assert_clean_failure(result, experiment, folder, before)


@pytest.mark.parametrize("field", ["scenario", "network"])
def test_a_file_name_with_a_nul_byte_is_refused_cleanly(field, tmp_path):
    """Found by the fuzz test above: a NUL in a file name crashed path resolution with a traceback; it is
    refused as the field's error, for an experiment's scenario and an edge-list network's path."""
    if field == "scenario":
        raw = copy.deepcopy(EXPERIMENTS["break_even.toml"]) | {"scenario": "scen\0ario.toml"}
        path, load, where = tmp_path / "e.toml", load_experiment, "scenario"
    else:
        raw = copy.deepcopy(SCENARIOS["baseline.toml"]) | {"network": {"type": "file", "path": "edges\0.csv"}}
        path, load, where = tmp_path / "s.toml", marketsim.load_scenario, "network.path"
    path.write_text(tomli_w.dumps(raw))
    with pytest.raises(ScenarioError, match=rf"{re.escape(where)}: a file name cannot hold a NUL character"):
        load(path)
