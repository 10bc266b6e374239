"""Can every Article 5 hazard be completed by a year, and if not, what would it take?

All answers come from solves, not rules of thumb:

1. feasibility under current budgets and teams (the workplan model with the deadline in
   force and no objective);
2. (a) the least extra money: min sum_t e_t over the years t <= Y (none after the
   deadline, where money cannot help meet it), with carry-over when the project allows
   it, then placed as late as that plan allows and rounded up to the dollar; the same
   percentage on every year up to Y is kept as a secondary view; (b) separately, the
   fewest extra team-years per type and year up to Y (or their least cost) with budgets
   as they are; (a+b) both together, least money first, when neither alone works;
3. the earliest year that is feasible with current resources (the deadline constraint only
   relaxes as the year moves later, so a binary search over years needs few solves); years
   past the horizon extend it by repeating the last year's budget and teams;
4. for each way of meeting the deadline (the least-money answer for 'extra budget'), the
   plan optimised for impact under the deadline as the tables an extension request needs:
   area per year and province, cost, budget and extra budget per year, teams per year.

The resource questions only involve the hazards that must be done (Article 5 hazards, 'must'
locks and everything on their access routes), so the solves start on that core: dropping
hazards that may stay unscheduled does not change feasibility. With province or
localisation shares the core still gives sound answers one way (a core plan is a plan), and
the whole problem is solved as well when it could do better (see :func:`required_core`).

Independent solves fan out through ``mapper`` (``mapper(fn, items, shared)`` -> values in
order; the CLI passes the Dask execution layer's, see
:func:`prioritise.execution.manyplans.executor_mapper`): the least money and the fewest teams
together, then the uniform view and both-together; the earliest-year search probes
``width`` years per round instead of one (a k-ary search: with the deadline constraint
monotone in the year, it ends on the same year as the binary search); the plans behind the
tables. Each task is a module-level function of its inputs only, so the answers equal the
sequential run's (a solve stopped by its time limit is the exception either way: how far a
solve gets in its time depends on the machine's load).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from models.deadline import (
    add_budget_scale,
    add_extra_money,
    add_extra_teams,
    zero_objective,
)
from models.eligibility import excluded_hazards
from models.heuristic import greedy_plan
from models.solution import check_schedule, schedule_from_rows
from models.solvers import SolverOptions, SolveStatus, solve
from models.workplan import BuiltModel, build_model
from prioritise.analyses.scenarios.apply import extend_horizon
from prioritise.core.errors import InfeasibleError
from prioritise.core.graph import dependency_graph, with_prerequisites
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX
from prioritise.inputs.roster import Roster, read_roster
from prioritise.planning.planner import plan

Mapper = Callable[[Callable[[Any, Any], Any], Sequence[Any], Any], list[Any]]


def sequential(fn: Callable[[Any, Any], Any], items: Sequence[Any], shared: Any) -> list[Any]:
    """The mapper without an executor: one solve after another, here."""
    return [fn(shared, item) for item in items]


@dataclass(frozen=True)
class Fanout:
    """Where the independent solves run: ``mapper``, and how many years the earliest-year
    search probes a round (the workers available)."""

    mapper: Mapper = sequential
    width: int = 1


ALPHA_ROUNDING = 1e-6  # alpha is rounded up to this, so the extra budget is never short
MONEY_TOLERANCE = 1e-6  # solver noise ignored when rounding extra money up to the dollar


@dataclass(frozen=True)
class Check:
    """One solve's verdict: True feasible, False proven infeasible, None undecided (time)."""

    feasible: bool | None
    status: str
    seconds: float


@dataclass(frozen=True)
class Requirement:
    """The least extra resource that makes the deadline reachable, from one solve."""

    kind: str  # "budget", "uniform budget", "teams" or "budget and teams"
    status: str
    # budget: extra USD in total; uniform budget: alpha; teams: team-years or their cost
    value: float | None
    bound: float | None  # the solver's proven bound on value (a lower bound)
    extra: pd.DataFrame | None  # budget: per year (budget, extra, new); teams: per type/year
    problem: Problem | None = None  # the problem with the extra resources
    schedule: pd.DataFrame | None = None  # the solve's own (feasible) schedule
    budget_by_year: pd.DataFrame | None = None  # with both: the extra money per year
    money: float | None = None  # with both: the extra money in total (USD)

    @property
    def found(self) -> bool:
        return self.extra is not None


