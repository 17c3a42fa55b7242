"""The direction of each mechanism that keeps results from being built in: wear-out restoration,
flighting, forgetting, word-of-mouth life cycle and buzz, price, installed base, research, seeding
inside the audience, and lift."""

import numpy as np
import pytest
from helpers import brand_rows, scenario

import marketsim
from marketsim.market.campaigns import Contacts
from marketsim.market.model import MarketModel
from marketsim.market.state import AWARE, CUSTOMER, UNAWARE
from marketsim.studies.runner import campaign_warnings

SEEDS = range(4)


def mean_of(metric, *changes, brand="A", lift=False):
    return np.mean([marketsim.run(scenario(*changes), seed=s, lift=lift).summary["brands"][brand][metric] for s in SEEDS])


def effective_impressions(model, consumers, impressions, time):
    """Brand 0's impressions after wear-out when each of ``consumers`` gets ``impressions`` of them at
    ``time``, read back from the ad hazard they set (one standard impression of no relevance)."""
    state = model.state
    hits = np.repeat(consumers, impressions)
    segments = state.counts.shape[2]
    contact = Contacts(0, hits, np.zeros(1), np.ones(1, dtype=bool), np.zeros(segments))  # one relevance, everyone
    state.ad[0] = 0.0
    state.pipeline.start_step(time)
    state.pipeline.expose(0, [contact], np.ones(len(model.population.categories["region"])), state.segment,
                          state.counts.shape[2], state.region, state.satisfied[0], state.scenario.response,
                          state.wear, state.wear_step, state.reached, state.ad)
    return state.ad[0, consumers] / state.scenario.response.ad_effect


def test_responsiveness_recovers_after_a_pause():
    sc = scenario(("response.wearout", 0.3), ("response.recovery_half_life", 5.0))
    model = MarketModel(sc, rng=1)
    everyone = np.arange(50)
    effective_impressions(model, everyone, 20, time=0.0)  # a heavy burst wears them out
    assert model.state.wear[0, everyone].max() < 0.001
    effective_at_once = effective_impressions(model, everyone, 1, time=0.0)
    effective_later = effective_impressions(model, np.arange(50, 100), 1, time=0.0)  # fresh
    effective_impressions(model, everyone, 20, time=0.0)
    after_pause = effective_impressions(model, everyone, 1, time=15.0)  # three half-lives
    assert effective_at_once.max() < 0.001 < effective_later.min()
    assert after_pause == pytest.approx(1 - 0.5**3, rel=1e-3)


def test_faster_restoration_means_more_paid_adoptions():
    slow = mean_of("acquisitions_paid", ("response.wearout", 0.3), ("response.recovery_half_life", 1000.0))
    fast = mean_of("acquisitions_paid", ("response.wearout", 0.3), ("response.recovery_half_life", 2.0))
    assert fast > 1.2 * slow


def test_flighting_advertises_only_in_its_on_periods():
    res = marketsim.run(scenario(("campaigns.0.flighting", {"on": 5, "off": 5})), seed=1)
    impressions = brand_rows(res).impressions.to_numpy()[1:]  # step k covers time [k-1, k)
    on = (np.arange(30) % 10) < 5
    assert (impressions[on] > 0).all() and (impressions[~on] == 0).all()
    assert impressions.sum() == pytest.approx(2000 * 15, rel=0.05)


def test_pulsing_pays_when_the_copy_wears_out():
    """Same impressions in total: on air half the time at twice the rate, or always."""
    def paid(copy_wearout, pulsing):
        plan = (("campaigns.0.impressions", 1000), ("campaigns.0.copy_wearout", copy_wearout),
                ("campaigns.0.copy_recovery_half_life", 3.0), ("time.horizon", 60))
        if pulsing:
            plan += (("campaigns.0.impressions", 2000), ("campaigns.0.flighting", {"on": 5, "off": 5}))
        return mean_of("acquisitions_paid", *plan)

    advantage_when_worn = paid(0.3, pulsing=True) / paid(0.3, pulsing=False)
    advantage_when_fresh = paid(0.0, pulsing=True) / paid(0.0, pulsing=False)
    assert advantage_when_worn > 1.1 and advantage_when_worn > advantage_when_fresh + 0.1


