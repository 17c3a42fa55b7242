"""Audience rules evaluated over the whole population at once.

Rules read attributes only, never the segment label, so a rule that describes a persona badly
misses part of it and catches outsiders: that is how a wrong audience costs money in the model.
"""

from __future__ import annotations

import numpy as np

from ..scenario.schema import Audience, Rule
from .population import Population


def select(audience: Audience, pop: Population) -> np.ndarray:
    """Boolean mask of the consumers an audience rule matches."""
    if audience == "everyone":
        return np.ones(pop.size, dtype=bool)
    return _evaluate(audience, pop)


def _evaluate(rule: Rule, pop: Population) -> np.ndarray:
    if rule.all is not None:
        mask = np.ones(pop.size, dtype=bool)
        for sub in rule.all:
            mask &= _evaluate(sub, pop)
        return mask
    if rule.any is not None:
        mask = np.zeros(pop.size, dtype=bool)
        for sub in rule.any:
            mask |= _evaluate(sub, pop)
        return mask
    if rule.not_ is not None:
        return ~_evaluate(rule.not_, pop)
    mask = np.ones(pop.size, dtype=bool)
    if rule.field == "age":
        if rule.min is not None:
            mask &= pop.age >= rule.min
        if rule.max is not None:
            mask &= pop.age <= rule.max
    elif rule.field == "interests":
        if rule.has_any is not None:
            mask &= (pop.interests & pop.interest_bits(rule.has_any)) != 0
        if rule.has_all is not None:
            bits = pop.interest_bits(rule.has_all)
            mask &= (pop.interests & bits) == bits
    else:
        column = getattr(pop, rule.field)
        if rule.in_ is not None:
            mask &= np.isin(column, pop.codes(rule.field, rule.in_))
        if rule.not_in is not None:
            mask &= ~np.isin(column, pop.codes(rule.field, rule.not_in))
    return mask