@dataclass(frozen=True)
class DeadlineAnswer:
    year: int
    article5: int
    article5_area_m2: float
    blocked: tuple[str, ...]
    current: Check
    extra_budget: Requirement | None
    extra_teams: Requirement | None
    earliest_year: int | None
    earliest_note: str
    tables: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    extra_both: Requirement | None = None  # only when neither (a) nor (b) works alone
    uniform: Requirement | None = None  # the same percentage on every year up to the deadline


def with_deadline(problem: Problem, year: int) -> Problem:
    """The problem with ``[plan] deadline_year = year``, the horizon extended to reach it."""
    plan_s = problem.settings.plan
    if year < plan_s.start_year:
        raise ValueError(f"The deadline {year} is before the plan starts ({plan_s.start_year}).")
    years = max(plan_s.years, year - plan_s.start_year + 1)
    p = extend_horizon(problem, years)
    settings = replace(p.settings, plan=replace(p.settings.plan, deadline_year=year))
    return p.replace(settings=settings)


def required_core(problem: Problem) -> tuple[Problem, bool]:
    """The hazards that must be done (Article 5, 'must' locks) and their access routes, and
    whether answers on that core are exact for the whole problem (the whole problem itself
    is returned when the core would lose a province that must get a share of spending).

    Without shares they are: the other hazards may simply stay unscheduled. With province or
    localisation shares, a plan of the core is still a plan of the whole problem (the shares
    are taken of the same spending), so a feasible core proves feasibility and the core's
    extra budget or teams suffice; but other hazards could meet a share more cheaply, so the
    whole problem may need less, and an infeasible core proves nothing.
    """
    c = problem.settings.constraints
    exact = not (c.equity_min_share or c.equity_default_share or c.localisation_min_share)
    h = problem.hazards
    must = (h["lock"] == "must") | h["article5"].astype(bool)
    ids = h["hazard_id"]
    needed = set(ids[must])
    if not problem.dependencies.empty:
        graph = dependency_graph(ids, problem.dependencies)
        needed = with_prerequisites(graph, needed)
    keep = np.flatnonzero(ids.isin(needed).to_numpy())
    # Equity rows exist only for provinces with hazards: a core without a province that
    # must get a share would silently drop that share, so then only the whole problem will do.
    shared = {
        p for p in h["province"].unique() if c.equity_min_share.get(p, c.equity_default_share) > 0
    }
    if len(keep) == len(h) or not shared <= set(h["province"].to_numpy()[keep]):
        return problem, True
    return subset_problem(problem, keep), exact


def subset_problem(problem: Problem, keep: np.ndarray) -> Problem:
    """The problem restricted to the hazards at positions ``keep`` (renumbered 0..m-1)."""
    new_pos = np.full(len(problem.hazards), -1)
    new_pos[keep] = np.arange(len(keep))
    opts = problem.options[problem.options["hazard"].isin(keep)].copy()
    opts["hazard"] = new_pos[opts["hazard"].to_numpy()]
    ids = set(problem.hazards["hazard_id"].to_numpy()[keep])
    deps = problem.dependencies
    deps = deps[deps["hazard_id"].isin(ids) & deps["requires"].isin(ids)].reset_index(drop=True)
    geometry = (
        problem.geometry.iloc[keep].reset_index(drop=True) if problem.geometry is not None else None
    )
    return problem.replace(
        hazards=problem.hazards.iloc[keep].reset_index(drop=True),
        contributions=problem.contributions.iloc[keep].reset_index(drop=True),
        options=opts.reset_index(drop=True),
        dependencies=deps,
        geometry=geometry,
    )


def _options(time_limit: float, gap: float = 0.0) -> SolverOptions:
    return SolverOptions(time_limit=time_limit, gap=gap)


def _verdict(status: SolveStatus) -> bool | None:
    if status == SolveStatus.INFEASIBLE:
        return False
    return True if status.has_plan else None


def check_feasible(problem: Problem, time_limit: float) -> Check:
    """Is there any plan meeting the problem's deadline (and every other rule)?

    Solved on the required core first; with shares, a core that is not feasible is
    followed by a solve of the whole problem (see :func:`required_core`).
    """
    core, exact = required_core(problem)
    check = _feasible(core, time_limit)
    if exact or check.feasible is True:
        return check
    return _feasible(problem, time_limit)


