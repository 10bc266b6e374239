"""The deadline answer as the terminal prints it and as files: deadline.json and the
extension-request tables (CSV and one workbook)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from prioritise.analyses.deadline import DeadlineAnswer, Requirement
from prioritise.core.fmt import area
from prioritise.outputs.files import write_atomic, write_csv, write_json
from prioritise.outputs.workbook import add_sheet


def usd(x: float) -> str:
    """Dollars in full: an ask is read to the dollar."""
    return f"${x:,.0f}"


def render_answer(answer: DeadlineAnswer) -> str:
    """The answer as the CLI prints it."""
    lines = [
        f"Deadline {answer.year}: {answer.article5} Article 5 hazard(s), "
        f"{area(answer.article5_area_m2)}."
    ]
    c = answer.current
    verdict = {
        True: "YES, feasible",
        False: "NO (proven infeasible)",
        None: f"undecided ({c.status} within the time limit)",
    }[c.feasible]
    lines.append(f"  With current budgets and teams: {verdict}.")
    lines += _budget_lines(answer)
    lines += _teams_lines(answer.extra_teams)
    lines += _both_lines(answer.extra_both)
    first = answer.earliest_year
    lines.append(
        f"  (c) Earliest completion with current resources: "
        f"{first if first is not None else 'none found'} ({answer.earliest_note})."
    )
    lines += [f"  Note: {n}." for n in answer.notes]
    return "\n".join(lines)


def _by_year(extra: pd.DataFrame) -> list[str]:
    return [
        f"        {y}: {usd(float(r['budget_usd']))} + {usd(float(r['extra_usd']))} = "
        f"{usd(float(r['new_budget_usd']))}"
        for y, r in extra.iterrows()
        if r["extra_usd"] > 0
    ]


def _budget_lines(answer: DeadlineAnswer) -> list[str]:
    """(a) the least money by year, then the uniform percentage as a secondary view."""
    b = answer.extra_budget
    if b is None:
        return []
    if not (b.found and b.extra is not None and b.value is not None):
        if b.status == "infeasible":
            return [
                "  (a) No extra money alone meets the deadline (proven); team capacity or "
                "access binds."
            ]
        return [f"  (a) Least extra money: undecided ({b.status} within the time limit)."]
    lines = [
        f"  (a) Least extra money, in the years up to {answer.year}: {usd(b.value)} in total "
        f"({_proven(b)}), placed as late as the least-money plan allows"
        + (" (unspent money carries over)" if _carry(answer) else "")
        + ":",
        *_by_year(b.extra),
    ]
    u = answer.uniform
    if u is not None and u.found and u.extra is not None and u.value is not None:
        lines.append(
            f"      Secondary view, the same percentage on every year's budget up to "
            f"{answer.year} (years after unchanged): +{u.value:.2%} = "
            f"{usd(float(u.extra['extra_usd'].sum()))} in total ({u.status})."
        )
    return lines


def _carry(answer: DeadlineAnswer) -> bool:
    b = answer.extra_budget
    return bool(b is not None and b.problem is not None and b.problem.settings.plan.carry_over)


def _proven(r: Requirement) -> str:
    """How sure the least-money figure is: the solver's proven bound, and the rounding."""
    rounding = "each year rounded up to the dollar"
    if r.bound is None:
        return f"{r.status}; no lower bound proven; {rounding}"
    floor = f"no plan meets it with less than ${max(r.bound, 0.0):,.2f}"
    if r.status == "optimal":
        return f"proven least: {floor}; {rounding}"
    return f"{r.status}, an upper figure: {floor}; {rounding}"


def _teams_text(extra: pd.DataFrame) -> str:
    parts = [
        f"{t} " + ", ".join(f"+{int(r.extra_teams)} in {int(r.year)}" for r in g.itertuples())
        for t, g in extra.groupby("team_type", sort=False)
    ]
    return "; ".join(parts) or "none"


def _teams_lines(t: Requirement | None) -> list[str]:
    if t is None:
        return []
    if t.found and t.extra is not None:
        team_years = int(t.extra["extra_teams"].sum())
        return [
            f"  (b) Fewest extra teams, budgets as they are: {_teams_text(t.extra)} "
            f"({team_years} team-year(s); {t.status})."
        ]
    if t.status == "infeasible":
        return [
            "  (b) No number of extra teams alone meets the deadline (proven); the budget binds."
        ]
    return [f"  (b) Least extra teams: undecided ({t.status} within the time limit)."]


