"""The Excel workbook a planner opens: the plan by year, by province, the unscheduled list,
the per-year totals and the assumptions that shaped the plan.

Written with openpyxl directly so headers are frozen, numbers formatted and columns sized.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

if TYPE_CHECKING:
    from prioritise.planning import PlanResult

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)

FORMATS = {
    "cost": "#,##0", "usd": "#,##0", "budget": "#,##0", "m2": "#,##0", "area": "#,##0",
    "days": "#,##0.0", "impact": "0.00", "share": "0.0%", "gap": "0.00%", "env": "0.000",
    "beneficiaries": "#,##0",
}


def _number_format(column: str) -> str | None:
    for key, fmt in FORMATS.items():
        if key in column:
            return fmt
    return None


def add_sheet(wb: Workbook, title: str, frame: pd.DataFrame,
              total_row: list[str] | None = None) -> Worksheet:
    """A sheet with a styled, frozen header, formatted numbers and sized columns."""
    ws = wb.create_sheet(title[:31])
    columns = [str(c) for c in frame.columns]
    ws.append(columns)
    for cell in ws[1]:
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
    for row in frame.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    if total_row and len(frame):
        n = len(frame) + 1
        totals: list[Any] = []
        for i, col in enumerate(columns):
            letter = get_column_letter(i + 1)
            if i == 0:
                totals.append("Total")
            elif col in total_row:
                totals.append(f"=SUM({letter}2:{letter}{n})")
            else:
                totals.append(None)
        ws.append(totals)
        for cell in ws[ws.max_row]:
            cell.font = TOTAL_FONT
    for i, col in enumerate(columns):
        letter = get_column_letter(i + 1)
        fmt = _number_format(col)
        if fmt:
            for cell in ws[letter][1:]:
                cell.number_format = fmt
        sample = [len(col)] + [len(str(v)) for v in frame.iloc[:200, i].tolist()]
        ws.column_dimensions[letter].width = min(max(sample) + 2, 60)
    ws.freeze_panes = "B2"
    if len(frame):
        ws.auto_filter.ref = ws.dimensions
    return ws


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


def write_workbook(result: PlanResult, path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    wp = result.workplan
    summary = result.summary
    scheduled = wp[wp["status"] == "scheduled"].sort_values(["year", "province", "hazard_id"])
    days = [c for c in wp.columns if c.startswith("days_")]
    add_sheet(wb, "Plan by year", scheduled.drop(columns=["status", "reason"]),
              total_row=["cost_usd", "released_m2", "cleared_m2", "cancelled_m2", "reduced_m2",
                         "impact_years", "beneficiaries", *days])
    by_province = scheduled.groupby(["year", "province"], as_index=False).agg(
        hazards=("hazard_id", "count"), released_m2=("released_m2", "sum"),
        cost_usd=("cost_usd", "sum"), beneficiaries=("beneficiaries", "sum"))
    add_sheet(wb, "By province", by_province,
              total_row=["hazards", "released_m2", "cost_usd", "beneficiaries"])
    by_method = scheduled.groupby(["year", "method", "operator"], as_index=False).agg(
        hazards=("hazard_id", "count"), released_m2=("released_m2", "sum"),
        cost_usd=("cost_usd", "sum"))
    add_sheet(wb, "By method and operator", by_method,
              total_row=["hazards", "released_m2", "cost_usd"])
    unscheduled = wp[wp["status"] == "unscheduled"][
        ["hazard_id", "name", "province", "hazard_class", "article5", "area_m2", "impact",
         "reason"]]
    add_sheet(wb, "Unscheduled", unscheduled, total_row=["area_m2"])
    years = pd.DataFrame([{k: v for k, v in row.items() if not isinstance(v, dict)}
                          for row in summary["per_year"]])
    add_sheet(wb, "Totals by year", years,
              total_row=["hazards", "released_m2", "cleared_m2", "reduced_m2", "cancelled_m2",
                         "cost_usd", "budget_usd"])
    add_sheet(wb, "Summary", _summary_rows(summary))
    add_sheet(wb, "Assumptions", _assumptions(result))
    wb.save(path)


def _summary_rows(summary: dict[str, Any]) -> pd.DataFrame:
    rows = [
        ("Status", summary["status"]), ("Objective (impact-years)", summary["objective"]),
        ("Best bound", summary["best_bound"]), ("Gap", summary["gap"]),
        ("Baseline objective", summary["baseline"]["objective"]),
        ("Uplift over baseline (impact-years)", summary["uplift_impact_years"]),
        ("Hazards scheduled", summary["hazards"]["scheduled"]),
        ("Hazards unscheduled", summary["hazards"]["unscheduled"]),
        ("Area released (m²)", summary["totals"]["released_m2"]),
        ("Remaining area at end (m²)", summary["totals"]["remaining_area_m2"]),
        ("Cost (USD)", summary["totals"]["cost_usd"]),
        ("Article 5 completion year", summary["article5"]["completion_year"]),
        ("Solve seconds", summary["solve_seconds"]),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def _assumptions(result: PlanResult) -> pd.DataFrame:
    p = result.problem
    s = p.settings
    rows: list[tuple[str, str, Any]] = [
        ("plan", "start_year", s.plan.start_year), ("plan", "years", s.plan.years),
        ("plan", "discount_rate", s.plan.discount_rate),
        ("plan", "carry_over", s.plan.carry_over),
        ("plan", "deadline_year", s.plan.deadline_year),
        ("plan", "environment_weight", s.plan.environment_weight),
        ("solver", "name", result.summary["solver"]),
        ("solver", "time_limit_s", result.summary["time_limit"]),
        ("solver", "gap_target", result.summary["gap_target"]),
        ("solver", "formulation", result.summary["formulation"]),
        ("constraints", "equity_min_share", s.constraints.equity_default_share),
        ("constraints", "localisation_min_national_share", s.constraints.localisation_min_share),
    ]
    for p_name, share in s.constraints.equity_min_share.items():
        rows.append(("constraints", f"equity_min_share[{p_name}]", share))
    for year, value in p.budget.items():
        rows.append(("budget_usd", str(year), float(value)))
    for team in p.capacity.columns:
        for year, value in p.capacity[team].items():
            rows.append((f"team_days[{team}]", str(year), float(value)))
    for _, t in p.team_types.iterrows():
        rows.append(("team_type", t["team_type"],
                     f"kind={t['kind']}, operator={t['operator']}, cost/day={t['cost_per_day']}"))
    for m in s.methods:
        rows.append(("method", m.name, f"{m.label}; productivity={dict(m.productivity)}; "
                     f"survey={dict(m.survey_productivity)}; disturbance={m.disturbance}"))
    for c in s.scoring.criteria:
        rows.append(("criterion", c.name, f"column={c.column}, weight={c.weight}, type={c.kind},"
                     f" normalise={c.normalise}, higher_is_better={c.higher_is_better}"))
    return pd.DataFrame(rows, columns=["section", "item", "value"]).astype({"value": str})
