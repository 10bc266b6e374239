"""Monte Carlo with annual re-planning: plan, live a year, learn, re-plan the rest.

Each sample is one possible history of the programme, simulated year by year:

1. the current plan's work for the year is done in plan order (impact, highest first);
   each piece costs what this sample's *true* outcomes say (below); a piece that no longer
   fits the year's money or a team type's team-days is done in part (the share the binding
   resource allows) and keeps the rest of its area for later; work whose access
   prerequisite is not done waits;
2. what the year revealed is learnt: the productivity of every team type that worked and
   the cost level of every method used (the survey outcome of a hazard is revealed by doing
   it, so it needs no learning);
3. the rest is re-planned with :func:`prioritise.planning.planner.plan` on the remaining
   problem (:func:`prioritise.analyses.remaining.remaining_problem`: work done locked,
   partial hazards keep what is left, unspent money carried over if the project allows it,
   team-days and costs re-estimated with what was learnt). A year that went exactly as
   planned keeps the plan: re-solving could only return an equally good plan, and keeping
   it makes the zero-noise run reproduce the nominal plan exactly.

True outcomes, drawn once per sample from its own seed ([seed, sample]), in a fixed
order over every hazard, so a sample's history never depends on the worker or on other
samples. All noise is *mean-preserving on the quantity that matters*:

* productivity: team-days x m, m ~ lognormal with E[m] = 1 per team type (sigma
  ``productivity_sigma``), so expected team-days equal the plan's;
* cost: each method's cost x g, E[g] = 1 (sigma ``cost_sigma``);
* survey: cancelled share c' ~ Beta(c k, (1-c) k), reduced share of the rest
  q' ~ Beta(q k, (1-q) k), q = r/(1-c) (k = ``concentration``; infinite = as given);
* contamination found while clearing: the area to clear x a, E[a] = 1 (``area_sigma``);
* impact (optional, ``impact_sigma``): the impact actually gained x b, E[b] = 1, unknown
  to the planner.

Impact-years of a sample are counted like the plan's objective without its environmental
term: impact x the original horizon's weight of the year a hazard is *completed*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from models.eligibility import plan_weights
from prioritise.analyses.remaining import remaining_problem
from prioritise.analyses.uncertainty import clearance_days
from prioritise.core.errors import InfeasibleError
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX
from prioritise.planning.planner import plan


@dataclass(frozen=True)
class MonteCarloSettings:
    samples: int = 200
    seed: int = 0
    concentration: float = 20.0
    productivity_sigma: float = 0.15
    cost_sigma: float = 0.10
    area_sigma: float = 0.10
    impact_sigma: float = 0.0
    time_limit: float = 10.0  # per re-plan
    gap: float | None = 0.01  # per re-plan: well inside the spread of the samples
    threads: int = 1

    @staticmethod
    def zero_noise(samples: int = 1, **kw: Any) -> MonteCarloSettings:
        return MonteCarloSettings(
            samples=samples,
            concentration=float("inf"),
            productivity_sigma=0.0,
            cost_sigma=0.0,
            area_sigma=0.0,
            impact_sigma=0.0,
            **kw,
        )


@dataclass(frozen=True)
class Truth:
    """One sample's true outcomes (see the module doc)."""

    productivity: Mapping[str, float]  # team type -> m
    cost: Mapping[str, float]  # method -> g
    cancel: np.ndarray  # per original hazard position
    reduce: np.ndarray
    area: np.ndarray
    impact: np.ndarray


@dataclass
class SampleRun:
    """What one simulated history produced (returned by the worker)."""

    sample: int
    done_year: np.ndarray  # per original hazard, 0 = not completed within the horizon
    released_m2: float = 0.0
    cost_usd: float = 0.0
    replans: int = 0
    notes: list[str] = field(default_factory=list)
    impact_factor: np.ndarray | None = None


def _lognormal(rng: np.random.Generator, sigma: float, size: int) -> np.ndarray:
    return rng.lognormal(-(sigma**2) / 2, sigma, size) if sigma > 0 else np.ones(size)


