"""Assemble ``report.html``: headline, map, charts, indicator tables, value for money,
marginal values and explanations, rendered from ``templates/report.html.j2`` into one
self-contained page.

This module and :mod:`.sections` turn the plan and its prepared report data into plain
values (cards, tables, figures); the template lays them out and autoescapes every text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from prioritise.analyses.indicators import ReportData, sadd_columns
from prioritise.core import fmt
from prioritise.outputs.files import write_atomic
from prioritise.outputs.report import sections
from prioritise.outputs.report.maps import plan_map
from prioritise.outputs.report.page import clean
from prioritise.outputs.report.render import render

if TYPE_CHECKING:
    from prioritise.planning.planner import PlanResult

PRACTICE = "today's practice"
STATUS_TEXT = {
    "optimal": "proven optimal",
    "gap_limit": "within the gap target",
    "time_limit": "stopped at the time limit",
    "no_solution": "no plan found",
    "infeasible": "infeasible",
    "error": "solver error",
}


@dataclass(frozen=True)
class ExtraSection:
    """A section another analysis adds to the report: its anchor, menu label and markup
    (rendered from its own template, so this module need not know its data)."""

    id: str
    label: str
    html: Markup


@dataclass(frozen=True)
class Card:
    """One headline figure: ``raw`` is the exact value (repr) for machines and tests."""

    key: str
    label: str
    value: str
    raw: str
    sub: str = ""
    cls: str = ""


def _card(key: str, label: str, value: str, raw: Any, sub: str = "", cls: str = "") -> Card:
    return Card(key, label, value, "" if raw is None else repr(clean(raw)), sub, cls)


def _article5_card(h: dict[str, Any]) -> Card:
    a5_year = h["article5_completion_year"]
    if not h["article5_hazards"]:
        return _card(
            "article5_completion_year",
            "Article 5 completion",
            "none",
            a5_year,
            "no Article 5 hazards in the inventory",
        )
    deadline = h["article5_deadline_year"]
    meets = h["article5_meets_deadline"]
    return _card(
        "article5_completion_year",
        "Article 5 completion",
        str(a5_year) if a5_year is not None else "not within the plan",
        a5_year,
        f"{h['article5_hazards']:,} Article 5 hazards"
        + (f"; deadline {deadline}" if deadline else ""),
        "good" if meets else "bad" if meets is False else "",
    )


def npv_objective(h: dict[str, Any]) -> bool:
    return h.get("objective_unit") == "USD (NPV)"


def objective_text(h: dict[str, Any], value: Any) -> str:
    """An objective figure in its unit: USD for an NPV plan, impact-years otherwise."""
    return fmt.money(value) if npv_objective(h) else fmt.number(value, 1)


def _uplift_card(h: dict[str, Any]) -> Card:
    """Uplift over the strongest baseline that keeps every rule: in impact-years, or in NPV
    when the plan maximises NPV and no hazard has an impact score."""
    u = h.get("uplift") or {}
    if npv_objective(h) and h.get("impact_years") is None:
        gain, name = u.get("objective"), u.get("baseline")
        pct = u.get("objective_percent")
        return _card(
            "uplift",
            f"NPV uplift over {name}" if name else "Uplift",
            fmt.money(gain) if gain is not None else fmt.DASH,
            gain,
            (f"{pct:+.1f}% in NPV" if pct is not None else "")
            if name
            else "no baseline keeps every rule",
            "good" if (gain or 0) > 0 else "",
        )
    gain, pct, name = u.get("impact_years"), u.get("percent"), u.get("baseline")
    practice = next((b for b in h.get("baselines", []) if b["name"] == PRACTICE), None)
    sub = (
        f"{'' if pct is None else f'{pct:+.1f}% · '}{name}: "
        f"{fmt.number(h['impact_years'] - gain, 1)} impact-years"
        if name is not None and gain is not None
        else "no baseline keeps every rule"
    )
    if practice is not None and name != PRACTICE:
        sub += f" · today's practice: {fmt.number(practice['impact_years'], 1)}"
    return _card(
        "uplift",
        f"Uplift over {name}" if name else "Uplift",
        fmt.signed(gain, 1),
        gain,
        sub,
        "good" if (gain or 0) > 0 else "",
    )


def headline_meaning(h: dict[str, Any]) -> list[str]:
    """One sentence each: impact-years (and the objective), the fair baseline, the bound,
    the gap."""
    u = h.get("uplift") or {}
    gap = h["gap"]
    weight = h.get("environment_weight") or 0.0
    if npv_objective(h):
        return [_npv_meaning(h, weight), *_rest_of_meaning(h, u, gap)]
    impact = (
        "Impact-years add up each released hazard's impact score times the (discounted) "
        "years it is in use before the plan ends, so finishing important land early counts "
        "more"
        + (
            f"; the objective the solver maximises, {fmt.number(h['objective'], 1)}, is "
            f"impact-years minus {weight:g} × the environmental score "
            f"({fmt.number(h['environmental_score'], 2)})."
            if weight
            else "; with no environmental weight the objective equals impact-years."
        )
    )
    return [impact, *_rest_of_meaning(h, u, gap)]


def _npv_meaning(h: dict[str, Any], weight: float) -> str:
    """The NPV objective in words, and what impact-years mean (or that they are unknown)."""
    text = (
        f"The plan maximises the net present value, {fmt.money(h['objective'])}: each "
        "released hazard's discounted economic benefit over its benefit lifetime less its "
        "discounted cost (an estimate resting on the value table)"
    )
    if weight:
        text += f", less {weight:g} USD × the environmental score"
    if h.get("impact_years") is None:
        return text + ". No hazard has an impact score, so impact-years are unknown."
    unscored = h.get("impact_unscored_scheduled") or 0
    return text + (
        f". Impact-years, {fmt.number(h['impact_years'], 1)}, are reported beside it"
        + (
            f", leaving out {unscored:,} scheduled hazard(s) without an impact score."
            if unscored
            else "."
        )
    )


def _rest_of_meaning(h: dict[str, Any], u: dict[str, Any], gap: Any) -> list[str]:
    fair = (
        f"The uplift is measured against {u['baseline']}, the strongest simple rule that "
        "keeps every rule the plan keeps (the same budgets and team-days, access, locks, the "
        "deadline and the shares), so it is what optimising adds over careful manual "
        "planning, not over a strawman; today's practice (rank by score) is shown beside it."
        if u.get("baseline")
        else "No baseline keeps every rule the plan keeps, so no uplift is claimed."
    )
    bound = (
        f"No plan can beat an objective of {objective_text(h, h['best_bound'])}: the solver "
        "proved this bound, so it caps what any plan on these inputs could reach."
        if h.get("best_bound") is not None
        else "The solver proved no bound."
    )
    gap_text = (
        f"The gap, {fmt.percent(gap, 2)}, is how far the plan's objective is below that bound"
        + ("; the plan is proven best." if gap is not None and gap <= 1e-6 else ".")
    )
    return [fair, bound, gap_text]


def baselines_rows(h: dict[str, Any]) -> list[dict[str, str]]:
    """The plan and every baseline: impact-years, objective, spend, whether it keeps every
    rule (the first rule it breaks otherwise)."""
    rows = [
        {
            "name": "optimised plan",
            "rule": "the MILP's plan",
            "impact_years": _impact_text(h["impact_years"]),
            "objective": objective_text(h, h["objective"]),
            "spent": fmt.money(h["cost_usd"]),
            "keeps": "yes",
        }
    ]
    for b in h.get("baselines", []):
        n = b["rule_violations_count"]
        keeps = (
            "yes"
            if b["feasible"]
            else f"no: {b['rule_violations'][0]}" + (f" (and {n - 1} more)" if n > 1 else "")
        )
        rows.append(
            {
                "name": b["name"],
                "rule": b["rule"],
                "impact_years": _impact_text(b["impact_years"]),
                "objective": objective_text(h, b["objective"]),
                "spent": fmt.money(b["spent_usd"]),
                "keeps": keeps,
            }
        )
    return rows


def _impact_text(value: Any) -> str:
    return "unknown" if value is None else fmt.number(value, 1)


def _impact_card(h: dict[str, Any]) -> Card:
    if npv_objective(h):
        unscored = h.get("impact_unscored_scheduled") or 0
        sub = f"objective: NPV {fmt.money(h['objective'])} (estimate)"
        if h["impact_years"] is None:
            sub = "no hazard has an impact score; " + sub
        elif unscored:
            sub = f"{unscored:,} scheduled hazard(s) without a score not counted; " + sub
    else:
        sub = (
            f"objective {fmt.number(h['objective'], 1)} (impact-years minus the weighted "
            "environmental term)"
        )
    return _card(
        "impact_years", "Impact-years", _impact_text(h["impact_years"]), h["impact_years"], sub
    )


def headline_cards(data: ReportData) -> list[Card]:
    h = data.headline
    groups = h["beneficiary_groups"]
    return [
        _impact_card(h),
        _uplift_card(h),
        _card(
            "best_bound",
            "No plan can beat",
            objective_text(h, h.get("best_bound")),
            h.get("best_bound"),
            "objective: the proven bound",
        ),
        _card(
            "released_m2",
            "Area released",
            fmt.area(h["released_m2"]),
            h["released_m2"],
            f"of {fmt.area(h['area_m2'])}; {fmt.area(h['remaining_area_m2'])} remains",
        ),
        _card(
            "cost_usd",
            "Cost",
            fmt.money(h["cost_usd"]),
            h["cost_usd"],
            f"of {fmt.money(h['budget_usd'])} budget",
        ),
        _card(
            "beneficiaries",
            "Beneficiaries",
            fmt.number(h["beneficiaries"]),
            h["beneficiaries"],
            " · ".join(f"{g} {fmt.number(v)}" for g, v in groups.items())
            if groups
            else "no sex/age breakdown in the data",
        ),
        _article5_card(h),
        _card(
            "status",
            "Solver status",
            STATUS_TEXT.get(h["status"], h["status"]),
            h["status"],
            f"gap {fmt.percent(h['gap'], 2)} · {h['solver']} · {fmt.seconds(h['solve_seconds'])}",
        ),
        _card(
            "hazards_scheduled",
            "Hazards scheduled",
            f"{h['hazards_scheduled']:,}",
            h["hazards_scheduled"],
            f"of {h['hazards_total']:,} in the inventory",
        ),
    ]


def _hazard_payload(result: PlanResult, data: ReportData) -> dict[str, Any]:
    problem = result.problem
    wp = result.workplan
    labels = sections.method_labels(problem)
    contrib = problem.contributions.drop(columns="hazard_id")
    cols = [str(c) for c in contrib.columns]
    k = np.round(contrib.to_numpy(float), 2)
    why = (
        data.explanations.set_index("hazard_id")["why"]
        if "why" in data.explanations
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
            "e": short_why(clean(why.get(hid)) or clean(r.reason) or ""),
        }
    return {"cols": cols, "h": out}


WHY_CHARS = 320  # the panel's reason text; the full text is in explanations.csv


def short_why(text: str, limit: int = WHY_CHARS) -> str:
    """The reasons for the details panel: whole clauses up to ``limit`` characters, then a
    pointer to the full text (it runs to a clause per year, 1.8 MB on the national sample)."""
    if len(text) <= limit:
        return text
    cut = text.rfind("; ", 0, limit)
    head = text[: cut if cut > 0 else limit].rstrip(" ;,")
    return f"{head}; … (every year's reason: explanations.csv)"


def map_view(result: PlanResult, data: ReportData) -> tuple[dict[str, Any] | None, str]:
    """The map's SVG, legend and counts for the template, and its CSS (None without
    geometry)."""
    m = plan_map(result.problem, result.workplan, data.extras.get("basemap") or {})
    if m is None:
        return None, ""
    view = {
        "svg": Markup(m.svg),
        "legend": Markup(m.legend),
        "missing": m.missing,
        "n_deps": m.n_deps,
        "context": m.context,
    }
    return view, m.css


NAV = [
    ("headline", "Headline"),
    ("map", "Map"),
    ("charts", "Charts"),
    ("indicators", "Indicators"),
    ("vfm", "Value for money"),
    ("marginal", "Marginal values"),
    ("why", "Explanations"),
    ("assumptions", "Assumptions"),
]


def render_report(result: PlanResult, data: ReportData, extra: Sequence[ExtraSection] = ()) -> str:
    """The whole report.html as a string; ``extra`` sections (already rendered by their
    analysis's writer, e.g. a re-plan's plan against actual) go before the assumptions."""
    problem = result.problem
    map_context, map_css = map_view(result, data)
    status = STATUS_TEXT.get(result.summary.status, result.summary.status)
    files = ["workplan.csv", "summary.json", "explanations.csv", "workplan.xlsx"]
    if problem.geometry is not None:
        files += ["plan.geojson", "plan.qml", "plan.gpkg"]
    return render(
        "report.html.j2",
        title=f"Workplan: {problem.settings.name}",
        subtitle=f"Clearance workplan {problem.years[0]}-{problem.years[-1]} · "
        f"{len(problem.hazards):,} hazards · plan {status}",
        nav=[*NAV[:-1], *((x.id, x.label) for x in extra), NAV[-1]],
        extra=extra,
        extra_css=map_css,
        cards=headline_cards(data),
        headline={
            "meaning": headline_meaning(data.headline),
            "baselines": baselines_rows(data.headline),
            "warnings": data.headline.get("warnings", 0),
        },
        record=result.summary.record,
        map=map_context,
        figures=sections.figures(result, data),
        **sections.indicator_tables(data),
        vfm=sections.vfm_tables(result, data),
        marginal=sections.marginal_view(data),
        why=sections.why_view(data),
        assumptions=sections.assumptions_view(result),
        footer={
            "hazards_file": problem.settings.data.hazards.name,
            "sadd": "with" if sadd_columns(problem) else "without",
            "files": files,
        },
        hazard_data=_hazard_payload(result, data),
    )


def write_report(
    result: PlanResult, path: Path, data: ReportData, extra: Sequence[ExtraSection] = ()
) -> Path:
    """Write report.html atomically from the plan and its prepared report data."""
    html = render_report(result, data, extra)
    return write_atomic(path, lambda p: p.write_text(html, encoding="utf-8"))
