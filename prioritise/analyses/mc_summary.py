"""Summarise the samples of the Monte Carlo with re-planning (run by
:func:`prioritise.execution.manyplans.run_monte_carlo`).

``rows`` are the execution layer's task rows (``index``, ``ok``, ``value`` a
:class:`~prioritise.analyses.monte_carlo.SampleRun`, ``error``, ``worker``, ``seconds``,
``attempts``); a failed sample keeps its row with its error and is left out of the figures.

The figures are sample estimates: probabilities are shares of samples (with their count),
percentiles are of the sampled impact-years and released area, and the nominal plan's
place among them is the share of samples below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from prioritise.analyses.monte_carlo import MonteCarloSettings, SampleRun, impact_years_of
from prioritise.core.problem import Problem
from prioritise.planning.planner import PlanResult


@dataclass(frozen=True)
class MonteCarloResult:
    summary: dict[str, Any]  # uncertainty.json
    samples: pd.DataFrame  # samples.csv
    hazards: pd.DataFrame  # late_hazards.csv: per hazard, how often late or not done


def summarise(
    nominal: PlanResult,
    settings: MonteCarloSettings,
    rows: Sequence[Any],
    deadline_year: int | None = None,
) -> MonteCarloResult:
    problem = nominal.problem
    deadline = deadline_year or problem.settings.plan.deadline_year
    h = problem.hazards
    a5 = h["article5"].to_numpy(bool)
    nominal_year = np.zeros(len(h), dtype=np.int64)
    nominal_year[nominal.schedule["hazard"].to_numpy()] = nominal.schedule["year"].to_numpy()
    frame = pd.DataFrame([_sample_row(problem, r, a5, deadline) for r in rows])
    if "article5_completion_year" in frame:
        frame["article5_completion_year"] = frame["article5_completion_year"].astype("Int64")
    ok = [r.value for r in rows if r.ok]
    done = np.array([run.done_year for run in ok]) if ok else np.zeros((0, len(h)), np.int64)
    summary = _headline(problem, nominal, settings, frame, deadline, nominal_year, a5)
    summary["failed_samples"] = int((~frame["ok"]).sum()) if len(frame) else 0
    return MonteCarloResult(summary, frame, _late(problem, done, nominal_year))


def _sample_row(problem: Problem, r: Any, a5: np.ndarray, deadline: int | None) -> dict[str, Any]:
    row: dict[str, Any] = {"sample": r.index, "ok": r.ok, "error": r.error}
    if r.ok:
        run: SampleRun = r.value
        done = run.done_year
        all_a5 = bool((done[a5] > 0).all()) if a5.any() else True
        a5_year = int(done[a5].max()) if all_a5 and a5.any() else None
        factor = run.impact_factor if run.impact_factor is not None else np.ones(len(done))
        row.update(
            impact_years=round(impact_years_of(problem, done, factor), 6),
            released_m2=round(run.released_m2, 1),
            cost_usd=round(run.cost_usd, 2),
            hazards_done=int((done > 0).sum()),
            article5_done=int((done[a5] > 0).sum()),
            article5_all_done=all_a5,
            article5_completion_year=a5_year,
            meets_deadline=(
                None if deadline is None else bool(all_a5 and (a5_year or 0) <= deadline)
            ),
            replans=run.replans,
            notes="; ".join(run.notes),
        )
    row.update(worker=r.worker, seconds=round(r.seconds, 2), attempts=r.attempts)
    return row


def _quantiles(values: pd.Series, nominal: float) -> dict[str, Any]:
    v = values.dropna().to_numpy(float)
    if not len(v):
        return {"p10": None, "p50": None, "p90": None, "mean": None, "nominal": nominal}
    q = np.quantile(v, [0.1, 0.5, 0.9])
    return {
        "p10": round(float(q[0]), 3),
        "p50": round(float(q[1]), 3),
        "p90": round(float(q[2]), 3),
        "mean": round(float(v.mean()), 3),
        "nominal": round(nominal, 3),
        "share_of_samples_below_nominal": round(float((v < nominal - 1e-9).mean()), 4),
        "share_of_samples_above_nominal": round(float((v > nominal + 1e-9).mean()), 4),
    }


def _headline(
    problem: Problem,
    nominal: PlanResult,
    settings: MonteCarloSettings,
    frame: pd.DataFrame,
    deadline: int | None,
    nominal_year: np.ndarray,
    a5: np.ndarray,
) -> dict[str, Any]:
    years = problem.years
    good = frame[frame["ok"]] if len(frame) else frame
    n = len(good)
    a5_year = good["article5_completion_year"] if n else pd.Series(dtype=float)
    by_year = {str(y): round(float((a5_year <= y).sum() / n), 4) if n else None for y in years}
    dist = {str(y): round(float((a5_year == y).sum() / n), 4) if n else None for y in years}
    dist[f"after {years[-1]}"] = round(float(a5_year.isna().sum() / n), 4) if n else None
    nominal_a5 = int((nominal_year[a5] > 0).sum())
    return {
        "replan": True,
        "method": "Monte Carlo with annual re-planning: each sample lives the plan year by "
        "year with drawn outcomes, locks what was done and re-plans the remaining years "
        "with what is left and what was learnt (a year that went exactly as planned keeps "
        "the plan)",
        "samples": int(n),
        "p_meet_deadline": (
            round(float(good["meets_deadline"].astype(bool).mean()), 4)
            if deadline is not None and n
            else None
        ),
        "deadline_year": deadline,
        "p_article5_done_by_year": by_year,
        "completion_year": dist,
        "completion_year_of": "every Article 5 hazard (the year the last one is completed)",
        "article5_hazards": int(a5.sum()),
        "article5_in_nominal_plan": nominal_a5,
        "impact_years": _quantiles(
            good["impact_years"] if n else pd.Series(dtype=float),
            float(nominal.summary.impact_years),
        ),
        "released_m2": _quantiles(
            good["released_m2"] if n else pd.Series(dtype=float),
            float(nominal.summary.totals.released_m2),
        ),
        "nominal_status": nominal.summary.status,
        "nominal_gap": nominal.summary.gap,
        "settings": {k: (None if v == float("inf") else v) for k, v in asdict(settings).items()},
        "noise_model": "mean-preserving: E[team-days] and E[cost] equal the plan's; survey "
        "shares Beta around the given fractions (concentration; null = no survey noise)",
    }


def _late(problem: Problem, done: np.ndarray, nominal_year: np.ndarray) -> pd.DataFrame:
    """Per hazard: how often it was completed later than planned, or not at all."""
    h = problem.hazards
    n = len(done)
    planned = nominal_year > 0
    if n:
        late = ((done > nominal_year[None, :]) | (done == 0)) & planned[None, :]
        not_done = done == 0
        count = (done > 0).sum(axis=0)
        total = np.where(done > 0, done, 0).sum(axis=0)
        mean_done = np.divide(total, count, out=np.full(len(h), np.nan), where=count > 0)
    else:
        late = not_done = np.zeros((0, len(h)), bool)
        mean_done = np.full(len(h), np.nan)
    frame = pd.DataFrame(
        {
            "hazard_id": h["hazard_id"],
            "article5": h["article5"],
            "impact": h["impact"].round(4),
            "nominal_year": pd.array(np.where(planned, nominal_year, 0), dtype="Int64"),
            "p_late": late.mean(axis=0).round(4) if n else np.nan,
            "p_not_done": not_done.mean(axis=0).round(4) if n else np.nan,
            "p_done_earlier": (
                ((done > 0) & (done < nominal_year[None, :]) | (done > 0) & ~planned)
                .mean(axis=0)
                .round(4)
                if n
                else np.nan
            ),
            "mean_completion_year": np.round(mean_done, 2),
        }
    )
    frame.loc[frame["nominal_year"] == 0, "nominal_year"] = pd.NA
    return frame.sort_values(["p_late", "impact"], ascending=[False, False]).reset_index(drop=True)
