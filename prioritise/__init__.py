"""prioritise: optimised, costed, multi-year clearance workplans for mine action.

The Python API mirrors the command line::

    from prioritise import load_problem, plan
    problem = load_problem("sample_data/province/project.toml")
    result = plan(problem)
    result.workplan   # pandas DataFrame, one row per input hazard
    result.summary    # dict: status, objective, best_bound, gap, per-year totals, baseline
"""

from prioritise.errors import (
    InfeasibleError,
    PrioritiseError,
    ProjectError,
    SolverUnavailableError,
    ValidationReport,
)
from prioritise.planning import PlanResult, plan
from prioritise.problem import Problem, build_problem, load_problem

__all__ = [
    "InfeasibleError",
    "PlanResult",
    "PrioritiseError",
    "Problem",
    "ProjectError",
    "SolverUnavailableError",
    "ValidationReport",
    "build_problem",
    "load_problem",
    "plan",
]
__version__ = "0.1.0"
