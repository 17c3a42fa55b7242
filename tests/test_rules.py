"""Directional checks of single rules of docs/model.md, one test per rule.

A fingerprint catches any change to a rule but not which way it went; each test here fails when
its rule is bent in the way a mutation campaign found unguarded (the table in the branch's report
lists the mutations each test kills). Wherever possible a test compares with a closed form on a
market built so that the rule acts alone: fully mixed talk, everyone equally talkative, fits
without spread, and an event that reaches everyone once (so that every consumer has the same ad
hazard). Counts of random events are compared with their binomial expectation within
``SIGMAS`` standard deviations (a false alarm about once in 1.7 million per check, and the seeds
are fixed), always against a mutant that lies many more standard deviations away.

Everything is read through the public API: scenarios from dictionaries, ``marketsim.run`` and
``MarketModel.step``, the time series and summary, ``model.state`` arrays, the graph and the agents.
"""

import copy
import math

import numpy as np
import pandas as pd
import pytest
from helpers import put, scenario
from hypothesis import given, settings
from hypothesis import strategies as st

import marketsim
from marketsim import MarketModel
from marketsim.market.costs import delivery_cost, impression_costs
from marketsim.scenario.loading import scenario_from_dict

SIGMAS = 5.0
N = 3000
BASE = {
    "name": "rules",
    "time": {"dt": 1, "horizon": 5},
    "population": {"size": N, "talkativeness_spread": 0.0, "segments": [
        {"name": "young", "share": 0.5, "age": {"min": 16, "max": 29}, "region": {"city": 0.6, "village": 0.4},
         "interests": {"sport": 0.6, "garden": 0.3}},
        {"name": "old", "share": 0.5, "age": {"min": 50, "max": 80}, "region": {"city": 0.3, "village": 0.7},
         "interests": {"sport": 0.2, "garden": 0.7}},
    ]},
    "network": {"type": "fully_mixed"},
    "response": {"ad_effect": 0.5, "wearout": 0.0, "fit_spread": 0.0},
    "word_of_mouth": {"strength": 0.0},
    "loyalty": {"churn": 0.0, "negative_word_churn": 0.0},
    "channels": [{"name": "tv", "cpm": 10.0}],
    "brands": [{"name": "A", "price": 10.0, "margin": 0.5, "purchase_rate": 0.0, "default_fit": 1.0}],
    "campaigns": [],
}
# contacts everyone once at the first step: every consumer's ad hazard is then ad_effect (E = 1, S = 1)
EVERYONE_ONCE = {"name": "launch", "brand": "A", "type": "event", "reach": N}
INSTALLED_HALF = {"share": {"young": 0.5, "old": 0.5}, "loyalty": 0.0}


def market(changes: dict | None = None, base_dir=None):
    """BASE with dotted-path changes (list items by index; an index one past the end appends)."""
    raw = copy.deepcopy(BASE)
    for path, value in (changes or {}).items():
        put(raw, path, value)
    return scenario_from_dict(raw, base_dir=base_dir)


def stepped(sc, seed: int, steps: int) -> MarketModel:
    model = MarketModel(sc, rng=seed)
    for _ in range(steps):
        model.step()
    return model


def rows(result, brand="A", segment="all"):
    ts = result.timeseries
    return ts[(ts.brand == brand) & (ts.segment == segment)].set_index("step")


def assert_binomial(count: int, trials: int, p: float):
    """``count`` successes of ``trials`` is within SIGMAS standard deviations of probability ``p``."""
    sd = math.sqrt(trials * p * (1 - p))
    assert abs(count - trials * p) <= SIGMAS * max(sd, 0.5), (count, trials * p, sd)


# --- population ---------------------------------------------------------------------------------
@pytest.mark.parametrize("city", [0.9, 0.2])
def test_a_segment_draws_its_categories_by_their_weights(city):
    """model.md Population: region (as gender, occupation, income) is drawn with the segment's weights."""
    pop = MarketModel(market({"population.segments.0.region": {"city": city, "village": 1 - city}}), rng=4).population
    young = pop.segment == 0
    in_city = int((pop.region[young] == pop.categories["region"].index("city")).sum())
    assert_binomial(in_city, int(young.sum()), city)  # drawn uniformly, it would be half


@pytest.mark.parametrize("spread", [0.3, 0.8])
def test_talkativeness_spread_is_its_coefficient_of_variation(spread):
    """model.md Population: talkativeness is gamma with mean the segment's and CV talkativeness_spread."""
    pop = MarketModel(market({"population.talkativeness_spread": spread,
                              "population.segments.1.talkativeness": 2.0}), rng=5).population
    for s, mean in ((0, 1.0), (1, 2.0)):
        talk = pop.talkativeness[pop.segment == s]
        se = spread / math.sqrt(talk.size)
        assert abs(talk.mean() / mean - 1) < SIGMAS * se
        assert abs(talk.std() / talk.mean() - spread) < 0.15 * spread  # sqrt(spread) if the shape were 1/cv


def test_segment_sizes_are_exact_by_largest_remainder():
    """model.md Population: exact counts, largest remainder: 7 consumers at 0.5 / 0.3 / 0.2 are 3.5,
    2.1 and 1.4, so the one left over goes to the first segment (remainder 0.5): 4, 2, 1."""
    three = [{"name": name, "share": share} for name, share in (("a", 0.5), ("b", 0.3), ("c", 0.2))]
    sc = market({"population.size": 7, "population.segments": three, "brands.0.fit": {}})
    pop = MarketModel(sc, rng=1).population
    assert np.bincount(pop.segment).tolist() == [4, 2, 1]


# --- loyalty ------------------------------------------------------------------------------------

@pytest.mark.parametrize("start", [0.1, 0.95])
def test_loyalty_relaxes_toward_its_satisfaction_target(start):
    """model.md: "L → L* + (L - L*) e^{-(growth f + decay) dt}, L* = growth f / (growth f + decay)"."""
    growth, decay, fit, dt = 0.3, 0.1, 0.8, 0.5
    sc = market({"time.dt": dt, "brands.0.default_fit": fit, "loyalty.growth": growth, "loyalty.decay": decay,
                 "brands.0.initial": {"share": {"young": 0.4, "old": 0.4}, "loyalty": start}})
    model = MarketModel(sc, rng=1)
    customers = model.state.current == 0
    assert customers.sum() == 0.4 * N
    target = growth * fit / (growth * fit + decay)  # 0.706: loyalty rises from 0.1 and falls from 0.95
    for k in range(1, 11):
        model.step()
        expected = target + (start - target) * math.exp(-(growth * fit + decay) * k * dt)
        np.testing.assert_allclose(model.state.loyalty[customers], expected, rtol=1e-12)
    assert abs(model.state.loyalty[customers][0] - target) < abs(start - target)
    ts = model.recorder.timeseries(dt)
    mean = ts[(ts.segment == "all") & (ts.step == 10)].loyalty.item()
    assert mean == pytest.approx(target + (start - target) * math.exp(-(growth * fit + decay) * 10 * dt), rel=1e-12)


# --- switching ----------------------------------------------------------------------------------

@pytest.mark.parametrize("loyalty, switching", [(0.0, 1.0), (0.5, 1.0), (0.9, 1.0), (0.5, 0.4)])
def test_loyal_customers_are_harder_to_win_over(loyalty, switching):
    """model.md: "the switching barrier ... B_i = loyalty.switching · (1 - L_i) for a customer of another brand"."""
    rival = {"name": "B", "price": 10.0, "margin": 0.5, "purchase_rate": 0.0,
             "initial": {"share": {"young": 1.0, "old": 1.0}, "loyalty": loyalty}}
    sc = market({"brands.1": rival, "campaigns.0": EVERYONE_ONCE, "loyalty.switching": switching,
                 "loyalty.growth": 0.0, "loyalty.decay": 0.0, "time.horizon": 1})
    res = marketsim.run(sc, seed=2)
    switched = rows(res, "B").switched[1]
    assert rows(res, "A").new_paid[1] == switched  # every adoption of A is a switch from B
    assert_binomial(switched, N, -math.expm1(-0.5 * switching * (1 - loyalty)))


def test_customers_lost_to_a_rival_count_in_the_churn_rate():
    """model.md Sales and value / outputs.md: the loss rate counts every customer lost, churned or
    switched: here B loses only to A's ads, so all its losses are switches."""
    rival = {"name": "B", "price": 10.0, "margin": 0.5, "purchase_rate": 0.0,
             "initial": {"share": {"young": 1.0, "old": 1.0}, "loyalty": 0.0}}
    sc = market({"brands.1": rival, "campaigns.0": EVERYONE_ONCE, "loyalty.switching": 1.0, "time.horizon": 2})
    b = marketsim.run(sc, seed=2).summary["brands"]["B"]
    assert b["churned"] == 0 and b["switched"] > 500
    # customer-time over two steps lies between N - switched (all lost at once) and N per step
    assert b["switched"] / (2 * N) < b["churn_rate"] < b["switched"] / (2 * (N - b["switched"]))


def test_return_on_spend_is_margin_less_spend_per_unit_spent():
    """outputs.md: return_on_spend = (margin - spend) / spend: negative when the margin does not pay
    the spend back."""
    sc = market({"campaigns.0": {"name": "ads", "brand": "A", "channel": "tv", "impressions": 3000},
                 "brands.0.purchase_rate": 0.2, "time.horizon": 5})
    a = marketsim.run(sc, seed=3).summary["brands"]["A"]
    assert a["spend"] > 0 and a["margin"] > 0
    assert a["return_on_spend"] == pytest.approx((a["margin"] - a["spend"]) / a["spend"], rel=1e-12)


