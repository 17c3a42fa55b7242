"""Hypothesis profiles. ``mutation`` (benchmarks/mutation_campaign.py) keeps no example database and
draws the same examples every run, so that a failure found under one mutant is not replayed under
the next (which would count it as killed) and a mutant's outcome does not depend on luck."""

from hypothesis import settings

settings.register_profile("mutation", database=None, derandomize=True)

# One thread per test worker, and per process a test starts: the suite runs two workers on two cores.
# tests/test_threads.py starts a process with two where it compares them with one. Set before numba starts
# its threads: set after, a run without xdist launched two, and numba's next compile, reading one from the
# environment, refused to change the count (a RuntimeError instead of the test's own outcome).
import os  # noqa: E402

os.environ["NUMBA_NUM_THREADS"] = "1"  # read by numba when it starts its threads, and by the processes a test starts

import numba  # noqa: E402

numba.set_num_threads(1)
