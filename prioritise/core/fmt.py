"""How numbers read, everywhere: terminal, report, workbook, comparison and explanations.

One module so that US$150,000 is written the same way in a headline, a table cell, a chart
label and a sentence, and so that "unknown" is never printed as 0. It lives in the core
because the analyses write sentences (explanations) and every layer above may format; it
does no I/O.

Rules:
- a missing value (None, NaN, pandas.NA) is an en dash, never 0;
- money is US dollars: ``$150,000`` below a million, ``$1.25m`` from a million, ``$1.20bn``
  from a billion; amounts under $10 keep cents;
- areas are square metres: ``98,190 m²`` below 0.1 km², ``0.76 km²`` from there;
- a column of a table takes one unit for all its rows (:func:`money_unit`, :func:`area_unit`),
  so ``$98,640`` never sits above ``$0.10m``.

:func:`plain` is the one JSON sanitiser (summary.json, access_summary.json and the report's
inline data all go through it).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

DASH = "–"  # what a missing value reads as


def missing(x: Any) -> bool:
    """None, NaN or pandas.NA (none of which may reach a format spec)."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return isinstance(x, float | np.floating) and math.isnan(x)
    except TypeError:
        return False


def _float(x: Any) -> float | None:
    if missing(x):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


# --- money ----------------------------------------------------------------------------------

MONEY_UNITS = {"$": 1.0, "$k": 1e3, "$m": 1e6, "$bn": 1e9}


def money(x: Any, digits: int = 2) -> str:
    """``$150,000``, ``$1.25m``, ``$1.20bn``; ``$4.50`` under ten dollars; en dash if missing."""
    v = _float(x)
    if v is None:
        return DASH
    a = abs(v)
    if a >= 1e9:
        return money_in(v, "$bn", digits)
    if a >= 1e6:
        return money_in(v, "$m", digits)
    if a >= 10 or a == 0:
        return money_in(v, "$", 0)
    return money_in(v, "$", 2)


def money_in(x: Any, unit: str, digits: int | None = None) -> str:
    """Money in a fixed unit ('$', '$k', '$m', '$bn'): one unit down a table column."""
    v = _float(x)
    if v is None:
        return DASH
    scale = MONEY_UNITS[unit]
    if digits is None:
        digits = 0 if unit == "$" else 2
    sign = "-" if v < 0 else ""
    suffix = unit[1:]
    return f"{sign}${abs(v) / scale:,.{digits}f}{suffix}"


def money_unit(values: Iterable[Any]) -> str:
    """The unit a column of amounts reads best in: '$m' when any reaches a million."""
    peak = max((abs(v) for v in map(_float, values) if v is not None), default=0.0)
    if peak >= 1e9:
        return "$bn"
    return "$m" if peak >= 1e6 else "$"


def money_tick(x: Any) -> str:
    """Axis ticks: ``$0``, ``$250k``, ``$1.5m``."""
    v = _float(x)
    if v is None:
        return DASH
    return "$" + compact(v) if v >= 0 else "-$" + compact(-v)


# --- areas ----------------------------------------------------------------------------------

AREA_UNITS = {"m²": 1.0, "ha": 1e4, "km²": 1e6}


def area(x: Any, digits: int = 2) -> str:
    """``98,190 m²`` below 0.1 km², ``0.76 km²`` from there; en dash if missing."""
    v = _float(x)
    if v is None:
        return DASH
    return area_in(v, "km²", digits) if abs(v) >= 1e5 else area_in(v, "m²")


def area_in(x: Any, unit: str, digits: int | None = None) -> str:
    """An area in a fixed unit ('m²', 'ha', 'km²'): one unit down a table column."""
    v = _float(x)
    if v is None:
        return DASH
    if digits is None:
        digits = 0 if unit == "m²" else 2
    return f"{v / AREA_UNITS[unit]:,.{digits}f} {unit}"


def area_unit(values: Iterable[Any]) -> str:
    """'km²' when any area in the column reaches 0.1 km², else 'm²'."""
    peak = max((abs(v) for v in map(_float, values) if v is not None), default=0.0)
    return "km²" if peak >= 1e5 else "m²"


def area_tick(x: Any) -> str:
    """Axis ticks for areas: ``250 km²``, ``2.5 km²``, ``50,000 m²``."""
    v = _float(x)
    if v is None:
        return DASH
    if abs(v) >= 1e5:
        return f"{v / 1e6:,.2f}".rstrip("0").rstrip(".") + " km²"
    return f"{v:,.0f} m²"


# --- plain numbers --------------------------------------------------------------------------


def number(x: Any, digits: int = 0) -> str:
    """``12,345`` or ``12,345.6``; en dash if missing."""
    v = _float(x)
    return DASH if v is None else f"{v:,.{digits}f}"


