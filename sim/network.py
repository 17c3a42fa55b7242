"""Social networks built straight into CSR arrays with numpy and numba (networkx only for files and analysis).

Every generator draws an edge list of about ``N * mean_degree / 2`` pairs, then ``_to_csr`` makes
it undirected and simple (no self-loops, no repeated pairs). ``fully_mixed`` has no graph at all:
word of mouth then acts through the whole population, as in the Bass model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numba
import numpy as np
import scipy.sparse as sp

from .population import Population
from .scenario import EdgeListFile, ScenarioError, Homophilous, Network, RandomGraph, RingLattice, ScaleFree, SmallWorld


@dataclass(frozen=True)
class Graph:
    """Undirected simple graph in CSR form: neighbours of i are indices[indptr[i]:indptr[i+1]]."""

    indptr: np.ndarray  # int64, N + 1
    indices: np.ndarray  # int32, sorted within each row

    @property
    def size(self) -> int:
        return self.indptr.size - 1

    @cached_property
    def degree(self) -> np.ndarray:
        """Contacts per consumer, computed once (every step reads it) and read-only, as it is shared."""
        degree = np.diff(self.indptr)
        degree.flags.writeable = False
        return degree

    @property
    def edges(self) -> int:
        return self.indices.size // 2

    def neighbours(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def adjacency(self) -> sp.csr_matrix:
        data = np.ones(self.indices.size, dtype=np.float32)
        return sp.csr_matrix((data, self.indices, self.indptr), shape=(self.size, self.size))

    def to_networkx(self) -> nx.Graph:
        """For analysis of small graphs (networkx holds about 1 KB per edge)."""
        return nx.from_scipy_sparse_array(self.adjacency())


SHORT_ROW = 32  # rows up to this long are sorted by insertion (numba's sort costs more per call)


@numba.njit(cache=True, nogil=True)
def _sort_row(a: np.ndarray) -> None:
    if a.size > SHORT_ROW:
        a.sort()
        return
    for k in range(1, a.size):
        x = a[k]
        j = k - 1
        while j >= 0 and a[j] > x:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = x


@numba.njit(cache=True, nogil=True)
def _csr_arrays(u: np.ndarray, v: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Both directions of every pair u[k]-v[k] but self-loops, counting-sorted into rows, then each
    row sorted and its repeats dropped, compacted in place (the row's end in ``indptr[-1]``)."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    for k in range(u.size):
        if u[k] != v[k]:
            indptr[u[k] + 1] += 1
            indptr[v[k] + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    fill = indptr[:-1].copy()
    indices = np.empty(indptr[n], dtype=np.int32)
    for k in range(u.size):
        a, b = u[k], v[k]
        if a != b:
            indices[fill[a]] = b
            fill[a] += 1
            indices[fill[b]] = a
            fill[b] += 1
    kept = 0
    for i in range(n):
        start, end = indptr[i], indptr[i + 1]
        indptr[i] = kept  # the rows before i are compacted already: their ends are no longer needed
        _sort_row(indices[start:end])
        for k in range(start, end):
            if k == start or indices[k] != indices[k - 1]:
                indices[kept] = indices[k]
                kept += 1
    indptr[n] = kept
    return indptr, indices


def _to_csr(u: np.ndarray, v: np.ndarray, n: int) -> Graph:
    """The undirected simple graph of the pairs u[k]-v[k] (consumer numbers below ``n``)."""
    indptr, indices = _csr_arrays(u, v, n)
    if indptr[-1] < indices.size:  # repeats dropped: keep only the compacted part
        indices = indices[: indptr[-1]].copy()
    return Graph(indptr=indptr, indices=indices)


def _edge_count(n: int, mean_degree: float) -> int:
    return int(round(n * mean_degree / 2))


def random_graph(n: int, mean_degree: float, rng: np.random.Generator) -> Graph:
    m = _edge_count(n, mean_degree)
    return _to_csr(rng.integers(0, n, m), rng.integers(0, n, m), n)


def small_world(n: int, mean_degree: float, rewire: float, rng: np.random.Generator) -> Graph:
    """Watts-Strogatz: a ring where each node links to its k/2 nearest on each side, then each
    link's far end moves to a uniformly random node with probability ``rewire``."""
    half = max(1, min(int(round(mean_degree / 2)), (n - 1) // 2))
    u = np.repeat(np.arange(n, dtype=np.int64), half)
    v = (u + np.tile(np.arange(1, half + 1), n)) % n
    moved = rng.random(v.size) < rewire
    v[moved] = rng.integers(0, n, moved.sum())
    return _to_csr(u, v, n)


@numba.njit(cache=True, nogil=True)
def _draw_from_cdf(cdf: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``np.minimum(np.searchsorted(cdf, x, side="right"), n - 1)`` for ``x`` in [0, 1) and a
    non-decreasing ``cdf`` ending at 1, in expected constant time per draw: a guide table gives
    where each of n equal slices of [0, 1) starts, and a short walk from there the exact index."""
    n = cdf.size
    guide = np.empty(n + 1, dtype=np.int64)
    i = 0
    for j in range(n + 1):
        while i < n and cdf[i] <= j / n:
            i += 1
        guide[j] = i
    out = np.empty(x.size, dtype=np.int32)
    for k in range(x.size):
        i = guide[min(int(x[k] * n), n)]
        while i > 0 and cdf[i - 1] > x[k]:  # the slice's start rounded past x
            i -= 1
        while i < n and cdf[i] <= x[k]:
            i += 1
        out[k] = min(i, n - 1)
    return out


def scale_free(n: int, mean_degree: float, exponent: float, rng: np.random.Generator) -> Graph:
    """Chung-Lu graph with power-law expected degrees (P(k) ~ k^-exponent), hubs placed at random."""
    rank = rng.permutation(n) + 1.0
    weight = rank ** (-1.0 / (exponent - 1.0))
    cdf = np.cumsum(weight)
    cdf /= cdf[-1]
    m = _edge_count(n, mean_degree)
    u = _draw_from_cdf(cdf, rng.random(m))
    return _to_csr(u, _draw_from_cdf(cdf, rng.random(m)), n)


@numba.njit(cache=True, nogil=True)
def _homophilous_ends(u, inside, inside_draw, outside_draw, group, order, start, sizes) -> np.ndarray:
    """The far end of each link from ``u``: a uniform member of u's group where ``inside``, else a
    uniform consumer outside it (a position among the others in group order, skipping u's block)."""
    n = group.size
    v = np.empty(u.size, dtype=np.int32)
    for k in range(u.size):
        g = group[u[k]]
        outsiders = n - sizes[g]
        if inside[k] or outsiders == 0:  # a group that is everyone has no outside
            pos = start[g] + np.int64(inside_draw[k] * sizes[g])
        else:
            pos = np.int64(outside_draw[k] * outsiders)
            if pos >= start[g]:
                pos += sizes[g]
        v[k] = order[pos]
    return v


def homophilous(group: np.ndarray, mean_degree: float, homophily: float, rng: np.random.Generator) -> Graph:
    """Block model: each link starts at a uniform consumer and ends, with probability
    ``homophily``, at a uniform member of the same group, otherwise at a uniform non-member.
    So about ``homophily`` of every consumer's contacts lie inside its own group."""
    n = group.size
    order = np.argsort(group, kind="stable")
    sizes = np.bincount(group)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    m = _edge_count(n, mean_degree)
    u = rng.integers(0, n, m)
    # the draws in this order: who links inside, then where inside, then where outside
    v = _homophilous_ends(u, rng.random(m) < homophily, rng.random(m), rng.random(m), group, order, start, sizes)
    return _to_csr(u, v, n)


MAX_ID_DIGITS = 10  # consumer numbers stay below 50,000,000
MAX_EDGE_LINE = 1_000  # bytes; a longer line is not an edge (and could be a whole binary file)


def read_edge_list(path: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """An edge list's two columns of consumer numbers (0..n-1), comma-separated for ``.csv``, white
    space otherwise, '#' comments, further columns ignored. Errors name the line and what was
    expected, never the line itself: the path may point at any file, secrets included."""
    sep = "," if path.endswith(".csv") else None
    expected = f"two consumer numbers from 0 to {n - 1}"
    us: list[int] = []
    vs: list[int] = []
    number = 0
    try:
        with open(path, "rb") as f:
            for number, line in enumerate(iter(lambda: f.readline(MAX_EDGE_LINE + 1), b""), 1):
                if len(line) > MAX_EDGE_LINE:
                    raise ScenarioError(path, [(f"line {number}", f"longer than {MAX_EDGE_LINE:,} bytes; expected "
                                                                  f"{expected}")])
                fields = [x.strip() for x in line.decode("utf-8").split("#", 1)[0].split(sep)]
                if fields in ([], [""]):
                    continue
                ends = fields[:2]
                if len(ends) < 2 or not all(x.isascii() and x.isdigit() and len(x) <= MAX_ID_DIGITS for x in ends) \
                        or max(int(ends[0]), int(ends[1])) >= n:
                    raise ScenarioError(path, [(f"line {number}", f"expected {expected}")])
                us.append(int(ends[0]))
                vs.append(int(ends[1]))
    except UnicodeDecodeError:
        raise ScenarioError(path, [(f"line {number}", "not UTF-8 text; expected an edge list")]) from None
    except OSError as exc:
        raise ScenarioError(path, [("", f"cannot read the edge list ({exc.strerror or type(exc).__name__})")]) \
            from None
    return np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64)


def load_edge_list(path: str, n: int) -> Graph:
    return _to_csr(*read_edge_list(path, n), n)


def build_network(spec: Network, pop: Population, rng: np.random.Generator) -> Graph | None:
    n = pop.size
    match spec:
        case RandomGraph():
            return random_graph(n, spec.mean_degree, rng)
        case RingLattice():
            return small_world(n, spec.mean_degree, 0.0, rng)
        case SmallWorld():
            return small_world(n, spec.mean_degree, spec.rewire, rng)
        case ScaleFree():
            return scale_free(n, spec.mean_degree, spec.exponent, rng)
        case Homophilous():
            group = pop.segment if spec.group_by == "segment" else pop.region
            return homophilous(group.astype(np.int64), spec.mean_degree, spec.homophily, rng)
        case EdgeListFile():
            return load_edge_list(spec.path, n)
    return None