# --- negative word of mouth ---------------------------------------------------------------------

DISSATISFIED_OLD = {"brands.0.fit": {"young": 1.0, "old": 0.2},  # below the satisfaction threshold 0.5
                    "brands.0.initial": {"share": {"old": 0.6}, "loyalty": 0.0}}


@pytest.mark.parametrize("weight", [0.0, 3.0, 10.0])
def test_bad_word_slows_adoption(weight):
    """model.md: "H_bi = (A_bi + q dt W⁺_bi) · f_bi · ... / (1 + ν W⁻_bi)", ν = negative_weight."""
    sc = market({**DISSATISFIED_OLD, "campaigns.0": EVERYONE_ONCE, "word_of_mouth.negative_weight": weight,
                 "time.horizon": 1})
    res = marketsim.run(sc, seed=3)
    heard = 0.6 * N / 2 / (N - 1)  # W⁻: the dissatisfied installed base over N - 1
    young = N // 2  # all of them fit 1 and hear the same bad word
    assert_binomial(rows(res, segment="young").new_paid[1], young, -math.expm1(-0.5 / (1 + weight * heard)))


@pytest.mark.parametrize("churn_per_word, dt", [(0.0, 1.0), (2.0, 1.0), (2.0, 0.25)])
def test_bad_word_makes_customers_leave(churn_per_word, dt):
    """model.md: "C_i = dt · ( churn · (1 - L_i) · ... + negative_word_churn · W⁻_ci )": a rate per time
    unit, so one step of a quarter unit loses about a quarter as many (fifth mutant batch: the rate
    taken per step lost as many in a quarter day as in a day)."""
    sc = market({**DISSATISFIED_OLD, "loyalty.negative_word_churn": churn_per_word, "time.dt": dt,
                 "time.horizon": dt})
    res = marketsim.run(sc, seed=4)
    installed = round(0.6 * N / 2)
    heard = installed / (N - 1)  # fully mixed: a customer's own voice is one of the N - 1 it hears
    churned = rows(res).churned[1]
    assert_binomial(churned, installed, -math.expm1(-churn_per_word * heard * dt))
    if churn_per_word > 0 and dt == 1.0:
        assert churned > 0.3 * installed


# --- referral offers ----------------------------------------------------------------------------

@pytest.mark.parametrize("uplift", [0.0, 3.0])
def test_referral_uplift_raises_talk_and_counts_in_the_paid_share(uplift):
    """model.md: satisfied customers "recommend it 1 + uplift times as much"; "An adoption is recorded
    as paid with probability A_bi / (A_bi + q dt W⁺_bi)" with that talk."""
    offer = {"name": "refer", "brand": "A", "type": "referral", "reward": 1.0, "uplift": uplift}
    sc = market({"brands.0.initial": INSTALLED_HALF, "word_of_mouth.strength": 0.2, "response.ad_effect": 0.4,
                 "campaigns.0": EVERYONE_ONCE, "campaigns.1": offer, "time.horizon": 1})
    res = marketsim.run(sc, seed=5)
    ad = 0.4
    talk = 0.2 * (N / 2) / (N - 1) * (1 + uplift)  # q dt W⁺ (1 + uplift)
    step = rows(res).loc[1]
    adopted = int(step.new_paid + step.new_wom)
    assert_binomial(adopted, N // 2, -math.expm1(-(ad + talk)))
    assert_binomial(int(step.new_paid), adopted, ad / (ad + talk))
    assert res.summary["campaigns"]["refer"]["spent"] == step.first_wom * 1.0  # the reward per referral


def test_a_referral_pays_for_first_customers_only_not_for_returning_ones():
    """model.md Referral offers: the reward is paid for each customer the brand wins by word of mouth
    as a first acquisition; lapsed customers who come back by word of mouth earn nobody a reward."""
    offer = {"name": "refer", "brand": "A", "type": "referral", "reward": 1.0}
    sc = market({"brands.0.initial": INSTALLED_HALF, "loyalty.churn": 0.5, "word_of_mouth.strength": 3.0,
                 "response.ad_effect": 0.0, "campaigns.0": offer, "time.horizon": 4})
    res = marketsim.run(sc, seed=5)
    brand = res.summary["brands"]["A"]
    assert brand["reacquisitions"] > 50 and brand["first_acquisitions_wom"] > 50
    assert res.summary["campaigns"]["refer"]["spent"] == brand["first_acquisitions_wom"] * 1.0


# --- forgetting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("half_life", [1.0, 0.5])
def test_the_aware_forget_by_half_lives(half_life):
    """model.md: the aware who are not customers forget "with probability 1 - 2^(-dt/half_life) per step"."""
    sc = market({"brands.0.initial": {"awareness": {"young": 1.0, "old": 1.0}},
                 "response.awareness_half_life": half_life, "time.horizon": 3})
    aware = rows(marketsim.run(sc, seed=6)).aware
    assert aware[0] == N
    keep = 2.0 ** (-1.0 / half_life)
    for k in (1, 2, 3):
        assert_binomial(aware[k], aware[k - 1], keep)


# --- life cycle of talk ---------------------------------------------------------------------------
def positive_talk_heard(changes: dict, steps: int) -> float:
    """The positive talk about A a consumer hears, fully mixed, after ``steps`` steps."""
    return positive_talk_heard_in(stepped(market({"word_of_mouth.buzz_half_life": 4.0, "word_of_mouth.lasting": 0.25,
                                                  "time.horizon": 10, **changes}), seed=3, steps=steps))


def positive_talk_heard_in(model: MarketModel) -> float:
    """The positive talk about A a consumer of a fully mixed market hears, in customers' voices."""
    from marketsim.market.wom import heard_by

    wom = model.wom
    return heard_by(wom.sums, wom.buzz, wom.buzz_scale, wom.inv_contacts, 0, 0)[0] * (N - 1)


@pytest.mark.parametrize("steps", [1, 4, 9])
def test_a_new_customers_buzz_halves_every_half_life_on_top_of_its_lasting_part(steps):
    """model.md Life cycle of talk: a new customer's voice is lambda tau lasting plus (1 - lambda) tau of
    buzz fading as 2^(-tenure / buzz_half_life)."""
    samples = {"name": "samples", "brand": "A", "type": "seeding", "seeds": 300}
    heard = positive_talk_heard({"campaigns.0": samples}, steps)
    assert heard == pytest.approx(300 * (0.25 + 0.75 * 2 ** (-steps / 4.0)), rel=1e-9)


@pytest.mark.parametrize("steps", [6, 7, 9])
def test_buzz_keeps_fading_by_half_lives_after_its_shared_factor_is_folded_in(steps):
    """wom.py: buzz is kept in units of one factor that fading multiplies, folded into the kept buzz when
    it falls below 1e-100: with a half-life of 1/50 step that happens on step 7, and the buzz heard
    stays 2^(-tenure / half-life) of a new customer's before, on and after it."""
    samples = {"name": "samples", "brand": "A", "type": "seeding", "seeds": 300}
    model = stepped(market({"word_of_mouth.buzz_half_life": 0.02, "word_of_mouth.lasting": 0.0, "time.horizon": 10,
                            "campaigns.0": samples}), seed=3, steps=steps)
    assert positive_talk_heard_in(model) == pytest.approx(300 * 2.0 ** (-50 * steps), rel=1e-9, abs=0)
    assert model.wom.buzz_scale == pytest.approx(2.0 ** (-50 * (steps if steps < 7 else steps - 7)), rel=1e-12, abs=0)


def test_buzz_heard_is_every_customers_own_across_folds_of_its_shared_factor():
    """wom.py: with a half-life of one step the factor folds on step 333; over 400 steps customers come
    (ads, word of mouth, campaign buzz) and go (churn), their talk added, taken back and faded across the
    fold: at the end the buzz each consumer hears still equals a recount from every customer's own
    (the run invariants, tests/test_invariants.py)."""
    from test_invariants import assert_invariants

    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 60}
    party = {"name": "party", "brand": "A", "type": "event", "reach": 200, "buzz": 2.0, "start": 395.0}
    sc = market({"time.horizon": 400, "word_of_mouth.buzz_half_life": 1.0, "word_of_mouth.strength": 0.2,
                 "loyalty.churn": 0.01, "campaigns.0": ads, "campaigns.1": party})
    result = marketsim.run(sc, seed=8)
    assert result.model.wom.buzz_scale > 2.0 ** -80  # folded: unfolded it would be 2^-400
    assert rows(result).loc[390:400, "churned"].sum() > 0 and rows(result).loc[390:400, "new_paid"].sum() > 0
    assert_invariants(sc, result)


