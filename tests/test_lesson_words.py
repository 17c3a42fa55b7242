"""The words a class reads with each lesson, checked against the numbers the class sees.

A lesson's words are its question (marketsim/dashboard/questions.py) and its story (the opening comment of its
scenario file, up to the modeller's notes that start with "Encodings:"). Every factual statement in them is a
claim below: a distinctive quote and a measure of the scenario as written, run with seed 1 (the dashboard's
default) or, for an outcome that chance could flip (who reaches a majority), with seeds 1 to 5. So a test fails
when someone edits the words without their claims, when a run drifts away from its words, and when a lesson
has no claims. Each scenario runs at most once per seed (and plan) for the whole module.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import marketsim
from marketsim.dashboard.lessons import LEVERS, lever_defaults, load_lesson, ready_lessons, story, variant
from marketsim.dashboard.questions import QUESTIONS

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SEED = 1  # the dashboard's default seed
SEEDS = (1, 2, 3, 4, 5)  # for a claim about an outcome: it must hold whatever the luck of the draw


class Market:
    """One lesson's scenario as written, with its runs made on first use and kept."""

    def __init__(self, name: str):
        self.path = SCENARIOS / f"{name}.toml"
        self.sc = marketsim.load_scenario(self.path)
        self.raw = tomllib.loads(self.path.read_text(encoding="utf-8"))
        self._runs: dict[tuple[int, str | tuple | None], marketsim.RunResult] = {}

    def run(self, seed: int = SEED, plan: str | None = None):
        """The run with this seed; ``plan`` names one of the file's strategies (as `marketsim assess` plays it)."""
        changes = {} if plan is None else dict(next(s for s in self.sc.strategies if s.name == plan).set)
        key = (seed, plan if changes else None)  # a plan that changes nothing is the file as written
        if key not in self._runs:
            sc = marketsim.load_scenario(self.path, changes) if changes else self.sc
            self._runs[key] = marketsim.run(sc, seed=seed)
        return self._runs[key]

    def moved(self, seed: int = SEED, **levers: float):
        """The dashboard's variant with these levers moved (in the scenario's units), as the page makes it."""
        key = (seed, tuple(sorted(levers.items())))
        if key not in self._runs:
            lesson = load_lesson(self.path)
            self._runs[key] = marketsim.run(variant(lesson, {**lever_defaults(lesson), **levers}), seed=seed)
        return self._runs[key]

    def brand(self, name: str, seed: int = SEED, plan: str | None = None) -> dict:
        return self.run(seed, plan).summary["brands"][name]

    def spend(self, name: str, seed: int = SEED, plan: str | None = None) -> float:
        return self.brand(name, seed, plan)["spend"]

    def spent(self, campaign: str, seed: int = SEED) -> float:
        return self.run(seed).summary["campaigns"][campaign]["spent"]

    def rows(self, brand: str, segment: str = "all", seed: int = SEED) -> pd.DataFrame:
        ts = self.run(seed).timeseries
        return ts[(ts.brand == brand) & (ts.segment == segment)].set_index("step")

    def at_start(self, brand: str, segment: str) -> tuple[float, float]:
        """(share of the segment that buys the brand, share that knows it) at step 0."""
        row = self.rows(brand, segment).loc[0]
        size = row.unaware + row.aware + row.customer + row.lapsed
        return row.customer / size, 1 - row.unaware / size

    def on(self, brand: str, segment: str) -> float:
        """Share of the brand's paid contacts that fell on the segment."""
        return self.rows(brand, segment).impressions.sum() / self.rows(brand).impressions.sum()

    def fit(self, brand: str, segment: str) -> float:
        spec = self.sc.brand(brand)
        return spec.fit.get(segment, spec.default_fit)

    @property
    def satisfied(self) -> float:
        return self.sc.response.satisfaction_threshold

    @property
    def people(self) -> int:
        return self.sc.population.size * self.sc.population.people_per_consumer

    def budgets(self, *brands: str) -> set[float]:
        return {self.sc.brand(b).budget for b in brands}

    def advertises_every_step(self, brand: str, seed: int = SEED) -> bool:
        return bool((self.rows(brand, seed=seed).impressions.loc[1:] > 0).all())

    def controls_at_some_point(self, segment: str, brand: str | None = None) -> bool:
        """Whether a brand (this one, or any) reaches a majority of the segment, under every seed of SEEDS."""
        return all(any(m["time_to_control"][segment] is not None for b, m in self.run(s).summary["brands"].items()
                       if brand in (None, b)) for s in SEEDS)


@dataclass(frozen=True)
class Claim:
    """Words that state a fact, and the measure of the runs that makes them true: the measure is True, or a
    number within ``rel`` (relative) of ``expect``."""

    where: str  # "story", "question" or "plans" (docs/dashboard.md)
    quote: str
    measure: Callable[[Market], float | bool]
    expect: float | None = None
    rel: float = 0.0


def S(quote, measure, expect=None, rel=0.0):
    return Claim("story", quote, measure, expect, rel)


