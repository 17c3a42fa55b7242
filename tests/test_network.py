"""Network generators: simple undirected graphs with the asked mean degree and mixing."""

import networkx as nx
import numpy as np
import pytest

from sim import network
from sim.population import build_population
from sim.loading import scenario_from_dict
from sim.scenario import ScenarioError


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
