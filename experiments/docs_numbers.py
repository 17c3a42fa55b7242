"""Regenerate every number that docs/cases.md, docs/experiments.md, docs/assess.md and docs/buying.md quote.

    python experiments/docs_numbers.py            # run the cases and experiments, write the numbers
    python experiments/docs_numbers.py --check    # exit 1 if the docs or docs/numbers.json are stale

The numbers go to docs/numbers.json, with a fingerprint of the scenario and experiment files that
produced them, and into the docs between markers ``<!-- numbers: KEY -->`` and ``<!-- /numbers -->``.
tests/test_docs_numbers.py fails when the docs and the numbers disagree, when a scenario or
experiment file changed since, and (slow) when a rerun of the baseline case does not reproduce its
numbers, which catches a change of the model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import marketsim
from category import MARKETS, beside_dirichlet  # experiments/category.py
from marketsim.output.assess_report import conclusion, markdown_table, odds_table
from marketsim.studies.assess import assess
from marketsim.studies.dirichlet import duplication_law, steady_panel
from marketsim.studies.experiment import load_experiment
from marketsim.studies.sweep import run_sweep

ROOT = Path(__file__).resolve().parent.parent
NUMBERS = ROOT / "docs" / "numbers.json"
DOCS = (ROOT / "docs" / "cases.md", ROOT / "docs" / "experiments.md", ROOT / "docs" / "assess.md",
        ROOT / "docs" / "buying.md")
ASSESSED = ("launch_decision",)  # ready scenarios whose assessment (default runs, metric, seed) docs/assess.md quotes
CASE_SEED = 1
CASE_METRICS = {  # summary metric -> column title
    "customers": "customers",
    "penetration": "penetration",
    "cac_paid": "paid CAC",
    "cac_blended": "blended CAC",
    "ltv": "LTV",
    "ltv_to_cac": "LTV/CAC",
    "return_on_spend": "return on spend",
    "incremental_return_on_spend": "incremental return on spend",
    "wom_share": "WOM share",
    "spend": "spend",
    "buyers": "buyers",
    "share_of_requirements": "share of requirements",
}
# what each experiment's table shows: run-table columns (<brand>.<metric>[.<segment>]), the story's columns
EXPERIMENT_COLUMNS = {
    "break_even": ("Spark.customers", "Spark.spend", "Spark.cac_paid", "Spark.incremental_return_on_spend",
                   "Mass.customers", "Mass.spend", "Mass.cac_paid", "Mass.incremental_return_on_spend"),
    "pulsing": ("Mass.customers", "Mass.cac_paid", "Mass.incremental_return_on_spend"),
    "research_delay": ("Spark.customers", "Spark.cac_paid", "Spark.segment_share.young_active",
                       "Spark.return_on_spend"),
    "targeting_precision": ("Spark.customers", "Spark.wasted_share", "Spark.cac_paid", "Mass.cac_paid"),
    "word_of_mouth": ("Spark.wom_share", "Mass.wom_share", "Spark.customers", "Mass.customers"),
    "niche_control": ("Craft.customers", "Craft.segment_share.connoisseurs", "Craft.time_to_control.connoisseurs",
                      "Craft.cac_paid", "Craft.return_on_spend"),
    "wrong_niche": ("Assumed.customers", "Assumed.wasted_share", "Assumed.cac_paid", "Researched.customers",
                    "Researched.wasted_share", "Researched.cac_paid"),
    "limited_exposure": ("YouthOnly.customers", "YouthOnly.spend", "YouthOnly.segment_share.age_50_plus",
                         "Broad.customers", "Broad.spend", "Broad.segment_share.age_50_plus"),
}
MARKER = re.compile(r"(<!-- numbers: (?P<key>[\w.\-]+) -->\n)(?P<body>.*?)(<!-- /numbers -->)", re.S)


def fingerprint() -> str:
    """A hash of the scenario and experiment files the numbers come from."""
    files = sorted([*(ROOT / "scenarios").glob("*.toml"), *(ROOT / "experiments").glob("*.toml"),
                    *MARKETS.glob("*.toml")])
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def rounded(value) -> float | None:
    """Three significant digits: what the docs show, and what a rerun must reproduce."""
    if value is None or not math.isfinite(float(value)):
        return None
    return float(f"{float(value):.3g}")


def case_numbers(path: Path) -> dict:
    result = marketsim.run(marketsim.load_scenario(path), seed=CASE_SEED, lift=True)
    brands = {}
    for name, m in result.summary["brands"].items():
        row = {k: rounded(m[k]) for k in CASE_METRICS}
        row["controls"] = {s: t for s, t in m["time_to_control"].items() if t is not None}
        brands[name] = row
    return {"consumers": result.summary["consumers"], "seed": CASE_SEED, "unit": result.summary["unit"],
            "brands": brands}


def experiment_numbers(path: Path, workers: int) -> dict:
    experiment = load_experiment(path)
    with tempfile.TemporaryDirectory() as out:
        run_sweep(experiment, Path(out), workers=workers)
        runs = pd.read_parquet(Path(out) / "runs.parquet")
    factors = experiment.factor_names
    columns = list(EXPERIMENT_COLUMNS[path.stem])
    rows = []
    for point in experiment.points:  # design order: levels as the file lists them
        mine = np.logical_and.reduce([runs[f].astype(str) == str(point[f]) for f in factors])
        values = runs.loc[mine, columns].astype(float)
        # a mean over the replications; none where some replication has none (a niche never controlled)
        rows.append({**{f: point[f] for f in factors},
                     **{c: None if values[c].isna().any() else rounded(values[c].mean()) for c in columns}})
    return {"replications": experiment.spec.replications, "factors": factors, "columns": columns, "rows": rows}


def assessment_numbers(path: Path, workers: int) -> dict:
    """What the ready assessment concludes, and its table of probabilities, as the report words them."""
    findings = assess(path, workers=workers)
    return {"metric": findings.metric, "conclusion": conclusion(findings), "odds": markdown_table(odds_table(findings))}


def buying_numbers(path: Path) -> dict:
    """A benchmark market's panel measures beside the Dirichlet's, and its duplication law (experiments/category.py)."""
    scenario = marketsim.load_scenario(path)
    result = marketsim.run(scenario, seed=CASE_SEED)
    observed = steady_panel(result.buying)
    table = beside_dirichlet(observed, scenario.population.people)
    law = duplication_law(result.duplication, observed)
    rows = [{"brand": brand, **{f"{m} ({side})": rounded(table.at[brand, (m, side)]) for m, side in table.columns},
             "D": rounded(law.at[brand, "D"])} for brand in table.index]
    return {"seed": CASE_SEED, "M": rounded(table.attrs["M"]), "K": rounded(table.attrs["K"]),
            "S": rounded(table.attrs["S"]), "rows": rows}


def buying_text(numbers: dict) -> str:
    keys = list(numbers["rows"][0])
    head = [k.replace("_", " ") for k in keys]
    fitted = f"M = {numbers['M']:g}, K = {numbers['K']:g}, S = {numbers['S']:g}"
    lines = [f"Dirichlet fitted: {fitted} (seed {numbers['seed']})", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(row[k]) for k in keys) + " |" for row in numbers["rows"]]
    return "\n".join(lines) + "\n"


def assessment_text(numbers: dict) -> str:
    return f"{numbers['conclusion']}\n\n{numbers['odds']}"


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def case_table(numbers: dict) -> str:
    head = ["brand", *CASE_METRICS.values(), f"controls ({numbers['unit']})"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for brand, row in numbers["brands"].items():
        controls = ", ".join(f"{s} ({t:g})" for s, t in row["controls"].items()) or "-"
        lines.append("| " + " | ".join([brand, *(_cell(row[k]) for k in CASE_METRICS), controls]) + " |")
    return "\n".join(lines) + "\n"


def _title(column: str) -> str:
    """A readable column title: the field's last name for a factor path, brand and metric otherwise."""
    parts = column.split(".")
    if parts[0] in ("campaigns", "brands", "channels", "population", "network", "word_of_mouth", "response"):
        return parts[-1].replace("_", " ")
    return " ".join(parts).replace("_", " ")


