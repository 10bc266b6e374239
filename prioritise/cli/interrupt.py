"""Ctrl-C and SIGTERM: stop the solver, write nothing half-done, exit 130.

For commands that solve (``plan``, ``explain``, ``uncertainty``, ``deadline``) the first
signal sets :mod:`prioritise.core.cancel`, which HiGHS's callbacks check, so the solve stops
within a moment and the command decides what to write (``plan --keep-on-interrupt`` keeps the
best checked plan, status ``interrupted``). For the others the signal raises
KeyboardInterrupt, which unwinds through :class:`~prioritise.outputs.files.RunFolder` and
discards the unfinished run. A second signal exits at once (130), after removing the
unfinished run folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

from prioritise.core import cancel

SOLVING_COMMANDS = {"plan", "explain", "uncertainty", "deadline"}


def _discard_pending() -> None:
    files = sys.modules.get("prioritise.outputs.files")
    if files is not None:
        files.discard_pending()


def _on_signal_solving(signum: int, _frame: FrameType | None) -> None:
    if cancel.requested():
        os.write(2, b"\nInterrupted again: exiting at once, nothing written.\n")
        _discard_pending()
        os._exit(130)
    cancel.request()
    os.write(2, b"\nInterrupting: stopping the solver (press Ctrl-C again to exit at once)...\n")


def _on_signal_plain(signum: int, _frame: FrameType | None) -> None:
    if cancel.requested():
        _discard_pending()
        os._exit(130)
    cancel.request()
    raise KeyboardInterrupt


@contextlib.contextmanager
def interruptible(command: str | None) -> Iterator[None]:
    """Install the handlers for one command (main thread only), restore them afterwards."""
    cancel.clear()
    if threading.current_thread() is not threading.main_thread():
        try:
            yield
        finally:
            cancel.clear()
        return
    handler = _on_signal_solving if command in SOLVING_COMMANDS else _on_signal_plain
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        cancel.clear()  # a library caller in the same process solves normally afterwards
