"""Campaign mechanics: budgets, research, triggers, targeting, seeding, events and niche control."""

import copy

import numpy as np
import pytest
from helpers import brand_rows, scenario

import marketsim
from marketsim.market.model import MarketModel


def contacts_per_step(sc, seed=1):
    """Run step by step and keep every step's paid contacts."""
    model = MarketModel(sc, rng=seed)
    seen = []
    original = model._campaigns_act

    def spy(ctx):
        contacts = original(ctx)
        seen.append([copy.deepcopy(c) for c in contacts])  # a campaign reuses its buffers on its next step
        return contacts

    model._campaigns_act = spy
    while model.running:
        model.step()
    return model, seen


def test_spend_stops_at_the_campaign_budget():
    res = marketsim.run(scenario(("campaigns.0.budget", 123.0)), seed=1)
    rows = brand_rows(res)
    assert rows.spend.sum() == pytest.approx(123.0, abs=0.01)  # 10 per thousand: the last cent fits
    assert res.summary["campaigns"]["ads"]["spent"] <= 123.0
    assert rows.impressions.iloc[-1] == 0


def test_brand_budget_caps_all_its_campaigns():
    second = {"name": "more", "brand": "A", "channel": "app", "impressions": 3000}
    sc = scenario(("brands.0.budget", 500.0), ("campaigns.1", second))
    res = marketsim.run(sc, seed=1)
    assert brand_rows(res).spend.sum() <= 500.0 + 1e-9
    assert sum(c["spent"] for c in res.summary["campaigns"].values()) == pytest.approx(brand_rows(res).spend.sum())


def test_research_delays_launch_and_costs_up_front():
    sc = scenario(("campaigns.0.start", 5.0), ("campaigns.0.research", {"duration": 10, "cost": 700.0}),
                  ("campaigns.0.fixed_cost", 50.0))
    rows = brand_rows(marketsim.run(sc, seed=1))
    assert rows.impressions[:15].sum() == 0 and rows.impressions[16:].gt(0).all()
    assert rows.spend[6] == 700.0  # step 6 covers time 5 to 6
    assert rows.spend[16] == pytest.approx(50.0 + 2000 * 10 / 1000)


def test_unaffordable_research_leaves_the_campaign_unfunded():
    sc = scenario(("brands.0.budget", 100.0), ("campaigns.0.research", {"duration": 1, "cost": 700.0}))
    res = marketsim.run(sc, seed=1)
    assert res.summary["campaigns"]["ads"]["status"] == "unfunded"
    assert res.summary["brands"]["A"]["spend"] == 0


def test_trigger_delivers_only_where_and_when_the_condition_holds():
    model, seen = contacts_per_step(scenario(("campaigns.0.trigger", "rain")))
    city = model.population.categories["region"].index("city")
    steps_with = [s for s in seen if s]
    assert 0 < len(steps_with) < len(seen)  # rains on some days only
    for step in steps_with:
        assert (model.population.region[step[0].consumers] == city).all()


def test_precision_sets_the_share_inside_the_audience():
    sc = scenario(("campaigns.0.audience", {"field": "age", "max": 29}), ("campaigns.0.precision", 0.7))
    model, seen = contacts_per_step(sc)
    inside = np.concatenate([c.audience[c.consumers] for s in seen for c in s])  # an audience of some: per consumer
    # 70% aimed inside, and half of the 30% that leaks lands inside by chance
    assert inside.mean() == pytest.approx(0.7 + 0.3 * 0.5, abs=0.01)


def test_impressions_land_on_channel_users_only():
    model, seen = contacts_per_step(scenario(("campaigns.0.channel", "app")))
    hit = np.concatenate([c.consumers for s in seen for c in s])
    assert (model.population.age[hit] <= 35).all()


def test_seeding_by_degree_picks_the_best_connected():
    seeding = {"name": "ads", "brand": "A", "type": "seeding", "seeds": 50, "seed_by": "degree", "start": 2}
    model, seen = contacts_per_step(scenario(("campaigns.0", seeding)))
    seeded = [c for s in seen for c in s]
    assert len(seeded) == 1 and seeded[0].seeded
    degree = model.graph.degree
    assert degree[seeded[0].consumers].min() >= np.sort(degree)[-50]
    given = seeded[0].consumers
    assert model.state.reached[0, given].all() and (model.state.state[0, given] != 0).all()  # each knows A


def test_free_samples_are_not_impressions():
    """A sample is a product in hand, not an ad (docs/model.md, Exposure; share of voice counts no seeding): a
    seeding campaign alone buys no impressions, leaves no ad hazard and wears nobody out, yet its recipients
    know the brand."""
    seeding = {"name": "ads", "brand": "A", "type": "seeding", "seeds": 200, "start": 2}
    model, seen = contacts_per_step(scenario(("campaigns.0", seeding)))
    given = [c for step in seen for c in step][0].consumers
    rows = model.recorder.data
    assert len(given) == 200 and 0 < rows["seeded"][:, 0].sum() <= 200  # samples given, some converting
    assert rows["impressions"][:, 0].sum() == 0
    assert (model.state.wear[0, given] == 1.0).all() and not model.state.ad[0].any()
    assert model.state.reached[0, given].all()


