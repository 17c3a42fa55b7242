"""The model behind one browser session: the same market run twice, side by side.

Both runs are built from the same seed, so they share the population, the network (unless a
lever changes it) and the stream of random numbers (common random numbers): any difference the
class sees comes from the levers, not from noise. Mesa's controller steps this model; its Reset
rebuilds it from the session's current lesson, levers and seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import mesa

from ..market.model import MarketModel
from .lessons import Lesson, lever_defaults, load_lesson, variant
from .readout import NetworkSample, network_sample

AS_WRITTEN, VARIANT = "As written", "Your variant"
DEFAULT_SEED = 1


@dataclass
class Session:
    """What one browser session has chosen; the Classroom model is rebuilt from it."""

    lesson_path: Path
    levers: dict[str, float] = field(default_factory=dict)
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        if not self.levers:
            self.levers = lever_defaults(self.lesson)

    @property
    def lesson(self) -> Lesson:
        return load_lesson(self.lesson_path)

    def choose(self, path: Path) -> None:
        """Switch lesson: its levers start at the scenario's own values."""
        self.lesson_path = path
        self.levers = lever_defaults(self.lesson)


class Classroom(mesa.Model):
    """Two MarketModels (the scenario as written and the teacher's variant) stepped together."""

    def __init__(self, session: Session, rng=None):
        super().__init__(rng=session.seed)
        self.session = session
        self.lesson = session.lesson
        self.levers = dict(session.levers)
        self.runs: dict[str, MarketModel] = {
            AS_WRITTEN: MarketModel(self.lesson.scenario, rng=session.seed),
            VARIANT: MarketModel(variant(self.lesson, self.levers), rng=session.seed),
        }
        self._samples: dict[str, NetworkSample] = {}

    @property
    def horizon(self) -> int:
        return max(run.horizon_steps for run in self.runs.values())

    @property
    def finished(self) -> bool:
        return not any(run.running for run in self.runs.values())

    def sample(self, name: str) -> NetworkSample:
        """The run's network sample and layout, computed on first use and kept."""
        if name not in self._samples:
            self._samples[name] = network_sample(self.runs[name])
        return self._samples[name]

    def step(self) -> None:
        for run in self.runs.values():
            if run.running:
                run.step()
        self.running = not self.finished
