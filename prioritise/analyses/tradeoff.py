"""Trade-off curves by the epsilon-constraint method: one optimal plan per cap.

The plan's own objective (impact-years, or the NPV for ``objective = "npv"``) is maximised
with a second measure held by a cap, swept over its range:

* environment: sum e[h,o] x[h,o,t] <= eps (the plan objective then has lambda = 0, so the
  environmental score is traded only through the cap);
* cost: sum c[h,o] x[h,o,t] <= eps (USD over the horizon, undiscounted);
* equity: every province's share of the money spent >= eps, written
  sum_{h in p} c x - eps sum_h c x >= 0 for each province p with hazards.

Each point is a task ``point_task(shared, item)`` for the execution layer. Points are then
checked: a point another one dominates (as good on both measures, better on one; possible
when a solve stops within its gap) is marked and left off the frontier. The knee is the
frontier point farthest from the straight line between the two ends, both measures scaled
to 0..1.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.solution import check_schedule
from models.workplan import BuiltModel
from prioritise.core.problem import Problem
from prioritise.planning.planner import PlanResult, plan

AXES = ("environment", "cost", "equity")
LABELS = {
    "environment": "environmental score (lower is better)",
    "cost": "cost, USD over the horizon (lower is better)",
    "equity": "smallest province share of spending (higher is better)",
}
TOLERANCE = 1e-6


@dataclass(frozen=True)
class TradeoffSettings:
    axis: str  # environment | cost | equity
    points: int = 7
    time_limit: float | None = None
    gap: float | None = None


@dataclass(frozen=True, eq=False)
class TradeoffPoint:
    """One plan of the sweep; ``workplan`` and ``summary`` are None when it has no plan."""

    index: int
    epsilon: float
    status: str
    objective: float | None
    measure: float | None
    workplan: pd.DataFrame | None
    summary: dict[str, Any] | None
    gap: float | None = None  # the solve's relative gap: > 0 means best found, not proven


def problem_for(problem: Problem, axis: str) -> Problem:
    """The environment sweep trades the score through the cap only: lambda = 0."""
    if axis != "environment":
        return problem
    plan_settings = dataclasses.replace(problem.settings.plan, environment_weight=0.0)
    return problem.replace(settings=dataclasses.replace(problem.settings, plan=plan_settings))


def measure(problem: Problem, schedule: pd.DataFrame, axis: str) -> float | None:
    """The second measure of a schedule (None: equity of a plan that spends nothing)."""
    if axis == "environment":
        return float(schedule["env"].sum())
    cost = schedule["cost"].to_numpy(float)
    if axis == "cost":
        return float(cost.sum())
    if cost.sum() <= 0:
        return None
    province = problem.hazards["province"].to_numpy()[schedule["hazard"]]
    spent = pd.Series(cost).groupby(province).sum()
    spent = spent.reindex(sorted(problem.hazards["province"].unique()), fill_value=0.0)
    return float(spent.min() / cost.sum())


def cap(axis: str, epsilon: float) -> Any:
    """The ``extend`` hook of plan() that adds the axis's cap at ``epsilon``."""

    def add(built: BuiltModel) -> None:
        f = built.eligibility.frame
        x = built.x
        if axis in ("environment", "cost"):
            coef = f["env" if axis == "environment" else "cost"].to_numpy(float)
            keys = pd.DataFrame({"axis": [axis]})
            built.model.add_rows(
                f"tradeoff_{axis}", keys, np.zeros(len(x)), x, coef, lower=-np.inf, upper=epsilon
            )
            return
        province = built.problem.hazards["province"].to_numpy()[f["hazard"].to_numpy()]
        names = sorted(set(built.problem.hazards["province"]))
        cost = f["cost"].to_numpy(float)
        rows, cols, vals = [], [], []
        for i, p in enumerate(names):
            rows.append(np.full(len(x), i))
            cols.append(x)
            vals.append(cost * ((province == p).astype(float) - epsilon))
        built.model.add_rows(
            "tradeoff_equity",
            pd.DataFrame({"province": names}),
            np.concatenate(rows),
            np.concatenate(cols),
            np.concatenate(vals),
            lower=0.0,
            upper=np.inf,
        )

    return add


Starts = list[tuple[str, pd.DataFrame]]


