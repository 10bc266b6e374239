"""Readable outputs: the HTML report, the scenario comparison and the tables they share.

``prepare_report(result)`` does the extra analysis once per plan run (the LP relaxation for
marginal values, the per-hazard explanations) and returns a :class:`ReportData` that the HTML
report, the workbook and summary.json all read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prioritise.report.indicators import ReportData, build_report_data

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from prioritise.planning import PlanResult

__all__ = ["ReportData", "prepare_report", "write_comparison_report", "write_report"]


def prepare_report(result: PlanResult, relaxation_time_limit: float | None = None) -> ReportData:
    """Marginal values (LP relaxation), explanations for every hazard, and every table."""
    from models.duals import marginal_values
    from prioritise.explain import explain_plan, force_cost_estimates

    limit = relaxation_time_limit
    if limit is None:
        limit = max(10.0, min(120.0, float(result.problem.settings.solver.time_limit)))
    relaxation = result.relaxation or marginal_values(result.built.model, time_limit=limit)
    explanations = explain_plan(result.problem, result.solution.schedule,
                                unscheduled=result.solution.unscheduled,
                                force_costs=force_cost_estimates(result.built, relaxation))
    return build_report_data(result, relaxation, explanations)


def write_report(result: PlanResult, path: Path, data: ReportData | None = None) -> Path:
    from prioritise.report.html import write_report as _write

    return _write(result, path, data)


def write_comparison_report(comparison: pd.DataFrame, summaries: dict[str, dict],
                            path: Path) -> Path:
    from prioritise.report.comparison import write_comparison_report as _write

    return _write(comparison, summaries, path)
