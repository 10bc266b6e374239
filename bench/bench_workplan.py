"""National-scale benchmark: build and solve synthetic inventories of 1k-50k hazards.

Run from the repository root (each size runs in its own process, so peak memory is per size)::

    python -m bench.bench_workplan                                # 1k, 10k, 50k x 10 years
    python -m bench.bench_workplan --sizes 10000 --time-limit 60 --gap 0.01
    python -m bench.bench_workplan --sizes 1000 10000 --compare   # precedence formulations
    python -m bench.bench_workplan --sizes 10000 --pulp --no-solve

Per size it prints the seconds to generate the tables, build the Problem (``build_problem``),
build the model (``build_model``), hand the arrays to HiGHS (``models.solvers._highs_model``)
and solve, wall and CPU (the machine is shared, so CPU seconds are the steadier figure), the
status, objective, best bound and gap, the model's size, and peak memory: Python allocations
during problem build + model build + hand-off (tracemalloc, a second pass so tracing does not
slow the timed one) and the process's maximum resident set (getrusage, includes HiGHS).

``--compare`` adds, per precedence formulation, the LP relaxation (integrality dropped), the
root node (bound and time when HiGHS leaves the root) and the final gap within the time limit.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import prioritise  # noqa: F401  (imported before models: models.* first is a circular import)
from bench.synthetic import Spec, build, make_tables
from models import solvers
from models.matrix import LinearModel
from models.workplan import build_model

SIZES = (1_000, 10_000, 50_000)
FORMULATIONS = ("by", "cumulative", "aggregated")


class Clock:
    """Wall and CPU seconds of a block (CPU includes HiGHS's threads)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self._w
        self.cpu = time.process_time() - self._c


def relaxed(model: LinearModel) -> LinearModel:
    """The same model with every column continuous."""
    return dataclasses.replace(model, col_integer=[np.zeros_like(a) for a in model.col_integer])


def run_highs(model: LinearModel, time_limit: float, gap: float, threads: int = 0,
              extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Solve as ``models.solvers.solve`` does (same hand-off and options), recording the root.

    ``extra`` sets further HiGHS options (experiments only; the engine sets none). The MIP
    callback reports the node count; the root ends at the first report with nodes > 0.
    """
    import highspy

    h = solvers._highs_model(model)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("random_seed", 0)
    if threads > 0:
        h.setOptionValue("threads", int(threads))
    for key, value in (extra or {}).items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS rejected option {key} = {value!r}")
    root: dict[str, float | None] = {"root_seconds": None, "root_bound": None,
                                     "root_primal": None}
    last: dict[str, float] = {}
    integer = bool(model.columns()[3].any())

    def callback(_type, _msg, data, _data_in, _user):  # type: ignore[no-untyped-def]
        if root["root_seconds"] is None and data.mip_node_count > 0:
            root["root_seconds"] = data.running_time
            root["root_bound"] = last.get("dual")
            root["root_primal"] = last.get("primal")
        if math.isfinite(data.mip_dual_bound) and abs(data.mip_dual_bound) < 1e300:
            last["dual"] = data.mip_dual_bound
        if math.isfinite(data.mip_primal_bound) and abs(data.mip_primal_bound) < 1e300:
            last["primal"] = data.mip_primal_bound

    if integer:
        h.setCallback(callback, None)
        h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipInterrupt)
    with Clock() as clock:
        h.run()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2
    objective = float(info.objective_function_value) if has_solution else None
    if integer:
        bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    else:
        bound = objective
    if integer and root["root_seconds"] is None:  # solved (or stopped) at the root
        root["root_seconds"] = clock.wall
        root["root_bound"] = bound
        root["root_primal"] = objective
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": objective, "bound": bound,
        "gap": solvers.relative_gap(objective, bound),
        "solve_wall": clock.wall, "solve_cpu": clock.cpu,
        "nodes": int(info.mip_node_count) if integer else None,
        "simplex_iterations": int(info.simplex_iteration_count),
        **root,
    }


def traced_peak(fn: Callable[[], object]) -> float:
    """Peak MiB of Python allocations while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def highs_options(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` strings as typed HiGHS options."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, _, text = pair.partition("=")
        value: Any = text
        if text in ("true", "false"):
            value = text == "true"
        else:
            for kind in (int, float):
                try:
                    value = kind(text)
                    break
                except ValueError:
                    continue
        out[key] = value
    return out


def one_size(args: argparse.Namespace, save: Callable[[dict[str, Any]], None]) -> None:
    """Measure one size in this process; ``save`` is called after every stage.

    HiGHS does not check its time limit inside MIP presolve, so the parent may have to kill
    this process; whatever was saved by then is reported.
    """
    spec = Spec(hazards=args.hazards, years=args.years, methods=args.methods,
                equity=args.equity, localisation=args.localisation,
                precedence=args.formulation)
    extra = highs_options(args.highs_option)
    out: dict[str, Any] = {"hazards": spec.hazards, "years": spec.years,
                           "highs_options": extra, "runs": []}
    with Clock() as c:
        tables = make_tables(spec)
    out["generate_s"] = c.wall
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Clock() as c:
            problem = build(tables)
    out.update(problem_s=c.wall, problem_cpu=c.cpu, options=len(problem.options),
               dependencies=len(problem.dependencies))
    formulations = FORMULATIONS if args.compare else (spec.precedence,)
    models: dict[str, LinearModel] = {}
    for form in formulations:  # every build first, so a killed solve loses no build figure
        with Clock() as c:
            model = build_model(problem, form).model
        run: dict[str, Any] = {"formulation": form, "model_s": c.wall, "model_cpu": c.cpu,
                               "variables": model.n_cols, "constraints": model.n_rows,
                               "nonzeros": model.n_nonzeros,
                               "binaries": int(model.columns()[3].sum())}
        with Clock() as c:
            solvers._highs_model(model)
        run.update(handoff_s=c.wall, handoff_cpu=c.cpu)
        out["runs"].append(run)
        models[form] = model
    out["traced_peak_mib"] = traced_peak(
        lambda: solvers._highs_model(build_model(build(tables), formulations[0]).model))
    out["max_rss_mib"] = max_rss_mib()
    save(out)
    for run in out["runs"]:
        model = models[run["formulation"]]
        if args.compare:
            run["lp_status"] = "killed"
            save(out)
            lp = run_highs(relaxed(model), args.time_limit, 0.0, args.threads, extra)
            run.update(lp_status=lp["status"], lp_bound=lp["objective"],
                       lp_s=lp["solve_wall"], lp_cpu=lp["solve_cpu"])
        if not args.no_solve:
            run["status"] = "killed"
            save(out)
            run.update(run_highs(model, args.time_limit, args.gap, args.threads, extra))
        out["max_rss_mib"] = max_rss_mib()
        save(out)
    if args.pulp and spec.hazards <= args.pulp_max:  # last: PuLP's objects dominate RSS
        run = out["runs"][0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Clock() as c:
                solvers.to_pulp(models[run["formulation"]])
        run.update(pulp_s=c.wall, pulp_cpu=c.cpu, pulp_rss_mib=max_rss_mib())
        save(out)


def print_tables(results: list[dict[str, Any]], compare: bool) -> None:
    def fmt(v: Any, spec: str = ".2f") -> str:
        if v is None:
            return "-"
        return format(v, spec) if isinstance(v, (int, float)) else str(v)

    def pair(wall: Any, cpu: Any) -> str:
        return "-" if wall is None else f"{wall:.2f}/{cpu:.2f}"

    print("\nBuild: wall s/CPU s; memory: Python peak (tracemalloc), max RSS (getrusage)")
    print(f"{'hazards':>8} {'form':<10} {'problem':>11} {'model':>11} {'hand-off':>11} "
          f"{'vars':>9} {'binaries':>9} {'rows':>8} {'nonzeros':>10} "
          f"{'py MiB':>7} {'RSS MiB':>7}")
    for r in results:
        for run in r["runs"]:
            print(f"{r['hazards']:>8} {run['formulation']:<10} "
                  f"{pair(r['problem_s'], r['problem_cpu']):>11} "
                  f"{pair(run['model_s'], run['model_cpu']):>11} "
                  f"{pair(run['handoff_s'], run['handoff_cpu']):>11} "
                  f"{run['variables']:>9,} {run['binaries']:>9,} {run['constraints']:>8,} "
                  f"{run['nonzeros']:>10,} {r['traced_peak_mib']:>7.0f} "
                  f"{r['max_rss_mib']:>7.0f}")
    if not any("status" in run for r in results for run in r["runs"]):
        return
    print("\nSolve (HiGHS)")
    head = (f"{'hazards':>8} {'form':<10} {'status':<18} {'objective':>13} {'bound':>13} "
            f"{'gap':>8} {'wall s':>7} {'CPU s':>7} {'nodes':>7} {'root s':>7} "
            f"{'root bound':>13}")
    if compare:
        head += f" {'LP bound':>13} {'LP s':>7} {'LP CPU':>7}"
    print(head)
    for r in results:
        for run in r["runs"]:
            if "status" not in run and "lp_status" not in run:
                continue
            line = (f"{r['hazards']:>8} {run['formulation']:<10} "
                    f"{run.get('status', '-'):<18} "
                    f"{fmt(run.get('objective'), ',.1f'):>13} {fmt(run.get('bound'), ',.1f'):>13} "
                    f"{fmt(run.get('gap'), '.3%'):>8} "
                    f"{fmt(run.get('solve_wall'), '.1f'):>7} {fmt(run.get('solve_cpu'), '.1f'):>7} "
                    f"{fmt(run.get('nodes'), 'd'):>7} {fmt(run.get('root_seconds'), '.1f'):>7} "
                    f"{fmt(run.get('root_bound'), ',.1f'):>13}")
            if compare:
                lp = run.get("lp_bound")
                line += (f" {fmt(lp, ',.1f') if lp is not None else run.get('lp_status', '-'):>13} "
                         f"{fmt(run.get('lp_s'), '.1f'):>7} {fmt(run.get('lp_cpu'), '.1f'):>7}")
            print(line)
    pulp = [(r["hazards"], run) for r in results for run in r["runs"] if "pulp_s" in run]
    for hazards, run in pulp:
        print(f"\nto_pulp at {hazards:,} hazards: {run['pulp_s']:.1f} s wall, "
              f"{run['pulp_cpu']:.1f} s CPU, max RSS afterwards {run['pulp_rss_mib']:,.0f} MiB")
    if any(r.get("highs_options") for r in results):
        print(f"\nextra HiGHS options: {results[0]['highs_options']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.01, help="relative MIP gap to stop at")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--formulation", default="by", choices=FORMULATIONS)
    parser.add_argument("--methods", default="realistic", choices=["realistic", "default"])
    parser.add_argument("--equity", type=float, default=0.0, help="min share per province")
    parser.add_argument("--localisation", type=float, default=0.0, help="min national share")
    parser.add_argument("--compare", action="store_true",
                        help="every precedence formulation, with LP relaxation and root")
    parser.add_argument("--pulp", action="store_true", help="also time models.solvers.to_pulp")
    parser.add_argument("--pulp-max", type=int, default=10_000)
    parser.add_argument("--no-solve", action="store_true")
    parser.add_argument("--highs-option", action="append", default=[], metavar="KEY=VALUE",
                        help="extra HiGHS option for experiments, e.g. presolve=off")
    parser.add_argument("--kill-after", type=float, default=None,
                        help="wall seconds before a size's process is killed (default: "
                        "3 x time limit per solve + 120)")
    parser.add_argument("--json", help="append the raw results to this file (JSON lines)")
    parser.add_argument("--hazards", type=int, help=argparse.SUPPRESS)  # child process
    parser.add_argument("--out-file", help=argparse.SUPPRESS)  # child process
    args = parser.parse_args(argv)

    if args.hazards is not None:
        def save(result: dict[str, Any]) -> None:
            Path(args.out_file).write_text(json.dumps(result))

        one_size(args, save)
        return 0
    child_args = list(argv if argv is not None else sys.argv[1:])
    solves = (len(FORMULATIONS) if args.compare else 1) * (int(args.compare)
                                                            + int(not args.no_solve))
    kill_after = args.kill_after or 3 * args.time_limit * solves + 120
    results = []
    for size in args.sizes:
        print(f"{size:,} hazards x {args.years} years ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            out_file = Path(tmp) / "result.json"
            cmd = [sys.executable, "-m", "bench.bench_workplan", *child_args,
                   "--hazards", str(size), "--out-file", str(out_file)]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                                      timeout=kill_after)
                if proc.returncode != 0:
                    print(proc.stderr, file=sys.stderr)
            except subprocess.TimeoutExpired:
                print(f"  killed after {kill_after:.0f} s", file=sys.stderr)
            if not out_file.exists():
                print("  no result", file=sys.stderr)
                continue
            result = json.loads(out_file.read_text())
        results.append(result)
        if args.json:
            with open(args.json, "a") as fh:
                fh.write(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M"),
                                     "argv": child_args, **result}) + "\n")
    sys.stdout.flush()
    print_tables(results, args.compare)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
