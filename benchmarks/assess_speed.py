"""How long the ready assessment takes at its defaults: `marketsim assess launch_decision` on two workers.

The issue's target is under two minutes on two cores. Each round runs the command in a fresh
process into a fresh runs folder (nothing to resume), so the time includes starting the workers
and numba's compilation, as a strategist would see it. Wall-clock seconds per round and their
median are printed with the load average, so a reader can tell a quiet machine from a busy one.

    python benchmarks/assess_speed.py              # 3 rounds (about 3 minutes)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def one_round(workers: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "marketsim", "assess", "launch_decision", "--workers", str(workers),
                        "--out", str(Path(folder) / "runs"), "--quiet"], check=True, cwd=folder,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    seconds = [one_round(args.workers) for _ in range(args.rounds)]
    print(f"ready assessment (launch_decision, 64 futures x 3 strategies, each with its lift), {args.workers} "
          f"workers: {', '.join(f'{s:.1f}' for s in seconds)} s; median {statistics.median(seconds):.1f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
