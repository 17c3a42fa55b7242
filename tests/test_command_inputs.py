"""Every command checks its inputs and outputs before any work: bad input gets exit code 2, a message
naming the file and the field, and nothing written; runs that produced no result fail the command."""

import contextlib
import copy
from concurrent.futures import ThreadPoolExecutor

import pytest
import tomli_w
from helpers import BASE, put, read_only
from typer.testing import CliRunner

import marketsim.studies.memory
import marketsim.studies.sweep
from marketsim.cli import app
from marketsim.scenario.loading import load_scenario
from marketsim.studies.pilot import read_pilot

LONG = "x" * 420


def raw_scenario(**changes):
    raw = copy.deepcopy(BASE)
    raw["population"]["size"] = 300
    raw["time"]["horizon"] = 6
    raw["word_of_mouth"]["strength"] = {"dist": "uniform", "low": 0.0, "high": 0.3}
    raw.update(changes)
    return raw


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "s.toml").write_text(tomli_w.dumps(raw_scenario()))
    (tmp_path / "pilot.csv").write_text("time,new_adopters\n3,5\n6,9\n")
    return tmp_path


def invoke(folder, *args):
    """The command, and a check that it wrote nothing in ``folder``."""
    before = set(folder.rglob("*"))
    result = CliRunner().invoke(app, [str(a).format(dir=folder) for a in args])
    result.wrote = set(folder.rglob("*")) - before
    return result


def refused(result, *words):
    """Exit 2, no traceback, nothing written, and the message holds ``words`` (file, field, rule)."""
    text = " ".join(result.stderr.split())
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (result.stderr, result.exception)
    assert "Traceback" not in result.stderr and not result.wrote
    for w in words:
        assert w in text, text
    return text


@pytest.mark.parametrize("field", ["loyalty.growth", "population.size"])
def test_1_a_distribution_wider_than_any_field_is_refused(folder, field):
    (folder / "s.toml").write_text(tomli_w.dumps(put(raw_scenario(), field,
                                                     {"dist": "uniform", "low": -1e308, "high": 1e308})))
    refused(invoke(folder, "validate", "{dir}/s.toml"), f"{folder}/s.toml: {field}.low: Input should be greater")


@pytest.mark.parametrize("args, option", [
    (["calibrate", "{dir}/s.toml", "{dir}/pilot.csv", "--out", "{dir}/pilot.csv"], "--out"),
    (["assess", "{dir}/s.toml", "--runs", "2", "--report", "{dir}/pilot.csv", "--out", "{dir}/runs"], "--report"),
    (["assess", "{dir}/s.toml", "--runs", "2", "--out", "{dir}/pilot.csv/runs"], "--out"),
])
def test_2_an_output_folder_that_cannot_be_written_is_refused_before_any_work(folder, args, option):
    refused(invoke(folder, *args), f"invalid {option}", f"{folder}/pilot.csv is a file")


def test_2_a_read_only_output_folder_is_refused_before_any_work(folder):
    (folder / "locked").mkdir()
    with read_only(folder / "locked"):
        for args in (["calibrate", "{dir}/s.toml", "{dir}/pilot.csv", "--out", "{dir}/locked/out"],
                     ["assess", "{dir}/s.toml", "--runs", "2", "--report", "{dir}/locked/r", "--out", "{dir}/runs"]):
            refused(invoke(folder, *args), f"cannot write in {folder}/locked (permission denied)")


@pytest.mark.parametrize("command", [["run", "{dir}/s.toml"], ["assess", "{dir}/s.toml"],
                                     ["calibrate", "{dir}/s.toml", "{dir}/pilot.csv"]])
def test_3_one_seed_range_for_every_command(folder, command):
    refused(invoke(folder, *command, "--seed", str(2**64)), "--seed", "less than or equal to", "18446744073709551615")


def test_3_a_seed_above_2_to_the_63_assesses(folder):
    """It used to reach pydantic as a traceback; above 2**32 SALib's seeding refused it."""
    (folder / "s.toml").write_text(tomli_w.dumps(raw_scenario(strategies=[
        {"name": "micro", "set": {"campaigns.ads.impressions": 300}}, {"name": "macro"}])))
    done = invoke(folder, "assess", "{dir}/s.toml", "--runs", "40", "--seed", str(2**63), "--workers", "1",
                  "--out", "{dir}/runs", "--quiet")
    assert done.exit_code == 0, (done.stderr, done.exception)
    assert "best plan" in done.stdout


@pytest.fixture
def little_memory(monkeypatch):
    monkeypatch.setattr(marketsim.studies.memory, "available_bytes", lambda: 2**30)


