"""Results never silently wrong: exact seeds, one version of the inputs per table, names that cannot
overwrite columns, a run's files as one set with ordinary modes."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest
from typer.testing import CliRunner

from marketsim.cli import app
from marketsim.scenario.schema import ScenarioError
from marketsim.studies.experiment import load_experiment
from marketsim.studies.sweep import run_sweep

BASELINE = (Path(__file__).parent.parent / "scenarios" / "baseline.toml").resolve()

SMALL = """
name = "small"
scenario = "{scenario}"
seed = 7
replications = 2
horizon = 10
bundle = 1
overrides = {{ "population.size" = 300, "campaigns.spark_event.reach" = 300 }}
metrics = ["customer"]

[[factors]]
path = "campaigns.spark_social.precision"
levels = [0.4]
"""


def marketsim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "marketsim", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_stored_seeds_are_exact_and_replay_the_run(tmp_path):
    exp = load_experiment(write(tmp_path / "e.toml", SMALL.format(scenario=BASELINE)))
    run_sweep(exp, tmp_path / "out", workers=1)
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert runs.seed.dtype == "uint64"
    assert [int(s) for s in runs.seed] == [r.seed for r in exp.runs()]
    assert max(r.seed for r in exp.runs()) > 2**53  # a float64 column would have rounded it
    row = runs.iloc[1]
    sets = [a for key, value in exp.runs()[1].overrides.items() for a in ("--set", f"{key}={json.dumps(value)}")]
    done = CliRunner().invoke(app, ["run", str(BASELINE), "--seed", str(int(row.seed)), *sets, "--out",
                                    str(tmp_path / "one"), "--quiet"])
    assert done.exit_code == 0, done.stderr
    summary = json.loads((tmp_path / "one" / "summary.json").read_text())
    assert summary["seed"] == int(row.seed)
    for brand, metrics in summary["brands"].items():
        for metric in ("customers", "adopters", "reach", "impressions", "spend"):
            assert metrics[metric] == pytest.approx(row[f"{brand}.{metric}"], rel=1e-12), (brand, metric)


def test_resume_refuses_a_changed_base_scenario(tmp_path):
    scenario = write(tmp_path / "base.toml", BASELINE.read_text())
    path = write(tmp_path / "e.toml", SMALL.format(scenario="base.toml"))
    run_sweep(load_experiment(path), tmp_path / "out", workers=1)
    assert (tmp_path / "out" / "inputs" / "scenario.toml").read_text() == scenario.read_text()
    manifest = json.loads((tmp_path / "out" / "inputs.json").read_text())
    assert {"marketsim", "experiment", "scenario"} <= set(manifest)

    write(scenario, scenario.read_text().replace("precision = 0.85", "precision = 0.8"))
    before = sorted(p.name for p in (tmp_path / "out").rglob("*"))
    with pytest.raises(ValueError, match="changed since they were made: scenario .*To start afresh, delete"):
        run_sweep(load_experiment(path), tmp_path / "out", workers=1)
    assert sorted(p.name for p in (tmp_path / "out").rglob("*")) == before
    done = marketsim("sweep", path, "--out", tmp_path / "out", "--quiet")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "start afresh" in done.stderr


@pytest.mark.parametrize("factor, message", [
    ('name = "seed"\nvariants = { a = { "loyalty.churn" = 0.01 } }', "'seed' is a column of runs.parquet"),
    ('name = "status"\nvariants = { a = { "loyalty.churn" = 0.01 } }', "'status' is a column of runs.parquet"),
    ('path = "loyalty.churn"\nlevels = [0.1, "x"]', "levels must all be numbers, all text"),
    ('path = "loyalty.churn"\nlevels = [0.1, 0.1]', "levels must not repeat"),
])
def test_factor_names_and_levels_that_would_corrupt_the_table_are_rejected(tmp_path, factor, message):
    text = SMALL.format(scenario=BASELINE).replace('path = "campaigns.spark_social.precision"\nlevels = [0.4]', factor)
    with pytest.raises(ScenarioError, match=message):
        load_experiment(write(tmp_path / "e.toml", text))


def test_a_factor_path_cannot_collide_with_a_brands_columns(tmp_path):
    scenario = BASELINE.read_text().replace('"Spark"', '"loyalty"')
    write(tmp_path / "base.toml", scenario)
    text = SMALL.format(scenario="base.toml").replace(
        'path = "campaigns.spark_social.precision"\nlevels = [0.4]', 'path = "loyalty.churn"\nlevels = [0.1]')
    with pytest.raises(ScenarioError, match="collides with brand 'loyalty'"):
        load_experiment(write(tmp_path / "e.toml", text))


def test_experiment_checks_metrics_and_compare(tmp_path):
    text = SMALL.format(scenario=BASELINE).replace('metrics = ["customer"]', 'metrics = ["customer", "customer"]')
    with pytest.raises(ScenarioError, match="metrics must not repeat"):
        load_experiment(write(tmp_path / "e.toml", text))
    text = SMALL.format(scenario=BASELINE) + '\n[compare]\nmicro = "Spark"\nmacro = "Mass"\nmetric = "cacc"\n'
    with pytest.raises(ScenarioError, match="compare.metric: 'cacc' is not a run metric"):
        load_experiment(write(tmp_path / "e.toml", text))
    text = SMALL.format(scenario=BASELINE).replace('name = "small"', 'name = ".."')
    with pytest.raises(ScenarioError, match="name: String should match pattern"):
        load_experiment(write(tmp_path / "e.toml", text))


def test_a_runs_files_are_one_set_with_ordinary_modes(tmp_path):
    out = tmp_path / "out"
    (tmp_path / "out").mkdir()
    (out / "notes.txt").write_text("mine")
    old = os.umask(0o022)
    try:
        first = CliRunner().invoke(app, ["run", str(BASELINE), "--seed", "1", "--set", "population.size=300", "--set",
                                         "campaigns.spark_event.reach=300", "--set", "time.horizon=5", "--out", str(out), "--plot", "--quiet"])
        assert first.exit_code == 0, first.stderr
        assert {p.name for p in out.iterdir()} == {"notes.txt", "run.png", "summary.json", "timeseries.parquet",
                                               "buying.parquet", "duplication.parquet"}
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in out.iterdir())
        assert json.loads((out / "summary.json").read_text())["seed"] == 1  # the files are this run's
        assert pd.read_parquet(out / "timeseries.parquet").step.max() == 5
        height, width, _ = matplotlib.image.imread(out / "run.png").shape
        assert height > 100 and width > 100
        assert (out / "notes.txt").read_text() == "mine"  # not the run's: left alone
        second = CliRunner().invoke(app, ["run", str(BASELINE), "--seed", "2", "--set", "population.size=300",
                                          "--set", "campaigns.spark_event.reach=300", "--set", "time.horizon=5", "--out", str(out), "--format", "csv", "--quiet"])
    finally:
        os.umask(old)
    assert second.exit_code == 0, second.stderr
    assert {p.name for p in out.iterdir()} == {"notes.txt", "summary.json", "timeseries.csv", "buying.csv",
                                               "duplication.csv"}  # no stale files
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert pd.read_csv(out / "timeseries.csv").step.max() == 5


def test_conditions_must_have_unique_names(tmp_path):
    text = BASELINE.read_text() + '\n[[conditions]]\nname = "rain"\nregion = "city"\nprobability = 0.1\n' * 2
    done = marketsim("validate", write(tmp_path / "s.toml", text))
    assert done.returncode == 2 and "conditions: names must be unique; repeated: rain" in done.stderr
