"""Apply a :class:`~prioritise.inputs.scenarios.Scenario` to a base problem, giving a new problem.

The base is never changed: every step returns new frames and settings and the result is made
with ``Problem.replace``. Steps, in order (each documented where it happens):

1. horizon (``years``): later years repeat the last year's budget and teams;
2. general budget: ``budget`` profile (:func:`prioritise.core.finance.shaped_budget`), applied
   to the project's own horizon; years added by ``years`` repeat its last year;
3. financing: + draws - repayments (:func:`prioritise.core.finance.financing_schedule`), by
   calendar year, so a longer horizon sees the repayments that fall after the project's;
4. completion fund: ``final_years`` counts back from the end of the project's own horizon;
   unconditional money is added to the budget; a conditional one, and every
   earmark, is added to the problem's budget too (B_t is the *total* money) and handed to the
   model families in :mod:`models.funding`, which hold the restricted part back;
5. teams: counts (x working days per team) and multipliers on team-days;
6. productivity: team-days of each option / multiplier, and the saved team-days' cost saved;
7. criteria weights: impact re-scored with :func:`prioritise.inputs.scoring.score_hazards`, the only
   derivation in ``build_problem`` that reads the weights (options, capacity and checks do
   not), so re-scoring the loaded hazards equals a rebuild without re-reading every file in
   every worker;
8. plan settings: deadline, discount rate, localisation and equity shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from models.funding import ConditionalTopUp, Earmark
from prioritise.core.errors import (
    Finding,
    InfeasibleError,
    ProjectError,
    ValidationReport,
    error,
    warning,
)
from prioritise.core.finance import (
    FinancingCost,
    completion_fund_amounts,
    financing_cost,
    financing_effect,
    shaped_budget,
)
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX
from prioritise.core.settings import ScoringSettings
from prioritise.inputs.checks import check_problem
from prioritise.inputs.roster import Roster, read_roster
from prioritise.inputs.scenarios import Scenario
from prioritise.inputs.scoring import score_hazards

OPERATORS = ("national", "international")


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario applied: the problem to plan, the restricted money, and the record."""

    scenario: Scenario
    problem: Problem
    earmarks: tuple[Earmark, ...] = ()
    top_up: ConditionalTopUp | None = None
    budget_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    financing: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    financing_cost: FinancingCost | None = None  # in full, after the horizon included

    @property
    def name(self) -> str:
        return self.scenario.name


def extend_horizon(problem: Problem, years: int) -> Problem:
    """The problem over ``years`` years from the same start; added years repeat the last
    year's budget and team-days (a stated assumption, printed with every extended plan)."""
    plan = problem.settings.plan
    if years == plan.years:
        return problem
    horizon = list(range(plan.start_year, plan.start_year + years))
    budget = problem.budget.reindex(horizon).ffill().rename(problem.budget.name)
    capacity = problem.capacity.reindex(horizon).ffill()
    capacity.index.name = problem.capacity.index.name
    settings = replace(problem.settings, plan=replace(plan, years=years))
    return problem.replace(settings=settings, budget=budget, capacity=capacity)


def scenario_findings(
    problem: Problem,
    scenario: Scenario,
    file: str = "scenarios.toml",
) -> list[Finding]:
    """Everything about ``scenario`` that only the project can tell (names, years, money)."""
    out: list[Finding] = []
    fail = _Fail(out, file, scenario.name)
    _team_findings(problem, scenario, fail)
    _criteria_findings(problem, scenario, fail)
    _year_findings(problem, scenario, fail)
    _earmark_findings(problem, scenario, fail)
    if not out:
        try:
            _, _, found = budget_table(problem, scenario)
            out += [replace(f, file=file) for f in found]
        except ValueError as exc:
            fail("scenario-value", "financing", f"cannot be scheduled: {exc}.")
    return out


@dataclass(frozen=True)
class _Fail:
    """Collects one error per problem found, each naming the scenario and the key."""

    out: list[Finding]
    file: str
    name: str

    def __call__(self, rule: str, key: str, message: str, fix: str = "") -> None:
        self.out.append(
            error(self.file, rule, f"scenario '{self.name}': {key} {message}", fix, ids=[self.name])
        )


def _team_findings(problem: Problem, scenario: Scenario, fail: _Fail) -> None:
    types = list(problem.capacity.columns)
    kinds = sorted(set(problem.team_types["kind"]))
    for key in ("teams", "team_multiplier"):
        for t in getattr(scenario, key):
            if t not in types:
                fail(
                    "scenario-unknown-team-type",
                    f"{key}.{t}",
                    "is not a team type of the project.",
                    f"Team types: {', '.join(types)}.",
                )
    for t in scenario.productivity:
        if t not in types and t not in kinds:
            fail(
                "scenario-unknown-team-type",
                f"productivity.{t}",
                "is neither a team type nor a kind of team.",
                f"Team types: {', '.join(types)}; kinds: {', '.join(kinds)}.",
            )


