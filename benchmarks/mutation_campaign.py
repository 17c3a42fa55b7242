"""Mutation campaign: how well do the behavioural tests guard the model's rules?

Each mutant is a small, realistic bug in one rule of docs/model.md (or docs/assess.md,
docs/calibration.md, docs/experiments.md): an exact code snippet (``old``) and its replacement
(``new``). The runner finds ``old`` by searching every file under marketsim/ (code moves between
modules, so no path is fixed; a snippet that is not found exactly once makes the mutant "stale"),
writes the mutant in place, runs the behavioural tests and restores the file, always (also on
Ctrl-C or a crash). One mutant at a time: numba caches compiled kernels per source file, so only the
mutated file recompiles.

Outcomes: killed (a test failed), survived (all passed), killed-trivially (the mutated module, or a
test module, no longer imports), killed-by-timeout, stale, error (pytest ended otherwise, e.g. no tests
collected). The caught percentage is killed / (killed + survived).

    .venv/bin/python benchmarks/mutation_campaign.py                        # every mutant, this repository
    .venv/bin/python benchmarks/mutation_campaign.py --only wom-valence-swapped net-ring-k-each-side
    .venv/bin/python benchmarks/mutation_campaign.py --repo /work/main --json mutants.json
    .venv/bin/python benchmarks/mutation_campaign.py --check                # locate and compile only
    .venv/bin/python benchmarks/mutation_campaign.py --batch third --check  # the third batch (mutants_third.py)
    .venv/bin/python benchmarks/mutation_campaign.py --tests tests/test_mechanisms.py --only ...

The mutants were chosen from the code and the documentation, blind to the tests. None repeats a
mutant of the first campaign (41 mutants, 54% caught). ``--batch third`` runs the third batch instead
(``MUTANTS_THIRD`` in benchmarks/mutants_third.py, chosen the same way); every mode takes it.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import signal
import subprocess
import sys
import time
from pathlib import Path

MUTANTS = [
    # --- population ------------------------------------------------------------------------
    dict(id="pop-remainder-to-smallest", area="population",
         rule="model.md Population: exact counts by LARGEST remainder; the leftover consumers go to the segments "
              "with the smallest remainders instead (reachable whenever share * N is not whole, e.g. three thirds)",
         old="key=lambda k: (counts[k] - quota[k], names[k]))[: total - sum(counts)]",
         new="key=lambda k: (quota[k] - counts[k], names[k]))[: total - sum(counts)]"),
    dict(id="pop-category-weights-ignored", area="population",
         rule="model.md Population: gender, region, occupation, income drawn from the segment's category weights; "
              "drawn uniformly over the categories instead",
         old="codes[rng.choice(codes.size, size=m, p=p / p.sum())]",
         new="codes[rng.choice(codes.size, size=m)]"),
    dict(id="pop-interest-complement", area="population",
         rule="model.md Population: each interest tag held with probability interests[k]; held with 1 - interests[k]",
         old="has = rng.random(m) < prob",
         new="has = rng.random(m) > prob"),
    dict(id="pop-talk-spread-cv", area="population",
         rule="model.md Population: talkativeness gamma with coefficient of variation talkativeness_spread; shape "
              "1/cv instead of 1/cv^2, so the spread is sqrt(cv) (reachable: talkativeness_spread = 0.5 in a scenario)",
         old="shape = 1.0 / cv**2",
         new="shape = 1.0 / cv"),
    dict(id="fit-default-zero", area="population",
         rule="model.md Product fit: segments missing from fit take default_fit; they get 0 instead "
              "(scenarios set default_fit 0.6 / 0.55)",
         old="brand.fit.get(s, brand.default_fit)",
         new="brand.fit.get(s, 0.0)"),
    # --- social network --------------------------------------------------------------------
    dict(id="net-edge-count-doubled", area="network",
         rule="model.md Social network: N*k/2 pairs (random, scale_free, homophilous); N*k pairs, mean degree 2k",
         old="return int(round(n * mean_degree / 2))",
         new="return int(round(n * mean_degree))"),
    dict(id="net-ring-k-each-side", area="network",
         rule="model.md Social network ring/small_world: k/2 nearest neighbours on each side; k on each side",
         old="half = max(1, min(int(round(mean_degree / 2)), (n - 1) // 2))",
         new="half = max(1, min(int(round(mean_degree)), (n - 1) // 2))"),
    dict(id="net-rewire-complement", area="network",
         rule="model.md Social network small_world: each link moved with probability rewire; with 1 - rewire "
              "(a ring, rewire 0, becomes a random graph)",
         old="np.less(draws, rewire, out=moved[offset : offset + draws.size])",
         new="np.greater_equal(draws, rewire, out=moved[offset : offset + draws.size])"),
    dict(id="net-scale-free-cdf-sum", area="network",
         rule="model.md Social network scale_free: ends drawn with probability proportional to the weights; the "
              "cumulative weights are normalised by their own sum instead of the total, so nearly every end is the "
              "last consumer (a star)",
         old="cdf /= cdf[-1]",
         new="cdf /= cdf.sum()"),
    dict(id="net-homophily-complement", area="network",
         rule="model.md Social network homophilous: a link ends in its own group with probability homophily; with "
              "1 - homophily",
         old="np.less(draws, homophily, out=inside[offset : offset + draws.size])",
         new="np.greater_equal(draws, homophily, out=inside[offset : offset + draws.size])"),
    dict(id="net-group-by-region-ignored", area="network",
         rule="model.md Social network homophilous: groups by group_by (segment or region); always by segment "
              "(a scenario uses group_by = \"region\")",
         old='group = pop.segment if spec.group_by == "segment" else pop.region',
         new="group = pop.segment"),
    dict(id="net-file-second-column", area="network",
         rule="model.md Social network file: an edge list of two columns; the first column read twice "
              "(every edge a self-loop, dropped: an empty graph)",
         old="vs.append(int(ends[1]))",
         new="vs.append(int(ends[0]))"),
    # --- word of mouth ---------------------------------------------------------------------
    dict(id="wom-valence-swapped", area="word of mouth",
         rule="model.md Word of mouth: satisfied customers give W+, unsatisfied W-; swapped",
         old="for valence, members in ((0, positive), (1, ~positive)):",
         new="for valence, members in ((1, positive), (0, ~positive)):"),
    dict(id="wom-talkativeness-ignored-on-join", area="word of mouth",
         rule="model.md Word of mouth: a customer's voice is its talkativeness tau_j; a joining customer counts 1 "
              "(leaving still removes tau_j)",
         old="talk = self.talk[consumers]",
         new="talk = np.ones(consumers.size)"),
    dict(id="wom-buzz-mean-life", area="word of mouth",
         rule="model.md Life cycle of talk: buzz fades as 2^(-tenure/h); faded as e^(-tenure/h) (h read as a mean "
              "lifetime)",
         old="self.decay_rate = math.log(2.0) / spec.buzz_half_life",
         new="self.decay_rate = 1.0 / spec.buzz_half_life"),
    dict(id="wom-buzz-on-top-of-lasting", area="word of mouth",
         rule="model.md Life cycle of talk: the voice splits into lasting lambda*tau and buzz (1 - lambda)*tau; the "
              "buzz starts at the full tau on top of the lasting part",
         old='buzz = (1.0 - self.lasting) * talk',
         new='buzz = talk'),
    dict(id="wom-installed-base-buzzes", area="word of mouth",
         rule="model.md Life cycle of talk: an installed base talks with its lasting part only; it gets new "
              "customers' buzz too",
         old="if self.fades and not established:",
         new="if self.fades:"),
    dict(id="wom-campaign-buzz-piles-up", area="word of mouth",
         rule="model.md Life cycle of talk: campaign buzz tops a customer's buzz up to beta*tau, never piles up; "
              "it adds beta*tau on every contact",
         old="extra = np.maximum(level * self.talk[customers] - now, 0.0)",
         new="extra = level * self.talk[customers]"),
    dict(id="wom-hearing-positive-only", area="word of mouth",
         rule="model.md Word of mouth: hearing makes the unaware aware with hazard q (W+ + W-); negative talk "
              "makes nobody aware",
         old='hears[x] = q_dt * (pos + neg) if unaware else 0.0',
         new='hears[x] = q_dt * pos if unaware else 0.0'),
    # --- paid contacts and exposure --------------------------------------------------------
    dict(id="exp-spend-rate-per-impression", area="exposure",
         rule="model.md Paid contacts: spend_rate buys spend_rate*dt/(cpm/1000) impressions; divided by the CPM "
              "itself (1000 times fewer)",
         old="per_unit = spec.spend_rate / (self.cpm / 1000.0)",
         new="per_unit = spec.spend_rate / self.cpm"),
    dict(id="exp-reach-discount-everywhere", area="exposure",
         rule="model.md Paid contacts: reach_discount only on consumers of a segment the brand controls; on every "
              "impression once it controls any segment",
         old="return cpm / 1000.0 * (1.0 - reach_discount * controlled)",
         new="return cpm / 1000.0 * (1.0 - reach_discount * np.ones_like(controlled))"),
    dict(id="exp-precision-ignored", area="exposure",
         rule="model.md Paid contacts: Binomial(n, precision) impressions inside the audience, the rest on users; "
              "all inside the audience",
         old="inside = rng.binomial(planned, spec.precision) if targets.size else 0",
         new="inside = planned if targets.size else 0"),
    dict(id="exp-relevance-outside-audience", area="exposure",
         rule="model.md Paid contacts: a contact outside the audience carries relevance 0; it carries the "
              "campaign's relevance",
         old='place[i - first])] if inside else 0.0',
         new='place[i - first])] if inside else relevance[0]'),
    dict(id="exp-impact-ignored", area="exposure",
         rule="model.md Ad response: S = mean of u_j (1 + relevance_gain r_j) with impact u_j (and copy quality "
              "multiplying it); u_j taken as 1",
         old="strength = impact * _response_to(r, relevance_gain, threshold)",
         new="strength = _response_to(r, relevance_gain, threshold)"),
    dict(id="exp-wasted-ignores-fit", area="exposure",
         rule="outputs: wasted impressions are outside the audience OR on a consumer the product does not "
              "satisfy; the unsatisfied are not counted",
         old='waste = 1 - (inside & np.int64(satisfied[i]))',
         new='waste = 1 - inside'),
    dict(id="exp-no-restoration", area="exposure",
         rule="model.md Ad response: between contacts w recovers toward 1 with recovery_half_life; it never "
              "recovers",
         old="w = 1.0 - (1.0 - wear[i]) * recovery[np.int64(wear_step[i]) if per_step else np.int64(k)]",
         new="w = wear[i]"),
    dict(id="exp-strength-summed", area="exposure",
         rule="model.md Ad response: S is the MEAN strength (1/m) sum_j; the sum is used (m times too strong)",
         old="ad[i] = ad_effect * effective * strength / c * boost[region[i]]",
         new="ad[i] = ad_effect * effective * strength * boost[region[i]]"),
    dict(id="exp-trigger-all-regions", area="exposure",
         rule="model.md Triggers: deliver only to consumers in the regions where the condition holds; everywhere "
              "once it holds in any region",
         old="return pool[ctx.regions_with[self.spec.trigger][self.pop.region[pool]]]",
         new="return pool if ctx.regions_with[self.spec.trigger].any() else pool[:0]"),
    dict(id="exp-flighting-off-on-air", area="exposure",
         rule="model.md Flighting: on for `on` units, off for `off`; the off part of the current cycle counts as on "
              "air",
         old="return cycles * flight.on + min(into, flight.on)",
         new="return cycles * flight.on + into"),
    dict(id="exp-copy-wears-undelivered", area="exposure",
         rule="model.md Copy wear-out: t_on is the time the copy really delivered (not when an empty budget kept "
              "it off air); it wears for the whole planned on-air time",
         old="self._age_copy(active * delivered, ctx.dt,",
         new="self._age_copy(active, ctx.dt,"),
    dict(id="exp-budget-cut-not-random", area="exposure",
         rule="model.md Money: impressions that do not all fit are cut to a RANDOM affordable subset; the first "
              "ones are kept (the in-audience draws come first, so the cut favours the audience)",
         old="hits = hits[rng.permutation(hits.size)]",
         new="hits = hits[np.arange(hits.size)]"),
    # --- campaigns -------------------------------------------------------------------------
    dict(id="camp-end-ignored", area="campaigns",
         rule="model.md Paid contacts / referral: a campaign runs until its end; end ignored, runs to the horizon",
         old="self.end = horizon if spec.end is None else spec.end",
         new="self.end = horizon"),
    dict(id="camp-research-no-delay", area="campaigns",
         rule="model.md Money: launch comes research.duration after start; the campaign launches at start",
         old="if ctx.time + ctx.dt <= spec.launch:",
         new="if ctx.time + ctx.dt <= spec.start:"),
    dict(id="camp-research-free", area="campaigns",
         rule="model.md Money: research cost is paid when the campaign starts; research costs nothing",
         old="if not self._pay(spec.research.cost):",
         new="if not self._pay(0.0):"),
    dict(id="camp-research-largest-audience", area="campaigns",
         rule="model.md Research: aims at the candidate with the most yeses, not the largest one; aims at the "
              "largest candidate audience",
         old="best = max(self.panel_scores, key=self.panel_scores.get)",
         new="best = max(self.panel_scores, key=lambda name: int(dict(candidates)[name].sum()))"),
    dict(id="camp-event-repeats", area="campaigns",
         rule="model.md Events: contact `reach` audience members once, at launch; an event contacts a new batch "
              "every step",
         old='self.status = "done"\n            return self._seed(ctx)',
         new='self.status = "done" if spec.type == "seeding" else self.status\n            return self._seed(ctx)'),
    dict(id="camp-seed-fewest-contacts", area="campaigns",
         rule="model.md Seeding: seed_by degree picks the most connected first; picks the least connected",
         old="order = np.lexsort((rng.random(pool.size), -ctx.graph.degree[pool]))",
         new="order = np.lexsort((rng.random(pool.size), ctx.graph.degree[pool]))"),
    dict(id="camp-seed-outside-audience", area="campaigns",
         rule="model.md Seeding: seeds are audience members (always inside the audience); drawn from all channel "
              "users",
         old="pool = self.targets[ctx.current[self.targets] != self.brand]",
         new="pool = self.users[ctx.current[self.users] != self.brand]"),
    dict(id="camp-cut-to-inverted", area="campaigns",
         rule="model.md Niche control triggers: cut scales impressions BY cut_to; scales them by 1 - cut_to",
         old="per_unit *= spec.cut_to",
         new="per_unit *= 1.0 - spec.cut_to"),
    dict(id="camp-referral-pays-reacquisitions", area="campaigns",
         rule="model.md Referral offers: reward paid per customer won by word of mouth as a FIRST acquisition; "
              "paid for re-acquisitions too",
         old="return int((~self.joined(self.paid[brand], bool) & self.joined(self.first[brand], bool)).sum())",
         new="return int((~self.joined(self.paid[brand], bool)).sum())"),
    dict(id="camp-referral-outlives-budget", area="campaigns",
         rule="model.md Referral offers: an offer that cannot pay all referrals pays what fits and ENDS; it goes "
              "on (customers keep recommending it more, unpaid)",
         old='self.ran_out_at = time\n            self.status = "done"',
         new="self.ran_out_at = time"),
    # --- awareness -------------------------------------------------------------------------
    dict(id="aware-contact-not-aware", area="awareness",
         rule="model.md Awareness: paid contact makes the unaware aware; only hearing does",
         old="for j in range(np.searchsorted(contacted, start), np.searchsorted(contacted, end)):",
         new="for j in range(0):"),
    dict(id="aware-unaware-response-swapped", area="awareness",
         rule="model.md Awareness: U = unaware_response for the unaware, 1 for the aware; swapped",
         old="barrier *= unaware_response if unaware else 1.0",
         new="barrier *= 1.0 if unaware else unaware_response"),
    dict(id="aware-initial-ignores-customers", area="awareness",
         rule="model.md The market at step 0: awareness[s] of the segment know the brand, customers INCLUDED; "
              "the installed base is added on top",
         old="k = min(unaware.size, round(aware_share * members.size) - (members.size - unaware.size))",
         new="k = min(unaware.size, round(aware_share * members.size))"),
    # --- adoption, switching ----------------------------------------------------------------
    dict(id="adopt-fit-ignored", area="adoption",
         rule="model.md Adoption: H = (A + q dt W+) f P U B / (1 + nu W-); the fit f left out",
         old='return (ad + q_dt * pos) * fit * price * barrier',
         new='return (ad + q_dt * pos) * price * barrier'),
    dict(id="adopt-elasticity-sign", area="adoption",
         rule="model.md Price: P = (p / p_ref)^(-elasticity); exponent +elasticity (premium adopts faster)",
         old="adopt = (price / reference) ** -elasticity",
         new="adopt = (price / reference) ** elasticity"),
    dict(id="adopt-list-price", area="adoption",
         rule="model.md Price: p_bs is raised by price_increase_on_control where the brand controls; adoption uses "
              "the list price",
         old="adopt = (price / reference) ** -elasticity",
         new="adopt = (list_price / reference) ** -elasticity"),
    dict(id="adopt-attribution-winner-takes-all", area="adoption",
         rule="model.md Competing risks: paid with probability A / (A + q dt W+); paid whenever A is the larger",
         old='by_paid_contact = w * (ad[o, i] + q_dt * pos * uplift[o]) < ad[o, i]',
         new='by_paid_contact = ad[o, i] >= q_dt * pos * uplift[o]'),
    dict(id="adopt-first-after-becoming", area="adoption",
         rule="model.md Sales / outputs: a first acquisition is by one who never had the brand; tested after "
              "becoming a customer, so every adoption counts as a re-acquisition",
         old="moved.first[brand].append(~self.adopted_ever[brand, who])\n"
             "        self._become_customers(brand, who, self.scenario.loyalty.initial)",
         new="self._become_customers(brand, who, self.scenario.loyalty.initial)\n"
             "        moved.first[brand].append(~self.adopted_ever[brand, who])"),
    dict(id="adopt-switch-counted-as-churn", area="adoption",
         rule="model.md Competing risks: adopting another brand counts the consumer as SWITCHED; counted as "
              "churned",
         old="self.leave(int(other), lost, wom, moved, switched=True, time=time, by_hazard=by_hazard)",
         new="self.leave(int(other), lost, wom, moved, switched=False, time=time, by_hazard=by_hazard)"),
    dict(id="adopt-installed-bases-overlap", area="adoption",
         rule="model.md The market at step 0: installed bases of different brands never overlap; each brand's "
              "base is drawn from the same first members (scenarios give two brands a share of one segment)",
         old="base = np.sort(members[taken:taken + k])\n                taken += k",
         new="base = np.sort(members[taken:taken + k])"),
    # --- churn and loyalty -------------------------------------------------------------------
    dict(id="churn-loyalty-ignored", area="churn and loyalty",
         rule="model.md Churn: churn (1 - L) ...; loyalty does not protect against churn",
         old="churn_dt * (1.0 - loyalty[i]) * churn_price[cur, segment[i]]",
         new="churn_dt * churn_price[cur, segment[i]]"),
    dict(id="loyal-target-ignores-fit", area="churn and loyalty",
         rule="model.md Loyalty: L* = growth f / (growth f + decay); f left out of the numerator",
         old="np.divide(lp.growth * fit, rate,",
         new="np.divide(lp.growth, rate,"),
    dict(id="loyal-contact-gain-no-gap", area="churn and loyalty",
         rule="model.md Loyalty: contact gains L -> L + (1 - L)(1 - e^(-gain E r)); the (1 - L) gap left out "
              "(loyalty can pass 1)",
         old="value += (1.0 - value) * -np.expm1(-gain * personal[at[b]])",
         new="value += -np.expm1(-gain * personal[at[b]])"),
    dict(id="loyal-relevance-ignored", area="churn and loyalty",
         rule="model.md Loyalty: relationship building uses E times the mean relevance r; relevance ignored "
              "(generic ads buy loyalty)",
         old="personal[k] = effective * relevance / c",
         new="personal[k] = effective"),
    # --- niche control -----------------------------------------------------------------------
    dict(id="niche-share-of-market", area="niche control",
         rule="model.md Niche control: share = the brand's share of the segment's buying (customers_bs / |s| with one "
              "brand each at one rate); divided by the whole market's buying",
         old='return self.share(step) >= self.threshold',
         new='return self.held[step] / max(self.weight.sum(), 1) >= self.threshold'),
    dict(id="niche-time-to-control-latest", area="niche control",
         rule="outputs: time_to_control is when control was FIRST reached; overwritten on every step it holds",
         old="newly = self.controlled(step) & np.isnan(self.first_control)",
         new="newly = self.controlled(step)"),
    # --- sales and metrics --------------------------------------------------------------------
    dict(id="sales-repeat-from-end-of-step", area="metrics",
         rule="model.md Sales: a step's repeat purchases are Poisson(customers * purchase_rate * dt) of those who "
              "were customers during the step; counted on the customers at its end (new ones buy twice)",
         old='buyer = self.occasions(self.customer_of, dt)',
         new='self.customer_of[:] = state.current; buyer = self.occasions(self.customer_of, dt)'),
    dict(id="met-reach-not-cumulative", area="metrics",
         rule="outputs: reach counts consumers reached so far (cumulative); only this step's first reach is kept",
         old='for k in ("reach", "reach_outside_audience", "adopters"):',
         new='for k in ("reach_outside_audience", "adopters"):'),
    dict(id="met-ltv-installed-churn", area="metrics",
         rule="model.md Sales and value: LTV uses the loss rate of customers won during the run (installed base "
              "left out); uses the loss rate of all customers",
         old='lifetime_purchases = rate / (new_churn + discount)',
         new='lifetime_purchases = rate / (churn_rate + discount)'),
    dict(id="met-ltv-no-first-purchase", area="metrics",
         rule="model.md Sales and value: LTV = price margin (1 + purchase_rate / (lambda + delta)); the first "
              "purchase's 1 left out",
         old="ltv = unit_margin * (1.0 + lifetime_purchases)",
         new="ltv = unit_margin * lifetime_purchases"),
    dict(id="met-cac-paid-reacquisitions", area="metrics",
         rule="model.md Sales and value: paid CAC = spend / paid FIRST acquisitions; divided by all paid "
              "acquisitions",
         old="cac_paid = spend / first_paid if first_paid else math.nan",
         new='cac_paid = spend / int(total["new_paid"][b]) if first_paid else math.nan'),
    dict(id="met-cac-blended-acquisitions", area="metrics",
         rule="model.md Sales and value: blended CAC = spend / all FIRST acquisitions; divided by all acquisitions",
         old='"cac_blended": spend / first if first else math.nan',
         new='"cac_blended": spend / acquisitions if acquisitions else math.nan'),
    dict(id="met-return-on-spend-ratio", area="metrics",
         rule="outputs: return on spend = (margin - spend) / spend; margin / spend",
         old='"return_on_spend": (margin - spend) / spend if spend > 0 else math.nan',
         new='"return_on_spend": margin / spend if spend > 0 else math.nan'),
    dict(id="met-churn-rate-no-switchers", area="metrics",
         rule="model.md Sales and value: lambda counts every customer lost (churned or switched); switchers left "
              "out of churn rate and LTV",
         old='lost = int(total["churned"][b] + total["switched"][b])',
         new='lost = int(total["churned"][b])'),
    # --- lift ----------------------------------------------------------------------------------
    dict(id="lift-other-seed", area="lift",
         rule="model.md Lift: the counterfactual runs from the SAME seed (common random numbers); from seed + 1, "
              "so a campaign with no effect has a nonzero lift",
         old="without = MarketModel(sc, rng=model.seed, silent_brands=frozenset([name]))",
         new="without = MarketModel(sc, rng=model.seed + 1, silent_brands=frozenset([name]))"),
    dict(id="lift-first-acquisitions-all", area="lift",
         rule="model.md Lift: incremental FIRST acquisitions; all acquisitions (re-acquisitions included)",
         old='"incremental_first_acquisitions": actual["adopters"] - without_campaigns["adopters"]',
         new='"incremental_first_acquisitions": actual["acquisitions"] - without_campaigns["acquisitions"]'),
    # --- experiments ----------------------------------------------------------------------------
    dict(id="xp-seed-key-collides", area="experiments",
         rule="experiments.md: each run's seed derives from the root seed, the point AND the replication; the key "
              "p + r makes (point 0, rep 1) and (point 1, rep 0) share a seed",
         old="np.random.SeedSequence(self.spec.seed, spawn_key=(p, r))",
         new="np.random.SeedSequence(self.spec.seed, spawn_key=(p + r,))"),
    dict(id="xp-range-misses-max", area="experiments",
         rule="experiments.md: a range with steps gives evenly spaced levels from min to max; max is never a level "
              "(documented form range = { min, max, steps } of a factorial design)",
         old="for u in np.linspace(0.0, 1.0, self.range.steps)]",
         new="for u in np.linspace(0.0, 1.0, self.range.steps, endpoint=False)]"),
    dict(id="xp-levels-last-starved", area="experiments",
         rule="experiments.md: a sampled design draws a factor's levels evenly; the last level only at u = 1 "
              "(practically never; reachable by any latin_hypercube / sobol / monte_carlo design with levels)",
         old="return options[min(int(u * len(options)), len(options) - 1)]",
         new="return options[min(int(u * (len(options) - 1)), len(options) - 1)]"),
    # --- assess ---------------------------------------------------------------------------------
    dict(id="assess-seed-per-point", area="assess",
         rule="assess.md: every strategy runs each sampled future with the same seed (common random numbers); "
              "the seed depends on the point, so strategies differ by luck",
         old="np.random.SeedSequence(self.spec.seed, spawn_key=(sample,))",
         new="np.random.SeedSequence(self.spec.seed, spawn_key=(p,))"),
    dict(id="assess-payback-ratio", area="assess",
         rule="assess.md: P(payback) = share of futures with return on spend > 0; > 1 (return read as margin / "
              "spend)",
         old="float((r > 0).mean())",
         new="float((r > 1).mean())"),
    dict(id="assess-never-dropped", area="assess",
         rule="assess.md: time to control counts 'never' as later than any time in the percentiles; 'never' is "
              "dropped",
         old="values = values.fillna(np.inf)",
         new="values = values.dropna()"),
    dict(id="assess-percentiles-5-95", area="assess",
         rule="assess.md: P10 / P50 / P90; P5 / P50 / P95 reported under those names",
         old='PERCENTILES = {"P10": 0.1, "P50": 0.5, "P90": 0.9}',
         new='PERCENTILES = {"P10": 0.05, "P50": 0.5, "P90": 0.95}'),
    # --- calibrate ------------------------------------------------------------------------------
    dict(id="cal-interval-90", area="calibrate",
         rule="calibration.md: 95% intervals; the quantile 0.95 gives 90% intervals (Student's t since 2026-12-06)",
         old="half = stats.t.ppf(0.975, dof)",
         new="half = stats.t.ppf(0.95, dof)"),
    dict(id="cal-pilot-cumulative", area="calibrate",
         rule="calibration.md: the pilot gives new adopters per period; the simulation is compared as cumulative "
              "adopters since 0",
         old="cumulative[np.round(rows.time / dt).astype(int)]\n"
             "                           - cumulative[np.round(rows.start / dt).astype(int)])",
         new="cumulative[np.round(rows.time / dt).astype(int)])"),
    # --- targeting ------------------------------------------------------------------------------
    dict(id="tgt-age-max-exclusive", area="targeting",
         rule="scenarios.md audience rules: age max is inclusive; exclusive (off by one year)",
         old="mask &= people.age <= rule.max",
         new="mask &= people.age < rule.max"),
]

BASE_COMMAND = ["-m", "pytest", "-x", "-q", "-n", "2", "-m", "not regression", "-p", "no:cacheprovider",
                "--hypothesis-profile=mutation",  # no example database: one mutant's failure is not the next one's
                "--ignore=tests/test_dashboard.py", "--ignore=tests/test_fingerprint.py",
                "--ignore=tests/test_docs_numbers.py"]
# the rules' directional tests first, so that -x stops a killed mutant's run early; then the rest
FIRST_TESTS = ["tests/test_rules.py", "tests/test_mechanisms.py", "tests/test_campaigns.py", "tests/test_kernels.py",
               "tests/test_hazards.py", "tests/test_exposure.py", "tests/test_invariants.py", "tests/test_bass.py",
               "tests"]
OUTCOMES = ("killed", "survived", "killed-trivially", "killed-by-timeout", "stale", "error")


def batch(name: str) -> list[dict]:
    """The mutants of one batch: ``second`` (MUTANTS above), else a later one
    (benchmarks/mutants_<name>.py, whose list is MUTANTS_<NAME>)."""
    if name == "second":
        return MUTANTS
    return runpy.run_path(str(Path(__file__).with_name(f"mutants_{name}.py")))[f"MUTANTS_{name.upper()}"]


def locate(repo: Path, old: str) -> tuple[Path | None, int]:
    """The one file under marketsim/ holding ``old``, and how many times it occurs in the package."""
    found, hits = None, 0
    for path in sorted((repo / "marketsim").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            count = path.read_text(encoding="utf-8").count(old)
        except UnicodeDecodeError:
            continue
        if count:
            found, hits = path, hits + count
    return (found if hits == 1 else None), hits


def python_for(repo: Path) -> str:
    venv = repo / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run_group(command: list[str], cwd: Path, timeout: float) -> tuple[int | None, str]:
    """Run ``command`` in its own process group; on timeout (returns None) or Ctrl-C, end that group.
    The repository's root goes first on PYTHONPATH: a worktree sharing another checkout's editable
    install would otherwise run that checkout's marketsim (and its ready scenarios) in every process
    the tests start (sweep and assessment workers), mutant or not."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(cwd), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env=env)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


