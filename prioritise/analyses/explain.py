"""Why each hazard sits where it is in a plan, in words a planner can check.

For a scheduled hazard: its score, and for every earlier year what stopped it there (that
year's budget used up, a team type's team-days used up, a prerequisite done later, a lock).
For an unscheduled one: what blocks it (locked out, no method, a prerequisite not scheduled,
money or team-days exhausted in every year). The checks re-read the plan's leftover money and
team-days year by year, so they state facts about the plan rather than guesses about the
solver. Costs of forcing a change come in two strengths: a cheap first-order estimate for
every hazard from the LP relaxation's reduced costs, and, for one hazard on request
(``prioritise explain``), a re-solve of the MILP with that hazard forced in (or one year
earlier).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models.duals import solve_relaxation
from models.eligibility import build_eligibility, excluded_hazards
from models.solution import read_solution, resource_slack, schedule_from_rows
from models.solvers import SolverOptions, solve
from models.workplan import build_model
from models.workplan import build_model as _build
from prioritise.core.fmt import money
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX

if TYPE_CHECKING:
    from models.duals import Relaxation
    from models.workplan import BuiltModel

EXPLANATION_COLUMNS = [
    "hazard_id",
    "name",
    "province",
    "status",
    "year",
    "method",
    "operator",
    "impact",
    "impact_rank",
    "contributions",
    "binding",
    "why",
    "force_cost_lp_estimate",
    "explanation",
]
TOL = 1e-6


def _span(years: list[int]) -> str:
    """2027, 2028, 2029 -> '2027-2029'; 2027, 2029 -> '2027, 2029'."""
    if not years:
        return ""
    if len(years) > 1 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


@dataclass(frozen=True)
class Leftover:
    """Money and team-days a plan leaves unused, per year (and cumulative money if carried)."""

    years: list[int]
    carry: bool
    budget: np.ndarray  # B_t
    money_left: np.ndarray  # per year (no carry) or cumulative budget - cumulative spend
    days_left: np.ndarray  # years x team types
    teams: list[str]
    article5_spend: np.ndarray  # per year, on Article 5 hazards
    spend: np.ndarray  # per year

    def money_into(self, t: int, from_t: int | None) -> float:
        """Money that can be spent in year index ``t`` without breaking any year's budget.

        With carry-over, spending more in ``t`` lowers the cumulative money left in every
        later year; a hazard moved from ``from_t`` frees its cost from ``from_t`` on, so only
        the years ``t .. from_t - 1`` must have room.
        """
        if not self.carry:
            return float(self.money_left[t])
        stop = len(self.years) if from_t is None else from_t
        return float(self.money_left[t:stop].min()) if stop > t else np.inf


def leftover(problem: Problem, schedule: pd.DataFrame) -> Leftover:
    years = problem.years
    teams = list(problem.capacity.columns)
    spent = schedule.groupby("year")["cost"].sum().reindex(years, fill_value=0.0)
    budget = problem.budget.reindex(years).to_numpy(float)
    carry = bool(problem.settings.plan.carry_over)
    left = (
        (np.cumsum(budget) - np.cumsum(spent.to_numpy(float)))
        if carry
        else budget - spent.to_numpy(float)
    )
    slack = resource_slack(problem, schedule)
    a5 = problem.hazards["article5"].to_numpy(bool)[schedule["hazard"].to_numpy(int)]
    a5_spend = schedule[a5].groupby("year")["cost"].sum().reindex(years, fill_value=0.0)
    return Leftover(
        list(years),
        carry,
        budget,
        left,
        slack[teams].to_numpy(float),
        teams,
        a5_spend.to_numpy(float),
        spent.to_numpy(float),
    )


def _contribution_text(names: list[str], values: np.ndarray, top: int | None = None) -> str:
    """'Casualties 20.1; Land use 16.0' from one hazard's per-criterion contributions."""
    order = [i for i in np.argsort(-values, kind="stable") if abs(values[i]) > 0]
    if top is not None:
        order = order[:top]
    return "; ".join(f"{names[i]} {values[i]:,.1f}" for i in order) or "no criterion scores"


@dataclass(frozen=True)
class _Options:
    """A hazard's options as arrays: need[k] = (cost, team-days of each team type)."""

    need: np.ndarray
    method: np.ndarray
    operator: np.ndarray

    def __len__(self) -> int:
        return len(self.need)


