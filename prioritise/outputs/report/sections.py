"""The report's sections as plain values for the template: tables as
:class:`~prioritise.outputs.report.page.TableView`, charts as SVG markup, sentences as text.

Nothing here writes markup beyond the SVG charts (built with escaping in :mod:`.svg`); the
layout and the prose are in ``templates/report.html.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from markupsafe import Markup

from prioritise.analyses.indicators import YEAR_PROVINCE_TOTALS, ReportData, kpi_total_columns
from prioritise.core import fmt
from prioritise.outputs.report.page import Cell, TableView, table_view
from prioritise.outputs.report.svg import (
    AVAILABLE_COLOUR,
    BASELINE_COLOUR,
    CATEGORICAL,
    PLAN_COLOUR,
    Series,
    bar_chart,
    hbar_chart,
    line_chart,
)

if TYPE_CHECKING:
    from prioritise.planning.planner import PlanResult


def method_labels(problem: Any) -> dict[str, str]:
    labels = {m.name: m.label for m in problem.settings.methods}
    labels.setdefault("estimate", "operator's estimate")
    return labels


@dataclass(frozen=True)
class Figure:
    caption: str
    svg: Markup


def figures(result: PlanResult, data: ReportData) -> list[Figure]:
    """Burn-down, budget, team-days per team type, area by method and by province."""
    problem = result.problem
    years = list(problem.years)
    plan_k, base_k = data.kpis["optimised"], data.kpis["baseline"]
    total_area = float(problem.hazards["area_m2"].fillna(0).sum())
    out = [
        Figure(
            "Remaining contaminated area (burn-down)",
            Markup(
                line_chart(
                    ["start", *years],
                    [
                        Series(
                            "Optimised plan",
                            [total_area, *plan_k["remaining_area_m2"]],
                            PLAN_COLOUR,
                        ),
                        Series(
                            "Ranking baseline",
                            [total_area, *base_k["remaining_area_m2"]],
                            BASELINE_COLOUR,
                            dashed=True,
                        ),
                    ],
                    title="Remaining contaminated area by year",
                    y_fmt=fmt.area_tick,
                    y_label="remaining area at year end",
                )
            ),
        ),
        Figure(
            "Budget and spending",
            Markup(
                bar_chart(
                    years,
                    [
                        Series("Optimised plan spending", list(plan_k["cost_usd"]), PLAN_COLOUR),
                        Series("Baseline spending", list(base_k["cost_usd"]), BASELINE_COLOUR),
                    ],
                    lines=[Series("Budget", list(plan_k["budget_usd"]), AVAILABLE_COLOUR)],
                    title="Budget and spending by year",
                    y_fmt=fmt.money_tick,
                    y_label="USD",
                )
            ),
        ),
    ]
    out += _team_figures(years, data)
    out += _release_figures(result, data)
    return out


def _team_figures(years: list[int], data: ReportData) -> list[Figure]:
    out = []
    for team, part in data.team_days.groupby("team_type", sort=False):
        chart = bar_chart(
            years,
            [
                Series("Used (plan)", list(part["used_optimised"]), PLAN_COLOUR),
                Series("Used (baseline)", list(part["used_baseline"]), BASELINE_COLOUR),
            ],
            lines=[Series("Available", list(part["available"]), AVAILABLE_COLOUR)],
            title=f"Team-days used and available: {team}",
            y_fmt=fmt.compact,
            size=(640, 240),
        )
        out.append(Figure(f"Team-days: {team}", Markup(chart)))
    return out


def _release_figures(result: PlanResult, data: ReportData) -> list[Figure]:
    labels = method_labels(result.problem)
    bm = data.by_method["optimised"]
    method_chart = bar_chart(
        list(result.problem.years),
        [
            Series(labels.get(str(c), str(c)), list(bm[c]), CATEGORICAL[i % len(CATEGORICAL)])
            for i, c in enumerate(bm.columns)
        ],
        stacked=True,
        title="Area released by method and year (optimised plan)",
        y_fmt=fmt.area_tick,
        y_label="area released",
    )
    eq = data.vfm.equity_provinces
    prov_chart = hbar_chart(
        list(eq["province"]),
        [
            Series("Optimised plan", list(eq["released_m2_optimised"]), PLAN_COLOUR),
            Series("Ranking baseline", list(eq["released_m2_baseline"]), BASELINE_COLOUR),
            Series("Contaminated", list(eq["contaminated_m2"]), "#c9ced4"),
        ],
        title="Area released by province over the plan",
        x_fmt=fmt.area_tick,
    )
    return [
        Figure("Area released by method", Markup(method_chart)),
        Figure("Area released by province", Markup(prov_chart)),
    ]


KPI_LABELS = {
    "cancelled_m2": "cancelled",
    "reduced_m2": "reduced",
    "cleared_m2": "cleared",
    "released_m2": "released",
    "cost_usd": "cost",
    "budget_usd": "budget",
    "cost_per_m2_released": "cost per m² released",
    "national_share_of_cost": "share to national operators",
    "environmental_score": "environmental score",
    "remaining_area_m2": "remaining area",
    "impact_years": "impact-years",
    "beneficiaries_women": "women",
    "beneficiaries_men": "men",
    "beneficiaries_girls": "girls",
    "beneficiaries_boys": "boys",
}


def indicator_tables(data: ReportData) -> dict[str, TableView]:
    env = {"environmental_score": lambda v: fmt.number(v, 2)}
    views = {}
    for key, name, caption in (
        ("kpis_plan", "optimised", "Optimised plan"),
        ("kpis_baseline", "baseline", "Ranking baseline"),
    ):
        frame = data.kpis[name]
        views[key] = table_view(
            frame,
            labels=KPI_LABELS,
            total=kpi_total_columns(frame),
            formats=env,
            caption=caption,
        )
    views["by_year_province"] = table_view(
        data.by_year_province, labels=KPI_LABELS, total=YEAR_PROVINCE_TOTALS
    )
    return views


VFM_LABELS = {
    "team_days_optimised": "team-days (plan)",
    "team_days_baseline": "team-days (baseline)",
    "cost_usd_optimised": "cost (plan)",
    "cost_usd_baseline": "cost (baseline)",
    "cost_per_team_day_optimised": "cost per team-day (plan)",
    "cost_per_team_day_baseline": "cost per team-day (baseline)",
    "input_rate_per_team_day_optimised": "input day rate (plan mix)",
    "input_rate_per_team_day_baseline": "input day rate (baseline mix)",
    "hazards_optimised": "hazards (plan)",
    "hazards_baseline": "hazards (baseline)",
    "released_m2_optimised": "released (plan)",
    "released_m2_baseline": "released (baseline)",
    "cost_per_m2_optimised": "cost per m² (plan)",
    "cost_per_m2_baseline": "cost per m² (baseline)",
    "contaminated_m2": "contaminated",
    "share_of_cost_optimised": "share of cost (plan)",
    "share_of_cost_baseline": "share of cost (baseline)",
    "share_of_province_released_optimised": "share of province released (plan)",
    "share_of_province_released_baseline": "share of province released (baseline)",
    "beneficiaries_optimised": "beneficiaries (plan)",
    "beneficiaries_baseline": "beneficiaries (baseline)",
    "optimised": "optimised plan",
    "baseline": "ranking baseline",
    "share_optimised": "share (plan)",
    "share_baseline": "share (baseline)",
    "share_of_all_affected_optimised": "share of all affected reached (plan)",
    "share_of_all_affected_baseline": "share of all affected reached (baseline)",
    "cost_per_beneficiary_optimised": "cost per beneficiary (plan)",
    "cost_per_beneficiary_baseline": "cost per beneficiary (baseline)",
    "impact_years_per_usd1000_optimised": "impact-years per US$1,000 (plan)",
    "impact_years_per_usd1000_baseline": "impact-years per US$1,000 (baseline)",
    "benefit_per_usd_optimised": "PV benefit per US$ of PV cost (plan)",
    "benefit_per_usd_baseline": "PV benefit per US$ of PV cost (baseline)",
    "pv_benefit_usd_optimised": "PV of benefits (plan)",
    "pv_benefit_usd_baseline": "PV of benefits (baseline)",
    "share_of_benefit_optimised": "share of PV benefits (plan)",
    "share_of_benefit_baseline": "share of PV benefits (baseline)",
    "npv_usd_optimised": "NPV (plan)",
    "npv_usd_baseline": "NPV (baseline)",
}


def _effectiveness_format(measure: str, v: Any) -> str:
    if isinstance(v, str):
        return v  # a judgement ("yes", "no deadline set") or a year
    if fmt.missing(v):
        return "–"
    if measure.startswith("share"):
        return fmt.percent(v)
    if "USD" in measure and "per" not in measure:
        return fmt.money(v)
    if "m²" in measure:
        return fmt.area(v)
    if "per USD" in measure:
        return fmt.number(v, 3)
    if "impact-years" in measure:
        return fmt.number(v, 1)
    return fmt.number(v)


def vfm_tables(result: PlanResult, data: ReportData) -> dict[str, TableView | None]:
    v = data.vfm
    labels = method_labels(result.problem)
    eff = v.efficiency.copy()
    eff["method"] = eff["method"].map(lambda m: labels.get(str(m), str(m)))
    effect = TableView(
        head=[Cell("measure"), Cell("optimised plan", True), Cell("ranking baseline", True)],
        rows=[
            [
                Cell(str(rec.measure)),
                Cell(_effectiveness_format(rec.measure, rec.optimised), True),
                Cell(_effectiveness_format(rec.measure, rec.baseline), True),
            ]
            for rec in pd.concat([v.effectiveness, v.targets]).itertuples(index=False)
        ],
    )
    return {
        "economy": table_view(v.economy, labels=VFM_LABELS),
        "efficiency": table_view(eff, labels=VFM_LABELS),
        "effectiveness": effect,
        "equity_provinces": table_view(v.equity_provinces, labels=VFM_LABELS),
        "equity_groups": (
            table_view(v.equity_groups, labels=VFM_LABELS) if len(v.equity_groups) else None
        ),
    }


def marginal_sentences(marginal: pd.DataFrame, limit: int = 4) -> list[str]:
    """The most valuable extra resources, in words."""
    out = []
    m = marginal[marginal["marginal_value"] > 1e-12].sort_values("marginal_value", ascending=False)
    budget = m[m["resource"] == "budget"]
    for rec in budget.head(limit).itertuples(index=False):
        out.append(
            f"One more dollar in {rec.year} is worth {rec.marginal_value:.4g} "
            f"impact-years (US$1m more: about {rec.marginal_value * 1e6:,.0f})."
        )
    days = m[m["resource"] == "team-days"]
    for rec in days.head(limit).itertuples(index=False):
        out.append(
            f"One more {rec.team_type} team-day in {rec.year} is worth "
            f"{rec.marginal_value:.4g} impact-years."
        )
    return out


def _g4(x: Any) -> str:
    return fmt.DASH if fmt.missing(x) else f"{float(x):.4g}"


def marginal_view(data: ReportData) -> dict[str, Any]:
    rel = data.relaxation
    m = data.marginal
    if rel.get("status") != "optimal" or m.empty:
        return {"ok": False, "status": str(rel.get("status"))}
    budget = m[m["resource"] == "budget"][["year", "available", "used_lp", "marginal_value"]]
    budget = budget.rename(
        columns={
            "available": "budget_usd",
            "used_lp": "spent_in_relaxation_usd",
            "marginal_value": "marginal_value_per_usd",
        }
    )
    budget["per_usd_1m"] = budget["marginal_value_per_usd"] * 1e6
    days = m[m["resource"] == "team-days"].pivot_table(
        index="year", columns="team_type", values="marginal_value", aggfunc="first"
    )
    days.columns = [f"{c}" for c in days.columns]
    days = days.reset_index()
    return {
        "ok": True,
        "sentences": marginal_sentences(m),
        "budget": table_view(
            budget,
            labels={
                "marginal_value_per_usd": "impact-years per extra USD",
                "per_usd_1m": "impact-years per extra US$1m",
            },
            formats={
                "marginal_value_per_usd": _g4,
                "per_usd_1m": lambda x: fmt.number(x, 1),
            },
        ),
        "days": table_view(days, formats={c: _g4 for c in days.columns if c != "year"}),
        "objective": rel.get("relaxation_objective"),
        "seconds": float(rel.get("seconds") or 0.0),
    }


def why_view(data: ReportData, max_rows: int = 150) -> dict[str, Any] | None:
    ex = data.explanations
    if ex.empty:
        return None
    un = ex[ex["status"] == "unscheduled"].sort_values("impact", ascending=False)
    late = ex[
        (ex["status"] == "scheduled") & ex["binding"].str.contains("budget|team-days", regex=True)
    ]
    counts = {
        "by a year's budget": int(ex["binding"].str.contains("budget").sum()),
        "by team-days": int(ex["binding"].str.contains("team-days").sum()),
        "by a prerequisite": int(ex["binding"].str.contains("requires|prerequisite").sum()),
        "by a lock": int(ex["binding"].str.contains("lock").sum()),
    }
    return {
        "counts": [(k, n) for k, n in counts.items() if n],
        "late": len(late),
        "unscheduled": len(un),
        "table": table_view(
            un[["hazard_id", "name", "province", "impact", "why", *FORCE_COLUMNS]],
            max_rows=max_rows,
            labels={
                "force_cost_lp_estimate": "forcing cost: estimate (LP, not a bound)",
                "force_cost_at_least": "forcing cost: proven at least",
                "force_cost_note": "forcing cost: how it was found",
            },
            formats={
                "force_cost_lp_estimate": lambda x: (
                    "not computed" if fmt.missing(x) else fmt.number(x, 2)
                ),
                "force_cost_at_least": lambda x: (
                    "none proven" if fmt.missing(x) else fmt.number(x, 2)
                ),
            },
        ),
    }


# Forcing-cost columns of explanations.csv, each labelled for what it is (an estimate, a
# proven bound, or why neither was computed).
FORCE_COLUMNS = ("force_cost_lp_estimate", "force_cost_at_least", "force_cost_note")


def assumptions_view(result: PlanResult) -> dict[str, Any]:
    p = result.problem
    s = p.settings
    summary = result.summary
    basic = [
        ("Plan years", f"{p.years[0]}-{p.years[-1]}"),
        ("Discount rate", f"{s.plan.discount_rate:g}"),
        ("Carry-over of unspent money", "yes" if s.plan.carry_over else "no"),
        ("Article 5 deadline", s.plan.deadline_year or "none"),
        ("Environmental weight", f"{s.plan.environment_weight:g}"),
        ("Minimum national share of spending", fmt.percent(s.constraints.localisation_min_share)),
        ("Default province equity share", fmt.percent(s.constraints.equity_default_share)),
        (
            "Solver",
            f"{summary.solver}, time limit {summary.time_limit:g} s, gap target "
            f"{summary.gap_target:g}",
        ),
    ]
    crit = pd.DataFrame(
        [
            {
                "criterion": c.name,
                "column": c.column,
                "weight": c.weight,
                "type": c.kind,
                "normalise": c.normalise,
                "higher is better": c.higher_is_better,
            }
            for c in s.scoring.criteria
        ]
    )
    teams = p.team_types.copy()
    teams["team_days_first_year"] = [
        float(p.capacity.loc[p.years[0], t]) for t in teams["team_type"]
    ]
    return {
        "basic": basic,
        "criteria": table_view(crit) if len(crit) else None,
        "teams": table_view(teams, labels={"cost_per_day": "cost per team-day"}),
        "warnings": list(summary.warnings[:50]),
    }
