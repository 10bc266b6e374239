"""The LP relaxation at national scale: solved on the columns the Lagrangian prices favour.

Dual simplex on the whole relaxation needs minutes from 10,000 hazards up (3 million
non-zeros: 310 s on the realistic 10k instance). But at the Lagrangian's best multipliers
(``models.lagrangian``) each eligibility row has a reduced value, and an optimal LP solution
uses, for almost every hazard, only its best row or two. So (column generation, with the
Lagrangian as the first pricing):

1. keep, for each hazard, the rows within ``MARGIN`` of its best reduced value, plus the rows
   of the best plan so far (so the restricted LP is feasible) and of the Lagrangian's choice;
   every other assignment column is held at 0;
2. solve that LP (about a tenth of the columns): its solution is a feasible point of the
   whole relaxation, the guide for the constructive plan, at once;
3. price: a held column whose reduced cost (HiGHS's column dual) is positive would raise the
   objective; release the best such column of each hazard (at most ``ENTER_LIMIT`` a round)
   and re-solve from the current basis;
4. when no held column has a positive reduced cost, the restricted optimum is the optimum of
   the whole relaxation (LP duality): the bound is proven, and the duals are the full LP's.

Measured (docs/optimiser.md): realistic 10,000 x 10, first restricted LP 10-14 s against 310
s for the whole LP, the LP optimum proven after 12 rounds (100 s at load 6); national sample,
proven in 6 s against 11 s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from models.duals import Relaxation, relaxation_from
from models.solvers import relaxed_highs, run_highs
from models.workplan import BuiltModel

MARGIN = 0.05  # of the median positive row value: rows kept below each hazard's best
ENTER_LIMIT = 5_000  # columns released per pricing round


@dataclass
class PricedLP:
    """The restricted relaxation, kept in HiGHS between rounds (warm starts)."""

    built: BuiltModel
    threads: int = 1
    held: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # per eligibility row
    x: np.ndarray | None = None  # latest restricted optimum (a point of the whole LP)
    first_x: np.ndarray | None = None  # the first one
    objective: float | None = None
    proven: bool = False
    rounds: int = 0
    status: str = "not solved"
    seconds: float = 0.0
    _h: object = None
    _duals: tuple[np.ndarray, np.ndarray] | None = None

    def start(self, reduced: np.ndarray, keep: np.ndarray, deadline: float) -> bool:
        """Hold the columns priced out (see module note) and solve; True when solved."""
        built = self.built
        f = built.eligibility.frame
        hazard = f["hazard"].to_numpy()
        value = f["value"].to_numpy(float)
        positive = value[value > 0]
        margin = MARGIN * (float(np.median(positive)) if len(positive) else 1.0)
        best = np.full(len(built.problem.hazards), -np.inf)
        np.maximum.at(best, hazard, reduced)
        self.held = ~((reduced >= best[hazard] - margin) | keep)
        h = relaxed_highs(built.model)
        cols = built.x[self.held].astype(np.int32)
        h.changeColsBounds(len(cols), cols, np.zeros(len(cols)), np.zeros(len(cols)))
        self._h = h
        self._solve(deadline)
        if self.x is not None:
            self.first_x = self.x
        return self.x is not None

    def price(self, deadline: float) -> bool:
        """Pricing rounds until proven, or ``deadline``; True when the LP optimum is proven."""
        while not self.proven and self.x is not None and time.perf_counter() < deadline:
            assert self._duals is not None
            col_dual = self._duals[1][self.built.x]
            f = self.built.eligibility.frame
            tolerance = 1e-7 * max(1.0, float(np.abs(f["value"].to_numpy(float)).max()))
            candidates = np.flatnonzero(self.held & (col_dual > tolerance))
            if not len(candidates):
                self.proven = True
                break
            # The most valuable held column of each hazard, best first.
            order = candidates[np.argsort(-col_dual[candidates], kind="stable")]
            _, first = np.unique(f["hazard"].to_numpy()[order], return_index=True)
            enter = order[np.sort(first)][:ENTER_LIMIT]
            cols = self.built.x[enter].astype(np.int32)
            self._h.changeColsBounds(  # type: ignore[attr-defined]
                len(cols), cols, np.zeros(len(cols)), np.ones(len(cols))
            )
            self.held[enter] = False
            if not self._solve(deadline):
                break
        return self.proven

    def _solve(self, deadline: float) -> bool:
        h = self._h
        start = time.perf_counter()
        run_highs(h, threads=self.threads, deadline=deadline)
        self.seconds += time.perf_counter() - start
        self.rounds += 1
        status = h.modelStatusToString(h.getModelStatus()).lower()  # type: ignore[attr-defined]
        sol = h.getSolution()  # type: ignore[attr-defined]
        if status != "optimal" or not sol.dual_valid:
            self.status = status
            return False
        self.status = "optimal"
        self.x = np.asarray(sol.col_value, float)
        self._duals = (np.asarray(sol.row_dual, float), np.asarray(sol.col_dual, float))
        self.objective = float(h.getInfo().objective_function_value)  # type: ignore[attr-defined]
        return True

    def relaxation(self) -> Relaxation | None:
        """The whole LP relaxation's optimum, duals and marginal values, once proven."""
        if not self.proven or self._duals is None:
            return None
        return relaxation_from(
            self.built.model,
            "optimal",
            self.objective,
            self.x,
            self._duals[0],
            self._duals[1],
            self.seconds,
        )