def Q(quote, measure, expect=None, rel=0.0):
    return Claim("question", quote, measure, expect, rel)


ABOUT, ROUND, EXACT = 0.10, 0.05, 0.01  # "about 60,000"; "about 28,500" or "two and a half times"; "6,000"


def first_ad_time(m: Market, brand: str) -> float:
    r = m.rows(brand)
    return float(r.time[r.impressions > 0].iloc[0])


def count_distributions(node) -> int:
    if isinstance(node, dict):
        return 1 if "dist" in node else sum(count_distributions(v) for v in node.values())
    if isinstance(node, list):
        return sum(count_distributions(v) for v in node)
    return 0


def craft_before_after(segment: str, m: Market) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Craft's rows of the segment before and after it takes control of the connoisseurs (the step of control
    and the next left out)."""
    t = m.brand("Craft")["time_to_control"]["connoisseurs"]
    r = m.rows("Craft", segment)
    return r[(r.time > 0) & (r.time < t)], r[r.time > t + m.sc.time.dt]


def craft_price_rise(m: Market) -> float:
    """Craft's revenue per purchase among connoisseurs after control over before (casual drinkers: no change)."""
    def rise(segment):
        before, after = craft_before_after(segment, m)
        return (after.revenue.sum() / after.purchases.sum()) / (before.revenue.sum() / before.purchases.sum())
    return rise("connoisseurs") if math.isclose(rise("casual_drinkers"), 1) else math.nan


def craft_ads_cut(m: Market) -> float:
    before, after = craft_before_after("all", m)
    return after.impressions.mean() / before.impressions.mean()


def over_30(m: Market, brand: str, seed: int) -> float:
    """Share of the whole market that is over 30 and buys the brand at the horizon."""
    sizes = {x.name: x.share for x in m.sc.population.segments}
    return sum(m.brand(brand, seed)["segment_share"][s] * sizes[s] for s in ("age_30_49", "age_50_plus"))


def same_product(m: Market, a: str, b: str) -> bool:
    x, y = m.sc.brand(a), m.sc.brand(b)
    return all(m.fit(a, s) == m.fit(b, s) for s in m.sc.segment_names) and x.price == y.price


def panel_lead(m: Market, campaign: str) -> bool:
    c = m.run().summary["campaigns"][campaign]
    return c["aimed_at"] == max(c["panel_scores"], key=c["panel_scores"].get)


def research_first(m: Market, brand: str) -> tuple[float, float]:
    """(spend before the first ad, days before it) for a brand that researches first."""
    r = m.rows(brand)
    t = first_ad_time(m, brand)
    return r.spend[(r.time > 0) & (r.time < t)].sum(), (t - m.sc.time.dt) * m.sc.time.days_per_unit


