"""Scenario files: TOML data validated into typed, frozen objects.

A scenario never executes code. Every error names the file, the field (list items by their
``name`` where they have one) and what is allowed, so a user can fix the file without reading
this module.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .parameters import default

# Every number is finite and bounded (docs/scenarios.md states the bounds): a value past them is a
# typo or a unit mistake, and would crash a run or silently give nonsense. The Strict base config
# also refuses booleans and strings where numbers belong, so fields added later inherit all this.
MAX_AMOUNT = 1e12  # money, impressions, any open-ended quantity
MAX_RATE = 1e3  # a hazard or rate per time unit
# a random seed: any 64-bit unsigned number, so every seed a sweep gives its runs can be run again alone
MAX_SEED = 2**64 - 1


def _finite_or_unlimited(value: float) -> float:
    if math.isnan(value) or (math.isfinite(value) and value > MAX_AMOUNT):
        raise ValueError(f"must be a number from 0 to {MAX_AMOUNT:g}, or inf for no cap")
    return value


# no dots: names become column names such as <brand>.<metric>.<segment>, and folder names
NAME_PATTERN = re.compile(r"[A-Za-z0-9_\-]+")
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=rf"^{NAME_PATTERN.pattern}$")]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0, le=MAX_AMOUNT)]
Positive = Annotated[float, Field(gt=0.0, le=MAX_AMOUNT)]
Rate = Annotated[float, Field(ge=0.0, le=MAX_RATE)]
Number = Annotated[float, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]  # any finite quantity, signed
# a spending cap: omitted or ``inf`` means no cap; NaN and other huge values are refused
Budget = Annotated[float, Field(ge=0.0, allow_inf_nan=True), AfterValidator(_finite_or_unlimited)]
Weights = Annotated[dict[Name, NonNegative], Field(max_length=1000)]
Text = Annotated[str, Field(max_length=2000)]


def _no_nul(value: str) -> str:
    if "\0" in value:
        raise ValueError("a file name cannot hold a NUL character")
    return value


FileName = Annotated[str, Field(min_length=1, max_length=4096), AfterValidator(_no_nul)]  # a path, as the file gives it
MeanDegree = Annotated[float, Field(gt=0.0, le=1000.0)]
MAX_STEPS = 1_000_000

CATEGORICAL_FIELDS = ("gender", "region", "occupation", "income")
RULE_FIELDS = ("age", *CATEGORICAL_FIELDS, "interests")
MAX_INTERESTS = 64


class ScenarioError(ValueError):
    """A scenario that cannot be used: each problem is (field path, message)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = plain(source)
        self.problems = [(plain(path), plain(msg, 4000)) for path, msg in problems]
        lines = [f"{self.source}: {path}: {msg}" if path else f"{self.source}: {msg}" for path, msg in self.problems]
        super().__init__("\n".join(lines))


def plain(text: str, limit: int = 200) -> str:
    """User text made safe to echo: control characters escaped, cut to ``limit`` characters."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"


class Strict(BaseModel):
    """Base of every file section: unknown fields, booleans or text for numbers, inf and NaN are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True, allow_inf_nan=False)


DAYS_PER_UNIT = {"day": 1.0, "week": 7.0, "month": 365.0 / 12.0, "year": 365.0}


class Time(Strict):
    """Step length and horizon, both in ``unit``; every rate in a scenario is per ``unit``."""

    unit: Literal["day", "week", "month", "year"] = "day"
    dt: Positive = default("time.dt")
    horizon: Positive = default("time.horizon")

    @model_validator(mode="after")
    def _whole_steps(self) -> Time:
        steps = self.horizon / self.dt
        if steps > MAX_STEPS:
            raise ValueError(f"horizon / dt is {steps:.3g} steps; at most {MAX_STEPS:,}")
        if steps < 1 - 1e-9 or abs(steps - round(steps)) > 1e-9 * steps:
            raise ValueError(f"horizon ({self.horizon:g}) must be a whole number of steps of dt ({self.dt:g}); "
                             f"horizon / dt is {steps:g}")
        return self

    @property
    def steps(self) -> int:
        return round(self.horizon / self.dt)

    @property
    def days_per_unit(self) -> float:
        return DAYS_PER_UNIT[self.unit]