def signed(x: Any, digits: int = 1) -> str:
    """``+1,234.5`` / ``-12.0``: a change, always with its sign."""
    v = _float(x)
    return DASH if v is None else f"{v:+,.{digits}f}"


def percent(x: Any, digits: int = 1) -> str:
    """A share (0.25) as ``25.0%``; en dash if missing."""
    v = _float(x)
    return DASH if v is None else f"{v:.{digits}%}"


def year(x: Any) -> str:
    """``2031`` (no thousands separator); en dash if missing."""
    v = _float(x)
    return DASH if v is None else str(round(v))


def compact(x: Any) -> str:
    """A short number for axis ticks: ``1.2bn``, ``1.5m``, ``350k``, ``12``, ``0.004``."""
    v = _float(x)
    if v is None:
        return DASH
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.1f}bn".replace(".0bn", "bn")
    if a >= 1e6:
        return f"{v / 1e6:,.1f}m".replace(".0m", "m")
    if a >= 1e4:
        return f"{v / 1e3:,.0f}k"
    if a >= 100 or a == 0:
        return f"{v:,.0f}"
    if a >= 1:
        return f"{v:,.1f}".rstrip("0").rstrip(".")
    return f"{v:.3g}"


def seconds(x: Any) -> str:
    v = _float(x)
    return DASH if v is None else f"{v:,.1f} s"


# --- table columns --------------------------------------------------------------------------

# What a column holds, read from its name; first match wins, so the specific rules come
# before the general ones they overlap ("cost_per_m2" is a rate, not an amount).
_KIND_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (kind, exact names, substrings)
    ("gap", ("gap",), ("_gap",)),
    ("share", (), ("share", "utilisation")),
    ("marginal", (), ("marginal",)),
    ("ratio", (), ("per_usd", "per usd", "per_1000")),
    ("count", (), ("rank",)),
    ("score", ("weight",), ("impact", "score", "force_cost", "env_")),
    ("money_rate", (), ("per_m2", "per m²", "per_team_day", "per_day")),
    ("area", ("area",), ("_m2", "(m²)", "area_")),
    ("money", (), ("usd", "cost", "budget", "(usd)")),
    ("days", ("available", "used"), ("days", "used_")),
    ("year", ("year",), ("_year",)),
    ("objective", ("objective", "best_bound", "relaxation_objective"), ()),
    (
        "count",
        ("hazards", "teams", "women", "men", "girls", "boys"),
        ("hazards_", "rank", "beneficiar"),
    ),
)


def column_kind(column: str) -> str | None:
    """'money', 'area', 'share', 'year', 'count', ... for a column name, or None."""
    c = column.lower()
    if c.endswith("m2"):
        c = c + "_"  # "released_m2" and "m2" read as areas
    for kind, names, parts in _KIND_RULES:
        if c in names or c.rstrip("_") in names or any(p in c for p in parts):
            return kind
    return None


def column_formatter(column: str, values: Iterable[Any] = ()) -> Any:
    """A function formatting one cell of ``column``; money and areas take one unit for the
    whole column (chosen from ``values``), so the rows of a table compare at a glance."""
    kind = column_kind(column)
    if kind == "money":
        unit = money_unit(values)
        return lambda x: money_in(x, unit)
    if kind == "area":
        a_unit = area_unit(values)
        return lambda x: area_in(x, a_unit)
    return _KIND_FORMAT.get(kind or "", _auto)


def _auto(x: Any) -> str:
    if missing(x):
        return DASH
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, str):
        return x
    if isinstance(x, int | np.integer):
        return f"{int(x):,d}"
    try:
        return compact(float(x))
    except (TypeError, ValueError):
        return str(x)


def _g4(x: Any) -> str:
    v = _float(x)
    return DASH if v is None else f"{v:.4g}"


_KIND_FORMAT: dict[str, Any] = {
    "gap": lambda x: percent(x, 2),
    "share": percent,
    "marginal": _g4,
    "ratio": lambda x: number(x, 3),
    "score": lambda x: number(x, 2),
    "money_rate": money,
    "days": number,
    "year": year,
    "objective": lambda x: number(x, 1),
    "count": number,
}


def cell(column: str, value: Any) -> str:
    """One value formatted by its column name (a table cell outside a table)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    return str(column_formatter(column, [value])(value))


# --- JSON -----------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A JSON-safe copy: numpy and pandas scalars become Python ones, NaN/inf/NA become null,
    tuples and sets lists, paths and enums their text, dataclasses dicts. Anything else is a
    TypeError: a value nobody planned for must not reach a file as its repr."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if missing(value):
        return None
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """JSON text of :func:`plain` ``(value)``: strict (no NaN), UTF-8 kept readable."""
    separators = None if indent is not None else (",", ":")
    return json.dumps(
        plain(value), indent=indent, ensure_ascii=False, allow_nan=False, separators=separators
    )