def _feasible(part: Problem, time_limit: float) -> Check:
    """A constructive plan that passes the rule check proves feasibility at once; otherwise
    the solver decides (or runs out of time)."""
    start = time.perf_counter()
    built = build_model(part)
    greedy = greedy_plan(built)
    if greedy is not None:
        schedule = schedule_from_rows(part, built.eligibility.frame[greedy])
        if not check_schedule(part, schedule):
            return Check(True, "feasible (constructive plan)", time.perf_counter() - start)
    zero_objective(built.model)
    raw = solve(built.model, _options(time_limit, gap=1.0))
    return Check(_verdict(raw.status), str(raw.status), raw.seconds)


def _core_then_whole(
    problem: Problem,
    minimise: Callable[[Problem], Requirement],
) -> Requirement:
    """A resource minimum on the core; with shares, also on the whole problem, keeping the
    better answer and saying when only the core's upper bound is known."""
    core, exact = required_core(problem)
    on_core = minimise(core)
    if exact:
        return on_core
    whole = minimise(problem)
    if whole.found and (not on_core.found or (whole.value or 0.0) <= (on_core.value or 0.0)):
        return whole
    if on_core.found:
        return replace(
            on_core,
            status=f"{on_core.status} on the required hazards; an upper "
            f"bound (whole problem: {whole.status})",
        )
    return whole


def _chosen_schedule(built: BuiltModel, x: np.ndarray, problem: Problem) -> pd.DataFrame:
    chosen = built.eligibility.frame[x[built.x] > 0.5]
    return schedule_from_rows(problem, chosen)


def min_extra_budget(problem: Problem, time_limit: float) -> Requirement:
    """(a) The least extra money, year by year up to the deadline, that meets it."""
    return _core_then_whole(problem, lambda part: _min_money(problem, part, time_limit))


def _min_money(
    problem: Problem, core: Problem, time_limit: float, days: pd.DataFrame | None = None
) -> Requirement:
    """Least total e_t (t <= Y) on ``core``, placed as late as the solve's plan allows.
    With ``days`` (days per team by year), extra teams are free (for the both-together
    answer)."""
    year = _deadline(problem)
    built = build_model(core)
    zero_objective(built.model)
    add_extra_money(built.model, year)
    if days is not None:
        add_extra_teams(built.model, days, pd.Series(0.0, index=days.columns), year)
    raw = solve(built.model, _options(time_limit))
    if raw.x is None or raw.objective is None:
        return Requirement("budget", str(raw.status), None, _neg(raw.best_bound), None)
    x = raw.x
    extra = _money_frame(problem, latest_money(core, built, x, year))
    bigger = _with_extra_money(problem, extra)
    schedule = _chosen_schedule(built, x, core.replace(budget=bigger.budget))
    return Requirement(
        "budget",
        str(raw.status),
        float(extra["extra_usd"].sum()),
        _neg(raw.best_bound),
        extra,
        bigger,
        schedule,
    )


def _deadline(problem: Problem) -> int:
    year = problem.settings.plan.deadline_year
    if year is None:
        raise ValueError("the deadline analysis needs a problem with a deadline year")
    return int(year)


def latest_money(core: Problem, built: BuiltModel, x: np.ndarray, last_year: int) -> pd.Series:
    """For the plan chosen by ``x``, the extra money per year up to ``last_year``, placed as
    late as it can arrive and rounded up to the dollar (so it is never short).

    With carry-over, the extra money received by year t must cover the largest overspend so
    far, D_t = max(0, max_{s<=t} sum_{u<=s} (S_u - B_u)), so e_t = D_t - D_{t-1}; without
    it, e_t = max(0, S_t - B_t). Either way the total is the least money for that plan, so
    for the least-money solve's plan it is the solve's minimum.
    """
    f = built.eligibility.frame
    chosen = x[built.x] > 0.5
    spend = (
        pd.Series(f["cost"].to_numpy(float)[chosen])
        .groupby(f["year"].to_numpy()[chosen])
        .sum()
        .reindex(core.years, fill_value=0.0)
    )
    over = spend.to_numpy() - core.budget.reindex(core.years).to_numpy(float)
    if core.settings.plan.carry_over:
        needed = np.maximum.accumulate(np.maximum(np.cumsum(over), 0.0))
        extra = np.diff(needed, prepend=0.0)
    else:
        extra = np.maximum(over, 0.0)
    usd = np.maximum(np.ceil(extra - MONEY_TOLERANCE), 0.0)
    usd[np.asarray(core.years) > last_year] = 0.0
    return pd.Series(usd, index=pd.Index(core.years, name="year"))