def _options_by_hazard(problem: Problem, teams: list[str]) -> dict[int, _Options]:
    o = problem.options
    need = o[["cost"] + [DAYS_PREFIX + t for t in teams]].to_numpy(float)
    method = o["method"].astype(str).to_numpy()
    operator = o["operator"].astype(str).to_numpy()
    return {
        int(hz): _Options(need[idx], method[idx], operator[idx])
        for hz, idx in o.groupby("hazard").indices.items()
    }


def _deadline_note(lo: Leftover, problem: Problem, t: int) -> str:
    deadline = problem.settings.plan.deadline_year
    if deadline is None or lo.spend[t] <= 0 or lo.article5_spend[t] <= 0:
        return ""
    share = lo.article5_spend[t] / lo.spend[t]
    return (
        f", {share:.0%} of it on Article 5 hazards the {deadline} deadline requires"
        if lo.years[t] <= deadline
        else ""
    )


def _short_resources(
    need: np.ndarray, money_avail: float, days_avail: np.ndarray, teams: list[str]
) -> list[tuple[str, float, float]]:
    """(resource, left, needed) for every resource an option lacks."""
    out = []
    if need[0] > money_avail + TOL * max(1.0, need[0]):
        out.append(("budget", money_avail, float(need[0])))
    for k, team in enumerate(teams):
        if need[1 + k] > days_avail[k] + TOL * max(1.0, need[1 + k]):
            out.append((team, float(days_avail[k]), float(need[1 + k])))
    return out


def _describe_short(
    short: list[tuple[str, float, float]], year: int, lo: Leftover, problem: Problem, t: int
) -> tuple[list[str], list[str]]:
    words, codes = [], []
    for res, left, need in short:
        if res == "budget":
            words.append(
                f"the {year} budget is used up ({money(max(left, 0.0))} left"
                f"{' after carry-over' if lo.carry else ''}, needs {money(need)}"
                f"{_deadline_note(lo, problem, t)})"
            )
            codes.append(f"budget {year}")
        else:
            words.append(
                f"{res} team-days in {year} are used up ({max(left, 0.0):,.1f} left, "
                f"needs {need:,.1f})"
            )
            codes.append(f"team-days {res} {year}")
    return words, codes


@dataclass
class _Why:
    words: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def _scheduled(
    problem: Problem,
    lo: Leftover,
    row: dict[str, Any],
    year_of: pd.Series,
    requires: dict[str, list[str]],
    opts: _Options,
) -> _Why:
    """What keeps a scheduled hazard out of each earlier year."""
    h = problem.hazards
    pos = int(row["hazard"])
    years = lo.years
    ty = years.index(int(row["year"]))
    why = _Why()
    lock_year = h.at[pos, "lock_year"]
    if pd.notna(lock_year):
        why.words.append(f"it is locked to {int(lock_year)}")
        why.codes.append("lock")
        return why
    if ty == 0:
        why.words.append("it is done in the first year of the plan")
        why.codes.append("first year")
        return why
    need = opts.need
    chosen_cost = float(row["cost"])
    same = (opts.method == str(row["method"])) & (opts.operator == str(row["operator"]))
    fits_years: list[int] = []
    for t in range(ty):
        late = [
            (g, int(year_of[g]))
            for g in requires.get(row["hazard_id"], [])
            if g in year_of.index and int(year_of[g]) > years[t]
        ]
        shorts = []
        for k in range(len(opts)):
            money_avail = lo.money_into(t, ty)
            if lo.carry and need[k, 0] > chosen_cost:
                # A dearer method also needs the difference from the original year on.
                later = float(lo.money_left[ty:].min())
                if need[k, 0] - chosen_cost > later + TOL:
                    money_avail = min(money_avail, chosen_cost + later)
            shorts.append(_short_resources(need[k], money_avail, lo.days_left[t], lo.teams))
        fits = any(not sh for sh in shorts)
        if fits and not late:
            fits_years.append(years[t])
            continue
        words = [f"it requires {g}, which is done in {gy}" for g, gy in late]
        codes = [f"requires {g} {gy}" for g, gy in late]
        if not fits:
            # Explain with the chosen method when it exists, else the option short of least.
            k = min(range(len(opts)), key=lambda k: (not same[k], len(shorts[k]), need[k, 0]))
            w, c = _describe_short(shorts[k], years[t], lo, problem, t)
            words += w
            codes += c
        why.words.append(f"not in {years[t]}: " + "; ".join(words))
        why.codes += codes
    if fits_years:
        why.words.append(
            f"it would also fit in what is left in {_span(fits_years)}; the solver kept it "
            "later because moving it gains less than its optimality gap, or because of a "
            "province/localisation share"
        )
        why.codes.append("within gap " + _span(fits_years))
    return why


