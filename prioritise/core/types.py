"""Shared constrained value types for settings, scenario files and command-line flags.

Each type is an ``Annotated`` alias that pydantic validates: strict (a year of ``true`` or
``"2027"`` is refused, an integer is accepted where a number is asked for) and finite (``inf``
and ``nan``, which TOML can spell, are refused everywhere). Use them as field annotations of a
settings dataclass, or check a single value with :func:`check_value`::

    from prioritise.core.types import Fraction, check_value
    gap = check_value(Fraction, 0.01)        # 0.01, or raises pydantic.ValidationError

The ranges are those of :mod:`prioritise.core.limits`, which checks command-line flags and
table cells: ``Fraction`` is its ``GAP``, ``Share`` its ``FRACTION``, ``Seconds`` its
``SECONDS`` and so on, so a value means the same wherever it is written.

A :class:`Rule` in the metadata names the finding rule (and the fix) reported when a value
breaks the type's range; without one, the table's generic rule is used.

=================  =========================================  ===============================
type               accepts                                    e.g.
=================  =========================================  ===============================
``Finite``         any finite number                          -0.5, 3
``NonNegative``    finite number >= 0                          0, 1.5
``Positive``       finite number > 0                           0.1, 200
``Money``          finite amount >= 0 (currency of the data)   150000
``Share``          finite number in [0, 1]                     0, 0.4, 1
``Fraction``       finite number in [0, 1): gaps, rates        0, 0.005
``Seconds``        time limit in seconds, > 0 and <= 1e7       60
``Threads``        integer in 1..1024                          2
``Samples``        integer in 1..10,000,000                    200
``Year``           integer in 1900..2200                       2027
``PositiveInt``    integer >= 1                                5
``NonNegativeInt`` integer >= 0                                0
=================  =========================================  ===============================
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import Field, Strict, TypeAdapter

from prioritise.core.limits import MAX_YEAR, MIN_YEAR

T = TypeVar("T")

# Bounds shared with the command-line flags' rules (prioritise.core.limits): a value legal in
# a TOML file is legal as a flag and the other way round (tests/test_settings.py checks it).
SECONDS_MAX = 1e7  # about 4 months: anything longer is a typo
THREADS_MAX = 1024
SAMPLES_MAX = 10_000_000


@dataclass(frozen=True)
class Rule:
    """Annotation metadata: the finding rule and fix for a value outside its range."""

    name: str
    fix: str = ""


Finite = Annotated[float, Strict(), Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
Money = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
Fraction = Annotated[float, Strict(), Field(ge=0, lt=1, allow_inf_nan=False)]
Seconds = Annotated[float, Strict(), Field(gt=0, le=SECONDS_MAX, allow_inf_nan=False)]
Threads = Annotated[int, Strict(), Field(ge=1, le=THREADS_MAX)]
Samples = Annotated[int, Strict(), Field(ge=1, le=SAMPLES_MAX)]
Year = Annotated[int, Strict(), Field(ge=MIN_YEAR, le=MAX_YEAR)]
PositiveInt = Annotated[int, Strict(), Field(ge=1)]
NonNegativeInt = Annotated[int, Strict(), Field(ge=0)]
Text = Annotated[str, Strict()]

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "SAMPLES_MAX",
    "SECONDS_MAX",
    "THREADS_MAX",
    "Finite",
    "Fraction",
    "Money",
    "NonNegative",
    "NonNegativeInt",
    "Positive",
    "PositiveInt",
    "Rule",
    "Samples",
    "Seconds",
    "Share",
    "Text",
    "Threads",
    "Year",
    "check_value",
]


def check_value(kind: Any, value: object) -> Any:
    """``value`` validated against one of these types; raises pydantic's ValidationError.

    Command-line values arrive already converted by argparse (``type=float``), so strict
    checking applies to them as to TOML values.
    """
    return _adapter(kind).validate_python(value)


@functools.cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)
