"""Checks that span a scenario's sections: names that refer to something defined elsewhere, and
numbers that only make sense together (a campaign cannot reach more consumers than the market
holds). Each problem is (field path, message), as in a ScenarioError."""

from __future__ import annotations

from pathlib import Path

from .audience import can_match
from .schema import MAX_INTERESTS, Audience, Scenario, plain


def cross_check(sc: Scenario) -> list[tuple[str, str]]:
    """Problems that span sections: names that must refer to something defined elsewhere, and
    numbers that must fit the market."""
    problems: list[tuple[str, str]] = []

    def unique(kind: str, names: list[str]) -> None:
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            problems.append((kind, f"names must be unique; repeated: {', '.join(dupes)}"))

    def known(path: str, value: str, allowed: list[str]) -> None:
        problems.extend(_undefined(path, value, allowed))

    def check_rule(path: str, rule: Audience) -> None:
        problems.extend(undefined_in_rule(sc, path, rule))

    segments, brands = sc.segment_names, [b.name for b in sc.brands]
    unique("population.segments", segments)
    if "all" in segments:
        problems.append(("population.segments[all].name", "'all' is reserved for the whole market in outputs"))
    unique("brands", brands)
    unique("channels", [c.name for c in sc.channels])
    unique("campaigns", [c.name for c in sc.campaigns])
    referrals = [c.brand for c in sc.campaigns if c.type == "referral"]
    for brand in sorted({b for b in referrals if referrals.count(b) > 1}):
        problems.append((f"brands[{brand}]", "at most one 'referral' campaign per brand (a referral is paid once)"))
    unique("conditions", [c.name for c in sc.conditions])
    unique("strategies", [s.name for s in sc.strategies])
    for s in sc.strategies:
        if s.brand is not None:
            known(f"strategies[{s.name}].brand", s.brand, brands)
    if len(sc.categories("interests")) > MAX_INTERESTS:
        problems.append(("population.segments", f"at most {MAX_INTERESTS} interest tags in all"))
    regions = sc.categories("region")
    if sc.network.type == "file" and not _is_file(sc.network.path):
        problems.append(("network.path", f"no such file: {plain(sc.network.path)}"))
    conditions = sorted({c.name for c in sc.conditions})
    for c in sc.conditions:
        known(f"conditions[{c.name}].region", c.region, regions)
    for ch in sc.channels:
        check_rule(f"channels[{ch.name}].users", ch.users)
    for b in sc.brands:
        for seg in b.fit:
            known(f"brands[{b.name}].fit", seg, segments)
        for part in ("share", "awareness"):
            for seg in getattr(b.initial, part):
                known(f"brands[{b.name}].initial.{part}", seg, segments)
        for cond in b.context_boost:
            known(f"brands[{b.name}].context_boost", cond, conditions)
    for c in sc.campaigns:
        where = f"campaigns[{c.name}]"
        known(f"{where}.brand", c.brand, brands)
        if c.channel is not None:
            known(f"{where}.channel", c.channel, [ch.name for ch in sc.channels])
        if c.trigger is not None:
            known(f"{where}.trigger", c.trigger, conditions)
        for seg in c.niche:
            known(f"{where}.niche", seg, segments)
        if c.move_to is not None:
            same_brand = [o.name for o in sc.campaigns if o.brand == c.brand and o.name != c.name]
            known(f"{where}.move_to", c.move_to, same_brand)
        check_rule(f"{where}.audience", c.audience)
        for alt in (c.research.alternatives if c.research else []):
            check_rule(f"{where}.research.alternatives[{alt.name}].audience", alt.audience)
        if c.buzz > 0 and sc.word_of_mouth.buzz_half_life is None:
            problems.append((f"{where}.buzz", "needs word_of_mouth.buzz_half_life (buzz that never fades "
                                              "would pile up without limit)"))
        if c.spend_rate is not None and c.channel in [ch.name for ch in sc.channels] \
                and sc.channel(c.channel).cpm == 0:
            problems.append((f"{where}.spend_rate", "needs a channel with a positive cpm; use 'impressions'"))
        if c.type == "seeding" and c.seed_by == "degree" and sc.network.type == "fully_mixed":
            problems.append((f"{where}.seed_by", "'degree' needs a network; fully_mixed has no contacts"))
    for seg in segments:
        installed = sum(b.initial.share.get(seg, 0.0) for b in sc.brands)
        if installed > 1.0 + 1e-9:
            problems.append((f"brands.initial.share.{seg}", f"the brands' installed shares add up to "
                                                            f"{installed:g}, above 1"))
    problems += _fits_the_market(sc)
    return problems or _unreachable_audiences(sc)  # only once every name it would look up is known


