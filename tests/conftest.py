"""Hypothesis profiles. ``mutation`` (benchmarks/mutation_campaign.py) keeps no example database and
draws the same examples every run, so that a failure found under one mutant is not replayed under
the next (which would count it as killed) and a mutant's outcome does not depend on luck."""

from hypothesis import settings

settings.register_profile("mutation", database=None, derandomize=True)