def point_task(
    shared: tuple[Problem, TradeoffSettings] | tuple[Problem, TradeoffSettings, Starts],
    item: tuple[int, float],
) -> TradeoffPoint:
    """Plan with the cap at ``epsilon``: a pure task for the execution layer. A third shared
    element, named rule-keeping plans (the uncapped plan, the environmental anchor), gives
    each point starts that keep its cap (:func:`trimmed_start`): without one the solver
    starts from a constructive plan that may break the cap."""
    problem, settings = shared[0], shared[1]
    index, epsilon = item
    starts = starts_for(problem, shared[2] if len(shared) > 2 else [], settings.axis, epsilon)
    try:
        result = plan(
            problem,
            time_limit=settings.time_limit,
            gap=settings.gap,
            extend=cap(settings.axis, epsilon),
            starts=starts,
        )
    except Exception as exc:  # an infeasible cap is a finding about the cap, not a failure
        return TradeoffPoint(
            index, epsilon, f"no plan ({type(exc).__name__})", None, None, None, None
        )
    if result.summary.objective is None:  # no plan within the cap (or within the time)
        return TradeoffPoint(index, epsilon, result.summary.status, None, None, None, None)
    return TradeoffPoint(
        index,
        epsilon,
        result.summary.status,
        result.summary.objective,
        measure(problem, result.schedule, settings.axis),
        result.workplan,
        result.summary.to_dict(),
        result.summary.gap,
    )


ANCHOR_WEIGHT = 1000.0  # the anchor's lambda, in multiples of the uncapped plan's value per unit


def anchor_plan(
    problem: Problem, settings: TradeoffSettings, free: PlanResult
) -> pd.DataFrame | None:
    """A plan that all but minimises the capped measure: the project with that measure in
    the environmental term (the options' cost stands in for their score on the cost axis)
    and lambda = 1000 x the uncapped plan's objective per unit of the measure, planned like
    any project plan, so it keeps every rule. Its measure is the lowest the sweep goes (a
    plan found, not a proven minimum: the required work's least options, the other end, may
    not fit the money, teams and deadline) and it, trimmed or filled, starts every point,
    where trimming the uncapped plan (which cannot change methods) runs out. Returns its
    schedule with ``env`` and ``value`` as the sweep's problem counts them; None for the
    equity axis, or when there is no such plan."""
    column = {"environment": "env", "cost": "cost"}.get(settings.axis)
    objective = free.summary.objective
    amount = float(free.schedule[column].sum()) if column else 0.0
    if column is None or amount <= 0 or objective is None:
        return None
    weight = ANCHOR_WEIGHT * max(abs(objective), 1.0) / amount
    heavy = dataclasses.replace(problem.settings.plan, environment_weight=weight)
    stand_in = problem.options.assign(env=problem.options[column])
    try:
        result = plan(
            problem.replace(
                settings=dataclasses.replace(problem.settings, plan=heavy), options=stand_in
            ),
            time_limit=settings.time_limit,
            gap=settings.gap,
        )
    except Exception:  # no anchor is no start, not a failure of the sweep
        return None
    if not result.solution.status.has_plan:
        return None
    s = result.schedule
    keys = ["hazard", "method", "operator"]
    env = problem.options.set_index(keys)["env"]
    real = env.reindex(pd.MultiIndex.from_frame(s[keys])).to_numpy(float)
    lam = problem.settings.plan.environment_weight
    return s.assign(value=s["value"] + weight * s["env"] - lam * real, env=real)


def starts_for(problem: Problem, plans: Starts, axis: str, epsilon: float) -> Starts:
    """Starts within the cap from the named plans (the first the uncapped one): each trimmed
    to the cap, and each later one (the anchor) filled with the uncapped plan's other work."""
    starts: Starts = []
    for k, (name, schedule) in enumerate(plans):
        start = trimmed_start(problem, schedule, axis, epsilon)
        if start is not None:
            starts.append((name if start is schedule else f"{name}, trimmed to the cap", start))
        if k > 0 and start is not None:
            filled = filled_start(problem, start, plans[0][1], axis, epsilon)
            if filled is not None and len(filled) > len(start):
                starts.append((f"{name}, filled with the uncapped plan's work", filled))
    return starts


FILL_BATCH = 64  # candidates tried at once by filled_start; a failing batch is halved
FILL_STOP = 16  # consecutive single candidates that break a rule: the plan is full