@pytest.mark.parametrize("cost, per_sample", [(None, 10 * (1 - 0.5)), (2.0, 2.0)])
def test_a_sample_costs_the_unit_cost_unless_the_campaign_says(cost, per_sample):
    """docs/model.md, Seeding: each sample given costs cost_per_seed, by default the product's unit cost,
    price x (1 - margin) (A: 10 x 0.5)."""
    seeding = {"name": "ads", "brand": "A", "type": "seeding", "seeds": 50, "start": 2,
               **({"cost_per_seed": cost} if cost is not None else {})}
    result = marketsim.run(scenario(("campaigns.0", seeding)), seed=1)
    assert brand_rows(result).spend.sum() == pytest.approx(50 * per_sample)


def test_event_reaches_distinct_audience_members_once():
    event = {"name": "ads", "brand": "A", "type": "event", "reach": 300, "start": 3, "fixed_cost": 900.0,
             "relevance": 1.0, "audience": {"field": "interests", "has_any": ["sport"]}}
    res = marketsim.run(scenario(("campaigns.0", event)), seed=2)
    rows = brand_rows(res)
    assert rows.impressions.sum() == 300 and rows.impressions[4] == 300
    assert rows.reach.iloc[-1] == 300 and rows.reach_outside_audience.iloc[-1] == 0
    assert rows.spend.sum() == 900.0


def test_relevance_and_context_raise_response():
    def paid(*changes):
        return np.mean([marketsim.run(scenario(*changes), seed=s).summary["brands"]["A"]["acquisitions_paid"]
                        for s in range(6)])

    plain = paid()
    assert paid(("campaigns.0.relevance", 1.0)) > 1.5 * plain
    assert paid(("brands.0.context_boost", {"rain": 4.0})) > 1.2 * plain
    assert paid(("response.wearout", 0.3)) < 0.8 * plain


def test_targeting_the_fitting_segment_wastes_less():
    macro = marketsim.run(scenario(), seed=1).summary["brands"]["A"]
    micro = marketsim.run(scenario(("campaigns.0.audience", {"field": "age", "max": 29})), seed=1).summary["brands"]["A"]
    assert micro["wasted_share"] < 0.25 < macro["wasted_share"]
    assert micro["cac_paid"] < macro["cac_paid"]


def test_niche_control_cuts_spend_and_raises_price():
    sc = scenario(("time.horizon", 60), ("response.ad_effect", 0.5), ("niche.control_threshold", 0.3),
                  ("brands.0.price_increase_on_control", 0.2),
                  ("campaigns.0.audience", {"field": "age", "max": 29}), ("campaigns.0.niche", ["young"]),
                  ("campaigns.0.on_control", "cut"), ("campaigns.0.cut_to", 0.1))
    res = marketsim.run(sc, seed=1)
    control = res.summary["brands"]["A"]["time_to_control"]["young"]
    assert control is not None
    rows = brand_rows(res)
    before, after = rows.impressions[rows.time <= control], rows.impressions[rows.time > control + 1]
    assert after.mean() < 0.2 * before[1:].mean()
    young = brand_rows(res, segment="young")
    late = young[young.time > control + 1]
    assert (late.revenue / late.purchases).dropna().round(6).eq(12.0).all()


def test_move_sends_the_rest_of_the_budget_to_another_campaign():
    second = {"name": "old_ads", "brand": "A", "channel": "tv", "impressions": 1000, "budget": 10.0,
              "audience": {"field": "age", "min": 50}}
    sc = scenario(("time.horizon", 60), ("response.ad_effect", 0.5), ("niche.control_threshold", 0.3),
                  ("campaigns.0.audience", {"field": "age", "max": 29}), ("campaigns.0.niche", ["young"]),
                  ("campaigns.0.budget", 1000.0), ("campaigns.0.on_control", "move"),
                  ("campaigns.0.move_to", "old_ads"), ("campaigns.1", second))
    res = marketsim.run(sc, seed=1)
    camps = res.summary["campaigns"]
    assert camps["ads"]["status"] == "moved"
    assert camps["old_ads"]["spent"] > 10.0  # it received the rest
    assert camps["ads"]["spent"] + camps["old_ads"]["spent"] <= 1010.0 + 1e-9


def test_consumers_are_inspectable_mesa_agents():
    res = marketsim.run(scenario(("campaigns.0.relevance", 0.5)), seed=4)
    model = res.model
    consumers = model.agents_by_type[marketsim.Consumer]
    assert len(consumers) == 4000
    c = model.consumer(7)
    assert isinstance(c.age, int)
    # the personas' age ranges do not overlap, so the age tells the segment
    assert all(a.segment == ("young" if a.age <= 29 else "old") for a in consumers)
    assert {a.region for a in consumers} == {"city", "village"}
    customers = consumers.select(lambda a: a.brand == "A")
    assert len(customers) == res.summary["brands"]["A"]["customers"] > 0
    assert all(a.status("A") == "customer" for a in customers)
    assert all(a.status("A") != "customer" for a in consumers if a.brand is None)
    # nobody forgets in this market: whoever the ads reached knows the brand
    reached = consumers.select(lambda a: model.state.reached[0, a.index])
    assert len(reached) == res.summary["brands"]["A"]["reach"] and all(a.status("A") != "unaware" for a in reached)
    assert {n.index for n in c.neighbours} == set(model.graph.neighbours(7).tolist()) != set()
    assert all(c in n.neighbours for n in c.neighbours)  # contacts are mutual
    brand = model.agents_by_type[marketsim.Brand][0]
    assert brand.customers == len(customers)
    assert brand.controls("young") == (res.summary["brands"]["A"]["segment_share"]["young"] >= 0.5)
