"""marketsim: an agent-based simulator of micro- versus macro-marketing on Mesa.

Names are imported on first use, so that ``marketsim --help`` does not load numba and Mesa.
"""

from importlib import import_module

_WHERE = {"Brand": "model", "Consumer": "model", "MarketModel": "model", "RunResult": "runner", "run": "runner",
          "write_results": "runner", "Scenario": "scenario", "ScenarioError": "scenario",
          "load_scenario": "loading"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
