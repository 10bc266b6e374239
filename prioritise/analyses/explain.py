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

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models.eligibility import build_eligibility, excluded_hazards
from models.solution import resource_slack, schedule_from_rows
from prioritise.core.errors import InfeasibleError
from prioritise.core.fmt import money
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX
from prioritise.planning.planner import plan

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
    "force_cost_at_least",
    "force_cost_note",
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


@dataclass(frozen=True)
class ForceCosts:
    """First-order forcing costs for every hazard from the LP relaxation, with what they
    prove about the plan.

    ``estimate[h]`` = m_h, the smallest -reduced cost over hazard h's x columns (NaN where the
    relaxation schedules some of it, so it prices it at 0 and says nothing). With the
    relaxation's optimum LP* and its duals, every plan doing h is worth at most LP* - m_h
    (weak duality: c x <= LP* + sum_k rc_k (x_k - x*_k), each term <= 0 and the hazard's
    columns adding at most -m_h). The optimal plan is worth at least the plan's objective
    z, so forcing h in costs at least m_h - (LP* - z): a proven lower bound when positive;
    the estimate itself is no bound of the real (integer) cost.
    """

    estimate: pd.Series  # per hazard position; NaN = not computed
    relaxation_objective: float | None
    status: str

    def at_least(self, pos: int, plan_objective: float) -> float:
        """The proven lower bound on forcing hazard ``pos`` in (NaN when none above 0)."""
        m = float(self.estimate.get(pos, np.nan))
        if self.relaxation_objective is None or not np.isfinite(m):
            return np.nan
        bound = m - (self.relaxation_objective - plan_objective)
        return bound if bound > TOL else np.nan

    def note(self, pos: int, plan_objective: float) -> str:
        """Why the figures are what they are, in words (never a bare 0 for unknown)."""
        if self.status != "optimal" or self.relaxation_objective is None:
            return f"not computed: the LP relaxation did not solve ({self.status})"
        m = float(self.estimate.get(pos, np.nan))
        if not np.isfinite(m):
            return (
                "not computed: the LP relaxation schedules part of it, so it gives no "
                "first-order price; `prioritise explain` re-solves for an interval"
            )
        low = self.at_least(pos, plan_objective)
        gap = self.relaxation_objective - plan_objective
        if np.isfinite(low):
            return f"estimate {m:,.2f} (LP first-order, not a bound); proven at least {low:,.2f}"
        return (
            f"estimate {m:,.2f} (LP first-order, not a bound); no lower bound above 0 is "
            f"proven (the LP bound is {gap:,.2f} above the plan)"
        )


def force_cost_estimates(built: BuiltModel, relaxation: Relaxation | None) -> ForceCosts:
    """Per hazard position, the LP relaxation's first-order forcing cost (see ForceCosts)."""
    if relaxation is None or relaxation.reduced_costs is None or relaxation.x is None:
        status = "not solved" if relaxation is None else relaxation.status
        return ForceCosts(pd.Series(dtype=float), None, status)
    f = built.eligibility.frame
    rc = relaxation.reduced_costs[built.x]
    xv = relaxation.x[built.x]
    frame = pd.DataFrame({"hazard": f["hazard"].to_numpy(), "loss": np.maximum(-rc, 0.0), "x": xv})
    g = frame.groupby("hazard")
    loss = g["loss"].min()
    loss = loss.where((g["x"].sum() < TOL) & (loss > TOL), np.nan)
    return ForceCosts(loss, relaxation.objective if relaxation.ok else None, relaxation.status)


@dataclass(frozen=True)
class _Plan:
    """What every hazard's explanation reads from the plan, computed once."""

    problem: Problem
    schedule: pd.DataFrame
    lo: Leftover
    have: np.ndarray
    year_of: pd.Series
    requires: dict[str, list[str]]
    excluded: pd.Series
    given: dict[str, str]
    options: dict[int, _Options]
    sched: dict[int, dict[str, Any]]
    cnames: list[str]
    cvals: np.ndarray
    rank: np.ndarray
    objective: float


