"""Speed work must not change results: small runs of every ready scenario, plus variants that reach
the branches the scenarios do not (fully mixed, referral offers, seeding at random, every network
type, no wear-out, no forgetting, half steps, flighting, lift, a market of several chunks), hash to the
fingerprints saved in fingerprints.json.

A change that is meant to alter results regenerates the file on purpose and says why in its
commit:  python tests/test_fingerprint.py
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import marketsim
from marketsim.scenario.loading import scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
SAVED = Path(__file__).with_name("fingerprints.json")
SIZE = 2_000
SIGNIFICANT = 12  # digits kept of each float, so that a libm's last-bit rounding is not a change

REFERRAL = {"name": "invite", "brand": "Spark", "type": "referral", "start": 30, "end": 200, "reward": 2.0,
            "uplift": 1.5, "budget": 400}
VARIANTS = {
    "baseline_fully_mixed": ("baseline", {"network": {"type": "fully_mixed"}, "campaigns.spark_samples.seed_by": "random"}),
    "baseline_referral_random_seeds": ("baseline", {"campaigns.spark_samples.seed_by": "random",
                                                    "campaigns.+": REFERRAL}),
    "baseline_plain_response": ("baseline", {"response.wearout": 0.0, "response.awareness_half_life": None,
                                             "word_of_mouth.buzz_half_life": None,
                                             "campaigns.spark_event.buzz": 0.0}),
    "baseline_random_graph": ("baseline", {"network": {"type": "random", "mean_degree": 6}}),
    "baseline_scale_free": ("baseline", {"network": {"type": "scale_free", "mean_degree": 6, "exponent": 2.5}}),
    "baseline_small_world": ("baseline", {"network": {"type": "small_world", "mean_degree": 6, "rewire": 0.1}}),
    "baseline_half_step": ("baseline", {"time.dt": 0.5}),
    "baseline_flighting": ("baseline", {"campaigns.mass_tv.flighting": {"on": 14, "off": 21},
                                        "campaigns.spark_social.flighting": {"on": 10, "off": 5}}),
    "baseline_flighting_half_step": ("baseline", {"time.dt": 0.5,
                                                  "campaigns.mass_tv.flighting": {"on": 14, "off": 21},
                                                  "campaigns.spark_social.copy_recovery_half_life": 7}),
    "baseline_audience_rules": ("baseline", {"campaigns.spark_social.audience": {"all": [
        {"field": "interests", "has_all": ["extreme_sports", "fitness"]},
        {"field": "occupation", "not_in": ["retired", "professional"]}]}}),
    # three of the kernels' chunks (65,536 consumers) and nine of the contact pipeline's blocks: the
    # others fit in one of each, where a chunk's boundaries and the joins of its lists cannot go wrong
    "baseline_several_chunks": ("baseline", {"population.size": 140_000, "time.horizon": 60}),
}
LIFT = {"baseline"}


def scenarios() -> dict[str, marketsim.Scenario]:
    out = {}
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        out[path.stem] = marketsim.load_scenario(path, {"population.size": SIZE})
    for name, (base, fields) in VARIANTS.items():
        raw = marketsim.load_scenario(ROOT / "scenarios" / f"{base}.toml", {"population.size": SIZE})
        data = raw.model_dump(by_alias=True, exclude_unset=True)
        for path, value in fields.items():
            if path == "campaigns.+":
                data["campaigns"].append(value)
            elif path == "network":
                data["network"] = value
            else:
                *parents, last = path.split(".")
                node = data
                for p in parents:
                    node = next(c for c in node if c["name"] == p) if isinstance(node, list) else node[p]
                node[last] = value
        out[name] = scenario_from_dict(data, name)
    return out


def rounded(value):
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT}g}")
    return value


def fingerprint(scenario: marketsim.Scenario, lift: bool) -> str:
    result = marketsim.run(scenario, seed=11, lift=lift)
    digest = hashlib.sha256()
    for column in result.timeseries.columns:
        values = result.timeseries[column].to_numpy()
        if values.dtype.kind == "f":
            values = np.array([float(f"{v:.{SIGNIFICANT}g}") for v in values])
        digest.update(column.encode())
        digest.update(np.ascontiguousarray(values.astype(str) if values.dtype == object else values).tobytes())
    digest.update(json.dumps(rounded(result.summary), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def current() -> dict[str, str]:
    return {name: fingerprint(sc, name in LIFT) for name, sc in scenarios().items()}


CASES = sorted(json.loads(SAVED.read_text())) if SAVED.exists() else []


@pytest.mark.regression
@pytest.mark.parametrize("name", CASES)
def test_results_match_the_saved_fingerprint(name):
    sc = scenarios()[name]
    assert fingerprint(sc, name in LIFT) == json.loads(SAVED.read_text())[name], (
        f"{name}: results changed; if the model was meant to change, run python tests/test_fingerprint.py")


@pytest.mark.regression
def test_every_scenario_has_a_fingerprint():
    assert set(CASES) == set(scenarios())


if __name__ == "__main__":
    SAVED.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {SAVED}", file=sys.stderr)
