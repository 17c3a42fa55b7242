"""Network generators: simple undirected graphs with the asked mean degree and mixing."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from marketsim.market import network
from marketsim.market.population import build_population
from marketsim.scenario.loading import scenario_from_dict
from marketsim.scenario.schema import ScenarioError


def rng(seed=0):
    return np.random.default_rng(seed)


def check_simple(g: network.Graph):
    a = g.adjacency()
    assert (a != a.T).nnz == 0, "undirected"
    assert a.diagonal().sum() == 0, "no self-loops"
    assert a.max() == 1, "no repeated pairs"


@pytest.mark.parametrize("make", [
    lambda n: network.random_graph(n, 10, rng()),
    lambda n: network.small_world(n, 10, 0.1, rng()),
    lambda n: network.small_world(n, 10, 0.0, rng()),
    lambda n: network.scale_free(n, 10, 3.0, rng()),
    lambda n: network.homophilous(rng().integers(0, 4, n), 10, 0.8, rng(1)),
])
def test_graphs_are_simple_with_the_mean_degree(make):
    g = make(20_000)
    check_simple(g)
    assert 9.0 < g.degree.mean() <= 10.0


def test_ring_lattice_links_nearest_neighbours():
    g = network.small_world(10, 4, 0.0, rng())
    assert sorted(g.neighbours(0)) == [1, 2, 8, 9]


def test_scale_free_has_hubs():
    g = network.scale_free(50_000, 10, 2.5, rng())
    assert g.degree.max() > 20 * g.degree.mean()
    assert np.median(g.degree) < g.degree.mean()


@pytest.mark.parametrize("homophily", [0.2, 0.5, 0.9])
def test_homophily_is_the_share_of_contacts_inside_the_group(homophily):
    group = rng(3).integers(0, 5, 30_000)
    g = network.homophilous(group, 10, homophily, rng())
    src = np.repeat(np.arange(group.size), g.degree)
    inside = (group[src] == group[g.indices]).mean()
    assert inside == pytest.approx(homophily, abs=0.02)


def test_edge_list_file(tmp_path):
    path = tmp_path / "edges.csv"
    path.write_text("# a triangle and a repeat\n0,1\n1,2\n2,0\n1,0\n")
    g = network.load_edge_list(str(path), 4)
    check_simple(g)
    assert g.edges == 3 and g.degree.tolist() == [2, 2, 2, 0]
    assert nx.is_isomorphic(g.to_networkx().subgraph([0, 1, 2]), nx.complete_graph(3))
    for text, line in [("0,7\n", 1), ("# ok\n0,1\n\n0,x\n", 4), ("0,100000000000000000000000\n", 1), ("1\n", 1),
                       ("DB_PASSWORD=hunter2\n", 1), ("0,-1\n", 1), ("0,1\n" + "9" * 5000, 2)]:
        path.write_text(text)
        with pytest.raises(ScenarioError) as caught:
            network.load_edge_list(str(path), 4)
        assert str(caught.value).startswith(f"{path}: line {line}: ")
        assert str(caught.value).endswith("expected two consumer numbers from 0 to 3")
        assert "hunter2" not in str(caught.value) and "999" not in str(caught.value)
    path.write_bytes(b"0,1\n\xff\xfe\n")
    with pytest.raises(ScenarioError, match="line 2: not UTF-8 text"):
        network.load_edge_list(str(path), 4)


def test_file_network_in_a_scenario(tmp_path):
    (tmp_path / "g.txt").write_text("0 1\n1 2\n")
    raw = {"name": "f", "population": {"size": 3, "segments": [{"name": "a", "share": 1}]},
           "network": {"type": "file", "path": "g.txt"},
           "brands": [{"name": "b", "price": 1, "margin": 0.5, "purchase_rate": 0}]}
    sc = scenario_from_dict(raw, base_dir=tmp_path)
    g = network.build_network(sc.network, build_population(sc, rng()), rng())
    assert g.edges == 2


def scipy_csr(u, v, n):
    """The reference construction: both directions, self-loops dropped, repeats summed away."""
    keep = u != v
    rows, cols = np.concatenate([u[keep], v[keep]]), np.concatenate([v[keep], u[keep]])
    m = sp.csr_matrix((np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(n, n))
    m.sum_duplicates()
    return m.indptr, m.indices


@st.composite
def edge_lists(draw):
    """Up to 50 consumers (a few with rows longer than the insertion-sorted ones), with repeated
    pairs, self-loops and isolated consumers; n = 1 included."""
    n = draw(st.integers(1, 50))
    ends = st.integers(0, n - 1)
    pairs = draw(st.lists(st.tuples(ends, ends), max_size=300))
    hub = draw(st.lists(ends, max_size=80))  # one consumer linked to many, with repeats
    pairs += [(0, j) for j in hub]
    u = np.array([a for a, _ in pairs], dtype=np.int64)
    v = np.array([b for _, b in pairs], dtype=np.int64)
    return u, v, n


@settings(max_examples=300, deadline=None)
@given(edge_lists())
def test_csr_equals_the_scipy_construction(edges):
    u, v, n = edges
    g = network._to_csr(u, v, n)
    indptr, indices = scipy_csr(u, v, n)
    assert g.indptr.dtype == np.int64 and g.indices.dtype == np.int32
    assert g.indptr.tolist() == indptr.tolist() and g.indices.tolist() == indices.tolist()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0.0, 1.0, exclude_min=True), min_size=1, max_size=60), st.data())
def test_drawing_from_a_cdf_equals_searchsorted(weights, data):
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    # draws anywhere in [0, 1), and exactly on the cdf's steps, where side="right" matters
    x = np.array(data.draw(st.lists(st.one_of(st.floats(0.0, 1.0, exclude_max=True),
                                              st.sampled_from(cdf[cdf < 1.0].tolist() or [0.0])), max_size=60)))
    expected = np.minimum(np.searchsorted(cdf, x, side="right"), cdf.size - 1)
    drawn = np.empty(x.size, dtype=np.int32)
    network._draw_from_cdf(cdf, network._cdf_guide(cdf), x, drawn)
    assert drawn.tolist() == expected.tolist()


def test_int32_consumer_draws_are_the_int64_ones():
    """The generators draw consumer numbers as int32 to save memory; numpy must give the same
    numbers and leave the generator in the same state as for its default int64."""
    for n, m in [(2, 1), (3, 7), (1_000_003, 10_001), (50_000_000, 999)]:
        a, b = rng(n), rng(n)
        assert a.integers(0, n, m).tolist() == network._uniform_consumers(b, n, m).tolist()
        assert a.random() == b.random()


def test_degree_counts_each_consumers_distinct_contacts_and_is_read_only():
    """The degree every step reads is the number of distinct others a consumer is linked with, counted
    here from the generator's raw pairs (the same draws, as int64), not from the CSR arrays."""
    n, m = 300, 600
    g = network.random_graph(n, 4, rng())
    draws = rng()
    u, v = draws.integers(0, n, m), draws.integers(0, n, m)
    contacts = [set() for _ in range(n)]
    for a, b in zip(u.tolist(), v.tolist()):
        if a != b:
            contacts[a].add(b)
            contacts[b].add(a)
    assert g.degree.tolist() == [len(c) for c in contacts]
    assert all(set(g.neighbours(i).tolist()) == contacts[i] for i in range(n))
    assert g.degree.sum() == 2 * g.edges < 2 * m  # self-loops and repeats dropped
    with pytest.raises(ValueError):
        g.degree[0] = 7
    assert g.degree[0] == len(contacts[0])