def _plan_context(
    problem: Problem, schedule: pd.DataFrame, unscheduled: pd.DataFrame | None
) -> _Plan:
    lo = leftover(problem, schedule)
    deps = problem.dependencies
    requires: dict[str, list[str]] = {}
    for a, b in zip(deps["hazard_id"], deps["requires"], strict=True):
        requires.setdefault(a, []).append(b)
    contrib = problem.contributions.drop(columns="hazard_id")
    return _Plan(
        problem=problem,
        schedule=schedule,
        lo=lo,
        # Money and team-days an added hazard could use in each year (carry-over aware).
        have=resource_slack(problem, schedule)[["budget_usd", *lo.teams]].to_numpy(float),
        year_of=schedule.set_index("hazard_id")["year"],
        requires=requires,
        excluded=excluded_hazards(problem),
        given=(
            dict(zip(unscheduled["hazard_id"], unscheduled["reason"], strict=True))
            if unscheduled is not None
            else {}
        ),
        options=_options_by_hazard(problem, lo.teams),
        sched={int(r["hazard"]): r for r in schedule.to_dict("records")},
        cnames=[str(c) for c in contrib.columns],
        cvals=contrib.to_numpy(float),
        rank=problem.hazards["impact"].rank(ascending=False, method="min").astype(int).to_numpy(),
        objective=float(schedule["value"].sum()) if "value" in schedule else np.nan,
    )


def explain_plan(
    problem: Problem,
    schedule: pd.DataFrame,
    *,
    unscheduled: pd.DataFrame | None = None,
    force_costs: ForceCosts | None = None,
) -> pd.DataFrame:
    """One row per hazard (input order) with the binding constraints and a sentence."""
    ctx = _plan_context(problem, schedule, unscheduled)
    rows = [_explain_one(ctx, pos, force_costs) for pos in range(len(problem.hazards))]
    out = pd.DataFrame(rows, columns=EXPLANATION_COLUMNS)
    out["year"] = out["year"].astype("Int64")
    return out


def _explain_one(ctx: _Plan, pos: int, force_costs: ForceCosts | None) -> dict[str, Any]:
    h = ctx.problem.hazards
    hid = h.at[pos, "hazard_id"]
    impact = float(h.at[pos, "impact"])
    head = (
        f"{hid} scores {impact:,.1f} (rank {ctx.rank[pos]} of {len(h)}; "
        f"{_contribution_text(ctx.cnames, ctx.cvals[pos], top=3)})."
    )
    row: dict[str, Any] = {
        "hazard_id": hid,
        "name": h.at[pos, "name"],
        "province": h.at[pos, "province"],
        "impact": round(impact, 4),
        "impact_rank": int(ctx.rank[pos]),
        "contributions": _contribution_text(ctx.cnames, ctx.cvals[pos]),
        "force_cost_lp_estimate": np.nan,
        "force_cost_at_least": np.nan,
        "force_cost_note": "",
    }
    if pos in ctx.sched:
        why, text = _scheduled_text(ctx, pos)
        r = ctx.sched[pos]
        row.update(status="scheduled", year=int(r["year"]), method=r["method"])
        row.update(operator=r["operator"], force_cost_note="scheduled: nothing to force")
    else:
        why, reason = _unscheduled_why(ctx, pos)
        text = f"Not scheduled: {'; '.join(why.words)}."
        row.update(status="unscheduled", year=None, method=None, operator=None)
        text += _force_columns(row, ctx, pos, reason, force_costs)
    row.update(binding=" | ".join(why.codes), why="; ".join(why.words))
    row["explanation"] = f"{head} {text}"
    return row


def _scheduled_text(ctx: _Plan, pos: int) -> tuple[_Why, str]:
    h = ctx.problem.hazards
    r = ctx.sched[pos]
    opts = ctx.options.get(pos, _no_options(ctx.lo.teams))
    why = _scheduled(ctx.problem, ctx.lo, r, ctx.year_of, ctx.requires, opts)
    deadline = ctx.problem.settings.plan.deadline_year
    must = []
    if h.at[pos, "lock"] == "must":
        must.append("it is locked 'must'")
    if bool(h.at[pos, "article5"]) and deadline is not None:
        must.append(f"it is an Article 5 hazard due by {deadline}")
    text = (
        f"Scheduled in {int(r['year'])} ({r['method']}, {r['operator']}, "
        f"{money(float(r['cost']))})"
        + (f"; required because {' and '.join(must)}" if must else "")
        + ". "
        + _not_earlier(why)
    )
    return why, text