class AgeRange(Strict):
    min: Annotated[int, Field(ge=0, le=120)] = default("population.segments[].age.min")
    max: Annotated[int, Field(ge=0, le=120)] = default("population.segments[].age.max")

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min > self.max:
            raise ValueError(f"age min ({self.min}) is above max ({self.max})")
        return self


def _positive_total(weights: dict[str, float], what: str) -> None:
    if not weights or sum(weights.values()) <= 0:
        raise ValueError(f"{what} needs at least one category with a positive weight")


class Segment(Strict):
    """A buyer persona: its share of the population and the distributions of its attributes."""

    name: Name
    share: Positive
    age: AgeRange = AgeRange()
    gender: Weights = {"female": 0.5, "male": 0.5}
    region: Weights = {"anywhere": 1.0}
    occupation: Weights = {"any": 1.0}
    income: Weights = {"middle": 1.0}
    interests: dict[Name, Probability] = {}
    talkativeness: NonNegative = default("population.segments[].talkativeness")
    price_elasticity: Annotated[float, Field(ge=0.0, le=10.0)] = default("population.segments[].price_elasticity")
    reference_price: Positive | None = None
    purchase_rate: Rate | None = None  # category purchases per person per unit; None: the customer's brand's

    @model_validator(mode="after")
    def _distributions(self) -> Segment:
        for f in CATEGORICAL_FIELDS:
            _positive_total(getattr(self, f), f)
        if self.price_elasticity > 0 and self.reference_price is None:
            raise ValueError("price_elasticity needs reference_price (the price this segment will pay)")
        return self


def exact_counts(weights: dict[str, float], total: int) -> list[int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder), in the dict's order.
    Equal remainders go by name, so the split does not depend on the order of the file."""
    names = list(weights)
    quota = [w / sum(weights.values()) * total for w in weights.values()]
    counts = [math.floor(q) for q in quota]
    for k in sorted(range(len(quota)), key=lambda k: (counts[k] - quota[k], names[k]))[: total - sum(counts)]:
        counts[k] += 1
    return counts


class Population(Strict):
    size: Annotated[int, Field(ge=2, le=50_000_000)]
    segments: Annotated[list[Segment], Field(min_length=1)]
    talkativeness_spread: NonNegative = default("population.talkativeness_spread")
    people_per_consumer: Annotated[int, Field(ge=1, le=1_000_000_000)] = default("population.people_per_consumer")

    @property
    def people(self) -> int:
        """The market's size in people: what the consumers stand for."""
        return self.size * self.people_per_consumer

    def consumers_for(self, people: int) -> int:
        """The whole consumers that stand for ``people`` given away or reached at once (at least one)."""
        return max(1, round(people / self.people_per_consumer))

    def segment_sizes(self) -> list[int]:
        """Consumers in each segment, as the market is built."""
        return exact_counts({s.name: s.share for s in self.segments}, self.size)


class FullyMixed(Strict):
    type: Literal["fully_mixed"]


class RandomGraph(Strict):
    type: Literal["random"]
    mean_degree: MeanDegree = default("network.mean_degree")


class RingLattice(Strict):
    type: Literal["ring"]
    mean_degree: MeanDegree = default("network.mean_degree")


class SmallWorld(Strict):
    type: Literal["small_world"]
    mean_degree: MeanDegree = default("network.mean_degree")
    rewire: Probability = default("network.rewire")


class ScaleFree(Strict):
    type: Literal["scale_free"]
    mean_degree: MeanDegree = default("network.mean_degree")
    exponent: Annotated[float, Field(gt=2.0, le=10.0)] = default("network.exponent")


class Homophilous(Strict):
    type: Literal["homophilous"]
    mean_degree: MeanDegree = default("network.mean_degree")
    homophily: Probability = default("network.homophily")
    group_by: Literal["segment", "region"] = "segment"


class EdgeListFile(Strict):
    type: Literal["file"]
    path: FileName


Network = Annotated[
    Union[FullyMixed, RandomGraph, RingLattice, SmallWorld, ScaleFree, Homophilous, EdgeListFile],
    Field(discriminator="type"),
]


