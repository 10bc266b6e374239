"""The trade-off run's files: a table, one folder per point and an offline HTML chart.

The chart is one self-contained page (inline SVG, no script, no network): each point links to
its plan's workplan.csv, the frontier is drawn as a line, dominated or failed points are shown
apart, and the knee is named.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from prioritise.analyses.tradeoff import LABELS, TradeoffPoint
from prioritise.analyses.tradeoff_position import WHAT, Position, show, value
from prioritise.analyses.tradeoff_sweep import Sweep
from prioritise.outputs.files import write_atomic, write_csv, write_json
from prioritise.outputs.report.html import ExtraSection
from prioritise.outputs.report.page import table_view
from prioritise.outputs.report.render import environment

W, H, PAD = 760, 420, 90
PLAN_COLOUR = "#2ca02c"
META = "tradeoff.json"  # what `plan --frontier` reads back: axis, objective, settings


@dataclass(frozen=True)
class PlanMark:
    """The project's own plan (as configured) and where it sits against the frontier."""

    workplan: pd.DataFrame
    summary: dict[str, Any]
    position: Position | None


def write_tradeoff(
    out_dir: Path,
    sweep: Sweep,
    points: list[TradeoffPoint],
    table: pd.DataFrame,
    mark: PlanMark | None = None,
) -> list[Path]:
    """tradeoff.csv, tradeoff.json, tradeoff.html, point_NN/{workplan.csv, summary.json} and
    plan/ (the project's own plan) when ``mark`` is given."""
    axis, label, project = sweep.settings.axis, sweep.objective_label, sweep.problem.settings.name
    written = [write_csv(out_dir / "tradeoff.csv", table)]
    for p in points:
        if p.workplan is None or p.summary is None:
            continue
        folder = out_dir / f"point_{p.index:02d}"
        folder.mkdir(exist_ok=True)
        write_csv(folder / "workplan.csv", p.workplan)
        write_json(folder / "summary.json", p.summary)
    position = mark.position if mark is not None else None
    if mark is not None:
        (out_dir / "plan").mkdir(exist_ok=True)
        write_csv(out_dir / "plan" / "workplan.csv", mark.workplan)
        write_json(out_dir / "plan" / "summary.json", mark.summary)
    meta = {
        "project": project,
        "axis": axis,
        "objective": label,
        "points": len(table),
        "time_limit": sweep.settings.time_limit,
        "gap": sweep.settings.gap,
        "range": sweep.span,
        "plan": None
        if position is None or mark is None
        else {
            "objective": position.objective,
            "measure": position.measure,
            "status": mark.summary.get("status"),
            "gap": mark.summary.get("gap"),
            "dominated_by": position.dominated_by,
            "position": position.sentences,
        },
    }
    written.append(write_json(out_dir / META, meta))
    page = render_html(table, axis, label, project, position, sweep.span)
    written.append(write_atomic(out_dir / "tradeoff.html", lambda t: t.write_text(page, "utf-8")))
    return written


def _scale(values: pd.Series, lo: float, hi: float) -> tuple[float, float]:
    v = values.astype(float)
    a, b = float(v.min()), float(v.max())
    if not math.isfinite(a) or a == b:
        a, b = a - 1.0, b + 1.0
    return a, b if b > a else a + 1.0


