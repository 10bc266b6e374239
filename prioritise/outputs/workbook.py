"""The Excel workbook a planner opens: the plan by year, by province, by method and operator,
the unscheduled list with reasons, the reporting indicators, value for money, marginal values,
why each hazard sits where it is, and every assumption that shaped the plan.

Written with openpyxl directly so headers are frozen, numbers formatted and columns sized.
The tables come from :mod:`prioritise.report.indicators`, the same frames the HTML report
shows, so the two never disagree. Text from input files is written as text, never as a
formula, and characters Excel forbids are dropped, so the file opens without a repair prompt
in Excel and LibreOffice.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

if TYPE_CHECKING:
    from prioritise.analyses.indicators import ReportData
    from prioritise.planning.planner import PlanResult
    from prioritise.planning.summary import PlanSummary

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)

# First match wins, so specific keys come before the generic ones they contain.
FORMATS = {
    "per_m2": "#,##0.00",
    "per_team_day": "#,##0.00",
    "per_usd": "0.000",
    "marginal": "0.000000",
    "share": "0.0%",
    "utilisation": "0.0%",
    "gap": "0.00%",
    "cost": "#,##0",
    "usd": "#,##0",
    "budget": "#,##0",
    "m2": "#,##0",
    "area": "#,##0",
    "days": "#,##0.0",
    "available": "#,##0.0",
    "used": "#,##0.0",
    "impact": "0.00",
    "env": "0.000",
    "beneficiaries": "#,##0",
    "force_cost": "0.00",
}
WIDE_TEXT = {"explanation", "why", "reason", "contributions", "binding", "value"}


def _number_format(column: str) -> str | None:
    for key, fmt in FORMATS.items():
        if key in column:
            return fmt
    return None


def add_sheet(
    wb: Workbook, title: str, frame: pd.DataFrame, total_row: list[str] | None = None
) -> Worksheet:
    """A sheet with a styled, frozen header, formatted numbers and sized columns."""
    ws = wb.create_sheet(_title(title))
    columns = [str(c) for c in frame.columns]
    ws.append(columns)
    for cell in ws[1]:
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    text_cols = [
        i + 1
        for i, c in enumerate(frame.columns)
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]
    for row in frame.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for j in text_cols:  # input text that looks like a formula stays text
        for (cell,) in ws.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=j, max_col=j):
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
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
        cap = 90 if col in WIDE_TEXT else 48
        ws.column_dimensions[letter].width = min(max(max(sample) + 2, 8), cap)
        if col in WIDE_TEXT:
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    if len(frame):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    return ws


def _title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31]


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def write_workbook(result: PlanResult, path: Path, data: ReportData) -> None:
    """Write workplan.xlsx from the plan and its prepared report tables."""
    wb = Workbook()
    wb.remove(wb.active)
    wp = result.workplan
    summary = result.summary
    scheduled = wp[wp["status"] == "scheduled"].sort_values(["year", "province", "hazard_id"])
    days = [c for c in wp.columns if c.startswith("days_")]
    add_sheet(
        wb,
        "Plan by year",
        scheduled.drop(columns=["status", "reason"]),
        total_row=[
            "cost_usd",
            "released_m2",
            "cleared_m2",
            "cancelled_m2",
            "reduced_m2",
            "impact_years",
            "beneficiaries",
            *days,
        ],
    )
    add_sheet(
        wb,
        "By province",
        data.by_year_province,
        total_row=[
            "hazards",
            "cancelled_m2",
            "reduced_m2",
            "cleared_m2",
            "released_m2",
            "cost_usd",
            "beneficiaries",
        ],
    )
    add_sheet(
        wb,
        "By method and operator",
        data.by_year_method,
        total_row=[
            "hazards",
            "cancelled_m2",
            "reduced_m2",
            "cleared_m2",
            "released_m2",
            "cost_usd",
            "team_days",
        ],
    )
    unscheduled = wp[wp["status"] == "unscheduled"][
        ["hazard_id", "name", "province", "hazard_class", "article5", "area_m2", "impact", "reason"]
    ]
    if "why" in data.explanations:
        ex = data.explanations.set_index("hazard_id")
        unscheduled = unscheduled.assign(
            why=unscheduled["hazard_id"].map(ex["why"]),
            force_cost_lp_estimate=unscheduled["hazard_id"].map(ex["force_cost_lp_estimate"]),
        )
    add_sheet(
        wb, "Unscheduled", unscheduled.sort_values("impact", ascending=False), total_row=["area_m2"]
    )
    kpi_totals = [
        "hazards",
        "cancelled_m2",
        "reduced_m2",
        "cleared_m2",
        "released_m2",
        "cost_usd",
        "budget_usd",
        "beneficiaries",
        "beneficiaries_women",
        "beneficiaries_men",
        "beneficiaries_girls",
        "beneficiaries_boys",
        "environmental_score",
        "impact_years",
    ]
    for name, frame in data.kpis.items():
        add_sheet(
            wb,
            f"KPIs ({'plan' if name == 'optimised' else name})",
            frame,
            total_row=[c for c in kpi_totals if c in frame],
        )
    team = data.team_days
    add_sheet(wb, "Team-days", team, total_row=["available", "used_optimised", "used_baseline"])
    v = data.vfm
    add_sheet(wb, "VfM economy", v.economy)
    add_sheet(wb, "VfM efficiency", v.efficiency)
    add_sheet(wb, "VfM effectiveness", v.effectiveness)
    add_sheet(wb, "VfM equity provinces", v.equity_provinces)
    if len(v.equity_groups):
        add_sheet(wb, "VfM equity groups", v.equity_groups)
    add_sheet(wb, "Marginal values", _marginal(data))
    if len(data.explanations):
        add_sheet(wb, "Explanations", data.explanations.drop(columns=["explanation"]))
    years = pd.DataFrame(
        [
            {k: v for k, v in asdict(row).items() if not isinstance(v, dict)}
            for row in summary.per_year
        ]
    )
    add_sheet(
        wb,
        "Totals by year",
        years,
        total_row=[
            "hazards",
            "released_m2",
            "cleared_m2",
            "reduced_m2",
            "cancelled_m2",
            "cost_usd",
            "budget_usd",
        ],
    )
    add_sheet(wb, "Summary", _summary_rows(summary, data))
    add_sheet(wb, "Assumptions", _assumptions(result))
    wb.save(path)


def _marginal(data: ReportData) -> pd.DataFrame:
    m = data.marginal.copy()
    m["marginal_per_1000"] = m["marginal_value"] * 1000
    m["note"] = (
        f"LP relaxation ({data.relaxation.get('status')}): impact-years one more "
        "unit would add; marginal_per_1000 = per 1,000 units (USD or team-days)"
    )
    return m


def _summary_rows(summary: PlanSummary, data: ReportData) -> pd.DataFrame:
    h = data.headline
    rows: list[tuple[str, Any]] = [
        ("Status", summary.status),
        ("Objective (impact-years)", summary.objective),
        ("Impact-years (without environmental term)", summary.impact_years),
        ("Best bound", summary.best_bound),
        ("Gap", summary.gap),
        ("Baseline objective", summary.baseline.objective),
        ("Uplift over baseline (impact-years)", summary.uplift_impact_years),
        ("Uplift over baseline (%)", summary.uplift_percent),
        ("Hazards scheduled", summary.hazards.scheduled),
        ("Hazards unscheduled", summary.hazards.unscheduled),
        ("Area released (m²)", summary.totals.released_m2),
        ("Remaining area at end (m²)", summary.totals.remaining_area_m2),
        ("Cost (USD)", summary.totals.cost_usd),
        ("Budget (USD)", summary.totals.budget_usd),
        ("Beneficiaries", summary.totals.beneficiaries),
    ]
    rows += [(f"Beneficiaries: {g}", v) for g, v in h["beneficiary_groups"].items()]
    rows += [
        ("Article 5 completion year", summary.article5.completion_year),
        ("Article 5 deadline", summary.article5.deadline_year),
        ("Solve seconds", summary.solve_seconds),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def _assumptions(result: PlanResult) -> pd.DataFrame:
    p = result.problem
    s = p.settings
    rows: list[tuple[str, str, Any]] = [
        ("plan", "start_year", s.plan.start_year),
        ("plan", "years", s.plan.years),
        ("plan", "discount_rate", s.plan.discount_rate),
        ("plan", "carry_over", s.plan.carry_over),
        ("plan", "deadline_year", s.plan.deadline_year),
        ("plan", "environment_weight", s.plan.environment_weight),
        ("solver", "name", result.summary.solver),
        ("solver", "time_limit_s", result.summary.time_limit),
        ("solver", "gap_target", result.summary.gap_target),
        ("solver", "formulation", result.summary.formulation),
        ("constraints", "equity_min_share", s.constraints.equity_default_share),
        ("constraints", "localisation_min_national_share", s.constraints.localisation_min_share),
        ("scoring", "scale", s.scoring.scale),
    ]
    for p_name, share in s.constraints.equity_min_share.items():
        rows.append(("constraints", f"equity_min_share[{p_name}]", share))
    for year, value in p.budget.items():
        rows.append(("budget_usd", str(year), float(value)))
    for team in p.capacity.columns:
        for year, value in p.capacity[team].items():
            rows.append((f"team_days[{team}]", str(year), float(value)))
    for _, t in p.team_types.iterrows():
        rows.append(
            (
                "team_type",
                t["team_type"],
                f"kind={t['kind']}, operator={t['operator']}, cost/day={t['cost_per_day']}",
            )
        )
    for m in s.methods:
        rows.append(
            (
                "method",
                m.name,
                f"{m.label}; productivity={dict(m.productivity)}; "
                f"survey={dict(m.survey_productivity)}; cost/m²={m.cost_per_m2}; "
                f"disturbance={m.disturbance}",
            )
        )
    for c in s.scoring.criteria:
        rows.append(
            (
                "criterion",
                c.name,
                f"column={c.column}, weight={c.weight}, type={c.kind},"
                f" normalise={c.normalise}, higher_is_better={c.higher_is_better}",
            )
        )
    data = s.data
    for key in (
        "hazards",
        "teams",
        "budget",
        "dependencies",
        "locks",
        "provinces",
        "roads",
        "bases",
    ):
        path = getattr(data, key, None)
        if path is not None:
            rows.append(("input file", key, str(Path(path).name)))
    return pd.DataFrame(rows, columns=["section", "item", "value"]).astype({"value": str})
