"""Fourth batch of the mutation campaign (``benchmarks/mutation_campaign.py --batch fourth``).

Chosen on 2026-12-06 from the code (marketsim/) and the documentation (docs/assess.md, calibration.md,
outputs.md, model.md), blind to the tests: no file under tests/ was opened, listed or searched to choose
them. It aims where the earlier batches were thin, the code added most recently: assessing plans
(studies/assess.py: lift for judged brands, the outcome metrics, P(best) and its interval, --runs auto,
--sobol, --posterior), the metrics' directions (studies/objectives.py), optimisation (studies/optimize.py,
LeverSpec), sensitivity and PRIM boxes (studies/discovery.py), calibration's lack of fit and posterior draws
(studies/calibrate.py, pilot.py), the reports' sentences (output/assess_report.py, optimize_report.py),
run-level metrics (market/metrics.py), seeding and the order campaigns act in, and the Latin hypercube
(scenario/uncertainty.py). Each is a small, realistic bug in one rule the docs or a docstring state, in the
format of ``MUTANTS`` in mutation_campaign.py (``old`` occurs exactly once in marketsim/, ``new`` replaces
it), and says in ``rule`` why an ordinary scenario or command reaches it. None repeats a mutant of the
second or third batch (the same line with the same kind of change).
"""

