"""The class market game (docs/game.md): teams run competing brands in one market, period by period.

Each period a team decides its brand's money for a targeted (micro) and a broad (macro) campaign, the
targeted campaign's audience and message, free samples, its price and a survey to buy. A game is a
scenario: the market file with, for every team and period, a micro and a macro campaign running over
that period and a seeding campaign at its start (money 0 until decided), and the team's prices as
``price_changes``. Every campaign of every period exists from the start, so each keeps its own random
stream whatever is decided later, and draws nothing before it starts: closing period k gives that
period's campaigns their decided plans in the running market (``MarketModel.replan``) and runs it to
the period's end, which is the game's scenario through period k run from the start, bit for bit (``run``
does that, for tests and counterfactuals). The whole game replays bit for bit from its definition, its
seed and its decisions (``export``, ``replay``).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from ..market.model import MarketModel
from ..scenario.audience import can_match, matches
from ..scenario.checks import undefined_in_rule
from ..scenario.errors import validation_problems
from ..scenario.game import Decision, GameSpec, load_game
from ..scenario.loading import read_toml, scenario_from_dict
from ..scenario.schema import Scenario, ScenarioError
from .pool import process_pool

SLOTS = ("micro", "macro", "samples")  # the kinds of money a team spends, each a campaign per period
SPENT_BY = {"micro": "micro_money", "macro": "macro_money", "samples": "samples"}  # the decision's field
SURVEY_STREAM = 1  # the spawn key's first entry for survey panels: (SURVEY_STREAM, team, period)
LEADERBOARD = {"profit": "profit so far (money)", "customer_equity": "customer equity (money)",
               "share": "share of the market's buying", "customers": "customers (people)"}


def slot_name(team: str, period: int, slot: str) -> str:
    """The campaign a team's ``slot`` money buys in ``period`` (0-based)."""
    return f"{team}-{period + 1:02d}-{slot}"


