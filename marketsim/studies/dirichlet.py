"""The NBD-Dirichlet model of buying (Goodhardt, Ehrenberg and Chatfield 1984), fitted to a market.

The benchmark a simulated category is read against: category purchases per consumer over a
period are NBD (mean ``M``, shape ``K``), and each consumer's brand choice probabilities are
Dirichlet with parameters ``S × share``, the same for every consumer. Given the category's
penetration and purchases per buyer, the brands' purchase shares and their observed penetrations,
``fit`` estimates ``M``, ``K`` and ``S`` as the NBDdirichlet package for R does (Chen 2008: ``K``
from the category's penetration, ``S`` solved per brand from its penetration and averaged with the
brands' shares as weights, without its quartile outlier rule). ``predict`` gives each brand's
penetration, purchase frequency, category purchases per buyer, share of category requirements and
sole buyers, and the duplication of purchase between brands, with which a simulated market's panel
table (``buying.parquet``; ``steady_panel`` and ``fit_to_panel``) can be set side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import betaln

MAX_K = 1e4  # NBD shape beyond which purchase counts are Poisson for any practical purpose
TAIL = 1e-10  # category purchase counts are summed up to the NBD's 1 - TAIL quantile


@dataclass(frozen=True)
class Dirichlet:
    """Fitted parameters: ``M`` mean category purchases per consumer in the period, ``K`` the NBD
    shape, ``S`` the Dirichlet's sum, ``shares`` the brands' purchase shares (of the whole category: the
    brands listed may be only some of it)."""

    M: float
    K: float
    S: float
    shares: np.ndarray
    brands: tuple[str, ...]

    def occasions(self) -> tuple[np.ndarray, np.ndarray]:
        """Category purchase counts n = 0..n* and their NBD probabilities."""
        p = self.K / (self.K + self.M)
        n = np.arange(int(stats.nbinom.ppf(1 - TAIL, self.K, p)) + 2)
        return n, stats.nbinom.pmf(n, self.K, p)

    def none_of(self, alpha: float, n: np.ndarray) -> np.ndarray:
        """P(no purchase of a brand (or set of brands) with Dirichlet weight ``alpha`` in n occasions)."""
        return np.exp(betaln(alpha, self.S - alpha + n) - betaln(alpha, self.S - alpha))


def _nbd_shape(penetration: float, m: float) -> float:
    """K such that an NBD of mean m has 1 - P(0) = penetration (Poisson as the limit)."""
    def gap(k):
        return 1.0 - (1.0 + m / k) ** -k - penetration
    if gap(MAX_K) <= 0:  # at least as concentrated as Poisson allows: the limit
        return MAX_K
    return optimize.brentq(gap, 1e-6, MAX_K, xtol=1e-12)


def _penetration(n: np.ndarray, pn: np.ndarray, share: float, s: float) -> float:
    alpha = s * share
    return 1.0 - float(np.sum(pn * np.exp(betaln(alpha, s - alpha + n) - betaln(alpha, s - alpha))))


def fit(category_penetration: float, category_buy_rate: float, shares, penetrations,
        brands=None) -> Dirichlet:
    """The Dirichlet fitted to a period's panel figures: the share of consumers who bought the
    category, their purchases each, and each brand's purchase share and penetration."""
    shares = np.asarray(shares, dtype=float)
    penetrations = np.asarray(penetrations, dtype=float)
    if not 0 < category_penetration < 1 or category_buy_rate < 1:
        raise ValueError("category penetration must be in (0, 1) and purchases per buyer at least 1")
    m = category_penetration * category_buy_rate
    k = _nbd_shape(category_penetration, m)
    names = tuple(brands) if brands is not None else tuple(f"B{j + 1}" for j in range(shares.size))
    trial = Dirichlet(m, k, 1.0, shares, names)
    n, pn = trial.occasions()
    per_brand = []
    for share, observed in zip(shares, penetrations):
        def gap(log_s):
            return _penetration(n, pn, share, np.exp(log_s)) - observed
        # predicted penetration rises with S; past the ends of the bracket the brand's S is the end
        low, high = np.log(1e-4), np.log(1e4)
        if gap(low) >= 0:
            per_brand.append(np.exp(low))
        elif gap(high) <= 0:
            per_brand.append(np.exp(high))
        else:
            per_brand.append(np.exp(optimize.brentq(gap, low, high, xtol=1e-12)))
    s = float(np.average(per_brand, weights=shares))
    return Dirichlet(m, k, s, shares, names)


