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
from marketsim.studies.dirichlet import fit, predict

MARKETS = Path(__file__).resolve().parent / "markets"
MEASURES = ["penetration", "purchase_frequency", "share_of_requirements", "sole_buyer_share"]


def quarters(result: marketsim.RunResult) -> pd.DataFrame:
    """Each brand's panel measures over the whole market, averaged over the periods after the first
    (the first holds the installed bases' first purchases), largest brand first."""
    table = result.buying
    later = table[(table.segment == "all") & (table.period >= 1)]
    return (later.groupby("brand", observed=True).mean(numeric_only=True)
            .sort_values("purchase_share", ascending=False))


def beside_dirichlet(observed: pd.DataFrame, people: int) -> pd.DataFrame:
    """The observed measures and the Dirichlet's, fitted to the same category, brand by brand."""
    category_penetration = observed.category_buyers.iloc[0] / people
    buy_rate = observed.category_purchases.iloc[0] / observed.category_buyers.iloc[0]
    model = fit(category_penetration, buy_rate, observed.purchase_share, observed.penetration, observed.index)
    predicted = predict(model).set_index("brand")
    columns = {}
    for m in MEASURES:
        columns[(m, "simulated")] = observed[m]
        columns[(m, "Dirichlet")] = predicted[m]
    table = pd.DataFrame(columns)
    table.attrs["S"], table.attrs["K"], table.attrs["M"] = model.S, model.K, model.M
    return table


def duplication_law(result: marketsim.RunResult, observed: pd.DataFrame) -> pd.DataFrame:
    """Each brand's share of the other brands' buyers (averaged over those brands and the later
    quarters) over its own penetration: a constant D across brands is the duplication of purchase law."""
    dup = result.duplication
    later = dup[dup.period >= 1].groupby("also_bought", observed=True).share.mean()
    out = pd.DataFrame({"penetration": observed.penetration, "bought_by_others_buyers": later.reindex(observed.index)})
    out["D"] = out.bought_by_others_buyers / out.penetration
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    for name in ("category", "category_niche"):
        scenario = marketsim.load_scenario(MARKETS / f"{name}.toml")
        result = marketsim.run(scenario, seed=args.seed)
        observed = quarters(result)
        table = beside_dirichlet(observed, scenario.population.people)
        print(f"\n{name}: {scenario.description} (seed {args.seed}; Dirichlet M = {table.attrs['M']:.2f}, "
              f"K = {table.attrs['K']:.2f}, S = {table.attrs['S']:.2f})")
        print(table.round(3).to_string())
        print(duplication_law(result, observed).round(3).to_string())


if __name__ == "__main__":
    main()
