"""Where one plan sits against a trade-off run's frontier, in plain sentences.

A plan is placed by its two figures: the objective without the environmental term (what the
frontier's points maximise) and the second measure. It is compared with the frontier's own
points only, never with a line drawn between them: the true frontier between two computed
points is unknown. Two comparisons say how far the plan is and in which direction:

* at the plan's measure or better, the best objective a computed point reaches;
* at the plan's objective or better, the best measure a computed point reaches.

The points are plans found within a time limit: a point with a positive gap is the best plan
found, not a proven optimum, and the sentences say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from prioritise.analyses.tradeoff import TOLERANCE, dominates
from prioritise.core import fmt

WHAT = {
    "environment": "environmental score",
    "cost": "cost (USD over the horizon)",
    "equity": "smallest province share of spending",
}


def show(axis: str, value: float) -> str:
    """A measure as a planner reads it: USD whole, shares in percent, scores to 2 places."""
    if axis == "cost":
        return f"{value:,.0f}"
    if axis == "equity":
        return f"{value:.1%}"
    return f"{value:,.2f}"


@dataclass(frozen=True)
class Position:
    """The plan's pair, the computed points that beat it on each measure, and the sentences."""

    objective: float
    measure: float | None
    better_objective: dict[str, Any] | None  # a frontier point: more objective, measure no worse
    better_measure: dict[str, Any] | None  # a frontier point: better measure, objective no less
    dominated_by: list[int]
    sentences: list[str]


def plan_objective(summary: dict[str, Any]) -> float | None:
    """The plan's objective without the environmental term: the frontier's own measure
    (the frontier is solved with lambda = 0; summary.json's objective subtracts lambda x
    the environmental score)."""
    objective = summary.get("objective")
    if objective is None:
        return None
    weight = float(summary.get("environment_weight") or 0.0)
    return float(objective) + weight * float(summary.get("environmental_score") or 0.0)


def value(objective_label: str, v: float) -> str:
    """An objective as a planner reads it: money for NPV, impact-years to one place."""
    return fmt.money(v) if objective_label.startswith("NPV") else fmt.number(v, 1)


def _no_worse(a: float, b: float, axis: str) -> bool:
    """Measure a is no worse than measure b (lower is better except for equity)."""
    slack = TOLERANCE * max(1.0, abs(b))
    return a >= b - slack if axis == "equity" else a <= b + slack


def _label(row: dict[str, Any]) -> str:
    gap = row.get("gap")
    if gap is None or pd.isna(gap):
        return f"point {int(row['point'])} (gap unknown: the best plan found)"
    if gap > 1e-6:
        return f"point {int(row['point'])} (the best plan found, within {gap:.2%} of proven)"
    return f"point {int(row['point'])} (proven optimal for its cap)"


def place(
    table: pd.DataFrame, axis: str, objective: float, measure: float | None, objective_label: str
) -> Position:
    """The plan against the frontier points of ``table`` (from ``frontier_table``)."""
    front = [
        r
        for r in table.to_dict(orient="records")
        if r["on_frontier"] and pd.notna(r["objective"]) and pd.notna(r["measure"])
    ]
    what = WHAT[axis]
    if measure is None:
        return Position(
            objective,
            None,
            None,
            None,
            [],
            [f"Your plan has no {what} figure (it spends nothing), so it is not placed."],
        )
    same = [r for r in front if _no_worse(float(r["measure"]), measure, axis)]
    best_obj = max(same, key=lambda r: float(r["objective"]), default=None)
    if best_obj is not None and float(best_obj["objective"]) <= objective + TOLERANCE * max(
        1.0, abs(objective)
    ):
        best_obj = None
    enough = [r for r in front if float(r["objective"]) >= objective - TOLERANCE * abs(objective)]
    pick = max if axis == "equity" else min
    best_mea = pick(enough, key=lambda r: float(r["measure"]), default=None)
    if best_mea is not None and _no_worse(measure, float(best_mea["measure"]), axis):
        best_mea = None
    by = [
        int(r["point"])
        for r in front
        if dominates((float(r["objective"]), float(r["measure"])), (objective, measure), axis)
    ]
    sentences = [
        f"Your plan: {objective_label} {value(objective_label, objective)}, {what} "
        f"{show(axis, measure)}."
    ]
    if best_obj is not None:
        gain = float(best_obj["objective"]) - objective
        share = gain / max(abs(objective), 1e-9)
        sentences.append(
            f"No worse on {what} ({show(axis, float(best_obj['measure']))}), "
            f"{_label(best_obj)} reaches {objective_label} "
            f"{value(objective_label, float(best_obj['objective']))}: "
            f"{value(objective_label, gain)} more ({share:.2%})."
        )
    if best_mea is not None:
        diff = abs(float(best_mea["measure"]) - measure)
        better = "higher" if axis == "equity" else "lower"
        sentences.append(
            f"For at least your plan's {objective_label}, {_label(best_mea)} has "
            f"{what} {show(axis, float(best_mea['measure']))}: {show(axis, diff)} {better}."
        )
    if best_obj is None and best_mea is None:
        sentences.append(
            "No computed point beats your plan on one measure without losing on the other: it "
            "lies on or beyond the computed frontier."
        )
    if any(r.get("gap") is None or pd.isna(r.get("gap")) or r["gap"] > 1e-6 for r in front):
        sentences.append(
            "The frontier points were solved within a time limit; those with a positive gap "
            "are the best plans found, not proven optima, so the true frontier may lie "
            "higher."
        )
    return Position(objective, measure, best_obj, best_mea, by, sentences)
