"""The rows of the parameter registry (parameters.py): one per scenario field, in the order of
docs/parameters.md. A row holds the field's default (schema.py reads it from here, so the number is
written once), its unit, its plausible range as numbers and as the doc words it, its source, and its
meaning in docs/scenarios.md. Both pages' tables are generated from these rows.

``low``/``high`` span every range the text gives (for ``ad_effect``: durables' and frequently bought
goods' together), per day where the text's range is per day. They are None where the text gives no
numbers, where the range is relative (a share of revenue, of the audience) or a list's length, and
where it is in US dollars: a scenario's money is in any one currency (docs/scenarios.md).
A default that switches a mechanism off ("Neutral settings" in docs/parameters.md) is inside its
range: the range text names it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    """One scenario field as docs/parameters.md and docs/scenarios.md show it."""

    name: str  # dotted, list items as "brands[].price" (parameters.py)
    default: float | None  # None: required, or unset, or not a number (then default_text shows it)
    default_text: str = ""  # shown after the number ("(never)"), or alone without one ("required", "`day`")
    unit: str = "–"
    low: float | None = None
    high: float | None = None
    range_text: str = "–"  # the plausible range as the doc words it
    source: str = "–"
    label_note: str = ""  # after the field's name in the tables, e.g. "(q)"
    meaning: str = ""  # docs/scenarios.md's column

    @property
    def judgement(self) -> bool:
        """The range is our judgement (a concept has a source, the figure does not): the doc marks it J."""
        return re.search(r"\bJ\b", f"{self.range_text} {self.source}") is not None


PARAMETERS = (
    # [time]
    Parameter("time.unit", None, "`day`", range_text="day for campaigns and events; week or month for multi-year "
              "diffusion", source="rates must be converted when it changes (below)",
              meaning='`"day"`, `"week"`, `"month"` (365/12 days) or `"year"` (365 days): the unit of every rate '
                      "and time"),
    Parameter("time.dt", 1.0, unit="unit", range_text="small enough that every hazard × `dt` ≤ 0.1",
              source="second-order step: the Bass docking error falls as `dt²`, 0.033 of F at `dt` = 1 and 0.009 at "
                     "0.5 ([model.md](model.md))",
              meaning="step length in units"),
    Parameter("time.horizon", 365.0, unit="unit", low=90, high=5 * 365,
              range_text="a quarter to 5 years; at least a year for what follows a campaign",
              source="a quarter or half a year shows a campaign's own effect; 90% of an advertising effect plays "
                     "out within 6–9 months [Leo95], so what a campaign leaves behind needs a year or more",
              meaning="run length in units; `horizon / dt` must be a whole number of steps (at most 1,000,000)"),

    # [population]
    Parameter("population.size", None, "required", unit="consumers", low=1e4, high=1e6, range_text="10⁴–10⁶",
              source="a sample of the market, not its census; sampling noise of a share ∝ 1/√size; money figures "
                     "scale with size (J)",
              meaning="number of consumers (2 to 50,000,000)"),
    Parameter("population.people_per_consumer", 1, unit="people", low=1, high=1e4, range_text="1–10⁴ (J)",
              source="a market too big to simulate person by person is sampled, each consumer standing for that "
                     "many like people; counts and money in and out are in people (docs/scenarios.md)",
              meaning="how many people one consumer stands for (whole, 1 to 10⁹); budgets, impressions, seeds, "
                      "reach, pilot counts and every report are in people and real money"),
    Parameter("population.talkativeness_spread", 0.5, unit="coefficient of variation", low=0.3, high=1.5,
              range_text="0.3–1.5", source="a few opinion leaders talk much more than others [IVV11]; figure J",
              meaning="coefficient of variation of talkativeness within a segment"),

    # [[population.segments]]
    Parameter("population.segments[].name", None, "required"),
    Parameter("population.segments[].share", None, "required", unit="relative weight", range_text="from the market",
              source="census or a segmentation survey",
              meaning="relative weight in the population (shares are normalised)"),
    Parameter("population.segments[].age.min", 18, unit="years", range_text="from the persona", source="census",
              meaning="youngest age: ages are uniform from `age.min` to `age.max`"),
    Parameter("population.segments[].age.max", 80, unit="years", range_text="from the persona", source="census",
              meaning="oldest age"),
    Parameter("population.segments[].gender", None, "`female` and `male`, equal weights", unit="relative weights",
              range_text="from the persona", source="census, panel or CRM data", meaning="category weights"),
    Parameter("population.segments[].region", None, "one category, `anywhere`", unit="relative weights",
              range_text="from the persona", source="census, panel or CRM data",
              meaning="category weights, e.g. `region = { city = 0.7, suburbs = 0.3 }`"),
    Parameter("population.segments[].occupation", None, "one category, `any`", unit="relative weights",
              range_text="from the persona", source="census, panel or CRM data", meaning="category weights"),
    Parameter("population.segments[].income", None, "one category, `middle`", unit="relative weights",
              range_text="from the persona", source="census, panel or CRM data", meaning="category weights"),
    Parameter("population.segments[].interests", None, "`{}`", unit="probability per tag",
              range_text="from the persona", source="survey or platform audience tools",
              meaning="probability of holding each interest tag (64 tags at most in all)"),
    Parameter("population.segments[].talkativeness", 1.0, unit="× average", low=0.5, high=2, range_text="0.5–2",
              source="younger, more social segments talk more (J); calibrate on referral or survey data",
              meaning="mean word-of-mouth intensity"),
    Parameter("population.segments[].price_elasticity", 0.0, "(price ignored)", unit="magnitude, ≥ 0", low=0,
              high=3.5, range_text="0 (price ignored), or brand choice 1.5–3.5; category demand 0.2–1 (J)",
              source="mean brand elasticity −2.62 [BHP05], −1.76 [Tel88]; enter the magnitude: −2.62 → 2.62",
              meaning="how strongly adoption falls with price: adoption scales as "
                      "`(price / reference_price)^-elasticity` (0 to 10)"),
    Parameter("population.segments[].reference_price", None, "none (required with a `price_elasticity`)",
              unit="currency per purchase", range_text="the price the segment is used to paying",
              source="reference-price concept [Win86]; a premium segment has a higher one",
              meaning="the price this segment will pay (where the price factor is 1)"),
    Parameter("population.segments[].purchase_rate", None, "none (each customer buys at its brand's rate)",
              unit="purchase occasions per person per unit", range_text="the category's rate, table below",
              source="category buying rates from panel data [Ehr88, GEC84]",
              meaning="how often a customer of any brand buys the category; without it, a customer buys at its "
                      "brand's `purchase_rate`"),

    # [network]
    Parameter("network.type", None, "`fully_mixed`", range_text="`homophilous` for segmented markets",
              source="`fully_mixed` is the Bass model [Bas69]",
              meaning="`fully_mixed` (no fields), `random`, `ring`, `small_world`, `scale_free`, `homophilous` or "
                      "`file`"),
    Parameter("network.mean_degree", 10.0, unit="contacts", low=5, high=150,
              range_text="5–20 for people one talks to about brands; up to 150 for all active contacts",
              source="support clique ≈ 5, sympathy group ≈ 15, active network ≈ 150 [Dun93, HD03]; which layer "
                     "carries brand talk is J",
              meaning="mean number of contacts (every type but `fully_mixed` and `file`)"),
    Parameter("network.rewire", 0.1, label_note="(small_world)", unit="probability", low=0.01, high=0.2,
              range_text="0.01–0.2", source="the small-world regime [WS98]",
              meaning="probability that a link of the ring moves to a random consumer"),
    Parameter("network.exponent", 3.0, label_note="(scale_free)", low=2.1, high=3, range_text="2.1–3",
              source="degree tails of social networks [BA99]; J",
              meaning="exponent of the degree distribution's tail, above 2"),
    Parameter("network.homophily", 0.8, unit="share of contacts in own group", low=0.5, high=0.9,
              range_text="0.5–0.9, and above the group's population share",
              source="homophily by age, education, place is strong [MSC01]; figure J",
              meaning="`homophilous`: share of contacts in one's own group, 0 to 1"),
    Parameter("network.group_by", None, "`segment`", range_text="`segment`, or `region` for local markets",
              meaning="`homophilous`: the groups, `segment` or `region`"),
    Parameter("network.path", None, "required for `file`", unit="edge-list file", range_text="a measured network",
              meaning="`file`: the edge list (below)"),

    # [response]
    Parameter("response.ad_effect", 0.005, unit="hazard per standard impression, perfect fit", low=0.0005, high=0.02,
              range_text="0.002–0.02 for low-priced frequently bought goods; 0.0005–0.002 for durables (J)",
              source="derived from Bass p [SFL90] and from CPM with a target CAC (worked example below); check the "
                     "model's advertising elasticity against 0.12 short-term, 0.24 long-term [STB11] (earlier "
                     "meta-analysis 0.22 [AFL84])",
              meaning="conversion hazard of one impression for a perfect fit"),
    Parameter("response.relevance_gain", 2.0, unit="× per unit of relevance", low=0.2, high=2, range_text="0.2–2",
              source="personalisation helps when preferences are well defined, can hurt otherwise [LT13, BE15]; "
                     "figure J",
              meaning="a message of relevance 1 converts `1 + gain` times better"),
    Parameter("response.intrusion_threshold", 1.0, "(never)", unit="relevance", low=0.5, high=1,
              range_text="0.5–0.8 where very personal messages meet reactance (J); 1 (never) otherwise",
              source="personalisation raises response up to a point, then reactance lowers it [WZT08, BE15]",
              meaning="relevance past which a message feels intrusive: its gain falls back, and past twice this it "
                      "converts worse than an irrelevant one (1: never)"),
    Parameter("response.tailoring", 0.0, unit="share of relevance lost at distance 1 from the audience", low=0,
              high=1, range_text="0–1; 0.5–1 where a message speaks to a persona's age, place and interests (J)",
              source="a message tailored to a segment works better on it than on others [LT13, BE15]; the distance "
                     "is a judgement (relevance.py)",
              meaning="how much a message's relevance falls with a consumer's distance from the audience it was "
                      "written for (0 to 1; docs/model.md)"),
    Parameter("response.wearout", 0.2, unit="weight lost per repeated impression", low=0.05, high=0.3,
              range_text="0.05–0.3",
              source="most of the response comes from the first ~3 exposures [Kru72, PS88]: (1−ω)³ = 0.3–0.5 gives "
                     "ω = 0.2–0.33; slower for complex messages (J)",
              meaning="each further impression weighs this much less (diminishing returns)"),
    Parameter("response.recovery_half_life", 30.0, unit="unit", low=7, high=60, range_text="7–60 days",
              source="restoration of responsiveness during a hiatus [NMS98]; recall decays within weeks [Zie59, AN11]; "
                     "figure J",
              meaning="time units without ads in which a consumer recovers half its lost responsiveness"),
    Parameter("response.awareness_half_life", None, "none (no forgetting)", unit="unit", low=30, high=90,
              range_text="30–90 days",
              source="90% of the advertising effect within 3–9 months [Cla76] or 6–9 months [Leo95] → half-life = "
                     "0.30 × that = 27–82 days; forgetting in awareness models [DM78, MMS84]; decay curve shape "
                     "[Ebb85]",
              meaning="time units in which half of the aware non-customers forget the brand; none: never"),
    Parameter("response.unaware_response", 1.0, "(awareness has no effect)", unit="× adoption hazard of the unaware",
              low=0, high=1,
              range_text="0 (must hear first) to 0.3 for considered purchases; near 1 for impulse goods (J)",
              source="hierarchy of effects [LS61]; weak evidence for a strict sequence [VA99]; calibrate from a brand "
                     "funnel (purchase rate of unaware vs aware)",
              meaning="response of a consumer who has not heard of the brand, relative to an aware one "
                      "(0: must hear first)"),
    Parameter("response.fit_spread", 0.1, unit="s.d. of fit", low=0.05, high=0.25, range_text="0.05–0.25",
              source="J; calibrate on the spread of purchase intent within a segment in a concept test",
              meaning="individual spread of product fit around the segment's value"),
    Parameter("response.satisfaction_threshold", 0.5, unit="fit",
              range_text="set so that the share of satisfied customers matches a satisfaction survey", source="J",
              meaning="fit at which a customer is satisfied (talks positively)"),
    Parameter("response.competitive_interference", 0.0, unit="share of impact lost when rivals hold the whole channel",
              low=0, high=1, range_text="0–1; 0.2–0.5 where rivals' ads air in the same week (J)",
              source="[DBD08]: a brand's ad elasticity falls with competing advertising in the same week",
              meaning="how much rivals' impressions in the same channel on the same step dim a brand's "
                      "(0 to 1: impact × (1 − this × rivals' share))"),
    Parameter("response.satisfaction_width", 0.0, "(a hard cut)", unit="fit (logistic scale)", low=0, high=0.5,
              range_text="0–0.5; at 0.1 the share satisfied rises from 12% at θ − 0.2 to 88% at θ + 0.2",
              source="J; satisfaction is continuous in perceived quality against expectation [AS93]",
              meaning="how smoothly satisfaction rises with fit around the threshold (logistic scale, 0 to 0.5); "
                      "0 is a hard cut"),

    # [word_of_mouth]
    Parameter("word_of_mouth.strength", 0.001, label_note="(q)",
              unit="hazard per unit, when all contacts are satisfied customers", low=0.0005, high=0.01,
              range_text="0.0005–0.003 per day (Bass q 0.2–1 per year); up to ~0.01 per day for online, visibly "
                         "social products (J)",
              source="mean q = 0.38 per year [SFL90] = 0.00104 per day; q/p varies with country and product [VS04]; "
                     "WOM referrals have higher elasticities and longer carry-over than traditional marketing "
                     "[TBP09]; on a clustered network the same q diffuses slower than Bass",
              meaning="`q`: adoption hazard when all contacts are satisfied customers"),
    Parameter("word_of_mouth.negative_weight", 1.0, label_note="(ν)", unit="deterrence per unit of bad word", low=1,
              high=3, range_text="1–3",
              source="negative WOM hurts adoption more than positive helps [Arn67, MMK84]; figure J",
              meaning="how much bad word deters adoption"),
    Parameter("word_of_mouth.buzz_half_life", None, "none (all talk lasting: Bass)", unit="unit", low=7, high=60,
              range_text="7–60 days",
              source="talk is strongest right after adoption; interesting products get immediate but not ongoing WOM "
                     "[BS11]; figure J",
              meaning="time units in which a customer's buzz halves; none: talk never fades (Bass)"),
    Parameter("word_of_mouth.lasting", 0.25, unit="share of a new customer's talk kept for the whole tenure", low=0.1,
              high=0.5, range_text="0.1–0.5; higher for visible, often-cued products",
              source="ongoing WOM is driven by cues and visibility [BS11]; figure J; calibrate on referrals by "
                     "customer tenure",
              meaning="with a buzz half-life: the share of a new customer's talk that never fades"),

    # [loyalty]
    Parameter("loyalty.initial", 0.1, unit="loyalty, 0–1", low=0, high=0.3, range_text="0–0.3", source="J",
              meaning="loyalty of a new customer"),
    Parameter("loyalty.growth", 0.02, unit="per unit (× fit)", low=0.005, high=0.05, range_text="0.005–0.05 per day",
              source="J; with `decay` sets the long-run loyalty `g f / (g f + d)` (0.8 by default at fit 1) and the "
                     "time to reach it, `1 / (g f + d)` (40 units by default); calibrate so that tenured customers "
                     "churn 2–3× less than new ones (J)",
              meaning="loyalty growth rate (times fit)"),
    Parameter("loyalty.decay", 0.005, unit="per unit", low=0.001, high=0.01, range_text="0.001–0.01 per day",
              source="J", meaning="loyalty decay rate"),
    Parameter("loyalty.relationship_gain", 0.5, unit="loyalty gap closed per relevant effective contact", low=0.05,
              high=0.5, range_text="0.05–0.5", source="CRM contact raises retention modestly [Ver03]; figure J",
              meaning="loyalty built by relevant contact with one's own brand"),
    Parameter("loyalty.churn", 0.01, unit="hazard per unit at loyalty 0", low=0.001, high=0.01,
              range_text="0.001–0.01 per day (effective churn 0.0003–0.004)",
              source="effective churn = `churn · (1 − L̄)`; by category in the table below; retention is worth a lot "
                     "[RS90]",
              meaning="churn hazard of a customer with loyalty 0"),
    Parameter("loyalty.negative_word_churn", 0.05, unit="hazard per unit per unit of bad word heard", low=0, high=0.05,
              range_text="0–0.05 per day",
              source="model-specific, no published figure; calibrate on churn of customers whose contacts complain (J)",
              meaning="churn hazard per unit of bad word heard about one's brand"),
    Parameter("loyalty.switching", 1.0, unit="× adoption of another brand (times 1 − L)", low=0.2, high=1,
              range_text="0.2–1", source="switching costs [BFM03]; figure J",
              meaning="how readily customers of a brand adopt another (times `1 - loyalty`)"),
    Parameter("loyalty.price_sensitivity", 2.0, unit="churn multiplier `exp(s · Δp · (1 − shield))`", low=1, high=4,
              range_text="1–4 (a 10% rise then raises churn 10–50% before the shield)",
              source="J; calibrate on churn after a past price rise", meaning="churn response to a price increase"),

    # [buying]
    Parameter("buying.repertoire", 0.0, "(always rebuys its brand)", unit="share of occasions not held by loyalty",
              low=0, high=1, range_text="0 (one brand each, as in a service) to 1 (a repertoire, as in packaged goods)",
              source="most buyers of a packaged good buy several brands; few are 100% loyal over a year "
                     "[Ehr88, Sha10]; figure J, calibrate on share of category requirements (20–40% is typical)",
              meaning="on a purchase occasion a customer buys its own brand with probability `loyalty`, and "
                      "otherwise, with this probability, chooses among the brands it knows in proportion to "
                      "fit × price factor (its own brand included)"),
    Parameter("buying.rate_shape", None, "none (everyone buys at the mean rate)", unit="NBD shape k", low=0.2,
              high=3, range_text="0.2–3; 0.78 for UK toothpaste [GEC84]",
              source="purchase rates across buyers are gamma distributed, so counts are NBD [Ehr88, GEC84]",
              meaning="spread of purchase rates across consumers: each consumer's rate is the mean times a "
                      "gamma(k, 1/k) draw (smaller is more spread)"),
    Parameter("buying.period", None, "the horizon", unit="unit", range_text="a quarter or a year of the market's "
              "time", source="panel reports count buyers per quarter or per year [Ehr88]",
              meaning="length of the periods the buying measures count (penetration, frequency, share of "
                      "requirements, repeat rate); whole steps, dividing the horizon"),

    # [niche]
    Parameter("niche.control_threshold", 0.5, unit="share of the segment's buying", low=0.4, high=0.6,
              range_text="0.4–0.6",
              source="competition authorities see dominance as unlikely below 40% share [EC09]; the brief's \"most "
                     "consumers of the niche\" is 0.5",
              meaning="share of the segment's buying at which a brand controls the niche"),
    Parameter("niche.price_shield", 0.0, unit="share of the churn response removed", low=0, high=0.8,
              range_text="0–0.8",
              source="model-specific, no published figure (J): zero unless a scenario grants it; calibrate on churn "
                     "after a price rise in a held niche",
              meaning="share of the churn response to a price increase that control removes"),
    Parameter("niche.reach_discount", 0.0, unit="share off the CPM in a controlled niche", low=0, high=0.5,
              range_text="0–0.5",
              source="model-specific (owned community, earned media), no published figure (J): zero unless a "
                     "scenario grants it",
              meaning="impressions in a controlled niche cost this much less"),

    # [valuation]: a range per year, as the field
    Parameter("valuation.discount_rate", 0.1, unit="per **year**, whatever the unit", low=0.08, high=0.12,
              range_text="0.08–0.12",
              source="a firm's cost of capital (J); customer-value method [GLS04]; converted to the time unit as "
                     "`rate · days_per_unit / 365`",
              meaning="per year, for the LTV"),

    # [[conditions]]
    Parameter("conditions[].name", None, "required"),
    Parameter("conditions[].region", None, "required"),
    Parameter("conditions[].probability", None, "required", unit="per **step**",
              range_text="the share of steps on which it holds",
              source="rain: about 160–170 days a year with measurable precipitation in Vancouver (about 0.45 per daily "
                     "step; check the current climate normals [ECCC]); changing `dt` changes its meaning"),

    # [[channels]]
    Parameter("channels[].name", None, "required"),
    Parameter("channels[].cpm", None, "required", unit="currency per 1,000 impressions",
              range_text="by channel, table below", source="trade rate cards (J)",
              meaning="cost per thousand impressions"),
    Parameter("channels[].setup_cost", 0.0, unit="currency per campaign",
              range_text="TV spot production $50k–500k; social or display creative $1k–50k; event staging separate (J)",
              meaning="fixed cost of a campaign on this channel (creative, production)"),
    Parameter("channels[].users", None, "`everyone`", unit="audience rule", range_text="who uses the channel",
              source="channel use by age [Pew]", meaning="an audience rule: who can be reached on this channel"),
    Parameter("channels[].targeting_premium", 0.0, unit="× list CPM at perfect targeting of a vanishing audience",
              low=0, high=3,
              range_text="0–3; about 1.7 for behavioural targeting (2.68× run-of-network [Bea10]), about 1 from what "
                         "untracked impressions fetch (about half [JSD20])",
              source="the CPM rises with the impressions targeting places beyond chance: "
                     "`cpm · (1 + premium · precision · (1 − audience share of the channel's users))`",
              meaning="how much more a targeted impression costs: CPM × (1 + this × precision × (1 − audience's "
                      "share of the channel's users))"),

    # [[brands]]
    Parameter("brands[].name", None, "required"),
    Parameter("brands[].price", None, "required", unit="currency per purchase",
              range_text="the shelf price of one purchase occasion",
              source="keep purchase and price on the same unit (a bottle, a ride)", meaning="price per purchase"),
    Parameter("brands[].margin", None, "required", unit="share of price", low=0.2, high=0.65,
              range_text="packaged goods 0.3–0.5; fashion 0.5–0.65; ride-hailing take rate 0.2–0.3",
              source="J, from company reports", meaning="margin, as a share of the price"),
    Parameter("brands[].purchase_rate", None, "required", unit="purchases per customer per unit",
              range_text="by category, table below", source="repeat-buying benchmarks [Ehr88, Sha10]",
              meaning="purchases per customer per unit"),
    Parameter("brands[].budget", math.inf, "(no cap)", unit="currency over the run",
              range_text="a share of revenue: 2–10% is common for consumer brands (J)",
              meaning="total the brand may spend over the run"),
    Parameter("brands[].fit", None, "`{}`", unit="probability per segment", low=0, high=1, range_text="0–1",
              source="a concept test's top-box purchase intent per segment (J); the research panel reads the same "
                     "quantity",
              meaning="true product fit per segment, in [0, 1]"),
    Parameter("brands[].default_fit", 0.5, unit="probability", low=0, high=1, range_text="0–1", source="as `fit`",
              meaning="fit for segments not in `fit`"),
    Parameter("brands[].price_increase_on_control", 0.0, unit="share of price", low=0, high=0.2,
              range_text="0 (no rise) or 0.05–0.2", source="J; the premium a leader can charge",
              meaning="price rise (share) in a niche the brand controls"),
    Parameter("brands[].context_boost", None, "`{}`", unit="× ad response where a condition holds", low=1, high=3,
              range_text="1–3", source="J; calibrate on a weather- or context-split campaign",
              meaning="per condition name: multiplier of ad response where it holds"),
    Parameter("brands[].price_changes[].at", None, "none (the price holds)", unit="unit",
              range_text="a time within the horizon",
              source="the plan's own pricing calendar (a launch price, a promotion, a rise)",
              meaning='`price_changes = [{ at = 90, price = 2.2 }]`: from `at` on the list price is `price`; the '
                      "unit cost stays `price × (1 − margin)` of the first price, so the margin follows the price"),
    Parameter("brands[].price_changes[].price", None, "required in a change", unit="currency per purchase",
              range_text="as `price`", meaning="the list price from `at` on"),
    Parameter("brands[].initial.share", None, "`{}` (no installed base)",
              unit="share of each segment already customers", range_text="the brand's penetration by segment",
              source="household panel data (Kantar, NielsenIQ, Circana)",
              meaning="the installed base at step 0 per segment, e.g. `initial = { share = { segment = 0.4 } }`: "
                      "drawn at random; brands' shares in a segment add up to at most 1"),
    Parameter("brands[].initial.awareness", None, "`{}`", unit="share of each segment aware", low=0.3, high=0.99,
              range_text="leaders 0.8–0.99 aided awareness; 0.3–0.8 in a segment the brand serves little (J)",
              source="a brand tracker",
              meaning="the share aware at step 0 per segment (customers included)"),
    Parameter("brands[].initial.loyalty", 0.5, unit="loyalty of the installed base", low=0.3, high=0.8,
              range_text="0.3–0.8", source="J; set so the base's churn matches the table above",
              meaning="loyalty of the installed base"),

    # [[campaigns]]
    Parameter("campaigns[].name", None, "required"),
    Parameter("campaigns[].brand", None, "required"),
    Parameter("campaigns[].type", None, "`ads`", meaning="`ads`, `event`, `seeding` or `referral`"),
    Parameter("campaigns[].channel", None, "none", meaning="required for `ads`"),
    Parameter("campaigns[].audience", None, "`everyone`", meaning="an audience rule (below)"),
    Parameter("campaigns[].start", 0.0, unit="unit", meaning="when the campaign starts (research first, if any)"),
    Parameter("campaigns[].end", None, "the horizon", unit="unit", meaning="when it stops"),
    Parameter("campaigns[].impressions", None, "–", unit="per unit",
              range_text="from the media plan: `GRPs / 100 × audience size` per unit; 100–300 GRPs a week is a "
                         "typical TV flight (J)",
              meaning="`ads`: impressions per time unit; exactly one of `impressions` and `spend_rate`"),
    Parameter("campaigns[].spend_rate", None, "–", unit="currency per unit",
              range_text="alternative to `impressions`: `impressions = spend_rate / (cpm / 1000)`",
              meaning="`ads`: spend per time unit, instead of `impressions`"),
    Parameter("campaigns[].budget", math.inf, "(no cap)", unit="currency",
              meaning="the campaign's own cap (the brand's budget also applies)"),
    Parameter("campaigns[].precision", 0.6, unit="share of impressions inside the audience", low=0.3, high=0.9,
              range_text="0.3–0.9",
              source="third-party audience targeting is often little better than random [NTW19]; first-party and "
                     "contextual targeting higher (J)",
              meaning="share of impressions that land inside the audience"),
    Parameter("campaigns[].relevance", 0.0, unit="0–1", low=0, high=1,
              range_text="generic 0–0.2; segment-tailored 0.3–0.6; personal 0.7–1 (J)",
              meaning="message relevance / personalisation for audience members, 0 to 1"),
    Parameter("campaigns[].impact", 1.0, unit="standard impressions per contact", low=1, high=50,
              range_text="1 for ads; 5–50 for an event experience (J)",
              source="model-specific; calibrate on post-event purchase rates",
              meaning="ordinary impressions one contact is worth (an event experience weighs more)"),
    Parameter("campaigns[].buzz", 0.0,
              unit="a touched customer's buzz is topped up to this many times a new customer's talk", low=0, high=3,
              range_text="0 (no buzz; the only value without `word_of_mouth.buzz_half_life`) or 0.5–3 (J)",
              source="shareable personal messages and events create immediate WOM [BS11]",
              meaning="a contact tops a customer's buzz up to at least this many times a new customer's talk "
                      "(needs `word_of_mouth.buzz_half_life`)"),
    Parameter("campaigns[].reward", None, "required for `referral`",
              unit="money per customer won by word of mouth while the offer runs",
              range_text="5–50 USD, often 10–25% of first-year margin",
              source="referral programmes pay a fixed reward per referred customer; referred customers are worth "
                     "≥ 16% more [SSV11]",
              meaning="`referral`: paid per customer won by word of mouth while the offer runs"),
    Parameter("campaigns[].uplift", 1.0, unit="extra recommendation while the offer runs (times the usual positive "
              "talk)", low=0.2, high=2, range_text="0.2–2 (J)",
              source="no published elasticity of talk to rewards that maps directly; calibrate on a pilot's referral "
                     "counts (`marketsim calibrate`)",
              meaning="`referral`: how much more (times) customers recommend the brand while the offer runs (at most "
                      "one offer per brand)"),
    Parameter("campaigns[].flighting.on", None, "none (continuous)", unit="unit", low=14, high=42,
              range_text="14–42 days (J)",
              source="pulsing pays when ad quality wears out on air and restores off air [NMS98]; spaced exposures "
                     "are remembered longer [Zie59]",
              meaning="`ads`: with `flighting = { on = 14, off = 14 }` on air for `on` time units, off for `off`, "
                      "repeating; `impressions` is the rate on air"),
    Parameter("campaigns[].flighting.off", None, "none (continuous)", unit="unit", low=14, high=56,
              range_text="14–56 days (J)",
              source="pulsing pays when ad quality wears out on air and restores off air [NMS98]; spaced exposures "
                     "are remembered longer [Zie59]",
              meaning="time units off air between flights"),
    Parameter("campaigns[].copy_wearout", 0.0, unit="per unit on air", low=0, high=0.012,
              range_text="0 (the copy never wears out) or 0.003–0.012 per day (a copy loses half its power after "
                         "2–8 months on air; J)",
              source="copy wear-out [NMS98, CS80, PS88]",
              meaning="`ads`: rate per time unit on air at which the message's power wears out"),
    Parameter("campaigns[].copy_intensity_wearout", 0.0, unit="per impression per audience member", low=0, high=1,
              range_text="0–1 (J): at 0.1, ten impressions per member cost the copy 63% of its power",
              source="repetition wear-out of the copy, `dQ/dt = −(c + w·u) Q` [NMS98]",
              meaning="`ads`: how much the message's power wears out per impression per member of the audience "
                      "(concentrated impressions wear it faster)"),
    Parameter("campaigns[].copy_recovery_half_life", 30.0, unit="unit", low=14, high=90, range_text="14–90 days (J)",
              source="restoration during a hiatus [NMS98]",
              meaning="time units off air in which the message recovers half its lost power"),
    Parameter("campaigns[].fixed_cost", 0.0, unit="currency", source="event fees, creative, referral payouts",
              meaning="the campaign's own set-up cost, paid at launch"),
    Parameter("campaigns[].research.duration", None, "none (no research)", unit="unit", low=0, high=90,
              range_text="14–90 days for a segmentation study; a quick panel in days (J)",
              source="no published benchmark for how long segmentation research takes",
              meaning="time spent on research before launch, e.g. `research = { duration = 30, cost = 5000 }`"),
    Parameter("campaigns[].research.cost", 0.0, unit="currency",
              range_text="$5k–100k for a survey or focus-group project (J)",
              meaning="money spent on research, paid at `start`"),
    Parameter("campaigns[].research.alternatives", None, "`[]`", unit="candidate audiences", range_text="1–5",
              meaning='`[{ name = "families", audience = rule }, ...]`: a panel of `panel_rate · duration` '
                      "consumers of each candidate audience is surveyed and the campaign aims at the one that likes "
                      "the product best"),
    Parameter("campaigns[].research.panel_rate", 10.0, unit="consumers surveyed per unit per candidate audience",
              low=5, high=100, range_text="5–100 per day (J)",
              source="model-specific, no published source. The panel score's standard error is √(f(1−f)/n) with "
                     "`n = panel_rate · duration`: telling apart audiences whose true fits differ by Δ at 5% "
                     "significance and 80% power needs n ≈ 4/Δ² each (≈ 100 for Δ = 0.2, ≈ 400 for Δ = 0.1). "
                     "Calibrate as completes per day that the panel vendor delivers",
              meaning="consumers surveyed per time unit in each candidate audience"),
    Parameter("campaigns[].trigger", None, "none", unit="condition name",
              meaning="a condition name: deliver only where and when it holds"),
    Parameter("campaigns[].reach", None, "required for `event`", label_note="(event)", unit="people",
              range_text="attendees plus live and social audience (J)",
              meaning="`event`: people reached at launch"),
    Parameter("campaigns[].seeds", None, "required for `seeding`", unit="people",
              range_text="0.1–2% of the audience (J)",
              meaning="`seeding`: how many free products are given to audience members"),
    Parameter("campaigns[].seed_by", None, "`random`",
              source="seeding well-connected people beats random seeding [HSBB11]",
              meaning="`seeding`: whom, at `random` or by `degree` (most contacts first)"),
    Parameter("campaigns[].cost_per_seed", None, "the brand's unit cost", unit="currency",
              range_text="product cost plus delivery", meaning="`seeding`: the cost of each free product"),
    Parameter("campaigns[].niche", None, "`[]`", source="model-specific",
              meaning="segments the campaign aims to control"),
    Parameter("campaigns[].on_control", None, "`continue`", source="model-specific",
              meaning="`cut` (scale impressions by `cut_to`) or `move` (send the rest of `budget` to `move_to`) once "
                      "the brand controls all of `niche`"),
    Parameter("campaigns[].cut_to", 0.25, unit="share of impressions kept", low=0.2, high=0.5,
              range_text="0.2–0.5 (J)", source="model-specific",
              meaning='with `on_control = "cut"`: the share of impressions kept'),
    Parameter("campaigns[].move_to", None, "none", unit="campaign name", source="model-specific",
              meaning='with `on_control = "move"`: the campaign of the same brand that gets the rest of the budget'),
)
