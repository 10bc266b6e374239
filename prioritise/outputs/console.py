"""Plain-text renderings of results for the terminal.

Tables put the unit in the header and plain numbers in the cells, one unit per column (the
largest value decides it), numbers right-aligned, so a column reads down without ``$98,640``
above ``$0.10m``. Formats come from :mod:`prioritise.core.fmt`, like every other output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from prioritise.core import fmt
from prioritise.core.errors import MAX_IDS_SHOWN, Finding
from prioritise.planning.summary import PlanSummary, YearTotals

CARRY_MARK = "*"


@dataclass(frozen=True)
class Col:
    """One terminal column: record key, title, and how its cells read."""

    key: str
    title: str
    kind: str = "text"  # text | money | area | count | number | year | percent
    digits: int = 1


def _unit_cells(col: Col, values: list[Any]) -> tuple[str, list[str]]:
    """The column's unit (for the header) and its cells as plain numbers in that unit."""
    if col.kind == "money":
        unit = fmt.money_unit(values)
        scale = fmt.MONEY_UNITS[unit]
        digits = 0 if unit == "$" else 2
        return unit, [fmt.number(None if fmt.missing(v) else v / scale, digits) for v in values]
    if col.kind == "area":
        unit = fmt.area_unit(values)
        scale = fmt.AREA_UNITS[unit]
        digits = 0 if unit == "m²" else 2
        return unit, [fmt.number(None if fmt.missing(v) else v / scale, digits) for v in values]
    cell: Callable[[Any], str] = {
        "count": fmt.number,
        "number": lambda v: fmt.number(v, col.digits),
        "year": fmt.year,
        "percent": lambda v: fmt.percent(v, col.digits),
    }.get(col.kind, lambda v: fmt.DASH if fmt.missing(v) else str(v))
    return "", [cell(v) for v in values]


def text_table(
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[Col],
    *,
    marks: Mapping[str, Sequence[str]] | None = None,
    indent: int = 2,
) -> list[str]:
    """Aligned lines: a header (with units) and one line per record.

    ``marks[key][i]`` is appended to row ``i``'s cell in column ``key`` (a footnote sign);
    unmarked cells get a space there so the digits stay aligned.
    """
    marks = marks or {}
    header, body = [], []
    for col in columns:
        unit, cells = _unit_cells(col, [r.get(col.key) for r in records])
        flags = marks.get(col.key)
        if flags is not None:
            cells = [c + (m or " ") for c, m in zip(cells, flags, strict=True)]
        title = f"{col.title} ({unit})" if unit else col.title
        header.append(title)
        body.append(cells)
    widths = [
        max([len(h), *(len(c) for c in cells)]) for h, cells in zip(header, body, strict=True)
    ]
    left = [c.kind == "text" for c in columns]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.ljust(w) if is_left else c.rjust(w)
            for c, w, is_left in zip(cells, widths, left, strict=True)
        ]
        return " " * indent + "  ".join(parts).rstrip()

    out = [line(header)]
    out += [line([cells[i] for cells in body]) for i in range(len(records))]
    return out


YEAR_COLUMNS = (
    Col("year", "year", "year"),
    Col("hazards", "hazards", "count"),
    Col("released_m2", "released", "area"),
    Col("cost_usd", "spent", "money"),
    Col("budget_usd", "budget", "money"),
    Col("remaining_area_m2", "remaining", "area"),
)


def carry_over_marks(per_year: Sequence[YearTotals]) -> list[str]:
    """A mark for each year that spends more than its own budget (money carried over)."""
    return [CARRY_MARK if row.cost_usd > row.budget_usd + 0.5 else "" for row in per_year]


def render_years(per_year: Sequence[YearTotals]) -> list[str]:
    """The per-year table, with spending above a year's own budget marked as carry-over."""
    marks = carry_over_marks(per_year)
    records = [asdict(row) for row in per_year]
    lines = text_table(records, YEAR_COLUMNS, marks={"cost_usd": marks})
    if any(marks):
        lines.append(
            f"  {CARRY_MARK} spends more than that year's budget: money left unspent in earlier "
            "years (carry-over)"
        )
    return lines


def _objective_name(summary: PlanSummary) -> str:
    return "NPV in USD" if summary.objective_unit == "USD (NPV)" else "impact-years"


