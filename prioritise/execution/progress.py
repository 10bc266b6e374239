"""A terminal progress bar for many-plans jobs: done / running / failed, elapsed, estimate.

On a terminal the bar redraws in place; written to a file or a pipe (CI logs) it prints a
line at most every ``every`` seconds and at the end, so logs stay short. The estimate is the
mean time per finished task times the tasks left, divided over the running ones; it says
"estimate" because task times vary.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    s = round(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


class ProgressBar:
    """Implements :class:`prioritise.execution.engine.ProgressSink`."""

    def __init__(
        self, label: str, stream: TextIO | None = None, width: int = 24, every: float = 10.0
    ) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.every = every
        self.start = time.perf_counter()
        self.last = -1e9
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.line = ""

    def render(self, done: int, running: int, failed: int, total: int) -> str:
        elapsed = time.perf_counter() - self.start
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        if 0 < done < total:
            left = f", about {_clock(elapsed / done * (total - done))} left (estimate)"
        else:
            left = ""
        return (
            f"{self.label} [{bar}] {done}/{total} done, {running} running, {failed} failed, "
            f"{_clock(elapsed)} elapsed{left}"
        )

    def update(self, done: int, running: int, failed: int, total: int) -> None:
        self.line = self.render(done, running, failed, total)
        now = time.perf_counter()
        if self.tty:
            print("\r" + self.line, end="", file=self.stream, flush=True)
        elif now - self.last >= self.every or done == total:
            print(self.line, file=self.stream, flush=True)
            self.last = now

    def close(self) -> None:
        if self.tty:
            print(file=self.stream, flush=True)
