"""What a plan's report needs beyond the plan itself, computed once per run.

``prepare_report(result)`` solves the LP relaxation for marginal values when the plan did not
keep one, explains every hazard, and assembles the indicator tables into a
:class:`ReportData` that the HTML report, the workbook and summary.json all read. Writers in
:mod:`prioritise.outputs` only format it.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from models.duals import marginal_values
from prioritise.analyses.explain import explain_plan, force_cost_estimates
from prioritise.analyses.indicators import ReportData, build_report_data
from prioritise.core.settings import Settings
from prioritise.inputs.readers import read_any
from prioritise.planning.planner import PlanResult

__all__ = ["ReportData", "prepare_report"]


def prepare_report(result: PlanResult, relaxation_time_limit: float | None = None) -> ReportData:
    """Marginal values (LP relaxation), explanations for every hazard, and every table."""
    limit = relaxation_time_limit
    if limit is None:
        limit = max(10.0, min(120.0, float(result.problem.settings.solver.time_limit)))
    relaxation = result.relaxation or marginal_values(result.built.model, time_limit=limit)
    explanations = explain_plan(
        result.problem,
        result.solution.schedule,
        unscheduled=result.solution.unscheduled,
        force_costs=force_cost_estimates(result.built, relaxation),
    )
    data = build_report_data(result, relaxation, explanations)
    data.extras["basemap"] = basemap_layers(result.problem.settings)
    return data


def basemap_layers(settings: Settings) -> dict[str, gpd.GeoDataFrame]:
    """The project's roads and bases (``[data]``), for orientation on the report's map."""
    out = {}
    for key in ("roads", "bases"):
        path = getattr(settings.data, key, None)
        if path is not None and Path(path).exists():
            frame = read_any(Path(path))
            if isinstance(frame, gpd.GeoDataFrame) and len(frame):
                out[key] = frame
    return out
