"""Buying (docs/model.md 7.10, market/buying.py): purchase occasions, the brand bought on each, and
the panel measures; the regularities of marketing science emerge from a market that does not write
them in, and a niche brand can break them."""

import copy
import tomllib
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import marketsim
from marketsim.market.model import MarketModel
from marketsim.scenario.loading import scenario_from_dict
from marketsim.scenario.parameters import outside_plausible_ranges
from marketsim.scenario.schema import ScenarioError
from marketsim.studies.dirichlet import duplication_law, fit_to_panel, predict, steady_panel

MARKETS = Path(__file__).resolve().parent.parent / "experiments" / "markets"
CATEGORY = tomllib.loads((MARKETS / "category.toml").read_text())


def market(**sections) -> marketsim.Scenario:
    """The six-brand category with some sections replaced or merged (a dict merges into the section)."""
    raw = copy.deepcopy(CATEGORY)
    for key, value in sections.items():
        raw[key] = {**raw.get(key, {}), **value} if isinstance(value, dict) else value
    return scenario_from_dict(raw)


# the Dirichlet's assumption, a stationary market: nobody talks a brand up or leaves the category; and
# the niche brand is known to few outside its niche. Only these fields may leave their plausible ranges.
STATIONARY = ("word_of_mouth.strength", "loyalty.churn")
ASSUMED = {"category": STATIONARY, "category_niche": (*STATIONARY, "brands[].initial.awareness")}


def test_the_benchmark_markets_are_plausible():
    for path in sorted(MARKETS.glob("*.toml")):
        scenario = marketsim.load_scenario(path)
        allowed = ("population.size", *ASSUMED[path.stem])
        outside = [f for f in outside_plausible_ranges(scenario) if f[0] not in allowed]
        assert outside == [], path.name
    niche = marketsim.load_scenario(MARKETS / "category_niche.toml").brand("Niche")
    assert niche.initial.awareness["mainstream"] < 0.3  # the one awareness outside the range


def test_without_a_repertoire_every_buyer_buys_only_its_own_brand():
    """The one-brand model is the special case repertoire = 0: in a market where nobody changes brand,
    every buyer's whole category buying is its brand (share of requirements and sole buyers 100%)."""
    res = marketsim.run(market(buying={"repertoire": 0.0}), seed=2)
    rows = res.buying[res.buying.buyers > 0]
    assert (rows.share_of_requirements == 1.0).all() and (rows.sole_buyer_share == 1.0).all()
    assert res.duplication.share.max() == 0.0


def test_repeat_purchases_come_at_the_rate_per_customer():
    """Without a repertoire or a spread, a (brand, segment)'s purchases are Poisson with mean customers
    x purchase_rate x dt per step: over the year, within four standard deviations, for every brand; and
    so is own_purchase_rate, which values a customer, the brand's purchase_rate."""
    sc = market(buying={"repertoire": 0.0, "rate_shape": None},
                population={"segments": [{"name": "shoppers", "share": 1.0}]})
    res = marketsim.run(sc, seed=5)
    ts = res.timeseries[res.timeseries.segment == "all"]
    for brand, rows in ts.groupby("brand", observed=True):
        rate = sc.brand(brand).purchase_rate
        expected = rows.customer.iloc[:-1].sum() * rate * sc.time.dt
        assert abs(rows.purchases.iloc[1:].sum() - expected) < 4 * np.sqrt(expected), brand
        # what values a customer (ltv, customer_equity): its purchases of its brand per customer-time
        held = rows.customer.iloc[:-1].sum() * sc.time.dt
        own = res.summary["brands"][brand]["own_purchase_rate"]
        assert abs(own * held - held * rate) < 4 * np.sqrt(held * rate), brand


@pytest.mark.parametrize("shape", [0.5, 2.0, None])
def test_purchase_counts_across_consumers_are_nbd_with_the_shape_given(shape):
    """Over a period, a customer's purchases have mean rate x T and variance mean + mean^2 / k (NBD);
    Poisson (variance = mean) without a rate_shape."""
    sc = market(buying={"rate_shape": shape})
    model = MarketModel(sc, rng=4)
    for _ in range(90):  # within the first quarter: the tallies are the quarter's so far
        model.step()
    counts = model.buying.bought.sum(axis=0)[model.state.current >= 0]
    mean = 0.05 * 90
    assert counts.mean() == pytest.approx(mean, rel=0.03)
    variance = mean + (0.0 if shape is None else mean**2 / shape)
    assert counts.var() == pytest.approx(variance, rel=0.08)


