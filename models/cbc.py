"""CBC as a child process the run controls: deadline, Ctrl-C, temporary files, no orphan.

PuLP's ``solve`` waits for CBC with no way to stop it early and builds a Python expression
per coefficient. Here the model is written once as MPS (by HiGHS, ``models.solvers``) into
a temporary folder and CBC's own command line is run on it:

- ``-timeMode elapsed -sec T``: CBC's default counts CPU seconds, which on a shared machine
  let a 3 s limit run 6 s of wall time;
- the run's deadline and the stop flag (``prioritise.core.cancel``) are watched from here:
  CBC is sent SIGINT (it stops its search and still writes its best solution), and killed
  if it has not ended ``KILL_AFTER`` seconds later (``KILL_AFTER_CANCEL`` after Ctrl-C, so
  that its plan is kept: it needed 0.4-0.6 s of CPU to stop, over a second under load);
- CBC runs in a session of its own, so a Ctrl-C at the terminal reaches this process only,
  which decides; any exception here (KeyboardInterrupt included) kills and reaps CBC.

The model is written as a minimisation (costs negated): every figure CBC prints is the
negated objective.
"""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from prioritise.core import cancel

STOP_GRACE = 0.05  # seconds past the deadline before CBC is sent SIGINT
# Seconds after SIGINT before CBC is killed (its plan is then lost). At the deadline or when
# another solver has proved the answer, CBC's own time limit has already passed, so it is
# stuck where it cannot stop (preprocessing): no waiting. After Ctrl-C, time for its plan.
KILL_AFTER = 0.3
KILL_AFTER_CANCEL = 3.0
SEC_MARGIN = 0.2  # CBC's own limit ends this much before the deadline, so SIGINT is rare
POLL = 0.05  # seconds between checks of the deadline and the stop flag

# (elapsed seconds, best plan objective, best bound), already in the maximised sense.
CbcProgress = Callable[[float, float | None, float | None], None]

_NODE_LINE = re.compile(
    r"Cbc0010I After \d+ nodes, \d+ on tree, (\S+) best solution, best possible (\S+)"
)
_FOUND_LINE = re.compile(r"Cbc0012I Integer solution of (\S+) found")
_SOLUTION_HEAD = re.compile(r"^(Optimal|Stopped on [\w ]+?) - objective value (\S+)")


@dataclass(frozen=True)
class CbcRun:
    """What one CBC process left: its log, the solution file, how it ended."""

    log: str
    solution: str
    returncode: int | None
    stopped_by_us: bool  # SIGINT sent: deadline passed or a stop was requested
    killed: bool
    seconds: float


def run_cbc(
    args: list[str],
    folder: Path,
    deadline: float,
    progress: CbcProgress | None = None,
    stop: Callable[[], bool] | None = None,
) -> CbcRun:
    """Run CBC (``args``, the binary first) in ``folder`` until it ends or ``deadline``.

    The solution file is ``folder / "solution.txt"`` (the caller's ``-solution`` argument).
    ``stop`` returning True (or a stop request, ``core.cancel``) ends it as the deadline
    does. Never returns while the process is alive.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        args,
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=_read, args=(proc, lines, progress, started), name="cbc-log", daemon=True
    )
    reader.start()
    signalled_at: float | None = None
    kill_after = KILL_AFTER
    killed = False
    try:
        while proc.poll() is None:
            now = time.perf_counter()
            cancelled = cancel.requested()
            halt = cancelled or (stop is not None and stop())
            if signalled_at is None and (halt or now >= deadline + STOP_GRACE):
                proc.send_signal(signal.SIGINT)
                signalled_at = now
                kill_after = KILL_AFTER_CANCEL if cancelled else KILL_AFTER
            elif signalled_at is not None and now - signalled_at >= kill_after:
                proc.kill()
                killed = True
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(POLL)
    finally:
        if proc.poll() is None:  # an exception (KeyboardInterrupt) interrupted the wait
            proc.kill()
            killed = True
        proc.wait()
        reader.join(5.0)
        if proc.stdout is not None:
            proc.stdout.close()
    path = folder / "solution.txt"
    solution = path.read_text(errors="replace") if path.exists() else ""
    return CbcRun(
        "".join(lines),
        solution,
        proc.returncode,
        signalled_at is not None,
        killed,
        time.perf_counter() - started,
    )


def _read(
    proc: subprocess.Popen[str], lines: list[str], progress: CbcProgress | None, started: float
) -> None:
    """Collect CBC's output; report its node and new-solution lines as they come."""
    assert proc.stdout is not None
    best: float | None = None
    bound: float | None = None
    for line in proc.stdout:
        lines.append(line)
        if progress is None:
            continue
        node = _NODE_LINE.search(line)
        found = _FOUND_LINE.search(line)
        if node:
            best, bound = _negated(node.group(1)), _negated(node.group(2))
        elif found:
            best = _negated(found.group(1))
        else:
            continue
        # A failing progress printer must not stop this thread: CBC would block on a full pipe.
        with contextlib.suppress(Exception):
            progress(time.perf_counter() - started, best, bound)


def _negated(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if abs(value) >= 1e40 else -value


@dataclass(frozen=True)
class CbcSolution:
    """The solution file read back: status word, objective (maximised), column values."""

    status: str  # "optimal", "stopped" or CBC's own words ("integer infeasible", ...)
    objective: float | None
    values: dict[int, float]


def read_solution(text: str) -> CbcSolution:
    """Parse CBC's solution file (``-solution``, default printing: non-zero columns).

    The first line says how CBC ended: ``Optimal - objective value V`` or ``Stopped on time
    - objective value V`` carry an integer solution; anything else (``Infeasible``,
    ``Stopped on time (no integer solution - continuous used)``) carries none. Each further
    line is ``index name value reduced-cost``, possibly preceded by ``**`` when the value
    breaks a bound.
    """
    lines = text.splitlines()
    if not lines:
        return CbcSolution("none", None, {})
    head = _SOLUTION_HEAD.match(lines[0].strip())
    if head is None:  # e.g. "Integer infeasible - objective value ..."
        return CbcSolution(lines[0].split(" - ")[0].strip().lower() or "none", None, {})
    status = "optimal" if head.group(1) == "Optimal" else "stopped"
    values: dict[int, float] = {}
    for line in lines[1:]:
        parts = line.split()
        if parts and parts[0] == "**":
            parts = parts[1:]
        if len(parts) >= 3 and parts[0].isdigit():
            values[int(parts[0])] = float(parts[2])
    return CbcSolution(status, _negated(head.group(2)), values)


def read_bound(log: str, objective: float | None) -> float | None:
    """CBC's proven bound on the maximised objective, from its log.

    A search that ended "Optimal solution found" without a gap tolerance proves the
    objective itself; otherwise the summary's "Lower bound: -B" (the model is a
    minimisation) or, failing that, the last progress line's "best possible -B". A bound
    below the objective (rounding in the log) is lifted to it.
    """
    if objective is None:
        return None
    if "Result - Optimal solution found" in log and "gap tolerance" not in log:
        return objective
    summary = re.findall(r"Lower bound:\s*(\S+)", log)
    possible = _NODE_LINE.findall(log)
    for found in (summary, [p[1] for p in possible]):
        value = _negated(found[-1]) if found else None
        if value is not None:
            return max(value, objective)
    return None
