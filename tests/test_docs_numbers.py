"""The numbers docs/cases.md and docs/experiments.md quote are the ones the script regenerates.

The comparisons are regression tests (``-m regression``): they catch any change, and are never the only guard
of a rule. The check that the comparison notices a changed number is a test of the checker itself."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "experiments"))

import docs_numbers  # noqa: E402

NUMBERS = json.loads(docs_numbers.NUMBERS.read_text(encoding="utf-8"))


@pytest.mark.regression  # catches any change of a number; the rules behind them are tested elsewhere
def test_docs_quote_the_current_numbers():
    assert docs_numbers.problems(NUMBERS) == []


def test_a_changed_number_in_the_docs_is_caught(tmp_path, monkeypatch):
    doc = tmp_path / "cases.md"
    text = docs_numbers.DOCS[0].read_text(encoding="utf-8")
    key = next(iter(docs_numbers.blocks(text)))
    def with_one_number_changed(m):
        rows = m["body"].split("\n")
        cells = rows[2].split(" | ")  # the first brand's row: its customers
        cells[1] = cells[1] + "1"
        rows[2] = " | ".join(cells)
        return m[1] + "\n".join(rows) + m[4]

    changed = docs_numbers.MARKER.sub(lambda m: with_one_number_changed(m) if m["key"] == key else m[0], text)
    doc.write_text(changed, encoding="utf-8")
    monkeypatch.setattr(docs_numbers, "DOCS", (doc, docs_numbers.DOCS[1]))
    assert any(key in p for p in docs_numbers.problems(NUMBERS))


@pytest.mark.regression
@pytest.mark.slow
def test_a_rerun_of_the_baseline_reproduces_its_numbers():
    assert docs_numbers.case_numbers(ROOT / "scenarios" / "baseline.toml") == NUMBERS["cases"]["baseline"]
