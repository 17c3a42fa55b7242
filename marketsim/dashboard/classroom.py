"""What one browser session shows: a lesson run as written and as the levers change it, from one seed.

Both runs start from the same seed, so they share the population, the network (unless a lever changes
it) and the stream of random numbers (common random numbers): any difference the class sees at one seed
comes from the levers, not from noise; the fan of many seeds shows the noise. The runs are computed ahead
(``runs.Track``): the page shows them up to its cursor. With no lever moved the variant is the run as
written itself, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..scenario.schema import Scenario
from .lessons import Lesson, describe_changes, lever_defaults, load_lesson, overrides, variant
from .readout import Series, series, summary_table
from .runs import Track, written

AS_WRITTEN, VARIANT = "As written", "Your variant"
DEFAULT_SEED = 1


@dataclass(frozen=True)
class Runs:
    """A lesson, its levers and seed, and the two runs they make: replaced as a whole whenever one of them
    changes, so that a page drawing in one thread while a lever moves in another never sees a lesson with
    another lesson's runs."""

    lesson_path: Path
    levers: dict[str, float]
    seed: int
    written: Track
    variant: Track

    @classmethod
    def start(cls, lesson_path: Path, levers: dict[str, float], seed: int) -> Runs:
        lesson = load_lesson(lesson_path)
        moved = bool(overrides(lesson, levers))
        shared = written(lesson_path, lesson.scenario, seed)
        return cls(lesson_path, levers, seed, shared, Track(variant(lesson, levers), seed) if moved else shared)

    @property
    def lesson(self) -> Lesson:
        return load_lesson(self.lesson_path)

    @property
    def moved(self) -> bool:
        return self.variant is not self.written

    def variant_scenario(self) -> Scenario:
        return self.variant.scenario

    @property
    def horizon(self) -> int:
        return self.written.horizon

    @property
    def available(self) -> int:
        """Steps both runs have computed."""
        return min(self.written.computed, self.variant.computed)

    @property
    def error(self) -> BaseException | None:
        return self.written.error or self.variant.error

    def changes(self) -> list[str]:
        return describe_changes(self.lesson, self.levers)

    def tracks(self) -> dict[str, Track]:
        """The runs to draw: as written, and the variant when a lever makes it another run."""
        return {AS_WRITTEN: self.written, **({VARIANT: self.variant} if self.moved else {})}

    def runs_at(self, step: int) -> dict[str, Series]:
        return {name: series(track.model, min(step, track.computed)) for name, track in self.tracks().items()}

    def summary(self) -> pd.DataFrame:
        """Key metrics per brand at the horizon, one row per brand and run (both runs, also when equal)."""
        niche = self.lesson.niche
        return pd.concat([summary_table(track.model, niche).assign(run=name)
                          for name, track in ((AS_WRITTEN, self.written), (VARIANT, self.variant))],
                         ignore_index=True)


class Classroom:
    """One browser session's lesson, levers and seed; ``now`` holds their runs."""

    def __init__(self, lesson_path: Path, seed: int = DEFAULT_SEED):
        self.now = Runs.start(lesson_path, lever_defaults(load_lesson(lesson_path)), seed)

    def _restart(self, lesson_path: Path, levers: dict[str, float], seed: int) -> None:
        old = self.now
        self.now = Runs.start(lesson_path, levers, seed)
        if old.moved and old.variant is not self.now.variant:
            old.variant.cancel()  # nobody else draws a session's own variant

    def choose(self, path: Path) -> None:
        """Another lesson: its levers start at the scenario's own values."""
        self._restart(path, lever_defaults(load_lesson(path)), self.now.seed)

    def move(self, key: str, value: float) -> None:
        self._restart(self.now.lesson_path, {**self.now.levers, key: value}, self.now.seed)

    def put_back(self) -> None:
        self._restart(self.now.lesson_path, lever_defaults(self.now.lesson), self.now.seed)

    def reseed(self, seed: int) -> None:
        self._restart(self.now.lesson_path, self.now.levers, seed)
