"""Everything the dashboard reads from a running MarketModel, in one place.

Only public attributes are read (``model.recorder.data``, ``model.recorder.spend``,
``model.state``, ``model.brands``, ``model.graph``, ``model.population``, ``model.steps``), so
a change in the model core touches this module alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..market.model import MarketModel

NETWORK_SAMPLE = 300


@dataclass(frozen=True)
class Series:
    """Per-step curves from step 0 to the current step; arrays are (steps + 1, brands) unless noted."""

    time: np.ndarray  # (steps + 1,) in the scenario's time unit
    brands: list[str]
    segments: list[str]
    customers: np.ndarray
    paid: np.ndarray  # new customers won by paid contacts (free samples included), cumulative
    wom: np.ndarray  # new customers won by word of mouth, cumulative
    spend: np.ndarray  # cumulative
    cac: np.ndarray  # blended CAC so far: cumulative spend / cumulative new customers; NaN before the first
    share: np.ndarray  # (steps + 1, brands, segments): share of each segment that buys the brand
    threshold: float  # share at which a brand controls a segment


def series(model: MarketModel, upto: int | None = None) -> Series:
    """Steps 0 to ``upto`` (the model's current step by default), in people and real money, as every output
    (the consumers times what each stands for). Rows up to a step already taken never change, so a run still
    stepping in another thread can be read up to the steps it has done."""
    rec, now = model.recorder, model.steps if upto is None else upto
    d, k = rec.data, rec.people_per_consumer
    customers = d["customer"][: now + 1] * k
    paid = d["first_paid"][: now + 1].sum(axis=2).cumsum(axis=0) * k
    wom = d["first_wom"][: now + 1].sum(axis=2).cumsum(axis=0) * k
    spend = rec.spend[: now + 1].cumsum(axis=0) * k
    won = paid + wom
    cac = np.divide(spend, won, out=np.full(spend.shape, np.nan), where=won > 0)
    return Series(
        time=np.arange(now + 1) * model.scenario_spec.time.dt,
        brands=[b.name for b in model.brands],
        segments=list(rec.segments),
        customers=customers.sum(axis=2),
        paid=paid,
        wom=wom,
        spend=spend,
        cac=cac,
        share=rec.share(slice(now + 1)),
        threshold=rec.threshold,
    )


MEASURES = ("customers", "cost per new customer", "share of the niche")


def measures(s: Series, niche: str) -> dict[str, np.ndarray]:
    """The monitors' figures at the last step of ``s``, per brand: customers (people), cost per new customer (the
    blended CAC of docs/outputs.md so far: all spend over all first-time customers, NaN before the first), and the
    brand's share of the niche segment's buying (what niche control counts)."""
    last = len(s.time) - 1
    return {"customers": s.customers[last].astype(float), "cost per new customer": s.cac[last],
            "share of the niche": s.share[last, :, s.segments.index(niche)]}


NEW_NOTE = ("A new customer buys the brand for the first time: one who leaves and comes back is not new again, "
            "so a brand's new customers never outnumber the market's people.")


def summary_table(model: MarketModel, niche: str) -> pd.DataFrame:
    """Key metrics per brand at the current step, one row per brand."""
    s = series(model)
    last = len(s.time) - 1
    k = s.segments.index(niche)
    total = s.customers[last].sum()
    margin = model.recorder.data["margin"][: model.steps + 1].sum(axis=(0, 2)) * model.recorder.people_per_consumer
    rows = []
    for b, name in enumerate(s.brands):
        won = s.paid[last, b] + s.wom[last, b]
        rows.append({
            "brand": name,
            "customers": int(s.customers[last, b]),
            "market share": s.customers[last, b] / total if total else math.nan,
            "new customers from paid contacts": int(s.paid[last, b]),
            "new customers from word of mouth": int(s.wom[last, b]),
            "word-of-mouth share of new customers": s.wom[last, b] / won if won else math.nan,
            "spend": float(s.spend[last, b]),
            "margin earned": float(margin[b]),
            "cost per new customer": float(s.cac[last, b]),
            f"share of {niche}": float(s.share[last, b, k]),
            "segments controlled": ", ".join(seg for j, seg in enumerate(s.segments)
                                             if s.share[last, b, j] >= s.threshold) or "-",
        })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class NetworkSample:
    """A few hundred consumers and the links among them, with a layout computed once."""

    nodes: np.ndarray  # consumer indices
    edges: np.ndarray  # (E, 2) positions into ``nodes``
    xy: np.ndarray  # (len(nodes), 2)


def network_sample(model: MarketModel, size: int = NETWORK_SAMPLE) -> NetworkSample:
    """Snowball sample from a few random consumers, so the drawn links show who talks to whom.

    The layout is a spring layout of the sample only (a few hundred nodes, well under a second);
    a fully mixed market has no links, so its consumers sit on a circle.
    """
    import networkx as nx

    rng = np.random.default_rng(model.seed)
    n = model.population.size
    graph = model.graph
    size = min(size, n)
    if graph is None:
        nodes = np.sort(rng.choice(n, size, replace=False))
        angle = np.linspace(0, 2 * np.pi, size, endpoint=False)
        return NetworkSample(nodes, np.empty((0, 2), dtype=int), np.column_stack([np.cos(angle), np.sin(angle)]))
    chosen: dict[int, None] = {}
    frontier: list[int] = []
    while len(chosen) < size:
        if not frontier:
            start = int(rng.integers(n))
            if start in chosen:
                continue
            frontier = [start]
        i = frontier.pop(0)
        if i in chosen:
            continue
        chosen[i] = None
        frontier.extend(int(j) for j in rng.permutation(graph.neighbours(i))[:4])
    nodes = np.array(sorted(chosen))
    position = {int(i): k for k, i in enumerate(nodes)}
    edges = np.array([(position[int(i)], position[int(j)]) for i in nodes for j in graph.neighbours(int(i))
                      if int(j) in position and i < j], dtype=int).reshape(-1, 2)
    g = nx.Graph()
    g.add_nodes_from(range(len(nodes)))
    g.add_edges_from(edges.tolist())
    layout = nx.spring_layout(g, seed=int(rng.integers(2**31)), iterations=50)
    return NetworkSample(nodes, edges, np.array([layout[k] for k in range(len(nodes))]))
