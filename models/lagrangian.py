"""A proven bound at any scale: the coupling rows priced (Lagrangian relaxation).

The model has very many hazards and few coupling rows: the budget per year (cumulative with
carry-over), team-days per type and year, and the province and localisation shares. Price
those rows with multipliers u >= 0 and drop the access precedence of optional hazards; what
is left splits by hazard. For any u,

    L(u) = sum_h max(0, max_r rho_r(u)) + sum_i u_i b_i          (rho_r = v_r - u^T A_r)

is an upper bound on every plan's value (weak duality), where a hazard that must be done
(Article 5 under a deadline, a 'must' lock, or anything such a hazard requires for access)
takes its best row even when rho is negative. Removing rows only loosens the problem, so
dropping the optional hazards' precedence keeps the bound valid, but weak when access binds.

Two subproblems, in turn:

1. **per hazard** (precedence of optional hazards dropped): a few numpy passes over the
   eligibility rows, about 10 ms per 100,000 rows, so u gets near its best quickly;
2. **maximum closure** (``models.closure``): the access precedence kept, solved exactly by
   one minimum cut per step. Its polytope is integral, so at the best u this bound equals the
   LP relaxation's, without solving the LP; and its choice respects access, which makes it a
   better guide for the constructive plan. Each step costs a maximum flow (0.1-1 s at 10,000
   hazards), so it starts from the best u of the first stage.

u is improved by a bundle method (box-step cutting planes, ``_Search.bundle``): with a few
dozen multipliers it needs a few hundred evaluations where subgradient steps needed
thousands (measured: docs/optimiser.md). Every L(u) evaluated is a proven bound; the least
is reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy.optimize import linprog

from models.closure import ClosureGraph, best_closure, closure_graph
from models.workplan import BuiltModel
from prioritise.core.graph import dependency_graph, with_prerequisites
from prioritise.core.schema import DAYS_PREFIX


@dataclass(frozen=True)
class LagrangianBound:
    bound: float  # the least L(u) seen: proven
    iterations: int
    seconds: float
    choice: np.ndarray  # eligibility rows the last best u picks (a guide, not a plan)
    closure_steps: int = 0  # steps with the access precedence kept (maximum closure)
    # Per eligibility row (frame order): its value less the coupling use priced at the best
    # multipliers. Rows far below zero are unlikely in a good plan (``models.pricing``).
    reduced: np.ndarray | None = None


class _Rows:
    """The eligibility rows as arrays, sorted by hazard, with the coupling data."""

    def __init__(self, built: BuiltModel):
        p = built.problem
        f = built.eligibility.frame
        self.order = np.lexsort((f["t"].to_numpy(), f["hazard"].to_numpy()))
        g = f.iloc[self.order]
        self.hazard = g["hazard"].to_numpy()
        self.value = g["value"].to_numpy(float)
        self.cost = g["cost"].to_numpy(float)
        self.t = g["t"].to_numpy()
        self.T = len(p.years)
        teams = list(p.capacity.columns)
        self.days = g[[DAYS_PREFIX + k for k in teams]].to_numpy(float)
        self.capacity = p.capacity[teams].to_numpy(float)  # T x K
        self.budget = p.budget.to_numpy(float)
        self.carry = p.settings.plan.carry_over
        self.national = (g["operator"] == "national").to_numpy()
        provinces = p.hazards["province"].to_numpy()
        names, code = np.unique(provinces, return_inverse=True)
        c = p.settings.constraints
        self.share = np.array([c.equity_min_share.get(q, c.equity_default_share) for q in names])
        self.province = code[self.hazard]
        self.local = c.localisation_min_share
        self.starts = np.flatnonzero(np.r_[True, self.hazard[1:] != self.hazard[:-1]])
        self.required = np.isin(self.hazard[self.starts], _required_closure(built))
        # (hazard, year) groups, for the closure subproblem.
        key = self.hazard * self.T + self.t
        self.cell_starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        self.cell_hazard = self.hazard[self.cell_starts]
        self.cell_t = self.t[self.cell_starts]
        self.n_hazards = len(p.hazards)
        self._graph: ClosureGraph | None = None
        self._built = built

    def graph(self) -> ClosureGraph:
        if self._graph is None:
            p = self._built.problem
            eligible = np.zeros((self.n_hazards, self.T), bool)
            eligible[self.cell_hazard, self.cell_t] = True
            after = before = np.zeros(0, np.int64)
            if not p.dependencies.empty:
                pos = pd.Series(np.arange(self.n_hazards), index=p.hazards["hazard_id"])
                after = pos.reindex(p.dependencies["hazard_id"]).to_numpy()
                before = pos.reindex(p.dependencies["requires"]).to_numpy()
            self._graph = closure_graph(eligible, after, before, self._built.eligibility.required)
        return self._graph


def _required_closure(built: BuiltModel) -> np.ndarray:
    """Hazards that must be done, and every hazard they require (transitively)."""
    p = built.problem
    required = set(int(i) for i in built.eligibility.required)
    if required and not p.dependencies.empty:
        ids = p.hazards["hazard_id"]
        graph = nx.relabel_nodes(
            dependency_graph(ids, p.dependencies), {h: i for i, h in enumerate(ids)}
        )
        required = with_prerequisites(graph, required)
    return np.array(sorted(required), dtype=np.int64)


def _prices(rows: _Rows, u: dict[str, np.ndarray]) -> tuple[np.ndarray, float]:
    """rho per row (value less the priced coupling use) and u^T b."""
    lam, mu, alpha, beta = u["budget"], u["days"], u["equity"], u["local"]
    price_t = np.cumsum(lam[::-1])[::-1] if rows.carry else lam  # money price by year
    share_total = float(alpha @ rows.share) + beta[0] * rows.local
    rho = (
        rows.value
        - rows.cost * price_t[rows.t]
        - (rows.days * mu[rows.t]).sum(axis=1)
        + rows.cost * (alpha[rows.province] + beta[0] * rows.national - share_total)
    )
    budget_rhs = np.cumsum(rows.budget) if rows.carry else rows.budget
    return rho, float(lam @ budget_rhs + (mu * rows.capacity).sum())


def _first_best(rho: np.ndarray, starts: np.ndarray, take: np.ndarray) -> np.ndarray:
    """Per group (``starts``) taken, the first row reaching the group's best rho."""
    sizes = np.diff(np.r_[starts, len(rho)])
    best = np.maximum.reduceat(rho, starts)
    hit = (rho >= np.repeat(best, sizes)) & np.repeat(take, sizes)
    first = np.zeros(len(rho), bool)
    idx = np.flatnonzero(hit)
    if len(idx):
        group = np.repeat(np.arange(len(starts)), sizes)[idx]
        keep = np.r_[True, group[1:] != group[:-1]]
        first[idx[keep]] = True
    return first


