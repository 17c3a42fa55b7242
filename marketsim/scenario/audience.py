"""What an audience rule means, in one place: which consumers it matches, given their attributes as
columns. The market evaluates it over the whole population (market/targeting.py); the loader
evaluates it over a few representative consumers of each segment to refuse a rule that no consumer
the scenario can produce would ever match (it would spend its whole budget outside its audience).

Rules read attributes only, never the segment label, so a rule that describes a persona badly
misses part of it and catches outsiders: that is how a wrong audience costs money in the model.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .schema import CATEGORICAL_FIELDS, Audience, Rule, Scenario, Segment

# representative consumers tried per segment before the check gives up (it then refuses nothing)
MAX_REPRESENTATIVES = 200_000


class Attributes(Protocol):
    """Consumers as columns: age (years), categorical codes, interests as a bit set."""

    age: np.ndarray
    interests: np.ndarray
    categories: dict[str, list[str]]

    @property
    def size(self) -> int: ...


def matches(audience: Audience, people: Attributes) -> np.ndarray:
    """Boolean mask of the consumers an audience matches."""
    if audience == "everyone":
        return np.ones(people.size, dtype=bool)
    return _evaluate(audience, people)


def interest_bits(categories: dict[str, list[str]], names: list[str]) -> np.uint64:
    tags = categories["interests"]
    return np.uint64(sum(1 << tags.index(n) for n in names))


def codes(categories: dict[str, list[str]], field: str, names: list[str]) -> np.ndarray:
    known = categories[field]
    return np.array([known.index(n) for n in names], dtype=np.int16)


def _evaluate(rule: Rule, people: Attributes) -> np.ndarray:
    if rule.all is not None:
        mask = np.ones(people.size, dtype=bool)
        for sub in rule.all:
            mask &= _evaluate(sub, people)
        return mask
    if rule.any is not None:
        mask = np.zeros(people.size, dtype=bool)
        for sub in rule.any:
            mask |= _evaluate(sub, people)
        return mask
    if rule.not_ is not None:
        return ~_evaluate(rule.not_, people)
    mask = np.ones(people.size, dtype=bool)
    if rule.field == "age":
        if rule.min is not None:
            mask &= people.age >= rule.min
        if rule.max is not None:
            mask &= people.age <= rule.max
    elif rule.field == "interests":
        if rule.has_any is not None:
            mask &= (people.interests & interest_bits(people.categories, rule.has_any)) != 0
        if rule.has_all is not None:
            bits = interest_bits(people.categories, rule.has_all)
            mask &= (people.interests & bits) == bits
    else:
        column = getattr(people, rule.field)
        if rule.in_ is not None:
            mask &= np.isin(column, codes(people.categories, rule.field, rule.in_))
        if rule.not_in is not None:
            mask &= ~np.isin(column, codes(people.categories, rule.field, rule.not_in))
    return mask


@dataclass(frozen=True)
class Representatives:
    """A few consumers who stand for every consumer a segment can hold, as far as some rules can tell:
    every age at or next to a threshold the rules name, every category the rules name and one they
    do not, and every combination of the interests they name that the segment allows."""

    age: np.ndarray
    gender: np.ndarray
    region: np.ndarray
    occupation: np.ndarray
    income: np.ndarray
    interests: np.ndarray
    categories: dict[str, list[str]]

    @property
    def size(self) -> int:
        return self.age.size


def _named(rules: list[Rule]) -> tuple[set[float], dict[str, set[str]]]:
    """The age thresholds and the category or interest names ``rules`` test."""
    thresholds: set[float] = set()
    names: dict[str, set[str]] = {}
    stack = list(rules)
    while stack:
        rule = stack.pop()
        stack += (rule.all or []) + (rule.any or []) + ([rule.not_] if rule.not_ else [])
        thresholds |= {v for v in (rule.min, rule.max) if v is not None}
        for field, values in rule.values() if rule.field else []:
            names.setdefault(field, set()).update(values)
    return thresholds, names


def representatives(segment: Segment, categories: dict[str, list[str]], rules: list[Rule]) -> Representatives | None:
    """The segment's representatives for ``rules``; None when there would be more than MAX_REPRESENTATIVES."""
    thresholds, names = _named(rules)
    low, high = segment.age.min, segment.age.max
    ages = {low, high} | {a for t in thresholds for a in (math.floor(t), math.ceil(t), math.floor(t) - 1,
                                                            math.ceil(t) + 1) if low <= a <= high}
    choices: list[list] = [sorted(ages)]
    for field in CATEGORICAL_FIELDS:
        possible = [c for c, w in getattr(segment, field).items() if w > 0]
        named = [c for c in possible if c in names.get(field, ())]
        other = [c for c in possible if c not in names.get(field, ())][:1]
        choices.append([categories[field].index(c) for c in named + other])
    bits = []
    for tag in sorted(names.get("interests", ())):
        p = segment.interests.get(tag, 0.0)
        bit = 1 << categories["interests"].index(tag) if tag in categories["interests"] else 0
        bits.append(sorted({0 if p < 1 else bit, bit if p > 0 else 0}))
    choices.append([sum(combo) for combo in itertools.product(*bits)])
    if math.prod(len(c) for c in choices) > MAX_REPRESENTATIVES:
        return None
    index = np.indices([len(c) for c in choices]).reshape(len(choices), -1)  # every combination
    columns = [np.array(c, dtype=np.int64)[i] for c, i in zip(choices[:-1], index[:-1])]
    return Representatives(*columns, np.array(choices[-1], dtype=np.uint64)[index[-1]], categories)


def can_match(scenario: Scenario, rules: list[Audience]) -> bool:
    """Whether some consumer the scenario can produce is matched by every rule in ``rules`` (True when
    that cannot be told cheaply)."""
    rules = [r for r in rules if r != "everyone"]
    if not rules:
        return True
    categories = {f: scenario.categories(f) for f in (*CATEGORICAL_FIELDS, "interests")}
    for segment in scenario.population.segments:
        people = representatives(segment, categories, rules)
        if people is None:
            return True
        mask = np.ones(people.size, dtype=bool)
        for rule in rules:
            mask &= _evaluate(rule, people)
        if mask.any():
            return True
    return False
