"""Pages of the many-plans analyses: the re-plan's plan against actual (a section of its
``report.html``), ``sensitivity.html`` and ``ladder.html``.

The analyses compute every figure (:mod:`prioritise.analyses.replan`,
:mod:`~prioritise.analyses.sensitivity`, :mod:`~prioritise.analyses.ladder`); here they are
only formatted (:mod:`prioritise.core.fmt` through :func:`table_view`) and laid out by the
templates, on the same page shell, styles and table macro as the plan report.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from prioritise.core import fmt
from prioritise.outputs.files import write_atomic
from prioritise.outputs.report.html import ExtraSection
from prioritise.outputs.report.page import table_view
from prioritise.outputs.report.render import environment, render
from prioritise.outputs.report.svg import PLAN_COLOUR, Series, bar_chart

LABELS = {
    "planned_cost_usd": "planned cost",
    "actual_cost_usd": "actual cost",
    "cost_difference_usd": "actual - planned cost",
    "planned_released_m2": "planned released",
    "actual_released_m2": "actual released",
    "planned_m2": "planned released",
    "budget_usd": "budget",
    "planned_hazards": "hazards planned",
    "actual_hazards_worked": "hazards worked",
}
MAX_ROWS = 500  # longer hazard tables are cut here; the CSV and workbook hold every row


def plan_vs_actual_section(
    by_year: pd.DataFrame, by_hazard: pd.DataFrame, record: dict[str, Any]
) -> ExtraSection:
    """The re-plan report's section: the years reported, planned against done."""
    year = by_year.assign(
        cost_difference_usd=by_year["actual_cost_usd"] - by_year["planned_cost_usd"]
    )
    outcomes = Counter(by_hazard["outcome"]) if len(by_hazard) else Counter()
    html = (
        environment()
        .get_template("plan_vs_actual.html.j2")
        .render(
            years=[fmt.year(y) for y in record["years_reported"]],
            start=fmt.year(record["start_year"]),
            by_year=table_view(year, total=_sums(year)),
            by_hazard=table_view(by_hazard, max_rows=MAX_ROWS),
            outcomes=sorted(outcomes.items(), key=lambda kv: -kv[1]),
            money_in=fmt.money(abs(record["money_in_usd"])),
            owed=record["money_in_usd"] < 0,
            rest_before=fmt.number(record["rest_impact_years_planned_before"], 1),
            rest_after=fmt.number(record["rest_impact_years_replanned"], 1),
            rest_measure=record["rest_measure"],
            status=record["status"],
            notes=record["notes"],
            new_hazards=record.get("new_hazards", []),
        )
    )
    return ExtraSection("plan-vs-actual", "Plan against actual", Markup(html))


def _sums(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if c != "year" and c != "budget_usd" and pd.api.types.is_numeric_dtype(frame[c])
    ]


def sensitivity_page(
    title: str, summary: dict[str, Any], hazards: pd.DataFrame, taus: pd.DataFrame
) -> str:
    """``sensitivity.html``: frequencies per hazard, the robust core and the tau spread."""
    tau = summary["kendall_tau_b"]
    chart = (
        bar_chart(
            [f"{a:.2f}-{b:.2f}" for a, b in zip(taus["tau_from"], taus["tau_to"], strict=True)],
            [Series("Samples", list(taus["samples"]), PLAN_COLOUR)],
            title="Kendall tau-b of each sample's ranking to the plan's",
            y_fmt=fmt.compact,
            y_label="samples",
        )
        if len(taus)
        else ""
    )
    core = hazards[hazards["robust_core"]]
    return render(
        "sensitivity.html.j2",
        title=f"Weight sensitivity: {title}",
        subtitle=f"{summary['samples']} weight samples ({summary['draw']}); shares of samples "
        "are estimates",
        nav=[("overview", "Overview"), ("core", "Robust core"), ("hazards", "Every hazard")],
        s=summary,
        tau={k: fmt.number(v, 3) if v is not None else fmt.DASH for k, v in tau.items()},
        chart=Markup(chart),
        core=table_view(core, max_rows=MAX_ROWS),
        hazards=table_view(hazards, max_rows=MAX_ROWS),
        threshold=fmt.percent(summary["robust_core_threshold"], 0),
    )


def ladder_page(
    title: str,
    summary: dict[str, Any],
    levels: pd.DataFrame,
    priority: pd.DataFrame,
    exceptions: pd.DataFrame,
) -> str:
    """``ladder.html``: the levels, the one priority list and the exceptions with why."""
    return render(
        "ladder.html.j2",
        title=f"Funding ladder: {title}",
        subtitle="Plans at "
        + ", ".join(f"{v:g}" for v in summary["settings"]["levels"])
        + " x every year's budget; teams and rules unchanged",
        nav=[("levels", "Levels"), ("priority", "Priority list"), ("exceptions", "Exceptions")],
        s=summary,
        levels=table_view(levels),
        priority=table_view(priority, max_rows=MAX_ROWS),
        exceptions=table_view(exceptions) if len(exceptions) else None,
    )


def write_page(path: Path, html: str) -> Path:
    return write_atomic(path, lambda p: p.write_text(html, encoding="utf-8"))
