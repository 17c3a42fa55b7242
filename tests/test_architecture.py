"""The package's layers (docs/architecture.md): imports point down only, and no module depends on
itself through others. Read from the source with ast, lazy imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "marketsim"
LAYERS = {"scenario": 0, "market": 1, "studies": 2, "output": 3, "cli": 4, "dashboard": 4, "__main__": 4,
          "__init__": 4}
LEAF = "files"  # imports nothing of marketsim; every layer may use it


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 2 else parts)


def imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Every marketsim module that ``path`` (or ``source`` read as if at ``path``) imports, resolved
    to a module, not a name in it."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text() if source is None else source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [f"{target}.{alias.name}" for alias in node.names] + [target]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            if candidate.startswith("marketsim") and candidate in MODULES:
                found.add(candidate)
                break
    return found - {name}


SOURCES = sorted(PACKAGE.rglob("*.py"))
MODULES = {module_name(p) for p in SOURCES} | {"marketsim"}


def layer(module: str) -> int | None:
    parts = module.split(".")
    return None if len(parts) < 2 else LAYERS.get(parts[1], -1 if parts[1] == LEAF else None)


def test_every_module_belongs_to_a_layer():
    unplaced = [m for m in MODULES - {"marketsim"} if layer(m) is None]
    assert not unplaced, f"modules outside the layers of docs/architecture.md: {unplaced}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    here = layer(module_name(path))
    upward = [m for m in imported_modules(path) if m != "marketsim" and (
        here == -1 or layer(m) > here)]
    assert not upward, f"{module_name(path)} (layer {here}) imports from a higher layer: {upward}"


def test_no_import_cycle():
    graph = nx.DiGraph((module_name(p), m) for p in SOURCES for m in imported_modules(p))
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles}"


def test_the_checker_sees_an_upward_import():
    """The checks above would pass vacuously if imports were not resolved."""
    market_model = PACKAGE / "market" / "model.py"
    lazy_upward = market_model.read_text() + "\n\ndef f():\n    from ..studies.runner import run\n"
    assert "marketsim.studies.runner" in imported_modules(market_model, lazy_upward)
    assert "marketsim.scenario.schema" in imported_modules(market_model)
