"""The loader turns any input into a Scenario or a ScenarioError naming the file and field."""

import copy
import math
import tomllib
from pathlib import Path

import pytest
import tomli_w
from helpers import mutate, value_paths
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from marketsim.scenario.loading import load_scenario, parse_override, scenario_from_dict
from marketsim.scenario.schema import Scenario, ScenarioError

BASELINE = Path(__file__).parent.parent / "scenarios" / "baseline.toml"
RAW = tomllib.loads(BASELINE.read_text())

junk = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                 st.text(max_size=12), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


ALL_PATHS = list(value_paths(RAW))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.sampled_from(ALL_PATHS), st.sampled_from(["delete", "replace", "unknown"]), junk),
                        min_size=1, max_size=3))
@example(changes=[(("time", "unit"), "replace", [])])  # found by CI's fuzzing: the unit read before validation
def test_mutated_scenarios_fail_cleanly(changes):
    raw = copy.deepcopy(RAW)
    for path, action, value in changes:
        try:
            mutate(raw, path, action, copy.deepcopy(value))  # drawn values may be shared lists or tables
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this path
    try:
        assert isinstance(scenario_from_dict(raw, "x.toml"), Scenario)
    except ScenarioError as exc:
        assert exc.problems and str(exc).startswith("x.toml")


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_text_fails_cleanly(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("s") / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError):
        load_scenario(path)


def test_baseline_round_trips_through_toml(tmp_path):
    path = tmp_path / "copy.toml"
    path.write_text(tomli_w.dumps(RAW))
    assert load_scenario(path) == load_scenario(BASELINE)


@pytest.mark.parametrize("change, expected", [
    (("campaigns", 0, "precision"), "campaigns[spark_social].precision: Input should be less than or equal to 1"),
    (("brands", 1, "colour"), "brands[Mass].colour: unknown field"),
    (("campaigns", 3, "channel"), "campaigns[mass_tv].channel: 'radio' is not defined; allowed: tv, social"),
    (("network", "type"), "network: 'type' must be one of"),
])
def test_errors_name_the_field(change, expected):
    raw = copy.deepcopy(RAW)
    node = raw
    for key in change[:-1]:
        node = node[key]
    node[change[-1]] = {"precision": 1.5, "colour": "red", "channel": "radio", "type": "small-world"}[change[-1]]
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(raw, "s.toml")
    assert f"s.toml: {expected}" in str(info.value)


def test_audience_values_are_checked_against_the_population():
    raw = copy.deepcopy(RAW)
    raw["campaigns"][1]["audience"] = {"field": "interests", "has_any": ["surfing"]}
    with pytest.raises(ScenarioError, match=r"campaigns\[spark_event\]\.audience \(interests\): 'surfing' is not "
                                            r"defined; allowed: extreme_sports, fitness"):
        scenario_from_dict(raw, "s.toml")


def test_rule_must_have_one_form():
    raw = copy.deepcopy(RAW)
    raw["campaigns"][1]["audience"] = {"field": "age", "has_any": ["x"]}
    with pytest.raises(ScenarioError, match="field 'age' takes max / min, not has_any"):
        scenario_from_dict(raw, "s.toml")


def test_overrides_address_list_items_by_name():
    sc = load_scenario(BASELINE, dict([parse_override("campaigns.mass_tv.impressions=123"),
                                       parse_override("response.wearout = 0")]))
    assert next(c for c in sc.campaigns if c.name == "mass_tv").impressions == 123
    assert sc.response.wearout == 0
    with pytest.raises(ScenarioError, match="no item 'radio'; items: spark_social"):
        load_scenario(BASELINE, {"campaigns.radio.budget": 1})


@given(st.data())
@settings(max_examples=20, deadline=None)
def test_overrides_address_list_items_by_index_from_zero(data):
    """scenarios.md: a --set path names a list item by its name or its index, 0 the first: the item at
    that index, and only it, takes the value (fifth mutant batch: an index read from 1 changed the next
    item, and the last for index 0)."""
    raw = tomllib.loads(BASELINE.read_text())
    section, field, value = data.draw(st.sampled_from([("campaigns", "budget", 1234.0), ("brands", "price", 7.25)]))
    index = data.draw(st.integers(0, len(raw[section]) - 1))
    sc = load_scenario(BASELINE, {f"{section}.{index}.{field}": value})
    items = getattr(sc, section)
    assert getattr(items[index], field) == value
    assert all(getattr(item, field) != value for k, item in enumerate(items) if k != index)


def test_budget_may_be_infinite():
    raw = copy.deepcopy(RAW)
    raw["brands"][0]["budget"] = math.inf
    assert math.isinf(scenario_from_dict(raw).brands[0].budget)


def test_segment_name_all_is_reserved():
    raw = copy.deepcopy(RAW)
    raw["population"]["segments"][0]["name"] = "all"
    with pytest.raises(ScenarioError, match=r"population.segments\[all\].name: 'all' is reserved"):
        scenario_from_dict(raw, "s.toml")
