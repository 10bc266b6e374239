"""Reading an earlier run back (``explain --out DIR``): only a complete run of this project.

A damaged ``workplan.csv`` (rows cut, ids edited, a run of another project) used to be
explained as if it were the plan. The run must have a readable ``workplan.csv`` and
``summary.json`` that agree on row counts, exactly the project's hazard ids, each once;
and, when the summary carries a reproducibility record with input hashes, today's inputs
must hash the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from prioritise.core.errors import UsageError
from prioritise.core.problem import Problem
from prioritise.planning.record import input_differences

WORKPLAN_COLUMNS = ("hazard_id", "status", "method", "operator", "year")


def load_checked_run(
    out: Path, problem: Problem, purpose: str = "explained"
) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """The earlier run's workplan and summary, None when ``out`` holds no run at all;
    ``purpose`` completes the error message ("The run in DIR cannot be ...")."""
    if not out.exists() or not (out / "workplan.csv").exists():
        if out.is_dir() and any(out.iterdir()):
            raise UsageError(
                f"{out} holds no workplan.csv: it is not a complete plan run. Re-plan: run "
                "`prioritise plan` into it with --overwrite, or leave out --out to plan again."
            )
        return None
    fail = _failure(out, purpose)
    try:
        workplan = pd.read_csv(out / "workplan.csv", dtype={"hazard_id": str}, nrows=2_000_000)
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(f"its workplan.csv or summary.json cannot be read ({str(exc)[:200]})") from None
    if not isinstance(summary, dict):
        raise fail("its summary.json is not a JSON object")
    missing = [c for c in WORKPLAN_COLUMNS if c not in workplan.columns]
    if missing:
        raise fail(f"workplan.csv lacks the column(s) {', '.join(missing)}")
    _check_rows(workplan, summary, problem, fail)
    _check_hashes(summary, problem, fail)
    return workplan, summary


def _failure(out: Path, purpose: str = "explained") -> Any:
    def fail(why: str) -> UsageError:
        if purpose != "explained":
            return UsageError(f"The run in {out} cannot be {purpose}: {why}.")
        return UsageError(
            f"The run in {out} cannot be explained: {why}. Re-plan (leave out --out, or run "
            "`prioritise plan ... --overwrite` into that folder) and explain again."
        )

    return fail


def _check_rows(
    workplan: pd.DataFrame, summary: dict[str, Any], problem: Problem, fail: Any
) -> None:
    ids = workplan["hazard_id"].astype(str)
    project = set(problem.hazards["hazard_id"].astype(str))
    found = summary.get("hazards")
    counts: dict[str, Any] = found if isinstance(found, dict) else {}
    if counts.get("total") is not None and counts["total"] != len(workplan):
        raise fail(f"workplan.csv has {len(workplan)} rows but summary.json says {counts['total']}")
    scheduled = int((workplan["status"] == "scheduled").sum())
    if counts.get("scheduled") is not None and counts["scheduled"] != scheduled:
        raise fail(
            f"workplan.csv schedules {scheduled} hazards but summary.json says "
            f"{counts['scheduled']}"
        )
    if ids.duplicated().any():
        raise fail(f"workplan.csv lists {', '.join(ids[ids.duplicated()].head(5))} twice")
    unknown = sorted(set(ids) - project)
    absent = sorted(project - set(ids))
    if unknown or absent:
        parts = []
        if unknown:
            parts.append(f"{len(unknown)} hazard(s) not in the project (e.g. {unknown[0]})")
        if absent:
            parts.append(f"{len(absent)} of the project's hazard(s) missing (e.g. {absent[0]})")
        raise fail("it is not a plan of this project: " + "; ".join(parts))
    if not workplan["status"].isin(["scheduled", "unscheduled"]).all():
        raise fail("workplan.csv has a status other than scheduled/unscheduled")
    years = pd.to_numeric(workplan.loc[workplan["status"] == "scheduled", "year"], errors="coerce")
    if years.isna().any() or not years.isin(problem.years).all():
        raise fail("workplan.csv schedules hazards outside the project's years")


def _check_hashes(summary: dict[str, Any], problem: Problem, fail: Any) -> None:
    """Compare today's inputs with the run's reproducibility record (``record.inputs``: path
    relative to the project TOML and sha256); a run without the record passes on the checks
    above."""
    record = summary.get("record")
    if not isinstance(record, dict) or problem.source is None:
        return
    changed = input_differences(record, Path(problem.source))
    if changed:
        raise fail("its inputs have changed since that run: " + "; ".join(changed[:3]))


TRADEOFF_COLUMNS = ("point", "cap", "status", "objective", "measure", "on_frontier", "knee")


def load_tradeoff_run(folder: Path, problem: Problem) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A finished ``prioritise tradeoff`` run of this project: its table and tradeoff.json.

    The run's own plan (``plan/``) must pass the same checks as ``explain --out`` (this
    project's hazards, each once; unchanged inputs), and its objective must be the project's.
    """
    purpose = "used as the frontier"
    fix = "; run `prioritise tradeoff` on this project into it (with --overwrite)"
    if not (folder / "tradeoff.json").is_file() or not (folder / "tradeoff.csv").is_file():
        raise UsageError(
            f"{folder} is not a finished trade-off run (no tradeoff.json and tradeoff.csv){fix}."
        )
    try:
        meta = json.loads((folder / "tradeoff.json").read_text(encoding="utf-8"))
        table = pd.read_csv(folder / "tradeoff.csv", nrows=1000)
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"The run in {folder} cannot be {purpose}: its tradeoff.json or tradeoff.csv "
            f"cannot be read ({str(exc)[:200]}){fix}."
        ) from None
    missing = [c for c in TRADEOFF_COLUMNS if c not in table.columns]
    if not isinstance(meta, dict) or meta.get("axis") not in ("environment", "cost", "equity"):
        missing.append("tradeoff.json's axis")
    if missing:
        raise UsageError(
            f"The run in {folder} cannot be {purpose}: it lacks {', '.join(missing)}{fix}."
        )
    for column in ("cap", "objective", "measure"):
        numbers = pd.to_numeric(table[column], errors="coerce")
        if (numbers.isna() & table[column].notna()).any():
            raise UsageError(
                f"The run in {folder} cannot be {purpose}: tradeoff.csv's {column} column "
                f"holds a value that is not a number{fix}."
            )
        table[column] = numbers
    if load_checked_run(folder / "plan", problem, purpose) is None:
        raise UsageError(
            f"The run in {folder} cannot be {purpose}: it holds no plan/ of the project{fix}."
        )
    objective = "NPV, USD" if problem.settings.plan.objective == "npv" else "impact-years"
    if meta.get("objective") != objective:
        raise UsageError(
            f"The run in {folder} cannot be {purpose}: its frontier is in "
            f"{meta.get('objective')}, this project's objective is {objective}{fix}."
        )
    return table, meta