def experiment_table(numbers: dict) -> str:
    keys = [*numbers["factors"], *numbers["columns"]]
    lines = ["| " + " | ".join(_title(k) for k in keys) + " |", "|" + "---|" * len(keys)]
    for row in numbers["rows"]:
        lines.append("| " + " | ".join(_cell(row[k]) for k in keys) + " |")
    return "\n".join(lines) + "\n"


def tables(numbers: dict) -> dict[str, str]:
    """Every generated block of the docs, by marker key."""
    out = {f"case.{name}": case_table(n) for name, n in numbers["cases"].items()}
    out.update({f"experiment.{name}": experiment_table(n) for name, n in numbers["experiments"].items()})
    out.update({f"assessment.{name}": assessment_text(n) for name, n in numbers.get("assessments", {}).items()})
    out.update({f"buying.{name}": buying_text(n) for name, n in numbers.get("buying", {}).items()})
    return out


def blocks(text: str) -> dict[str, str]:
    return {m["key"]: m["body"] for m in MARKER.finditer(text)}


def render(text: str, generated: dict[str, str]) -> str:
    return MARKER.sub(lambda m: m[1] + generated.get(m["key"], m["body"]) + m[4], text)


def problems(numbers: dict) -> list[str]:
    """What is stale: a docs block that differs from the numbers, or numbers older than their sources."""
    out = []
    if numbers["fingerprint"] != fingerprint():
        out.append("docs/numbers.json is older than the scenario or experiment files: run "
                   "python experiments/docs_numbers.py")
    generated = tables(numbers)
    quoted = {}
    for doc in DOCS:
        quoted.update(blocks(doc.read_text(encoding="utf-8")))
    for key, table in generated.items():
        if key not in quoted:
            out.append(f"no '<!-- numbers: {key} -->' block in the docs")
        elif quoted[key] != table:
            out.append(f"the docs' '{key}' block differs from docs/numbers.json")
    out += [f"the docs' '{key}' block has no numbers" for key in quoted if key not in generated]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check the docs against docs/numbers.json")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.check:
        found = problems(json.loads(NUMBERS.read_text(encoding="utf-8")))
        print("\n".join(found) or "the docs quote the current numbers")
        sys.exit(1 if found else 0)
    numbers = {"fingerprint": fingerprint(), "cases": {}, "experiments": {}, "assessments": {}, "buying": {}}
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        print(f"case {path.stem}", flush=True)
        numbers["cases"][path.stem] = case_numbers(path)
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        print(f"experiment {path.stem}", flush=True)
        numbers["experiments"][path.stem] = experiment_numbers(path, args.workers)
    for name in ASSESSED:
        print(f"assessment {name}", flush=True)
        numbers["assessments"][name] = assessment_numbers(ROOT / "scenarios" / f"{name}.toml", args.workers)
    for path in sorted(MARKETS.glob("*.toml")):
        print(f"buying {path.stem}", flush=True)
        numbers["buying"][path.stem] = buying_numbers(path)
    NUMBERS.write_text(json.dumps(numbers, indent=1) + "\n", encoding="utf-8")
    generated = tables(numbers)
    for doc in DOCS:
        doc.write_text(render(doc.read_text(encoding="utf-8"), generated), encoding="utf-8")
    print(f"wrote {NUMBERS.relative_to(ROOT)} and the docs' numbers")


if __name__ == "__main__":
    main()
