"""Social networks built straight into CSR arrays with numpy and numba (networkx only for files and analysis).

Every generator draws an edge list of about ``N * mean_degree / 2`` pairs, then ``_to_csr`` makes
it undirected and simple (no self-loops, no repeated pairs). ``fully_mixed`` has no graph at all:
word of mouth then acts through the whole population, as in the Bass model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import networkx as nx
import numba
import numpy as np
import scipy.sparse as sp

from ..scenario.schema import (
    EdgeListFile,
    Homophilous,
    Network,
    RandomGraph,
    RingLattice,
    ScaleFree,
    ScenarioError,
    SmallWorld,
)
from .population import Population


@dataclass(frozen=True)
class Graph:
    """Undirected simple graph in CSR form: neighbours of i are indices[indptr[i]:indptr[i+1]]."""

    indptr: np.ndarray  # int64, N + 1
    indices: np.ndarray  # int32, sorted within each row

    @property
    def size(self) -> int:
        return self.indptr.size - 1

    @property
    def degree(self) -> np.ndarray:
        """Contacts per consumer, computed when asked (read at the build and by seeding by degree: kept, it
        would hold 8 bytes a consumer all run long); read-only, like the graph."""
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
    row sorted and its repeats dropped, compacted in place (the kept length in ``indptr[n]``)."""
    indptr = np.zeros(n + 2, dtype=np.int64)
    for k in range(u.size):  # row i's length in indptr[i + 2] ...
        if u[k] != v[k]:
            indptr[u[k] + 2] += 1
            indptr[v[k] + 2] += 1
    for i in range(n):  # ... its start in indptr[i + 1] ...
        indptr[i + 2] += indptr[i + 1]
    indices = np.empty(indptr[n + 1], dtype=np.int32)
    for k in range(u.size):  # ... which filling moves to its end, the next row's start
        a, b = u[k], v[k]
        if a != b:
            indices[indptr[a + 1]] = b
            indptr[a + 1] += 1
            indices[indptr[b + 1]] = a
            indptr[b + 1] += 1
    indptr = indptr[: n + 1]
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
    kept = indices[: indptr[-1]]
    # a view when few repeats were dropped (a copy would touch the whole array again), else a copy
    return Graph(indptr=indptr, indices=kept if kept.size >= 0.9 * indices.size else kept.copy())


def _edge_count(n: int, mean_degree: float) -> int:
    return int(round(n * mean_degree / 2))


DRAW_CHUNK = 1 << 20  # uniform draws are made and used this many at a time: at 10M consumers a
# length-m float array is 400 MB, and fresh memory is slow to touch


def _uniform_chunks(rng: np.random.Generator, m: int):
    """The numbers of ``rng.random(m)``, in consecutive chunks drawn into one reused buffer,
    with each chunk's offset."""
    buffer = np.empty(min(m, DRAW_CHUNK))
    for offset in range(0, m, DRAW_CHUNK):
        draws = buffer[: min(DRAW_CHUNK, m - offset)]
        rng.random(out=draws)
        yield offset, draws


