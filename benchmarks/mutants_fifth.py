"""Fifth batch of the mutation campaign (``benchmarks/mutation_campaign.py --batch fifth``).

Chosen on 2026-12-06 from the code (marketsim/) and the documentation (docs/model.md, outputs.md,
parameters.md, scenarios.md, experiments.md, assess.md, calibration.md), blind to the tests: no file under
tests/ was opened, listed or searched to choose them, nor their history or output. Spread as the first
campaign was: most in the market engine's rules that no earlier batch touched (exogenous conditions, the
order of forgetting and contact, how loyalty relaxes, what a free sample that does not convert leaves, the
fading of buzz per step, who a buzz campaign excites, the wear-out table and its clock, how long an ad
hazard lasts, bad word in the adoption hazard, referral talk, samples as impressions, the step's clock,
niche control as the last step left it, the churn rate's customer-time, market share, cumulative adopters,
reach outside the audience, the ring's neighbours, when a campaign first ran out, the default cost of a
sample, copy restoration, repeat purchases per step, the dimensions of relevance, share of voice), then
scenario loading and uncertainty (truncated normal and triangular distributions, default durations in
another time unit, people-per-consumer scaling, has_any, --set by index) and studies and outputs (integer
ranges, the cac metric, missing values in P(best), the sensitivity ranking, the value of perfect
information, a pilot's default brand, the report's heat map, a campaign's spend in people). Each is a small,
realistic bug in one rule the docs or a docstring state, in the format of ``MUTANTS`` in mutation_campaign.py
(``old`` occurs exactly once in marketsim/, ``new`` replaces it), and says in ``rule`` why an ordinary
scenario or command reaches it. None repeats a mutant of the second, third or fourth batch (the same line
with the same kind of change).
"""