class Game:
    """A game's definition, its decisions so far and the reports of its closed periods."""

    def __init__(self, spec: GameSpec, market: dict, seed: int, source: str = "<game>"):
        self.spec, self.market, self.seed, self.source = spec, market, seed, source
        base = scenario_from_dict(copy.deepcopy(market), source)
        problems = [(f"teams[{t.name}].brand", f"no brand '{t.brand}' in the market")
                    for t in spec.teams if t.brand not in {b.name for b in base.brands}]
        problems += [(field, f"no channel '{name}' in the market")
                     for field, name in (("micro_channel", spec.micro_channel), ("macro_channel", spec.macro_channel))
                     if name not in {c.name for c in base.channels}]
        steps = spec.period_length / base.time.dt
        if abs(steps - round(steps)) > 1e-9:
            problems.append(("period_length", f"must be a whole number of the market's steps (dt = {base.time.dt:g})"))
        if problems:
            raise ScenarioError(source, problems)
        self.steps_per_period = round(steps)
        self.base = base  # the market as written, for checks of a decision's audiences
        self.list_price = {t.name: base.brand(t.brand).price for t in spec.teams}
        self.sample_cost = {t.name: base.brand(t.brand).unit_cost for t in spec.teams}  # a free product costs this
        self.decisions: dict[tuple[str, int], Decision] = {}  # (team, period) -> what it submitted
        self.closed = 0  # periods whose market has run; the open period is this one (0-based)
        self.reports: list[dict] = []  # per closed period: team -> its report
        self.model: MarketModel | None = None  # the market as the last closed period left it

    @classmethod
    def load(cls, path: str | Path, seed: int) -> Game:
        """A game file and its market scenario (beside it), checked; ScenarioError names the file and field."""
        path = Path(path)
        spec = load_game(path)
        market = path.parent / spec.market
        _, raw = read_toml(market)
        net = raw.get("network")
        if isinstance(net, dict) and isinstance(net.get("path"), str):  # kept absolute: a game is stored whole
            net["path"] = str((market.parent / net["path"]).resolve())
        return cls(spec, raw, seed, str(path))

    # --- decisions ------------------------------------------------------------------------
    def team(self, name: str):
        return next((t for t in self.spec.teams if t.name == name), None)

    def decision(self, team: str, period: int, decisions: dict | None = None) -> Decision:
        """What the team decided for ``period``; a team that did not submit keeps its last decisions."""
        decisions = self.decisions if decisions is None else decisions
        for k in range(period, -1, -1):
            if (team, k) in decisions:
                return decisions[(team, k)]
        return Decision()

    def price(self, team: str, period: int, decisions: dict | None = None) -> float:
        """The team's price in ``period``: the last it set, else its brand's list price."""
        decisions = self.decisions if decisions is None else decisions
        for k in range(period, -1, -1):
            d = decisions.get((team, k))
            if d is not None and d.price is not None:
                return d.price
        return self.list_price[team]

    def check(self, team: str, fields: dict, period: int | None = None) -> Decision:
        """A submission for the open period (``period``, 0-based, when the team made it for a given one),
        validated; ScenarioError (naming the team, the period and the field) for an unknown team, a finished
        game, a period closed meanwhile, a field out of range, money over the budget, a price outside the
        allowed range or an audience nobody in the market matches. Changes nothing."""
        if self.team(team) is None:
            raise ScenarioError(self.source, [("team", "no such team in this game")])
        if self.closed >= self.spec.periods:
            raise ScenarioError(f"{self.source}: team {team}",
                                [("", f"the game is over: all {self.spec.periods} periods are closed")])
        if period is not None and period != self.closed:
            raise ScenarioError(f"{self.source}: team {team}, period {period + 1}",
                                [("", f"this period is closed: period {self.closed + 1} is open now")
                                 if period < self.closed else ("", "this period is not open yet")])
        period = self.closed
        source = f"{self.source}: team {team}, period {period + 1}"
        if not isinstance(fields, dict):
            raise ScenarioError(source, [("", "a decision is a table of fields")])
        try:
            decision = Decision.model_validate(fields)
        except ValidationError as exc:
            raise ScenarioError(source, validation_problems(fields, exc)) from None
        spec, problems = self.spec, []
        spent = decision.micro_money + decision.macro_money + decision.samples * self.sample_cost[team] \
            + (spec.research_cost if decision.survey else 0.0)
        if spent > spec.budget_per_period:
            problems.append(("micro_money", f"micro, macro, samples and survey come to {spent:,.2f}, over the "
                                            f"period's budget of {spec.budget_per_period:,.2f}"))
        if decision.survey is not None:
            undefined = undefined_in_rule(self.base, "survey", decision.survey)
            problems += undefined or ([] if can_match(self.base, [decision.survey]) else [
                ("survey", "matches no consumer of any segment: nobody to ask (check ages and interests against "
                           "the market)")])
        if decision.price is not None:
            low, high = spec.lowest_price * self.list_price[team], spec.highest_price * self.list_price[team]
            if not low <= decision.price <= high:
                problems.append(("price", f"must be from {low:,.2f} to {high:,.2f}"))
        if problems:
            raise ScenarioError(source, problems)
        try:  # the market's own checks, on the game as it would stand (an audience nobody matches)
            self.scenario(period + 1, {**self.decisions, (team, period): decision})
        except ScenarioError as exc:
            raise ScenarioError(source, [(self._field_of(path), msg) for path, msg in exc.problems]) from None
        return decision

    @staticmethod
    def _field_of(path: str) -> str:
        """A decision's field for a problem the market's checks found in one of its campaigns."""
        for slot in SLOTS:
            if f"-{slot}]" in path:
                field = path.rsplit(".", 1)[-1]
                if field == "audience":  # the samples go to the targeted campaign's audience
                    return "micro_audience"
                if slot == "samples":
                    return "samples_to" if field == "seed_by" else "samples"
                return f"{slot}_{field}"
        return path

    def submit(self, team: str, fields: dict, period: int | None = None) -> Decision:
        """Keep a team's decision for the open period (replacing an earlier one), once it passes ``check``."""
        decision = self.check(team, fields, period)
        self.decisions[(team, self.closed)] = decision
        return decision

    # --- the market -----------------------------------------------------------------------
    def scenario(self, through: int, decisions: dict | None = None) -> Scenario:
        """The game's market with the decisions (``decisions``, else those kept) of the periods before
        ``through``; later periods spend nothing."""
        return scenario_from_dict(self._raw(through, self.decisions if decisions is None else decisions),
                                  self.source)

    def _raw(self, through: int, decisions: dict) -> dict:
        spec, length = self.spec, self.spec.period_length
        raw = copy.deepcopy(self.market)
        raw.setdefault("time", {})["horizon"] = spec.periods * length
        playing = {t.brand: t.name for t in spec.teams}
        raw["campaigns"] = [c for c in raw.get("campaigns", []) if c.get("brand") not in playing]
        for brand in raw["brands"]:
            team = playing.get(brand.get("name"))
            if team is None:
                continue
            brand["budget"] = math.inf  # each campaign's money is its cap
            changes, price = [], self.list_price[team]
            for k in range(through):
                if self.price(team, k, decisions) != price:
                    price = self.price(team, k, decisions)
                    changes.append({"at": k * length, "price": price})
            brand["price_changes"] = changes
        for k in range(spec.periods):
            for team in spec.teams:
                d = self.decision(team.name, k, decisions) if k < through else Decision()
                slots = {"micro": (spec.micro_channel, d.micro_audience, d.micro_money, d.micro_relevance),
                         "macro": (spec.macro_channel, "everyone", d.macro_money, None)}
                for slot, (channel, audience, money, relevance) in slots.items():
                    campaign = {"name": slot_name(team.name, k, slot), "brand": team.brand, "channel": channel,
                                "audience": _rule(audience), "start": k * length, "end": (k + 1) * length,
                                "spend_rate": money / length, "budget": money}
                    if relevance is not None:
                        campaign["relevance"] = relevance
                    raw["campaigns"].append(campaign)
                # free samples at the period's start; none decided: a campaign with the money for none
                raw["campaigns"].append({"name": slot_name(team.name, k, "samples"), "brand": team.brand,
                                         "type": "seeding", "audience": _rule(d.micro_audience), "start": k * length,
                                         "seeds": max(d.samples, 1), "seed_by": d.samples_to,
                                         "budget": d.samples * self.sample_cost[team.name]})
        return raw

    def run(self, through: int, decisions: dict | None = None) -> MarketModel:
        """The market stepped from the start to the end of period ``through`` (a count of periods), with
        ``decisions`` (else those kept)."""
        return _stepped(self.scenario(through, decisions), self.seed, through * self.steps_per_period)

    def close_period(self) -> dict:
        """Run the open period and report on it. The market goes on from where the last period left it,
        its campaigns for this period put to the plans decided (``MarketModel.replan``): the same run, bit
        for bit, as the game's scenario through this period run from the start (``run``)."""
        if self.closed >= self.spec.periods:
            raise ScenarioError(self.source, [("", f"the game is over: all {self.spec.periods} periods are closed")])
        through = self.closed + 1
        scenario = self.scenario(through)
        if self.model is None:
            self.model = MarketModel(scenario, rng=self.seed)
        else:
            self.model.replan(scenario, {slot_name(t.name, self.closed, s) for t in self.spec.teams for s in SLOTS})
        while self.model.steps < through * self.steps_per_period:
            self.model.step()
        self.reports.append(self._reports(self.model, self.closed))
        self.closed = through
        return self.reports[-1]

    def reopen(self) -> None:
        """Open the last closed period again (the teacher replays it): its report goes, the decisions made for
        it stay and may change, and the market is back at the period's start (the game through the periods
        before it, run from the start). Closing it again gives the same report for the same decisions."""
        if self.closed == 0:
            raise ScenarioError(self.source, [("", "no period is closed yet")])
        self.closed -= 1
        self.reports.pop()
        self.model = self.run(self.closed) if self.closed else None

    # --- reports --------------------------------------------------------------------------
    def _reports(self, model: MarketModel, period: int) -> dict:
        rec, sc = model.recorder, model.scenario_spec
        people = rec.people_per_consumer
        first, last = period * self.steps_per_period + 1, (period + 1) * self.steps_per_period
        during = slice(first, last + 1)
        share = rec.share(last, overall=True)  # (brands, segments + all)
        summary = rec.summary(sc, model.buying.own_purchases, now=last)  # in people and money already
        brands = [b.name for b in sc.brands]
        out = {}
        for t, team in enumerate(self.spec.teams):
            b = brands.index(team.brand)
            d = self.decision(team.name, period)
            spend = float(rec.spend[during, b].sum()) * people
            research = self.spec.research_cost if d.survey else 0.0
            margin = float(rec.data["margin"][during, b].sum()) * people
            new_paid = int(rec.data["new_paid"][during, b].sum()) * people
            new_wom = int(rec.data["new_wom"][during, b].sum()) * people
            earlier = self.reports[period - 1][team.name]["profit_so_far"] if period else 0.0
            out[team.name] = {
                "period": period + 1,
                "brand": team.brand,
                "price": self.price(team.name, period),
                "customers": int(rec.data["customer"][last, b].sum()) * people,
                "share": float(share[b, -1]),
                "share_by_segment": {s: float(share[b, k]) for k, s in enumerate(sc.segment_names)},
                "controls": [s for k, s in enumerate(sc.segment_names) if rec.controlled(last)[b, k]],
                "new_customers_paid": new_paid,
                "new_customers_wom": new_wom,
                "wom_share": new_wom / (new_paid + new_wom) if new_paid + new_wom else math.nan,
                "spend": spend,
                "research": research,
                "cac": (spend + research) / (new_paid + new_wom) if new_paid + new_wom else math.nan,
                "revenue": float(rec.data["revenue"][during, b].sum()) * people,
                "margin": margin,
                "profit": margin - spend - research,
                "profit_so_far": earlier + margin - spend - research,
                # the customers held, valued at their expected discounted repeat purchases (docs/outputs.md)
                "customer_equity": summary[team.brand]["customer_equity"],
                # rivals as a market research firm reports them: their share of the market's buying, to the percent
                "rivals": {name: round(float(share[k, -1]), 2) for k, name in enumerate(brands) if k != b},
                "survey": self._survey(model, t, b, period, d),
            }
        return out

    def _survey(self, model: MarketModel, t: int, b: int, period: int, d: Decision) -> dict | None:
        """A panel of the surveyed audience, each saying they would buy with probability its true fit (as
        a campaign's research does), from a stream of its own: (seed, team, period)."""
        if d.survey is None:
            return None
        reachable = np.flatnonzero(matches(d.survey, model.population))
        if reachable.size == 0:
            return {"asked": 0, "would_buy": math.nan}
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(SURVEY_STREAM, t, period)))
        panel = rng.choice(reachable, size=self.spec.panel, replace=True)
        yes = rng.random(panel.size) < model.state.fit[b, panel]
        return {"asked": int(panel.size), "would_buy": float(yes.mean())}

    def leaderboard(self, metric: str = "profit") -> list[tuple[str, float]]:
        """Teams by ``metric`` (LEADERBOARD) at the last closed period, best first, ties by name."""
        if metric not in LEADERBOARD:
            raise ValueError(f"unknown metric '{metric}': one of {', '.join(LEADERBOARD)}")
        if not self.reports:
            return []
        key = "profit_so_far" if metric == "profit" else metric
        last = self.reports[-1]
        return sorted(((name, last[name][key]) for name in last), key=lambda x: (-x[1], x[0]))

    # --- the debrief ----------------------------------------------------------------------
    def _without(self, team: str, slot: str) -> Scenario | None:
        """The game through its closed periods without the team's ``slot`` money (prices as played), or
        None when the team never put money there."""
        if slot not in SLOTS:
            raise ValueError(f"unknown slot '{slot}': one of {', '.join(SLOTS)}")
        without = {key: d for key, d in self.decisions.items() if key[0] != team}
        for k in range(self.closed):
            d = self.decision(team, k)
            without[(team, k)] = d.model_copy(update={SPENT_BY[slot]: 0, "price": self.price(team, k)})
        spent = any(getattr(self.decision(team, k), SPENT_BY[slot]) > 0 for k in range(self.closed))
        return self.scenario(self.closed, without) if spent else None

    def lift(self, team: str, slot: str) -> dict:
        """What the team's ``slot`` money ("micro", "macro" or "samples") bought over the closed periods: the game as
        played against the same game without that money, on common random numbers (every other draw is the
        same; docs/model.md Lift). Customers at the end (people) and margin, spend and profit in money."""
        return self._lifts([(team, slot)], workers=1)[(team, slot)]

    def _lifts(self, pairs: list[tuple[str, str]], workers: int) -> dict:
        """``lift`` of each (team, slot): the counterfactual runs on ``workers`` processes. Money a team never
        spent bought nothing (the counterfactual is the game as played), so it is not run."""
        jobs = {pair: self._without(*pair) for pair in pairs}
        jobs = {pair: scenario for pair, scenario in jobs.items() if scenario is not None}
        steps = self.closed * self.steps_per_period
        calls = [(scenario, self.seed, steps, self.team(team).brand) for (team, _), scenario in jobs.items()]
        if workers > 1 and len(calls) > 1:
            with process_pool(workers) as pool:
                counterfactual = dict(zip(jobs, pool.map(_run_totals, *zip(*calls))))
        else:
            counterfactual = {pair: _run_totals(*call) for pair, call in zip(jobs, calls)}
        out = {}
        for team, slot in pairs:
            if (team, slot) not in counterfactual:
                out[(team, slot)] = {"customers": 0, "margin": 0.0, "spend": 0.0, "profit": 0.0}
                continue
            played = _totals(self.model, self.team(team).brand)
            lift = {k: played[k] - counterfactual[(team, slot)][k] for k in played}
            out[(team, slot)] = {**lift, "profit": lift["margin"] - lift["spend"]}
        return out

    def debrief(self, workers: int = 2) -> dict:
        """Per team: its decisions and results period by period, and what its micro, macro and samples money
        each bought (``lift``; the counterfactual runs on ``workers`` processes)."""
        lifts = self._lifts([(t.name, slot) for t in self.spec.teams for slot in SLOTS], workers)
        return {t.name: {"periods": [{"decision": self.decision(t.name, k).model_dump(mode="json", by_alias=True),
                                      "price": self.price(t.name, k), **{key: report[t.name][key] for key in
                                      ("customers", "share", "spend", "margin", "profit", "profit_so_far")}}
                                     for k, report in enumerate(self.reports)],
                         "lift": {slot: lifts[(t.name, slot)] for slot in SLOTS}}
                for t in self.spec.teams}

    # --- the whole game as data -----------------------------------------------------------
    def export(self) -> dict:
        """Everything that makes the game: replaying it (``replay``) gives every report again, bit for bit."""
        return {"game": self.spec.model_dump(mode="json"), "market": self.market, "seed": self.seed,
                "closed": self.closed,
                "decisions": [{"team": team, "period": k + 1, **d.model_dump(mode="json", by_alias=True,
                                                                               exclude_defaults=True)}
                              for (team, k), d in sorted(self.decisions.items(), key=lambda x: (x[0][1], x[0][0]))]}

    @classmethod
    def replay(cls, exported: dict, source: str = "<exported game>") -> Game:
        """The game an ``export`` describes, its periods closed again one by one."""
        try:
            spec = GameSpec.model_validate(exported["game"])
        except ValidationError as exc:
            raise ScenarioError(source, validation_problems(exported["game"], exc)) from None
        game = cls(spec, exported["market"], exported["seed"], source)
        by_period: dict[int, list[dict]] = {}
        for row in exported["decisions"]:
            by_period.setdefault(row["period"] - 1, []).append(row)
        for k in range(exported["closed"]):
            for row in by_period.get(k, []):
                game.submit(row["team"], {f: v for f, v in row.items() if f not in ("team", "period")})
            game.close_period()
        for row in by_period.get(game.closed, []):  # the open period's decisions so far
            game.submit(row["team"], {f: v for f, v in row.items() if f not in ("team", "period")})
        return game


def _totals(model: MarketModel, brand: str) -> dict:
    """A brand's customers now (people), and its margin and spend so far (money)."""
    rec = model.recorder
    b = [x.name for x in model.scenario_spec.brands].index(brand)
    now, people = model.steps, rec.people_per_consumer
    return {"customers": int(rec.data["customer"][now, b].sum()) * people,
            "margin": float(rec.data["margin"][: now + 1, b].sum()) * people,
            "spend": float(rec.spend[: now + 1, b].sum()) * people}


def _stepped(scenario: Scenario, seed: int, steps: int) -> MarketModel:
    """``scenario`` run from the start for ``steps`` steps."""
    model = MarketModel(scenario, rng=seed)
    while model.steps < steps:
        model.step()
    return model


def _run_totals(scenario: Scenario, seed: int, steps: int, brand: str) -> dict:
    """``_totals`` of a brand after ``steps`` of ``scenario`` run from the start (a worker's job)."""
    return _totals(_stepped(scenario, seed, steps), brand)


def _rule(audience) -> str | dict:
    """An audience as a scenario file writes it."""
    return audience if isinstance(audience, str) else audience.model_dump(by_alias=True, exclude_none=True)
