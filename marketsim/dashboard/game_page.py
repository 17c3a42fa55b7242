"""The class market game's page: one address for the whole class, ``marketsim game GAME``.

Whoever opens it gives a code: a team's code shows that team's brand, its decision for the open period and
its reports; the teacher's code shows every team's status, closes periods, ranks the teams and, at the end,
the debrief. Every session of this server shares one game (``Room``), kept in its SQLite file
(studies/game_store.py) and changed under a lock; pages look for changes twice a second, so a team sees
its report as soon as the teacher closes the period.
"""

from __future__ import annotations

import json
import math
import os
import threading
from pathlib import Path

import solara

from ..scenario.schema import ScenarioError
from ..studies.game import LEADERBOARD, SLOTS
from ..studies.game_store import GameStore
from .server import GAME_STORE_ENV

POLL = 0.5  # seconds between looks for another session's change
TEXT = 16
CSS = f"""
.v-application {{ font-size: {TEXT}px; }}
.game-title {{ font-size: {TEXT + 6}px; font-weight: 600; }}
.period-header {{ font-size: {TEXT + 2}px; font-weight: 600; }}
.game-table table {{ border-collapse: collapse; }}
.game-table td, .game-table th {{ padding: 2px 10px; text-align: right; border-bottom: 1px solid #ddd; }}
.game-table td:first-child, .game-table th:first-child {{ text-align: left; }}
"""
REPORT_ROWS = [("price", "price"), ("customers", "customers"), ("share", "share of the market's buying"),
               ("new_customers_paid", "new customers from paid contacts"),
               ("new_customers_wom", "new customers from word of mouth"),
               ("wom_share", "word of mouth's share of new customers"), ("spend", "spend"), ("research", "survey"),
               ("cac", "cost per new customer"), ("revenue", "revenue"), ("margin", "margin"),
               ("profit", "profit"), ("profit_so_far", "profit so far"), ("customer_equity", "customer equity")]


class Room:
    """The game this server shows, shared by every session: changes go through the lock, and ``version``
    counts them so that pages can tell when to redraw."""

    def __init__(self, path: Path):
        self.store = GameStore.open(path)
        self.lock = threading.Lock()
        self.version = 0
        self.paused = False  # the teacher's: decisions wait (not kept in the file: a restarted game goes on)

    def submit(self, team: str, fields: dict, period: int) -> None:
        """A team's decision for the period its page showed; refused while the teacher has paused the game."""
        def keep():
            if self.paused:
                raise ScenarioError("the game", [("", "the teacher has paused the game: decisions wait until it "
                                                      "goes on")])
            code = next(c for c, t in self.store.codes.items() if t == team)
            self.store.submit(code, fields, period)
        self.change(keep)

    def change(self, action):
        with self.lock:
            out = action()
            self.version += 1
            return out


_room: Room | None = None
_room_lock = threading.Lock()


def room() -> Room:
    global _room
    with _room_lock:
        if _room is None:
            _room = Room(Path(os.environ[GAME_STORE_ENV]))
        return _room


