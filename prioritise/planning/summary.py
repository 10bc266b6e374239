"""The plan's figures as a typed value, and ``summary.json`` as its ``to_dict()``.

Every reader (terminal, report, workbook, scenario comparison, outlook) reads attributes, so
a renamed figure fails in mypy rather than at a minister's briefing; ``to_dict()`` keeps the
keys and meanings ``summary.json`` has always had, so earlier outputs stay readable.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd

from models.baseline import PRACTICE_RULE, Baseline
from models.eligibility import plan_weights
from models.solution import Solution, check_schedule
from models.solvers import SolverOptions
from models.workplan import BuiltModel
from prioritise.core.problem import Problem, impact_known, unscored
from prioritise.core.schema import DAYS_PREFIX
from prioritise.planning.economics import EconomicSummary, ValueForMoney, economic_summary

BASELINE_METHOD = PRACTICE_RULE


@dataclass(frozen=True)
class ModelSize:
    variables: int
    constraints: int
    nonzeros: int


@dataclass(frozen=True)
class HazardCounts:
    total: int
    scheduled: int
    unscheduled: int


@dataclass(frozen=True)
class Totals:
    """Whole-horizon totals of a plan (areas in m², money in USD)."""

    area_m2: float
    released_m2: float
    remaining_area_m2: float
    cost_usd: float
    budget_usd: float
    beneficiaries: float
    national_share_of_cost: float | None  # None when nothing is spent


@dataclass(frozen=True)
class Article5Status:
    """Where the treaty hazards stand in a schedule."""

    hazards: int
    scheduled: int
    area_m2: float
    completion_year: int | None  # None unless every Article 5 hazard is done
    deadline_year: int | None
    meets_deadline: bool | None  # None without a deadline or without Article 5 hazards


@dataclass(frozen=True)
class YearTotals:
    """One year of a schedule, with the budget and team-days available beside what it uses."""

    year: int
    hazards: int
    released_m2: float
    cleared_m2: float
    reduced_m2: float
    cancelled_m2: float
    cost_usd: float
    budget_usd: float
    remaining_area_m2: float
    team_days: dict[str, float]
    team_days_available: dict[str, float]


@dataclass(frozen=True)
class BaselineSummary:
    """Today's practice (the ranking baseline), reported beside the plan."""

    method: str
    objective: float
    impact_years: float
    scheduled: int
    cost_usd: float
    released_m2: float
    article5: Article5Status
    rule_violations: tuple[str, ...]  # the first 20
    per_year: tuple[YearTotals, ...]
    economics: ValueForMoney | None = None  # None when no hazard has a benefit figure


@dataclass(frozen=True)
class BaselineFigures:
    """One baseline in ``summary.json``'s ``baselines``: what it earns, spends, and breaks."""

    name: str
    rule: str
    objective: float  # impact-years minus the weighted environmental term
    impact_years: float
    environmental_score: float
    spent_usd: float
    scheduled: int
    released_m2: float
    feasible: bool  # keeps every rule: budgets, teams, access, locks, deadline, shares
    meets_deadline: bool | None
    rule_violations: tuple[str, ...]  # the first 20
    rule_violations_count: int


@dataclass(frozen=True)
class Uplift:
    """The plan's gain over the strongest baseline that keeps every rule.

    Both differences compare like with like: impact-years with impact-years, objective with
    objective. ``baseline`` is None when no baseline keeps every rule."""

    baseline: str | None
    impact_years: float | None
    percent: float | None  # of the baseline's impact-years
    objective: float | None
    objective_percent: float | None
    why: str


@dataclass(frozen=True)
class LpRelaxation:
    status: str
    objective: float | None
    seconds: float


@dataclass(frozen=True)
class PlanSummary:
    """Status, figures, totals and the baseline of one plan: what ``summary.json`` holds."""

    project: str
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    solve_seconds: float
    build_seconds: float
    solver: str
    solver_message: str
    time_limit: float
    gap_target: float
    formulation: str
    model: ModelSize
    impact_years: float
    environmental_score: float
    environment_weight: float
    discount_rate: float
    start_year: int
    end_year: int
    hazards: HazardCounts
    totals: Totals
    article5: Article5Status
    per_year: tuple[YearTotals, ...]
    baseline: BaselineSummary
    uplift_impact_years: float | None
    uplift_percent: float | None
    warnings: tuple[str, ...]
    lp_relaxation: LpRelaxation | None = None
    # The optimiser's method and phases (models/optimiser.py); absent when None.
    optimiser: dict[str, Any] | None = None
    baselines: tuple[BaselineFigures, ...] = ()
    uplift: Uplift | None = None
    record: dict[str, Any] | None = None  # inputs, settings, versions: see planning/record.py
    # Set by the layers above planning; absent from summary.json when None.
    scenario: dict[str, Any] | None = field(default=None)
    uncertainty: dict[str, Any] | None = field(default=None)
    # NPV, PV of benefits and costs, BCR (plan, province, year); None without any benefit.
    economics: EconomicSummary | None = None
    # What objective, best_bound, the baseline's objective and the uplift are counted in.
    objective_unit: str = "impact-years"
    # NPV plans may leave impact out: scheduled hazards without an impact score (counted as
    # nothing in impact-years), and whether any hazard has one (if not, impact-years are
    # unknown and summary.json says null, never 0).
    impact_unscored_scheduled: int = 0
    impact_known: bool = True

    def to_dict(self) -> dict[str, Any]:
        """``summary.json``'s content: the same keys, order and meanings as ever."""
        out = _lists(asdict(self))
        optional = ("lp_relaxation", "optimiser", "uplift", "record", "scenario", "uncertainty")
        for key in (*optional, "economics"):
            if out[key] is None:
                del out[key]
        if not self.impact_known:  # no hazard has an impact score: unknown, not 0
            out["impact_years"] = None
            out["baseline"]["impact_years"] = None
            for b in out["baselines"]:
                b["impact_years"] = None
            if "uplift" in out:
                out["uplift"]["impact_years"] = out["uplift"]["percent"] = None
        return out


