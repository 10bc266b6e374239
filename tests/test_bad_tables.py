"""Bad and foreign tables: each is read or refused with a finding naming file, rows and fix.

Every case runs ``prioritise validate`` (or ``plan``) in-process on a copy of the minimal
sample and checks the exit code, that no traceback is shown, that the culprit is named and
that the project's files are byte-identical afterwards.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from prioritise.inputs.loader import load_problem
from tests.badkit import MINIMAL, assert_refused, project, run, snapshot

HAZARDS = (MINIMAL / "hazards.csv").read_text(encoding="utf-8")
INVALID = 3


def with_cell(row: int, column: str, value: str) -> str:
    """The minimal hazards CSV with one cell replaced (row counts from 0 after the header)."""
    frame = pd.read_csv(MINIMAL / "hazards.csv", dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    return frame.to_csv(index=False, lineterminator="\n")


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], code: int, *culprits: str,
          **files: str | bytes) -> str:  # fmt: skip
    toml = project(tmp_path, **files)
    before = snapshot(toml.parent)
    result = run(capsys, "validate", str(toml))
    assert_refused(result, code, *culprits)
    assert snapshot(toml.parent) == before
    return result.out + result.err


def excel_locale(text: str, delimiter: str = ";") -> str:
    """The CSV as Excel saves it where the comma is the decimal mark."""
    frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    frame = frame.apply(lambda col: col.str.replace(".", ",", regex=False))
    frame["hazard_id"] = pd.read_csv(pd.io.common.StringIO(text), dtype=str)["hazard_id"]
    return frame.to_csv(index=False, sep=delimiter, lineterminator="\r\n")


def reference() -> pd.DataFrame:
    return load_problem(MINIMAL / "project.toml").hazards


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("semicolon-decimal-comma", excel_locale(HAZARDS).encode("utf-8")),
        ("tab-decimal-comma", excel_locale(HAZARDS, "\t").encode("utf-8")),
        ("utf8-bom", b"\xef\xbb\xbf" + HAZARDS.encode("utf-8")),
        ("utf16-excel-unicode-text", HAZARDS.replace(",", "\t").encode("utf-16")),
        ("cp1252", HAZARDS.replace("Eastern", "Région Est").encode("cp1252")),
        ("latin1-crlf",
         HAZARDS.replace("\n", "\r\n").replace("Eastern", "Équateur").encode("latin-1")),
    ],
)  # fmt: skip
def test_locale_exports_are_read_as_the_original(tmp_path: Path, name: str, payload: bytes) -> None:
    toml = project(tmp_path, **{"hazards.csv": payload})
    got = load_problem(toml).hazards
    want = reference()
    assert list(got["hazard_id"]) == list(want["hazard_id"]), name
    for col in ("impact", "area_m2", "cost_usd", "days_manual"):
        assert got[col].to_numpy() == pytest.approx(want[col].to_numpy()), (name, col)
    if "cp1252" in name:
        assert "Région Est" in set(got["province"])
    if "latin1" in name:
        assert "Équateur" in set(got["province"])


def test_header_with_spaces_and_odd_case_matches(tmp_path: Path) -> None:
    text = HAZARDS.replace("hazard_id,province", " Hazard_ID , Province ", 1)
    toml = project(tmp_path, **{"hazards.csv": text})
    assert len(load_problem(toml).hazards) == 30


def test_decimal_comma_named_when_not_detected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A comma-separated file cannot carry unquoted decimal commas; quoted ones are named.
    text = with_cell(0, "impact", "63,4")
    out = check(tmp_path, capsys, INVALID, "impact", "HA-001", "decimal", **{"hazards.csv": text})
    assert 'decimal = ","' in out


def test_csv_setting_reads_what_detection_cannot(tmp_path: Path) -> None:
    text = excel_locale(HAZARDS).replace("Eastern", "Région Est").encode("cp1252")
    toml = (MINIMAL / "project.toml").read_text()
    toml = toml.replace(
        'budget = "budget.csv"',
        'budget = "budget.csv"\ncsv = { delimiter = ";", decimal = ",", encoding = "cp1252" }',
    )
    # budget.csv and teams.csv are comma files: the setting applies to every table, so give
    # them in the same locale too.
    budget = (MINIMAL / "budget.csv").read_text().replace(",", ";")
    teams = (MINIMAL / "teams.csv").read_text().replace(",", ";")
    deps = (MINIMAL / "dependencies.csv").read_text().replace(",", ";")
    path = project(
        tmp_path,
        project_toml=toml,
        **{"hazards.csv": text, "budget.csv": budget, "teams.csv": teams},
        **{"dependencies.csv": deps},
    )
    got = load_problem(path).hazards
    assert got["impact"].to_numpy() == pytest.approx(reference()["impact"].to_numpy())


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("impact", "inf"),
        ("impact", "1e300"),
        ("cost_usd", "Infinity"),
        ("area_m2", "-inf"),
        ("impact", "NaN"),
        ("days_manual", "inf"),
    ],
)
def test_non_finite_and_absurd_numbers_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, value: str
) -> None:
    text = with_cell(2, column, value)
    check(tmp_path, capsys, INVALID, column, "HA-003", "finite", **{"hazards.csv": text})


def test_budget_inf_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    budget = (MINIMAL / "budget.csv").read_text().replace("105000", "inf")
    check(tmp_path, capsys, INVALID, "budget.csv", "budget_usd", **{"budget.csv": budget})


def test_blank_cost_beside_team_days_is_planned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The documented path: days_<team_type> without cost_usd (crashed under pandas 3).
    text = with_cell(4, "cost_usd", "")
    check(tmp_path, capsys, 0, "valid", **{"hazards.csv": text})


@pytest.mark.parametrize(
    ("text", "culprits"),
    [
        (HAZARDS.replace("province,impact", "province,impact,Impact ", 1), ["repeated", "Impact"]),
        (HAZARDS.split("\n", 1)[0] + "\n", ["no rows"]),
        (with_cell(3, "hazard_id", "HA-\n004"), ["control character", "HA-"]),
        (with_cell(3, "article5", "perhaps"), ["article5", "HA-004"]),
        ("", ["empty"]),
        ("a;b\n1;2\n", ["Required column(s) missing", "hazard_id"]),
    ],
    ids=["repeated-header", "header-only", "id-line-break", "bad-bool", "empty", "wrong-table"],
)
def test_malformed_hazard_tables_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, culprits: list[str]
) -> None:
    check(tmp_path, capsys, INVALID, "hazards.csv", *culprits, **{"hazards.csv": text})


def test_ids_differing_only_by_case_are_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = with_cell(1, "hazard_id", "ha-001")
    check(tmp_path, capsys, 0, "id-case", "ha-001", "HA-001", **{"hazards.csv": text})


def test_suspicious_values_are_warnings_naming_the_hazard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = with_cell(5, "cost_usd", "2500000000")
    text = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    text.loc[7, "impact"] = "9e9"
    csv = text.to_csv(index=False, lineterminator="\n")
    out = check(tmp_path, capsys, 0, "cost-suspicious", "HA-006", **{"hazards.csv": csv})
    assert "impact-suspicious" in out
    assert "HA-008" in out


def test_repeated_team_rows_are_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teams = (MINIMAL / "teams.csv").read_text() + "manual,3,200\n"
    check(tmp_path, capsys, 0, "team-repeated", "manual", **{"teams.csv": teams})


def test_year_cells_out_of_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    budget = (MINIMAL / "budget.csv").read_text().replace("2031", "20310000000000000000")
    check(tmp_path, capsys, INVALID, "budget.csv", "year", "1900..2200", **{"budget.csv": budget})


def test_column_map_onto_an_existing_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = (MINIMAL / "project.toml").read_text() + '\n[columns]\nprovince = "impact"\n'
    check(tmp_path, capsys, INVALID, "column-map-clash", "province -> impact", project_toml=toml)


@pytest.mark.parametrize(
    ("payload", "culprit"),
    [
        (b"x" * 10_000_000, "first line is 10,000,000 characters"),
        (bytes(range(256)) * 4000, "binary"),
        ((",".join("x" * 30_000) + "\n1\n").encode(), "30,000 columns"),
    ],
    ids=["one-giant-line", "binary", "thirty-thousand-columns"],
)
def test_garbage_is_refused_fast_with_a_short_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: bytes, culprit: str
) -> None:
    start = time.perf_counter()
    check(tmp_path, capsys, INVALID, "hazards.csv", culprit, **{"hazards.csv": payload})
    assert time.perf_counter() - start < 15  # seconds; 47 s and 1 GB before


def test_excel_garbage_and_repeated_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = (MINIMAL / "project.toml").read_text().replace("hazards.csv", "hazards.xlsx")
    check(tmp_path, capsys, INVALID, "hazards.xlsx", "Excel", project_toml=toml,
          **{"hazards.xlsx": b"PK\x03\x04 not really a workbook"})  # fmt: skip
    frame = pd.read_csv(MINIMAL / "hazards.csv")
    frame.insert(3, "IMPACT", frame["impact"])
    path = tmp_path / "dup.xlsx"
    frame.to_excel(path, index=False)
    check(tmp_path / "b", capsys, INVALID, "repeated", "IMPACT", project_toml=toml,
          **{"hazards.xlsx": path.read_bytes()})  # fmt: skip
