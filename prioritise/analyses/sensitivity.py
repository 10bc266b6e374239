"""Weight sensitivity: re-plan with the scoring weights drawn around their values.

Each sample draws every criterion's weight, either uniformly within +/- ``spread`` of its
value (default 20%), or, with ``dirichlet`` = k, the weight *shares* from a Dirichlet with
mean the project's shares and concentration k (higher = closer), re-scores the impact
exactly as loading the project would (:func:`prioritise.inputs.scoring.score_hazards`) and
plans again. Only the weights change: money, teams and rules stay the project's.

Per hazard: how often it is in the plan and in which year; the *robust core* is the hazards
in the plan in at least ``core_share`` (90%) of samples. Per sample: Kendall's tau-b between
its ranking and the plan's, a ranking being the year each hazard is scheduled (earlier
first; hazards left out tie last). tau = 1 is the same order; the *distance* reported is the
share of discordant pairs among the pairs either ranking orders, (1 - tau) / 2 without ties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from prioritise.core.errors import ProjectError, ValidationReport, error
from prioritise.core.problem import Problem
from prioritise.inputs.scoring import score_hazards
from prioritise.planning.planner import PlanResult, plan


@dataclass(frozen=True)
class SensitivitySettings:
    samples: int = 100
    seed: int = 0
    spread: float = 0.2
    dirichlet: float | None = None  # concentration of the Dirichlet on the weight shares
    core_share: float = 0.9
    time_limit: float = 20.0
    gap: float | None = 0.01
    threads: int = 1


@dataclass(frozen=True)
class SensitivityResult:
    hazards: pd.DataFrame  # per hazard: share scheduled, mean year, share by year, core
    samples: pd.DataFrame  # per sample: weights, objective, tau, distance, worker
    summary: dict[str, Any]


def check_criteria(problem: Problem) -> None:
    """Weights can vary only when the project scores impact from criteria."""
    if not problem.settings.scoring.criteria:
        raise ProjectError(
            ValidationReport(
                [
                    error(
                        "project TOML",
                        "sensitivity-no-criteria",
                        "The project gives impact directly and declares no [scoring] "
                        "criteria, so there are no weights to vary.",
                        "Declare [[scoring.criteria]] to use `sensitivity`.",
                    )
                ]
            )
        )


def draw_weights(problem: Problem, settings: SensitivitySettings, sample: int) -> np.ndarray:
    """The sample's weights, one per criterion in project order (seeded per sample)."""
    w = np.array([c.weight for c in problem.settings.scoring.criteria], float)
    rng = np.random.default_rng(np.random.SeedSequence([settings.seed, sample]))
    if settings.dirichlet is not None:
        shares = w / w.sum()
        alpha = np.maximum(shares * settings.dirichlet, 1e-6)
        return rng.dirichlet(alpha) * w.sum()
    return w * rng.uniform(1 - settings.spread, 1 + settings.spread, len(w))


def rescored(problem: Problem, weights: Sequence[float] | np.ndarray) -> Problem:
    """The problem with impact re-scored under ``weights`` (nothing else changes)."""
    scoring = problem.settings.scoring
    criteria = tuple(
        replace(c, weight=float(x)) for c, x in zip(scoring.criteria, weights, strict=True)
    )
    scoring = replace(scoring, criteria=criteria)
    impact, contributions, _ = score_hazards(
        problem.hazards, scoring, problem.settings.data.hazards.name
    )
    contributions.insert(0, "hazard_id", problem.hazards["hazard_id"].to_numpy())
    return problem.replace(
        hazards=problem.hazards.assign(impact=impact.to_numpy()),
        contributions=contributions.reset_index(drop=True),
        settings=replace(problem.settings, scoring=scoring),
    )


def sensitivity_sample(shared: tuple[Problem, SensitivitySettings], sample: int) -> dict[str, Any]:
    """One sample: its weights, and the year each hazard is planned in (0 = not in the plan).

    The task the execution layer runs; pure in its inputs.
    """
    problem, settings = shared
    weights = draw_weights(problem, settings, sample)
    result = plan(
        rescored(problem, weights),
        time_limit=settings.time_limit,
        gap=settings.gap,
        threads=settings.threads,
    )
    return {
        "weights": weights,
        "years": years_of(problem, result.schedule),
        "status": str(result.solution.status),
        "objective": result.summary.objective,
    }


def years_of(problem: Problem, schedule: pd.DataFrame) -> np.ndarray:
    years = np.zeros(len(problem.hazards), dtype=np.int64)
    years[schedule["hazard"].to_numpy()] = schedule["year"].to_numpy()
    return years


def kendall_tau_b(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """tau-b of two rankings (ties allowed) and the share of discordant ordered pairs.

    O(n²) time, O(n) memory: fine for the few thousand hazards of a national programme.
    """
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    concordant = discordant = ties_a = ties_b = 0
    for i in range(len(a) - 1):
        da = np.sign(a[i + 1 :] - a[i])
        db = np.sign(b[i + 1 :] - b[i])
        prod = da * db
        concordant += int((prod > 0).sum())
        discordant += int((prod < 0).sum())
        ties_a += int(((da == 0) & (db != 0)).sum())
        ties_b += int(((db == 0) & (da != 0)).sum())
    denom = np.sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b))
    tau = (concordant - discordant) / denom if denom > 0 else 1.0
    ordered = concordant + discordant
    return float(tau), float(discordant / ordered) if ordered else 0.0


