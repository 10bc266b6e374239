"""Every file of one plan run: workplan.csv, summary.json, the workbook, report and layers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prioritise.analyses.indicators import ReportData
from prioritise.outputs import gis
from prioritise.outputs.files import check_output_dir, write_atomic, write_csv, write_json
from prioritise.outputs.qml import workplan_qml
from prioritise.outputs.report.html import ExtraSection, write_report
from prioritise.outputs.workbook import write_workbook
from prioritise.planning.planner import PlanResult


def write_gis(result: PlanResult, out_dir: Path) -> list[Path]:
    """plan.geojson with plan.qml beside it, and plan.gpkg with its styles; nothing without
    geometry."""
    geometry = result.problem.geometry
    if geometry is None:
        return []
    layer = gis.workplan_layer(result.workplan, geometry)
    deps = gis.dependencies_layer(result.problem, result.workplan)
    years = list(result.problem.years)
    qml = workplan_qml(years)
    return [
        write_atomic(out_dir / "plan.geojson", lambda p: gis.write_geojson(p, layer)),
        write_atomic(out_dir / "plan.qml", lambda p: p.write_text(qml, encoding="utf-8")),
        write_atomic(out_dir / "plan.gpkg", lambda p: gis.write_geopackage(p, layer, deps, years)),
    ]


def write_plan_outputs(
    result: PlanResult,
    report: ReportData,
    out_dir: Path,
    extra: Sequence[ExtraSection] = (),
) -> list[Path]:
    """workplan.csv, summary.json, explanations.csv, workplan.xlsx, report.html and, with
    geometry, plan.geojson (+ plan.qml) and plan.gpkg. ``extra`` sections (e.g. the
    trade-off frontier) go into report.html.

    ``report`` (from :func:`prioritise.analyses.report_data.prepare_report`) carries what the
    report needs beyond the plan: writers never solve.
    """
    problem = result.problem
    data = problem.settings.data
    check_output_dir(
        out_dir,
        [
            p
            for p in (data.hazards, data.teams, data.budget, data.dependencies, data.locks)
            if p is not None
        ],
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [
        write_csv(out_dir / "workplan.csv", result.workplan),
        write_json(
            out_dir / "summary.json",
            {**result.summary.to_dict(), "marginal_values": report.relaxation},
        ),
        write_csv(out_dir / "explanations.csv", report.explanations),
    ]
    written += write_gis(result, out_dir)
    written.append(
        write_atomic(out_dir / "workplan.xlsx", lambda p: write_workbook(result, p, report))
    )
    written.append(write_report(result, out_dir / "report.html", report, extra))
    return written