def _uniform_consumers(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    """m uniform consumer numbers below n, as int32: numpy draws the same numbers as for int64
    (from 32-bit words, as n is below 2^32), in half the memory."""
    return rng.integers(0, n, m, dtype=np.int32)


def random_graph(n: int, mean_degree: float, rng: np.random.Generator) -> Graph:
    m = _edge_count(n, mean_degree)
    return _to_csr(_uniform_consumers(rng, n, m), _uniform_consumers(rng, n, m), n)


def small_world(n: int, mean_degree: float, rewire: float, rng: np.random.Generator) -> Graph:
    """Watts-Strogatz: a ring where each node links to its k/2 nearest on each side, then each
    link's far end moves to a uniformly random node with probability ``rewire``."""
    half = max(1, min(int(round(mean_degree / 2)), (n - 1) // 2))
    u = np.repeat(np.arange(n, dtype=np.int32), half)
    v = (u + np.tile(np.arange(1, half + 1, dtype=np.int32), n)) % n
    moved = np.empty(v.size, dtype=bool)
    for offset, draws in _uniform_chunks(rng, v.size):
        np.less(draws, rewire, out=moved[offset : offset + draws.size])
    v[moved] = _uniform_consumers(rng, n, moved.sum())
    return _to_csr(u, v, n)


@numba.njit(cache=True, nogil=True)
def _cdf_guide(cdf: np.ndarray) -> np.ndarray:
    """For each of n equal slices of [0, 1), the number of cdf values at or below its start."""
    n = cdf.size
    guide = np.empty(n + 1, dtype=np.int64)
    i = 0
    for j in range(n + 1):
        while i < n and cdf[i] <= j / n:
            i += 1
        guide[j] = i
    return guide


@numba.njit(cache=True, nogil=True)
def _draw_from_cdf(cdf: np.ndarray, guide: np.ndarray, x: np.ndarray, out: np.ndarray) -> None:
    """``out = np.minimum(np.searchsorted(cdf, x, side="right"), n - 1)`` for ``x`` in [0, 1) and a
    non-decreasing ``cdf`` ending at 1, in expected constant time per draw: from where the guide
    says x's slice starts, a short walk to the exact index."""
    n = cdf.size
    for k in range(x.size):
        i = guide[min(int(x[k] * n), n)]
        while i > 0 and cdf[i - 1] > x[k]:  # the slice's start rounded past x
            i -= 1
        while i < n and cdf[i] <= x[k]:
            i += 1
        out[k] = min(i, n - 1)


def scale_free(n: int, mean_degree: float, exponent: float, rng: np.random.Generator) -> Graph:
    """Chung-Lu graph with power-law expected degrees (P(k) ~ k^-exponent), hubs placed at random."""
    rank = rng.permutation(n) + 1.0
    weight = rank ** (-1.0 / (exponent - 1.0))
    cdf = np.cumsum(weight)
    cdf /= cdf[-1]
    guide = _cdf_guide(cdf)
    m = _edge_count(n, mean_degree)
    u, v = np.empty(m, dtype=np.int32), np.empty(m, dtype=np.int32)
    for ends in (u, v):
        for offset, draws in _uniform_chunks(rng, m):
            _draw_from_cdf(cdf, guide, draws, ends[offset : offset + draws.size])
    return _to_csr(u, v, n)


class Groups(NamedTuple):
    """Consumers by group: each one's group code, all of them sorted by group (``order``, stable),
    and each group's start in that order and size."""

    group: np.ndarray
    order: np.ndarray
    start: np.ndarray
    sizes: np.ndarray


@numba.njit(cache=True, nogil=True)
def _ends_inside(u, inside, draws, groups, v) -> None:
    """Where ``inside``, the far end of the link from u: a uniform member of u's group (a group that
    is everyone has no outside, so its links count as inside). Elsewhere v keeps u's group, for
    ``_ends_outside``."""
    group, order, start, sizes = groups.group, groups.order, groups.start, groups.sizes
    n = group.size
    for k in range(u.size):
        g = group[u[k]]
        if inside[k] or sizes[g] == n:
            inside[k] = True
            v[k] = order[start[g] + np.int64(draws[k] * sizes[g])]
        else:
            v[k] = g


@numba.njit(cache=True, nogil=True)
def _ends_outside(inside, draws, groups, v) -> None:
    """Where not ``inside``, the far end of the link from a member of group v: a uniform consumer
    outside it (a position among the others in group order, skipping the group's block)."""
    order, start, sizes = groups.order, groups.start, groups.sizes
    n = order.size
    for k in range(v.size):
        if not inside[k]:
            g = v[k]
            pos = np.int64(draws[k] * (n - sizes[g]))
            if pos >= start[g]:
                pos += sizes[g]
            v[k] = order[pos]


def homophilous(group: np.ndarray, mean_degree: float, homophily: float, rng: np.random.Generator) -> Graph:
    """Block model: each link starts at a uniform consumer and ends, with probability
    ``homophily``, at a uniform member of the same group, otherwise at a uniform non-member.
    So about ``homophily`` of every consumer's contacts lie inside its own group."""
    n = group.size
    order = np.argsort(group, kind="stable").astype(np.int32)  # consumer numbers fit: at most 50M
    sizes = np.bincount(group)
    groups = Groups(group, order, np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
    m = _edge_count(n, mean_degree)
    u = _uniform_consumers(rng, n, m)
    inside = np.empty(m, dtype=bool)
    for offset, draws in _uniform_chunks(rng, m):
        np.less(draws, homophily, out=inside[offset : offset + draws.size])
    v = np.empty(m, dtype=np.int32)
    for offset, draws in _uniform_chunks(rng, m):  # the draws for the ends inside come first
        part = slice(offset, offset + draws.size)
        _ends_inside(u[part], inside[part], draws, groups, v[part])
    for offset, draws in _uniform_chunks(rng, m):
        part = slice(offset, offset + draws.size)
        _ends_outside(inside[part], draws, groups, v[part])
    return _to_csr(u, v, n)


MAX_ID_DIGITS = 10  # consumer numbers stay below 50,000,000
MAX_EDGE_LINE = 1_000  # bytes; a longer line is not an edge (and could be a whole binary file)


def read_edge_list(path: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """An edge list's two columns of consumer numbers (0..n-1), comma-separated for ``.csv``, white
    space otherwise, '#' comments, further columns ignored. Errors name the line and what was
    expected, never the line itself: the path may point at any file, secrets included. A file
    without edges is refused: it would silently turn word of mouth off."""
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
                text = line.decode("utf-8-sig" if number == 1 else "utf-8")  # a spreadsheet's byte-order mark
                fields = [x.strip() for x in text.split("#", 1)[0].split(sep)]
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
    if not us:
        raise ScenarioError(path, [("", f"no edges: expected lines of {expected}")])
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
            return homophilous(group, spec.mean_degree, spec.homophily, rng)  # int16: compact to gather from
        case EdgeListFile():
            return load_edge_list(spec.path, n)
    return None
