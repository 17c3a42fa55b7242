"""Scenario files: the schema (typed, validated), reading TOML, uncertain fields, and errors in the
file's own terms. The bottom layer: it imports nothing else of marketsim."""
