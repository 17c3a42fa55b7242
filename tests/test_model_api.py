"""Consumers as Mesa agents: made on first access through the model's agent API, never by a run."""

import gc
from pathlib import Path

import mesa
import numpy as np
import pytest

import marketsim

BASELINE = Path(__file__).parent.parent / "scenarios" / "baseline.toml"
SIZE = 1_500


def small(horizon=40):
    return marketsim.load_scenario(BASELINE, {"population.size": SIZE, "time.horizon": horizon})


def consumer_agents_of(model) -> list:
    """Every Consumer object of ``model`` alive in this process, asked of the garbage collector so
    that the model's own bookkeeping cannot hide any."""
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, marketsim.Consumer) and o.model is model]


def test_a_run_that_never_asks_makes_no_consumer_agents():
    result = marketsim.run(small(), seed=3)
    model = result.model
    assert consumer_agents_of(model) == []
    assert len(model.datacollector.get_model_vars_dataframe()) == model.steps + 1
    # the ids 1..N stay kept for the consumers: the brands come after them
    assert [b.unique_id for b in model.brands] == [SIZE + 1, SIZE + 2]


def test_consumer_agents_appear_on_first_access_with_their_ids():
    model = marketsim.MarketModel(small(), rng=3)
    c = model.consumer(7)
    assert consumer_agents_of(model) == [c] and c.unique_id == 8 and model.consumer(7) is c
    assert [n.unique_id for n in c.neighbours] == [int(j) + 1 for j in model.graph.neighbours(7)]
    assert model.consumer(-1) is model.consumer(SIZE - 1)
    with pytest.raises(IndexError, match=f"no consumer {SIZE}"):
        model.consumer(SIZE)

    consumers = model.agents_by_type[marketsim.Consumer]
    assert isinstance(consumers, mesa.agentset.AbstractAgentSet) and len(consumers) == SIZE
    assert all(isinstance(a, mesa.Agent) for a in consumers)
    assert len(consumer_agents_of(model)) == SIZE
    assert consumers[7] is c and all(model.consumer(i) is consumers[i] for i in (0, 7, 1_000, SIZE - 1))
    assert [a.unique_id for a in model.agents] == list(range(1, SIZE + 3))
    assert model.agent_types == [marketsim.Consumer, marketsim.Brand]


def test_agents_list_the_same_whenever_they_are_asked_for():
    early, late = marketsim.MarketModel(small(), rng=3), marketsim.MarketModel(small(), rng=3)
    for i in (900, 3, 42):
        late.consumer(i)
    ids = [[(type(a), a.unique_id) for a in model.agents] for model in (early, late)]
    assert ids[0] == ids[1]
    assert [a.index for a in late.agents_by_type[marketsim.Consumer]] == list(range(SIZE))


def test_consumer_attributes_match_the_arrays():
    result = marketsim.run(small(), seed=5)
    model, pop, state = result.model, result.model.population, result.model.state
    brands = [b.name for b in model.scenario_spec.brands]
    for a in model.agents_by_type[marketsim.Consumer].select(lambda a: a.index % 97 == 0):
        i = a.index
        assert a.age == pop.age[i] and a.segment == pop.categories["segment"][pop.segment[i]]
        assert a.region == pop.categories["region"][pop.region[i]]
        assert a.loyalty == state.loyalty[i]
        assert a.brand == (None if state.current[i] < 0 else brands[state.current[i]])
        assert [a.status(b) for b in brands] == [marketsim.market.model.STATES[state.state[b, i]] for b in range(len(brands))]


def test_inspecting_agents_mid_run_leaves_the_results_unchanged():
    def run(inspect: bool):
        model = marketsim.MarketModel(small(), rng=9)
        while model.running:
            model.step()
            if inspect and model.steps == 5:
                [n.brand for n in model.consumer(11).neighbours]
            if inspect and model.steps == 20:
                model.agents_by_type[marketsim.Consumer].select(lambda a: a.brand is not None)
        return model

    plain, inspected = run(False), run(True)
    assert consumer_agents_of(plain) == [] and len(consumer_agents_of(inspected)) == SIZE
    assert plain.recorder.data.keys() == inspected.recorder.data.keys()
    for key, values in plain.recorder.data.items():
        np.testing.assert_array_equal(values, inspected.recorder.data[key], err_msg=key)
    for field in ("state", "current", "loyalty"):
        np.testing.assert_array_equal(getattr(plain.state, field), getattr(inspected.state, field))
    assert plain.datacollector.get_model_vars_dataframe().equals(inspected.datacollector.get_model_vars_dataframe())