def _criteria_findings(problem: Problem, scenario: Scenario, fail: _Fail) -> None:
    criteria = problem.settings.scoring.criteria
    if scenario.weights and not criteria:
        w = next(iter(scenario.weights))
        fail(
            "scenario-weights",
            f"weights.{w}",
            "cannot apply: the project gives impact directly and declares no [scoring] criteria.",
        )
        return
    known = {c.name for c in criteria} | {c.column for c in criteria}
    for w in scenario.weights:
        if w not in known:
            fail(
                "scenario-unknown-criterion",
                f"weights.{w}",
                "is not a criterion of the project.",
                f"Criteria: {', '.join(c.name for c in criteria)}.",
            )


def _year_findings(problem: Problem, scenario: Scenario, fail: _Fail) -> None:
    """Every year a scenario names must lie in its horizon (and lock years stay in it)."""
    n_years = scenario.years or problem.settings.plan.years
    start = problem.settings.plan.start_year
    horizon = range(start, start + n_years)
    in_horizon = f"must lie in the horizon {start}-{start + n_years - 1}"
    named: list[tuple[str, object]] = []
    if scenario.budget is not None:
        named.append(("budget.per_year", scenario.budget.per_year))
        if isinstance(scenario.budget.multiplier, dict):
            named.append(("budget.multiplier", scenario.budget.multiplier))
    if scenario.financing is not None:
        named.append(("financing.draws", scenario.financing.draws))
    fund = scenario.completion_fund
    if fund is not None:
        named.append(("completion_fund.per_year", fund.per_year))
        if fund.condition_year is not None and fund.condition_year not in horizon:
            fail("scenario-year", "completion_fund.condition_year", in_horizon + ".")
    named += [(f"earmarks[{e.name}].per_year", e.per_year) for e in scenario.earmarks]
    for key, years in named:
        for y in years:  # type: ignore[attr-defined]
            if y not in horizon:
                fail("scenario-year", f"{key}.{y}", in_horizon + ".")
    d = scenario.deadline_year
    if d is not None and d is not False and d not in horizon:
        fail(
            "scenario-year",
            "deadline_year",
            f"= {d} " + in_horizon + ".",
            "Extend the horizon with years = ... or move the deadline.",
        )
    if scenario.years is not None:
        locks = problem.hazards["lock_year"].dropna()
        late = locks[~locks.isin(list(horizon))]
        if len(late):
            fail(
                "scenario-year",
                "years",
                f"= {scenario.years} leaves {len(late)} lock year(s) outside the horizon.",
            )


def _earmark_findings(problem: Problem, scenario: Scenario, fail: _Fail) -> None:
    provinces = set(problem.hazards["province"])
    methods = set(problem.options["method"])
    for e in scenario.earmarks:
        for key, values, allowed in (
            ("provinces", e.provinces, provinces),
            ("methods", e.methods, methods),
            ("operators", e.operators, set(OPERATORS)),
        ):
            for v in values:
                if v not in allowed:
                    fail(
                        "scenario-unknown-name",
                        f"earmarks[{e.name}].{key}",
                        f"names '{v}', which the project does not have.",
                        f"Known: {', '.join(sorted(map(str, allowed)))}.",
                    )