def steady_panel(buying: pd.DataFrame) -> pd.DataFrame:
    """Each brand's panel measures over the whole market (a run's ``buying`` table, segment ``all``),
    averaged over the periods after the first (the first holds the installed bases' first purchases),
    indexed by brand, largest first: what the Dirichlet is fitted to."""
    later = buying[(buying.segment == "all") & (buying.period >= 1)]
    return later.groupby("brand", observed=True).mean(numeric_only=True).sort_values("purchase_share",
                                                                                     ascending=False)


def fit_to_panel(panel: pd.DataFrame, people: int) -> Dirichlet:
    """The Dirichlet fitted to a market's panel measures (``steady_panel``), ``people`` in the market."""
    buy_rate = panel.category_purchases.iloc[0] / panel.category_buyers.iloc[0]
    return fit(panel.category_buyers.iloc[0] / people, buy_rate, panel.purchase_share, panel.penetration, panel.index)


def duplication_law(duplication: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """Each brand's share of the other brands' buyers (a run's ``duplication`` table, averaged over those
    brands and the periods after the first) over its own penetration (``steady_panel``): a ``D`` the same
    for every brand is the duplication of purchase law."""
    later = duplication[duplication.period >= 1].groupby("also_bought", observed=True).share.mean()
    out = pd.DataFrame({"penetration": panel.penetration, "bought_by_others_buyers": later.reindex(panel.index)})
    out["D"] = out.bought_by_others_buyers / out.penetration
    return out


def predict(model: Dirichlet) -> pd.DataFrame:
    """Per brand, what the Dirichlet predicts for the period: penetration, purchases per buyer
    (``purchase_frequency``), category purchases per buyer, share of category requirements and
    the share of buyers who bought only the brand."""
    n, pn = model.occasions()
    rows = []
    for name, share in zip(model.brands, model.shares):
        alpha = model.S * share
        zero = model.none_of(alpha, n)
        penetration = 1.0 - float(np.sum(pn * zero))
        frequency = model.M * share / penetration
        category = float(np.sum(pn * n * (1.0 - zero))) / penetration
        # only this brand in n >= 1 occasions: the Beta-binomial's mass at n
        only = np.exp(betaln(alpha + n, model.S - alpha) - betaln(alpha, model.S - alpha))
        sole = float(np.sum(pn[1:] * only[1:])) / penetration
        rows.append({"brand": name, "share": share, "penetration": penetration, "purchase_frequency": frequency,
                     "category_purchases": category, "share_of_requirements": frequency / category,
                     "sole_buyer_share": sole})
    return pd.DataFrame(rows)


def duplication(model: Dirichlet) -> pd.DataFrame:
    """The predicted share of each brand's buyers who also bought each other brand."""
    n, pn = model.occasions()
    none = {j: model.none_of(model.S * s, n) for j, s in enumerate(model.shares)}
    rows = []
    for j, name in enumerate(model.brands):
        bought_j = 1.0 - float(np.sum(pn * none[j]))
        for o, other in enumerate(model.brands):
            if o == j:
                continue
            neither = model.none_of(model.S * (model.shares[j] + model.shares[o]), n)
            both = 1.0 - float(np.sum(pn * none[j])) - float(np.sum(pn * none[o])) + float(np.sum(pn * neither))
            rows.append({"brand": name, "also_bought": other, "share": both / bought_j})
    return pd.DataFrame(rows)
