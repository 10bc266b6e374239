"""The solve strategy: phases that share one deadline, each reporting as it goes.

1. **Simple rule.** The constructive plan without guidance (deadline hazards and what they
   require first, then impact per dollar; ``models.heuristic``), and the rule-keeping
   baselines: checked plans within seconds, and the floor the result never drops below.
2. **Lagrangian bound** (``models.lagrangian``): the coupling rows priced, the rest solved
   exactly (per hazard, then as a maximum closure keeping access, ``models.closure``): a
   proven bound at any size, equal to the LP bound at the best prices, and reduced values.
3. **LP relaxation.** Small models (at most ``FULL_MIP_LIMIT`` binaries): the whole LP, if
   it can finish (estimated from the non-zeros). Large models: the LP on the columns the
   prices favour, then pricing rounds until its optimum is proven to be the whole LP's
   (``models.pricing``, column generation).
4. **The guided plan**: the constructive plan following the LP point (or the Lagrangian's
   choice when there is none); on models up to ``MODERATE_BINARIES`` also following the
   final LP point, their midpoint and the first point rounded, the best kept.
5. **Search**, until the deadline, from the best plan so far:
   - small models: HiGHS's branch-and-bound on the whole model, presolve on (it proves
     optimality on knapsack-sized models);
   - larger ones: large-neighbourhood search with HiGHS as the sub-MIP solver. Each round
     fixes every hazard outside a neighbourhood where the incumbent has it, removes those
     columns (``models.matrix.restrict``) and re-optimises the rest: first the hazards the
     LP point places differently from the incumbent (RINS), then whole provinces, in
     parts of at most ``NEIGHBOURHOOD_BINARIES``, twice as large after a pass that
     improved nothing. A round's plan is kept only when better;
     HiGHS starts each round from the incumbent, so it never loses it.

Every plan is a solver point of the full model or a constructive plan, and is re-checked
against the rules by ``models.solution`` before it is reported. The bound is the least of
the Lagrangian bound, the LP optimum (whole, or proven by pricing) and HiGHS's dual bound on
the whole model; a restricted LP not proven and neighbourhood rounds prove nothing about the
whole model and never change it. docs/optimiser.md has the measurements behind each choice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from models.duals import MARGINAL_COLUMNS, Relaxation, marginal_values
from models.heuristic import greedy_plan
from models.lagrangian import LagrangianBound, lagrangian_bound
from models.matrix import restrict
from models.portfolio import solve_whole
from models.pricing import PricedLP
from models.solvers import (
    OPTIMAL_GAP,
    RawResult,
    SolverOptions,
    SolveStatus,
    relative_gap,
    solve,
)
from models.workplan import BuiltModel
from prioritise.core import cancel

RULE_SHARE = 0.2  # time the optional passes of a constructive plan may take, of what is left
LAGRANGIAN_SHARE = 0.05  # time for the Lagrangian bound, of what is left
MIN_LAGRANGIAN_SECONDS = 0.05  # ... and at least this when capped by the LP's expected time
LP_SHARE = 0.8  # most of the time the LP relaxation may take, as a share of what is left
LP_NONZEROS_PER_SECOND = 25_000  # dual simplex speed assumed when deciding to try the LP
NO_LP_LAGRANGIAN_SHARE = 0.4  # time for the Lagrangian bound when the LP is not tried
PRICED_LAGRANGIAN_SHARE = 0.35  # large models: the Lagrangian's share of what is left
# ... and up to MODERATE_BINARIES (the national sample: 134,240), where pricing proves the
# LP in 3-4 s from prices found in 3-19 s alike and the search makes better use of the time.
MODERATE_LAGRANGIAN_SHARE = 0.12
MODERATE_BINARIES = 200_000
GUIDE_COST_SHARE = 0.05  # further guided plans only while one costs at most this of what is left
PRICED_LP_SHARE = 0.6  # most the first restricted LP may take, of what is left
PRICING_SHARE = 0.4  # most the pricing rounds may take, of what is left
GUIDED_SHARE = 0.5  # most the plan guided by the first priced LP point may take
FULL_MIP_LIMIT = 20_000  # binaries up to which the whole model goes to branch-and-bound
NEIGHBOURHOOD_BINARIES = 1_500  # free binaries per search round (the first pass)
NEIGHBOURHOOD_GROWTH = 8  # parts grow to at most this many times that, pass by pass
ROUND_SECONDS = (2.0, 10.0)  # a round's time slice: at least / at most

# (phase, elapsed seconds, best plan, bound, gap)
PhaseReport = Callable[[str, float, float | None, float | None, float | None], None]


@dataclass
class Incumbent:
    """The best plan so far, as a mask over eligibility rows, and where it came from."""

    mask: np.ndarray | None = None
    value: float | None = None
    source: str = ""
    x: np.ndarray | None = None  # full solver point when a solver produced it

    def offer(
        self, built: BuiltModel, mask: np.ndarray | None, source: str, x: np.ndarray | None = None
    ) -> bool:
        if mask is None:
            return False
        value = float(built.eligibility.frame["value"].to_numpy()[mask].sum())
        if self.value is not None and value <= self.value + 1e-9 * max(1.0, abs(self.value)):
            return False
        self.mask, self.value, self.source, self.x = mask, value, source, x
        return True


def schedule_mask(built: BuiltModel, schedule: pd.DataFrame) -> np.ndarray | None:
    """The eligibility rows of a schedule (hazard, method, operator, year), or None when a
    scheduled hazard has no such row. Only schedules that keep every rule (checked by
    :func:`models.solution.check_schedule`) may be offered."""
    f = built.eligibility.frame
    keys = ["hazard", "method", "operator", "year"]
    rows = f[keys].reset_index(names="row")
    hit = schedule[keys].merge(rows, on=keys, how="left").drop_duplicates("hazard")
    if hit["row"].isna().any() or len(hit) != len(schedule):
        return None
    mask = np.zeros(len(f), dtype=bool)
    mask[hit["row"].to_numpy(int)] = True
    return mask


@dataclass(frozen=True)
class PhaseRecord:
    name: str
    seconds: float
    objective: float | None
    bound: float | None
    note: str = ""


@dataclass
class Optimised:
    raw: RawResult
    relaxation: Relaxation
    method: str
    phases: list[PhaseRecord] = field(default_factory=list)


class _Run:
    """One optimisation run: the shared deadline, the incumbent, the bound, the log."""

    def __init__(
        self,
        built: BuiltModel,
        options: SolverOptions,
        deadline: float,
        report: PhaseReport | None,
        started: float,
    ):
        self.built = built
        self.options = options
        self.deadline = deadline
        self.report = report
        self.started = started
        self.best = Incumbent()
        self.bound: float | None = None
        self.infeasible = False
        self.vouched = False  # the incumbent is a caller's start that keeps every row
        self.bound_source = "none"
        self.phases: list[PhaseRecord] = []
        self.phase_start = time.perf_counter()

    def left(self) -> float:
        """Seconds to the deadline; none once a stop is requested (Ctrl-C, core.cancel)."""
        if cancel.requested():
            return 0.0
        return self.deadline - time.perf_counter()

    def lower_bound(self, bound: float, source: str) -> None:
        """Keep the least of the proven bounds, and say where it came from."""
        if self.bound is None or bound < self.bound:
            self.bound, self.bound_source = bound, source

    def gap(self) -> float | None:
        return relative_gap(self.best.value, self.bound)

    def say(self, phase: str) -> None:
        if self.report is not None:
            elapsed = time.perf_counter() - self.started
            self.report(phase, elapsed, self.best.value, self.bound, self.gap())

    def done(self, name: str, note: str = "") -> None:
        now = time.perf_counter()
        self.phases.append(
            PhaseRecord(name, round(now - self.phase_start, 3), self.best.value, self.bound, note)
        )
        self.phase_start = now
        self.say(name)

    def proven(self) -> bool:
        g = self.gap()
        return g is not None and g <= self.options.gap

    def x_start(self) -> tuple[np.ndarray, np.ndarray] | None:
        if self.best.mask is None:
            return None
        return self.built.x, self.best.mask.astype(float)


def optimise(
    built: BuiltModel,
    options: SolverOptions,
    deadline: float,
    report: PhaseReport | None = None,
    started: float | None = None,
    start_from: BuiltModel | None = None,
    safe_start: bool = True,
    starts: Sequence[tuple[str, pd.DataFrame]] = (),
) -> Optimised:
    """Run the phases (module note) until ``deadline`` (a ``time.perf_counter()`` value).

    ``starts`` are rule-keeping schedules made elsewhere (the simple-rule baselines): each is
    offered as an incumbent, so the plan returned is never worse than the best of them. With
    ``safe_start`` False they must also keep the rows the constructive plans do not know
    (the caller checks, e.g. a trade-off cap); with one, the run proceeds as if safe.

    ``start_from`` builds the constructive plans on another problem whose plans keep every
    row of ``built`` (scenario earmarks); ``safe_start`` False means constructive plans may
    break rows ``built`` has and the constructive plans know nothing of: they are then only
    offered to the solver as a start, never reported.
    """
    run = _Run(built, options, deadline, report, started or time.perf_counter())
    base = start_from or built
    run.say("simple rule")
    if safe_start:
        rule_end = time.perf_counter() + RULE_SHARE * run.left()
        run.best.offer(built, greedy_plan(base, None, rule_end), "simple rule")
        for name, schedule in starts:
            run.best.offer(built, schedule_mask(built, schedule), name)
    else:  # the caller vouches that its starts keep every row of built, the added ones too
        for name, schedule in starts:
            run.best.offer(built, schedule_mask(built, schedule), name)
    run.vouched = not safe_start and run.best.mask is not None
    run.done("simple rule", "deadline hazards first, then impact per dollar")
    outcome: tuple[Relaxation, np.ndarray | None] | Optimised
    if len(built.x) > FULL_MIP_LIMIT:
        outcome = _priced_phases(run, base, safe_start)
    else:
        outcome = _lp_phases(run, base, safe_start)
    if isinstance(outcome, Optimised):
        return outcome
    relaxation, guide = outcome
    safe = safe_start or run.vouched
    method = _search(run, relaxation, safe, guide)
    return Optimised(_result(run, safe), relaxation, method, run.phases)


def _lagrangian(
    run: _Run, share: float, max_iter: int, most: float = np.inf
) -> LagrangianBound | None:
    """The Lagrangian bound with ``share`` of the time left (at most ``most`` seconds)."""
    seconds = min(share * run.left(), most)
    found = lagrangian_bound(run.built, time.perf_counter() + seconds, max_iter)
    if found is not None:
        run.lower_bound(found.bound, "the Lagrangian relaxation")
        run.done(
            "Lagrangian bound",
            f"{found.iterations} bundle steps, {found.closure_steps} of them with the access "
            "precedence kept (maximum closure)",
        )
    return found


def _guided(
    run: _Run,
    base: BuiltModel,
    guide: np.ndarray,
    source: str,
    safe: bool,
    share: float = RULE_SHARE,
) -> None:
    """The constructive plan following ``guide``, offered as an incumbent (not when a
    vouched start is the incumbent: the plan may break rows it keeps)."""
    if run.vouched:
        return
    plan = greedy_plan(base, guide, time.perf_counter() + share * run.left())
    run.best.offer(run.built, plan, source if safe else source + " (start only)")
    run.done(source)


def _more_guided(
    run: _Run, base: BuiltModel, first: np.ndarray, final: np.ndarray, safe: bool
) -> None:
    """Constructive plans from other guides after pricing, the best kept: the final LP
    point, its midpoint with the first point, the first point rounded. On the national
    sample the plan from any one guide ranged 462,400-470,400 over runs whose Lagrangian
    stopped at different prices, and no guide was best every time (the final point's plan
    was the worst in each); the best of them ranged 469,100-469,400. Each plan costs about
    0.5 s there and 20-35 s at 50,000 hazards, so they go on only while one costs at most
    ``GUIDE_COST_SHARE`` of the time left (measured on the first)."""
    guides = [
        ("LP-guided plan (after pricing)", final),
        ("LP-guided plan (midpoint of the first and final LP points)", (first + final) / 2),
        ("LP-guided plan (first LP point rounded)", np.round(first)),
    ]
    for name, guide in guides:
        started = time.perf_counter()
        _guided(run, base, guide, name, safe)
        if time.perf_counter() - started > GUIDE_COST_SHARE * run.left():
            return


def _not_solved(why: str) -> Relaxation:
    return Relaxation(
        why, None, 0.0, pd.DataFrame({c: pd.Series(dtype=object) for c in MARGINAL_COLUMNS})
    )


def _lp_phases(
    run: _Run, base: BuiltModel, safe_start: bool
) -> tuple[Relaxation, np.ndarray | None] | Optimised:
    """Small models: a short Lagrangian bound, then the whole LP relaxation if it can finish
    (estimated from the non-zeros), and the plan it guides."""
    built, options = run.built, run.options
    # Dual simplex managed about 25,000 non-zeros per second on the national sample under
    # load (834k in 33 s at load 9).
    lp_seconds = built.model.n_nonzeros / LP_NONZEROS_PER_SECOND
    try_lp = lp_seconds <= LP_SHARE * run.left()
    # When the LP is tried, its bound is at least as tight as the Lagrangian's (their
    # relaxations differ only in the precedence of optional hazards), so the Lagrangian may
    # take no longer than the LP is expected to: 0.05 s instead of 0.3-0.45 s on the
    # OR-Library knapsacks, time branch-and-bound gets instead.
    lagrangian = _lagrangian(
        run,
        LAGRANGIAN_SHARE if try_lp else NO_LP_LAGRANGIAN_SHARE,
        400 if try_lp else 2000,
        max(lp_seconds, MIN_LAGRANGIAN_SECONDS) if try_lp else np.inf,
    )
    if try_lp:
        lp_end = time.perf_counter() + max(0.5, LP_SHARE * run.left())
        relaxation = marginal_values(built.model, deadline=lp_end, threads=options.threads)
    else:
        relaxation = _not_solved("not tried: too large to finish in the time left")
    if relaxation.ok and relaxation.objective is not None:
        run.lower_bound(relaxation.objective, "the LP relaxation")
    if relaxation.status == "infeasible":
        run.done("LP relaxation", "infeasible")
        raw = RawResult(
            SolveStatus.INFEASIBLE, None, None, None, None, 0.0, options.name, "LP infeasible"
        )
        return Optimised(raw, relaxation, "LP relaxation (infeasible)", run.phases)
    run.done("LP relaxation", relaxation.status)
    guide = None
    if relaxation.x is not None:
        guide = relaxation.x[built.x]
        _guided(run, base, guide, "LP-guided plan", safe_start)
    elif lagrangian is not None:
        guide = lagrangian.choice.astype(float)
        _guided(run, base, guide, "Lagrangian-guided plan", safe_start)
    return relaxation, guide


def _priced_phases(
    run: _Run, base: BuiltModel, safe_start: bool
) -> tuple[Relaxation, np.ndarray | None]:
    """Large models: the Lagrangian bound and prices, the LP relaxation on the columns they
    favour (``models.pricing``), a plan from its first solution, then pricing rounds until
    the LP optimum is proven (the bound) or their share of the time is up."""
    built = run.built
    moderate = len(built.x) <= MODERATE_BINARIES
    share = MODERATE_LAGRANGIAN_SHARE if moderate else PRICED_LAGRANGIAN_SHARE
    lagrangian = _lagrangian(run, share, 5000)
    if lagrangian is None or lagrangian.reduced is None:
        return _not_solved("not solved: no Lagrangian prices"), None
    keep = lagrangian.choice.copy()
    if run.best.mask is not None:
        keep |= run.best.mask
    priced = PricedLP(built, threads=run.options.threads)
    started = priced.start(
        lagrangian.reduced, keep, time.perf_counter() + PRICED_LP_SHARE * run.left()
    )
    held = int(priced.held.sum())
    run.done(
        "LP relaxation (priced columns)",
        f"{len(built.x) - held:,} of {len(built.x):,} assignment columns: {priced.status}",
    )
    if not started or priced.first_x is None:
        guide = lagrangian.choice.astype(float)
        _guided(run, base, guide, "Lagrangian-guided plan", safe_start)
        return _not_solved(f"not solved in time ({priced.status})"), guide
    first = priced.first_x[built.x]
    # The plan an LP point guides is the best this path makes: at 50,000 hazards its
    # optional passes need more than the usual 20% of what is left.
    _guided(run, base, first, "LP-guided plan (priced columns)", safe_start, GUIDED_SHARE)
    proven = priced.price(time.perf_counter() + PRICING_SHARE * run.left())
    relaxation = priced.relaxation()
    if proven and relaxation is not None and relaxation.objective is not None:
        run.lower_bound(relaxation.objective, "the LP relaxation (proven by pricing)")
    run.done(
        "pricing rounds",
        f"{priced.rounds} LP solves; "
        + (
            "LP optimum proven"
            if proven
            else f"stopped before the LP optimum was proven (last solve: {priced.status})"
        ),
    )
    assert priced.x is not None
    guide = priced.x[built.x]
    # Plans from other guides only when pricing moved the point (one round changed
    # nothing); above MODERATE_BINARIES only the final point's, and only when it moved far
    # (proven, or more than 3 rounds): there the plan costs 20-35 s (50,000 hazards).
    if priced.rounds > 1 and run.left() > 0:
        if moderate:
            _more_guided(run, base, first, guide, safe_start)
        elif proven or priced.rounds > 3:
            _guided(run, base, guide, "LP-guided plan (after pricing)", safe_start)
    if relaxation is None:
        relaxation = _not_solved(
            f"not proven: pricing stopped after {priced.rounds} LP solves (the bound is the "
            "Lagrangian's)"
        )
    return relaxation, guide


def _search(run: _Run, relaxation: Relaxation, safe_start: bool, guide: np.ndarray | None) -> str:
    built, options = run.built, run.options
    if run.left() <= 0:
        return "constructive plans only: stopped (time up or a stop requested) before the search"
    binaries = len(built.x)
    # No plan to search around (no constructive plan kept every rule): only the solver on
    # the whole model can find one.
    no_incumbent = run.best.mask is None
    if options.name != "highs" or binaries <= FULL_MIP_LIMIT or not safe_start or no_incumbent:
        if run.proven() and safe_start:
            return "simple rule and LP-guided plan, proven within the gap by the LP bound"
        searched = _full_mip(run, safe_start)
        start = "nothing (no constructive plan)" if no_incumbent else "the best constructive plan"
        return (
            f"{searched} branch-and-bound on the whole model from {start}; "
            f"bound from {run.bound_source}"
        )
    if run.proven():
        return "LP-guided plan, proven within the gap by the LP bound"
    rounds = _neighbourhood_search(run, guide)
    led_by = "LP" if relaxation.x is not None else "Lagrangian"
    return (
        f"large-neighbourhood search ({rounds} HiGHS sub-MIP rounds: hazards the {led_by} "
        f"relaxation places differently, then provinces) from the best constructive plan; "
        f"bound from {run.bound_source}"
    )


def _full_mip(run: _Run, safe_start: bool = True) -> str:
    """Branch-and-bound on the whole model (``models.portfolio`` picks the solvers on small
    models); returns the solvers' names for the method line."""
    options = replace(run.options, deadline=run.deadline)
    start = run.x_start()

    def progress(elapsed: float, best: float | None, bound: float | None, gap: float | None):  # type: ignore[no-untyped-def]
        if run.report is not None:
            b = bound if run.bound is None or bound is None else min(bound, run.bound)
            run.report(
                "branch-and-bound",
                time.perf_counter() - run.started,
                best,
                b,
                relative_gap(best, b),
            )

    small = len(run.built.x) <= FULL_MIP_LIMIT
    outcome = solve_whole(run.built.model, options, progress, start, small)
    raw = outcome.raw
    if raw.x is not None and raw.status.has_plan:
        if not safe_start and run.best.x is None:
            # A constructive plan that may break the added rows was only a start: the
            # solver's plan replaces it even when worth less (it keeps every row).
            run.best = Incumbent()
        run.best.offer(run.built, raw.x[run.built.x] > 0.5, "branch-and-bound", raw.x)
    if raw.best_bound is not None and raw.status.has_plan:
        run.lower_bound(raw.best_bound, outcome.bound_source)
    if raw.status == SolveStatus.INFEASIBLE:
        run.bound = None
        run.infeasible = True
    run.done("branch-and-bound", outcome.note)
    return outcome.label


