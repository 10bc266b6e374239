"""Many-plans analyses as jobs of the execution layer.

Each analysis module defines its pure task (``fn(shared, item)``) and how to summarise the
rows; this module sends the tasks to an :class:`~prioritise.execution.engine.Executor`
(or runs them here when none is given, e.g. in a notebook) and hands back the summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from prioritise.analyses.ladder import (
    Ladder,
    LadderSettings,
    LevelPlan,
    build_ladder,
    level_task,
    nest,
)
from prioritise.analyses.mc_summary import MonteCarloResult, summarise
from prioritise.analyses.monte_carlo import MonteCarloSettings, nominal_schedule, simulate_sample
from prioritise.analyses.sensitivity import (
    SensitivityResult,
    SensitivitySettings,
    check_criteria,
    sensitivity_sample,
)
from prioritise.analyses.sensitivity import summarise as summarise_sensitivity
from prioritise.core.problem import Problem
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


def run_sensitivity(
    nominal: PlanResult,
    settings: SensitivitySettings,
    *,
    executor: Executor | None = None,
    progress: ProgressSink | None = None,
) -> SensitivityResult:
    """Re-plan ``settings.samples`` times with drawn weights and summarise."""
    check_criteria(nominal.problem)
    shared = (nominal.problem, settings)
    rows = run_tasks(sensitivity_sample, range(settings.samples), shared, executor, progress)
    return summarise_sensitivity(nominal, settings, rows)


def run_ladder(
    problem: Problem,
    settings: LadderSettings,
    *,
    executor: Executor | None = None,
    progress: ProgressSink | None = None,
) -> Ladder:
    """Free plans at every level as parallel tasks, then the nesting pass up the ladder
    (each re-plan one task, since each needs the level below)."""
    shared = (problem, settings)
    items = [(level, ()) for level in sorted(settings.levels)]
    rows = run_tasks(level_task, items, shared, executor, progress)
    free = [_level_value(r, level) for r, (level, _) in zip(rows, items, strict=True)]

    def replan(level: float, required: tuple[str, ...]) -> LevelPlan:
        row = run_tasks(level_task, [(level, required)], shared, executor)[0]
        return _level_value(row, level)

    chosen, exceptions, how = nest(problem, free, replan)
    return build_ladder(problem, chosen, how, exceptions, free)


def _level_value(row: TaskResult, level: float) -> LevelPlan:
    if row.ok:
        value: LevelPlan = row.value
        return value
    return LevelPlan(level, np.zeros(0, np.int64), np.zeros(0), "failed", None, 0.0, row.error)


def executor_mapper(executor: Executor, progress: ProgressSink | None = None) -> Any:
    """A mapper for the deadline analysis (``mapper(fn, items, shared)`` -> values in
    order) on ``executor``: a task that fails raises here, as the same solve would in a
    sequential run (the answer needs every value)."""

    def mapper(fn: TaskFn, items: Any, shared: Any) -> list[Any]:
        rows = executor.run(fn, list(items), shared=shared, progress=progress)
        failed = [r for r in rows if not r.ok]
        if failed:
            raise RuntimeError(f"a deadline solve failed on the cluster: {failed[0].error}")
        return [r.value for r in rows]

    return mapper
