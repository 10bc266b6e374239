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
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from prioritise.analyses.indicators import kpi_total_columns
from prioritise.core import fmt
from prioritise.outputs import labels

if TYPE_CHECKING:
    from prioritise.analyses.indicators import ReportData
    from prioritise.planning.planner import PlanResult
    from prioritise.planning.summary import PlanSummary

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
TOTAL_BORDER = Border(top=Side(style="medium"))
HEADER_HEIGHT = 45  # points: three lines of wrapped header text

# Excel number formats by the kind of column (prioritise.core.fmt.column_kind).
FORMATS = {
    "gap": "0.00%",
    "share": "0.0%",
    "marginal": "0.000000",
    "ratio": "0.000",
    "score": "#,##0.00",
    "money_rate": "#,##0.00",
    "area": "#,##0",
    "money": "#,##0",
    "days": "#,##0.0",
    "year": "0",
    "objective": "#,##0.0",
    "count": "#,##0",
}
INTEGER_FORMAT = "#,##0"
REAL_FORMAT = "#,##0.00"
WIDE_TEXT = {"explanation", "why", "reason", "contributions", "binding", "value", "note"}
WIDE_CAP, TEXT_CAP = 60, 36  # column widths in characters


def number_format(column: str, series: pd.Series) -> str | None:
    """The format for a numeric column (None for text and flags)."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    kind = fmt.column_kind(column)
    if kind in FORMATS:
        return FORMATS[kind]
    return INTEGER_FORMAT if pd.api.types.is_integer_dtype(series) else REAL_FORMAT


def add_sheet(
    wb: Workbook, title: str, frame: pd.DataFrame, total_row: list[str] | None = None
) -> Worksheet:
    """A sheet a planner can read and print: human headers with units (the field name in a
    comment), formatted numbers, a totals row with stored values, fitted widths, a frozen
    header, a filter, and landscape A4 pages that repeat the header and fit the width."""
    ws = wb.create_sheet(_title(title))
    columns = [str(c) for c in frame.columns]
    _write_header(ws, columns)
    _write_rows(ws, frame)
    totals = _write_totals(ws, frame, columns, total_row or [])
    _format_columns(ws, frame, columns, totals)
    ws.freeze_panes = "B2"
    if len(frame):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    _page_setup(ws, title)
    return ws


def _write_header(ws: Worksheet, columns: list[str]) -> None:
    ws.append([labels.label(c) for c in columns])
    ws.row_dimensions[1].height = HEADER_HEIGHT
    for cell, field in zip(ws[1], columns, strict=True):
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        comment = Comment(f"field: {field}", "prioritise")
        comment.width, comment.height = 220, 40
        cell.comment = comment


def _write_rows(ws: Worksheet, frame: pd.DataFrame) -> None:
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


def _write_totals(
    ws: Worksheet, frame: pd.DataFrame, columns: list[str], total_row: list[str]
) -> dict[str, float]:
    """A 'Total' row holding the sums as values (a viewer that does not recalculate
    formulas still shows them); returns the sums by column."""
    sums = {
        c: float(pd.to_numeric(frame[c], errors="coerce").sum()) for c in columns if c in total_row
    }
    if not sums or not len(frame):
        return {}
    ws.append(["Total", *[sums.get(c) for c in columns[1:]]])
    for cell in ws[ws.max_row]:
        cell.font = TOTAL_FONT
        cell.border = TOTAL_BORDER
    return sums


def _format_columns(
    ws: Worksheet, frame: pd.DataFrame, columns: list[str], totals: dict[str, float]
) -> None:
    last = ws.max_row
    for i, col in enumerate(columns):
        letter = get_column_letter(i + 1)
        number = number_format(col, frame[col])
        cells = [
            row[0] for row in ws.iter_rows(min_row=2, max_row=last, min_col=i + 1, max_col=i + 1)
        ]
        if number:
            for cell in cells:
                cell.number_format = number
        wide = col in WIDE_TEXT
        if wide:
            for cell in cells[: len(frame)]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = _width(
            labels.label(col), frame[col], number, totals.get(col), wide
        )


def _width(
    header: str, series: pd.Series, number: str | None, total: float | None, wide: bool
) -> float:
    """Characters wide: the longest value as shown (sampled), the header's longest word,
    capped so text columns wrap rather than push the page width."""
    sample = series.iloc[:500]
    if number:
        values = [v for v in pd.to_numeric(sample, errors="coerce").dropna().tolist()]
        if total is not None:
            values.append(total)
        shown = max((len(_shown(v, number)) for v in values), default=1)
    else:
        shown = max((len(str(v)) for v in sample.dropna().tolist()), default=1)
    word = max((len(w) for w in header.split()), default=4)
    cap = WIDE_CAP if wide else TEXT_CAP
    return float(min(max(shown + 2, word + 2, 6), cap))


def _shown(value: float, number: str) -> str:
    """Roughly how Excel shows ``value`` in ``number`` format (for the column width)."""
    if number.endswith("%"):
        decimals = number.count("0") - 1
        return f"{value:.{decimals}%}"
    decimals = len(number.split(".")[1]) if "." in number else 0
    grouped = "," if "," in number else ""
    return f"{value:{grouped}.{decimals}f}"


def _page_setup(ws: Worksheet, title: str) -> None:
    """Landscape A4, every column on one page width, the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.gridLines = True
    ws.oddFooter.center.text = f"{title}: page &P of &N"
    ws.oddFooter.center.size = 8


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
    if isinstance(value, bool):  # spreadsheets show booleans as 1/0 or TRUE/FALSE
        return "yes" if value else "no"
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


