"""Studies built on runs of the market: a run to its horizon, experiments and sweeps, assessment under
uncertainty, scenario discovery, calibration to a pilot, and memory estimates."""
