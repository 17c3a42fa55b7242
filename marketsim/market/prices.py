"""Prices: what a purchase of each brand costs in each segment on a step, and what that does to
adoption and churn.

A brand's list price is its ``price`` until its first ``price_change``. Adoption follows a constant
price elasticity around the price the segment is used to paying (``reference_price``); a brand that
controls a niche may raise its price there (``price_increase_on_control``), which makes its customers
churn more, less so behind the niche's ``price_shield``. See docs/model.md.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..scenario.schema import Scenario


class Prices(NamedTuple):
    """Per (brand, segment) on one step."""

    paid: np.ndarray  # price of a purchase
    adoption: np.ndarray  # factor on the hazard of adopting the brand
    churn: np.ndarray  # factor on the churn hazard of the brand's customers


def step_prices(scenario: Scenario, controlled: np.ndarray, time: float) -> Prices:
    """Prices at ``time`` (each brand's list price then in force, ``price_changes``; the model asks at a
    step's middle, so that a change on a step's boundary is not put off a step by rounding), given which
    segments each brand controls (``controlled``, (brands, segments) bool)."""
    sc = scenario
    list_price = np.array([b.price_at(time) for b in sc.brands])[:, None]
    increase = np.array([b.price_increase_on_control for b in sc.brands])[:, None] * controlled
    price = list_price * (1.0 + increase)
    segments = sc.population.segments
    reference = np.array([s.reference_price or 1.0 for s in segments])  # no elasticity: any reference
    elasticity = np.array([s.price_elasticity for s in segments])
    adopt = (price / reference) ** -elasticity
    churn = np.exp(sc.loyalty.price_sensitivity * increase * (1.0 - sc.niche.price_shield))
    return Prices(price, adopt, churn)
