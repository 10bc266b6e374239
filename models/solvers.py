"""The solver adapter: the only module that imports highspy or pulp.

HiGHS is the default: the model's numpy arrays are handed to it in memory as they are.
CBC (PuLP's bundled binary, or one on the PATH) runs as a child process on the model written
as MPS by HiGHS (``models.cbc``); PuLP's bundled CBC is deprecated in 3.3 and dropped in 4.0,
so CBC stays optional and a caller falls back to HiGHS when it is missing.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from models import cbc
from models.matrix import LinearModel, split_long_rows
from prioritise.core import cancel
from prioritise.core.errors import SolverUnavailableError

# Progress callback: (elapsed seconds, best plan objective, best bound, relative gap).
ProgressFn = Callable[[float, float | None, float | None, float | None], None]
# Asked while a solver runs: True ends the solve early, as the deadline does.
StopFn = Callable[[], bool]

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
    # Absolute end (time.perf_counter()) shared by every phase of a run; overrides time_limit.
    deadline: float | None = None
    # CBC only: run its threaded tree search even with one thread (``-threads 1``: the tree
    # in one worker thread). Slower to prove (mknapcb1 median 3.5 s against 1.35 s) but it
    # finds better plans on the 10 x 100 knapsacks (mknapcb4, BENCHMARKS.md).
    cbc_worker: bool = False


PRESOLVE_AUTO_LIMIT = 20_000

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
    fix: Start | None = None,
    stop: StopFn | None = None,
) -> RawResult:
    """Solve the maximisation ``model`` with the chosen solver, from ``start`` if given.

    ``fix`` (HiGHS only) holds columns to fix at the given values: a neighbourhood search
    solves the same model with most hazards held where the incumbent has them. ``stop``
    returning True ends the solve early like the deadline does (a portfolio stops the other
    solvers once one has proved the plan optimal).
    """
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
        return _solve_highs(model, options, progress, start, fix, stop)
    if options.name == "cbc":
        return _solve_cbc(model, options, progress, start, stop)
    raise SolverUnavailableError(f"Unknown solver {options.name!r}; use 'highs' or 'cbc'.")


def new_highs() -> Any:
    """A HiGHS instance that prints nothing and changes nothing outside itself.

    highspy's ``Highs`` wrapper prints HiGHS's banner from C++ when it installs its callback
    dispatcher; the core class ``_Highs`` does not, and its log goes nowhere once
    ``output_flag`` is off. No file descriptor is touched (issue 8 item 5).
    """
    import highspy

    h = highspy._Highs()  # type: ignore[attr-defined]  # the core class: no banner
    h.setOptionValue("output_flag", False)
    return h


# Progress from inside a HiGHS run: (elapsed seconds, primal bound, dual bound) of the MIP.
_MipProgress = Callable[[float, float | None, float | None], None]


def run_highs(
    h: Any,
    *,
    threads: int = 0,
    deadline: float | None = None,
    on_mip: _MipProgress | None = None,
    stop: StopFn | None = None,
) -> None:
    """Run ``h`` in a short-lived thread of its own, stopping it at ``deadline``.

    HiGHS keeps one task scheduler per calling thread, sized by that thread's first solve;
    a later solve asking for another size on the same thread fails ("Not Set"), and the only
    fix from outside, ``resetGlobalScheduler``, tears down every solve of the process. A
    fresh thread per run gets a scheduler of exactly ``threads`` workers that ends with it,
    so solves with any thread counts can run side by side (scenario workers, a server).

    ``deadline`` (a ``time.perf_counter()`` value) is enforced through HiGHS's interrupt
    callbacks (simplex, interior point, MIP), which it polls far more often than its own
    time limit (not checked inside MIP presolve, for instance).
    """
    import highspy

    cb = highspy.cb.HighsCallbackType
    interrupt = threading.Event()

    def callback(kind, _msg, data_out, data_in, _user):  # type: ignore[no-untyped-def]
        if kind == cb.kCallbackMipInterrupt and on_mip is not None:
            on_mip(
                data_out.running_time,
                _finite(data_out.mip_primal_bound),
                _finite(data_out.mip_dual_bound),
            )
        halt = interrupt.is_set() or cancel.requested()  # Ctrl-C / SIGTERM (core.cancel)
        if (
            halt
            or (stop is not None and stop())
            or (deadline is not None and time.perf_counter() >= deadline)
        ):
            data_in.user_interrupt = True

    h.setCallback(callback, None)
    for kind in (cb.kCallbackSimplexInterrupt, cb.kCallbackIpmInterrupt, cb.kCallbackMipInterrupt):
        h.startCallback(kind)
    if threads > 0:
        h.setOptionValue("threads", int(threads))
    if deadline is not None:
        h.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
    failure: list[BaseException] = []

    def target() -> None:
        try:
            h.run()
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=target, name="highs-run", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)  # short waits keep Ctrl-C responsive in the caller
    except KeyboardInterrupt:
        interrupt.set()
        worker.join()
        raise
    finally:
        h.setCallback(None, None)
    if failure:
        raise failure[0]


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) and abs(v) < 1e300 else None


def _highs_model(model: LinearModel, with_names: bool = False):  # type: ignore[no-untyped-def]
    import highspy

    h = new_highs()
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
    fix: Start | None = None,
    stop: StopFn | None = None,
) -> RawResult:
    n_cols = model.n_cols
    original = model
    integer_cols = int(model.columns()[3].sum())
    if options.max_row_length > 0:
        model = split_long_rows(model, options.max_row_length)
    h = _highs_model(model)
    presolve = options.presolve
    if presolve == "auto":
        free = integer_cols - (len(fix[0]) if fix is not None else 0)
        presolve = "on" if free <= PRESOLVE_AUTO_LIMIT else "off"
    h.setOptionValue("presolve", presolve)
    if fix is not None:
        idx, vals = np.asarray(fix[0], np.int32), np.asarray(fix[1], float)
        h.changeColsBounds(len(idx), idx, vals, vals)
    if start_plan is not None:
        idx, vals = start_plan
        h.setSolution(len(idx), np.asarray(idx, np.int32), np.asarray(vals, float))
    h.setOptionValue("mip_rel_gap", float(options.gap))
    h.setOptionValue("random_seed", 0)
    on_mip = None
    if progress is not None:

        def on_mip(elapsed: float, primal: float | None, dual: float | None) -> None:
            progress(elapsed, primal, dual, relative_gap(primal, dual))

    deadline = options.deadline
    if deadline is None:
        deadline = time.perf_counter() + float(options.time_limit)
    start = time.perf_counter()
    run_highs(h, threads=options.threads, deadline=deadline, on_mip=on_mip, stop=stop)
    result = _highs_result(h, model, n_cols, time.perf_counter() - start)
    if start_plan is not None and not _objective_matches(model, result):
        # HiGHS 1.16 with presolve and a start can return its start as "optimal" with an
        # objective its own point does not have (seen on NPV models, whose binaries carry
        # negative costs): such an answer proves nothing, so solve again without the start.
        return _solve_highs(original, options, progress, None, fix, stop)
    return result


def _objective_matches(model: LinearModel, result: RawResult) -> bool:
    """Whether the reported objective is the cost of the reported point (1e-6 relative)."""
    if result.x is None or result.objective is None:
        return True
    cost = model.columns()[2][: len(result.x)]
    value = float(cost @ result.x)
    return abs(value - result.objective) <= 1e-6 * max(1.0, abs(value))


def _highs_result(h: Any, model: LinearModel, n_cols: int, seconds: float) -> RawResult:
    import highspy

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


def write_model(model: LinearModel, path: Path) -> None:
    """Write the model as .lp or .mps (by suffix), with family-prefixed names."""
    h = _highs_model(model, with_names=True)
    h.writeModel(str(path))


# --- CBC: a child process (models.cbc); PuLP finds its binary and exports models ---


def cbc_binary() -> str | None:
    """The CBC executable: PuLP's bundled one, else a CBC on the PATH (``coinor-cbc``)."""
    import pulp

    for name in ("PULP_CBC_CMD", "COIN_CMD"):
        cls = getattr(pulp, name, None)
        if cls is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = cls(msg=False)
            if solver.available():
                return str(solver.path)
    return shutil.which("cbc")


