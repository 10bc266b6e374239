"""Monte Carlo re-evaluation of a fixed plan under uncertain survey outcomes and productivity.

The plan is *re-evaluated*, not re-planned (cheap: no solver): each sample redraws

* every surveyed hazard's cancelled and reduced fractions, from Beta distributions with the
  given fractions as their means and ``concentration`` as a + b (higher = tighter; infinite
  = no survey noise): the
  cancelled share c' ~ Beta(c k, (1-c) k) and the reduced share of what is left
  q' ~ Beta(q k, (1-q) k) with q = r / (1 - c), so r' = (1 - c') q' and c' + r' <= 1;
  clearance team-days and the per-m² cost follow the area left to clear; survey team-days
  follow the whole area and do not change;
* a productivity multiplier per team type, lognormal with mean 1 (sigma
  ``productivity_sigma``): team-days x multiplier, so expected team-days equal the plan's
  (dividing by a mean-1 multiplier would add sigma² on average and bias every sample
  against the plan), the saved or extra days costed at the type's cost per team-day;

then replays the schedule year by year: work planned for a year, plus anything that slipped
from earlier years, is taken in plan order (planned year, then impact, highest first), and
each piece is done if it still fits the year's money (with carry-over if the project allows
it) and every team type's team-days, and its access prerequisites are done; otherwise it
slips to the next year (first fit: a smaller later piece may still fit). Work is never pulled
earlier than planned. Work left after the horizon counts as not done.

All draws come from one ``numpy.random.Generator`` seeded with ``seed``, in a fixed order,
so the same seed gives the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.eligibility import plan_weights
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX


@dataclass(frozen=True)
class UncertaintySettings:
    samples: int = 200
    seed: int | tuple[int, ...] = 0
    concentration: float = 20.0
    productivity_sigma: float = 0.15


@dataclass(frozen=True)
class UncertaintyResult:
    """One row per sample, and the settings that drew them."""

    samples: pd.DataFrame  # sample, impact_years, released_m2, slipped, a5_done, a5_year...
    settings: UncertaintySettings
    deadline_year: int | None
    plan_impact_years: float

    def headline(self) -> dict[str, Any]:
        """P(deadline met) and the impact-years P10/P50/P90, for the comparison row."""
        s = self.samples
        q = s["impact_years"].quantile([0.1, 0.5, 0.9]).to_numpy()
        out: dict[str, Any] = {
            "mc_samples": len(s),
            "p_deadline_met": (
                round(float(s["meets_deadline"].mean()), 4)
                if self.deadline_year is not None
                else None
            ),
            "p_article5_within_horizon": round(float(s["a5_all_done"].mean()), 4),
            "impact_years_p10": round(float(q[0]), 3),
            "impact_years_p50": round(float(q[1]), 3),
            "impact_years_p90": round(float(q[2]), 3),
            "slipped_hazards_mean": round(float(s["slipped"].mean()), 2),
        }
        return out


def simulate(
    problem: Problem, schedule: pd.DataFrame, settings: UncertaintySettings
) -> UncertaintyResult:
    """Draw ``settings.samples`` outcomes and replay ``schedule`` on each."""
    rng = np.random.default_rng(settings.seed)
    n = settings.samples
    order = _plan_order(problem, schedule)
    s = schedule.loc[order].reset_index(drop=True)
    teams = list(problem.capacity.columns)
    cost, days, released = _sample_work(problem, s, teams, rng, settings)  # n x H, n x H x K
    done_year = _replay(problem, s, cost, days, teams)  # n x H, year or 0
    years = problem.years
    w = plan_weights(problem.settings.plan)
    impact = problem.hazards["impact"].to_numpy(float)[s["hazard"].to_numpy()]
    done = done_year > 0
    t = np.where(done, done_year - years[0], 0)
    impact_years = (impact[None, :] * w[t] * done).sum(axis=1)
    a5 = problem.hazards["article5"].to_numpy(bool)
    a5_sched = a5[s["hazard"].to_numpy()]
    n_a5 = int(a5.sum())
    a5_all = (done[:, a5_sched].sum(axis=1) == n_a5) if n_a5 else np.ones(n, bool)
    a5_year = np.where(
        a5_all, np.where(done[:, a5_sched], done_year[:, a5_sched], 0).max(axis=1, initial=0), 0
    )
    deadline = problem.settings.plan.deadline_year
    frame = pd.DataFrame(
        {
            "sample": np.arange(n),
            "impact_years": impact_years,
            "released_m2": (released * done).sum(axis=1),
            "hazards_done": done.sum(axis=1),
            "slipped": (done_year != s["year"].to_numpy()[None, :]).sum(axis=1),
            "a5_all_done": a5_all,
            "a5_completion_year": pd.array(
                np.where(a5_all & (a5_year > 0), a5_year, 0), dtype="Int64"
            ),
            "meets_deadline": a5_all & (a5_year <= (deadline or 10**6)),
        }
    )
    frame.loc[frame["a5_completion_year"] == 0, "a5_completion_year"] = pd.NA
    plan_iy = float((impact * w[s["year"].to_numpy() - years[0]]).sum())
    return UncertaintyResult(frame, settings, deadline, plan_iy)


def _plan_order(problem: Problem, schedule: pd.DataFrame) -> np.ndarray:
    """Row labels of ``schedule`` in plan order: year, then impact (highest first), id."""
    impact = problem.hazards["impact"].to_numpy(float)[schedule["hazard"].to_numpy()]
    key = pd.DataFrame(
        {
            "year": schedule["year"].to_numpy(),
            "impact": -impact,
            "id": schedule["hazard_id"].to_numpy(),
        },
        index=schedule.index,
    )
    return key.sort_values(["year", "impact", "id"], kind="stable").index.to_numpy()


def _sample_work(
    problem: Problem,
    s: pd.DataFrame,
    teams: list[str],
    rng: np.random.Generator,
    settings: UncertaintySettings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sampled cost (n x H), team-days (n x H x K) and released area (n x H)."""
    n, H = settings.samples, len(s)
    h = problem.hazards
    area = s["released_m2"].to_numpy(float)
    cleared = s["cleared_m2"].to_numpy(float)
    days = s[[DAYS_PREFIX + t for t in teams]].to_numpy(float)
    rate = problem.team_types.set_index("team_type")["cost_per_day"].reindex(teams)
    rate_v = rate.fillna(0.0).to_numpy(float)

    # Survey outcomes: only options that survey (they clear less than the whole area).
    pos = s["hazard"].to_numpy()
    c = h["cancel_fraction"].to_numpy(float)[pos]
    r = h["reduce_fraction"].to_numpy(float)[pos]
    # concentration = inf: survey outcomes exactly as given (no survey noise).
    surveyed = (cleared < area - 1e-9) & (area > 0) & bool(np.isfinite(settings.concentration))
    k = settings.concentration
    c_new = np.broadcast_to(c, (n, H)).copy()
    r_new = np.broadcast_to(r, (n, H)).copy()
    draw_c = surveyed & (c > 0) & (c < 1)
    q = np.where(c < 1, r / np.where(c < 1, 1 - c, 1), 0.0)
    draw_r = surveyed & (q > 0) & (q < 1)
    if draw_c.any():
        c_new[:, draw_c] = rng.beta(c[draw_c] * k, (1 - c[draw_c]) * k, size=(n, draw_c.sum()))
    q_new = np.broadcast_to(q, (n, H)).copy()
    if draw_r.any():
        q_new[:, draw_r] = rng.beta(q[draw_r] * k, (1 - q[draw_r]) * k, size=(n, draw_r.sum()))
    r_new = np.where(surveyed[None, :], (1 - c_new) * q_new, r_new)
    cleared_new = np.where(surveyed[None, :], area * (1 - c_new - r_new), cleared)
    ratio = np.divide(cleared_new, cleared, out=np.ones_like(cleared_new), where=cleared > 0)

    clear_part = clearance_days(problem, s, teams)  # H x K: days that scale with cleared area
    survey_part = days - clear_part
    sampled_days = survey_part[None] + clear_part[None] * ratio[:, :, None]
    sigma = settings.productivity_sigma
    mult = (
        rng.lognormal(-(sigma**2) / 2, sigma, size=(n, len(teams)))
        if sigma > 0
        else np.ones((n, len(teams)))
    )
    sampled_days = sampled_days * mult[:, None, :]
    per_m2 = _cost_per_m2(problem, s)
    cost = (
        s["cost"].to_numpy(float)[None]
        + ((sampled_days - days[None]) * rate_v).sum(axis=2)
        + per_m2[None] * (cleared_new - cleared[None])
    )
    released = np.broadcast_to(area, (n, H))
    return np.maximum(cost, 0.0), sampled_days, released


