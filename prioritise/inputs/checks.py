"""Cross-table checks that need the derived problem: locks, deadline and shares vs resources.

These catch plans that cannot exist before a solver is asked, and say why in terms of the
input ("the must-do locks of 2028 need at least $4.1m; the 2028 budget is $3.0m").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from prioritise.core.errors import Finding, error, warning
from prioritise.core.graph import dependency_graph, with_prerequisites
from prioritise.core.schema import DAYS_PREFIX

if TYPE_CHECKING:
    from prioritise.core.problem import Problem


def cheapest_options(problem: Problem) -> pd.DataFrame:
    """Per hazard (indexed by position) its cheapest option's cost and team-days."""
    opts = problem.options.sort_values(["hazard", "cost"], kind="stable")
    return opts.drop_duplicates("hazard").set_index("hazard")


def check_problem(problem: Problem) -> list[Finding]:
    findings: list[Finding] = []
    findings += _check_lock_precedence(problem)
    findings += _check_lock_resources(problem)
    findings += _check_deadline_resources(problem)
    findings += _check_shares(problem)
    findings += _check_ranges(problem)
    return findings


def _money(x: float) -> str:
    return f"${x / 1e6:,.2f}m" if abs(x) >= 1e5 else f"${x:,.0f}"


def _check_lock_precedence(problem: Problem) -> list[Finding]:
    findings: list[Finding] = []
    h = problem.hazards
    file = problem.settings.data.hazards.name
    lock = h.set_index("hazard_id")["lock"]
    year = h.set_index("hazard_id")["lock_year"]
    deps = problem.dependencies
    if deps.empty:
        return findings
    need = deps.assign(
        lock_h=lock.reindex(deps["hazard_id"]).to_numpy(),
        lock_r=lock.reindex(deps["requires"]).to_numpy(),
        year_h=year.reindex(deps["hazard_id"]).to_numpy(),
        year_r=year.reindex(deps["requires"]).to_numpy(),
    )
    barred = need[(need["lock_h"] == "must") & (need["lock_r"] == "must_not")]
    if len(barred):
        findings.append(
            error(
                file,
                "lock-vs-access",
                "Hazards locked 'must' require hazards "
                "locked 'must_not', so they can never be reached: "
                + ", ".join(
                    f"{a} needs {b}"
                    for a, b in list(zip(barred["hazard_id"], barred["requires"], strict=True))[:5]
                )
                + ".",
                "Unlock one side or remove the dependency.",
                barred["hazard_id"],
            )
        )
    order = need[
        (need["lock_h"] == "must") & (need["lock_r"] == "must") & (need["year_r"] > need["year_h"])
    ]
    if len(order):
        findings.append(
            error(
                file,
                "lock-order",
                "Locked years contradict access: "
                + ", ".join(
                    f"{a} ({int(ya)}) needs {b} ({int(yb)})"
                    for a, b, ya, yb in list(
                        zip(
                            order["hazard_id"],
                            order["requires"],
                            order["year_h"],
                            order["year_r"],
                            strict=True,
                        )
                    )[:5]
                )
                + ".",
                "Lock the required hazard to the same year or earlier.",
                order["hazard_id"],
            )
        )
    return findings


def _required_set(problem: Problem, mask: pd.Series) -> np.ndarray:
    """Positions of the masked hazards plus every hazard they need (transitively)."""
    ids = problem.hazards["hazard_id"]
    graph = dependency_graph(ids, problem.dependencies)
    needed = with_prerequisites(graph, ids[mask])
    return np.flatnonzero(ids.isin(needed).to_numpy())


def _check_lock_resources(problem: Problem) -> list[Finding]:
    findings: list[Finding] = []
    h = problem.hazards
    file = problem.settings.data.hazards.name
    must = h["lock"] == "must"
    if not must.any():
        return findings
    cheap = cheapest_options(problem)
    no_option = must & ~h.index.isin(cheap.index)
    if no_option.any():
        findings.append(
            error(
                file,
                "lock-no-method",
                "Hazards locked 'must' have no method that can release them.",
                "Check methods and teams.",
                h.loc[no_option, "hazard_id"],
            )
        )
    dated = h[must & h["lock_year"].notna() & h.index.isin(cheap.index)]
    if len(dated):
        need = cheap.loc[dated.index, "cost"].groupby(dated["lock_year"].astype(int)).sum()
        budget = problem.budget
        carry = problem.settings.plan.carry_over
        available = budget.cumsum() if carry else budget
        short = need[need > available.reindex(need.index).fillna(0) + 1e-6]
        for y, cost in short.items():
            findings.append(
                error(
                    file,
                    "lock-over-budget",
                    f"Hazards locked to {y} cost at least {_money(cost)} "
                    f"with their cheapest methods; {y} has {_money(float(available[y]))}"
                    f"{' (with carry-over)' if carry else ''}.",
                    f"Raise the {y} budget or move locks to other years.",
                    dated.loc[dated["lock_year"] == y, "hazard_id"],
                )
            )
        days_cols = [c for c in cheap.columns if c.startswith(DAYS_PREFIX)]
        for col in days_cols:
            team = col[len(DAYS_PREFIX) :]
            need_days = cheap.loc[dated.index, col].groupby(dated["lock_year"].astype(int)).sum()
            cap = problem.capacity.get(team, None)
            if cap is None:
                continue
            over = need_days[need_days > cap.reindex(need_days.index).fillna(0) + 1e-6]
            for y, days in over.items():
                findings.append(
                    warning(
                        file,
                        "lock-over-capacity",
                        f"Hazards locked to {y} need about {days:,.0f} "
                        f"{team} team-days with their cheapest methods; {y} has {cap[y]:,.0f}.",
                        "Another method may fit; otherwise add teams or move locks.",
                        dated.loc[dated["lock_year"] == y, "hazard_id"],
                    )
                )
    total = cheap.loc[cheap.index.intersection(h.index[must]), "cost"].sum()
    if total > problem.budget.sum() + 1e-6:
        findings.append(
            error(
                file,
                "lock-over-budget",
                f"All 'must' locks together cost at least "
                f"{_money(total)}, more than the whole budget "
                f"{_money(problem.budget.sum())}.",
                "Raise budgets or drop locks.",
            )
        )
    return findings


