"""The contact pipeline: a brand's paid contacts on a step, gathered per consumer.

Campaigns hand over their impressions as arrays in which a consumer appears once per impression.
Per campaign, one numba pass groups them by block of consumers (a counting sort that keeps their
order within a block); a second adds them, block by block so that its reads and writes stay in the
CPU's cache, into a scratch array kept for the whole run (impressions, relevance and strength per
consumer), lists each consumer once and tallies impressions and wasted ones per segment. A last pass over that list, in
index order, applies wear-out with its lazy recovery, sets the step's ad hazard, marks first
reach and clears the scratch entries it read. No temporary of the market's size is made, so the
cost follows the number of impressions. Every sum runs in impression order, as numpy's bincount
would, and the recovery of wear-out uses numpy's exp2 (numba's differs from it in the last bit on
some inputs), so the numbers are the same to the last bit as those of the bincount formulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np


@dataclass
class Exposure:
    """One brand's paid contacts this step, per distinct consumer. ``consumers`` and ``personal``
    are views into the pipeline's buffers, overwritten on the next step: copy them to keep them."""

    brand: int
    consumers: np.ndarray  # in index order
    personal: np.ndarray  # effective contacts (after wear-out) times their mean relevance: what builds loyalty
    impressions: np.ndarray  # per segment
    wasted_impressions: np.ndarray  # per segment: outside the audience, or on a consumer the product does not satisfy
    wasted_spend: np.ndarray  # per segment: what the wasted impressions cost


class Rules(NamedTuple):
    """The scenario's response rules the pipeline applies (``response``)."""

    relevance_gain: float
    wearout: float
    ad_effect: float
    intrusion_threshold: float


class Consumers(NamedTuple):
    """Who the impressions land on: segment and region code, whether the brand's product satisfies
    them, and the boost of the brand's ads per region code."""

    segment: np.ndarray
    region: np.ndarray
    satisfied: np.ndarray
    boost: np.ndarray


class Scratch(NamedTuple):
    """Per consumer, kept for the whole run and clean between brands: impressions, relevance and
    strength summed (a row each), a one-byte flag for those listed, and the list itself."""

    sums: np.ndarray
    on_list: np.ndarray
    touched: np.ndarray


class Tally(NamedTuple):
    """Per segment: impressions, wasted ones and what the wasted cost."""

    impressions: np.ndarray
    wasted: np.ndarray
    wasted_spend: np.ndarray


class AdState(NamedTuple):
    """One brand's rows of what its contacts change per consumer: wear-out and when it was last
    updated, whether ever reached, this step's ad hazard."""

    wear: np.ndarray
    wear_time: np.ndarray
    reached: np.ndarray
    ad: np.ndarray


BLOCK_BITS = 17  # consumers per block: 131,072, whose scratch rows (3 MB) stay in the CPU's cache


@numba.njit(cache=True, nogil=True)
def _by_block(hits, in_audience, cost, relevance, size, sorted_hits, sorted_cost, sorted_relevance):
    """One campaign's impressions grouped by block of consumers, their order kept within a block,
    each as ``2 * consumer + in_audience``, its cost and its relevance (a counting sort)."""
    start = np.zeros((size >> BLOCK_BITS) + 2, np.int64)
    for j in range(hits.size):
        start[(hits[j] >> BLOCK_BITS) + 1] += 1
    for b in range(start.size - 1):
        start[b + 1] += start[b]
    for j in range(hits.size):
        b = hits[j] >> BLOCK_BITS
        sorted_hits[start[b]] = 2 * hits[j] + in_audience[j]
        sorted_cost[start[b]] = cost[j]
        sorted_relevance[start[b]] = relevance[j]
        start[b] += 1


