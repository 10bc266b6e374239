"""The solver adapter: the only module that imports highspy or pulp.

HiGHS is the default: the model's numpy arrays are handed to it in memory as they are.
CBC is reached through PuLP (an expression object per coefficient, so much slower to build)
and stays optional; PuLP's bundled CBC is deprecated in 3.3 and dropped in 4.0.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from models.matrix import LinearModel, split_long_rows
from prioritise.core import cancel
from prioritise.core.errors import SolverUnavailableError

# Progress callback: (elapsed seconds, best plan objective, best bound, relative gap).
ProgressFn = Callable[[float, float | None, float | None, float | None], None]

OPTIMAL_GAP = 1e-6


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"  # proven optimal (gap below 1e-6)
    GAP_LIMIT = "gap_limit"  # stopped because the requested gap was reached
    TIME_LIMIT = "time_limit"  # stopped on time with a feasible plan
    FEASIBLE = "feasible"  # a checked plan, but the solver failed to improve or bound it
    NO_SOLUTION = "no_solution"  # stopped before any feasible plan was found
    INFEASIBLE = "infeasible"
    ERROR = "error"

    @property
    def has_plan(self) -> bool:
        return self in (
            SolveStatus.OPTIMAL,
            SolveStatus.GAP_LIMIT,
            SolveStatus.TIME_LIMIT,
            SolveStatus.FEASIBLE,
        )


@dataclass(frozen=True)
class SolverOptions:
    name: str = "highs"
    time_limit: float = 60.0
    gap: float = 0.005
    threads: int = 0
    # Rows longer than this are split into chunk sums (see split_long_rows); 0 = never.
    max_row_length: int = 500
    # "auto": HiGHS presolve on for models up to PRESOLVE_AUTO_LIMIT binaries, off above,
    # where its probing and aggregation took minutes on the national sample (BENCHMARKS.md).
    presolve: str = "auto"


PRESOLVE_AUTO_LIMIT = 20_000

# The size and the thread the process's HiGHS thread pool was last rebuilt for (None: never
# set here). A pool built from another thread (a Dask worker thread) fails the same way.
_POOL_THREADS: tuple[int, int] | None = None

# A plan to start from: (column indices, values) of integer columns; the solver completes
# the continuous ones.
Start = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class RawResult:
    status: SolveStatus
    x: np.ndarray | None
    objective: float | None
    best_bound: float | None
    gap: float | None
    seconds: float
    solver: str
    message: str
    # False when x holds only the integer columns (a constructive plan, not a solver point).
    complete: bool = True


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|bound - objective| / max(|objective|, 1e-9), HiGHS's definition; 0 when both are 0."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    diff = abs(bound - objective)
    if diff <= 1e-9:
        return 0.0
    return diff / max(abs(objective), 1e-9)


def solve(
    model: LinearModel,
    options: SolverOptions,
    progress: ProgressFn | None = None,
    start: Start | None = None,
) -> RawResult:
    """Solve the maximisation ``model`` with the chosen solver, from ``start`` if given."""
    if model.n_cols == 0:
        return RawResult(
            SolveStatus.OPTIMAL,
            np.zeros(0),
            0.0,
            0.0,
            0.0,
            0.0,
            options.name,
            "empty model: nothing can be scheduled",
        )
    if options.name == "highs":
        return _solve_highs(model, options, progress, start)
    if options.name == "cbc":
        return _solve_cbc(model, options)
    raise SolverUnavailableError(f"Unknown solver {options.name!r}; use 'highs' or 'cbc'.")


@contextlib.contextmanager
def _silence_stdout() -> Iterator[None]:
    """HiGHS prints a banner from C++ when created; keep it off the user's terminal."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _highs_model(model: LinearModel, with_names: bool = False):  # type: ignore[no-untyped-def]
    import highspy

    with _silence_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lower, upper, cost, integer = model.columns()
    row_lower, row_upper = model.row_bounds()
    start, index, value = model.csc()
    inf = highspy.kHighsInf
    col_lower = np.where(np.isinf(lower), -inf, lower)
    col_upper = np.where(np.isinf(upper), inf, upper)
    row_lower = np.where(np.isinf(row_lower), -inf, row_lower)
    row_upper = np.where(np.isinf(row_upper), inf, row_upper)
    if not with_names:
        # The array overload of passModel copies each numpy buffer in C++. Assigning them to
        # HighsLp fields converts element by element (0.3 s of CPU at 10^6 non-zeros, plus a
        # Python object per integer column); integrality 0 = continuous, 1 = integer.
        h.passModel(
            model.n_cols,
            model.n_rows,
            len(value),
            int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMaximize),
            0.0,
            cost,
            col_lower,
            col_upper,
            row_lower,
            row_upper,
            start,
            index,
            value,
            integer.astype(np.int32),
        )
        return h
    # Export: the HighsLp object carries the row and column names.
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = model.n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.a_matrix_.num_col_ = model.n_cols
    lp.a_matrix_.num_row_ = model.n_rows
    if integer.any():
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[int(i)] for i in integer]
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_names_ = _unique(model.col_names())
    lp.row_names_ = _unique(model.row_names())
    h.passModel(lp)
    return h


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        out.append(n if k == 0 else f"{n}__{k}")
        seen[n] = k + 1
    return out


