"""Uncertain assumptions: a number in a scenario given as a distribution instead of a value.

Any number may be a TOML table with the key ``dist`` (docs/scenarios.md):

    strength = { dist = "uniform", low = 0.002, high = 0.01 }

The tables are found in the raw scenario before validation. Each distribution is checked on its
own (its parameters) and against the field it stands for: the scenario is validated with the
distribution's lowest and highest values in place, so a share's range must lie in [0, 1]. A run
uses each distribution's median; ``assess`` and ``calibrate`` draw Latin-hypercube samples.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

import numpy as np
import scipy  # scipy.stats loads on first use: half a second a scenario without distributions need not pay
from pydantic import Field, TypeAdapter, ValidationError, model_validator

from .errors import validation_problems
from .schema import Number, Scenario, ScenarioError, Strict

Key = str | int

if TYPE_CHECKING:
    import pandas as pd


class _Distribution(Strict):
    def frozen(self):
        raise NotImplementedError

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """The value at quantile ``u`` (the inverse of the cumulative distribution)."""
        return self.frozen().ppf(u)

    @property
    def median(self) -> float:
        return float(self.frozen().median())

    @property
    def support(self) -> tuple[float, float]:
        """The range draws can take: an unbounded tail is cut at one chance in a billion."""
        low, high = self.frozen().support()
        low = low if math.isfinite(low) else self.ppf(1e-9)
        high = high if math.isfinite(high) else self.ppf(1.0 - 1e-9)
        return float(low), float(high)

    def describe(self) -> str:
        params = ", ".join(f"{k}={v:g}" for k, v in self.model_dump().items() if k != "dist" and math.isfinite(v))
        return f"{self.dist}({params})"


class _Interval(_Distribution):
    """A distribution with bounds ``low`` and ``high`` (its fields), the first below the second."""

    @model_validator(mode="after")
    def _ordered(self) -> _Interval:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


# every parameter is a finite number no field exceeds (MAX_AMOUNT): a wider one overflows the medians
class Uniform(_Interval):
    dist: Literal["uniform"]
    low: Number
    high: Number

    def frozen(self):
        return scipy.stats.uniform(self.low, self.high - self.low)


class LogUniform(_Interval):
    dist: Literal["loguniform"]
    low: Annotated[Number, Field(gt=0.0)]
    high: Number

    def frozen(self):
        return scipy.stats.loguniform(self.low, self.high)


class Triangular(_Distribution):
    dist: Literal["triangular"]
    low: Number
    mode: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(f"needs low <= mode <= high and low < high (got {self.low:g}, {self.mode:g}, "
                             f"{self.high:g})")
        return self

    def frozen(self):
        width = self.high - self.low
        return scipy.stats.triang((self.mode - self.low) / width, loc=self.low, scale=width)


class Normal(_Interval):
    """A normal distribution, truncated to [low, high] when they are given."""

    dist: Literal["normal"]
    mean: Number
    sd: Annotated[Number, Field(gt=0.0)]
    low: Number = -math.inf
    high: Number = math.inf

    def frozen(self):
        return scipy.stats.truncnorm((self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd,
                               loc=self.mean, scale=self.sd)


Distribution = Annotated[Union[Uniform, LogUniform, Triangular, Normal], Field(discriminator="dist")]
DISTRIBUTIONS = TypeAdapter(Distribution)


@dataclass(frozen=True)
class Uncertain:
    """One uncertain field: where it is in the raw scenario, its distribution, and whether it holds whole numbers."""

    keys: tuple[Key, ...]  # the way down the raw dict (list items by index)
    path: str  # dotted, list items by name: what --set and experiment factors take
    dist: _Distribution
    integer: bool = False

    def value(self, u: np.ndarray | float) -> np.ndarray:
        x = np.asarray(self.dist.ppf(u), dtype=float)
        return np.round(x) if self.integer else x

    def at(self, u: float) -> float | int:
        """The value at quantile ``u``, as the field takes it (a whole-number field gets an int)."""
        x = float(self.value(u))
        return int(x) if self.integer else x

    @property
    def median(self) -> float | int:
        return self.at(0.5)


def _tables(node: Any, keys: tuple[Key, ...] = (), names: tuple[str, ...] = ()):
    """Yield (keys, dotted path, table) for every ``dist`` table under ``node``: one whose ``dist``
    is text (a table of names, such as interests, may have a member named dist, with a number)."""
    if isinstance(node, dict):
        if isinstance(node.get("dist"), str):
            yield keys, ".".join(names), node
            return
        for k, v in node.items():
            yield from _tables(v, (*keys, k), (*names, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            label = v["name"] if isinstance(v, dict) and isinstance(v.get("name"), str) else str(i)
            yield from _tables(v, (*keys, i), (*names, label))


def _put(raw: dict, keys: tuple[Key, ...], value: Any) -> None:
    node = raw
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value


def _errors_at(raw: dict, keys: tuple[Key, ...]) -> list[dict]:
    """Pydantic's errors located exactly at ``keys`` when ``raw`` is validated as a scenario."""
    try:
        Scenario.model_validate(raw)
    except ValidationError as exc:
        return [e for e in exc.errors() if tuple(e["loc"]) == keys]
    return []