def draw_truth(problem: Problem, settings: MonteCarloSettings, sample: int) -> Truth:
    """The sample's true outcomes, in a fixed order, from its own seed."""
    # The same stream as prioritise.execution.engine.task_seed(seed, sample).
    rng = np.random.default_rng(np.random.SeedSequence([settings.seed, sample]))
    teams = list(problem.capacity.columns)
    methods = [m.name for m in problem.settings.methods]
    m = _lognormal(rng, settings.productivity_sigma, len(teams))
    g = _lognormal(rng, settings.cost_sigma, len(methods))
    h = problem.hazards
    n = len(h)
    c = h["cancel_fraction"].to_numpy(float)
    r = h["reduce_fraction"].to_numpy(float)
    q = np.where(c < 1, r / np.where(c < 1, 1 - c, 1), 0.0)
    k = settings.concentration
    c_new, q_new = c.copy(), q.copy()
    if np.isfinite(k):
        draw_c = (c > 0) & (c < 1)
        draw_q = (q > 0) & (q < 1)
        u = rng.beta(np.where(draw_c, c, 0.5) * k, (1 - np.where(draw_c, c, 0.5)) * k, n)
        v = rng.beta(np.where(draw_q, q, 0.5) * k, (1 - np.where(draw_q, q, 0.5)) * k, n)
        c_new = np.where(draw_c, u, c)
        q_new = np.where(draw_q, v, q)
    area = _lognormal(rng, settings.area_sigma, n)
    impact = _lognormal(rng, settings.impact_sigma, n)
    return Truth(
        dict(zip(teams, m, strict=True)),
        dict(zip(methods, g, strict=True)),
        c_new,
        (1 - c_new) * q_new,
        area,
        impact,
    )


def actual_work(
    problem: Problem, rows: pd.DataFrame, truth: Truth, left: np.ndarray
) -> pd.DataFrame:
    """True cost, team-days and areas of planned rows (original options x share left).

    ``rows`` has ``hazard`` (original position), ``method``, ``operator``; ``left`` the
    share of each original hazard's work still to do.
    """
    opts = problem.options.set_index(["hazard", "method", "operator"])
    key = list(zip(rows["hazard"], rows["method"], rows["operator"], strict=True))
    nominal = opts.loc[key].reset_index()
    frac = left[nominal["hazard"].to_numpy()]
    teams = list(problem.capacity.columns)
    days_cols = [DAYS_PREFIX + t for t in teams]
    for col in ("released_m2", "cleared_m2", "cancelled_m2", "reduced_m2", "cost", *days_cols):
        nominal[col] = nominal[col].to_numpy(float) * frac
    pos = nominal["hazard"].to_numpy()
    area = nominal["released_m2"].to_numpy(float)
    cleared = nominal["cleared_m2"].to_numpy(float)
    surveyed = (cleared < area - 1e-9) & (area > 0)
    true_cleared = (
        np.where(surveyed, area * (1 - truth.cancel[pos] - truth.reduce[pos]), cleared)
        * truth.area[pos]
    )
    ratio = np.divide(true_cleared, cleared, out=np.ones_like(cleared), where=cleared > 0)
    clear = clearance_days(problem, nominal, teams)
    days = nominal[days_cols].to_numpy(float)
    mult = np.array([truth.productivity[t] for t in teams])
    true_days = ((days - clear) + clear * ratio[:, None]) * mult[None, :]
    rate = problem.team_types.set_index("team_type")["cost_per_day"].reindex(teams)
    per_m2 = {m.name: m.cost_per_m2 for m in problem.settings.methods}
    method_m2 = nominal["method"].map(per_m2).fillna(0.0).to_numpy(float)
    g = nominal["method"].map(dict(truth.cost)).fillna(1.0).to_numpy(float)
    cost = (
        nominal["cost"].to_numpy(float)
        + ((true_days - days) * np.nan_to_num(rate.to_numpy(float))).sum(axis=1)
        + method_m2 * (true_cleared - cleared)
    ) * g
    out = nominal[["hazard", "method", "operator"]].copy()
    out["cost"] = np.maximum(cost, 0.0)
    out["planned_cost"] = nominal["cost"].to_numpy(float)
    out[days_cols] = true_days
    out["released_m2"] = area
    out["cleared_m2"] = true_cleared
    out["cancelled_m2"] = np.where(surveyed, area * truth.cancel[pos], nominal["cancelled_m2"])
    return out


