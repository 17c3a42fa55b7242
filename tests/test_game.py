"""The class market game's engine (marketsim/studies/game.py): decisions kept apart and checked, periods
that later decisions cannot touch, the money and prices decided, surveys, the leaderboard, replay."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest

from marketsim.scenario.game import GameSpec
from marketsim.scenario.schema import ScenarioError
from marketsim.studies.game import Game

MARKET = {
    "name": "classroom_market",
    "time": {"dt": 1, "horizon": 10},
    "population": {"size": 3000, "segments": [
        {"name": "young", "share": 0.4, "age": {"min": 16, "max": 29}, "interests": {"sport": 0.7}},
        {"name": "old", "share": 0.6, "age": {"min": 50, "max": 80}, "interests": {"garden": 0.7}},
    ]},
    "network": {"type": "fully_mixed"},
    "response": {"ad_effect": 0.05},
    "channels": [{"name": "tv", "cpm": 10.0}, {"name": "social", "cpm": 8.0, "targeting_premium": 0.5}],
    "brands": [
        {"name": "Zest", "price": 4.0, "margin": 0.4, "purchase_rate": 0.1, "fit": {"young": 0.9, "old": 0.3}},
        {"name": "Plain", "price": 3.0, "margin": 0.3, "purchase_rate": 0.1, "default_fit": 0.5},
        {"name": "Rival", "price": 3.5, "margin": 0.3, "purchase_rate": 0.1, "default_fit": 0.5},
    ],
    "campaigns": [{"name": "rival_tv", "brand": "Rival", "channel": "tv", "spend_rate": 100.0},
                  {"name": "zest_written", "brand": "Zest", "channel": "tv", "spend_rate": 1000.0}],
}
GAME = {"name": "class", "market": "market.toml", "periods": 3, "period_length": 20, "budget_per_period": 3000,
        "micro_channel": "social", "macro_channel": "tv", "research_cost": 500, "panel": 400,
        "teams": [{"name": "red", "brand": "Zest"}, {"name": "blue", "brand": "Plain"}]}
YOUNG = {"field": "age", "max": 29}
RED = {"micro_money": 2000, "micro_audience": YOUNG, "micro_relevance": 0.9, "macro_money": 500}
BLUE = {"macro_money": 2500, "price": 2.5}


def new_game(seed: int = 5, **changes) -> Game:
    return Game(GameSpec.model_validate({**GAME, **changes}), copy.deepcopy(MARKET), seed)


def played(decisions: list[dict], seed: int = 5) -> Game:
    """A game with each period's decisions (team -> fields) submitted and the period closed."""
    game = new_game(seed)
    for period in decisions:
        for team, fields in period.items():
            game.submit(team, fields)
        game.close_period()
    return game


def same(a, b) -> bool:
    """Equal as JSON, NaN included."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_a_later_period_cannot_change_what_was_reported_before_it():
    """Closing period 2 runs the market from the start: periods before it come out bit for bit as reported,
    whatever is decided for period 2, and the market up to period 1's end is the same run."""
    first = {"red": RED, "blue": BLUE}
    a = played([first, {"red": {"macro_money": 3000}, "blue": {"micro_money": 2000, "micro_audience": YOUNG}}])
    b = played([first, {"red": {"micro_money": 100}, "blue": {"price": 6.0}}])
    assert same(a.reports[0], b.reports[0])
    assert not same(a.reports[1], b.reports[1])
    one = a.run(1).recorder
    for game in (a, b):
        rec = game.run(2).recorder
        for k, v in one.data.items():
            assert np.array_equal(v[:21], rec.data[k][:21]), k


def test_the_market_goes_on_from_period_to_period_as_the_whole_game_run_from_the_start():
    """Closing a period replans the running market (its campaigns for the period, the prices to come): the
    result is the game's scenario through that period run from the start, bit for bit, with a price change,
    a team that keeps its decisions, a survey and money moved between kinds."""
    game = played([{"red": RED, "blue": BLUE}, {"red": {**RED, "macro_money": 0, "survey": YOUNG}},
                   {"blue": {"micro_money": 2500, "micro_audience": {"field": "age", "min": 50}, "price": 3.5}}])
    fresh = game.run(3).recorder
    live = game.model.recorder
    for k, v in fresh.data.items():
        assert np.array_equal(v, live.data[k]), k
    assert np.array_equal(fresh.held, live.held) and np.array_equal(fresh.spend, live.spend)
    assert game.reports[2]["blue"]["price"] == 3.5 and game.reports[2]["blue"]["spend"] > 0.9 * 2500


