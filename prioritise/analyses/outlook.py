"""Completion outlook: when would all contamination be released, if not within the horizon.

Two methods, and every answer says which one produced it (``completion_method``):

* ``extrapolate`` (cheap, the default): remaining area at the end of the horizon divided by
  the mean area released per year over the last ``last_years`` years of the plan;
* ``replan``: the scenario is planned again over a longer horizon (later years repeat the
  last year's budget and teams) and the completion year read from that plan; if even that
  plan leaves area, the rest is extrapolated from it and the method says both.

A plan values work by the years of use left before its horizon ends, so work in its last
years earns little and may be left undone when it carries an environmental score; a
re-planned outlook inherits that end-of-horizon effect (and says so when nothing is released
in its last years), which is why extrapolation is the default.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from prioritise.planning.summary import PlanSummary, YearTotals

LAST_YEARS = 3
TOLERANCE_M2 = 1.0


def completion_from_summary(
    summary: PlanSummary, last_years: int = LAST_YEARS, prefix: str = ""
) -> tuple[int | None, str]:
    """(completion year, method) from a plan summary; None when it never completes."""
    return completion_outlook(summary.per_year, last_years, prefix)


def completion_outlook(
    per_year: Sequence[YearTotals], last_years: int = LAST_YEARS, prefix: str = ""
) -> tuple[int | None, str]:
    """(completion year, method) from a plan's years; None when it never completes."""
    done = [row.year for row in per_year if row.remaining_area_m2 <= TOLERANCE_M2]
    if done:
        return int(done[0]), prefix + "within the horizon"
    remaining = float(per_year[-1].remaining_area_m2)
    tail = per_year[-last_years:]
    rate = sum(float(r.released_m2) for r in tail) / len(tail)
    if rate <= 0:
        return None, (
            prefix + f"not at this rate: nothing released in the last {len(tail)} "
            "years of the plan (what is left fits no year's budget or teams, or is "
            "worth too little so near the end of the horizon to outweigh its "
            "environmental score)"
        )
    years = math.ceil(remaining / rate)
    return int(per_year[-1].year) + years, (
        prefix + f"extrapolated: {remaining / 1e6:,.2f} km² left / {rate / 1e6:,.3f} km² a "
        f"year (mean of the last {len(tail)} years)"
    )
