"""Outputs: never over an input, never outside --out, one complete run per folder."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pandas as pd
import pytest

from prioritise.core.errors import UsageError
from prioritise.outputs.files import RUN_MARKER, RunFolder, output_file
from tests.badkit import assert_no_run, assert_refused, project, run, snapshot


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One plan of the minimal sample: (project TOML, its --out folder)."""
    tmp = tmp_path_factory.mktemp("planned")
    toml = project(tmp)
    out = tmp / "run"
    main = importlib.import_module("prioritise.cli.main").main
    assert main(["plan", str(toml), "--out", str(out), "--quiet"]) == 0
    return toml, out


def test_score_over_an_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = project(tmp_path)
    before = snapshot(toml.parent)
    for target in ("hazards.csv", "project.toml", "budget.csv"):
        result = run(capsys, "score", str(toml), "--out", str(toml.parent / target))
        assert_refused(result, 2, target, "input")
    assert snapshot(toml.parent) == before


def test_score_over_an_earlier_file_needs_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = project(tmp_path)
    out = tmp_path / "scores.csv"
    assert run(capsys, "score", str(toml), "--out", str(out)).code == 0
    assert_refused(run(capsys, "score", str(toml), "--out", str(out)), 2, "--overwrite")
    assert run(capsys, "score", str(toml), "--out", str(out), "--overwrite").code == 0


@pytest.mark.parametrize("where", [".", "sub"])
def test_plan_into_or_above_the_inputs_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    toml = project(tmp_path)
    before = snapshot(tmp_path)
    out = toml.parent if where == "." else tmp_path
    result = run(capsys, "plan", str(toml), "--out", str(out), "--overwrite", "--quiet")
    assert_refused(result, 2, "input")
    assert snapshot(tmp_path) == before


def test_access_and_scenarios_refuse_the_project_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = project(tmp_path)
    scen = toml.parent / "scenarios.toml"
    scen.write_text("[scenarios.base]\n")
    before = snapshot(toml.parent)
    result = run(capsys, "scenarios", str(toml), str(scen), "--out", str(toml.parent))
    assert_refused(result, 2, "--out")
    assert snapshot(toml.parent) == before


def test_replanning_needs_overwrite_and_leaves_no_stale_file(
    planned: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    toml, out = planned
    first = snapshot(out)
    assert (out / RUN_MARKER).exists()
    result = run(capsys, "plan", str(toml), "--out", str(out), "--quiet")
    assert_refused(result, 2, "--overwrite", "not empty")
    assert snapshot(out) == first
    (out / "plan.gpkg").write_text("from an earlier run with geometry")
    result = run(capsys, "plan", str(toml), "--out", str(out), "--quiet", "--overwrite")
    assert result.code == 0, result.err
    assert not (out / "plan.gpkg").exists()  # the swap removed the earlier run's file
    assert set(snapshot(out)) == set(first)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".run.")]


def test_overwrite_never_empties_a_folder_that_is_not_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = project(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_text("years of work")
    result = run(capsys, "plan", str(toml), "--out", str(home), "--overwrite", "--quiet")
    assert_refused(result, 2, "not a prioritise run", "thesis.docx")
    assert (home / "thesis.docx").read_text() == "years of work"


def test_out_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = project(tmp_path)
    target = tmp_path / "notes.txt"
    target.write_text("keep")
    result = run(capsys, "plan", str(toml), "--out", str(target), "--quiet", "--overwrite")
    assert_refused(result, 2, "is a file")
    assert target.read_text() == "keep"


def test_a_crash_while_writing_keeps_the_earlier_run(
    planned: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    toml, out = planned
    before = snapshot(out)

    def broken(*_: object) -> Path:
        raise RuntimeError("disk gremlin")

    monkeypatch.setattr("prioritise.outputs.plan.write_report", broken)
    result = run(capsys, "plan", str(toml), "--out", str(out), "--quiet", "--overwrite")
    assert result.code == 1 and "please report" in result.err
    assert snapshot(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".run.")]


def test_a_failed_first_run_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = project(tmp_path)

    def broken(*_: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("prioritise.outputs.plan.write_report", broken)
    result = run(capsys, "plan", str(toml), "--out", str(tmp_path / "new"), "--quiet")
    assert result.code == 6 and "No space left" in result.err
    assert_no_run(tmp_path, "new")


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "-rf", "a/b", "x" * 150])
def test_unsafe_scenario_names_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    toml = project(tmp_path)
    scen = tmp_path / "scenarios.toml"
    scen.write_text(f'[scenarios."{name}"]\n')
    out = tmp_path / "cmp" / "inner"
    result = run(capsys, "scenarios", str(toml), str(scen), "--out", str(out))
    assert result.code in (2, 3), result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "cmp").exists() or not any((tmp_path / "cmp").iterdir())


