"""The memory estimate that refuses runs too big for the machine stays a close upper bound."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import marketsim
from marketsim.studies.memory import run_bytes

BASELINE = Path(__file__).parent.parent / "scenarios" / "baseline.toml"
# VmHWM is this process's own peak; ru_maxrss would count the parent's size at the fork
MEASURE = """
import json, sys
import marketsim
sc = marketsim.load_scenario(sys.argv[1], {"population.size": int(sys.argv[2]), "time.horizon": 30})
marketsim.run(sc, seed=1)
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps(int(peak.split()[1]) * 1024))
"""


@pytest.mark.parametrize("size", [50_000, 300_000])
def test_estimate_is_above_the_measured_peak_and_within_twice_it(size):
    done = subprocess.run([sys.executable, "-c", MEASURE, str(BASELINE), str(size)], capture_output=True, text=True,
                          check=True)
    peak = json.loads(done.stdout.strip().splitlines()[-1])
    estimate = run_bytes(marketsim.load_scenario(BASELINE, {"population.size": size, "time.horizon": 30}))
    assert peak < estimate < 2 * peak, (peak / 2**20, estimate / 2**20)
