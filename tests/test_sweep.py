"""Sweeps: resumable, independent of worker count and executor, clear errors on bad files."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import distributed
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from marketsim.cli import app
from marketsim.files import LOCK_NAME
from marketsim.output.report import _fmt
from marketsim.scenario.schema import ScenarioError
from marketsim.studies.experiment import Factor, load_experiment
from marketsim.studies.sweep import CONNECT_SECONDS, executor_for, run_sweep

BASELINE = (Path(__file__).parent.parent / "scenarios" / "baseline.toml").resolve()

EXPERIMENT = f"""
name = "small"
scenario = "{BASELINE}"
seed = 5
replications = 2
horizon = 40
bundle = 1
overrides = {{ "population.size" = 1500 }}
metrics = ["customer", "share"]

[[factors]]
name = "strategy"
variants = {{ micro = {{ "campaigns.mass_tv.budget" = 0 }}, macro = {{ "campaigns.spark_social.budget" = 0 }} }}

[[factors]]
path = "network.homophily"
levels = [0.3, 0.9]
"""


def experiment_file(tmp_path, text=EXPERIMENT, name="exp.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def tables(out):
    return pd.read_parquet(out / "runs.parquet"), pd.read_parquet(out / "timeseries.parquet")


def assert_same(a, b):
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def test_seeds_depend_on_point_and_replication_only(tmp_path):
    exp = load_experiment(experiment_file(tmp_path))
    runs = exp.runs()
    assert len(runs) == 2 * 2 * 2 and len({r.seed for r in runs}) == len(runs)
    again = load_experiment(experiment_file(tmp_path, EXPERIMENT.replace("bundle = 1", "bundle = 3"), "b.toml"))
    assert [r.seed for r in again.runs()] == [r.seed for r in runs]


def test_one_and_two_workers_give_the_same_tables(tmp_path):
    exp = load_experiment(experiment_file(tmp_path))
    one = run_sweep(exp, tmp_path / "one", workers=1)
    two = run_sweep(exp, tmp_path / "two", workers=2)
    assert one.done == two.done == 8 and one.failed == 0
    assert_same(tables(tmp_path / "one"), tables(tmp_path / "two"))
    runs, ts = tables(tmp_path / "one")
    assert list(runs.run) == list(range(8))
    assert {"strategy", "network.homophily", "seed", "Spark.cac_paid", "Mass.customers"} <= set(runs.columns)
    assert (runs[runs.strategy == "micro"]["Mass.spend"] == 0).all()
    # experiments.md: a niche never controlled has an empty time to control (0 would read "from the start": no
    # brand of the baseline holds a niche at day 0), and in 40 days most niches are never controlled
    control = runs.filter(like=".time_to_control.")
    assert control.shape[1] == 8 and control.isna().to_numpy().mean() > 0.5 and not (control == 0).any().any()
    assert set(ts.columns) == {"run", "step", "time", "brand", "segment", "customer", "share"}
    assert (tmp_path / "one" / "experiment.toml").read_text() == EXPERIMENT


def test_dask_cluster_gives_the_same_table_as_local_processes(tmp_path):
    exp = load_experiment(experiment_file(tmp_path))
    run_sweep(exp, tmp_path / "local", workers=2)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with distributed.Client(cluster) as client:
        run_sweep(exp, tmp_path / "dask", executor=client.get_executor())
    cluster.close()
    assert_same(tables(tmp_path / "local"), tables(tmp_path / "dask"))


def test_a_killed_sweep_resumes_to_the_same_table(tmp_path):
    path = experiment_file(tmp_path, EXPERIMENT.replace("replications = 2", "replications = 4"))
    exp = load_experiment(path)
    run_sweep(exp, tmp_path / "whole", workers=1)

    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "marketsim", "sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "parts").glob("runs-*.parquet"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = len(list((out / "parts").glob("runs-*.parquet")))
    assert 2 <= finished < 16, "the kill came partway through"
    assert not (out / "runs.parquet").exists()

    report = run_sweep(exp, out, workers=2)
    assert report.skipped == finished and report.done == 16
    assert_same(tables(tmp_path / "whole"), tables(out))


def tiny_market(folder: Path, edge_list: str) -> None:
    """market.toml in ``folder``: 50 consumers on the network of an edge-list file."""
    (folder / "market.toml").write_text(f"""
