"""The workplan table: one row per input hazard, in input order, scheduled or not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.solution import Solution
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX


def build_workplan(problem: Problem, solution: Solution, baseline: pd.DataFrame) -> pd.DataFrame:
    """One row per input hazard, in input order, scheduled or not."""
    h = problem.hazards
    s = solution.schedule.set_index("hazard")
    idx = pd.RangeIndex(len(h))
    days = [c for c in s.columns if isinstance(c, str) and c.startswith(DAYS_PREFIX)]
    out = pd.DataFrame(
        {
            "hazard_id": h["hazard_id"],
            "name": h["name"],
            "province": h["province"],
            "district": h["district"],
            "hazard_class": h["hazard_class"],
            "hazard_type": h["hazard_type"],
            "article5": h["article5"],
            "status": np.where(idx.isin(s.index), "scheduled", "unscheduled"),
            "year": s["year"].reindex(idx).astype("Int64"),
            "method": s["method"].reindex(idx),
            "operator": s["operator"].reindex(idx),
            "cost_usd": s["cost"].reindex(idx).round(2),
        }
    )
    for c in days:
        out[c] = s[c].reindex(idx).round(2)
    out["area_m2"] = h["area_m2"].round(1)
    out["released_m2"] = s["released_m2"].reindex(idx).round(1)
    out["cleared_m2"] = s["cleared_m2"].reindex(idx).round(1)
    out["cancelled_m2"] = s["cancelled_m2"].reindex(idx).round(1)
    out["reduced_m2"] = s["reduced_m2"].reindex(idx).round(1)
    out["impact"] = h["impact"].round(4)
    out["impact_years"] = (
        (s["value"] + problem.settings.plan.environment_weight * s["env"]).reindex(idx).round(4)
    )
    out["env_score"] = s["env"].reindex(idx).round(4)
    out["beneficiaries"] = h["beneficiaries"]
    out["baseline_year"] = baseline.set_index("hazard")["year"].reindex(idx).astype("Int64")
    reasons = solution.unscheduled.set_index("hazard_id")["reason"]
    out["reason"] = [reasons.get(i, "") for i in h["hazard_id"]]
    return out