def _neighbourhoods(
    run: _Run, guide: np.ndarray | None, size: int = NEIGHBOURHOOD_BINARIES
) -> list[np.ndarray]:
    """Hazard sets to free, most promising first (each a sorted array of positions): the
    hazards the relaxation (``guide``: the LP's values of the assignment variables, or the
    Lagrangian's choice) places differently from the incumbent, then each province; each
    cut into parts of at most ``size`` binaries."""
    built = run.built
    f = built.eligibility.frame
    hazard = f["hazard"].to_numpy()
    n = len(built.problem.hazards)
    out: list[np.ndarray] = []
    if guide is not None and run.best.mask is not None:
        differs = np.abs(guide - run.best.mask) > 1e-6
        out.append(np.unique(hazard[differs]))
    province = built.problem.hazards["province"].to_numpy()
    for p in sorted(set(province)):
        out.append(np.flatnonzero(province == p))
    rows_per_hazard = np.bincount(hazard, minlength=n)
    sized: list[np.ndarray] = []
    for hazards in out:
        sized.extend(_parts(hazards, rows_per_hazard[hazards], size))
    return [s for s in sized if len(s)]


def _parts(hazards: np.ndarray, counts: np.ndarray, size: int) -> list[np.ndarray]:
    """``hazards`` cut, in order, into parts of at most ``size`` rows (``counts`` per
    hazard); a hazard with more rows than that is a part of its own."""
    parts: list[np.ndarray] = []
    first, total = 0, 0
    for i, c in enumerate(counts.tolist()):
        if total and total + c > size:
            parts.append(hazards[first:i])
            first, total = i, 0
        total += c
    if first < len(hazards):
        parts.append(hazards[first:])
    return parts


