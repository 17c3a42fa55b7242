"""population.people_per_consumer (scenario/scale.py): a scenario and its outputs are in people and real money,
whatever one consumer stands for, so the scale changes units, never results."""

import copy
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketsim.market.buying import PANEL_AMOUNTS
from marketsim.market.metrics import SEGMENT_COUNTS, SUMMARY_AMOUNTS
from marketsim.scenario.loading import scenario_from_dict
from marketsim.scenario.schema import ScenarioError
from marketsim.studies.pilot import read_pilot
from marketsim.studies.runner import run
from tests.helpers import BASE

BASELINE = Path(__file__).parent.parent / "scenarios" / "baseline.toml"
# every count of people and sum of money a scenario gives: what the scale divides
PEOPLE_AND_MONEY = {"campaigns": ("impressions", "spend_rate", "budget", "fixed_cost", "reach", "seeds"),
                    "brands": ("budget",), "channels": ("setup_cost",)}


def in_people(raw: dict, k: int) -> dict:
    """The same market told in people: k people per consumer, every count of people and sum of money times k."""
    out = copy.deepcopy(raw)
    out["population"]["people_per_consumer"] = k
    for table, fields in PEOPLE_AND_MONEY.items():
        for item in out.get(table, []):
            for f in fields:
                if f in item:
                    item[f] *= k
            if "research" in item and "cost" in item["research"]:
                item["research"]["cost"] *= k
    return out


def same(a, b) -> bool:
    """Equal, or (a ratio of scaled figures) equal to the last bits."""
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, nan_ok=True)
    return a == b


def test_a_market_told_in_people_runs_as_its_consumers_and_reports_people():
    """The baseline (ads, an event's reach, a seeding, budgets, set-up and fixed costs) at 1 person per consumer,
    and told in people at 250 per consumer: the same run, every count and sum of money 250 times larger, every
    ratio (shares, CAC, LTV, returns) the same (to the last bits, where the ratio is of scaled figures)."""
    raw = tomllib.loads(BASELINE.read_text())
    raw["time"]["horizon"] = 90  # past the event (day 60) and its fixed cost
    next(c for c in raw["campaigns"] if c["name"] == "mass_tv")["budget"] = 15_300  # the channel's set-up, then a budget that binds
    k = 250
    one, many = (run(scenario_from_dict(copy.deepcopy(r)), seed=3, lift=True) for r in (raw, in_people(raw, k)))
    assert many.summary["people_per_consumer"] == k and one.summary["people_per_consumer"] == 1
    assert {"seeding", "event"} <= {c.get("type", "ads") for c in raw["campaigns"]}
    for brand, metrics in one.summary["brands"].items():
        assert metrics["customers"] > 0 and metrics["spend"] > 0
        for key, value in metrics.items():
            scaled = many.summary["brands"][brand][key]
            if key in (*SUMMARY_AMOUNTS, *PANEL_AMOUNTS, "incremental_customers", "incremental_first_acquisitions",
                       "incremental_margin"):
                assert scaled == pytest.approx(k * value, rel=1e-12, nan_ok=True), key
            else:
                assert same(scaled, value), key
    assert one.summary["campaigns"]["mass_tv"]["ran_out_at"] == many.summary["campaigns"]["mass_tv"]["ran_out_at"] < 90
    assert one.summary["campaigns"]["spark_event"]["status"] != "planned"
    for name, campaign in one.summary["campaigns"].items():
        assert many.summary["campaigns"][name]["spent"] == pytest.approx(k * campaign["spent"], rel=1e-12)
    amounts = [*SEGMENT_COUNTS, "revenue", "margin", "wasted_spend", "spend"]
    pd.testing.assert_frame_equal(many.timeseries[amounts], one.timeseries[amounts] * k, check_dtype=False)
    rest = [c for c in one.timeseries.columns if c not in amounts]
    pd.testing.assert_frame_equal(many.timeseries[rest], one.timeseries[rest])
    counts = ["buyers", "purchases", "category_buyers", "category_purchases", "buyers_category_purchases",
              "sole_buyers", "previous_buyers", "repeat_buyers"]
    pd.testing.assert_frame_equal(many.buying[counts], one.buying[counts] * k, check_dtype=False)
    rest = [c for c in one.buying.columns if c not in counts]
    pd.testing.assert_frame_equal(many.buying[rest], one.buying[rest])
    pd.testing.assert_frame_equal(many.duplication, one.duplication)


@settings(max_examples=60, deadline=None)
@given(k=st.integers(1, 10_000), seeds=st.integers(1, 10 ** 7))
def test_a_seeding_is_whole_consumers_and_says_when_it_rounds(k, seeds):
    """Seeds in people become round(seeds / k) consumers, at least one; a warning names the field when that is
    more than a tenth off what was asked."""
    raw = copy.deepcopy(BASE)
    raw["population"]["people_per_consumer"] = k
    raw["campaigns"].append({"name": "gift", "brand": "A", "type": "seeding", "seeds": seeds})
    sc = scenario_from_dict(raw)
    from marketsim.scenario.scale import in_consumers

    given_away = next(c for c in in_consumers(sc).campaigns if c.name == "gift").seeds
    assert given_away == max(1, round(seeds / k))
    rounded = [text for where, text in sc.warnings() if where == "campaigns[gift].seeds" and "simulated as" in text]
    assert bool(rounded) == (abs(given_away * k - seeds) > 0.1 * seeds)


def test_a_pilot_counts_people_and_must_fit_in_the_people_the_market_holds(tmp_path):
    """4,000 consumers of 100 people each hold 400,000 people: a pilot of 300,000 new adopters fits, one of
    500,000 does not, and the error says so without quoting the file."""
    raw = copy.deepcopy(BASE)
    raw["population"]["people_per_consumer"] = 100
    sc = scenario_from_dict(raw)
    assert sc.population.people == 400_000
    fits, too_many = tmp_path / "fits.csv", tmp_path / "too_many.csv"
    fits.write_text("time,new_adopters\n1,100000\n2,200000\n")
    too_many.write_text("time,new_adopters\n1,300000\n2,200000\n")
    assert read_pilot(fits, sc).data.new_adopters.sum() == 300_000
    with pytest.raises(ScenarioError, match="new_adopters.*rows 3") as caught:
        read_pilot(too_many, sc)
    assert "300000" not in str(caught.value)


@pytest.mark.parametrize("value", [0, -3, 2.5, "many"])
def test_people_per_consumer_is_a_whole_number_of_at_least_one(value):
    raw = copy.deepcopy(BASE)
    raw["population"]["people_per_consumer"] = value
    with pytest.raises(ScenarioError, match="population.people_per_consumer"):
        scenario_from_dict(raw)


def test_the_engine_sees_the_market_in_consumers():
    """Impressions and budgets reach the engine divided by the scale (what the memory estimate counts too)."""
    from marketsim.scenario.scale import in_consumers
    from marketsim.studies.memory import run_bytes

    raw = copy.deepcopy(BASE)
    raw["brands"][0]["budget"] = 5000.0
    people = scenario_from_dict(in_people(raw, 40))
    consumers = in_consumers(people)
    assert consumers.campaigns[0].impressions == raw["campaigns"][0]["impressions"]
    assert consumers.brands[0].budget == 5000.0 and people.brands[0].budget == 200_000.0
    assert run_bytes(people) == run_bytes(scenario_from_dict(raw))
    assert np.isclose(consumers.population.people_per_consumer, 40)  # the scale itself stays, for the outputs