def test_awareness_fades_without_reinforcement():
    event = {"name": "ads", "brand": "A", "type": "event", "reach": 1000, "start": 0, "relevance": 0.0}
    changes = (("campaigns.0", event), ("response.ad_effect", 0.0))
    kept = brand_rows(marketsim.run(scenario(*changes), seed=1)).aware.to_numpy()
    faded = brand_rows(marketsim.run(scenario(*changes, ("response.awareness_half_life", 5.0)), seed=1)).aware.to_numpy()
    assert kept[1] == faded[1] == 1000
    assert kept[-1] == 1000
    assert faded[-1] == pytest.approx(1000 * 0.5**(29 / 5), abs=40)


def test_unaware_consumers_respond_less():
    short = ("time.horizon", 5)  # most consumers get their first contact, not a later one
    assert mean_of("acquisitions_paid", short, ("response.unaware_response", 0.2)) < \
        0.8 * mean_of("acquisitions_paid", short)


def test_buzz_fades_so_word_of_mouth_slows():
    talk = (("word_of_mouth.strength", 0.4), ("campaigns.0.impressions", 300))
    lasting = mean_of("first_acquisitions_wom", *talk)
    fading = mean_of("first_acquisitions_wom", *talk, ("word_of_mouth.buzz_half_life", 3.0),
                     ("word_of_mouth.lasting", 0.1))
    assert fading < 0.6 * lasting


def test_campaign_buzz_makes_customers_talk():
    talk = (("word_of_mouth.strength", 0.2), ("word_of_mouth.buzz_half_life", 10.0),
            ("campaigns.0.impressions", 300))
    plain = mean_of("first_acquisitions_wom", *talk)
    shared = mean_of("first_acquisitions_wom", *talk, ("campaigns.0.buzz", 3.0))
    assert shared > 1.3 * plain


def test_price_above_what_the_segment_pays_lowers_adoption():
    def at(price):
        return mean_of("acquisitions", ("brands.0.price", price),
                       ("population.segments.0.price_elasticity", 2.0), ("population.segments.0.reference_price", 10.0),
                       ("population.segments.1.price_elasticity", 2.0), ("population.segments.1.reference_price", 10.0))
    cheap, list_price, dear = at(7.0), at(10.0), at(14.0)
    assert cheap > list_price > dear
    # no elasticity: price does not matter to adoption
    assert mean_of("acquisitions", ("brands.0.price", 14.0)) == mean_of("acquisitions", ("brands.0.price", 7.0))


def test_installed_base_and_awareness_are_there_at_step_zero():
    initial = {"share": {"young": 0.3, "old": 0.1}, "awareness": {"young": 0.6}, "loyalty": 0.7}
    model = MarketModel(scenario(("brands.0.initial", initial)), rng=3)
    young = model.population.segment == 0
    customers = model.state.state[0] == CUSTOMER
    assert customers[young].sum() == round(0.3 * young.sum())
    assert customers[~young].sum() == round(0.1 * (~young).sum())
    assert (model.state.state[0][young] != UNAWARE).sum() == round(0.6 * young.sum())
    assert (model.state.state[0][~young] == AWARE).sum() == 0
    assert np.allclose(model.state.loyalty[customers], 0.7)
    assert model.recorder.data["customer"][0, 0].sum() == customers.sum()
    res = marketsim.run(scenario(("brands.0.initial", initial)), seed=3).summary["brands"]["A"]
    assert res["installed_base"] == customers.sum()


def test_two_brands_installed_bases_never_overlap():
    second = {"name": "B", "price": 10, "margin": 0.5, "purchase_rate": 0.1,
              "initial": {"share": {"young": 0.5, "old": 0.5}}}
    model = MarketModel(scenario(("brands.0.initial", {"share": {"young": 0.5}}), ("brands.1", second)), rng=1)
    assert ((model.state.state == CUSTOMER).sum(axis=0) <= 1).all()
    assert (model.state.current[model.population.segment == 0] >= 0).all()


