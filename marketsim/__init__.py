"""marketsim: an agent-based simulator of micro- versus macro-marketing on Mesa.

Names are imported on first use, so that ``marketsim --help`` does not load numba and Mesa.
"""

from importlib import import_module

_WHERE = {"Brand": "market.mesa_view", "Consumer": "market.mesa_view", "MarketModel": "market.model",
          "RunResult": "studies.runner", "run": "studies.runner", "write_results": "studies.runner",
          "Scenario": "scenario.schema", "ScenarioError": "scenario.schema", "load_scenario": "scenario.loading",
          "assess": "studies.assess", "conclusion": "output.assess_report", "calibrate": "studies.calibrate",
          "optimize": "studies.optimize"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'marketsim' has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
