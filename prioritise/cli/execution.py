"""Flags every many-plans command shares: where its tasks run.

``--workers N`` sizes the local Dask cluster (default: one worker per core);
``--scheduler ADDRESS`` (or ``[execution] scheduler`` in the project TOML) sends the same
tasks to an existing Dask cluster instead. Dask itself is imported only when a command runs,
so ``prioritise --help`` stays quick.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from prioritise.cli.flags import WORKERS, number
from prioritise.cli.loading import add_warning_flag

if TYPE_CHECKING:
    from prioritise.execution.engine import Executor


def add_run_flags(p: argparse.ArgumentParser) -> None:
    """--strict, --no-warnings, then --workers/--scheduler: the tail of each many-plan command."""
    p.add_argument("--strict", action="store_true", help="treat project warnings as errors")
    add_warning_flag(p)
    add_execution_flags(p)


def add_execution_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers",
        type=number(WORKERS),
        help="local Dask workers (default: one per core; ignored with --scheduler)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the tasks on an existing Dask cluster (e.g. tcp://10.0.0.5:8786); "
        "default: [execution] scheduler in the project TOML, else a local cluster",
    )


def scheduler_for(args: argparse.Namespace, problem: Any) -> str | None:
    """The command line's scheduler, else the project's ``[execution] scheduler``."""
    if getattr(args, "scheduler", None):
        return str(args.scheduler)
    execution = getattr(problem.settings, "execution", None)
    value = getattr(execution, "scheduler", None)
    return str(value) if value else None


def workers_for(args: argparse.Namespace, problem: Any) -> int:
    """``--workers``, else the project's ``[execution] workers``, else one per core."""
    execution = getattr(problem.settings, "execution", None)
    given = getattr(args, "workers", None) or getattr(execution, "workers", None)
    return int(given or os.cpu_count() or 1)


def executor_for(args: argparse.Namespace, problem: Any, tasks: int) -> Executor:
    """A local cluster no larger than the job, or a client of the chosen scheduler."""
    from prioritise.execution.engine import Executor

    scheduler = scheduler_for(args, problem)
    workers = max(1, min(workers_for(args, problem), max(tasks, 1)))
    return Executor(workers, scheduler)
