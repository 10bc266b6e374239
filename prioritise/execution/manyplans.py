"""Many-plans analyses as jobs of the execution layer.

Each analysis module defines its pure task (``fn(shared, item)``) and how to summarise the
rows; this module sends the tasks to an :class:`~prioritise.execution.engine.Executor`
(or runs them here when none is given, e.g. in a notebook) and hands back the summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prioritise.analyses.mc_summary import MonteCarloResult, summarise
from prioritise.analyses.monte_carlo import MonteCarloSettings, nominal_schedule, simulate_sample
from prioritise.execution.engine import Executor, ProgressSink, TaskFn, TaskResult, run_inline
from prioritise.planning.planner import PlanResult


def run_tasks(
    fn: TaskFn,
    items: Iterable[Any],
    shared: Any,
    executor: Executor | None,
    progress: ProgressSink | None = None,
) -> list[TaskResult]:
    """Rows in input order, on ``executor`` or inline."""
    if executor is None:
        return run_inline(fn, items, shared=shared)
    return executor.run(fn, items, shared=shared, progress=progress)


def run_monte_carlo(
    nominal: PlanResult,
    settings: MonteCarloSettings,
    *,
    executor: Executor | None = None,
    progress: ProgressSink | None = None,
    deadline_year: int | None = None,
) -> MonteCarloResult:
    """Simulate ``settings.samples`` histories of ``nominal``'s problem, re-planning yearly."""
    problem = nominal.problem
    shared = (problem, nominal_schedule(problem, nominal.schedule), settings)
    rows = run_tasks(simulate_sample, range(settings.samples), shared, executor, progress)
    return summarise(nominal, settings, rows, deadline_year)