def test_a_running_market_refuses_a_plan_that_rewrites_what_already_ran():
    from marketsim.market.model import MarketModel

    game = played([{"red": RED}])
    model = game.model
    started = {"red-01-micro"}
    with pytest.raises(ValueError, match="too late"):
        model.replan(game.scenario(1, {("red", 0): game.decision("red", 0).model_copy(update={"micro_money": 5.0})}),
                     started)
    past_price = game.scenario(2, {("red", 0): game.decision("red", 0).model_copy(update={"price": 5.0})})
    with pytest.raises(ValueError, match="only the named campaigns"):
        model.replan(past_price, {"red-02-micro"})
    assert isinstance(model, MarketModel)
    game.submit("blue", BLUE)  # the refused plans left the market as it was
    game.close_period()
    assert same(game.reports, played([{"red": RED}, {"blue": BLUE}]).reports)


def test_a_game_replays_bit_for_bit_from_its_export():
    game = played([{"red": RED, "blue": BLUE}, {"red": {**RED, "survey": YOUNG}}])
    game.submit("blue", {"macro_money": 1000})  # the open period's decision so far
    exported = json.loads(json.dumps(game.export()))  # as a file would hold it
    again = Game.replay(exported)
    assert again.closed == 2 and same(again.reports, game.reports)
    assert again.decisions == game.decisions


def test_the_money_decided_is_spent_on_the_period_and_no_more():
    game = played([{"red": RED, "blue": BLUE}])
    red, blue = game.reports[0]["red"], game.reports[0]["blue"]
    assert 0.9 * 2500 <= red["spend"] <= 2500 + 1e-6
    assert 0.9 * 2500 <= blue["spend"] <= 2500 + 1e-6
    assert red["profit"] == pytest.approx(red["margin"] - red["spend"], rel=1e-12)
    assert red["new_customers_paid"] > 0


def test_a_team_that_does_not_submit_keeps_its_decisions():
    game = played([{"red": RED, "blue": BLUE}, {}])
    assert game.decision("red", 1) == game.decision("red", 0)
    assert 0.9 * 2500 <= game.reports[1]["red"]["spend"] <= 2500 + 1e-6
    assert game.reports[1]["blue"]["price"] == 2.5


def test_the_price_a_team_sets_is_what_its_buyers_pay_from_that_period():
    game = played([{"blue": {"macro_money": 2000}}, {"blue": {"macro_money": 2000, "price": 4.5}}])
    first, second = game.reports[0]["blue"], game.reports[1]["blue"]
    assert first["price"] == 3.0 and second["price"] == 4.5
    assert first["revenue"] > 0 and second["revenue"] > 0
    rec = game.run(2).recorder
    purchases = rec.data["purchases"][:, 1].sum(axis=1)
    revenue = rec.data["revenue"][:, 1].sum(axis=1)
    bought = purchases > 0
    per_purchase = revenue[bought] / purchases[bought]
    steps = np.flatnonzero(bought)
    assert per_purchase[steps <= 20] == pytest.approx(3.0) and per_purchase[steps > 20] == pytest.approx(4.5)


def test_only_the_teams_brands_lose_their_written_campaigns():
    sc = new_game().scenario(1)
    names = [c.name for c in sc.campaigns]
    assert "rival_tv" in names and "zest_written" not in names
    assert sum(c.brand == "Zest" for c in sc.campaigns) == 3 * GAME["periods"]  # micro, macro, samples


def test_a_survey_answers_what_its_audience_thinks_of_the_brand():
    """Each panel member says yes with probability its true fit: the answer is near the audience's mean fit,
    and the same on every replay."""
    game = played([{"red": {"survey": YOUNG}}])
    answer = game.reports[0]["red"]["survey"]
    assert answer["asked"] == 400
    model = game.run(1)
    young = model.population.age <= 29
    truth = model.state.fit[0, young].mean()
    assert abs(answer["would_buy"] - truth) <= 5 * math.sqrt(truth * (1 - truth) / 400)
    assert game.reports[0]["red"]["research"] == 500 and game.reports[0]["blue"]["survey"] is None
    assert same(played([{"red": {"survey": YOUNG}}]).reports, game.reports)


def test_the_leaderboard_ranks_the_teams_by_the_chosen_result():
    game = played([{"red": RED, "blue": BLUE}])
    model = game.model  # customer equity as the run summary defines it, of the market as the period left it
    summary = model.recorder.summary(model.scenario_spec, model.buying.own_purchases, now=model.steps)
    assert game.reports[0]["red"]["customer_equity"] == summary["Zest"]["customer_equity"] > 0
    for metric, key in (("profit", "profit_so_far"), ("share", "share"), ("customers", "customers"),
                        ("customer_equity", "customer_equity")):
        board = game.leaderboard(metric)
        values = [game.reports[-1][team][key] for team, _ in board]
        assert values == sorted(values, reverse=True) and {t for t, _ in board} == {"red", "blue"}
    with pytest.raises(ValueError, match="unknown metric"):
        game.leaderboard("fun")