CBC_MISSING = (
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


def _solve_cbc(
    model: LinearModel,
    options: SolverOptions,
    progress: ProgressFn | None = None,
    start_plan: Start | None = None,
    stop: StopFn | None = None,
) -> RawResult:
    """CBC on ``model`` as a child process (``models.cbc``), from ``start_plan`` if given."""
    binary = cbc_binary()
    if binary is None:
        raise SolverUnavailableError(CBC_MISSING)
    deadline = options.deadline
    if deadline is None:
        deadline = time.perf_counter() + float(options.time_limit)
    with tempfile.TemporaryDirectory(prefix="prioritise-cbc-") as tmp:
        folder = Path(tmp)
        _write_min_mps(model, folder / "model.mps")
        args = [binary, "model.mps"]
        if start_plan is not None:
            full = _complete_start(model, start_plan, deadline)
            _write_mipstart(folder / "start.mst", *(full or start_plan))
            args += ["-mips", "start.mst"]
        limit = max(0.1, deadline - time.perf_counter() - cbc.SEC_MARGIN)
        args += ["-timeMode", "elapsed", "-sec", f"{limit:.2f}", "-ratio", f"{options.gap:g}"]
        if options.threads > 1 or options.cbc_worker:  # -threads 1: the tree in one worker
            args += ["-threads", str(max(1, options.threads))]
        args += ["-solve", "-solution", "solution.txt"]
        on_line = None
        if progress is not None:

            def on_line(elapsed: float, best: float | None, bound: float | None) -> None:
                progress(elapsed, best, bound, relative_gap(best, bound))

        run = cbc.run_cbc(args, folder, deadline, on_line, stop)
    return _cbc_result(model, run)


def _write_min_mps(model: LinearModel, path: Path) -> None:
    """The model as MPS for CBC, minimising the negated objective (columns c0, c1, ...)."""
    import highspy

    h = _highs_model(model)
    cost = model.columns()[2]
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.changeColsCost(model.n_cols, np.arange(model.n_cols, dtype=np.int32), -cost)
    h.writeModel(str(path))


def relaxed_highs(model: LinearModel):  # type: ignore[no-untyped-def]
    """``model`` in HiGHS with every variable continuous (seeded, so solves repeat)."""
    import highspy

    h = _highs_model(model)
    integer = model.columns()[3]
    if integer.any():
        idx = np.flatnonzero(integer).astype(np.int32)
        h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kContinuous))
    h.setOptionValue("random_seed", 0)
    return h


