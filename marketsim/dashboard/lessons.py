"""Lessons: the ready scenarios with their story and a question for the class, and the levers.

A lesson is a scenario file whose first brand plays micro-marketing (the niche brand) and whose
second plays macro-marketing (the mass brand), as in every ready scenario. Its story is the file's
opening comment block, so the page says what the file says. Levers are scenario overrides named
in a marketer's words; a lever left at its starting value overrides nothing, so the variant run
equals the scenario as written until the teacher moves one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..scenario.loading import load_scenario
from ..scenario.schema import Scenario

READY = Path(__file__).resolve().parent.parent.parent / "scenarios"

QUESTIONS = {
    "baseline": "Both brands spend the same. Which one will have more customers after a year, and which one "
                "will own the young, active niche? Why can both be true at once?",
    "energy_drink_events": "Five events against a year of TV for the same money: who reaches a majority of "
                           "the thrill seekers first, and what carries the message after each event?",
    "launch_decision": "Ridge splits its money between social ads aimed at trail runners and a TV spot for "
                       "everyone. After a year, who wears the shoe, and which half of the money found them?",
    "limited_exposure": "Aiming only at the under-30s is cheaper per contact. What happens to the customers "
                        "over 30 after three years, and can word of mouth make up for them?",
    "named_bottles": "Everyone sees both bottles on the same shelf. Why would a name on the bottle win "
                     "more customers, and keep them longer, than a generic label?",
    "niche_saturation": "Once Craft holds most connoisseurs it raises its price and cuts its ads. "
                        "Does it keep the niche? What keeps it there?",
    "rainy_city_rides": "One service advertises only when it rains, the other every day. Which one pays "
                        "less per new rider, and what did the dry-day ads buy?",
    "small_business_teens": "Two shops with 3,000 each: one on the app teenagers use, one on local radio. "
                            "Where does each shop's money go, and who wins the teens?",
    "underserved_segment": "The rival spends six times as much. Who ends up serving plus-size shoppers, "
                           "and at what cost per customer?",
    "wrong_niche": "Same product, same budget, different guess about the customer. How much of the "
                   "wrong guess's money is wasted, and how would you notice in time?",
}
DEFAULT_QUESTION = "Which brand leads on customers, on cost per customer and in the niche, and why?"


def story(path: Path) -> str:
    """The scenario file's opening comment block as paragraphs (its story), without the '#'."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    paragraphs = " ".join(line or "\n\n" for line in lines).split("\n\n")
    return "\n\n".join(p.strip().replace("  ", " ") for p in paragraphs if p.strip())


@dataclass(frozen=True)
class Lesson:
    path: Path
    scenario: Scenario
    story: str
    question: str

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def micro(self) -> str:
        """The niche brand: the first brand of the scenario."""
        return self.scenario.brands[0].name

    @property
    def macro(self) -> str:
        """The mass brand: the second brand (or the only one)."""
        return self.scenario.brands[min(1, len(self.scenario.brands) - 1)].name

    @property
    def niche(self) -> str:
        """The segment the niche brand's product fits best (the first one on a tie)."""
        spec = self.scenario.brands[0]
        return max(self.scenario.segment_names, key=lambda s: spec.fit.get(s, spec.default_fit))

    def micro_campaigns(self) -> list[str]:
        return [c.name for c in self.scenario.campaigns if c.brand == self.micro]


@cache
def load_lesson(path: Path) -> Lesson:
    sc = load_scenario(path)
    return Lesson(path, sc, story(path), QUESTIONS.get(sc.name, DEFAULT_QUESTION))


def ready_lessons(folder: Path = READY) -> dict[str, Path]:
    """Lesson name -> scenario file, for every ready scenario that compares brands (a one-brand scenario, such
    as the air-conditioner data for calibration, has no micro and macro plan to set side by side)."""
    return {load_lesson(p).name: p for p in sorted(folder.glob("*.toml")) if len(load_lesson(p).scenario.brands) > 1}


@dataclass(frozen=True)
class Lever:
    """A slider: its label with the unit, its range and how its value overrides the scenario."""

    key: str
    label: str
    min: float
    max: float
    step: float
    percent: bool = False  # shown in % (the scenario holds a fraction)


