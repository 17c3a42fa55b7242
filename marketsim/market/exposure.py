"""The contact pipeline: a brand's paid contacts on a step, gathered per consumer.

Campaigns hand over their impressions as arrays in which a consumer appears once per impression, and
one contact's cost per segment. Per campaign, one numba pass groups them by block of consumers (a
counting sort that keeps their order within a block, on every thread); a second, block by block on
every thread, counts each consumer's impressions in the core's cache and lists the block's consumers
reached in ascending order (at random, each consumer's sums would be a miss to memory), with how many
times each; a third reads the message's relevance to each and whether it is in the audience, and adds
its impressions into a scratch array kept for the whole run (impressions, relevance and strength per
consumer), lists each consumer once and tallies impressions and wasted ones per block and segment. A
last pass over that list, in index order, applies wear-out with its lazy recovery, sets the step's ad
hazard, marks first reach and clears the flags of those it read. Where a brand has one campaign on the
step (the usual case), a consumer's sums are complete as the third pass makes them, and it settles
them there: no scratch sums, flags or last pass (the baseline's step at 1M: 0.91 times). No temporary
of the market's size is made, so the cost follows the number of impressions. Every sum per consumer
runs in impression order, as numpy's bincount would, and the recovery of wear-out uses numpy's exp2
(numba's differs from it in the last bit on some inputs), so the numbers are the same to the last bit
as those of the bincount formulation, on either path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np

from .chunks import joined


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


class Message(NamedTuple):
    """A campaign's message: its relevance to those it is written for, whether each consumer is in its
    audience (per consumer of the market, or one value for all), and what one contact is worth.

    ``relevance`` is one value for all, or one per consumer of the market, or one per consumer of
    ``written_for`` (ascending; every consumer in the audience that a contact reaches must be among
    them): a niche campaign keeps its relevance for its audience only."""

    relevance: np.ndarray
    written_for: np.ndarray
    audience: np.ndarray
    impact: float


class Consumers(NamedTuple):
    """Who the impressions land on: segment and region code, whether the brand's product satisfies
    them, and the boost of the brand's ads per region code."""

    segment: np.ndarray
    region: np.ndarray
    satisfied: np.ndarray
    boost: np.ndarray


class Scratch(NamedTuple):
    """Per consumer, kept for the whole run: impressions, relevance and strength summed (a row each,
    valid while the consumer is flagged: the first impression of a brand's step starts it from 0), a
    one-byte flag for those listed (clear between brands), and the list itself."""

    sums: np.ndarray
    on_list: np.ndarray
    touched: np.ndarray


class Tally(NamedTuple):
    """Per block of consumers and segment: impressions, wasted ones and what the wasted cost."""

    impressions: np.ndarray
    wasted: np.ndarray
    wasted_spend: np.ndarray


class AdState(NamedTuple):
    """One brand's rows of what its contacts change per consumer: wear-out and the step it was last
    updated on (a place in ``ContactPipeline.times``), whether ever reached, this step's ad hazard."""

    wear: np.ndarray
    wear_step: np.ndarray
    reached: np.ndarray
    ad: np.ndarray


class Settling(NamedTuple):
    """What settles a step's contacts besides the sums: the step (a place in ``ContactPipeline.times``),
    what is left of a burst's weight after each number of impressions, and of a wear-out gap since its
    last update (per step it was last updated on if ``per_step``, else per listed consumer)."""

    step: int
    kept: np.ndarray
    recovery: np.ndarray
    per_step: bool


class Outcome(NamedTuple):
    """Per listed consumer, in the order listed: its personal weight (``Exposure.personal``) and whether
    the brand reached it for the first time."""

    personal: np.ndarray
    first_reach: np.ndarray


BLOCK_BITS = 14  # consumers per block: 16,384, whose scratch rows (384 KB) and flags stay in a core's own cache


REGION = (1 << BLOCK_BITS) + 1  # a block's place in the list of those listed: one spare, as _gather writes first


def blocks(size: int) -> int:
    """How many blocks ``size`` consumers make."""
    return (size >> BLOCK_BITS) + 1


SORT_PARTS = 16  # the impressions are counted and placed in this many parts, a part to a thread at a time