def _complete_start(model: LinearModel, start: Start, deadline: float) -> Start | None:
    """Every column of a start that gives only the integer ones (a constructive plan).

    CBC rejects a start of integer values alone on workplan models ("mipstart values could
    not be used"), though HiGHS completes the same start; so the continuous columns are
    found here: HiGHS's LP with the given columns fixed (at most a tenth of the time left).
    None when that LP does not solve (CBC then gets the integer values alone).
    """
    idx, vals = np.asarray(start[0], np.int32), np.asarray(start[1], float)
    if len(idx) == model.n_cols:
        return start
    h = relaxed_highs(model)
    h.changeColsBounds(len(idx), idx, vals, vals)
    run_highs(h, threads=1, deadline=time.perf_counter() + 0.1 * (deadline - time.perf_counter()))
    if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
        return None
    x = np.asarray(h.getSolution().col_value, float)[: model.n_cols]
    x[idx] = vals
    return np.arange(model.n_cols), x


def _write_mipstart(path: Path, cols: np.ndarray, values: np.ndarray) -> None:
    """A start for CBC's ``-mips``: its own solution-file format, columns by name."""
    lines = ["Stopped on time - objective value 0"]
    lines += [f"{i:>7} c{c} {v:.17g} 0" for i, (c, v) in enumerate(zip(cols, values, strict=True))]
    path.write_text("\n".join(lines) + "\n")


def _cbc_result(model: LinearModel, run: cbc.CbcRun) -> RawResult:
    """CBC's run read back; the objective is recomputed from the point itself."""
    sol = cbc.read_solution(run.solution)
    x = None
    objective = None
    if sol.objective is not None:
        x = np.zeros(model.n_cols)
        for col, value in sol.values.items():
            if col < model.n_cols:
                x[col] = value
        objective = float(model.columns()[2] @ x)
    bound = cbc.read_bound(run.log, objective)
    gap = relative_gap(objective, bound)
    infeasible = "infeasible" in sol.status or "Result - Problem proven infeasible" in run.log
    if x is not None and sol.status == "optimal" and not run.stopped_by_us:
        result = SolveStatus.OPTIMAL if (gap or 0.0) <= OPTIMAL_GAP else SolveStatus.GAP_LIMIT
    elif x is not None:
        result = SolveStatus.TIME_LIMIT
    elif infeasible and not run.stopped_by_us:
        result = SolveStatus.INFEASIBLE
    elif run.stopped_by_us or "Stopped" in run.solution or "Stopped on time" in run.log:
        result = SolveStatus.NO_SOLUTION
    else:
        result = SolveStatus.ERROR
    first = run.solution.splitlines()[0].strip() if run.solution else "no solution file"
    how = " (stopped at the deadline or on request)" if run.stopped_by_us else ""
    return RawResult(result, x, objective, bound, gap, run.seconds, "cbc", first + how)