MUTANTS_FIFTH = [
    # --- market: conditions, awareness, loyalty ---------------------------------------------------------
    dict(id="cond-probability-complement", area="conditions",
         rule="model.md 7.5 Triggers: each [[conditions]] entry holds in its region on a step WITH ITS "
              "PROBABILITY (draw_conditions: uniform < probability); the comparison is flipped, so a condition "
              "of probability p holds with 1 - p, and triggered campaigns and context boosts follow the wrong "
              "weather (reachable by any scenario with [[conditions]] of probability other than 0.5, e.g. "
              "rainy_city_rides: rain on 45% of days becomes 55%)",
         old="holds = rng.random(len(conditions)) < [c.probability for c in conditions]",
         new="holds = rng.random(len(conditions)) > [c.probability for c in conditions]"),
    dict(id="aware-forget-after-contact", area="awareness",
         rule="awareness.py update_awareness: forgetting comes BEFORE this step's news, so that what was just "
              "heard (or seen in an ad) is not forgotten at once; the paid contacts are applied first, so a "
              "consumer contacted on the step can forget the brand on the same step (reachable by any scenario "
              "with response.awareness_half_life and ads, e.g. baseline, limited_exposure)",
         old=('                i = contacted[j]\n'
             '                if state[i] == UNAWARE:'),
         new=('                i = contacted[j]\n'
             '                if state[i] == UNAWARE and not (forget > 0.0 and uniform(key, step, i) < forget):')),
    dict(id="loyal-keep-as-closed", area="loyalty",
         rule="model.md 7.8 Loyalty: over a step L -> L* + (L - L*) e^{-(growth f + decay) dt}: loyalty_keep is the "
              "share of the gap to the target LEFT after a step; it is read as the share CLOSED "
              "(L + (L* - L) keep), so a customer's loyalty jumps almost to its target on the first step "
              "(reachable by every scenario with customers and loyalty growth or decay)",
         old='value = heads_to[x] + (loyal[x] - heads_to[x]) * kept[x]',
         new='value = loyal[x] + (heads_to[x] - loyal[x]) * kept[x]'),
    dict(id="seed-rejected-stay-unaware", area="campaigns",
         rule="model.md 7.5 Seeding: EVERY RECIPIENT of a free sample is reached by the brand and knows it "
              "(aware), whether or not the sample converts; only the consumers it converted are made aware, "
              "so a sample that did not convert leaves its recipient unaware (reachable by any seeding campaign "
              "with fit below 1, e.g. baseline, launch_decision)",
         old="unaware = given[self.state[brand, given] == UNAWARE]",
         new="unaware = kept[self.state[brand, kept] == UNAWARE]"),
    # --- market: word of mouth ---------------------------------------------------------------------------
    dict(id="wom-buzz-fade-per-step", area="wom",
         rule="model.md 7.4 Life cycle of talk: buzz fades as 2^(-tenure/h), tenure in time units, so each step "
              "multiplies the buzz heard by e^{-ln2 dt / h}; the step's length is dropped (e^{-ln2 / h} a "
              "STEP), so with dt = 7 buzz fades seven times too slowly, out of step with each customer's own "
              "buzz (reachable with buzz_half_life and dt != 1, e.g. launch_decision: dt = 7)",
         old="fading = math.exp(-self.decay_rate * dt)",
         new="fading = math.exp(-self.decay_rate)"),
    dict(id="wom-buzz-excites-noncustomers", area="wom",
         rule="model.md 7.4: a campaign with buzz = b tops up the buzz of each CUSTOMER OF THE BRAND it touches; "
              "every consumer it touched is excited, so people who never bought the brand start talking about "
              "it (reachable by any campaign with buzz > 0, e.g. the event in baseline, energy_drink_events, "
              "named_bottles)",
         old="customers = np.unique(c.consumers[self.state.current[c.consumers] == c.brand])",
         new="customers = np.unique(c.consumers)"),
    dict(id="wom-negative-boosts-adoption", area="wom",
         rule="model.md 7.6 Adoption: H = (A + q dt W+) f P U B / (1 + nu W-): bad word DAMPS adoption; the "
              "factor multiplies instead of dividing, so complaints about a brand raise its adoption (reachable "
              "whenever a brand has dissatisfied customers and negative_weight > 0, the default 1)",
         old="* barrier / (1.0 + negative_weight * neg)",
         new="* barrier * (1.0 + negative_weight * neg)"),
    dict(id="referral-uplift-ignored", area="wom",
         rule="model.md 7.5 Referral offers: while an offer runs, the brand's satisfied customers' positive talk "
              "counts 1 + uplift times IN OTHERS' ADOPTION HAZARDS AND AWARENESS; the uplift is dropped from the "
              "hazards (only the paid/word-of-mouth attribution still reads it), so an offer pays rewards "
              "without winning anyone extra (reachable by any scenario with a 'referral' campaign, uplift > 0)",
         old='pos = talk_heard(good[t], good_buzz[z], buzz_scale, per_contact[t]) * more',
         new='pos = talk_heard(good[t], good_buzz[z], buzz_scale, per_contact[t])'),
    # --- market: exposure ---------------------------------------------------------------------------------
    dict(id="exp-wearout-kept-as-lost", area="exposure",
         rule="model.md 7.6 Ad response: contact k of a step weighs w (1 - omega)^k and w <- w (1 - omega)^m; the "
              "table of what each contact KEEPS uses omega^k (what it LOSES), so with omega = 0.1 a fresh "
              "consumer's first contact counts as nine and then leaves it a tenth of its responsiveness "
              "(reachable by any scenario with response.wearout > 0, e.g. 0.1 in the ready scenarios)",
         old="return (1.0 - wearout) ** np.arange(int(most) + 1)",
         new="return wearout ** np.arange(int(most) + 1)"),
    dict(id="exp-wear-clock-not-reset", area="exposure",
         rule="model.md 7.6: between contacts the consumer recovers, after dt time units WITHOUT AN AD, "
              "w <- 1 - (1 - w) 2^(-dt/recovery_half_life); the time of the last contact is not stored, so the "
              "idle time is counted from the start of the run and a consumer hit daily recovers as if rested "
              "for months (reachable by any scenario with response.wearout > 0)",
         old="        wear[i] = 0.0 if w < 1e-100 else w  # worn out; keeps the floats away from slow denormals\n"
             "        wear_step[i] = step",
         new="        wear[i] = 0.0 if w < 1e-100 else w  # worn out; keeps the floats away from slow denormals"),
    dict(id="adopt-ad-hazard-lingers", area="adoption",
         rule="model.md 7.6: the ad hazard A_bi comes from THIS STEP'S contacts (adoption.py: 'the ad hazard "
              "lasts this step'); it is not cleared after the step, so a consumer contacted once keeps its ad "
              "hazard on every later step until another contact overwrites it (reachable by every ads campaign "
              "that does not hit the same consumers every step)",
         old=('    for e in exposure:  # the ad hazard lasts this step\n'
             '        clear_at(state.ad[e.brand], e.consumers)'),
         new=('    for e in exposure:  # the ad hazard lasts this step\n'
             '        pass')),
    dict(id="seed-counted-as-impression", area="exposure",
         rule="model.md 3 Process (6. Exposure: PAID contacts become the ad hazard) and 7.6 Share of voice "
              "('seeding has no channel and is not counted'); samples are fed into the contact pipeline with "
              "the brand's impressions, so each free sample also counts as an impression, gives an ad hazard "
              "and wears the recipient out (reachable by any seeding campaign, e.g. baseline, launch_decision)",
         old="paid = [c for c in contacts if c.brand == b and not c.seeded]",
         new="paid = [c for c in contacts if c.brand == b]"),
    dict(id="rel-dimensions-off-by-one", area="exposure",
         rule="model.md 7.5: d_i is the mean over SIX attributes (age by decade, gender, region, occupation, "
              "income, interests) of the share of audience members unlike i; the divisor counts five "
              "(1 + the categorical fields), so every distance is 6/5 too large and relevance falls too fast "
              "with breadth (reachable by any scenario with response.tailoring > 0, e.g. baseline: 0.7)",
         old="DIMENSIONS = 2 + len(CATEGORICAL_FIELDS)",
         new="DIMENSIONS = 1 + len(CATEGORICAL_FIELDS)"),
    dict(id="voice-counts-campaigns", area="exposure",
         rule="model.md 7.6 Share of voice: V_h is the number of IMPRESSIONS all brands delivered in channel h on "
              "the step and V_-b,h the rivals' part; each campaign counts as one, so a brand's share of voice is "
              "its share of the campaigns on air, whatever they deliver (reachable with "
              "competitive_interference > 0 and two brands in one channel, e.g. launch_decision: ridge_tv and "
              "summit_tv)",
         old="by_channel.setdefault(c.channel, np.zeros(brands))[c.brand] += c.consumers.size",
         new="by_channel.setdefault(c.channel, np.zeros(brands))[c.brand] += 1"),
    # --- market: churn, the step's clock, niche control ---------------------------------------------------
    dict(id="churn-negative-word-per-step", area="adoption",
         rule="model.md 7.6 Churn: C = dt (churn (1 - L) ... + negative_word_churn W-): every rate is per time "
              "unit and held over dt; negative_word_churn is not multiplied by dt, so it acts per step (seven "
              "times too weak with dt = 7, ten times too strong with dt = 0.1) (reachable with "
              "negative_word_churn > 0 and dt != 1, e.g. launch_decision: dt = 7)",
         old="lp.churn * dt, lp.negative_word_churn * dt)))",
         new="lp.churn * dt, lp.negative_word_churn)))"),
    dict(id="model-step-time-off-by-one", area="campaigns",
         rule="model.md 2 Scales and outputs.md (time = step dt): step s runs from (s - 1) dt to s dt, and the "
              "campaigns act at its start; the step's context gets time s dt, its END, so every campaign starts "
              "and ends one step early and an ads campaign without 'end' is already done on the last step "
              "(reachable by every scenario with a campaign)",
         old="return StepContext((step - 1) * dt, dt, step, controlled, regions_with, self.state.current,",
         new="return StepContext(step * dt, dt, step, controlled, regions_with, self.state.current,"),
    dict(id="niche-control-unrecorded-step", area="niche",
         rule="model.md 3 Process (1. Conditions: which segments each brand controls AS THE LAST STEP LEFT "
              "THEM); the control is read from the row of the step being simulated, not yet recorded (all "
              "zeros), so no brand ever controls a niche while the market runs: no price increase, no reach "
              "discount, no cut or move (reachable by niche_saturation and baseline: price_increase_on_control, "
              "on_control = cut)",
         old="controlled = self.recorder.controlled(step - 1)",
         new="controlled = self.recorder.controlled(step)"),
    # --- market: metrics ----------------------------------------------------------------------------------
    dict(id="met-churn-rate-per-step", area="metrics",
         rule="outputs.md churn_rate: losses per customer-TIME UNIT (and model.md 7.10: lambda in LTV is the loss "
              "rate per customer-time); customer-time is summed in steps, without dt, so with dt = 7 churn_rate "
              "is seven times too high and the installed base's time (still in units) no longer matches, which "
              "skews ltv and customer_equity (reachable by any scenario with dt != 1 and churn, e.g. "
              "launch_decision, air_conditioners)",
         old='self.customer_time += d["customer"][step - 1].sum(axis=1) * dt',
         new='self.customer_time += d["customer"][step - 1].sum(axis=1)'),
    dict(id="met-market-share-of-population", area="metrics",
         rule="outputs.md market_share = customers / ALL BRANDS' CUSTOMERS; divided by the population instead, it "
              "repeats penetration (reachable by every run with customers)",
         old='"market_share": int(final["customer"][b]) / all_customers if all_customers else math.nan,',
         new='"market_share": int(final["customer"][b]) / population if all_customers else math.nan,'),
    dict(id="met-adopters-count-reacquisitions", area="metrics",
         rule="outputs.md timeseries adopters: cumulative FIRST acquisitions (consumers who became customers for "
              "the first time); every adoption is added, re-acquisitions and switches back included, so the "
              "column overstates new customers and no longer matches the summary's adopters (reachable by any "
              "scenario with churn or switching and re-adoption; calibrate fits this column)",
         old='d["adopters"][step, b] += d["first_paid"][step, b] + d["first_wom"][step, b]',
         new='d["adopters"][step, b] += self._by_segment(adopted)'),
    dict(id="met-outside-audience-complement", area="metrics",
         rule="outputs.md reach_outside_audience: the part of reach OUTSIDE every one of the brand's campaign "
              "audiences; the mask is not negated, so it counts the reach inside, and reach_in_audience becomes "
              "the outside (reachable by any targeted campaign with precision < 1 or a channel wider than its "
              "audience)",
         old="self._by_segment(reached[~self.audience[b, reached]])",
         new="self._by_segment(reached[self.audience[b, reached]])"),
    # --- market: network ----------------------------------------------------------------------------------
    dict(id="net-ring-offset-from-zero", area="network",
         rule="model.md 7.3 ring / small_world: each consumer linked to its k/2 nearest neighbours ON EACH SIDE "
              "(offsets 1..k/2); the offsets start at 0, a self-loop that is dropped, so each consumer keeps only "
              "k/2 - 1 on each side and mean_degree 2 gives no links at all (reachable by any ring or small_world "
              "network, e.g. named_bottles)",
         old="v = (u + np.tile(np.arange(1, half + 1, dtype=np.int32), n)) % n",
         new="v = (u + np.tile(np.arange(half, dtype=np.int32), n)) % n"),
    # --- market: campaigns and money ----------------------------------------------------------------------
    dict(id="camp-ran-out-latest", area="campaigns",
         rule="outputs.md ran_out_at: the time a campaign FIRST could not pay for all the impressions it planned; "
              "it is overwritten on every later step the budget binds, so it reports the last such step (usually "
              "the horizon) and marketsim run's warning names the wrong time (reachable by any ads campaign whose "
              "budget runs out before its end, e.g. break_even)",
         old="self.ran_out_at = ctx.time if self.ran_out_at is None else self.ran_out_at",
         new="self.ran_out_at = ctx.time"),
    dict(id="seed-default-cost-free", area="costs",
         rule="model.md 7.5 Seeding: cost_per_seed is BY DEFAULT THE UNIT COST price (1 - margin), paid for every "
              "sample given; the default is 0, so samples without an explicit cost are free and spend, CAC and "
              "return on spend leave them out (reachable by baseline's seeding, which sets no cost_per_seed)",
         old="self.cost_per_seed = unit_cost if spec.cost_per_seed is None else spec.cost_per_seed",
         new="self.cost_per_seed = 0.0 if spec.cost_per_seed is None else spec.cost_per_seed"),
    dict(id="copy-recovers-on-air", area="campaigns",
         rule="model.md 7.5 Copy wear-out: OFF AIR the copy recovers toward 1 with copy_recovery_half_life "
              "(restoration for the rest of the step, step - t_on); it recovers over the whole step, on air "
              "too, so a copy that airs every day keeps healing and wears out far less (reachable by any ads "
              "campaign with copy_wearout > 0, e.g. baseline: 0.005)",
         old="rested = 1.0 - (1.0 - self.copy_quality) * 2.0 ** (-(step - on_air) / spec.copy_recovery_half_life)",
         new="rested = 1.0 - (1.0 - self.copy_quality) * 2.0 ** (-step / spec.copy_recovery_half_life)"),
    dict(id="sales-repeat-per-step", area="costs",
         rule="model.md 7.10 Sales: a step's repeat purchases are Poisson(customers purchase_rate DT), "
              "purchase_rate per time unit; dt is dropped, so purchases, revenue and margin are per step "
              "(seven times too few with dt = 7, ten times too many with dt = 0.1) (reachable by any scenario "
              "with dt != 1, e.g. launch_decision, air_conditioners)",
         old='clock_of[x] -= rate * rate_of[x] * dt',
         new='clock_of[x] -= rate * rate_of[x]'),
    # --- scenario: uncertainty, loading, scaling, targeting ----------------------------------------------
    dict(id="unc-truncnorm-unstandardised", area="uncertainty",
         rule="scenarios.md Uncertain assumptions / uncertainty.Normal: a normal TRUNCATED TO [low, high]; scipy's "
              "truncnorm takes its bounds in standard deviations from the mean, and the raw bounds are passed, "
              "so normal(0.8, 0.08, low 0.5, high 0.98) lives in [0.84, 0.88] and its median moves up (reachable "
              "by launch_decision's precision, in every run, assess and calibrate of it)",
         old="return scipy.stats.truncnorm((self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd,",
         new="return scipy.stats.truncnorm(self.low, self.high,"),
    dict(id="unc-triangular-mode-not-offset", area="uncertainty",
         rule="scenarios.md Uncertain assumptions: triangular(low, mode, high) peaks at MODE; scipy's shape is "
              "(mode - low) / (high - low) and low is not subtracted, so triangular(4, 6, 12) peaks at 10 and its "
              "median rises from about 7.1 to about 8.9 (reachable by launch_decision's social cpm, in every run, "
              "assess and optimize of it)",
         old="return scipy.stats.triang((self.mode - self.low) / width, loc=self.low, scale=width)",
         new="return scipy.stats.triang(self.mode / width, loc=self.low, scale=width)"),
    dict(id="param-duration-scale-inverted", area="scenario",
         rule="parameters.md Time units: defaults and ranges are per day; for weeks MULTIPLY A RATE BY 7 AND "
              "DIVIDE A DURATION by 7 (per_day_scale); durations are multiplied too, so a weekly file that leaves "
              "out recovery_half_life gets 210 weeks instead of 30/7, and a weekly duration inside its plausible "
              "range is warned about as outside it (reachable by any scenario in weeks, months or years: "
              "limited_exposure's recovery_half_life = 2 weeks, marketsim validate)",
         old='    if p.unit == "unit":\n        return 1.0 / days_per_unit',
         new='    if p.unit == "unit":\n        return days_per_unit'),
    dict(id="scale-fixed-cost-not-scaled", area="scenario",
         rule="scenarios.md A market bigger than the machine / scale.py: every sum of money a scenario gives "
              "(budgets, spend rates, FIXED COSTS) is for the whole market and divided by people_per_consumer "
              "before a run; fixed_cost is left out of the list, so a campaign pays its creative k times over "
              "(or is unfunded) once spend is multiplied back (reachable with people_per_consumer > 1 and a "
              "campaign fixed_cost, e.g. baseline run with --set population.people_per_consumer=10)",
         old='CAMPAIGN_AMOUNTS = ("impressions", "spend_rate", "budget", "fixed_cost")',
         new='CAMPAIGN_AMOUNTS = ("impressions", "spend_rate", "budget")'),
    dict(id="tgt-has-any-as-all", area="targeting",
         rule="scenarios.md audience rules: { field = \"interests\", has_any = [...] } matches consumers holding "
              "ANY of the tags; it is tested as holding ALL of them, so an audience of two interests shrinks to "
              "their overlap (reachable by baseline's spark_social audience, has_any = [extreme_sports, fitness], "
              "and by the loader's check that an audience can match someone)",
         old="mask &= (people.interests & interest_bits(people.categories, rule.has_any)) != 0",
         new="mask &= (people.interests & interest_bits(people.categories, rule.has_any)) == interest_bits("
             "people.categories, rule.has_any)"),
    dict(id="load-set-index-off-by-one", area="scenario",
         rule="loading._set_path: a --set path addresses list items BY NAME OR INDEX (0 the first item); the "
              "index is read one-based, so --set campaigns.0.budget=0 changes the LAST campaign and "
              "brands.1.price the first brand (reachable by any --set, experiment factor or strategy that "
              "addresses a list item by its number)",
         old="match = [node[int(key)]]",
         new="match = [node[int(key) - 1]]"),
    # --- studies: experiments, assess, discovery, optimize, calibrate -------------------------------------
    dict(id="xp-integer-range-truncated", area="sweep",
         rule="experiments.md factors: range = { min, max, steps } with integer = true takes whole numbers: "
              "Range.at ROUNDS each evenly spaced level; the value is truncated, so levels between integers go "
              "down (0, 3.33, 6.67, 10 become 0, 3, 6, 10) and a sampled factor never reaches max unless u hits "
              "1 (reachable by any factor with an integer range whose levels are not whole)",
         old="return int(round(value)) if self.integer else float(value)",
         new="return int(value) if self.integer else float(value)"),
    dict(id="assess-cac-paid", area="assess",
         rule="assess.md Metrics: cac is CAC_BLENDED (spend per first-time customer, word of mouth included); the "
              "paid CAC is read instead, so P(best) on --metric cac and the cac percentiles ignore the customers "
              "a plan won by word of mouth (reachable by every assess: the cac row of the quantiles table)",
         old='"cac": _column(rows, s.brand, "cac_blended", "cac"),',
         new='"cac": _column(rows, s.brand, "cac_paid", "cac"),'),
    dict(id="assess-missing-counts-best", area="assess",
         rule="assess.md P(best): ties are shared, A MISSING VALUE COUNTS AS WORST (wide: NaN -> -inf after "
              "orienting higher as better); NaN is filled with +inf, so a plan that never reaches control, or "
              "wins no customer (cac undefined), is best in that future, and the micro plan never 'fails' there "
              "(reachable by assess --metric time_to_control or cac on launch_decision, where some futures "
              "never reach control)",
         old="return table.fillna(-np.inf)",
         new="return table.fillna(np.inf)"),
    dict(id="disc-ranked-ascending", area="discovery",
         rule="assess.md sensitivity: assumptions RANKED by delta (or the total Sobol index with --sobol), LARGEST "
              "FIRST, and the conclusion names the first two; ranked ascending, the report names the assumptions "
              "that matter least as those to check before spending (reachable by every assess of 40 futures or "
              "more, e.g. marketsim assess launch_decision)",
         old='order = table[index].sort_values(ascending=False, kind="stable").index.to_numpy()',
         new='order = table[index].sort_values(ascending=True, kind="stable").index.to_numpy()'),
    dict(id="opt-perfect-information-axis", area="optimize",
         rule="assess.md value of information: perfect information on everything = the mean over futures of the "
              "best plan IN EACH FUTURE, less the best expected value; the maximum is taken over futures for each "
              "plan (axis 1) instead of over plans for each future (axis 0), so the bound is the mean of the plans' "
              "best futures, not a value of information (reachable by every marketsim optimize)",
         old="perfect = float(values.max(axis=0).mean() - values.mean(axis=1).max())",
         new="perfect = float(values.max(axis=1).mean() - values.mean(axis=1).max())"),
    dict(id="pilot-default-brand-last", area="calibrate",
         rule="calibration.md Inputs: a pilot without a brand column is THE SCENARIO'S FIRST BRAND's; the last "
              "brand is taken, so the pilot is fitted to the rival's adoption (reachable by marketsim calibrate "
              "launch_decision launch_decision_pilot: the pilot has no brand column and Ridge, not Summit, is "
              "first)",
         old='brand = frame.brand.str.strip() if "brand" in frame else pd.Series(brands[0], index=frame.index)',
         new='brand = frame.brand.str.strip() if "brand" in frame else pd.Series(brands[-1], index=frame.index)'),
    # --- outputs ------------------------------------------------------------------------------------------
    dict(id="report-heatmap-sign-flipped", area="output",
         rule="experiments.md Reports / [compare]: the heat map shows how much the micro brand BEATS the macro "
              "brand, with better = lower meaning a lower metric is better (macro minus micro); the sign is "
              "taken from the wrong branch, so with better = lower the map shows where micro LOSES, coloured as "
              "a win (reachable by marketsim report on targeting_precision or break_even: compare on cac_paid, "
              "better = lower)",
         old='sign = 1.0 if compare.better == "lower" else -1.0',
         new='sign = 1.0 if compare.better == "higher" else -1.0'),
    dict(id="output-campaign-spent-in-consumers", area="output",
         rule="outputs.md People, not agents: every sum of money in the outputs is real money (the simulated "
              "amount times people_per_consumer), summary.json's campaigns[].spent included; spent is left in "
              "the engine's money, so a campaign's spend no longer adds up to its brand's (reachable by any run "
              "with people_per_consumer > 1 and spending, e.g. baseline with --set "
              "population.people_per_consumer=10)",
         old='"spent": c.budget.spent * sc.population.people_per_consumer,',
         new='"spent": c.budget.spent,'),
]
