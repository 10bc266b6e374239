"""Plain-words formatting of a plan's summary for the pages: every figure says what it is
(a plan's value, a proven bound, an estimate) and a missing value reads "not known", never 0.
"""

from __future__ import annotations

import math
from typing import Any

STATUS_WORDS = {
    "optimal": "proven optimal",
    "gap_limit": "proven within the gap target",
    "time_limit": "best plan found when the time limit was reached (not proven optimal)",
    "feasible": "a plan that keeps every rule (optimality not proven)",
    "infeasible": "no plan keeps every rule",
}
UNKNOWN = "not known"


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def number(x: Any, digits: int = 0) -> str:
    v = _num(x)
    return UNKNOWN if v is None else f"{v:,.{digits}f}"


def money(x: Any, currency: str = "USD") -> str:
    v = _num(x)
    if v is None:
        return UNKNOWN
    return f"{currency} {v / 1e6:,.2f} m" if abs(v) >= 1e6 else f"{currency} {v:,.0f}"


def area(x: Any) -> str:
    v = _num(x)
    return UNKNOWN if v is None else f"{v / 1e6:,.2f} km²"


def share(x: Any, digits: int = 1) -> str:
    v = _num(x)
    return UNKNOWN if v is None else f"{v:.{digits}%}"


def headline(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, value, what it includes) rows for a finished plan."""
    hz = summary.get("hazards", {}) or {}
    tot = summary.get("totals", {}) or {}
    a5 = summary.get("article5", {}) or {}
    years = f"{summary.get('start_year', '?')}–{summary.get('end_year', '?')}"
    gap = _num(summary.get("gap"))
    rows = [
        (
            "Plan status",
            STATUS_WORDS.get(str(summary.get("status")), str(summary.get("status"))),
            "",
        ),
        (
            "Hazards scheduled",
            f"{number(hz.get('scheduled'))} of {number(hz.get('total'))}",
            f"completed within {years}",
        ),
        ("Area released", area(tot.get("released_m2")), f"planned, {years}"),
        (
            "Cost",
            money(tot.get("cost_usd")),
            f"estimate from the inputs' unit costs; budget {money(tot.get('budget_usd'))}, {years}",
        ),
        ("Beneficiaries", number(tot.get("beneficiaries")), "of the scheduled hazards, as given"),
        (
            "Article 5 hazards scheduled",
            f"{number(a5.get('scheduled'))} of {number(a5.get('hazards'))}",
            "",
        ),
        (
            "Objective (discounted impact-years)",
            number(summary.get("objective"), 1),
            "the plan's value",
        ),
        (
            "Best bound",
            number(summary.get("best_bound"), 1),
            "proven upper bound: no plan under these rules scores more",
        ),
        ("Gap", UNKNOWN if gap is None else f"{gap:.2%}", "between the plan and the bound"),
        (
            "Uplift over ranking baseline",
            UNKNOWN
            if _num(summary.get("uplift_percent")) is None
            else f"{float(summary['uplift_percent']):.1f}%",
            "impact-years against ranking by score and filling each year",
        ),
    ]
    return rows


def per_year(summary: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for row in summary.get("per_year", []) or []:
        out.append(
            {
                "year": str(row.get("year", "")),
                "hazards": number(row.get("hazards")),
                "released": area(row.get("released_m2")),
                "cost": money(row.get("cost_usd")),
                "budget": money(row.get("budget_usd")),
                "remaining": area(row.get("remaining_area_m2")),
            }
        )
    return out


def options_text(options: dict[str, Any]) -> str:
    """The solver settings a plan was started with, or where they came from."""
    parts = []
    if options.get("time_limit") is not None:
        parts.append(f"time limit {float(options['time_limit']):g} s")
    if options.get("gap") is not None:
        parts.append(f"gap target {float(options['gap']):.2%}")
    return ", ".join(parts) if parts else "solver settings from the project"


def progress_rows(progress: dict[str, Any]) -> list[tuple[str, str]]:
    if progress.get("elapsed") is None:
        return []  # not started: the status line says so
    rows = [("Elapsed", f"{number(progress.get('elapsed'), 1)} s")]
    if "best" in progress:
        best = progress.get("best")
        rows.append(("Best plan so far", number(best, 1) if best is not None else "none yet"))
        rows.append(
            (
                "Proven bound",
                number(progress.get("bound"), 1) if progress.get("bound") is not None else UNKNOWN,
            )
        )
        gap = _num(progress.get("gap"))
        rows.append(("Gap", UNKNOWN if gap is None else f"{gap:.2%}"))
    return rows


# Scenario comparison: (column, heading, formatter), the key columns of the comparison report.
COMPARISON = (
    ("scenario", "Scenario", str),
    ("status", "Status", lambda v: STATUS_WORDS.get(str(v), str(v))),
    ("objective", "Objective", lambda v: number(v, 1)),
    ("gap", "Gap", lambda v: share(v, 2)),
    ("cost_usd", "Cost (estimate)", money),
    ("budget_usd", "Budget", money),
    ("released_m2", "Released", area),
    ("remaining_area_m2", "Remaining", area),
    (
        "article5_completion_year",
        "Article 5 done by",
        lambda v: number(v) if v else "not within the plan",
    ),
    ("error", "Error", lambda v: str(v) if v else ""),
)


def comparison(summary: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Headings and formatted rows of the scenarios side by side."""
    rows = summary.get("rows", []) or []
    cols = [c for c in COMPARISON if any(c[0] in r for r in rows)]
    return [c[1] for c in cols], [[c[2](r.get(c[0])) for c in cols] for r in rows]
