"""National-scale benchmark: build and solve synthetic inventories of 1k-50k hazards.

Run from the repository root (each size runs in its own process, so memory is per size)::

    python -m bench.bench_workplan                                # 1k, 10k, 50k x 10 years
    python -m bench.bench_workplan --sizes 10000 --time-limit 60 --gap 0.01
    python -m bench.bench_workplan --sizes 1000 10000 --compare   # precedence formulations
    python -m bench.bench_workplan --sizes 10000 --pulp --no-plan

Per size it prints, as wall/CPU seconds (the machine is shared, so CPU is the steadier
figure): generating the tables, building the Problem (``build_problem``), building the model
(``build_model``) and handing it to HiGHS as ``models.solvers`` does (long rows split, then
``_highs_model``; the split alone is shown in brackets); the model's size; peak memory
(Python allocations of problem build + model build + hand-off under tracemalloc, in a second
pass so tracing does not slow the timed one, and the process's maximum resident set from
getrusage, which includes HiGHS); then
``plan()``, the production path (LP relaxation, LP-guided constructive start, HiGHS), with
its status, objective, bound and gap.

``--compare`` runs every precedence formulation and adds, per formulation, the LP relaxation
(integrality dropped) and a plain HiGHS solve of the MILP with the engine's options but no
warm start, recording the root node (bound, and time when the first node is processed).
HiGHS does not check its time limit everywhere (MIP presolve), so a size's process is killed
after ``--kill-after`` seconds; whatever it measured by then is reported.
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

from bench.synthetic import Spec, build, make_tables
from models import solvers
from models.matrix import LinearModel, split_long_rows
from models.workplan import build_model
from prioritise.planning.planner import plan

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


def handoff(model: LinearModel) -> Any:
    """What ``models.solvers._solve_highs`` does before setting options: split, pass."""
    defaults = solvers.SolverOptions()
    if defaults.max_row_length > 0:
        model = split_long_rows(model, defaults.max_row_length)
    return solvers._highs_model(model)


def run_highs(
    model: LinearModel, time_limit: float, gap: float, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """HiGHS on ``model`` with the engine's options (split rows, presolve rule, seed), no
    warm start; ``extra`` sets further HiGHS options (experiments only). Records the root:
    it ends at the first callback with a processed node."""
    import highspy

    integer = bool(model.columns()[3].any())
    binaries = int(model.columns()[3].sum())
    h = handoff(model)
    presolve = solvers.SolverOptions().presolve
    if presolve == "auto":
        presolve = "on" if binaries <= solvers.PRESOLVE_AUTO_LIMIT else "off"
    h.setOptionValue("presolve", presolve)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("random_seed", 0)
    for key, value in (extra or {}).items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS rejected option {key} = {value!r}")
    root: dict[str, float | None] = {"root_seconds": None, "root_bound": None}
    last: dict[str, float] = {}

    def callback(_type, _msg, data, _data_in, _user):  # type: ignore[no-untyped-def]
        if root["root_seconds"] is None and data.mip_node_count > 0:
            root["root_seconds"] = data.running_time
            root["root_bound"] = last.get("dual")
        if math.isfinite(data.mip_dual_bound) and abs(data.mip_dual_bound) < 1e300:
            last["dual"] = data.mip_dual_bound

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
    if integer and root["root_seconds"] is None:  # stopped, or solved, at the root
        root.update(root_seconds=clock.wall, root_bound=bound)
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": objective,
        "bound": bound,
        "gap": solvers.relative_gap(objective, bound),
        "wall": clock.wall,
        "cpu": clock.cpu,
        "nodes": int(info.mip_node_count) if integer else None,
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
    """Measure one size in this process; ``save`` is called after every stage."""
    spec = Spec(
        hazards=args.hazards,
        years=args.years,
        methods=args.methods,
        equity=args.equity,
        localisation=args.localisation,
        precedence=args.formulation,
    )
    extra = highs_options(args.highs_option)
    out: dict[str, Any] = {
        "hazards": spec.hazards,
        "years": spec.years,
        "highs_options": extra,
        "runs": [],
    }
    with Clock() as c:
        tables = make_tables(spec)
    out["generate_s"] = c.wall
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Clock() as c:
            problem = build(tables)
    out.update(
        problem_s=c.wall,
        problem_cpu=c.cpu,
        options=len(problem.options),
        dependencies=len(problem.dependencies),
    )
    formulations = FORMULATIONS if args.compare else (spec.precedence,)
    models: dict[str, LinearModel] = {}
    for form in formulations:  # every build first, so a killed solve loses no build figure
        with Clock() as c:
            model = build_model(problem, form).model
        run: dict[str, Any] = {
            "formulation": form,
            "model_s": c.wall,
            "model_cpu": c.cpu,
            "variables": model.n_cols,
            "constraints": model.n_rows,
            "nonzeros": model.n_nonzeros,
            "binaries": int(model.columns()[3].sum()),
        }
        with Clock() as c:
            handoff(model)
        run.update(handoff_s=c.wall, handoff_cpu=c.cpu)
        with Clock() as c:
            split_long_rows(model, solvers.SolverOptions().max_row_length)
        run.update(split_s=c.wall, split_cpu=c.cpu)
        out["runs"].append(run)
        models[form] = model
    out["traced_peak_mib"] = traced_peak(
        lambda: handoff(build_model(build(tables), formulations[0]).model)
    )
    out["max_rss_mib"] = max_rss_mib()
    save(out)
    for run in out["runs"]:
        form = run["formulation"]
        if args.compare:
            run["lp"] = {"status": "killed"}
            save(out)
            run["lp"] = run_highs(relaxed(models[form]), args.time_limit, 0.0, extra)
            run["mip"] = {"status": "killed"}
            save(out)
            run["mip"] = run_highs(models[form], args.time_limit, args.gap, extra)
            save(out)
        if not args.no_plan:
            run["plan"] = {"status": "killed"}
            save(out)
            with Clock() as c:
                result = plan(problem, time_limit=args.time_limit, gap=args.gap, precedence=form)
            s, sol = result.summary, result.solution
            run["plan"] = {
                "status": str(sol.status),
                "objective": sol.objective,
                "bound": sol.best_bound,
                "gap": sol.gap,
                "wall": c.wall,
                "cpu": c.cpu,
                "solve_s": sol.solve_seconds,
                "lp_s": s["lp_relaxation"]["seconds"],
                "lp_bound": s["lp_relaxation"]["objective"],
                "message": sol.message,
                "baseline": s["baseline"]["objective"],
                "scheduled": s["hazards"]["scheduled"],
            }
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


def fmt(v: Any, spec: str = ".2f") -> str:
    if v is None:
        return "-"
    if spec.endswith("%") and isinstance(v, float) and v > 10:
        return ">1000%"  # e.g. against the trivial all-zero plan
    return format(v, spec) if isinstance(v, (int, float)) else str(v)


def pair(wall: Any, cpu: Any) -> str:
    return "-" if wall is None else f"{wall:.2f}/{cpu:.2f}"


def print_tables(results: list[dict[str, Any]]) -> None:
    print("\nBuild (wall s/CPU s); memory: Python peak (tracemalloc), max RSS (getrusage)")
    print(
        f"{'hazards':>8} {'form':<10} {'problem':>11} {'model':>11} {'hand-off':>11} "
        f"{'(split)':>11} {'vars':>9} {'binaries':>9} {'rows':>8} {'nonzeros':>10} {'py MiB':>7} "
        f"{'RSS MiB':>7}"
    )
    for r in results:
        for run in r["runs"]:
            print(
                f"{r['hazards']:>8} {run['formulation']:<10} "
                f"{pair(r['problem_s'], r['problem_cpu']):>11} "
                f"{pair(run['model_s'], run['model_cpu']):>11} "
                f"{pair(run['handoff_s'], run['handoff_cpu']):>11} "
                f"{pair(run['split_s'], run['split_cpu']):>11} "
                f"{run['variables']:>9,} {run['binaries']:>9,} {run['constraints']:>8,} "
                f"{run['nonzeros']:>10,} {r['traced_peak_mib']:>7.0f} "
                f"{r['max_rss_mib']:>7.0f}"
            )
    plans = [(r, run) for r in results for run in r["runs"] if "plan" in run]
    if plans:
        print("\nplan() (LP relaxation + constructive start + HiGHS)")
        print(
            f"{'hazards':>8} {'form':<10} {'status':<12} {'objective':>13} {'bound':>13} "
            f"{'gap':>7} {'total':>13} {'LP s':>6} {'MIP s':>6} {'baseline':>13}  note"
        )
        for r, run in plans:
            p = run["plan"]
            print(
                f"{r['hazards']:>8} {run['formulation']:<10} {p['status']:<12} "
                f"{fmt(p.get('objective'), ',.1f'):>13} {fmt(p.get('bound'), ',.1f'):>13} "
                f"{fmt(p.get('gap'), '.2%'):>7} {pair(p.get('wall'), p.get('cpu')):>13} "
                f"{fmt(p.get('lp_s'), '.1f'):>6} {fmt(p.get('solve_s'), '.1f'):>6} "
                f"{fmt(p.get('baseline'), ',.1f'):>13}  {p.get('message', '')[:60]}"
            )
    raws = [(r, run) for r in results for run in r["runs"] if "lp" in run]
    if raws:
        print(
            "\nFormulations: LP relaxation, and HiGHS on the MILP alone (engine options, "
            "no warm start)"
        )
        print(
            f"{'hazards':>8} {'form':<10} {'nonzeros':>10} {'LP bound':>13} {'LP s':>13} "
            f"{'root bound':>13} {'root s':>7} {'MIP status':<18} {'objective':>13} "
            f"{'bound':>13} {'gap':>7} {'MIP s':>13} {'nodes':>7}"
        )
        for r, run in raws:
            lp, mip = run["lp"], run.get("mip", {})
            print(
                f"{r['hazards']:>8} {run['formulation']:<10} {run['nonzeros']:>10,} "
                f"{fmt(lp.get('objective'), ',.1f') if 'wall' in lp else lp['status']:>13} "
                f"{pair(lp.get('wall'), lp.get('cpu')):>13} "
                f"{fmt(mip.get('root_bound'), ',.1f'):>13} "
                f"{fmt(mip.get('root_seconds'), '.1f'):>7} {mip.get('status', '-'):<18} "
                f"{fmt(mip.get('objective'), ',.1f'):>13} {fmt(mip.get('bound'), ',.1f'):>13} "
                f"{fmt(mip.get('gap'), '.2%'):>7} {pair(mip.get('wall'), mip.get('cpu')):>13} "
                f"{fmt(mip.get('nodes'), 'd'):>7}"
            )
    for r in results:
        for run in r["runs"]:
            if "pulp_s" in run:
                print(
                    f"\nto_pulp at {r['hazards']:,} hazards ({run['formulation']}): "
                    f"{run['pulp_s']:.1f} s wall, {run['pulp_cpu']:.1f} s CPU, max RSS "
                    f"afterwards {run['pulp_rss_mib']:,.0f} MiB"
                )
    if any(r.get("highs_options") for r in results):
        print(f"\nextra HiGHS options: {results[0]['highs_options']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.01, help="relative MIP gap to stop at")
    parser.add_argument("--formulation", default="by", choices=FORMULATIONS)
    parser.add_argument("--methods", default="realistic", choices=["realistic", "default"])
    parser.add_argument("--equity", type=float, default=0.0, help="min share per province")
    parser.add_argument("--localisation", type=float, default=0.0, help="min national share")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="every precedence formulation: LP relaxation, root, plain MILP",
    )
    parser.add_argument("--no-plan", action="store_true", help="skip plan()")
    parser.add_argument("--pulp", action="store_true", help="also time models.solvers.to_pulp")
    parser.add_argument("--pulp-max", type=int, default=10_000)
    parser.add_argument(
        "--highs-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra HiGHS option for the --compare solves (experiments)",
    )
    parser.add_argument(
        "--kill-after",
        type=float,
        default=None,
        help="wall seconds before a size's process is killed (default: "
        "3 x the time limit per solve + 120)",
    )
    parser.add_argument("--json", help="append the raw results to this file (JSON lines)")
    parser.add_argument("--report", help="print the tables of a --json file and exit")
    parser.add_argument("--hazards", type=int, help=argparse.SUPPRESS)  # child process
    parser.add_argument("--out-file", help=argparse.SUPPRESS)  # child process
    args = parser.parse_args(argv)

    if args.report:
        lines = Path(args.report).read_text().splitlines()
        print_tables([json.loads(line) for line in lines if line.strip()])
        return 0
    if args.hazards is not None:

        def save(result: dict[str, Any]) -> None:
            Path(args.out_file).write_text(json.dumps(result))

        one_size(args, save)
        return 0
    child_args = list(argv if argv is not None else sys.argv[1:])
    per_form = 2 * int(args.compare) + int(not args.no_plan)
    solves = (len(FORMULATIONS) if args.compare else 1) * per_form
    kill_after = args.kill_after or 3 * args.time_limit * solves + 120
    results = []
    for size in args.sizes:
        print(f"{size:,} hazards x {args.years} years ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            out_file = Path(tmp) / "result.json"
            cmd = [
                sys.executable,
                "-m",
                "bench.bench_workplan",
                *child_args,
                "--hazards",
                str(size),
                "--out-file",
                str(out_file),
            ]
            try:
                proc = subprocess.run(
                    cmd, capture_output=True, text=True, check=False, timeout=kill_after
                )
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
                fh.write(
                    json.dumps(
                        {"date": time.strftime("%Y-%m-%d %H:%M"), "argv": child_args, **result}
                    )
                    + "\n"
                )
    sys.stdout.flush()
    print_tables(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