@pytest.mark.parametrize("args", [
    ["calibrate", "{dir}/s.toml", "{dir}/pilot.csv", "--out", "{dir}/out"],
    ["assess", "{dir}/s.toml", "--runs", "2", "--out", "{dir}/out", "--workers", "1"],
])
def test_4_calibrate_and_assess_refuse_runs_too_big_for_the_memory(folder, little_memory, args):
    (folder / "s.toml").write_text(tomli_w.dumps(put(raw_scenario(), "population.size", 50_000_000)))
    refused(invoke(folder, *args), "too big for this machine" if args[0] == "assess" else "invalid input",
            f"{folder}/s.toml: ", "GiB of memory")


@pytest.fixture
def failing_runs(monkeypatch):
    """Runs in threads of this process, and the runs of the first ``fail[0]`` samples raise."""
    fail = [0]
    real = marketsim.studies.sweep.run

    def run(scenario, seed, lift):
        if seed in fail[1:]:
            raise RuntimeError("broken run")
        return real(scenario, seed=seed, lift=lift)

    @contextlib.contextmanager
    def threads(workers, scheduler):
        with ThreadPoolExecutor(1) as pool:
            yield pool

    monkeypatch.setattr(marketsim.studies.sweep, "run", run)
    monkeypatch.setattr(marketsim.studies.sweep, "executor_for", threads)
    return fail


def assess_with_failures(folder, failing_runs, samples_failing, runs=4):
    """Assess with the runs of ``samples_failing`` of the sampled futures failing, into a fresh folder."""
    from marketsim.studies.assess import plan_assessment

    plan = plan_assessment(folder / "s.toml", runs=runs)
    failing_runs[1:] = sorted({r.seed for r in plan.experiment.runs()})[:samples_failing]
    return invoke(folder, "assess", "{dir}/s.toml", "--runs", str(runs), "--out", f"{{dir}}/runs{samples_failing}",
                  "--quiet")


def test_5_assess_fails_when_every_run_failed(folder, failing_runs):
    done = assess_with_failures(folder, failing_runs, 4)
    assert done.exit_code == 1 and "Traceback" not in done.stderr, done.stderr
    text = " ".join(done.stderr.split())
    assert "no conclusion:" in text and "runs.parquet: no finished runs" in text and "every one failed" in text, text
    assert "best plan" not in done.stdout
    assert not (folder / "runs4" / "assessment-incremental_profit.json").exists()


def test_5_assess_concludes_from_the_futures_left_and_says_how_many_failed(folder, failing_runs):
    done = assess_with_failures(folder, failing_runs, 2)  # half the futures left: the least it concludes on
    assert done.exit_code == 0, (done.stderr, done.exception)
    assert "warning: 2 of 4 runs failed" in " ".join(done.stderr.split())
    assert "Across 2 sampled futures" in done.stdout and "(2 runs failed" in done.stdout
    assert assess_with_failures(folder, failing_runs, 3).exit_code == 1


@pytest.mark.parametrize("change, words", [
    (("population.segments.1.share", 0.0001), "population.segments[old].share: gives this segment no consumers"),
    (("network.mean_degree", 300), "network.mean_degree: 300 is more contacts than a consumer can have"),
    (("brands.0.initial", {"share": {"young": 0.4}, "awareness": {"young": 0.2}}),
     "brands[A].initial.awareness.young: 0.2 is below initial.share (0.4)"),
    (("campaigns.0.audience", {"field": "age", "min": 50, "max": 20}),
     "campaigns[ads].audience: matches no consumer of any segment: the campaign would spend its budget outside"),
    (("campaigns.0.audience", {"field": "interests", "has_any": []}), "campaigns[ads].audience: matches no consumer"),
    (("campaigns.0.audience", {"all": [{"field": "age", "max": 29}, {"field": "interests", "has_all": ["garden"]}]}),
     "campaigns[ads].audience: matches no consumer"),  # only the old garden
    (("campaigns.0.channel", "app"), "campaigns[ads].audience: matches no consumer of any segment who uses channel "
                                     "app"),  # the app's users are under 36, the audience is not
    (("channels.1.users", {"field": "region", "in": []}), "channels[app].users: matches no consumer of any segment"),
])
def test_6_meaningless_values_are_refused(folder, change, words):
    raw = raw_scenario()
    if change[0] == "campaigns.0.channel":  # an audience of 40 and over, on a channel of users under 36
        put(raw, "campaigns.0.audience", {"field": "age", "min": 40})
    (folder / "s.toml").write_text(tomli_w.dumps(put(raw, *change)))
    refused(invoke(folder, "validate", "{dir}/s.toml"), f"{folder}/s.toml: {words}")


