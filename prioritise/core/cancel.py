"""A process-wide request to stop solving, shared by a signal handler and the solver.

The command line sets it on the first Ctrl-C or SIGTERM; ``models/solvers.py`` checks it in
HiGHS's interrupt callbacks and stops the search, and the command then reports the run as
``interrupted`` instead of as finished. A flag (not an exception) because HiGHS runs in C++:
raising from a signal handler cannot unwind through it.
"""

from __future__ import annotations

import threading

_REQUESTED = threading.Event()


def request() -> None:
    """Ask every running and later solve to stop as soon as it can."""
    _REQUESTED.set()


def requested() -> bool:
    """True once a stop has been asked for (until :func:`clear`)."""
    return _REQUESTED.is_set()


def clear() -> None:
    """Forget an earlier request (at the start of a command)."""
    _REQUESTED.clear()