LEVERS = (
    Lever("budget_split", "Budget given to the niche brand (% of both brands' total)", 0, 100, 5, percent=True),
    Lever("precision", "Targeting precision: share of the niche brand's contacts that hit its audience (%)",
          0, 100, 5, percent=True),
    Lever("relevance", "Message relevance of the niche brand's campaigns (%)", 0, 100, 5, percent=True),
    Lever("wom", "Word-of-mouth strength (adoption chance per {unit} when every contact is a happy customer, %)",
          0, 30, 0.5, percent=True),
    Lever("homophily", "Homophily: share of each consumer's contacts inside their own group (%)", 0, 100, 5,
          percent=True),
    Lever("niche_size", "Niche size: the niche segment's share of the market (%)", 5, 60, 1, percent=True),
    Lever("price", "Niche brand's price (currency units per purchase)", 0.5, 100, 0.5),
)


def lever_defaults(lesson: Lesson) -> dict[str, float]:
    """Each lever's value in the scenario as written (the slider's starting point)."""
    sc = lesson.scenario
    micro, macro = sc.brand(lesson.micro), sc.brand(lesson.macro)
    campaigns = [c for c in sc.campaigns if c.brand == lesson.micro]
    ads = [c for c in campaigns if c.type == "ads"] or campaigns
    shares = {s.name: s.share for s in sc.population.segments}
    values = {
        "budget_split": micro.budget / (micro.budget + macro.budget) if math.isfinite(micro.budget + macro.budget)
        and micro.budget + macro.budget > 0 and micro is not macro else None,
        "precision": ads[0].precision if ads else None,
        "relevance": ads[0].relevance if ads else None,
        "wom": sc.word_of_mouth.strength,
        "homophily": getattr(sc.network, "homophily", None),
        "niche_size": shares[lesson.niche] / sum(shares.values()) if len(shares) > 1 else None,
        "price": micro.price,
    }
    return {k: v for k, v in values.items() if v is not None}


def overrides(lesson: Lesson, levers: dict[str, float]) -> dict[str, object]:
    """Scenario overrides (dotted path -> value) for the levers that differ from the scenario."""
    sc = lesson.scenario
    start = lever_defaults(lesson)
    moved = {k: v for k, v in levers.items() if k in start and not math.isclose(v, start[k], abs_tol=1e-9)}
    out: dict[str, object] = {}
    if "budget_split" in moved:
        total = sc.brand(lesson.micro).budget + sc.brand(lesson.macro).budget
        out[f"brands.{lesson.micro}.budget"] = total * moved["budget_split"]
        out[f"brands.{lesson.macro}.budget"] = total * (1.0 - moved["budget_split"])
    ads = [c.name for c in sc.campaigns if c.brand == lesson.micro and c.type == "ads"]
    if "precision" in moved:  # only ads are aimed impression by impression
        out.update({f"campaigns.{c}.precision": moved["precision"] for c in ads})
    if "relevance" in moved:
        out.update({f"campaigns.{c}.relevance": moved["relevance"] for c in lesson.micro_campaigns()})
    if "wom" in moved:
        out["word_of_mouth.strength"] = moved["wom"]
    if "homophily" in moved:
        out["network.homophily"] = moved["homophily"]
    if "niche_size" in moved:
        shares = {s.name: s.share for s in sc.population.segments}
        others = sum(v for k, v in shares.items() if k != lesson.niche)
        total = sum(shares.values())
        for name, share in shares.items():
            mine = moved["niche_size"] if name == lesson.niche else (1.0 - moved["niche_size"]) * share / others
            out[f"population.segments.{name}.share"] = mine * total
    if "price" in moved:
        out[f"brands.{lesson.micro}.price"] = moved["price"]
    return out


def variant(lesson: Lesson, levers: dict[str, float]) -> Scenario:
    """The lesson's scenario with the levers applied."""
    return load_scenario(lesson.path, overrides(lesson, levers))


def describe_changes(lesson: Lesson, levers: dict[str, float]) -> list[str]:
    """The moved levers in words, e.g. 'Targeting precision: 50% (as written: 85%)'."""
    start = lever_defaults(lesson)
    out = []
    for lever in LEVERS:
        if lever.key in levers and lever.key in start and not math.isclose(levers[lever.key], start[lever.key],
                                                                            abs_tol=1e-9):
            label = lever.label.split(" (")[0].split(":")[0]
            out.append(f"{label}: {show(lever, levers[lever.key])} (as written: {show(lever, start[lever.key])})")
    return out


def show(lever: Lever, value: float) -> str:
    return f"{value * 100:g}%" if lever.percent else f"{value:g}"