def _money_frame(problem: Problem, extra: pd.Series) -> pd.DataFrame:
    added = extra.reindex(problem.years, fill_value=0.0).to_numpy(float)
    frame = pd.DataFrame(
        {
            "budget_usd": problem.budget.to_numpy(float),
            "extra_usd": added,
            "new_budget_usd": problem.budget.to_numpy(float) + added,
        },
        index=pd.Index(problem.years, name="year"),
    )
    return frame


def _with_extra_money(problem: Problem, extra: pd.DataFrame) -> Problem:
    budget = pd.Series(
        extra["new_budget_usd"].to_numpy(float),
        index=problem.budget.index,
        name=problem.budget.name,
    )
    return problem.replace(budget=budget)


def uniform_budget(problem: Problem, time_limit: float) -> Requirement:
    """The secondary view: the same percentage on every year's budget up to the deadline."""
    return _core_then_whole(problem, lambda part: _min_scale(problem, part, time_limit))


def _min_scale(problem: Problem, core: Problem, time_limit: float) -> Requirement:
    year = _deadline(problem)
    built = build_model(core)
    zero_objective(built.model)
    alpha_col = add_budget_scale(built.model, year)
    raw = solve(built.model, _options(time_limit))
    if raw.x is None:
        return Requirement("uniform budget", str(raw.status), None, _neg(raw.best_bound), None)
    alpha = _round_up(float(raw.x[alpha_col]))
    extra = _budget_frame(problem, alpha, year)
    return Requirement(
        "uniform budget",
        str(raw.status),
        alpha,
        _neg(raw.best_bound),
        extra,
        _with_extra_money(problem, extra),
        _chosen_schedule(built, raw.x, core.replace(budget=problem.budget)),
    )


def min_extra_teams(
    problem: Problem, roster: Roster, time_limit: float, objective: str = "count"
) -> Requirement:
    """(b) The fewest extra team-years (or least costly), year by year up to the deadline,
    that meet it with the budget as it is."""
    return _core_then_whole(
        problem, lambda part: _min_teams(problem, part, roster, time_limit, objective)
    )


def _min_teams(
    problem: Problem, core: Problem, roster: Roster, time_limit: float, objective: str
) -> Requirement:
    built = build_model(core)
    zero_objective(built.model)
    days = roster.extend(problem.years).days_per_team
    rate = problem.team_types.set_index("team_type")["cost_per_day"].fillna(0.0)
    cols, keys = add_extra_teams(
        built.model, days, rate if objective == "cost" else None, _deadline(problem)
    )
    raw = solve(built.model, _options(time_limit))
    if raw.x is None or not len(cols):
        return Requirement("teams", str(raw.status), None, _neg(raw.best_bound), None)
    extra = _teams_frame(keys, np.round(raw.x[cols]).astype(int), days, rate)
    capacity = problem.capacity.copy()
    for r in extra.itertuples():
        capacity.loc[r.year, r.team_type] += r.extra_team_days
    bigger = problem.replace(capacity=capacity)
    schedule = _chosen_schedule(built, raw.x, core.replace(capacity=capacity))
    return Requirement(
        "teams",
        str(raw.status),
        float(-(raw.objective or 0.0)),
        _neg(raw.best_bound),
        extra,
        bigger,
        schedule,
    )


def _teams_frame(
    keys: pd.DataFrame, n: np.ndarray, days: pd.DataFrame, rate: pd.Series
) -> pd.DataFrame:
    """Extra teams per team type and year (only where some are added)."""
    year_pos = pd.Index(days.index).get_indexer(keys["year"])
    per_team = np.array(
        [days[t].to_numpy(float)[i] for t, i in zip(keys["team_type"], year_pos, strict=True)]
    )
    extra = keys.assign(
        extra_teams=n,
        days_per_team=per_team,
        extra_team_days=n * per_team,
        cost_per_team_day=rate.reindex(keys["team_type"]).to_numpy(float),
    )
    extra["extra_cost_usd"] = extra["extra_team_days"] * extra["cost_per_team_day"].fillna(0.0)
    return extra[extra["extra_teams"] > 0].reset_index(drop=True)


