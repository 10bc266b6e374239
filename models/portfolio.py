"""The solver portfolio for small models: which solvers search the whole model, and how
their answers combine.

On small models (the OR-Library knapsacks, a province) the search is branch-and-bound on
the whole model from the best constructive plan. No one solver run is best everywhere
(BENCHMARKS.md, docs/optimiser.md):

- CBC's cuts prove the 5 x 100 knapsacks of mknapcb1 in about a second where HiGHS needs
  2-40 s;
- CBC's threaded tree search run with one worker thread (``-threads 1``) is slower to prove
  (mknapcb1 median 3.5 s against 1.35 s) but finds better plans on the 10 x 100 knapsacks
  of mknapcb4 (the published value on 28-29 of 30 in 10 s, against 17-20 for CBC alone or
  CBC with HiGHS);
- on workplan models with many rows per hazard (the province sample, 4,350 binaries) both
  CBC runs stay at the start plan for 30 s while HiGHS reaches 0.1%.

So the rule, when optimality is to be proved (gap at most ``PROOF_GAP``) on a small model
with the default solver and two threads:

- up to ``CBC_PAIR_LIMIT`` binaries: CBC and CBC's threaded search (``TINY_SOLVERS``),
  above it: CBC, and HiGHS joining after ``JOIN_AFTER`` seconds (``SMALL_SOLVERS``); each
  one thread, side by side, from the same start; the first to prove its plan optimal stops
  the others (a member not yet started never starts);
- **the plan** is the best of their plans, re-checked by the caller like every other;
- **the bound** is the least of the proven bounds of all that ran;
- CBC missing (PuLP 4 without the ``cbc`` extra): HiGHS alone, and the note says so;
- a looser gap (the default), ``--solver cbc``, a single thread, or a large model: one
  solver, as asked (HiGHS by default).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from models.matrix import LinearModel
from models.solvers import (
    OPTIMAL_GAP,
    ProgressFn,
    RawResult,
    SolverOptions,
    SolveStatus,
    Start,
    cbc_binary,
    relative_gap,
    solve,
)

SMALL_SOLVERS: tuple[str, ...] = ("cbc", "highs")  # measured: BENCHMARKS.md, OR-Library
TINY_SOLVERS: tuple[str, ...] = ("cbc", "cbc-worker")  # up to CBC_PAIR_LIMIT binaries
# Binaries up to which two CBC runs search (the knapsacks: 100); the province sample (4,350)
# needs HiGHS. No model between was measured; CBC's preprocessing alone outlasts 5 s at
# 16,000 (docs/optimiser.md).
CBC_PAIR_LIMIT = 1_000
# The portfolio runs when a proof of optimality is asked for (gap at most PROOF_GAP): that
# is where CBC's cuts pay. With a looser gap (the default 0.5%) HiGHS alone reaches it: on
# the province sample CBC beside it found nothing and slowed it from 1.7-2.0 s to 2.1-3.5 s.
PROOF_GAP = 1e-4
# Seconds a solver waits before it joins (at most JOIN_SHARE of the time left): CBC proves
# most 5 x 100 knapsacks in 1-2 s, and HiGHS beside it only slowed it down there.
JOIN_AFTER: dict[str, float] = {"highs": 2.0}
JOIN_SHARE = 0.25
LABEL = {"cbc": "CBC", "cbc-worker": "CBC (threaded search)", "highs": "HiGHS"}
# Members that are a solver run another way: (solver, CBC's threaded search, one worker).
MEMBERS: dict[str, tuple[str, bool]] = {"cbc-worker": ("cbc", True)}


@dataclass(frozen=True)
class Outcome:
    """The portfolio's answer: the best plan, the least proven bound, and who gave them."""

    raw: RawResult  # the best plan's run, with the least bound and the gap between them
    solvers: tuple[str, ...]  # every solver that ran
    bound_source: str  # e.g. "CBC's branch-and-bound"
    note: str  # one line per solver: how it ended
    chosen: tuple[str, ...] = ()  # the solvers the rule picked (some may not have started)

    @property
    def label(self) -> str:
        """The solvers for the method line: "CBC", "portfolio (CBC and HiGHS side by side)"
        or "portfolio (CBC; HiGHS not started: CBC proved it first)"."""
        names = [LABEL.get(n, n) for n in self.solvers]
        chosen = self.chosen or self.solvers
        if len(chosen) == 1:
            return names[0]
        if len(names) == len(chosen):
            return f"portfolio ({' and '.join(names)} side by side)"
        idle = " and ".join(LABEL.get(n, n) for n in chosen if n not in self.solvers)
        return f"portfolio ({' and '.join(names)}; {idle} not started: proved first)"