@pytest.mark.parametrize("team, fields, field", [
    ("green", RED, "team"),
    ("red", {"micro_money": 2800, "macro_money": 300}, "micro_money"),
    ("red", {"macro_money": 2600, "survey": YOUNG}, "micro_money"),
    ("red", {"macro_money": 2000, "samples": 500}, "micro_money"),  # 500 samples at 2.4 each
    ("red", {"samples": -1}, "samples"),
    ("red", {"samples": 10, "samples_to": "friends"}, "samples_to"),
    ("red", {"samples": 10, "samples_to": "degree"}, "samples_to"),  # a fully mixed market has no one better linked
    ("red", {"samples": 10, "micro_audience": {"field": "age", "min": 90}}, "micro_audience"),
    ("red", {"survey": {"field": "interests", "has_any": ["chess"]}}, "survey"),  # no such interest
    ("red", {"survey": {"all": [{"field": "age", "max": 29}, {"field": "age", "min": 50}]}}, "survey"),  # nobody
    ("red", {"micro_money": -1}, "micro_money"),
    ("red", {"price": 9.0}, "price"),
    ("red", {"price": 1.0}, "price"),
    ("red", {"micro_money": 10, "micro_audience": {"field": "age", "min": 90}}, "micro_audience"),
    ("red", {"micro_money": "lots"}, "micro_money"),
    ("red", {"budget": 5}, "budget"),
    ("red", ["micro_money"], ""),
])
def test_a_bad_submission_is_refused_by_name_and_changes_nothing(team, fields, field):
    game = played([{"red": RED}])
    before = dict(game.decisions)
    with pytest.raises(ScenarioError) as refused:
        game.submit(team, fields)
    assert any(path.startswith(field) for path, _ in refused.value.problems), refused.value.problems
    assert game.decisions == before


def test_nothing_is_submitted_or_closed_after_the_last_period():
    game = played([{}, {}, {}])
    with pytest.raises(ScenarioError, match="game is over"):
        game.submit("red", RED)
    with pytest.raises(ScenarioError, match="game is over"):
        game.close_period()
    assert game.closed == 3


@pytest.mark.parametrize("changes, field", [
    ({"teams": [{"name": "red", "brand": "Nope"}]}, "teams[red].brand"),
    ({"micro_channel": "radio"}, "micro_channel"),
    ({"period_length": 2.5}, "period_length"),
])
def test_a_game_that_does_not_fit_its_market_is_refused_by_name(changes, field):
    with pytest.raises(ScenarioError) as refused:
        new_game(**changes)
    assert [path for path, _ in refused.value.problems] == [field]


def test_two_teams_cannot_share_a_brand():
    with pytest.raises(Exception, match="one brand"):
        GameSpec.model_validate({**GAME, "teams": [{"name": "a", "brand": "Zest"}, {"name": "b", "brand": "Zest"}]})


def test_a_restarted_server_resumes_the_game_where_it_stopped(tmp_path):
    """The SQLite file is written at each submission and period: opened again (a new process would do the
    same), it gives back every report and the open period's decisions; codes tell teams apart."""
    from marketsim.studies.game_store import GameStore

    path = tmp_path / "class.sqlite"
    store = GameStore.create(path, new_game())
    code = {team: c for c, team in store.codes.items()}
    assert len(set(store.codes)) == 2 and all(len(c) == 6 for c in store.codes)
    assert store.teacher not in store.codes and store.is_teacher(store.teacher.lower())
    assert not store.is_teacher(code["red"])
    store.submit(code["red"], RED)
    store.submit(code["blue"].lower(), BLUE)  # codes are read in any case
    store.close_period()
    store.submit(code["red"], {**RED, "survey": YOUNG})
    with pytest.raises(ScenarioError, match="no team has this code"):
        store.submit("ZZZZZZ", RED)
    with pytest.raises(ScenarioError, match="price"):
        store.submit(code["blue"], {"price": 100.0})
    resumed = GameStore.open(path)
    assert resumed.codes == store.codes and resumed.teacher == store.teacher and resumed.game.closed == 1
    assert resumed.game.decisions == store.game.decisions  # the refused ones were never written
    assert same(resumed.game.reports, store.game.reports)
    resumed.close_period()
    store.close_period()
    assert same(GameStore.open(path).game.reports, store.game.reports)
    with pytest.raises(ScenarioError, match="already exists"):
        GameStore.create(path, new_game())


