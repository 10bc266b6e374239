"""One execution layer for every many-plans job, on ``dask.distributed``.

Scenario sweeps, Monte Carlo samples, weight sensitivity, the funding ladder (and the web
workspace's jobs) all run the same way::

    with Executor(workers=2) as ex:                 # a local cluster, 2 worker processes
        for r in ex.map(plan_one, items, shared=problem):
            r.index, r.ok, r.value, r.error, r.worker, r.seconds, r.attempts

    Executor(scheduler="tcp://10.0.0.5:8786")      # the same tasks on an existing cluster

Rules every task function keeps, so a cluster's results equal a local run's:

* it is a module-level function ``fn(shared, item) -> value`` (picklable by reference),
  pure: the same ``shared`` and ``item`` give the same value;
* any randomness is seeded from the item (see :func:`task_seed`), never from the worker,
  the clock or the order tasks finish in;
* it does not print; it may raise: the error is caught on the worker and becomes the
  task's row (``ok=False``, ``error``), and the other tasks carry on.

``shared`` (the problem, the options) is sent to every worker once, not once per task.
A task whose worker dies (process killed, machine lost) is submitted once more; if that
worker dies too, the task's row says so. Results are yielded as tasks finish; sort by
``index`` (or use :meth:`Executor.run`) for input order.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import dask
import numpy as np
from distributed import Client, Future, LocalCluster, as_completed, get_worker

TaskFn = Callable[[Any, Any], Any]


class ProgressSink(Protocol):
    """What :meth:`Executor.map` reports to after every change (see ``progress.py``)."""

    def update(self, done: int, running: int, failed: int, total: int) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class TaskResult:
    """One task's row: its value, or the error that replaced it, and where it ran."""

    index: int
    key: str
    ok: bool
    value: Any = None
    error: str = ""
    worker: str = ""
    seconds: float = 0.0
    attempts: int = 1


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    value: Any
    error: str
    worker: str
    seconds: float


def task_seed(seed: int | Sequence[int], index: int) -> np.random.SeedSequence:
    """The seed of task ``index`` of a job seeded with ``seed``: independent streams per
    task, whatever the number of workers or the order they finish in."""
    base = [seed] if isinstance(seed, int) else list(seed)
    return np.random.SeedSequence([*base, index])


def default_workers() -> int:
    """A local cluster sized to the machine: one single-threaded worker per core."""
    return os.cpu_count() or 1


def _worker_name() -> str:
    try:
        w = get_worker()
    except ValueError:  # not on a Dask worker (inline execution)
        return "inline"
    return str(w.name) if w.name is not None else str(w.address)


def _run(fn: TaskFn, shared: Any, item: Any) -> _Outcome:
    """Run one task on a worker; an exception becomes the outcome, never a lost row."""
    start = time.perf_counter()
    try:
        value = fn(shared, item)
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        frames = traceback.extract_tb(exc.__traceback__)
        if frames and not isinstance(exc, ValueError | OSError):  # a defect: say where
            last = frames[-1]
            detail += f" (at {os.path.basename(last.filename)}:{last.lineno} in {last.name})"
        return _Outcome(False, None, detail, _worker_name(), time.perf_counter() - start)
    return _Outcome(True, value, "", _worker_name(), time.perf_counter() - start)


