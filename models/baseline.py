"""Baselines: the plans a planner would make without the optimiser, so uplift is honest.

Two kinds of rule, each filling the years one by one down a ranked list (locked hazards
first; each hazard takes its cheapest method that still fits the year's money and team-days;
a hazard whose access is not cleared yet waits until it is):

* **today's practice** (:func:`ranking_baseline`): rank by impact score alone. Deadlines
  and equity/localisation shares are not part of the practice, so it does not enforce them;
  the summary says whether it happens to meet them.
* **the best simple rules** (:func:`simple_rule_baselines`): what a careful analyst would
  do with a spreadsheet. Rank by impact per dollar, and by impact per team-day of the team
  type that binds hardest when one binds harder than money; when there is a deadline, the
  Article 5 hazards and the hazards their access needs go first; each year, each province's
  minimum share of the year's money and the national operators' share are set aside for
  them first (envelopes), then the rest is filled down the list.

Every baseline is checked against every rule by :func:`models.solution.check_schedule`;
the uplift of a plan is measured against the strongest baseline that keeps them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.eligibility import (
    excluded_hazards,
    hazard_value,
    option_cost_weights,
    plan_weights,
)
from models.solution import check_schedule, schedule_from_rows
from prioritise.core.graph import dependency_graph, with_prerequisites
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX

EPS = 1e-9

PRACTICE = "today's practice"
PRACTICE_RULE = (
    "rank by impact, fill each year's budget and capacity in order, respecting access and locks"
)


@dataclass(frozen=True)
class Baseline:
    """One baseline's schedule, the rule that made it, and the rules it breaks."""

    name: str
    rule: str
    schedule: pd.DataFrame
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


@dataclass
class _Fill:
    """Money and team-days left this year, and what is done so far."""

    # Plain Python values: the fill checks one hazard's few options at a time, hundreds of
    # thousands of times, where numpy's per-call cost on tiny slices dominated.
    cost: list[float]  # per option row, options sorted by hazard then cost
    days: list[tuple[float, ...]]  # per option row, team-days per team type
    national: list[bool]  # option row is a national operator's
    starts: list[int]  # option rows of hazard h: starts[h]:starts[h + 1]
    requires: dict[int, list[int]]
    lock_year: list[float]  # NaN without a lock
    mincost: list[float]  # per hazard, its cheapest option (inf without one)
    done: set[int] = field(default_factory=set)
    national_spent: float = 0.0
    picks: list[tuple[int, int, int]] = field(default_factory=list)  # (option row, hazard, year)

    def fits(self, hz: int, money: float, capacity: list[float], national_only: bool) -> int:
        """The cheapest option row of ``hz`` that fits, or -1."""
        if self.mincost[hz] > money + 1e-9:
            return -1
        for k in range(self.starts[hz], self.starts[hz + 1]):
            if self.cost[k] > money + 1e-9 or (national_only and not self.national[k]):
                continue
            if all(d <= c + 1e-9 for d, c in zip(self.days[k], capacity, strict=True)):
                return k
        return -1

    def ready(self, hz: int, year: int) -> bool:
        if hz in self.done:
            return False
        lock = self.lock_year[hz]
        if lock == lock and lock != year:  # lock == lock: not NaN
            return False
        return all(r in self.done for r in self.requires.get(hz, ()))

    def pass_down(
        self,
        order: list[int],
        year: int,
        money: float,
        capacity: list[float],
        national_only: bool = False,
    ) -> float:
        """Work down ``order`` until nothing more fits; returns the money spent.

        Repeated passes let a hazard whose access was cleared earlier in the year go in."""
        spent = 0.0
        changed = True
        todo = [hz for hz in order if hz not in self.done]
        cheapest = min((self.mincost[hz] for hz in todo), default=np.inf)
        while changed and money - spent >= cheapest - 1e-9:
            changed = False
            waiting = []
            for hz in todo:
                if not self.ready(hz, year):
                    waiting.append(hz)
                    continue
                k = self.fits(hz, money - spent, capacity, national_only)
                if k < 0:
                    continue
                spent += self.cost[k]
                self.national_spent += self.cost[k] if self.national[k] else 0.0
                for i, d in enumerate(self.days[k]):
                    capacity[i] -= d
                self.done.add(hz)
                self.picks.append((k, hz, year))
                changed = True
            # Money and team-days only shrink within a pass, so a hazard that did not fit
            # will not fit later: only those waiting for access get another pass.
            todo = [hz for hz in waiting if hz not in self.done]
        return spent