def _solve_highs(
    model: LinearModel,
    options: SolverOptions,
    progress: ProgressFn | None,
    start_plan: Start | None = None,
) -> RawResult:
    import highspy

    n_cols = model.n_cols
    integer_cols = int(model.columns()[3].sum())
    if options.max_row_length > 0:
        model = split_long_rows(model, options.max_row_length)
    h = _highs_model(model)
    presolve = options.presolve
    if presolve == "auto":
        presolve = "on" if integer_cols <= PRESOLVE_AUTO_LIMIT else "off"
    h.setOptionValue("presolve", presolve)
    if start_plan is not None:
        idx, vals = start_plan
        h.setSolution(len(idx), np.asarray(idx, np.int32), np.asarray(vals, float))
    h.setOptionValue("time_limit", float(options.time_limit))
    h.setOptionValue("mip_rel_gap", float(options.gap))
    h.setOptionValue("random_seed", 0)
    if options.threads > 0:
        # HiGHS keeps one thread pool per process, sized by the first solve; a later solve
        # asking for another size fails with status "Not Set" unless the pool is rebuilt.
        global _POOL_THREADS
        if (options.threads, threading.get_ident()) != _POOL_THREADS:
            highspy.Highs.resetGlobalScheduler(True)
            _POOL_THREADS = (options.threads, threading.get_ident())
        h.setOptionValue("threads", int(options.threads))
    cb_type = highspy.cb.HighsCallbackType

    def callback(kind, _msg, data_out, data_in, _user):  # type: ignore[no-untyped-def]
        # Ctrl-C / SIGTERM (prioritise.core.cancel): stop in any phase, keep the best plan.
        if data_in is not None and cancel.requested():
            data_in.user_interrupt = True
        if progress is None or kind != cb_type.kCallbackMipInterrupt:
            return
        primal = data_out.mip_primal_bound
        dual = data_out.mip_dual_bound
        primal_v = primal if math.isfinite(primal) and abs(primal) < 1e300 else None
        dual_v = dual if math.isfinite(dual) and abs(dual) < 1e300 else None
        progress(data_out.running_time, primal_v, dual_v, relative_gap(primal_v, dual_v))

    h.setCallback(callback, None)
    for kind in ("kCallbackMipInterrupt", "kCallbackSimplexInterrupt", "kCallbackIpmInterrupt"):
        h.startCallback(getattr(cb_type, kind))
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    status = h.getModelStatus()
    info = h.getInfo()
    ms = highspy.HighsModelStatus
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, float)[:n_cols] if has_solution else None
    objective = float(info.objective_function_value) if has_solution else None
    integer = model.columns()[3].any()
    if integer:
        bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    else:
        bound = objective
    gap = relative_gap(objective, bound)
    message = h.modelStatusToString(status)
    if status == ms.kOptimal:
        result = SolveStatus.OPTIMAL if (gap or 0.0) <= OPTIMAL_GAP else SolveStatus.GAP_LIMIT
    elif status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        result = SolveStatus.INFEASIBLE
    elif status in (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit, ms.kInterrupt):
        result = SolveStatus.TIME_LIMIT if has_solution else SolveStatus.NO_SOLUTION
    else:
        result = SolveStatus.ERROR
    return RawResult(result, x, objective, bound, gap, seconds, "highs", message)


def stop_on_cancel(h) -> None:  # type: ignore[no-untyped-def]
    """Make a HiGHS instance stop at its next interrupt check once a stop is requested
    (:mod:`prioritise.core.cancel`), in simplex, IPM or MIP; for solves without progress."""
    import highspy

    def callback(_kind, _msg, _data_out, data_in, _user):  # type: ignore[no-untyped-def]
        if data_in is not None and cancel.requested():
            data_in.user_interrupt = True

    h.setCallback(callback, None)
    for kind in ("kCallbackMipInterrupt", "kCallbackSimplexInterrupt", "kCallbackIpmInterrupt"):
        h.startCallback(getattr(highspy.cb.HighsCallbackType, kind))


def write_model(model: LinearModel, path: Path) -> None:
    """Write the model as .lp or .mps (by suffix), with family-prefixed names."""
    h = _highs_model(model, with_names=True)
    h.writeModel(str(path))


