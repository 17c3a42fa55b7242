"""A small two-segment market to test one mechanism at a time."""

import copy

from sim.loading import scenario_from_dict

BASE = {
    "name": "small",
    "time": {"dt": 1, "horizon": 30},
    "population": {"size": 4000, "segments": [
        {"name": "young", "share": 0.5, "age": {"min": 16, "max": 29}, "region": {"city": 0.5, "village": 0.5},
         "interests": {"sport": 0.8}},
        {"name": "old", "share": 0.5, "age": {"min": 50, "max": 80}, "region": {"city": 0.5, "village": 0.5},
         "interests": {"sport": 0.1, "garden": 0.7}},
    ]},
    "network": {"type": "random", "mean_degree": 8},
    "response": {"ad_effect": 0.05, "wearout": 0.0},
    "word_of_mouth": {"strength": 0.0},
    "loyalty": {"churn": 0.0},
    "conditions": [{"name": "rain", "region": "city", "probability": 0.3}],
    "channels": [{"name": "tv", "cpm": 10.0}, {"name": "app", "cpm": 10.0, "users": {"field": "age", "max": 35}}],
    "brands": [{"name": "A", "price": 10, "margin": 0.5, "purchase_rate": 0.1, "fit": {"young": 0.9, "old": 0.3}}],
    "campaigns": [{"name": "ads", "brand": "A", "channel": "tv", "impressions": 2000}],
}


def scenario(*changes: tuple[str, object]):
    """BASE with changes given as (dotted path, value); list items by index."""
    raw = copy.deepcopy(BASE)
    for path, value in changes:
        node = raw
        keys = path.split(".")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list):
            index = int(keys[-1])
            node[index:index + 1] = [value]  # replaces an item, or appends one at the end
        else:
            node[keys[-1]] = value
    return scenario_from_dict(raw)


def brand_rows(result, brand="A", segment="all"):
    ts = result.timeseries
    return ts[(ts.brand == brand) & (ts.segment == segment)].reset_index(drop=True)
