"""The ready experiments, shipped inside the package as sim.experiments (data files only)."""
