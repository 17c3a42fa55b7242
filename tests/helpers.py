"""A small two-segment market to test one mechanism at a time, and helpers the tests share."""

import copy
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from marketsim.scenario.loading import scenario_from_dict

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


def put(raw: dict, path: str, value) -> dict:
    """``raw`` with the value at a dotted path set (list items by index; one past the end appends)."""
    node = raw
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    if isinstance(node, list):
        node[int(keys[-1]):int(keys[-1]) + 1] = [value]  # replaces an item, or appends one at the end
    else:
        node[keys[-1]] = value
    return raw


def scenario(*changes: tuple[str, object]):
    """BASE with changes given as (dotted path, value); list items by index."""
    raw = copy.deepcopy(BASE)
    for path, value in changes:
        put(raw, path, value)
    return scenario_from_dict(raw)


def brand_rows(result, brand="A", segment="all"):
    ts = result.timeseries
    return ts[(ts.brand == brand) & (ts.segment == segment)].reset_index(drop=True)


def value_paths(node, prefix=()):
    """Every path (keys and list indices) to a value inside a raw scenario or experiment."""
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from value_paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from value_paths(v, prefix + (i,))


def mutate(raw: dict, path: tuple, action: str, value) -> None:
    """Break a raw file in place: delete or replace the value at ``path``, add an unknown field to
    the table there, or wrap the value in a table."""
    parent = raw
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "replace":
        parent[key] = value
    elif action == "unknown" and isinstance(parent[key], dict):
        parent[key]["not_a_field"] = value
    elif action == "wrap":
        parent[key] = {"a": parent[key]}


@contextmanager
def read_only(folder: Path):
    """A folder no one may write in; root ignores modes, so for root it is made immutable."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
    elif subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("running as root without chattr: cannot make a read-only folder")
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


# The fuzz tests' examples are multiplied by this for a fuzz campaign (benchmarks/fuzz_campaign.py);
# the suite runs them once.
FUZZ_SCALE = int(os.environ.get("MARKETSIM_FUZZ_SCALE", "1"))


def fuzz_settings(examples: int):
    """``examples`` hostile inputs (times FUZZ_SCALE), without deadlines: a run may take a second."""
    return settings(max_examples=examples * FUZZ_SCALE, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
