"""The deadline answer as the terminal prints it and as files: deadline.json and the
extension-request tables (CSV and one workbook)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from prioritise.analyses.deadline import DeadlineAnswer, Requirement
from prioritise.core.fmt import area, money
from prioritise.outputs.files import write_atomic, write_csv, write_json
from prioritise.outputs.workbook import add_sheet


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
    b = answer.extra_budget
    if b is not None:
        if b.found and b.extra is not None and b.value is not None:
            lines.append(
                f"  (a) Minimum extra budget, same yearly profile: +{b.value:.2%} every "
                f"year = {money(float(b.extra['extra_usd'].sum()))} in total "
                f"({b.status})."
            )
            lines += [
                f"        {y}: {money(float(r['budget_usd']))} -> "
                f"{money(float(r['new_budget_usd']))}"
                for y, r in b.extra.iterrows()
            ]
        elif b.status == "infeasible":
            lines.append(
                "  (a) No budget increase alone meets the deadline (proven); team "
                "capacity or access binds."
            )
        else:
            lines.append(
                f"  (a) Minimum extra budget: undecided ({b.status} within the time limit)."
            )
    t = answer.extra_teams
    if t is not None:
        if t.found and t.extra is not None:
            added = t.extra[t.extra["extra_teams"] > 0]
            what = (
                ", ".join(f"{r.team_type} +{r.extra_teams}" for r in added.itertuples()) or "none"
            )
            lines.append(f"  (b) Minimum extra teams, budgets as they are: {what} ({t.status}).")
        elif t.status == "infeasible":
            lines.append(
                "  (b) No number of extra teams alone meets the deadline (proven); "
                "the budget binds."
            )
        else:
            lines.append(
                f"  (b) Minimum extra teams: undecided ({t.status} within the time limit)."
            )
    d = answer.extra_both
    if d is not None:
        if d.found and d.extra is not None and d.value is not None:
            added = d.extra[d.extra["extra_teams"] > 0]
            what = (
                ", ".join(f"{r.team_type} +{r.extra_teams}" for r in added.itertuples())
                or "no extra teams"
            )
            total = (
                float(d.budget_by_year["extra_usd"].sum()) if d.budget_by_year is not None else 0.0
            )
            lines.append(
                f"  (a+b) Both together (least budget first, then fewest teams): "
                f"+{d.value:.2%} every year = {money(total)} in total, and {what} "
                f"({d.status})."
            )
        elif d.status == "infeasible":
            lines.append(
                "  (a+b) Not even more budget and teams together meet it (proven): "
                "access or locks bind."
            )
        else:
            lines.append(
                f"  (a+b) Budget and teams together: undecided ({d.status} within "
                "the time limit); try a longer --time-limit."
            )
    first = answer.earliest_year
    lines.append(
        f"  (c) Earliest completion with current resources: "
        f"{first if first is not None else 'none found'} ({answer.earliest_note})."
    )
    lines += [f"  Note: {n}." for n in answer.notes]
    return "\n".join(lines)


def write_answer(answer: DeadlineAnswer, out_dir: Path) -> list[Path]:
    """answer.json plus, per way of meeting the deadline, the extension-request tables."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_json(out_dir / "deadline.json", answer_record(answer))]
    wb = Workbook()
    wb.remove(wb.active)
    for label, tables in answer.tables.items():
        slug = label.replace(" ", "_")
        for name, frame in tables.items():
            written.append(write_csv(out_dir / f"{slug}__{name}.csv", frame))
            add_sheet(wb, f"{label} - {name.replace('_', ' ')}"[:31], frame)
    for req in (answer.extra_budget, answer.extra_teams, answer.extra_both):
        if req is not None and req.extra is not None:
            add_sheet(wb, f"extra {req.kind}", req.extra.reset_index())
        if req is not None and req.budget_by_year is not None:
            add_sheet(wb, f"extra {req.kind} - money", req.budget_by_year.reset_index())
    if wb.sheetnames:
        written.append(write_atomic(out_dir / "extension_request.xlsx", wb.save))
    return written


def answer_record(answer: DeadlineAnswer) -> dict[str, Any]:
    def req(r: Requirement | None) -> dict[str, Any] | None:
        if r is None:
            return None
        return {
            "status": r.status,
            "value": r.value,
            "bound": r.bound,
            "extra": (
                r.extra.reset_index().to_dict(orient="records") if r.extra is not None else None
            ),
            "budget_by_year": (
                r.budget_by_year.reset_index().to_dict(orient="records")
                if r.budget_by_year is not None
                else None
            ),
        }

    return {
        "deadline_year": answer.year,
        "article5_hazards": answer.article5,
        "article5_area_m2": answer.article5_area_m2,
        "blocked": list(answer.blocked),
        "feasible_with_current_resources": answer.current.feasible,
        "feasibility_status": answer.current.status,
        "extra_budget": req(answer.extra_budget),
        "extra_teams": req(answer.extra_teams),
        "extra_budget_and_teams": req(answer.extra_both),
        "earliest_year": answer.earliest_year,
        "earliest_note": answer.earliest_note,
        "notes": list(answer.notes),
    }