def min_extra_both(
    problem: Problem, roster: Roster, time_limit: float, objective: str = "count"
) -> Requirement:
    """(a+b) When neither alone works: the least extra money up to the deadline with any
    number of extra teams, then the fewest extra team-years (or least costly) with that
    money. Lexicographic, so both figures are minimal in that order."""
    days = roster.extend(problem.years).days_per_team
    first = _core_then_whole(problem, lambda part: _min_money(problem, part, time_limit, days=days))
    if not first.found or first.extra is None:
        return replace(first, kind="budget and teams")
    funded = _with_extra_money(problem, first.extra)
    teams = min_extra_teams(funded, roster, time_limit, objective)
    if not teams.found:
        return replace(teams, kind="budget and teams")
    return replace(
        teams,
        kind="budget and teams",
        status=f"budget {first.status}; teams {teams.status}",
        budget_by_year=first.extra,
        money=first.value,
    )


def _round_up(alpha: float) -> float:
    return math.ceil(alpha / ALPHA_ROUNDING - 1e-9) * ALPHA_ROUNDING


def _budget_frame(problem: Problem, alpha: float, last_year: int) -> pd.DataFrame:
    scaled = np.asarray(problem.years) <= last_year
    extra = pd.Series(
        np.where(scaled, problem.budget.to_numpy(float) * alpha, 0.0),
        index=pd.Index(problem.years, name="year"),
    )
    return _money_frame(problem, np.ceil(extra * 100 - MONEY_TOLERANCE) / 100)


def _neg(x: float | None) -> float | None:
    return None if x is None else -x


def earliest_year(
    problem: Problem,
    time_limit: float,
    max_extension: int = 15,
    known: dict[int, Check] | None = None,
    mapper: Mapper = sequential,
    width: int = 1,
) -> tuple[int | None, str]:
    """(c) The earliest deadline year feasible with current resources: a binary search,
    or with ``width`` > 1 a search probing ``width`` years a round (fewer rounds)."""
    start = problem.settings.plan.start_year
    last = start + problem.settings.plan.years - 1 + max_extension
    checks = dict(known or {})

    def probe(years: list[int]) -> None:
        todo = [y for y in years if y not in checks]
        found = mapper(feasibility_task, todo, (problem, time_limit)) if todo else []
        checks.update(zip(todo, found, strict=True))

    probe([last])
    if not checks[last].feasible:
        return None, (
            f"not feasible by {last} either (the horizon extended by "
            f"{max_extension} years, repeating the last year's budget and teams)"
        )
    lo, hi = start, last  # invariant: hi feasible; everything below lo infeasible
    while lo < hi:
        years = _probes(lo, hi, max(1, width))
        probe(years)
        ok = [y for y in years if checks[y].feasible]
        hi = min(ok, default=hi)
        lo = max([y + 1 for y in years if y < hi and not checks[y].feasible], default=lo)
    note = "from feasibility solves"
    if hi > problem.years[-1]:
        note += f"; beyond {problem.years[-1]} the horizon repeats its last year's budget and teams"
    undecided = sorted(y for y, c in checks.items() if c.feasible is None)
    if undecided:
        note += (
            f"; the solver could not decide {undecided} within the time "
            "limit (counted as not feasible)"
        )
    return hi, note