def test_an_installed_base_talks_with_its_lasting_part_only():
    """model.md Life cycle of talk: customers at step 0 are established: no buzz."""
    heard = positive_talk_heard({"brands.0.initial": INSTALLED_HALF}, 1)
    assert heard == pytest.approx(N // 2 * 0.25, rel=1e-9)


def test_campaign_buzz_tops_a_customers_buzz_up_and_never_piles_it_up():
    """model.md Life cycle of talk: a contact with buzz beta brings a customer's buzz up to beta tau;
    a second contact a step later tops it up again, to beta tau, not beta tau on top of what is left."""
    events = {f"campaigns.{k}": {"name": f"party{k}", "brand": "A", "type": "event", "reach": N, "buzz": 2.0,
                                 "start": float(k)} for k in range(2)}
    quiet = {"brands.0.initial": INSTALLED_HALF, "response.ad_effect": 0.0, **events}  # nobody new adopts
    after_one, after_two = positive_talk_heard(quiet, 1), positive_talk_heard(quiet, 2)
    assert after_one == pytest.approx(N // 2 * (0.25 + 2.0 * 2 ** (-1 / 4.0)), rel=1e-9)
    assert after_two == pytest.approx(after_one, rel=1e-9)


@pytest.mark.parametrize("steps", [1, 2, 3])
def test_a_step_hears_half_of_the_last_steps_adoptions_but_never_half_of_a_jump(steps):
    """model.md 7.4: the talk heard on a step is the talk at its middle: every customer's voice,
    plus half of the voices the hazards added on the step before (those of this step's own adoptions,
    on average, over the step). Free samples are a jump at the step's start and count whole, never
    half again. Each step, ads win customers here; 300 samples on the first."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 600}
    samples = {"name": "samples", "brand": "A", "type": "seeding", "seeds": 300}
    sc = market({"campaigns.0": ads, "campaigns.1": samples, "time.horizon": 5})
    before, model = 300, MarketModel(sc, rng=4)
    for step in range(steps):
        if step:
            before = int((model.state.current == 0).sum())
        model.step()
    customers = int((model.state.current == 0).sum())
    won_by_ads = customers - before
    assert won_by_ads > 50
    heard = positive_talk_heard_in(model)
    assert heard == pytest.approx(customers + 0.5 * won_by_ads, rel=1e-9)


# --- fully mixed talk ---------------------------------------------------------------------------

def test_fully_mixed_talk_is_a_complete_graphs(tmp_path):
    """model.md: "When fully mixed, the sums run over everyone and divide by N - 1", as on a complete
    graph, where each consumer's N - 1 contacts are everyone else."""
    n = 10
    (tmp_path / "complete.txt").write_text("".join(f"{i} {j}\n" for i in range(n) for j in range(i + 1, n)))
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 2}
    changes = {"population.size": n, "brands.0.initial": {"share": {"young": 0.4, "old": 0.4}},
               "word_of_mouth.strength": 1.5, "response.ad_effect": 0.05, "campaigns.0": ads,
               "response.unaware_response": 0.5, "time.horizon": 4}
    talked = 0
    for seed in range(25):
        mixed = marketsim.run(market(changes), seed=seed).timeseries
        graph = marketsim.run(market({**changes, "network": {"type": "file", "path": "complete.txt"}},
                                     base_dir=tmp_path), seed=seed).timeseries
        for column in ("customer", "aware", "new_paid", "new_wom"):
            assert mixed[column].tolist() == graph[column].tolist(), (seed, column)
        talked += mixed[mixed.segment == "all"].new_wom.sum()
    assert talked > 20  # word of mouth did happen, so its size was compared


# --- copy wear-out ------------------------------------------------------------------------------

def test_copy_wears_out_on_air_and_recovers_only_off_air():
    """model.md: copy quality "on air ... decays as e^{-copy_wearout · t_on} ... and off air it
    recovers toward 1 with half-life copy_recovery_half_life"."""
    wearout, half_life, dt = 0.2, 2.0, 0.5
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 400, "copy_wearout": wearout,
           "copy_recovery_half_life": half_life, "flighting": {"on": 3, "off": 2}}
    model = MarketModel(market({"campaigns.0": ads, "time.dt": dt, "time.horizon": 12}), rng=7)
    campaign = model.brands[0].campaigns[0]
    quality, on_air_steps = 1.0, 0
    for step in range(24):
        model.step()
        on_air = (step * dt) % 5 < 3
        if on_air:
            quality *= math.exp(-wearout * dt)
            on_air_steps += 1
        else:
            quality = 1 - (1 - quality) * 2 ** (-dt / half_life)
        assert campaign.copy_quality == pytest.approx(quality, rel=1e-12), step
        if step == 5:  # three time units on air, without a pause: no recovery at all
            assert campaign.copy_quality == pytest.approx(math.exp(-wearout * 3), rel=1e-12)
    assert on_air_steps == 16


def copy_quality_after(impressions: int, steps: int, intensity_wearout: float, time_wearout: float = 0.0,
                       half_life: float = 1e9) -> float:
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": impressions, "copy_wearout": time_wearout,
           "copy_intensity_wearout": intensity_wearout, "copy_recovery_half_life": half_life}
    model = stepped(market({"campaigns.0": ads, "time.horizon": 10}), seed=7, steps=steps)
    return model.brands[0].campaigns[0].copy_quality


@pytest.mark.parametrize("impressions", [300, 600, 1500])
def test_copy_wears_out_with_the_impressions_each_audience_member_gets(impressions):
    """model.md Copy wear-out: on air, Q falls by e^{-copy_intensity_wearout x impressions per
    audience member} (the audience is everyone here: N consumers)."""
    assert copy_quality_after(impressions, 1, 0.5) == pytest.approx(math.exp(-0.5 * impressions / N), rel=1e-12)


def test_copy_intensity_is_per_member_of_the_audience_not_of_the_channel():
    """model.md Copy wear-out: u is impressions per member of the audience (its target consumers):
    600 impressions aimed at the 1,500 young are 0.4 each, not 0.2 per TV viewer."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 600, "copy_intensity_wearout": 0.5,
           "audience": {"field": "age", "max": 29}}
    model = stepped(market({"campaigns.0": ads}), seed=7, steps=1)
    assert model.brands[0].campaigns[0].copy_quality == pytest.approx(math.exp(-0.5 * 600 / (N // 2)), rel=1e-12)


def test_concentrating_the_same_impressions_wears_the_copy_faster():
    """Per unit of time on air, twice the intensity wears the copy twice as fast; the same
    impressions in one step or in two wear it to the same quality, where wear-out by time alone
    would reward the concentrated schedule (fewer days on air)."""
    one_step, two_steps = copy_quality_after(1200, 1, 0.5), copy_quality_after(600, 2, 0.5)
    assert copy_quality_after(1200, 1, 0.5) < copy_quality_after(600, 1, 0.5)
    assert one_step == pytest.approx(two_steps, rel=1e-12)
    assert copy_quality_after(1200, 1, 0.0, time_wearout=0.2) > copy_quality_after(600, 2, 0.0, time_wearout=0.2)


# --- lifetime value -----------------------------------------------------------------------------

@pytest.mark.parametrize("unit, days", [("day", 1.0), ("week", 7.0), ("month", 365 / 12), ("year", 365.0)])
def test_lifetime_value_does_not_depend_on_the_time_unit(unit, days):
    """model.md: "LTV = price · margin · (1 + ρ_own / (λ + δ)) ... δ = valuation.discount_rate per year
    converted to the time unit", ρ_own the customers' own-brand purchases per customer-time: the brand's
    purchase_rate, in whatever unit, when they buy nothing else."""
    per_day = 0.1
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 100}
    sc = market({"time.unit": unit, "time.horizon": 3, "brands.0.purchase_rate": per_day * days,
                 "valuation.discount_rate": 0.1, "campaigns.0": ads})
    m = marketsim.run(sc, seed=8).summary["brands"]["A"]
    assert m["churn_rate"] == 0 and m["acquisitions"] > 0
    per_day_bought = m["own_purchase_rate"] / days  # purchase_rate within noise (tests/test_buying.py)
    assert m["ltv"] == pytest.approx(10 * 0.5 * (1 + per_day_bought / (0.1 / 365)), rel=1e-9)



@pytest.mark.parametrize("churn", [0.0, 0.01])
def test_customer_equity_values_the_customers_held_at_their_discounted_future_purchases(churn):
    """outputs.md: "customer_equity: customers · price · margin · own_purchase_rate / (λ + δ)", λ the loss rate of
    all the brand's customers: what the end of the run leaves out, growing with the customers held and
    falling as they are lost faster."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 100}
    sc = market({"time.horizon": 30, "brands.0.purchase_rate": 0.1, "valuation.discount_rate": 0.1,
                 "loyalty.churn": churn, "campaigns.0": ads})
    m = marketsim.run(sc, seed=8).summary["brands"]["A"]
    assert m["customers"] > 0 and (m["churn_rate"] > 0) == (churn > 0)
    expected = m["customers"] * 10 * 0.5 * m["own_purchase_rate"] / (m["churn_rate"] + 0.1 / 365)
    assert m["customer_equity"] == pytest.approx(expected, rel=1e-9)
    nobody = marketsim.run(market({"time.horizon": 30, "campaigns.0": {**ads, "budget": 0}}), seed=8)
    assert nobody.summary["brands"]["A"]["customer_equity"] == 0  # no customers held: nothing to come


