"""The marketsim command: results on disk, a readable summary, exit code 2 on bad input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

BASELINE = Path(__file__).parent.parent / "scenarios" / "baseline.toml"


def marketsim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "marketsim", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_run_writes_results_and_prints_summary(tmp_path):
    out = tmp_path / "out"
    done = marketsim("run", BASELINE, "--seed", 3, "--set", "population.size=2000", "--set", "time.horizon=30",
                     "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    ts = pd.read_parquet(out / "timeseries.parquet")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["consumers"] == 2000
    assert set(summary["brands"]) == {"Spark", "Mass"}
    assert ts.step.max() == 30
    assert "cac_paid" in done.stdout and "cac_blended" in done.stdout and "Spark" in done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["buying.parquet", "duplication.parquet", "summary.json",
                                                     "timeseries.parquet"]


def test_bad_scenario_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(BASELINE.read_text().replace("precision = 0.85", "precision = 85"))
    out = tmp_path / "out"
    done = marketsim("run", bad, "--out", out)
    assert done.returncode == 2
    assert f"{bad}: campaigns[spark_social].precision: Input should be less than or equal to 1 (got 85)" \
        in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_validate():
    ok = marketsim("validate", BASELINE)
    assert ok.returncode == 0 and "valid" in ok.stdout and "note:" not in ok.stdout  # every value plausible
    odd = marketsim("validate", BASELINE, "--set", "response.ad_effect=0.5")
    assert odd.returncode == 0 and "valid" in odd.stdout
    assert [line.split(" = ")[0] for line in odd.stdout.splitlines() if line.startswith("note:")] == [
        "note: response.ad_effect"]  # allowed, and pointed out: outside 0.0005 to 0.02 (docs/parameters.md)
    bad = marketsim("validate", BASELINE, "--set", "network.homophily=2")
    assert bad.returncode == 2 and "network.homophily" in bad.stderr
    missing = marketsim("validate", "nowhere.toml")
    assert missing.returncode == 2 and "nowhere.toml: file not found" in missing.stderr


def test_scenarios_lists_the_ready_scenarios_with_descriptions(tmp_path):
    done = marketsim("scenarios", cwd=tmp_path)  # outside the repository: falls back to the ready ones
    assert done.returncode == 0
    assert "rainy_city_rides.toml" in done.stdout and "rainy days" in done.stdout
    assert marketsim("scenarios", tmp_path).returncode == 2


def test_scenarios_tells_experiments_and_strategies_files_from_scenarios(tmp_path):
    done = marketsim("scenarios", BASELINE.parent.parent / "experiments")
    assert done.returncode == 0 and "invalid" not in done.stdout
    rows = [line for line in done.stdout.splitlines() if ".toml" in line]
    assert len(rows) >= 8 and all("experiment" in line for line in rows)
    (tmp_path / "plans.toml").write_text('[[strategies]]\nname = "micro"\nbrand = "Spark"\n')
    listed = marketsim("scenarios", tmp_path)
    assert listed.returncode == 0 and "strategies" in listed.stdout and "micro" in listed.stdout


def test_assess_and_calibrate_find_a_ready_scenario_by_name(tmp_path):
    """The README says a ready scenario's name works for every command: the baseline is found (it has
    no uncertain assumption to assess or fit, which is what they then say), not 'file not found'."""
    (tmp_path / "pilot.csv").write_text("time,new_adopters\n10,5\n")
    for args in (["assess", "baseline"], ["calibrate", "baseline", "pilot.csv"]):
        done = marketsim(*args, "--quiet", cwd=tmp_path)
        assert done.returncode == 2 and "not found" not in done.stderr and "baseline.toml" in done.stderr, done.stderr
        assert "uncertain" in done.stderr or "distribution" in done.stderr


def test_run_with_lift_reports_incremental_results_and_campaigns_that_did_not_run(tmp_path):
    out = tmp_path / "out"
    done = marketsim("run", BASELINE, "--seed", 2, "--lift", "--set", "population.size=2000",
                     "--set", "time.horizon=20", "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    assert "incremental_return_on_spend" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["lift"] is True
    assert all(isinstance(m["incremental_customers"], int) for m in summary["brands"].values())
    # the sponsored event starts on day 60, after this 20-day horizon
    assert "warning: campaign spark_event (Spark) never started before the horizon" in done.stdout
def test_help_version_and_markup_in_user_text(tmp_path):
    assert marketsim("-h").returncode == 0 and "validate" in marketsim("-h").stdout
    version = marketsim("--version")
    assert version.returncode == 0 and version.stdout.startswith("marketsim ")
    (tmp_path / "x[bold].toml").write_text(BASELINE.read_text().replace(
        'description = "', 'description = "[/bold][red]odd[/] '))
    listed = marketsim("scenarios", tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "[/bold][red]odd[/]" in listed.stdout and "x[bold].toml" in listed.stdout
    out = tmp_path / "out[/bold]"
    done = marketsim("run", tmp_path / "x[bold].toml", "--set", "population.size=300",
                    "--set", "campaigns.spark_event.reach=300", "--set", "time.horizon=3",
                     "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"wrote {out / 'timeseries.parquet'}" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["consumers"] == 300 and pd.read_parquet(out / "timeseries.parquet").step.max() == 3


def test_ready_scenarios_and_experiments_ship_in_the_wheel(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "wheel",
                            Path(__file__).parent.parent], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    site = tmp_path / "site"
    wheel = next((tmp_path / "wheel").glob("marketsim-*.whl"))
    assert subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel],
                          capture_output=True).returncode == 0
    env = {**os.environ, "PYTHONPATH": str(site)}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for args in (["validate", "baseline"], ["scenarios"]):
        done = subprocess.run([sys.executable, "-m", "marketsim", *args], capture_output=True, text=True, cwd=elsewhere,
                              env=env)
        assert done.returncode == 0, done.stderr
        assert str(site) in done.stdout or "valid" in done.stdout
    exp = subprocess.run([sys.executable, "-c", "from marketsim.cli import ready; from marketsim.studies.experiment import load_experiment;"
                          "print(load_experiment(ready('experiments') / 'wrong_niche.toml').spec.name)"],
                         capture_output=True, text=True, cwd=elsewhere, env=env)
    assert exp.stdout.strip() == "wrong_niche", exp.stderr


def test_help_does_not_load_the_simulator():
    check = "import sys, marketsim.cli; print(sorted({'numba', 'mesa', 'matplotlib', 'pandas'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr


def test_validate_reads_the_edge_list_relative_to_the_scenario_and_never_quotes_it(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "secrets.env").write_text("# config\nDB_PASSWORD=hunter2\n")
    text = BASELINE.read_text()
    start = text.index("[network]")
    end = text.index("\n[", start + 1)
    (tmp_path / "sub" / "s.toml").write_text(text[:start] + '[network]\ntype = "file"\npath = "secrets.env"\n'
                                             + text[end:])
    done = marketsim("validate", "sub/s.toml", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "secrets.env: line 2: expected two consumer numbers from 0 to 19999" in done.stderr
    assert "hunter2" not in done.stderr and "DB_PASSWORD" not in done.stderr