def module_name(repo: Path, path: Path) -> str:
    return ".".join(path.relative_to(repo).with_suffix("").parts)


def failed_tests(output: str) -> list[str]:
    return [line.split(" ")[1] for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]


def run_tests(repo: Path, python: str, tests: list[str], timeout: float) -> tuple[str, str, str]:
    """(outcome, first failing test, tail of the output) of one test run on the tree as it is."""
    code, out = run_group([python, *BASE_COMMAND, *tests], repo, timeout)
    tail = "\n".join(out.strip().splitlines()[-15:])
    if code is None:
        return "killed-by-timeout", "", tail
    if code == 0:
        return "survived", "", tail
    if "during collection" in out:  # a test module no longer imports
        return "killed-trivially", "collection error", tail
    failing = failed_tests(out)
    if code in (1, 2) and failing:  # with xdist, -x ends the session as interrupted (2)
        return "killed", failing[0], tail
    return "error", f"pytest exit code {code}", tail


def try_mutant(repo: Path, mutant: dict, python: str, tests: list[str], timeout: float) -> dict:
    path, hits = locate(repo, mutant["old"])
    result = {"id": mutant["id"], "area": mutant["area"], "rule": mutant["rule"], "seconds": 0.0,
              "file": str(path.relative_to(repo)) if path else "", "detail": "", "output": ""}
    if path is None:
        return {**result, "outcome": "stale", "detail": f"snippet found {hits} times, expected once"}
    original = path.read_bytes()
    started = time.perf_counter()
    try:
        path.write_bytes(original.decode("utf-8").replace(mutant["old"], mutant["new"], 1).encode("utf-8"))
        code, out = run_group([python, "-c", f"import {module_name(repo, path)}"], repo, timeout)
        if code != 0:
            outcome, detail, tail = "killed-trivially", "the mutated module does not import", out[-2000:]
        else:
            outcome, detail, tail = run_tests(repo, python, tests, timeout)
    finally:
        path.write_bytes(original)
    return {**result, "outcome": outcome, "detail": detail, "output": tail,
            "seconds": round(time.perf_counter() - started, 1)}


