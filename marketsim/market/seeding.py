"""Free samples given on one step, resolved all at once, so no result depends on the order of the file.

Every seeding campaign that launches on a step picks its consumers from the market as the step
found it. Then, for all brands together:

- a consumer picked by two campaigns of one brand gets one sample, from either at random; the other
  campaign gets its ``cost_per_seed`` back;
- a sample converts with probability ``f_bi · B_i``: the brand's fit times the switching barrier
  (1 for a consumer with no brand, ``loyalty.switching · (1 - L_i)`` for a rival's customer), the
  same factors a paid contact's adoption hazard has (docs/model.md, 7.6), read as the step began;
- a consumer converted by samples of two brands keeps one of them, at random.

Each sample's two draws (whether it converts; which of two it yields to) come from its campaign's
own stream, so a run without one brand's campaigns keeps the others' draws (common random numbers
for lift), and swapping two campaigns in the file swaps their streams: the same outcomes in
distribution.
"""

from __future__ import annotations

import numpy as np

from .campaigns import Contacts


def resolve_samples(samples: list[Contacts], state, switching: float) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Per brand with samples: (brand, consumers given one, consumers it converted)."""
    brand = np.concatenate([np.full(c.consumers.size, c.brand) for c in samples])
    who = np.concatenate([c.consumers for c in samples])
    chance = np.concatenate([c.sample_draws[0] for c in samples])
    priority = np.concatenate([c.sample_draws[1] for c in samples])
    offer = np.concatenate([np.full(c.consumers.size, k) for k, c in enumerate(samples)])
    cost = np.concatenate([c.cost_by_segment[state.segment[c.consumers]] for c in samples])

    # one sample per (brand, consumer): the lowest priority gives it, the other campaigns are refunded
    order = np.lexsort((priority, who, brand))
    brand, who, chance, priority, offer, cost = (a[order] for a in (brand, who, chance, priority, offer, cost))
    first = np.ones(who.size, dtype=bool)
    first[1:] = (brand[1:] != brand[:-1]) | (who[1:] != who[:-1])
    refunds = np.bincount(offer[~first], weights=cost[~first], minlength=len(samples))
    for k in np.flatnonzero(refunds):
        samples[k].refund(float(refunds[k]))
    brand, who, chance, priority = brand[first], who[first], chance[first], priority[first]

    current = state.current[who]
    barrier = np.where(current < 0, 1.0, np.minimum(switching * (1.0 - state.loyalty[who]), 1.0))
    converted = np.flatnonzero((chance < state.fit[brand, who] * barrier) & (current != brand))
    # a consumer converted by two brands' samples keeps the one with the lowest priority
    converted = converted[np.lexsort((priority[converted], who[converted]))]
    keeps = np.ones(converted.size, dtype=bool)
    keeps[1:] = who[converted][1:] != who[converted][:-1]
    kept = np.zeros(who.size, dtype=bool)
    kept[converted[keeps]] = True
    return [(int(b), who[brand == b], who[(brand == b) & kept]) for b in np.unique(brand)]