def choose(options: SolverOptions, small: bool, binaries: int = 0) -> tuple[tuple[str, ...], str]:
    """The solvers to run and why, when the choice is not the one asked for."""
    if not small or options.name != "highs" or options.gap > PROOF_GAP:
        return (options.name,), ""
    if options.threads == 1:  # one thread asked for: HiGHS alone, as before the portfolio
        return ("highs",), ""
    names = TINY_SOLVERS if binaries <= CBC_PAIR_LIMIT else SMALL_SOLVERS
    if any(_solver(n) == "cbc" for n in names) and cbc_binary() is None:
        names = tuple(n for n in names if _solver(n) != "cbc") or ("highs",)
        return names, "CBC not found (PuLP without its cbc binary): HiGHS alone"
    return names, ""


def solve_whole(
    model: LinearModel,
    options: SolverOptions,
    progress: ProgressFn | None,
    start: Start | None,
    small: bool,
) -> Outcome:
    """Branch-and-bound on the whole ``model`` by the portfolio's rule (module note)."""
    names, why = choose(options, small, int(model.columns()[3].sum()))
    if len(names) == 1:
        raw = solve(model, replace(options, name=names[0]), progress, start)
        note = "; ".join(s for s in (why, _line(raw)) if s)
        return Outcome(raw, names, f"{LABEL.get(names[0], names[0])}'s branch-and-bound", note)
    return _side_by_side(model, options, progress, start, names, why)


def _side_by_side(
    model: LinearModel,
    options: SolverOptions,
    progress: ProgressFn | None,
    start: Start | None,
    names: tuple[str, ...],
    why: str,
) -> Outcome:
    """Each solver in a thread of its own (CBC is a child process, HiGHS a C++ thread)."""
    done = threading.Event()  # set once a solver has proved its plan within the gap
    lock = threading.Lock()
    best: list[float | None] = [None, None]  # best plan, least bound, over all solvers
    results: dict[str, RawResult] = {}
    failures: dict[str, str] = {}
    provers: list[str] = []  # the solver that ended the search by proving its answer
    started = time.perf_counter()

    def report(_elapsed: float, plan: float | None, bound: float | None, _gap: float | None):  # type: ignore[no-untyped-def]
        with lock:
            if plan is not None and (best[0] is None or plan > best[0]):
                best[0] = plan
            if bound is not None and (best[1] is None or bound < best[1]):
                best[1] = bound
            b, p = best[1], best[0]
        if progress is not None:
            progress(time.perf_counter() - started, p, b, relative_gap(p, b))

    def work(name: str) -> None:
        solver, worker = MEMBERS.get(name, (name, False))
        solver_options = replace(options, name=solver, threads=1, cbc_worker=worker)
        if done.wait(_join_after(name, options)):
            return  # another solver proved the answer before this one was due to start
        try:
            raw = solve(model, solver_options, report, start, stop=done.is_set)
        except Exception as exc:  # one solver failing leaves the others' answers
            failures[name] = f"{type(exc).__name__}: {exc}"
            return
        results[name] = raw
        proven = raw.gap is not None and raw.gap <= max(options.gap, OPTIMAL_GAP)
        if raw.status == SolveStatus.INFEASIBLE or (raw.status.has_plan and proven):
            with lock:
                if not done.is_set():
                    provers.append(name)
                done.set()

    threads = [threading.Thread(target=work, args=(n,), name=f"portfolio-{n}") for n in names]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.2)  # short waits keep Ctrl-C responsive
    except KeyboardInterrupt:
        done.set()
        for t in threads:
            t.join()
        raise
    outcome = _combine(results, names, _notes(names, results, failures, provers, why))
    return replace(outcome, chosen=names)


