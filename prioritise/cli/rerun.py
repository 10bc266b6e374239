"""``prioritise rerun DIR``: plan again from the record in DIR/summary.json.

Refuses, listing the differences, when an input file's hash no longer matches the record;
otherwise plans with the recorded command-line overrides, writes the outputs to a new
folder, and says whether ``workplan.csv`` is identical byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from prioritise.cli.loading import add_warning_flag, load_project

EXIT_OK, EXIT_INVALID = 0, 3
PLAN_ARGUMENTS = ("solver", "time_limit", "gap", "threads", "precedence")


def add_command(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "rerun",
        parents=parents,
        help="plan again from an earlier run's record (summary.json) and say whether the "
        "plan is identical",
    )
    p.add_argument("dir", type=Path, help="output folder of an earlier `plan` run")
    p.add_argument(
        "--out", type=Path, help="folder for the new outputs (default: DIR-rerun beside DIR)"
    )
    p.add_argument(
        "--project",
        type=Path,
        help="the project TOML, if it has moved since (default: the one the record names)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an earlier rerun in --out (it is removed once the new run is complete)",
    )
    add_warning_flag(p)
    p.set_defaults(run=cmd_rerun, strict=False)


def read_record(folder: Path) -> dict[str, Any] | None:
    path = folder / "summary.json"
    if not path.exists():
        return None
    record = json.loads(path.read_text(encoding="utf-8")).get("record")
    return record if isinstance(record, dict) else None


def compare_workplans(before: Path, after: Path) -> str:
    """'identical' or which rows differ, for the closing line."""
    if before.read_bytes() == after.read_bytes():
        return "identical, byte for byte"
    old = before.read_text(encoding="utf-8").splitlines()
    new = after.read_text(encoding="utf-8").splitlines()
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b]
    first = new[changed[0]].split(",", 1)[0] if changed else ""
    return (
        f"DIFFERENT: {len(changed)} of {len(old) - 1} rows differ"
        + (f" (first: {first})" if first else "")
        + (f"; {len(old)} lines before, {len(new)} now" if len(old) != len(new) else "")
    )


def cmd_rerun(args: argparse.Namespace) -> int:
    from prioritise.analyses.report_data import prepare_report
    from prioritise.outputs.console import render_plan_summary
    from prioritise.outputs.files import RunFolder, project_inputs
    from prioritise.outputs.plan import write_plan_outputs
    from prioritise.planning.planner import TerminalProgress, plan
    from prioritise.planning.record import input_differences, version_differences

    record = read_record(args.dir)
    if record is None:
        print(f"{args.dir}/summary.json has no record to rerun from.", file=sys.stderr)
        return EXIT_INVALID
    project = args.project or Path(record.get("project_file") or "")
    if not project.is_file():
        print(f"The recorded project file {project} is not there; give --project.", file=sys.stderr)
        return EXIT_INVALID
    differences = input_differences(record, project)
    if differences:
        print("Not rerunning: the inputs differ from the record.", file=sys.stderr)
        for line in differences:
            print(f"  {line}", file=sys.stderr)
        return EXIT_INVALID
    for line in version_differences(record):
        print(f"Note: {line}; the plan may differ for that reason.", file=sys.stderr)
    args.project = project
    problem = load_project(args)
    overrides = {k: v for k, v in record.get("overrides", {}).items() if k in PLAN_ARGUMENTS}
    progress = None if args.quiet else TerminalProgress()
    out = args.out or args.dir.with_name(args.dir.name + "-rerun")
    with RunFolder(out, project_inputs(problem.settings, project), args.overwrite) as run:
        result = plan(problem, progress=progress, **overrides)
        write_plan_outputs(result, prepare_report(result), run.path)
    print(render_plan_summary(result.summary))
    verdict = compare_workplans(args.dir / "workplan.csv", out / "workplan.csv")
    print(f"\nRe-planned from the record in {args.dir} into {out}: workplan.csv {verdict}.")
    if result.summary.status == "time_limit" or "time limit" in result.summary.solver_message:
        print("The solve stopped on its time limit, so another run may find another plan.")
    return EXIT_OK