class Response(Strict):
    """How a consumer responds to a paid impression, and what it remembers of the brand."""

    ad_effect: NonNegative = default("response.ad_effect")
    relevance_gain: NonNegative = default("response.relevance_gain")
    wearout: Probability = default("response.wearout")
    recovery_half_life: Positive = default("response.recovery_half_life")
    awareness_half_life: Positive | None = None
    unaware_response: Probability = default("response.unaware_response")
    fit_spread: NonNegative = default("response.fit_spread")
    satisfaction_threshold: Probability = default("response.satisfaction_threshold")
    satisfaction_width: Annotated[float, Field(ge=0.0, le=0.5)] = default("response.satisfaction_width")
    competitive_interference: Probability = default("response.competitive_interference")
    tailoring: Probability = default("response.tailoring")
    intrusion_threshold: Annotated[float, Field(gt=0.0, le=1.0)] = default("response.intrusion_threshold")


class WordOfMouth(Strict):
    strength: NonNegative = default("word_of_mouth.strength")
    negative_weight: NonNegative = default("word_of_mouth.negative_weight")
    buzz_half_life: Positive | None = None
    lasting: Probability = default("word_of_mouth.lasting")


class Loyalty(Strict):
    initial: Probability = default("loyalty.initial")
    growth: NonNegative = default("loyalty.growth")
    decay: NonNegative = default("loyalty.decay")
    relationship_gain: NonNegative = default("loyalty.relationship_gain")
    churn: NonNegative = default("loyalty.churn")
    negative_word_churn: NonNegative = default("loyalty.negative_word_churn")
    switching: NonNegative = default("loyalty.switching")
    price_sensitivity: Annotated[float, Field(ge=0.0, le=50.0)] = default("loyalty.price_sensitivity")


class Buying(Strict):
    """Purchase occasions and the brand bought on each (docs/model.md, "Buying")."""

    repertoire: Probability = default("buying.repertoire")
    rate_shape: Positive | None = None  # NBD shape of the spread of purchase rates; None: everyone at the mean
    period: Positive | None = None  # length of a period the buying measures count; None: the horizon


class Niche(Strict):
    control_threshold: Annotated[float, Field(gt=0.0, le=1.0)] = default("niche.control_threshold")
    price_shield: Probability = default("niche.price_shield")  # niche control earns only what a scenario grants it
    reach_discount: Probability = default("niche.reach_discount")


class Valuation(Strict):
    discount_rate: Annotated[float, Field(ge=0.0, le=10.0)] = default("valuation.discount_rate")


class ExogenousCondition(Strict):
    """A context such as rain that holds in a region on a step with this probability."""

    name: Name
    region: Name
    probability: Probability


class Rule(Strict):
    """A declarative audience rule over consumer attributes (never the segment label)."""

    all: list[Rule] | None = None
    any: list[Rule] | None = None
    not_: Rule | None = Field(default=None, alias="not")
    field: Literal["age", "gender", "region", "occupation", "income", "interests"] | None = None
    min: float | None = None
    max: float | None = None
    in_: list[Name] | None = Field(default=None, alias="in")
    not_in: list[Name] | None = None
    has_any: list[Name] | None = None
    has_all: list[Name] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Rule:
        combinators = [k for k in ("all", "any", "not_") if getattr(self, k) is not None]
        tests = {k: getattr(self, k) for k in ("min", "max", "in_", "not_in", "has_any", "has_all")}
        tests = {k.rstrip("_"): v for k, v in tests.items() if v is not None}
        if combinators:
            if len(combinators) > 1 or self.field is not None or tests:
                raise ValueError("a rule is either one of all / any / not, or one field test")
            return self
        if self.field is None:
            raise ValueError("a rule needs 'field' (age, gender, region, occupation, income, "
                             "interests) or one of all / any / not")
        allowed = {"age": {"min", "max"}, "interests": {"has_any", "has_all"}}.get(self.field, {"in", "not_in"})
        wrong = set(tests) - allowed
        if wrong or not tests:
            raise ValueError(f"field '{self.field}' takes {' / '.join(sorted(allowed))}"
                             + (f", not {' / '.join(sorted(wrong))}" if wrong else ""))
        return self

    def values(self) -> list[tuple[str, list[str]]]:
        """Every (field, category names) this rule names, for checking them against the population."""
        out = []
        for sub in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            out += sub.values()
        for names in (self.in_, self.not_in, self.has_any, self.has_all):
            if names is not None:
                out.append((self.field, names))
        return out


