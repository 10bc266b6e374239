"""Every file of one plan run: workplan.csv, summary.json, the workbook, report and layers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prioritise.analyses.indicators import ReportData
from prioritise.outputs.files import check_output_dir, write_atomic, write_csv, write_json
from prioritise.outputs.report.html import write_report
from prioritise.outputs.workbook import write_workbook
from prioritise.planning.planner import PlanResult


def plan_geojson(result: PlanResult) -> Any:
    """The workplan joined to hazard geometry (EPSG:4326), or None without geometry."""
    geometry = result.problem.geometry
    if geometry is None:
        return None
    import geopandas as gpd

    frame = result.workplan.copy()
    for col in frame.columns:
        if str(frame[col].dtype) in ("Int64", "boolean"):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return gpd.GeoDataFrame(frame, geometry=geometry.reset_index(drop=True).array, crs=4326)


def write_plan_outputs(result: PlanResult, report: ReportData, out_dir: Path) -> list[Path]:
    """workplan.csv, summary.json, explanations.csv, workplan.xlsx, report.html and, with
    geometry, plan.geojson/.gpkg.

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
    gdf = plan_geojson(result)
    if gdf is not None:
        written.append(
            write_atomic(
                out_dir / "plan.geojson",
                lambda p: gdf.to_file(p, driver="GeoJSON", engine="pyogrio"),
            )
        )
        written.append(
            write_atomic(
                out_dir / "plan.gpkg",
                lambda p: gdf.to_file(p, driver="GPKG", layer="workplan", engine="pyogrio"),
            )
        )
    written.append(
        write_atomic(out_dir / "workplan.xlsx", lambda p: write_workbook(result, p, report))
    )
    written.append(write_report(result, out_dir / "report.html", report))
    return written