def test_aware_counts_everyone_who_knows_the_brand_customers_and_lapsed_included():
    """outputs.md: aware = consumers not unaware of the brand: those who know it without buying, its customers and
    those who lapsed; a brand's customers never drop out of its awareness."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 300}
    result = marketsim.run(market({"time.horizon": 40, "loyalty.churn": 0.05, "campaigns.0": ads}), seed=4)
    m = result.summary["brands"]["A"]
    last = result.timeseries[(result.timeseries.segment == "all") & (result.timeseries.brand == "A")].iloc[-1]
    assert m["customers"] > 0 and m["lapsed"] > 0
    assert m["aware"] == last.aware + last.customer + last.lapsed == result.summary["consumers"] - last.unaware
    assert m["aware"] > last.aware


def test_customer_equity_uses_the_loss_rate_of_all_customers_not_of_the_new_ones():
    """outputs.md: customer_equity's λ is the loss rate of ALL the brand's customers (churn_rate), where ltv takes
    the new customers' own rate: with a loyal installed base the two differ, and equity follows the first."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 300}
    sc = market({"time.horizon": 60, "brands.0.purchase_rate": 0.1, "valuation.discount_rate": 0.1,
                 "loyalty.churn": 0.02, "campaigns.0": ads,
                 "brands.0.initial": {"share": {"young": 0.3, "old": 0.3}, "loyalty": 0.95}})
    m = marketsim.run(sc, seed=8).summary["brands"]["A"]
    discount = 0.1 / 365
    rate = m["own_purchase_rate"]
    new_churn = rate / (m["ltv"] / (10 * 0.5) - 1) - discount  # ltv = unit margin x (1 + rate / (λ_new + δ))
    assert new_churn > 1.5 * m["churn_rate"] > 0  # the base stays, the newcomers go
    expected = m["customers"] * 10 * 0.5 * rate / (m["churn_rate"] + discount)
    assert m["customer_equity"] == pytest.approx(expected, rel=1e-9)

# --- the price of targeting ---------------------------------------------------------------------
def spent_per_impression(audience, precision: float, premium: float) -> float:
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 600, "precision": precision,
           "audience": audience}
    result = marketsim.run(market({"campaigns.0": ads, "channels.0.targeting_premium": premium,
                                   "time.horizon": 1}), seed=2)
    return result.summary["campaigns"]["ads"]["spent"] / 600


@pytest.mark.parametrize("audience, share", [({"field": "age", "max": 29}, 0.5), ("everyone", 1.0)])
@pytest.mark.parametrize("precision", [0.0, 0.6, 1.0])
def test_targeting_costs_a_premium_for_what_it_places_beyond_chance(audience, share, precision):
    """costs.targeted_cpm: CPM x (1 + premium x precision x (1 - audience share of the channel's users))."""
    expected = 10.0 / 1000 * (1 + 1.68 * precision * (1 - share))
    assert spent_per_impression(audience, precision, 1.68) == pytest.approx(expected, rel=1e-12)


