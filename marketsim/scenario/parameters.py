"""The registry of scenario parameters: each field's default, unit, plausible range and source, in
one place. schema.py takes its defaults from here, and the tables of docs/parameters.md and
docs/scenarios.md are generated from it, so the three cannot disagree. The rows themselves are in
parameter_table.py.

Field names are dotted paths as in the docs: ``response.ad_effect``, ``network.mean_degree``
(whatever the network type). A field of every item of a list of tables takes ``[]`` after the list:
``channels[].cpm``, ``brands[].initial.loyalty``, ``campaigns[].research.panel_rate``,
``population.segments[].talkativeness``. The part up to the list item (``campaigns[]``), or the
first part without one (``response``), is the section: the table a field is listed in.

A doc marks each generated table with the sections it lists, and ``<!-- end -->`` after it:
``<!-- parameters: response -->`` for docs/parameters.md's columns (unit, range, source),
``<!-- defaults: response word_of_mouth -->`` for docs/scenarios.md's (meaning). Rewrite them with
``python -m marketsim.scenario.parameters docs/parameters.md docs/scenarios.md``.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

from .parameter_table import PARAMETERS, Parameter

REGISTRY = {p.name: p for p in PARAMETERS}


def default(name: str) -> float | None:
    """The default of a field, for schema.py."""
    return REGISTRY[name].default


def section(name: str) -> str:
    """The table a field is listed in: its name up to the first list item, or the first part without one
    (``brands[].price_changes[].at`` is in ``brands[]``)."""
    head, item, _ = name.partition("[].")
    return head + "[]" if item else name.split(".")[0]


def field_name(name: str) -> str:
    """A field's name within its section: ``initial.loyalty`` for ``brands[].initial.loyalty``."""
    return name.removeprefix(section(name) + ".")


SECTIONS = list(dict.fromkeys(section(p.name) for p in PARAMETERS))


RATE = re.compile(r"\bper unit\b(?! of)")  # "hazard per unit", not "deterrence per unit of bad word"


def per_day_scale(p: Parameter, days_per_unit: float) -> float:
    """What turns the table's figure (in days: a duration, or a rate per day) into the scenario's time
    unit: 1 for a field that does not depend on time, and for the time section itself."""
    if section(p.name) == "time":
        return 1.0
    if p.unit == "unit":
        return 1.0 / days_per_unit
    return days_per_unit if RATE.search(p.unit) else 1.0


def plausible_range(p: Parameter, days_per_unit: float) -> tuple[float, float] | None:
    """The plausible range in a scenario's own time unit, or None where the table gives no numbers."""
    if p.low is None:
        return None
    scale = per_day_scale(p, days_per_unit)
    return p.low * scale, p.high * scale


TIMED_DEFAULTS = [p for p in PARAMETERS if isinstance(p.default, float) and p.default not in (0.0, math.inf)
                  and per_day_scale(p, 7.0) != 1.0]  # rates and durations whose default a unit changes


def outside_plausible_ranges(scenario) -> list[tuple[str, float, tuple[float, float]]]:
    """Every number of a validated scenario (set or default) outside its plausible range: (field, value, range)."""
    days = scenario.time.days_per_unit
    found = []

    def walk(node, name: str) -> None:
        if isinstance(node, dict):
            p = REGISTRY.get(name)
            if p is not None and p.low is not None:  # a number per key, such as a brand's fit per segment
                for value in node.values():
                    walk(value, name)
                return
            for key, value in node.items():
                walk(value, f"{name}.{key}" if name else key)
        elif isinstance(node, list):
            for item in node:
                walk(item, f"{name}[]")
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and name in REGISTRY:
            bounds = plausible_range(REGISTRY[name], days)
            if bounds is not None and not bounds[0] - 1e-12 <= node <= bounds[1] + 1e-12:
                found.append((name, node, bounds))

    walk(scenario.model_dump(by_alias=True), "")
    return found


def shown_default(p: Parameter) -> str:
    """The default as the tables show it: the number and its words, or the words alone."""
    if p.default is None:
        return p.default_text
    number = "`inf`" if p.default == math.inf else f"{p.default:g}"
    return f"{number} {p.default_text}".rstrip()


def label(p: Parameter, full_name: bool) -> str:
    """The field column: its name in its section, or in full where a table lists several sections."""
    return f"`{p.name if full_name else field_name(p.name)}` {p.label_note}".rstrip()


def rows_of(sections: list[str]) -> list[Parameter]:
    """The rows of the named sections, in the registry's order; a misspelt section is an error, not a gap."""
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise ValueError(f"no parameters in section(s) {', '.join(unknown)}; sections: {', '.join(SECTIONS)}")
    return [p for p in PARAMETERS if section(p.name) in sections]


def table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table as the docs write them."""
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                     + ["|" + "|".join(f" {cell} " if cell else " " for cell in row) + "|" for row in rows])


def parameters_table(sections: list[str]) -> str:
    """docs/parameters.md's columns; names are left out there, as its introduction says."""
    return table(["field", "default", "unit", "plausible range", "source / note"],
                 [[label(p, False), shown_default(p), p.unit, p.range_text, p.source]
                  for p in rows_of(sections) if field_name(p.name) != "name"])


def defaults_table(sections: list[str]) -> str:
    """docs/scenarios.md's columns; a table of several sections names its fields in full."""
    return table(["field", "default", "meaning"],
                 [[label(p, len(sections) > 1), shown_default(p), p.meaning] for p in rows_of(sections)])


MARKED_TABLE = re.compile(r"^(<!-- (parameters|defaults): ([^>]+?) -->\n).*?^(<!-- end -->)$", re.S | re.M)
LAYOUTS = {"parameters": parameters_table, "defaults": defaults_table}


def rewrite(text: str) -> str:
    """``text`` with every marked table generated afresh from the registry, and all else as it was."""
    return MARKED_TABLE.sub(lambda m: f"{m[1]}\n{LAYOUTS[m[2]](m[3].split())}\n\n{m[4]}", text)


def main(paths: list[str]) -> None:
    """Rewrite the marked tables of each markdown file in place."""
    if not paths:
        raise SystemExit("usage: python -m marketsim.scenario.parameters docs/parameters.md docs/scenarios.md")
    for path in map(Path, paths):
        text = path.read_text(encoding="utf-8")
        generated = rewrite(text)
        if generated != text:
            path.write_text(generated, encoding="utf-8")
            print(f"rewrote the tables of {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
