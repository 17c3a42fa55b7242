"""A game kept in an SQLite file (Python's ``sqlite3``), written at each submission and each closed
period, so that a server restarted mid-game resumes where it stopped: what the file holds is a game's
export (its definition, market, seed, decisions and how many periods are closed), replayed bit for bit.
Each team joins with a short code of its own, kept in the same file."""

from __future__ import annotations

import json
import secrets
import sqlite3
from contextlib import closing
from pathlib import Path

from ..scenario.schema import ScenarioError
from .game import Game

CODE_BYTES = 3  # six hexadecimal characters: short enough to read out in class

SCHEMA = """
CREATE TABLE game (id INTEGER PRIMARY KEY CHECK (id = 1), definition TEXT NOT NULL, market TEXT NOT NULL,
                   seed TEXT NOT NULL, closed INTEGER NOT NULL, teacher TEXT NOT NULL);
CREATE TABLE teams (name TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE);
CREATE TABLE decisions (period INTEGER NOT NULL, team TEXT NOT NULL, fields TEXT NOT NULL,
                        PRIMARY KEY (period, team));
"""


class GameStore:
    """One game's file. ``create`` starts it, ``open`` resumes it; ``submit`` and ``close_period`` change
    the game and the file together: a decision is written before it is kept, a period written closed once
    it has run (after a crash it is open again, and closing it again gives the same report)."""

    def __init__(self, path: Path, game: Game, codes: dict[str, str], teacher: str):
        self.path, self.game, self.codes = path, game, codes  # codes: code -> team name
        self.teacher = teacher  # the teacher's code: closes periods, sees every team

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        return sqlite3.connect(path, isolation_level="DEFERRED")

    @classmethod
    def create(cls, path: str | Path, game: Game) -> GameStore:
        """A new game file for ``game`` (nothing closed or submitted yet), with a fresh code per team."""
        path = Path(path)
        if path.exists():
            raise ScenarioError(str(path), [("", "already exists: open it to resume that game, or give a new file")])
        if game.closed or game.decisions:
            raise ScenarioError(str(path), [("", "a game is stored from its start")])
        drawn: list[str] = []
        while len(drawn) < len(game.spec.teams) + 1:  # distinct codes, however unlikely a repeat
            code = secrets.token_hex(CODE_BYTES).upper()
            if code not in drawn:
                drawn.append(code)
        teacher, codes = drawn[0], dict(zip(drawn[1:], (t.name for t in game.spec.teams)))
        exported = game.export()
        try:
            with closing(cls._connect(path)) as connection, connection:
                connection.executescript(SCHEMA)
                connection.execute("INSERT INTO game VALUES (1, ?, ?, ?, 0, ?)",
                                   (json.dumps(exported["game"]), json.dumps(exported["market"]), str(game.seed),
                                    teacher))
                connection.executemany("INSERT INTO teams VALUES (?, ?)",
                                       [(team, code) for code, team in codes.items()])
        except (sqlite3.Error, OSError):
            path.unlink(missing_ok=True)  # nothing half-written
            raise ScenarioError(str(path), [("", "cannot write a game file here (check the folder exists and "
                                                 "can be written)")]) from None
        return cls(path, game, codes, teacher)

    @classmethod
    def open(cls, path: str | Path) -> GameStore:
        """Resume the game a file holds: its decisions submitted again and its closed periods run again."""
        path = Path(path)
        if not path.is_file():
            why = "is a folder, not a game file" if path.is_dir() else "file not found"
            raise ScenarioError(str(path), [("", why)])
        try:
            with closing(cls._connect(path)) as connection:
                definition, market, seed, closed, teacher = connection.execute(
                    "SELECT definition, market, seed, closed, teacher FROM game").fetchone()
                codes = dict(connection.execute("SELECT code, name FROM teams"))
                rows = connection.execute("SELECT period, team, fields FROM decisions ORDER BY period, team").fetchall()
            decisions = [{"team": team, "period": period, **json.loads(fields)} for period, team, fields in rows]
            exported = {"game": json.loads(definition), "market": json.loads(market), "seed": int(seed),
                        "closed": int(closed), "decisions": decisions}
        except (sqlite3.Error, OSError, TypeError, ValueError):
            raise ScenarioError(str(path), [("", "not a marketsim game file, or not readable")]) from None
        return cls(path, Game.replay(exported, str(path)), codes, teacher)

    def is_teacher(self, code: str) -> bool:
        return isinstance(code, str) and secrets.compare_digest(code.strip().upper(), self.teacher)

    def team_of(self, code: str) -> str:
        """The team a code belongs to; a ScenarioError for any other code (never echoed)."""
        team = self.codes.get(code.strip().upper()) if isinstance(code, str) else None
        if team is None:
            raise ScenarioError(str(self.path), [("code", "no team has this code")])
        return team

    def submit(self, code: str, fields: dict, period: int | None = None):
        """A team's decision for the open period (refused if made for another ``period``), checked, written,
        then kept."""
        team = self.team_of(code)
        decision = self.game.check(team, fields, period)
        stored = decision.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        with closing(self._connect(self.path)) as connection, connection:
            connection.execute("INSERT OR REPLACE INTO decisions VALUES (?, ?, ?)",
                               (self.game.closed + 1, team, json.dumps(stored)))
        self.game.decisions[(team, self.game.closed)] = decision
        return decision

    def close_period(self) -> dict:
        """Run the open period, then write that it is closed."""
        report = self.game.close_period()
        self._write_closed()
        return report

    def reopen(self) -> None:
        """Open the last closed period again (``Game.reopen``), and write it."""
        self.game.reopen()
        self._write_closed()

    def _write_closed(self) -> None:
        with closing(self._connect(self.path)) as connection, connection:
            connection.execute("UPDATE game SET closed = ?", (self.game.closed,))