Audience = Literal["everyone"] | Rule


class Channel(Strict):
    name: Name
    cpm: NonNegative
    setup_cost: NonNegative = default("channels[].setup_cost")
    users: Audience = "everyone"
    targeting_premium: Annotated[float, Field(ge=0.0, le=10.0)] = default("channels[].targeting_premium")


class InitialMarket(Strict):
    """Where a brand stands at step 0: its installed base and who already knows it."""

    share: dict[Name, Probability] = {}
    awareness: dict[Name, Probability] = {}
    loyalty: Probability = default("brands[].initial.loyalty")


class PriceChange(Strict):
    """From time ``at`` on, the brand's list price is ``price`` (its unit cost stays what ``price`` and
    ``margin`` made it)."""

    at: NonNegative
    price: Positive


class BrandSpec(Strict):
    name: Name
    price: Positive
    margin: Probability
    purchase_rate: Rate
    budget: Budget = default("brands[].budget")
    fit: dict[Name, Probability] = {}
    default_fit: Probability = default("brands[].default_fit")
    price_increase_on_control: Annotated[float, Field(ge=0.0, le=10.0)] = default("brands[].price_increase_on_control")
    context_boost: dict[Name, NonNegative] = {}
    initial: InitialMarket = InitialMarket()
    price_changes: list[PriceChange] = []

    @model_validator(mode="after")
    def _one_price_at_a_time(self) -> BrandSpec:
        times = [c.at for c in self.price_changes]
        if len(set(times)) < len(times):
            raise ValueError("price_changes: two changes at the same time ('at'); give each time once")
        self.price_changes.sort(key=lambda c: c.at)  # in force by time, whatever the order of the file
        return self

    @property
    def unit_cost(self) -> float:
        return self.price * (1.0 - self.margin)

    def price_at(self, time: float) -> float:
        """The list price in force at ``time``: the last change at or before it, else ``price``."""
        price = self.price
        for change in self.price_changes:
            if change.at > time:
                break
            price = change.price
        return price


class AlternativeAudience(Strict):
    name: Name
    audience: Audience


class Research(Strict):
    """Time and money spent before launch; with ``alternatives`` it tests which audience to aim at."""

    duration: NonNegative
    cost: NonNegative = default("campaigns[].research.cost")
    alternatives: list[AlternativeAudience] = []
    panel_rate: Annotated[float, Field(gt=0.0, le=1e6)] = default("campaigns[].research.panel_rate")

    @model_validator(mode="after")
    def _named(self) -> Research:
        names = [a.name for a in self.alternatives]
        if "planned" in names:
            raise ValueError("'planned' is the campaign's own audience; name the alternatives otherwise")
        if len(set(names)) != len(names):
            raise ValueError("the alternatives' names must be unique")
        return self

    def panel(self) -> int:
        """Consumers surveyed in each candidate audience: more research time, a larger panel
        (none without research time: the campaign keeps its planned audience)."""
        return round(self.panel_rate * self.duration)


class Flighting(Strict):
    """Pulsing: the campaign advertises for ``on`` time units, pauses for ``off``, and so on."""

    on: Positive
    off: NonNegative


# fields that only one type of campaign reads: setting one on another type is an error, not ignored
ONLY_FOR_TYPE = {"impressions": ("ads",), "spend_rate": ("ads",), "precision": ("ads",), "end": ("ads", "referral"),
                 "flighting": ("ads",), "copy_wearout": ("ads",), "copy_intensity_wearout": ("ads",),
                 "copy_recovery_half_life": ("ads",),
                 "reach": ("event",), "seeds": ("seeding",), "seed_by": ("seeding",), "cost_per_seed": ("seeding",),
                 "reward": ("referral",), "uplift": ("referral",)}


