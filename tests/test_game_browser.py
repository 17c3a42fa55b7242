"""The class market game in a real headless browser (issue 23): ``marketsim game`` on a free local port, the
teacher and four teams each in a browser context of their own, every request that would leave the machine
refused (a refused request, a missing file, a page or console error fails the test). Three periods are
played, the first twice (the teacher replays it), with a pause; the server is stopped and started again
mid-game; the leaderboard and the teams' reports are checked against the game replayed from its file, and
that game's export replays to the same reports. A wrong code joins nothing."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from dashboard_setup import CHROMIUM_ARGS, chromium, free_port, offline, start_marketsim, stop, watch

from marketsim.studies.game import Game
from marketsim.studies.game_store import GameStore

ROOT = Path(__file__).resolve().parent.parent
LAUNCH = ROOT / "scenarios" / "games" / "launch.toml"
PLANS = {  # each team's decision: fields of the page
    "alpha": {"micro-money": "3000", "age-from": "16", "age-to": "29"},
    "beta": {"macro-money": "5000"},
    "gamma": {"micro-money": "2000", "macro-money": "2000", "price": "4.4"},
    "delta": {"macro-money": "1000", "price": "3.6", "samples": "100"},
}


@pytest.fixture()
def small_game(tmp_path) -> Path:
    """The ready launch game on a 3,000-consumer market of three periods, in a folder of its own."""
    market = (LAUNCH.parent / "launch_market.toml").read_text(encoding="utf-8").replace("size = 20000", "size = 3000")
    (tmp_path / "launch_market.toml").write_text(market, encoding="utf-8")
    game = LAUNCH.read_text(encoding="utf-8").replace("periods = 8", "periods = 3").replace('name = "launch"',
                                                                                          'name = "small_launch"')
    (tmp_path / "small_launch.toml").write_text(game, encoding="utf-8")
    return tmp_path / "small_launch.toml"


def start(game: Path, store: Path, port: int) -> subprocess.Popen:
    return start_marketsim(["game", str(game), "--store", str(store), "--port", str(port), "--no-open"], port,
                           game.parent)


class Player:
    """One browser context (a team's laptop or the teacher's), joined with a code, offline."""

    def __init__(self, browser, url: str, code: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 720})
        self.refused = offline(self.context)
        self.page = self.context.new_page()
        self.problems = watch(self.page)
        self.url, self.code = url, code
        self.join()

    def join(self) -> None:
        self.page.goto(self.url)
        self.page.locator(".code-input input").fill(self.code)
        self.page.locator(".join-button").click()
        self.page.wait_for_selector(".period-header", timeout=90_000)

    def text(self, name: str) -> str:
        return self.page.locator(f".{name}").first.inner_text()

    def wait_for(self, name: str, words: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            if self.page.locator(f".{name}").count() and words in (shown := self.text(name)):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"no '{words}' in .{name}; page: {self.page.inner_text('body')[:800]}")
            time.sleep(0.2)

    def fill(self, fields: dict[str, str]) -> None:
        for name, value in fields.items():
            self.page.locator(f".{name} input").fill(value)

    def submit(self, words: str) -> None:
        """Click Submit and wait for ``words`` in the message. A click that lands while the page redraws (its own
        fields' echo, or another session's change) can be dropped by the widgets in between, as a person's
        can: then, as a person would, click once more."""
        for attempt in range(2):
            self.page.locator(".submit-button").click()
            try:
                self.wait_for("submit-message", words, timeout=15 if attempt == 0 else 90)
                return
            except AssertionError:
                if attempt:
                    raise

    def set_paused(self, paused: bool, team: "Player") -> None:
        """The teacher clicks Pause (or Go on) until ``team``'s page shows the game paused (or going on). A click
        dropped while the page redraws is clicked again, as a person would, only while the button still offers
        the same, so a slow click is never undone by a second one."""
        offered = "Pause" if paused else "Go on"
        for attempt in range(2):
            if offered.lower() in self.text("pause-button").lower():  # buttons show their labels in capitals
                self.page.locator(".pause-button").click()
            deadline = time.monotonic() + (15 if attempt == 0 else 90)
            while time.monotonic() < deadline:
                if ("paused" in team.text("paused-note")) == paused:
                    return
                time.sleep(0.2)
        raise AssertionError(f"the game did not {'pause' if paused else 'go on'} on {team.code}'s page")

    def check_clean(self) -> None:
        assert self.refused == [], f"requests that would leave the machine: {self.refused[:5]}"
        assert self.problems == [], self.problems[:5]


@pytest.mark.slow
def test_four_teams_and_a_teacher_play_three_periods_through_a_restart(small_game, tmp_path):
    from playwright.sync_api import sync_playwright

    store_path, port = tmp_path / "class.sqlite", free_port()
    url = f"http://127.0.0.1:{port}/"
    server = start(small_game, store_path, port)
    try:
        store = GameStore.open(store_path)
        codes = {team: code for code, team in store.codes.items()}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            stranger = browser.new_context()  # a wrong code joins nothing and is told so
            refused = offline(stranger)
            page = stranger.new_page()
            page.goto(url)
            page.locator(".code-input input").fill("ZZZZZZ")
            page.locator(".join-button").click()
            page.wait_for_selector(".join-message", timeout=90_000)
            assert "No team has this code" in page.locator(".join-message").inner_text() and not refused
            assert page.locator(".period-header").count() == 0
            stranger.close()
            teacher = Player(browser, url, store.teacher)
            teams = {team: Player(browser, url, codes[team]) for team in PLANS}
            assert "Period 1 of 3" in teacher.text("period-header")

            # a bad submission is refused by name and keeps nothing
            teams["alpha"].fill({"micro-money": "9000"})
            teams["alpha"].submit("Not kept")
            assert "over the period's budget" in teams["alpha"].text("submit-message")
            # while the teacher pauses the game, decisions wait
            teacher.set_paused(True, teams["beta"])
            teams["beta"].wait_for("paused-note", "paused")
            teams["beta"].fill(PLANS["beta"])
            teams["beta"].submit("the teacher has paused the game")
            assert GameStore.open(store_path).game.decisions == {}
            teacher.set_paused(False, teams["beta"])
            teams["beta"].wait_for("submit-status", "No decision yet")

            for period in (1, 2, 3):
                if period == 3:  # the server stops mid-game and comes back: nothing is lost
                    for player in [teacher, *teams.values()]:
                        player.check_clean()
                    stop(server)
                    server = start(small_game, store_path, port)
                    for player in [teacher, *teams.values()]:
                        player.join()
                        player.problems.clear()  # the pages' tries to reach the stopped server, refused
                for team, player in teams.items():
                    if period == 2 and team == "delta":
                        continue  # a team that does not submit keeps last period's decision
                    player.fill(PLANS[team])
                    player.submit(f"Kept: your decision for period {period}")
                teacher.wait_for("team-status", "in")
                teacher.page.locator(".close-button").click()
                words = f"Period {period + 1} of 3 is open" if period < 3 else "The game is over"
                teacher.wait_for("period-header", words)
                for player in teams.values():
                    player.wait_for("report-table", f"period {period}")
                if period == 1:  # the teacher replays the period: the same decisions give the same report
                    shown = teams["gamma"].text("report-table")
                    teacher.page.locator(".replay-button").click()
                    teacher.wait_for("period-header", "Period 1 of 3 is open")
                    teams["gamma"].wait_for("period-header", "Period 1 of 3")
                    teacher.page.locator(".close-button").click()
                    teacher.wait_for("period-header", "Period 2 of 3 is open")
                    teams["gamma"].wait_for("report-table", "period 1")
                    assert teams["gamma"].text("report-table") == shown

            replayed = GameStore.open(store_path).game  # the game as its file replays it, in this process
            assert replayed.closed == 3
            first = {team: replayed.decision(team, 0) for team in PLANS}  # each team's own, as it typed it
            assert (first["alpha"].micro_money, first["alpha"].macro_money) == (3000, 0)
            assert first["alpha"].micro_audience.model_dump(exclude_none=True) == {"field": "age", "min": 16, "max": 29}
            assert (first["beta"].micro_money, first["beta"].macro_money, first["beta"].price) == (0, 5000, 4.0)
            assert (first["gamma"].micro_money, first["gamma"].macro_money) == (2000, 2000)
            assert first["gamma"].micro_audience == "everyone" and first["delta"].price == 3.6
            assert (first["delta"].samples, first["alpha"].samples) == (100, 0)
            assert replayed.decision("delta", 1) == replayed.decision("delta", 0)
            assert replayed.price("gamma", 2) == 4.4
            board = teacher.text("leaderboard")
            ranked = [line.split()[1] for line in board.splitlines()[1:]]
            assert ranked == [team for team, _ in replayed.leaderboard("profit")]
            for team, player in teams.items():
                profit = replayed.reports[-1][team]["profit_so_far"]
                assert f"{profit:,.2f}" in player.text("report-table")
            report = teams["alpha"].text("report-table")
            assert all(words in report for words in ("share of young_active", "niches controlled",
                                                     "word of mouth's share of new customers", "customer equity"))
            now = teacher.text("teams-now")
            assert all(f"{replayed.reports[-1][team]['customers']:,}" in now for team in PLANS)
            teacher.page.locator(".debrief-button").click()
            teacher.wait_for("debrief", "alpha", timeout=180)
            assert "aged 16–29" in teacher.text("decisions")  # each team's decisions beside its results
            for player in [teacher, *teams.values()]:
                player.check_clean()
            browser.close()
        again = Game.replay(json.loads(json.dumps(replayed.export())))  # the teacher's export, as a file holds it
        assert again.closed == 3 and json.dumps(again.reports) == json.dumps(replayed.reports)
    finally:
        stop(server)
