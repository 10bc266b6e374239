"""What the page templates are given: tables as formatted cells, escaped text, inline JSON.

The markup itself is in ``templates/``; here a DataFrame becomes a :class:`TableView` whose
cells are already text (formatted by :mod:`prioritise.core.fmt`, one unit per column), so a
template only lays them out.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from prioritise.core import fmt


def esc(value: Any) -> str:
    """HTML-escape any value (text from input files must never become markup)."""
    return html.escape("" if value is None else str(value), quote=True)


COLLAPSE_ROWS = 25  # longer tables start collapsed, with a filter box


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False


@dataclass(frozen=True)
class TableView:
    """A table ready for the ``table`` macro: every cell already formatted as text."""

    head: list[Cell]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    caption: str = ""
    more: int = 0  # rows left out (max_rows), 0 when all are shown
    collapsed: bool = False
    id: str = ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def table_view(
    frame: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    formats: dict[str, Callable[[Any], str]] | None = None,
    total: Sequence[str] = (),
    caption: str = "",
    max_rows: int | None = None,
    collapse: bool | None = None,
) -> TableView:
    """Format ``frame`` for the table macro; numbers right-aligned, one unit per column."""
    labels = labels or {}
    formats = formats or {}
    cols = [str(c) for c in frame.columns]
    head = [
        Cell(labels.get(c, c.replace("_", " ")), pd.api.types.is_numeric_dtype(frame[c]))
        for c in cols
    ]
    # One unit per column (all of it, totals included): "$0.10m" never sits under "$98,640".
    cell = {
        c: formats.get(c) or fmt.column_formatter(c, _with_total(frame[c], c in total))
        for c in cols
    }
    shown = frame if max_rows is None else frame.iloc[:max_rows]
    rows = [
        [
            Cell(v if isinstance(v, str) else cell[c](v), _is_number(v))
            for c, v in zip(cols, rec, strict=True)
        ]
        for rec in shown.itertuples(index=False)
    ]
    totals = None
    if total and len(frame):
        totals = [
            Cell(cell[c](float(pd.to_numeric(frame[c], errors="coerce").sum())), True)
            if c in total
            else Cell("Total" if i == 0 else "")
            for i, c in enumerate(cols)
        ]
    return TableView(
        head=head,
        rows=rows,
        total=totals,
        caption=caption,
        more=len(frame) if max_rows is not None and len(frame) > max_rows else 0,
        collapsed=len(rows) > COLLAPSE_ROWS if collapse is None else collapse,
    )


def _with_total(column: pd.Series, totalled: bool) -> list[Any]:
    values = column.tolist()
    if totalled:
        values.append(float(pd.to_numeric(column, errors="coerce").sum()))
    return values


def script_json(element_id: str, data: Any) -> str:
    """Data for the page script, safe inside <script>: '<', '>' and '&' are escaped."""
    text = fmt.dumps(data, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'<script type="application/json" id="{esc(element_id)}">{text}</script>'


def clean(value: Any) -> Any:
    """NaN/NA -> None and numpy scalars -> Python, for JSON (see :func:`fmt.plain`)."""
    return fmt.plain(value)
