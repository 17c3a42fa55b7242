"""Each ready scenario, run small over several seeds, shows the direction its case is known for."""

from pathlib import Path

import numpy as np
import pytest

import sim

SCENARIOS = Path(__file__).parent.parent / "scenarios"
SEEDS = (1, 2, 3)
SIZE = 5000


def runs(name, **overrides):
    sc = sim.load_scenario(SCENARIOS / f"{name}.toml", {"population.size": SIZE, **overrides})
    return [sim.run(sc, seed=s) for s in SEEDS]


def mean(results, brand, metric):
    return float(np.mean([r.summary["brands"][brand][metric] for r in results]))


def first_control(result, brand, segment):
    t = result.summary["brands"][brand]["time_to_control"][segment]
    return np.inf if t is None else t


def test_every_scenario_file_is_valid_and_described():
    files = sorted(SCENARIOS.glob("*.toml"))
    assert len(files) >= 9
    for f in files:
        sc = sim.load_scenario(f)
        assert sc.name == f.stem and sc.description
        assert f.read_text().startswith("#"), f"{f.name} opens with a comment block"


def test_baseline_micro_brand_controls_its_niche_at_lower_cac():
    res = runs("baseline")
    assert all(first_control(r, "Spark", "young_active") < np.inf for r in res)
    assert mean(res, "Spark", "cac_blended") < mean(res, "Mass", "cac_blended")
    assert mean(res, "Mass", "reach") > 2 * mean(res, "Spark", "reach")


def test_rain_triggered_rides_acquire_more_cheaply():
    res = runs("rainy_city_rides")
    assert mean(res, "RainRide", "cac_blended") < 0.7 * mean(res, "DailyRide", "cac_blended")


def test_sponsored_niche_reaches_a_majority_first():
    res = runs("energy_drink_events")
    for r in res:
        assert first_control(r, "Bolt", "thrill_seekers") < first_control(r, "Fizz", "thrill_seekers")


def test_named_bottles_keep_broad_reach_and_bind_better():
    res = runs("named_bottles")
    assert mean(res, "Cola", "reach") > 0.95 * SIZE
    assert mean(res, "Cola", "customers") > mean(res, "Rival", "customers")
    assert mean(res, "Cola", "cac_blended") < mean(res, "Rival", "cac_blended")
    assert mean(res, "Cola", "loyalty") > mean(res, "Rival", "loyalty")


def test_underserved_segment_is_won_cheaply():
    res = runs("underserved_segment")
    for r in res:
        assert "plus_size" in r.summary["brands"]["Nike"]["controls"]
        assert r.summary["brands"]["Rival"]["segment_share"]["plus_size"] < 0.5
    assert mean(res, "Nike", "cac_blended") < mean(res, "Rival", "cac_blended")


def test_wrong_niche_wastes_more_of_its_spend():
    res = runs("wrong_niche")
    wasted = {b: np.mean([r.summary["brands"][b]["wasted_spend"] / r.summary["brands"][b]["spend"] for r in res])
              for b in ("Assumed", "Researched")}
    assert wasted["Assumed"] > wasted["Researched"] + 0.2
    assert mean(res, "Assumed", "cac_blended") > mean(res, "Researched", "cac_blended")


def test_small_budget_on_the_teens_channel_wins_the_teens():
    res = runs("small_business_teens")
    share = {b: np.mean([r.summary["brands"][b]["segment_share"]["teens"] for r in res])
             for b in ("ClipTea", "RadioTea")}
    assert share["ClipTea"] > share["RadioTea"]
    assert mean(res, "ClipTea", "cac_blended") < mean(res, "RadioTea", "cac_blended")


def test_under_30_only_misses_the_other_generations():
    res = runs("limited_exposure")
    assert mean(res, "Broad", "customers") > mean(res, "YouthOnly", "customers")
    older = {b: np.mean([r.summary["brands"][b]["segment_share"]["age_50_plus"] for r in res])
             for b in ("YouthOnly", "Broad")}
    assert older["YouthOnly"] < older["Broad"]


def test_niche_control_lets_the_brand_raise_price_and_cut_spend():
    for r in runs("niche_saturation"):
        control = first_control(r, "Craft", "connoisseurs")
        assert control < np.inf
        ts = r.timeseries
        craft = ts[(ts.brand == "Craft") & (ts.segment == "all")]
        before = craft[(craft.time > 2) & (craft.time <= control)].spend.mean()
        after = craft[craft.time > control + 1].spend.mean()
        assert after < 0.5 * before
        niche = ts[(ts.brand == "Craft") & (ts.segment == "connoisseurs")]
        priced = niche[niche.control.shift(1, fill_value=False) & (niche.purchases > 0)]  # held at the step's start
        assert len(priced) > 100
        assert np.allclose(priced.revenue / priced.purchases, 6.0 * 1.15)
        assert r.summary["brands"]["Craft"]["segment_share"]["connoisseurs"] >= 0.5