def filled_start(
    problem: Problem, base: pd.DataFrame, extra: pd.DataFrame, axis: str, epsilon: float
) -> pd.DataFrame | None:
    """``base`` (a plan within the cap) with ``extra``'s other hazards added as they are
    there (year, method, operator), most value per unit of the capped measure first, while
    the cap holds and every rule holds (``check_schedule`` on each batch; a failing batch is
    halved, a failing single hazard skipped). None when ``base`` itself breaks the cap."""
    column = "env" if axis == "environment" else "cost"
    slack = TOLERANCE * max(1.0, abs(epsilon))
    total = float(base[column].sum())
    if axis == "equity" or total > epsilon + slack:
        return None
    rows = extra[~extra["hazard"].isin(base["hazard"]) & (extra["value"] > 0)]
    amount = rows[column].to_numpy(float)
    density = rows["value"].to_numpy(float) / np.maximum(amount, 1e-12)
    queue = list(rows.index[np.argsort(-density, kind="stable")])
    current, batch, misses = base, FILL_BATCH, 0
    while queue and misses < FILL_STOP:
        chunk = queue[:batch]
        fits, used = [], total
        for r in chunk:
            if used + float(rows.at[r, column]) <= epsilon + slack:
                fits.append(r)
                used += float(rows.at[r, column])
        trial = pd.concat([current, rows.loc[fits]], ignore_index=True)
        if not fits or not check_schedule(problem, trial):
            current, total, misses = trial, used, 0 if fits else misses
            queue = queue[len(chunk) :]
            batch = min(batch * 2, FILL_BATCH)
        elif len(chunk) == 1:
            queue, misses = queue[1:], misses + 1
        else:
            batch = max(1, len(chunk) // 2)
    return current


def trimmed_start(
    problem: Problem, free: pd.DataFrame, axis: str, epsilon: float
) -> pd.DataFrame | None:
    """The uncapped plan with optional work dropped until it keeps the cap: least value per
    unit of the capped measure first, never a required hazard (lock, lock year, Article 5
    under a deadline) nor one a kept hazard needs for access. None when the cap cannot be
    reached so or the result breaks a rule (a share, say): every rule is re-checked by
    ``models.solution.check_schedule``. On the equity axis the plan is taken only as it is,
    when its smallest province share already meets the floor."""
    if axis == "equity":
        share = measure(problem, free, axis)
        return free if share is not None and share >= epsilon - TOLERANCE else None
    column = "env" if axis == "environment" else "cost"
    slack = TOLERANCE * max(1.0, abs(epsilon))
    if float(free[column].sum()) <= epsilon + slack:
        return free
    h = problem.hazards
    required = (h["lock"] == "must").to_numpy() | h["lock_year"].notna().to_numpy()
    if problem.settings.plan.deadline_year is not None:
        required |= h["article5"].astype(bool).to_numpy()
    position = pd.Series(np.arange(len(h)), index=h["hazard_id"].to_numpy())
    deps = problem.dependencies
    needs = pd.DataFrame(
        {
            "hazard": position.reindex(deps["hazard_id"].to_numpy()).to_numpy(),
            "requires": position.reindex(deps["requires"].to_numpy()).to_numpy(),
        }
    ).dropna()
    kept = free.set_index("hazard", drop=False)
    amount = kept[column].to_numpy(float)
    ratio = pd.Series(
        np.where(amount > 0, kept["value"].to_numpy(float) / np.maximum(amount, 1e-12), np.inf),
        index=kept.index,
    ).sort_values(kind="stable")
    total = float(kept[column].sum())
    while total > epsilon + slack:
        needed = set(needs.loc[needs["hazard"].isin(kept.index), "requires"].astype(int))
        drop = [k for k in ratio.index if k in kept.index and not required[k] and k not in needed]
        drop = [k for k in drop if kept.at[k, column] > 0]
        if not drop:
            return None
        for k in drop:
            if total <= epsilon + slack:
                break
            total -= float(kept.at[k, column])
            kept = kept.drop(index=k)
    schedule = kept.reset_index(drop=True)
    return schedule if not check_schedule(problem, schedule) else None


def epsilons(
    problem: Problem,
    settings: TradeoffSettings,
    free: PlanResult | None = None,
    anchor: pd.DataFrame | None = None,
) -> list[float]:
    """The caps: from the unconstrained plan's measure (``free``, planned here when not
    given) to the tightest end of the range: the anchor's measure when there is an anchor
    (:func:`anchor_plan`), else the floor the required work needs."""
    if free is None:
        free = plan(problem, time_limit=settings.time_limit, gap=settings.gap)
    start = measure(problem, free.schedule, settings.axis)
    if anchor is not None and start is not None:
        low = measure(problem, anchor, settings.axis)
        if low is not None and low < start:
            return [float(v) for v in np.linspace(start, low, settings.points)]
    n = settings.points
    if settings.axis == "equity":
        top = 1.0 / max(problem.hazards["province"].nunique(), 1)
        low = start if start is not None else 0.0
        return [float(v) for v in np.linspace(low, top, n)]
    assert start is not None
    return [float(v) for v in np.linspace(start, required_floor(problem, settings.axis), n)]


def with_cap(caps: list[float], extra: float) -> list[float]:
    """``caps`` with ``extra`` in its place in their order (ascending or descending), unless
    one of them is already that cap."""
    if any(abs(c - extra) <= TOLERANCE * max(1.0, abs(extra)) for c in caps):
        return caps
    descending = len(caps) > 1 and caps[0] > caps[-1]
    return sorted([*caps, extra], reverse=descending)


def required_floor(problem: Problem, axis: str) -> float:
    """A lower bound on the measure of any plan: each required hazard's least option
    (locks 'must' and Article 5 hazards under a deadline); caps below it cannot be met."""
    h = problem.hazards
    required = h["lock"] == "must"
    if problem.settings.plan.deadline_year is not None:
        required |= h["article5"].astype(bool)
    opts = problem.options[problem.options["hazard"].isin(h.index[required])]
    column = "env" if axis == "environment" else "cost"
    return float(opts.groupby("hazard")[column].min().sum()) if len(opts) else 0.0


def dominates(a: tuple[float, float], b: tuple[float, float], axis: str) -> bool:
    """a = (objective, measure) dominates b: no worse on both, strictly better on one."""
    sign = 1.0 if axis == "equity" else -1.0  # measure oriented so that larger is better

    def better(u: float, v: float) -> bool:
        return u > v + TOLERANCE * max(1.0, abs(v))

    def worse(u: float, v: float) -> bool:
        return better(v, u)

    oa, ma = a[0], sign * a[1]
    ob, mb = b[0], sign * b[1]
    return not worse(oa, ob) and not worse(ma, mb) and (better(oa, ob) or better(ma, mb))


def frontier_table(points: list[TradeoffPoint], axis: str) -> pd.DataFrame:
    """One row per point: cap, status, both measures, on_frontier, dominated_by, knee."""
    pairs = {p.index: _pair(p) for p in points}
    rows = []
    for p in points:
        mine = pairs[p.index]
        by = ""
        if mine is not None:
            for q in points:
                theirs = pairs[q.index]
                if q.index != p.index and theirs is not None and dominates(theirs, mine, axis):
                    by = f"point {q.index}"
                    break
        rows.append(
            {
                "point": p.index,
                "cap": p.epsilon,
                "status": p.status,
                "objective": p.objective,
                "measure": p.measure,
                "gap": p.gap,
                "on_frontier": mine is not None and not by,
                "dominated_by": by,
                "workplan": f"point_{p.index:02d}/workplan.csv" if p.workplan is not None else "",
            }
        )
    table = pd.DataFrame(rows)
    # Points with the same two figures are one frontier point: keep the first.
    front = table[table["on_frontier"]]
    repeat = front.duplicated(subset=["objective", "measure"])
    table.loc[front.index[repeat.to_numpy()], "on_frontier"] = False
    table.loc[front.index[repeat.to_numpy()], "dominated_by"] = "same as an earlier point"
    table["knee"] = False
    knee = knee_point(table[table["on_frontier"]], axis)
    if knee is not None:
        table.loc[table["point"] == knee, "knee"] = True
    return table


def _pair(p: TradeoffPoint) -> tuple[float, float] | None:
    if p.objective is None or p.measure is None:
        return None
    return (p.objective, p.measure)


def knee_point(front: pd.DataFrame, axis: str) -> int | None:
    """The point farthest from the line through the two ends (both scaled to 0..1)."""
    if len(front) < 3:
        return None
    obj = front["objective"].to_numpy(float)
    mea = front["measure"].to_numpy(float) * (1.0 if axis == "equity" else -1.0)
    span_o, span_m = np.ptp(obj), np.ptp(mea)
    if span_o <= 0 or span_m <= 0:
        return None
    u, v = (obj - obj.min()) / span_o, (mea - mea.min()) / span_m
    order = np.argsort(u)
    a, b = np.array([u[order[0]], v[order[0]]]), np.array([u[order[-1]], v[order[-1]]])
    d = b - a
    dist = np.abs(d[0] * (v - a[1]) - d[1] * (u - a[0])) / max(float(np.hypot(*d)), 1e-12)
    return int(front["point"].to_numpy()[int(np.argmax(dist))])