@numba.njit(cache=True, nogil=True, parallel=True)
def _by_block(hits, sorted_hits, start):
    """One campaign's impressions grouped by block of consumers, their order kept within a block (a
    counting sort); block b's are ``start[b]:start[b + 1]``. The parts of the impressions are counted
    and placed on every thread, each part's share of a block after the earlier parts': a stable sort
    has one result, whatever the threads."""
    n, count = hits.size, start.size - 1
    in_part = np.zeros((SORT_PARTS, count), np.int64)
    for p in numba.prange(SORT_PARTS):
        counts, part = in_part[p], hits[p * n // SORT_PARTS:(p + 1) * n // SORT_PARTS]  # slices: faster loops
        for j in range(part.size):
            counts[part[j] >> BLOCK_BITS] += 1
    at = np.empty((SORT_PARTS, count), np.int64)  # where each part's next impression of each block goes
    placed = 0
    for b in range(count):
        start[b] = placed
        for p in range(SORT_PARTS):
            at[p, b] = placed
            placed += in_part[p, b]
    start[count] = placed
    for p in numba.prange(SORT_PARTS):
        part, place = hits[p * n // SORT_PARTS:(p + 1) * n // SORT_PARTS], at[p]
        for j in range(part.size):
            b = part[j] >> BLOCK_BITS
            sorted_hits[place[b]] = part[j]
            place[b] += 1


@numba.njit(cache=True, nogil=True, inline="always")
def _response_to(relevance, gain, threshold):
    """How much better a contact of this relevance converts than an irrelevant one: 1 + gain x r up
    to the intrusion threshold, falling past it at the same slope (a message too personal turns
    people off), never below 0. A threshold of 1 never binds: 1 + gain x r."""
    return max(0.0, 1.0 + gain * (relevance - 2.0 * max(0.0, relevance - threshold)))


@numba.njit(cache=True, nogil=True)
def _per_consumer(sorted_hits, lo, hi, first, hit, times):
    """The consumers that one block's impressions (places ``lo:hi``) reach, in ascending order, as
    offsets from the block's ``first`` consumer (``hit[:q]``), and how many impressions each
    (``times[:q]``); returns q. A count per consumer of the block, in the core's cache; a block with
    few impressions is sorted instead, which spares the pass over the whole block's counts. Ascending,
    the block's consumers are read and written in the order the memory's prefetching follows. ``hit``
    may be the places ``lo:hi`` themselves: they are all read before the first is written."""
    if (hi - lo) * 16 < 1 << BLOCK_BITS:
        ordered = np.sort(sorted_hits[lo:hi])
        q = 0
        for j in range(ordered.size):
            if j == 0 or ordered[j] != ordered[j - 1]:
                hit[q], times[q] = ordered[j] - first, 0
                q += 1
            times[q - 1] += 1
        return q
    count = np.zeros(1 << BLOCK_BITS, np.int32)
    for j in range(lo, hi):
        count[sorted_hits[j] - first] += 1
    q = 0
    for x in range(count.size):
        hit[q], times[q] = x, count[x]  # kept only if hit: no branch to mispredict
        q += np.int64(count[x] > 0)
        if q == hit.size:  # every impression on a consumer of its own: the rest are 0, and one more write
            break  # would land past the end
    return q


@numba.njit(cache=True, nogil=True, parallel=True)
def _by_consumer(sorted_hits, start, times, found, most):
    """One campaign's impressions, grouped by block (``_by_block``), as the consumers they reach, block
    by block on every thread (``_per_consumer``): block b's first ``found[b]`` places from ``start[b]``
    become the offsets of its consumers reached from its first, in ascending order, and ``times`` at the
    same places how many impressions each; ``most[b]``: the most on one consumer of the block."""
    for b in numba.prange(start.size - 1):
        lo, hi = start[b], start[b + 1]
        q = _per_consumer(sorted_hits, lo, hi, np.int64(b) << BLOCK_BITS, sorted_hits[lo:hi], times[lo:hi])
        found[b] = q
        most[b] = times[lo:lo + q].max() if q > 0 else 0


@numba.njit(cache=True, nogil=True, inline="always")
def _settle_one(i, k, c, relevance, strength, step, kept, recovery, per_step, wearout, ad_effect, boost, region, wear,
                wear_step, reached, ad, personal, first_reach):
    """Consumer i's wear-out, ad hazard and first reach from its step's contacts (``c`` of them, their
    relevance and strength summed): impression j of a burst weighs w (1 - wearout)^j (``kept``), w
    recovering toward 1 between bursts (``recovery``: what is left of the gap since the last update,
    per step it was last updated on if ``per_step``, else per listed consumer, k); contacts convert as
    their mean strength says. ``personal[k]`` and ``first_reach[k]`` are written. The arrays come as
    themselves: written through a bundle inside a kernel's parallel loop, the writes are lost (numba#7135)."""
    if wearout > 0:
        w = 1.0 - (1.0 - wear[i]) * recovery[np.int64(wear_step[i]) if per_step else np.int64(k)]
        effective = w * (1.0 - kept[int(c)]) / wearout
        w *= kept[int(c)]
        wear[i] = 0.0 if w < 1e-100 else w  # worn out; keeps the floats away from slow denormals
        wear_step[i] = step
    else:
        effective = c
    personal[k] = effective * relevance / c
    ad[i] = ad_effect * effective * strength / c * boost[region[i]]
    first_reach[k] = not reached[i]
    reached[i] = True


def _gather_kernel(settle_now: bool):
    """The kernel below. With ``settle_now`` (a brand's one campaign of the step) each consumer's sums
    are its campaign's alone, complete as soon as they are made: its wear-out, ad hazard and first
    reach are settled there (``_settle_one``), and the sums, flags and second pass over the consumers
    (``_settle``) are spared. Compiled in."""

    @numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")
    def gather(sorted_hits, times, start, found, message, cost, rules, consumers, scratch, listed, most, tally,
               settling, state, outcome):
        """Add one campaign's impressions (``_by_consumer``'s consumers and counts) into the per-consumer
        scratch sums, block by block on every thread, consumer by consumer in ascending order (the message's
        relevance to each and whether it is in the audience are read here, rather than per impression at
        random when the campaign delivers). A consumer's impressions of one campaign are alike: their sums
        get one addition per impression, in a row, as in impression order. Lists the consumers not yet
        listed, block b's from ``touched[b * REGION]`` on (``listed[b]`` of them), and keeps ``most[b]``, the
        most impressions on one consumer of block b. With ``settle_now`` there are no scratch sums or flags:
        block b's consumers are listed at their final places, from ``touched[listed[b]]`` on, and settled
        there (``listed`` and ``most`` are only read). Either way tallies impressions, wasted ones and their
        cost per block and segment (``cost[s]``: one contact's in segment s; the wasted spend is added one
        contact at a time after the block's loop: the same additions, in the same order, as one per
        impression)."""
        segment, satisfied = consumers.segment, consumers.satisfied
        relevance, written_for, audience, impact = message
        # one value for all (a market of one: the same)
        one_relevance, everyone = relevance.size == 1, audience.size == 1
        by_consumer = one_relevance or relevance.size == segment.size  # else one per consumer of written_for
        relevance_gain, threshold = rules.relevance_gain, rules.intrusion_threshold
        sums, on_list, touched = scratch.sums, scratch.on_list, scratch.touched
        impressions, wasted, wasted_spend = tally.impressions, tally.wasted, tally.wasted_spend
        step, kept, recovery, per_step = settling
        wearout, ad_effect, boost, region = rules.wearout, rules.ad_effect, consumers.boost, consumers.region
        wear, wear_step, reached, ad = state.wear, state.wear_step, state.reached, state.ad
        personal, first_reach = outcome.personal, outcome.first_reach
        for b in numba.prange(start.size - 1):
            k = listed[b] if settle_now else np.int64(b) * REGION + listed[b]
            top = most[b]
            # the block's own tallies, written back at its end: threads writing rows that share a cache line
            # would pass the line back and forth on every impression
            block_impressions, block_wasted = impressions[b].copy(), wasted[b].copy()
            block_wasted_spend = wasted_spend[b].copy()
            first = np.int64(b) << BLOCK_BITS
            # the place in written_for, by consumer of the block
            place = np.empty(0 if by_consumer else 1 << BLOCK_BITS, np.int32)
            if not by_consumer:  # only consumers in the audience read theirs, and they are all in written_for
                lo, hi = np.searchsorted(written_for, first), np.searchsorted(written_for, first + (1 << BLOCK_BITS))
                for t in range(lo, hi):
                    place[written_for[t] - first] = t
            for j in range(start[b], start[b] + found[b]):
                i, c = first + sorted_hits[j], np.int64(times[j])
                inside = np.int64(audience[0 if everyone else i])
                s = segment[i]
                block_impressions[s] += c
                waste = 1 - (inside & np.int64(satisfied[i]))  # outside the audience or not satisfied, without a branch
                block_wasted[s] += c * waste
                r = relevance[0 if one_relevance else (i if by_consumer else place[i - first])] if inside else 0.0
                strength = impact * _response_to(r, relevance_gain, threshold)
                touched[k] = i  # kept only if i is new: no branch to mispredict
                if settle_now:
                    summed_relevance, summed_strength = 0.0, 0.0
                else:
                    known = on_list[i] != 0  # else its sums are left from an earlier step: they start at 0 here
                    on_list[i] = 1
                    sums[i, 0] = (sums[i, 0] if known else 0.0) + c  # c additions of 1: whole numbers, exact
                    top = max(top, sums[i, 0])
                    summed_relevance = sums[i, 1] if known else 0.0
                    summed_strength = sums[i, 2] if known else 0.0
                for _ in range(c):
                    summed_relevance += r
                    summed_strength += strength
                if settle_now:
                    _settle_one(i, k, float(c), summed_relevance, summed_strength, step, kept, recovery, per_step,
                                wearout, ad_effect, boost, region, wear, wear_step, reached, ad, personal, first_reach)
                    k += 1
                else:
                    sums[i, 1], sums[i, 2] = summed_relevance, summed_strength
                    k += 1 - np.int64(known)
            for s in range(block_wasted.size):
                spend = block_wasted_spend[s]
                for _ in range(block_wasted[s] - wasted[b, s]):
                    spend += cost[s]
                block_wasted_spend[s] = spend
            if not settle_now:
                listed[b] = k - np.int64(b) * REGION
                most[b] = top
            impressions[b], wasted[b], wasted_spend[b] = block_impressions, block_wasted, block_wasted_spend

    return gather


_gather = {now: _gather_kernel(now) for now in (False, True)}


@numba.njit(cache=True, nogil=True)
def _in_index_order(scratch, listed):
    """Each block's listed consumers in index order, which keeps the later per-consumer reads and
    writes sequential: a scan of the block's one-byte flags when many are listed, a sort when few are;
    then the blocks' lists one after another (``joined``). Returns how many are listed."""
    on_list, touched = scratch.on_list, scratch.touched
    size = on_list.size
    for b in range(listed.size):
        first, region = np.int64(b) << BLOCK_BITS, np.int64(b) * REGION
        end = min(size, first + (1 << BLOCK_BITS))
        if listed[b] * 16 < end - first:
            touched[region:region + listed[b]].sort()
        else:
            k, flags = region, on_list[first:end]  # a slice indexed from 0: indexed by consumer, slower
            for x in range(flags.size):
                touched[k] = first + x
                k += np.int64(flags[x])
    return joined(touched, listed, REGION)


@numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def _settle(scratch, listed, settling, rules, consumers, state, outcome):
    """Per listed consumer, on every thread: its wear-out, ad hazard and first reach from its summed
    contacts (``_settle_one``); clears the flags of those listed."""
    sums, on_list, touched = scratch.sums, scratch.on_list, scratch.touched
    step, kept, recovery, per_step = settling
    wearout, ad_effect, boost, region = rules.wearout, rules.ad_effect, consumers.boost, consumers.region
    wear, wear_step, reached, ad = state.wear, state.wear_step, state.reached, state.ad
    personal, first_reach = outcome.personal, outcome.first_reach
    for k in numba.prange(listed):
        i = touched[k]
        on_list[i] = 0
        _settle_one(i, k, sums[i, 0], sums[i, 1], sums[i, 2], step, kept, recovery, per_step, wearout, ad_effect, boost,
                    region, wear, wear_step, reached, ad, personal, first_reach)


@numba.njit(cache=True, nogil=True, parallel=True)
def _idle_half_lives(times, wear_step, exposed, time, half_life, out):
    """``out[k]``: minus the half-lives consumer ``exposed[k]``'s wear-out has recovered for since its
    last update, on every thread (numpy's subtract, negative and divide, one after the other)."""
    for k in numba.prange(exposed.size):
        out[k] = -(time - times[wear_step[exposed[k]]]) / half_life


def _kept(wearout: float, most: float) -> np.ndarray:
    """What is left of a burst's weight after each number of impressions up to ``most``: few distinct
    counts, so a table."""
    return (1.0 - wearout) ** np.arange(int(most) + 1)


def settles_as_gathered(delivered: list, wearout: float, steps: int) -> bool:
    """Whether a brand's step is settled as its impressions are gathered: one campaign delivered (its sums
    are complete as they are made) and wear-out's recovery can be one per step so far (``steps``, not more
    than its impressions: with few consumers listed, the table would cost more than it saves). The same
    bits either way."""
    return len(delivered) == 1 and (wearout == 0 or steps <= delivered[0].consumers.size)


NOT_SETTLING = Settling(0, np.zeros(0), np.zeros(0), True)  # what _gather[False] is given and does not read
NO_OUTCOME = Outcome(np.zeros(0), np.zeros(0, dtype=np.bool_))


class ContactPipeline:
    """Scratch arrays, one entry per consumer, reused by every brand on every step; and the step's
    exposures, brand after brand in one buffer, so that nothing of the market's size is allocated
    per step (at ten million consumers, fresh arrays cost page faults on every step)."""

    def __init__(self, brands: int, size: int):
        self.scratch = np.empty((size, 3))  # per consumer: impressions, relevance and strength summed, while flagged
        self.on_list = np.zeros(size, dtype=np.uint8)
        # a campaign's impressions grouped by block of consumers
        self.sorted_hits = np.empty(0, dtype=np.int64)
        self.hit_times = np.empty(0, dtype=np.int32)  # then the consumers reached and how many times each
        # the step's exposed consumers and their personal weight; memory is committed only as far as used
        # (brands - 1) full lists and a last brand's blocks, each with a spare place (REGION)
        self.listed = np.empty((brands - 1) * size + blocks(size) * REGION, dtype=np.int64)
        self.personal = np.empty(brands * size)
        self.recovery = np.empty(size)  # per listed consumer: how much of its wear-out has recovered
        self.used = 0
        self._times, self.steps = np.empty(64), 0  # the times of the steps begun so far (``times``)

    @property
    def times(self) -> np.ndarray:
        """The time of each step begun so far: a consumer's wear-out was last updated on one of them."""
        return self._times[:self.steps]

    def start_step(self, time: float) -> None:
        """A new step, at ``time``: the exposures of the last are done with."""
        if self.steps == self._times.size:
            self._times = np.concatenate([self._times, np.empty(self._times.size)])
        self._times[self.steps] = time
        self.steps += 1
        self.used = 0

    def expose(self, brand: int, contacts: list, boost: np.ndarray, segment: np.ndarray,
               segments: int, region: np.ndarray, satisfied: np.ndarray, response, wear: np.ndarray,
               wear_step: np.ndarray, reached: np.ndarray, ad: np.ndarray) -> tuple[Exposure, np.ndarray]:
        """Gather the brand's impressions (``Contacts``) and set their ad hazard for this step (the
        one ``start_step`` began); returns the exposure (valid for this step) and the consumers reached
        for the first time. ``wear_step`` is the step (a place in ``times``) each consumer's wear-out
        was last updated on."""
        rules = Rules(float(response.relevance_gain), float(response.wearout), float(response.ad_effect),
                      float(response.intrusion_threshold))
        consumers = Consumers(segment, region, satisfied, boost)
        state = AdState(wear[brand], wear_step[brand], reached[brand], ad[brand])
        scratch = Scratch(self.scratch, self.on_list, self.listed[self.used:])
        count = blocks(segment.size)
        tally = Tally(np.zeros((count, segments), np.int64), np.zeros((count, segments), np.int64),
                      np.zeros((count, segments)))
        listed, most, start = np.zeros(count, np.int64), np.zeros(count), np.empty(count + 1, np.int64)
        found, most_here = np.empty(count, np.int64), np.empty(count)
        for c in contacts:
            assert c.cost_by_segment.size == segments, "a contact's cost is given per segment"
            assert c.relevance.size in (1, segment.size, c.written_for.size), "relevance per consumer of written_for"
        delivered = [c for c in contacts if c.consumers.size > 0]
        times, half_life = self.times, float(response.recovery_half_life)
        settle_now = settles_as_gathered(delivered, rules.wearout, times.size)
        for c in delivered:
            hits = c.consumers.size
            if self.sorted_hits.size < hits:
                self.sorted_hits, self.hit_times = np.empty(hits, dtype=np.int64), np.empty(hits, dtype=np.int32)
            sorted_hits, hit_times = self.sorted_hits[:hits], self.hit_times[:hits]
            _by_block(c.consumers, sorted_hits, start)
            _by_consumer(sorted_hits, start, hit_times, found, most_here)
            message = Message(c.relevance, c.written_for, c.audience, float(c.impact))
            if settle_now:  # the one campaign (settles_as_gathered)
                total = int(found.sum())
                settling, outcome = self._settling(rules, half_life, True, most_here.max(), state.wear_step,
                                                   scratch.touched, total)
                places = np.cumsum(found) - found  # where each block's consumers are listed
                _gather[True](sorted_hits, hit_times, start, found, message, c.cost_by_segment, rules, consumers,
                              scratch, places, most, tally, settling, state, outcome)
            else:
                _gather[False](sorted_hits, hit_times, start, found, message, c.cost_by_segment, rules, consumers,
                               scratch, listed, most, tally, NOT_SETTLING, state, NO_OUTCOME)
        if not settle_now:
            # one campaign's consumers are each block's in ascending order already (_by_consumer): then only joined
            total = _in_index_order(scratch, listed) if len(delivered) > 1 else joined(scratch.touched, listed, REGION)
            settling, outcome = self._settling(rules, half_life, times.size <= total, most.max(), state.wear_step,
                                               scratch.touched[:total], total)
            _settle(scratch, total, settling, rules, consumers, state, outcome)
        exposed = scratch.touched[:total]
        self.used += total
        impressions, wasted, wasted_spend = (t.sum(axis=0) for t in tally)  # block by block, in block order
        return Exposure(brand, exposed, outcome.personal, impressions, wasted, wasted_spend), \
            exposed[outcome.first_reach]

    def _settling(self, rules: Rules, half_life: float, per_step: bool, most: float, wear_step: np.ndarray,
                  exposed: np.ndarray, count: int) -> tuple[Settling, Outcome]:
        """How the step's ``count`` consumers listed (``exposed``, read only where the recovery is per
        consumer) are settled, and where their personal weights and first reach go."""
        settling = Settling(self.times.size - 1, _kept(rules.wearout, most),
                            self._recovery(rules.wearout, half_life, per_step, wear_step, exposed), per_step)
        return settling, Outcome(self.personal[self.used:self.used + count], np.empty(count, dtype=np.bool_))

    def _recovery(self, wearout: float, half_life: float, per_step: bool, wear_step: np.ndarray,
                  exposed: np.ndarray) -> np.ndarray:
        """What is left of a wear-out gap since its last update, 2^(-idle / half-life) by numpy's exp2 (the
        same bits as ever): once per step so far, or once per consumer of ``exposed`` where they are fewer."""
        times = self.times
        if wearout == 0:
            return np.zeros(0)  # not read
        if per_step:
            return np.exp2(-(times[-1] - times) / half_life)
        recovery = self.recovery[:exposed.size]
        _idle_half_lives(times, wear_step, exposed, times[-1], half_life, recovery)
        return np.exp2(recovery, out=recovery)

    def exposed(self) -> tuple[np.ndarray, np.ndarray]:
        """Every brand's exposed consumers this step, brand after brand, and their personal weights."""
        return self.listed[:self.used], self.personal[:self.used]
