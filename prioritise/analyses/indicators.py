"""Reporting indicators and value-for-money tables, computed once as DataFrames.

The HTML report and the Excel workbook both read these frames, so a figure in one always
equals the same figure in the other. Every table is computed for the optimised plan and the
ranking baseline alike, because a number is only meaningful next to what current practice
would have achieved with the same money and teams.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models.eligibility import plan_weights
from prioritise.analyses.economics import (
    article5_measures,
    benefit_per_usd,
    casualty_measures,
    valued,
    with_values,
)
from prioritise.core.problem import Problem, impact_known, unscored
from prioritise.core.schema import DAYS_PREFIX
from prioritise.planning.economics import economic_summary

if TYPE_CHECKING:
    from models.duals import Relaxation
    from prioritise.planning.planner import PlanResult

PLANS = ("optimised", "baseline")
SADD = ("women", "men", "girls", "boys")
AREA_COLUMNS = ("cancelled_m2", "reduced_m2", "cleared_m2", "released_m2")


def sadd_columns(problem: Problem) -> list[str]:
    """The sex/age beneficiary columns that carry data (empty when none do)."""
    cols = [f"beneficiaries_{g}" for g in SADD]
    h = problem.hazards
    present = [c for c in cols if c in h.columns and h[c].notna().any()]
    return present if len(present) == len(cols) else []


def team_days_columns(problem: Problem) -> list[str]:
    return [DAYS_PREFIX + t for t in problem.capacity.columns]


def enrich(problem: Problem, schedule: pd.DataFrame) -> pd.DataFrame:
    """A schedule with the hazard facts reports group by (province, beneficiaries, ...).

    ``impact_years`` is I_h w_t (the objective without the environmental term), the same
    quantity summary.json's ``impact_years`` adds up; NaN for a hazard without an impact score
    (an NPV plan's), which every sum leaves out and a project with no score shows as unknown.
    """
    h = problem.hazards
    pos = schedule["hazard"].to_numpy(int)
    out = schedule.copy()
    for col in ("province", "district", "name", "article5", "area_m2", "hazard_class"):
        out[col] = h[col].to_numpy()[pos]
    out["beneficiaries"] = h["beneficiaries"].to_numpy(float)[pos]
    for col in sadd_columns(problem):
        out[col] = h[col].to_numpy(float)[pos]
    w = plan_weights(problem.settings.plan)
    t = out["year"].to_numpy(int) - problem.years[0]
    impact = np.where(unscored(problem), np.nan, h["impact"].to_numpy(float))
    out["impact_years"] = impact[pos] * w[t] if len(out) else 0.0
    days = [c for c in team_days_columns(problem) if c in out.columns]
    out["team_days"] = out[days].sum(axis=1) if days else 0.0
    rate = problem.team_types.set_index("team_type")["cost_per_day"].astype(float)
    input_cost = np.zeros(len(out))
    unknown = np.zeros(len(out), bool)
    for c in days:
        d = out[c].to_numpy(float)
        r = float(rate.get(c[len(DAYS_PREFIX) :], np.nan))
        if np.isnan(r):
            unknown |= d > 0
        else:
            input_cost += d * r
    out["input_rate_cost"] = np.where(unknown, np.nan, input_cost)
    return out


def reporting_indicators(problem: Problem, schedule: pd.DataFrame) -> pd.DataFrame:
    """The minimum indicators, the same every year (Article 7 / extension-request style)."""
    e = enrich(problem, schedule)
    years = pd.Index(problem.years, name="year")
    g = e.groupby("year")
    out = pd.DataFrame(index=years)
    out["hazards"] = g.size().reindex(years, fill_value=0).astype(int)
    for col in AREA_COLUMNS:
        out[col] = g[col].sum().reindex(years, fill_value=0.0)
    out["cost_usd"] = g["cost"].sum().reindex(years, fill_value=0.0)
    out["budget_usd"] = problem.budget.reindex(years).to_numpy(float)
    out["cost_per_m2_released"] = (out["cost_usd"] / out["released_m2"]).where(
        out["released_m2"] > 0
    )
    out["beneficiaries"] = g["beneficiaries"].sum().reindex(years, fill_value=0.0)
    for col in sadd_columns(problem):
        out[col] = g[col].sum().reindex(years, fill_value=0.0)
    national = e[e["operator"] == "national"].groupby("year")["cost"].sum()
    out["national_share_of_cost"] = (
        national.reindex(years, fill_value=0.0) / out["cost_usd"]
    ).where(out["cost_usd"] > 0)
    out["environmental_score"] = g["env"].sum().reindex(years, fill_value=0.0)
    out["impact_years"] = g["impact_years"].sum().reindex(years, fill_value=0.0)
    if not impact_known(problem):
        out["impact_years"] = np.nan  # no hazard has a score: unknown, not 0
    total = float(problem.hazards["area_m2"].fillna(0).sum())
    out["remaining_area_m2"] = np.maximum(total - out["released_m2"].cumsum(), 0.0)
    return out.reset_index()


def kpi_total_columns(kpis: pd.DataFrame) -> list[str]:
    """The reporting-indicator columns summed in a total row (the report's and workbook's)."""
    summed = (
        "hazards",
        "cancelled_m2",
        "reduced_m2",
        "cleared_m2",
        "released_m2",
        "cost_usd",
        "budget_usd",
        "beneficiaries",
        "beneficiaries_women",
        "beneficiaries_men",
        "beneficiaries_girls",
        "beneficiaries_boys",
        "environmental_score",
        "impact_years",
    )
    return [c for c in summed if c in kpis]


def team_days(problem: Problem, plan: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Team-days used (plan and baseline) against those available, by team type and year."""
    rows = []
    for team in problem.capacity.columns:
        col = DAYS_PREFIX + team
        for year in problem.years:
            used = {
                name: float(s.loc[s["year"] == year, col].sum()) if col in s else 0.0
                for name, s in (("optimised", plan), ("baseline", baseline))
            }
            available = float(problem.capacity.loc[year, team])
            rows.append(
                {
                    "team_type": team,
                    "year": year,
                    "available": available,
                    "used_optimised": used["optimised"],
                    "used_baseline": used["baseline"],
                    "utilisation_optimised": used["optimised"] / available
                    if available > 0
                    else np.nan,
                }
            )
    return pd.DataFrame(rows)


def released_by(problem: Problem, schedule: pd.DataFrame, key: str) -> pd.DataFrame:
    """Released m² by year (rows) and ``key`` (columns: method, province, operator...)."""
    e = enrich(problem, schedule)
    table = e.pivot_table(
        index="year", columns=key, values="released_m2", aggfunc="sum", fill_value=0.0
    )
    return table.reindex(problem.years, fill_value=0.0)


# The figures by_year_province sums (and a report's total row adds up).
YEAR_PROVINCE_TOTALS = [
    "hazards",
    "cancelled_m2",
    "reduced_m2",
    "cleared_m2",
    "released_m2",
    "cost_usd",
    "beneficiaries",
]


def by_year_province(problem: Problem, schedule: pd.DataFrame) -> pd.DataFrame:
    """The workplan summed by year and province (what an extension request tabulates)."""
    e = enrich(problem, schedule)
    if e.empty:
        return pd.DataFrame(columns=["year", "province", *YEAR_PROVINCE_TOTALS])
    return e.groupby(["year", "province"], as_index=False).agg(
        hazards=("hazard", "size"),
        cancelled_m2=("cancelled_m2", "sum"),
        reduced_m2=("reduced_m2", "sum"),
        cleared_m2=("cleared_m2", "sum"),
        released_m2=("released_m2", "sum"),
        cost_usd=("cost", "sum"),
        beneficiaries=("beneficiaries", "sum"),
    )


def by_year_method(problem: Problem, schedule: pd.DataFrame) -> pd.DataFrame:
    """The workplan summed by year, method and operator type (who does what, when)."""
    e = enrich(problem, schedule)
    cols = [
        "year",
        "method",
        "operator",
        "hazards",
        "cancelled_m2",
        "reduced_m2",
        "cleared_m2",
        "released_m2",
        "cost_usd",
        "team_days",
    ]
    if e.empty:
        return pd.DataFrame(columns=cols)
    return e.groupby(["year", "method", "operator"], as_index=False).agg(
        hazards=("hazard", "size"),
        cancelled_m2=("cancelled_m2", "sum"),
        reduced_m2=("reduced_m2", "sum"),
        cleared_m2=("cleared_m2", "sum"),
        released_m2=("released_m2", "sum"),
        cost_usd=("cost", "sum"),
        team_days=("team_days", "sum"),
    )[cols]


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b and np.isfinite(b) and b > 0 else np.nan


def _both(problem: Problem, plan: pd.DataFrame, baseline: pd.DataFrame) -> dict[str, pd.DataFrame]:
    both = {"optimised": enrich(problem, plan), "baseline": enrich(problem, baseline)}
    if valued(problem):
        both = {name: with_values(problem, e) for name, e in both.items()}
    return both


def economy(problem: Problem, plan: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Cost per team-day against the teams' input day rates, per m² released and per
    beneficiary, by operator type.

    ``input_rate_per_team_day`` is what the team-days used cost at teams.csv rates; a realised
    cost per team-day above it means operators' own estimates or per-m² costs add to the rates.
    Cost per beneficiary is blank when the work reaches no recorded beneficiary.
    """
    both = _both(problem, plan, baseline)
    operators = sorted(set(problem.team_types["operator"].astype(str)))
    rows = []
    for op in [*operators, "all"]:
        row: dict[str, Any] = {"operator": op}
        for name, e in both.items():
            part = e if op == "all" else e[e["operator"] == op]
            days = float(part["team_days"].sum())
            cost = float(part["cost"].sum())
            input_cost = (
                float(part["input_rate_cost"].sum(min_count=1))
                if part["input_rate_cost"].notna().all()
                else np.nan
            )
            row[f"team_days_{name}"] = days
            row[f"cost_usd_{name}"] = cost
            row[f"cost_per_team_day_{name}"] = _ratio(cost, days)
            row[f"input_rate_per_team_day_{name}"] = _ratio(input_cost, days)
            row[f"cost_per_m2_{name}"] = _ratio(cost, float(part["released_m2"].sum()))
            row[f"cost_per_beneficiary_{name}"] = _ratio(cost, float(part["beneficiaries"].sum()))
        rows.append(row)
    return pd.DataFrame(rows)


def efficiency(problem: Problem, plan: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Cost per m² released, impact-years per USD 1,000 and, when the project values land,
    PV of benefits per USD of PV cost, by method and operator type, plan and baseline."""
    both = _both(problem, plan, baseline)
    keys = sorted(
        set().union(*[set(zip(e["method"], e["operator"], strict=True)) for e in both.values()])
    )
    rows = []
    for method, op in [*keys, ("all", "all")]:
        row: dict[str, Any] = {"method": method, "operator": op}
        for name, e in both.items():
            part = e if method == "all" else e[(e["method"] == method) & (e["operator"] == op)]
            released = float(part["released_m2"].sum())
            cost = float(part["cost"].sum())
            row[f"hazards_{name}"] = len(part)
            row[f"released_m2_{name}"] = released
            row[f"cost_usd_{name}"] = cost
            row[f"cost_per_m2_{name}"] = _ratio(cost, released)
            row[f"impact_years_per_usd1000_{name}"] = _ratio(
                float(part["impact_years"].sum(min_count=1)) * 1000, cost
            )
            if "pv_benefit_usd" in part:
                row[f"benefit_per_usd_{name}"] = benefit_per_usd(part)
        rows.append(row)
    return pd.DataFrame(rows)


def effectiveness(problem: Problem, plan: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """What the money buys (impact-years, beneficiaries, economic value per dollar) and the
    targets it meets: Article 5 (judged against the deadline when one is set) and recorded
    casualties at released land (shown as a share: the project sets no target)."""
    both = _both(problem, plan, baseline)
    values: dict[str, dict[str, float]] = {}
    for name, e in both.items():
        cost = float(e["cost"].sum())
        iy = float(e["impact_years"].sum()) if impact_known(problem) else np.nan
        ben = float(e["beneficiaries"].sum())
        values[name] = {
            "hazards completed": len(e),
            "cost (USD)": cost,
            "impact-years": iy,
            "impact-years per USD 1,000": _ratio(iy * 1000, cost),
            **_unscored_row(problem, e),
            "beneficiaries": ben,
            "beneficiaries per USD 1,000": _ratio(ben * 1000, cost),
            "area released (m²)": float(e["released_m2"].sum()),
            "Article 5 area released (m²)": float(
                e.loc[e["article5"].astype(bool), "released_m2"].sum()
            ),
            **_economic_measures(problem, plan if name == "optimised" else baseline),
            **article5_measures(problem, e),
            **casualty_measures(problem, e),
        }
    measures = list(values["optimised"])
    return pd.DataFrame(
        {
            "measure": measures,
            "optimised": [values["optimised"][m] for m in measures],
            "baseline": [values["baseline"][m] for m in measures],
        }
    )


def split_judgements(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the numeric measures, the worded ones: a completion year or a target met), so the
    workbook can format every number."""
    words = table["optimised"].map(lambda v: isinstance(v, str)) | table["baseline"].map(
        lambda v: isinstance(v, str)
    )
    numbers = table[~words].reset_index(drop=True)
    numbers = numbers.astype({"optimised": float, "baseline": float})
    return numbers, table[words].astype(str).reset_index(drop=True)


def _unscored_row(problem: Problem, e: pd.DataFrame) -> dict[str, float]:
    """How many completed hazards have no impact score (left out of impact-years), when the
    project has any such hazard."""
    if not unscored(problem).any():
        return {}
    return {
        "hazards without an impact score (not in impact-years)": int(e["impact_years"].isna().sum())
    }


def _economic_measures(problem: Problem, schedule: pd.DataFrame) -> dict[str, float]:
    """PV of benefits and costs, NPV and BCR over hazards with a benefit figure (none when
    no hazard has one: an unknown benefit is left out, never shown as 0)."""
    found = economic_summary(problem, schedule)
    if found is None:
        return {}
    e = found.plan
    return {
        "hazards with a benefit figure": e.hazards,
        "PV of benefits (USD)": e.pv_benefits_usd,
        "PV of costs (USD)": e.pv_costs_usd,
        "NPV (USD)": e.npv_usd,
        "benefit-cost ratio (PV benefit per USD PV cost)": np.nan if e.bcr is None else e.bcr,
    }


def equity_provinces(problem: Problem, plan: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Distribution across provinces: share of money, of area released, beneficiaries and,
    when the project values land, of the PV of benefits (over valued hazards) and the NPV."""
    both = _both(problem, plan, baseline)
    h = problem.hazards
    contaminated = h.groupby("province")["area_m2"].sum()
    out = pd.DataFrame(
        {
            "province": contaminated.index.astype(str),
            "contaminated_m2": contaminated.to_numpy(float),
        }
    )
    for name, e in both.items():
        g = e.groupby("province")
        cost = g["cost"].sum().reindex(contaminated.index, fill_value=0.0).to_numpy(float)
        rel = g["released_m2"].sum().reindex(contaminated.index, fill_value=0.0).to_numpy(float)
        ben = g["beneficiaries"].sum().reindex(contaminated.index, fill_value=0.0)
        total = cost.sum()
        out[f"share_of_cost_{name}"] = cost / total if total > 0 else np.nan
        out[f"released_m2_{name}"] = rel
        out[f"share_of_province_released_{name}"] = np.where(
            out["contaminated_m2"] > 0, rel / out["contaminated_m2"].replace(0, np.nan), np.nan
        )
        out[f"beneficiaries_{name}"] = ben.to_numpy(float)
        if "pv_benefit_usd" in e:
            known = e.dropna(subset=["pv_benefit_usd"]).groupby("province")
            pv = known["pv_benefit_usd"].sum().reindex(contaminated.index, fill_value=0.0)
            npv = pv - known["pv_cost_usd"].sum().reindex(contaminated.index, fill_value=0.0)
            out[f"pv_benefit_usd_{name}"] = pv.to_numpy(float)
            out[f"share_of_benefit_{name}"] = (
                pv.to_numpy(float) / pv.sum() if pv.sum() > 0 else np.nan
            )
            out[f"npv_usd_{name}"] = npv.to_numpy(float)
    return out


def equity_groups(problem: Problem, plan: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Beneficiaries by sex and age group (empty when the data has no breakdown)."""
    cols = sadd_columns(problem)
    if not cols:
        return pd.DataFrame(
            columns=[
                "group",
                "optimised",
                "baseline",
                "share_optimised",
                "share_baseline",
                "share_of_all_affected_optimised",
            ]
        )
    both = _both(problem, plan, baseline)
    h = problem.hazards
    rows = []
    for c in cols:
        affected = float(h[c].sum())
        row: dict[str, Any] = {"group": c.removeprefix("beneficiaries_")}
        for name, e in both.items():
            row[name] = float(e[c].sum())
        rows.append(row)
        row["share_of_all_affected_optimised"] = _ratio(row["optimised"], affected)
        row["share_of_all_affected_baseline"] = _ratio(row["baseline"], affected)
    out = pd.DataFrame(rows)
    for name in PLANS:
        total = out[name].sum()
        out[f"share_{name}"] = out[name] / total if total > 0 else np.nan
    return out


@dataclass(frozen=True)
class ValueForMoney:
    """The four Es, each a table with the optimised plan and the baseline side by side."""

    economy: pd.DataFrame
    efficiency: pd.DataFrame
    effectiveness: pd.DataFrame
    equity_provinces: pd.DataFrame
    equity_groups: pd.DataFrame
    # Effectiveness in words (Article 5 completion year, deadline met): measure, optimised,
    # baseline as text; empty without Article 5 hazards.
    targets: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["measure", "optimised", "baseline"])
    )


def value_for_money(problem: Problem, plan: pd.DataFrame, baseline: pd.DataFrame) -> ValueForMoney:
    numbers, words = split_judgements(effectiveness(problem, plan, baseline))
    return ValueForMoney(
        economy=economy(problem, plan, baseline),
        efficiency=efficiency(problem, plan, baseline),
        effectiveness=numbers,
        equity_provinces=equity_provinces(problem, plan, baseline),
        equity_groups=equity_groups(problem, plan, baseline),
        targets=words,
    )


def headline(result: PlanResult) -> dict[str, Any]:
    """The headline figures, read from the summary so the report and summary.json agree."""
    s = result.summary
    a5 = s.article5
    problem = result.problem
    sched = result.solution.schedule
    groups: dict[str, float] = {}
    for c in sadd_columns(problem):
        groups[c.removeprefix("beneficiaries_")] = float(
            problem.hazards[c].to_numpy(float)[sched["hazard"].to_numpy(int)].sum()
        )
    return {
        "project": s.project,
        "status": s.status,
        "gap": s.gap,
        "objective": s.objective,
        "impact_years": s.impact_years if impact_known(problem) else None,
        "impact_unscored_scheduled": int(unscored(problem)[sched["hazard"].to_numpy(int)].sum()),
        "objective_unit": s.objective_unit,
        "released_m2": s.totals.released_m2,
        "area_m2": s.totals.area_m2,
        "remaining_area_m2": s.totals.remaining_area_m2,
        "cost_usd": s.totals.cost_usd,
        "budget_usd": s.totals.budget_usd,
        "beneficiaries": s.totals.beneficiaries,
        "beneficiary_groups": groups,
        "article5_hazards": a5.hazards,
        "article5_completion_year": a5.completion_year,
        "article5_deadline_year": a5.deadline_year,
        "article5_meets_deadline": a5.meets_deadline,
        "baseline_objective": s.baseline.objective,
        "baseline_impact_years": s.baseline.impact_years if impact_known(problem) else None,
        "uplift_impact_years": s.uplift_impact_years,
        "uplift_percent": s.uplift_percent,
        "uplift": (
            None
            if s.uplift is None
            else _unknown_impact(asdict(s.uplift), problem, ("impact_years", "percent"))
        ),
        "baselines": [_unknown_impact(asdict(b), problem) for b in s.baselines],
        "best_bound": s.best_bound,
        "environmental_score": s.environmental_score,
        "environment_weight": s.environment_weight,
        "warnings": len(s.warnings),
        "hazards_scheduled": s.hazards.scheduled,
        "hazards_total": s.hazards.total,
        "solver": s.solver,
        "solve_seconds": s.solve_seconds,
    }


def _unknown_impact(
    figures: dict[str, Any], problem: Problem, keys: tuple[str, ...] = ("impact_years",)
) -> dict[str, Any]:
    """Figures with the impact-years ones None (unknown) when no hazard has a score."""
    return figures if impact_known(problem) else {**figures, **dict.fromkeys(keys)}


@dataclass(frozen=True)
class ReportData:
    """Everything the HTML report and the workbook show, computed once per plan run."""

    headline: dict[str, Any]
    kpis: dict[str, pd.DataFrame]  # plan name -> reporting indicators by year
    team_days: pd.DataFrame
    by_method: dict[str, pd.DataFrame]
    by_province: dict[str, pd.DataFrame]
    by_year_province: pd.DataFrame
    by_year_method: pd.DataFrame
    vfm: ValueForMoney
    marginal: pd.DataFrame
    relaxation: dict[str, Any]
    explanations: pd.DataFrame
    extras: dict[str, Any] = field(default_factory=dict)


def marginal_summary(relaxation: Relaxation | None) -> dict[str, Any]:
    """The marginal values as plain data for summary.json."""
    if relaxation is None:
        return {"method": "not computed", "status": "skipped", "values": []}
    rows = relaxation.marginal.replace({np.nan: None}).to_dict("records")
    return {
        "method": "LP relaxation of the workplan model (integrality dropped); row duals of "
        "budget_per_year and team_capacity",
        "status": relaxation.status,
        "relaxation_objective": relaxation.objective,
        "seconds": round(relaxation.seconds, 3),
        "values": rows,
    }


def build_report_data(
    result: PlanResult,
    relaxation: Relaxation | None = None,
    explanations: pd.DataFrame | None = None,
) -> ReportData:
    """Compute every table once; the caller passes the LP relaxation and explanations."""
    problem = result.problem
    plan = result.solution.schedule
    base = result.baseline
    return ReportData(
        headline=headline(result),
        kpis={
            "optimised": reporting_indicators(problem, plan),
            "baseline": reporting_indicators(problem, base),
        },
        team_days=team_days(problem, plan, base),
        by_method={
            "optimised": released_by(problem, plan, "method"),
            "baseline": released_by(problem, base, "method"),
        },
        by_province={
            "optimised": released_by(problem, plan, "province"),
            "baseline": released_by(problem, base, "province"),
        },
        by_year_province=by_year_province(problem, plan),
        by_year_method=by_year_method(problem, plan),
        vfm=value_for_money(problem, plan, base),
        marginal=(
            relaxation.marginal
            if relaxation is not None
            else pd.DataFrame(
                columns=[
                    "resource",
                    "team_type",
                    "year",
                    "available",
                    "used_lp",
                    "marginal_value",
                    "unit",
                ]
            )
        ),
        relaxation=marginal_summary(relaxation),
        explanations=explanations if explanations is not None else pd.DataFrame(),
    )