def test_installed_shares_above_one_are_rejected():
    with pytest.raises(marketsim.ScenarioError, match="installed shares add up"):
        second = {"name": "B", "price": 10, "margin": 0.5, "purchase_rate": 0.1, "initial": {"share": {"old": 0.6}}}
        scenario(("brands.0.initial", {"share": {"old": 0.5}}), ("brands.1", second))


def research_picks(duration, seeds=range(12)):
    """How often research re-aims a campaign planned at the poorly fitting old at the young."""
    research = {"duration": duration, "alternatives": [{"name": "young", "audience": {"field": "age", "max": 29}}],
                "panel_rate": 4.0}
    sc = scenario(("campaigns.0.audience", {"field": "age", "min": 50}), ("campaigns.0.research", research),
                  ("brands.0.fit", {"young": 0.6, "old": 0.45}), ("response.fit_spread", 0.0),
                  ("time.horizon", 3 + duration))
    return np.mean([marketsim.run(sc, seed=s).summary["campaigns"]["ads"]["aimed_at"] == "young" for s in seeds])


def test_longer_research_aims_better():
    assert research_picks(1) < research_picks(60) == 1.0


def test_research_moves_the_audience_and_the_contacts():
    research = {"duration": 5, "alternatives": [{"name": "young", "audience": {"field": "age", "max": 29}}]}
    sc = scenario(("campaigns.0.audience", {"field": "age", "min": 50}), ("campaigns.0.research", research),
                  ("campaigns.0.precision", 1.0))
    res = marketsim.run(sc, seed=1)
    assert res.summary["campaigns"]["ads"]["aimed_at"] == "young"
    rows = brand_rows(res)
    assert rows.reach_outside_audience.iloc[-1] == 0
    assert rows.impressions.sum() > 0 and (res.model.population.age[res.model.state.reached[0]] <= 29).all()


@pytest.mark.parametrize("seed_by", ["random", "degree"])
def test_seeds_go_only_to_the_audience(seed_by):
    seeding = {"name": "ads", "brand": "A", "type": "seeding", "seeds": 300, "seed_by": seed_by,
               "audience": {"field": "age", "max": 29}}
    model = marketsim.run(scenario(("campaigns.0", seeding)), seed=1).model
    reached = model.state.reached[0]
    assert reached.sum() >= 300 and (model.population.age[reached] <= 29).all()


def test_lift_is_zero_for_a_campaign_without_effect_and_positive_with_one():
    talk = (("word_of_mouth.strength", 0.3), ("brands.0.initial", {"share": {"young": 0.1}}))
    useless = marketsim.run(scenario(*talk, ("response.ad_effect", 0.0), ("campaigns.0.relevance", 0.0)), seed=2,
                      lift=True).summary["brands"]["A"]
    assert useless["customers"] > 0 and useless["spend"] > 0
    assert useless["incremental_customers"] == 0 and useless["incremental_margin"] == 0
    assert useless["incremental_return_on_spend"] == -1.0
    working = marketsim.run(scenario(*talk), seed=2, lift=True).summary["brands"]["A"]
    assert working["incremental_customers"] > 0 and working["incremental_margin"] > 0
    assert working["incremental_customers"] < working["customers"]  # the installed base and its talk


def test_incremental_first_acquisitions_leave_returning_customers_out():
    """docs/model.md Lift: incremental first acquisitions are the run's first acquisitions less those
    of the same market without the brand's campaigns, on the same random numbers."""
    sc = scenario(("loyalty.churn", 0.2), ("word_of_mouth.strength", 0.3))
    actual = marketsim.run(sc, seed=1, lift=True).summary["brands"]["A"]
    without = marketsim.MarketModel(sc, rng=1, silent_brands=frozenset(["A"]))
    while without.running:
        without.step()
    data = without.recorder.data
    first_without = int(data["first_paid"][:, 0].sum() + data["first_wom"][:, 0].sum())
    assert actual["reacquisitions"] > 0  # all acquisitions would differ from first ones
    assert actual["incremental_first_acquisitions"] == actual["adopters"] - first_without