def _completed_by(built: BuiltModel) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(columns, hazard positions, year index) of the completed-by variables, if any."""
    try:
        block = built.model.column_block("completed_by")
    except KeyError:
        return None
    ids = built.problem.hazards["hazard_id"]
    position = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    hazards = position.reindex(block.keys["hazard"].to_numpy()).to_numpy()
    return np.arange(block.start, block.stop), hazards, block.keys["t"].to_numpy()


def _fixing(run: _Run, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns to fix (a mask) and a full vector holding the incumbent's values.

    The assignment binaries of every hazard outside ``free`` keep the incumbent's values,
    and so do their completed-by variables (implied by them), so the sub-model holds only
    the free hazards, the rows that touch them and the few coupling columns.
    """
    built = run.built
    assert run.best.mask is not None
    f = built.eligibility.frame
    hazard = f["hazard"].to_numpy()
    fixed = np.zeros(built.model.n_cols, bool)
    values = np.zeros(built.model.n_cols)
    is_free = np.zeros(len(built.problem.hazards), bool)
    is_free[free] = True
    fixed[built.x[~is_free[hazard]]] = True
    values[built.x] = run.best.mask
    y = _completed_by(built)
    if y is not None:
        cols, hazards, t = y
        year = np.full(len(is_free), np.iinfo(np.int64).max)
        year[hazard[run.best.mask]] = f["t"].to_numpy()[run.best.mask]
        values[cols] = (t >= year[hazards]).astype(float)
        fixed[cols] = ~is_free[hazards]
    return fixed, values