def _check_deadline_resources(problem: Problem) -> list[Finding]:
    deadline = problem.settings.plan.deadline_year
    h = problem.hazards
    file = problem.settings.data.hazards.name
    if deadline is None or not h["article5"].any():
        return []
    findings: list[Finding] = []
    needed = _required_set(problem, h["article5"])
    cheap = cheapest_options(problem)
    unreleasable = np.setdiff1d(needed, cheap.index)
    if len(unreleasable):
        findings.append(
            error(
                file,
                "deadline-no-method",
                "Article 5 hazards (or hazards they "
                "need for access) have no method that can release them, so the "
                "deadline cannot be met.",
                "Check methods and teams.",
                h.loc[unreleasable, "hazard_id"],
            )
        )
        return findings
    cost = cheap.loc[needed, "cost"].sum()
    budget = problem.budget[problem.budget.index <= deadline].sum()
    if cost > budget + 1e-6:
        findings.append(
            error(
                file,
                "deadline-over-budget",
                f"Completing every Article 5 hazard by {deadline} needs "
                f"at least {_money(cost)} (cheapest methods, including hazards on their access "
                f"routes); the budgets up to {deadline} total {_money(budget)}.",
                "Raise budgets, move the deadline, or run `prioritise deadline` to see what it "
                "would take.",
            )
        )
    return findings


def _check_shares(problem: Problem) -> list[Finding]:
    findings: list[Finding] = []
    c = problem.settings.constraints
    h = problem.hazards
    provinces = sorted(h["province"].dropna().unique())
    unknown = sorted(set(c.equity_min_share) - set(provinces))
    if unknown:
        findings.append(
            error(
                "project TOML",
                "equity-unknown-province",
                f"[constraints.equity] names provinces not in the hazards: {', '.join(unknown)}.",
                f"Provinces are: {', '.join(provinces)}.",
            )
        )
    if c.equity_default_share * len(provinces) > 1 + 1e-9:
        findings.append(
            error(
                "project TOML",
                "equity-share",
                f"min_share {c.equity_default_share}"
                f" for each of {len(provinces)} provinces adds up to more than 100%.",
                "Lower the share.",
            )
        )
    if c.localisation_min_share > 0 and not (problem.options["operator"] == "national").any():
        findings.append(
            error(
                "project TOML",
                "localisation-impossible",
                "A national share is required but no method can be delivered by national teams.",
                "Add national team types or drop the constraint.",
            )
        )
    if c.equity_default_share > 0 or c.equity_min_share:
        cheap = cheapest_options(problem)
        total = problem.budget.sum()
        by_province = cheap["cost"].groupby(h.loc[cheap.index, "province"]).sum()
        for p in provinces:
            share = c.equity_min_share.get(p, c.equity_default_share)
            if share > 0 and by_province.get(p, 0.0) < share * total:
                findings.append(
                    warning(
                        "project TOML",
                        "equity-small-province",
                        f"{p} holds work worth about {_money(by_province.get(p, 0.0))}, less than "
                        f"{share:.0%} of the whole budget; its share can only be met by spending "
                        "less elsewhere.",
                        "Lower its share if that is not intended.",
                    )
                )
    return findings


def _check_ranges(problem: Problem) -> list[Finding]:
    findings: list[Finding] = []
    file = problem.settings.data.hazards.name
    if (problem.budget <= 0).all():
        findings.append(
            warning(
                problem.settings.data.budget.name,
                "budget-zero",
                "Every year's budget is 0: nothing can be scheduled.",
                "Fill budget_usd.",
            )
        )
    if (problem.capacity.sum() <= 0).all():
        findings.append(
            warning(
                problem.settings.data.teams.name,
                "capacity-zero",
                "No team type has any team-days.",
                "Fill teams and days.",
            )
        )
    big = problem.options["cost"] > 1e9
    if big.any():
        ids = problem.hazards.loc[problem.options.loc[big, "hazard"].unique(), "hazard_id"]
        findings.append(
            warning(
                file,
                "cost-huge",
                "Options cost more than $1bn; check units (m² vs ha, USD vs thousands).",
                "Correct areas or costs.",
                ids,
            )
        )
    zero_impact = problem.hazards["impact"] <= 0
    if zero_impact.all() and len(zero_impact):
        findings.append(
            warning(
                file,
                "impact-zero",
                "Every hazard has impact 0: the optimiser has nothing to maximise.",
                "Check impact or criteria.",
            )
        )
    return findings
