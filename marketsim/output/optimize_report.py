"""What ``marketsim optimize`` says: the chosen plan in words, the plans tried as a table, the frontier figure."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from ..files import atomic_path  # noqa: E402
from ..studies.objectives import METRICS  # noqa: E402
from ..studies.optimize import GOALS, Optimum, Trial  # noqa: E402
from .assess_report import _num  # noqa: E402


def _levers(t: Trial) -> str:
    return ", ".join(f"{name} = {_num(value)}" for name, value in t.levers.items())


def _score(value: float, goal: str) -> str:
    return f"{value:.0%}" if goal == "p_payback" else _num(value)


def summary_lines(o: Optimum) -> list[str]:
    """The choice, its interval, the runner-up's regret and what to measure first, in sentences."""
    what = METRICS[o.metric][0].split(" (")[0]
    goal = GOALS[o.goal].format(what=what)
    low, high = o.interval
    lines = [f"Best of {len(o.trials)} plans over {len(o.draws)} sampled futures: {_levers(o.chosen)} (spending "
             f"{_num(o.chosen.spend)} on average). Its {goal} is {_score(o.chosen.score(o.goal), o.goal)} "
             f"({_score(low, o.goal)} to {_score(high, o.goal)}, 95% interval over the futures)."]
    if o.runner_up is not None:
        mean, r_low, r_high = o.regret
        if mean < 0:  # possible when the goal is not the mean: the runner-up earns more but is riskier
            lines.append(f"The runner-up ({_levers(o.runner_up)}) would earn {_num(-mean)} more {what} on average "
                         f"({_num(-r_high)} to {_num(-r_low)}), but its {goal} is lower.")
        else:
            verdict = ("the futures cannot tell the two apart: try more futures (--futures)" if r_low <= 0
                       else "the choice is clear")
            lines.append(f"The runner-up ({_levers(o.runner_up)}) would lose {_num(mean)} of {what} on average "
                         f"({_num(r_low)} to {_num(r_high)}): {verdict}.")
    worth = o.value_of_information[o.value_of_information > 0]
    if len(worth):
        ranked = ", ".join(f"{name} ({_num(v)})" for name, v in worth.items())
        lines.append(f"Measure first, by the expected value of perfect information on each (in {what}): {ranked}. "
                     f"Knowing every assumption would be worth {_num(o.perfect_information)}.")
    else:
        lines.append("No single assumption would change the choice if it were known: a pilot would not pay for "
                     "itself on this decision.")
    return lines


def trials_frame(o: Optimum) -> pd.DataFrame:
    """Every plan tried, best first: its levers, what it spent, expected value, 10th percentile and chance of
    paying back."""
    on = {t.number for t in o.frontier}
    rows = [{**{name: _num(v) for name, v in t.levers.items()}, "spent": _num(t.spend),
             "expected": _num(t.score("mean")),
             "P10": _num(t.score("p10")), "P(pays back)": f"{t.score('p_payback'):.0%}",
             "frontier": "yes" if t.number in on else ""}
            for t in sorted(o.trials, key=lambda t: (-t.score(o.goal), t.number))]
    return pd.DataFrame(rows)


def fig_frontier(o: Optimum, path: Path) -> Path:
    """Expected value against the 10th percentile for every plan tried; the frontier joined, the choice ringed."""
    what = METRICS[o.metric][0].split(" (")[0]
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.scatter([t.score("p10") for t in o.trials], [t.score("mean") for t in o.trials], s=18, c="tab:grey",
               label="plans tried")
    edge = sorted(o.frontier, key=lambda t: t.score("p10"))
    ax.plot([t.score("p10") for t in edge], [t.score("mean") for t in edge], "-o", c="tab:blue", ms=5,
            label="frontier: no plan is better on both")
    ax.scatter([o.chosen.score("p10")], [o.chosen.score("mean")], s=160, facecolors="none", edgecolors="tab:red",
               lw=2, label=f"chosen (best {GOALS[o.goal].format(what=what)})")
    ax.set_xlabel(f"10th percentile of {what} (risk: a bad future)")
    ax.set_ylabel(f"expected {what}")
    ax.set_title("Expected value against risk, over the same sampled futures")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return path
