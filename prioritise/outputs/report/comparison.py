"""The scenario comparison page: the same measures for every scenario, side by side.

The scenarios command builds ``comparison`` (one row per scenario) and keeps each run's
summary; this module only draws them, so it never re-solves anything. Like the plan report,
the page is self-contained and every name from a scenario file is escaped.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from prioritise.core import fmt
from prioritise.outputs.files import write_atomic
from prioritise.outputs.report.page import table_view
from prioritise.outputs.report.render import render
from prioritise.outputs.report.sections import Figure
from prioritise.outputs.report.svg import CATEGORICAL, Series, bar_chart, hbar_chart, line_chart

REQUIRED = (
    "scenario",
    "status",
    "objective",
    "cost_usd",
    "article5_completion_year",
    "remaining_area_m2",
)
# Shown first, when present; the whole table follows in a collapsed section.
KEY_COLUMNS = (
    "scenario",
    "status",
    "impact_years",
    # A facility's repayments after the horizon stay beside the impact-years they buy.
    "repayments_after_horizon_usd",
    "financing_net_present_cost_usd",
    "debt_outlives_horizon",
    "objective",
    "gap",
    "cost_usd",
    "budget_usd",
    "released_m2",
    "remaining_area_m2",
    "beneficiaries",
    "national_share_of_cost",
    "article5_completion_year",
    "meets_deadline",
    "completion_year",
)
LABELS = {
    "impact_years": "impact-years",
    "repayments_after_horizon_usd": "repayments after the horizon",
    "financing_net_present_cost_usd": "financing net present cost",
    "debt_outlives_horizon": "debt outlives the plan",
    "cost_usd": "cost",
    "budget_usd": "budget",
    "released_m2": "released",
    "remaining_area_m2": "remaining area",
    "national_share_of_cost": "national share of cost",
    "article5_completion_year": "Article 5 completion",
    "meets_deadline": "meets deadline",
    "completion_year": "all released (outlook)",
}


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def _impact_years(row: pd.Series, summary: dict[str, Any]) -> float:
    """Impact-years from the summary when it has them, else the row's objective."""
    v = _num(summary.get("impact_years"))
    if math.isnan(v):
        v = _num(row.get("impact_years", row.get("objective")))
    return v


