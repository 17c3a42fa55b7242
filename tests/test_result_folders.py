"""Damaged results folders: every command that reads one exits 2 with a message naming the file and
column, writes nothing, and never shows a traceback; a folder that is still valid is reported on."""

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w
from helpers import BASE, fuzz_settings, read_only
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from marketsim.cli import app
from marketsim.studies.experiment import load_experiment
from marketsim.studies.results import BRAND_METRICS, read_results
from marketsim.studies.runner import run
from marketsim.studies.sweep import run_sweep

BASELINE = (Path(__file__).parent.parent / "scenarios" / "baseline.toml").resolve()
FACTORIAL = f"""
name = "folders"
scenario = "{BASELINE}"
seed = 3
replications = 2
horizon = 15
overrides = {{ "population.size" = 500 }}
metrics = ["customer", "adopters", "share", "loyalty", "spend"]

[[factors]]
name = "strategy"
variants = {{ micro = {{ "campaigns.mass_tv.budget" = 0 }}, macro = {{ "campaigns.spark_social.budget" = 0 }} }}
"""
LHS = f"""
name = "folders_lhs"
scenario = "{BASELINE}"
seed = 2
replications = 1
horizon = 15
overrides = {{ "population.size" = 500 }}
metrics = ["customer", "adopters", "share"]
[design]
type = "latin_hypercube"
samples = 6
[[factors]]
path = "word_of_mouth.strength"
range = {{ min = 0.01, max = 0.2 }}
"""


def sweep(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "e.toml").write_text(text)
    with ThreadPoolExecutor(1) as pool:  # in this process: no worker start-up
        run_sweep(load_experiment(folder / "e.toml"), folder / "out", executor=pool)
    return folder / "out"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweeps")
    return {"factorial": sweep(root / "factorial", FACTORIAL), "lhs": sweep(root / "lhs", LHS)}


@pytest.fixture
def folder(made, tmp_path):
    return shutil.copytree(made["factorial"], tmp_path / "out")


@pytest.fixture
def lhs(made, tmp_path):
    return shutil.copytree(made["lhs"], tmp_path / "out")


def files(folder: Path) -> dict:
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


def refused(folder: Path, *names: str) -> str:
    """Report on ``folder``: exit 2, no traceback, nothing written; the message names each of ``names``."""
    before = files(folder)
    done = CliRunner().invoke(app, ["report", str(folder)])
    assert done.exit_code == 2, done.output
    assert isinstance(done.exception, SystemExit) and "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())
    for name in names:
        assert name in message, (name, message)
    assert files(folder) == before
    return message


def change(folder: Path, name: str, how) -> None:
    table = pd.read_parquet(folder / name)
    table = how(table)
    table.to_parquet(folder / name, index=False)


def test_the_reader_knows_every_summary_metric():
    """BRAND_METRICS must follow the summary: a new metric would otherwise be refused as unknown."""
    summary = run(BASELINE.as_posix(), seed=1).summary["brands"]
    scalar = {k for k, v in next(iter(summary.values())).items() if not isinstance(v, (dict, list))}
    assert scalar == set(BRAND_METRICS)


def test_valid_folders_are_read_and_reported(made):
    for out in made.values():
        results = read_results(out)
        assert results.runs.run.tolist() == list(range(len(results.runs)))
    done = CliRunner().invoke(app, ["report", str(made["lhs"])])
    assert done.exit_code == 0, done.output


def test_1_no_rows_for_the_whole_market(folder):
    change(folder, "timeseries.parquet", lambda t: t[t.segment != "all"])
    refused(folder, "timeseries.parquet: segment:", "no rows for the whole market")


def test_2_a_column_of_a_brand_not_in_the_experiment(folder):
    change(folder, "runs.parquet", lambda t: t.assign(**{"Ghost.cac_paid": 1.0}))
    refused(folder, "runs.parquet: unknown column: Ghost.cac_paid", "brands (Spark, Mass)")


def test_3_no_segment_column(folder):
    change(folder, "timeseries.parquet", lambda t: t.drop(columns="segment"))
    refused(folder, "timeseries.parquet: lacks the column segment")


def test_4_an_empty_point_in_a_latin_hypercube(lhs):
    change(lhs, "runs.parquet", lambda t: t.assign(point=t.point.where(t.run != 2)))
    refused(lhs, "runs.parquet: point: must be an integer column", "empty in 1 of 6 rows (the first: row 3)")


def test_5_a_read_only_folder_is_refused_before_any_work(folder):
    with read_only(folder):
        refused(folder, f"{folder}: the report is written into this folder, but cannot write in")


def test_6_an_empty_timeseries(folder):
    change(folder, "timeseries.parquet", lambda t: t.iloc[:0])
    refused(folder, "timeseries.parquet: no rows, but runs.parquet has 4 finished runs")


