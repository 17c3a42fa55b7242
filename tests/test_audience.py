"""The loader's check that an audience can match someone (scenario/audience.py) never refuses a rule
that a real population matches, and does refuse the rules that match nobody."""

import copy

import numpy as np
from helpers import BASE
from hypothesis import event, given, settings
from hypothesis import strategies as st

from marketsim import MarketModel
from marketsim.scenario.audience import can_match, matches
from marketsim.scenario.loading import scenario_from_dict
from marketsim.scenario.schema import Rule

RAW = copy.deepcopy(BASE)
RAW["population"]["size"] = 3000
RAW["population"]["segments"][0]["interests"] = {"sport": 0.8, "garden": 0.05, "chess": 1.0}
RAW["population"]["segments"][1]["gender"] = {"female": 1.0, "male": 0.0}
SCENARIO = scenario_from_dict(RAW)
POPULATION = MarketModel(SCENARIO, rng=3).population

field_tests = st.one_of(
    st.builds(lambda bounds, lo, hi: {"field": "age", **{k: v for k, v in (("min", lo), ("max", hi)) if k in bounds}},
              st.sampled_from([("min",), ("max",), ("min", "max")]), st.integers(10, 90), st.integers(10, 90)),
    st.builds(lambda f, key, names: {"field": f, key: names}, st.sampled_from(["region", "gender"]),
              st.sampled_from(["in", "not_in"]),
              st.lists(st.sampled_from(["city", "village", "female", "male"]), max_size=2, unique=True)),
    st.builds(lambda key, names: {"field": "interests", key: names}, st.sampled_from(["has_any", "has_all"]),
              st.lists(st.sampled_from(["sport", "garden", "chess"]), max_size=3, unique=True)),
)
rules = st.recursive(field_tests, lambda inner: st.one_of(
    st.builds(lambda rs: {"all": rs}, st.lists(inner, min_size=1, max_size=3)),
    st.builds(lambda rs: {"any": rs}, st.lists(inner, min_size=1, max_size=3)),
    st.builds(lambda r: {"not": r}, inner)), max_leaves=6)


def valid(raw: dict) -> Rule | None:
    """The rule, if its names fit its fields (region names for region, and so on)."""
    names = {"region": {"city", "village"}, "gender": {"female", "male"}}
    stack = [raw]
    while stack:
        node = stack.pop()
        stack += node.get("all", []) + node.get("any", []) + ([node["not"]] if "not" in node else [])
        for key in ("in", "not_in"):
            if key in node and not set(node[key]) <= names[node["field"]]:
                return None
    return Rule.model_validate(raw)


@settings(max_examples=300, deadline=None)
@given(raw=rules)
def test_a_rule_some_consumer_matches_is_never_refused(raw):
    rule = valid(raw)
    if rule is None:
        return
    matched = matches(rule, POPULATION).any()
    event("matched in the population" if matched else "matched by nobody drawn")
    if matched:
        assert can_match(SCENARIO, [rule])


def test_what_is_refused_and_what_is_not():
    def can(raw):
        return can_match(SCENARIO, [Rule.model_validate(raw)])

    assert not can({"field": "age", "min": 50, "max": 20})
    assert not can({"field": "age", "min": 30, "max": 49})  # between the segments' age bands
    assert can({"field": "age", "min": 29, "max": 29})
    assert not can({"field": "interests", "has_any": []})
    assert not can({"all": [{"field": "age", "min": 50}, {"field": "gender", "in": ["male"]}]})  # old are all women
    assert not can({"all": [{"field": "age", "max": 29}, {"not": {"field": "interests", "has_any": ["chess"]}}]})
    assert can({"all": [{"field": "age", "max": 29}, {"field": "interests", "has_all": ["garden", "chess"]}]})
    young_gardeners = Rule.model_validate({"all": [{"field": "age", "max": 29},
                                                   {"field": "interests", "has_all": ["garden"]}]})
    rare = np.count_nonzero(matches(young_gardeners, POPULATION))
    assert 0 < rare < 150  # possible and rare: allowed, and a small market's draw may leave it empty
