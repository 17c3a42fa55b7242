"""No result depends on the order in which a file lists brands, campaigns or segments.

Swapping two entries changes which random stream each one draws from, so single runs differ; what
must not change is the distribution of every outcome. Each test runs a market and its swapped twin
over the same seeds and compares every outcome's mean by name (brand, segment), within ``SIGMAS``
standard errors. The market is built so that the file's order had a way in: the brand's budget
binds with two of its campaigns on air at once, two brands sample the same best-connected
consumers on the same day, and the segments' shares split the population with a remainder.
"""

import copy

import numpy as np
import pytest

import marketsim
from marketsim.scenario.loading import scenario_from_dict
from marketsim.scenario.schema import Population, Segment

SIGMAS = 5.0
RUNS = 24
MARKET = {
    "name": "order",
    "time": {"dt": 1, "horizon": 40},
    "population": {"size": 1501, "segments": [
        {"name": "young", "share": 0.5, "age": {"min": 16, "max": 29}, "interests": {"sport": 0.7}},
        {"name": "old", "share": 0.5, "age": {"min": 50, "max": 80}, "interests": {"garden": 0.6}},
    ]},
    "network": {"type": "homophilous", "mean_degree": 6, "homophily": 0.7},
    "response": {"ad_effect": 0.02},
    "word_of_mouth": {"strength": 0.01},
    "loyalty": {"churn": 0.01},
    "channels": [{"name": "tv", "cpm": 10.0}, {"name": "social", "cpm": 10.0}],
    "brands": [
        # the brand's budget pays for about half of what its two campaigns plan: who gets the money?
        {"name": "A", "price": 10, "margin": 0.5, "purchase_rate": 0.1, "budget": 40.0,
         "fit": {"young": 0.8, "old": 0.5}},
        {"name": "B", "price": 10, "margin": 0.5, "purchase_rate": 0.1, "fit": {"young": 0.6, "old": 0.7}},
    ],
    "campaigns": [
        {"name": "a_young", "brand": "A", "channel": "social", "impressions": 200,
         "audience": {"field": "age", "max": 29}},
        {"name": "a_old", "brand": "A", "channel": "social", "impressions": 200,
         "audience": {"field": "age", "min": 50}},
        {"name": "a_samples", "brand": "A", "type": "seeding", "seeds": 30, "seed_by": "degree", "start": 5,
         "cost_per_seed": 0.0},
        {"name": "b_samples", "brand": "B", "type": "seeding", "seeds": 30, "seed_by": "degree", "start": 5,
         "cost_per_seed": 0.0},
        {"name": "b_mass", "brand": "B", "channel": "tv", "impressions": 300},
    ],
}


def outcomes(raw: dict, seed: int) -> dict[str, float]:
    """Every outcome of a run by name, per brand and segment: stocks at the horizon, flows summed over
    the run; and the brand's money and customer flows from the summary."""
    res = marketsim.run(scenario_from_dict(raw), seed=seed)
    ts = res.timeseries
    by = ts.groupby(["brand", "segment"])
    stocks = by[["customer", "aware", "reach"]].last()
    flows = by[["seeded", "adopters", "new_wom", "impressions", "switched"]].sum()
    found = {f"{brand}.{metric}.{segment}": float(value) for table in (stocks, flows)
             for (brand, segment), row in table.iterrows() for metric, value in row.items()}
    for brand, m in res.summary["brands"].items():
        found |= {f"{brand}.{k}": float(m[k]) for k in ("spend", "acquisitions", "switched", "churned")}
    return found


def same_in_distribution(raw: dict, swapped: dict) -> list[str]:
    """Outcomes whose means differ by more than SIGMAS standard errors between the two files."""
    a = [outcomes(raw, s) for s in range(RUNS)]
    b = [outcomes(swapped, s) for s in range(RUNS)]
    assert a[0].keys() == b[0].keys()
    differ = []
    for key in a[0]:
        x, y = np.array([r[key] for r in a]), np.array([r[key] for r in b])
        se = np.sqrt(x.var(ddof=1) / RUNS + y.var(ddof=1) / RUNS)
        if abs(x.mean() - y.mean()) > SIGMAS * max(se, 0.5):
            differ.append(f"{key}: {x.mean():.1f} against {y.mean():.1f} (se {se:.2f})")
    return differ


def reversed_list(raw: dict, key: str, section: str | None = None) -> dict:
    swapped = copy.deepcopy(raw)
    node = swapped[section] if section else swapped
    node[key] = node[key][::-1]
    return swapped


@pytest.mark.parametrize("what", ["brands", "campaigns", "segments"])
def test_swapping_the_files_order_leaves_every_outcome_the_same_in_distribution(what):
    swapped = reversed_list(MARKET, "segments", "population") if what == "segments" else reversed_list(MARKET, what)
    assert same_in_distribution(MARKET, swapped) == []


def test_the_comparison_sees_a_real_difference():
    """The check above can fail: the same market with brand A's fits exchanged between segments is told apart."""
    changed = copy.deepcopy(MARKET)
    changed["brands"][0]["fit"] = {"young": 0.5, "old": 0.8}
    assert same_in_distribution(MARKET, changed) != []


@pytest.mark.parametrize("size", [1501, 1502, 1503])
def test_segments_sizes_do_not_depend_on_their_order(size):
    """Shares that leave a remainder give it by name, not by place in the file."""
    shares = [("a", 1.0), ("b", 1.0), ("c", 1.0)]
    sizes = []
    for order in (shares, shares[::-1], shares[1:] + shares[:1]):
        population = Population(size=size, segments=[Segment(name=n, share=w) for n, w in order])
        sizes.append(dict(zip((n for n, _ in order), population.segment_sizes())))
    assert sizes[0] == sizes[1] == sizes[2] and sum(sizes[0].values()) == size


def test_the_last_of_a_shared_budget_goes_to_either_campaign_whatever_the_files_order():
    """model.md Process overview 3: a brand's campaigns act in an order drawn afresh each step from the brand's own
    stream. A budget of 3 for two campaigns that each want 2 in the step: over 40 seeds, each of them is the one
    paid in full in some of them, the first listed no more often than chance allows."""
    raw = copy.deepcopy(MARKET)
    raw["time"]["horizon"] = 1
    raw["brands"][0]["budget"] = 3.0
    raw["campaigns"] = [c for c in raw["campaigns"] if c["brand"] == "B" or c["name"] in ("a_young", "a_old")]
    first_paid_in_full = 0
    for seed in range(40):
        spent = marketsim.run(scenario_from_dict(copy.deepcopy(raw)), seed=seed).summary["campaigns"]
        a_young, a_old = spent["a_young"]["spent"], spent["a_old"]["spent"]
        assert a_young + a_old == pytest.approx(3.0) and max(a_young, a_old) == pytest.approx(2.0)
        first_paid_in_full += a_young == pytest.approx(2.0)
    assert 8 <= first_paid_in_full <= 32  # binomial(40, 1/2): outside this about once in 10^4