def _new_fill(problem: Problem) -> tuple[_Fill, pd.DataFrame]:
    h = problem.hazards
    teams = list(problem.capacity.columns)
    opts = problem.options.sort_values(["hazard", "cost"], kind="stable")
    pos = {hid: i for i, hid in enumerate(h["hazard_id"].to_numpy())}
    requires: dict[int, list[int]] = {}
    for a, b in zip(
        problem.dependencies["hazard_id"], problem.dependencies["requires"], strict=True
    ):
        requires.setdefault(pos[a], []).append(pos[b])
    cost = opts["cost"].to_numpy(float)
    mincost = np.full(len(h), np.inf)
    np.minimum.at(mincost, opts["hazard"].to_numpy(), cost)
    fill = _Fill(
        cost=cost.tolist(),
        days=[
            tuple(row) for row in opts[[DAYS_PREFIX + t for t in teams]].to_numpy(float).tolist()
        ],
        national=(opts["operator"] == "national").to_numpy().tolist(),
        starts=np.searchsorted(opts["hazard"].to_numpy(), np.arange(len(h) + 1)).tolist(),
        requires=requires,
        lock_year=h["lock_year"].to_numpy(float).tolist(),
        mincost=mincost.tolist(),
    )
    return fill, opts


def fill_in_order(
    problem: Problem,
    order: np.ndarray,
    envelopes: bool = False,
    urgent: list[int] | None = None,
) -> pd.DataFrame:
    """The schedule of working ``order`` year by year (same columns as an optimised one).

    Each year, ``urgent`` hazards (in their order) go first; then, with ``envelopes``, each
    province's minimum share of the year's money is spent on that province's hazards and
    the national operators' share on national work; then the rest down the list.
    """
    fill, opts = _new_fill(problem)
    teams = list(problem.capacity.columns)
    excluded = set(excluded_hazards(problem).index)
    ranked = [int(i) for i in order if int(i) not in excluded]
    urgent = [i for i in urgent or () if i not in excluded]
    provinces = problem.hazards["province"].to_numpy()
    c = problem.settings.constraints
    shares = {q: c.equity_min_share.get(q, c.equity_default_share) for q in sorted(set(provinces))}
    by_province = {q: [hz for hz in ranked if provinces[hz] == q] for q, s in shares.items() if s}
    carry = 0.0
    for year in problem.years:
        money = float(problem.budget[year]) + carry
        capacity = problem.capacity.loc[year, teams].to_numpy(float).tolist()
        fill.national_spent = 0.0
        spent = fill.pass_down(urgent, year, money, capacity) if urgent else 0.0
        if envelopes:
            for q, hazards in by_province.items():
                share = min(shares[q] * money, money - spent)
                spent += fill.pass_down(hazards, year, share, capacity)
            if c.localisation_min_share > 0:
                share = c.localisation_min_share * money - fill.national_spent
                share = min(share, money - spent)
                spent += fill.pass_down(ranked, year, share, capacity, national_only=True)
        spent += fill.pass_down(ranked, year, money - spent, capacity)
        carry = money - spent if problem.settings.plan.carry_over else 0.0
    return _schedule(problem, opts, fill.picks)


def _schedule(
    problem: Problem, opts: pd.DataFrame, picks: list[tuple[int, int, int]]
) -> pd.DataFrame:
    years = problem.years
    frame = opts.iloc[[k for k, _, _ in picks]].copy()
    frame["year"] = np.array([y for _, _, y in picks], dtype=int)
    t = frame["year"].to_numpy(int) - years[0]
    weight = plan_weights(problem.settings.plan)
    value = hazard_value(problem)[frame["hazard"].to_numpy()]  # impact, or USD for npv
    frame["value"] = value * weight[t] - problem.settings.plan.environment_weight * frame[
        "env"
    ].to_numpy(float)
    frame["value"] -= option_cost_weights(problem, t) * frame["cost"].to_numpy(float)
    return schedule_from_rows(problem, frame)


def ranking_order(problem: Problem) -> np.ndarray:
    """Hazard positions in the order a ranked list is worked: locks first, then by impact."""
    h = problem.hazards
    key = pd.DataFrame({"must": h["lock"] != "must", "impact": -h["impact"], "id": h["hazard_id"]})
    return key.sort_values(["must", "impact", "id"], kind="stable").index.to_numpy()


def ranking_baseline(problem: Problem) -> pd.DataFrame:
    """The schedule of today's practice: rank by impact, fill each year down the list."""
    return fill_in_order(problem, ranking_order(problem))


