"""A class market game as data: the market it is played in, its periods, each team's brand and money
(``GameSpec``, read from a game file), and what a team may decide in a period (``Decision``).

A game file is TOML, validated like a scenario and never executed:

    name = "launch"
    market = "baseline.toml"   # the market scenario, beside this file (or a ready scenario's name)
    periods = 8
    period_length = 45         # in the market's time unit
    budget_per_period = 20000  # each team's money for a period; what it leaves unspent is profit
    micro_channel = "social"   # where targeted campaigns run
    macro_channel = "tv"       # where broad campaigns run
    research_cost = 4000       # a survey of one audience
    [[teams]]
    name = "red"
    brand = "Spark"

The teams' brands run only the campaigns their teams decide; every other brand of the market keeps
the campaigns its scenario gives it (docs/game.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from .errors import validation_problems
from .loading import read_toml
from .parameters import default
from .schema import NAME_PATTERN, Audience, FileName, Name, NonNegative, Positive, Probability, ScenarioError, Strict

MAX_PERIODS = 52
MAX_TEAMS = 12


class Team(Strict):
    name: Annotated[str, Field(min_length=1, max_length=32, pattern=rf"^{NAME_PATTERN.pattern}$")]  # in campaign names
    brand: Name


class GameSpec(Strict):
    name: Name
    market: FileName
    periods: Annotated[int, Field(ge=1, le=MAX_PERIODS)]
    period_length: Positive
    budget_per_period: Annotated[float, Field(ge=0.0, le=1e12)]
    micro_channel: Name
    macro_channel: Name
    research_cost: NonNegative = 0.0
    panel: Annotated[int, Field(ge=1, le=100_000)] = 200  # consumers a survey asks
    # the prices a team may set, as multiples of its brand's list price in the market
    lowest_price: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5
    highest_price: Annotated[float, Field(ge=1.0, le=10.0)] = 2.0
    teams: Annotated[list[Team], Field(min_length=1, max_length=MAX_TEAMS)]

    @model_validator(mode="after")
    def _teams_apart(self) -> GameSpec:
        for what in ("name", "brand"):
            values = [getattr(t, what) for t in self.teams]
            if len(set(values)) < len(values):
                raise ValueError(f"two teams with one {what}: each team has its own {what}")
        return self


class Decision(Strict):
    """A team's decisions for one period. Money is spent evenly over the period; a price holds until
    the team changes it; a survey's answer comes with the period's report."""

    micro_money: NonNegative = 0.0
    micro_audience: Audience = "everyone"  # a rule over consumer attributes, as a campaign's audience
    micro_relevance: Probability = default("campaigns[].relevance")  # how closely the message fits its audience
    macro_money: NonNegative = 0.0
    samples: Annotated[int, Field(ge=0, le=10**9)] = 0  # free products to the targeted audience, at unit cost
    samples_to: Literal["random", "degree"] = "random"  # anyone in the audience, or its best connected first
    price: Positive | None = None  # None: as last period (the brand's list price at first)
    survey: Audience | None = None  # an audience to survey: who in it would buy the brand


def load_game(path) -> GameSpec:
    """A game file validated into a GameSpec, or a ScenarioError naming the file and the field."""
    _, raw = read_toml(path)
    try:
        return GameSpec.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(str(path), validation_problems(raw, exc)) from None
