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
from ..scenario.scale import CAMPAIGN_AMOUNTS, CAMPAIGN_PEOPLE  # what a campaign's money buys
from ..scenario.schema import Scenario
from .questions import DEFAULT_QUESTION, QUESTIONS

READY = Path(__file__).resolve().parent.parent.parent / "scenarios"
LESSON_ENV = "MARKETSIM_LESSON"  # the scenario file `marketsim dashboard SCENARIO` opens first

MODELLER_NOTES = "Encodings:"  # the paragraph where a file's notes for modellers begin


def story(path: Path) -> str:
    """The scenario file's opening comment block as paragraphs (its story), without the '#', and without the
    modeller's notes (the paragraph starting with MODELLER_NOTES, and what follows it)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    paragraphs = [p.strip().replace("  ", " ") for p in " ".join(line or "\n\n" for line in lines).split("\n\n")]
    students = []
    for paragraph in paragraphs:
        if paragraph.startswith(MODELLER_NOTES):
            break
        if paragraph:
            students.append(paragraph)
    return "\n\n".join(students)


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


def load_lesson(path: Path) -> Lesson:
    """The lesson in ``path`` as the file is now (read again when the file changes)."""
    return _lesson(path, path.stat().st_mtime_ns)


@cache
def _lesson(path: Path, modified: int) -> Lesson:
    sc = load_scenario(path)
    return Lesson(path, sc, story(path), QUESTIONS.get(sc.name, DEFAULT_QUESTION))


def ready_lessons(folder: Path = READY) -> dict[str, Path]:
    """Lesson name -> scenario file, for every ready scenario that compares brands (a one-brand scenario, such
    as the air-conditioner data for calibration, has no micro and macro plan to set side by side)."""
    return {load_lesson(p).name: p for p in sorted(folder.glob("*.toml")) if len(load_lesson(p).scenario.brands) > 1}


@dataclass(frozen=True)
class Lever:
    """A slider: a short label for the projector, a sentence that says what it moves, its range and step in the
    unit it shows, and how its value overrides the scenario."""

    key: str
    label: str
    help: str
    min: float
    max: float
    step: float
    percent: bool = False  # shown in % (the scenario holds a fraction)


LEVERS = (
    Lever("budget_split", "Niche brand's share of the money (%)",
          "Moves money between the two brands: each brand's budget, and what its campaigns buy (impressions, "
          "event guests, free samples, their budgets and fixed costs), grow or shrink with its share of the total.",
          5, 95, 5, percent=True),
    Lever("precision", "Targeting precision (%)",
          "Share of the contacts of the niche brand's first ads campaign (and its others with the same precision) "
          "that land in its audience.", 0, 100, 5, percent=True),
    Lever("relevance", "Message relevance (%)",
          "How relevant the messages of the niche brand's first ads campaign (and its others with the same "
          "relevance) are to the people they were written for.", 0, 100, 5, percent=True),
    Lever("wom", "Word of mouth (% per {unit})",
          "Chance per {unit} that a consumer adopts when every contact is a happy new customer.", 0, 30, 0.5,
          percent=True),
    Lever("homophily", "Homophily (%)", "Share of each consumer's contacts inside their own group.", 0, 100, 5,
          percent=True),
    Lever("niche_size", "Niche size (%)", "The niche segment's share of the market; the others keep their ratios.",
          5, 60, 1, percent=True),
    Lever("price", "Niche brand's price", "Price of one purchase of the niche brand, in currency units.",
          0.5, 100, 0.5),
)


def lever_campaigns(lesson: Lesson, key: str) -> list[str]:
    """The niche brand's campaigns the precision or relevance lever moves: its first ads campaign (for relevance,
    its first campaign when it has no ads), and its other campaigns of that kind that hold the same value as
    written. The rest keep theirs: a mixed plan's TV spot is not made relevant by the social ads' lever."""
    campaigns = [c for c in lesson.scenario.campaigns if c.brand == lesson.micro]
    ads = [c for c in campaigns if c.type == "ads"]  # only ads are aimed contact by contact: precision
    kind = ads if key == "precision" or ads else campaigns
    return [c.name for c in kind if getattr(c, key) == getattr(kind[0], key)] if kind else []


def lever_defaults(lesson: Lesson) -> dict[str, float]:
    """Each lever's value in the scenario as written (the slider's starting point); a lever that would move
    nothing (no campaign to aim, no money to move) is left out."""
    sc = lesson.scenario
    micro, macro = sc.brand(lesson.micro), sc.brand(lesson.macro)
    shares = {s.name: s.share for s in sc.population.segments}
    total = micro.budget + macro.budget
    split = micro.budget / total if micro is not macro and math.isfinite(total) and total > 0 else None
    aimed = {key: lever_campaigns(lesson, key) for key in ("precision", "relevance")}
    values = {
        "budget_split": split if split is not None and 0 < split < 1 else None,
        **{key: next(getattr(c, key) for c in sc.campaigns if c.name == names[0]) if names else None
           for key, names in aimed.items()},
        "wom": sc.word_of_mouth.strength,
        "homophily": getattr(sc.network, "homophily", None),
        "niche_size": shares[lesson.niche] / sum(shares.values()) if len(shares) > 1 else None,
        "price": micro.price,
    }
    return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Slider:
    """A lever's slider as whole positions: the lesson's own value, steps of ``lever.step`` counted from it
    either way, and the ends of the lever's range exactly (so that word of mouth can reach 0 from 0.3%).
    It starts exactly at the lesson's value (no grid of the browser's moves it) and a return to ``start``
    gives back that value itself, not a rounding of it."""

    lever: Lever
    values: tuple[float, ...]  # at each position, in the scenario's units
    start: int

    @classmethod
    def of(cls, lever: Lever, value: float) -> Slider:
        scale = 100.0 if lever.percent else 1.0
        shown = value * scale
        low, high = min(lever.min, shown), max(lever.max, shown)
        below = math.floor((shown - low) / lever.step + 1e-9)
        above = math.floor((high - shown) / lever.step + 1e-9)
        grid = [min(max(value + k * lever.step / scale, low / scale), high / scale) for k in range(-below, above + 1)]
        grid[below] = value
        first = [low / scale] if grid[0] * scale > low + 1e-9 else []
        last = [high / scale] if grid[-1] * scale < high - 1e-9 else []
        return cls(lever, tuple([*first, *grid, *last]), below + len(first))

    @property
    def last(self) -> int:
        return len(self.values) - 1

    def at(self, position: int) -> float:
        """The lever's value at a position, in the scenario's units."""
        return self.values[position]

    def position(self, value: float) -> int:
        """The position whose value is nearest ``value``."""
        return min(range(len(self.values)), key=lambda p: abs(self.values[p] - value))


def spending_scaled(sc: Scenario, brand: str, factor: float) -> dict[str, object]:
    """Overrides that give ``brand`` ``factor`` times its money: its budget, and its campaigns' impressions, spend
    rates, budgets and fixed costs, event guests and free samples (whole, at least one). Research and channel
    set-up costs stay: they are paid once, whatever the size of the campaign."""
    out: dict[str, object] = {f"brands.{brand}.budget": sc.brand(brand).budget * factor}
    for c in sc.campaigns:
        if c.brand != brand:
            continue
        for f in CAMPAIGN_AMOUNTS:
            value = getattr(c, f)
            if value is not None and math.isfinite(value):
                out[f"campaigns.{c.name}.{f}"] = value * factor
        for f in CAMPAIGN_PEOPLE:
            if getattr(c, f) is not None:
                out[f"campaigns.{c.name}.{f}"] = max(1, round(getattr(c, f) * factor))
    return out


def overrides(lesson: Lesson, levers: dict[str, float]) -> dict[str, object]:
    """Scenario overrides (dotted path -> value) for the levers that differ from the scenario."""
    sc = lesson.scenario
    start = lever_defaults(lesson)
    moved = {k: v for k, v in levers.items() if k in start and not math.isclose(v, start[k], abs_tol=1e-9)}
    out: dict[str, object] = {}
    if "budget_split" in moved:
        out.update(spending_scaled(sc, lesson.micro, moved["budget_split"] / start["budget_split"]))
        out.update(spending_scaled(sc, lesson.macro, (1.0 - moved["budget_split"]) / (1.0 - start["budget_split"])))
    for key in ("precision", "relevance"):
        if key in moved:
            out.update({f"campaigns.{c}.{key}": moved[key] for c in lever_campaigns(lesson, key)})
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
    return [f"{lever.label.split(' (')[0]}: {show(lever, levers[lever.key])} (as written: "
            f"{show(lever, start[lever.key])})"
            for lever in LEVERS if lever.key in levers and lever.key in start
            and not math.isclose(levers[lever.key], start[lever.key], abs_tol=1e-9)]


def show(lever: Lever, value: float) -> str:
    """A lever's value as its slider shows it: a percentage to one decimal at most, a price to two."""
    return f"{round(value * 100, 1):g}%" if lever.percent else f"{round(value, 2):g}"
