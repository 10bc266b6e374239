"""One set of rules for the numbers a user gives: flags, TOML values and table cells.

A gap of 5, a time limit of -5 or ``nan``, 20-digit years and ``inf`` costs all used to pass
somewhere and break something later. Every place that reads a number checks it against a
:class:`Limit` from here, so the command line, the settings and the tables agree on what is
legal and say so in the same words. ``SUSPICIOUS`` holds the thresholds above which a legal
value is almost surely a typo: those are warnings, never errors.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Years outside this range are typos (a 20-digit year crashed the plan after solving).
MIN_YEAR, MAX_YEAR = 1900, 2200


@dataclass(frozen=True)
class Limit:
    """A legal range for one kind of number, with the words that explain it."""

    what: str  # "a fraction in [0, 1)": completes "must be ..."
    example: str  # "0.01"
    integer: bool = False
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # low itself is not allowed (time limit > 0)
    high_open: bool = False  # high itself is not allowed (gap < 1)

    def problem(self, value: object) -> str | None:
        """Why ``value`` breaks the rule, or None when it is legal."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be {self.what}; got {value!r}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"must be a finite number ({self.what}); got {value}"
        if self.integer and value != int(value):
            return f"must be a whole number ({self.what}); got {value}"
        too_low = self.low is not None and (
            value < self.low or (self.low_open and value == self.low)
        )
        too_high = self.high is not None and (
            value > self.high or (self.high_open and value == self.high)
        )
        if too_low or too_high:
            return f"must be {self.what}; got {value}"
        return None

    def parse(self, text: str) -> int | float:
        """The number in ``text``, checked; ValueError with the rule in words otherwise."""
        raw = text.strip()
        try:
            value: int | float = int(raw) if self.integer else float(raw)
        except ValueError:
            kind = "a whole number" if self.integer else "a number"
            raise ValueError(
                f"must be {kind} ({self.what}, e.g. {self.example}); got {shorten(text)!r}"
            ) from None
        why = self.problem(value)
        if why is not None:
            raise ValueError(f"{why} (e.g. {self.example})")
        return value


GAP = Limit("a fraction in [0, 1)", "0.01", low=0.0, high=1.0, high_open=True)
FRACTION = Limit("a fraction in [0, 1]", "0.4", low=0.0, high=1.0)
SECONDS = Limit("a number of seconds > 0", "60", low=0.0, low_open=True, high=1e7)
THREADS = Limit("a whole number >= 1", "2", integer=True, low=1, high=1024)
WORKERS = Limit("a whole number >= 1", "2", integer=True, low=1, high=1024)
SAMPLES = Limit("a whole number >= 1", "200", integer=True, low=1, high=10_000_000)
SAMPLES_OR_NONE = Limit("a whole number >= 0", "200", integer=True, low=0, high=10_000_000)
SEED = Limit("a whole number >= 0", "0", integer=True, low=0, high=2**32 - 1)
YEAR = Limit(f"a year in {MIN_YEAR}..{MAX_YEAR}", "2030", integer=True, low=MIN_YEAR, high=MAX_YEAR)
YEARS_AHEAD = Limit("a whole number of years in 0..100", "15", integer=True, low=0, high=100)
YEARS_ADDED = Limit("a whole number of years in 1..100", "10", integer=True, low=1, high=100)
POSITIVE = Limit("a finite number > 0", "20", low=0.0, low_open=True)
NON_NEGATIVE = Limit("a finite number >= 0", "0.15", low=0.0)
FINITE = Limit("a finite number", "1.5")
PORT = Limit("a port number in 1..65535", "8000", integer=True, low=1, high=65535)
MEGABYTES = Limit("a size in MB > 0", "200", low=0.0, low_open=True, high=1e6)

# Legal values that are almost surely a mistake: a warning names the hazard and the column.
SUSPICIOUS_COST_USD = 1e9  # one hazard or one year's budget over $1bn
SUSPICIOUS_PAST_YEARS = 10  # a plan starting more than this many years before today
SUSPICIOUS_IMPACT_RATIO = 1e4  # an impact this many times the median of the others

# A name that becomes one path component (a scenario folder, a hazard's file name).
_SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")


def unsafe_component(name: str) -> str | None:
    """Why ``name`` cannot be one file or folder name, or None when it can.

    Letters, digits, ``_``, ``-`` and ``.``, not starting with ``.`` or ``-`` (so never ``.``
    or ``..``, a hidden file or an option), at most 100 characters.
    """
    if not _SAFE_COMPONENT.match(name):
        return (
            f"{shorten(name)!r} cannot name a file or folder: use letters, digits, '_', '-' "
            "and '.', not starting with '.' or '-', at most 100 characters"
        )
    return None


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, so a garbage value cannot flood a message."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