class Executor:
    """A Dask client on a local cluster sized to the machine or on ``scheduler``.

    ``workers`` sets the local cluster's size (ignored with ``scheduler``); ``processes``
    False runs the local workers as threads of this process (fast to start; for tests and
    tasks that release the GIL). ``threads_per_worker`` is 1: each task may start its own
    solver threads (HiGHS), sized by the caller from :attr:`workers`.
    """

    def __init__(
        self,
        workers: int | None = None,
        scheduler: str | None = None,
        *,
        processes: bool = True,
    ) -> None:
        self.scheduler = scheduler or None
        self._cluster: LocalCluster | None = None
        if self.scheduler is None:
            n = max(1, workers or default_workers())
            # A lost worker's task is retried by map() (once, counted); the scheduler itself
            # does not retry it again.
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                self._cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=None,
                    silence_logs=40,
                )
            self.client = Client(self._cluster)
        else:
            self.client = Client(self.scheduler)

    @property
    def workers(self) -> int:
        """Workers the cluster has now (for sizing each task's solver threads)."""
        return max(1, len(self.client.nthreads()))

    def map(
        self,
        fn: TaskFn,
        items: Iterable[Any],
        *,
        shared: Any = None,
        keys: Sequence[str] | None = None,
        progress: ProgressSink | None = None,
        failed_if: Callable[[Any], bool] | None = None,
    ) -> Iterator[TaskResult]:
        """Run ``fn(shared, item)`` for every item; yield each row as its task finishes.

        ``failed_if(value)`` counts a finished task as failed on the progress bar (a
        scenario without a plan, say) though it returned a value.
        """
        items = list(items)
        names = list(keys) if keys is not None else [str(i) for i in range(len(items))]
        token = f"{getattr(fn, '__name__', 'task')}-{time.time_ns()}"
        holder = [self.client.scatter([shared], broadcast=True, hash=False)[0]]
        index_of: dict[Future, tuple[int, int]] = {}

        def submit(i: int, attempt: int) -> Future:
            if holder[0].status != "finished":  # every worker holding it was lost
                holder[0] = self.client.scatter([shared], broadcast=True, hash=False)[0]
            f = self.client.submit(
                _run, fn, holder[0], items[i], key=f"{token}-{i}-{attempt}", pure=False
            )
            index_of[f] = (i, attempt)
            return f

        # Results arrive with their futures, gathered in batches (one round trip per
        # future would cost a few ms each on a busy machine).
        pending = as_completed(
            [submit(i, 1) for i in range(len(items))], with_results=True, raise_errors=False
        )
        done = failed = 0
        total = len(items)
        if progress is not None:
            progress.update(0, min(total, self.workers), 0, total)
        for future, value in pending:
            i, attempt = index_of.pop(future)
            result = self._collect(future, value, i, names[i], attempt)
            if result is None:  # the worker died: once more
                pending.add(submit(i, attempt + 1))
                continue
            done += 1
            failed += not result.ok or (failed_if is not None and bool(failed_if(result.value)))
            if progress is not None:
                progress.update(done, min(total - done, self.workers), failed, total)
            yield result
        if progress is not None:
            progress.close()

    def run(
        self,
        fn: TaskFn,
        items: Iterable[Any],
        *,
        shared: Any = None,
        keys: Sequence[str] | None = None,
        progress: ProgressSink | None = None,
        failed_if: Callable[[Any], bool] | None = None,
    ) -> list[TaskResult]:
        """:meth:`map`, collected in input order."""
        rows = list(
            self.map(fn, items, shared=shared, keys=keys, progress=progress, failed_if=failed_if)
        )
        return sorted(rows, key=lambda r: r.index)

    @staticmethod
    def _collect(
        future: Future, value: Any, index: int, key: str, attempt: int
    ) -> TaskResult | None:
        """The task's row; None when its worker was lost and it may run once more.

        ``_run`` never raises, so anything but an ``_Outcome`` means the task itself was
        lost (its worker died: KilledWorker, or its data went with the worker).
        """
        future.release()
        if not isinstance(value, _Outcome):
            if attempt < 2:
                return None
            what = f"{type(value).__name__}: {value}" if value is not None else future.status
            return TaskResult(
                index, key, False, error=f"worker lost twice ({what})", attempts=attempt
            )
        out = value
        return TaskResult(
            index, key, out.ok, out.value, out.error, out.worker, out.seconds, attempt
        )

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_inline(
    fn: TaskFn, items: Iterable[Any], *, shared: Any = None, keys: Sequence[str] | None = None
) -> list[TaskResult]:
    """The same rows as :meth:`Executor.run`, computed here without a cluster (the
    reference a cluster run is compared with, and a fallback for tiny jobs)."""
    rows = []
    items = list(items)
    names = list(keys) if keys is not None else [str(i) for i in range(len(items))]
    for i, item in enumerate(items):
        out = _run(fn, shared, item)
        rows.append(TaskResult(i, names[i], out.ok, out.value, out.error, out.worker, out.seconds))
    return rows