def test_double_jeopardy_and_the_duplication_law_emerge_untargeted():
    """Six brands that differ only in how many consumers hold and know them: smaller brands have fewer
    buyers who buy them less often (double jeopardy), and each brand is bought by the others' buyers
    in proportion to its penetration (duplication of purchase), as Ehrenberg's panels show; nothing
    in the rules refers to a brand's size."""
    res = marketsim.run(marketsim.load_scenario(MARKETS / "category.toml"), seed=1)
    q = steady_panel(res.buying)
    assert np.all(np.diff(q.penetration.to_numpy()) < 0)
    frequency = q.purchase_frequency.to_numpy()
    assert frequency[0] == frequency.max() and frequency[:3].mean() > frequency[3:].mean() * 1.05
    assert stats.spearmanr(q.purchase_share, frequency).statistic >= 0.7
    d = duplication_law(res.duplication, q).D.to_numpy()
    assert d.std() / d.mean() < 0.05 and d.mean() > 1.2  # one coefficient D, above 1 (brands share buyers)


def test_the_dirichlet_fits_an_untargeted_category():
    """The NBD-Dirichlet fitted to the same quarters predicts every brand's penetration within 15%, and
    purchases per buyer and its share of 100%-loyal buyers within 20%."""
    res = marketsim.run(marketsim.load_scenario(MARKETS / "category.toml"), seed=1)
    q = steady_panel(res.buying)
    model = fit_to_panel(q, 40_000)
    predicted = predict(model).set_index("brand")
    assert q.penetration.to_numpy() == pytest.approx(predicted.penetration.to_numpy(), rel=0.15)
    assert q.purchase_frequency.to_numpy() == pytest.approx(predicted.purchase_frequency.to_numpy(), rel=0.2)
    assert q.sole_buyer_share.to_numpy() == pytest.approx(predicted.sole_buyer_share.to_numpy(), rel=0.2)


def test_a_niche_brand_breaks_double_jeopardy_upward():
    """The targeting school's claim, shown: a brand made for a fifth of the market has fewer buyers than
    the Dirichlet predicts for its share, and they buy it far more often and more exclusively, while
    the mass brands stay near their predictions; it is also bought less by other brands' buyers."""
    res = marketsim.run(marketsim.load_scenario(MARKETS / "category_niche.toml"), seed=1)
    q = steady_panel(res.buying)
    model = fit_to_panel(q, 40_000)
    predicted = predict(model).set_index("brand")
    ratio = q.purchase_frequency / predicted.purchase_frequency
    assert ratio["Niche"] > 1.4
    assert ratio.drop("Niche").between(0.85, 1.2).all()
    assert (q.penetration / predicted.penetration)["Niche"] < 0.8
    mass = q.drop("Niche")
    similar = mass.index[np.argmin(abs(mass.purchase_share - q.purchase_share["Niche"]))]
    assert q.purchase_frequency["Niche"] > 1.3 * q.purchase_frequency[similar]
    assert q.share_of_requirements["Niche"] > 1.3 * q.share_of_requirements[similar]


@pytest.mark.parametrize("field, low, high", [("repertoire", 1.0, 0.3), ("loyalty", 0.2, 0.8)])
def test_share_of_requirements_rises_with_loyalty_and_falls_with_repertoire(field, low, high):
    """Direction of the choice rule: more loyalty holds buyers to their brand; a larger part of the
    non-loyal occasions chosen afresh spreads them."""
    def scr(value):
        if field == "repertoire":
            sc = market(buying={"repertoire": value})
        else:  # long-run loyalty g f / (g f + decay) at fit 0.6: the installed bases' 0.5 moves there
            sc = market(loyalty={"decay": 0.0167 * 0.6 * (1 - value) / value})
        return steady_panel(marketsim.run(sc, seed=3).buying).share_of_requirements.mean()
    assert scr(high) > scr(low) + 0.1


def test_a_brand_nobody_knows_is_never_bought():
    """Only brands a consumer knows are in its repertoire: a well-fitting brand without customers or
    awareness, and no campaign or talk to make it known, sells nothing."""
    raw = copy.deepcopy(CATEGORY)
    raw["brands"].append({"name": "Ghost", "price": 3.0, "margin": 0.4, "purchase_rate": 0.05, "default_fit": 1.0})
    res = marketsim.run(scenario_from_dict(raw), seed=1)
    assert res.buying[res.buying.brand == "Ghost"].purchases.sum() == 0
    assert res.summary["brands"]["Ghost"]["purchases"] == 0


