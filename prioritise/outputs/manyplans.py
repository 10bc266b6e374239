"""Files of the sensitivity and ladder analyses: CSV and JSON for tools, a workbook for people.

``sensitivity.xlsx`` and ``ladder.xlsx`` carry the same tables as the CSV files, one sheet
each, so the figures read in a spreadsheet are the ones a script reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from prioritise.outputs.files import write_atomic, write_csv, write_json
from prioritise.outputs.workbook import add_sheet


def _workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    def write(p: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        for name, frame in sheets.items():
            add_sheet(wb, name, frame)
        wb.save(p)

    return write_atomic(path, write)


def write_tables(
    out_dir: Path,
    stem: str,
    summary: dict[str, Any],
    tables: dict[str, pd.DataFrame],
    sheets: dict[str, str],
) -> list[Path]:
    """``{stem}.json``, one CSV per table and ``{stem}.xlsx`` (sheet names from ``sheets``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_json(out_dir / f"{stem}.json", summary)]
    written += [write_csv(out_dir / name, frame) for name, frame in tables.items()]
    written.append(_workbook(out_dir / f"{stem}.xlsx", {sheets[n]: f for n, f in tables.items()}))
    return written