class CampaignSpec(Strict):
    name: Name
    brand: Name
    type: Literal["ads", "event", "seeding", "referral"] = "ads"
    channel: Name | None = None
    audience: Audience = "everyone"
    start: NonNegative = default("campaigns[].start")
    end: NonNegative | None = None
    impressions: NonNegative | None = None
    spend_rate: NonNegative | None = None
    budget: Budget = default("campaigns[].budget")
    precision: Probability = default("campaigns[].precision")
    relevance: Probability = default("campaigns[].relevance")
    impact: Annotated[float, Field(gt=0.0, le=1000.0)] = default("campaigns[].impact")
    buzz: Annotated[float, Field(ge=0.0, le=100.0)] = default("campaigns[].buzz")
    flighting: Flighting | None = None
    copy_wearout: Annotated[float, Field(ge=0.0, le=100.0)] = default("campaigns[].copy_wearout")
    copy_intensity_wearout: Annotated[float, Field(ge=0.0, le=100.0)] = default("campaigns[].copy_intensity_wearout")
    copy_recovery_half_life: Positive = default("campaigns[].copy_recovery_half_life")
    fixed_cost: NonNegative = default("campaigns[].fixed_cost")
    research: Research | None = None
    trigger: Name | None = None
    reach: Annotated[int, Field(ge=1, le=10 ** 12)] | None = None  # people (scale.py)
    seeds: Annotated[int, Field(ge=1, le=10 ** 12)] | None = None
    seed_by: Literal["random", "degree"] = "random"
    cost_per_seed: NonNegative | None = None
    reward: NonNegative | None = None
    uplift: Annotated[float, Field(ge=0.0, le=100.0)] = default("campaigns[].uplift")
    niche: list[Name] = []
    on_control: Literal["continue", "cut", "move"] = "continue"
    cut_to: Probability = default("campaigns[].cut_to")
    move_to: Name | None = None

    @model_validator(mode="after")
    def _by_type(self) -> CampaignSpec:
        ignored = sorted(f for f in self.model_fields_set if self.type not in ONLY_FOR_TYPE.get(f, (self.type,)))
        if ignored:
            raise ValueError(f"{', '.join(ignored)} do(es) not apply to a '{self.type}' campaign: "
                             + "; ".join(f"{f} is for '{' or '.join(ONLY_FOR_TYPE[f])}'" for f in ignored))
        if self.type == "ads":
            if self.channel is None:
                raise ValueError("an 'ads' campaign needs a 'channel'")
            if (self.impressions is None) == (self.spend_rate is None):
                raise ValueError("an 'ads' campaign needs exactly one of 'impressions' or "
                                 "'spend_rate' (per time unit)")
        if self.type == "event" and self.reach is None:
            raise ValueError("an 'event' campaign needs 'reach' (consumers reached at 'start')")
        if self.type == "seeding" and self.seeds is None:
            raise ValueError("a 'seeding' campaign needs 'seeds' (number of free products)")
        if self.type == "referral" and self.reward is None:
            raise ValueError("a 'referral' campaign needs 'reward' (paid per customer won by a referral)")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"'end' ({self.end}) is before 'start' ({self.start})")
        if self.on_control != "continue" and not self.niche:
            raise ValueError(f"on_control = '{self.on_control}' needs 'niche' (the segments to control)")
        if (self.on_control == "move") != (self.move_to is not None):
            raise ValueError("'move_to' goes with on_control = 'move', and only with it")
        if self.on_control == "move" and math.isinf(self.budget):
            raise ValueError("on_control = 'move' needs a finite 'budget' to move")
        return self

    @property
    def launch(self) -> float:
        """When paid contact can begin: after the research phase."""
        return self.start + (self.research.duration if self.research else 0.0)


class StrategySpec(Strict):
    """A named plan for ``marketsim assess``: changes to the scenario and the brand whose results count."""

    name: Name
    brand: Name | None = None  # default: the scenario's first brand
    set: dict[str, float | int | str | bool] = {}  # dotted path -> value, as with --set


class LeverSpec(Strict):
    """A decision for ``marketsim optimize``: a number from ``low`` to ``high`` that sets each field of ``set``
    to intercept + slope x the number, so that one lever can move a budget's level or split a fixed total
    between two campaigns (one field up, the other down)."""

    name: Name
    low: Number
    high: Number
    integer: bool = False  # whole numbers only
    # dotted path -> [intercept, slope]
    set: Annotated[dict[str, Annotated[list[Number], Field(min_length=2, max_length=2)]], Field(min_length=1,
                                                                                                max_length=100)]

    @model_validator(mode="after")
    def _ordered(self) -> LeverSpec:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self

    def fields(self, value: float) -> dict[str, float]:
        """The scenario fields this lever sets at ``value`` (whole numbers as integers, for fields that count)."""
        found = {path: intercept + slope * value for path, (intercept, slope) in self.set.items()}
        return {path: int(v) if float(v).is_integer() else v for path, v in found.items()}


