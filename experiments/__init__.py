"""The ready experiments, shipped inside the package as marketsim.experiments (data files only)."""
