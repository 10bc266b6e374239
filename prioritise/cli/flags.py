"""Flags shared by every command: checked numbers, --debug/--quiet anywhere, --version.

Numbers go through :mod:`prioritise.core.limits`, so ``--gap 5`` is refused with the same
rule (and words) as ``gap = 5`` in the project TOML.
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Callable
from importlib import metadata
from typing import Any

from prioritise.core.limits import (
    GAP,
    MEGABYTES,
    NON_NEGATIVE,
    PORT,
    POSITIVE,
    SAMPLES,
    SAMPLES_OR_NONE,
    SECONDS,
    SEED,
    THREADS,
    WORKERS,
    YEAR,
    YEARS_ADDED,
    YEARS_AHEAD,
    Limit,
)

__all__ = [
    "GAP",
    "MEGABYTES",
    "NON_NEGATIVE",
    "PORT",
    "POSITIVE",
    "SAMPLES",
    "SAMPLES_OR_NONE",
    "SECONDS",
    "SEED",
    "THREADS",
    "WORKERS",
    "YEAR",
    "YEARS_ADDED",
    "YEARS_AHEAD",
    "Interrupted",
    "add_global_flags",
    "global_parent",
    "number",
    "version_text",
]


class Interrupted(Exception):  # noqa: N818 - reads as the state it reports
    """Ctrl-C or SIGTERM stopped the command; the message says what was (not) written."""


def number(limit: Limit) -> Callable[[str], int | float]:
    """An argparse ``type=`` that applies ``limit`` (argparse prints the reason, exit 2)."""

    def parse(text: str) -> int | float:
        try:
            return limit.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = limit.what
    return parse


def version_text() -> str:
    """Engine, solver and Python versions, one line each (for bug reports)."""

    def dist(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return (
        f"prioritise {dist('prioritise')}\n"
        f"HiGHS (highspy) {dist('highspy')}\n"
        f"Python {platform.python_version()} ({sys.executable})"
    )


class _VersionAction(argparse.Action):
    """--version, computed only when asked (metadata look-ups cost start-up time)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(version_text())
        parser.exit()


def add_global_flags(parser: argparse.ArgumentParser) -> None:
    """--version, --debug and --quiet on the top-level parser (with their defaults)."""
    parser.add_argument(
        "--version", action=_VersionAction, help="print engine, solver and Python versions"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def global_parent() -> argparse.ArgumentParser:
    """The same --debug/--quiet for each command, so they work after the command name too.

    Defaults are SUPPRESSed so a sub-command does not reset a flag given before it.
    """
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    parent.add_argument(
        "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress lines"
    )
    return parent
