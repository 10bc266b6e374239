"""Number formats shared by the HTML report and the comparison report.

One place decides how money, areas and shares read, so a figure looks the same in a
headline, a chart label and a table cell.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd


def esc(value: Any) -> str:
    """HTML-escape any value (text from input files must never become markup)."""
    return html.escape("" if value is None else str(value), quote=True)


def missing(x: Any) -> bool:
    """None, NaN or pandas.NA (which must not reach a format spec)."""
    if x is None or x is pd.NA:
        return True
    return isinstance(x, float) and math.isnan(x)


def money(x: Any, digits: int = 2) -> str:
    if missing(x):
        return "–"
    x = float(x)
    if x == 0:
        return "$0"
    if abs(x) >= 1e6:
        return f"${x / 1e6:,.{digits}f}m"
    if abs(x) >= 1e4:
        return f"${x / 1e3:,.0f}k"
    if abs(x) >= 10:
        return f"${x:,.0f}"
    return f"${x:,.2f}"


def area(x: Any) -> str:
    if missing(x):
        return "–"
    x = float(x)
    return f"{x / 1e6:,.2f} km²" if abs(x) >= 1e5 else f"{x:,.0f} m²"


def area_tick(x: Any) -> str:
    """Axis ticks for areas: '250 km²', '2.5 km²', '50,000 m²'."""
    if missing(x):
        return "–"
    x = float(x)
    if abs(x) >= 1e5:
        return f"{x / 1e6:,.2f}".rstrip("0").rstrip(".") + " km²"
    return f"{x:,.0f} m²"


def number(x: Any, digits: int = 0) -> str:
    if missing(x):
        return "–"
    return f"{float(x):,.{digits}f}"


def share(x: Any, digits: int = 1) -> str:
    return "–" if missing(x) else f"{float(x):.{digits}%}"


def smart(x: Any) -> str:
    """A compact number for axis ticks: 1.2m, 350k, 12, 0.004."""
    if missing(x):
        return "–"
    x = float(x)
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:,.1f}bn".replace(".0bn", "bn")
    if a >= 1e6:
        return f"{x / 1e6:,.1f}m".replace(".0m", "m")
    if a >= 1e4:
        return f"{x / 1e3:,.0f}k"
    if a >= 100 or a == 0:
        return f"{x:,.0f}"
    if a >= 1:
        return f"{x:,.1f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


def by_column(column: str, value: Any) -> str:
    """Format a table cell from its column name (m2 -> area, usd -> money, share -> %)."""
    if missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    c = column.lower()
    if c == "gap" or c.endswith("_gap"):
        return f"{float(value):.2%}"
    if c in ("objective", "best_bound", "relaxation_objective"):
        return number(value, 1)
    if "share" in c or "utilisation" in c:
        return share(value)
    if "per_m2" in c or "per m²" in c:
        return money(value)
    if c.endswith("m2") or "_m2" in c or "(m²)" in c:
        return area(value)
    if "usd" in c or "cost" in c or "budget" in c or "rate" in c:
        return money(value)
    if "marginal" in c:
        return f"{float(value):.4g}"
    if c in ("year", "hazards") or c.endswith("year") or "hazards_" in c or "rank" in c:
        return f"{int(value)}" if "year" in c else number(value)
    if "impact" in c or "score" in c or "per usd" in c or "per_usd" in c:
        return number(value, 2)
    if "days" in c or "beneficiar" in c or c in ("women", "men", "girls", "boys"):
        return number(value)
    if isinstance(value, int):
        return f"{value:,d}"
    try:
        return smart(float(value))
    except (TypeError, ValueError):
        return str(value)
