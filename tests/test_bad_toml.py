"""Bad project TOML values: refused with the key named, the same rules as the flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.badkit import MINIMAL, assert_refused, project, run, snapshot

TOML = (MINIMAL / "project.toml").read_text(encoding="utf-8")


def check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, code: int, *culprits: str
) -> None:
    path = project(tmp_path, project_toml=toml)
    before = snapshot(path.parent)
    assert_refused(run(capsys, "validate", str(path)), code, *culprits)
    assert snapshot(path.parent) == before


@pytest.mark.parametrize(
    ("toml", "culprits"),
    [
        (TOML.replace("start_year = 2027", "start_year = 20270000000000000000"), ["start_year"]),
        (TOML.replace("start_year = 2027", "start_year = -5"), ["start_year", ">= 1900"]),
        (TOML.replace("years = 5", "years = 0"), ["years"]),
        (TOML + "\n[solver]\ngap = 5\n", ["gap"]),
        (TOML + "\n[solver]\ntime_limit = -5\n", ["time_limit"]),
        (TOML + "\n[solver]\ntime_limit = nan\n", ["time_limit"]),
        (TOML.replace("years = 5", "years = 5\ndiscount_rate = inf"), ["discount_rate"]),
        (
            TOML.replace("[data]", "[data]\ncsv = { separator = ';' }"),
            ["[data.csv]", "separator", "delimiter"],
        ),
        (TOML.replace("[plan]", "[plan"), ["toml-syntax"]),
        (TOML.replace('hazards = "hazards.csv"', 'hazards = "nope.csv"'), ["nope.csv"]),
    ],
    ids=[
        "start-year-20-digits",
        "start-year-negative",
        "years-zero",
        "gap-5",
        "time-limit-negative",
        "time-limit-nan",
        "discount-inf",
        "csv-unknown-key",
        "syntax",
        "missing-file",
    ],
)
def test_bad_values_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, culprits: list[str]
) -> None:
    check(tmp_path, capsys, toml, 3, *culprits)


def test_start_year_long_past_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = TOML.replace("start_year = 2027", "start_year = 1990")
    check(tmp_path, capsys, toml, 0, "start-year-past", "1990")


def test_toml_that_is_not_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project(tmp_path)
    path.write_bytes(bytes(range(256)) * 10)
    assert_refused(run(capsys, "validate", str(path)), 3, "project.toml")


def test_toml_that_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    result = run(capsys, "validate", str(folder))
    assert result.code in (3, 6)
    assert "Traceback" not in result.err and "Internal error" not in result.err
    assert "dir.toml" in result.err
