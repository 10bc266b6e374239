"""Files of a re-plan from reported progress: the remaining plan's usual outputs, plus plan
against actual for the years reported and ``replan.json`` (what was locked, carried, owed).

``report.html`` is the remaining plan's report with a plan-against-actual section (the
same tables as ``plan_vs_actual*.csv`` and the sheets of ``plan_vs_actual.xlsx``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from prioritise.analyses.report_data import prepare_report
from prioritise.outputs.files import write_atomic, write_csv, write_json
from prioritise.outputs.plan import write_plan_outputs
from prioritise.outputs.report.html import write_report
from prioritise.outputs.report.manyplans import plan_vs_actual_section
from prioritise.outputs.workbook import add_sheet
from prioritise.planning.planner import PlanResult


def write_replan_outputs(
    result: PlanResult,
    by_hazard: pd.DataFrame,
    by_year: pd.DataFrame,
    record: dict[str, Any],
    out_dir: Path,
) -> list[Path]:
    data = prepare_report(result)
    written = write_plan_outputs(result, data, out_dir)
    # the plain report is replaced by the one with plan against actual (written atomically)
    write_report(
        result, out_dir / "report.html", data, [plan_vs_actual_section(by_year, by_hazard, record)]
    )
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
