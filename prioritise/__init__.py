"""prioritise: optimised, costed, multi-year clearance workplans for mine action.

The Python API mirrors the command line::

    from prioritise import load_problem, plan
    problem = load_problem("sample_data/province/project.toml")
    result = plan(problem)
    result.workplan   # pandas DataFrame, one row per input hazard
    result.summary    # PlanSummary: status, objective, best_bound, gap, per year, baseline

    from prioritise import load_scenarios, run_scenarios
    batch = run_scenarios(problem, load_scenarios("sample_data/province/scenarios.toml"))
    batch.comparison  # one row per scenario (a failed one carries its error)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Exports resolve on first use, so that importing a leaf module (prioritise.core.graph,
# used by models/) does not import the planner, which imports models/ in turn.
_EXPORTS = {
    "ScenarioBatch": "prioritise.execution.batch",
    "run_scenarios": "prioritise.execution.batch",
    "InfeasibleError": "prioritise.core.errors",
    "PrioritiseError": "prioritise.core.errors",
    "ProjectError": "prioritise.core.errors",
    "SolverUnavailableError": "prioritise.core.errors",
    "ValidationReport": "prioritise.core.errors",
    "PlanResult": "prioritise.planning.planner",
    "plan": "prioritise.planning.planner",
    "Problem": "prioritise.core.problem",
    "build_problem": "prioritise.inputs.loader",
    "load_problem": "prioritise.inputs.loader",
    "Scenario": "prioritise.inputs.scenarios",
    "load_scenarios": "prioritise.inputs.scenarios",
}

if TYPE_CHECKING:
    from prioritise.core.errors import (
        InfeasibleError,
        PrioritiseError,
        ProjectError,
        SolverUnavailableError,
        ValidationReport,
    )
    from prioritise.core.problem import Problem
    from prioritise.execution.batch import ScenarioBatch, run_scenarios
    from prioritise.inputs.loader import build_problem, load_problem
    from prioritise.inputs.scenarios import Scenario, load_scenarios
    from prioritise.planning.planner import PlanResult, plan


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'prioritise' has no attribute {name!r}")


__all__ = [
    "InfeasibleError",
    "PlanResult",
    "PrioritiseError",
    "Problem",
    "ProjectError",
    "Scenario",
    "ScenarioBatch",
    "SolverUnavailableError",
    "ValidationReport",
    "build_problem",
    "load_problem",
    "load_scenarios",
    "plan",
    "run_scenarios",
]
__version__ = "0.1.0"
