"""The NBD-Dirichlet benchmark (studies/dirichlet.py): the published toothpaste table, and its
predictions against a panel drawn from the model itself."""

import numpy as np
import pytest

from marketsim.studies.dirichlet import Dirichlet, duplication, fit, predict

# UK toothpaste, first quarter of 1973, AGB panel (Goodhardt, Ehrenberg and Chatfield 1984, section 3),
# as the NBDdirichlet package for R gives it in its examples
SHARES = [0.25, 0.19, 0.1, 0.1, 0.09, 0.08, 0.03, 0.02]
PENETRATIONS = [0.2, 0.17, 0.09, 0.08, 0.08, 0.07, 0.03, 0.02]


def test_the_toothpaste_parameters_are_the_published_ones():
    """print.dirichlet's documented output: M = 1.46, K = 0.78, S = 1.55."""
    d = fit(0.56, 2.6, SHARES, PENETRATIONS)
    assert d.M == pytest.approx(1.456)
    assert round(d.K, 2) == 0.78
    assert round(d.S, 2) == 1.55


def test_the_toothpaste_buying_table_is_the_published_one():
    """summary.dirichlet's documented buy table (at the S its outlier rule gives, 1.295): purchases of
    the brand and of the category per brand buyer, to the one decimal published."""
    d = fit(0.56, 2.6, SHARES, PENETRATIONS)
    table = predict(Dirichlet(d.M, d.K, 1.29527957011121, d.shares, d.brands))
    assert table.purchase_frequency.round(1).tolist() == [1.8, 1.8, 1.7, 1.7, 1.7, 1.7, 1.6, 1.6]
    assert table.category_purchases.round(1).tolist() == [3.2, 3.2, 3.3, 3.3, 3.3, 3.3, 3.4, 3.4]
    # double jeopardy is in the model: smaller brands, fewer buyers buying each less often
    assert np.all(np.diff(table.penetration) <= 1e-12) and np.all(np.diff(table.purchase_frequency) <= 1e-12)


def test_predictions_match_a_panel_drawn_from_the_model():
    """Draw consumers as the model says (NBD counts, Dirichlet choice probabilities, multinomial
    purchases): every predicted measure, and the duplication table, within sampling error."""
    rng = np.random.default_rng(3)
    model = Dirichlet(2.0, 0.9, 1.4, np.array([0.4, 0.3, 0.2, 0.1]), ("A", "B", "C", "D"))
    consumers = 400_000
    n = rng.negative_binomial(model.K, model.K / (model.K + model.M), consumers)
    p = rng.dirichlet(model.S * model.shares, consumers)
    bought = _multinomials(rng, n, p)
    buyers = bought > 0
    predicted = predict(model)
    assert buyers.mean(axis=0) == pytest.approx(predicted.penetration, rel=0.02)
    assert (bought.sum(axis=0) / buyers.sum(axis=0)) == pytest.approx(predicted.purchase_frequency, rel=0.02)
    category = bought.sum(axis=1)
    scr = bought.sum(axis=0) / (buyers * category[:, None]).sum(axis=0)
    assert scr == pytest.approx(predicted.share_of_requirements, rel=0.02)
    sole = (buyers & (bought == category[:, None])).sum(axis=0) / buyers.sum(axis=0)
    assert sole == pytest.approx(predicted.sole_buyer_share, rel=0.03)
    dup = duplication(model).set_index(["brand", "also_bought"]).share
    for j, a in enumerate(model.brands):
        for o, b in enumerate(model.brands):
            if o != j:
                observed = (buyers[:, j] & buyers[:, o]).sum() / buyers[:, j].sum()
                assert observed == pytest.approx(dup[a, b], rel=0.04), (a, b)


def _multinomials(rng, n, p):
    """Multinomial draws for many consumers at once, brand by brand (conditional binomials)."""
    out = np.zeros(p.shape, dtype=np.int64)
    left, rest = n.copy(), np.ones(n.size)
    for j in range(p.shape[1] - 1):
        q = np.clip(p[:, j] / np.maximum(rest, 1e-300), 0.0, 1.0)
        out[:, j] = rng.binomial(left, q)
        left -= out[:, j]
        rest -= p[:, j]
    out[:, -1] = left
    return out


def test_a_fit_recovers_the_parameters_it_was_made_from():
    """Penetrations predicted from known M, K, S give those parameters back."""
    truth = Dirichlet(3.0, 0.6, 2.2, np.array([0.35, 0.25, 0.2, 0.12, 0.08]), tuple("ABCDE"))
    predicted = predict(truth)
    n, pn = truth.occasions()
    category_penetration = 1.0 - pn[0]
    d = fit(category_penetration, truth.M / category_penetration, truth.shares, predicted.penetration)
    assert d.K == pytest.approx(truth.K, rel=1e-6)
    assert d.S == pytest.approx(truth.S, rel=1e-6)


@pytest.mark.parametrize("penetration, rate", [(0.0, 2.0), (1.0, 2.0), (0.5, 0.5)])
def test_impossible_category_figures_are_refused(penetration, rate):
    with pytest.raises(ValueError, match="category penetration"):
        fit(penetration, rate, [0.5, 0.5], [0.3, 0.3])
