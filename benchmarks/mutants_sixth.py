"""Sixth batch of the mutation campaign (``benchmarks/mutation_campaign.py --batch sixth``).

Chosen on 2026-12-06 from the code (marketsim/) and the documentation (docs/model.md, outputs.md, buying.md,
parameters.md, scenarios.md, experiments.md, assess.md, calibration.md) and the ready scenarios and experiments,
blind to the tests: no file under tests/ was opened, listed or searched to choose them, nor the repository's
history, nor any earlier campaign's results or the notes on which mutants survived. Spread as the earlier
batches were, but aimed at rules no earlier batch touched: in the market engine, buying (the spread of purchase
rates, the habit of rebuying one's brand, the period tallies, duplication of purchase, the own-purchase rate
that values a customer, share of category requirements), the price rise on control, stochastic rounding of
impressions, the step's spend, free samples (the switching barrier, one sample per consumer and brand, reach),
the installed base's loyalty, word of mouth per step, common random numbers of the adoption events, effective
exposure after wear-out, relationship building, a leaver's buzz, relevance over interests, triggered leakage,
events' audiences, switching away from the first brand, and the run summary (repeat purchases, customer
equity, margin per customer) and the timeseries' clock; then scenario loading (people per consumer for seeds,
defaults in another time unit, plausible ranges, a schema bound, the uniform distribution, uncertain paths by
name) and studies and outputs (the Dirichlet's mean and sole buyers, the summary's panel period, the report's
bands, time to control in assess, the sensitivity half-widths, the calibration's RMSE, a sweep's "never").
The niche-control share computation (metrics.Recorder.controlled), being rewritten, is left alone. Each is a
small, realistic bug in one rule the docs or a docstring state, in the format of ``MUTANTS`` in
mutation_campaign.py (``old`` occurs exactly once in marketsim/, ``new`` replaces it), and says in ``rule`` why
an ordinary scenario or command reaches it. None repeats a mutant of the second to fifth batches (the same
line with the same kind of change).
"""

