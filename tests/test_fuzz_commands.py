"""Hostile command lines and edge lists, for every command but the dashboard (a server: its inputs go
through the same loader, and its page has browser tests). Each command gets any mix of its options,
each drawn from sound values, wrong kinds, out-of-range numbers, missing, unreadable and wrong-kind
files, damaged result folders and busy or read-only output folders. Whatever it gets, a command
exits 0, 1 (runs that produced no result) or 2 (bad input: no traceback, nothing written, no user
text echoed), never with an uncaught exception."""

import contextlib
import copy
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest
import tomli_w
import typer.main
from helpers import BASE, fuzz_settings
from hypothesis import event, given
from hypothesis import strategies as st
from test_invariants import assert_invariants
from typer.testing import CliRunner

import marketsim
from marketsim.cli import app
from marketsim.files import folder_lock
from marketsim.scenario.loading import load_scenario
from marketsim.studies.experiment import load_experiment
from marketsim.studies.sweep import run_sweep

SECRET = "s3cr3t\x1b[31m-do-not-echo"  # in files the commands are pointed at: never in a message
LONG = "y" * 300


def tiny(**changes) -> dict:
    raw = copy.deepcopy(BASE)
    raw["population"]["size"] = 300
    raw["time"]["horizon"] = 4
    raw["word_of_mouth"]["strength"] = 0.1
    raw.update(changes)
    return raw


UNCERTAIN = tiny(word_of_mouth={"strength": {"dist": "uniform", "low": 0.0, "high": 0.3}})
LEVERS = {**UNCERTAIN, "levers": [{"name": "impressions", "low": 100, "high": 3000,
                                   "set": {"campaigns.ads.impressions": [0, 1]}}]}
EXPERIMENT = """name = "e"
scenario = "tiny.toml"
replications = 1
[[factors]]
path = "word_of_mouth.strength"
levels = [0.05, 0.2]
"""


GAME = {"name": "g", "market": "tiny.toml", "periods": 2, "period_length": 2, "budget_per_period": 1000,
        "micro_channel": "app", "macro_channel": "tv", "teams": [{"name": "red", "brand": "A"}]}


def make_inputs(root: Path) -> None:
    """Every file a command line below may name, sound or not."""
    (root / "tiny.toml").write_text(tomli_w.dumps(tiny()))
    (root / "uncertain.toml").write_text(tomli_w.dumps(UNCERTAIN))
    (root / "levers.toml").write_text(tomli_w.dumps(LEVERS))
    (root / "broken.toml").write_text(f'name = "{SECRET}"\n[population]\nsize = "{SECRET}"\n')
    (root / "game.toml").write_text(tomli_w.dumps(GAME))
    (root / "game_broken.toml").write_text(tomli_w.dumps({**GAME, "name": SECRET, "market": SECRET}))
    (root / "game_other_market.toml").write_text(tomli_w.dumps({**GAME, "market": "uncertain.toml",
                                                                "teams": [{"name": "red", "brand": SECRET}]}))
    (root / "not_toml.toml").write_text(f"{SECRET} = = [\n")
    (root / "binary.toml").write_bytes(b"\x00\xff\xfe" * 50)
    (root / "e.toml").write_text(EXPERIMENT)
    (root / "e_broken.toml").write_text(EXPERIMENT.replace("levels = [0.05, 0.2]", f'levels = ["{SECRET}"]'))
    (root / "pilot.csv").write_text("time,new_adopters\n2,5\n4,9\n")
    (root / "pilot_broken.csv").write_text(f"time,new_adopters\n2,{SECRET}\n-4,nan\n")
    (root / "posterior.csv").write_text("word_of_mouth.strength\n0.05\n0.2\n0.12\n")
    (root / "posterior_broken.csv").write_text(f"word_of_mouth.strength,{SECRET}\n{SECRET},1\n")
    (root / "strategies.toml").write_text(tomli_w.dumps({"strategies": [
        {"name": "more", "brand": "A", "set": {"campaigns.ads.impressions": 4000}}, {"name": "less", "brand": "A"}]}))
    (root / "strategies_broken.toml").write_text(tomli_w.dumps({"strategies": [{"name": SECRET, "brand": "Z"}]}))
    (root / "a_folder").mkdir()
    (root / "a_file").write_text(SECRET)
    with ThreadPoolExecutor(1) as pool:  # a sound sweep folder, and a damaged copy of it
        run_sweep(load_experiment(root / "e.toml"), root / "sweep", executor=pool)
    shutil.copytree(root / "sweep", root / "sweep_damaged")
    (root / "sweep_damaged" / "runs.parquet").write_bytes(b"PAR1" + SECRET.encode())
    (root / "read_only").mkdir()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("inputs")
    make_inputs(root)
    return root


