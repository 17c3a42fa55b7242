"""marketsim: an agent-based simulator of micro- versus macro-marketing on Mesa."""

from .model import Brand, Consumer, MarketModel
from .runner import RunResult, run, write_results
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = ["Brand", "Consumer", "MarketModel", "RunResult", "Scenario", "ScenarioError", "load_scenario", "run",
           "write_results"]
