"""A run's memory need, estimated up front, so that a run too big for the machine is refused at once
instead of failing (or swapping) after minutes. Calibrated on the baseline scenario scaled to 1M and
10M consumers (two brands, four campaigns, 10 contacts each): measured peak resident sizes of
673 MiB and 3,977 MiB, so about 290 MiB of imports plus 385 bytes per consumer (2026-11-24). A
first run also compiles the numba kernels (about 60 MiB more at its peak). The estimate errs on the
high side, by a third to a half.
"""

from __future__ import annotations

import os

from ..scenario.scale import in_consumers
from ..scenario.schema import Scenario

BASE = 400 * 2**20  # the interpreter, numpy, numba (compiling its kernels on a first run), pandas, Mesa
PER_CONSUMER = 100  # attributes, loyalty, word-of-mouth timing and the contact pipeline's scratch
PER_CONSUMER_BRAND = 80  # state, fit, wear, hazards, talk heard and the step's exposures, per brand
PER_CONTACT_END = 8  # the CSR graph (int32) and what building it holds at its peak
PER_IMPRESSION = 40  # one paid contact in a step: consumer and cost, both again grouped by block, and draws
PER_EDGE_FILE_BYTE = 20  # an edge list is read into Python lists before it becomes arrays
PER_CAMPAIGN_CONSUMER = 17  # a campaign's audience mask and its index arrays of reachable consumers
PER_TAILORED_CAMPAIGN_CONSUMER = 8  # with response.tailoring > 0: the message's relevance to each consumer
PER_RECORDED_VALUE = 8 * 40  # every recorded metric per step, brand and segment
MARGIN = 1.2


def run_bytes(sc: Scenario) -> int:
    """Estimated peak memory of one run of ``sc``, in bytes."""
    sc = in_consumers(sc)  # impressions and seeds as the engine delivers them
    n, brands, steps = sc.population.size, len(sc.brands), sc.time.steps
    degree = getattr(sc.network, "mean_degree", 0.0)
    edge_file = os.path.getsize(sc.network.path) if sc.network.type == "file" and os.path.isfile(sc.network.path) else 0
    impressions = 0.0
    for c in sc.campaigns:
        per_unit = c.impressions
        if per_unit is None and c.spend_rate is not None:
            cpm = next((ch.cpm for ch in sc.channels if ch.name == c.channel), 0.0)
            per_unit = c.spend_rate / (cpm / 1000.0) if cpm > 0 else 0.0
        impressions += (per_unit or 0.0) * sc.time.dt + (c.reach or 0) + (c.seeds or 0)
    per_campaign = PER_CAMPAIGN_CONSUMER + (PER_TAILORED_CAMPAIGN_CONSUMER if sc.response.tailoring > 0 else 0)
    total = (n * (PER_CONSUMER + PER_CONSUMER_BRAND * brands + per_campaign * len(sc.campaigns))
             + n * degree * PER_CONTACT_END + edge_file * PER_EDGE_FILE_BYTE
             + impressions * PER_IMPRESSION + (steps + 1) * brands * (len(sc.population.segments) + 1)
             * PER_RECORDED_VALUE)
    return int(BASE + total * MARGIN)


def available_bytes() -> int | None:
    """Memory the machine can give now (MemAvailable on Linux, physical memory elsewhere)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def too_big(per_run: int, runs_at_once: int = 1) -> str | None:
    """Why ``runs_at_once`` runs of ``per_run`` bytes would not fit in memory, or None if they would."""
    need, have = per_run * runs_at_once, available_bytes()
    if have is None or need <= have:
        return None
    what = "a run" if runs_at_once == 1 else f"{runs_at_once} runs at once"
    return (f"{what} would need about {need / 2**30:,.1f} GiB of memory and {have / 2**30:,.1f} GiB is "
            "available: lower population.size, network.mean_degree, impressions or the horizon"
            + (", or use fewer --workers" if runs_at_once > 1 else ""))
