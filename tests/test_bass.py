"""Docking to the Bass model: fully mixed diffusion converges to F(t); networks are never faster."""

import numpy as np
import pytest
from bass import adoption_curve, bass_F, bass_scenario

import marketsim


def mean_curve(scenario, seeds):
    curves = [adoption_curve(marketsim.run(scenario, seed=s)) for s in seeds]
    return curves[0][0], np.mean([F for _, F in curves], axis=0)


def test_fully_mixed_converges_to_bass():
    t, F = mean_curve(bass_scenario(20_000, dt=0.05), seeds=range(4))
    assert np.abs(F - bass_F(t)).max() < 0.02


def test_error_shrinks_with_dt():
    errors = []
    for dt in (1.0, 0.25, 0.05):
        t, F = mean_curve(bass_scenario(10_000, dt=dt), seeds=range(2))
        errors.append(np.abs(F - bass_F(t)).max())
    assert errors[0] > errors[1] > errors[2]


@pytest.mark.parametrize("network", [
    {"type": "ring", "mean_degree": 4},
    {"type": "small_world", "mean_degree": 10, "rewire": 0.1},
    {"type": "random", "mean_degree": 10},
    {"type": "scale_free", "mean_degree": 10},
    {"type": "homophilous", "mean_degree": 10, "homophily": 0.9},
])
def test_network_diffusion_is_never_faster_than_bass(network):
    t, F = mean_curve(bass_scenario(10_000, dt=0.1, network=network), seeds=range(2))
    # sampling noise of a share over 2 x 10k consumers is well below 0.01
    assert (F - bass_F(t)).max() < 0.01
    # and a lattice, where talk stays local, is clearly slower
    if network["type"] == "ring":
        assert F[t == 10].item() < bass_F(10.0) - 0.1
