"""A results folder has one writer at a time, and a sweep stopped by SIGTERM leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pandas as pd
import psutil
import pytest
from test_sweep import EXPERIMENT, experiment_file

from marketsim.files import FolderBusy, folder_lock
from marketsim.studies.experiment import load_experiment
from marketsim.studies.sweep import run_sweep


def test_a_second_sweep_into_a_busy_folder_is_refused_and_the_first_one_is_not_mixed(tmp_path):
    first = load_experiment(experiment_file(tmp_path, EXPERIMENT, "first.toml"))
    second = load_experiment(experiment_file(tmp_path, EXPERIMENT.replace('name = "small"', 'name = "other"')
                                             .replace("seed = 5", "seed = 6"), "second.toml"))
    out = tmp_path / "out"
    started, outcome = threading.Event(), {}

    def sweep_first():
        outcome["first"] = run_sweep(first, out, workers=1, progress=lambda done, total: started.set())

    thread = threading.Thread(target=sweep_first)
    thread.start()
    assert started.wait(120)
    with pytest.raises(FolderBusy, match="another marketsim process"):
        run_sweep(second, out, workers=1)
    thread.join()
    runs = pd.read_parquet(out / "runs.parquet")
    assert outcome["first"].done == len(runs) == len(first.runs())
    assert sorted(runs.seed) == sorted(r.seed for r in first.runs())
    assert (out / "experiment.toml").read_text() == first.text


def test_the_sweep_command_exits_2_while_another_process_writes_the_folder(tmp_path):
    path = experiment_file(tmp_path)
    out = tmp_path / "out"
    with folder_lock(out):
        done = subprocess.run([sys.executable, "-m", "marketsim", "sweep", str(path), "--out", str(out), "--quiet"],
                              capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "another marketsim process" in done.stderr and "Traceback" not in done.stderr
    assert not (out / "runs.parquet").exists() and not (out / "parts").exists()


def test_the_lock_is_free_again_after_a_sweep_and_may_be_taken_again_inside(tmp_path):
    run_sweep(load_experiment(experiment_file(tmp_path)), tmp_path / "out", workers=1)
    with folder_lock(tmp_path / "out"), folder_lock(tmp_path / "out"):  # an assessment around its sweep
        pass
    with folder_lock(tmp_path / "out"):
        pass


def test_sigterm_stops_a_sweep_and_leaves_no_process(tmp_path):
    # long enough that the signal always comes mid-sweep
    path = experiment_file(tmp_path, EXPERIMENT.replace("replications = 2", "replications = 40"))
    out, log = tmp_path / "out", tmp_path / "stderr.txt"
    with open(log, "w") as stderr:  # a file, not a pipe: orphaned workers would hold a pipe open
        proc = subprocess.Popen([sys.executable, "-m", "marketsim", "sweep", str(path), "--out", str(out),
                                 "--workers", "2", "--quiet"], start_new_session=True, stdout=subprocess.DEVNULL,
                                stderr=stderr)
    try:
        deadline = time.monotonic() + 180  # a hang guard, not a speed check
        while not list((out / "parts").glob("runs-*.parquet")):
            assert proc.poll() is None and time.monotonic() < deadline, "the sweep did not start"
            time.sleep(0.05)
        family = psutil.Process(proc.pid).children(recursive=True)
        assert len(family) >= 2, "the pool's server and workers run"
        os.kill(proc.pid, signal.SIGTERM)  # to the command alone, as a job scheduler's timeout does
        code = proc.wait(timeout=120)
        gone, alive = psutil.wait_procs(family, timeout=30)
        assert not alive, f"left running after SIGTERM: {[p.pid for p in alive]}"
        assert code == 130 and "interrupted" in log.read_text(), log.read_text()
        assert not (out / "runs.parquet").exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_a_sigterm_ends_the_command_even_when_its_clean_stop_hangs():
    """A job scheduler's timeout must end the command: if the clean stop that SIGTERM starts does not
    end it (here: a stop that hangs), it ends on its own after the grace period, with exit code 130."""
    code = ("import signal, time\n"
            "from marketsim import cli\n"
            "cli.TERM_GRACE_SECONDS = 1.0\n"
            "signal.signal(signal.SIGTERM, cli._interrupt)\n"
            "try:\n"
            "    print('ready', flush=True)  # inside the try: the signal may come at once\n"
            "    time.sleep(60)\n"
            "except KeyboardInterrupt:\n"
            "    time.sleep(60)  # a clean stop that never ends\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 130  # a hang guard: the grace period is 1 s
        assert "interrupted" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
