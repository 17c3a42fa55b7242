"""The command that plays the class market game: ``marketsim game GAME`` (docs/game.md)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from ..scenario.schema import ScenarioError, plain
from .common import _fail, app, err, ready


def _game_file(path: Path) -> Path:
    """A game file as given, else a ready game by name (``marketsim game launch``) from any folder."""
    try:
        if path.exists() or path.suffix or len(path.parts) != 1:
            return path
        candidate = ready("scenarios") / "games" / f"{path.name}.toml"
        return candidate if candidate.is_file() else path
    except OSError:  # a name the file system cannot hold: reading it says so, naming the file
        return path


@app.command()
def game(
    game_file: Annotated[Path, typer.Argument(help="A game file (docs/game.md), or a ready game: launch, niches")],
    store: Annotated[Path | None, typer.Option(help="The game's SQLite file: an existing one is resumed where it "
                                                    "stopped; default GAME-NAME.sqlite in this folder")] = None,
    seed: Annotated[int, typer.Option(min=0, help="The market's random seed")] = 1,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve the page on")] = 8766,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 opens it to the classroom network")]
    = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open the page in a web browser")] = True,
) -> None:
    """Start a class market game: teams run competing brands in one market, period by period."""
    from ..scenario.game import load_game
    from ..studies.game import Game
    from ..studies.game_store import GameStore

    path = _game_file(game_file)
    if host not in ("localhost", ""):  # "" listens on every address, as 0.0.0.0
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise _fail("The game cannot start:", "--host: not an IP address (127.0.0.1 for this computer only, "
                                                   "0.0.0.0 for the classroom network)") from None
    try:
        spec = load_game(path)
        store = store if store is not None else Path(f"{spec.name}.sqlite")
        try:
            resuming = store.exists()
        except OSError as exc:
            raise ScenarioError(str(store), [("", f"cannot be a game file ({exc.strerror})")]) from None
        if resuming:
            kept = GameStore.open(store)
            if kept.game.spec.name != spec.name:
                raise ScenarioError(str(store), [("", f"holds the game '{kept.game.spec.name}', not '{spec.name}': "
                                                      "give another --store for this game")])
            err.print(f"resuming {spec.name} from {plain(str(store))}: {kept.game.closed} of {spec.periods} periods "
                      "closed")
        else:
            kept = GameStore.create(store, Game.load(path, seed))
    except ScenarioError as exc:
        raise _fail("The game cannot start:", exc) from None
    if host in ("0.0.0.0", "::", ""):
        err.print(f"warning: listening on {host or 'every address'}: anyone on this network can open the game",
                  style="bold yellow")
    from ..dashboard.server import GAME_APP, GAME_STORE_ENV, page_url, serve_app

    url = page_url(host, port)
    err.print(f"marketsim game {spec.name}: {url} (Ctrl-C stops it; the game is kept in {plain(str(store))})")
    err.print(f"teacher's code: {kept.teacher}")
    for code, team in kept.codes.items():
        err.print(f"team {team}: {code}")
    serve_app(GAME_APP, {GAME_STORE_ENV: str(store.resolve())}, host, port, url if open_browser else None, err.print,
              "marketsim game")