def budget_table(
    problem: Problem, scenario: Scenario
) -> tuple[pd.DataFrame, pd.DataFrame | None, list[Finding]]:
    """Per horizon year: the project's budget and each scenario adjustment, and the totals.

    Columns ``base``, ``general`` (after the profile), ``financing_draw``,
    ``financing_repayment``, ``completion_fund``, ``conditional_top_up``, ``earmarked`` and
    ``total`` (= B_t in the model). Findings: repayments that exceed the money, repayments
    left beyond the horizon.
    """
    years = extend_horizon(problem, scenario.years or problem.settings.plan.years).years
    # Profiles and final-year funds refer to the project's own horizon; added years repeat
    # its last year (so a 30% cut stays a 30% cut), a shorter horizon cuts them off.
    own = problem.budget.astype(float)
    shaped = shaped_budget(own, scenario.budget) if scenario.budget else own.copy()
    base = own.reindex(years).ffill()
    general = shaped.reindex(years).ffill()
    table = pd.DataFrame({"base": base, "general": general}, index=pd.Index(years, name="year"))
    findings: list[Finding] = []
    schedule = None
    table["financing_draw"] = 0.0
    table["financing_repayment"] = 0.0
    if scenario.financing is not None:
        terms = scenario.financing.terms(years[0])
        _, schedule = financing_effect(terms, years)
        table["financing_draw"] = schedule["draw"].reindex(years, fill_value=0.0)
        table["financing_repayment"] = schedule["repayment"].reindex(years, fill_value=0.0)
        outside = schedule.loc[schedule.index > years[-1], "repayment"].sum()
        if outside > 0:
            findings.append(
                warning(
                    "scenarios.toml",
                    "scenario-repay-beyond-horizon",
                    f"scenario '{scenario.name}': {outside:,.0f} of financing repayments fall "
                    f"after {years[-1]}, outside this plan's budgets; the comparison "
                    "charges them beside its impact-years (repayments_after_horizon_usd, "
                    "financing_net_present_cost_usd).",
                    "Extend the horizon (years = ...) to plan with them.",
                    ids=[scenario.name],
                )
            )
    fund = scenario.completion_fund
    fund_amounts: dict[int, float] = {}
    if fund is not None:
        fund_amounts = dict(fund.per_year) or completion_fund_amounts(
            float(fund.amount or 0.0), fund.final_years, problem.years
        )
    fund_series = pd.Series(fund_amounts, dtype=float).reindex(years, fill_value=0.0)
    conditional = fund is not None and fund.condition_year is not None
    table["completion_fund"] = 0.0 if conditional else fund_series
    table["conditional_top_up"] = fund_series if conditional else 0.0
    table["earmarked"] = 0.0
    for e in scenario.earmarks:
        table["earmarked"] += earmark_amounts(e.amount, e.per_year, years)
    table["total"] = (
        table["general"]
        + table["financing_draw"]
        - table["financing_repayment"]
        + table["completion_fund"]
        + table["conditional_top_up"]
        + table["earmarked"]
    )
    unrestricted = (
        table["general"]
        + table["financing_draw"]
        - table["financing_repayment"]
        + table["completion_fund"]
    )
    short = (unrestricted.cumsum() if problem.settings.plan.carry_over else unrestricted) < -1e-6
    if short.any():
        what = "cumulative budget" if problem.settings.plan.carry_over else "budget"
        findings.append(
            error(
                "scenarios.toml",
                "scenario-negative-budget",
                f"scenario '{scenario.name}': financing repayments exceed the {what} in "
                f"{', '.join(str(y) for y in short.index[short])}.",
                "Borrow less, repay over more years, or raise the later budgets.",
                ids=[scenario.name],
            )
        )
    return table, schedule, findings


def earmark_amounts(
    amount: float | None, per_year: Mapping[int, float], years: list[int]
) -> pd.Series:
    """An earmark's money per horizon year (``amount`` every year, or ``per_year``)."""
    if amount is not None:
        return pd.Series(float(amount), index=pd.Index(years, name="year"))
    return pd.Series(per_year, dtype=float).reindex(years, fill_value=0.0)


def apply_scenario(
    problem: Problem, scenario: Scenario, roster: Roster | None = None, file: str = "scenarios.toml"
) -> PreparedScenario:
    """A new problem with the scenario's overrides; raises ProjectError if any is invalid."""
    findings = scenario_findings(problem, scenario, file)
    report = ValidationReport(findings)
    if report.errors:
        raise ProjectError(report)
    notes = [f.render() for f in report.warnings]
    p = extend_horizon(problem, scenario.years or problem.settings.plan.years)
    if scenario.years and scenario.years > problem.settings.plan.years:
        notes.append(
            f"horizon extended to {scenario.years} years; years after "
            f"{problem.years[-1]} repeat its budget and teams"
        )
    table, schedule, _ = budget_table(problem, scenario)
    years = p.years
    earmarks = tuple(
        Earmark(
            e.name,
            earmark_amounts(e.amount, e.per_year, years).to_dict(),
            e.provinces,
            e.methods,
            e.operators,
        )
        for e in scenario.earmarks
    )
    fund = scenario.completion_fund
    top_up = None
    if fund is not None and fund.condition_year is not None:
        top_up = ConditionalTopUp(table["conditional_top_up"].to_dict(), fund.condition_year)
    budget = table["total"].rename(problem.budget.name)
    capacity = _capacity(p, scenario, roster)
    options = _productivity(p, scenario)
    hazards, contributions, scoring = _rescore(p, scenario)
    s = p.settings
    plan = s.plan
    if scenario.deadline_year is False:
        plan = replace(plan, deadline_year=None)
    elif scenario.deadline_year is not None:
        plan = replace(plan, deadline_year=int(scenario.deadline_year))
    if scenario.discount_rate is not None:
        plan = replace(plan, discount_rate=float(scenario.discount_rate))
    constraints = s.constraints
    if scenario.localisation_min_share is not None:
        constraints = replace(
            constraints, localisation_min_share=float(scenario.localisation_min_share)
        )
    if scenario.equity_min_share is not None:
        constraints = replace(constraints, equity_default_share=float(scenario.equity_min_share))
    settings = replace(s, plan=plan, constraints=constraints, scoring=scoring)
    new = p.replace(
        settings=settings,
        budget=budget,
        capacity=capacity,
        options=options,
        hazards=hazards,
        contributions=contributions,
    )
    _raise_on_check_errors(new, scenario, file)
    cost = financing_cost(schedule, years, plan.discount_rate) if schedule is not None else None
    return PreparedScenario(scenario, new, earmarks, top_up, table, schedule, tuple(notes), cost)


