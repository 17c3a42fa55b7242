"""Money out: budgets that can never be overspent, and impression prices (purchases are in buying.py)."""

from __future__ import annotations

import math

import numpy as np

# A budget is compared with sums of many float costs; this much slack absorbs rounding only.
_EPS = 1e-9


class Budget:
    """Money that may still be spent. ``charge`` refuses anything above what remains."""

    def __init__(self, total: float):
        self.total = float(total)
        self.spent = 0.0

    @property
    def remaining(self) -> float:
        return max(0.0, self.total - self.spent)

    def charge(self, amount: float) -> None:
        if amount > self.remaining * (1 + _EPS) + _EPS:
            raise RuntimeError(f"charge of {amount} exceeds the remaining budget {self.remaining}")
        self.spent += amount


def affordable(*budgets: Budget) -> float:
    return min(b.remaining for b in budgets)


def charge_all(amount: float, *budgets: Budget) -> None:
    for b in budgets:
        b.charge(amount)


def targeted_cpm(cpm: float, premium: float, precision: float, audience_share: float) -> float:
    """The CPM a campaign pays: targeting costs extra in proportion to the impressions it places in
    the audience beyond what random delivery would put there, ``precision x (1 - audience_share)``
    (a campaign for everyone, or one delivered at random, pays the list CPM). Published premiums:
    behaviourally targeted impressions sold at 2.68 times run-of-network (Beales 2010); impressions
    of users who opted out of tracking sold for about half (Johnson, Shriver and Du 2020)."""
    return cpm * (1.0 + premium * precision * (1.0 - audience_share))


def segment_costs(cpm: float, controlled: np.ndarray, reach_discount: float) -> np.ndarray:
    """Price of one impression in each segment: CPM/1000, cheaper in a niche the brand controls
    (``controlled``: per segment). Within a segment every impression of a campaign's step costs the same,
    which the contact pipeline relies on (``Contacts.cost_by_segment``)."""
    return cpm / 1000.0 * (1.0 - reach_discount * controlled)


def impression_costs(by_segment: np.ndarray, consumers: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Price of each impression: ``by_segment`` (``segment_costs``) of its consumer's segment."""
    return by_segment[segment[consumers]]


def delivery_cost(by_segment: np.ndarray, consumers: np.ndarray, segment: np.ndarray) -> float:
    """What impressions on ``consumers`` cost in all: each segment's price times its impressions (no
    price per impression is stored: where every segment costs the same, nothing is read per impression)."""
    if (by_segment == by_segment[0]).all():
        return float(by_segment[0] * consumers.size)
    return float(np.bincount(segment[consumers], minlength=by_segment.size) @ by_segment)


def within(costs: np.ndarray, money: float) -> int:
    """How many of these costs, taken in order, fit in ``money``."""
    if math.isinf(money):
        return costs.size
    return int(np.searchsorted(np.cumsum(costs), money * (1 + _EPS) + _EPS, side="right"))


def affordable_prefix(by_segment: np.ndarray, consumers: np.ndarray, segment: np.ndarray,
                      money: float) -> tuple[int, float]:
    """How many of the impressions on ``consumers``, taken in order, ``money`` pays for, and what they cost."""
    costs = impression_costs(by_segment, consumers, segment)
    keep = within(costs, money)
    return keep, float(costs[:keep].sum())


def stochastic_round(x: float, rng: np.random.Generator) -> int:
    """An integer whose mean is ``x``: keeps fractional per-step rates unbiased as dt shrinks."""
    whole = math.floor(x)
    return whole + int(rng.random() < x - whole)