def _lists(value: Any) -> Any:
    """Tuples become lists, so ``to_dict()`` equals what ``json.loads`` gives back."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def impact_years(problem: Problem, schedule: pd.DataFrame) -> float:
    """Sum of I_h w_t over a schedule (the objective without the environmental term)."""
    w = plan_weights(problem.settings.plan)
    t = schedule["year"].to_numpy(int) - problem.years[0]
    return float((problem.hazards["impact"].to_numpy(float)[schedule["hazard"]] * w[t]).sum())


def article5_status(problem: Problem, schedule: pd.DataFrame) -> Article5Status:
    h = problem.hazards
    a5 = h.index[h["article5"]]
    deadline = problem.settings.plan.deadline_year
    year_of = schedule.set_index("hazard")["year"]
    done = year_of.reindex(a5)
    complete = len(a5) > 0 and done.notna().all()
    completion = int(done.max()) if complete else None
    return Article5Status(
        hazards=len(a5),
        scheduled=int(done.notna().sum()),
        area_m2=float(h.loc[a5, "area_m2"].sum()),
        completion_year=completion,
        deadline_year=deadline,
        meets_deadline=(
            None
            if deadline is None or not len(a5)
            else bool(complete and completion is not None and completion <= deadline)
        ),
    )


def per_year_totals(problem: Problem, schedule: pd.DataFrame) -> tuple[YearTotals, ...]:
    """Area, cost and team-days by year, with the budget and capacity beside them."""
    rows = []
    remaining = float(problem.hazards["area_m2"].fillna(0).sum())
    for year in problem.years:
        s = schedule[schedule["year"] == year]
        remaining -= float(s["released_m2"].sum())
        rows.append(
            YearTotals(
                year=year,
                hazards=len(s),
                released_m2=round(float(s["released_m2"].sum()), 1),
                cleared_m2=round(float(s["cleared_m2"].sum()), 1),
                reduced_m2=round(float(s["reduced_m2"].sum()), 1),
                cancelled_m2=round(float(s["cancelled_m2"].sum()), 1),
                cost_usd=round(float(s["cost"].sum()), 2),
                budget_usd=round(float(problem.budget[year]), 2),
                remaining_area_m2=round(max(remaining, 0.0), 1),
                team_days={
                    t: round(float(s[DAYS_PREFIX + t].sum()), 1)
                    for t in problem.capacity.columns
                    if DAYS_PREFIX + t in s
                },
                team_days_available={
                    t: round(float(problem.capacity.loc[year, t]), 1)
                    for t in problem.capacity.columns
                },
            )
        )
    return tuple(rows)


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def plan_totals(problem: Problem, schedule: pd.DataFrame) -> Totals:
    h = problem.hazards
    s = schedule
    total_area = float(h["area_m2"].fillna(0).sum())
    released = float(s["released_m2"].sum())
    return Totals(
        area_m2=round(total_area, 1),
        released_m2=round(released, 1),
        remaining_area_m2=round(max(total_area - released, 0.0), 1),
        cost_usd=round(float(s["cost"].sum()), 2),
        budget_usd=round(float(problem.budget.sum()), 2),
        beneficiaries=float(h["beneficiaries"].to_numpy()[s["hazard"]].sum()),
        national_share_of_cost=(
            round(float(s.loc[s["operator"] == "national", "cost"].sum() / s["cost"].sum()), 4)
            if s["cost"].sum() > 0
            else None
        ),
    )


def baseline_summary(problem: Problem, baseline: pd.DataFrame) -> BaselineSummary:
    return BaselineSummary(
        method=BASELINE_METHOD,
        objective=round(float(baseline["value"].sum()), 6),
        impact_years=round(impact_years(problem, baseline), 6),
        scheduled=len(baseline),
        cost_usd=round(float(baseline["cost"].sum()), 2),
        released_m2=round(float(baseline["released_m2"].sum()), 1),
        article5=article5_status(problem, baseline),
        rule_violations=tuple(check_schedule(problem, baseline)[:20]),
        per_year=per_year_totals(problem, baseline),
        economics=_plan_economics(problem, baseline),
    )


def _plan_economics(problem: Problem, schedule: pd.DataFrame) -> ValueForMoney | None:
    found = economic_summary(problem, schedule)
    return None if found is None else found.plan


def build_summary(
    problem: Problem,
    solution: Solution,
    baseline: pd.DataFrame,
    options: SolverOptions,
    built: BuiltModel,
) -> PlanSummary:
    s = solution.schedule
    base_value = float(baseline["value"].sum())
    objective = _finite(solution.objective)
    h = problem.hazards
    return PlanSummary(
        project=problem.settings.name,
        status=str(solution.status),
        objective=objective,
        best_bound=_finite(solution.best_bound),
        gap=_finite(solution.gap),
        solve_seconds=round(solution.solve_seconds, 3),
        build_seconds=round(solution.build_seconds, 3),
        solver=solution.solver,
        solver_message=solution.message,
        time_limit=options.time_limit,
        gap_target=options.gap,
        formulation=built.formulation,
        model=ModelSize(solution.n_variables, solution.n_constraints, solution.n_nonzeros),
        impact_years=round(impact_years(problem, s), 6),
        environmental_score=round(float(s["env"].sum()), 6),
        environment_weight=problem.settings.plan.environment_weight,
        discount_rate=problem.settings.plan.discount_rate,
        start_year=problem.years[0],
        end_year=problem.years[-1],
        hazards=HazardCounts(len(h), len(s), int(len(h) - len(s))),
        totals=plan_totals(problem, s),
        article5=article5_status(problem, s),
        per_year=per_year_totals(problem, s),
        baseline=baseline_summary(problem, baseline),
        uplift_impact_years=(round(objective - base_value, 6) if objective is not None else None),
        uplift_percent=(
            round(100 * (objective - base_value) / base_value, 3)
            if objective is not None and base_value > 0
            else None
        ),
        warnings=tuple(f.render() for f in problem.findings if f.severity == "warning"),
        economics=economic_summary(problem, s),
        objective_unit=(
            "USD (NPV)" if problem.settings.plan.objective == "npv" else "impact-years"
        ),
        impact_unscored_scheduled=int(unscored(problem)[s["hazard"].to_numpy(int)].sum()),
        impact_known=impact_known(problem),
    )


def environmental_score(schedule: pd.DataFrame) -> float:
    return float(schedule["env"].sum())


def objective_of(problem: Problem, schedule: pd.DataFrame) -> float:
    """Impact-years minus the weighted environmental term: what the optimiser maximises."""
    weight = problem.settings.plan.environment_weight
    return impact_years(problem, schedule) - weight * environmental_score(schedule)


def baseline_figures(problem: Problem, baseline: Baseline) -> BaselineFigures:
    b = baseline.schedule
    return BaselineFigures(
        name=baseline.name,
        rule=baseline.rule,
        objective=round(objective_of(problem, b), 6),
        impact_years=round(impact_years(problem, b), 6),
        environmental_score=round(environmental_score(b), 6),
        spent_usd=round(float(b["cost"].sum()), 2),
        scheduled=len(b),
        released_m2=round(float(b["released_m2"].sum()), 1),
        feasible=baseline.feasible,
        meets_deadline=article5_status(problem, b).meets_deadline,
        rule_violations=baseline.violations[:20],
        rule_violations_count=len(baseline.violations),
    )


def _percent(gain: float, of: float) -> float | None:
    return round(100 * gain / of, 3) if of > 0 else None


def uplift_over(summary: PlanSummary, baselines: tuple[BaselineFigures, ...]) -> Uplift:
    """Against the baseline with the most impact-years among those that keep every rule."""
    fair = [b for b in baselines if b.feasible]
    if not fair:
        return Uplift(None, None, None, None, None, "no baseline keeps every rule")
    best = max(fair, key=lambda b: (b.impact_years, b.objective))
    gain = round(summary.impact_years - best.impact_years, 6)
    gain_objective = (
        round(summary.objective - best.objective, 6) if summary.objective is not None else None
    )
    return Uplift(
        baseline=best.name,
        impact_years=gain,
        percent=_percent(gain, best.impact_years),
        objective=gain_objective,
        objective_percent=(
            _percent(gain_objective, best.objective) if gain_objective is not None else None
        ),
        why=(
            "the strongest baseline that keeps every rule the plan keeps (budgets, team-days, "
            "access, locks, the deadline and the shares)"
        ),
    )


def with_baselines(
    summary: PlanSummary, problem: Problem, baselines: list[Baseline]
) -> PlanSummary:
    """The summary with every baseline's figures and the uplift over the strongest fair one."""
    figures = tuple(baseline_figures(problem, b) for b in baselines)
    return replace(summary, baselines=figures, uplift=uplift_over(summary, figures))