# Loader checks whose failure proves that no plan exists (rather than a mistyped input).
RESOURCE_RULES = {
    "deadline-over-budget",
    "deadline-no-method",
    "lock-over-budget",
    "lock-no-method",
}


def _raise_on_check_errors(problem: Problem, scenario: Scenario, file: str) -> None:
    """The loader's quick checks on the new problem, so a hopeless scenario fails in
    milliseconds with the reason instead of in a long solve: a deadline or lock the money
    can never meet is infeasible (InfeasibleError); anything else is invalid (ProjectError)."""

    errors = [f for f in check_problem(problem) if f.severity == "error"]
    invalid = [f for f in errors if f.rule not in RESOURCE_RULES]
    if invalid:
        report = ValidationReport(
            [
                replace(f, file=file, message=f"scenario '{scenario.name}': {f.message}")
                for f in invalid
            ]
        )
        raise ProjectError(report)
    if errors:
        raise InfeasibleError(
            f"scenario '{scenario.name}': " + " ".join(f.message for f in errors),
            [f.fix for f in errors if f.fix],
        )


def _capacity(problem: Problem, scenario: Scenario, roster: Roster | None) -> pd.DataFrame:
    """Team-days per year and type: counts x days per team, then multipliers."""
    capacity = problem.capacity.copy()
    if scenario.teams:
        r = (roster or read_roster(problem)).extend(problem.years)
        for t, n in scenario.teams.items():
            capacity[t] = n * r.days_per_team[t]
    for t, m in scenario.team_multiplier.items():
        capacity[t] = capacity[t] * m
    return capacity


def productivity_by_type(problem: Problem, multipliers: Mapping[str, float]) -> pd.Series:
    """Multiplier per team type; a team type's own entry wins over its kind's."""
    types = problem.team_types.set_index("team_type")
    m = dict(multipliers)
    by_kind = types["kind"].map(lambda k: m.get(k, 1.0))
    own = pd.Series({t: v for t, v in m.items() if t in types.index}, dtype=float)
    return own.reindex(types.index).fillna(by_kind).astype(float)


def _productivity(problem: Problem, scenario: Scenario) -> pd.DataFrame:
    """Team-days / multiplier; cost less the saved team-days at the type's cost per day."""
    if not scenario.productivity:
        return problem.options
    factor = productivity_by_type(problem, scenario.productivity)
    return scale_option_days(problem, problem.options, factor)


def scale_option_days(
    problem: Problem,
    options: pd.DataFrame,
    factor: pd.Series,
) -> pd.DataFrame:
    """Options with ``days_<type>`` divided by ``factor[type]`` and their cost adjusted by
    the team-days saved (or added) at that type's cost per team-day."""
    out = options.copy()
    rate = problem.team_types.set_index("team_type")["cost_per_day"].fillna(0.0)
    cols = [DAYS_PREFIX + t for t in factor.index]
    days = out[cols].to_numpy(float)
    new_days = days / factor.to_numpy(float)[None, :]
    out[cols] = new_days
    delta = (new_days - days) @ rate.reindex(factor.index).to_numpy(float)
    out["cost"] = np.maximum(out["cost"].to_numpy(float) + delta, 0.0)
    return out


def _rescore(
    problem: Problem, scenario: Scenario
) -> tuple[pd.DataFrame, pd.DataFrame, ScoringSettings]:
    scoring = problem.settings.scoring
    if not scenario.weights:
        return problem.hazards, problem.contributions, scoring
    criteria = tuple(
        replace(
            c, weight=float(scenario.weights.get(c.name, scenario.weights.get(c.column, c.weight)))
        )
        for c in scoring.criteria
    )
    if sum(c.weight for c in criteria) <= 0:
        report = ValidationReport(
            [
                error(
                    "scenarios.toml",
                    "scenario-weights",
                    f"scenario '{scenario.name}': weights are all zero.",
                    ids=[scenario.name],
                )
            ]
        )
        raise ProjectError(report)
    scoring = replace(scoring, criteria=criteria)
    impact, contributions, _ = score_hazards(
        problem.hazards, scoring, problem.settings.data.hazards.name
    )
    hazards = problem.hazards.assign(impact=impact.to_numpy())
    contributions.insert(0, "hazard_id", hazards["hazard_id"].to_numpy())
    return hazards, contributions.reset_index(drop=True), scoring