def test_6_duplicate_rows(folder):
    change(folder, "timeseries.parquet", lambda t: pd.concat([t, t.iloc[[5]]]))
    refused(folder, "timeseries.parquet: run, step, brand, segment: duplicate rows")
    shutil.copyfile(folder / "parts" / "runs-000000.parquet", folder / "runs.parquet")  # untouched copy
    change(folder, "runs.parquet", lambda t: pd.concat([t, t.iloc[[0]]]))
    refused(folder, "runs.parquet: run: a run appears more than once")


@pytest.mark.parametrize("table, column, value", [
    ("runs.parquet", "Spark.spend", np.inf), ("runs.parquet", "Mass.customers", np.nan),
    ("runs.parquet", "Spark.cac_paid", -np.inf), ("runs.parquet", "Spark.ltv", -np.inf),
    ("timeseries.parquet", "customer", np.nan), ("timeseries.parquet", "share", np.inf),
    ("timeseries.parquet", "loyalty", np.inf),
])
def test_6_infinite_or_empty_metrics(folder, table, column, value):
    change(folder, table, lambda t: t.assign(**{column: t[column].astype(float).where(t.index != 3, value)}))
    refused(folder, f"{table}: {column}: must be a finite number", "row 4")


@pytest.mark.parametrize("table, column", [
    ("runs.parquet", "Mass.customers"), ("runs.parquet", "Spark.spend"),
    ("runs.parquet", "Spark.segment_share.young_active"),
    ("timeseries.parquet", "customer"), ("timeseries.parquet", "adopters"),
])
def test_6_negative_counts(folder, table, column):
    change(folder, table, lambda t: t.assign(**{column: t[column].where(t.index != 2, -1)}))
    refused(folder, f"{table}: {column}: counts or shares are never negative", "row 3")


def test_6_negative_margins_and_returns_are_reported(folder):
    change(folder, "runs.parquet", lambda t: t.assign(**{"Spark.margin": -5.0, "Spark.return_on_spend": -0.5}))
    assert CliRunner().invoke(app, ["report", str(folder)]).exit_code == 0


def test_a_report_replaces_the_last_one_as_a_set(folder):
    (folder / "heatmap.png").write_text("a stale figure of an earlier report")
    (folder / "notes.txt").write_text("the user's own")
    first = CliRunner().invoke(app, ["report", str(folder)])
    assert first.exit_code == 0, first.output
    assert not (folder / "heatmap.png").exists()  # this experiment has no heat map: the stale one goes
    assert (folder / "notes.txt").read_text() == "the user's own"
    assert {"report.md", "over_time.png", "metrics.svg"} <= {p.name for p in folder.iterdir()}
    assert not [p for p in folder.iterdir() if p.name.startswith(".marketsim-")]  # no staging left


def test_a_failing_report_leaves_the_last_one(folder, monkeypatch):
    from marketsim.output import report

    assert CliRunner().invoke(app, ["report", str(folder)]).exit_code == 0
    before = files(folder)

    def broken(ax, *args, **kwargs):
        raise RuntimeError("a figure failed half way")

    monkeypatch.setattr(report, "_plot_time", broken)
    with pytest.raises(RuntimeError):
        report.make_report(folder)
    assert files(folder) == before


def test_a_report_waits_for_no_sweep_writing_into_its_folder(folder):
    import threading

    from marketsim.files import folder_lock

    held, release = threading.Event(), threading.Event()

    def sweep_writing():  # another thread holds the lock, as another process would
        with folder_lock(folder):
            held.set()
            release.wait(60)

    writer = threading.Thread(target=sweep_writing)
    writer.start()
    try:
        held.wait(60)
        before = files(folder)
        done = CliRunner().invoke(app, ["report", str(folder)])
        assert done.exit_code == 2 and "another marketsim process is writing into this folder" in done.stderr
        assert files(folder) == before
    finally:
        release.set()
        writer.join()


def test_6_empty_where_the_docs_call_a_ratio_undefined_is_reported(folder):
    change(folder, "runs.parquet", lambda t: t.assign(**{"Spark.cac_paid": np.nan, "Mass.ltv": np.inf}))
    change(folder, "timeseries.parquet", lambda t: t.assign(loyalty=np.nan))
    done = CliRunner().invoke(app, ["report", str(folder)])
    assert done.exit_code == 0, done.output


def test_6_a_text_point_column(folder):
    change(folder, "runs.parquet", lambda t: t.assign(point=t.point.astype(str)))
    refused(folder, "runs.parquet: point: must be an integer column of whole numbers, not text")