def _fits_the_market(sc: Scenario) -> list[tuple[str, str]]:
    """Counts that are valid alone but meaningless for this market (a run would clip or ignore them)."""
    problems: list[tuple[str, str]] = []
    size = sc.population.size
    for seg, count in zip(sc.segment_names, sc.population.segment_sizes()):
        if count == 0:
            problems.append((f"population.segments[{seg}].share", f"gives this segment no consumers out of "
                                                                  f"{size:,}: raise its share or population.size"))
    degree = getattr(sc.network, "mean_degree", None)
    if degree is not None and degree > size - 1:
        problems.append(("network.mean_degree", f"{degree:g} is more contacts than a consumer can have among "
                                                f"population.size ({size:,}) consumers: at most {size - 1:,}"))
    period = sc.buying.period
    if period is not None:
        def whole(x: float) -> bool:
            return x > 1 - 1e-9 and abs(x - round(x)) <= 1e-9 * x

        if not (whole(period / sc.time.dt) and whole(sc.time.horizon / period)):
            problems.append(("buying.period", f"{period:g} must be a whole number of steps of time.dt ({sc.time.dt:g}) "
                                              f"that divides time.horizon ({sc.time.horizon:g}) into whole periods"))
    for b in sc.brands:
        for seg, share in b.initial.share.items():
            if b.initial.awareness.get(seg, share) < share:
                problems.append((f"brands[{b.name}].initial.awareness.{seg}",
                                 f"{b.initial.awareness[seg]:g} is below initial.share ({share:g}): "
                                 "customers know the brand, so awareness is at least the share"))
    return problems


def _undefined(path: str, value: str, allowed: list[str]) -> list[tuple[str, str]]:
    return [] if value in allowed else [(path, f"'{value}' is not defined; allowed: {', '.join(allowed) or '(none)'}")]


def undefined_in_rule(sc: Scenario, path: str, rule: Audience) -> list[tuple[str, str]]:
    """The names an audience rule uses that the scenario's segments do not define (a region, an interest...)."""
    if rule == "everyone":
        return []
    return [p for field, names in rule.values() for v in names for p in _undefined(f"{path} ({field})", v,
                                                                                   sc.categories(field))]


def _unreachable_audiences(sc: Scenario) -> list[tuple[str, str]]:
    """Audiences that no consumer the segments can hold would match (among the channel's users, for a
    campaign): a campaign aimed at one would spend its whole budget outside it."""
    problems: list[tuple[str, str]] = []
    for ch in sc.channels:
        if not can_match(sc, [ch.users]):
            problems.append((f"channels[{ch.name}].users", "matches no consumer of any segment (check ages, "
                                                           "categories and interests against the segments)"))
    for c in sc.campaigns:
        users = [sc.channel(c.channel).users] if c.channel is not None else []
        among = f" who uses channel {c.channel}" if users and users[0] != "everyone" else ""
        audiences = [("audience", c.audience)] + [(f"research.alternatives[{alt.name}].audience", alt.audience)
                                                  for alt in (c.research.alternatives if c.research else [])]
        for field, audience in audiences:
            if can_match(sc, users) and not can_match(sc, [audience, *users]):
                problems.append((f"campaigns[{c.name}].{field}", f"matches no consumer of any segment{among}: the "
                                                                 "campaign would spend its budget outside it (check "
                                                                 "ages, categories and interests against the "
                                                                 "segments)"))
    return problems


def _is_file(path: str) -> bool:
    try:
        return Path(path).is_file()
    except OSError:  # a name longer than the file system allows
        return False
