"""The ready scenarios, shipped inside the package as marketsim.scenarios (data files only)."""