SHEETS = {
    "Plan by year": "Every scheduled hazard, by planned year then province: method, operator, "
    "cost, team-days, area released (cleared, reduced, cancelled), impact and the year the "
    "ranking baseline would have done it. Totals at the bottom.",
    "By province": "Hazards, area and cost by year and province (optimised plan).",
    "By method and operator": "Hazards, area, cost and team-days by year, method and operator.",
    "Unscheduled": "Hazards the plan leaves for later, highest score first, with the reason "
    "and an LP estimate of what forcing each in would cost.",
    "KPIs (plan)": "Yearly indicators of the optimised plan: hazards, area by outcome, cost "
    "against budget, beneficiaries (by sex and age when given), impact-years.",
    "KPIs (baseline)": "The same indicators for the ranking baseline (rank by score, fill each "
    "year down the list with the same money and teams).",
    "Team-days": "Team-days available and used by year and team type, plan and baseline.",
    "VfM economy": "Value for money, economy: cost per team-day against the day rates, per m² "
    "released and per beneficiary, by operator type.",
    "VfM efficiency": "Value for money, efficiency: cost per m² released, impact-years per "
    "USD 1,000 and (when land is valued) PV benefit per USD of PV cost, by method and operator.",
    "VfM effectiveness": "Value for money, effectiveness: impact-years, beneficiaries and "
    "economic value per dollar; Article 5 against the deadline; recorded casualties at "
    "released hazards (a share: no target is set).",
    "VfM targets": "Value for money, effectiveness in words: the Article 5 completion year "
    "and whether the deadline is met.",
    "VfM equity provinces": "Value for money, equity: each province's share of area released, "
    "of cost and (when land is valued) of the PV of benefits, and its NPV.",
    "VfM equity groups": "Value for money, equity: beneficiaries by sex and age.",
    "Marginal values": "What one more unit of money or team-days in a year would add, in "
    "impact-years (LP relaxation duals: rates for small changes, estimates).",
    "Explanations": "For every hazard, what kept it from an earlier year or out of the plan.",
    "Totals by year": "The plan's totals per year: hazards, area, cost against budget, "
    "remaining area.",
    "Summary": "The plan's headline figures, solver status and gap.",
    "Assumptions": "Every setting and input that shaped the plan: years, rates, budgets and "
    "team-days per year, team types, methods, scoring criteria, input files.",
}
READ_ME_CHARS = 100  # characters a line of the Read me's second column holds
CONVENTIONS = (
    "Money is in US dollars (USD, nominal, not discounted); areas in square metres (m²); "
    "team-days are days of one team's work.",
    "An empty cell means not applicable or not known (for example the year of a hazard that "
    "is not scheduled); it never stands for zero.",
    "Totals rows hold the sums of the rows above as values, so they show in any viewer.",
    "Each header cell carries the machine field name in its comment (the same name as in "
    "workplan.csv, summary.json and the GIS layers).",
    "Marginal values and forcing costs come from the LP relaxation: they are estimates.",
    "Every sheet prints on landscape A4 with its header repeated and all columns on one "
    "page width.",
)


def write_workbook(result: PlanResult, path: Path, data: ReportData) -> None:
    """Write workplan.xlsx from the plan and its prepared report tables."""
    wb = Workbook()
    wb.remove(wb.active)
    readme = wb.create_sheet("Read me")
    _plan_sheets(wb, result, data)
    _indicator_sheets(wb, data)
    _analysis_sheets(wb, result, data)
    _read_me(readme, result, [ws.title for ws in wb.worksheets[1:]])
    wb.save(path)