def test_a_dearer_brand_is_chosen_less_on_repertoire_occasions():
    """The repertoire choice weighs the price factor: of two brands alike but for price, the dearer one
    is bought less, by its own buyers as well as by others'."""
    raw = copy.deepcopy(CATEGORY)
    raw["population"]["segments"][0] |= {"price_elasticity": 2.0, "reference_price": 3.0}
    raw["brands"][2] |= {"price": 4.5, "initial": raw["brands"][1]["initial"]}  # Charlie: Bravo, dearer
    res = marketsim.run(scenario_from_dict(raw), seed=1)
    q = steady_panel(res.buying)
    assert q.purchase_share["Charlie"] < 0.9 * q.purchase_share["Bravo"]
    assert q.share_of_requirements["Charlie"] < q.share_of_requirements["Bravo"]


def test_a_period_must_divide_the_horizon_into_whole_steps():
    raw = copy.deepcopy(CATEGORY)
    raw["buying"]["period"] = 100
    with pytest.raises(ScenarioError, match=r"buying\.period"):
        scenario_from_dict(raw)


def test_buying_outputs_are_written_with_the_run(tmp_path):
    res = marketsim.run(market(population={"size": 2000}), seed=1)
    files = marketsim.write_results(res, tmp_path, "csv")
    assert {f.name for f in files} == {"timeseries.csv", "buying.csv", "duplication.csv", "summary.json"}
    brand = res.summary["brands"]["Alpha"]
    last = res.buying[(res.buying.period == 3) & (res.buying.segment == "all") & (res.buying.brand == "Alpha")]
    assert brand["share_of_requirements"] == pytest.approx(last.share_of_requirements.item())
    assert brand["buyers"] == last.buyers.item()


def test_an_occasion_chooses_by_loyalty_then_in_proportion_to_fit_times_price_factor():
    """The choice rule, exactly: a customer of brand 0 with loyalty 0.4 and repertoire 0.5 stays with
    probability 1 - 0.5 x 0.6 = 0.7; otherwise it picks among the brands it knows (customer of 0, aware
    of 1, lapsed from 3; unaware of 2) with weights fit x price factor 0.5, 0.4, -, 0.6. Evenly spaced
    uniforms give the shares to their spacing."""
    from marketsim.market.buying import _choose

    draws = 100_000
    u = (np.arange(draws) + 0.5) / draws
    fit = np.array([[0.5], [0.8], [0.9], [0.3]])
    appeal = np.array([[1.0], [0.5], [1.0], [2.0]])  # per (brand, segment)
    state = np.array([[2], [1], [0], [3]], dtype=np.int8)  # customer, aware, unaware, lapsed
    chosen = np.empty(draws, dtype=np.int64)
    _choose(np.zeros(draws, dtype=np.int64), u, np.array([0], dtype=np.int16), np.array([0.4]), state, fit, appeal,
            np.array([0]), 0.5, chosen)
    shares = np.bincount(chosen, minlength=4) / draws
    weights = np.array([0.5, 0.4, 0.0, 0.6])
    expected = 0.3 * weights / weights.sum() + np.array([0.7, 0.0, 0.0, 0.0])
    assert shares == pytest.approx(expected, abs=2 / draws)


def test_what_values_a_customer_is_its_own_brand_buying():
    """own_purchase_rate (which ltv and customer_equity use) counts a brand's customers' purchases of it,
    not what other brands' customers buy of it: with a repertoire and loyalty 0.5 each customer gives its
    brand about half its occasions and a share of the rest, well under the category rate of 0.05."""
    res = marketsim.run(market(), seed=2)
    for name, m in res.summary["brands"].items():
        assert 0.5 * 0.05 < m["own_purchase_rate"] < 0.85 * 0.05, name


def test_repeat_and_sole_buyers_are_counted_as_panels_count_them():
    """outputs.md: previous_buyers are the brand's buyers of the period before, repeat_buyers those of them
    who bought it again: never more than either; in a stationary category smaller brands keep fewer of
    their buyers (Ehrenberg's repeat-buying regularity); sole buyers bought this brand only."""
    res = marketsim.run(marketsim.load_scenario(MARKETS / "category.toml"), seed=1)
    table = res.buying.set_index(["period", "brand", "segment"]).sort_index()
    for p in range(1, 4):
        now, before = table.loc[p], table.loc[p - 1]
        assert (now.previous_buyers == before.buyers).all()
        assert (now.repeat_buyers <= np.minimum(now.buyers, now.previous_buyers)).all()
    assert table.loc[0].repeat_rate.isna().all() and (table.loc[0].previous_buyers == 0).all()
    # a consumer is the sole buyer of one brand at most, and a buyer of the category
    sole = table.xs("all", level="segment").groupby(level="period").sole_buyers.sum()
    category = table.xs("all", level="segment").groupby(level="period").category_buyers.first()
    assert (sole <= category).all() and (sole > 0).all()
    q = steady_panel(res.buying)
    assert q.repeat_rate.between(0.4, 0.95).all()
    assert q.repeat_rate.iloc[:3].mean() > q.repeat_rate.iloc[3:].mean()