def cheapest_need(problem: Problem) -> pd.DataFrame:
    """Per hazard, the money and team-days of its cheapest option (NaN without one)."""
    teams = [DAYS_PREFIX + t for t in problem.capacity.columns]
    opts = problem.options.sort_values(["hazard", "cost"], kind="stable")
    first = opts.drop_duplicates("hazard").set_index("hazard")[["cost", *teams]]
    return first.reindex(pd.RangeIndex(len(problem.hazards)))


def binding_team(problem: Problem) -> str | None:
    """The team type whose days are scarcest against what the hazards' cheapest methods
    need, when it is scarcer than money; None when money binds hardest."""
    need = cheapest_need(problem).sum()
    pressure = {"money": float(need["cost"]) / max(float(problem.budget.sum()), EPS)}
    for t in problem.capacity.columns:
        pressure[t] = float(need[DAYS_PREFIX + t]) / max(float(problem.capacity[t].sum()), EPS)
    worst = max(pressure, key=lambda k: pressure[k])
    return None if worst == "money" else worst


def deadline_hazards(problem: Problem) -> np.ndarray:
    """With a deadline, the Article 5 hazards and every hazard their access needs."""
    h = problem.hazards
    urgent = np.zeros(len(h), bool)
    if problem.settings.plan.deadline_year is None:
        return urgent
    graph = dependency_graph(h["hazard_id"], problem.dependencies)
    position = {hid: i for i, hid in enumerate(h["hazard_id"])}
    need = with_prerequisites(graph, h.loc[h["article5"], "hazard_id"])
    urgent[[position[i] for i in need]] = True
    return urgent


def _per_unit(impact: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """impact / amount; a hazard needing none of it comes first."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(amount > 0, impact / amount, np.inf)
    return np.nan_to_num(ratio, nan=-np.inf)


def ratio_order(problem: Problem, per: pd.Series, urgent: np.ndarray) -> np.ndarray:
    """Locks first, then the ``urgent`` hazards, then the rest; highest impact per unit of
    ``per`` first within each, ties (e.g. hazards needing none of a team type) broken by
    impact per dollar."""
    h = problem.hazards
    impact = h["impact"].to_numpy(float)
    key = pd.DataFrame(
        {
            "must": h["lock"] != "must",
            "urgent": ~urgent,
            "ratio": -_per_unit(impact, per.to_numpy(float)),
            "per_dollar": -_per_unit(impact, cheapest_need(problem)["cost"].to_numpy(float)),
            "id": h["hazard_id"],
        }
    )
    columns = ["must", "urgent", "ratio", "per_dollar", "id"]
    return key.sort_values(columns, kind="stable").index.to_numpy()


def simple_rule_baselines(problem: Problem) -> list[Baseline]:
    """The best simple rules (see the module docstring), each checked against every rule.

    Under a deadline, the impact-per-dollar rule is also reported with the deadline ignored:
    it usually earns more and breaks the deadline, which is why it is not the fair
    comparison (the summary says so through ``feasible``)."""
    need = cheapest_need(problem)
    rules = [("impact per dollar", need["cost"])]
    team = binding_team(problem)
    if team is not None:
        rules.append((f"impact per {team} team-day", need[DAYS_PREFIX + team]))
    urgent = deadline_hazards(problem)
    variants = [(name, per, urgent) for name, per in rules]
    if urgent.any():
        none = np.zeros(len(urgent), bool)
        variants.append(("impact per dollar, deadline ignored", need["cost"], none))
    out = []
    for name, per, first_mask in variants:
        order = ratio_order(problem, per, first_mask)
        first = [int(i) for i in order if first_mask[i]]
        schedule = fill_in_order(problem, order, envelopes=True, urgent=first)
        a5 = " (Article 5 hazards and their access first)" if first else ""
        rule = (
            f"rank by {name.removesuffix(', deadline ignored')}{a5}, locks first; fill each "
            "year's budget and team-days down the list, after setting aside each share's part "
            "of the year's money; respecting access and locks"
        )
        out.append(Baseline(name, rule, schedule, tuple(check_schedule(problem, schedule))))
    return out


def all_baselines(problem: Problem) -> list[Baseline]:
    """Today's practice first, then the best simple rules."""
    practice = ranking_baseline(problem)
    first = Baseline(PRACTICE, PRACTICE_RULE, practice, tuple(check_schedule(problem, practice)))
    return [first, *simple_rule_baselines(problem)]