scenario_files = st.sampled_from(["tiny.toml", "tiny.toml", "uncertain.toml", "broken.toml", "not_toml.toml",
                                  "binary.toml", "e.toml", "pilot.csv", "missing.toml", "a_folder", "a_file",
                                  "/dev/null", "", LONG, SECRET])
numbers = st.one_of(st.sampled_from(["0", "1", "2", "3", "-1", "1.5", "nan", "inf", "1e3", "", " ", "x", "0x10",
                                     str(2**63), str(2**64), str(10**30), LONG, SECRET]),
                    st.integers(-5, 5).map(str))
outputs = st.sampled_from(["new", "new/deeper", "a_file", "a_file/below", "read_only", "busy", "", "tiny.toml", LONG,
                           f"new/{LONG}"])
settings_ = st.sampled_from(["population.size=200", "time.horizon=3", "word_of_mouth.strength=0.2",
                             "brands.A.price=12", "x=1", "=", "time.horizon", "population.size=-3",
                             "time.horizon=1e9", f"name=\"{SECRET}\"", "brands.Z.price=1", "network.type=\"file\"",
                             "time.dt=nan", f"population.size={LONG}"])
posteriors = st.sampled_from(["posterior.csv", "posterior.csv", "posterior_broken.csv", "pilot.csv", "missing.csv",
                              "a_folder", "/dev/null", SECRET])