def test_run_folder_names_are_single_safe_components(tmp_path: Path) -> None:
    with RunFolder(tmp_path / "out") as folder:
        for bad in ("..", ".", "../x", "a/b", "", "x\ny"):
            with pytest.raises(UsageError):
                folder.child(bad)
            with pytest.raises(UsageError):
                folder.file(bad)
        folder.file("ok.csv").write_text("1")
    assert (tmp_path / "out" / "ok.csv").read_text() == "1"
    assert (tmp_path / "out" / RUN_MARKER).exists()


def test_write_model_over_an_input_is_refused(tmp_path: Path) -> None:
    toml = project(tmp_path)
    with pytest.raises(UsageError, match="input"):
        output_file(toml.parent / "hazards.csv", [toml.parent / "hazards.csv"], overwrite=True)


def damage_rows(out: Path) -> None:
    wp = pd.read_csv(out / "workplan.csv", dtype=str)
    wp.iloc[:-3].to_csv(out / "workplan.csv", index=False)


def damage_id(out: Path) -> None:
    wp = pd.read_csv(out / "workplan.csv", dtype=str)
    wp.loc[0, "hazard_id"] = "HA-999"
    wp.to_csv(out / "workplan.csv", index=False)


def damage_summary(out: Path) -> None:
    (out / "summary.json").write_text("{ not json")


def damage_counts(out: Path) -> None:
    summary = json.loads((out / "summary.json").read_text())
    summary["hazards"]["scheduled"] += 1
    (out / "summary.json").write_text(json.dumps(summary))


def damage_missing_workplan(out: Path) -> None:
    (out / "workplan.csv").unlink()


@pytest.mark.parametrize(
    ("damage", "culprit"),
    [
        (damage_rows, "27 rows"),
        (damage_id, "HA-999"),
        (damage_summary, "cannot be read"),
        (damage_counts, "summary.json says"),
        (damage_missing_workplan, "no workplan.csv"),
    ],
)
def test_explain_refuses_a_damaged_earlier_run(
    tmp_path: Path,
    planned: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    damage: object,
    culprit: str,
) -> None:
    toml, out = planned
    copy = tmp_path / "copy"
    copy.mkdir()
    for name, data in snapshot(out).items():
        (copy / name).write_bytes(data)
    damage(copy)  # type: ignore[operator]
    result = run(capsys, "explain", str(toml), "HA-001", "--out", str(copy), "--no-force")
    assert_refused(result, 2, culprit, "Re-plan")


def test_explain_reads_an_intact_earlier_run(
    planned: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    toml, out = planned
    result = run(capsys, "explain", str(toml), "HA-001", "--out", str(out), "--no-force")
    assert result.code == 0, result.err
    assert "Explaining the plan in" in result.err


def test_explain_refuses_an_earlier_run_whose_inputs_changed(
    tmp_path: Path, planned: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The run's record holds each input's sha256: a changed budget is named, not trusted."""
    toml, out = planned
    budget = toml.parent / "budget.csv"
    before = budget.read_bytes()
    try:
        budget.write_bytes(before + b"\n")
        result = run(capsys, "explain", str(toml), "HA-001", "--out", str(out), "--no-force")
    finally:
        budget.write_bytes(before)
    assert_refused(result, 2, "budget.csv", "Re-plan")