@numba.njit(cache=True, nogil=True, inline="always")
def _response_to(relevance, gain, threshold):
    """How much better a contact of this relevance converts than an irrelevant one: 1 + gain x r up
    to the intrusion threshold, falling past it at the same slope (a message too personal turns
    people off), never below 0. A threshold of 1 never binds: 1 + gain x r."""
    return max(0.0, 1.0 + gain * (relevance - 2.0 * max(0.0, relevance - threshold)))


@numba.njit(cache=True, nogil=True)
def _gather(sorted_hits, sorted_cost, sorted_relevance, impact, rules, consumers, scratch, listed, most, tally):
    """Add one campaign's impressions into the per-consumer scratch sums; list the consumers not yet
    listed; tally impressions, wasted ones and their cost per segment (within a segment a
    campaign's impressions cost the same, so the order of that sum does not matter). Returns the
    number listed and the most impressions on one consumer."""
    segment, satisfied = consumers.segment, consumers.satisfied
    relevance_gain, threshold = rules.relevance_gain, rules.intrusion_threshold
    sums, on_list, touched = scratch.sums, scratch.on_list, scratch.touched
    impressions, wasted, wasted_spend = tally.impressions, tally.wasted, tally.wasted_spend
    for j in range(sorted_hits.size):
        i = sorted_hits[j] >> 1
        inside = sorted_hits[j] & 1
        s = segment[i]
        impressions[s] += 1
        if not inside or not satisfied[i]:
            wasted[s] += 1
            wasted_spend[s] += sorted_cost[j]
        r = sorted_relevance[j] if inside else 0.0
        touched[listed] = i  # kept only if i is new: no branch to mispredict
        listed += 1 - np.int64(on_list[i])  # a uint8 count would wrap without the JIT
        on_list[i] = 1
        sums[i, 0] += 1.0
        most = max(most, sums[i, 0])
        sums[i, 1] += r
        sums[i, 2] += impact * _response_to(r, relevance_gain, threshold)
    return listed, most


@numba.njit(cache=True, nogil=True)
def _in_index_order(scratch, listed):
    """The listed consumers in index order, which keeps the later per-consumer reads and writes
    sequential: a scan of the one-byte flags when many are listed, a sort when few are."""
    on_list, touched = scratch.on_list, scratch.touched
    if listed * 16 < on_list.size:
        touched[:listed].sort()
        return
    k = 0
    for i in range(on_list.size):
        touched[k] = i
        k += np.int64(on_list[i])


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _settle(scratch, listed, time, kept, recovery, rules, consumers, state, personal, newly_reached):
    """Per listed consumer: wear-out (impression j of a burst weighs w (1 - wearout)^j, w recovering
    toward 1 between bursts: ``recovery[k]`` is what is left of the gap since the last update), the
    ad hazard (contacts convert as their mean strength says) and first reach; clears the scratch
    sums. Returns how many were reached for the first time."""
    sums, on_list, touched = scratch.sums, scratch.on_list, scratch.touched
    wearout, ad_effect = rules.wearout, rules.ad_effect
    boost, region = consumers.boost, consumers.region
    wear, wear_time, reached, ad = state.wear, state.wear_time, state.reached, state.ad
    new = 0
    for k in range(listed):
        i = touched[k]
        c = sums[i, 0]
        strength = sums[i, 2]
        relevance = sums[i, 1]
        sums[i, :] = 0.0
        on_list[i] = 0
        if wearout > 0:
            w = 1.0 - (1.0 - wear[i]) * recovery[k]
            effective = w * (1.0 - kept[int(c)]) / wearout
            w *= kept[int(c)]
            wear[i] = 0.0 if w < 1e-100 else w  # worn out; keeps the floats away from slow denormals
            wear_time[i] = time
        else:
            effective = c
        personal[k] = effective * relevance / c
        ad[i] = ad_effect * effective * strength / c * boost[region[i]]
        if not reached[i]:
            reached[i] = True
            newly_reached[new] = i
            new += 1
    return new


