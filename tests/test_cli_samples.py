"""The sample projects planned end to end through the command line, as a user would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli import main
from tests.conftest import REPO, SAMPLES


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "cli.py"), *args],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def check_outputs(out: Path, hazards: int) -> dict:
    plan = pd.read_csv(out / "workplan.csv")
    summary = json.loads((out / "summary.json").read_text())
    assert len(plan) == hazards
    assert plan["hazard_id"].is_unique
    assert set(plan["status"]) <= {"scheduled", "unscheduled"}
    scheduled = plan[plan["status"] == "scheduled"]
    assert scheduled["year"].notna().all()
    assert (plan.loc[plan["status"] == "unscheduled", "reason"].str.len() > 0).all()
    for key in ("status", "objective", "best_bound", "gap"):
        assert key in summary
    assert summary["hazards"]["scheduled"] == len(scheduled)
    assert summary["totals"]["cost_usd"] == pytest.approx(scheduled["cost_usd"].sum(), rel=1e-6)
    per_year = pd.DataFrame(summary["per_year"])
    assert per_year["cost_usd"].sum() == pytest.approx(summary["totals"]["cost_usd"], rel=1e-6)
    assert summary["objective"] <= summary["best_bound"] * (1 + 1e-9)
    assert summary["objective"] >= summary["baseline"]["objective"] - 1e-6
    return summary


def test_minimal_contract_project(tmp_path: Path) -> None:
    result = run_cli(
        "plan", str(SAMPLES / "minimal" / "project.toml"), "--out", str(tmp_path), "--quiet"
    )
    assert result.returncode == 0, result.stderr
    summary = check_outputs(tmp_path, 30)
    # No environmental data: the objective is exactly the plan's impact-years.
    assert summary["objective"] == pytest.approx(summary["impact_years"])
    assert summary["status"] in ("optimal", "gap_limit")


def test_province_shapefile_project(tmp_path: Path) -> None:
    result = run_cli("plan", str(SAMPLES / "province" / "project.toml"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "impact-years" in result.stdout
    summary = check_outputs(tmp_path, 207)
    assert summary["uplift_impact_years"] > 0
    import geopandas as gpd

    assert len(gpd.read_file(tmp_path / "plan.geojson")) == 207


def test_installed_command_matches_python_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exe = shutil.which("prioritise")
    if exe is None:
        pytest.skip("console script not installed")
    project = str(SAMPLES / "minimal" / "project.toml")
    done = subprocess.run([exe, "validate", project], capture_output=True, text=True, check=False)
    assert done.returncode == main(["validate", project]) == 0
    assert done.stdout.strip() == capsys.readouterr().out.strip()


def test_broken_input_gets_a_report_not_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(SAMPLES / "minimal", folder)
    hazards = (folder / "hazards.csv").read_text().splitlines()
    hazards.append(hazards[1])  # a duplicate id
    (folder / "hazards.csv").write_text("\n".join(hazards) + "\n")
    (folder / "dependencies.csv").write_text("hazard_id,requires\nHA-001,HA-999\n")
    result = run_cli("plan", str(folder / "project.toml"), "--out", str(tmp_path / "out"))
    assert result.returncode == 3
    assert "duplicate-id" in result.stderr and "dependency-unknown-id" in result.stderr
    assert "HA-999" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_national_sample_with_roads(tmp_path: Path) -> None:
    """The national programme: geometry, derived access, deadline, equity, localisation."""
    result = run_cli(
        "plan",
        str(SAMPLES / "national" / "project.toml"),
        "--out",
        str(tmp_path),
        "--time-limit",
        "90",
    )
    assert result.returncode == 0, result.stderr
    summary = check_outputs(tmp_path, 2953)
    assert summary["article5"]["meets_deadline"] is True
    assert summary["gap"] is not None and summary["gap"] < 0.10
    assert summary["uplift_percent"] > 50


def test_access_command_on_the_province_sample(tmp_path: Path) -> None:
    result = run_cli("access", str(SAMPLES / "province" / "project.toml"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    edges = pd.read_csv(tmp_path / "access_edges.csv")
    assert list(edges.columns[:5]) == [
        "hazard_id",
        "requires",
        "reason",
        "route_length_m",
        "detour_factor",
    ]
    assert len(edges) > 0
    assert edges["reason"].str.len().gt(0).all()
    summary = json.loads((tmp_path / "access_summary.json").read_text())["summary"]
    assert (
        summary["reachable_now"]
        + summary["behind_one_blocker"]
        + summary["behind_several"]
        + summary["off_network"]
        + summary["unreachable"]
        == 207
    )
    missing = run_cli(
        "access", str(SAMPLES / "minimal" / "project.toml"), "--out", str(tmp_path / "none")
    )
    assert missing.returncode == 3
    assert "access-no-roads" in missing.stderr
