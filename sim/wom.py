"""Word of mouth: how much positive and negative talk about each brand each consumer hears.

Satisfied customers of a brand talk it up, dissatisfied ones talk it down, each with their own
talkativeness. The talk a consumer hears is the talkativeness-weighted count of such contacts
divided by the number of contacts (all other consumers when fully mixed), so with everyone equally
talkative and satisfied it is the share of adopters among one's contacts: the Bass model's F.

The sums change only when someone becomes or stops being a customer, so each step updates them
from that frontier alone (a numba loop over the changed consumers' neighbours) instead of a full
sparse product.
"""

from __future__ import annotations

import numba
import numpy as np

from .network import Graph


@numba.njit(cache=True, nogil=True)
def _spread(indptr, indices, nodes, weights, out):
    for t in range(nodes.size):
        j = nodes[t]
        w = weights[t]
        for k in range(indptr[j], indptr[j + 1]):
            out[indices[k]] += w


class WordOfMouth:
    def __init__(self, graph: Graph | None, size: int, brands: int, talkativeness: np.ndarray,
                 satisfied: np.ndarray):
        self.graph = graph
        self.talk = talkativeness
        self.satisfied = satisfied  # (brands, N) bool: fit at or above the satisfaction threshold
        shape = (2, brands, size) if graph is not None else (2, brands)
        self.sums = np.zeros(shape, dtype=np.float64)  # [positive, negative]
        if graph is not None:
            deg = graph.degree.astype(np.float64)
            self.inv_contacts = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
        else:
            self.inv_contacts = 1.0 / (size - 1)

    def update(self, brand: int, consumers: np.ndarray, sign: float) -> None:
        """Consumers who became (+1) or stopped being (-1) customers of ``brand``."""
        if consumers.size == 0:
            return
        weights = sign * self.talk[consumers]
        positive = self.satisfied[brand, consumers]
        for valence, members in ((0, positive), (1, ~positive)):
            if self.graph is None:
                self.sums[valence, brand] += weights[members].sum()
            else:
                _spread(self.graph.indptr, self.graph.indices, consumers[members], weights[members],
                        self.sums[valence, brand])

    def heard(self, brand: int, customer_of_brand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positive and negative talk each consumer hears about ``brand`` (shares of contacts)."""
        if self.graph is not None:
            return self.sums[0, brand] * self.inv_contacts, self.sums[1, brand] * self.inv_contacts
        # fully mixed: everyone hears everyone else, so remove a customer's own voice
        own = np.where(customer_of_brand, self.talk, 0.0)
        sat = self.satisfied[brand]
        pos = (self.sums[0, brand] - np.where(sat, own, 0.0)) * self.inv_contacts
        neg = (self.sums[1, brand] - np.where(sat, 0.0, own)) * self.inv_contacts
        return pos, neg
