"""Where heavy work runs: never on the web server's event loop.

A :class:`JobRunner` takes a picklable function and its arguments and runs it elsewhere.
:class:`ProcessRunner` keeps a small pool of spawned worker processes on this machine;
:class:`DaskRunner` sends the same functions to a Dask scheduler (``--scheduler``). The
function records its own state in the database, so the runner only has to start it.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

from distributed import fire_and_forget
from sqlalchemy import update

from prioritise.app.db import Plan, utcnow
from prioritise.app.worker import lower_priority, warm_up
from prioritise.execution.engine import Executor

log = logging.getLogger("prioritise.app")


class JobRunner(Protocol):
    def start(self) -> None: ...

    def submit(self, fn: Callable[..., None], *args: Any) -> None: ...

    def shutdown(self) -> None: ...


def _log_failure(future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:  # the job records its own errors; this is a crashed worker
        log.error("worker process failed: %s", exc)


class ProcessRunner:
    """Spawned processes (not forked: the server has threads), started on first use."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the workers and import the planner in each, so a first plan starts at once
        (a spawned process takes seconds to import pandas, geopandas and HiGHS)."""
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=lower_priority,
            )
            for _ in range(self.workers):
                self.pool.submit(warm_up).add_done_callback(_log_failure)

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        self.start()
        assert self.pool is not None
        self.pool.submit(fn, *args).add_done_callback(_log_failure)

    def shutdown(self) -> None:
        """Stop now: running plans are ended (the next start shows them interrupted)."""
        if self.pool is None:
            return
        processes = list(getattr(self.pool, "_processes", {}).values())  # no public API
        self.pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()
        for proc in processes:
            proc.join(timeout=5)
        self.pool = None


class DaskRunner:
    """Jobs on a Dask cluster through the execution layer's client (``--scheduler``); the
    cluster's workers must reach the same database and workspace folder."""

    def __init__(self, address: str):
        self.executor = Executor(scheduler=address)
        self.client = self.executor.client

    def start(self) -> None:
        pass

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        fire_and_forget(self.client.submit(fn, *args, pure=False))

    def shutdown(self) -> None:
        self.executor.close()


def make_runner(scheduler: str | None, workers: int) -> JobRunner:
    return DaskRunner(scheduler) if scheduler else ProcessRunner(workers)


def mark_interrupted(db: Any) -> int:
    """Plans queued or running when the server last stopped: say so, never drop them."""
    stmt = (
        update(Plan)
        .where(Plan.status.in_(("queued", "running")))
        .values(
            status="interrupted", phase="the server stopped during this run", finished_at=utcnow()
        )
    )
    n = int(db.execute(stmt).rowcount)
    db.commit()
    return n