MUTANTS_SIXTH = [
    # --- market: buying (purchase occasions, brand choice, tallies, duplication) --------------------------
    dict(id="buy-rate-spread-ignored", area="buying",
         rule="model.md 7.10 Purchase occasions: occasions arrive at rate g_i r with g_i ~ Gamma(k, 1/k) drawn once "
              "per consumer, so counts over a period are NBD across consumers (buying.py docstring); the clock "
              "winds down at r dt alone, so every customer buys at the mean rate and the counts are Poisson "
              "(reachable by every ready scenario: buying.rate_shape = 1.0, and experiments/category.py)",
         old='clock_of[x] -= rate * rate_of[x] * dt',
         new='clock_of[x] -= rate * dt'),
    dict(id="buy-stay-loyalty-inverted", area="buying",
         rule="model.md 7.10 The brand bought: a customer of c with loyalty L buys c with probability "
              "1 - rho (1 - L); the loyalty term is inverted (1 - rho L), so the most loyal customers are the "
              "ones who roam and a new customer (L = 0.1) nearly always rebuys (only the occasions' choice, _choose; reachable by every ready "
              "scenario: buying.repertoire = 1.0)",
         old="stay = 1.0 - repertoire * (1.0 - loyalty[i])\n        chosen[j] = own",
         new="stay = 1.0 - repertoire * loyalty[i]\n        chosen[j] = own"),
    dict(id="buy-first-purchase-untallied", area="buying",
         rule="outputs.md buying.parquet: a buyer of a brand bought it at least once in the period, 'a bought "
              "adoption or an occasion'; the bought adoptions are no longer tallied per consumer, so a consumer "
              "who adopted in the period and had no occasion yet is not a buyer, and penetration, purchases and "
              "sole buyers fall short of the timeseries' purchases (reachable by every run with adoptions)",
         old="        for b in range(brands):\n            self.bought[b, first[b]] += 1  # a consumer adopts once a step at most\n",
         new=""),
    dict(id="buy-duplication-other-denominator", area="buying",
         rule="outputs.md duplication.parquet: share is the part of BRAND'S buyers who also bought also_bought "
              "(Ehrenberg's table read along a row); it is divided by the other brand's buyers, so the row reads "
              "a column and the duplication law (buying.md: D nearly the same for every brand) breaks (reachable "
              "by every run of two or more brands, e.g. experiments/markets/category.toml)",
         old='"share": _ratio(int(together[b, o]), int(together[b, b]))})',
         new='"share": _ratio(int(together[b, o]), int(together[o, o]))})'),
    dict(id="buy-own-purchases-any-buyer", area="buying",
         rule="outputs.md own_purchase_rate: how often the brand's CUSTOMERS buy it again (their repeat purchases "
              "OF IT per customer-time; less than purchase_rate with a repertoire), which values a customer in "
              "ltv and customer_equity; every purchase of the brand on an occasion is counted, rivals' customers' "
              "repertoire purchases included, so the rate and the LTV are inflated (reachable by every ready "
              "scenario with two brands and repertoire = 1.0, e.g. baseline)",
         old="self.own_purchases += np.bincount(chosen[chosen == self.customer_of[buyer]], minlength=brands)",
         new="self.own_purchases += np.bincount(chosen, minlength=brands)"),
    dict(id="panel-sor-of-category", area="buying",
         rule="outputs.md buying.parquet: share_of_requirements = purchases / buyers_category_purchases, the "
              "brand's share of ITS BUYERS' category buying; divided by the whole segment's category purchases it "
              "repeats purchase_share, and the niche brand's higher share of requirements in buying.md vanishes "
              "(reachable by every run: buying.parquet and the summary's share_of_requirements)",
         old='"share_of_requirements": _ratio(c["purchases"], c["buyers_category_purchases"]),',
         new='"share_of_requirements": _ratio(c["purchases"], c["category_purchases"]),'),
    # --- market: prices, costs, the step's money -----------------------------------------------------------
    dict(id="price-increase-absolute", area="prices",
         rule="model.md 7.6 Price and 7.10: p_bs is the list price RAISED BY price_increase_on_control, a share of "
              "the price (parameters.md: unit 'share of price'), and a purchase earns price (1 + dp [control]); "
              "the share is added as an amount of money, so a 10% rise on a price of 4 becomes 0.1 (2.5%) and "
              "revenue, adoption and churn barely move on control (reachable by baseline (0.1) and "
              "niche_saturation (0.15) once the brand controls its niche)",
         old="price = list_price * (1.0 + increase)",
         new="price = list_price + increase"),
    dict(id="cost-stochastic-round-complement", area="costs",
         rule="model.md 7.5 Ads: n = impressions dt 'rounded stochastically to an integer WITH THE RIGHT MEAN' "
              "(costs.stochastic_round: keeps fractional per-step rates unbiased as dt shrinks); the comparison is "
              "flipped, so x rounds up with probability 1 - frac(x) and the mean is off by 1 - 2 frac(x) per step "
              "(reachable by any ads campaign whose impressions per step are fractional, e.g. spend_rate campaigns "
              "and air_conditioners with dt = 0.1)",
         old="return whole + int(rng.random() < x - whole)",
         new="return whole + int(rng.random() > x - whole)"),
    dict(id="model-spend-cumulative", area="costs",
         rule="outputs.md timeseries spend: money spent ON THE STEP (and summary spend the sum over the run); the "
              "brand's cumulative spend is recorded on every step instead of its increase, so spend, CAC, "
              "return on spend and cost per impression grow with the square of the run's length (reachable by "
              "every run that spends)",
         old="self.state, moved, spent - self._spent_recorded,",
         new="self.state, moved, spent,"),
    # --- market: free samples, the installed base ----------------------------------------------------------
    dict(id="seed-barrier-loyalty-not-gap", area="seeding",
         rule="model.md 7.5 Seeding and seeding.py: a sample converts with probability f_bi B_i, B_i = "
              "loyalty.switching (1 - L_i) for a rival's customer; the barrier uses L_i itself, so a rival's most "
              "loyal customers convert most easily and a fresh one hardly at all (reachable by any seeding whose "
              "audience holds rivals' customers, e.g. baseline's spark_samples and launch_decision's free pairs)",
         old="np.minimum(switching * (1.0 - state.loyalty[who]), 1.0)",
         new="np.minimum(switching * state.loyalty[who], 1.0)"),
    dict(id="seed-dedupe-and", area="seeding",
         rule="model.md 7.5 Seeding / seeding.py: one sample per (BRAND, CONSUMER), a consumer picked by two "
              "seedings of one brand gets one and the other campaign is refunded; the key test needs both the "
              "brand and the consumer to differ, so after each brand's first sample the others are taken for "
              "duplicates: they are refunded and never given (reachable by every seeding campaign, e.g. baseline's "
              "200 samples)",
         old="first[1:] = (brand[1:] != brand[:-1]) | (who[1:] != who[:-1])",
         new="first[1:] = (brand[1:] != brand[:-1]) & (who[1:] != who[:-1])"),
    dict(id="seed-reach-recounted", area="seeding",
         rule="outputs.md reach: cumulative UNIQUE consumers the brand has contacted (ads, events, seeding); a "
              "sample recipient the brand's ads already reached is added to reach again, so reach can pass the "
              "audience and reach_in_audience overstates (reachable by baseline: spark_samples at day 30 goes to "
              "under-30s that spark_social has been reaching since its launch)",
         old="new = given[~self.reached[brand, given]]",
         new="new = given"),
    dict(id="init-base-new-customer-loyalty", area="initial state",
         rule="model.md 7.7 The market at step 0: the installed base starts with loyalty INITIAL.LOYALTY (the "
              "brand's own table); it gets loyalty.initial, a new customer's, so an established base churns and "
              "switches like newcomers (reachable by named_bottles: initial.loyalty 0.4 against loyalty.initial "
              "0.1, and any brand with an initial share)",
         old="self._become_customers(b, base, spec.initial.loyalty)",
         new="self._become_customers(b, base, self.scenario.loyalty.initial)"),
    # --- market: adoption, switching, lift -----------------------------------------------------------------
    dict(id="adopt-wom-strength-per-step", area="adoption",
         rule="model.md 7.6 Adoption: H = (A + q DT W+) ... and hearing q (W+ + W-): q = word_of_mouth.strength is "
              "per time unit, held over the step; dt is dropped from q_dt, so word of mouth acts per step (seven "
              "times too weak with dt = 7, ten times too strong with dt = 0.1) (reachable by launch_decision and "
              "air_conditioners)",
         old="wom.strength * dt, wom.negative_weight",
         new="wom.strength, wom.negative_weight"),
    dict(id="lift-events-draw-per-candidate", area="lift",
         rule="model.md 7.11 Lift: the adoption events use ONE UNIFORM NUMBER PER CONSUMER PER STEP WHOEVER IS A "
              "CANDIDATE, so a run without a brand's campaigns shares its random numbers (a campaign with no "
              "effect has a lift of exactly zero); the events stream draws one number per candidate, so the "
              "numbers shift whenever the candidates differ and lift carries noise (reachable by every run, and "
              "every --lift, assess and experiment with lift = true)",
         old='u = uniforms(key, step, state.candidates, listed, CHUNK, state.uniform)',
         new='u = uniforms(key, step, np.arange(state.candidates.size), listed, CHUNK, state.uniform)'),
    dict(id="switch-from-first-brand-kept", area="adoption",
         rule="model.md 7.6 Competing risks: an adoption of b switches the consumer away from ANY current brand, "
              "which counts it as switched; the test skips brand 0 (previous > 0), so customers of the first brand "
              "in the file who adopt a rival stay counted as its customers, its talkers and its share, and are "
              "never counted as switched (reachable by every scenario of two brands with switching, e.g. baseline, "
              "named_bottles)",
         old="for other in np.unique(previous[previous >= 0]):",
         new="for other in np.unique(previous[previous > 0]):"),
    # --- market: exposure, campaigns ----------------------------------------------------------------------
    dict(id="exp-effective-ignores-wear", area="exposure",
         rule="model.md 7.6 Ad response: the step's effective exposure is E = W (1 - (1-omega)^m) / omega, the "
              "consumer's responsiveness w scaling it; w is left out, so a worn-out consumer responds as a fresh "
              "one and wear-out only saturates within a step (reachable by every ads campaign at the default "
              "wearout 0.2)",
         old="effective = w * (1.0 - kept[int(c)]) / wearout",
         new="effective = (1.0 - kept[int(c)]) / wearout"),
    dict(id="rel-interests-not-averaged", area="exposure",
         rule="model.md 7.5: d_i is the mean over six attributes, interests counting as ONE, the MEAN over the tags "
              "any member holds of |holds_i - prevalence|; the per-tag mismatches are summed, so an audience "
              "described by several interests weighs them several times and d_i can pass 1 (relevance below 0) "
              "(reachable by any scenario with response.tailoring > 0, e.g. baseline: 0.7, spark_social's "
              "audience with interests)",
         old="d += off / tag_bits.size",
         new="d += off"),
    dict(id="camp-trigger-leak-everywhere", area="campaigns",
         rule="model.md 7.5 Triggers: a triggered campaign delivers only on steps when the condition holds, and "
              "ONLY TO CONSUMERS IN THOSE REGIONS; the impressions that leak outside the audience (1 - precision) "
              "go to the channel's users in every region, rain or not (reachable by rainy_city_rides: "
              "rainy_days has trigger = rain and the default precision 0.6)",
         old="users = self._where_condition_holds(self.users, ctx)",
         new="users = self.users"),
    dict(id="camp-event-channel-users", area="campaigns",
         rule="model.md 7.5 Events: once, at launch, REACH DISTINCT AUDIENCE MEMBERS (channel users) are contacted; "
              "the event draws from all the channel's users, so most contacts land outside its audience (reachable "
              "by baseline's spark_event: audience interests has_any extreme_sports on the sponsorship channel of "
              "everyone, and energy_drink_events)",
         old="pool = self._where_condition_holds(self.targets, ctx)",
         new="pool = self._where_condition_holds(self.users, ctx)"),
    # --- market: loyalty, word of mouth --------------------------------------------------------------------
    dict(id="loyal-bond-skips-own-contact", area="loyalty",
         rule="model.md 7.8 Loyalty: a customer reached by ITS OWN BRAND's campaigns gains L -> L + (1 - L)(1 - "
              "e^{-gain E r}); the walk through the brand's exposed consumers passes the customer itself (<= i "
              "instead of < i), so the match is never found and relationship building never happens (reachable by "
              "any scenario whose ads reach the brand's customers, loyalty.relationship_gain 0.5 by default)",
         old='while at[b] < end_b and bonded[at[b]] < i:',
         new='while at[b] < end_b and bonded[at[b]] <= i:'),
    dict(id="wom-leaver-buzz-from-start", area="wom",
         rule="model.md 7.4 Life cycle of talk: a customer's buzz fades as 2^(-tenure/h), from ITS adoption or last "
              "campaign contact (buzz_time); the current buzz is aged from the start of the run, so a leaver removes "
              "less buzz than it still adds to what its contacts hear, which then never fades away, and a campaign "
              "tops buzz up against the wrong level (reachable by every scenario with buzz_half_life and churn or "
              "buzz campaigns, e.g. baseline, named_bottles)",
         old="return self.own_buzz[consumers] * np.exp(-self.decay_rate * (time - self.buzz_time[consumers]))",
         new="return self.own_buzz[consumers] * np.exp(-self.decay_rate * time)"),
    # --- market: run summary and timeseries ----------------------------------------------------------------
    dict(id="met-repeat-purchases-seeded", area="metrics",
         rule="outputs.md repeat_purchases: purchases over the run less the first purchases, and a free sample is "
              "not a purchase (model.md 7.10: seeded adoptions are in new_paid but bought nothing); the seeded "
              "adoptions are subtracted too, so repeat purchases fall short by the samples that converted "
              "(reachable by any seeding campaign, e.g. baseline, launch_decision)",
         old='int(total["purchases"][b] - total["new_paid"][b] + total["seeded"][b]',
         new='int(total["purchases"][b] - total["new_paid"][b]'),
    dict(id="met-equity-revenue", area="metrics",
         rule="outputs.md customer_equity: customers . price . MARGIN . own_purchase_rate / (lambda + delta), the "
              "discounted MARGIN still to come; the price is used, so equity counts revenue and assess --metric "
              "customer_equity favours expensive low-margin brands (reachable by every run with customers at the "
              "horizon)",
         old="equity = held * unit_margin * remaining if held and unit_margin else 0.0",
         new="equity = held * spec.price * remaining if held and unit_margin else 0.0"),
    dict(id="met-margin-per-customer-no-base", area="metrics",
         rule="outputs.md margin_per_customer: margin / (INSTALLED_BASE + acquisitions), margin per customer "
              "relationship (model.md 7.10: about the LTV for a cohort followed to its end); the installed base "
              "is left out although its purchases are in the margin, so a brand with a base shows a huge margin "
              "per customer (reachable by named_bottles and any brand with an initial share)",
         old="relationships = installed + acquisitions",
         new="relationships = acquisitions"),
    dict(id="met-timeseries-time-in-steps", area="metrics",
         rule="outputs.md timeseries.parquet: 'time = step . dt', the time in the scenario's unit; the step number "
              "is written, so with dt = 7 a year ends at time 52 and the report's over-time figures and a pilot "
              "read against time are out by a factor dt (reachable by launch_decision (dt = 7) and "
              "air_conditioners (dt = 0.1))",
         old='"time": idx[0] * dt,',
         new='"time": idx[0],'),
    # --- scenario: people per consumer, time units, ranges, distributions ----------------------------------
    dict(id="scale-seeds-not-scaled", area="scenario",
         rule="scenarios.md A market bigger than the machine / scale.py: every count of people a scenario gives "
              "(impressions, REACH, SEEDS) is for the whole market and becomes whole consumers before a run; seeds "
              "are left in people, so with people_per_consumer = k a seeding gives k times the samples it paid "
              "for in consumers (reachable with people_per_consumer > 1 and seeding, e.g. baseline with --set "
              "population.people_per_consumer=10)",
         old='CAMPAIGN_PEOPLE = ("reach", "seeds")',
         new='CAMPAIGN_PEOPLE = ("reach",)'),
    dict(id="load-default-not-in-unit", area="scenario",
         rule="parameters.md Time units / loading.defaults_in_unit: a rate or duration the file leaves out gets its "
              "default CONVERTED TO THE SCENARIO'S UNIT ('a file in weeks that leaves out word_of_mouth.strength "
              "gets 0.007 a week, not 0.001'); the per-day figure is used as is, so a weekly or yearly scenario's "
              "unset rates are 7 or 365 times too small and its durations too long (reachable by limited_exposure "
              "(weeks) and air_conditioners (years))",
         old="table.setdefault(field, p.default * per_day_scale(p, days))",
         new="table.setdefault(field, p.default)"),
    dict(id="param-range-high-unscaled", area="scenario",
         rule="parameters.md: plausible ranges are given per day and converted to the scenario's unit "
              "(plausible_range: both ends times per_day_scale); the upper end is left per day, so in a weekly "
              "scenario every rate above its per-day high is warned about as implausible, and durations are never "
              "flagged (reachable by marketsim run and validate on limited_exposure, unit = week)",
         old="return p.low * scale, p.high * scale",
         new="return p.low * scale, p.high"),
    dict(id="schema-width-zero-refused", area="scenario",
         rule="model.md 7.2 and 7.12 Neutral settings: response.satisfaction_width = 0 is the hard cut at the "
              "threshold (the default, 'a hard cut'; parameters.md range 0-0.5); the bound becomes gt=0, so a "
              "scenario that writes the neutral setting out is refused by the loader (reachable by any scenario or "
              "--set giving satisfaction_width = 0, e.g. a Bass-docking set-up)",
         old="satisfaction_width: Annotated[float, Field(ge=0.0, le=0.5)]",
         new="satisfaction_width: Annotated[float, Field(gt=0.0, le=0.5)]"),
    dict(id="unc-uniform-scale-is-high", area="uncertainty",
         rule="scenarios.md Uncertain assumptions: uniform(low, high); scipy's uniform takes loc and a WIDTH "
              "(scale = high - low); high is passed as the width, so uniform(0.003, 0.015) runs to 0.018 with its "
              "median at 0.0105, and launch_decision's fit uniform(0.6, 0.95) reaches 1.55 and is refused "
              "(reachable by launch_decision's strength and fit and air_conditioners' size and strength)",
         old="return scipy.stats.uniform(self.low, self.high - self.low)",
         new="return scipy.stats.uniform(self.low, self.high)"),
    dict(id="unc-path-list-by-index", area="uncertainty",
         rule="uncertainty.Uncertain.path: dotted, LIST ITEMS BY NAME (what --set, experiment factors and "
              "strategies take; assess.md names the assumptions 'ridge social: precision'); items are named by "
              "their index, so assess's draws, sensitivity and boxes name 'campaigns 1 precision', posterior.csv's "
              "columns change, and a strategy that sets the same field by name no longer meets the draw "
              "(reachable by marketsim assess and calibrate launch_decision: channel, brand and campaign fields)",
         old='label = v["name"] if isinstance(v, dict) and isinstance(v.get("name"), str) else str(i)',
         new="label = str(i)"),
    # --- studies and outputs ---------------------------------------------------------------------------------
    dict(id="dir-mean-per-buyer", area="dirichlet",
         rule="dirichlet.py (Goodhardt, Ehrenberg and Chatfield 1984): M is the mean category purchases PER "
              "CONSUMER (penetration x purchases per buyer) and K is fitted so that 1 - P(0) matches the "
              "penetration; purchases per buyer are taken as M, so K, S and every prediction of buying.md's "
              "tables are wrong (reachable by experiments/category.py and fit_to_panel)",
         old="m = category_penetration * category_buy_rate",
         new="m = category_buy_rate"),
    dict(id="dir-sole-counts-nonbuyers", area="dirichlet",
         rule="dirichlet.predict: sole buyers bought only this brand in n >= 1 occasions (the Beta-binomial's mass "
              "at n); n = 0 is included, where 'only this brand' is certain, so the non-buyers of the category are "
              "added to the brand's sole buyers and the sole buyer share can pass 1 (reachable by "
              "experiments/category.py: buying.md's sole buyer share (Dirichlet) column)",
         old="sole = float(np.sum(pn[1:] * only[1:])) / penetration",
         new="sole = float(np.sum(pn * only)) / penetration"),
    dict(id="runner-panel-first-period", area="output",
         rule="outputs.md summary.json: buyers, purchase_frequency, share_of_requirements, sole_buyer_share, "
              "repeat_rate are the brand's row of buying.parquet FOR THE LAST PERIOD; the first period is read, "
              "so repeat_rate is always null and the measures describe the installed base's first quarter "
              "(reachable by any run with buying.period shorter than the horizon, e.g. "
              "experiments/markets/category.toml: period 91)",
         old='last = buying[(buying.period == buying.period.max()) & (buying.segment == "all")].set_index("brand")',
         new='last = buying[(buying.period == buying.period.min()) & (buying.segment == "all")].set_index("brand")'),
    dict(id="report-single-point-band", area="output",
         rule="experiments.md Groups and bands: a band is a 95% INTERVAL ACROSS REPLICATIONS when its group is a "
              "single design point, the P10-P90 of the points' means only for several; a one-point group takes "
              "the P10-P90 of its one mean, a band of width 0, and the report's table loses its intervals "
              "(reachable by marketsim report on break_even or wrong_niche: one factor, a point per group)",
         old="if len(point_values) <= 1:",
         new="if len(point_values) < 1:"),
    dict(id="assess-time-to-control-latest", area="assess",
         rule="assess.md Metrics: time_to_control is the EARLIEST time to niche control in ANY segment; the "
              "latest over the segments is taken, so a plan that wins its niche early but one other segment late "
              "looks slow (reachable by every assess: the time_to_control row of the quantiles, and --metric "
              "time_to_control on launch_decision)",
         old='"time_to_control": control.min(axis=1) if control.shape[1] else np.nan,',
         new='"time_to_control": control.max(axis=1) if control.shape[1] else np.nan,'),
    dict(id="disc-halfwidth-90", area="discovery",
         rule="assess.md sensitivity: delta and S1 come with 95% HALF-WIDTHS from the bootstrap, and the "
              "conclusion names an assumption only when its interval excludes 0; z is the 90% quantile, so the "
              "intervals are too narrow and assumptions that cannot be told from noise are named (reachable by "
              "every assess of 40 futures or more, e.g. marketsim assess launch_decision)",
         old="z = norm.ppf(0.975)",
         new="z = norm.ppf(0.95)"),
    dict(id="cal-rmse-root-sum", area="calibrate",
         rule="calibration.md Outputs: the fit error is the RMSE in people PER PERIOD (calibration.json fit.rmse, "
              "fit.png's title); the squared errors are summed, not averaged, so the RMSE grows with the number "
              "of periods (reachable by every marketsim calibrate, e.g. launch_decision launch_decision_pilot)",
         old="rmse = float(np.sqrt(((fitted - fitter.observed) ** 2).mean()))",
         new="rmse = float(np.sqrt(((fitted - fitter.observed) ** 2).sum()))"),
    dict(id="sweep-never-as-zero", area="sweep",
         rule="experiments.md runs.parquet: a time to control never reached is EMPTY (NaN) (outputs.md: null if "
              "never); the sweep writes 0, which reads 'controlled from the start', so the report and any reader "
              "of <brand>.time_to_control.<segment> take every uncontrolled niche for an instant win (reachable "
              "by every marketsim sweep: most segments are never controlled)",
         old='row[f"{brand}.{key}.{segment}"] = np.nan if v is None else v',
         new='row[f"{brand}.{key}.{segment}"] = 0.0 if v is None else v'),
]