@pytest.mark.parametrize("campaign, words", [
    ({"name": "gig", "brand": "A", "type": "event", "reach": 301},
     "campaigns[gig].reach: 301 is more people than the market holds (300): it reaches at most everyone"),
    ({"name": "free", "brand": "A", "type": "seeding", "seeds": 1000},
     "campaigns[free].seeds: 1,000 is more people than the market holds (300)"),
    ({"name": "cut", "brand": "A", "channel": "tv", "impressions": 10, "cut_to": 0.5},
     "campaigns[cut].cut_to: has no effect: on_control is 'continue', not 'cut'"),  # an experiment may switch it off
    ({"name": "quick", "brand": "A", "channel": "tv", "impressions": 10,
      "research": {"duration": 0, "alternatives": [{"name": "kids", "audience": "everyone"}]}},
     "campaigns[quick].research: panel_rate x duration is 0 consumers: no alternative audience is tested"),
])
def test_6_an_event_or_seeding_bigger_than_the_market_is_said_not_silently_clipped(folder, campaign, words):
    """A shrunk market (``--set population.size=300`` on a ready scenario) is a common quick try, so
    this is a warning naming the field, not a refusal."""
    (folder / "s.toml").write_text(tomli_w.dumps(put(raw_scenario(), "campaigns.1", campaign)))
    done = invoke(folder, "validate", "{dir}/s.toml")
    assert done.exit_code == 0, done.stderr
    assert f"warning: {folder}/s.toml: {words}" in " ".join(done.stderr.split())


def test_6_an_empty_edge_list_is_refused(folder):
    (folder / "edges.txt").write_text("# no edges\n\n")
    (folder / "s.toml").write_text(tomli_w.dumps(raw_scenario(network={"type": "file", "path": "edges.txt"})))
    refused(invoke(folder, "validate", "{dir}/s.toml"), "invalid edge list (network.path)",
            f"{folder}/edges.txt: no edges")


def test_6_pilot_counts_above_the_market_are_refused(folder):
    (folder / "pilot.csv").write_text("time,new_adopters,segment\n3,100,young\n6,100,young\n6,10,old\n")
    refused(invoke(folder, "calibrate", "{dir}/s.toml", "{dir}/pilot.csv", "--out", "{dir}/out"),
            f"{folder}/pilot.csv: new_adopters: rows 3: by these periods a brand's new adopters add up to more people "
            "than the segment")


def test_7_an_interest_named_dist_is_an_interest(folder):
    raw = put(raw_scenario(), "population.segments.0.interests", {"dist": 0.3, "sport": 0.5})
    (folder / "s.toml").write_text(tomli_w.dumps(raw))
    done = invoke(folder, "validate", "{dir}/s.toml")
    assert done.exit_code == 0, done.stderr
    assert load_scenario(folder / "s.toml").population.segments[0].interests == {"dist": 0.3, "sport": 0.5}


def test_7_a_byte_order_mark_is_accepted_in_edge_lists_and_pilots(folder):
    (folder / "edges.csv").write_bytes("\ufeff0,1\n1,2\n".encode())
    (folder / "s.toml").write_text(tomli_w.dumps(raw_scenario(network={"type": "file", "path": "edges.csv"})))
    done = invoke(folder, "validate", "{dir}/s.toml")
    assert done.exit_code == 0, done.stderr
    (folder / "pilot.csv").write_bytes("\ufefftime,new_adopters\n3,5\n".encode())
    assert read_pilot(folder / "pilot.csv", load_scenario(folder / "s.toml")).data.new_adopters.tolist() == [5]


@pytest.mark.parametrize("path, value, words", [
    ("network", {"type": LONG}, "network: 'type' must be one of 'fully_mixed'"),
    ("response.ad_effect", {"dist": LONG, "low": 0, "high": 1}, "response.ad_effect: 'dist' must be one of 'uniform'"),
])
def test_8_a_wrong_tag_is_cut_to_60_characters(folder, path, value, words):
    (folder / "s.toml").write_text(tomli_w.dumps(put(raw_scenario(), path, value)))
    text = refused(invoke(folder, "validate", "{dir}/s.toml"), words, "(422 characters)")
    assert "x" * 61 not in text


@pytest.mark.parametrize("address, words", [
    ("junk", "invalid --scheduler --scheduler takes an address such as tcp://127.0.0.1:8786, not 'junk'"),
    ("tcp://10.1.2.3:8786", "cannot run the assessment cannot reach the Dask scheduler at tcp://10.1.2.3:8786"),
])
def test_assess_checks_its_scheduler_before_writing_anything(folder, monkeypatch, address, words):
    """Found by the command-line fuzz test: assess took its folder's lock (making the folder) first."""
    import distributed

    def unreachable(address, timeout=None):
        raise TimeoutError

    monkeypatch.setattr(distributed, "Client", unreachable)
    refused(invoke(folder, "assess", "{dir}/s.toml", "--runs", "2", "--scheduler", address, "--out", "{dir}/out",
                   "--quiet"), words)