name = "tiny"
[population]
size = 50
segments = [{{ name = "everyone", share = 1 }}]
[network]
type = "file"
path = "{edge_list}"
[[brands]]
name = "B"
price = 1
margin = 0.5
purchase_rate = 0.1
""")


def test_a_run_that_raises_is_recorded_and_the_others_go_on(tmp_path):
    (tmp_path / "good.txt").write_text("0 1\n1 2\n")
    (tmp_path / "bad.txt").write_text("0 1\n1 99\n")  # loads as a file, fails when the network is built
    tiny_market(tmp_path, "good.txt")
    exp = load_experiment(experiment_file(tmp_path, """
name = "fails"
scenario = "market.toml"
replications = 2
horizon = 5
[[factors]]
path = "network.path"
levels = ["good.txt", "bad.txt"]
"""))
    report = run_sweep(exp, tmp_path / "out", workers=1)
    runs, _ = tables(tmp_path / "out")
    assert report.failed == 2 and len(runs) == 4
    failed = runs[runs.status == "failed"]
    assert (failed["network.path"] == "bad.txt").all()
    assert failed.error.str.contains("line 2: expected two consumer numbers from 0 to 49").all()
    assert runs[runs.status == "done"]["B.customers"].notna().all()


@pytest.mark.parametrize("change, message", [
    (('path = "network.homophily"', 'path = "network.homophilly"'),
     "factors[network.homophilly].path: 'network.homophilly' is not a scenario field; did you mean network.homophily"),
    (('levels = [0.3, 0.9]', 'levels = [0.3, 1.9]'), "point 1"),
    (("replications = 2", "replications = 0"), "replications: Input should be greater than or equal to 1"),
    (('metrics = ["customer", "share"]', 'metrics = ["customers"]'), "metrics: 'customers' is not a time-series column"),
    (("[[factors]]\nname", "[[factors]]\nspeed = 1\nname"), "factors[strategy].speed: unknown field"),
    (("replications = 2", 'replications = 20\ndesign = { type = "sobol", samples = 100000 }'),
     "design: 100,000 points x 20 replications is too many"),
])
def test_bad_experiment_files_get_clear_errors(tmp_path, change, message):
    path = experiment_file(tmp_path, EXPERIMENT.replace(*change))
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    assert message in str(info.value)


def test_sweep_command_exits_2_on_a_bad_file(tmp_path):
    path = experiment_file(tmp_path, EXPERIMENT.replace("network.homophily", "network.nope"))
    done = subprocess.run([sys.executable, "-m", "marketsim", "sweep", str(path), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "network.nope" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_report_writes_figures_and_markdown(tmp_path):
    exp = load_experiment(experiment_file(tmp_path))
    run_sweep(exp, tmp_path / "out", workers=1)
    done = subprocess.run([sys.executable, "-m", "marketsim", "report", str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    names = {p.name for p in out.iterdir()}
    assert {"report.md", "over_time.png", "over_time.svg", "metrics.png", "niche_share.svg"} <= names
    for picture in out.glob("*.png"):  # pictures with something in them, not empty or broken files
        height, width, _ = matplotlib.image.imread(picture).shape
        assert height > 100 and width > 100, picture
    for drawing in out.glob("*.svg"):
        assert ElementTree.parse(drawing).getroot().tag.endswith("svg") and drawing.stat().st_size > 10_000, drawing
    text = (out / "report.md").read_text()
    assert "95% interval" in text
    assert {m for m in re.findall(r"!\[[^]]*\]\(([^)]+)\)", text)} <= names  # every figure it shows is there
    # one row per strategy and brand, stating the mean of the runs (over 2 homophily levels x 2 replications)
    runs, _ = tables(out)
    rows = [line for line in text.splitlines() if line.startswith(("| micro |", "| macro |"))]
    assert len(rows) == 4
    header = next(line for line in text.splitlines() if line.startswith("| strategy | brand |")).split(" | ")
    column = header.index("customers")
    for strategy in ("micro", "macro"):
        for brand in ("Spark", "Mass"):
            mean = runs[runs.strategy == strategy][f"{brand}.customers"].mean()
            row = next(r for r in rows if r.startswith(f"| {strategy} | {brand} |"))
            assert row.split(" | ")[column].split(" [")[0] == _fmt(mean), (row, mean)
    assert runs[runs.strategy == "micro"]["Mass.customers"].eq(0).all()  # the micro plan gives Mass no budget


@pytest.mark.parametrize("design", ["latin_hypercube", "sobol", "monte_carlo"])
def test_sampling_designs_stay_in_bounds(tmp_path, design):
    text = EXPERIMENT.replace('levels = [0.3, 0.9]', 'range = { min = 0.2, max = 0.6 }') + \
        f'\n[design]\ntype = "{design}"\nsamples = 8\n'
    exp = load_experiment(experiment_file(tmp_path, text))
    values = [p["network.homophily"] for p in exp.points]
    assert len(values) == 8 and all(0.2 <= v <= 0.6 for v in values)
    assert {p["strategy"] for p in exp.points} <= {"micro", "macro"}
    if design == "latin_hypercube":  # one point in each eighth of the range
        assert sorted(int((v - 0.2) / 0.05) for v in values) == list(range(8))


@pytest.mark.parametrize("design", ["latin_hypercube", "sobol", "monte_carlo"])
def test_a_sampling_design_is_drawn_from_the_experiments_seed(tmp_path, design):
    """experiments.md: every run derives from the experiment's root seed, so loading the file again gives
    the same points (a sweep can resume), and another seed gives other points."""
    text = EXPERIMENT.replace('levels = [0.3, 0.9]', 'range = { min = 0.2, max = 0.6 }') + \
        f'\n[design]\ntype = "{design}"\nsamples = 8\n'
    first, again = (load_experiment(experiment_file(tmp_path, text)).points for _ in range(2))
    other = load_experiment(experiment_file(tmp_path, text.replace("seed = 5", "seed = 6"), "other.toml")).points
    assert first == again and first != other


@pytest.mark.parametrize("args, message", [
    (["--workers", "0"], "--workers"),
    (["--scheduler", "not-an-address"], "--scheduler takes an address such as tcp://127.0.0.1:8786"),
    (["--scheduler", "tcp://127.0.0.1:1"], "cannot reach the Dask scheduler at tcp://127.0.0.1:1"),
])
def test_bad_sweep_options_exit_2_and_leave_nothing(tmp_path, args, message):
    path = experiment_file(tmp_path)
    done = subprocess.run([sys.executable, "-m", "marketsim", "sweep", str(path), "--out", str(tmp_path / "o"), "--quiet",
                           *args], capture_output=True, text=True, timeout=300)  # a guard against a hang only
    assert done.returncode == 2 and message in " ".join(done.stderr.split()) and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_an_unreachable_scheduler_is_given_up_after_the_connect_timeout(monkeypatch):
    """The client is asked to give up after CONNECT_SECONDS, and the message says so (how long the refusal takes
    on this machine is measured by benchmarks/sweep_speed.py --refusals)."""
    asked = []

    def client(address, timeout=None):
        asked.append((address, timeout))
        raise TimeoutError

    monkeypatch.setattr(distributed, "Client", client)
    with pytest.raises(ValueError, match=rf"cannot reach the Dask scheduler at tcp://10\.1\.2\.3:8786 within "
                                         rf"{CONNECT_SECONDS} s \(TimeoutError\); is it running\?"):
        with executor_for(None, "tcp://10.1.2.3:8786"):
            pass
    assert asked == [("tcp://10.1.2.3:8786", CONNECT_SECONDS)] and CONNECT_SECONDS <= 10


def test_a_sweep_with_failed_runs_exits_1_with_the_count(tmp_path):
    (tmp_path / "bad.txt").write_text("0 1\n1 99\n")  # fails when the network is built
    tiny_market(tmp_path, "bad.txt")
    path = experiment_file(tmp_path, """
