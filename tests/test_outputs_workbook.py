"""workplan.xlsx as a planner opens and prints it: a Read me first, human headers with units
(field names in the header comments), a number format on every number, totals stored as
values, and landscape A4 pages that repeat the header and fit the width."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from prioritise import load_problem, plan
from prioritise.analyses.report_data import prepare_report
from prioritise.outputs.labels import label
from prioritise.outputs.plan import write_plan_outputs
from tests.test_report import write_project

MAIN_SHEETS = {
    "Plan by year",
    "By province",
    "By method and operator",
    "Unscheduled",
    "KPIs (plan)",
    "KPIs (baseline)",
    "Team-days",
    "VfM economy",
    "VfM efficiency",
    "VfM effectiveness",
    "VfM equity provinces",
    "VfM equity groups",
    "Marginal values",
    "Explanations",
    "Totals by year",
    "Summary",
    "Assumptions",
}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("workbook")
    result = plan(load_problem(write_project(tmp)), gap=0.0)
    out = tmp / "out"
    write_plan_outputs(result, prepare_report(result), out)
    return {"path": out / "workplan.xlsx", "wb": load_workbook(out / "workplan.xlsx"), "r": result}


def fields(ws: Worksheet) -> list[str]:
    """The machine field names, read from the header comments."""
    out = []
    for cell in ws[1]:
        assert cell.comment is not None, (ws.title, cell.value)
        out.append(cell.comment.text.removeprefix("field: "))
    return out


def data_rows(ws: Worksheet) -> list[tuple[Any, ...]]:
    return [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] != "Total"]


def test_read_me_comes_first_and_lists_every_sheet(book: dict[str, Any]) -> None:
    wb = book["wb"]
    assert wb.sheetnames[0] == "Read me"
    assert set(wb.sheetnames) >= MAIN_SHEETS
    listed = {r[0] for r in wb["Read me"].iter_rows(values_only=True)}
    assert set(wb.sheetnames[1:]) <= listed
    text = " ".join(str(v) for r in wb["Read me"].iter_rows(values_only=True) for v in r if v)
    assert "never stands for zero" in text
    assert "US dollars" in text


def test_headers_are_human_with_field_names_in_comments(book: dict[str, Any]) -> None:
    ws = book["wb"]["Plan by year"]
    header = [c.value for c in ws[1]]
    names = fields(ws)
    assert header[names.index("cost_usd")] == "Cost (USD)"
    assert header[names.index("released_m2")] == "Released (m²)"
    assert header[names.index("hazard_id")] == "Hazard ID"
    assert header == [label(n) for n in names]
    for name in MAIN_SHEETS:
        sheet = book["wb"][name]
        assert sheet.freeze_panes == "B2"
        assert all("_" not in str(c.value) for c in sheet[1]), name  # no raw field names
        fields(sheet)


def test_every_number_has_a_format(book: dict[str, Any]) -> None:
    for ws in book["wb"].worksheets[1:]:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    assert cell.number_format != "General", (ws.title, cell.coordinate)
    ws = book["wb"]["Plan by year"]
    names = fields(ws)
    col = names.index("year") + 1
    assert ws.cell(2, col).number_format == "0"  # 2027, not 2,027
    assert ws.cell(2, names.index("cost_usd") + 1).number_format == "#,##0"
    flags = {ws.cell(r, names.index("article5") + 1).value for r in range(2, ws.max_row)}
    assert flags <= {"yes", "no"}


def test_totals_are_stored_values_equal_to_the_sums(book: dict[str, Any]) -> None:
    wb = book["wb"]
    ws = wb["Plan by year"]
    names = fields(ws)
    total = [c.value for c in ws[ws.max_row]]
    assert total[0] == "Total"
    wp = book["r"].workplan
    done = wp[wp["status"] == "scheduled"]
    for name in ("cost_usd", "released_m2", "impact_years"):
        assert total[names.index(name)] == pytest.approx(float(done[name].sum()))
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
    # A hazard named "=1+2" is text, never a live formula.
    cells = [c for row in wb["Explanations"].iter_rows() for c in row if c.value == "=1+2"]
    assert cells
    assert all(c.data_type == "s" for c in cells)


def test_every_sheet_prints_landscape_a4_fit_to_width(book: dict[str, Any]) -> None:
    for ws in book["wb"].worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert int(setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert int(setup.fitToWidth) == 1
        assert int(setup.fitToHeight) == 0  # as many pages down as needed
        if ws.title != "Read me":
            assert ws.print_title_rows == "$1:$1", ws.title
        assert min(d.width for d in ws.column_dimensions.values() if d.width) >= 6


def test_summary_values_read_in_their_units(book: dict[str, Any]) -> None:
    ws = book["wb"]["Summary"]
    rows = {r[0].value: r[1] for r in ws.iter_rows(min_row=2)}
    assert rows["Optimality gap"].number_format == "0.00%"
    assert rows["Article 5 completion year"].number_format == "0"
    assert rows["Cost (USD)"].number_format == "#,##0"
    summary = book["r"].summary
    assert rows["Cost (USD)"].value == pytest.approx(summary.totals.cost_usd)


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_workbook_opens_in_libreoffice(book: dict[str, Any], tmp_path: Path) -> None:
    """LibreOffice reads the file without a repair prompt; sheet 2 (Plan by year) exported
    to CSV shows the human headers and the stored totals."""
    assert SOFFICE is not None
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2"
    run = subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            csv_filter,
            "--outdir",
            str(tmp_path),
            str(book["path"]),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    csv = next(tmp_path.glob("workplan*.csv"))
    frame = pd.read_csv(csv)
    assert "Hazard ID" in frame.columns
    assert "Cost (USD)" in frame.columns
    total = frame[frame["Hazard ID"].astype(str) == "Total"]
    assert len(total) == 1
    wp = book["r"].workplan
    cost = float(wp.loc[wp["status"] == "scheduled", "cost_usd"].sum())
    assert float(str(total["Cost (USD)"].iloc[0]).replace(",", "")) == pytest.approx(cost, abs=1)
