"""What one consumer stands for: a scenario is written in people and money, the engine runs in consumers.

``population.people_per_consumer`` (k) lets a market of millions be simulated by a sample of agents, each
standing for k like people. Every count of people and every sum of money a scenario gives is for the
whole market; the engine divides them by k here, before a run, and the run's counts and money are
multiplied by k on the way out (market/metrics.py), so budgets, impressions, seeds, pilot counts and
every report are in people and real money whatever k is. Rates per person (prices, CPMs, cost per seed,
rewards) need no change; a research panel stays in consumers surveyed (its precision is the number of
answers, not the people behind them).
"""

from __future__ import annotations

from .schema import Scenario

# per campaign: people (impressions per unit, reach, seeds) and money (spend per unit, budgets, fixed costs)
CAMPAIGN_AMOUNTS = ("impressions", "spend_rate", "budget", "fixed_cost")
CAMPAIGN_PEOPLE = ("reach", "seeds")


def in_consumers(sc: Scenario) -> Scenario:
    """The scenario with its people and money divided by ``people_per_consumer``: the market the engine runs.
    People given away or reached at once become whole consumers, at least one (the scenario's warnings say when
    that rounds by more than a tenth)."""
    k = sc.population.people_per_consumer
    if k == 1:
        return sc

    def campaign(c):
        update = {f: getattr(c, f) / k for f in CAMPAIGN_AMOUNTS if getattr(c, f) is not None}
        update |= {f: sc.population.consumers_for(getattr(c, f)) for f in CAMPAIGN_PEOPLE if getattr(c, f) is not None}
        if c.research is not None:
            update["research"] = c.research.model_copy(update={"cost": c.research.cost / k})
        return c.model_copy(update=update)

    return sc.model_copy(update={
        "campaigns": [campaign(c) for c in sc.campaigns],
        "brands": [b.model_copy(update={"budget": b.budget / k}) for b in sc.brands],
        "channels": [ch.model_copy(update={"setup_cost": ch.setup_cost / k}) for ch in sc.channels],
    })
