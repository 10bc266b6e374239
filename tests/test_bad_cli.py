"""Bad command lines: every number flag checked by the shared rules, exit codes that mean
what they say, --version, and --debug/--quiet on either side of the command name."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from prioritise.core.limits import GAP, SECONDS, THREADS
from tests.badkit import MINIMAL, assert_refused, run
from tests.conftest import REPO

PROJECT = str(MINIMAL / "project.toml")
# The module (prioritise.cli's own `main` attribute is the function of that name).
cli_main = importlib.import_module("prioritise.cli.main")


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["plan", PROJECT, "--out", "x", "--gap", "5"], "--gap"),
        (["plan", PROJECT, "--out", "x", "--gap", "-1"], "--gap"),
        (["plan", PROJECT, "--out", "x", "--gap", "1"], "--gap"),
        (["plan", PROJECT, "--out", "x", "--time-limit", "-5"], "--time-limit"),
        (["plan", PROJECT, "--out", "x", "--time-limit", "nan"], "--time-limit"),
        (["plan", PROJECT, "--out", "x", "--time-limit", "inf"], "--time-limit"),
        (["plan", PROJECT, "--out", "x", "--threads", "-4"], "--threads"),
        (["plan", PROJECT, "--out", "x", "--threads", "2.5"], "--threads"),
        (["explain", PROJECT, "HA-001", "--gap", "abc"], "--gap"),
        (["uncertainty", PROJECT, "--samples", "-5"], "--samples"),
        (["uncertainty", PROJECT, "--samples", "0"], "--samples"),
        (["uncertainty", PROJECT, "--concentration", "0"], "--concentration"),
        (["uncertainty", PROJECT, "--productivity-sigma", "-1"], "--productivity-sigma"),
        (["uncertainty", PROJECT, "--seed", "-1"], "--seed"),
        (["deadline", PROJECT, "--year", "2030", "--max-extension", "-3"], "--max-extension"),
        (["deadline", PROJECT, "--year", "20300000000000000000"], "--year"),
        (["deadline", PROJECT, "--year", "2030", "--time-limit", "0"], "--time-limit"),
        (["scenarios", PROJECT, "s.toml", "--out", "x", "--workers", "0"], "--workers"),
        (["scenarios", PROJECT, "s.toml", "--out", "x", "--outlook-years", "0"], "--outlook-years"),
        (["scenarios", PROJECT, "s.toml", "--out", "x", "--samples", "-1"], "--samples"),
    ],
)
def test_bad_numbers_are_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    result = run(capsys, *argv)
    assert_refused(result, 2, f"argument {flag}", "must be")
    assert "Planning" not in result.err  # refused before any work


def test_rules_are_the_same_objects_as_the_core_limits() -> None:
    assert cli_main.GAP is GAP and cli_main.SECONDS is SECONDS and cli_main.THREADS is THREADS
    assert GAP.problem(0.0) is None and GAP.problem(0.999) is None
    assert GAP.problem(1.0) and GAP.problem(float("nan")) and GAP.problem(True)
    assert SECONDS.problem(0) and SECONDS.problem(1e-3) is None


def test_version_names_engine_solver_python(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "--version")
    assert result.code == 0
    assert "prioritise" in result.out and "HiGHS" in result.out and "Python 3." in result.out


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_and_quiet_on_either_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    bad = tmp_path / "project.toml"
    bad.write_text("[plan\n")
    flags = ["--debug", "--quiet"]
    argv = [*flags, "validate", str(bad)] if where == "before" else ["validate", str(bad), *flags]
    result = run(capsys, *argv)
    assert result.code == 3
    assert "Traceback" in result.err  # --debug shows it, wherever it was given
    assert "toml-syntax" in result.err


def test_a_bug_exits_1_and_asks_for_a_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_: object) -> int:
        raise ValueError("some internal inconsistency")

    monkeypatch.setattr(cli_main, "cmd_validate", broken)
    result = run(capsys, "validate", PROJECT)
    assert result.code == 1
    assert "please report" in result.err and "--debug" in result.err
    assert "Traceback" not in result.err
    result = run(capsys, "validate", PROJECT, "--debug")
    assert result.code == 1 and "Traceback" in result.err


def test_a_file_system_error_exits_6(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli_main, "cmd_validate", full)
    result = run(capsys, "validate", PROJECT)
    assert result.code == 6 and "No space left" in result.err and "Traceback" not in result.err


def test_unknown_hazard_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(run(capsys, "explain", PROJECT, "HA-999", "--no-force"), 2, "HA-999")


def test_deadline_before_the_plan_starts(capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(run(capsys, "deadline", PROJECT, "--year", "2000"), 2, "--year 2000")


def test_uncertainty_scenario_flags_go_together(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "uncertainty", PROJECT, "--scenario", "x")
    assert result.code == 2 and "--scenarios FILE" in result.err


def test_the_entry_point_runs_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "cli.py"), "plan", PROJECT, "--out", "x", "--gap", "5"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2 and "--gap" in done.stderr and "Traceback" not in done.stderr