def _evaluate(
    rows: _Rows, u: dict[str, np.ndarray], closure: bool = False
) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
    """L(u), the chosen rows, and the subgradient (b - A x per priced row)."""
    rho, priced_rhs = _prices(rows, u)
    if closure:
        cell_best = np.maximum.reduceat(rho, rows.cell_starts)
        worth = np.zeros((rows.n_hazards, rows.T))
        worth[rows.cell_hazard, rows.cell_t] = cell_best
        found = best_closure(rows.graph(), worth)
        if not found.feasible:  # the required hazards cannot all be done: no finite bound
            return np.inf, np.zeros(len(rho), bool), {}
        take_cell = found.year[rows.cell_hazard] == rows.cell_t
        first = _first_best(rho, rows.cell_starts, take_cell)
        subproblem = found.value
    else:
        best = np.maximum.reduceat(rho, rows.starts)
        take = rows.required | (best > 0)
        first = _first_best(rho, rows.starts, take)
        subproblem = float(np.where(take, best, 0.0).sum())
    value = subproblem + priced_rhs
    return value, first, _subgradient(rows, first)


def _subgradient(rows: _Rows, first: np.ndarray) -> dict[str, np.ndarray]:
    c = np.where(first, rows.cost, 0.0)
    spend = np.bincount(rows.t, weights=c, minlength=rows.T)
    used = np.stack(
        [
            np.bincount(rows.t, weights=np.where(first, rows.days[:, k], 0.0), minlength=rows.T)
            for k in range(rows.days.shape[1])
        ],
        axis=1,
    )
    total = c.sum()
    by_province = np.bincount(rows.province, weights=c, minlength=len(rows.share))
    national = c[rows.national].sum()
    budget_rhs = np.cumsum(rows.budget) if rows.carry else rows.budget
    return {
        "budget": budget_rhs - (np.cumsum(spend) if rows.carry else spend),
        "days": rows.capacity - used,
        # Share rows are >= rows: d L / d alpha = a^T x (positive when the share holds).
        "equity": by_province - rows.share * total,
        "local": np.array([national - rows.local * total]),
    }


CLOSURE_SHARE = 0.6  # of the time given, kept for steps with the access precedence
MAX_CUTS = 300  # cuts the bundle keeps (the latest)
SETTLE_STEPS = 20  # the per-hazard stage ends when 20 steps improved the bound by < 1e-4
SETTLE = 1e-4


