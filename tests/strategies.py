"""Hypothesis strategies for random but valid scenarios."""

import copy

from hypothesis import strategies as st

from marketsim.scenario.audience import can_match
from marketsim.scenario.loading import scenario_from_dict
from marketsim.scenario.schema import Rule

SEGMENTS = ["young", "mid", "old"]
REGIONS = ["north", "south"]
INTERESTS = ["sport", "music", "food"]
NETWORKS = [
    {"type": "fully_mixed"},
    {"type": "random", "mean_degree": 6},
    {"type": "small_world", "mean_degree": 6, "rewire": 0.2},
    {"type": "scale_free", "mean_degree": 6},
    {"type": "homophilous", "mean_degree": 6, "homophily": 0.7, "group_by": "region"},
    {"type": "ring", "mean_degree": 4},
]

probability = st.floats(0, 1)
money = st.one_of(st.floats(0, 2_000), st.just(float("inf")))


@st.composite
def rules(draw, depth=0):
    leaf = st.one_of(
        st.builds(lambda lo, span: {"field": "age", "min": lo, "max": lo + span},
                  st.integers(15, 60), st.integers(0, 40)),
        st.builds(lambda xs: {"field": "region", "in": xs}, st.lists(st.sampled_from(REGIONS), min_size=1)),
        st.builds(lambda xs: {"field": "interests", "has_any": xs},
                  st.lists(st.sampled_from(INTERESTS), min_size=1)),
    )
    if depth >= 2:
        return draw(leaf)
    return draw(st.one_of(leaf, st.builds(lambda xs: {"all": xs}, st.lists(rules(depth + 1), min_size=1, max_size=2)),
                          st.builds(lambda x: {"not": x}, rules(depth + 1))))


@st.composite
def campaigns(draw, name, brand, horizon, niche_segments):
    kind = draw(st.sampled_from(["ads", "ads", "event", "seeding", "referral"]))
    c = {"name": name, "brand": brand, "type": kind,
         "audience": draw(st.one_of(st.just("everyone"), rules())),
         "start": draw(st.floats(0, horizon * 0.8)), "budget": draw(money),
         "relevance": draw(probability), "fixed_cost": draw(st.floats(0, 100))}
    if draw(st.booleans()):
        c["research"] = {"duration": draw(st.floats(0, 5)), "cost": draw(st.floats(0, 200))}
        if draw(st.booleans()):
            c["research"]["alternatives"] = [{"name": "alt", "audience": draw(rules())}]
            c["research"]["duration"] = max(c["research"]["duration"], 1.0)  # a panel of at least one consumer
            c["research"]["panel_rate"] = draw(st.floats(1, 50))
    if draw(st.booleans()):
        c["buzz"] = draw(st.floats(0, 3))
    if draw(st.booleans()):
        c["trigger"] = "rain"
    if kind == "ads":
        c["channel"] = draw(st.sampled_from(["tv", "social"]))
        c["precision"] = draw(probability)
        c["copy_intensity_wearout"] = draw(st.sampled_from([0.0, 0.0, 0.5, 3.0]))
        if draw(st.booleans()):
            c["impressions"] = draw(st.floats(0, 400))
        else:
            c["spend_rate"] = draw(st.floats(0, 50))
        if draw(st.booleans()):
            c["niche"] = draw(st.lists(st.sampled_from(niche_segments), min_size=1, max_size=2, unique=True))
            c["on_control"] = "cut"
        if draw(st.booleans()):
            c["flighting"] = {"on": draw(st.floats(0.5, 5)), "off": draw(st.floats(0, 5))}
    elif kind == "event":
        c["reach"] = draw(st.integers(1, 50))  # at most the smallest market
    elif kind == "referral":
        c["reward"] = draw(st.floats(0, 20))
        c["uplift"] = draw(st.floats(0, 3))
    else:
        c["seeds"] = draw(st.integers(1, 30))
        c["seed_by"] = "random"
    return c


def initial_market(draw, segments, n_brands):
    """An installed base per segment, and awareness at least as high (customers know the brand)."""
    share = {s: draw(st.floats(0, 1 / n_brands)) for s in segments}
    return {"share": share, "awareness": {s: min(1.0, share[s] + draw(probability) * (1 - share[s])) for s in segments},
            "loyalty": draw(probability)}