def _unscheduled_why(ctx: _Plan, pos: int) -> tuple[_Why, str | None]:
    hid = ctx.problem.hazards.at[pos, "hazard_id"]
    reason = ctx.excluded.get(pos)
    if reason is None:
        # A prerequisite that is not scheduled blocks it regardless of resources.
        missing = [g for g in ctx.requires.get(hid, []) if g not in ctx.year_of.index]
        if missing:
            reason = f"requires {missing[0]}, which is not scheduled" + (
                f" ({ctx.given.get(missing[0], '')})" if ctx.given.get(missing[0]) else ""
            )
    opts = ctx.options.get(pos, _no_options(ctx.lo.teams))
    return _unscheduled(ctx.problem, ctx.lo, pos, reason, opts, ctx.have), reason


def _force_columns(
    row: dict[str, Any], ctx: _Plan, pos: int, reason: str | None, fc: ForceCosts | None
) -> str:
    """Fill the forcing-cost columns of an unscheduled hazard; the sentence they add."""
    if reason:
        row["force_cost_note"] = f"not computed: {reason}"
        return ""
    if fc is None:
        row["force_cost_note"] = "not computed: no LP relaxation with this explanation"
        return ""
    estimate = float(fc.estimate.get(pos, np.nan))
    low = fc.at_least(pos, ctx.objective)
    row["force_cost_lp_estimate"] = estimate
    row["force_cost_at_least"] = low
    row["force_cost_note"] = fc.note(pos, ctx.objective)
    if not np.isfinite(estimate):
        return ""
    return (
        f" The LP relaxation estimates forcing it in at about {estimate:,.2f} impact-years "
        "(a first-order estimate, not a bound"
        + (f"; proven: at least {low:,.2f}" if np.isfinite(low) else "")
        + "); `prioritise explain` re-solves for a proven interval."
    )


def _no_options(teams: list[str]) -> _Options:
    return _Options(np.zeros((0, 1 + len(teams))), np.array([]), np.array([]))


# --- one hazard, with a forced re-solve ------------------------------------------------


@dataclass(frozen=True)
class ForcedResult:
    """What forcing a change costs: an interval from proven bounds, and the plans found.

    With U* and F* the optima without and with the change (maximised; F* <= U* because the
    change only restricts the plans), each solve gives a plan and a bound:
    z_before <= U* <= b_before and z_after <= F* <= b_after. The cost U* - F* then lies in

        [max(0, max(z_before, z_after) - min(b_after, b_before)),  b_before - z_after]

    (the forced plan is a plan of the unforced problem, so U* >= z_after, and F* <= U*).
    Either end is None when a figure it needs is missing (not computed), and both are
    infinite when no plan can make the change.
    """

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
    bound_before: float | None = None
    bound_after: float | None = None

    @property
    def cost(self) -> float | None:
        """The difference between the two plans found: an estimate inside the interval."""
        if self.objective_before is None or self.objective_after is None:
            return None
        return self.objective_before - self.objective_after

    @property
    def lower(self) -> float | None:
        if self.status == "infeasible":
            return math.inf
        best = [v for v in (self.objective_before, self.objective_after) if v is not None]
        if not best or self.bound_after is None:
            return None
        caps = [v for v in (self.bound_after, self.bound_before) if v is not None]
        return max(0.0, max(best) - min(caps))

    @property
    def upper(self) -> float | None:
        if self.status == "infeasible":
            return math.inf
        if self.bound_before is None or self.objective_after is None:
            return None
        return max(self.bound_before - self.objective_after, self.lower or 0.0)