def test_the_targeting_premium_counts_the_audience_among_the_channels_users():
    """costs.targeted_cpm: a = the audience's share of the channel's users, not of the market: on a
    channel of the young, an audience of the young in the city (60% of them) pays 1 + premium x 0.4."""
    ads = {"name": "ads", "brand": "A", "channel": "young_app", "impressions": 600, "precision": 1.0,
           "audience": {"field": "region", "in": ["city"]}}
    young_app = {"name": "young_app", "cpm": 10.0, "users": {"field": "age", "max": 29}, "targeting_premium": 1.0}
    result = marketsim.run(market({"campaigns.0": ads, "channels.1": young_app, "time.horizon": 1}), seed=2)
    young = MarketModel(market({"channels.1": young_app}), rng=2).population
    city = young.region == young.categories["region"].index("city")
    share = ((young.age <= 29) & city).sum() / (young.age <= 29).sum()
    assert 0.55 < share < 0.65
    expected = 10.0 / 1000 * (1 + 1.0 * (1 - share))
    assert result.summary["campaigns"]["ads"]["spent"] / 600 == pytest.approx(expected, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(prices=st.lists(st.sampled_from([0.0, 0.004, 0.01, 0.0125]), min_size=1, max_size=4),
       picks=st.lists(st.integers(0, 29), max_size=200), segments=st.data())
def test_a_deliverys_cost_is_its_impressions_prices_summed(prices, picks, segments):
    """costs.delivery_cost: each segment's price times its impressions, the sum of the impressions' own
    prices (impression_costs) whether the segments cost the same or not."""
    by_segment = np.array(prices)
    segment = np.array(segments.draw(st.lists(st.integers(0, by_segment.size - 1), min_size=30, max_size=30)),
                       np.int16)
    consumers = np.array(picks, np.int64)
    each = impression_costs(by_segment, consumers, segment)
    assert each.tolist() == [prices[segment[i]] for i in picks]
    assert delivery_cost(by_segment, consumers, segment) == pytest.approx(each.sum(), rel=1e-12, abs=1e-15)


def test_a_narrower_audience_pays_more_and_no_premium_costs_nothing():
    young, young_city = {"field": "age", "max": 29}, {"all": [{"field": "age", "max": 29},
                                                              {"field": "region", "in": ["city"]}]}
    assert spent_per_impression(young_city, 1.0, 1.0) > spent_per_impression(young, 1.0, 1.0)
    assert spent_per_impression(young_city, 1.0, 0.0) == pytest.approx(10.0 / 1000, rel=1e-12)


def test_a_spend_rate_buys_spend_over_the_cost_per_impression():
    """model.md Paid contacts: spend_rate buys spend_rate dt / (cpm / 1000) impressions a step."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "spend_rate": 10.0}
    result = marketsim.run(market({"campaigns.0": ads, "time.horizon": 2}), seed=2)
    assert rows(result).impressions[1] == 10.0 / (10.0 / 1000)
    assert result.summary["campaigns"]["ads"]["spent"] == pytest.approx(20.0, rel=1e-12)


def test_the_reach_discount_applies_only_in_a_controlled_segment():
    """model.md Niche control: cheaper impressions (reach_discount) where the brand controls the
    segment, the list price elsewhere."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 2000}
    young_held = {"share": {"young": 0.8}, "awareness": {"young": 0.8}, "loyalty": 1.0}
    result = marketsim.run(market({"campaigns.0": ads, "brands.0.initial": young_held, "niche.reach_discount": 0.3,
                                   "time.horizon": 1}), seed=2)  # the installed base controls young from step 0
    young, old = rows(result, segment="young").impressions[1], rows(result, segment="old").impressions[1]
    assert young > 500 and old > 500
    assert result.summary["brands"]["A"]["spend"] == pytest.approx(10.0 / 1000 * (0.7 * young + old), rel=1e-9)


@pytest.mark.parametrize("held, controls", [(375, True), (374, False)])
def test_a_share_exactly_at_the_threshold_controls_the_segment(held, controls):
    """model.md Niche control: a brand controls a segment while its share is at least control_threshold. An
    installed base of 375 of the 1,500 young (one brand at one rate: the share is customers / size, 0.25
    exactly) controls at threshold 0.25 from step 0, and so gets the reach discount there; one fewer does not."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 2000}
    base = {"share": {"young": held / 1500}, "awareness": {"young": held / 1500}, "loyalty": 1.0}
    result = marketsim.run(market({"campaigns.0": ads, "brands.0.initial": base, "niche.control_threshold": 0.25,
                                   "niche.reach_discount": 0.3, "time.horizon": 1}), seed=2)
    young, old = rows(result, segment="young").impressions[1], rows(result, segment="old").impressions[1]
    assert rows(result, segment="young").customer[0] == held
    assert (result.summary["brands"]["A"]["time_to_control"]["young"] == 0.0) is controls
    price_young = 0.7 if controls else 1.0
    assert result.summary["brands"]["A"]["spend"] == pytest.approx(10.0 / 1000 * (price_young * young + old), rel=1e-9)


def test_a_campaign_stops_at_its_end():
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 500, "end": 3.0}
    impressions = rows(marketsim.run(market({"campaigns.0": ads, "time.horizon": 6}), seed=2)).impressions
    assert (impressions[1:4] == 500).all() and (impressions[4:] == 0).all()


def test_copy_wears_out_only_for_the_time_it_really_delivered():
    """model.md Copy wear-out: t_on is the time the copy delivered; a budget that pays half a step's
    impressions wears it for half the step."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 1000, "budget": 5.0, "copy_wearout": 0.2}
    model = stepped(market({"campaigns.0": ads}), seed=2, steps=1)  # 1,000 at 10 per 1,000: 10 planned, 5 paid
    assert model.brands[0].campaigns[0].copy_quality == pytest.approx(math.exp(-0.2 * 0.5), rel=1e-12)


def test_a_binding_budget_keeps_a_random_affordable_subset():
    """model.md Money: impressions that do not all fit are cut to a random affordable subset, so the
    cut keeps the mix of in-audience and leaked ones (precision 0.5 into half the market: 3/4 inside)."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 4000, "budget": 4.0, "precision": 0.5,
           "audience": {"field": "age", "max": 29}}
    r = rows(marketsim.run(market({"campaigns.0": ads, "time.horizon": 1}), seed=2))
    assert r.impressions[1] == 400
    assert_binomial(int(r.wasted_impressions[1]), 400, 0.25)  # kept in draw order, none would be outside


def test_adoption_sees_the_price_raised_on_control():
    """model.md Price: P_bs = (p_bs / p̄_s)^(-ε_s) with p_bs the price the brand charges in s, raised by
    price_increase_on_control where it controls s."""
    from marketsim.market.prices import step_prices

    sc = market({"brands.0.price_increase_on_control": 0.5, "population.segments.0.price_elasticity": 2.0,
                 "population.segments.0.reference_price": 10.0})
    prices = step_prices(sc, np.array([[True, False]]), 0.5)
    assert prices.adoption[0, 0] == pytest.approx((15.0 / 10.0) ** -2.0, rel=1e-12)
    assert prices.adoption[0, 1] == 1.0  # no elasticity in the other segment


def test_a_price_change_sets_the_list_price_from_its_time_on_whatever_the_order_of_the_changes():
    """scenarios.md brands[].price_changes: from `at` on the list price is `price`; adoption sees it through
    the elasticity, and so does the rise on control."""
    from marketsim.market.prices import step_prices

    changes = [{"at": 3, "price": 20.0}, {"at": 1, "price": 5.0}]
    sc = market({"brands.0.price_increase_on_control": 0.5, "brands.0.price_changes": changes,
                 "population.segments.0.price_elasticity": 2.0, "population.segments.0.reference_price": 10.0})
    flipped = market({"brands.0.price_increase_on_control": 0.5, "brands.0.price_changes": changes[::-1],
                      "population.segments.0.price_elasticity": 2.0, "population.segments.0.reference_price": 10.0})
    control = np.array([[True, False]])
    for time, price in [(0.5, 10.0), (1.0, 5.0), (2.5, 5.0), (3.0, 20.0), (4.5, 20.0)]:
        for priced in (sc, flipped):
            prices = step_prices(priced, control, time)
            assert prices.paid[0] == pytest.approx([1.5 * price, price], rel=1e-12)
            assert prices.adoption[0, 0] == pytest.approx((1.5 * price / 10.0) ** -2.0, rel=1e-12)
    with pytest.raises(marketsim.ScenarioError, match="price_changes"):
        market({"brands.0.price_changes": [{"at": 2, "price": 5.0}, {"at": 2, "price": 6.0}]})
    late = market({"brands.0.price_changes": [{"at": 5, "price": 5.0}]})  # the horizon is 5
    assert [where for where, _ in late.warnings()] == ["brands[A].price_changes"]


def test_purchases_are_paid_at_the_price_in_force_and_cost_what_the_first_price_made_them():
    """A price change moves revenue per purchase from the step it is in force, and the margin with it: the
    unit cost stays price x (1 - margin) of the first price."""
    sc = market({"brands.0.initial": INSTALLED_HALF, "brands.0.purchase_rate": 1.0, "time.horizon": 6,
                 "brands.0.price_changes": [{"at": 3, "price": 16.0}]})
    r = rows(marketsim.run(sc, seed=3))
    bought = r.purchases[1:] > 0
    assert bought.all()
    per_purchase = r.revenue[1:] / r.purchases[1:]
    assert per_purchase.to_numpy() == pytest.approx([10.0] * 3 + [16.0] * 3, rel=1e-12)
    assert (r.margin[1:] / r.purchases[1:]).to_numpy() == pytest.approx([5.0] * 3 + [11.0] * 3, rel=1e-12)


def test_a_price_change_at_the_start_is_that_price_with_the_same_unit_cost():
    """The run summary values customers at the price in force as the run ends: a change at time 0 to 20
    is the brand priced 20 with a margin of 0.75 (the same unit cost of 5), in every result."""
    base = {"brands.0.initial": INSTALLED_HALF, "brands.0.purchase_rate": 1.0, "time.horizon": 6,
            "loyalty.churn": 0.05, "campaigns.0": EVERYONE_ONCE}
    changed = marketsim.run(market({**base, "brands.0.price_changes": [{"at": 0, "price": 20.0}]}), seed=4)
    priced = marketsim.run(market({**base, "brands.0.price": 20.0, "brands.0.margin": 0.75}), seed=4)
    pd.testing.assert_frame_equal(changed.timeseries, priced.timeseries)
    for field in ("revenue", "margin", "ltv", "customer_equity"):
        assert changed.summary["brands"]["A"][field] == pytest.approx(priced.summary["brands"]["A"][field],
                                                                       rel=1e-12), field
    assert changed.summary["brands"]["A"]["ltv"] > 0


def test_repeat_purchases_come_from_those_who_were_customers_during_the_step():
    """model.md Sales: a step's repeat purchases are Poisson(customers x purchase_rate x dt), customers
    as the step began: who adopts on the step makes a first purchase, not a repeat one too."""
    sc = market({"brands.0.initial": INSTALLED_HALF, "brands.0.purchase_rate": 1.0, "campaigns.0": EVERYONE_ONCE,
                 "time.horizon": 1})
    r = rows(marketsim.run(sc, seed=8))
    repeat = r.purchases[1] - r.adopters[1]
    assert r.adopters[1] > 400  # many new customers, who would double-count
    assert abs(repeat - N // 2) <= SIGMAS * math.sqrt(N // 2)  # Poisson with mean 1500


# --- free samples -------------------------------------------------------------------------------

def test_free_samples_earn_no_revenue():
    """model.md: seeding's chosen "get the product free"; "Each paid or word-of-mouth adoption is a first
    purchase" that earns the price, but not a free sample."""
    seeding = {"name": "samples", "brand": "A", "type": "seeding", "seeds": 300, "cost_per_seed": 2.0}
    later = {**EVERYONE_ONCE, "start": 2}
    res = marketsim.run(market({"campaigns.0": seeding, "campaigns.1": later, "time.horizon": 4}), seed=9)
    r = rows(res)
    assert r.seeded[1] == 300 == r.new_paid[1] and r.purchases[1] == 0 and r.revenue[1] == 0
    assert r.new_paid[3] > 0 and r.purchases[3] == r.new_paid[3] + r.new_wom[3]
    assert (r.revenue == 10.0 * r.purchases).all() and (r.margin == 5.0 * r.purchases).all()
    m = res.summary["brands"]["A"]
    assert m["purchases"] == m["acquisitions"] - 300 and m["repeat_purchases"] == 0
    assert m["first_acquisitions_paid"] == m["acquisitions_paid"]  # the samples count as paid acquisitions


def test_gross_margin_is_the_price_less_the_unit_cost():
    """model.md Sales and value: each purchase earns its price less the unit cost, price x (1 - margin):
    3 a purchase at price 10 and margin 0.3 (taking price x margin as the cost would give 7)."""
    res = marketsim.run(market({"brands.0.margin": 0.3, "brands.0.purchase_rate": 0.5,
                                "brands.0.initial": INSTALLED_HALF, "time.horizon": 3}), seed=9)
    r = rows(res)
    assert r.purchases[1:].sum() > 0
    assert np.allclose(r.revenue, 10.0 * r.purchases) and np.allclose(r.margin, 3.0 * r.purchases)


@pytest.mark.parametrize("old_share, cut", [(0.2, False), (0.6, True)])
def test_a_niche_of_two_segments_is_controlled_only_when_both_are(old_share, cut):
    """model.md: on_control "cut" acts while the brand controls the campaign's niche, every segment of it."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 1000, "niche": ["young", "old"],
           "on_control": "cut", "cut_to": 0.25}
    installed = {"share": {"young": 0.6, "old": old_share}, "loyalty": 1.0}  # young held, old held or not
    r = rows(marketsim.run(market({"brands.0.initial": installed, "campaigns.0": ads, "time.horizon": 2}), seed=3))
    assert r.impressions[1] == (250 if cut else 1000)


# --- relevance and breadth ----------------------------------------------------------------------
# two personas unlike each other in everything but occupation and income
PERSONAS = [
    {"name": "young", "share": 0.5, "age": {"min": 20, "max": 29}, "gender": {"female": 1.0},
     "region": {"city": 1.0}, "interests": {"sport": 1.0}},
    {"name": "old", "share": 0.5, "age": {"min": 60, "max": 69}, "gender": {"male": 1.0},
     "region": {"village": 1.0}, "interests": {"garden": 1.0}},
]


def young_adopters(audience, tailoring: float, relevance: float = 0.9, seed: int = 4) -> int:
    """The young who adopt on the first step after an event that reaches everyone in ``audience``
    once: each adopts with probability 1 - exp(-ad_effect (1 + relevance_gain r)), fit being 1."""
    event = {**EVERYONE_ONCE, "relevance": relevance, "audience": audience}
    result = marketsim.run(market({"population.segments": PERSONAS, "campaigns.0": event, "time.horizon": 1,
                                   "response.tailoring": tailoring}), seed=seed)
    return int(rows(result, segment="young").adopters[1])


def p_adopt(relevance: float) -> float:
    return -math.expm1(-0.5 * (1 + 2.0 * relevance))  # ad_effect 0.5, relevance_gain 2


def test_a_message_for_a_niche_is_as_relevant_as_written_to_its_members():
    """relevance.py: inside a homogeneous audience every member is at distance 0."""
    assert_binomial(young_adopters({"field": "age", "max": 29}, 1.0), N // 2, p_adopt(0.9))


@pytest.mark.parametrize("tailoring", [0.5, 1.0])
def test_a_message_for_everyone_is_less_relevant_to_each_by_its_breadth(tailoring):
    """A young consumer differs from half of 'everyone' in age decade, gender, region and in both
    interests: distance (3 x 0.5 + 2 x 0 + 0.5) / 6 = 1/3, so relevance 0.9 x (1 - tailoring / 3)."""
    assert_binomial(young_adopters("everyone", tailoring), N // 2, p_adopt(0.9 * (1 - tailoring / 3)))


def test_distance_from_an_audience_is_the_mean_share_of_members_unlike_one():
    """relevance.py, exactly: to 'everyone', each consumer is 1/3 away; to a mixed audience of all
    the young and a quarter of the old, a young one is (3 x 0.2 + 2 x 0 + (0.2 + 0.2) / 2) / 6 away
    (age decade, gender, region; occupation and income; the two interests)."""
    from marketsim.market.relevance import distance, profile

    pop = MarketModel(market({"population.segments": PERSONAS}), rng=1).population
    everyone = np.arange(N)
    assert np.allclose(distance(profile(everyone, pop), everyone, pop), 1 / 3)
    young, old = np.flatnonzero(pop.segment == 0), np.flatnonzero(pop.segment == 1)
    mixed = np.concatenate([young, old[: old.size // 4]])  # 1500 young, 375 old: 20% old
    assert np.allclose(distance(profile(mixed, pop), young, pop), (3 * 0.2 + 0.2) / 6)
    assert np.allclose(distance(profile(mixed, pop), old, pop), (3 * 0.8 + 0.8) / 6)


def intruded(relevance: float, threshold: float) -> int:
    event = {**EVERYONE_ONCE, "relevance": relevance, "audience": {"field": "age", "max": 29}}
    result = marketsim.run(market({"population.segments": PERSONAS, "campaigns.0": event, "time.horizon": 1,
                                   "response.intrusion_threshold": threshold}), seed=4)
    return int(rows(result, segment="young").adopters[1])


@pytest.mark.parametrize("relevance, threshold, multiplier", [
    (0.9, 1.0, 1 + 2 * 0.9),  # the threshold never binds: 1 + gain r
    (0.4, 0.5, 1 + 2 * 0.4),  # below it: as before
    (0.9, 0.5, 1 + 2 * (0.9 - 0.8)),  # past it, the gain falls back at the same slope
    (0.9, 0.3, 1 + 2 * (0.9 - 1.2)),  # far past it, worse than an irrelevant message
    (1.0, 0.2, 0.0),  # never below no response at all
])
def test_relevance_past_the_intrusion_threshold_turns_people_off(relevance, threshold, multiplier):
    """model.md Ad response: S uses 1 + gain (r - 2 max(0, r - threshold)), floored at 0."""
    assert_binomial(intruded(relevance, threshold), N // 2, -math.expm1(-0.5 * multiplier))


@pytest.mark.parametrize("tailoring", [0.25, 0.5, 1.0])
def test_tailoring_scales_what_distance_takes_off(tailoring):
    """relevance.py, exactly: a member at distance d gets relevance x (1 - tailoring x d)."""
    from marketsim.market.relevance import profile, relevance_to

    pop = MarketModel(market({"population.segments": PERSONAS}), rng=1).population
    everyone = np.arange(N)  # each consumer is 1/3 from everyone
    got = relevance_to(everyone, 0.9, tailoring, profile(everyone, pop), pop, np.empty(N))
    assert np.allclose(got, 0.9 * (1 - tailoring / 3))


def test_without_tailoring_breadth_costs_no_relevance():
    assert young_adopters("everyone", 0.0) == young_adopters({"field": "age", "max": 29}, 0.0)


# --- satisfaction -------------------------------------------------------------------------------
def satisfied_share(fit: float, threshold: float, width: float, seed: int = 6) -> tuple[int, int]:
    """(satisfied, consumers) for a brand whose fit is ``fit`` for everyone (no personal spread)."""
    model = MarketModel(market({"brands.0.default_fit": fit, "response.satisfaction_threshold": threshold,
                                "response.satisfaction_width": width}), rng=seed)
    return int(model.state.satisfied[0].sum()), N


@pytest.mark.parametrize("fit, expected", [(0.49, 0), (0.5, N), (0.51, N)])
def test_without_a_width_satisfaction_is_a_cut_at_the_threshold(fit, expected):
    assert satisfied_share(fit, 0.5, 0.0)[0] == expected


@pytest.mark.parametrize("fit", [0.3, 0.45, 0.49, 0.51, 0.6, 0.8])
def test_with_a_width_satisfaction_rises_smoothly_with_fit(fit):
    """model.md Product fit: P(satisfied) = logistic((fit - threshold) / width)."""
    count, n = satisfied_share(fit, 0.5, 0.1)
    assert_binomial(count, n, 1 / (1 + math.exp(-(fit - 0.5) / 0.1)))


def test_just_below_and_just_above_the_threshold_differ_little_with_a_width():
    below, above = satisfied_share(0.49, 0.5, 0.1)[0], satisfied_share(0.51, 0.5, 0.1)[0]
    assert below < above < below + 0.1 * N  # about 47.5% and 52.5%, where the cut gives 0% and 100%


def test_a_width_draws_from_its_own_stream_only():
    """The width adds a stream; everything else a run draws stays as it was."""
    cut, smooth = (MarketModel(market({"response.satisfaction_width": w}), rng=2) for w in (0.0, 0.2))
    assert np.array_equal(cut.population.age, smooth.population.age)
    assert np.array_equal(cut.state.fit, smooth.state.fit)


# --- share of voice -----------------------------------------------------------------------------
def contacts_in(channel: str, brand: int, size: int) -> "Contacts":
    from marketsim.market.campaigns import Contacts

    return Contacts(brand, np.arange(size), np.zeros(1), np.ones(1, bool), np.zeros(1), 1.0, channel=channel)


@pytest.mark.parametrize("interference, rival", [(0.5, 1800), (0.5, 600), (1.0, 200), (0.3, 1800)])
def test_rivals_in_the_channel_dim_a_brands_ads_by_its_share_of_voice(interference, rival):
    """model.md Share of voice: impact x (1 - interference x rivals' share of the channel's impressions)."""
    from marketsim.market.voice import crowd_out

    own, other, elsewhere = contacts_in("tv", 0, 600), contacts_in("tv", 1, rival), contacts_in("radio", 1, 5000)
    crowd_out([own, other, elsewhere], 2, interference)
    assert own.impact == pytest.approx(1 - interference * rival / (600 + rival), rel=1e-12)
    assert other.impact == pytest.approx(1 - interference * 600 / (600 + rival), rel=1e-12)
    assert elsewhere.impact == 1.0  # alone in its channel


def test_without_interference_rivals_change_nothing():
    from marketsim.market.voice import crowd_out

    own, other = contacts_in("tv", 0, 600), contacts_in("tv", 1, 1800)
    crowd_out([own, other], 2, 0.0)
    assert own.impact == other.impact == 1.0


def young_a_adopters(interference: float) -> int:
    """A's first adopters when A and B each air one event on TV to everyone (same seed throughout)."""
    brands = [{"name": "A", "price": 10.0, "margin": 0.5, "purchase_rate": 0.0, "default_fit": 1.0},
              {"name": "B", "price": 10.0, "margin": 0.5, "purchase_rate": 0.0, "default_fit": 1.0}]
    events = [{**EVERYONE_ONCE, "name": f"{b}_event", "brand": b, "channel": "tv"} for b in ("A", "B")]
    result = marketsim.run(market({"brands": brands, "campaigns": events, "time.horizon": 1,
                                   "response.competitive_interference": interference}), seed=3)
    return int(rows(result, "A").adopters[1])


def test_share_of_voice_acts_in_the_market_step():
    """Two equal voices: each keeps 1 - interference / 2 of its impact, so fewer adopt. (Listing the
    brands the other way round gives another draw of the same distribution: which brand's hazard
    comes first in the competing risks still follows the file.)"""
    assert young_a_adopters(1.0) < 0.8 * young_a_adopters(0.0)


# --- networks -----------------------------------------------------------------------------------

def contacts_inside(graph, group):
    """Share of all contacts that are in one's own group."""
    own = np.repeat(np.arange(group.size), graph.degree)
    return (group[own] == group[graph.indices]).mean()


@pytest.mark.parametrize("homophily", [0.0, 0.6, 1.0])
def test_homophily_is_the_share_of_contacts_in_ones_group(homophily):
    """model.md: "a link ... ends, with probability homophily, at a uniform member of its group ..., otherwise
    at a uniform non-member; so a share homophily of each consumer's contacts is in its own group"."""
    three = [{"name": name, "share": share} for name, share in (("a", 0.5), ("b", 0.3), ("c", 0.2))]
    sc = market({"population.segments": three, "brands.0.fit": {},
                 "network": {"type": "homophilous", "mean_degree": 10, "homophily": homophily}})
    model = MarketModel(sc, rng=10)
    group = model.population.segment
    share = contacts_inside(model.graph, group)
    if homophily in (0.0, 1.0):
        assert share == homophily  # exactly: no link may cross (or stay inside) by an index slip
    else:
        assert share == pytest.approx(homophily, abs=0.02)
    assert 9.5 < model.graph.degree.mean() <= 10.0
    # every member of a group can be drawn as a far end: no one is left with only the links it started
    assert np.bincount(group[model.graph.degree == 0], minlength=3).sum() < 5


def test_homophily_can_group_by_region():
    """model.md Social network: group_by = "region" groups contacts by region, not by segment (here
    every segment is half city, half village, so grouping by segment would keep half the links in a
    region by chance alone)."""
    mixed = [{"name": name, "share": 0.5, "region": {"city": 0.5, "village": 0.5}} for name in ("a", "b")]
    sc = market({"population.segments": mixed, "brands.0.fit": {},
                 "network": {"type": "homophilous", "mean_degree": 10, "homophily": 0.9, "group_by": "region"}})
    model = MarketModel(sc, rng=10)
    assert contacts_inside(model.graph, model.population.region) == pytest.approx(0.9, abs=0.02)
    assert contacts_inside(model.graph, model.population.segment) == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize("homophily", [0.0, 1.0])
def test_homophilous_links_end_at_a_uniform_member(homophily):
    """model.md: a link "ends, with probability homophily, at a uniform member of its group ..., otherwise at
    a uniform non-member": nobody is left out of the draw of far ends."""
    sc = market({"network": {"type": "homophilous", "mean_degree": 400, "homophily": homophily}})
    degree = MarketModel(sc, rng=18).graph.degree
    # a consumer's degree is about 200 links it starts plus 200 that end at it, less repeats: mean 351,
    # sd 16. One never drawn as a far end keeps only its own, about 190: far below 0.65 of the mean,
    # which everyone else clears by seven sd
    assert degree.mean() > 340
    assert degree.min() > 0.65 * degree.mean()


@pytest.mark.parametrize("exponent", [2.5, 3.0])
def test_scale_free_degrees_follow_the_exponent(exponent):
    """model.md: ends drawn "with probability ∝ r^(-1/(γ-1)) for a random rank r, so P(degree = d) ∝ d^-γ"."""
    n = 20_000
    sc = market({"population.size": n, "network": {"type": "scale_free", "mean_degree": 10, "exponent": exponent}})
    degree = np.sort(MarketModel(sc, rng=11).graph.degree)[::-1].astype(float)
    # the r-th largest degree falls as r^(-1/(γ-1)); fitted over the tail, away from the few top hubs
    rank = np.arange(1, n + 1)
    tail = slice(10, n // 20)
    slope = np.polyfit(np.log(rank[tail]), np.log(degree[tail]), 1)[0]
    assert 1 - 1 / slope == pytest.approx(exponent, abs=0.2)


# --- niche control ------------------------------------------------------------------------------

def test_the_price_shield_damps_churn_from_a_price_rise():
    """model.md: churn "· exp(price_sensitivity · Δp_c · [c controls s_i] · (1 - price_shield))"."""
    controls_young = {"brands.0.initial": {"share": {"young": 0.8}, "loyalty": 0.0}, "loyalty.churn": 0.05,
                      "loyalty.growth": 0.0, "loyalty.decay": 0.0, "loyalty.price_sensitivity": 2.0,
                      "time.horizon": 5}

    def churned(increase, shield, seed=12):
        sc = market({**controls_young, "brands.0.price_increase_on_control": increase,
                     "niche.price_shield": shield})
        return rows(marketsim.run(sc, seed=seed), segment="young").churned

    base = churned(0.0, 0.5)
    # a full shield: the price rise adds no churn at all, to the last consumer (same random numbers)
    assert churned(0.5, 1.0).tolist() == base.tolist()
    installed = round(0.8 * N / 2)
    assert_binomial(base[1], installed, -math.expm1(-0.05))
    for shield in (0.5, 0.0):
        assert_binomial(churned(0.5, shield)[1], installed, -math.expm1(-0.05 * math.exp(2.0 * 0.5 * (1 - shield))))


# --- audience rules -----------------------------------------------------------------------------

@pytest.mark.parametrize("rule, matches", [
    ({"field": "interests", "has_all": ["sport", "garden"]}, lambda c: {"sport", "garden"} <= set(c.interests)),
    ({"field": "interests", "has_any": ["sport", "garden"]}, lambda c: bool({"sport", "garden"} & set(c.interests))),
    ({"field": "region", "not_in": ["city"]}, lambda c: c.region != "city"),
    ({"field": "region", "in": ["city"]}, lambda c: c.region == "city"),
    ({"not": {"field": "interests", "has_all": ["sport", "garden"]}},
     lambda c: not {"sport", "garden"} <= set(c.interests)),
], ids=["has_all", "has_any", "not_in", "in", "not_has_all"])
def test_audience_rules_select_exactly_whom_they_say(rule, matches):
    """scenarios.md: { field = "interests", has_any = [...] } (or has_all); { field = "region", in = [...] } (also not_in)."""
    event = {**EVERYONE_ONCE, "audience": rule, "reach": N}
    res = marketsim.run(market({"campaigns.0": event, "time.horizon": 1}), seed=13)
    model = res.model
    expected = np.array([matches(model.consumer(i)) for i in range(N)])
    assert 0.05 * N < expected.sum() < 0.95 * N  # the rule splits the market: a wrong one cannot pass by luck
    assert np.array_equal(model.state.reached[0], expected)
    assert res.summary["brands"]["A"]["reach"] == expected.sum()


# --- seeding ------------------------------------------------------------------------------------

@pytest.mark.parametrize("seeds", [1000, 2500])
def test_seeding_neither_charges_for_nor_counts_the_brands_own_customers(seeds):
    """model.md: "seeds members of the audience ... who are not yet customers get the product free
    (cost_per_seed ...) and become customers"."""
    seeding = {"name": "samples", "brand": "A", "type": "seeding", "seeds": seeds, "cost_per_seed": 2.0}
    res = marketsim.run(market({"brands.0.initial": INSTALLED_HALF, "campaigns.0": seeding, "time.horizon": 2}),
                        seed=14)
    given = min(seeds, N // 2)  # only the 1500 who are not customers yet can get one
    r, m = rows(res), res.summary["brands"]["A"]
    assert r.seeded[1] == given and r.customer[1] == N // 2 + given
    assert m["spend"] == 2.0 * given
    assert m["acquisitions"] == m["first_acquisitions_paid"] == given
    assert m["reacquisitions"] == 0 and m["switched"] == 0 and m["churned"] == 0


def test_two_seedings_at_once_count_each_sample_once():
    """model.md: seeding gives the product to those "who are not yet customers"; a consumer two of the
    brand's seedings pick at once gets it (and is counted) once."""
    first = {"name": "samples", "brand": "A", "type": "seeding", "seeds": N, "cost_per_seed": 0.0}
    second = {**first, "name": "more_samples"}
    res = marketsim.run(market({"campaigns.0": first, "campaigns.1": second, "time.horizon": 2}), seed=15)
    r, m = rows(res), res.summary["brands"]["A"]
    assert r.seeded[1] == N and r.customer[1] == N
    assert m["acquisitions"] == N and m["reacquisitions"] == 0 and m["churned"] == 0 and m["switched"] == 0


def test_two_seedings_at_once_pay_only_for_the_samples_given():
    """seeding.py: a consumer two of the brand's seedings pick on the same step gets one sample, and the
    other campaign gets its cost back."""
    first = {"name": "samples", "brand": "A", "type": "seeding", "seeds": N // 2, "cost_per_seed": 2.0}
    second = {**first, "name": "more_samples"}
    res = marketsim.run(market({"campaigns.0": first, "campaigns.1": second, "time.horizon": 2}), seed=15)
    given = rows(res).seeded[1]  # fit 1 and no rival: every sample converts
    assert N // 2 < given < N  # the two picks overlapped
    assert res.summary["brands"]["A"]["spend"] == 2.0 * given


@pytest.mark.parametrize("fit", [0.3, 0.8])
def test_a_sample_converts_with_the_brands_fit(fit):
    """seeding.py: a free sample converts with probability f_bi (no rival to leave); every sample
    given is paid for, and a recipient it did not convert knows the brand."""
    seeding = {"name": "samples", "brand": "A", "type": "seeding", "seeds": N, "cost_per_seed": 2.0}
    res = marketsim.run(market({"brands.0.default_fit": fit, "campaigns.0": seeding, "time.horizon": 2,
                                "response.ad_effect": 0.0}), seed=17)
    r, m = rows(res), res.summary["brands"]["A"]
    assert_binomial(int(r.seeded[1]), N, fit)  # every sample converting would be N
    assert r.customer[1] == r.seeded[1] and r.aware[1] == N - r.seeded[1]
    assert m["spend"] == 2.0 * N and m["reach"] == N


@pytest.mark.parametrize("switching, loyalty", [(1.0, 0.6), (0.5, 0.0)])
def test_a_sample_wins_a_rivals_customer_against_the_switching_barrier(switching, loyalty):
    """seeding.py: a rival's customer keeps a sample with probability f_bi · loyalty.switching · (1 - L_i),
    and leaves the rival for it (a switch)."""
    rival = {"name": "B", "price": 10.0, "margin": 0.5, "purchase_rate": 0.0, "default_fit": 1.0,
             "initial": {"share": {"young": 1.0, "old": 1.0}, "loyalty": loyalty}}
    seeding = {"name": "samples", "brand": "A", "type": "seeding", "seeds": N, "cost_per_seed": 2.0}
    res = marketsim.run(market({"brands.1": rival, "brands.0.default_fit": 0.9, "campaigns.0": seeding,
                                "loyalty.switching": switching, "loyalty.growth": 0.0, "time.horizon": 2,
                                "response.ad_effect": 0.0}), seed=18)
    won = int(rows(res).seeded[1])
    assert_binomial(won, N, 0.9 * switching * (1 - loyalty))
    assert rows(res, "B").switched[1] == won and rows(res, "B").customer[1] == N - won


def test_samples_from_two_brands_at_once_favour_neither_listing():
    """seeding.py: when two identical brands sample the same best-connected consumers on the same day,
    each consumer converted by both keeps one at random: the brand listed first does not lose its
    samples to the one listed second (it lost 37 of 40 when samples were given in the file's order)."""
    twin = {"name": "B", "price": 10.0, "margin": 0.5, "purchase_rate": 0.0, "default_fit": 0.7}
    samples = {"name": "a_samples", "brand": "A", "type": "seeding", "seeds": 40, "seed_by": "degree"}
    changes = {"brands.0.default_fit": 0.7, "brands.1": twin, "campaigns.0": samples,
               "campaigns.1": {**samples, "name": "b_samples", "brand": "B"},
               "network": {"type": "scale_free", "mean_degree": 6}, "time.horizon": 1, "response.ad_effect": 0.0}
    won = np.array([[rows(res, b).seeded[1] for b in "AB"]
                    for res in (marketsim.run(market(changes), seed=s) for s in range(8))])
    both = won.sum()  # 320 samples each, 0.7 convert, a consumer keeps one: about 0.91 of 320 in all
    assert_binomial(both, 320, 1 - 0.3**2)
    assert abs(int(won[:, 0].sum()) - int(won[:, 1].sum())) <= SIGMAS * math.sqrt(both)


def test_retention_counts_each_customer_once_however_often_re_acquired():
    """outputs.md: retention = customers / (installed_base + adopters), adopters being first
    acquisitions: a churner won back is one customer served, not two."""
    ads = {"name": "ads", "brand": "A", "channel": "tv", "impressions": 600}
    res = marketsim.run(market({"loyalty.churn": 0.3, "campaigns.0": ads, "time.horizon": 20,
                                "brands.0.initial": INSTALLED_HALF}), seed=5)
    m = res.summary["brands"]["A"]
    assert m["reacquisitions"] > 0 and m["installed_base"] == N // 2
    assert m["retention"] == m["customers"] / (m["installed_base"] + m["adopters"])


# --- lift ---------------------------------------------------------------------------------------

def test_lift_measures_only_the_brands_that_run_campaigns():
    """model.md Lift: each brand with campaigns is run again without them; a brand without campaigns has
    nothing to lift, so its incremental metrics are undefined (outputs.md: null), not a measured 0."""
    rival = {"name": "B", "price": 10.0, "margin": 0.5, "purchase_rate": 0.0, "default_fit": 1.0}
    totals = set()
    res = marketsim.run(market({"brands.1": rival, "campaigns.0": EVERYONE_ONCE}), seed=3, lift=True,
                        progress=lambda done, total: totals.add(total))
    assert totals == {2 * 5}  # the run and one counterfactual, of 5 steps each
    assert res.summary["brands"]["A"]["incremental_customers"] > 0
    assert all(math.isnan(v) for k, v in res.summary["brands"]["B"].items() if k.startswith("incremental"))


def test_lift_silences_only_the_brand_it_measures():
    """model.md Lift: the same market with that brand's campaigns switched off, its rivals' still on:
    here B's launch pulls customers from A, and A's counterfactual must still face it."""
    rival = {"name": "B", "price": 10.0, "margin": 0.5, "purchase_rate": 0.0, "default_fit": 1.0}
    changes = {"brands.0.initial": INSTALLED_HALF, "brands.1": rival, "campaigns.0": EVERYONE_ONCE,
               "campaigns.1": {**EVERYONE_ONCE, "name": "b_launch", "brand": "B"}}
    res = marketsim.run(market(changes), seed=4, lift=True)
    without_a = MarketModel(market(changes), rng=4, silent_brands=frozenset({"A"}))
    for _ in range(5):
        without_a.step()
    a = res.summary["brands"]["A"]
    assert a["incremental_customers"] == a["customers"] - without_a.customers_by_brand()["A"]


# --- hearing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("forgetting", [None, 1000.0])
def test_hearing_is_a_hazard_not_a_probability(forgetting):
    """model.md: "Hearing makes an unaware consumer aware with hazard q (W⁺ + W⁻)", held over a step as
    "the probability 1 - exp(-h dt)"."""
    changes = {"brands.0.initial": INSTALLED_HALF, "brands.0.fit": {"young": 1.0, "old": 0.2},  # good and bad talk
               "word_of_mouth.strength": 1.0, "time.dt": 2.0, "time.horizon": 2.0,
               "response.unaware_response": 0.0}  # the unaware only hear: no adoption to tell apart
    if forgetting is not None:
        changes["response.awareness_half_life"] = forgetting
    r = rows(marketsim.run(market(changes), seed=16))
    heard = (N / 2) / (N - 1)  # W⁺ + W⁻: every customer talks, well or badly
    assert r.aware[0] == 0 and r.customer[1] == N // 2
    assert_binomial(r.aware[1], N // 2, -math.expm1(-1.0 * heard * 2.0))  # q W dt = 1: 63%, not 100%


def test_churn_rate_is_per_time_unit_whatever_the_step():
    """churn_rate (docs/outputs.md) is losses per customer-time unit: the same market stepped by half days
    loses customers at the same rate per day (customer-time counted in steps would halve it)."""
    def churn_rate(dt):
        sc = scenario(("time.dt", dt), ("time.horizon", 60), ("loyalty.churn", 0.03))
        return np.mean([marketsim.run(sc, seed=s).summary["brands"]["A"]["churn_rate"] for s in range(3)])

    daily, half_daily = churn_rate(1.0), churn_rate(0.5)
    assert daily > 0.005
    assert half_daily == pytest.approx(daily, rel=0.15)


def test_market_share_is_a_share_of_all_brands_customers_and_penetration_of_the_market():
    """docs/outputs.md: market_share divides a brand's customers by every brand's, penetration by the market's
    people; the shares add up to one."""
    from pathlib import Path

    baseline = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"
    sc = marketsim.load_scenario(baseline, {"time.horizon": 90, "population.size": 3000,
                                            "campaigns.spark_event.reach": 300, "campaigns.spark_samples.seeds": 30})
    brands = marketsim.run(sc, seed=1).summary["brands"]
    total = sum(m["customers"] for m in brands.values())
    assert total > 0 and sum(m["market_share"] for m in brands.values()) == pytest.approx(1.0)
    for m in brands.values():
        assert m["market_share"] == pytest.approx(m["customers"] / total)
        assert m["penetration"] == pytest.approx(m["customers"] / 3000)


def test_repeat_purchases_are_per_time_unit_whatever_the_step():
    """docs/model.md, Sales: customers buy purchase_rate times a time unit, so the same market stepped by half
    days sells as much over the same days (a rate taken per step would sell twice as much)."""
    def purchases(dt):
        sc = scenario(("time.dt", dt), ("time.horizon", 40))
        return np.mean([marketsim.run(sc, seed=s).summary["brands"]["A"]["purchases"] for s in range(3)])

    daily, half_daily = purchases(1.0), purchases(0.5)
    assert daily > 100
    assert half_daily == pytest.approx(daily, rel=0.1)


def test_a_summary_after_step_k_of_a_longer_run_is_the_summary_of_a_run_ending_at_k():
    """Recorder.summary(now=k), for a run still going (a class game's period), counts what a run whose horizon
    is k counts: the same customers, money, rates, LTV and customer equity."""
    base = {"brands.0.initial": INSTALLED_HALF, "brands.0.purchase_rate": 1.0, "loyalty.churn": 0.05,
            "campaigns.0": {**EVERYONE_ONCE, "reach": N // 3}, "word_of_mouth.strength": 0.2}
    short, long = market({**base, "time.horizon": 6}), market({**base, "time.horizon": 12})
    ended, going = stepped(short, 7, 6), stepped(long, 7, 6)
    expected = ended.recorder.summary(ended.scenario_spec, ended.buying.own_purchases)
    assert going.recorder.summary(going.scenario_spec, going.buying.own_purchases, now=6) == expected
    assert expected["A"]["customer_equity"] > 0 and expected["A"]["churned"] > 0
    later = stepped(long, 7, 12)
    assert later.recorder.summary(later.scenario_spec, later.buying.own_purchases) != expected


def test_margin_per_customer_counts_the_installed_base_among_the_relationships():
    """outputs.md margin_per_customer: margin / (installed_base + acquisitions). An installed base buys (its
    purchases are in the margin), so it counts among the customer relationships the margin is spread over."""
    quiet = market({"brands.0.initial": INSTALLED_HALF, "brands.0.purchase_rate": 1.0})  # no campaign, no talk
    a = marketsim.run(quiet, seed=3).summary["brands"]["A"]
    assert a["acquisitions"] == 0 and a["installed_base"] == N // 2 and a["margin"] > 0
    assert a["margin_per_customer"] == pytest.approx(a["margin"] / a["installed_base"], rel=1e-12)
    launched = marketsim.run(market({"brands.0.initial": INSTALLED_HALF, "brands.0.purchase_rate": 1.0,
                                     "campaigns.0": EVERYONE_ONCE}), seed=3).summary["brands"]["A"]
    assert launched["acquisitions"] > 0
    assert launched["margin_per_customer"] == pytest.approx(
        launched["margin"] / (launched["installed_base"] + launched["acquisitions"]), rel=1e-12)
