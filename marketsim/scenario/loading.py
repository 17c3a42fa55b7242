"""Reading scenario files: TOML with caps on size and depth, ``--set`` overrides, and validation
into a Scenario whose errors name the file and the field (see errors.py)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .checks import cross_check
from .errors import validation_problems
from .parameters import TIMED_DEFAULTS, per_day_scale
from .schema import DAYS_PER_UNIT, ONLY_FOR_TYPE, Scenario, ScenarioError
from .uncertainty import at_medians

MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 4_000  # a longer line (such as a dotted key 100,000 levels deep) costs the parser gigabytes
MAX_DEPTH = 24  # tables and arrays inside one another


def _depth(node: Any) -> int:
    """Nesting depth of tables and arrays, without recursion."""
    deepest, stack = 0, [(node, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:
            children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
            stack += [(c, depth + 1) for c in children if isinstance(c, (dict, list))]
    return deepest


def read_toml(path: Path) -> tuple[str, dict]:
    """A TOML file's text and table, or a ScenarioError naming the file (never quoting it)."""
    source = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ScenarioError(source, [("", f"larger than {MAX_FILE_BYTES:,} bytes; is it a scenario file?")])
        text = data.decode("utf-8")
        long = next((i for i, line in enumerate(text.splitlines(), 1) if len(line) > MAX_LINE_CHARS), None)
        if long is not None:
            raise ScenarioError(source, [(f"line {long}", f"longer than {MAX_LINE_CHARS:,} characters")])
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ScenarioError(source, [("", "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError(source, [("", "is a folder, not a file")]) from None
    except OSError as exc:
        raise ScenarioError(source, [("", f"cannot read the file ({exc.strerror or type(exc).__name__})")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, [("", f"not UTF-8 text (byte {exc.start})")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, [("", f"not valid TOML: {exc}")]) from None
    except (RecursionError, MemoryError):
        raise ScenarioError(source, [("", f"nested more than {MAX_DEPTH} levels deep")]) from None
    if _depth(raw) > MAX_DEPTH:
        raise ScenarioError(source, [("", f"nested more than {MAX_DEPTH} levels deep")])
    return text, raw


def _set_path(raw: dict, dotted: str, value: Any, source: str) -> None:
    """Apply one ``--set`` override; list items are addressed by name or index."""
    keys = dotted.split(".")
    node: Any = raw
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        if isinstance(node, list):
            match = [x for x in node if isinstance(x, dict) and x.get("name") == key]
            if not match and key.isdigit() and int(key) < len(node):
                match = [node[int(key)]]
            if len(match) > 1:
                raise ScenarioError(source, [(f"--set {dotted}", f"{len(match)} items are named '{key}'")])
            if not match:
                names = [str(x.get("name")) for x in node if isinstance(x, dict)]
                raise ScenarioError(source, [(f"--set {dotted}", f"no item '{key}'; items: {', '.join(names)}")])
            if last:
                raise ScenarioError(source, [(f"--set {dotted}", "cannot replace a whole list item")])
            node = match[0]
        elif isinstance(node, dict):
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, {})
        else:
            raise ScenarioError(source, [(f"--set {dotted}", f"'{'.'.join(keys[:i])}' is a value, not a table")])


def parse_override(text: str) -> tuple[str, Any]:
    """``key=value`` with the value read as TOML (numbers, booleans, strings, arrays, tables)."""
    if "=" not in text:
        raise ValueError(f"--set takes key=value, got {text!r}")
    key, value = (s.strip() for s in text.split("=", 1))
    try:
        return key, tomllib.loads(f"v = {value}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return key, value


def defaults_in_unit(raw: dict) -> dict:
    """``raw`` with every rate and duration it leaves out set to its default (docs/parameters.md gives
    them per day) converted to the scenario's time unit, so a file in weeks that leaves out
    ``word_of_mouth.strength`` gets 0.007 a week, not 0.001. A malformed file is left for validation."""
    time = raw.get("time")
    unit = time.get("unit", "day") if isinstance(time, dict) else "day"
    if not isinstance(unit, str) or unit == "day" or unit not in DAYS_PER_UNIT:
        return raw
    days = DAYS_PER_UNIT[unit]
    for p in TIMED_DEFAULTS:
        *path, field = p.name.split(".")
        tables = [raw]
        for key in path:
            inside = []
            for table in tables:
                if key.endswith("[]"):
                    items = table.get(key[:-2])
                    inside += [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []
                elif table is raw and key not in raw and Scenario.model_fields[key].default is not None:
                    inside.append(raw.setdefault(key, {}))  # a section left out has its defaults
                elif isinstance(table.get(key), dict):
                    inside.append(table[key])
            tables = inside
        if path == ["campaigns[]"]:  # only where the campaign's type uses the field
            tables = [c for c in tables if field not in ONLY_FOR_TYPE or c.get("type", "ads") in ONLY_FOR_TYPE[field]]
        for table in tables:
            table.setdefault(field, p.default * per_day_scale(p, days))
    return raw


def scenario_from_dict(raw: dict, source: str = "<scenario>", base_dir: Path | None = None,
                       overrides: dict[str, Any] | None = None) -> Scenario:
    """Validate a dict (as read from TOML) into a Scenario, or raise ScenarioError."""
    for key, value in (overrides or {}).items():
        _set_path(raw, key, value, source)
    net = raw.get("network")
    if base_dir is not None and isinstance(net, dict) and isinstance(net.get("path"), str):
        net["path"] = os.path.abspath(base_dir / net["path"])  # text only: validation judges what it names
    raw, uncertain = at_medians(raw, source)
    raw = defaults_in_unit(raw)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(source, validation_problems(raw, exc)) from None
    problems = cross_check(scenario)
    if problems:
        raise ScenarioError(source, problems)
    scenario._uncertain = uncertain
    return scenario


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario file; ``overrides`` maps dotted paths to values."""
    path = Path(path)
    _, raw = read_toml(path)
    return scenario_from_dict(raw, str(path), base_dir=path.parent, overrides=overrides)
