"""Files of a re-plan from reported progress: the remaining plan's usual outputs, plus plan
against actual for the years reported and ``replan.json`` (what was locked, carried, owed).

The report engineer's HTML templates do not show plan against actual yet; the tables here
(CSV and a sheet of ``plan_vs_actual.xlsx``) carry it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from prioritise.analyses.report_data import prepare_report
from prioritise.outputs.files import write_atomic, write_csv, write_json
from prioritise.outputs.plan import write_plan_outputs
from prioritise.outputs.workbook import add_sheet
from prioritise.planning.planner import PlanResult


def write_replan_outputs(
    result: PlanResult,
    by_hazard: pd.DataFrame,
    by_year: pd.DataFrame,
    record: dict[str, Any],
    out_dir: Path,
) -> list[Path]:
    written = write_plan_outputs(result, prepare_report(result), out_dir)
    written.append(write_csv(out_dir / "plan_vs_actual.csv", by_hazard))
    written.append(write_csv(out_dir / "plan_vs_actual_by_year.csv", by_year))

    def workbook(path: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        add_sheet(wb, "Plan vs actual by year", by_year)
        add_sheet(wb, "Plan vs actual by hazard", by_hazard)
        wb.save(path)

    written.append(write_atomic(out_dir / "plan_vs_actual.xlsx", workbook))
    written.append(write_json(out_dir / "replan.json", record))
    return written
