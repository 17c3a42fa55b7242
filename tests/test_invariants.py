"""Invariants that hold for any valid scenario (hypothesis generates them)."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import scenarios

import marketsim
from marketsim.market.state import CUSTOMER
from marketsim.scenario.loading import scenario_from_dict

STATE_COLUMNS = ["unaware", "aware", "customer", "lapsed"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_run_invariants(raw, seed):
    sc = scenario_from_dict(raw)
    assert_invariants(sc, marketsim.run(sc, seed=seed))


def assert_invariants(sc, result):
    """What every run of any valid scenario keeps (the fuzz test checks its runs with it too)."""
    model, ts, summary = result.model, result.timeseries, result.summary

    # every consumer is in exactly one state per brand, and a customer of at most one brand
    state = model.state
    assert ((state.state == CUSTOMER).sum(axis=0) <= 1).all()
    for b in range(len(sc.brands)):
        assert np.array_equal(state.state[b] == CUSTOMER, state.current == b)
    # the per-segment state counts and loyalty sums, kept up to date as consumers change, equal a recount
    segment, segments = model.population.segment, len(sc.segment_names)
    recount = np.array([[np.bincount(segment[state.state[b] == s], minlength=segments) for s in range(4)]
                        for b in range(len(sc.brands))])
    assert np.array_equal(state.counts, recount)
    loyalty_sum = np.zeros((len(sc.brands), segments))
    customers = state.current >= 0
    np.add.at(loyalty_sum, (state.current[customers], segment[customers]), state.loyalty[customers])
    assert np.allclose(state.loyalty_sum, loyalty_sum, rtol=1e-12, atol=1e-9)
    k = sc.population.people_per_consumer  # the table counts people
    sizes = {name: n * k for name, n in zip(sc.segment_names, model.population.segment_sizes())}
    sizes["all"] = sc.population.people
    assert (ts[STATE_COLUMNS].sum(axis=1) == ts.segment.map(sizes).astype(int)).all()

    # counts add up: customer changes are explained by adoptions and losses
    for (brand, segment), g in ts.groupby(["brand", "segment"], observed=True):
        g = g.sort_values("step")
        change = np.diff(g.customer.to_numpy())
        flow = (g.new_paid + g.new_wom - g.churned - g.switched).to_numpy()[1:]
        assert np.array_equal(change, flow), (brand, segment)
        for cumulative in ("reach", "adopters", "reach_outside_audience"):
            assert (np.diff(g[cumulative].to_numpy()) >= 0).all()
        # adopters count first acquisitions only: re-acquisitions and switches back are not new customers
        assert np.array_equal(np.diff(g.adopters.to_numpy()), (g.first_paid + g.first_wom).to_numpy()[1:])
        assert (g.first_paid + g.first_wom + g.reacquired == g.new_paid + g.new_wom).all()
        assert (g.reach <= sizes[segment]).all() and (g.adopters <= sizes[segment]).all()
        assert (g.wasted_impressions <= g.impressions).all()

    # the talk each consumer hears, kept up to date incrementally, equals a recount from scratch: the
    # customers' talk, plus half of what the last step's hazards changed (the next step's middle)
    wom, horizon = model.wom, sc.time.steps * sc.time.dt
    assert not wom.flowing  # the step ended: its flow moved to ``flowed``
    for b in range(len(sc.brands)):
        customers = state.current == b
        for valence, members in ((0, customers & wom.satisfied[b]), (1, customers & ~wom.satisfied[b])):
            lasting = wom.lasting * wom.talk * members
            buzz = wom.own_buzz * np.exp(-wom.decay_rate * (horizon - wom.buzz_time)) * members if wom.fades \
                else np.zeros(1)
            for brand, who, lasting_flow, buzz_flow in wom.flowed:
                if brand == b:
                    spoke = wom.satisfied[b, who] == (valence == 0)
                    np.add.at(lasting, who[spoke], 0.5 * lasting_flow[spoke])
                    if wom.fades:  # faded by the step since
                        np.add.at(buzz, who[spoke], 0.5 * np.exp(-wom.decay_rate * sc.time.dt) * buzz_flow[spoke])
            if model.graph is None:
                expected = [lasting.sum()], [buzz.sum()]
            else:
                adjacency = model.graph.adjacency()
                expected = adjacency @ lasting, (adjacency @ buzz if wom.fades else np.zeros(1))
            assert np.allclose(wom.sums[valence, b], expected[0], atol=1e-6)
            assert np.allclose(wom.buzz_heard()[valence, b], expected[1], atol=1e-6)

    # the panel counts (buying.parquet) are the time series' purchases, period by period, and nest as panels'
    buying = result.buying
    for (brand, segment), rows in buying.groupby(["brand", "segment"], observed=True):
        steps = ts[(ts.brand == brand) & (ts.segment == segment)]
        for row in rows.itertuples():
            assert row.purchases == steps[(steps.time > row.start) & (steps.time <= row.end)].purchases.sum()
    assert (buying.sole_buyers <= buying.buyers).all() and (buying.buyers <= buying.purchases).all()
    assert (buying.buyers <= buying.category_buyers).all()
    assert (buying.purchases <= buying.buyers_category_purchases).all()
    assert (buying.buyers_category_purchases <= buying.category_purchases).all()
    assert (buying.repeat_buyers <= np.minimum(buying.buyers, buying.previous_buyers)).all()
    assert result.duplication.share.dropna().between(0, 1).all()

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

    # blended CAC is spend per first acquisition, paid CAC spend per paid first acquisition
    for name, m in summary["brands"].items():
        if m["adopters"]:
            assert math.isclose(m["cac_blended"] * m["adopters"], m["spend"], rel_tol=1e-9, abs_tol=1e-9)
        if m["first_acquisitions_paid"]:
            assert math.isclose(m["cac_paid"] * m["first_acquisitions_paid"], m["spend"], rel_tol=1e-9, abs_tol=1e-9)
        assert m["acquisitions_paid"] + m["acquisitions_wom"] == m["acquisitions"]
        assert m["first_acquisitions_paid"] + m["first_acquisitions_wom"] + m["reacquisitions"] == m["acquisitions"]
        assert m["first_acquisitions_paid"] <= m["acquisitions_paid"]
        assert 0 <= m["penetration"] <= 1