def test_reacquisitions_are_counted_apart():
    res = marketsim.run(scenario(("loyalty.churn", 0.2), ("word_of_mouth.strength", 0.3)), seed=1).summary["brands"]["A"]
    assert res["reacquisitions"] > 0
    assert res["adopters"] == res["first_acquisitions_paid"] + res["first_acquisitions_wom"]
    assert res["acquisitions"] == res["adopters"] + res["reacquisitions"]


def test_campaigns_that_did_not_run_as_planned_are_reported():
    unfunded = {"name": "unfunded", "brand": "A", "channel": "tv", "impressions": 10, "fixed_cost": 50.0,
                "budget": 10.0}
    late = {"name": "late", "brand": "A", "channel": "tv", "impressions": 10, "start": 100}
    res = marketsim.run(scenario(("campaigns.0.budget", 100.0), ("campaigns.1", unfunded), ("campaigns.2", late)), seed=1)
    warnings = campaign_warnings(res)
    assert res.summary["campaigns"]["ads"]["ran_out_at"] == 5.0  # 20 a day: days 0 to 4 use up the 100
    assert "campaign ads (A) ran out of money at day 5 (its own or its brand's budget)" in warnings
    assert any("unfunded" in w and "could not pay a fixed cost" in w for w in warnings)
    assert any("late" in w and "never started" in w for w in warnings)
    assert len(warnings) == 3


def test_an_audience_the_draw_left_empty_is_reported():
    """The loader refuses an audience no consumer could match; one that only this small market's draw
    left empty (gardeners under 30 are possible, one in a hundred of the young) is a warning."""
    sc = scenario(("population.size", 40), ("population.segments.0.interests.garden", 0.01),
                  ("campaigns.0.audience", {"all": [{"field": "age", "max": 29},
                                                    {"field": "interests", "has_all": ["garden"]}]}))

    def young_gardeners(seed):
        pop = marketsim.MarketModel(sc, rng=seed).population
        return int(((pop.age <= 29) & (pop.interests & 2 > 0)).sum())  # garden is the second tag

    seed = next(s for s in range(50) if young_gardeners(s) == 0)
    warnings = campaign_warnings(marketsim.run(sc, seed=seed))
    assert warnings == ["campaign ads (A) found nobody in its audience among its channel’s users in this market's 40 "
                        "consumers (a draw this small left it empty): whatever it spent went to consumers outside it"]


def test_a_closed_cohort_earns_its_lifetime_value():
    """Customers won at once and followed until nearly all have left, undiscounted, earn the LTV."""
    event = {"name": "ads", "brand": "A", "type": "event", "reach": 1500, "impact": 30.0}
    m = marketsim.run(scenario(("campaigns.0", event), ("valuation.discount_rate", 0.0), ("loyalty.churn", 0.05),
                         ("time.horizon", 1500)), seed=1).summary["brands"]["A"]
    assert m["customers"] < 0.01 * m["adopters"] and m["reacquisitions"] == 0
    assert m["margin_per_customer"] == pytest.approx(m["ltv"], rel=0.05)


def test_the_horizon_cuts_realised_margin_short_of_the_lifetime_value():
    m = marketsim.run(scenario(("loyalty.churn", 0.05), ("time.horizon", 60)), seed=1).summary["brands"]["A"]
    assert 0 < m["margin_per_customer"] < 0.8 * m["ltv"]


def test_a_silent_brand_leaves_every_other_brand_on_the_same_random_numbers():
    """Lift compares a run with its counterfactual: a brand untouched by the campaigns that are
    switched off must not notice, even where awareness, forgetting and hearing draw at random."""
    other = {"name": "B", "price": 10, "margin": 0.5, "purchase_rate": 0.1,
             "initial": {"awareness": {"young": 0.5, "old": 0.5}}}
    sc = scenario(("brands.1", other), ("response.awareness_half_life", 10.0), ("response.unaware_response", 0.5),
                  ("response.ad_effect", 0.0), ("campaigns.0.relevance", 0.0))
    with_ads, without = MarketModel(sc, rng=4), MarketModel(sc, rng=4, silent_brands=frozenset(["A"]))
    for model in (with_ads, without):
        while model.running:
            model.step()
    assert np.array_equal(with_ads.recorder.data["aware"][:, 1], without.recorder.data["aware"][:, 1])
    assert np.array_equal(with_ads.state.current, without.state.current)
    assert not np.array_equal(with_ads.recorder.data["aware"][:, 0], without.recorder.data["aware"][:, 0])


