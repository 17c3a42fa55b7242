"""Word of mouth: how much positive and negative talk about each brand each consumer hears.

Satisfied customers of a brand talk it up, dissatisfied ones talk it down, each with their own
talkativeness. The talk a consumer hears is the talkativeness-weighted count of such contacts
divided by the number of contacts (all other consumers when fully mixed), so with everyone equally
talkative and satisfied it is the share of adopters among one's contacts: the Bass model's F.

Talk has a life cycle. A new customer's voice is split into a lasting part (``lasting``) and a
buzz part that fades with ``buzz_half_life``; campaigns with ``buzz`` add fresh buzz to the
customers they touch. Every buzz contribution fades at the same rate, so the buzz each consumer
hears fades as a whole: it is kept in units of one shared factor (``buzz_scale``) that a step's
fading multiplies, so fading costs nothing per consumer; what is heard is the kept buzz times the
factor, and talk added is divided by it. When the factor gets small, it is folded into the kept
buzz (one pass, every few hundred half-lives). Without a half-life, all talk is lasting (the Bass
model).

The sums change only when someone becomes or stops being a customer, so each step updates them
from that frontier alone (a numba loop over the changed consumers' neighbours) instead of a full
sparse product.

**The talk heard on a step is the talk at its middle** (a second-order step). Those who become or
stop being customers by the hazards of a step do so, on average, in its middle: half of a step's
adoptions would already be talking on average over the step. The talk heard therefore includes half
of what the previous step's adoptions and churn changed (``flowed``), an Adams–Bashforth estimate of
this step's own change that needs no second pass: a move by the hazards is spread one and a half
times as it happens (nothing reads the talk again before the next step), and the half is taken back
at the end of the next step. Jumps (an installed base, free samples, a campaign's buzz) are events at
the step's start and are never extrapolated, so a seeding step does not overshoot. Buzz is born and
heard in the middle of steps, so a whole step's fading between them is already exact (the half of a
move's buzz fades like all buzz). With this, the Bass docking error falls with dt squared
(tests/test_bass.py).
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


@numba.njit(cache=True, nogil=True, inline="always")
def talk_heard(said, buzz, buzz_scale, per_contact):
    """One valence of talk as heard: the lasting talk plus the buzz (kept in units of ``buzz_scale``),
    per contact; the sums are updated by +/- many times, so the rounding below zero is clipped."""
    return max(said + buzz * buzz_scale, 0.0) * per_contact


@numba.njit(cache=True, nogil=True, error_model="numpy")
def heard_by(sums, buzz, buzz_scale, inv_contacts, brand, i):
    """Positive and negative talk consumer i hears about ``brand`` (shares of its contacts); the
    buzz heard is ``buzz`` times ``buzz_scale``.

    Fully mixed, everyone hears the one population total over N - 1 others: exact for those who
    are not customers, and a customer's own voice is one part in N - 1 of its churn pressure.
    """
    j = 0 if sums.shape[2] == 1 else i
    k = 0 if buzz.shape[2] == 1 else i
    return (talk_heard(sums[0, brand, j], buzz[0, brand, k], buzz_scale, inv_contacts[j]),
            talk_heard(sums[1, brand, j], buzz[1, brand, k], buzz_scale, inv_contacts[j]))


AHEAD = 0.5  # of a step's moves by the hazards, the share heard over the next step before it is taken back
SMALLEST_SCALE = 1e-100  # below it, buzz_scale is folded into the kept buzz (far from float64's limits either way)


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
        # fading talk heard, in units of buzz_scale, and each consumer's own buzz at ``buzz_time`` (a
        # width-1 zero when off)
        self.buzz = np.zeros((2, brands, width if self.fades else 1))
        self.buzz_scale = 1.0
        self.own_buzz = np.zeros(size if self.fades else 0)
        self.buzz_time = np.zeros(size if self.fades else 0)
        # the hazards' joins and leaves this step and the last: (brand, consumers, lasting, buzz) signed weights
        self.flowing: list[tuple[int, np.ndarray, np.ndarray, np.ndarray | None]] = []
        self.flowed: list[tuple[int, np.ndarray, np.ndarray, np.ndarray | None]] = []
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

    def _add_buzz(self, brand: int, consumers: np.ndarray, heard: np.ndarray) -> None:
        """Add buzz as heard now, in the kept units."""
        self._add(self.buzz, brand, consumers, heard / self.buzz_scale)

    def buzz_heard(self) -> np.ndarray:
        """(valence, brand, consumer) the buzz each consumer hears now."""
        return self.buzz * self.buzz_scale

    def _current_buzz(self, consumers: np.ndarray, time: float) -> np.ndarray:
        return self.own_buzz[consumers] * np.exp(-self.decay_rate * (time - self.buzz_time[consumers]))

    def joined(self, brand: int, consumers: np.ndarray, time: float, by_hazard: bool,
               established: bool = False) -> None:
        """Consumers became customers of ``brand``, by the step's hazards or by a jump (an
        installed base or free samples); ``established`` ones (an installed base) have no buzz."""
        if consumers.size == 0:
            return
        talk = self.talk[consumers]
        buzz = None
        if self.fades and not established:
            buzz = (1.0 - self.lasting) * talk
            self.own_buzz[consumers] = buzz
            self.buzz_time[consumers] = time
        self._move(brand, consumers, self.lasting * talk, buzz, by_hazard)

    def left(self, brand: int, consumers: np.ndarray, time: float, by_hazard: bool) -> None:
        """Consumers stopped being customers of ``brand``: their voice goes."""
        if consumers.size == 0:
            return
        buzz = -self._current_buzz(consumers, time) if self.fades else None
        self._move(brand, consumers, -self.lasting * self.talk[consumers], buzz, by_hazard)
        if self.fades:
            self.own_buzz[consumers] = 0.0

    def _move(self, brand: int, consumers: np.ndarray, lasting: np.ndarray, buzz: np.ndarray | None,
              by_hazard: bool) -> None:
        """Add the signed talk of consumers who joined or left; a move by the hazards is heard
        ``AHEAD`` again over the next step (a jump is not), and noted so that ``end_step`` takes it back."""
        heard = 1.0 + AHEAD if by_hazard else 1.0
        self._add(self.sums, brand, consumers, heard * lasting)
        if buzz is not None:
            self._add_buzz(brand, consumers, heard * buzz)
        if by_hazard:
            self.flowing.append((brand, consumers, lasting, buzz))

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
        self._add_buzz(brand, customers, extra)

    def end_step(self, dt: float) -> None:
        """Every buzz contribution fades at one rate, so what each consumer hears fades as a whole (its
        shared factor does); then the half of the last step's flow that this step heard is taken back
        (this step's stays for the next)."""
        fading = math.exp(-self.decay_rate * dt)
        self.buzz_scale *= fading
        if self.buzz_scale < SMALLEST_SCALE:
            self.buzz *= self.buzz_scale
            self.buzz_scale = 1.0
        for brand, consumers, lasting, buzz in self.flowed:
            self._add(self.sums, brand, consumers, -AHEAD * lasting)
            if buzz is not None:  # added two fadings ago
                self._add_buzz(brand, consumers, -AHEAD * fading * fading * buzz)
        self.flowed, self.flowing = self.flowing, []