def _per_year(summary: dict[str, Any], key: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for rec in summary.get("per_year") or []:
        if isinstance(rec, dict) and "year" in rec:
            out[int(rec["year"])] = _num(rec.get(key))
    return out


def _flag(comp: pd.DataFrame, i: int) -> bool:
    """Is scenario ``i`` still repaying its financing after the horizon?"""
    return "debt_outlives_horizon" in comp and bool(comp["debt_outlives_horizon"].iloc[i] or False)


def _debts(comp: pd.DataFrame, summaries: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """Per scenario whose debt outlives the plan: what falls after it, for the page's note."""
    out = []
    for i, r in enumerate(comp.to_dict("records")):
        if not _flag(comp, i):
            continue
        cost = (summaries.get(str(r["scenario"])) or {}).get("scenario") or {}
        rate = _num((cost.get("financing_cost") or {}).get("discount_rate"))
        out.append(
            {
                "name": str(r["scenario"]),
                "repaid": fmt.money(r.get("repayments_after_horizon_usd")),
                "until": fmt.year(r.get("financing_last_repayment_year")),
                "pv": fmt.money(r.get("repayments_after_horizon_pv_usd")),
                "rate": "" if math.isnan(rate) else f" at {rate:.1%}",
                "npc": fmt.money(r.get("financing_net_present_cost_usd")),
            }
        )
    return out


def _charts(
    names: list[str], comp: pd.DataFrame, summ: dict[str, dict[str, Any]], impact: list[float]
) -> list[Figure]:
    colours = {n: CATEGORICAL[i % len(CATEGORICAL)] for i, n in enumerate(names)}
    cost = [_num(v) for v in comp["cost_usd"]]
    charts = [
        Figure(
            "Impact-years by scenario",
            Markup(
                hbar_chart(
                    [
                        n + (" (debt after the plan)" if _flag(comp, i) else "")
                        for i, n in enumerate(names)
                    ],
                    [Series("impact-years", impact, CATEGORICAL[0])],
                    title="Impact-years by scenario",
                    x_fmt=fmt.compact,
                )
            ),
        ),
        Figure(
            "Total cost by scenario",
            Markup(
                hbar_chart(
                    names,
                    [Series("cost", cost, CATEGORICAL[1])],
                    title="Total cost by scenario",
                    x_fmt=fmt.money_tick,
                )
            ),
        ),
    ]
    years = sorted({y for n in names for y in _per_year(summ[n], "remaining_area_m2")})
    if not years:
        remaining = [_num(v) for v in comp["remaining_area_m2"]]
        chart = hbar_chart(
            names,
            [Series("remaining area", remaining, CATEGORICAL[2])],
            title="Remaining area at the end",
            x_fmt=fmt.area_tick,
        )
        return [*charts, Figure("Remaining area at the end", Markup(chart))]
    start_area = max(
        (_num((summ[n].get("totals") or {}).get("area_m2")) for n in names), default=math.nan
    )
    series = []
    for i, n in enumerate(names):
        per = _per_year(summ[n], "remaining_area_m2")
        values = [per.get(y, math.nan) for y in years]
        if not math.isnan(start_area):
            values = [start_area, *values]
        series.append(Series(n, values, colours[n], dashed=i % 2 == 1))
    x = (["start"] if not math.isnan(start_area) else []) + [str(y) for y in years]
    burn = line_chart(
        x,
        series,
        title="Remaining contaminated area by year per scenario",
        y_fmt=fmt.area_tick,
        y_label="remaining area at year end",
    )
    spend = bar_chart(
        [str(y) for y in years],
        [
            Series(n, [_per_year(summ[n], "cost_usd").get(y, math.nan) for y in years], colours[n])
            for n in names
        ],
        title="Spending by year per scenario",
        y_fmt=fmt.money_tick,
        y_label="USD",
    )
    return [
        *charts,
        Figure("Remaining contaminated area by year", Markup(burn)),
        Figure("Spending by year", Markup(spend)),
    ]


def _article5_rows(
    names: list[str], comp: pd.DataFrame, deadline: int | None
) -> list[dict[str, str]]:
    """Article 5 completion per scenario: a year, or "not within the plan"."""
    outlook = (
        comp["completion_year"] if "completion_year" in comp else pd.Series([None] * len(comp))
    )
    rows = []
    for n, year, later in zip(names, comp["article5_completion_year"], outlook, strict=True):
        y = _num(year)
        cls = "" if deadline is None else ("bad" if math.isnan(y) or y > deadline else "good")
        rows.append(
            {
                "name": n,
                "done": "not within the plan" if math.isnan(y) else f"{int(y)}",
                "outlook": fmt.year(later),
                "cls": cls,
            }
        )
    return rows


def render_comparison(comparison: pd.DataFrame, summaries: dict[str, dict[str, Any]]) -> str:
    """The comparison page as a string."""
    missing = [c for c in REQUIRED if c not in comparison.columns]
    if missing:
        raise ValueError(f"comparison lacks column(s): {', '.join(missing)}")
    comp = comparison.reset_index(drop=True)
    names = [str(s) for s in comp["scenario"]]
    summ = {n: summaries.get(n, {}) or {} for n in names}
    impact = [_impact_years(comp.iloc[i], summ[n]) for i, n in enumerate(names)]
    deadline = next(
        (d for n in names if (d := (summ[n].get("article5") or {}).get("deadline_year"))), None
    )
    key = comp[[c for c in KEY_COLUMNS if c in comp.columns]]
    more = [c for c in comp.columns if c not in key.columns]
    best = int(pd.Series(impact).idxmax()) if any(not math.isnan(v) for v in impact) else None
    return render(
        "comparison.html.j2",
        title="Scenario comparison",
        subtitle=f"{len(names)} scenarios",
        nav=[("overview", "Overview"), ("charts", "Charts"), ("article5", "Article 5")],
        best=None
        if best is None
        else {
            "name": names[best],
            "value": impact[best],
            "debt": (
                fmt.money(comp["repayments_after_horizon_usd"].iloc[best])
                if _flag(comp, best)
                else ""
            ),
        },
        debts=_debts(comp, summ),
        key_table=table_view(key, labels=LABELS),
        all_table=table_view(comp[["scenario", *more]], collapse=False) if more else None,
        figures=_charts(names, comp, summ, impact),
        article5=_article5_rows(names, comp, deadline),
        deadline=deadline,
    )


def write_comparison_report(
    comparison: pd.DataFrame, summaries: dict[str, dict[str, Any]], path: Path
) -> Path:
    """Write the comparison page to ``path`` atomically and return the path."""

    text = render_comparison(comparison, summaries)
    return write_atomic(Path(path), lambda p: p.write_text(text, encoding="utf-8"))