def test_a_silent_brand_leaves_a_rivals_campaign_on_the_same_consumers():
    """Lift's counterfactual switches one brand's campaigns off: a rival's campaign must reach the same
    consumers on every step (its impressions are drawn under its own key, draws.whole_numbers, and their
    number from its own stream), in its audience and outside it (``precision`` below 1)."""
    other = {"name": "B", "price": 10, "margin": 0.5, "purchase_rate": 0.1}
    rival_ads = {"name": "b_ads", "brand": "B", "channel": "tv", "impressions": 1500, "precision": 0.7,
                 "audience": {"field": "age", "max": 29}}
    sc = scenario(("brands.1", other), ("campaigns.1", rival_ads))
    runs = MarketModel(sc, rng=5), MarketModel(sc, rng=5, silent_brands=frozenset(["A"]))
    reached = []
    for model in runs:
        seen = []
        for _ in range(5):
            model.step()
            seen.append(model.state.reached[1].copy())  # whom B's contacts have reached so far
        reached.append(seen)
    assert all(np.array_equal(a, b) for a, b in zip(*reached))
    assert reached[0][-1].sum() > 1500  # B's impressions land in and outside its audience of the young
    young = runs[0].population.age <= 29
    assert reached[0][-1][~young].any() and reached[0][-1][young].sum() > reached[0][-1][~young].sum()
    assert not np.array_equal(runs[0].state.reached[0], runs[1].state.reached[0])  # A was silent in one


def test_a_loyal_installed_base_does_not_flatter_new_customers_lifetime_value():
    churny = (("loyalty.churn", 0.05), ("time.horizon", 90))
    base = {"share": {"young": 0.5, "old": 0.5}, "loyalty": 0.95}
    alone = mean_of("ltv", *churny)
    with_base = marketsim.run(scenario(*churny, ("brands.0.initial", base)), seed=1).summary["brands"]["A"]
    assert with_base["installed_base"] > 1500
    assert with_base["ltv"] == pytest.approx(alone, rel=0.1)


@pytest.mark.parametrize("names", [["planned"], ["a", "a"]])
def test_research_alternatives_need_their_own_names(names):
    alternatives = [{"name": n, "audience": {"field": "age", "max": 29}} for n in names]
    with pytest.raises(marketsim.ScenarioError, match="alternatives"):
        scenario(("campaigns.0.research", {"duration": 5, "alternatives": alternatives}))


def test_a_referral_offer_makes_customers_recommend_and_pays_per_referral():
    talk = (("word_of_mouth.strength", 0.2), ("campaigns.0.impressions", 300))
    offer = {"name": "refer", "brand": "A", "type": "referral", "reward": 2.0, "uplift": 1.0, "start": 5}
    plain = marketsim.run(scenario(*talk), seed=3).summary
    offered = marketsim.run(scenario(*talk, ("campaigns.1", offer)), seed=3).summary
    assert offered["brands"]["A"]["first_acquisitions_wom"] > 1.3 * plain["brands"]["A"]["first_acquisitions_wom"]
    paid_for = offered["campaigns"]["refer"]["spent"]
    assert paid_for > 0 and paid_for % 2.0 == 0 and paid_for / 2.0 <= offered["brands"]["A"]["first_acquisitions_wom"]


def test_a_referral_offer_ends_when_its_budget_is_spent():
    offer = {"name": "refer", "brand": "A", "type": "referral", "reward": 5.0, "budget": 52.0}
    res = marketsim.run(scenario(("word_of_mouth.strength", 0.3), ("campaigns.1", offer)), seed=1)
    refer = res.summary["campaigns"]["refer"]
    assert refer["spent"] == 50.0 and refer["status"] == "done" and refer["ran_out_at"] is not None
