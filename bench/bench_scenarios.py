"""Scenarios per minute on a sample project with 1 and 2 worker processes.

Measures what ``prioritise scenarios`` does end to end after loading the project: apply
each scenario, solve it (with the given per-scenario time limit), write its plan outputs and
the comparison files. Every scenario runs under the same time limit in both runs, so the
ratio of the two rates is the parallel speed-up; the statuses are printed beside the rates
because a scenario stopped by the time limit is counted like a solved one.

    python bench/bench_scenarios.py                         # national sample, 1 and 2 workers
    python bench/bench_scenarios.py --workers 2 --scenarios 4 --time-limit 60
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from prioritise import load_problem  # noqa: E402
from prioritise.execution.batch import RunOptions, run_scenarios, write_comparison  # noqa: E402
from prioritise.inputs.scenarios import load_scenarios  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--project", type=Path, default=REPO / "sample_data" / "national" / "project.toml"
    )
    parser.add_argument("--file", type=Path, help="scenarios TOML (default: beside the project)")
    parser.add_argument("--scenarios", type=int, help="use only the first N scenarios")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    start = time.perf_counter()
    problem = load_problem(args.project)
    load_s = time.perf_counter() - start
    scenarios = load_scenarios(args.file or args.project.parent / "scenarios.toml")
    scenarios = scenarios[: args.scenarios] if args.scenarios else scenarios
    print(
        f"{args.project}: {len(problem.hazards)} hazards, {len(problem.years)} years, "
        f"loaded in {load_s:.1f} s; {len(scenarios)} scenarios; time limit "
        f"{args.time_limit:.0f} s; {os.cpu_count()} CPUs",
        flush=True,
    )
    runs = []
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            batch = run_scenarios(
                problem,
                scenarios,
                workers=workers,
                options=RunOptions(time_limit=args.time_limit),
                out_dir=Path(tmp),
            )
            write_comparison(batch, Path(tmp))
            seconds = time.perf_counter() - t0
        table = batch.comparison
        per_min = 60.0 * len(scenarios) / seconds
        statuses = table["status"].value_counts().to_dict()
        runs.append(
            {
                "workers": workers,
                "seconds": round(seconds, 1),
                "scenarios_per_minute": round(per_min, 3),
                "statuses": statuses,
                "scenario_seconds": dict(
                    zip(table["scenario"], table["elapsed_seconds"], strict=True)
                ),
            }
        )
        print(
            f"workers={workers}: {len(scenarios)} scenarios in {seconds:.1f} s = "
            f"{per_min:.2f} scenarios/minute; statuses {statuses}",
            flush=True,
        )
    if len(runs) > 1:
        print(
            f"speed-up {runs[0]['seconds'] / runs[-1]['seconds']:.2f}x with "
            f"{runs[-1]['workers']} workers"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "project": str(args.project),
                    "load_seconds": load_s,
                    "time_limit": args.time_limit,
                    "runs": runs,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
