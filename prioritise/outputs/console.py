"""Plain-text renderings of results for the terminal."""

from __future__ import annotations

from prioritise.planning.summary import PlanSummary


def money(x: float | None) -> str:
    if x is None:
        return "-"
    return f"${x / 1e6:,.2f}m" if abs(x) >= 1e5 else f"${x:,.0f}"


def area(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x / 1e6:,.2f} km²" if abs(x) >= 1e5 else f"{x:,.0f} m²"


def number(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def render_plan_summary(summary: PlanSummary) -> str:
    """The headline of a plan and one line per year."""
    gap = summary.gap
    base = summary.baseline
    a5 = summary.article5
    lines = [
        f"Plan for {summary.project}: {summary.status}"
        f" ({summary.solver}, {summary.solve_seconds:.1f} s,"
        f" gap {'-' if gap is None else f'{gap:.2%}'})",
        f"  impact-years (objective) {number(summary.objective, 2)}"
        f"   best bound {number(summary.best_bound, 2)}",
        f"  ranking baseline         {number(base.objective, 2)}"
        f"   uplift {number(summary.uplift_impact_years, 2)}"
        + (f" ({summary.uplift_percent:+.1f}%)" if summary.uplift_percent is not None else ""),
        f"  hazards scheduled {summary.hazards.scheduled} of {summary.hazards.total};"
        f" released {area(summary.totals.released_m2)} of"
        f" {area(summary.totals.area_m2)}; cost {money(summary.totals.cost_usd)}"
        f" of {money(summary.totals.budget_usd)}",
    ]
    if a5.hazards:
        deadline = f" (deadline {a5.deadline_year})" if a5.deadline_year else ""
        if a5.completion_year:
            lines.append(
                f"  Article 5 hazards: all {a5.hazards} completed by {a5.completion_year}{deadline}"
            )
        else:
            lines.append(
                f"  Article 5 hazards: {a5.scheduled} of {a5.hazards} completed "
                f"within the horizon{deadline}"
            )
    lines.append("")
    lines.append(
        f"  {'year':>6} {'hazards':>8} {'released':>14} {'cost':>12} {'budget':>12}"
        f" {'remaining':>14}"
    )
    for row in summary.per_year:
        lines.append(
            f"  {row.year:>6} {row.hazards:>8} {area(row.released_m2):>14}"
            f" {money(row.cost_usd):>12} {money(row.budget_usd):>12}"
            f" {area(row.remaining_area_m2):>14}"
        )
    return "\n".join(lines)
