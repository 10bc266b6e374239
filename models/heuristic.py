"""A constructive plan that respects every rule, used as the MILP's first incumbent.

On national instances a MIP solver can spend its whole time limit in root processing before
its own heuristics find a plan. Handing it this plan first means a time-limited run always
returns a checked plan with a proven bound, and the solver only has to improve it.

The construction, in order:

1. hazards locked to a year, in that year;
2. hazards that must be completed (locks, the Article 5 deadline) with everything they need
   for access, in dependency order, earliest-deadline first, each in its earliest year with
   money and team-days left;
3. the rest by impact per dollar, repeatedly, so that a hazard whose access was cleared
   later in the pass gets its turn;
4. repairs for the province equity and localisation shares: add work where a share falls
   short, and make room by dropping the least valuable optional work elsewhere.

It returns None when it cannot satisfy every rule; the solver then starts from nothing.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, replace

import networkx as nx
import numpy as np

from models.solvers import RawResult, SolveStatus, relative_gap
from models.workplan import BuiltModel
from prioritise.core.graph import dependency_graph, with_prerequisites
from prioritise.core.schema import DAYS_PREFIX

EPS = 1e-7


@dataclass
class _State:
    """Money and team-days used so far, and what is scheduled where."""

    budget: list[float]  # per year
    carry: bool
    # Per year, per team type. Plain lists: the planner checks one row at a time, hundreds of
    # thousands of times, where numpy's per-call cost dominated (2-3x slower at 10k hazards).
    capacity: list[list[float]]
    spend: list[float]
    used: list[list[float]]
    row_of: dict[int, int]  # hazard -> chosen eligibility row
    year_of: np.ndarray  # hazard -> year index, -1 if not scheduled
    # With carry-over: money that year t can still take (min over s >= t of the cumulative
    # budget left), recomputed only after spending changes (None = stale).
    slack: list[float] | None = None

    def money_fits(self, cost: float, t: int) -> bool:
        if not self.carry:
            return self.spend[t] + cost <= self.budget[t] * (1 + EPS) + EPS
        if self.slack is None:
            left, budget, spent = [], 0.0, 0.0
            for b, s in zip(self.budget, self.spend, strict=True):
                budget += b  # the same sums, in the same order, as np.cumsum
                spent += s
                left.append(budget - spent)
            for s_ in range(len(left) - 2, -1, -1):
                left[s_] = min(left[s_], left[s_ + 1])
            self.slack = left
        return cost <= self.slack[t] * (1 + EPS) + EPS

    def days_fit(self, days: list[tuple[int, float]], t: int) -> bool:
        """``days`` holds the row's (team type, team-days) with team-days > 0 only: the
        others cannot break a capacity the plan keeps."""
        used, cap = self.used[t], self.capacity[t]
        return all(used[k] + d <= cap[k] * (1 + EPS) + EPS for k, d in days)


class _Planner:
    def __init__(
        self, built: BuiltModel, guide: np.ndarray | None = None, deadline: float | None = None
    ):
        p = built.problem
        # After this time.perf_counter() value only what a valid plan needs is done.
        self.deadline = math.inf if deadline is None else deadline
        self.problem = p
        f = built.eligibility.frame
        order = np.lexsort((f["cost"].to_numpy(), f["t"].to_numpy(), f["hazard"].to_numpy()))
        self.rows = order
        hz = f["hazard"].to_numpy()[order]
        self.starts = np.searchsorted(hz, np.arange(len(p.hazards) + 1))
        self.t = f["t"].to_numpy()
        self.cost = f["cost"].to_numpy(float)
        self.value = f["value"].to_numpy(float)
        self.national = (f["operator"] == "national").to_numpy()
        teams = list(p.capacity.columns)
        days = f[[DAYS_PREFIX + k for k in teams]].to_numpy(float)
        # Per row: the team types it uses and their team-days, and its cost and year, as
        # Python values for the one-row checks.
        nz_row, nz_team = np.nonzero(days)
        split = np.searchsorted(nz_row, np.arange(len(f) + 1))
        pairs = list(zip(nz_team.tolist(), days[nz_row, nz_team].tolist(), strict=True))
        self.row_days = [pairs[a:b] for a, b in itertools.pairwise(split.tolist())]
        self.cost_of = f["cost"].to_numpy(float).tolist()
        self.t_of = f["t"].to_numpy().tolist()
        self.hazard = f["hazard"].to_numpy()
        self.province = p.hazards["province"].to_numpy()
        c = p.settings.constraints
        self.shares = {
            q: c.equity_min_share.get(q, c.equity_default_share) for q in sorted(set(self.province))
        }
        self.local_share = c.localisation_min_share
        n = len(p.hazards)
        ids = p.hazards["hazard_id"]
        graph = dependency_graph(ids, p.dependencies)
        pos = {hid: i for i, hid in enumerate(ids)}
        self.graph = nx.relabel_nodes(graph, pos)
        self.requires = [list(self.graph.predecessors(i)) for i in range(n)]
        self.needed_by = [list(self.graph.successors(i)) for i in range(n)]
        self.state = _State(
            budget=p.budget.to_numpy(float).tolist(),
            carry=p.settings.plan.carry_over,
            capacity=p.capacity.to_numpy(float).tolist(),
            spend=[0.0] * len(p.years),
            used=[[0.0] * len(teams) for _ in p.years],
            row_of={},
            year_of=np.full(n, -1),
        )
        self.required = with_prerequisites(self.graph, (int(i) for i in built.eligibility.required))
        self.total = self.national_spend = 0.0
        self.by_province: dict[str, float] = {}
        # LP guidance: x values of the relaxation per eligibility row (zeros without one).
        self.guide = np.zeros(len(f)) if guide is None else np.clip(guide, 0.0, 1.0)
        topo = list(nx.lexicographical_topological_sort(self.graph))
        self.rank = {h: i for i, h in enumerate(topo)}
        # Latest year each hazard may take: its own eligibility, and for hazards that others
        # must have done in time, the latest year of those dependants.
        self.latest = np.full(n, len(p.years) - 1)
        for h in range(n):
            rows = self.candidates(h)
            if len(rows):
                self.latest[h] = self.t[rows].max()
        for h in reversed(topo):
            later = [self.latest[s] for s in self.needed_by[h] if s in self.required]
            if h in self.required and later:
                self.latest[h] = min(self.latest[h], min(later))

    # --- scheduling one hazard ---------------------------------------------------------

    def candidates(self, h: int) -> np.ndarray:
        return self.rows[self.starts[h] : self.starts[h + 1]]

    def earliest(self, h: int) -> int | None:
        years = [self.state.year_of[r] for r in self.requires[h]]
        if any(y < 0 for y in years):
            return None
        return max(years, default=0)

    def place(
        self,
        h: int,
        *,
        prefer_national: bool = False,
        optional: bool = True,
        national_only: bool = False,
        guided: bool = False,
    ) -> bool:
        """Put h in its earliest year with resources left; True when placed."""
        start = self.earliest(h)
        if start is None or self.state.year_of[h] >= 0:
            return False
        rows = self.candidates(h)
        rows = rows[(self.t[rows] >= start) & (self.t[rows] <= self.latest[h])]
        if optional:
            rows = rows[self.value[rows] > 0]
        if national_only:
            rows = rows[self.national[rows]]
        if prefer_national:
            rows = rows[np.lexsort((~self.national[rows], self.t[rows]))]
        elif guided:
            # The relaxation's preferred (option, year) first, then the earliest year.
            rows = rows[np.lexsort((self.t[rows], -np.round(self.guide[rows], 3)))]
        for r in rows.tolist():
            t = self.t_of[r]
            if self.state.money_fits(self.cost_of[r], t) and self.state.days_fit(
                self.row_days[r], t
            ):
                self.assign(h, r)
                return True
        return False

    def assign(self, h: int, r: int) -> None:
        t = self.t_of[r]
        self.state.slack = None
        self.state.spend[t] += self.cost_of[r]
        used = self.state.used[t]
        for k, d in self.row_days[r]:
            used[k] += d
        self.state.row_of[h] = r
        self.state.year_of[h] = t
        self._count(h, r, 1.0)

    def remove(self, h: int) -> None:
        r = self.state.row_of.pop(h)
        t = self.t_of[r]
        self.state.slack = None
        self.state.spend[t] -= self.cost_of[r]
        used = self.state.used[t]
        for k, d in self.row_days[r]:
            used[k] -= d
        self.state.year_of[h] = -1
        self._count(h, r, -1.0)

    def _count(self, h: int, r: int, sign: float) -> None:
        """Keep the share totals current, so checking a share costs O(provinces)."""
        c = sign * float(self.cost[r])
        self.total += c
        q = self.province[h]
        self.by_province[q] = self.by_province.get(q, 0.0) + c
        if self.national[r]:
            self.national_spend += c

    def place_required(self, h: int, latest: int) -> bool:
        """Place a hazard that must be done, dropping optional work up to its latest year
        (least impact per dollar first) until it fits."""
        if self.place(h, optional=False):
            return True
        victims = sorted(
            (v for v, t in self.items() if t <= latest and self.removable(v)), key=self.density
        )
        for v in victims:
            self.remove(v)
            if self.place(h, optional=False):
                return True
        return False

    def items(self) -> list[tuple[int, int]]:
        return [(h, int(self.state.year_of[h])) for h in self.state.row_of]

    def removable(self, h: int) -> bool:
        return h not in self.required and all(self.state.year_of[d] < 0 for d in self.needed_by[h])

    # --- the passes --------------------------------------------------------------------

    def density(self, h: int) -> float:
        rows = self.candidates(h)
        if not len(rows):
            return -np.inf
        best = rows[np.argmax(self.value[rows])]
        return float(self.value[best] / max(self.cost[best], 1e-9))

    def run(self) -> bool:
        p = self.problem
        n = len(p.hazards)
        lock_year = p.hazards["lock_year"].to_numpy(float)
        for h in np.flatnonzero(~np.isnan(lock_year)):
            if not self.place(int(h), optional=False):
                return False
        # Hazards the relaxation completes, in the order of its completion years.
        mass = np.bincount(self.hazard, weights=self.guide, minlength=n)
        when = np.bincount(self.hazard, weights=self.guide * self.t, minlength=n) / np.maximum(
            mass, 1e-9
        )
        chosen = sorted(
            np.flatnonzero(mass > 0.5), key=lambda h: (round(float(when[h]), 1), self.rank[h])
        )
        # Rows the relaxation takes whole are jointly feasible for every <= row, so they go in
        # first, exactly; then the hazards it splits. Required hazards lead each stage so that
        # optional work cannot crowd them out.
        top = np.zeros(n)
        np.maximum.at(top, self.hazard, self.guide)
        whole = top >= 0.999
        groups = [
            [h for h in chosen if whole[h] == w and (h in self.required) == r]
            for w in (True, False)
            for r in (True, False)
        ]
        for group in groups:
            for _ in range(2):
                for h in group:
                    if self.state.year_of[h] < 0:
                        self.place(int(h), optional=h not in self.required, guided=True)
        latest = self.latest
        must = sorted(self.required, key=lambda h: (latest[h], -self.density(h)))
        for h in nx.lexicographical_topological_sort(
            self.graph.subgraph(must), key=lambda h: (latest[h], h)
        ):
            if self.state.year_of[h] < 0 and not self.place_required(int(h), int(latest[h])):
                return False
        rest = sorted(
            (h for h in range(n) if h not in self.required), key=lambda h: -self.density(h)
        )
        for _ in range(4):  # later passes pick up hazards whose access was cleared
            if self.late():
                break
            placed = [
                self.place(h, prefer_national=self.national_short())
                for h in rest
                if self.state.year_of[h] < 0
            ]
            if not any(placed):
                break
        if not self.repair_shares(rest):
            return False
        if not self.late():
            self.improve(rest)
        return True

    def late(self) -> bool:
        return time.perf_counter() >= self.deadline

    def improve(self, rest: list[int]) -> None:
        """Move scheduled work earlier where money and team-days allow, most impact first,
        and fill what is left; a move is kept only if the shares still hold."""
        impact = self.problem.hazards["impact"].to_numpy(float)
        for _ in range(2):
            moved = False
            for h in sorted(self.state.row_of, key=lambda h: -impact[h]):
                if self.late():
                    return
                old = self.state.row_of[h]
                if self.t[old] == 0:
                    continue
                self.remove(h)
                placed = self.place(h, optional=h not in self.required)
                if (
                    placed
                    and self.value[self.state.row_of[h]] > self.value[old] + 1e-9
                    and self.shares_hold()
                ):
                    moved = True
                    continue
                if placed:
                    self.remove(h)
                self.assign(h, int(old))
            for h in rest:
                if self.state.year_of[h] < 0 and self.place(h):
                    if self.shares_hold():
                        moved = True
                    else:
                        self.remove(h)
            if not moved:
                break

    def shares_hold(self) -> bool:
        total, by_province, national = self.totals()
        tol = 1e-6 * max(total, 1)
        if any(s > 0 and by_province.get(q, 0.0) < s * total - tol for q, s in self.shares.items()):
            return False
        return not (self.local_share > 0 and national < self.local_share * total - tol)

    def totals(self) -> tuple[float, dict[str, float], float]:
        """Money spent in all, by province and by national operators."""
        return self.total, self.by_province, self.national_spend

    def national_short(self) -> bool:
        if self.local_share <= 0:
            return False
        total, _, national = self.totals()
        return national < self.local_share * total

    def repair_shares(self, rest: list[int]) -> bool:
        """Add work where a share is short; drop low-value optional work to make room."""
        for _ in range(5 * len(rest) + 10):
            total, by_province, national = self.totals()
            short = [
                q
                for q, s in self.shares.items()
                if s > 0 and by_province.get(q, 0.0) < s * total - 1e-6 * max(total, 1)
            ]
            local_short = self.local_share > 0 and national < self.local_share * total - 1e-6 * max(
                total, 1
            )
            if not short and not local_short:
                return True
            if short:
                q = short[0]
                fits = [h for h in rest if self.province[h] == q and self.state.year_of[h] < 0]
                if any(self.place(h) for h in fits):
                    continue
                victims = [
                    h for h in self.state.row_of if self.province[h] != q and self.removable(h)
                ]
            else:
                waiting = [h for h in rest if self.state.year_of[h] < 0]
                if any(self.place(h, national_only=True) for h in waiting):
                    continue
                victims = [
                    h
                    for h in self.state.row_of
                    if not self.national[self.state.row_of[h]] and self.removable(h)
                ]
            if not victims:
                return False
            self.remove(min(victims, key=self.density))
        return False


def greedy_plan(
    built: BuiltModel, guide: np.ndarray | None = None, deadline: float | None = None
) -> np.ndarray | None:
    """A boolean mask over eligibility rows forming a plan that keeps every rule, or None.

    ``guide`` holds the LP relaxation's values of the assignment variables; with it the
    plan follows the relaxation (LP-guided rounding), which on knapsack-like models lands
    close to the LP bound. Without it, or if following it fails, hazards go by impact per
    dollar. After ``deadline`` (a ``time.perf_counter()`` value) the optional passes stop:
    the plan keeps every rule but is filled less.
    """
    planner = _Planner(built, guide, deadline)
    if not planner.run():
        if guide is None:
            return None
        planner = _Planner(built, None, deadline)
        if not planner.run():
            return None
    mask = np.zeros(len(built.eligibility.frame), bool)
    mask[list(planner.state.row_of.values())] = True
    return mask


def constructive_result(built: BuiltModel, raw: RawResult, mask: np.ndarray) -> RawResult:
    """The constructive plan as the result, when the solver stopped before finding any plan.

    Its continuous columns are not needed: the schedule is re-checked against the rules.
    """
    value = float(built.eligibility.frame["value"].to_numpy()[mask].sum())
    x = np.zeros(built.model.n_cols)
    x[built.x[mask]] = 1.0
    stopped = raw.status == SolveStatus.NO_SOLUTION
    why = "found no plan in time" if stopped else f"failed ({raw.message})"
    return replace(
        raw,
        status=SolveStatus.TIME_LIMIT if stopped else SolveStatus.FEASIBLE,
        x=x,
        objective=value,
        complete=False,
        best_bound=raw.best_bound if stopped else None,
        gap=relative_gap(value, raw.best_bound) if stopped else None,
        message=f"the solver {why}, so the constructive plan it started from "
        "(every rule checked) is reported",
    )