def test_a_segment_without_a_category_rate_buys_at_its_brands_rate():
    """scenarios.md: a segment's purchase_rate is the category's rate for its customers; a segment that
    gives none keeps its customers buying at their brand's purchase_rate (0.05 here), even when another
    segment gives one (0.2)."""
    raw = copy.deepcopy(CATEGORY)
    raw["buying"] = {"repertoire": 0.0}
    raw["population"]["segments"] = [{"name": "shoppers", "share": 0.5},
                                     {"name": "heavy", "share": 0.5, "purchase_rate": 0.2}]
    for b in raw["brands"]:
        b["initial"] = {"share": {"shoppers": 0.1, "heavy": 0.1}, "awareness": {"shoppers": 0.5, "heavy": 0.5}}
    res = marketsim.run(scenario_from_dict(raw), seed=1)
    ts = res.timeseries[res.timeseries.brand == "Alpha"]
    for segment, rate in (("shoppers", 0.05), ("heavy", 0.2)):
        rows = ts[ts.segment == segment]
        expected = rows.customer.iloc[:-1].sum() * rate
        assert abs(rows.purchases.iloc[1:].sum() - expected) < 4 * np.sqrt(expected), segment


def test_the_panel_counts_every_purchase_the_timeseries_counts():
    """buying.parquet's purchases of a period are the timeseries' purchases over the period's steps, first
    purchases included (an adoption is bought; a free sample is not): in a market with adoption, switching,
    churn and samples, per period, brand and segment."""
    sc = marketsim.load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml",
                                 {"population.size": 3000, "time.horizon": 120, "buying.period": 30})
    res = marketsim.run(sc, seed=4)
    ts = res.timeseries
    assert ts.seeded.sum() > 0 and ts.new_paid.sum() > 0 and ts.switched.sum() + ts.churned.sum() > 0
    for (period, brand, segment), row in res.buying.set_index(["period", "brand", "segment"]).iterrows():
        steps = ts[(ts.brand == brand) & (ts.segment == segment) & (ts.time > row.start) & (ts.time <= row.end)]
        assert row.purchases == steps.purchases.sum(), (period, brand, segment)


def test_duplication_counts_are_exact_across_blocks(monkeypatch):
    """The pair counts behind the duplication table are summed block by block (float32 is exact only below
    2**24 per block): the same as a count with booleans, whatever the block size."""
    from marketsim.market import buying

    rng = np.random.default_rng(1)
    bought = rng.random((4, 10_001)) < [[0.5], [0.2], [0.05], [0.9]]
    exact = np.array([[np.count_nonzero(bought[a] & bought[b]) for b in range(4)] for a in range(4)])
    assert np.array_equal(buying._bought_together(bought), exact)
    monkeypatch.setattr(buying, "DUPLICATION_BLOCK", 777)
    assert np.array_equal(buying._bought_together(bought), exact)


def two_brands(share: float, loyalty: float, repertoire: float, rate_shape: float | None = None):
    """Alpha's customers are ``share`` of one segment and Bravo's a tenth; everyone knows both; equal fit and price."""
    raw = copy.deepcopy(CATEGORY)
    raw["population"]["size"] = 4000
    raw["buying"] = {"repertoire": repertoire, "rate_shape": rate_shape}
    raw["brands"] = raw["brands"][:2]
    for brand, held in zip(raw["brands"], (share, 0.1)):
        brand["initial"] = {"share": {"shoppers": held}, "awareness": {"shoppers": 1.0}, "loyalty": loyalty}
    return scenario_from_dict({k: v for k, v in raw.items()})


