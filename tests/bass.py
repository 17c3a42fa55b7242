"""The Bass docking set-up shared by the tests and the docking benchmark."""

import math

import numpy as np

from marketsim.scenario.loading import scenario_from_dict

P, Q = 0.03, 0.38
AD_EFFECT = 0.5


def bass_F(t, p=P, q=Q):
    """Bass (1969) cumulative adoption share."""
    t = np.asarray(t, dtype=float)
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


def bass_scenario(size: int, dt: float, horizon: float = 20.0, network: dict | None = None, p=P, q=Q):
    """One brand, perfect fit, no churn, no budget limit; ads give hazard p, word of mouth q."""
    impressions_per_consumer = p / (1 - math.exp(-AD_EFFECT))  # Poisson impressions give hazard p
    raw = {
        "name": "bass",
        "time": {"dt": dt, "horizon": horizon},
        "population": {"size": size, "talkativeness_spread": 0.0,
                       "segments": [{"name": "everyone", "share": 1.0}]},
        "network": network or {"type": "fully_mixed"},
        "response": {"ad_effect": AD_EFFECT, "relevance_gain": 0.0, "wearout": 0.0, "fit_spread": 0.0},
        "word_of_mouth": {"strength": q, "negative_weight": 0.0},
        "loyalty": {"churn": 0.0, "negative_word_churn": 0.0},
        "channels": [{"name": "mass", "cpm": 0.0}],
        "brands": [{"name": "B", "price": 1.0, "margin": 0.5, "purchase_rate": 0.0, "default_fit": 1.0}],
        "campaigns": [{"name": "ads", "brand": "B", "channel": "mass",
                       "impressions": impressions_per_consumer * size}],
    }
    return scenario_from_dict(raw)


def adoption_curve(result) -> tuple[np.ndarray, np.ndarray]:
    ts = result.timeseries
    rows = ts[(ts.segment == "all")]
    size = result.summary["consumers"]
    return rows.time.to_numpy(), rows.adopters.to_numpy() / size