def find_uncertain(raw: dict, source: str) -> list[Uncertain]:
    """Every distribution in a raw scenario, each checked on its own and against its field's bounds."""
    found, problems = [], []
    for keys, path, table in _tables(raw):
        try:
            found.append(Uncertain(keys, path, DISTRIBUTIONS.validate_python(table)))
        except ValidationError as exc:
            tag = table["dist"]
            problems += [(".".join(x for x in (path, where.removeprefix(tag).lstrip(".")) if x), msg)
                         for where, msg in validation_problems(table, exc)]
    if problems:
        raise ScenarioError(source, problems)
    if not found:
        return []
    medians = copy.deepcopy(raw)
    for u in found:
        _put(medians, u.keys, u.median)
    # a field of whole numbers rejects a fractional probe value: round its draws
    probe = copy.deepcopy(medians)
    for u in found:
        _put(probe, u.keys, math.floor(u.median) + 0.5)
    found = [Uncertain(u.keys, u.path, u.dist, integer=any(e["type"] in ("int_from_float", "int_type")
                                                           for e in _errors_at(probe, u.keys)))
             for u in found]
    for u in found:  # whole-number medians where the field takes whole numbers
        _put(medians, u.keys, u.median)
    for u in found:
        for bound in u.dist.support:
            trial = copy.deepcopy(medians)
            _put(trial, u.keys, round(bound) if u.integer else bound)
            for e in _errors_at(trial, u.keys):
                hint = "; give low and high to truncate it" if u.dist.frozen().support() != u.dist.support else ""
                problems.append((u.path, f"{u.dist.describe()} reaches {bound:g}, which the field does not allow "
                                         f"({e['msg']}){hint}"))
                break
    if problems:
        raise ScenarioError(source, problems)
    return found


def at_medians(raw: dict, source: str) -> tuple[dict, list[Uncertain]]:
    """The raw scenario with each distribution replaced by its median, and the distributions found."""
    uncertain = find_uncertain(raw, source)
    for u in uncertain:
        _put(raw, u.keys, u.median)
    return raw, uncertain


def _from_unit(uncertain: list[Uncertain], u: np.ndarray) -> pd.DataFrame:
    """Points of the unit cube as values of the uncertain fields (each through its quantile function)."""
    import pandas as pd  # here: reading a scenario file need not load pandas

    return pd.DataFrame({x.path: x.value(u[:, k]).astype(np.int64 if x.integer else float)
                         for k, x in enumerate(uncertain)})


def latin_hypercube(uncertain: list[Uncertain], samples: int, seed: int) -> pd.DataFrame:
    """``samples`` Latin-hypercube draws of the uncertain fields, one column per dotted path."""
    return _from_unit(uncertain, scipy.stats.qmc.LatinHypercube(d=len(uncertain),
                                                                 rng=np.random.default_rng(seed)).random(samples))


def saltelli(uncertain: list[Uncertain], base: int, seed: int) -> pd.DataFrame:
    """Saltelli's design for first-order and total Sobol indices (SALib): ``base`` x (fields + 2) points, in
    the order SALib's analysis reads them. The cube's faces are kept off: a quantile of 0 or 1 may be infinite."""
    from SALib.sample import sobol

    d = len(uncertain)
    problem = {"num_vars": d, "names": [u.path for u in uncertain], "bounds": [[0.0, 1.0]] * d}
    u = sobol.sample(problem, base, calc_second_order=False, seed=seed % 2**32)
    return _from_unit(uncertain, np.clip(u, 1e-12, 1 - 1e-12))
