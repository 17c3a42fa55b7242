"""Numbers given as distributions: checked against their fields, run at their medians, sampled by LHS."""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from marketsim.cli import app
from marketsim.scenario.loading import scenario_from_dict
from marketsim.scenario.schema import ScenarioError
from marketsim.scenario.uncertainty import DISTRIBUTIONS, find_uncertain, latin_hypercube
from tests.helpers import BASE


def with_dists(**tables):
    """BASE with word_of_mouth.strength, response.wearout, brands.A.margin, campaigns.ads.impressions set."""
    raw = copy.deepcopy(BASE)
    where = {"strength": ("word_of_mouth", "strength"), "wearout": ("response", "wearout"),
             "margin": ("brands", 0, "margin"), "impressions": ("campaigns", 0, "impressions"),
             "size": ("population", "size")}
    for field, table in tables.items():
        node = raw
        for k in where[field][:-1]:
            node = node[k]
        node[where[field][-1]] = table
    return raw


def test_run_uses_each_median_and_remembers_the_distributions():
    raw = with_dists(strength={"dist": "uniform", "low": 0.02, "high": 0.08},
                     wearout={"dist": "loguniform", "low": 0.01, "high": 0.04},
                     margin={"dist": "triangular", "low": 0.2, "mode": 0.3, "high": 0.6},
                     impressions={"dist": "normal", "mean": 1000, "sd": 100, "low": 0})
    sc = scenario_from_dict(raw)
    assert sc.word_of_mouth.strength == pytest.approx(0.05)
    assert sc.response.wearout == pytest.approx(0.02)  # geometric middle of a log-uniform
    assert sc.brands[0].margin == pytest.approx(0.6 - np.sqrt(0.4 * 0.3 / 2))  # triangular median, mode left of centre
    assert sc.campaigns[0].impressions == pytest.approx(1000, abs=1e-6)
    assert [u.path for u in sc._uncertain] == ["response.wearout", "word_of_mouth.strength", "brands.A.margin",
                                               "campaigns.ads.impressions"]


def test_range_must_fit_the_field():
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(with_dists(margin={"dist": "uniform", "low": 0.5, "high": 1.5}), "s.toml")
    assert err.value.problems[0][0] == "brands.A.margin"
    assert "1.5" in err.value.problems[0][1] and str(err.value).startswith("s.toml: ")


def test_untruncated_normal_on_a_bounded_field_asks_for_truncation():
    with pytest.raises(ScenarioError, match="response.wearout.*truncate"):
        scenario_from_dict(with_dists(wearout={"dist": "normal", "mean": 0.2, "sd": 0.05}))
    sc = scenario_from_dict(with_dists(wearout={"dist": "normal", "mean": 0.2, "sd": 0.05, "low": 0, "high": 1}))
    assert sc.response.wearout == pytest.approx(0.2, abs=1e-4)  # truncation at 4 sd barely moves it


@pytest.mark.parametrize("table, field", [
    ({"dist": "uniform", "low": 0.5}, "high"),
    ({"dist": "uniform", "low": 0.5, "high": 0.1}, ""),
    ({"dist": "loguniform", "low": 0, "high": 0.1}, "low"),
    ({"dist": "triangular", "low": 0.1, "mode": 0.9, "high": 0.5}, ""),
    ({"dist": "normal", "mean": 0.5, "sd": -1, "low": 0, "high": 1}, "sd"),
    ({"dist": "gamma", "shape": 2}, ""),
    ({"dist": "uniform", "low": 0.1, "high": 0.2, "mode": 0.1}, "mode"),
])
def test_bad_parameters_are_named(table, field):
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(with_dists(strength=table), "s.toml")
    path, _ = err.value.problems[0]
    assert path == "word_of_mouth.strength" + (f".{field}" if field else "")


def test_integer_fields_get_whole_numbers():
    raw = with_dists(size={"dist": "uniform", "low": 1000, "high": 2001})
    sc = scenario_from_dict(raw)
    assert sc.population.size == 1500 or sc.population.size == 1501
    (u,) = find_uncertain(copy.deepcopy(with_dists(size={"dist": "uniform", "low": 1000, "high": 2001})), "s")
    assert u.integer
    draws = latin_hypercube([u], 50, seed=1)["population.size"]
    assert (draws == np.round(draws)).all() and draws.between(1000, 2001).all()


def test_set_accepts_a_distribution_table():
    raw = copy.deepcopy(BASE)
    sc = scenario_from_dict(raw, overrides={"word_of_mouth.strength": {"dist": "uniform", "low": 0.1, "high": 0.3}})
    assert sc.word_of_mouth.strength == pytest.approx(0.2)
    assert sc._uncertain[0].path == "word_of_mouth.strength"


@settings(max_examples=30, deadline=None)
@given(samples=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_latin_hypercube_stays_in_support_and_stratifies(samples, seed):
    raw = with_dists(strength={"dist": "uniform", "low": 0.02, "high": 0.08},
                     wearout={"dist": "normal", "mean": 0.2, "sd": 0.3, "low": 0, "high": 0.5})
    uncertain = find_uncertain(raw, "s")
    draws = latin_hypercube(uncertain, samples, seed)
    assert len(draws) == samples
    assert draws["word_of_mouth.strength"].between(0.02, 0.08).all()
    assert draws["response.wearout"].between(0, 0.5).all()
    strata = np.floor((draws["word_of_mouth.strength"] - 0.02) / 0.06 * samples).clip(0, samples - 1)
    assert sorted(strata.astype(int)) == list(range(samples))  # one draw in each equal-probability slice
    assert draws.equals(latin_hypercube(uncertain, samples, seed))


@pytest.mark.parametrize("table, median, quarter", [
    ({"dist": "uniform", "low": 1, "high": 3}, 2.0, 1.5),
    ({"dist": "loguniform", "low": 1, "high": 100}, 10.0, 10 ** 0.5),  # even in orders of magnitude
    ({"dist": "triangular", "low": 0, "mode": 0, "high": 1}, 1 - 0.5 ** 0.5, 1 - 0.75 ** 0.5),  # F = 1 - (1 - x)^2
    ({"dist": "normal", "mean": 0, "sd": 2, "low": 0}, 2 * 0.6744897501960817, 2 * 0.31863936396437526),  # half
])
def test_medians_and_quantiles_are_the_distributions_own(table, median, quarter):
    """Worked out by hand (half-normal: sd times the normal quantile of (1 + p) / 2), not read back from scipy."""
    d = DISTRIBUTIONS.validate_python(table)
    assert d.median == pytest.approx(median) and d.ppf(0.5) == pytest.approx(median)
    assert d.ppf(0.25) == pytest.approx(quarter)


def test_cli_says_it_uses_medians_and_rejects_bad_ranges(tmp_path):
    import tomli_w

    path = tmp_path / "s.toml"
    path.write_text(tomli_w.dumps(with_dists(strength={"dist": "uniform", "low": 0.02, "high": 0.08})))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert "word_of_mouth.strength" in result.output and "median 0.05" in result.output
    result = CliRunner().invoke(app, ["validate", str(path), "--set",
                                      'brands.A.margin={dist="uniform", low=0.5, high=2}'])
    assert result.exit_code == 2
    assert "brands.A.margin" in result.output
