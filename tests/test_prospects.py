"""Where a customer stays one (one brand, no churn), the hazards and awareness pass over the prospects
only once customers are most of the market (marketsim/market/prospects.py). That is speed, not a rule:
the run must be the same, to the bit, as the passes over everyone give, whatever the market's mechanisms;
and nowhere else may the list be used, since elsewhere a customer can still leave or switch."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import marketsim
from marketsim.market import adoption
from marketsim.market.chunks import CHUNK, joined
from marketsim.market.prospects import LIST_ABOVE
from marketsim.scenario.loading import scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from diffusion_speed import diffusion_scenario  # noqa: E402

NEVER, FROM_THE_START = 2.0, 0.0  # customers' share above which the prospects are listed


def spark_alone(size: int = 3000) -> dict:
    """The baseline's niche brand on its own, without churn: segments, a homophilous network, forgetting,
    the unaware responding less, targeted ads, free samples and an event with buzz."""
    raw = tomllib.loads((ROOT / "scenarios" / "baseline.toml").read_text())
    raw["population"]["size"] = size
    raw["time"]["horizon"] = 150  # past the samples (day 30) and the event (day 60)
    raw["brands"] = [b for b in raw["brands"] if b["name"] == "Spark"]
    raw["campaigns"] = [c for c in raw["campaigns"] if c["brand"] == "Spark"]
    raw["loyalty"].update(churn=0.0, negative_word_churn=0.0)
    return raw


def fully_mixed(raw: dict) -> dict:
    """Everyone hears the whole market, and nobody forgets; samples go to anyone (there are no contacts)."""
    raw["network"] = {"type": "fully_mixed"}
    del raw["response"]["awareness_half_life"]
    next(c for c in raw["campaigns"] if c["name"] == "spark_samples")["seed_by"] = "random"
    return raw


def with_installed_base(raw: dict, share: float) -> dict:
    segments = [s["name"] for s in raw["population"]["segments"]]
    raw["brands"][0]["initial"] = {"share": dict.fromkeys(segments, share)}
    return raw


def run(scenario, list_above: float, steps: int, monkeypatch) -> marketsim.MarketModel:
    monkeypatch.setattr(adoption, "LIST_ABOVE", list_above)
    model = marketsim.MarketModel(scenario, rng=3)
    for _ in range(steps):
        model.step()
    return model


def outcome(model: marketsim.MarketModel) -> dict[str, np.ndarray]:
    st, rec = model.state, model.recorder
    out = {f"recorded {name}": values for name, values in rec.data.items()}
    out.update(held=rec.held, spend=rec.spend, first_control=rec.first_control, bought=model.buying.bought)
    out.update({name: getattr(st, name) for name in ("state", "current", "loyalty", "wear", "reached", "ad")})
    out.update(talk=model.wom.sums, buzz=model.wom.buzz)
    return out


MARKETS = {
    "the niche brand alone": (lambda: scenario_from_dict(spark_alone()), 150),
    "fully mixed, nobody forgets": (lambda: scenario_from_dict(fully_mixed(spark_alone())), 150),
    "an installed base of most of the market": (lambda: scenario_from_dict(with_installed_base(spark_alone(), 0.8)),
                                                100),
    "the plain diffusion over several chunks": (lambda: diffusion_scenario(5 * CHUNK // 2, 60), 60),
}


@pytest.mark.parametrize("market", MARKETS)
def test_passing_over_the_prospects_only_gives_the_same_run(market, monkeypatch):
    make, steps = MARKETS[market]
    listed = run(make(), FROM_THE_START, steps, monkeypatch)
    everyone = run(make(), NEVER, steps, monkeypatch)
    assert listed.state.prospects is not None and everyone.state.prospects is None
    first, second = outcome(listed), outcome(everyone)
    assert [name for name in first if not np.array_equal(first[name], second[name], equal_nan=True)] == []
    customers = listed.recorder.data["customer"][:, 0].sum(axis=1)
    assert customers[steps] > customers[1]  # the market moved while the prospects were listed
    assert listed.recorder.data["aware"][1:, 0].sum(axis=1).max() > 0  # awareness had some to change


def test_by_default_the_prospects_are_listed_once_customers_are_most_of_the_market(monkeypatch):
    """With the default threshold the list starts when customers pass it, and the run is the same."""
    scenario = diffusion_scenario(20_000, 80)
    listed = run(scenario, LIST_ABOVE, 80, monkeypatch)
    everyone = run(scenario, NEVER, 80, monkeypatch)
    customers = listed.recorder.data["customer"][:, 0].sum(axis=1)
    assert customers[80] > LIST_ABOVE * 20_000 > customers[1] and listed.state.prospects is not None
    first, second = outcome(listed), outcome(everyone)
    assert [name for name in first if not np.array_equal(first[name], second[name], equal_nan=True)] == []


@pytest.mark.parametrize("change", ["churn", "bad word makes customers leave", "a second brand"])
def test_the_prospects_are_listed_only_where_a_customer_stays_one(change, monkeypatch):
    raw = with_installed_base(spark_alone(), 0.8)
    if change == "churn":
        raw["loyalty"]["churn"] = 0.004
    elif change == "bad word makes customers leave":
        raw["loyalty"]["negative_word_churn"] = 0.02
    else:
        raw["brands"].append({"name": "Other", "price": 3.5, "margin": 0.35, "purchase_rate": 0.05,
                              "default_fit": 0.55})
    model = run(scenario_from_dict(raw), FROM_THE_START, 5, monkeypatch)
    assert model.state.prospects is None


def test_the_list_holds_the_non_customers_in_index_order(monkeypatch):
    """After each step: every non-customer is listed, in index order, each chunk's in its own places; the
    only customers listed are the step's new ones (dropped on the next step's pass)."""
    monkeypatch.setattr(adoption, "LIST_ABOVE", FROM_THE_START)
    model = marketsim.MarketModel(diffusion_scenario(5 * CHUNK // 2, 30), rng=3)
    for _ in range(30):
        before = model.state.current.copy()
        model.step()
        prospects = model.state.prospects
        if prospects is None:  # listed from the step after the first customer
            assert (before < 0).all()
            continue
        listed = prospects.listed.copy()
        chunk_of = [np.arange(c * CHUNK, c * CHUNK + k) for c, k in enumerate(prospects.count)]
        assert all((listed[places] // CHUNK == c).all() for c, places in enumerate(chunk_of))
        listed = listed[:joined(listed, prospects.count.copy(), CHUNK)]
        assert (np.diff(listed) > 0).all()
        assert np.array_equal(listed, np.flatnonzero(before < 0))
    assert model.state.prospects is not None