@pytest.mark.parametrize("edit, names", [
    (lambda s: s.replace("replications = 2", "replications = 3"),
     ["runs.parquet: 4 runs, but experiment.toml (with inputs/scenario.toml) plans 6"]),
    (lambda s: s.replace("micro =", "micro2 ="), ["runs.parquet: strategy: holds values that are not levels"]),
    (lambda s: s + '\n[[factors]]\npath = "network.homophily"\nlevels = [0.5]\n',
     ["runs.parquet: lacks the column network.homophily"]),
    (lambda s: s.replace('"loyalty", "spend"', '"spend"'), ["timeseries.parquet: unknown column: loyalty"]),
])
def test_6_an_experiment_that_no_longer_matches_the_tables(folder, edit, names):
    record = folder / "experiment.toml"
    record.write_text(edit(record.read_text()))
    refused(folder, *names)


def test_6_a_base_scenario_with_other_brands(folder):
    scenario = folder / "inputs" / "scenario.toml"
    scenario.write_text(scenario.read_text().replace('name = "Mass"', 'name = "Big"'))
    refused(folder, "runs.parquet: lacks the columns Big.reach")


def test_assess_refuses_damaged_runs_and_writes_nothing(tmp_path):
    raw = {**BASE, "population": {**BASE["population"], "size": 300}, "time": {"dt": 1, "horizon": 10},
           "word_of_mouth": {"strength": {"dist": "uniform", "low": 0.0, "high": 0.3}}}
    (tmp_path / "s.toml").write_text(tomli_w.dumps(raw))
    args = ["assess", str(tmp_path / "s.toml"), "--runs", "3", "--workers", "1", "--out", str(tmp_path / "runs"),
            "--quiet"]
    assert CliRunner().invoke(app, args).exit_code == 0
    (tmp_path / "runs" / "assessment-incremental_profit.json").unlink()
    change(tmp_path / "runs" / "parts", "runs-000000.parquet", lambda t: t.assign(**{"A.reach": np.inf}))
    done = CliRunner().invoke(app, [*args, "--report", str(tmp_path / "page")])
    assert done.exit_code == 2 and "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())  # the sweep refuses to combine a damaged part
    assert "do not make valid tables (must be a finite number" in message and "runs.parquet column A.reach" in message
    assert not (tmp_path / "runs" / "assessment-incremental_profit.json").exists() and not (tmp_path / "page").exists()


def test_assess_checks_its_report_folder_before_any_work(tmp_path):
    (tmp_path / "page").write_text("")
    done = CliRunner().invoke(app, ["assess", "nowhere.toml", "--report", str(tmp_path / "page")])
    assert done.exit_code == 2 and "invalid --report" in done.stderr and "is a file, not a folder" in done.stderr


DAMAGES = ("drop", "rename", "text", "float", "nan", "inf", "duplicate", "truncate", "garbage")


def damage(folder: Path, name: str, how: str, column: int, row: int) -> None:
    path = folder / name
    if how in ("truncate", "garbage"):
        data = path.read_bytes()
        path.write_bytes(data[:row % max(len(data), 1)] if how == "truncate" else os.urandom(1 + row % 500))
        return
    try:
        table = pd.read_parquet(path)
    except Exception:  # noqa: BLE001 - already truncated or garbage: nothing more to damage
        return
    if table.empty:
        return
    col = table.columns[column % len(table.columns)]
    row = row % len(table)
    if how == "drop":
        table = table.drop(columns=col)
    elif how == "rename":
        table = table.rename(columns={col: f"{col}_"})
    elif how == "text":
        table[col] = table[col].astype(str)
    elif how == "float":
        table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
    elif how == "duplicate":
        table = pd.concat([table, table.iloc[[row]]], ignore_index=True)
    else:
        numeric = pd.api.types.is_numeric_dtype(table[col])
        values = table[col].astype(float if numeric else object)
        values.iloc[row] = (np.nan if numeric else None) if how == "nan" else (np.inf if numeric else "inf")
        table[col] = values
    table.to_parquet(path, index=False)


@fuzz_settings(40)
@given(changes=st.lists(st.tuples(st.sampled_from(["runs.parquet", "timeseries.parquet", "experiment.toml"]),
                                  st.sampled_from(DAMAGES), st.integers(0, 10_000), st.integers(0, 10_000)),
                        min_size=1, max_size=3))
def test_any_damage_is_reported_or_refused_never_a_traceback(made, changes):
    with tempfile.TemporaryDirectory() as tmp:
        folder = shutil.copytree(made["factorial"], Path(tmp) / "out")
        for name, how, column, row in changes:
            if name == "experiment.toml" and how not in ("truncate", "garbage"):
                how = "garbage" if row % 2 else "truncate"
            damage(folder, name, how, column, row)
        before = files(folder)
        done = CliRunner().invoke(app, ["report", str(folder)])
        assert done.exit_code in (0, 2), done.output
        assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
        assert "Traceback" not in done.stderr
        if done.exit_code == 2:
            assert done.stderr.startswith("cannot report") and files(folder) == before
        else:
            read_results(folder)  # reported: the folder is still valid