def test_niche_control_counts_the_expected_buying_of_the_segment():
    """model.md 7.9, exactly: a brand's share of a segment is sum g_i P_i(b) / sum g_i over its members, with
    g_i the purchase propensity and P_i(b) the choice rule's chance that an occasion of i buys b (0 for one who
    buys nothing), recomputed here consumer by consumer after some steps of a market with a repertoire."""
    from marketsim.market.prices import step_prices

    model = MarketModel(market(population={"size": 3000}), rng=3)
    model.run_for(20)
    st, buying, rec = model.state, model.buying, model.recorder
    appeal = step_prices(model.scenario_spec, rec.controlled(19), 19.5 * model.scenario_spec.time.dt).adoption
    brands, segments = st.fit.shape[0], len(rec.segments)
    held, weight = np.zeros((brands, segments)), np.zeros(segments)
    for i in range(st.current.size):
        s, g, own = buying.segment[i], buying.propensity[i], st.current[i]
        weight[s] += g
        if own < 0:
            continue
        stay = 1 - buying.repertoire * (1 - st.loyalty[i])
        w = np.where(st.state[:, i] >= 1, st.fit[:, i] * appeal[:, s], 0.0)
        p = (1 - stay) * w / w.sum()
        p[own] += stay
        held[:, s] += g * p
    assert np.unique(buying.propensity).size > 100 and 0 < st.loyalty[st.current >= 0].min() < 1
    assert rec.share(20) == pytest.approx(held / weight, rel=1e-12)
    assert (rec.controlled(20) == (held / weight >= rec.threshold)).all()


def test_with_one_brand_at_one_rate_a_segments_share_is_its_customers():
    """Consumers who buy one brand at one rate (repertoire 0, no rate_shape) make the share customers / size,
    as the model before buying counted it; the time series reports it."""
    res = marketsim.run(two_brands(0.55, 0.3, 0.0), seed=1)
    ts = res.timeseries
    size = ts.unaware + ts.aware + ts.customer + ts.lapsed
    assert (ts.share == ts.customer / size).all()
    assert res.summary["brands"]["Alpha"]["time_to_control"]["shoppers"] == 0.0


def test_a_brand_whose_customers_buy_its_rival_holds_less_of_the_segments_buying():
    """Niche control counts purchases: 55% of a segment as customers control it when they buy only Alpha,
    not when with loyalty 0 they split their occasions evenly with a rival they know as well (about 0.55 / 2
    + 0.1 / 2 = 0.33); loyalty, the habit of rebuying one's brand, wins the share back."""
    shares = {}
    for loyalty, repertoire in ((0.0, 0.0), (0.0, 1.0), (0.5, 1.0), (0.9, 1.0)):
        model = MarketModel(two_brands(0.55, loyalty, repertoire), rng=1)
        shares[loyalty, repertoire] = model.recorder.share(0)[0, 0]
    assert shares[0.0, 0.0] == pytest.approx(0.55, abs=0.001) and shares[0.0, 1.0] == pytest.approx(0.325, abs=0.01)
    assert shares[0.0, 1.0] < shares[0.5, 1.0] < shares[0.9, 1.0] < shares[0.0, 0.0]


def test_heavy_buyers_weigh_more_in_a_segments_buying():
    """With purchase rates spread across consumers (rate_shape), the share is a volume share: the same
    customers hold more of the segment when they are its heavier buyers."""
    model = MarketModel(two_brands(0.3, 1.0, 0.0, rate_shape=0.5), rng=2)
    g, current = model.buying.propensity, model.state.current
    heads = (current == 0).mean()
    assert model.recorder.share(0)[0, 0] == pytest.approx(g[current == 0].sum() / g.sum(), rel=1e-12)
    model.buying.propensity = np.where(current == 0, 2.0, 1.0)  # the same customers, buying twice as much
    held = model.buying.shares(model.state, np.ones((2, 1)))
    assert held[0, 0] / model.buying.propensity.sum() == pytest.approx(2 * heads / (1 + heads), rel=1e-12)


def test_one_brand_at_one_rate_reads_the_shares_from_the_counts_as_the_kernel_would_sum_them():
    """Buying.shares skips its pass over the market when every consumer buys its brand alone at one rate: the
    customer counts it returns are exactly what the kernel sums, in a market with adoption and churn."""
    from marketsim.market.buying import _expected_shares
    from marketsim.market.prices import step_prices

    sc = marketsim.load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml",
                                 {"population.size": 3000, "buying.repertoire": 0.0, "buying.rate_shape": None})
    model = MarketModel(sc, rng=2)
    model.run_for(60)
    st, buying = model.state, model.buying
    assert buying.one_brand_one_rate and (st.current >= 0).sum() > 100
    appeal = step_prices(sc, model.recorder.controlled(60), 60.5 * sc.time.dt).adoption
    held = np.zeros((len(sc.brands), len(sc.segment_names)))
    _expected_shares(st.current, st.loyalty, st.state, st.fit, appeal, buying.segment, buying.propensity, 0.0, held)
    assert (buying.shares(st, appeal) == held).all()
    assert (buying.weight == np.bincount(buying.segment, minlength=len(sc.segment_names))).all()