def _neighbourhood_search(run: _Run, guide: np.ndarray | None) -> int:
    """Rounds over the neighbourhoods (``_neighbourhoods``) until the deadline or the gap.
    A pass over them that improved nothing is followed by one with parts twice as large
    (at most ``NEIGHBOURHOOD_GROWTH`` times the first size): small parts are solved to
    optimality in a fraction of a second once the easy gains are taken (national sample)."""
    built = run.built
    rounds = 0
    size = NEIGHBOURHOOD_BINARIES
    queue = _neighbourhoods(run, guide, size)
    gained = False  # any round of this pass improved the plan
    while run.left() > ROUND_SECONDS[0] and not run.proven():
        if not queue:
            if not gained:
                if 2 * size > NEIGHBOURHOOD_GROWTH * NEIGHBOURHOOD_BINARIES:
                    break  # the note keeps the size the last pass had
                size *= 2
            queue, gained = _neighbourhoods(run, guide, size), False
            if not queue:
                break
        free = queue.pop(0)
        fixed, values = _fixing(run, free)
        sub = restrict(built.model, fixed, values)
        integer = sub.model.columns()[3]
        start = (np.flatnonzero(integer), values[sub.kept][integer])
        slice_end = time.perf_counter() + min(
            ROUND_SECONDS[1], max(ROUND_SECONDS[0], run.left() / 6)
        )
        options = replace(run.options, deadline=min(run.deadline, slice_end), gap=1e-4)
        raw = solve(sub.model, options, None, start)
        rounds += 1
        improved = False
        if raw.x is not None and raw.status.has_plan:
            x = sub.expand(raw.x)
            improved = run.best.offer(built, x[built.x] > 0.5, "neighbourhood search", x)
        gained |= improved
        run.say(
            f"search round {rounds} ({len(free)} hazards free)" + (" improved" if improved else "")
        )
    run.done("neighbourhood search", f"{rounds} rounds, last parts of {size:,} binaries at most")
    return rounds


def _result(run: _Run, safe_start: bool) -> RawResult:
    """The incumbent as the solver-level result the solution reader checks."""
    built = run.built
    seconds = time.perf_counter() - run.started
    if run.infeasible:
        return RawResult(
            SolveStatus.INFEASIBLE, None, None, None, None, seconds, "highs", "infeasible"
        )
    if run.best.mask is None or (not safe_start and run.best.x is None):
        return RawResult(
            SolveStatus.NO_SOLUTION,
            None,
            None,
            run.bound,
            None,
            seconds,
            run.options.name,
            "no plan found in time",
        )
    complete = run.best.x is not None
    x = run.best.x
    if x is None:
        x = np.zeros(built.model.n_cols)
        x[built.x[run.best.mask]] = 1.0
    gap = run.gap()
    if gap is not None and gap <= OPTIMAL_GAP:
        status = SolveStatus.OPTIMAL
    elif gap is not None and gap <= run.options.gap:
        status = SolveStatus.GAP_LIMIT
    else:
        status = SolveStatus.TIME_LIMIT
    return RawResult(
        status,
        x,
        run.best.value,
        run.bound,
        gap,
        seconds,
        run.options.name,
        f"best plan from {run.best.source}",
        complete=complete,
    )
