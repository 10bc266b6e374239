"""Shared builders: small problems made in memory, so each test states its whole instance."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from prioritise.core.problem import Problem
from prioritise.core.settings import settings_from_dict
from prioritise.inputs.loader import build_problem

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_data"


def make_problem(
    hazards: Sequence[dict[str, Any]] | pd.DataFrame,
    *,
    start: int = 2027,
    years: int = 3,
    budget: Sequence[float] | None = None,
    teams: Sequence[dict[str, Any]] | None = None,
    deps: Sequence[tuple[str, str]] = (),
    toml: dict[str, Any] | None = None,
    strict: bool = False,
) -> Problem:
    """A problem from rows. Defaults: one 'manual' team type with 10 team-days a year and a
    budget of 200 a year; hazards usually carry cost_usd and days_manual estimates."""
    doc: dict[str, Any] = {"plan": {"start_year": start, "years": years}}
    for key, value in (toml or {}).items():
        if key == "plan":
            doc["plan"].update(value)
        else:
            doc[key] = value
    settings = settings_from_dict(doc)
    team_rows = teams or [{"team_type": "manual", "teams": 1, "days_per_year": 10}]
    budget_rows = budget if budget is not None else [200.0] * years
    return build_problem(
        settings,
        pd.DataFrame(hazards),
        pd.DataFrame(team_rows),
        pd.DataFrame({"year": list(range(start, start + years)), "budget_usd": budget_rows}),
        pd.DataFrame(deps, columns=["hazard_id", "requires"]) if deps else None,
        strict=strict,
    )


def hazard(
    hid: str, impact: float, cost: float, days: float, province: str = "North", **extra: Any
) -> dict[str, Any]:
    """A hazard with an operator's estimate (one option: cost and manual team-days)."""
    return {
        "hazard_id": hid,
        "province": province,
        "impact": impact,
        "cost_usd": cost,
        "days_manual": days,
        **extra,
    }


@pytest.fixture
def four_hazards() -> Problem:
    """The worked example: A, B, C, D; D requires C; optimum 96 impact-years (see test)."""
    return make_problem(
        [
            hazard("A", 10, 100, 5, article5=True),
            hazard("B", 8, 100, 5),
            hazard("C", 6, 100, 5, province="South"),
            hazard("D", 20, 150, 5, province="South"),
        ],
        budget=[200, 200, 100],
        deps=[("D", "C")],
    )
