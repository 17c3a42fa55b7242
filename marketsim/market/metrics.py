"""What a run measures: per-step counts per brand and segment, and the run summary.

Counts are kept in arrays of shape (steps + 1, brands, segments); row 0 is the state before the
first step. The long table adds a segment ``all`` row per step and brand. docs/outputs.md
documents every column and summary field.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..scenario.schema import Scenario
from .state import STATES, ConsumerState, Transitions

SEGMENT_COUNTS = ("reach", "reach_outside_audience", *[s for s in STATES], "adopters", "new_paid", "new_wom",
                  "first_paid", "first_wom", "reacquired", "seeded", "churned", "switched", "impressions",
                  "wasted_impressions", "purchases")
SEGMENT_AMOUNTS = ("loyalty_sum", "revenue", "margin", "wasted_spend")
# the run summary's counts of people and sums of money: multiplied by what a consumer stands for (scenario/scale.py)
SUMMARY_AMOUNTS = ("reach", "reach_outside_audience", "reach_in_audience", "aware", "installed_base", "customers",
                   "lapsed", "adopters", "acquisitions", "acquisitions_paid", "acquisitions_wom",
                   "first_acquisitions_paid", "first_acquisitions_wom", "reacquisitions", "churned", "switched",
                   "impressions", "wasted_impressions", "wasted_spend", "spend", "purchases", "repeat_purchases",
                   "revenue", "margin", "customer_equity")
ALL = "all"


class Recorder:
    def __init__(self, steps: int, brands: list[str], segments: list[str], audience: np.ndarray,
                 segment: np.ndarray, threshold: float, segment_weight: np.ndarray, people_per_consumer: int = 1):
        self.brands, self.segments = brands, segments
        self.people_per_consumer = people_per_consumer  # outputs are in people and real money
        self.audience = audience  # (brands, N): in the audience of any of the brand's campaigns
        self.segment = segment
        self.threshold = threshold
        shape = (steps + 1, len(brands), len(segments))
        self.data = {k: np.zeros(shape, dtype=np.int64) for k in SEGMENT_COUNTS}
        self.data.update({k: np.zeros(shape) for k in SEGMENT_AMOUNTS})
        self.spend = np.zeros((steps + 1, len(brands)))
        # what niche control counts (Buying.shares): each brand's expected buying per segment, step by step,
        # over what each segment buys in all ((segments,), Buying.weight)
        self.held = np.zeros(shape)
        self.weight = segment_weight
        self.first_control = np.full((len(brands), len(segments)), np.nan)
        self.customer_time = np.zeros(len(brands))  # sum of customers x dt, for the churn rate
        # the installed base, followed apart so that the LTV of new customers uses their own churn
        self.installed: np.ndarray | None = None  # (N,) still a customer since step 0
        self.installed_now = np.zeros(len(brands), dtype=np.int64)
        self.installed_lost = np.zeros(len(brands), dtype=np.int64)
        self.installed_time = np.zeros(len(brands))

    def _by_segment(self, who: np.ndarray) -> np.ndarray:
        return np.bincount(self.segment[who], minlength=len(self.segments))

    def record(self, step: int, time: float, dt: float, state: ConsumerState, transitions: Transitions | None,
               spent: np.ndarray, held: np.ndarray) -> None:
        """Store the state after ``step`` (0 = initial), what happened during it and the brands' expected
        buying in each segment (``held``, Buying.shares). The state keeps its per-segment counts up to
        date as consumers change, so no pass over the market here."""
        d = self.data
        self.held[step] = held
        for s, name in enumerate(STATES):
            d[name][step] = state.counts[:, s]
        d["loyalty_sum"][step] = state.loyalty_sum
        self.spend[step] = spent
        if step == 0:
            self.installed = state.current >= 0
            self.installed_now = np.bincount(state.current[self.installed],
                                             minlength=len(self.brands)).astype(np.int64)
        else:
            for k in ("reach", "reach_outside_audience", "adopters"):
                d[k][step] = d[k][step - 1]
            self.customer_time += d["customer"][step - 1].sum(axis=1) * dt
            self.installed_time += self.installed_now * dt
        if transitions is not None:
            self._events(step, transitions)
        newly = self.controlled(step) & np.isnan(self.first_control)
        self.first_control[newly] = time

    def _events(self, step: int, t: Transitions) -> None:
        d = self.data
        for b in range(len(self.brands)):
            reached = Transitions.joined(t.reached[b])
            d["reach"][step, b] += self._by_segment(reached)
            d["reach_outside_audience"][step, b] += self._by_segment(reached[~self.audience[b, reached]])
            d["seeded"][step, b] = self._by_segment(Transitions.joined(t.seeded[b]))
            adopted = Transitions.joined(t.adopted[b])
            paid = Transitions.joined(t.paid[b], dtype=bool)
            first = Transitions.joined(t.first[b], dtype=bool)
            d["new_paid"][step, b] = self._by_segment(adopted[paid])
            d["new_wom"][step, b] = self._by_segment(adopted[~paid])
            d["first_paid"][step, b] = self._by_segment(adopted[paid & first])
            d["first_wom"][step, b] = self._by_segment(adopted[~paid & first])
            d["reacquired"][step, b] = self._by_segment(adopted[~first])
            d["adopters"][step, b] += d["first_paid"][step, b] + d["first_wom"][step, b]
            left = Transitions.joined(t.left[b])
            installed = left[self.installed[left]]
            self.installed[installed] = False
            self.installed_now[b] -= installed.size
            self.installed_lost[b] += installed.size
            e = t.exposure[b]
            d["impressions"][step, b], d["wasted_impressions"][step, b] = e.impressions, e.wasted_impressions
            d["wasted_spend"][step, b] = e.wasted_spend
            switched = Transitions.joined(t.switched[b], dtype=bool)
            d["churned"][step, b] = self._by_segment(left[~switched])
            d["switched"][step, b] = self._by_segment(left[switched])

    def share(self, step: int | slice = slice(None), overall: bool = False) -> np.ndarray:
        """Each brand's share of each segment's buying (docs/model.md 7.9), (brands, segments) at ``step``
        (or per step for a slice); ``overall`` adds the market as a last segment."""
        held, weight = self.held[step], self.weight
        if overall:
            held = np.concatenate([held, held.sum(axis=-1, keepdims=True)], axis=-1)
            weight = np.append(weight, weight.sum())
        weight = np.broadcast_to(weight, held.shape)
        return np.divide(held, weight, out=np.zeros(held.shape), where=weight > 0)

    def controlled(self, step: int) -> np.ndarray:
        """(brands, segments): the brand holds at least the threshold share of the segment's buying."""
        return self.share(step) >= self.threshold

    # --- outputs --------------------------------------------------------------------------
    def timeseries(self, dt: float) -> pd.DataFrame:
        steps, nb, ns = self.data["customer"].shape
        with_all = {k: np.concatenate([v, v.sum(axis=2, keepdims=True)], axis=2) for k, v in self.data.items()}
        idx = np.indices((steps, nb, ns + 1)).reshape(3, -1)
        frame = {
            "step": idx[0],
            "time": idx[0] * dt,
            "brand": pd.Categorical.from_codes(idx[1], self.brands),
            "segment": pd.Categorical.from_codes(idx[2], [*self.segments, ALL]),
        }
        for k in (*SEGMENT_COUNTS, "revenue", "margin", "wasted_spend"):
            frame[k] = with_all[k].ravel() * self.people_per_consumer
        customers = with_all["customer"]
        frame["loyalty"] = np.divide(with_all["loyalty_sum"], customers, out=np.full(customers.shape, np.nan),
                                     where=customers > 0).ravel()
        share = self.share(overall=True)
        frame["share"] = share.ravel()
        frame["control"] = (share >= self.threshold).ravel()
        spend = np.full((steps, nb, ns + 1), np.nan)
        spend[:, :, ns] = self.spend
        frame["spend"] = spend.ravel() * self.people_per_consumer
        return pd.DataFrame(frame)

    def summary(self, sc: Scenario, own_purchases: np.ndarray, now: int | None = None) -> dict:
        """Run-level metrics per brand of the scenario ``sc`` (as the engine ran it: in consumers) at the
        horizon, or after step ``now`` of a run still going (a class game's period); docs/outputs.md defines
        each one. ``own_purchases[b]``: the purchases of b by its own customers on their occasions so far
        (``Buying``), which value a customer."""
        now = sc.time.steps if now is None else now
        population, last_step = sc.population.size, (now - 0.5) * sc.time.dt  # its middle, as prices
        d = self.data
        final = {k: v[now].sum(axis=1) for k, v in d.items()}
        total = {k: v[: now + 1].sum(axis=(0, 2)) for k, v in d.items()}
        all_customers = final["customer"].sum()
        discount = sc.valuation.discount_rate * sc.time.days_per_unit / 365.0  # per time unit
        out = {}
        for b, spec in enumerate(sc.brands):
            spend = float(self.spend[: now + 1, b].sum())
            installed = int(d["customer"][0, b].sum())
            first_paid, first_wom = int(total["first_paid"][b]), int(total["first_wom"][b])
            first = first_paid + first_wom
            acquisitions = int(total["new_paid"][b] + total["new_wom"][b])
            lost = int(total["churned"][b] + total["switched"][b])
            churn_rate = float(lost / self.customer_time[b]) if self.customer_time[b] > 0 else 0.0
            # new customers' own loss rate: a loyal installed base must not flatter their LTV
            new_time = self.customer_time[b] - self.installed_time[b]
            new_churn = float((lost - self.installed_lost[b]) / new_time) if new_time > 0 else churn_rate
            unit_margin = spec.price_at(last_step) - spec.unit_cost  # at the price in force as the run ends
            # how often a customer buys the brand again: its customers' own purchases per customer-time
            # (the brand's purchase_rate when they buy nothing else; less when they buy a repertoire)
            rate = own_purchases[b] / self.customer_time[b] if self.customer_time[b] > 0 else math.nan
            lifetime_purchases = rate / (new_churn + discount) if new_churn + discount > 0 \
                else (math.inf if rate > 0 else 0.0)
            # a brand that never had a customer has no measured rate, and no lifetime value to give
            ltv = unit_margin * (1.0 + lifetime_purchases) if self.customer_time[b] > 0 else math.nan
            held = int(final["customer"][b])
            # the customers held at the horizon, valued at their expected discounted repeat purchases
            # (at the loss rate of all the brand's customers): value the run's end would otherwise ignore
            remaining = rate / (churn_rate + discount) if churn_rate + discount > 0 \
                else (math.inf if rate > 0 else 0.0)
            equity = held * unit_margin * remaining if held and unit_margin else 0.0
            cac_paid = spend / first_paid if first_paid else math.nan
            margin = float(total["margin"][b])
            relationships = installed + acquisitions  # each spell as a customer, re-acquisitions included
            served = installed + first
            reach = int(final["reach"][b])
            impressions = int(total["impressions"][b])
            share = self.share(now)[b]
            out[spec.name] = {
                "reach": reach,
                "reach_outside_audience": int(final["reach_outside_audience"][b]),
                "reach_in_audience": reach - int(final["reach_outside_audience"][b]),
                "aware": int(population - final["unaware"][b]),
                "installed_base": installed,
                "customers": int(final["customer"][b]),
                "lapsed": int(final["lapsed"][b]),
                "adopters": first,
                "acquisitions": acquisitions,
                "acquisitions_paid": int(total["new_paid"][b]),
                "acquisitions_wom": int(total["new_wom"][b]),
                "first_acquisitions_paid": first_paid,
                "first_acquisitions_wom": first_wom,
                "reacquisitions": int(total["reacquired"][b]),
                "wom_share": first_wom / first if first else math.nan,
                "churned": int(total["churned"][b]),
                "switched": int(total["switched"][b]),
                "churn_rate": churn_rate,
                "retention": int(final["customer"][b]) / served if served else math.nan,
                "loyalty": float(final["loyalty_sum"][b] / final["customer"][b]) if final["customer"][b] else math.nan,
                "penetration": int(final["customer"][b]) / population,
                "market_share": int(final["customer"][b]) / all_customers if all_customers else math.nan,
                "impressions": impressions,
                "wasted_impressions": int(total["wasted_impressions"][b]),
                "wasted_share": int(total["wasted_impressions"][b]) / impressions if impressions else math.nan,
                "wasted_spend": float(total["wasted_spend"][b]),
                "spend": spend,
                "cost_per_impression": spend / impressions if impressions else math.nan,
                "cost_per_reach": spend / reach if reach else math.nan,
                "cac_paid": cac_paid,
                "cac_blended": spend / first if first else math.nan,
                "purchases": int(total["purchases"][b]),
                "repeat_purchases": int(total["purchases"][b] - total["new_paid"][b] + total["seeded"][b]
                                        - total["new_wom"][b]),
                "revenue": float(total["revenue"][b]),
                "margin": margin,
                "margin_per_customer": margin / relationships if relationships else math.nan,
                "own_purchase_rate": rate,
                "ltv": ltv,
                "ltv_to_cac": ltv / cac_paid if first_paid and cac_paid > 0 else math.nan,
                "customer_equity": equity,
                "return_on_spend": (margin - spend) / spend if spend > 0 else math.nan,
                "incremental_customers": math.nan,
                "incremental_first_acquisitions": math.nan,
                "incremental_margin": math.nan,
                "incremental_return_on_spend": math.nan,
                "segment_share": {s: float(share[i]) for i, s in enumerate(self.segments)},
                "controls": [s for i, s in enumerate(self.segments) if share[i] >= self.threshold],
                "time_to_control": {s: (None if np.isnan(v) else float(v))
                                    for s, v in zip(self.segments, self.first_control[b])},
            }
            for key in SUMMARY_AMOUNTS:
                out[spec.name][key] *= self.people_per_consumer
        return out
