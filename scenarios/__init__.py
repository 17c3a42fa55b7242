"""The ready scenarios, shipped inside the package as sim.scenarios (data files only)."""
