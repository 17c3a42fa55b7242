"""Consumers as columns: one array per attribute, built segment by segment from buyer personas."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..scenario.schema import CATEGORICAL_FIELDS, Scenario


@dataclass(frozen=True)
class Population:
    """Attributes of every consumer; categorical fields hold codes into ``categories[field]``."""

    segment: np.ndarray  # ground-truth persona (int16); targeting never reads it
    age: np.ndarray  # int16 years
    gender: np.ndarray
    region: np.ndarray
    occupation: np.ndarray
    income: np.ndarray
    interests: np.ndarray  # uint64 bit set, bit k = categories["interests"][k]
    talkativeness: np.ndarray  # float64, mean word-of-mouth intensity relative to 1
    categories: dict[str, list[str]]

    @property
    def size(self) -> int:
        return self.segment.size

    @cached_property
    def everyone(self) -> np.ndarray:
        """Every consumer's index, one read-only array that all campaigns aimed at everyone share."""
        index = np.arange(self.size)
        index.flags.writeable = False
        return index

    def members(self, mask: np.ndarray) -> np.ndarray:
        """Indices of the consumers in ``mask``, in order; the shared ``everyone`` when that is all."""
        return self.everyone if mask.all() else np.flatnonzero(mask)

    def segment_sizes(self) -> np.ndarray:
        return np.bincount(self.segment, minlength=len(self.categories["segment"]))


def build_population(scenario: Scenario, rng: np.random.Generator) -> Population:
    spec = scenario.population
    n = spec.size
    categories = {f: scenario.categories(f) for f in (*CATEGORICAL_FIELDS, "interests")}
    categories["segment"] = scenario.segment_names
    counts = spec.segment_sizes()
    segment = rng.permutation(np.repeat(np.arange(len(counts), dtype=np.int16), counts))

    age = np.empty(n, np.int16)
    talk = np.empty(n, np.float64)
    interests = np.zeros(n, np.uint64)
    cat_cols = {f: np.empty(n, np.int16) for f in CATEGORICAL_FIELDS}
    cv = spec.talkativeness_spread
    for s, seg in enumerate(spec.segments):
        members = np.flatnonzero(segment == s)
        m = members.size
        age[members] = rng.integers(seg.age.min, seg.age.max + 1, size=m)
        for f in CATEGORICAL_FIELDS:
            dist = getattr(seg, f)
            codes = np.array([categories[f].index(k) for k in dist], dtype=np.int16)
            p = np.array(list(dist.values()), dtype=float)
            cat_cols[f][members] = codes[rng.choice(codes.size, size=m, p=p / p.sum())]
        for tag, prob in seg.interests.items():
            has = rng.random(m) < prob
            interests[members[has]] |= np.uint64(1 << categories["interests"].index(tag))
        if cv > 0 and seg.talkativeness > 0:
            shape = 1.0 / cv**2
            talk[members] = rng.gamma(shape, seg.talkativeness / shape, size=m)
        else:
            talk[members] = seg.talkativeness
    return Population(segment=segment, age=age, interests=interests, talkativeness=talk,
                      categories=categories, **cat_cols)
