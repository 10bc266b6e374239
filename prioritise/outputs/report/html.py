"""Assemble ``report.html``: headline, map, charts, indicator tables, value for money,
marginal values and explanations, in one self-contained page.

Every section opens with a short "how to read this", because the readers (authority staff,
donors, evaluators) see the page without the person who ran the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from prioritise.analyses.indicators import ReportData, sadd_columns
from prioritise.core import fmt
from prioritise.outputs.files import write_atomic
from prioritise.outputs.report.maps import plan_map
from prioritise.outputs.report.page import clean, esc, how, page, script_json, table_html
from prioritise.outputs.report.script import SCRIPT
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

MAP_CSS = """
.mapwrap{position:relative;border:1px solid var(--line);border-radius:6px;background:#fbfcfd}
svg.map{display:block;width:100%;height:auto;max-height:min(80vh,860px);cursor:grab;
 user-select:none}
svg.map .hz path,svg.map .hz circle{stroke:#222;stroke-width:.6;stroke-opacity:.7;
 vector-effect:non-scaling-stroke}
svg.map .mk circle{stroke:#fff;stroke-width:.8;stroke-opacity:.9}
svg.map .hz path:hover,svg.map .hz circle:hover{stroke:#d00;stroke-width:2;stroke-opacity:1}
svg.map .prov path{fill:none;stroke:#7a8591;stroke-width:1.4;vector-effect:non-scaling-stroke}
svg.map .prov-labels text{font-size:calc(150px / var(--z, 1));fill:#56606b;opacity:.85;
 text-anchor:middle;pointer-events:none;font-weight:600}
svg.map .deps line{stroke-width:1;vector-effect:non-scaling-stroke;stroke-opacity:.75;
 pointer-events:stroke}
svg.map .deps .dep-explicit{stroke:#6a3d9a;marker-end:url(#arrow-dep-explicit)}
svg.map .deps .dep-road{stroke:#d95f02;stroke-dasharray:4 3;marker-end:url(#arrow-dep-road)}
svg.map .ah-dep-explicit{fill:#6a3d9a}
svg.map .ah-dep-road{fill:#d95f02}
#map-tip{position:absolute;pointer-events:none;background:#fff;border:1px solid #aaa;
 border-radius:4px;padding:6px 8px;font-size:12px;box-shadow:0 2px 8px rgba(0,0,0,.15);
 max-width:340px;z-index:4}
#map-tip table,#hazard-details table{margin:0}
#map-tip th,#map-tip td{padding:1px 6px;border:0;position:static;background:none}
.maprow{display:grid;grid-template-columns:minmax(0,1fr) 340px;gap:14px;align-items:start}
#hazard-details{border:1px solid var(--line);border-radius:6px;padding:8px 10px;
 font-size:12.5px;min-height:120px}
#hazard-details th{position:static;background:none;width:38%}
.bh{font-weight:600;margin:8px 0 2px}
.breakdown td{border:0;padding:1px 4px}
.bar{display:inline-block;height:9px;background:var(--accent);margin-right:6px;
 vertical-align:middle}
.bv{font-variant-numeric:tabular-nums}
.why{margin:8px 0 0;color:#333}
.legend{display:flex;flex-wrap:wrap;gap:4px 6px;margin:8px 0}
.legend button{font:inherit;font-size:12px;border:1px solid var(--line);background:#fff;
 border-radius:12px;padding:2px 9px;cursor:pointer}
.legend button[aria-pressed=false]{opacity:.4;text-decoration:line-through}
.sw{display:inline-block;width:12px;height:12px;border:1px solid #555;margin-right:5px;
 vertical-align:-2px}
.ln{display:inline-block;width:20px;height:0;border-top:2px solid #6a3d9a;margin-right:5px;
 vertical-align:3px}
.ln.dep-road{border-top:2px dashed #d95f02}
.controls{margin:6px 0}
.controls button{font:inherit;font-size:12px;padding:2px 8px;margin-right:4px}
@media (max-width:1000px){.maprow{grid-template-columns:1fr}}
@media print{#map-tip,#hazard-details{display:none}.maprow{display:block}
 svg.map{max-height:none}}
"""


STATUS_TEXT = {
    "optimal": "proven optimal",
    "gap_limit": "within the gap target",
    "time_limit": "stopped at the time limit",
    "no_solution": "no plan found",
    "infeasible": "infeasible",
    "error": "solver error",
}


def method_labels(problem: Any) -> dict[str, str]:
    labels = {m.name: m.label for m in problem.settings.methods}
    labels.setdefault("estimate", "operator's estimate")
    return labels


# --- sections ---------------------------------------------------------------------------


def _kpi(key: str, label: str, value_text: str, raw: Any, sub: str = "", cls: str = "") -> str:
    raw_attr = "" if raw is None else esc(repr(clean(raw)))
    return (
        f'<div class="kpi" data-key="{esc(key)}" data-value="{raw_attr}">'
        f'<div class="l">{esc(label)}</div><div class="v {cls}">{esc(value_text)}</div>'
        f'<div class="s">{sub}</div></div>'
    )


def headline_section(data: ReportData) -> str:
    h = data.headline
    uplift = h["uplift_impact_years"]
    pct = h["uplift_percent"]
    a5_year = h["article5_completion_year"]
    deadline = h["article5_deadline_year"]
    if h["article5_hazards"]:
        a5_text = str(a5_year) if a5_year is not None else "not within the plan"
        a5_sub = f"{h['article5_hazards']} Article 5 hazards" + (
            f"; deadline {deadline}" if deadline else ""
        )
        a5_cls = (
            "good"
            if h["article5_meets_deadline"]
            else "bad"
            if h["article5_meets_deadline"] is False
            else ""
        )
    else:
        a5_text, a5_sub, a5_cls = "none", "no Article 5 hazards in the inventory", ""
    groups = h["beneficiary_groups"]
    ben_sub = (
        " · ".join(f"{esc(g)} {fmt.number(v)}" for g, v in groups.items())
        if groups
        else "no sex/age breakdown in the data"
    )
    gap = h["gap"]
    cards = [
        _kpi(
            "impact_years",
            "Impact-years",
            fmt.number(h["impact_years"], 1),
            h["impact_years"],
            f"objective {fmt.number(h['objective'], 1)} (incl. environmental term)",
        ),
        _kpi(
            "uplift_impact_years",
            "Uplift over ranking baseline",
            ("–" if uplift is None else f"{uplift:+,.1f}"),
            uplift,
            f"{'' if pct is None else f'{pct:+.1f}% · '}baseline "
            f"{fmt.number(h['baseline_objective'], 1)}",
            "good" if (uplift or 0) > 0 else "",
        ),
        _kpi(
            "released_m2",
            "Area released",
            fmt.area(h["released_m2"]),
            h["released_m2"],
            f"of {fmt.area(h['area_m2'])}; {fmt.area(h['remaining_area_m2'])} remains",
        ),
        _kpi(
            "cost_usd",
            "Cost",
            fmt.money(h["cost_usd"]),
            h["cost_usd"],
            f"of {fmt.money(h['budget_usd'])} budget",
        ),
        _kpi(
            "beneficiaries",
            "Beneficiaries",
            fmt.number(h["beneficiaries"]),
            h["beneficiaries"],
            ben_sub,
        ),
        _kpi("article5_completion_year", "Article 5 completion", a5_text, a5_year, a5_sub, a5_cls),
        _kpi(
            "status",
            "Solver status",
            STATUS_TEXT.get(h["status"], h["status"]),
            h["status"],
            f"gap {'–' if gap is None else f'{gap:.2%}'} · {esc(h['solver'])} · "
            f"{h['solve_seconds']:.1f} s",
        ),
        _kpi(
            "hazards_scheduled",
            "Hazards scheduled",
            f"{h['hazards_scheduled']:,}",
            h["hazards_scheduled"],
            f"of {h['hazards_total']:,} in the inventory",
        ),
    ]
    return (
        '<section id="headline"><h2>Headline</h2>'
        + how(
            "<b>Impact-years</b> add up each released hazard's impact score times the "
            "(discounted) years it is in use before the plan ends, so finishing important "
            "land early counts more. The <b>ranking baseline</b> is the usual practice on the "
            "same money and teams: rank by score and fill each year down the list. A gap of "
            "0% means the plan is proven best; a gap of 1% means no plan can beat it by more "
            "than 1%."
        )
        + '<div class="kpis">'
        + "".join(cards)
        + "</div></section>"
    )


def _hazard_payload(result: PlanResult, data: ReportData) -> dict[str, Any]:
    problem = result.problem
    wp = result.workplan
    labels = method_labels(problem)
    contrib = problem.contributions.drop(columns="hazard_id")
    cols = [str(c) for c in contrib.columns]
    k = np.round(contrib.to_numpy(float), 2)
    why = (
        data.explanations.set_index("hazard_id")["explanation"]
        if "explanation" in data.explanations
        else pd.Series(dtype=object)
    )
    out: dict[str, Any] = {}
    for i, r in enumerate(wp.itertuples(index=False)):
        hid = str(r.hazard_id)
        out[hid] = {
            "n": clean(r.name) or "",
            "p": clean(r.province),
            "y": clean(r.year),
            "m": labels.get(str(r.method), clean(r.method)),
            "o": clean(r.operator),
            "c": clean(r.cost_usd),
            "a": clean(r.area_m2),
            "r": clean(r.released_m2),
            "b": clean(r.baseline_year),
            "i": clean(r.impact),
            "k": [clean(v) for v in k[i]],
            "e": clean(why.get(hid, r.reason or "")),
        }
    return {"cols": cols, "h": out}


def map_section(result: PlanResult, data: ReportData) -> tuple[str, str]:
    m = plan_map(result.problem, result.workplan)
    if m is None:
        return (
            '<section id="map"><h2>Map</h2><p class="note">The hazards have no '
            "geometry or coordinates, so there is no map. Give polygons or lon/lat columns "
            "to get one.</p></section>",
            "",
        )
    missing = (
        f'<p class="note">{m.missing} hazard(s) have no geometry and are not on the map.</p>'
        if m.missing
        else ""
    )
    body = (
        '<section id="map"><h2>Map of the plan</h2>'
        + how(
            "Each hazard is coloured by the year the plan completes it (dark = early, light "
            "= late); grey ones are not scheduled. Hazards too small to see at this scale "
            "also get a dot. Lines join a hazard to the one it needs cleared first "
            "(solid: given in the inputs; dashed orange: derived from the road network). "
            "Hover over a hazard for its facts, click it for its score breakdown and why it "
            "sits in that year. Scroll or use the buttons to zoom, drag to pan; click a "
            "legend entry to hide it."
        )
        + '<div class="controls"><button type="button" data-zoom="in">Zoom in</button>'
        '<button type="button" data-zoom="out">Zoom out</button>'
        '<button type="button" data-zoom="reset">Reset view</button></div>'
        + m.legend
        + '<div class="maprow"><div class="mapwrap">'
        + m.svg
        + '<div id="map-tip" hidden></div></div>'
        '<aside id="hazard-details"><p class="note">Click a hazard on the map to see its '
        "details here.</p></aside></div>" + missing + "</section>"
    )
    return body, m.css


def _years(problem: Any) -> list[int]:
    return list(problem.years)


def charts_section(result: PlanResult, data: ReportData) -> str:
    problem = result.problem
    years = _years(problem)
    plan_k, base_k = data.kpis["optimised"], data.kpis["baseline"]
    total_area = float(problem.hazards["area_m2"].fillna(0).sum())
    burn = line_chart(
        ["start", *years],
        [
            Series("Optimised plan", [total_area, *plan_k["remaining_area_m2"]], PLAN_COLOUR),
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
    budget = bar_chart(
        years,
        [
            Series("Optimised plan spending", list(plan_k["cost_usd"]), PLAN_COLOUR),
            Series("Baseline spending", list(base_k["cost_usd"]), BASELINE_COLOUR),
        ],
        lines=[Series("Budget", list(plan_k["budget_usd"]), AVAILABLE_COLOUR)],
        title="Budget and spending by year",
        y_fmt=fmt.money,
        y_label="USD",
    )
    teams = []
    td = data.team_days
    for team, part in td.groupby("team_type", sort=False):
        teams.append(
            f"<figure><figcaption>Team-days: {esc(team)}</figcaption>"
            + bar_chart(
                years,
                [
                    Series("Used (plan)", list(part["used_optimised"]), PLAN_COLOUR),
                    Series("Used (baseline)", list(part["used_baseline"]), BASELINE_COLOUR),
                ],
                lines=[Series("Available", list(part["available"]), AVAILABLE_COLOUR)],
                title=f"Team-days used and available: {team}",
                y_fmt=fmt.compact,
                height=240,
            )
            + "</figure>"
        )
    labels = method_labels(problem)
    bm = data.by_method["optimised"]
    method_chart = bar_chart(
        years,
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
    return (
        '<section id="charts"><h2>Progress, money and teams</h2>'
        + how(
            "The <b>burn-down</b> shows contaminated area left at the end of each year; the "
            "lower and earlier the line falls, the sooner land is back in use. In the "
            "<b>budget</b> and <b>team-days</b> charts a bar reaching the dark tick means "
            "that resource was used up that year, which is usually why work waits for a "
            "later year. Hover over a bar or point for its value."
        )
        + '<div class="charts">'
        + f"<figure><figcaption>Remaining contaminated area (burn-down)</figcaption>{burn}"
        "</figure>"
        + f"<figure><figcaption>Budget and spending</figcaption>{budget}</figure>"
        + "".join(teams)
        + f"<figure><figcaption>Area released by method</figcaption>{method_chart}</figure>"
        + f"<figure><figcaption>Area released by province</figcaption>{prov_chart}</figure>"
        + "</div></section>"
    )


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
KPI_TOTALS = [
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


def tables_section(result: PlanResult, data: ReportData) -> str:
    plan_k = data.kpis["optimised"]
    base_k = data.kpis["baseline"]
    env = {"environmental_score": lambda v: fmt.number(v, 2)}
    yp = data.by_year_province
    return (
        '<section id="indicators"><h2>Reporting indicators by year</h2>'
        + how(
            "The same indicators every year, as Article 7 reports and extension requests "
            "ask for them: area <b>cancelled</b> by non-technical survey, <b>reduced</b> by "
            "technical survey and <b>cleared</b>; cost per m² released; beneficiaries; the "
            "share of money going to national operators (localisation); the environmental "
            "score (method disturbance × site sensitivity, lower is better) and the "
            "contaminated area still remaining at year end."
        )
        + table_html(
            plan_k,
            labels=KPI_LABELS,
            total=[c for c in KPI_TOTALS if c in plan_k],
            formats=env,
            caption="Optimised plan",
        )
        + "<details><summary>The same indicators for the ranking baseline</summary>"
        + table_html(
            base_k,
            labels=KPI_LABELS,
            total=[c for c in KPI_TOTALS if c in base_k],
            formats=env,
            caption="Ranking baseline",
        )
        + "</details>"
        + "<h3>Workplan by year and province</h3>"
        + table_html(
            yp,
            labels=KPI_LABELS,
            total=[
                "hazards",
                "cancelled_m2",
                "reduced_m2",
                "cleared_m2",
                "released_m2",
                "cost_usd",
                "beneficiaries",
            ],
        )
        + "</section>"
    )


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
}


def _effectiveness_format(measure: str, v: Any) -> str:
    if fmt.missing(v):
        return "–"
    if "USD" in measure and "per" not in measure:
        return fmt.money(v)
    if "m²" in measure:
        return fmt.area(v)
    if "per USD" in measure:
        return fmt.number(v, 3)
    if "impact-years" in measure:
        return fmt.number(v, 1)
    return fmt.number(v)


def vfm_section(result: PlanResult, data: ReportData) -> str:
    v = data.vfm
    labels = method_labels(result.problem)
    eff = v.efficiency.copy()
    eff["method"] = eff["method"].map(lambda m: labels.get(str(m), str(m)))
    effect = v.effectiveness
    rows = []
    for rec in effect.itertuples(index=False):
        rows.append(
            f"<tr><td>{esc(rec.measure)}</td>"
            f'<td class="n">{esc(_effectiveness_format(rec.measure, rec.optimised))}'
            f'</td><td class="n">{esc(_effectiveness_format(rec.measure, rec.baseline))}'
            "</td></tr>"
        )
    effect_html = (
        '<div class="tablewrap"><table><thead><tr><th>measure</th>'
        '<th class="n">optimised plan</th><th class="n">ranking baseline</th></tr>'
        "</thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )
    groups = v.equity_groups
    groups_html = (
        table_html(groups, labels=VFM_LABELS)
        if len(groups)
        else '<p class="note">The hazards carry no beneficiaries_women/men/girls/boys '
        "columns, so the split by sex and age cannot be shown.</p>"
    )
    return (
        '<section id="vfm"><h2>Value for money: the four Es</h2>'
        + how(
            "Each E compares the optimised plan with the ranking baseline on the same "
            "inputs. <b>Economy</b>: are inputs bought at the expected price? (cost per "
            "team-day against the day rates in teams.csv; a higher figure means per-m² "
            "costs or operators' own estimates add to the rates). <b>Efficiency</b>: cost "
            "per m² released, by method and operator type. <b>Effectiveness</b>: what the "
            "money buys, in impact-years and beneficiaries per US$1,000. <b>Equity</b>: who "
            "benefits, by province and by sex and age."
        )
        + "<h3>Economy</h3>"
        + table_html(v.economy, labels=VFM_LABELS)
        + "<h3>Efficiency</h3>"
        + table_html(eff, labels=VFM_LABELS)
        + "<h3>Effectiveness</h3>"
        + effect_html
        + "<h3>Equity across provinces</h3>"
        + table_html(v.equity_provinces, labels=VFM_LABELS)
        + "<h3>Equity across beneficiary groups</h3>"
        + groups_html
        + "</section>"
    )


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


def marginal_section(data: ReportData) -> str:
    rel = data.relaxation
    m = data.marginal
    if rel.get("status") != "optimal" or m.empty:
        body = (
            f'<p class="note">Marginal values were not computed (LP relaxation status: '
            f"{esc(rel.get('status'))}).</p>"
        )
    else:
        sentences = marginal_sentences(m)
        pivot_b = m[m["resource"] == "budget"][
            ["year", "available", "used_lp", "marginal_value"]
        ].rename(
            columns={
                "available": "budget_usd",
                "used_lp": "spent_in_relaxation_usd",
                "marginal_value": "marginal_value_per_usd",
            }
        )
        pivot_b["per_usd_1m"] = pivot_b["marginal_value_per_usd"] * 1e6
        days = m[m["resource"] == "team-days"].pivot_table(
            index="year", columns="team_type", values="marginal_value", aggfunc="first"
        )
        days.columns = [f"{c}" for c in days.columns]
        days = days.reset_index()
        zero = (
            "All marginal values are zero: with these inputs no single year's money or "
            "team-days limits the plan."
            if not sentences
            else ""
        )
        body = (
            "<ul>"
            + "".join(f"<li>{esc(s)}</li>" for s in sentences)
            + "</ul>"
            + (f'<p class="note">{zero}</p>' if zero else "")
            + "<h3>Budget</h3>"
            + table_html(
                pivot_b,
                labels={
                    "marginal_value_per_usd": "impact-years per extra USD",
                    "per_usd_1m": "impact-years per extra US$1m",
                },
                formats={
                    "marginal_value_per_usd": lambda x: f"{float(x):.4g}",
                    "per_usd_1m": lambda x: fmt.number(x, 1),
                },
            )
            + "<h3>Team-days (impact-years per extra team-day)</h3>"
            + table_html(
                days,
                formats={c: (lambda x: f"{float(x):.4g}") for c in days.columns if c != "year"},
            )
            + '<p class="note">LP relaxation objective '
            f"{fmt.number(rel.get('relaxation_objective'), 1)} impact-years, solved in "
            f"{rel.get('seconds', 0):.1f} s.</p>"
        )
    return (
        '<section id="marginal"><h2>Marginal values of money and teams</h2>'
        + how(
            "What one more unit of a resource would add, read from the duals of the plan's "
            "<b>LP relaxation</b> (the same model with yes/no decisions allowed to be "
            "fractional). A high value in a year means that year's money or teams are what "
            "hold the plan back, and is where extra funding or capacity does most good; "
            "zero means that resource is not binding. They are rates for small changes and "
            "approximate the whole-hazard plan: a large extra sum buys less per dollar "
            "once the best extra work is done. With carry-over, a dollar in an early year "
            "can also be spent later, so early years are worth at least as much."
        )
        + body
        + "</section>"
    )


def explanations_section(result: PlanResult, data: ReportData, max_rows: int = 150) -> str:
    ex = data.explanations
    if ex.empty:
        return ""
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
    lines = "".join(f"<li>{n:,} hazards held back {esc(k)}</li>" for k, n in counts.items() if n)
    return (
        '<section id="why"><h2>Why hazards sit where they are</h2>'
        + how(
            "For every hazard the plan states what kept it from an earlier year (that "
            "year's budget or a team type's days used up, a prerequisite done later, a "
            "lock) or, if unscheduled, what blocks it. The full list is in "
            "<b>explanations.csv</b>; click a hazard on the map for its own. The forcing "
            "cost shown here is a quick LP estimate; <code>prioritise explain PROJECT "
            "HAZARD_ID</code> re-solves the plan with that hazard forced in for the exact "
            "figure."
        )
        + f"<ul>{lines}</ul>"
        + f"<p>{len(late):,} scheduled hazards wait for money or teams; {len(un):,} are not "
        "scheduled.</p>"
        + "<h3>Unscheduled hazards (highest score first)</h3>"
        + table_html(
            un[["hazard_id", "name", "province", "impact", "why", "force_cost_lp_estimate"]],
            max_rows=max_rows,
            labels={"force_cost_lp_estimate": "forcing cost (LP estimate)"},
            formats={"force_cost_lp_estimate": lambda x: fmt.number(x, 2)},
        )
        + "</section>"
    )


def assumptions_section(result: PlanResult) -> str:
    p = result.problem
    s = p.settings
    rows = [
        ("Plan years", f"{p.years[0]}-{p.years[-1]}"),
        ("Discount rate", f"{s.plan.discount_rate:g}"),
        ("Carry-over of unspent money", "yes" if s.plan.carry_over else "no"),
        ("Article 5 deadline", s.plan.deadline_year or "none"),
        ("Environmental weight", f"{s.plan.environment_weight:g}"),
        ("Minimum national share of spending", fmt.percent(s.constraints.localisation_min_share)),
        ("Default province equity share", fmt.percent(s.constraints.equity_default_share)),
        (
            "Solver",
            f"{result.summary.solver}, time limit "
            f"{result.summary.time_limit:g} s, gap target "
            f"{result.summary.gap_target:g}",
        ),
    ]
    basic = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
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
    warnings = result.summary.warnings
    return (
        '<section id="assumptions"><h2>Assumptions and inputs</h2>'
        + how(
            "Everything that shaped the plan. Change any of these in the project file and "
            "re-run to see how the plan responds; the workbook's Assumptions sheet lists "
            "them all, including every year's budget and team-days."
        )
        + f"<table>{basic}</table>"
        + ("<h3>Scoring criteria</h3>" + table_html(crit) if len(crit) else "")
        + "<h3>Teams</h3>"
        + table_html(teams, labels={"cost_per_day": "cost per team-day"})
        + (
            "<h3>Warnings from validation</h3><ul>"
            + "".join(f'<li class="warn">{esc(w)}</li>' for w in warnings[:50])
            + "</ul>"
            if warnings
            else ""
        )
        + "</section>"
    )


def render_report(result: PlanResult, data: ReportData) -> str:
    """The whole report.html as a string."""
    problem = result.problem
    map_html, map_css = map_section(result, data)
    body = "".join(
        [
            headline_section(data),
            map_html,
            charts_section(result, data),
            tables_section(result, data),
            vfm_section(result, data),
            marginal_section(data),
            explanations_section(result, data),
            assumptions_section(result),
            script_json("hazard-data", _hazard_payload(result, data)),
        ]
    )
    nav = [
        ("headline", "Headline"),
        ("map", "Map"),
        ("charts", "Charts"),
        ("indicators", "Indicators"),
        ("vfm", "Value for money"),
        ("marginal", "Marginal values"),
        ("why", "Explanations"),
        ("assumptions", "Assumptions"),
    ]
    status = STATUS_TEXT.get(result.summary.status, result.summary.status)
    subtitle = (
        f"Clearance workplan {problem.years[0]}-{problem.years[-1]} · "
        f"{len(problem.hazards):,} hazards · plan {status}"
    )
    sadd = "with" if sadd_columns(problem) else "without"
    footer = (
        f"Generated by prioritise from {esc(problem.settings.data.hazards.name)} "
        f"({sadd} sex/age-disaggregated beneficiaries). Files beside this report: "
        "workplan.csv, summary.json, explanations.csv, workplan.xlsx"
        + (", plan.geojson, plan.gpkg" if problem.geometry is not None else "")
        + "."
    )
    return page(
        f"Workplan: {problem.settings.name}",
        subtitle,
        nav,
        body,
        extra_css=MAP_CSS + "\n" + map_css,
        script=SCRIPT,
        footer=footer,
    )


def write_report(result: PlanResult, path: Path, data: ReportData) -> Path:
    """Write report.html atomically from the plan and its prepared report data."""
    html = render_report(result, data)
    return write_atomic(path, lambda p: p.write_text(html, encoding="utf-8"))