def cell(key: str, value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if key in ("share", "wom_share"):
        return f"{value:.1%}"
    if key in ("customers", "new_customers_paid", "new_customers_wom"):
        return f"{value:,}"
    return f"{value:,.2f}"


def table(header: list[str], rows: list[list[str]], name: str):
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    solara.HTML(tag="div", unsafe_innerHTML=f"<table><tr>{head}</tr>{body}</table>", classes=["game-table", name])


def use_version() -> int:
    """Redraw the calling component when any session changes the game (reading the version here, while the
    component renders, is what subscribes it)."""
    seen = solara.use_reactive(room().version)

    def poll(cancel: threading.Event) -> None:
        while not cancel.wait(POLL):
            if room().version != seen.value:
                seen.set(room().version)

    solara.use_thread(poll, dependencies=[], intrusive_cancel=False)
    return seen.value


def interests_of(market: dict) -> list[str]:
    return sorted({name for s in market["population"]["segments"] for name in s.get("interests", {})})


def audience(age_from: int | None, age_to: int | None, interest: str):
    """A rule from the page's fields: ages and one interest, or everyone."""
    tests = []
    if age_from is not None or age_to is not None:
        tests.append({"field": "age", **({"min": age_from} if age_from is not None else {}),
                      **({"max": age_to} if age_to is not None else {})})
    if interest != "any":
        tests.append({"field": "interests", "has_any": [interest]})
    return "everyone" if not tests else tests[0] if len(tests) == 1 else {"all": tests}


def audience_words(decision: dict) -> str:
    """A targeted campaign's audience in a few words, for the debrief."""
    rule = decision["micro_audience"]
    if rule == "everyone" or not decision["micro_money"]:
        return "everyone" if decision["micro_money"] else "–"
    words = []
    for t in rule.get("all") or [rule]:
        if t.get("field") == "age":
            low, high = ("" if t.get(k) is None else f"{t[k]:g}" for k in ("min", "max"))
            words.append(f"aged {low}–{high}")
        elif t.get("field") == "interests" and t.get("has_any"):
            words.append("into " + ", ".join(t["has_any"]))
        else:
            return "a rule"
    return "; ".join(words)


@solara.component
def TeamPage(team: str):
    use_version()
    store = room().store
    game = store.game
    spec = game.spec
    brand = game.team(team).brand
    period = game.closed
    last = game.decision(team, period)
    micro = solara.use_reactive(last.micro_money)
    macro = solara.use_reactive(last.macro_money)
    samples = solara.use_reactive(last.samples)
    samples_to = solara.use_reactive("best connected" if last.samples_to == "degree" else "anyone")
    relevance = solara.use_reactive(last.micro_relevance)
    price = solara.use_reactive(game.price(team, period))
    age_from = solara.use_reactive(None)
    age_to = solara.use_reactive(None)
    interest = solara.use_reactive("any")
    survey = solara.use_reactive(False)
    said = solara.use_reactive("")
    over = period >= spec.periods

    def submit() -> None:
        rule = audience(age_from.value, age_to.value, interest.value)
        fields = {"micro_money": micro.value or 0.0, "micro_audience": rule, "micro_relevance": relevance.value,
                  "macro_money": macro.value or 0.0, "samples": samples.value or 0,
                  "samples_to": "degree" if samples_to.value == "best connected" else "random", "price": price.value}
        if survey.value:
            fields["survey"] = rule
        try:
            room().submit(team, fields, period)
            said.set(f"Kept: your decision for period {period + 1}.")
        except ScenarioError as exc:
            said.set("Not kept: " + "; ".join(f"{path}: {msg}" if path else msg for path, msg in exc.problems))

    solara.Text(f"Team {team}: brand {brand}", classes=["game-title"])
    # always there, empty when it has nothing to say: a page whose widgets keep their places keeps them (a
    # widget replaced while a person types or clicks in it loses what they did)
    solara.Text("The teacher has paused the game." if room().paused else "", classes=["paused-note"])
    if over:
        solara.Text(f"The game is over after {spec.periods} periods.", classes=["period-header"])
    else:
        solara.Text(f"Period {period + 1} of {spec.periods}: {spec.budget_per_period:,.0f} to spend",
                    classes=["period-header"])
        submitted = (team, period) in game.decisions
        solara.Text("Your decision for this period is in (you may change it until the period closes)." if submitted
                    else "No decision yet for this period (without one, last period's stands).",
                    classes=["submit-status"])
        with solara.Card("Your decision"):
            with solara.Row(gap="12px"):
                solara.InputFloat("Targeted (micro) money", value=micro, continuous_update=True,
                                  classes=["micro-money"])
                solara.InputInt("Aged from", value=age_from, optional=True, continuous_update=True,
                                classes=["age-from"])
                solara.InputInt("to", value=age_to, optional=True, continuous_update=True, classes=["age-to"])
                solara.Select("Interested in", values=["any", *interests_of(game.market)], value=interest,
                              classes=["interest"])
            with solara.Column(classes=["relevance"]):
                solara.SliderFloat(f"How closely the message fits them: {relevance.value:.2f}", value=relevance,
                                   min=0.0, max=1.0, step=0.05)
            with solara.Row(gap="12px"):
                solara.InputFloat("Broad (macro) money", value=macro, continuous_update=True,
                                  classes=["macro-money"])
                solara.InputFloat("Price", value=price, continuous_update=True, classes=["price"])
                solara.InputInt(f"Free samples to this audience ({game.sample_cost[team]:,.2f} each)", value=samples,
                                continuous_update=True, classes=["samples"])
                solara.Select("given to", values=["anyone", "best connected"], value=samples_to,
                              classes=["samples-to"])
            with solara.Row(gap="12px"):
                with solara.Column(classes=["survey"]):
                    solara.Checkbox(label=f"Survey this audience ({spec.research_cost:,.0f})", value=survey)
            solara.Button("Submit", on_click=submit, color="primary", classes=["submit-button"])
            solara.Text(said.value, classes=["submit-message"])
    if game.reports:
        with solara.Card("Your results"):
            segments = list(game.reports[0][team]["share_by_segment"])
            table(["", *[f"period {k + 1}" for k in range(len(game.reports))]],
                  [[label, *[cell(key, r[team][key]) for r in game.reports]] for key, label in REPORT_ROWS]
                  + [[f"share of {s}", *[cell("share", r[team]["share_by_segment"][s]) for r in game.reports]]
                     for s in segments]
                  + [["niches controlled", *[", ".join(r[team]["controls"]) or "none" for r in game.reports]]],
                  "report-table")
            rivals = game.reports[-1][team]["rivals"]
            solara.Text("Rivals' share of the market's buying (a research firm's estimate): "
                        + ", ".join(f"{name} {share:.0%}" for name, share in rivals.items()), classes=["rivals"])
            answers = [(k + 1, r[team]["survey"]) for k, r in enumerate(game.reports) if r[team]["survey"]]
            for k, answer in answers:
                solara.Text(f"Survey, period {k}: {answer['would_buy']:.0%} of {answer['asked']} asked would buy",
                            classes=["survey-answer"])


@solara.component
def TeacherPage():
    version = use_version()
    store = room().store
    game = store.game
    spec = game.spec
    metric = solara.use_reactive("profit")
    debrief = solara.use_reactive(None)
    period = game.closed
    over = period >= spec.periods

    solara.Text(f"Teacher: {spec.name}", classes=["game-title"])
    solara.Text(f"The game is over after {spec.periods} periods." if over else
                f"Period {period + 1} of {spec.periods} is open", classes=["period-header"])
    table(["team", "brand", "decision for the open period"],
          [[t.name, t.brand, "—" if over else ("in" if (t.name, period) in game.decisions else "waiting")]
           for t in spec.teams], "team-status")
    paused = room().paused

    def pause() -> None:
        def flip():
            room().paused = not paused
        room().change(flip)

    with solara.Row(gap="12px"):
        if not over:
            solara.Button(f"Close period {period + 1}", on_click=lambda: room().change(store.close_period),
                          color="primary", classes=["close-button"])
            solara.Button("Go on" if paused else "Pause", on_click=pause, classes=["pause-button"])
        if period > 0:
            solara.Button(f"Replay period {period}", on_click=lambda: room().change(store.reopen),
                          classes=["replay-button"])
    solara.Text("Paused: teams' decisions wait until you go on." if paused else "", classes=["paused-note"])
    if game.reports:
        last = game.reports[-1]
        table(["team", "price", "customers", "share", "profit so far", "customer equity", "niches controlled"],
              [[t.name, cell("price", last[t.name]["price"]), cell("customers", last[t.name]["customers"]),
                cell("share", last[t.name]["share"]), cell("profit", last[t.name]["profit_so_far"]),
                cell("customer_equity", last[t.name]["customer_equity"]), ", ".join(last[t.name]["controls"]) or "none"]
               for t in spec.teams], "teams-now")
        solara.Select("Rank by", values=list(LEADERBOARD), value=metric, classes=["rank-by"])
        board = game.leaderboard(metric.value)
        table(["rank", "team", LEADERBOARD[metric.value]],
              [[str(k + 1), team, cell(metric.value, value)] for k, (team, value) in enumerate(board)], "leaderboard")
    if over:
        solara.Button("Debrief: what each team's money bought", on_click=lambda: debrief.set((version, game.debrief())),
                      classes=["debrief-button"])
        if debrief.value is not None and debrief.value[0] == version:  # of the game as it stands
            rows = [[team, *[cell(k, d["lift"][slot][k]) for slot in SLOTS for k in ("customers", "profit")]]
                    for team, d in debrief.value[1].items()]
            table(["team", *[f"{slot}: {k}" for slot in SLOTS for k in ("customers", "profit")]], rows, "debrief")
            table(["team", "period", "micro money", "audience", "macro money", "samples", "price", "survey",
                   "customers", "profit"],
                  [[team, str(k + 1), cell("money", p["decision"]["micro_money"]), audience_words(p["decision"]),
                    cell("money", p["decision"]["macro_money"]), f'{p["decision"]["samples"]:,}',
                    cell("price", p["price"]),
                    "yes" if p["decision"].get("survey") else "no", cell("customers", p["customers"]),
                    cell("profit", p["profit"])]
                   for team, d in debrief.value[1].items() for k, p in enumerate(d["periods"])], "decisions")
    solara.FileDownload(lambda: json.dumps(game.export(), indent=1).encode(), filename=f"{spec.name}-game.json",
                        label="Export the game")


@solara.component
def Page():
    solara.Style(CSS)
    code = solara.use_reactive("")
    role = solara.use_reactive(None)  # a team's name, or "" for the teacher
    said = solara.use_reactive("")

    def join() -> None:
        store = room().store
        if store.is_teacher(code.value):
            role.set("")
            return
        try:
            role.set(store.team_of(code.value))
        except ScenarioError:
            said.set("No team has this code: check it with your teacher.")

    with solara.Column(gap="8px", style={"padding": "8px 16px", "max-width": "1100px"}):
        if role.value is None:
            solara.Text("marketsim market game", classes=["game-title"])
            solara.InputText("Your code", value=code, continuous_update=True, classes=["code-input"])
            solara.Button("Join", on_click=join, color="primary", classes=["join-button"])
            if said.value:
                solara.Text(said.value, classes=["join-message"])
        elif role.value == "":
            TeacherPage()
        else:
            TeamPage(role.value)