def _solver(member: str) -> str:
    """The solver a portfolio member runs."""
    return MEMBERS.get(member, (member, False))[0]


def _join_after(name: str, options: SolverOptions) -> float:
    """Seconds ``name`` waits before it starts (``JOIN_AFTER``, capped by ``JOIN_SHARE``)."""
    delay = JOIN_AFTER.get(name, 0.0)
    if delay <= 0.0:
        return 0.0
    if options.deadline is not None:
        delay = min(delay, JOIN_SHARE * max(0.0, options.deadline - time.perf_counter()))
    return delay


def _notes(
    names: tuple[str, ...],
    results: dict[str, RawResult],
    failures: dict[str, str],
    provers: list[str],
    why: str,
) -> str:
    """One clause per solver: how it ended, and whether the other's proof stopped it."""
    lines = [why] if why else []
    for n in names:
        if n in results:
            stopped = f"; stopped once {LABEL[provers[0]]} had proved it" if provers else ""
            lines.append(f"{LABEL[n]}: {_line(results[n])}{stopped if n not in provers else ''}")
    lines += [f"{LABEL[n]} failed ({failures[n]})" for n in names if n in failures]
    lines += [
        f"{LABEL[n]}: not started ({LABEL[provers[0]]} had proved it first)"
        for n in names
        if n not in results and n not in failures and provers
    ]
    return "; ".join(lines)


def _combine(results: dict[str, RawResult], names: tuple[str, ...], note: str) -> Outcome:
    """The best plan of all runs, the least proven bound of all runs."""
    ran = tuple(n for n in names if n in results)
    if not ran:
        raw = RawResult(SolveStatus.ERROR, None, None, None, None, 0.0, "+".join(names), note)
        return Outcome(raw, names, "none", note)
    if any(results[n].status == SolveStatus.INFEASIBLE for n in ran):
        raw = next(results[n] for n in ran if results[n].status == SolveStatus.INFEASIBLE)
        return Outcome(raw, ran, "none", note)
    planned = [n for n in ran if results[n].status.has_plan and results[n].objective is not None]
    bounded = [n for n in planned if results[n].best_bound is not None]
    if not planned:
        return Outcome(results[ran[0]], ran, "none", note)
    winner = max(planned, key=lambda n: results[n].objective or 0.0)
    raw = results[winner]
    bound_name = min(bounded, key=lambda n: results[n].best_bound or 0.0) if bounded else None
    bound = results[bound_name].best_bound if bound_name else None
    gap = relative_gap(raw.objective, bound)
    status = raw.status
    if gap is not None and status.has_plan:
        status = SolveStatus.OPTIMAL if gap <= OPTIMAL_GAP else status
    seconds = max(results[n].seconds for n in ran)
    raw = replace(
        raw,
        status=status,
        best_bound=bound,
        gap=gap,
        seconds=seconds,
        solver="+".join(ran),
        message=f"plan from {LABEL[winner]}; {note}",
    )
    source = f"{LABEL[bound_name]}'s branch-and-bound" if bound_name else "none"
    return Outcome(raw, ran, source, note)


def _line(raw: RawResult) -> str:
    """How one solver ended, for the phase note."""
    objective = "no plan" if raw.objective is None else f"plan {raw.objective:,.1f}"
    bound = "" if raw.best_bound is None else f", bound {raw.best_bound:,.1f}"
    return f"{raw.status.value}, {objective}{bound}, {raw.seconds:.1f} s ({raw.message})"