def test_a_file_that_is_no_game_is_refused_by_name(tmp_path):
    from marketsim.studies.game_store import GameStore

    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    for path in (junk, tmp_path / "missing.sqlite"):
        with pytest.raises(ScenarioError) as refused:
            GameStore.open(path)
        assert str(path) in str(refused.value)


def test_the_debrief_says_what_each_kind_of_money_bought_on_common_random_numbers():
    """Lift: the game as played against the same game without the team's micro (or macro) money, every
    other draw the same: money a team never spent bought exactly nothing, money it spent bought customers."""
    from marketsim.studies.game import _run_totals, _totals

    game = played([{"red": RED, "blue": {"price": 2.5}}, {}])
    blue_micro = game.lift("blue", "micro")  # blue never spent on micro: nothing to take out
    assert blue_micro == {"customers": 0, "margin": 0.0, "spend": 0.0, "profit": 0.0}
    # ... which is what taking it out gives: the game as played, bit for bit
    assert _run_totals(game.scenario(2), game.seed, 40, "Plain") == _totals(game.model, "Plain")
    red_micro = game.lift("red", "micro")
    assert red_micro["customers"] > 0 and red_micro["margin"] > 0
    assert 0.9 * 2 * 2000 <= red_micro["spend"] <= 2 * 2000 + 1e-6  # two periods of 2,000
    assert red_micro["profit"] == pytest.approx(red_micro["margin"] - red_micro["spend"], rel=1e-12)
    debrief = game.debrief(workers=2)
    assert same(debrief, game.debrief(workers=1))  # the same on any number of processes
    assert [p["decision"]["micro_money"] for p in debrief["red"]["periods"]] == [2000, 2000]
    assert same(debrief["red"]["lift"]["micro"], red_micro)
    assert debrief["blue"]["periods"][1]["price"] == 2.5
    with pytest.raises(ValueError, match="unknown slot"):
        game.lift("red", "mega")


