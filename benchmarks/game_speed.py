"""Speed of the class market game: the ready "launch" game (20,000 consumers, four teams, eight periods of
45 days), each team with its own plan, every period closed in turn, then the debrief (the lift of each
team's micro and macro money: one counterfactual game per kind of money a team spent, on two processes).

Issue 23 asks that a period of a 20,000-consumer market with four teams be computed in under two seconds
on two cores. A period goes on from where the last one left the market (``MarketModel.replan``), so every
period costs about the same; the first also builds the market.

    python benchmarks/game_speed.py [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from marketsim.studies.game import Game

GAME = Path(__file__).resolve().parent.parent / "scenarios" / "games" / "launch.toml"
YOUNG = {"all": [{"field": "age", "max": 29}, {"field": "interests", "has_any": ["extreme_sports", "fitness"]}]}
PLANS = {"alpha": {"micro_money": 7000, "micro_audience": YOUNG, "micro_relevance": 0.9},
         "beta": {"macro_money": 7000},
         "gamma": {"micro_money": 3500, "micro_audience": YOUNG, "micro_relevance": 0.9, "macro_money": 3500},
         "delta": {"macro_money": 5000, "price": 3.2, "survey": {"field": "age", "min": 60}}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    game = Game.load(GAME, seed=args.seed)
    seconds = []
    for period in range(game.spec.periods):
        started = time.perf_counter()
        for team, plan in PLANS.items():
            game.submit(team, plan)
        game.close_period()
        seconds.append(time.perf_counter() - started)
        print(f"period {period + 1}: {seconds[-1]:.2f} s (submissions checked, market run, reports)")
    started = time.perf_counter()
    game.debrief(workers=2)
    debrief = time.perf_counter() - started
    print(f"debrief: {debrief:.2f} s")
    print(json.dumps({"first_period_s": seconds[0], "median_period_s": statistics.median(seconds[1:]),
                      "slowest_period_s": max(seconds), "debrief_s": debrief}))


if __name__ == "__main__":
    main()