def simulate_sample(
    shared: tuple[Problem, pd.DataFrame, MonteCarloSettings], sample: int
) -> SampleRun:
    """One history (the task the execution layer runs; pure in its inputs)."""
    problem, nominal, settings = shared
    truth = draw_truth(problem, settings, sample)
    return _History(problem, settings, truth, sample).run(nominal)


class _History:
    """The year-by-year loop of one sample."""

    def __init__(
        self, problem: Problem, settings: MonteCarloSettings, truth: Truth, sample: int
    ) -> None:
        self.problem = problem
        self.settings = settings
        self.truth = truth
        h = problem.hazards
        self.ids = h["hazard_id"].to_numpy()
        self.pos = {hid: i for i, hid in enumerate(self.ids)}
        self.left = np.ones(len(h))
        self.out = SampleRun(sample, np.zeros(len(h), dtype=np.int64))
        self.out.impact_factor = truth.impact
        self.belief_days: dict[str, float] = {}
        self.belief_cost: dict[str, float] = {}
        self.requires: dict[int, list[int]] = {}
        for a, b in zip(
            problem.dependencies["hazard_id"], problem.dependencies["requires"], strict=False
        ):
            self.requires.setdefault(self.pos[a], []).append(self.pos[b])

    def run(self, nominal: pd.DataFrame) -> SampleRun:
        """``nominal``: the plan at the start (hazard as original positions, year)."""
        current = nominal
        carry = 0.0
        years = self.problem.years
        for year in years:
            todo = current[current["year"] == year]
            money = float(self.problem.budget[year]) + carry
            money, as_planned = self._live_year(year, todo, money)
            carry = money if self.problem.settings.plan.carry_over else 0.0
            if year == years[-1]:
                break
            learnt = self._learn(todo)
            if as_planned and not learnt:
                continue
            current = self._replan(year + 1, carry)
        return self.out

    def _live_year(self, year: int, todo: pd.DataFrame, money: float) -> tuple[float, bool]:
        """Do the year's work; the money left and whether it all went as planned."""
        if todo.empty:
            return money, True
        impact = self.problem.hazards["impact"].to_numpy(float)
        order = np.lexsort((self.ids[todo["hazard"]], -impact[todo["hazard"]]))
        todo = todo.iloc[order]
        work = actual_work(self.problem, todo, self.truth, self.left)
        teams = list(self.problem.capacity.columns)
        days_cols = [DAYS_PREFIX + t for t in teams]
        capacity = self.problem.capacity.loc[year, teams].to_numpy(float).copy()
        tol_money = 1e-6 * max(1.0, abs(float(self.problem.budget[year])))
        tol_days = 1e-6 * np.maximum(1.0, capacity)
        as_planned = bool(np.allclose(work["cost"], work["planned_cost"], rtol=1e-9, atol=1e-6))
        pending = list(range(len(work)))
        progressed = True
        while pending and progressed:
            progressed = False
            for i in list(pending):
                h = int(work["hazard"].iloc[i])
                if any(self.out.done_year[j] == 0 for j in self.requires.get(h, [])):
                    continue
                pending.remove(i)
                progressed = True
                cost = float(work["cost"].iloc[i])
                days = work[days_cols].iloc[i].to_numpy(float)
                share = _share_that_fits(cost, days, money + tol_money, capacity + tol_days)
                money = max(0.0, money - share * cost)
                capacity = np.maximum(0.0, capacity - share * days)
                self.out.cost_usd += share * cost
                self.out.released_m2 += share * float(work["released_m2"].iloc[i])
                if share >= 1.0:
                    self.out.done_year[h] = year
                    self.left[h] = 0.0
                else:
                    self.left[h] *= 1.0 - share
                    as_planned = False
        return money, as_planned and not pending

    def _learn(self, todo: pd.DataFrame) -> bool:
        """Adopt the observed productivity and cost level of what worked; True if new."""
        if todo.empty:
            return False
        changed = False
        for t in self.problem.capacity.columns:
            if (todo.get(DAYS_PREFIX + t, pd.Series(dtype=float)) > 0).any():
                m = float(self.truth.productivity[t])
                changed |= self.belief_days.get(t, 1.0) != m
                self.belief_days[t] = m
        for method in set(todo["method"]):
            g = float(self.truth.cost.get(method, 1.0))
            changed |= self.belief_cost.get(method, 1.0) != g
            self.belief_cost[method] = g
        return changed

    def _replan(self, start: int, carry: float) -> pd.DataFrame:
        done = [str(x) for x in self.ids[self.out.done_year > 0]]
        partial = {str(self.ids[i]): float(self.left[i]) for i in np.flatnonzero(self.left < 1.0)}
        rem = remaining_problem(
            self.problem,
            start,
            done=done,
            fraction_left=partial,
            money_in=carry,
            days_factor=self.belief_days,
            cost_factor=self.belief_cost,
        )
        self.out.replans += 1
        s = self.settings
        try:
            result = plan(rem.problem, time_limit=s.time_limit, gap=s.gap, threads=s.threads)
        except InfeasibleError:
            relaxed = _relaxed(rem.problem)
            self.out.notes.append(f"{start}: re-planned without the deadline and 'must' locks")
            try:
                result = plan(relaxed, time_limit=s.time_limit, gap=s.gap, threads=s.threads)
            except InfeasibleError:
                self.out.notes.append(f"{start}: no plan for the remaining years")
                return pd.DataFrame(columns=["hazard", "year", "method", "operator"])
        status = str(result.solution.status)
        if status not in ("optimal", "gap_limit"):
            self.out.notes.append(f"{start}: re-plan {status} ({result.solution.message})")
        sched = result.schedule[["hazard", "year", "method", "operator"]].copy()
        sched["hazard"] = rem.kept[sched["hazard"].to_numpy()]
        for t in self.problem.capacity.columns:
            col = DAYS_PREFIX + t
            sched[col] = result.schedule[col].to_numpy() if col in result.schedule else 0.0
        return sched


