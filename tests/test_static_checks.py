"""The code's own rules, run with the tests so CI and a developer see the same verdict:
ruff (lint and format), mypy, and the import-layer contracts in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "cmd",
    [
        ("ruff", "check", "."),
        ("ruff", "format", "--check", "."),
        ("lint-imports",),
        (sys.executable, "-m", "mypy"),
    ],
    ids=["ruff-check", "ruff-format", "import-contracts", "mypy"],
)
def test_static_check_passes(cmd: tuple[str, ...]) -> None:
    if shutil.which(cmd[0]) is None and cmd[0] != sys.executable:
        pytest.fail(f"{cmd[0]} is not installed: install the test extra (pip install -e '.[test]')")
    result = _run(*cmd)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