# each command's options: the values drawn for it (a flag's value is whether it is given)
OPTIONS = {
    "run": {"scenario": scenario_files, "--seed": numbers, "--set": settings_, "--out": outputs,
            "--plot": st.booleans(), "--format": st.sampled_from(["parquet", "csv", "xlsx", "", SECRET]),
            "--quiet": st.booleans(), "--lift": st.booleans()},
    "validate": {"scenario": scenario_files, "--set": settings_},
    "sweep": {"experiment": st.sampled_from(["e.toml", "e.toml", "e_broken.toml", "tiny.toml", "missing.toml",
                                             "a_folder", "/dev/null", SECRET]),
              "--workers": st.sampled_from(["1", "2", "0", "-1", "x", str(2**64)]), "--out": outputs,
              "--scheduler": st.sampled_from(["junk", "", "tcp://", "tcp://999.0.0.1:x", SECRET]),
              "--quiet": st.booleans()},
    "report": {"results": st.sampled_from(["sweep", "sweep", "sweep_damaged", "busy", "a_folder", "a_file", "missing",
                                           "", LONG])},
    "assess": {"scenario": scenario_files, "--runs": st.sampled_from(["2", "3", "1", "0", "-2", "x", "1e9", "100001",
                                                                      "auto", "AUTO", SECRET]),
               "--sobol": st.sampled_from(["2", "4", "3", "1", "0", "x", "131072"]),
               "--posterior": posteriors,
               "--strategies": st.sampled_from(["strategies.toml", "strategies_broken.toml", "tiny.toml", "missing",
                                                "a_folder", SECRET]),
               "--metric": st.sampled_from(["reach", "cac", "customers", "best", "", SECRET]), "--report": outputs,
               "--out": outputs, "--seed": numbers, "--workers": st.sampled_from(["1", "2", "0", "x"]),
               "--scheduler": st.sampled_from(["junk", SECRET]), "--quiet": st.booleans()},
    "calibrate": {"scenario": scenario_files, "pilot": st.sampled_from(["pilot.csv", "pilot.csv", "pilot_broken.csv",
                                                                        "tiny.toml", "missing.csv", "a_folder",
                                                                        "/dev/null", SECRET, LONG]),
                  "--out": outputs, "--seeds": st.sampled_from(["1", "2", "0", "65", "x", "-1"]), "--seed": numbers,
                  "--workers": st.sampled_from(["1", "2", "0", "x"]), "--quiet": st.booleans()},
    "optimize": {"scenario": st.sampled_from(["levers.toml", "levers.toml", "uncertain.toml", "tiny.toml", "broken.toml",
                                              "missing.toml", "a_folder", "/dev/null", SECRET, LONG]),
                 "--lever": st.sampled_from(["campaigns.ads.impressions=100:3000", "campaigns.ads.impressions=3000:100",
                                             "campaigns.ads.impressions=0:1e99", "x.y=1:2", "campaigns.ads.impressions",
                                             "=:", f"{SECRET}=1:2", LONG]),
                 "--metric": st.sampled_from(["incremental_profit", "profit", "cac", "", SECRET]),
                 "--posterior": posteriors,
                 "--goal": st.sampled_from(["mean", "p10", "p_payback", "best", SECRET]),
                 "--trials": st.sampled_from(["2", "3", "1", "0", "x"]),
                 "--futures": st.sampled_from(["2", "3", "1", "0", "x"]), "--out": outputs, "--seed": numbers,
                 "--workers": st.sampled_from(["1", "0", "x"]), "--scheduler": st.sampled_from(["junk", SECRET]),
                 "--quiet": st.booleans()},
    "scenarios": {"directory": st.sampled_from([".", "a_folder", "missing", "a_file", "", SECRET, LONG])},
    "game": {"game_file": st.sampled_from(["game.toml", "game.toml", "game_broken.toml", "game_other_market.toml",
                                           "tiny.toml", "launch", "missing.toml", "a_folder", "/dev/null", SECRET,
                                           LONG]),
             "--store": st.sampled_from(["g.sqlite", "a_file", "tiny.toml", "a_folder", "read_only/g.sqlite",
                                         "new/deeper/g.sqlite", "", SECRET, LONG]),
             "--seed": numbers, "--port": st.sampled_from(["8766", "1", "0", "-1", "x", "70000", SECRET]),
             "--host": st.sampled_from(["127.0.0.1", "0.0.0.0", "::1", "localhost", "", "example.com", SECRET, LONG]),
             "--open": st.booleans()},
}


def test_every_option_of_every_command_is_fuzzed():
    """A new option is fuzzed as soon as it exists, or this fails."""
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        if name == "dashboard":
            continue
        given_here = {p.opts[0] if p.opts[0].startswith("--") else p.name for p in command.params}
        assert given_here == set(OPTIONS[name]), (name, given_here ^ set(OPTIONS[name]))


@st.composite
def command_lines(draw):
    name = draw(st.sampled_from(sorted(OPTIONS)))
    args = [name]
    for option, values in OPTIONS[name].items():
        if not option.startswith("--"):
            args.append(draw(values))  # an argument: always given, maybe wrong
        elif draw(st.integers(0, 2)) == 0:  # an option: given a third of the time
            value = draw(values)
            if value is True:
                args.append(option)
            elif value is not False:
                args += [option, value]
    if "--quiet" in OPTIONS[name] and "--quiet" not in args:
        args.append("--quiet")
    return args


def snapshot(folder: Path) -> dict:
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


@fuzz_settings(40)
@given(args=command_lines())
def test_any_command_line_exits_cleanly(args, inputs, tmp_path_factory):
    from helpers import read_only

    work = tmp_path_factory.mktemp("cli")
    shutil.copytree(inputs, work, dirs_exist_ok=True)
    shutil.copytree(inputs / "sweep", work / "busy")  # a sweep folder another process is writing
    served = mock.patch("marketsim.dashboard.server.serve_app")  # a game that starts is served no further
    with contextlib.chdir(work), read_only(work / "read_only"), _busy(work / "busy"), served:
        before = snapshot(work)
        result = CliRunner().invoke(app, args)
        after = snapshot(work)
    event(f"{args[0]}: exit {result.exit_code}")
    text = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, text, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    assert "Traceback" not in text and SECRET not in text and LONG not in text, (args, text)
    if result.exit_code == 2:
        assert after == before, (args, "wrote on bad input", set(after) ^ set(before))