name = "fails"
scenario = "market.toml"
replications = 3
horizon = 5
[[factors]]
path = "loyalty.churn"
levels = [0.01]
""")
    done = subprocess.run([sys.executable, "-m", "marketsim", "sweep", str(path), "--out", str(tmp_path / "o"), "--workers",
                           "1", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "3 of 3 runs failed" in " ".join(done.stderr.split())


def test_leftovers_and_broken_parts_are_redone_on_resume(tmp_path):
    exp = load_experiment(experiment_file(tmp_path))
    run_sweep(exp, tmp_path / "whole", workers=1)
    out = tmp_path / "broken"
    run_sweep(exp, out, workers=1)
    (out / "parts" / "runs-000002.parquet").write_bytes(b"")  # a zero-byte part, as after a crash
    (out / "parts" / "timeseries-000005.parquet").write_bytes(b"PAR1junk")
    (out / ".runs.parquet.abc123.parquet").write_bytes(b"x" * 1000)  # a temporary left by a kill
    report = run_sweep(exp, out, workers=1)
    assert report.done == 8 and report.skipped == 6
    assert [p.name for p in out.glob(".*")] == [LOCK_NAME]  # no temporary file left, only the lock
    assert_same(tables(tmp_path / "whole"), tables(out))


@pytest.mark.parametrize("part, damage, named", [
    ("runs-000003.parquet", lambda t: t.assign(**{"Spark.customers": -t["Spark.customers"] - 1}),
     "runs.parquet column Spark.customers"),
    ("timeseries-000001.parquet", lambda t: t.iloc[1:], "timeseries.parquet column run"),
    ("timeseries-000002.parquet", lambda t: t[t.step != 2], "timeseries.parquet column run"),
    ("runs-000004.parquet", lambda t: t.assign(run=0), "runs.parquet column run"),
])
def test_parts_damaged_after_they_were_written_are_refused_not_combined(tmp_path, part, damage, named):
    exp = load_experiment(experiment_file(tmp_path, EXPERIMENT.replace("horizon = 40", "horizon = 5")))
    out = tmp_path / "out"
    run_sweep(exp, out, workers=1)
    before = tables(out)
    frame = pd.read_parquet(out / "parts" / part)
    damage(frame).to_parquet(out / "parts" / part, index=False)
    with pytest.raises(ValueError, match="do not make valid tables") as refused:
        run_sweep(exp, out, workers=1)
    assert named in str(refused.value) and "delete" in str(refused.value)
    assert_same(tables(out), before)  # the last good tables stay


def test_report_gives_clear_errors_on_bad_inputs(tmp_path):
    def report(folder):
        done = CliRunner().invoke(app, ["report", str(folder)])
        assert "Traceback" not in done.stderr and isinstance(done.exception, SystemExit)
        return done

    exp = load_experiment(experiment_file(tmp_path))
    out = tmp_path / "out"
    run_sweep(exp, out, workers=1)
    assert "no such folder" in report(tmp_path / "nowhere").stderr
    runs, series = tables(out)
    (out / "timeseries.parquet").write_bytes(b"not parquet")
    done = report(out)
    assert done.exit_code == 2 and "timeseries.parquet: not a readable Parquet table" in done.stderr
    series.to_parquet(out / "timeseries.parquet")
    runs.iloc[:0].to_parquet(out / "runs.parquet")
    done = report(out)
    assert done.exit_code == 2 and "no finished runs" in done.stderr
    (out / "experiment.toml").unlink()
    done = report(out)
    assert done.exit_code == 2 and "experiment.toml: missing" in done.stderr


def test_pool_falls_back_to_spawn_without_forkserver(tmp_path, monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    exp = load_experiment(experiment_file(tmp_path, EXPERIMENT.replace("replications = 2", "replications = 1")))
    report = run_sweep(exp, tmp_path / "spawned", workers=1)
    assert report.done == 4 and report.failed == 0


def test_a_design_with_a_point_too_big_for_memory_is_refused(tmp_path):
    text = EXPERIMENT.replace('path = "network.homophily"\nlevels = [0.3, 0.9]',
                              'path = "campaigns.mass_tv.impressions"\nlevels = [100, 1e12]')
    done = subprocess.run([sys.executable, "-m", "marketsim", "sweep", str(experiment_file(tmp_path, text)), "--out",
                           str(tmp_path / "o"), "--workers", "1", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 2 and "too big for this machine" in done.stderr and "GiB" in done.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("path", sorted((BASELINE.parent.parent / "experiments").glob("*.toml")), ids=lambda p: p.stem)
def test_every_ready_experiment_loads_with_every_point_valid(path):
    """A change to the scenario rules must not break a ready experiment (one did: a cut_to left by an
    override of on_control)."""
    experiment = load_experiment(path)
    assert experiment.runs()


def test_a_factorial_range_runs_from_its_min_to_its_max():
    """docs/experiments.md: range = { min, max, steps } gives evenly spaced levels from min to max."""
    levels = Factor.model_validate({"path": "word_of_mouth.strength", "range": {"min": 0.1, "max": 0.3, "steps": 3}})
    assert levels.grid() == pytest.approx([0.1, 0.2, 0.3])


def test_an_integer_range_rounds_its_levels_to_the_nearest_whole_number():
    """docs/experiments.md: with integer = true a range takes whole numbers, each the nearest to its evenly
    spaced level (0, 3.33, 6.67, 10 give 0, 3, 7, 10), and a sampled one reaches both ends, each as
    often as a half-step of the interval (fifth mutant batch: truncation gave 0, 3, 6, 10, and max only
    at u = 1)."""
    grid = Factor.model_validate({"path": "network.mean_degree", "range": {"min": 0, "max": 10, "steps": 4,
                                                                            "integer": True}})
    assert grid.grid() == [0, 3, 7, 10]
    sampled = Factor.model_validate({"path": "network.mean_degree", "range": {"min": 2, "max": 6, "integer": True}})
    drawn = [sampled.at(u) for u in (np.arange(800) + 0.5) / 800]
    assert [drawn.count(k) for k in range(2, 7)] == [100, 200, 200, 200, 100]


def test_a_sampled_design_draws_each_level_equally_often():
    """docs/experiments.md: in a sampling design a factor with levels draws each of them evenly."""
    factor = Factor.model_validate({"path": "network.mean_degree", "levels": [4, 8, 12]})
    drawn = [factor.at(u) for u in (np.arange(300) + 0.5) / 300]  # quantiles spread evenly over [0, 1)
    assert [drawn.count(level) for level in (4, 8, 12)] == [100, 100, 100]


def test_an_experiments_horizon_overrides_the_scenarios():
    """experiments.md: ``horizon`` (optional) overrides time.horizon for every run."""
    experiment = load_experiment(Path(__file__).parent.parent / "experiments" / "word_of_mouth.toml")
    assert experiment.spec.horizon == 180  # the baseline it runs lasts 365 days
    for run in experiment.runs()[:3]:
        assert experiment.scenario(run.overrides).time.steps == 180