def clearance_days(problem: Problem, s: pd.DataFrame, teams: list[str]) -> np.ndarray:
    """The part of each row's team-days spent clearing (the rest is survey of the whole area)."""
    days = s[[DAYS_PREFIX + t for t in teams]].to_numpy(float)
    out = days.copy()
    area = s["released_m2"].to_numpy(float)
    types = problem.team_types.set_index(["kind", "operator"])["team_type"]
    col = {t: i for i, t in enumerate(teams)}
    for m in problem.settings.methods:
        if not m.surveys:
            continue
        for op in ("national", "international"):
            rows = ((s["method"] == m.name) & (s["operator"] == op)).to_numpy()
            if not rows.any():
                continue
            for kind, prod in m.survey_productivity.items():
                team = types.get((kind, op))
                if team in col:
                    out[rows, col[team]] -= area[rows] / prod
    return np.maximum(out, 0.0)


def _cost_per_m2(problem: Problem, s: pd.DataFrame) -> np.ndarray:
    per_m2 = {m.name: m.cost_per_m2 for m in problem.settings.methods}
    return s["method"].map(per_m2).fillna(0.0).to_numpy(float)


def _replay(
    problem: Problem, s: pd.DataFrame, cost: np.ndarray, days: np.ndarray, teams: list[str]
) -> np.ndarray:
    """Year each (sample, row) is done in, 0 if not within the horizon (see module doc)."""
    n, H = cost.shape
    years = problem.years
    planned = s["year"].to_numpy()
    ids = s["hazard_id"].to_numpy()
    row_of = {hid: i for i, hid in enumerate(ids)}
    deps = problem.dependencies
    requires: list[list[int]] = [[] for _ in range(H)]
    unreachable = np.zeros(H, bool)
    for a, b in zip(deps["hazard_id"], deps["requires"], strict=True):
        if a in row_of:
            if b in row_of:
                requires[row_of[a]].append(row_of[b])
            else:
                unreachable[row_of[a]] = True  # its prerequisite is not in the plan
    done_year = np.zeros((n, H), dtype=np.int64)
    carry = np.zeros(n)
    for year in years:
        money = float(problem.budget[year]) + carry
        capacity = np.broadcast_to(
            problem.capacity.loc[year, teams].to_numpy(float), (n, len(teams))
        ).copy()
        candidates = np.flatnonzero((planned <= year) & ~unreachable)
        # The same relative tolerance as the plan's own check (models.solution).
        tol_money = 1e-6 * max(1.0, abs(float(problem.budget[year])))
        tol_days = 1e-6 * np.maximum(1.0, capacity[0])
        changed = True
        while changed:  # repeat so a prerequisite done later in the order unlocks its dependant
            changed = False
            for i in candidates:
                todo = done_year[:, i] == 0
                if not todo.any():
                    continue
                ok = (
                    todo
                    & (cost[:, i] <= money + tol_money)
                    & (days[:, i, :] <= capacity + tol_days).all(axis=1)
                )
                for j in requires[i]:
                    ok &= done_year[:, j] > 0
                if ok.any():
                    done_year[ok, i] = year
                    money[ok] -= cost[ok, i]
                    capacity[ok] -= days[ok, i, :]
                    changed = True
        carry = money if problem.settings.plan.carry_over else np.zeros(n)
    return done_year