class ContactPipeline:
    """Scratch arrays, one entry per consumer, reused by every brand on every step; and the step's
    exposures, brand after brand in one buffer, so that nothing of the market's size is allocated
    per step (at ten million consumers, fresh arrays cost page faults on every step)."""

    def __init__(self, brands: int, size: int):
        self.scratch = np.zeros((size, 3))  # per consumer: impressions, relevance and strength summed
        self.on_list = np.zeros(size, dtype=np.uint8)
        # a campaign's impressions (and their costs) grouped by block of consumers
        self.sorted_hits, self.sorted_cost = np.empty(0, dtype=np.int64), np.empty(0)
        self.sorted_relevance = np.empty(0)
        # the step's exposed consumers and their personal weight; memory is committed only as far as used
        self.listed = np.empty(brands * size + 1, dtype=np.int64)  # one spare: _gather writes before it counts
        self.personal = np.empty(brands * size)
        self.recovery = np.empty(size)  # per listed consumer: how much of its wear-out has recovered
        self.used = 0

    def start_step(self) -> None:
        self.used = 0

    def expose(self, brand: int, contacts: list, time: float, boost: np.ndarray, segment: np.ndarray,
               segments: int, region: np.ndarray, satisfied: np.ndarray, response, wear: np.ndarray,
               wear_time: np.ndarray, reached: np.ndarray, ad: np.ndarray) -> tuple[Exposure, np.ndarray]:
        """Gather the brand's impressions (``Contacts``) and set their ad hazard for this step;
        returns the exposure (valid for this step) and the consumers reached for the first time."""
        rules = Rules(float(response.relevance_gain), float(response.wearout), float(response.ad_effect),
                      float(response.intrusion_threshold))
        consumers = Consumers(segment, region, satisfied, boost)
        scratch = Scratch(self.scratch, self.on_list, self.listed[self.used:])
        tally = Tally(np.zeros(segments, np.int64), np.zeros(segments, np.int64), np.zeros(segments))
        listed, most = 0, 0.0
        for c in contacts:
            hits = c.consumers.size
            if self.sorted_hits.size < hits:
                self.sorted_hits, self.sorted_cost = np.empty(hits, dtype=np.int64), np.empty(hits)
                self.sorted_relevance = np.empty(hits)
            sorted_hits, sorted_cost = self.sorted_hits[:hits], self.sorted_cost[:hits]
            sorted_relevance = self.sorted_relevance[:hits]
            _by_block(c.consumers, c.in_audience, c.cost, c.relevance, segment.size, sorted_hits, sorted_cost,
                      sorted_relevance)
            listed, most = _gather(sorted_hits, sorted_cost, sorted_relevance, float(c.impact), rules, consumers,
                                   scratch, listed, most, tally)
        _in_index_order(scratch, listed)
        exposed, personal = scratch.touched[:listed], self.personal[self.used:self.used + listed]
        self.used += listed
        kept = (1.0 - rules.wearout) ** np.arange(int(most) + 1)  # few distinct counts: a table
        recovery = self.recovery[:listed]
        if rules.wearout > 0:  # 2^(-idle / half-life), by numpy's exp2 as before: the same bits
            np.take(wear_time[brand], exposed, out=recovery)
            np.subtract(time, recovery, out=recovery)
            np.negative(recovery, out=recovery)
            np.divide(recovery, response.recovery_half_life, out=recovery)
            np.exp2(recovery, out=recovery)
        newly_reached = np.empty(listed, dtype=np.int64)
        new = _settle(scratch, listed, time, kept, recovery, rules, consumers,
                      AdState(wear[brand], wear_time[brand], reached[brand], ad[brand]), personal, newly_reached)
        return Exposure(brand, exposed, personal, *tally), newly_reached[:new]

    def exposed(self) -> tuple[np.ndarray, np.ndarray]:
        """Every brand's exposed consumers this step, brand after brand, and their personal weights."""
        return self.listed[:self.used], self.personal[:self.used]