def _plan_sheets(wb: Workbook, result: PlanResult, data: ReportData) -> None:
    wp = result.workplan
    scheduled = wp[wp["status"] == "scheduled"].sort_values(["year", "province", "hazard_id"])
    days = [c for c in wp.columns if c.startswith("days_")]
    areas = ["cancelled_m2", "reduced_m2", "cleared_m2", "released_m2"]
    add_sheet(
        wb,
        "Plan by year",
        scheduled.drop(columns=["status", "reason"]),
        total_row=["cost_usd", *areas, "impact_years", "beneficiaries", *days],
    )
    add_sheet(
        wb,
        "By province",
        data.by_year_province,
        total_row=["hazards", *areas, "cost_usd", "beneficiaries"],
    )
    add_sheet(
        wb,
        "By method and operator",
        data.by_year_method,
        total_row=["hazards", *areas, "cost_usd", "team_days"],
    )
    unscheduled = wp[wp["status"] == "unscheduled"][
        ["hazard_id", "name", "province", "hazard_class", "article5", "area_m2", "impact", "reason"]
    ]
    if "why" in data.explanations:
        ex = data.explanations.set_index("hazard_id")
        unscheduled = unscheduled.assign(
            why=unscheduled["hazard_id"].map(ex["why"]),
            force_cost_lp_estimate=unscheduled["hazard_id"].map(ex["force_cost_lp_estimate"]),
            force_cost_proven_at_least=unscheduled["hazard_id"].map(
                ex.get("force_cost_at_least", pd.Series(dtype=float))
            ),
            force_cost_note=unscheduled["hazard_id"].map(
                ex.get("force_cost_note", pd.Series(dtype=object))
            ),
        )
    add_sheet(
        wb, "Unscheduled", unscheduled.sort_values("impact", ascending=False), total_row=["area_m2"]
    )


def _indicator_sheets(wb: Workbook, data: ReportData) -> None:
    for name, frame in data.kpis.items():
        add_sheet(
            wb,
            f"KPIs ({'plan' if name == 'optimised' else name})",
            frame,
            total_row=kpi_total_columns(frame),
        )
    add_sheet(
        wb,
        "Team-days",
        data.team_days,
        total_row=["available", "used_optimised", "used_baseline"],
    )
    v = data.vfm
    add_sheet(wb, "VfM economy", v.economy)
    add_sheet(wb, "VfM efficiency", v.efficiency)
    add_sheet(wb, "VfM effectiveness", v.effectiveness)
    if len(v.targets):
        add_sheet(wb, "VfM targets", v.targets)
    add_sheet(wb, "VfM equity provinces", v.equity_provinces)
    if len(v.equity_groups):
        add_sheet(wb, "VfM equity groups", v.equity_groups)


def _analysis_sheets(wb: Workbook, result: PlanResult, data: ReportData) -> None:
    summary = result.summary
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
    _summary_sheet(wb, _summary_rows(summary, data))
    add_sheet(wb, "Assumptions", _assumptions(result))


