"""Exogenous conditions (rain, a match on TV): which hold in which region on a step, and how much
more consumers there respond to a brand's ads while they do (``brands[].context_boost``).

Each condition holds on a step with its probability, drawn from the model's own conditions stream,
so that campaigns triggered by it (``trigger``) and the boost see the same weather.
"""

from __future__ import annotations

import numpy as np

from ..scenario.schema import BrandSpec, ExogenousCondition


def draw_conditions(conditions: list[ExogenousCondition], regions: list[str],
                    rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Condition name -> whether it holds, per region code, on this step."""
    holds = rng.random(len(conditions)) < [c.probability for c in conditions]
    out = {c.name: np.zeros(len(regions), dtype=bool) for c in conditions}
    for cond, h in zip(conditions, holds):
        out[cond.name][regions.index(cond.region)] |= h
    return out


def context_boost(brands: list[BrandSpec], regions_with: dict[str, np.ndarray], regions: int) -> list[np.ndarray]:
    """Per brand: the factor on the response to its ads, per region code, given where conditions hold."""
    boost = []
    for spec in brands:
        per_region = np.ones(regions)
        for cond, factor in spec.context_boost.items():
            per_region[regions_with[cond]] *= factor
        boost.append(per_region)
    return boost