def _probes(lo: int, hi: int, width: int) -> list[int]:
    """Years to check in [lo, hi): the midpoint for one, else ``width`` evenly spaced."""
    if width == 1:
        return [(lo + hi) // 2]
    span = hi - lo
    return sorted({lo + (k * span) // (width + 1) for k in range(1, width + 1)} | {lo})[-width:]


def feasibility_task(shared: tuple[Problem, float], year: int) -> Check:
    """One task of the search: is ``year`` feasible with current resources?"""
    problem, time_limit = shared
    return check_feasible(with_deadline(problem, year), time_limit)


def analyse_deadline(
    problem: Problem,
    year: int,
    *,
    time_limit: float = 60.0,
    teams_objective: str = "count",
    max_extension: int = 15,
    roster: Roster | None = None,
    plan_tables: bool = True,
    fanout: Fanout | None = None,
) -> DeadlineAnswer:
    """The full answer for ``year`` (see the module docstring); ``fanout`` says where the
    independent solves run (one after another here by default)."""
    mapper, width = (fanout.mapper, fanout.width) if fanout is not None else (sequential, 1)
    target = with_deadline(problem, year)
    h = target.hazards
    a5 = h["article5"].to_numpy(bool)
    excluded = excluded_hazards(target).index
    blocked = tuple(h.loc[np.intersect1d(np.flatnonzero(a5), excluded), "hazard_id"])
    current = check_feasible(target, time_limit)
    roster = (roster or read_roster(problem)).extend(target.years)
    shared = NeedsInputs(target, roster, time_limit, teams_objective)
    needs = _needs(shared, current, bool(blocked), mapper)
    known = {year: current} if year <= problem.years[-1] + max_extension else {}
    first, note = earliest_year(problem, time_limit, max_extension, known, mapper, width)
    answer = DeadlineAnswer(
        year,
        int(a5.sum()),
        float(h.loc[a5, "area_m2"].sum()),
        blocked,
        current,
        needs["budget"],
        needs["teams"],
        first,
        note,
        {},
        tuple(_notes(problem, year, blocked)),
        needs["both"],
        needs["uniform"],
    )
    return _with_tables(answer, target, roster, time_limit, mapper) if plan_tables else answer


def _notes(problem: Problem, year: int, blocked: tuple[str, ...]) -> list[str]:
    notes: list[str] = []
    if year > problem.years[-1]:
        notes.append(
            f"the horizon is extended to {year}; years after {problem.years[-1]} "
            "repeat its budget and teams"
        )
    if blocked:
        notes.append(
            f"{len(blocked)} Article 5 hazard(s) have no method or team that can "
            "release them (or are locked out): no budget or team count completes "
            "them"
        )
    return notes


@dataclass(frozen=True)
class NeedsInputs:
    """What every resource question is asked about (sent to the workers once)."""

    target: Problem
    roster: Roster
    time_limit: float
    teams_objective: str


def need_task(shared: NeedsInputs, kind: str) -> Requirement:
    """One resource question as a task: 'budget', 'uniform', 'teams' or 'both'."""
    t, r, limit, objective = shared.target, shared.roster, shared.time_limit, shared.teams_objective
    if kind == "budget":
        return min_extra_budget(t, limit)
    if kind == "uniform":
        return uniform_budget(t, limit)
    if kind == "teams":
        return min_extra_teams(t, r, limit, objective)
    return min_extra_both(t, r, limit, objective)


def _needs(
    shared: NeedsInputs, current: Check, blocked: bool, mapper: Mapper
) -> dict[str, Requirement | None]:
    """The least extra money, the uniform view, the fewest extra teams and, when neither
    alone works, both together (nothing when the current resources suffice). The money and
    teams questions are independent; the uniform view and both-together depend on them."""
    needs: dict[str, Requirement | None] = dict.fromkeys(["budget", "uniform", "teams", "both"])
    if current.feasible is True:
        return needs
    budget, teams = mapper(need_task, ["budget", "teams"], shared)
    needs["budget"], needs["teams"] = budget, teams
    then = ["uniform"] if budget.found else []
    if budget.status == "infeasible" and teams.status == "infeasible" and not blocked:
        then.append("both")
    for kind, req in zip(then, mapper(need_task, then, shared) if then else [], strict=True):
        needs[kind] = req
    return needs


def _with_tables(
    answer: DeadlineAnswer,
    target: Problem,
    roster: Roster,
    time_limit: float,
    mapper: Mapper = sequential,
) -> DeadlineAnswer:
    """The extension-request tables for each way of meeting the deadline (the least-money
    answer for 'extra budget'), each from a plan optimised for impact under the deadline."""
    ways: dict[str, Problem] = {}
    fallback: dict[str, pd.DataFrame] = {}
    if answer.current.feasible:
        ways["current resources"] = target
    for label, req in (
        ("extra budget", answer.extra_budget),
        ("extra teams", answer.extra_teams),
        ("extra budget and teams", answer.extra_both),
    ):
        if req is not None and req.found and req.problem is not None:
            ways[label] = req.problem
            if req.schedule is not None:
                fallback[label] = req.schedule
    tables: dict[str, dict[str, pd.DataFrame]] = {}
    plan_notes = list(answer.notes)
    items = [(p, fallback.get(label)) for label, p in ways.items()]
    plans = mapper(deadline_plan_task, items, time_limit) if items else []
    for (label, p), (schedule, how) in zip(ways.items(), plans, strict=True):
        plan_notes.append(f"{label}: {how}")
        tables[label] = extension_tables(p, schedule, roster.extend(p.years), target.budget)
    if any(y > answer.year for y in target.years):
        plan_notes.append(
            f"the tables run to {target.years[-1]}: years after {answer.year} show the plan "
            "continuing on the current budget and teams (no extra resources after the deadline)"
        )
    return replace(answer, tables=tables, notes=tuple(plan_notes))


def deadline_plan_task(
    time_limit: float, item: tuple[Problem, pd.DataFrame | None]
) -> tuple[pd.DataFrame, str]:
    """The plan behind one way's tables, as a task."""
    return _deadline_plan(item[0], time_limit, item[1])


def _deadline_plan(
    problem: Problem, time_limit: float, fallback: pd.DataFrame | None
) -> tuple[pd.DataFrame, str]:
    """The impact-optimised plan under the deadline, else the analysis solve's schedule."""
    try:
        result = plan(problem, time_limit=time_limit)
    except InfeasibleError:
        result = None
    if result is not None and result.solution.status.has_plan:
        return result.schedule, (
            f"plan optimised for impact under the deadline ({result.solution.status})"
        )
    if fallback is not None:
        return fallback, (
            "no impact-optimised plan within the time limit; the table shows "
            "the analysis solve's plan (the required hazards only)"
        )
    return pd.DataFrame(columns=["hazard", "year"]), "no plan found within the time limit"


def extension_tables(
    problem: Problem, schedule: pd.DataFrame, roster: Roster, base_budget: pd.Series | None = None
) -> dict[str, pd.DataFrame]:
    """Area per year and province; cost, budget (and the extra over ``base_budget``) and
    teams per year."""
    h = problem.hazards
    if not len(schedule):
        return {"by_year_province": pd.DataFrame(), "by_year": pd.DataFrame()}
    s = schedule.assign(
        province=h["province"].to_numpy()[schedule["hazard"].to_numpy()],
        article5=h["article5"].to_numpy(bool)[schedule["hazard"].to_numpy()],
    )
    by_province = s.groupby(["year", "province"], as_index=False).agg(
        hazards=("hazard", "count"),
        article5_hazards=("article5", "sum"),
        released_m2=("released_m2", "sum"),
        cleared_m2=("cleared_m2", "sum"),
        reduced_m2=("reduced_m2", "sum"),
        cancelled_m2=("cancelled_m2", "sum"),
        cost_usd=("cost", "sum"),
    )
    years = problem.years
    by_year = pd.DataFrame({"year": years})
    grouped = s.groupby("year")
    by_year["hazards"] = grouped.size().reindex(years, fill_value=0).to_numpy()
    by_year["article5_hazards"] = grouped["article5"].sum().reindex(years, fill_value=0).to_numpy()
    by_year["released_m2"] = grouped["released_m2"].sum().reindex(years, fill_value=0.0).to_numpy()
    by_year["cost_usd"] = grouped["cost"].sum().reindex(years, fill_value=0.0).to_numpy()
    by_year["budget_usd"] = problem.budget.reindex(years).to_numpy()
    if base_budget is not None:
        by_year["extra_budget_usd"] = by_year["budget_usd"] - base_budget.reindex(years).to_numpy()
    for t in problem.capacity.columns:
        col = DAYS_PREFIX + t
        used = (
            grouped[col].sum().reindex(years, fill_value=0.0)
            if col in s
            else pd.Series(0.0, index=years)
        )
        per_team = roster.days_per_team[t].reindex(years).replace(0, np.nan)
        by_year[f"team_days_{t}"] = used.round(1).to_numpy()
        by_year[f"teams_{t}"] = np.maximum(
            np.ceil(used.to_numpy() / per_team.to_numpy() - 1e-9), 0.0
        )
        by_year[f"teams_available_{t}"] = (
            (problem.capacity[t].reindex(years) / per_team).round(2).to_numpy()
        )
    money_cols = [c for c in ("cost_usd", "budget_usd", "extra_budget_usd") if c in by_year]
    area_cols = [c for c in by_province.columns if c.endswith("_m2")]
    by_province[area_cols] = by_province[area_cols].round(1)
    by_province["cost_usd"] = by_province["cost_usd"].round(2)
    by_year[money_cols] = by_year[money_cols].round(2)
    by_year["released_m2"] = by_year["released_m2"].round(1)
    return {"by_year_province": by_province, "by_year": by_year}
