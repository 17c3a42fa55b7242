"""Word of mouth: how much positive and negative talk about each brand each consumer hears.

Satisfied customers of a brand talk it up, dissatisfied ones talk it down, each with their own
talkativeness. The talk a consumer hears is the talkativeness-weighted count of such contacts
divided by the number of contacts (all other consumers when fully mixed), so with everyone equally
talkative and satisfied it is the share of adopters among one's contacts: the Bass model's F.

Talk has a life cycle. A new customer's voice is split into a lasting part (``lasting``) and a
buzz part that fades with ``buzz_half_life``; campaigns with ``buzz`` add fresh buzz to the
customers they touch. Every buzz contribution fades at the same rate, so the buzz each consumer
hears fades as a whole: one multiplication per step. Without a half-life, all talk is lasting
(the Bass model).

The sums change only when someone becomes or stops being a customer, so each step updates them
from that frontier alone (a numba loop over the changed consumers' neighbours) instead of a full
sparse product.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..scenario.schema import WordOfMouth as WordOfMouthSpec
from .network import Graph


@numba.njit(cache=True, nogil=True)
def _spread(indptr, indices, nodes, weights, out):
    for t in range(nodes.size):
        j = nodes[t]
        w = weights[t]
        for k in range(indptr[j], indptr[j + 1]):
            out[indices[k]] += w


@numba.njit(cache=True, nogil=True, error_model="numpy")
def heard_by(sums, buzz, inv_contacts, brand, i):
    """Positive and negative talk consumer i hears about ``brand`` (shares of its contacts).

    Fully mixed, everyone hears the one population total over N - 1 others: exact for those who
    are not customers, and a customer's own voice is one part in N - 1 of its churn pressure.
    """
    j = 0 if sums.shape[2] == 1 else i
    k = 0 if buzz.shape[2] == 1 else i
    # the sums are updated by +/- many times: clip the rounding below zero
    pos = max(sums[0, brand, j] + buzz[0, brand, k], 0.0)
    neg = max(sums[1, brand, j] + buzz[1, brand, k], 0.0)
    return pos * inv_contacts[j], neg * inv_contacts[j]


class WordOfMouth:
    def __init__(self, spec: WordOfMouthSpec, graph: Graph | None, size: int, brands: int,
                 talkativeness: np.ndarray, satisfied: np.ndarray):
        self.graph = graph
        self.talk = talkativeness
        self.satisfied = satisfied  # (brands, N) bool: fit at or above the satisfaction threshold
        width = size if graph is not None else 1
        # [positive, negative] lasting talk each consumer hears; one shared total when fully mixed
        self.sums = np.zeros((2, brands, width))
        self.fades = spec.buzz_half_life is not None
        self.lasting = spec.lasting if self.fades else 1.0
        self.decay_rate = math.log(2.0) / spec.buzz_half_life if self.fades else 0.0
        # fading talk heard, and each consumer's own buzz at ``buzz_time`` (a width-1 zero when off)
        self.buzz = np.zeros((2, brands, width if self.fades else 1))
        self.own_buzz = np.zeros(size if self.fades else 0)
        self.buzz_time = np.zeros(size if self.fades else 0)
        if graph is not None:
            deg = graph.degree.astype(np.float64)
            self.inv_contacts = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
        else:
            self.inv_contacts = np.array([1.0 / (size - 1)])

    def _add(self, target: np.ndarray, brand: int, consumers: np.ndarray, weights: np.ndarray) -> None:
        """Add each consumer's weight to what its contacts hear, by valence."""
        positive = self.satisfied[brand, consumers]
        for valence, members in ((0, positive), (1, ~positive)):
            if self.graph is None:
                target[valence, brand, 0] += weights[members].sum()
            else:
                _spread(self.graph.indptr, self.graph.indices, consumers[members], weights[members],
                        target[valence, brand])

    def _current_buzz(self, consumers: np.ndarray, time: float) -> np.ndarray:
        return self.own_buzz[consumers] * np.exp(-self.decay_rate * (time - self.buzz_time[consumers]))

    def joined(self, brand: int, consumers: np.ndarray, time: float, established: bool = False) -> None:
        """Consumers became customers of ``brand``; ``established`` ones (an installed base) have no buzz."""
        if consumers.size == 0:
            return
        talk = self.talk[consumers]
        self._add(self.sums, brand, consumers, self.lasting * talk)
        if self.fades and not established:
            self.own_buzz[consumers] = (1.0 - self.lasting) * talk
            self.buzz_time[consumers] = time
            self._add(self.buzz, brand, consumers, self.own_buzz[consumers])

    def left(self, brand: int, consumers: np.ndarray, time: float) -> None:
        """Consumers stopped being customers of ``brand``: their voice goes."""
        if consumers.size == 0:
            return
        self._add(self.sums, brand, consumers, -self.lasting * self.talk[consumers])
        if self.fades:
            self._add(self.buzz, brand, consumers, -self._current_buzz(consumers, time))
            self.own_buzz[consumers] = 0.0

    def excite(self, brand: int, customers: np.ndarray, level: float, time: float) -> None:
        """Fresh buzz: customers a campaign touched talk at least ``level`` times a new customer's
        talk again. It tops their buzz up rather than adding to it, so contact after contact
        does not pile talk up without limit."""
        if customers.size == 0:
            return
        now = self._current_buzz(customers, time)
        extra = np.maximum(level * self.talk[customers] - now, 0.0)
        self.own_buzz[customers] = now + extra
        self.buzz_time[customers] = time
        self._add(self.buzz, brand, customers, extra)

    def fade(self, dt: float) -> None:
        """Every buzz contribution fades at one rate, so what each consumer hears fades as a whole."""
        if self.fades:
            self.buzz *= math.exp(-self.decay_rate * dt)