class Scenario(Strict):
    name: Name
    description: Text = ""
    time: Time = Time()
    population: Population
    network: Network = FullyMixed(type="fully_mixed")
    response: Response = Response()
    word_of_mouth: WordOfMouth = WordOfMouth()
    loyalty: Loyalty = Loyalty()
    buying: Buying = Buying()
    niche: Niche = Niche()
    valuation: Valuation = Valuation()
    conditions: list[ExogenousCondition] = []
    channels: list[Channel] = []
    brands: Annotated[list[BrandSpec], Field(min_length=1, max_length=100)]
    campaigns: list[CampaignSpec] = []
    strategies: list[StrategySpec] = []
    levers: Annotated[list[LeverSpec], Field(max_length=20)] = []
    _uncertain: list = PrivateAttr(default_factory=list)  # fields given as distributions, set to their medians

    def categories(self, field: str) -> list[str]:
        """All category names of a consumer attribute across segments, in first-seen order."""
        seen: dict[str, None] = {}
        for seg in self.population.segments:
            for name in (seg.interests if field == "interests" else getattr(seg, field)):
                seen[name] = None
        return list(seen)

    @property
    def segment_names(self) -> list[str]:
        return [s.name for s in self.population.segments]

    def brand(self, name: str) -> BrandSpec:
        return next(b for b in self.brands if b.name == name)

    def channel(self, name: str) -> Channel:
        return next(c for c in self.channels if c.name == name)

    def _people_as_consumers(self):
        """(campaign, field, people asked for, consumers simulated) for every reach and seeding."""
        for c in self.campaigns:
            for field in ("reach", "seeds"):
                asked = getattr(c, field)
                if asked:
                    yield c.name, field, asked, self.population.consumers_for(asked)

    def warnings(self) -> list[tuple[str, str]]:
        """Valid but probably not meant: campaigns and price changes that never come within the horizon, events and
        seedings bigger than the market, a cut_to without the cut, research too short to test its
        alternatives (a shortened horizon, a shrunk market, a changed on_control or no research time
        in a sweep or a quick try makes these on purpose, so they are not errors)."""
        horizon, people, k = self.time.horizon, self.population.people, self.population.people_per_consumer
        return [(f"campaigns[{c.name}].start",
                 f"{'starts' if c.start >= horizon else 'launches (after its research)'} at {c.launch:g}, "
                 f"not before the horizon ({horizon:g}): it never runs")
                for c in self.campaigns if c.launch >= horizon] + [
            (f"campaigns[{c.name}].{field}", f"{getattr(c, field):,} is more people than the market holds "
                                             f"({people:,}): it reaches at most everyone in its audience")
            for c in self.campaigns for field in ("reach", "seeds") if (getattr(c, field) or 0) > people] + [
            (f"campaigns[{name}].{field}", f"{asked:,} people are {asked / k:.3g} consumers of {k:,} people each "
                                           f"(population.people_per_consumer): simulated as {given:,}")
            for name, field, asked, given in self._people_as_consumers() if abs(given * k - asked) > 0.1 * asked] + [
            (f"campaigns[{c.name}].cut_to", f"has no effect: on_control is '{c.on_control}', not 'cut'")
            for c in self.campaigns if "cut_to" in c.model_fields_set and c.on_control != "cut"] + [
            (f"campaigns[{c.name}].research",
             f"panel_rate x duration is {c.research.panel_rate * c.research.duration:g} consumers: no alternative "
             "audience is tested, the campaign keeps its planned one (give a longer duration or a higher panel_rate)")
            for c in self.campaigns if c.research and c.research.alternatives and c.research.panel() < 1] + [
            (f"brands[{b.name}].price_changes", f"a change at {c.at:g} is not before the horizon ({horizon:g}): "
                                                "the price never changes to it")
            for b in self.brands for c in b.price_changes if c.at >= horizon]
