"""Referral offers: a brand pays a reward for each customer its customers win by word of mouth.

While an offer runs, the brand's satisfied customers recommend it ``uplift`` times as much (the
talk factor the adoption hazards read); after the step, each offer pays for the first acquisitions
by word of mouth it made, as far as its budget goes (``Campaign.pay_referrals``).
"""

from __future__ import annotations

import numpy as np

from .campaigns import Campaign
from .state import Transitions


def running_offers(campaigns: list[Campaign]) -> list[Campaign]:
    return [c for c in campaigns if c.offering]


def talk_uplift(campaigns_by_brand: list[list[Campaign]]) -> np.ndarray:
    """Per brand: how many times as much its customers talk it up, with its running offers."""
    return np.array([1.0 + sum(c.spec.uplift for c in running_offers(campaigns)) for campaigns in campaigns_by_brand])


def pay_referrals(campaigns_by_brand: list[list[Campaign]], moved: Transitions, time: float) -> None:
    """Each running offer pays for its brand's first acquisitions by word of mouth on this step."""
    for b, campaigns in enumerate(campaigns_by_brand):
        for c in running_offers(campaigns):
            c.pay_referrals(moved.referred(b), time)