def chart(
    table: pd.DataFrame,
    axis: str,
    objective_label: str,
    position: Position | None = None,
    links: str = "",
) -> str:
    """The frontier as inline SVG; ``position`` adds the plan's own point (a green diamond);
    ``links`` prefixes each point's link (the folder of the trade-off run)."""
    valued = table[table["objective"].notna() & table["measure"].notna()]
    if valued.empty:
        return "<p>No point has a plan: every cap was infeasible or ran out of time.</p>"
    own = (
        None
        if position is None or position.measure is None
        else (position.measure, position.objective)
    )
    extra_m = [own[0]] if own else []
    extra_o = [own[1]] if own else []
    mx0, mx1 = _scale(pd.concat([valued["measure"], pd.Series(extra_m, dtype=float)]), 0, 1)
    my0, my1 = _scale(pd.concat([valued["objective"], pd.Series(extra_o, dtype=float)]), 0, 1)

    def xy(m: float, o: float) -> tuple[float, float]:
        return (
            PAD + (m - mx0) / (mx1 - mx0) * (W - 2 * PAD),
            H - PAD - (o - my0) / (my1 - my0) * (H - 2 * PAD),
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" '
        f'aria-label="trade-off curve">',
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#444"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#444"/>',
        f'<text x="{W / 2}" y="{H - 20}" text-anchor="middle">{html.escape(LABELS[axis])}</text>',
        f'<text x="18" y="{H / 2}" transform="rotate(-90 18 {H / 2})" text-anchor="middle">'
        f"{html.escape(objective_label)}</text>",
        f'<text x="{PAD}" y="{H - PAD + 18}" text-anchor="middle">{show(axis, mx0)}</text>',
        f'<text x="{W - PAD}" y="{H - PAD + 18}" text-anchor="middle">{show(axis, mx1)}</text>',
        f'<text x="{PAD - 6}" y="{H - PAD}" text-anchor="end">'
        f"{html.escape(value(objective_label, my0))}</text>",
        f'<text x="{PAD - 6}" y="{PAD + 4}" text-anchor="end">'
        f"{html.escape(value(objective_label, my1))}</text>",
    ]
    front = valued[valued["on_frontier"]].sort_values("measure")
    if len(front) > 1:
        path = " ".join(
            f"{x:.1f},{y:.1f}"
            for x, y in (
                xy(m, o) for m, o in zip(front["measure"], front["objective"], strict=True)
            )
        )
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    for r in valued.to_dict(orient="records"):
        x, y = xy(float(r["measure"]), float(r["objective"]))
        colour = "#d62728" if r["knee"] else "#1f77b4" if r["on_frontier"] else "#999"
        tip = f"point {r['point']}: {r['objective']:,.6g} at {r['measure']:,.6g} ({r['status']})"
        href = html.escape(links + str(r["workplan"]))
        parts.append(
            f'<a href="{href}"><circle cx="{x:.1f}" cy="{y:.1f}" '
            f'r="{7 if r["knee"] else 5}" fill="{colour}"><title>{html.escape(tip)}</title>'
            "</circle></a>"
        )
        if r["knee"]:
            parts.append(f'<text x="{x + 9:.1f}" y="{y - 9:.1f}" fill="#d62728">knee</text>')
    if own is not None:
        x, y = xy(own[0], own[1])
        tip = f"your plan: {own[1]:,.6g} at {own[0]:,.6g}"
        parts.append(
            f'<path d="M{x:.1f},{y - 8:.1f} L{x + 8:.1f},{y:.1f} L{x:.1f},{y + 8:.1f} '
            f'L{x - 8:.1f},{y:.1f} Z" fill="{PLAN_COLOUR}" class="own-plan">'
            f"<title>{html.escape(tip)}</title></path>"
        )
        parts.append(
            f'<text x="{x + 10:.1f}" y="{y + 16:.1f}" fill="{PLAN_COLOUR}">your plan</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _position(position: Position | None) -> str:
    if position is None:
        return ""
    items = "".join(f"<li>{html.escape(t)}</li>" for t in position.sentences)
    return (
        "<h2>Where the project's own plan sits</h2><p>The project planned as configured "
        "(plan/workplan.csv), shown as a green diamond:</p>"
        f"<ul>{items}</ul>"
    )


def _rows(table: pd.DataFrame) -> str:
    out = []
    for r in table.to_dict(orient="records"):
        link = (
            f'<a href="{html.escape(str(r["workplan"]))}">{html.escape(str(r["workplan"]))}</a>'
            if r["workplan"]
            else "no plan"
        )
        obj = "" if pd.isna(r["objective"]) else f"{r['objective']:,.2f}"
        mea = "" if pd.isna(r["measure"]) else f"{r['measure']:,.4g}"
        gap = r.get("gap")
        proven = "unknown" if gap is None or pd.isna(gap) else f"{gap:.2%}"
        note = "knee" if r["knee"] else "on the frontier" if r["on_frontier"] else r["dominated_by"]
        out.append(
            f"<tr><td>{r['point']}</td><td>{r['cap']:,.4g}</td><td>{html.escape(r['status'])}</td>"
            f"<td>{obj}</td><td>{mea}</td><td>{proven}</td><td>{html.escape(str(note))}</td><td>{link}</td></tr>"
        )
    return "\n".join(out)


def render_html(
    table: pd.DataFrame,
    axis: str,
    objective_label: str,
    project: str,
    position: Position | None = None,
    span: str = "",
) -> str:
    knee = table[table["knee"]]
    named = (
        f"The knee is point {int(knee['point'].iloc[0])}: past it, each further gain in one "
        "measure costs more of the other."
        if len(knee)
        else "No knee is named: fewer than three distinct frontier points."
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Trade-off: {html.escape(project)}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}}
</style></head><body>
<h1>Trade-off: {html.escape(objective_label)} against {html.escape(LABELS[axis])}</h1>
<p>{html.escape(project)}. Each point is one plan (epsilon-constraint: the plan's
objective maximised with the {html.escape(axis)} measure capped at the point's cap), solved
within the time limit: a point with a gap of 0 is proven optimal for its cap, one with a
positive gap is the best plan found. The line joins the efficient points. Click a point
for its workplan. {html.escape(named)} {html.escape(span)}</p>
{_position(position)}
{chart(table, axis, objective_label, position)}
<table><tr><th>point</th><th>cap</th><th>status</th><th>{html.escape(objective_label)}</th>
<th>{html.escape(axis)}</th><th>gap</th><th>note</th><th>plan</th></tr>
{_rows(table)}
</table></body></html>
"""


def frontier_section(
    table: pd.DataFrame, meta: dict[str, Any], position: Position | None, links: str
) -> ExtraSection:
    """The plan report's "Trade-offs" section: the frontier, this plan's point, how far."""
    axis, objective_label = str(meta["axis"]), str(meta["objective"])
    view = table.assign(
        gap=[
            "unknown" if g is None or pd.isna(g) else f"{g:.2%}"
            for g in table.get("gap", pd.Series([None] * len(table)))
        ],
        note=[
            "knee" if r["knee"] else "frontier" if r["on_frontier"] else str(r["dominated_by"])
            for r in table.to_dict(orient="records")
        ],
    )[["point", "cap", "status", "objective", "measure", "gap", "note"]]
    sentences = (
        position.sentences
        if position is not None
        else ["This plan has no objective (no plan was found), so it is not placed."]
    )
    markup = (
        environment()
        .get_template("tradeoff.html.j2")
        .render(
            objective=objective_label,
            what=WHAT[axis],
            folder=links.rstrip("/") or ".",
            sentences=sentences,
            chart=Markup(chart(table, axis, objective_label, position, links)),
            points=table_view(
                view.rename(columns={"measure": axis}), labels={"objective": objective_label}
            ),
        )
    )
    return ExtraSection("tradeoffs", "Trade-offs", Markup(markup))
