"""The packages import in either order, in a fresh interpreter (the lazy top-level exports
exist for this; see docs/architecture.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "first",
    ["models.workplan", "prioritise.core.problem", "cli"],
)
def test_imports_in_any_order(first: str) -> None:
    code = (
        f"import {first}\n"
        "import models.workplan, models.heuristic\n"
        "from prioritise import load_problem, plan, run_scenarios, load_scenarios\n"
        "assert callable(plan) and callable(load_problem)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_core_imports_without_the_solver() -> None:
    code = (
        "import sys\nimport prioritise.core.problem, prioritise.core.settings\n"
        "bad = [m for m in ('highspy', 'pulp', 'models', 'openpyxl') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