# --- CBC through PuLP ------------------------------------------------------------------


def _cbc_command(options: SolverOptions, log_path: str):  # type: ignore[no-untyped-def]
    import pulp

    kwargs = dict(msg=False, timeLimit=options.time_limit, gapRel=options.gap, logPath=log_path)
    if options.threads > 0:
        kwargs["threads"] = options.threads
    for name in ("PULP_CBC_CMD", "COIN_CMD"):
        cls = getattr(pulp, name, None)
        if cls is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = cls(**kwargs)
            if solver.available():
                return solver
    raise SolverUnavailableError(
        "CBC is not available: PuLP 4 no longer bundles it. Install it with "
        "`pip install 'pulp[cbc]'` or `apt-get install coinor-cbc`, or use --solver highs."
    )


def to_pulp(model: LinearModel):  # type: ignore[no-untyped-def]
    """The model as a PuLP problem (for CBC, other PuLP solvers and LP export)."""
    import pulp

    prob = pulp.LpProblem("workplan", pulp.LpMaximize)
    lower, upper, cost, integer = model.columns()
    names = _unique(model.col_names())
    variables = [
        prob.add_variable(
            n,
            None if np.isinf(lo) else float(lo),
            None if np.isinf(up) else float(up),
            pulp.LpInteger if it else pulp.LpContinuous,
        )
        for n, lo, up, it in zip(names, lower, upper, integer, strict=True)
    ]
    nz = np.flatnonzero(cost)
    prob += pulp.LpAffineExpression([(variables[i], float(cost[i])) for i in nz])
    rows, cols, vals = model.coo()
    order = np.argsort(rows, kind="stable")
    rows, cols, vals = rows[order], cols[order], vals[order]
    bounds = np.searchsorted(rows, np.arange(model.n_rows + 1))
    row_lower, row_upper = model.row_bounds()
    for r, name in enumerate(_unique(model.row_names())):
        seg = slice(bounds[r], bounds[r + 1])
        expr = pulp.LpAffineExpression(
            [(variables[c], float(v)) for c, v in zip(cols[seg], vals[seg], strict=True)]
        )
        lo, up = row_lower[r], row_upper[r]
        if lo == up:
            prob += (expr == float(lo), name)
            continue
        if np.isfinite(up):
            prob += (expr <= float(up), name + "__ub" if np.isfinite(lo) else name)
        if np.isfinite(lo):
            prob += (expr >= float(lo), name + "__lb" if np.isfinite(up) else name)
    return prob, variables


def _solve_cbc(model: LinearModel, options: SolverOptions) -> RawResult:
    import pulp

    with tempfile.TemporaryDirectory() as tmp:
        log_path = str(Path(tmp) / "cbc.log")
        solver = _cbc_command(options, log_path)
        prob, variables = to_pulp(model)
        start = time.perf_counter()
        prob.solve(solver)
        seconds = time.perf_counter() - start
        log = Path(log_path).read_text(errors="replace") if Path(log_path).exists() else ""
    status_text = pulp.LpStatus[prob.status]
    values = np.array([v.varValue if v.varValue is not None else 0.0 for v in variables])
    has_solution = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    objective = float(pulp.value(prob.objective) or 0.0) if has_solution else None
    bound = _cbc_bound(log, objective)
    gap = relative_gap(objective, bound)
    stopped = "Stopped on time" in log or "time limit" in log.lower()
    if prob.status == pulp.LpStatusInfeasible:
        result = SolveStatus.INFEASIBLE
    elif not has_solution:
        result = SolveStatus.NO_SOLUTION if stopped else SolveStatus.ERROR
    elif stopped:
        result = SolveStatus.TIME_LIMIT
    else:
        result = SolveStatus.OPTIMAL if (gap or 0.0) <= OPTIMAL_GAP else SolveStatus.GAP_LIMIT
    return RawResult(
        result, values if has_solution else None, objective, bound, gap, seconds, "cbc", status_text
    )


def _cbc_bound(log: str, objective: float | None) -> float | None:
    """CBC's best bound from its log.

    CBC minimises the negated objective: its progress lines say "best possible -B" and its
    summary "Upper bound: B" (or "Lower bound" for a minimisation). A search completed
    without a gap tolerance proves the objective itself.
    """
    if objective is None:
        return None
    if "Optimal solution found" in log and "gap tolerance" not in log:
        return objective
    summary = re.findall(r"(?:Upper|Lower) bound:\s*(-?[\d.eE+-]+)", log)
    possible = re.findall(r"best possible (-?[\d.eE+-]+)", log)
    for found in (summary, possible):
        if found:
            return max(abs(float(found[-1])), objective)
    return None