def _both_lines(d: Requirement | None) -> list[str]:
    if d is None:
        return []
    if d.found and d.extra is not None and d.money is not None:
        lines = [
            f"  (a+b) Both together (least money first, then fewest teams): "
            f"{usd(d.money)} and {_teams_text(d.extra)} ({d.status}):"
        ]
        return lines + (_by_year(d.budget_by_year) if d.budget_by_year is not None else [])
    if d.status == "infeasible":
        return [
            "  (a+b) Not even more budget and teams together meet it (proven): "
            "access or locks bind."
        ]
    return [
        f"  (a+b) Budget and teams together: undecided ({d.status} within "
        "the time limit); try a longer --time-limit."
    ]


def write_answer(answer: DeadlineAnswer, out_dir: Path) -> list[Path]:
    """deadline.json plus, per way of meeting the deadline, the extension-request tables."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_json(out_dir / "deadline.json", answer_record(answer))]
    wb = Workbook()
    wb.remove(wb.active)
    for label, tables in answer.tables.items():
        slug = label.replace(" ", "_")
        for name, frame in tables.items():
            written.append(write_csv(out_dir / f"{slug}__{name}.csv", frame))
            add_sheet(wb, f"{label} - {name.replace('_', ' ')}"[:31], frame)
    for req in (answer.extra_budget, answer.uniform, answer.extra_teams, answer.extra_both):
        if req is not None and req.extra is not None:
            add_sheet(wb, f"extra {req.kind}"[:31], req.extra.reset_index())
        if req is not None and req.budget_by_year is not None:
            add_sheet(wb, f"extra {req.kind} - money"[:31], req.budget_by_year.reset_index())
    if wb.sheetnames:
        written.append(write_atomic(out_dir / "extension_request.xlsx", wb.save))
    return written


def _requirement(r: Requirement | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "status": r.status,
        "value": r.value,
        "bound": r.bound,
        "money_usd": r.money,
        "extra": (
            r.extra.reset_index().to_dict(orient="records")
            if r.extra is not None and r.extra.index.name == "year"
            else r.extra.to_dict(orient="records")
            if r.extra is not None
            else None
        ),
        "budget_by_year": (
            r.budget_by_year.reset_index().to_dict(orient="records")
            if r.budget_by_year is not None
            else None
        ),
    }


def _money_by_year(r: Requirement | None, year: int) -> dict[str, float] | None:
    if r is None or r.extra is None:
        return None
    return {str(int(y)): float(v) for y, v in r.extra["extra_usd"].items() if int(y) <= year}


def answer_record(answer: DeadlineAnswer) -> dict[str, Any]:
    """deadline.json: the least-money answer first (by year, in total), then the rest."""
    b = answer.extra_budget
    by_year = _money_by_year(b, answer.year)
    t = answer.extra_teams
    return {
        "deadline_year": answer.year,
        "article5_hazards": answer.article5,
        "article5_area_m2": answer.article5_area_m2,
        "blocked": list(answer.blocked),
        "feasible_with_current_resources": answer.current.feasible,
        "feasibility_status": answer.current.status,
        "extra_budget_usd_by_year": by_year,
        "extra_budget_usd_total": b.value if b is not None and b.found else None,
        "extra_budget_usd_lower_bound": b.bound if b is not None else None,
        "extra_budget_note": (
            f"least total extra money in the years up to {answer.year} (none after it), "
            "placed as late as it can arrive, each year rounded up to the dollar"
        ),
        "extra_teams_by_type_and_year": (
            t.extra[["team_type", "year", "extra_teams"]].to_dict(orient="records")
            if t is not None and t.extra is not None
            else None
        ),
        "extra_budget": _requirement(b),
        "uniform_budget_increase": _requirement(answer.uniform),
        "extra_teams": _requirement(t),
        "extra_budget_and_teams": _requirement(answer.extra_both),
        "earliest_year": answer.earliest_year,
        "earliest_note": answer.earliest_note,
        "notes": list(answer.notes),
    }