def _unscheduled(
    problem: Problem, lo: Leftover, pos: int, reason: str | None, opts: _Options, have: np.ndarray
) -> _Why:
    """What blocks an unscheduled hazard in every year."""
    why = _Why()
    h = problem.hazards
    if reason:
        why.words.append(reason)
        if "locked out" in reason:
            why.codes.append("lock must_not")
        elif reason.startswith("requires"):
            why.codes.append("prerequisite")
        else:
            why.codes.append("no method")
        return why
    if not len(opts):
        why.words.append("no eligible method or team")
        why.codes.append("no method")
        return why
    need = opts.need
    short_any: dict[str, list[tuple[int, float, float]]] = {}  # res -> (year, left, need)
    fits: list[int] = []
    for t, year in enumerate(lo.years):
        shorts = [
            _short_resources(need[k], have[t, 0], have[t, 1:], lo.teams) for k in range(len(opts))
        ]
        if any(not s for s in shorts):
            fits.append(year)
            continue
        # The option that lacks the fewest resources, cheapest first, speaks for the year.
        k = min(range(len(opts)), key=lambda k: (len(shorts[k]), need[k, 0]))
        for res, left, needed in shorts[k]:
            short_any.setdefault(res, []).append((year, left, needed))
    if fits:
        impact = float(h.at[pos, "impact"])
        because = (
            "its impact score is 0"
            if impact <= 0
            else "its environmental cost, a province/localisation share or the solver's "
            "optimality gap outweighs it"
        )
        why.words.append(
            f"it fits in what is left in {_span(fits)} but was not selected: {because}"
        )
        why.codes.append("not selected")
        return why
    for res, entries in short_any.items():
        yrs = [y for y, _, _ in entries]
        best = max(entries, key=lambda e: e[1])
        least = min(e[2] for e in entries)
        if res == "budget":
            why.words.append(
                f"not enough budget is left in {_span(yrs)} after higher-value work (at most "
                f"{money(max(best[1], 0.0))} left, in {best[0]}; it needs at least "
                f"{money(least)}{_deadline_note(lo, problem, lo.years.index(best[0]))})"
            )
            why.codes.append("budget " + _span(yrs))
        else:
            why.words.append(
                f"{res} team-days are used up in {_span(yrs)} (at most "
                f"{max(best[1], 0.0):,.1f} left, in {best[0]}; it needs at least "
                f"{least:,.1f})"
            )
            why.codes.append(f"team-days {res} " + _span(yrs))
    return why


def _not_earlier(why: _Why) -> str:
    if why.codes == ["first year"]:
        return "That is the plan's first year."
    if why.codes == ["lock"]:
        return why.words[0][0].upper() + why.words[0][1:] + "."
    return "Not earlier because " + "; ".join(why.words) + "." if why.words else ""


def force_cost_estimates(built: BuiltModel, relaxation: Relaxation | None) -> pd.Series:
    """Per hazard position, a first-order LP estimate of the impact-years lost by forcing it.

    It is the smallest -reduced cost over the hazard's x columns in the LP relaxation (0 if
    the relaxation already does some of it): moving a column off zero costs at least this in
    the relaxation, so it is a rough lower estimate, not the MILP's exact price.
    """
    if relaxation is None or relaxation.reduced_costs is None or relaxation.x is None:
        return pd.Series(dtype=float)
    f = built.eligibility.frame
    rc = relaxation.reduced_costs[built.x]
    xv = relaxation.x[built.x]
    frame = pd.DataFrame({"hazard": f["hazard"].to_numpy(), "loss": np.maximum(-rc, 0.0), "x": xv})
    g = frame.groupby("hazard")
    loss = g["loss"].min().where(g["x"].sum() < 1 - 1e-6, 0.0)
    return loss