CLAIMS: dict[str, list[Claim]] = {
    "baseline": [
        S("two competing brands with equal budgets", lambda m: len(m.budgets("Spark", "Mass")) == 1),
        S("a month of research, then personalised ads", lambda m: research_first(m, "Spark")[1], 30, ABOUT),
        S("aimed at young consumers", lambda m: m.on("Spark", "young_active") > 0.8),
        S("fits the young, active persona very well and the rest of the market poorly",
          lambda m: m.fit("Spark", "young_active") >= 0.8
          and all(m.fit("Spark", s) < m.satisfied for s in ("families", "professionals", "seniors"))),
        S("a product that fits every persona moderately",
          lambda m: all(m.satisfied <= m.fit("Mass", s) <= 0.7 for s in m.sc.segment_names)),
        S("Each may spend up to 60,000", lambda m: m.budgets("Spark", "Mass") == {60000}),
        S("Spark's plan uses about 28,500 of it", lambda m: m.spend("Spark"), 28500, ROUND),
        S("Mass's TV about 59,000", lambda m: m.spend("Mass"), 59000, ROUND),
        Q("Both brands have a budget of 60,000", lambda m: m.budgets("Spark", "Mass") == {60000}),
        Q("Spark spends only about 28,500 of it", lambda m: m.spend("Spark"), 28500, ROUND),
        Q("Mass about 59,000", lambda m: m.spend("Mass"), 59000, ROUND),
    ],
    "energy_drink_events": [
        S("sponsors five extreme-sports events",
          lambda m: sum(c.brand == "Bolt" and c.type == "event" for c in m.sc.campaigns), 5, EXACT),
        S("most of them young thrill seekers", lambda m: m.on("Bolt", "thrill_seekers") > 0.5),
        S("talkative and mostly know each other", lambda m: m.sc.population.segments[0].talkativeness > 1
          and m.sc.network.homophily > 0.5),
        S("the same budget, 50,000", lambda m: m.budgets("Bolt", "Fizz") == {50000}),
        S("both spend all of it", lambda m: all(m.spend(b) >= 0.99 * 50000 for b in ("Bolt", "Fizz"))),
        S("who first wins a majority there", lambda m: m.controls_at_some_point("thrill_seekers")),
        Q("Five events",
          lambda m: sum(c.brand == "Bolt" and c.type == "event" for c in m.sc.campaigns), 5, EXACT),
        Q("a year of TV", lambda m: (m.rows("Fizz").impressions > 0).sum() / m.sc.time.steps >= 0.95),
        Q("for the same money", lambda m: m.spend("Bolt") / m.spend("Fizz"), 1, EXACT),
        Q("who reaches a majority of the thrill seekers first",
          lambda m: m.controls_at_some_point("thrill_seekers")),
    ],
    "launch_decision": [
        S("spend 60,000?", lambda m: m.sc.brand("Ridge").budget, 60000, EXACT),
        S("advertises on TV all year", lambda m: m.advertises_every_step("Summit")),
        S("neither has customers at the start",
          lambda m: m.brand("Ridge")["installed_base"] == m.brand("Summit")["installed_base"] == 0),
        S("up to 60,000 for the first year", lambda m: m.sc.brand("Ridge").budget == 60000
          and abs(m.sc.time.horizon * m.sc.time.days_per_unit - 365) <= 7),
        S("a month of research", lambda m: next(c for c in m.sc.campaigns if c.name == "ridge_social")
          .research.duration * m.sc.time.days_per_unit, 30, ABOUT),
        S("about 31,000 in all", lambda m: m.spend("Ridge", plan="micro"), 31000, ROUND),
        S("macro (a TV spot for everyone, 60,000)", lambda m: m.spend("Ridge", plan="macro"), 60000, EXACT),
        S("a TV spot, about 57,000", lambda m: m.spend("Ridge", plan="mixed"), 57000, ROUND),
        S("Five assumptions are doubtful", lambda m: count_distributions(m.raw), 5, EXACT),
        S("twelve-week pilot",
          lambda m: pd.read_csv(SCENARIOS / "launch_decision_pilot.csv").time.max() / 7, 12, EXACT),
        S("The file as written is the mixed plan",
          lambda m: not next(s for s in m.sc.strategies if s.name == "mixed").set
          and all(m.spent(c) > 0 for c in ("ridge_social", "ridge_samples", "ridge_tv"))),
        Q("spends about 57,000 of its 60,000",
          lambda m: m.sc.brand("Ridge").budget == 60000 and math.isclose(m.spend("Ridge"), 57000, rel_tol=ROUND)),
        Q("about 24,000 on social ads", lambda m: m.spent("ridge_social"), 24000, ROUND),
        Q("6,000 on free pairs", lambda m: m.spent("ridge_samples"), 6000, EXACT),
        Q("about 27,000 on a TV spot", lambda m: m.spent("ridge_tv"), 27000, ROUND),
    ],
    "limited_exposure": [
        S("over three years", lambda m: m.sc.time.horizon * m.sc.time.days_per_unit / 365, 3, EXACT),
        S("every generation likes about as much", lambda m: max(
            max(m.fit(b, s) for s in m.sc.segment_names) - min(m.fit(b, s) for s in m.sc.segment_names)
            for b in ("YouthOnly", "Broad")) <= 0.1),
        S("aims all its advertising at people under 30", lambda m: m.on("YouthOnly", "under_30") >= 0.9),
        S("reaches every age on TV", lambda m: m.brand("Broad")["reach"] == m.people),
        S("Both have a budget of 80,000", lambda m: m.budgets("YouthOnly", "Broad") == {80000}),
        S("buy 20,000 contacts a week", lambda m: all(
            math.isclose(m.brand(b)["impressions"] / (m.sc.time.horizon * m.sc.time.days_per_unit / 7), 20000,
                         rel_tol=EXACT) for b in ("YouthOnly", "Broad"))),
        S("a social contact costs less than a TV one",
          lambda m: m.brand("YouthOnly")["cost_per_impression"] < m.brand("Broad")["cost_per_impression"]),
        S("YouthOnly spends about 39,000", lambda m: m.spend("YouthOnly"), 39000, ROUND),
        S("Broad about 70,000", lambda m: m.spend("Broad"), 70000, ROUND),
        S("targeting only people under 30 misses every other generation",
          lambda m: all(over_30(m, "YouthOnly", s) < 0.2 * over_30(m, "Broad", s) for s in SEEDS)),
        Q("cheaper per contact",
          lambda m: m.brand("YouthOnly")["cost_per_impression"] < m.brand("Broad")["cost_per_impression"]),
        Q("after three years", lambda m: m.sc.time.horizon * m.sc.time.days_per_unit / 365, 3, EXACT),
    ],
    "named_bottles": [
        S("45% of every segment as its customers", lambda m: all(
            math.isclose(m.at_start(b, s)[0], 0.45, rel_tol=EXACT) for b in ("Cola", "Rival")
            for s in m.sc.segment_names)),
        S("a tenth of consumers prefer neither",
          lambda m: 1 - m.at_start("Cola", "all")[0] - m.at_start("Rival", "all")[0], 0.1, EXACT),
        S("known to 95% of consumers", lambda m: all(
            math.isclose(m.at_start(b, "all")[1], 0.95, rel_tol=EXACT) for b in ("Cola", "Rival"))),
        S("everyone buys from the same shelves", lambda m: len({c.channel for c in m.sc.campaigns}) == 1
          and all(m.brand(b)["reach"] == m.people for b in ("Cola", "Rival"))),
        S("Rival spends about the same money", lambda m: m.spend("Rival") / m.spend("Cola"), 1, ABOUT),
        S("buying more shelf exposure", lambda m: m.brand("Rival")["impressions"] > m.brand("Cola")["impressions"]),
        Q("Everyone sees both bottles on the same shelf", lambda m: len({c.channel for c in m.sc.campaigns}) == 1
          and all(m.brand(b)["reach"] == m.people for b in ("Cola", "Rival"))),
        Q("both brands spend about the same", lambda m: m.spend("Rival") / m.spend("Cola"), 1, ABOUT),
    ],
    "niche_saturation": [
        S("a brand that reaches niche control", lambda m: m.controls_at_some_point("connoisseurs", "Craft")),
        S("most of its ads reach connoisseurs", lambda m: m.on("Craft", "connoisseurs") > 0.5),
        S("about a third reach casual drinkers", lambda m: m.on("Craft", "casual_drinkers"), 1 / 3, 0.15),
        S("advertises a mass-market beer to everyone", lambda m: m.brand("Lager")["reach"] == m.people),
        S("raises its price there by 15%", craft_price_rise, 1.15, EXACT),
        S("holding the niche halves the churn the price rise would cause",
          lambda m: m.sc.niche.price_shield, 0.5, EXACT),
        S("cuts its advertising to a fifth", craft_ads_cut, 0.2, ROUND),
        Q("Once Craft holds most connoisseurs", lambda m: m.controls_at_some_point("connoisseurs", "Craft")),
        Q("raises its price there by 15%", craft_price_rise, 1.15, EXACT),
        Q("cuts its ads to a fifth", craft_ads_cut, 0.2, ROUND),
    ],
    "rainy_city_rides": [
        S("the same product", lambda m: same_product(m, "RainRide", "DailyRide")),
        S("the same budget, 20,000", lambda m: m.budgets("RainRide", "DailyRide") == {20000}),
        S("both advertise their app to people in the city", lambda m: all(
            c.audience.field == "region" and c.audience.in_ == ["vancouver"] for c in m.sc.campaigns)),
        S("runs its campaign only on rainy days", lambda m: all(c.trigger == "rain" for c in m.sc.campaigns
                                                               if c.brand == "RainRide")
          and 0 < (m.rows("RainRide").impressions > 0).sum() < (m.rows("DailyRide").impressions > 0).sum()),
        S("runs the same campaign every day", lambda m: m.advertises_every_step("DailyRide")),
        S("Rain triples the response to a ride ad",
          lambda m: all(m.sc.brand(b).context_boost.get("rain") == 3 for b in ("RainRide", "DailyRide"))),
        S("Neither uses its whole budget",
          lambda m: all(m.spend(b) < m.sc.brand(b).budget for b in ("RainRide", "DailyRide"))),
        S("spends about 8,000 to 9,000", lambda m: all(7500 <= m.spend("RainRide", s) <= 9500 for s in SEEDS)),
        S("DailyRide about 15,400", lambda m: m.spend("DailyRide"), 15400, EXACT),
        Q("advertises only when it rains", lambda m: 0 < (m.rows("RainRide").impressions > 0).sum()
          < (m.rows("DailyRide").impressions > 0).sum()),
        Q("the other every day", lambda m: m.advertises_every_step("DailyRide")),
    ],
    "small_business_teens": [
        S("with 3,000 to spend", lambda m: m.budgets("ClipTea", "RadioTea") == {3000}
          and all(math.isclose(m.spend(b), 3000, rel_tol=EXACT) for b in ("ClipTea", "RadioTea"))),
        S("a drink that 16-21 year olds love", lambda m: all(m.fit(b, "teens") >= 0.8 for b in ("ClipTea", "RadioTea"))
          and (m.sc.population.segments[0].age.min, m.sc.population.segments[0].age.max) == (16, 21)),
        S("aimed at ages 16 to 21", lambda m: m.on("ClipTea", "teens") >= 0.9),
        S("buys the same budget of local radio, which everyone hears",
          lambda m: len(m.budgets("ClipTea", "RadioTea")) == 1 and m.brand("RadioTea")["reach"] == m.people),
        Q("Two shops with 3,000 each", lambda m: m.budgets("ClipTea", "RadioTea") == {3000}
          and all(math.isclose(m.spend(b), 3000, rel_tol=EXACT) for b in ("ClipTea", "RadioTea"))),
    ],
    "underserved_segment": [
        S("about an eighth of the athletes", lambda m: all(
            math.isclose(m.at_start(b, "athletes")[0], 1 / 8, rel_tol=ROUND) for b in ("Nike", "Rival"))),
        S("a sixteenth of casual buyers", lambda m: all(
            math.isclose(m.at_start(b, "casual")[0], 1 / 16, rel_tol=ROUND) for b in ("Nike", "Rival"))),
        S("known to about nine in ten of them", lambda m: all(
            math.isclose(m.at_start(b, s)[1], 0.9, rel_tol=0.06) for b in ("Nike", "Rival")
            for s in ("athletes", "casual"))),
        S("each has 2% of them as customers", lambda m: all(
            math.isclose(m.at_start(b, "plus_size")[0], 0.02, rel_tol=EXACT) for b in ("Nike", "Rival"))),
        S("and is known to 60%", lambda m: all(
            math.isclose(m.at_start(b, "plus_size")[1], 0.6, rel_tol=EXACT) for b in ("Nike", "Rival"))),
        S("its product fits them poorly", lambda m: m.fit("Rival", "plus_size") < m.satisfied),
        S("serves them with a product that fits", lambda m: m.fit("Nike", "plus_size") >= 0.8),
        S("seen mostly by shoppers who care about inclusive sizing", lambda m: m.brand("Nike")["wasted_share"] < 0.5),
        S("spends about two and a half times as much", lambda m: m.spend("Rival") / m.spend("Nike"), 2.5, ROUND),
        S("about 51,500 against Nike's 20,650", lambda m: math.isclose(m.spend("Rival"), 51500, rel_tol=EXACT)
          and math.isclose(m.spend("Nike"), 20650, rel_tol=EXACT)),
        S("Compare who controls the plus-size niche", lambda m: m.controls_at_some_point("plus_size")),
        Q("Rival spends about two and a half times as much as Nike",
          lambda m: m.spend("Rival") / m.spend("Nike"), 2.5, ROUND),
        Q("about 51,500 against 20,650", lambda m: math.isclose(m.spend("Rival"), 51500, rel_tol=EXACT)
          and math.isclose(m.spend("Nike"), 20650, rel_tol=EXACT)),
    ],
    "wrong_niche": [
        S("it truly fits busy office workers", lambda m: m.fit("Assumed", "office_workers") >= 0.8),
        S("hikers who try it are disappointed", lambda m: m.fit("Assumed", "hikers") < m.satisfied),
        S("the same bar with the same budget", lambda m: same_product(m, "Assumed", "Researched")
          and len(m.budgets("Assumed", "Researched")) == 1),
        S("the same hikers assumption", lambda m: m.sc.campaigns[0].audience == m.sc.campaigns[1].audience
          and m.sc.campaigns[0].audience.has_any == ["hiking"]),
        S("first spends two weeks and 1,500 on a panel",
          lambda m: research_first(m, "Researched") == (1500, 14)),
        S("aims its campaign where the panel liked it most", lambda m: panel_lead(m, "researched_campaign")),
        Q("same budget", lambda m: len(m.budgets("Assumed", "Researched")) == 1),
        Q("same guess about the customer", lambda m: m.sc.campaigns[0].audience == m.sc.campaigns[1].audience),
        Q("tests its guess with a two-week panel", lambda m: research_first(m, "Researched")[1] == 14
          and len(m.run().summary["campaigns"]["researched_campaign"]["panel_scores"]) == 2),
    ],
}
LESSONS = sorted(CLAIMS)