def summarise(
    nominal: PlanResult, settings: SensitivitySettings, rows: Sequence[Any]
) -> SensitivityResult:
    """Frequencies, robust core and rank correlations from the task rows."""
    problem = nominal.problem
    years = problem.years
    last = years[-1] + 1  # hazards left out tie after every planned year
    plan_years = years_of(problem, nominal.schedule)
    plan_rank = np.where(plan_years > 0, plan_years, last)
    names = [c.name for c in problem.settings.scoring.criteria]
    sample_rows: list[dict[str, Any]] = []
    good = []
    for r in rows:
        row: dict[str, Any] = {"sample": r.index, "ok": r.ok, "error": r.error}
        if r.ok:
            v = r.value
            good.append(v["years"])
            tau, distance = kendall_tau_b(plan_rank, np.where(v["years"] > 0, v["years"], last))
            row.update(
                {
                    f"weight: {n}": round(float(w), 6)
                    for n, w in zip(names, v["weights"], strict=True)
                }
            )
            row.update(
                status=v["status"],
                objective=v["objective"],
                kendall_tau_b=round(tau, 6),
                discordant_share=round(distance, 6),
                hazards_scheduled=int((v["years"] > 0).sum()),
            )
        row.update(worker=r.worker, seconds=round(r.seconds, 2))
        sample_rows.append(row)
    matrix = np.array(good) if good else np.zeros((0, len(problem.hazards)), np.int64)
    hazards = _per_hazard(problem, matrix, plan_years, settings.core_share)
    samples = pd.DataFrame(sample_rows)
    n = len(matrix)
    tau = samples["kendall_tau_b"].dropna() if "kendall_tau_b" in samples else pd.Series()
    summary = {
        "samples": n,
        "failed_samples": len(rows) - n,
        "draw": (
            f"Dirichlet on the weight shares, concentration {settings.dirichlet}"
            if settings.dirichlet is not None
            else f"each weight uniform within +/-{settings.spread:.0%} of its value"
        ),
        "robust_core_threshold": settings.core_share,
        "robust_core_hazards": int(hazards["robust_core"].sum()),
        "hazards_in_plan": int((plan_years > 0).sum()),
        "hazards_in_plan_and_core": int((hazards["robust_core"] & hazards["in_plan"]).sum()),
        "kendall_tau_b": {
            "min": round(float(tau.min()), 4) if len(tau) else None,
            "p10": round(float(tau.quantile(0.1)), 4) if len(tau) else None,
            "median": round(float(tau.median()), 4) if len(tau) else None,
            "p90": round(float(tau.quantile(0.9)), 4) if len(tau) else None,
            "max": round(float(tau.max()), 4) if len(tau) else None,
            "mean": round(float(tau.mean()), 4) if len(tau) else None,
        },
        "ranking": "year each hazard is scheduled (earlier first), hazards left out tied last",
        "settings": asdict(settings),
        "note": "frequencies are shares of samples (estimates); each sample was planned to "
        f"a relative gap of {settings.gap} or its time limit",
    }
    return SensitivityResult(hazards, samples, summary)


def _per_hazard(
    problem: Problem, matrix: np.ndarray, plan_years: np.ndarray, core: float
) -> pd.DataFrame:
    h = problem.hazards
    n = len(matrix)
    scheduled = (matrix > 0).mean(axis=0) if n else np.full(len(h), np.nan)
    count = (matrix > 0).sum(axis=0)
    total = np.where(matrix > 0, matrix, 0).sum(axis=0)
    mean_year = np.divide(total, count, out=np.full(len(h), np.nan), where=count > 0)
    frame = pd.DataFrame(
        {
            "hazard_id": h["hazard_id"],
            "name": h["name"],
            "province": h["province"],
            "article5": h["article5"],
            "impact": h["impact"].round(4),
            "plan_year": pd.array(np.where(plan_years > 0, plan_years, 0), dtype="Int64"),
            "in_plan": plan_years > 0,
            "share_scheduled": np.round(scheduled, 4),
            "mean_year_when_scheduled": np.round(mean_year, 2),
        }
    )
    for y in problem.years:
        frame[f"share_{y}"] = np.round((matrix == y).mean(axis=0), 4) if n else np.nan
    frame["robust_core"] = scheduled >= core if n else False
    frame.loc[frame["plan_year"] == 0, "plan_year"] = pd.NA
    return frame.sort_values(
        ["share_scheduled", "mean_year_when_scheduled", "hazard_id"],
        ascending=[False, True, True],
    ).reset_index(drop=True)


def tau_distribution(samples: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """How many samples fall in each Kendall tau-b interval, from the lowest value seen to 1
    (``tau_from`` < tau <= ``tau_to``; the first interval includes its lower end)."""
    tau = samples["kendall_tau_b"].dropna() if "kendall_tau_b" in samples else pd.Series()
    if tau.empty:
        return pd.DataFrame(columns=["tau_from", "tau_to", "samples"])
    lo = float(tau.min())
    edges = np.linspace(lo, 1.0, bins + 1) if lo < 1.0 else np.array([1.0 - 1e-9, 1.0])
    counts, _ = np.histogram(tau.to_numpy(float), bins=edges)
    return pd.DataFrame(
        {"tau_from": edges[:-1].round(4), "tau_to": edges[1:].round(4), "samples": counts}
    )