@dataclass
class _Search:
    """The multipliers, the best bound found, its choice and its multipliers."""

    rows: _Rows
    u: dict[str, np.ndarray]
    scale: dict[str, np.ndarray]
    best: float = np.inf
    best_u: dict[str, np.ndarray] | None = None
    best_choice: np.ndarray | None = None
    steps: int = 0

    def bundle(
        self, deadline: float, max_iter: int, closure: bool, settle: float | None = None
    ) -> None:
        """Box-step cutting planes (a bundle method): each L(u) evaluated gives a cut
        L(u') >= L(u) + g (u' - u); the next u minimises the cuts' maximum within a box
        around the best u, which grows after a good step and shrinks after a poor one. With
        a few dozen multipliers it reaches the dual optimum in far fewer steps than
        subgradient steps do. With ``settle``, it also stops once the best bound has improved
        by less than that fraction over the last ``SETTLE_STEPS`` evaluations."""
        keys = list(self.u)
        shapes = {k: self.u[k].shape for k in keys}
        sizes = [self.u[k].size for k in keys]
        s = np.concatenate([self.scale[k].ravel() * np.ones(self.u[k].size) for k in keys])

        def flat(d: dict[str, np.ndarray]) -> np.ndarray:
            return np.concatenate([d[k].ravel() for k in keys])

        def unflat(w: np.ndarray) -> dict[str, np.ndarray]:
            parts = np.split(w * s, np.cumsum(sizes)[:-1])
            return {k: parts[i].reshape(shapes[k]) for i, k in enumerate(keys)}

        cuts_g: list[np.ndarray] = []
        cuts_c: list[float] = []
        w = center = flat(self.u) / s
        f_center, model, box, nulls = np.inf, -np.inf, 0.0, 0
        history: list[float] = []
        for _ in range(max_iter):
            if time.perf_counter() >= deadline:
                return
            history.append(self.best)
            if settle is not None and len(history) > SETTLE_STEPS:
                old = history[-SETTLE_STEPS - 1]
                if np.isfinite(old) and old - self.best <= settle * abs(old):
                    return
            value, choice, grad = _evaluate(self.rows, unflat(w), closure)
            self.steps += 1
            if not np.isfinite(value):
                return
            g = flat(grad) * s
            if value < self.best or self.best_choice is None:
                self.best, self.best_choice = min(value, self.best), choice
                self.best_u = unflat(w)
            cuts_g.append(g)
            cuts_c.append(value - float(g @ w))
            del cuts_g[:-MAX_CUTS], cuts_c[:-MAX_CUTS]
            if not np.isfinite(f_center):  # the first point: the box's scale
                box = max(0.05 * abs(value), 1.0) / max(np.sqrt(len(w)), 1.0)
                center, f_center = w, value
            elif value <= f_center - 0.1 * (f_center - model):
                # A serious step: grow the box when the step went to its edge.
                at_edge = float(np.abs(w - center).max()) >= 0.99 * box
                center, f_center, nulls = w, value, 0
                box *= 2.0 if at_edge else 1.0
            else:
                nulls += 1  # the cut improves the model: shrink only after several
                if nulls >= 4:
                    box, nulls = box * 0.5, 0
            w, model = _master(np.array(cuts_g), np.array(cuts_c), center, box)
            if f_center - model <= 1e-7 * max(1.0, abs(f_center)):
                return


def _master(
    g: np.ndarray, c: np.ndarray, center: np.ndarray, box: float
) -> tuple[np.ndarray, float]:
    """min theta s.t. theta >= c_k + g_k w, w >= 0, |w - center| <= box (an LP)."""
    n = g.shape[1]
    cost = np.r_[np.zeros(n), 1.0]
    a = np.hstack([g, -np.ones((len(c), 1))])  # g w - theta <= -c
    lower = np.maximum(center - box, 0.0)
    bounds = np.c_[np.r_[lower, -np.inf], np.r_[center + box, np.inf]]
    res = linprog(cost, A_ub=a, b_ub=-c, bounds=bounds, method="highs")
    if res.status != 0:
        return center, -np.inf
    return res.x[:n], float(res.x[n])


def lagrangian_bound(
    built: BuiltModel, deadline: float, max_iter: int = 400
) -> LagrangianBound | None:
    """Improve u until ``deadline`` (``max_iter`` per-hazard steps, then closure steps);
    None when there are no rows."""
    start = time.perf_counter()
    if not len(built.eligibility.frame):
        return None
    rows = _Rows(built)
    K = rows.days.shape[1]
    # Rows are scaled by their right-hand sides so one step length suits them all.
    scale = {
        "budget": 1.0 / np.maximum(np.cumsum(rows.budget) if rows.carry else rows.budget, 1.0),
        "days": 1.0 / np.maximum(rows.capacity, 1.0),
        "equity": np.full(len(rows.share), 1.0 / max(rows.budget.sum(), 1.0)),
        "local": np.array([1.0 / max(rows.budget.sum(), 1.0)]),
    }
    u = {
        "budget": np.zeros(rows.T),
        "days": np.zeros((rows.T, K)),
        "equity": np.zeros(len(rows.share)),
        "local": np.zeros(1),
    }
    search = _Search(rows, u, scale)
    access = not built.problem.dependencies.empty
    first_end = start + (1 - CLOSURE_SHARE) * (deadline - start) if access else deadline
    search.bundle(first_end, max_iter, closure=False, settle=SETTLE if access else None)
    per_hazard = search.steps
    if access and search.best_u is not None and np.isfinite(search.best):
        search.u = {k: v.copy() for k, v in search.best_u.items()}
        search.bundle(deadline, max_iter, closure=True)
    if search.best_choice is None:
        return None
    choice = np.zeros(len(rows.value), bool)
    choice[rows.order[search.best_choice]] = True
    reduced = None
    if search.best_u is not None:
        reduced = np.empty(len(rows.value))
        reduced[rows.order] = _prices(rows, search.best_u)[0]
    return LagrangianBound(
        float(search.best),
        search.steps,
        time.perf_counter() - start,
        choice,
        search.steps - per_hazard,
        reduced,
    )
