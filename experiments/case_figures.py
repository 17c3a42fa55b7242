"""Run every ready scenario once and save its figure for docs/cases.md.

    python experiments/case_figures.py [--seed 1] [--out docs/figures]
"""

import argparse
from pathlib import Path

import marketsim
from marketsim.output.plots import plot_run, save_figure

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        scenario = marketsim.load_scenario(path)
        result = marketsim.run(scenario, seed=args.seed)
        figure = plot_run(result.timeseries, f"{scenario.name}: {scenario.description}")
        print(save_figure(figure, args.out / f"{scenario.name}.png"))


if __name__ == "__main__":
    main()
