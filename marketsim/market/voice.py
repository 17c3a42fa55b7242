"""Share of voice: rivals' advertising in the same channel on the same step dims a brand's.

Each brand's paid contacts in a channel are worth ``1 - interference x (rivals' share of the
channel's impressions this step)`` of their impact (competitive interference: Danaher, Bonfrer and
Dhar 2008 found a brand's advertising elasticity falls when rivals advertise in the same week).
With ``response.competitive_interference = 0`` (the default) nothing changes. Sums are over
brands, so the result does not depend on the order in which the file lists them.
"""

from __future__ import annotations

import numpy as np

from .campaigns import Contacts


def crowd_out(contacts: list[Contacts], brands: int, interference: float) -> None:
    """Scale each paid contact's impact by its brand's share of voice in its channel this step."""
    if interference == 0:
        return
    aired = [c for c in contacts if c.channel is not None and not c.seeded]
    by_channel: dict[str, np.ndarray] = {}
    for c in aired:
        by_channel.setdefault(c.channel, np.zeros(brands))[c.brand] += c.consumers.size
    for c in aired:
        impressions = by_channel[c.channel]
        c.impact *= 1.0 - interference * (impressions.sum() - impressions[c.brand]) / impressions.sum()
