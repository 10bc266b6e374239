"""The typed plan summary: attributes for readers, today's summary.json keys for files."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError

import pytest

from prioritise import plan
from prioritise.core.problem import Problem
from prioritise.planning.summary import PlanSummary

# summary.json's keys, in order, as every release so far has written them.
SUMMARY_KEYS = [
    "project",
    "status",
    "objective",
    "best_bound",
    "gap",
    "solve_seconds",
    "build_seconds",
    "solver",
    "solver_message",
    "time_limit",
    "gap_target",
    "formulation",
    "model",
    "impact_years",
    "environmental_score",
    "environment_weight",
    "discount_rate",
    "start_year",
    "end_year",
    "hazards",
    "totals",
    "article5",
    "per_year",
    "baseline",
    "uplift_impact_years",
    "uplift_percent",
    "warnings",
    "lp_relaxation",
]


def test_summary_is_typed_and_keeps_the_json_keys(four_hazards: Problem) -> None:
    s = plan(four_hazards, gap=0.0).summary
    assert isinstance(s, PlanSummary)
    with pytest.raises(FrozenInstanceError):
        s.objective = 0.0  # type: ignore[misc]
    d = s.to_dict()
    assert list(d)[: len(SUMMARY_KEYS)] == SUMMARY_KEYS
    assert "scenario" not in d and "uncertainty" not in d  # only set by the layers above
    assert json.loads(json.dumps(d)) == d  # plain JSON types all the way down
    assert d["objective"] == s.objective == pytest.approx(96.0)
    assert d["baseline"]["objective"] == s.baseline.objective == pytest.approx(66.0)
    assert d["article5"] == {
        "hazards": 1,
        "scheduled": 1,
        "area_m2": s.article5.area_m2,
        "completion_year": 2027,
        "deadline_year": None,
        "meets_deadline": None,
    }
    assert [y["year"] for y in d["per_year"]] == [2027, 2028, 2029]
    assert d["per_year"][0]["team_days"] == {"manual": 10.0}
    assert set(d["model"]) == {"variables", "constraints", "nonzeros"}
    assert set(d["lp_relaxation"]) == {"status", "objective", "seconds"}
