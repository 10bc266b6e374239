"""The execution layer: per-task overhead, and a Monte Carlo with re-planning on 1 and 2 workers.

    python bench/bench_manyplans.py overhead --tasks 400
    python bench/bench_manyplans.py montecarlo --project sample_data/minimal/project.toml \
        --samples 200 --workers 1 2

``overhead`` times no-op tasks through a local cluster of worker processes (the cluster's
start-up is timed apart): what a many-plans job pays per task on top of its own work.
``montecarlo`` times ``run_monte_carlo`` (the nominal plan solved once beforehand, outside
the timing) and checks that the samples are identical whatever the number of workers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from prioritise import load_problem, plan  # noqa: E402
from prioritise.analyses.monte_carlo import MonteCarloSettings  # noqa: E402
from prioritise.execution.engine import Executor  # noqa: E402
from prioritise.execution.manyplans import run_monte_carlo  # noqa: E402


def noop(shared: Any, item: int) -> int:
    return item


def overhead(tasks: int, workers: int) -> None:
    t0 = time.perf_counter()
    with Executor(workers) as ex:
        start_s = time.perf_counter() - t0
        ex.run(noop, range(8), shared=None)  # warm: first task imports on each worker
        t1 = time.perf_counter()
        rows = ex.run(noop, range(tasks), shared=b"x" * 1_000_000)
        run_s = time.perf_counter() - t1
    assert [r.value for r in rows] == list(range(tasks))
    print(
        f"{workers} worker(s): cluster start {start_s:.2f} s; {tasks} no-op tasks (1 MB shared "
        f"object sent once) in {run_s:.2f} s = {1000 * run_s / tasks:.1f} ms per task "
        f"(load {os.getloadavg()[0]:.1f})",
        flush=True,
    )


def montecarlo(project: Path, samples: int, workers_list: list[int]) -> None:
    problem = load_problem(project)
    nominal = plan(problem)
    settings = MonteCarloSettings(samples=samples)
    reference = None
    for workers in workers_list:
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        with Executor(workers) as ex:
            mc = run_monte_carlo(nominal, settings, executor=ex)
        seconds = time.perf_counter() - t0
        cols = ["sample", "impact_years", "released_m2", "cost_usd", "replans"]
        same = reference is None or mc.samples[cols].equals(reference)
        reference = mc.samples[cols] if reference is None else reference
        iy = mc.summary["impact_years"]
        print(
            f"{project.parent.name}: {samples} samples, {workers} worker(s): {seconds:.1f} s "
            f"({samples / seconds * 60:.1f} samples/min), failed {mc.summary['failed_samples']}, "
            f"mean re-plans {mc.samples['replans'].mean():.2f}, impact-years P10/P50/P90 "
            f"{iy['p10']:.1f}/{iy['p50']:.1f}/{iy['p90']:.1f} (nominal {iy['nominal']:.1f}, "
            f"{iy['share_of_samples_above_nominal']:.0%} above); identical to the first run: "
            f"{same} (load at start {load:.1f})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    o = sub.add_parser("overhead")
    o.add_argument("--tasks", type=int, default=400)
    o.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    m = sub.add_parser("montecarlo")
    m.add_argument(
        "--project", type=Path, default=REPO / "sample_data" / "minimal" / "project.toml"
    )
    m.add_argument("--samples", type=int, default=200)
    m.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if args.what == "overhead":
        for w in args.workers:
            overhead(args.tasks, w)
    else:
        montecarlo(args.project, args.samples, args.workers)


if __name__ == "__main__":
    main()
