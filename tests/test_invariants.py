"""Invariants that hold for any valid scenario (hypothesis generates them)."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.response import CUSTOMER
from sim.scenario import scenario_from_dict
from strategies import scenarios

STATE_COLUMNS = ["unaware", "aware", "customer", "lapsed"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_run_invariants(raw, seed):
    sc = scenario_from_dict(raw)
    assert_invariants(sc, sim.run(sc, seed=seed))


def assert_invariants(sc, result):
    """What every run of any valid scenario keeps (the fuzz test checks its runs with it too)."""
    model, ts, summary = result.model, result.timeseries, result.summary

    # every consumer is in exactly one state per brand, and a customer of at most one brand
    state = model.state
    assert ((state.state == CUSTOMER).sum(axis=0) <= 1).all()
    for b in range(len(sc.brands)):
        assert np.array_equal(state.state[b] == CUSTOMER, state.current == b)
    sizes = dict(zip(sc.segment_names, model.population.segment_sizes()))
    sizes["all"] = sc.population.size
    assert (ts[STATE_COLUMNS].sum(axis=1) == ts.segment.map(sizes).astype(int)).all()

    # counts add up: customer changes are explained by adoptions and losses
    for (brand, segment), g in ts.groupby(["brand", "segment"], observed=True):
        g = g.sort_values("step")
        change = np.diff(g.customer.to_numpy())
        flow = (g.new_paid + g.new_wom - g.churned - g.switched).to_numpy()[1:]
        assert np.array_equal(change, flow), (brand, segment)
        for cumulative in ("reach", "adopters", "reach_outside_audience"):
            assert (np.diff(g[cumulative].to_numpy()) >= 0).all()
        assert (g.reach <= sizes[segment]).all() and (g.adopters <= sizes[segment]).all()
        assert (g.wasted_impressions <= g.impressions).all()

    # shares and loyalty are proportions
    assert ts.share.between(0, 1).all()
    assert ts.loyalty.dropna().between(0, 1).all()

    # spend never above budget, for every brand and every campaign
    for brand in model.brands:
        assert brand.budget.spent <= brand.spec.budget * (1 + 1e-9) + 1e-9
        for c in brand.campaigns:
            assert c.budget.spent <= c.budget.total * (1 + 1e-9) + 1e-9
        total_spend = ts[(ts.brand == brand.name) & (ts.segment == "all")].spend.sum()
        assert math.isclose(total_spend, brand.budget.spent, rel_tol=1e-9, abs_tol=1e-6)

    # CAC is spend per new customer
    for name, m in summary["brands"].items():
        if m["adopters"]:
            assert math.isclose(m["cac"] * m["adopters"], m["spend"], rel_tol=1e-9, abs_tol=1e-9)
        assert m["acquisitions_paid"] + m["acquisitions_wom"] == m["acquisitions"]
        assert 0 <= m["penetration"] <= 1
