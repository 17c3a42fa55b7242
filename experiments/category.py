"""The buying regularities of a simulated category, beside the NBD-Dirichlet fitted to it.

    python experiments/category.py [--seed 1] [--csv OUT]

Runs the two markets of experiments/markets/ — six untargeted brands of different sizes
(category.toml), and the same with a brand made for a niche (category_niche.toml) — and, for each,
sets the panel measures of the quarters after the first (penetration, purchases per buyer, share
of category requirements, 100%-loyal buyers; averaged over the three quarters) beside what the
Dirichlet fitted to the same quarters predicts (Goodhardt, Ehrenberg and Chatfield 1984;
marketsim/studies/dirichlet.py), then the duplication of purchase against the other brand's
penetration. docs/model.md 7.10 and docs/cases.md quote what it prints.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import marketsim
from marketsim.studies.dirichlet import duplication_law, fit_to_panel, predict, steady_panel

MARKETS = Path(__file__).resolve().parent / "markets"
MEASURES = ["penetration", "purchase_frequency", "share_of_requirements", "sole_buyer_share"]


def beside_dirichlet(observed: pd.DataFrame, people: int) -> pd.DataFrame:
    """The observed measures and the Dirichlet's, fitted to the same category, brand by brand."""
    model = fit_to_panel(observed, people)
    predicted = predict(model).set_index("brand")
    columns = {}
    for m in MEASURES:
        columns[(m, "simulated")] = observed[m]
        columns[(m, "Dirichlet")] = predicted[m]
    table = pd.DataFrame(columns)
    table.attrs["S"], table.attrs["K"], table.attrs["M"] = model.S, model.K, model.M
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    for name in ("category", "category_niche"):
        scenario = marketsim.load_scenario(MARKETS / f"{name}.toml")
        result = marketsim.run(scenario, seed=args.seed)
        observed = steady_panel(result.buying)
        table = beside_dirichlet(observed, scenario.population.people)
        print(f"\n{name}: {scenario.description} (seed {args.seed}; Dirichlet M = {table.attrs['M']:.2f}, "
              f"K = {table.attrs['K']:.2f}, S = {table.attrs['S']:.2f})")
        print(table.round(3).to_string())
        print(duplication_law(result.duplication, observed).round(3).to_string())


if __name__ == "__main__":
    main()