def check(repo: Path, mutants: list[dict]) -> int:
    """Locate every snippet and compile every mutated file, without running anything."""
    bad = 0
    for m in mutants:
        path, hits = locate(repo, m["old"])
        if path is None:
            problem = f"stale: snippet found {hits} times"
        elif m["old"] == m["new"]:
            problem = "new equals old"
        else:
            text = path.read_text(encoding="utf-8").replace(m["old"], m["new"], 1)
            try:
                compile(text, str(path), "exec")
                problem = ""
            except SyntaxError as exc:
                problem = f"does not compile: {exc}"
        bad += bool(problem)
        print(f"{m['id']:38} {str(path.relative_to(repo)) if path else '-':34} {problem or 'ok'}")
    print(f"{len(mutants)} mutants, {bad} with problems")
    return 1 if bad else 0


def tree_clean(repo: Path) -> bool:
    return subprocess.run(["git", "-C", str(repo), "diff", "--quiet", "--", "marketsim"]).returncode == 0


def report(results: list[dict]) -> dict:
    print(f"\n{'mutant':38} {'area':18} {'outcome':18} {'seconds':>7}  detail")
    for r in results:
        print(f"{r['id']:38} {r['area']:18} {r['outcome']:18} {r['seconds']:7.1f}  {r['detail']}")
    counts = {o: sum(r["outcome"] == o for r in results) for o in OUTCOMES}
    judged = counts["killed"] + counts["survived"]
    caught = counts["killed"] / judged if judged else float("nan")
    print("\n" + ", ".join(f"{o}: {n}" for o, n in counts.items()))
    print(f"caught by the behavioural tests: {counts['killed']} / {judged} = "
          f"{format(caught, '.0%') if judged else 'n/a'} "
          f"(killed / (killed + survived); trivial kills, timeouts, stale and errors reported apart)")
    survivors = [r["id"] for r in results if r["outcome"] == "survived"]
    if survivors:
        print("survived: " + ", ".join(survivors))
    return {"counts": counts, "caught": caught}