def fixed_plan_summary(sim: UncertaintyResult, released_m2: float) -> dict[str, Any]:
    """The replay's figures under the same keys as the re-planning Monte Carlo's, labelled.

    Work can only slip in a replay, so no sample beats the plan: its P90 is the plan's
    value by construction.
    """
    s = sim.samples
    years = sorted(set(s["a5_completion_year"].dropna().astype(int)))
    n = len(s)
    a5_year = s["a5_completion_year"]

    def quantiles(values: pd.Series, nominal: float) -> dict[str, Any]:
        q = values.quantile([0.1, 0.5, 0.9]).to_numpy(float)
        return {
            "p10": round(float(q[0]), 3),
            "p50": round(float(q[1]), 3),
            "p90": round(float(q[2]), 3),
            "mean": round(float(values.mean()), 3),
            "nominal": round(nominal, 3),
            "share_of_samples_below_nominal": round(float((values < nominal - 1e-9).mean()), 4),
            "share_of_samples_above_nominal": round(float((values > nominal + 1e-9).mean()), 4),
        }

    dist: dict[str, Any] = {str(y): round(float((a5_year == y).sum() / n), 4) for y in years}
    dist["not within the horizon"] = round(float(a5_year.isna().sum() / n), 4)
    return {
        "replan": False,
        "method": "fixed-plan replay: the optimised plan is replayed on each sample's "
        "outcomes without re-planning; work that no longer fits slips to later years in "
        "plan order, never earlier, so no sample can beat the plan",
        "samples": n,
        "p_meet_deadline": (
            round(float(s["meets_deadline"].mean()), 4) if sim.deadline_year is not None else None
        ),
        "deadline_year": sim.deadline_year,
        "completion_year": dist,
        "completion_year_of": "every Article 5 hazard (the year the last one is completed)",
        "impact_years": quantiles(s["impact_years"], sim.plan_impact_years),
        "released_m2": quantiles(s["released_m2"], released_m2),
        "settings": {
            "samples": sim.settings.samples,
            "seed": list(sim.settings.seed)
            if isinstance(sim.settings.seed, tuple)
            else sim.settings.seed,
            "concentration": sim.settings.concentration,
            "productivity_sigma": sim.settings.productivity_sigma,
        },
    }