def flat(text: str) -> str:
    return " ".join(text.split())


def student_story(name: str) -> str:
    """The story as the dashboard loads it; quotes must come from the part above the modeller's notes even
    while the dashboard's loader does not stop there yet."""
    return story(SCENARIOS / f"{name}.toml")


def words(name: str, where: str) -> str:
    return flat(QUESTIONS[name] if where == "question" else student_story(name).split("Encodings:")[0])


@pytest.fixture(scope="module")
def markets() -> dict[str, Market]:
    return {name: Market(name) for name in LESSONS}


def test_every_lesson_has_a_question_and_claims_for_its_words():
    assert set(LESSONS) == set(ready_lessons()) == set(QUESTIONS)
    for name in LESSONS:
        assert {c.where for c in CLAIMS[name]} == {"story", "question"}, name


@pytest.mark.parametrize("name", LESSONS)
def test_each_quote_is_in_the_words(name):
    missing = [f"{c.where}: {c.quote!r}" for c in CLAIMS[name] if flat(c.quote) not in words(name, c.where)]
    assert not missing, f"{name}: the words changed without their claims: {missing}"


def wrong_claims(claims, market) -> list[str]:
    """Each claim whose measure on ``market`` does not match its words, said as 'quote: measured ...'."""
    wrong = []
    for c in claims:
        value = c.measure(market)
        ok = bool(value) if c.expect is None else math.isclose(value, c.expect, rel_tol=c.rel)
        if not ok:
            wrong.append(f"{c.where} {c.quote!r}: measured {value!r}"
                         + ("" if c.expect is None else f", words say {c.expect:g}"))
    return wrong


