"""Third batch of the mutation campaign (``benchmarks/mutation_campaign.py --batch third``).

Chosen on 2026-12-05 from the code (marketsim/) and the documentation (docs/model.md, outputs.md,
assess.md, calibration.md, experiments.md, scenarios.md, parameters.md), blind to the tests: no
file under tests/ was read to choose them. Each is a small, realistic bug in one rule the docs
state, in the format of ``MUTANTS`` in mutation_campaign.py (``old`` occurs exactly once in
marketsim/, ``new`` replaces it), and says in ``rule`` why an ordinary scenario reaches it. None
repeats a mutant of the second batch (the same line with the same kind of change).
"""

MUTANTS_THIRD = [
    # --- population, fit and satisfaction ------------------------------------------------------
    dict(id="pop-age-max-never-drawn", area="population",
         rule="model.md Population: age uniformly in [age.min, age.max], both ends included; numpy's high is "
              "exclusive, so nobody is ever age.max (reachable by every segment; an audience rule "
              "{ field = \"age\", min = age.max } then matches nobody)",
         old="age[members] = rng.integers(seg.age.min, seg.age.max + 1, size=m)",
         new="age[members] = rng.integers(seg.age.min, seg.age.max, size=m)"),
    dict(id="pop-talk-scale-not-divided", area="population",
         rule="model.md Population: talkativeness gamma with MEAN talkativeness (scale = mean / shape); the scale "
              "is the mean itself, so the mean is talkativeness * shape (4 times too talkative at the default "
              "talkativeness_spread 0.5)",
         old="talk[members] = rng.gamma(shape, seg.talkativeness / shape, size=m)",
         new="talk[members] = rng.gamma(shape, seg.talkativeness, size=m)"),
    dict(id="sat-width-sign", area="satisfaction",
         rule="model.md Product fit and satisfaction: satisfied with probability logistic((f - theta) / w), rising "
              "with fit; logistic((theta - f) / w), so the best-fitting consumers are the dissatisfied ones "
              "(reachable with response.satisfaction_width > 0, e.g. 0.1)",
         old="return rng.random(fit.shape) < expit((fit - threshold) / width)",
         new="return rng.random(fit.shape) < expit((threshold - fit) / width)"),
    dict(id="sat-hard-cut-strict", area="satisfaction",
         rule="model.md Product fit and satisfaction: with w = 0 satisfaction is the hard cut f >= theta; f > theta "
              "makes a consumer exactly at the threshold dissatisfied (reachable at the defaults: default_fit 0.5 "
              "= satisfaction_threshold 0.5, with fit_spread = 0 as in the Bass set-up)",
         old="return fit >= threshold",
         new="return fit > threshold"),
    # --- social network -----------------------------------------------------------------------------
    dict(id="net-scale-free-weight-exponent", area="network",
         rule="model.md Social network scale_free: ends drawn with probability proportional to r^(-1/(gamma-1)), "
              "so P(degree = d) ~ d^-gamma; r^(-1/gamma) gives a thinner tail, d^-(gamma+1) (reachable by any "
              "scale_free network, exponent 3 by default)",
         old="weight = rank ** (-1.0 / (exponent - 1.0))",
         new="weight = rank ** (-1.0 / exponent)"),
    dict(id="net-homophily-inside-no-offset", area="network",
         rule="model.md Social network homophilous: a link ends with probability homophily at a uniform member of "
              "ITS OWN group; the group's start in the sorted order is forgotten, so inside links of every group "
              "end among the first group's members (reachable by any homophilous network of two or more groups)",
         old="v[k] = order[start[g] + np.int64(draws[k] * sizes[g])]",
         new="v[k] = order[np.int64(draws[k] * sizes[g])]"),
    # --- word of mouth --------------------------------------------------------------------------------
    dict(id="wom-divides-by-mean-degree", area="word of mouth",
         rule="model.md Word of mouth: W = sum over contacts of tau_j [...] / |N(i)|, each consumer's OWN number of "
              "contacts; divided by the mean degree instead, so a hub hears more than 'all its contacts are "
              "customers' (reachable on any graph with unequal degrees: random, scale_free, homophilous)",
         old="self.inv_contacts = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)",
         new="self.inv_contacts = np.full_like(deg, 1.0 / deg.mean())"),
    dict(id="wom-leaving-removes-full-talk", area="word of mouth",
         rule="model.md Life cycle of talk: a customer's lasting voice is lambda * tau; a customer who leaves "
              "removes the full tau from what its contacts hear, more than it added (reachable with "
              "word_of_mouth.buzz_half_life set, lasting 0.25 by default, and any churn or switching)",
         old='self._move(brand, consumers, -self.lasting * self.talk[consumers], buzz, by_hazard)',
         new='self._move(brand, consumers, -self.talk[consumers], buzz, by_hazard)'),
    # --- relevance, intrusion, wear-out -----------------------------------------------------------------
    dict(id="rel-tailoring-ignored", area="exposure",
         rule="model.md Paid contacts: relevance r (1 - t d_i) with t = response.tailoring; the factor t is "
              "forgotten, so any tailoring above 0 acts as full tailoring (reachable with tailoring = 0.5)",
         old="np.multiply(relevance, 1.0 - tailoring * distance(prof, consumers, pop), out=out)",
         new="np.multiply(relevance, 1.0 - distance(prof, consumers, pop), out=out)"),
    dict(id="rel-distance-share-alike", area="exposure",
         rule="model.md Paid contacts: d_i is the share of audience members UNLIKE i on each attribute (a "
              "homogeneous niche is at distance 0); the share alike is used, so a niche's own members are the "
              "farthest (reachable with response.tailoring > 0 and a targeted campaign with relevance)",
         old="return 1.0 - np.bincount(codes, minlength=size) / members.size",
         new="return np.bincount(codes, minlength=size) / members.size"),
    dict(id="exp-intrusion-flat-cap", area="exposure",
         rule="model.md Ad response: past theta = intrusion_threshold a contact counts 1 + gain (r - 2 max(0, "
              "r - theta)), falling back at the same slope; the factor 2 is forgotten, so relevance past theta is "
              "merely capped and never intrusive (reachable with intrusion_threshold 0.5 and relevance 1)",
         old="return max(0.0, 1.0 + gain * (relevance - 2.0 * max(0.0, relevance - threshold)))",
         new="return max(0.0, 1.0 + gain * (relevance - max(0.0, relevance - threshold)))"),
    dict(id="exp-wear-one-contact-short", area="exposure",
         rule="model.md Ad response: after m contacts in a step w <- w (1 - omega)^m; (1 - omega)^(m-1), so one "
              "contact a step never wears a consumer out (reachable at the default wearout 0.2 with any ads)",
         old="w *= kept[int(c)]",
         new="w *= kept[int(c) - 1]"),
    # --- the price of targeting, share of voice, copy wear-out ------------------------------------------
    dict(id="cost-premium-for-everyone", area="exposure",
         rule="model.md The price of targeting: cpm (1 + premium precision (1 - a)); the (1 - a) is forgotten, "
              "so an audience of everyone pays the premium too instead of the list price (reachable with any "
              "channel whose targeting_premium > 0)",
         old="return cpm * (1.0 + premium * precision * (1.0 - audience_share))",
         new="return cpm * (1.0 + premium * precision)"),
    dict(id="cost-premium-share-of-market", area="exposure",
         rule="model.md The price of targeting: a is the audience's share of the CHANNEL'S USERS; its share of the "
              "whole market is used, so a campaign aimed at all users of a narrow channel pays a premium "
              "(reachable with a channel whose users rule is not everyone and targeting_premium > 0)",
         old="share = self.targets.size / self.users.size if self.users.size else 1.0",
         new="share = self.targets.size / self.pop.size if self.users.size else 1.0"),
    dict(id="voice-own-share", area="exposure",
         rule="model.md Share of voice: impact scaled by 1 - kappa V_-b,h / V_h, the RIVALS' part; the brand's own "
              "part is used, so a brand alone in its channel loses kappa of its impact (reachable with "
              "response.competitive_interference > 0)",
         old="c.impact *= 1.0 - interference * (impressions.sum() - impressions[c.brand]) / impressions.sum()",
         new="c.impact *= 1.0 - interference * impressions[c.brand] / impressions.sum()"),
    dict(id="copy-intensity-per-channel-user", area="campaigns",
         rule="model.md Copy wear-out: u is impressions per member of the AUDIENCE (the channel's users only "
              "when it has none); divided by the channel's users, so concentrated targeted impressions barely wear "
              "the copy (reachable with copy_intensity_wearout > 0 on a targeted campaign)",
         old="aired / max(self.targets.size or self.users.size, 1)",
         new="aired / max(self.users.size, 1)"),
    dict(id="copy-quality-ignored", area="campaigns",
         rule="model.md Copy wear-out: the copy's quality Q multiplies every contact's impact; the contacts are "
              "made at quality 1, so a worn copy converts like a fresh one (reachable with copy_wearout > 0, as "
              "in experiments/pulsing.toml)",
         old="return self._contacts(hits, by_segment, quality), hits.size / planned",
         new="return self._contacts(hits, by_segment), hits.size / planned"),
    # --- adoption, churn, prices ------------------------------------------------------------------------
    dict(id="adopt-barrier-brand-zero", area="adoption",
         rule="model.md Adoption: B = switching (1 - L) for a customer of another brand, 1 for a consumer with no "
              "brand; current > 0 instead of >= 0 treats customers of the first brand in the file as brandless "
              "(no loyalty barrier; reachable by any scenario of two brands)",
         old='barrier = barrier if brand_of[x] >= 0 else 1.0',
         new='barrier = barrier if brand_of[x] > 0 else 1.0'),
    dict(id="churn-negative-word-uses-positive", area="churn and loyalty",
         rule="model.md Churn: negative_word_churn W-_ci, the BAD word heard about one's brand; the positive talk "
              "is used (reachable at the default negative_word_churn 0.05 with satisfied customers around)",
         old='churn[x] += negative_churn_dt * neg if mine else 0.0',
         new='churn[x] += negative_churn_dt * pos if mine else 0.0'),
    dict(id="price-shield-inverted", area="prices",
         rule="model.md Churn: the price rise's churn response is scaled by (1 - price_shield); by price_shield "
              "(identical at the default 0.5; reachable with price_increase_on_control > 0 and a shield of 0, "
              "the neutral comparison model.md recommends, or 0.8)",
         old="churn = np.exp(sc.loyalty.price_sensitivity * increase * (1.0 - sc.niche.price_shield))",
         new="churn = np.exp(sc.loyalty.price_sensitivity * increase * sc.niche.price_shield)"),
    # --- awareness and forgetting -----------------------------------------------------------------------
    dict(id="aware-forget-mean-life", area="awareness",
         rule="model.md Awareness: the aware forget with probability 1 - 2^(-dt / half_life) per step; "
              "1 - e^(-dt / half_life), the half-life read as a mean lifetime (reachable with "
              "response.awareness_half_life set)",
         old="forget = 0.0 if half_life is None else -np.expm1(-np.log(2.0) * sc.time.dt / half_life)",
         new="forget = 0.0 if half_life is None else -np.expm1(-sc.time.dt / half_life)"),
    dict(id="aware-lapsed-forget", area="awareness",
         rule="model.md Awareness: lapsed customers know the brand from use and do not forget; they forget like "
              "the aware (reachable with awareness_half_life set and any churn)",
         old='        _forget_and_hear[prospects is not None](state[b], hearing[b],',
         new=('        if forget > 0:  # the lapsed (3) forget like the aware, on the same number\n'
             '            lapsed = np.flatnonzero(state[b] == 3)\n'
             '            gone = lapsed[np.array([uniform(key, step, i) < forget for i in lapsed], dtype=bool)]\n'
             '            state[b, gone] = UNAWARE\n'
             '            lost = np.bincount(segment[gone], minlength=counts.shape[2])\n'
             '            counts[b, 3] -= lost\n'
             '            counts[b, UNAWARE] += lost\n'
             '        _forget_and_hear[prospects is not None](state[b], hearing[b],')),
    # --- loyalty ----------------------------------------------------------------------------------------
    dict(id="loyal-relax-at-decay-only", area="churn and loyalty",
         rule="model.md Loyalty: L -> L* + (L - L*) e^(-(growth f + decay) dt); the gap closes at decay alone, "
              "four times slower at the defaults (reachable by every customer)",
         old="keep = np.exp(-rate * self.scenario.time.dt)",
         new="keep = np.exp(-(lp.decay + 0.0 * rate) * self.scenario.time.dt)"),
    # --- niche control ----------------------------------------------------------------------------------
    dict(id="niche-threshold-strict", area="niche control",
         rule="model.md Niche control: the brand controls the niche while its share is AT LEAST control_threshold; "
              "strictly above (reachable by an installed base of exactly the threshold, initial.share 0.5 of a "
              "segment of even size)",
         old='return self.share(step) >= self.threshold',
         new='return self.share(step) > self.threshold'),
    dict(id="camp-niche-any-segment", area="niche control",
         rule="model.md Niche control triggers: cut / move while the brand controls ALL of the campaign's niche; "
              "as soon as it controls any one (reachable with a niche of two segments and on_control cut or move)",
         old="return self.niche_codes.size > 0 and bool(controlled[self.brand, self.niche_codes].all())",
         new="return self.niche_codes.size > 0 and bool(controlled[self.brand, self.niche_codes].any())"),
    # --- research ---------------------------------------------------------------------------------------
    dict(id="camp-research-true-fit", area="campaigns",
         rule="model.md Research: each panel member says yes with probability equal to its fit and the score is "
              "the share of yeses (outputs: panel_scores the share of each panel that said yes); the panel's mean "
              "fit is reported, so the answers carry no chance (reachable with research alternatives)",
         old="self.panel_scores[name] = float((self.rng.random(panel.size) < self.fit[panel]).mean())",
         new="self.panel_scores[name] = float(self.fit[panel].mean())"),
    # --- sales and value --------------------------------------------------------------------------------
    dict(id="met-seeded-bought", area="metrics",
         rule="model.md Seeding: seeded consumers get the product FREE (a first purchase is one bought); seeded "
              "adoptions are counted as bought first purchases, with revenue and margin (reachable by any seeding "
              "campaign)",
         old='first.append(adopted[~np.isin(adopted, Transitions.joined(moved.seeded[b]))])',
         new='first.append(adopted)'),
    dict(id="sales-unit-cost-is-margin", area="metrics",
         rule="model.md Sales and value: gross margin is revenue minus the unit cost price (1 - margin); the unit "
              "margin price * margin is taken as the cost (identical at margin 0.5; reachable with margin 0.4, "
              "as in the worked example of parameters.md)",
         old='unit_cost = np.array([b.unit_cost for b in sc.brands])[:, None]',
         new='unit_cost = np.array([b.price * b.margin for b in sc.brands])[:, None]'),
    dict(id="met-retention-acquisitions", area="metrics",
         rule="outputs: retention = customers / (installed_base + adopters), first acquisitions; all acquisitions "
              "are used, re-acquisitions included (reachable with churn and re-adoption in a long run)",
         old="served = installed + first",
         new="served = installed + acquisitions"),
    dict(id="met-discount-per-year", area="metrics",
         rule="model.md Sales and value: delta = discount_rate per YEAR converted to the time unit; the yearly "
              "rate is used per time unit (365 times too large in a daily scenario, the default unit)",
         old='discount = sc.valuation.discount_rate * sc.time.days_per_unit / 365.0  # per time unit',
         new='discount = sc.valuation.discount_rate  # per time unit'),
    # --- lift -------------------------------------------------------------------------------------------
    dict(id="lift-brands-without-campaigns", area="lift",
         rule="model.md Lift: the counterfactual is run for each brand WITH campaigns (outputs: incremental "
              "metrics null otherwise); a brand without campaigns gets a lift of 0 (reachable with --lift and a "
              "brand that runs no campaign)",
         # the line became lift for chosen brands on 2026-12-06 (assess judges only its strategies' brands)
         old="advertisers = [b.name for b in model.brands if b.campaigns and (lift is True or b.name in (lift or ()))]",
         new="advertisers = [b.name for b in model.brands if (lift is True or b.name in (lift or ()))]"),
    dict(id="lift-silences-all-advertisers", area="lift",
         rule="model.md Lift: the same market with THAT brand's campaigns switched off; every advertiser is "
              "silenced, so a brand's lift includes what its rivals' campaigns did to it (reachable with --lift "
              "and two brands with campaigns, as in experiments/break_even.toml)",
         old="without = MarketModel(sc, rng=model.seed, silent_brands=frozenset([name]))",
         new="without = MarketModel(sc, rng=model.seed, silent_brands=frozenset(advertisers))"),
    # --- experiments and sweeps -------------------------------------------------------------------------
    dict(id="xp-run-number-is-point", area="experiments",
         rule="experiments.md: runs.parquet has one row per run (points times replications), each run once; the "
              "run number is taken from the point, so replications of a point share it (reachable with "
              "replications > 1, every ready experiment)",
         old="out.append(Run(len(out), p, r, seed, point, self.overrides(point)))",
         new="out.append(Run(p, p, r, seed, point, self.overrides(point)))"),
    dict(id="xp-horizon-ignored", area="experiments",
         rule="experiments.md: horizon (optional) overrides time.horizon for every run; ignored, runs go to the "
              "scenario's own horizon (reachable by any experiment that sets horizon)",
         old='if self.spec.horizon is not None:\n            out["time.horizon"] = self.spec.horizon',
         new="pass"),
    dict(id="xp-monte-carlo-unseeded", area="experiments",
         rule="experiments.md: every run derives from the experiment's root seed (results reproducible, a sweep "
              "resumable); a monte_carlo design's points are drawn from fresh entropy, different at every load "
              "(reachable by design type monte_carlo)",
         old="u = np.random.default_rng(spec.seed).random((design.samples, d))",
         new="u = np.random.default_rng().random((design.samples, d))"),
    dict(id="sweep-done-marker-timeseries", area="experiments",
         rule="experiments.md: a killed sweep loses only the bundles in flight; a bundle counts as done by its runs "
              "part, written last; checking the timeseries part (written first) lets a kill between the two "
              "writes leave a bundle 'done' without its runs (reachable by killing and resuming a sweep)",
         old="if not names[0].exists():",
         new="if not names[1].exists():"),
    # --- assess -----------------------------------------------------------------------------------------
    dict(id="assess-ties-not-shared", area="assess",
         rule="assess.md: P(best) with ties SHARED (the shares add up to 1 per future); every tied strategy "
              "counts as best (reachable when strategies tie, e.g. all missing a metric, or share a variant)",
         old="return best.div(best.sum(axis=1), axis=0).mean()",
         new="return best.mean()"),
    dict(id="assess-wrong-metric-flipped", area="assess",
         rule="assess.md: lower is better for cac and time_to_control; the metrics where HIGHER is better are "
              "negated instead, so P(best) on the default return_on_spend picks the worst plan",
         old='if METRICS[metric][1] == "lower":\n        table = -table',
         new='if METRICS[metric][1] == "higher":\n        table = -table'),
    dict(id="prim-box-densest", area="assess",
         rule="assess.md boxes: the box with the highest COVERAGE among those of density at least 90%; the densest "
              "one is chosen (usually a tiny box; reachable whenever the micro plan fails in part of the futures)",
         old="chosen = int(good.coverage.idxmax())",
         new="chosen = int(good.density.idxmax())"),
    # --- calibrate --------------------------------------------------------------------------------------
    dict(id="cal-weight-by-count", area="calibrate",
         rule="calibration.md: residuals divided by sqrt(max(observed, 1)) (Poisson-like counts); divided by the "
              "count itself, so large periods hardly count (reachable by any pilot)",
         old="self.weight = 1.0 / np.sqrt(np.maximum(self.observed, 1.0))",
         new="self.weight = 1.0 / np.maximum(self.observed, 1.0)"),
    dict(id="cal-no-kseed-correction", area="calibrate",
         rule="calibration.md: the sandwich covariance is A S A^T (1 + 1/K) for a K-seed mean curve; the (1 + 1/K) "
              "is forgotten, intervals too narrow (by sqrt(1.25) at the default K = 4)",
         # the factor got a name on 2026-12-06, when the lack-of-fit dispersion joined it
         old="inflation = 1 + 1 / len(fitter.seeds)  # the fitted curve is a K-seed mean",
         new="inflation = 1.0  # the fitted curve is a K-seed mean"),
    dict(id="pilot-start-ungrouped", area="calibrate",
         rule="calibration.md: periods run back to back from 0 for each brand and segment; the previous row's end "
              "across series is used, so a second series' first period starts at the first series' last time "
              "(reachable by a pilot with a brand or segment column and two series)",
         old='data["start"] = data.groupby(["brand", "segment"]).time.shift(1).fillna(0.0)',
         new='data["start"] = data.time.shift(1).fillna(0.0)'),
    # --- audience rules ---------------------------------------------------------------------------------
    dict(id="tgt-not-in-as-in", area="targeting",
         rule="scenarios.md audience rules: not_in excludes the named categories; the negation is lost, so "
              "not_in keeps only them (reachable by any rule with not_in, e.g. a region left out)",
         old="mask &= ~np.isin(column, codes(people.categories, rule.field, rule.not_in))",
         new="mask &= np.isin(column, codes(people.categories, rule.field, rule.not_in))"),
    dict(id="tgt-has-all-as-any", area="targeting",
         rule="scenarios.md audience rules: has_all needs every named interest; any one of them suffices "
              "(reachable by any rule with has_all of two or more tags)",
         old="mask &= (people.interests & bits) == bits",
         new="mask &= (people.interests & bits) != 0"),
]