def stop(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1],
                        help="repository to mutate and test (default: the one this script is in)")
    later = sorted(p.stem.removeprefix("mutants_") for p in Path(__file__).parent.glob("mutants_*.py"))
    parser.add_argument("--batch", choices=("second", *later), default="second",
                        help="which mutants: second (MUTANTS, the default) or a later batch (mutants_<batch>.py)")
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these mutants")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the results to this file")
    parser.add_argument("--tests", nargs="+", metavar="PATH",
                        help="test files or node ids to run instead of the whole behavioural suite (smoke tests)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per mutant's test run (900)")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="do not first check that the unmutated tree passes the same tests")
    parser.add_argument("--check", action="store_true",
                        help="only locate each snippet and compile each mutated file")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    # the ready scenarios and experiments are the packages marketsim.scenarios and .experiments, mapped
    # by the editable install to its own checkout: a worktree tested with another checkout's install
    # must link them into its package, or every test that opens a ready file by name reads the other's
    found = subprocess.run([python_for(repo), "-c", "from importlib import resources; print(*(resources.files("
                            "f'marketsim.{k}') for k in ('scenarios', 'experiments')), sep=chr(10))"],
                           cwd=repo, env={**os.environ, "PYTHONPATH": str(repo)}, capture_output=True, text=True)
    missing = [kind for kind, where in zip(("scenarios", "experiments"), found.stdout.split("\n"))
               if Path(where).resolve() != (repo / kind).resolve()]
    if missing:
        parser.error(f"{repo} uses another checkout's install: link its ready files into the package first "
                     + " ".join(f"(ln -s ../{k} {repo / 'marketsim' / k})" for k in missing))

    mutants = batch(args.batch)
    ids = [m["id"] for m in mutants]
    if len(set(ids)) != len(ids):
        parser.error("mutant ids repeat")
    unknown = sorted(set(args.only or []) - set(ids))
    if unknown:
        parser.error(f"unknown mutant ids: {', '.join(unknown)}")
    chosen = [m for m in mutants if not args.only or m["id"] in args.only]
    if args.check:
        return check(repo, chosen)
    if not tree_clean(repo):
        parser.error(f"{repo}/marketsim has uncommitted changes: mutants must start from, and be checked to "
                     f"return to, a clean tree")
    python, tests = python_for(repo), args.tests or FIRST_TESTS
    print(f"repository {repo}, python {python}, batch {args.batch}, "
          f"tests: {' '.join(tests) or 'the behavioural suite'}")
    if not args.skip_baseline:
        outcome, detail, tail = run_tests(repo, python, tests, args.timeout)
        if outcome != "survived":
            print(f"the unmutated tree does not pass ({outcome} {detail}):\n{tail}")
            return 2
        print("baseline: the unmutated tree passes")

    results: list[dict] = []
    interrupted = False
    signal.signal(signal.SIGTERM, stop)  # a kill restores the file too, as Ctrl-C does
    try:
        for k, m in enumerate(chosen, 1):
            r = try_mutant(repo, m, python, tests, args.timeout)
            results.append(r)
            print(f"[{k}/{len(chosen)}] {r['id']}: {r['outcome']} {r['detail']} ({r['seconds']:.0f} s)", flush=True)
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted: reporting the mutants run so far")
    finally:
        clean = tree_clean(repo)
        if not clean:
            print(f"WARNING: {repo}/marketsim differs from git after the campaign (git diff --quiet failed)")
    summary = report(results)
    if args.json:
        args.json.write_text(json.dumps({"repository": str(repo), "batch": args.batch,
                                         "tests": tests or "behavioural suite",
                                         **summary, "clean_after": clean, "mutants": results}, indent=1) + "\n")
    return 1 if not clean else 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