def explain_plan(
    problem: Problem,
    schedule: pd.DataFrame,
    *,
    unscheduled: pd.DataFrame | None = None,
    force_costs: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per hazard (input order) with the binding constraints and a sentence."""
    h = problem.hazards
    lo = leftover(problem, schedule)
    # Money and team-days an added hazard could use in each year (carry-over aware).
    have = resource_slack(problem, schedule)[["budget_usd", *lo.teams]].to_numpy(float)
    year_of = schedule.set_index("hazard_id")["year"]
    deps = problem.dependencies
    requires: dict[str, list[str]] = {}
    for a, b in zip(deps["hazard_id"], deps["requires"], strict=True):
        requires.setdefault(a, []).append(b)
    excluded = excluded_hazards(problem)
    given = (
        dict(zip(unscheduled["hazard_id"], unscheduled["reason"], strict=True))
        if unscheduled is not None
        else {}
    )
    options = _options_by_hazard(problem, lo.teams)
    no_options = _Options(np.zeros((0, 1 + len(lo.teams))), np.array([]), np.array([]))
    sched = {int(r["hazard"]): r for r in schedule.to_dict("records")}
    contrib = problem.contributions.drop(columns="hazard_id")
    cnames = [str(c) for c in contrib.columns]
    cvals = contrib.to_numpy(float)
    rank = h["impact"].rank(ascending=False, method="min").astype(int).to_numpy()
    deadline = problem.settings.plan.deadline_year
    ids, names, provinces = (h[c].to_numpy() for c in ("hazard_id", "name", "province"))
    impacts = h["impact"].to_numpy(float)
    locks, article5 = h["lock"].to_numpy(), h["article5"].to_numpy(bool)
    rows = []
    for pos in range(len(h)):
        hid = ids[pos]
        impact = float(impacts[pos])
        opts = options.get(pos, no_options)
        head = (
            f"{hid} scores {impact:,.1f} (rank {rank[pos]} of {len(h)}; "
            f"{_contribution_text(cnames, cvals[pos], top=3)})."
        )
        force = np.nan
        if pos in sched:
            r = sched[pos]
            why = _scheduled(problem, lo, r, year_of, requires, opts)
            must = []
            if locks[pos] == "must":
                must.append("it is locked 'must'")
            if article5[pos] and deadline is not None:
                must.append(f"it is an Article 5 hazard due by {deadline}")
            text = (
                f"{head} Scheduled in {int(r['year'])} ({r['method']}, {r['operator']}, "
                f"{money(float(r['cost']))})"
                + (f"; required because {' and '.join(must)}" if must else "")
                + ". "
                + _not_earlier(why)
            )
            status, year, method, operator = "scheduled", int(r["year"]), r["method"], r["operator"]
        else:
            reason = excluded.get(pos)
            if reason is None:
                # A prerequisite that is not scheduled blocks it regardless of resources.
                missing = [g for g in requires.get(hid, []) if g not in year_of.index]
                if missing:
                    reason = f"requires {missing[0]}, which is not scheduled" + (
                        f" ({given.get(missing[0], '')})" if given.get(missing[0]) else ""
                    )
            why = _unscheduled(problem, lo, pos, reason, opts, have)
            text = f"{head} Not scheduled: " + "; ".join(why.words) + "."
            status, year, method, operator = "unscheduled", None, None, None
            if force_costs is not None and not reason:
                force = float(force_costs.get(pos, np.nan))
            if np.isfinite(force) and force > 1e-6:
                text += (
                    f" Forcing it in would cost roughly {force:,.2f} impact-years or more "
                    "(LP relaxation estimate; `prioritise explain` re-solves for the exact "
                    "figure)."
                )
        rows.append(
            {
                "hazard_id": hid,
                "name": names[pos],
                "province": provinces[pos],
                "status": status,
                "year": year,
                "method": method,
                "operator": operator,
                "impact": round(impact, 4),
                "impact_rank": int(rank[pos]),
                "contributions": _contribution_text(cnames, cvals[pos]),
                "binding": " | ".join(why.codes),
                "why": "; ".join(why.words),
                "force_cost_lp_estimate": force,
                "explanation": text,
            }
        )
    out = pd.DataFrame(rows, columns=EXPLANATION_COLUMNS)
    out["year"] = out["year"].astype("Int64")
    return out


# --- one hazard, with a forced re-solve ------------------------------------------------


@dataclass(frozen=True)
class ForcedResult:
    """What forcing a change costs, from a re-solve (MILP, or LP relaxation as fallback)."""

    what: str
    method: str  # "MILP re-solve" or "LP relaxation"
    status: str
    objective_before: float | None
    objective_after: float | None
    gap_before: float | None
    gap_after: float | None
    moved: list[str]
    dropped: list[str]
    added: list[str]

    @property
    def cost(self) -> float | None:
        if self.objective_before is None or self.objective_after is None:
            return None
        return self.objective_before - self.objective_after


def forced_problem(problem: Problem, pos: int, year: int | None) -> Problem:
    """The problem with hazard ``pos`` locked 'must' (in ``year`` if given)."""
    h = problem.hazards.copy()
    h.loc[pos, "lock"] = "must"
    h.loc[pos, "lock_year"] = float(year) if year is not None else np.nan
    return problem.replace(hazards=h)


def force(
    problem: Problem,
    schedule: pd.DataFrame,
    hazard_id: str,
    *,
    year: int | None,
    objective: float | None,
    gap: float | None,
    time_limit: float = 30.0,
) -> ForcedResult:
    """Re-solve with the hazard forced in (in ``year`` if given) and compare objectives."""

    pos = int(np.flatnonzero(problem.hazards["hazard_id"].to_numpy() == hazard_id)[0])
    what = f"{hazard_id} moved to {year}" if year is not None else f"{hazard_id} forced in"
    trial = forced_problem(problem, pos, year)
    built = build_model(trial)
    opts = SolverOptions(name="highs", time_limit=time_limit, gap=problem.settings.solver.gap)
    raw = solve(built.model, opts)
    if raw.status.has_plan and objective is not None:
        forced = read_solution(built, raw).schedule
        before = schedule.set_index("hazard_id")["year"]
        after = forced.set_index("hazard_id")["year"]
        common = before.index.intersection(after.index)
        moved = [
            f"{i} {int(before[i])}->{int(after[i])}"
            for i in common
            if int(before[i]) != int(after[i]) and i != hazard_id
        ]
        return ForcedResult(
            what,
            "MILP re-solve",
            str(raw.status),
            objective,
            raw.objective,
            gap,
            raw.gap,
            moved,
            sorted(set(before.index) - set(after.index)),
            sorted(set(after.index) - set(before.index) - {hazard_id}),
        )
    if str(raw.status) == "infeasible":
        return ForcedResult(
            what, "MILP re-solve", "infeasible", objective, None, gap, None, [], [], []
        )
    # No integer plan in time: compare the two LP relaxations instead (an estimate).

    st0, obj0, *_ = solve_relaxation(_build(problem).model, time_limit)
    st1, obj1, *_ = solve_relaxation(built.model, time_limit)
    return ForcedResult(what, "LP relaxation", f"{st0}/{st1}", obj0, obj1, None, None, [], [], [])


def schedule_from_workplan(problem: Problem, workplan: pd.DataFrame) -> pd.DataFrame:
    """Rebuild a schedule from a previous run's workplan.csv (matched to today's options)."""

    wp = workplan[workplan["status"] == "scheduled"]
    pos = pd.Series(np.arange(len(problem.hazards)), index=problem.hazards["hazard_id"])
    unknown = ~wp["hazard_id"].astype(str).isin(pos.index)
    if unknown.any():
        raise ValueError(
            f"workplan.csv names hazards the project does not have: "
            f"{', '.join(wp.loc[unknown, 'hazard_id'].astype(str)[:5])}"
        )
    key = pd.DataFrame(
        {
            "hazard": pos[wp["hazard_id"].astype(str)].to_numpy(),
            "method": wp["method"].astype(str).to_numpy(),
            "operator": wp["operator"].astype(str).to_numpy(),
            "year": wp["year"].astype(int).to_numpy(),
        }
    )
    frame = build_eligibility(problem).frame
    rows = key.merge(frame, on=["hazard", "method", "operator", "year"], how="left", indicator=True)
    missing = rows["_merge"] != "both"
    if missing.any():
        ids = problem.hazards["hazard_id"].to_numpy()[rows.loc[missing, "hazard"]]
        raise ValueError(
            "workplan.csv does not match the project's options (changed inputs?) "
            f"for: {', '.join(map(str, ids[:5]))}; re-plan instead."
        )
    return schedule_from_rows(problem, rows.drop(columns="_merge"))


def explain_hazard(
    problem: Problem,
    schedule: pd.DataFrame,
    hazard_id: str,
    *,
    objective: float | None,
    gap: float | None,
    unscheduled: pd.DataFrame | None = None,
    do_force: bool = True,
    time_limit: float = 30.0,
) -> tuple[str, dict[str, Any]]:
    """A readable paragraph for one hazard, with the forced re-solve when ``do_force``."""
    ids = problem.hazards["hazard_id"]
    if hazard_id not in set(ids):
        raise ValueError(f"Unknown hazard id {hazard_id!r}.")
    pos = int(np.flatnonzero(ids.to_numpy() == hazard_id)[0])
    table = explain_plan(problem, schedule, unscheduled=unscheduled)
    row = table.iloc[pos]
    h = problem.hazards.iloc[pos]
    lines = [
        f"{hazard_id}: {h['name'] or '(no name)'} - {h['province']}",
        f"  score {float(h['impact']):,.2f} (rank {row['impact_rank']} of {len(ids)})",
    ]
    contrib = problem.contributions.drop(columns="hazard_id").iloc[pos]
    for name, value in contrib.sort_values(ascending=False).items():
        lines.append(f"    {name:<32} {value:10,.2f}")
    lines.append("")
    lines.append("  " + row["explanation"])
    info: dict[str, Any] = {"row": row.to_dict()}
    if do_force:
        excluded = excluded_hazards(problem)
        year: int | None = None
        if row["status"] == "scheduled":
            y = int(row["year"])
            first = problem.years[0]
            if y > first and pd.isna(h["lock_year"]):
                year = y - 1
            else:
                lines.append("  (Already in its earliest possible year; nothing to force.)")
                return "\n".join(lines), info
        elif pos in excluded.index and "no eligible" in str(excluded[pos]):
            lines.append("  (No method can release it, so it cannot be forced in.)")
            return "\n".join(lines), info
        result = force(
            problem,
            schedule,
            hazard_id,
            year=year,
            objective=objective,
            gap=gap,
            time_limit=time_limit,
        )
        info["force"] = result
        lines.append("")
        lines.append(f"  What it would cost ({result.method}, {result.what}):")
        if result.status == "infeasible":
            lines.append(
                "    no feasible plan does that: with its prerequisites and the locks, "
                "the budgets and team-days cannot take it."
            )
        elif result.cost is None:
            lines.append(
                f"    the re-solve found no plan in {time_limit:.0f} s "
                f"({result.status}); try a longer --time-limit."
            )
        else:
            gaps = [g for g in (result.gap_before, result.gap_after) if g is not None]
            tol = max(gaps, default=0.0) * abs(result.objective_before or 0.0)
            lines.append(
                f"    impact-years {result.objective_before:,.2f} -> "
                f"{result.objective_after:,.2f}: a cost of {result.cost:,.2f}"
                + (
                    f" (each plan is within its solver gap, ±{tol:,.2f}: treat "
                    "smaller differences as noise)"
                    if tol > 1e-9
                    else ""
                )
            )
            if result.dropped:
                lines.append(f"    drops {len(result.dropped)}: " + ", ".join(result.dropped[:10]))
            if result.added:
                lines.append(f"    adds {len(result.added)}: " + ", ".join(result.added[:10]))
            if result.moved:
                lines.append(f"    moves {len(result.moved)}: " + ", ".join(result.moved[:10]))
    return "\n".join(lines), info


def load_previous(out_dir: Path) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """workplan.csv and summary.json of a previous run, or None when absent."""
    import json

    wp = out_dir / "workplan.csv"
    if not wp.exists():
        return None
    summary = {}
    if (out_dir / "summary.json").exists():
        summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    return pd.read_csv(wp, dtype={"hazard_id": str}), summary