MUTANTS_FOURTH = [
    # --- assess: which runs, which seeds ----------------------------------------------------------------
    dict(id="assess-lift-first-variant-brands", area="assess",
         rule="assess.md What it runs: every run is also simulated without the campaigns of THE STRATEGY'S brand "
              "(Assessment.lift: the brands judged in its variant); every variant takes the first variant's "
              "brands, so a strategy of another brand gets no lift and no incremental profit (reachable with "
              "strategies of two brands, as in the micro Spark / macro Mass example of assess.md)",
         old="return self.judged[run.factors[VARIANT]]",
         new="return next(iter(self.judged.values()))"),
    dict(id="assess-auto-batch-seeds-restart", area="assess",
         rule="assess.md --runs auto: each batch a Latin hypercube of its own, WITH SEEDS OF ITS OWN (first_sample: "
              "a later batch's seeds follow the earlier batches'); first_sample is dropped, so batch j reuses "
              "batch 0's seeds and the futures are not independent (reachable by any --runs auto past one batch)",
         old="sample = (self.first_sample + p % self.samples) // self.per_seed",
         new="sample = (p % self.samples) // self.per_seed"),
    dict(id="assess-sobol-block-off-by-one", area="assess",
         rule="assess.md --sobol: the futures of one base sample (its A, each AB_j and B: fields + 2 of them) share "
              "one seed; a block of fields + 1 drifts across base samples, so A and its AB_j run on different "
              "random numbers and the noise counts as influence (reachable by any --sobol N)",
         old="per_seed=len(uncertain) + 2 if sobol is not None else 1,",
         new="per_seed=len(uncertain) + 1 if sobol is not None else 1,"),
    dict(id="assess-posterior-columns-shuffled", area="assess",
         rule="assess.md --posterior: each future takes ONE WHOLE ROW of posterior.csv, so the fields keep the "
              "correlation the pilot gave them (from_posterior); each column is shuffled on its own, so the "
              "fitted trade-off (ad effect against word of mouth) is lost (reachable by any --posterior with two "
              "or more fitted fields, as the ready launch_decision pilot gives)",
         old="values = rows[column].to_numpy()",
         new="values = rng.permutation(rows[column].to_numpy())"),
    dict(id="assess-draw-overrides-strategy", area="assess",
         rule="assess.md What it runs: a strategy that sets a field also given as a distribution (a budget) "
              "overrides the draw: its plan is what it says (plan_assessment: the strategy's changes come last); "
              "the variant factor comes first, so the sampled value wins (reachable by a strategy that sets an "
              "uncertain budget, e.g. micro setting campaigns.mass_tv.budget = 0 when that budget is uncertain)",
         old="factors = [*[Factor(path=u.path, levels=list(dict.fromkeys(draws[u.path].tolist()))) for u in uncertain],"
             "\n               Factor(name=VARIANT, variants=variants)]",
         new="factors = [Factor(name=VARIANT, variants=variants),"
             "\n               *[Factor(path=u.path, levels=list(dict.fromkeys(draws[u.path].tolist())))"
             " for u in uncertain]]"),
    # --- assess: outcomes and probabilities -------------------------------------------------------------
    dict(id="assess-incremental-profit-no-spend", area="assess",
         rule="assess.md Metrics: incremental_profit (the default) = incremental_margin - spend; the spend is "
              "forgotten, so the biggest plan always looks best and nothing is ever judged a loss (reachable by "
              "every assess and optimize at the default metric)",
         old='"incremental_profit": _column(rows, s.brand, "incremental_margin") - spend,',
         new='"incremental_profit": _column(rows, s.brand, "incremental_margin"),'),
    dict(id="assess-payback-gross-return", area="assess",
         rule="assess.md: P(pays back) is the share of futures with INCREMENTAL return on spend above 0, and "
              "return_on_spend is incremental_return_on_spend; the gross return_on_spend is read, crediting a plan "
              "with margin its brand would have earned anyway (reachable by any brand with an installed base)",
         old='"return_on_spend": _column(rows, s.brand, "incremental_return_on_spend", "return_on_spend"),',
         new='"return_on_spend": _column(rows, s.brand, "return_on_spend"),'),
    dict(id="assess-variant-by-strategy-index", area="assess",
         rule="assess.md: strategies with the same changes share runs (without strategies, each brand's plan as "
              "written is a strategy, all read from the same runs); outcomes() takes a strategy's rows by its "
              "position in the list instead of its variant's, so a later strategy sharing a variant reads "
              "another's rows or none (reachable by assess on a scenario without [[strategies]] and two brands)",
         old="v = variants.index(s.variant)",
         new="v = plan.strategies.index(s)"),
    dict(id="assess-percentile-interpolated", area="assess",
         rule="assess.md / percentile docstring: P10/P50/P90 are the inverted CDF (the smallest value with a share "
              "p at or below it), the same the figures' boxes are drawn from; numpy's default interpolates "
              "between futures, so the table no longer matches the box plot (reachable by every assess)",
         old='return float(np.quantile(values, p, method="inverted_cdf")), float(interval.low)',
         new="return float(np.quantile(values, p)), float(interval.low)"),
    dict(id="assess-best-per-strategy-max", area="assess",
         rule="assess.md: P(best) is the share of futures in which the strategy is best, comparing the strategies "
              "WITHIN each future; each is compared with its own maximum over the futures (axis slip), so a plan "
              "is 'best' in its own best future whatever the others did (reachable by every assess)",
         old="best = table.eq(table.max(axis=1), axis=0)",
         new="best = table.eq(table.max(), axis=1)"),
    dict(id="assess-interval-wald", area="assess",
         rule="assess.md: the 95% intervals of P(best) and P(pays back) are Wilson score intervals, so 64 of 64 "
              "futures reads '94% to 100%'; the normal (Wald) interval gives '100% to 100%' at 64 of 64 and "
              "collapses at every share of 0 or 1 (reachable: the ready assessment pays back in 64 of 64)",
         old='alpha=0.05, method="wilson")',
         new='alpha=0.05, method="normal")'),
    dict(id="assess-fails-only-against-macro", area="assess",
         rule="assess.md boxes: the micro plan fails where it is beaten by ANOTHER strategy on --metric; only "
              "the macro plan is compared, so futures where a third plan (mixed) wins count as successes "
              "(reachable by the ready launch_decision, whose mixed plan is best in half of the futures)",
         old="return table[micro] < table.max(axis=1)",
         new="return table[micro] < table[macro]"),
    # --- assess: --runs auto -----------------------------------------------------------------------------
    dict(id="assess-combined-variant-offset", area="assess",
         rule="assess.md --runs auto: batches are combined as one assessment (combined: samples numbered on, "
              "variant v's futures at v x total); the variant offset uses one batch's size, so with two or more "
              "variants the second batch of one variant lands on the first batch of the next (reachable by any "
              "--runs auto that runs a second batch with two strategies of different changes)",
         old='frame["point"] = frame.point // size * total + j * size + frame.point % size',
         new='frame["point"] = frame.point // size * size + j * size + frame.point % size'),
    dict(id="assess-settled-overlap", area="assess",
         rule="assess.md --runs auto: settled when the best plan's 95% interval of P(best) CLEARS the runner-up's "
              "(its low above the other's high); comparing the two lows stops at the first batch whenever the "
              "best is ahead at all, with overlapping intervals (reachable by any --runs auto of two plans)",
         old='return bool(f.best_interval.loc[best, "low"] > f.best_interval.loc[f.best.drop(best).idxmax(), "high"])',
         new='return bool(f.best_interval.loc[best, "low"] > f.best_interval.loc[f.best.drop(best).idxmax(), "low"])'),
    dict(id="assess-auto-cap-overshoot", area="assess",
         rule="assess.md --runs auto: it stops at 512 futures (cap) otherwise; the check counts the batches run, "
              "not the next one, so one more batch runs past the cap (544 futures; reachable by --runs auto on "
              "plans that cannot be told apart, or by assess(..., cap=64))",
         old="if settled(findings) or (len(plans) + 1) * AUTO_BATCH > cap:",
         new="if settled(findings) or len(plans) * AUTO_BATCH > cap:"),
    # --- metrics' directions -----------------------------------------------------------------------------
    dict(id="obj-cac-higher", area="objectives",
         rule="assess.md Metrics: lower is better for cac (and time_to_control); cac marked 'higher', so P(best) "
              "on cac picks the dearest plan and optimize accepts cac as a metric to maximise (reachable by "
              "assess --metric cac)",
         old='"cac": ("customer acquisition cost (money per customer)", "lower"),',
         new='"cac": ("customer acquisition cost (money per customer)", "higher"),'),
    dict(id="obj-default-ratio", area="objectives",
         rule="assess.md Metrics: incremental_profit is the default (what a budget decision maximises; a ratio "
              "would favour the smallest plan); the default becomes return_on_spend (reachable by every assess "
              "and optimize without --metric, and by the names of their output files)",
         old='DEFAULT_METRIC = "incremental_profit"',
         new='DEFAULT_METRIC = "return_on_spend"'),
    # --- optimize ------------------------------------------------------------------------------------------
    dict(id="opt-interval-sd-not-sem", area="optimize",
         rule="assess.md optimize: the goal's 95% interval over the futures is Student's t for a mean (the "
              "Monte Carlo error of the mean); the futures' standard deviation is used instead of its standard "
              "error, an interval sqrt(futures) times too wide (reachable by every optimize at --goal mean)",
         old="mean, error = trial.values.mean(), stats.sem(trial.values)",
         new="mean, error = trial.values.mean(), trial.values.std(ddof=1)"),
    dict(id="opt-regret-unpaired", area="optimize",
         rule="assess.md optimize: the runner-up's regret has its PAIRED 95% t-interval over the same futures "
              "(common random numbers); an unpaired error (the two plans' errors combined) ignores the pairing, "
              "so two plans with a clear, steady gap read as 'cannot tell apart' (reachable by every optimize)",
         old="half = stats.t.ppf(0.975, len(d) - 1) * stats.sem(d) if np.ptp(d) > 0 else 0.0",
         new="half = stats.t.ppf(0.975, len(d) - 1) * np.hypot(stats.sem(a), stats.sem(b)) if np.ptp(d) > 0 else 0.0"),
    dict(id="opt-voi-zero-if-any-bin-agrees", area="optimize",
         rule="assess.md value of information: exactly 0 when the same plan is best in EVERY bin; 0 as soon as one "
              "bin agrees with the overall choice, so an assumption that flips the decision in half its range is "
              "worth nothing (reachable by any optimize whose best plan depends on an assumption)",
         old="if (means.argmax(axis=1) == values.mean(axis=1).argmax()).all():",
         new="if (means.argmax(axis=1) == values.mean(axis=1).argmax()).any():"),
    dict(id="opt-voi-no-chance-correction", area="optimize",
         rule="assess.md value of information: the maximum of noisy bin means overstates it, so the same statistic "
              "on 200 shufflings of the futures is subtracted; not subtracted, an assumption the outcome does not "
              "depend on is worth a pilot whenever its bins disagree by chance (reachable by every optimize)",
         old="return max(0.0, found - float(chance))",
         new="return max(0.0, found)"),
    dict(id="opt-frontier-either", area="optimize",
         rule="assess.md optimize: the frontier holds the plans no other plan beats on BOTH expected value and "
              "10th percentile; a plan beaten on either one is dropped, leaving only plans best on both (usually "
              "one point; reachable by every optimize)",
         old="if not any(m2 >= m and p2 >= p and (m2, p2) != (m, p) for m2, p2 in points)]",
         new="if not any((m2 >= m or p2 >= p) and (m2, p2) != (m, p) for m2, p2 in points)]"),
    dict(id="opt-tie-earliest", area="optimize",
         rule="assess.md optimize: a tie on the goal, common for P(pays back), goes to the better expected value; "
              "it goes to the plan tried first (reachable by optimize --goal p_payback when several plans pay "
              "back in every future)",
         old='ranked = sorted(trials, key=lambda t: (-t.score(goal), -t.score("mean"), t.number))',
         new="ranked = sorted(trials, key=lambda t: (-t.score(goal), t.number))"),
    dict(id="lever-intercept-slope-swapped", area="optimize",
         rule="assess.md levers: each field = intercept + slope x lever, set = { path = [intercept, slope] }; the "
              "pair is unpacked the other way round, so [0, 1] sets the field to the constant 1 and a split of a "
              "fixed total goes wrong (reachable by every lever of the ready launch_decision)",
         old="found = {path: intercept + slope * value for path, (intercept, slope) in self.set.items()}",
         new="found = {path: intercept + slope * value for path, (slope, intercept) in self.set.items()}"),
    # --- sensitivity and PRIM boxes ----------------------------------------------------------------------
    dict(id="disc-delta-not-bias-reduced", area="discovery",
         rule="assess.md sensitivity: delta is estimated on all the futures and BIAS-REDUCED with 200 bootstrap "
              "resamples (2 x point - mean of the resamples, Plischke et al. 2013); the raw estimate is reported, "
              "biased upwards for every assumption, irrelevant ones included (reachable by assess with 40 or "
              "more futures)",
         old='"delta": 2 * point - boot.mean(axis=0),',
         new='"delta": point,'),
    dict(id="disc-rank-stability-order", area="discovery",
         rule="assess.md sensitivity: rank stability is the share of resamples in which an assumption holds the "
              "rank shown; each resample's ranks are compared with the ranking's order (which factor is at each "
              "rank) instead of each factor's rank, wrong whenever the ranking differs from the column order "
              "(reachable by assess with 40 or more futures and three or more assumptions)",
         old="axis=1)  # each resample's rank of each factor\n"
             '    table["rank_stability"] = (ranks == np.argsort(order)).mean(axis=0)',
         new="axis=1)  # each resample's rank of each factor\n"
             '    table["rank_stability"] = (ranks == order).mean(axis=0)'),
    dict(id="disc-sobol-ranked-by-s1", area="discovery",
         rule="assess.md sensitivity: with --sobol the ranking is by the TOTAL Sobol index (it counts interactions, "
              "which given-data indices cannot); ranked by the first-order index, an assumption that acts only "
              "through interactions falls to the bottom (reachable by any --sobol N)",
         old='return _ranked(table, "ST", np.asarray(res["ST_conf_all"]))',
         new='return _ranked(table, "S1", np.asarray(res["ST_conf_all"]))'),
    dict(id="prim-worth-showing-either", area="discovery",
         rule="assess.md boxes: a box is shown only when its density is at least 50% AND 1.5 times the share of "
              "failures overall; either suffices, so when the micro plan fails in 90% of futures (as in the "
              "ready assessment) any box of density 50% is shown as 'where it fails'",
         old="if trajectory.density[chosen] < max(WORTH_SHOWING, 1.5 * fails.mean()):",
         new="if trajectory.density[chosen] < min(WORTH_SHOWING, 1.5 * fails.mean()):"),
    # --- calibrate and pilot -----------------------------------------------------------------------------
    # the two below follow the rule's change on 2026-12-06 (issue 20): the lack of fit became an additive
    # observation noise instead of a dispersion multiplying the agents' noise; each mutant breaks the same idea
    dict(id="cal-lof-no-floor", area="calibrate",
         rule="calibration.md Intervals: the observation noise is sigma^2 = max(0, RSS - E[RSS]) / (n - d), 0 when "
              "the model fits as well as its noise allows; the floor is lost, so a pilot that happens to fit better "
              "than the noise NARROWS the intervals below the agents' own noise (reachable by any pilot from the "
              "model itself, such as launch_decision_pilot.csv)",
         old="return max(0.0, (float((residuals ** 2).sum()) - expected) / (n - fitted))",
         new="return (float((residuals ** 2).sum()) - expected) / (n - fitted)"),
    dict(id="cal-lof-expectation-no-kseed", area="calibrate",
         rule="calibration.md Intervals: E[RSS] = trace(Sigma) (1 + 1/K) (n - d)/n; the (1 + 1/K) of a K-seed "
              "mean curve is left out of the expectation, so observation noise is seen where there is none "
              "(reachable by every calibrate)",
         old="extra = lack_of_fit(fitter.residuals(u, pool), inflation * noise, d)",
         new="extra = lack_of_fit(fitter.residuals(u, pool), noise, d)"),
    dict(id="cal-posterior-redraw-all-outside", area="calibrate",
         rule="calibration.md posterior.csv: truncated to each prior's range, a draw outside it is drawn again (so "
              "the draws do not pile up at the ends); redrawn only when EVERY field is outside, a draw with one "
              "field outside is clipped onto the prior's edge (reachable by any fit near a prior's bound)",
         old="outside = ((q < EDGE) | (q > 1 - EDGE)).any(axis=1)",
         new="outside = ((q < EDGE) | (q > 1 - EDGE)).all(axis=1)"),
    dict(id="pilot-duplicate-across-series", area="calibrate",
         rule="calibration.md: a period given twice FOR ONE BRAND AND SEGMENT is refused; the segment is left out "
              "of the check, so a pilot per segment (every segment has the same weeks) is refused as duplicated "
              "(reachable by the ready launch_decision_pilot.csv, per week and segment)",
         old='duplicated = data.duplicated(["brand", "segment", "time"], keep=False).to_numpy()',
         new='duplicated = data.duplicated(["brand", "time"], keep=False).to_numpy()'),
    # --- reports -----------------------------------------------------------------------------------------
    dict(id="report-names-unclear-assumptions", area="reports",
         rule="assess.md sensitivity: the conclusion names at most two assumptions, ONLY those whose delta is "
              "clearly above zero (its interval excludes 0); the filter is lost, so an assumption that cannot be "
              "told from noise is named as the one to check (reachable by assess with 40 or more futures and an "
              "assumption that does not matter)",
         old='s = s[s[index] - s[f"{index}_conf"] > 0].head(2)',
         new="s = s.head(2)"),
    dict(id="report-runner-up-worst", area="reports",
         rule="assess.md: the conclusion says to sample more when the best plan's interval overlaps THE "
              "RUNNER-UP's; the worst plan is taken as runner-up, so the warning is lost when the two leaders "
              "overlap (reachable by the ready assessment, where mixed and macro overlap and micro trails)",
         old="runner_up = f.best.drop(best).idxmax() if len(f.best) > 1 else None",
         new="runner_up = f.best.drop(best).idxmin() if len(f.best) > 1 else None"),
    dict(id="optrep-clear-by-mean", area="reports",
         rule="assess.md optimize: when the runner-up's regret interval reaches 0 the futures cannot tell the two "
              "apart; the verdict reads the mean regret instead of the interval's low end, so a positive but "
              "uncertain gap is called 'the choice is clear' (reachable by every optimize of close plans)",
         old='(--futures)" if r_low <= 0',
         new='(--futures)" if mean <= 0'),
    # --- run-level metrics ---------------------------------------------------------------------------------
    dict(id="met-equity-new-customer-churn", area="metrics",
         rule="outputs.md customer_equity: customers . price . margin . purchase_rate / (lambda + delta) with "
              "lambda the loss rate of ALL the brand's customers (churn_rate), unlike ltv's new customers' rate; "
              "the new customers' rate is used (reachable with an installed base and churn, a different rate "
              "for the base and the newcomers, and assess --metric customer_equity)",
         old='remaining = rate / (churn_rate + discount) if churn_rate + discount > 0',
         new='remaining = rate / (new_churn + discount) if new_churn + discount > 0'),
    dict(id="met-aware-state-only", area="metrics",
         rule="outputs.md: aware = consumers NOT UNAWARE of the brand (customers and lapsed included); only those "
              "in the state 'aware' are counted, so a brand's customers drop out of its awareness (reachable by "
              "any run with customers)",
         old='"aware": int(population - final["unaware"][b]),',
         new='"aware": int(final["aware"][b]),'),
    # --- seeding and the order campaigns act in ----------------------------------------------------------
    dict(id="seed-no-switching-barrier", area="seeding",
         rule="model.md Seeding: a sample converts with probability f_bi . B_i, the fit times the switching "
              "barrier (loyalty.switching . (1 - L_i) for a rival's customer); the barrier is dropped, so a "
              "rival's loyal customer converts as easily as someone with no brand (reachable by any seeding in "
              "a market where a rival holds customers, e.g. an installed base)",
         old="converted = np.flatnonzero((chance < state.fit[brand, who] * barrier) & (current != brand))",
         new="converted = np.flatnonzero((chance < state.fit[brand, who]) & (current != brand))"),
    dict(id="camp-order-file", area="campaigns",
         rule="model.md Process overview 3: a brand's campaigns act in an order drawn afresh each step from the "
              "brand's own stream, so which of them the last of a shared budget goes to does not depend on the "
              "file; they act in the file's order, so the first listed always gets the money (reachable by a "
              "brand budget shared by two campaigns that runs out)",
         old="campaigns = [campaigns[k] for k in self.order_stream.permutation(len(campaigns))]",
         new="campaigns = list(campaigns)"),
    # --- uncertain assumptions -----------------------------------------------------------------------------
    dict(id="unc-lhs-unseeded", area="uncertainty",
         rule="assess.md: the futures are a Latin hypercube drawn from --seed, and the runs folder makes a second "
              "invocation resume where the first stopped; the hypercube is drawn from fresh entropy, so the same "
              "command samples other futures each time and cannot resume (reachable by every assess and "
              "optimize)",
         old="rng=np.random.default_rng(seed)).random(samples))",
         new="rng=np.random.default_rng()).random(samples))"),
]
