"""Plan many scenarios in parallel worker processes and compare them.

Python API, mirroring ``prioritise scenarios``::

    problem = load_problem("sample_data/national/project.toml")
    scenarios = load_scenarios("sample_data/national/scenarios.toml")
    batch = run_scenarios(problem, scenarios, workers=2, out_dir=Path("out"))
    batch.comparison      # one row per scenario (failed ones carry their error)
    batch.released        # tidy: scenario, year, method, released m², cost

Scenarios are tasks of the execution layer (:mod:`prioritise.execution.engine`, on Dask):
each worker receives the base problem once and a scenario per task, plans it, writes that
scenario's usual plan outputs into its own sub-folder, and sends back only the figures (the
comparison row, the released-area table and the summary), so nothing large crosses process
boundaries. Each row names the worker that planned it. On a remote cluster
(``scheduler=...``) the workers write the scenario folders, so ``out_dir`` must be on a file
system they share with this machine (or pass ``out_dir=None`` and keep the figures only).
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from prioritise.analyses.outlook import completion_from_summary
from prioritise.analyses.report_data import prepare_report
from prioritise.analyses.scenarios.apply import apply_scenario
from prioritise.analyses.scenarios.plan import (
    comparison_row,
    plan_prepared,
    released_by_year_method,
)
from prioritise.analyses.uncertainty import UncertaintySettings, simulate
from prioritise.core.errors import InfeasibleError, PrioritiseError, ProjectError
from prioritise.core.problem import Problem
from prioritise.execution.engine import (
    Executor,
    ProgressSink,
    TaskResult,
    default_workers,
    run_inline,
)
from prioritise.inputs.scenarios import Scenario
from prioritise.outputs.files import write_atomic, write_csv, write_json
from prioritise.outputs.plan import write_plan_outputs
from prioritise.outputs.report.comparison import write_comparison_report
from prioritise.outputs.workbook import add_sheet
from prioritise.planning.summary import PlanSummary

# Columns every row has, failed or not (the comparison report reads them).
HEADLINE = (
    "scenario",
    "description",
    "inherits",
    "status",
    "error",
    "objective",
    "impact_years",
    "repayments_after_horizon_usd",
    "financing_net_present_cost_usd",
    "debt_outlives_horizon",
    "best_bound",
    "gap",
    "cost_usd",
    "released_m2",
    "remaining_area_m2",
    "beneficiaries",
    "national_share_of_cost",
    "environmental_score",
    "article5_completion_year",
    "completion_year",
    "completion_method",
)


@dataclass(frozen=True)
class RunOptions:
    """How each scenario is planned."""

    time_limit: float | None = None
    gap: float | None = None
    threads: int | None = None
    solver: str | None = None
    outlook: str = "extrapolate"  # or "replan"
    outlook_years: int = 10
    samples: int = 0
    seed: int = 0


@dataclass(frozen=True)
class ScenarioOutcome:
    """What one worker sends back."""

    name: str
    index: int
    ok: bool
    row: dict[str, Any]
    released: pd.DataFrame
    summary: PlanSummary | None = None
    elapsed: float = 0.0
    error: str = ""
    worker: str = ""


@dataclass(frozen=True)
class ScenarioBatch:
    """All outcomes, in file order, with the comparison tables."""

    outcomes: tuple[ScenarioOutcome, ...]
    seconds: float
    workers: int

    @property
    def comparison(self) -> pd.DataFrame:
        return pd.DataFrame([o.row for o in self.outcomes])

    @property
    def released(self) -> pd.DataFrame:
        frames = [o.released.assign(scenario=o.name) for o in self.outcomes if len(o.released)]
        if not frames:
            return pd.DataFrame(columns=["scenario", "year", "method", "released_m2"])
        out = pd.concat(frames, ignore_index=True)
        return out[["scenario", *[c for c in out.columns if c != "scenario"]]]

    @property
    def summaries(self) -> dict[str, PlanSummary]:
        return {o.name: o.summary for o in self.outcomes if o.summary is not None}

    @property
    def failed(self) -> list[str]:
        return [o.name for o in self.outcomes if not o.ok]


OutcomeFn = Callable[["ScenarioOutcome", int, int], None]


def run_scenarios(
    problem: Problem,
    scenarios: Sequence[Scenario],
    *,
    workers: int | None = None,
    options: RunOptions | None = None,
    out_dir: Path | None = None,
    progress: ProgressSink | OutcomeFn | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
) -> ScenarioBatch:
    """Plan every scenario as tasks of the execution layer and collect outcomes.

    ``executor`` reuses a running cluster; otherwise one is started for this batch (a local
    cluster of ``workers`` processes, or the cluster at ``scheduler``). ``workers=1``
    without a scheduler runs the same tasks here, one after another, without a cluster (a
    caller that is itself a worker process, like the web workspace's, cannot start one).
    ``progress`` is a progress bar (:class:`ProgressSink`) or a function called with each
    finished outcome, the number done and the total. A scenario that is invalid, infeasible
    or crashes becomes a row with its error; the others carry on.
    """
    options = options or RunOptions()
    start = time.perf_counter()
    sink = progress if hasattr(progress, "update") else None
    each = None if sink is not None else progress
    items = list(enumerate(scenarios))
    keys = [s.name for s in scenarios]
    n_workers = max(1, min(workers or default_workers(), len(scenarios) or 1))
    if executor is None and scheduler is None and n_workers == 1:
        shared = (problem, _threads(options, 1, local=True), out_dir)
        rows: list[TaskResult] = []
        failed = 0
        for item, key in zip(items, keys, strict=True):
            row = replace(
                run_inline(_scenario_task, [item], shared=shared, keys=[key])[0], index=item[0]
            )
            rows.append(row)
            failed += not row.ok or not row.value.ok
            _notify(each, sink, row, scenarios, len(rows), failed)
        n = 1
    else:
        own = executor is None
        ex = executor or Executor(n_workers, scheduler)
        try:
            n = ex.workers
            shared = (problem, _threads(options, n, local=ex.scheduler is None), out_dir)
            rows = []
            for row in ex.map(
                _scenario_task,
                items,
                shared=shared,
                keys=keys,
                progress=sink,  # type: ignore[arg-type]
                failed_if=lambda o: not o.ok,
            ):
                rows.append(row)
                _notify(each, None, row, scenarios, len(rows), 0)
        finally:
            if own:
                ex.close()
        rows.sort(key=lambda r: r.index)
    outcomes = [_outcome(r, scenarios[r.index]) for r in rows]
    return ScenarioBatch(tuple(outcomes), time.perf_counter() - start, n)


def _threads(options: RunOptions, workers: int, *, local: bool) -> RunOptions:
    """Share the cores: HiGHS would otherwise start a thread per core in every worker."""
    if options.threads is not None:
        return options
    return replace(options, threads=max(1, (os.cpu_count() or 1) // workers) if local else 1)


def _notify(
    each: Any, sink: Any, row: TaskResult, scenarios: Sequence[Scenario], done: int, failed: int
) -> None:
    """Tell a per-outcome callback, or (inline runs) the progress bar, about a row."""
    total = len(scenarios)
    if each is not None:
        each(_outcome(row, scenarios[row.index]), done, total)
    if sink is not None:
        sink.update(done, 0 if done == total else 1, failed, total)
        if done == total:
            sink.close()


def _outcome(r: TaskResult, scenario: Scenario) -> ScenarioOutcome:
    """The task's outcome with the worker that ran it (a lost task becomes a failed row)."""
    if r.ok:
        out: ScenarioOutcome = r.value
    else:
        out = _failure(r.index, scenario, f"worker failed: {r.error}", r.seconds)
    out.row["worker"] = r.worker
    out.row["attempts"] = r.attempts
    return replace(out, worker=r.worker)


# --- worker side --------------------------------------------------------------------------


def _scenario_task(
    shared: tuple[Problem, RunOptions, Path | None], item: tuple[int, Scenario]
) -> ScenarioOutcome:
    """Apply, plan, write outputs; never raises (errors become the outcome)."""
    problem, options, out_dir = shared
    index, scenario = item
    start = time.perf_counter()
    try:
        return _plan_one(problem, options, out_dir, index, scenario, start)
    except ProjectError as exc:
        return _failure(
            index,
            scenario,
            " | ".join(f.message for f in exc.report.errors),
            time.perf_counter() - start,
            "invalid",
        )
    except InfeasibleError as exc:
        return _failure(
            index, scenario, str(exc).replace("\n", " "), time.perf_counter() - start, "infeasible"
        )
    except (PrioritiseError, ValueError, OSError) as exc:
        return _failure(
            index, scenario, f"{type(exc).__name__}: {exc}", time.perf_counter() - start
        )
    except Exception as exc:  # a defect; keep the others running and show where
        tb = traceback.format_exc(limit=3).replace("\n", " ")
        return _failure(
            index,
            scenario,
            f"internal error {type(exc).__name__}: {exc} ({tb})",
            time.perf_counter() - start,
        )


def _plan_one(
    problem: Problem,
    options: RunOptions,
    out_dir: Path | None,
    index: int,
    scenario: Scenario,
    start: float,
) -> ScenarioOutcome:
    prep = apply_scenario(problem, scenario)
    solve_kw: dict[str, Any] = dict(
        time_limit=options.time_limit,
        gap=options.gap,
        threads=options.threads,
        solver=options.solver,
    )
    result = plan_prepared(prep, **solve_kw)
    has_plan = result.solution.status.has_plan
    outlook = completion_from_summary(result.summary) if has_plan else (None, "no plan")
    if has_plan and options.outlook == "replan" and outlook[1] != "within the horizon":
        outlook = _replan_outlook(problem, scenario, options, solve_kw)
    row = comparison_row(prep, result, outlook)
    if not has_plan:
        row.update(
            error="no plan found within the time limit",
            completion_year="",
            completion_method="",
            article5_completion_year="",
        )
    summary = result.summary
    if options.samples > 0 and has_plan:
        sim = simulate(
            prep.problem,
            result.schedule,
            UncertaintySettings(samples=options.samples, seed=(options.seed, index)),
        )
        row.update(sim.headline())
        summary = replace(summary, uncertainty=sim.headline())
    released = released_by_year_method(result)
    if out_dir is not None:
        folder = out_dir / scenario.name
        write_plan_outputs(result, prepare_report(result), folder)
        write_json(folder / "scenario.json", summary.scenario)
    elapsed = time.perf_counter() - start
    row["elapsed_seconds"] = round(elapsed, 2)
    return ScenarioOutcome(
        scenario.name, index, has_plan, row, released, summary, elapsed, row["error"]
    )


def _replan_outlook(
    problem: Problem, scenario: Scenario, options: RunOptions, solve_kw: dict[str, Any]
) -> tuple[int | None, str]:
    """Completion read from the scenario re-planned over a longer horizon."""

    years = min(50, (scenario.years or problem.settings.plan.years) + options.outlook_years)
    longer = replace(scenario, years=years)
    result = plan_prepared(apply_scenario(problem, longer), **solve_kw)
    prefix = (
        f"re-planned over {years} years (years after {problem.years[-1]} repeat its "
        "budget and teams); "
    )
    if not result.solution.status.has_plan:
        return None, prefix + "no plan found within the time limit"
    return completion_from_summary(result.summary, prefix=prefix)


def _failure(
    index: int, scenario: Scenario, message: str, elapsed: float, status: str = "failed"
) -> ScenarioOutcome:
    row: dict[str, Any] = dict.fromkeys(HEADLINE)
    row.update(
        scenario=scenario.name,
        description=scenario.description,
        inherits=" < ".join(scenario.lineage),
        status=status,
        error=message,
        elapsed_seconds=round(elapsed, 2),
    )
    return ScenarioOutcome(scenario.name, index, False, row, pd.DataFrame(), None, elapsed, message)


# --- writing ------------------------------------------------------------------------------


def write_comparison(batch: ScenarioBatch, out_dir: Path) -> list[Path]:
    """comparison.csv, comparison.xlsx and comparison.html."""
    out_dir.mkdir(parents=True, exist_ok=True)
    comparison = batch.comparison
    written = [write_csv(out_dir / "comparison.csv", comparison)]
    written.append(write_atomic(out_dir / "comparison.xlsx", lambda p: _write_workbook(batch, p)))
    written.append(
        write_comparison_report(
            comparison,
            {name: s.to_dict() for name, s in batch.summaries.items()},
            out_dir / "comparison.html",
        )
    )
    return written


def _write_workbook(batch: ScenarioBatch, path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    add_sheet(wb, "Comparison", batch.comparison)
    released = batch.released
    if len(released):
        add_sheet(wb, "Released by year and method", released)
        pivot = released.pivot_table(
            index="year", columns="scenario", values="released_m2", aggfunc="sum", fill_value=0.0
        ).reset_index()
        add_sheet(wb, "Released m2 by year", pivot)
    budgets = [
        pd.DataFrame(s.scenario["budget"]).assign(scenario=name)
        for name, s in batch.summaries.items()
        if s.scenario is not None
    ]
    if budgets:
        frame = pd.concat(budgets, ignore_index=True)
        add_sheet(
            wb, "Budgets", frame[["scenario", *[c for c in frame.columns if c != "scenario"]]]
        )
    financing = [
        pd.DataFrame(s.scenario["financing"]).assign(scenario=name)
        for name, s in batch.summaries.items()
        if s.scenario is not None and s.scenario.get("financing")
    ]
    if financing:
        frame = pd.concat(financing, ignore_index=True)
        add_sheet(
            wb, "Financing", frame[["scenario", *[c for c in frame.columns if c != "scenario"]]]
        )
    wb.save(path)
