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


@numba.njit(cache=True, nogil=True, error_model="numpy")
def heard_by(sums, inv_contacts, brand, i):
    """Positive and negative talk consumer i hears about ``brand`` (shares of its contacts).

    Fully mixed, everyone hears the one population total over N - 1 others: exact for those who
    are not customers, and a customer's own voice is one part in N - 1 of its churn pressure.
    """
    j = 0 if sums.shape[2] == 1 else i
    # the sums are updated by +/- many times: clip the rounding below zero
    return max(sums[0, brand, j], 0.0) * inv_contacts[j], max(sums[1, brand, j], 0.0) * inv_contacts[j]


class WordOfMouth:
    def __init__(self, graph: Graph | None, size: int, brands: int, talkativeness: np.ndarray,
                 satisfied: np.ndarray):
        self.graph = graph
        self.talk = talkativeness
        self.satisfied = satisfied  # (brands, N) bool: fit at or above the satisfaction threshold
        # [positive, negative] talk each consumer hears; one shared total when fully mixed
        self.sums = np.zeros((2, brands, size if graph is not None else 1))
        if graph is not None:
            deg = graph.degree.astype(np.float64)
            self.inv_contacts = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
        else:
            self.inv_contacts = np.array([1.0 / (size - 1)])

    def update(self, brand: int, consumers: np.ndarray, sign: float) -> None:
        """Consumers who became (+1) or stopped being (-1) customers of ``brand``."""
        if consumers.size == 0:
            return
        weights = sign * self.talk[consumers]
        positive = self.satisfied[brand, consumers]
        for valence, members in ((0, positive), (1, ~positive)):
            if self.graph is None:
                self.sums[valence, brand, 0] += weights[members].sum()
            else:
                _spread(self.graph.indptr, self.graph.indices, consumers[members], weights[members],
                        self.sums[valence, brand])