def _share_that_fits(cost: float, days: np.ndarray, money: float, capacity: np.ndarray) -> float:
    """The share of a piece of work the money and every team type's days allow (<= 1)."""
    share = 1.0
    if cost > money:
        share = min(share, money / cost)
    over = days > capacity
    if over.any():
        share = min(share, float((capacity[over] / days[over]).min()))
    return max(0.0, share)


def _relaxed(problem: Problem) -> Problem:
    s = problem.settings
    h = problem.hazards.assign(lock=problem.hazards["lock"].replace("must", ""), lock_year=np.nan)
    return problem.replace(settings=replace(s, plan=replace(s.plan, deadline_year=None)), hazards=h)


def nominal_schedule(problem: Problem, schedule: pd.DataFrame) -> pd.DataFrame:
    """The columns of a plan's schedule that a history reads."""
    cols = ["hazard", "year", "method", "operator"]
    days = [DAYS_PREFIX + t for t in problem.capacity.columns if DAYS_PREFIX + t in schedule]
    return schedule[cols + days].reset_index(drop=True)


def impact_years_of(problem: Problem, done_year: np.ndarray, factor: np.ndarray) -> float:
    """Impact x the horizon's weight of each completion year, completed hazards only."""
    years = problem.years
    w = plan_weights(problem.settings.plan)
    done = done_year > 0
    t = np.where(done, done_year - years[0], 0)
    impact = problem.hazards["impact"].to_numpy(float) * factor
    return float((impact * w[t] * done).sum())