def render_plan_summary(summary: PlanSummary) -> str:
    """The headline of a plan, its baselines, and one line per year."""
    a5, totals = summary.article5, summary.totals
    n_warn = len(summary.warnings)
    lines = [
        f"Plan for {summary.project}: {summary.status}"
        f" ({summary.solver}, {fmt.seconds(summary.solve_seconds)},"
        f" gap {fmt.percent(summary.gap, 2)});"
        f" {n_warn} validation warning{'' if n_warn == 1 else 's'}",
        f"  impact-years {_impact_years(summary)};"
        f" objective {fmt.number(summary.objective, 2)}"
        f" ({_objective_name(summary)} - {summary.environment_weight:g} x environmental score"
        f" {fmt.number(summary.environmental_score, 2)})",
        f"  no plan can beat objective {fmt.number(summary.best_bound, 2)} (proven bound)",
        *render_baselines(summary),
        f"  hazards scheduled {summary.hazards.scheduled:,} of {summary.hazards.total:,};"
        f" released {fmt.area(totals.released_m2)} of {fmt.area(totals.area_m2)};"
        f" spent {fmt.money(totals.cost_usd)} of {fmt.money(totals.budget_usd)}",
    ]
    if summary.economics is not None:
        e = summary.economics.plan
        bcr = "" if e.bcr is None else f", benefit-cost ratio {e.bcr:.2f}"
        lines.append(
            f"  NPV {fmt.money(e.npv_usd)} (estimate): PV of benefits "
            f"{fmt.money(e.pv_benefits_usd)}, of costs {fmt.money(e.pv_costs_usd)}{bcr}; "
            f"{e.hazards:,} hazards with a benefit"
        )
    if a5.hazards:
        deadline = f" (deadline {a5.deadline_year})" if a5.deadline_year else ""
        if a5.completion_year:
            lines.append(
                f"  Article 5 hazards: all {a5.hazards:,} completed by "
                f"{a5.completion_year}{deadline}"
            )
        else:
            lines.append(
                f"  Article 5 hazards: {a5.scheduled:,} of {a5.hazards:,} completed "
                f"within the horizon{deadline}"
            )
    lines.append("")
    lines += render_years(summary.per_year)
    return "\n".join(lines)


COMPARISON_COLUMNS = (
    Col("status", "status"),
    Col("gap", "gap", "percent", 1),
    Col("objective", "impact-years", "number", 1),
    # Debt repaid after the horizon stays beside the impact-years it buys.
    Col("repayments_after_horizon_usd", "repaid after plan", "money"),
    Col("cost_usd", "spent", "money"),
    Col("released_m2", "released", "area"),
    Col("article5_completion_year", "Art.5 done", "year"),
    Col("completion_year", "all released", "year"),
)


def render_comparison(records: Sequence[Mapping[str, Any]]) -> str:
    """A few headline columns per scenario; a failed scenario shows its error instead."""
    ok = [r for r in records if not fmt.missing(r.get("objective"))]
    failed = [r for r in records if fmt.missing(r.get("objective"))]
    columns = (Col("scenario", "scenario"), *COMPARISON_COLUMNS)
    lines = text_table(ok, columns) if ok else []
    for r in failed:
        error = r.get("error")
        lines.append(
            f"  {r['scenario']}: {r['status']}"
            + ("" if fmt.missing(error) else f" - {str(error)[:90]}")
        )
    return "\n".join(lines)


def render_baselines(summary: PlanSummary) -> list[str]:
    """Each baseline's figures, then the uplift over the strongest that keeps every rule."""
    lines = [
        f"  {'baseline':<40} {'impact-years':>14} {'objective':>14} {'spent':>9}  keeps every rule"
    ]
    for b in summary.baselines:
        broken = b.rule_violations_count
        keeps = (
            "yes"
            if b.feasible
            else f"no: {b.rule_violations[0]}" + (f" (+{broken - 1} more)" if broken > 1 else "")
        )
        lines.append(
            f"  {b.name:<40} {fmt.number(b.impact_years, 1):>14}"
            f" {fmt.number(b.objective, 1):>14} {fmt.money(b.spent_usd):>9}  {keeps}"
        )
    u = summary.uplift
    if u is None or u.baseline is None:
        lines.append("  uplift: not measured (no baseline keeps every rule)")
    else:
        pct = "" if u.percent is None else f" ({u.percent:+.1f}%)"
        lines.append(
            f"  uplift over {u.baseline}: {fmt.number(u.impact_years, 1)} impact-years{pct};"
            f" objective {fmt.number(u.objective, 1)}"
        )
    return lines


def render_warnings(findings: Sequence[Finding], limit: int = 5) -> str:
    """The validation warnings a command loaded with: the count, then the first few, each
    with its file, rule and ids (all of them are in summary.json and the report)."""
    warnings = [f for f in findings if f.severity == "warning"]
    if not warnings:
        return ""
    n = len(warnings)
    shown = warnings[:limit]
    head = (
        f"{n} validation warning{'' if n == 1 else 's'}"
        + (
            f" (the first {len(shown)}; all are in summary.json and the report)"
            if n > limit
            else ""
        )
        + ":"
    )
    lines = [head]
    for f in shown:
        lines.append(f"  {f.file} [{f.rule}] {f.message}")
        if f.ids:
            more = len(f.ids) - MAX_IDS_SHOWN
            lines.append(
                f"      ids: {', '.join(f.ids[:MAX_IDS_SHOWN])}"
                + (f" and {more} more" if more > 0 else "")
            )
    lines.append("  (--no-warnings hides these; `prioritise validate` lists them with fixes)")
    return "\n".join(lines)


def _impact_years(summary: PlanSummary) -> str:
    """Impact-years as printed: unknown when no hazard has a score (NPV plans), and saying
    how many scheduled hazards are left out when some have none."""
    if not summary.impact_known:
        return "unknown (no hazard has an impact score)"
    text = fmt.number(summary.impact_years, 2)
    n = summary.impact_unscored_scheduled
    return f"{text} ({n:,} scheduled without a score, not counted)" if n else text