@st.composite
def scenarios(draw):
    horizon = draw(st.integers(5, 25))  # in steps
    dt = draw(st.sampled_from([0.5, 1.0, 2.0]))
    n_seg = draw(st.integers(1, 3))
    segments = []
    for i in range(n_seg):
        lo = draw(st.integers(16, 70))
        segments.append({
            "name": SEGMENTS[i], "share": draw(st.floats(0.1, 1)), "age": {"min": lo, "max": lo + draw(st.integers(0, 20))},
            "region": {r: draw(st.floats(0, 1)) + 0.01 for r in REGIONS},
            "interests": {t: draw(probability) for t in INTERESTS},
            "talkativeness": draw(st.floats(0, 3)),
        })
        if draw(st.booleans()):
            segments[-1].update(price_elasticity=draw(st.floats(0, 4)), reference_price=draw(st.floats(0.5, 10)))
    names = [s["name"] for s in segments]
    n_brands = draw(st.integers(1, 3))
    brands = [{"name": f"b{i}", "price": draw(st.floats(0.5, 10)), "margin": draw(probability),
               "purchase_rate": draw(st.floats(0, 1)), "budget": draw(money),
               "fit": {s: draw(probability) for s in names}, "default_fit": draw(probability),
               "price_increase_on_control": draw(st.floats(0, 0.5)),
               "context_boost": {"rain": draw(st.floats(0, 3))},
               "initial": initial_market(draw, names, n_brands)}
              for i in range(n_brands)]
    camps = []
    for i in range(draw(st.integers(0, 4))):
        camps.append(draw(campaigns(f"c{i}", f"b{draw(st.integers(0, n_brands - 1))}", horizon, names)))
    network = draw(st.sampled_from(NETWORKS))
    buzz_half_life = draw(st.one_of(st.none(), st.floats(0.5, 50)))
    offering = set()  # one referral offer per brand
    camps = [c for c in camps if c["type"] != "referral" or not (c["brand"] in offering or offering.add(c["brand"]))]
    for c in camps:
        if buzz_half_life is None:
            c.pop("buzz", None)
        if c["type"] == "seeding" and network["type"] != "fully_mixed":
            c["seed_by"] = draw(st.sampled_from(["random", "degree"]))
    return reachable({
        "name": "random",
        "time": {"dt": dt, "horizon": horizon * dt},
        "population": {"size": draw(st.integers(50, 400)), "segments": segments},
        "network": network,
        "response": {"ad_effect": draw(st.floats(0, 0.5)), "wearout": draw(probability),
                     "recovery_half_life": draw(st.floats(0.5, 100)),
                     "awareness_half_life": draw(st.one_of(st.none(), st.floats(0.5, 100))),
                     "unaware_response": draw(probability),
                     "relevance_gain": draw(st.floats(0, 3)), "fit_spread": draw(st.floats(0, 0.3)),
                     "tailoring": draw(st.sampled_from([0.0, 0.5, 1.0])),
                     "intrusion_threshold": draw(st.sampled_from([1.0, 0.6, 0.2])),
                     "satisfaction_width": draw(st.sampled_from([0.0, 0.1])),
                     "competitive_interference": draw(st.sampled_from([0.0, 0.5, 1.0]))},
        "word_of_mouth": {"strength": draw(st.floats(0, 1)), "negative_weight": draw(st.floats(0, 2)),
                          "buzz_half_life": buzz_half_life, "lasting": draw(probability)},
        "loyalty": {"churn": draw(st.floats(0, 0.2)), "switching": draw(st.floats(0, 2)),
                    "negative_word_churn": draw(st.floats(0, 0.5))},
        "niche": {"control_threshold": draw(st.floats(0.05, 1))},
        "conditions": [{"name": "rain", "region": "north", "probability": draw(probability)}],
        "channels": [{"name": "tv", "cpm": draw(st.floats(0.1, 20)), "setup_cost": draw(st.floats(0, 300)),
                      "targeting_premium": draw(st.sampled_from([0.0, 1.7]))},
                     {"name": "social", "cpm": draw(st.floats(0.1, 20)),
                      "users": {"field": "age", "max": max(40, min(s["age"]["min"] for s in segments))}}],
        "brands": brands,
        "campaigns": camps,
    })


def reachable(raw: dict) -> dict:
    """The loader refuses an audience no consumer could match (scenario/audience.py): such random
    audiences are aimed at everyone instead, so the scenario stays valid."""
    everyone = copy.deepcopy(raw)
    for c in everyone["campaigns"]:
        c["audience"] = "everyone"
        for alt in c.get("research", {}).get("alternatives", []):
            alt["audience"] = "everyone"
    sc = scenario_from_dict(everyone)
    users = {ch.name: ch.users for ch in sc.channels}
    for c in raw["campaigns"]:
        channel = [users[c["channel"]]] if c.get("channel") else []
        for table in [c, *c.get("research", {}).get("alternatives", [])]:
            if table["audience"] != "everyone" and not can_match(sc, [Rule.model_validate(table["audience"]), *channel]):
                table["audience"] = "everyone"
    return raw
