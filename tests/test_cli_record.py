"""End to end: warnings on screen, the record in summary.json, and `rerun`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from prioritise.cli.main import main
from tests.conftest import SAMPLES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The minimal sample, copied, with 2028's budget left blank (a warning: read as $0)."""
    folder = tmp_path / "project"
    shutil.copytree(SAMPLES / "minimal", folder)
    budget = folder / "budget.csv"
    lines = budget.read_text(encoding="utf-8").splitlines()
    lines = [line if not line.startswith("2028,") else "2028," for line in lines]
    budget.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "project.toml"


def test_plan_prints_its_warnings_even_when_quiet(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", str(project), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "1 validation warning:" in err
    assert "budget.csv [budget-year-missing]" in err
    assert "ids: 2028" in err
    assert "; 1 validation warning" in out.splitlines()[0]
    assert main(["plan", str(project), "--out", str(tmp_path / "o2"), "--no-warnings"]) == 0
    assert "validation warning:" not in capsys.readouterr().err


def test_record_and_rerun_byte_for_byte(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["plan", str(project), "--out", str(out), "--quiet", "--gap", "0"]) == 0
    record = json.loads((out / "summary.json").read_text(encoding="utf-8"))["record"]
    paths = [i["path"] for i in record["inputs"]]
    assert paths == [
        "project.toml",
        "hazards.csv",
        "teams.csv",
        "budget.csv",
        "dependencies.csv",
    ]
    assert all(len(i["sha256"]) == 64 for i in record["inputs"])
    assert record["overrides"] == {"gap": 0.0}
    assert record["settings"]["plan"]["start_year"] == 2027
    assert record["settings"]["data"]["budget"] == "budget.csv"
    assert record["versions"]["highspy"] and record["versions"]["python"]
    assert record["machine"]["cpu_count"] >= 1
    capsys.readouterr()

    again = tmp_path / "again"
    assert main(["rerun", str(out), "--out", str(again), "--quiet", "--no-warnings"]) == 0
    said = capsys.readouterr().out
    assert "workplan.csv identical, byte for byte" in said
    assert (again / "workplan.csv").read_bytes() == (out / "workplan.csv").read_bytes()

    # A changed input: refused, with the file named.
    budget = project.parent / "budget.csv"
    budget.write_text(budget.read_text(encoding="utf-8").replace("100000", "99000"), "utf-8")
    assert main(["rerun", str(out), "--out", str(tmp_path / "third")]) == 3
    err = capsys.readouterr().err
    assert "Not rerunning: the inputs differ from the record." in err
    assert "budget.csv: changed" in err
    assert not (tmp_path / "third").exists()


def test_rerun_without_a_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "summary.json").write_text("{}", encoding="utf-8")
    assert main(["rerun", str(tmp_path)]) == 3
    assert "has no record" in capsys.readouterr().err
