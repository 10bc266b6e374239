"""The workplan table: one row per input hazard, in input order, scheduled or not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.eligibility import plan_weights
from models.solution import Solution
from prioritise.core.problem import Problem, unscored
from prioritise.core.schema import DAYS_PREFIX
from prioritise.planning.economics import hazard_values


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
    # An NPV plan's hazard without an impact score: blank, not the 0 the loader filled in.
    impact = h["impact"].where(~unscored(problem))
    out["impact"] = impact.round(4)
    weight = plan_weights(problem.settings.plan)
    t = s["year"].to_numpy(int) - problem.years[0]
    earned = pd.Series(impact.to_numpy(float)[s.index] * weight[t], index=s.index)
    out["impact_years"] = earned.reindex(idx).round(4)
    out["env_score"] = s["env"].reindex(idx).round(4)
    out["beneficiaries"] = h["beneficiaries"]
    out["benefit_usd_per_year"] = h["benefit_usd_per_year"].round(2)
    out["benefit_basis"] = h["benefit_basis"]
    values = hazard_values(problem, solution.schedule).set_index(solution.schedule["hazard"])
    for col in ("pv_benefit_usd", "pv_cost_usd", "npv_usd"):
        out[col] = values[col].reindex(idx).round(2)
    out["bcr"] = values["bcr"].reindex(idx).round(4)
    out["baseline_year"] = baseline.set_index("hazard")["year"].reindex(idx).astype("Int64")
    reasons = solution.unscheduled.set_index("hazard_id")["reason"]
    out["reason"] = [reasons.get(i, "") for i in h["hazard_id"]]
    return out