@pytest.mark.parametrize("name", LESSONS)
def test_each_claim_matches_the_run(name, markets):
    wrong = wrong_claims(CLAIMS[name], markets[name])
    assert not wrong, f"{name}: " + "; ".join(wrong)


def modeller_names() -> set[str]:
    """Field names a student should not meet: every key of a scenario file written with an underscore (the
    segment names in fit tables among them), the output metrics of docs/outputs.md, and dotted paths."""
    names = {"purchase_rate", "ad_effect", "word_of_mouth.strength"}

    def keys(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if "_" in k:
                    names.add(k)
                keys(v)
        elif isinstance(node, list):
            for v in node:
                keys(v)

    for path in SCENARIOS.glob("*.toml"):
        keys(tomllib.loads(path.read_text(encoding="utf-8")))
    names |= set(re.findall(r"`([a-z]+(?:_[a-z]+)+)`", (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")))
    return names


@pytest.mark.parametrize("name", LESSONS)
def test_student_story_has_no_modeller_notes(name):
    """Fails until the dashboard's story() stops at the "Encodings:" paragraph."""
    text = student_story(name)
    assert "Encodings" not in text, f"{name}: the story shows the modeller's notes"
    found = sorted(n for n in modeller_names() if re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", text))
    assert not found, f"{name}: the story names modeller fields {found}"


# The lesson plans of docs/dashboard.md: what a teacher reads out while the class watches the page at seed 1.
# A figure is measured as the page shows it (the summary and the monitors at the horizon: customers, cost per
# new customer = blended CAC, share of the niche = of the segment the niche brand fits best), in the run as
# written or in the variant the plan's lever makes; an outcome chance could flip holds on every seed of SEEDS.
# A percentage given without "about" is the measure rounded to a whole percent.

DASHBOARD_DOC = ROOT / "docs" / "dashboard.md"
PLANS_HEADING = "## Three lesson plans"
WOM_OFF, SMALL_NICHE, GENERIC, MIXING = {"wom": 0.0}, {"niche_size": 0.05}, {"relevance": 0.2}, {"homophily": 0.3}


def plans_text() -> str:
    """The lesson-plan sections: from their heading to the next section of the same level, or the end."""
    text = DASHBOARD_DOC.read_text(encoding="utf-8")
    start = text.index(PLANS_HEADING)
    end = text.find("\n## ", start + len(PLANS_HEADING))
    return text[start:] if end < 0 else text[start:end]


def P(quote, measure, expect=None, rel=0.0):
    return Claim("plans", quote, measure, expect, rel)


def shown(m: Market, brand: str, seed: int = SEED, **levers: float) -> dict:
    """A brand's figures at the horizon, as written or (levers moved) in the variant."""
    return (m.moved(seed, **levers) if levers else m.run(seed)).summary["brands"][brand]


def customers(m: Market, brand: str, seed: int = SEED, **levers: float) -> float:
    return shown(m, brand, seed, **levers)["customers"]


def cac(m: Market, brand: str, seed: int = SEED, **levers: float) -> float:
    """The page's cost per new customer: all spend over all first-time customers."""
    return shown(m, brand, seed, **levers)["cac_blended"]


def niche_share(m: Market, brand: str, seed: int = SEED, **levers: float) -> float:
    return shown(m, brand, seed, **levers)["segment_share"][load_lesson(m.path).niche]


def control_day(m: Market, brand: str, seed: int = SEED, **levers: float) -> float | None:
    """Day the brand's share of the niche first reaches the control line (None: never)."""
    t = shown(m, brand, seed, **levers)["time_to_control"][load_lesson(m.path).niche]
    return None if t is None else t * m.sc.time.days_per_unit


def pct(x: float) -> int:
    return round(100 * x)


def lever_start(m: Market, key: str) -> float:
    return lever_defaults(load_lesson(m.path))[key]


def outside_niche(m: Market, brand: str, **levers: float) -> float:
    """The brand's customers outside the niche at the horizon."""
    ts = (m.moved(**levers) if levers else m.run()).timeseries
    last = ts[(ts.step == ts.step.max()) & (ts.brand == brand)]
    return float(last[~last.segment.isin(["all", load_lesson(m.path).niche])].customer.sum())


def wom_after_control(m: Market, brand: str, seed: int) -> bool:
    """Whether, after the brand takes control of the niche, more of its new customers come from word of mouth
    than from paid contacts."""
    t = control_day(m, brand, seed) / m.sc.time.days_per_unit
    r = m.rows(brand, seed=seed)
    after = r[r.time > t]
    return after.first_wom.sum() > after.first_paid.sum()


def spark_young_share(m: Market) -> pd.Series:
    return m.rows("Spark", "young_active").set_index("time").share


PLAN_CLAIMS: dict[str, list[Claim]] = {
    "baseline": [
        P("towards the control line all year", lambda m: spark_young_share(m).iloc[-1]
          >= 0.99 * spark_young_share(m).max()),
        P("is still below it at day 365 (44%)", lambda m: all(control_day(m, "Spark", s) is None for s in SEEDS)
          and pct(niche_share(m, "Spark")) == 44),
        P("at day 365 Mass has more customers", lambda m: m.sc.time.horizon * m.sc.time.days_per_unit == 365
          and all(customers(m, "Mass", s) > customers(m, "Spark", s) for s in SEEDS)),
        P("(about 2,900 against 2,000)", lambda m: math.isclose(customers(m, "Mass"), 2900, rel_tol=ROUND)
          and math.isclose(customers(m, "Spark"), 2000, rel_tol=ROUND)),
        P("Spark holds over two fifths of the young, active segment", lambda m: 0.4 <= niche_share(m, "Spark") < 0.5),
        P("(Mass 10%)", lambda m: pct(niche_share(m, "Mass")), 10),
        P("at a slightly lower cost per new customer", lambda m: all(
            1 - 2 * ABOUT < cac(m, "Spark", s) / cac(m, "Mass", s) < 1 for s in SEEDS)),
        P("(about 12.5 against 13.7)", lambda m: math.isclose(cac(m, "Spark"), 12.5, rel_tol=ROUND)
          and math.isclose(cac(m, "Mass"), 13.7, rel_tol=ROUND)),
        P("on under half of Mass's spend", lambda m: m.spend("Spark") < 0.5 * m.spend("Mass")),
        P("set **word of mouth** to 0", lambda m: lever_start(m, "wom") > 0),
        P("in the variant both brands shrink (to about 1,200 and 2,200 customers)", lambda m: all(
            customers(m, b, **WOM_OFF) < customers(m, b) for b in ("Spark", "Mass"))
          and math.isclose(customers(m, "Spark", **WOM_OFF), 1200, rel_tol=ROUND)
          and math.isclose(customers(m, "Mass", **WOM_OFF), 2200, rel_tol=ROUND)),
        P("Spark's cost per new customer rises by two thirds (to about 21)",
          lambda m: math.isclose(cac(m, "Spark", **WOM_OFF) / cac(m, "Spark"), 5 / 3, rel_tol=ROUND)
          and math.isclose(cac(m, "Spark", **WOM_OFF), 21, rel_tol=ROUND)),
        P("Mass's by a third (to about 18)",
          lambda m: math.isclose(cac(m, "Mass", **WOM_OFF) / cac(m, "Mass"), 4 / 3, rel_tol=ROUND)
          and math.isclose(cac(m, "Mass", **WOM_OFF), 18, rel_tol=ROUND)),
        P("Spark's share of its niche falls to about 28%", lambda m: niche_share(m, "Spark", **WOM_OFF), 0.28, ROUND),
        P("Nearly half of Spark's new customers as written came free, from friends (45%)",
          lambda m: pct(shown(m, "Spark")["wom_share"]) == 45),
        P("which stay flat at zero in the variant",
          lambda m: all(shown(m, b, **WOM_OFF)["first_acquisitions_wom"] == 0 for b in ("Spark", "Mass"))),
    ],
    "niche_saturation": [
        P("Craft aims its ads at people who like craft beer, mostly connoisseurs",
          lambda m: m.on("Craft", "connoisseurs") > 0.5),
        P("cuts its advertising to a fifth", craft_ads_cut, 0.2, ROUND),
        P("from 10% down to 5%", lambda m: lever_start(m, "niche_size"), 0.10, EXACT),
        P("Craft controls the connoisseurs from day 185", lambda m: control_day(m, "Craft"), 185, EXACT),
        P("holds about 59% of their buying at a year", lambda m: niche_share(m, "Craft"), 0.59, ROUND),
        P("on about 12,300 of spend", lambda m: m.spend("Craft"), 12300, ROUND),
        P("a cost per new customer of about 8.3", lambda m: cac(m, "Craft"), 8.3, ROUND),
        P("(Lager: 13.9 on 51,500)", lambda m: math.isclose(cac(m, "Lager"), 13.9, rel_tol=ROUND)
          and math.isclose(m.spend("Lager"), 51500, rel_tol=EXACT)),
        P("after day 185 friends bring Craft more new customers than its ads do",
          lambda m: all(wom_after_control(m, "Craft", s) for s in SEEDS)),
        P("With a 5% niche Craft still takes it", lambda m: all(
            control_day(m, "Craft", s, **SMALL_NICHE) is not None for s in SEEDS)),
        P("(59%, from day 195)", lambda m: pct(niche_share(m, "Craft", **SMALL_NICHE)) == 59
          and math.isclose(control_day(m, "Craft", **SMALL_NICHE), 195, rel_tol=EXACT)),
        P("ends with just over half the customers (710 against 1,300)",
          lambda m: 0.5 < customers(m, "Craft", **SMALL_NICHE) / customers(m, "Craft") < 0.6
          and math.isclose(customers(m, "Craft", **SMALL_NICHE), 710, rel_tol=ROUND)
          and math.isclose(customers(m, "Craft"), 1300, rel_tol=ROUND)),
        P("at nearly twice the cost per new customer (16.1)",
          lambda m: 1.75 <= cac(m, "Craft", **SMALL_NICHE) / cac(m, "Craft") < 2
          and math.isclose(cac(m, "Craft", **SMALL_NICHE), 16.1, rel_tol=EXACT)),
    ],
    "small_business_teens": [
        P("two bubble-tea shops with 3,000 each", lambda m: m.budgets("ClipTea", "RadioTea") == {3000}),
        P("from 80% to 20%", lambda m: lever_start(m, "relevance"), 0.8, EXACT),
        P("ClipTea takes about 28% of the teens' buying", lambda m: niche_share(m, "ClipTea"), 0.28, ROUND),
        P("(RadioTea 4%)", lambda m: pct(niche_share(m, "RadioTea")), 4),
        P("about four and a half times RadioTea's customers",
          lambda m: 4.25 <= customers(m, "ClipTea") / customers(m, "RadioTea") < 4.75),
        P("paying about 3.0 per new customer against 8.3", lambda m: math.isclose(cac(m, "ClipTea"), 3.0,
                                                                                  rel_tol=ROUND)
          and math.isclose(cac(m, "RadioTea"), 8.3, rel_tol=ROUND)),
        P("ClipTea's teen share falls to about half (14%)", lambda m: 0.45 < niche_share(m, "ClipTea", **GENERIC)
          / niche_share(m, "ClipTea") < 0.55 and pct(niche_share(m, "ClipTea", **GENERIC)) == 14),
        P("its cost per new customer rises by about 60% (4.8)",
          lambda m: math.isclose(cac(m, "ClipTea", **GENERIC) / cac(m, "ClipTea"), 1.6, rel_tol=ROUND)
          and math.isclose(cac(m, "ClipTea", **GENERIC), 4.8, rel_tol=EXACT)),
    ],
    "energy_drink_events": [
        P("lower **homophily** from 85% to 30%", lambda m: lever_start(m, "homophily"), 0.85, EXACT),
        P("win nearly as many customers", lambda m: shown(m, "Bolt", **MIXING)["first_acquisitions_paid"]
          >= (1 - 2 * ABOUT) * shown(m, "Bolt")["first_acquisitions_paid"]),
        P("falls from about 55%", lambda m: niche_share(m, "Bolt"), 0.55, ROUND),
        P("(controlled from day 254)", lambda m: control_day(m, "Bolt"), 254, EXACT),
        P("to 33%, short of control", lambda m: pct(niche_share(m, "Bolt", **MIXING)) == 33
          and all(control_day(m, "Bolt", s, **MIXING) is None for s in SEEDS)),
        P("its customers outside the niche double, from about 460 to 950",
          lambda m: math.isclose(outside_niche(m, "Bolt", **MIXING) / outside_niche(m, "Bolt"), 2, rel_tol=ABOUT)
          and math.isclose(outside_niche(m, "Bolt"), 460, rel_tol=ROUND)
          and math.isclose(outside_niche(m, "Bolt", **MIXING), 950, rel_tol=ROUND)),
        P("its total customers fall (from about 1,960 to 1,840)",
          lambda m: all(customers(m, "Bolt", s, **MIXING) < customers(m, "Bolt", s) for s in SEEDS)
          and math.isclose(customers(m, "Bolt"), 1960, rel_tol=ROUND)
          and math.isclose(customers(m, "Bolt", **MIXING), 1840, rel_tol=ROUND)),
    ],
}
PLANS = sorted(PLAN_CLAIMS)
GONE_CONTROLS = ("▶", "Play Interval", "Render Interval", "Use Threads")  # the page no longer has them


def test_every_lesson_plan_has_claims_and_names_only_what_the_page_has():
    text = plans_text()
    assert set(re.findall(r"`(\w+)`", text)) == set(PLANS) <= set(LESSONS)
    labels = [lever.label.split(" (")[0].lower() for lever in LEVERS]
    unknown = [b for b in re.findall(r"\*\*(.+?)\*\*", text) if b.lower() not in labels]
    assert not unknown, f"the plans name levers the page does not have: {unknown}"
    gone = [c for c in GONE_CONTROLS if c in text]
    assert not gone, f"the plans name controls the page no longer has: {gone}"


def test_each_plan_quote_is_in_the_lesson_plans():
    text = flat(plans_text())
    missing = [f"{name}: {c.quote!r}" for name in PLANS for c in PLAN_CLAIMS[name] if flat(c.quote) not in text]
    assert not missing, f"docs/dashboard.md's lesson plans changed without their claims: {missing}"


@pytest.mark.parametrize("name", PLANS)
def test_each_plan_claim_matches_the_runs(name, markets):
    wrong = wrong_claims(PLAN_CLAIMS[name], markets[name])
    assert not wrong, f"{name}'s lesson plan: " + "; ".join(wrong)