def _read_me(ws: Worksheet, result: PlanResult, sheets: list[str]) -> None:
    """The first sheet: what the workbook is, how to read it, and what each sheet holds."""
    p = result.problem
    s = result.summary
    ws.append([f"Workplan: {p.settings.name}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [
            f"Clearance workplan {p.years[0]}-{p.years[-1]} for {len(p.hazards):,} hazards; "
            f"plan status {s.status}, optimality gap {fmt.percent(s.gap, 2)} "
            f"(written by prioritise)."
        ]
    )
    ws.append([])
    ws.append(["How to read it"])
    ws.cell(ws.max_row, 1).font = TOTAL_FONT
    for line in CONVENTIONS:
        ws.append(["", line])
    ws.append([])
    ws.append(["Sheet", "What it holds"])
    for cell in ws[ws.max_row]:
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
    for name in sheets:
        ws.append([name, SHEETS.get(name, "")])
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = READ_ME_CHARS + 10
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=cell.column == 2, vertical="top")
        text = str(row[1].value or "") if len(row) > 1 else ""
        lines = max(1, -(-len(text) // (READ_ME_CHARS + 20)))  # LibreOffice does not grow rows
        ws.row_dimensions[row[0].row].height = 15 * lines
    _page_setup(ws, "Read me")
    ws.print_title_rows = None
    ws.print_options.gridLines = False


def _marginal(data: ReportData) -> pd.DataFrame:
    m = data.marginal.copy()
    m["marginal_per_1000"] = m["marginal_value"] * 1000
    m["note"] = (
        f"LP relaxation ({data.relaxation.get('status')}): impact-years one more "
        "unit would add; marginal_per_1000 = per 1,000 units (USD or team-days)"
    )
    return m


# Excel formats of the Summary sheet's values, by the unit in the item's label.
SUMMARY_FORMATS = {
    "impact-years": "#,##0.00",
    "share": "0.00%",
    "percent": '0.0"%"',
    "m²": "#,##0",
    "USD": "#,##0",
    "count": "#,##0",
    "year": "0",
    "s": "#,##0.0",
}


def _baseline_rows(summary: PlanSummary) -> list[tuple[str, Any, str]]:
    """Every baseline in impact-years and whether it keeps every rule, then the uplift over
    the strongest that does (impact-years on both sides)."""
    rows: list[tuple[str, Any, str]] = []
    for b in summary.baselines:
        keeps = "keeps every rule" if b.feasible else f"breaks {b.rule_violations_count} rules"
        rows.append((f"Baseline: {b.name} ({keeps})", b.impact_years, "impact-years"))
    u = summary.uplift
    if u is not None and u.baseline is not None:
        rows.append((f"Uplift over {u.baseline} (impact-years)", u.impact_years, "impact-years"))
        rows.append((f"Uplift over {u.baseline} (%)", u.percent, "percent"))
    return rows


def _summary_rows(summary: PlanSummary, data: ReportData) -> pd.DataFrame:
    """The headline figures, one per row, with the unit each value is in."""
    h = data.headline
    totals = summary.totals
    npv = summary.objective_unit == "USD (NPV)"
    unit = "USD" if npv else "impact-years"
    impact = h["impact_years"]
    rows: list[tuple[str, Any, str]] = [
        ("Status", summary.status, ""),
        (
            "Impact-years",
            "unknown (no hazard has an impact score)" if impact is None else impact,
            "impact-years",
        ),
        (
            "Objective (NPV in USD, less lambda x the environmental score)"
            if npv
            else "Objective (impact-years minus the weighted environmental term)",
            summary.objective,
            unit,
        ),
        ("No plan can beat (proven bound on the objective)", summary.best_bound, unit),
        ("Optimality gap", summary.gap, "share"),
        *(_baseline_rows(summary) if impact is not None else []),
        ("Hazards scheduled", summary.hazards.scheduled, "count"),
        ("Hazards unscheduled", summary.hazards.unscheduled, "count"),
        ("Area released (m²)", totals.released_m2, "m²"),
        ("Remaining area at end (m²)", totals.remaining_area_m2, "m²"),
        ("Cost (USD)", totals.cost_usd, "USD"),
        ("Budget (USD)", totals.budget_usd, "USD"),
        ("Beneficiaries (people)", totals.beneficiaries, "count"),
    ]
    rows += [(f"Beneficiaries: {g}", v, "count") for g, v in h["beneficiary_groups"].items()]
    rows += [
        ("Article 5 completion year", summary.article5.completion_year, "year"),
        ("Article 5 deadline", summary.article5.deadline_year, "year"),
        ("Solve time (s)", summary.solve_seconds, "s"),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "unit"])


def _summary_sheet(wb: Workbook, frame: pd.DataFrame) -> None:
    """The Summary sheet: one figure a row, each value formatted by its own unit."""
    ws = add_sheet(wb, "Summary", frame[["item", "value"]])
    for row, unit in enumerate(frame["unit"], start=2):
        if unit in SUMMARY_FORMATS:
            ws.cell(row, 2).number_format = SUMMARY_FORMATS[unit]
        ws.cell(row, 2).alignment = Alignment(horizontal="right")


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
    rows += record_rows(result.summary.record)
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


def record_rows(record: dict[str, Any] | None) -> list[tuple[str, str, Any]]:
    """The reproducibility record (summary.json's ``record``) as assumption rows."""
    if not record:
        return []
    rows: list[tuple[str, str, Any]] = [("record", "project_file", record.get("project_file"))]
    rows += [("record: input sha256", i["path"], i["sha256"]) for i in record.get("inputs", [])]
    rows += [("record: override", k, v) for k, v in record.get("overrides", {}).items()]
    rows.append(("record", "seed", record.get("seed")))
    rows += [("record: version", k, v) for k, v in record.get("versions", {}).items()]
    rows += [("record: machine", k, v) for k, v in record.get("machine", {}).items()]
    return rows