@pytest.mark.parametrize("name", ["launch", "niches"])
def test_the_ready_games_play_a_period_with_four_teams(name):
    """docs/game.md's ready games: their market is a valid scenario, four teams each run a brand, and a
    period's targeted money wins the targeted team customers among those it aims at."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "scenarios" / "games"
    game = Game.load(folder / f"{name}.toml", seed=2)
    assert len(game.spec.teams) == 4 and game.spec.budget_per_period > 0
    young = {"field": "age", "max": 25}
    game.submit(game.spec.teams[0].name, {"micro_money": 6000, "micro_audience": young, "micro_relevance": 0.9})
    game.submit(game.spec.teams[1].name, {"macro_money": 6000})
    report = game.close_period()
    assert set(report) == {t.name for t in game.spec.teams}
    targeted, broad, idle = (report[t.name] for t in game.spec.teams[:3])
    assert targeted["new_customers_paid"] > 0 and broad["new_customers_paid"] > 0
    assert idle["spend"] == 0 and idle["new_customers_paid"] == 0
    model = game.model
    aimed = model.population.age <= 25
    customers = model.state.current
    brands = [b.name for b in model.scenario_spec.brands]
    first, second = brands.index(game.spec.teams[0].brand), brands.index(game.spec.teams[1].brand)
    assert (customers[aimed] == first).sum() > (customers[aimed] == second).sum()


def game_files(folder, **changes):
    """A game file and its market in ``folder``: the GAME above over the MARKET above, with ``changes``."""
    import tomli_w

    (folder / "market.toml").write_text(tomli_w.dumps(MARKET), encoding="utf-8")
    path = folder / "class.toml"
    path.write_text(tomli_w.dumps({**GAME, **changes}), encoding="utf-8")
    return path


@pytest.mark.parametrize("changes, words", [
    ({"periods": 0}, "periods"),
    ({"teams": [{"name": "red", "brand": "Nope"}]}, "teams[red].brand"),
    ({"market": "missing.toml"}, "file not found"),
    ({"budget_per_period": "lots"}, "budget_per_period"),
])
def test_the_game_command_refuses_a_bad_game_by_name_and_writes_nothing(tmp_path, monkeypatch, changes, words):
    from typer.testing import CliRunner

    from marketsim.cli import app

    path = game_files(tmp_path, **changes)
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    done = CliRunner().invoke(app, ["game", str(path), "--no-open"])
    assert done.exit_code == 2 and words in done.output, done.output
    assert set(tmp_path.iterdir()) == before


def test_the_game_command_starts_a_game_then_resumes_it_and_refuses_another_games_file(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import marketsim.dashboard.server as server
    from marketsim.cli import app
    from marketsim.studies.game_store import GameStore

    served = []
    monkeypatch.setattr(server, "serve_app", lambda *args: served.append(args))
    monkeypatch.chdir(tmp_path)
    path = game_files(tmp_path)
    done = CliRunner().invoke(app, ["game", str(path), "--no-open", "--port", "9001", "--seed", "3"])
    assert done.exit_code == 0, done.output
    store = GameStore.open(tmp_path / "class.sqlite")  # named after the game
    assert store.game.seed == 3 and f"teacher's code: {store.teacher}" in done.output
    assert all(f"team {team}: {code}" in done.output for code, team in store.codes.items())
    app_name, env, host, port = served[0][:4]
    assert (app_name, host, port) == (server.GAME_APP, "127.0.0.1", 9001)
    assert env == {server.GAME_STORE_ENV: str((tmp_path / "class.sqlite").resolve())}
    again = CliRunner().invoke(app, ["game", str(path), "--no-open"])
    assert again.exit_code == 0 and "resuming class" in again.output
    assert GameStore.open(tmp_path / "class.sqlite").teacher == store.teacher
    other = game_files(tmp_path, name="other")
    refused = CliRunner().invoke(app, ["game", str(other), "--no-open", "--store", "class.sqlite"])
    assert refused.exit_code == 2 and "holds the game 'class'" in refused.output


def test_a_decision_made_for_a_period_the_teacher_has_closed_is_refused():
    """A team's page submits for the period it showed: once the teacher has closed it, the decision would
    land in the next period unseen, so it is refused and nothing changes."""
    game = played([{"red": RED}])
    with pytest.raises(ScenarioError, match="this period is closed: period 2 is open now"):
        game.submit("red", {"macro_money": 100}, period=0)
    with pytest.raises(ScenarioError, match="not open yet"):
        game.submit("red", {"macro_money": 100}, period=2)
    assert ("red", 1) not in game.decisions
    game.submit("red", {"macro_money": 100}, period=1)
    assert game.decisions[("red", 1)].macro_money == 100


def test_a_replayed_period_gives_its_report_again_or_a_new_one_for_new_decisions(tmp_path):
    """The teacher replays the last period: closing it again with the same decisions gives the same report,
    bit for bit; with a team's decision changed, that period changes and the ones before it do not; the
    game file keeps the replay."""
    from marketsim.studies.game_store import GameStore

    game = played([{"red": RED, "blue": BLUE}, {"red": {"macro_money": 1000}}])
    reports = copy.deepcopy(game.reports)
    game.reopen()
    assert game.closed == 1 and len(game.reports) == 1
    game.close_period()
    assert same(game.reports, reports)
    game.reopen()
    game.submit("red", {"macro_money": 3000})
    game.close_period()
    assert same(game.reports[0], reports[0]) and not same(game.reports[1], reports[1])
    fresh = played([{"red": RED, "blue": BLUE}, {"red": {"macro_money": 3000}}])
    assert same(fresh.reports, game.reports)
    one = new_game()
    with pytest.raises(ScenarioError, match="no period is closed"):
        one.reopen()
    store = GameStore.create(tmp_path / "g.sqlite", new_game())
    store.close_period()
    store.reopen()
    assert GameStore.open(tmp_path / "g.sqlite").game.closed == 0


def test_free_samples_go_to_the_targeted_audience_cost_the_product_and_win_customers():
    """docs/game.md: samples to the targeted campaign's audience (most kept: a sample converts with the
    consumer's fit), at the brand's unit cost each (4.0 x 0.6); what they bought is their lift, on common
    random numbers."""
    game = played([{"red": {"samples": 300, "micro_audience": YOUNG}},
                   {"blue": {"samples": 200}}])
    first = game.reports[0]["red"]
    assert first["spend"] == pytest.approx(300 * 2.4, rel=1e-9)
    seeded = game.run(1).recorder.data["seeded"][:, 0].sum(axis=0)  # samples kept, by segment (young, old)
    assert 0.8 * 300 <= seeded[0] <= 300 and seeded[1] == 0  # none outside the audience
    lift = game.lift("red", "samples")
    assert lift["customers"] > 0 and lift["spend"] == pytest.approx(2 * 300 * 2.4, rel=1e-9)  # kept for period 2
    assert game.reports[1]["blue"]["spend"] == pytest.approx(200 * 3.0 * (1 - 0.3), rel=1e-9)

