"""Marginal values of money and team-days, from the duals of the LP relaxation.

The MILP has no meaningful duals, so the relaxation of the same built model (integrality
dropped, every row kept) is solved and the row duals of the ``budget_per_year`` and
``team_capacity`` blocks are read: the dual of a year's budget row is how many impact-years
one more dollar in that year would add to the *relaxed* plan. This is an approximation of the
integer plan's sensitivity (an upper-bound-style estimate that ignores lumpiness: one more
dollar cannot buy a fraction of a hazard), which is why the reports say "LP relaxation" next to
every figure. Duals of a degenerate LP are not unique; HiGHS returns one valid set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.matrix import LinearModel
from models.solvers import relaxed_highs, run_highs

DUAL_FAMILIES = ("budget_per_year", "team_capacity")

MARGINAL_COLUMNS = [
    "resource",
    "team_type",
    "year",
    "available",
    "used_lp",
    "marginal_value",
    "unit",
]


@dataclass(frozen=True)
class Relaxation:
    """The LP relaxation's status, objective and the marginal values of its resource rows."""

    status: str
    objective: float | None
    seconds: float
    marginal: pd.DataFrame  # MARGINAL_COLUMNS
    x: np.ndarray | None = None  # relaxed column values
    reduced_costs: np.ndarray | None = None  # column duals, d(objective)/d(column value)

    @property
    def ok(self) -> bool:
        return self.status == "optimal"


def row_offsets(model: LinearModel) -> dict[str, int]:
    """Global index of the first row of each row family (families are unique per model)."""
    out: dict[str, int] = {}
    offset = 0
    for b in model.row_blocks:
        out.setdefault(b.family, offset)
        offset += b.n_rows
    return out


def solve_relaxation(
    model: LinearModel,
    time_limit: float = 60.0,
    deadline: float | None = None,
    threads: int = 0,
) -> tuple[str, float | None, np.ndarray | None, np.ndarray | None, np.ndarray | None, float]:
    """Solve ``model`` with every variable continuous.

    Returns (status, objective, x, row duals, column duals, seconds). Duals follow HiGHS's
    convention for a maximisation, d(objective)/d(bound): a binding ``<=`` row whose extra
    unit would raise the objective has a positive dual, and a column held at 0 whose forcing
    up would lower the objective has a negative one.
    """
    import highspy

    if model.n_cols == 0:
        return "optimal", 0.0, np.zeros(0), np.zeros(model.n_rows), np.zeros(0), 0.0
    h = relaxed_highs(model)
    start = time.perf_counter()
    end = start + float(time_limit) if deadline is None else min(deadline, start + time_limit)
    run_highs(h, threads=threads, deadline=end)
    seconds = time.perf_counter() - start
    status = h.getModelStatus()
    ms = highspy.HighsModelStatus
    if status != ms.kOptimal:
        return h.modelStatusToString(status).lower(), None, None, None, None, seconds
    sol = h.getSolution()
    if not sol.dual_valid:
        return "no duals", None, None, None, None, seconds
    objective = float(h.getInfo().objective_function_value)
    return (
        "optimal",
        objective,
        np.asarray(sol.col_value, float),
        np.asarray(sol.row_dual, float),
        np.asarray(sol.col_dual, float),
        seconds,
    )


def marginal_values(
    model: LinearModel,
    time_limit: float = 60.0,
    deadline: float | None = None,
    threads: int = 0,
) -> Relaxation:
    """Marginal impact-years of one more dollar / team-day in each year (LP relaxation)."""
    return relaxation_from(model, *solve_relaxation(model, time_limit, deadline, threads))


def relaxation_from(
    model: LinearModel,
    status: str,
    objective: float | None,
    x: np.ndarray | None,
    duals: np.ndarray | None,
    col_duals: np.ndarray | None,
    seconds: float,
) -> Relaxation:
    """The Relaxation (marginal values read off the row duals) of an LP optimum of ``model``."""
    frames: list[pd.DataFrame] = []
    if duals is not None and x is not None:
        offsets = row_offsets(model)
        activity = model.activity(x)
        for family in DUAL_FAMILIES:
            if family not in offsets:
                continue
            block = model.block(family)
            rows = offsets[family] + np.arange(block.n_rows)
            keys = block.keys
            frames.append(
                pd.DataFrame(
                    {
                        "resource": "budget" if family == "budget_per_year" else "team-days",
                        "team_type": keys["team_type"].astype(str).to_numpy()
                        if "team_type" in keys
                        else "",
                        "year": keys["year"].astype(int).to_numpy(),
                        "available": block.upper,
                        "used_lp": activity[rows],
                        # A tiny negative dual is numerical noise on a <= row of a maximisation.
                        "marginal_value": np.where(np.abs(duals[rows]) < 1e-12, 0.0, duals[rows]),
                        "unit": "impact-years per USD"
                        if family == "budget_per_year"
                        else "impact-years per team-day",
                    }
                )
            )
    marginal = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: pd.Series(dtype=object) for c in MARGINAL_COLUMNS})
    )
    return Relaxation(status, objective, seconds, marginal[MARGINAL_COLUMNS], x, col_duals)