@contextlib.contextmanager
def _busy(folder: Path):
    """``folder``'s lock held by another thread, as by a sweep in another process."""
    import threading

    held, release = threading.Event(), threading.Event()

    def hold():
        with folder_lock(folder):
            held.set()
            release.wait(120)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(60)
    try:
        yield
    finally:
        release.set()
        holder.join()


edge_token = st.one_of(st.integers(0, 299).map(str), st.sampled_from(
    ["300", "-1", "1.0", "1e2", "", " ", "x", "0x1", "١", "²", "9" * 40, "nan", SECRET, "#", "# c", "\ufeff0"]))
edge_line = st.one_of(st.tuples(edge_token, edge_token).map(lambda t: f"{t[0]},{t[1]}"),
                      st.tuples(edge_token, edge_token, edge_token).map(lambda t: f"{t[0]},{t[1]},{t[2]}"),
                      st.lists(edge_token, max_size=4).map(" ".join), st.text(max_size=12))


@fuzz_settings(40)
@given(lines=st.lists(edge_line, max_size=12), suffix=st.sampled_from([".csv", ".txt"]), bom=st.booleans(),
       raw_bytes=st.one_of(st.none(), st.binary(max_size=40)), command=st.sampled_from(["validate", "run"]))
def test_any_edge_list_is_refused_naming_its_line_or_used(lines, suffix, bom, raw_bytes, command, tmp_path_factory):
    folder = tmp_path_factory.mktemp("edges")
    edges = folder / f"edges{suffix}"
    if raw_bytes is not None:
        edges.write_bytes(raw_bytes)
    else:
        text = "\n".join(line if suffix == ".csv" else line.replace(",", " ") for line in lines)
        edges.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8", "surrogatepass"))
    source = folder / "s.toml"
    source.write_text(tomli_w.dumps(tiny(network={"type": "file", "path": edges.name})))
    with contextlib.chdir(folder):
        before = snapshot(folder)
        result = CliRunner().invoke(app, [command, str(source), "--quiet"] if command == "run" else
                                    [command, str(source)])
        after = snapshot(folder)
    text = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in text and SECRET not in text
    if result.exit_code:
        assert result.exit_code == 2 and after == before, text
        assert f"{edges}: " in " ".join(text.split()), text  # the edge list and its line are named
        event("refused")
        return
    event("used")
    if command == "validate":
        sc = load_scenario(source)
        assert_invariants(sc, marketsim.run(sc, seed=1))


def test_the_fuzzed_files_are_what_they_claim(inputs, tmp_path):
    """Not vacuous: the sound inputs are sound and the broken ones broken, so both paths are taken."""
    work = shutil.copytree(inputs, tmp_path / "work")
    ok = [["validate", "tiny.toml"], ["validate", "uncertain.toml"], ["report", "sweep"],
          ["calibrate", "uncertain.toml", "pilot.csv", "--seeds", "1", "--quiet"],
          ["assess", "uncertain.toml", "--runs", "2", "--strategies", "strategies.toml", "--workers", "1", "--quiet"],
          ["optimize", "levers.toml", "--trials", "2", "--futures", "2", "--workers", "1", "--quiet"]]
    refused = [["validate", "broken.toml"], ["validate", "not_toml.toml"], ["report", "sweep_damaged"],
               ["sweep", "e_broken.toml"], ["calibrate", "uncertain.toml", "pilot_broken.csv"],
               ["assess", "uncertain.toml", "--strategies", "strategies_broken.toml"],
               ["optimize", "uncertain.toml", "--quiet"]]
    with contextlib.chdir(work):
        for args in ok:
            assert CliRunner().invoke(app, args).exit_code == 0, args
        for args in refused:
            assert CliRunner().invoke(app, args).exit_code == 2, args