def cost_interval_text(r: ForcedResult) -> str:
    """The interval in words: exact, between two figures, at least, at most, or not
    computed (with why)."""
    low, high = r.lower, r.upper
    if low is None and high is None:
        return (
            "not computed: "
            + ("no forced plan was found in time" if r.objective_after is None else "")
            + ("" if r.objective_after is None else "the solves gave no bounds")
            + " and no bound on the forced plans is known"
        )
    if high is None:
        why = (
            "no forced plan was found in time"
            if r.objective_after is None
            else "the original plan's bound is unknown"
        )
        if low is not None and low <= TOL:
            return f"not computed: {why}, and the bounds prove no cost above 0"
        return f"at least {low:,.2f} impact-years (proven); no upper figure: {why}"
    if low is None:
        return f"at most {high:,.2f} impact-years (proven); no lower figure above 0"
    if high - low <= TOL * max(1.0, abs(high)):
        return f"exactly {low:,.2f} impact-years (both solves proven optimal)"
    return (
        f"between {low:,.2f} and {high:,.2f} impact-years (proven bounds: the lower from "
        "the original plan against the forced solve's bound, the upper from the original "
        "bound against the forced plan)"
    )


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
    bound: float | None = None,
    time_limit: float = 30.0,
) -> ForcedResult:
    """Re-solve with the hazard forced in (in ``year`` if given) and bound what it costs.

    ``objective`` and ``bound`` describe the plan being explained (``bound`` defaults to
    the one its relative ``gap`` implies, HiGHS's |bound - objective| / |objective|)."""
    if bound is None and objective is not None and gap is not None:
        bound = objective + gap * max(abs(objective), 1e-9)
    pos = int(np.flatnonzero(problem.hazards["hazard_id"].to_numpy() == hazard_id)[0])
    what = f"{hazard_id} moved to {year}" if year is not None else f"{hazard_id} forced in"
    trial = forced_problem(problem, pos, year)
    base = ForcedResult(what, "MILP re-solve", "", objective, None, gap, None, [], [], [], bound)
    # The planner, not a bare solve: its constructive start and LP guidance find a forced
    # plan where a cold solve can run out of time (national sample, a hazard moved a year).
    try:
        result = plan(trial, time_limit=time_limit, gap=problem.settings.solver.gap)
    except InfeasibleError:
        return replace(base, status="infeasible")
    s = result.summary
    status = result.solution.status
    if not status.has_plan:
        # No integer plan in time: the forced LP relaxation still bounds F* from above.
        return replace(
            base, method="LP relaxation bound", status=str(status), bound_after=s.best_bound
        )
    before = schedule.set_index("hazard_id")["year"]
    after = result.solution.schedule.set_index("hazard_id")["year"]
    common = before.index.intersection(after.index)
    return replace(
        base,
        status=str(status),
        objective_after=s.objective,
        gap_after=s.gap,
        bound_after=s.best_bound,
        moved=[
            f"{i} {int(before[i])}->{int(after[i])}"
            for i in common
            if int(before[i]) != int(after[i]) and i != hazard_id
        ],
        dropped=sorted(set(before.index) - set(after.index)),
        added=sorted(set(after.index) - set(before.index) - {hazard_id}),
    )


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
    """A readable paragraph for one hazard, with the forced re-solve when ``do_force``.

    ``objective`` and its relative ``gap`` describe the plan being explained (its bound is
    objective + gap |objective|); the forcing cost is the interval they and the re-solve
    prove (see :class:`ForcedResult`)."""
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
    if not do_force:
        return "\n".join(lines), info
    year, nothing = _what_to_force(problem, pos, row)
    if nothing:
        lines.append(nothing)
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
    lines += _force_lines(result, time_limit)
    return "\n".join(lines), info


def _what_to_force(problem: Problem, pos: int, row: pd.Series) -> tuple[int | None, str]:
    """The year to move a scheduled hazard to (None: force an unscheduled one in), or why
    there is nothing to force."""
    if row["status"] == "scheduled":
        y = int(row["year"])
        if y > problem.years[0] and pd.isna(problem.hazards.at[pos, "lock_year"]):
            return y - 1, ""
        return None, "  (Already in its earliest possible year; nothing to force.)"
    excluded = excluded_hazards(problem)
    if pos in excluded.index and "no eligible" in str(excluded[pos]):
        return None, "  (No method can release it, so it cannot be forced in.)"
    return None, ""


def _force_lines(result: ForcedResult, time_limit: float) -> list[str]:
    if result.status == "infeasible":
        return [
            "    no feasible plan does that: with its prerequisites and the locks, "
            "the budgets and team-days cannot take it."
        ]
    lines = [f"    a cost of {cost_interval_text(result)}"]
    if result.cost is None:
        lines.append(
            f"    the re-solve found no plan in {time_limit:.0f} s ({result.status}); a "
            "longer --time-limit may narrow it."
        )
        return lines
    inside = result.cost >= (result.lower or 0.0) - TOL * max(1.0, abs(result.cost))
    lines.append(
        f"    the two plans found: impact-years {result.objective_before:,.2f} -> "
        f"{result.objective_after:,.2f}, a difference of {result.cost:,.2f} "
        + (
            "(an estimate inside the interval)"
            if inside
            else "(the forced plan is better than the plan explained, which is therefore "
            "not optimal: the cost is not their difference)"
        )
    )
    if result.dropped:
        lines.append(f"    drops {len(result.dropped)}: " + ", ".join(result.dropped[:10]))
    if result.added:
        lines.append(f"    adds {len(result.added)}: " + ", ".join(result.added[:10]))
    if result.moved:
        lines.append(f"    moves {len(result.moved)}: " + ", ".join(result.moved[:10]))
    return lines


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
