"""Teams and budgets: what the programme can spend and field, year by year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prioritise.core.errors import Finding, error, warning


def team_types(teams: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Finding]]:
    """One row per team type: kind, operator and cost per team-day."""
    findings: list[Finding] = []
    t = teams.copy()
    t["kind"] = t["kind"].where(t["kind"].notna(), t["team_type"])
    t["operator"] = t["operator"].str.lower()
    bad_op = ~t["operator"].isin(["national", "international"])
    if bad_op.any():
        findings.append(
            error(
                file,
                "team-operator",
                "operator must be 'national' or 'international'.",
                "Correct the listed team types.",
                t.loc[bad_op, "team_type"].unique(),
            )
        )
    per_type = t.groupby("team_type", sort=True).agg(
        kind=("kind", "first"),
        operator=("operator", "first"),
        cost_per_day=("cost_per_day", "mean"),
        n_kind=("kind", "nunique"),
        n_operator=("operator", "nunique"),
        cost_spread=("cost_per_day", lambda s: s.max() - s.min()),
    )
    inconsistent = per_type.index[(per_type["n_kind"] > 1) | (per_type["n_operator"] > 1)]
    if len(inconsistent):
        findings.append(
            error(
                file,
                "team-inconsistent",
                "A team type has different kinds or operators in different rows.",
                "Give each team type one kind and one operator.",
                inconsistent,
            )
        )
    varying = per_type.index[per_type["cost_spread"].fillna(0) > 0]
    if len(varying):
        findings.append(
            warning(
                file,
                "team-cost-varies",
                "cost_per_day differs between rows of a team type; the mean is used.",
                "Give one cost per team type.",
                varying,
            )
        )
    dup = per_type.groupby(["kind", "operator"]).size()
    dup = dup[dup > 1]
    if len(dup):
        names = [f"{k}/{o}" for k, o in dup.index]
        findings.append(
            error(
                file,
                "team-kind-operator",
                "Two team types share a kind and an "
                f"operator ({', '.join(names)}), so a method could not tell which "
                "to use.",
                "Merge them into one team type or give them distinct kinds.",
            )
        )
    return per_type[["kind", "operator", "cost_per_day"]].reset_index(), findings


def capacity_by_year(
    teams: pd.DataFrame, years: list[int], file: str
) -> tuple[pd.DataFrame, list[Finding]]:
    """Team-days available: a frame indexed by year with one column per team type.

    A row without a year applies to every year; a row with a year replaces it for that year.
    """
    findings: list[Finding] = []
    t = teams.copy()
    negative = (t["teams"] < 0) | (t["days_per_year"] < 0) | (t["days_per_year"] > 366)
    if negative.any():
        findings.append(
            error(
                file,
                "team-capacity",
                "teams must be >= 0 and days_per_year in 0..366.",
                "Correct the listed team types.",
                t.loc[negative, "team_type"].unique(),
            )
        )
    t["team_days"] = t["teams"] * t["days_per_year"]
    general = t[t["year"].isna()].groupby("team_type")["team_days"].sum()
    dated = t[t["year"].notna()].astype({"year": int})
    outside = dated[~dated["year"].isin(years)]
    if len(outside):
        findings.append(
            warning(
                file,
                "team-year-outside",
                f"{len(outside)} row(s) have a year outside the horizon and are ignored.",
                "Check the years.",
                outside["team_type"].unique(),
            )
        )
    capacity = pd.DataFrame(
        np.repeat(general.to_numpy()[None, :], len(years), axis=0) if len(general) else None,
        index=pd.Index(years, name="year"),
        columns=general.index,
    ).reindex(columns=sorted(t["team_type"].unique()))
    specific = dated[dated["year"].isin(years)].groupby(["year", "team_type"])["team_days"].sum()
    for (year, team_type), days in specific.items():
        capacity.loc[year, team_type] = days
    gaps = capacity.columns[capacity.isna().any()]
    if len(gaps):
        findings.append(
            warning(
                file,
                "team-year-missing",
                "Some team types have dated rows that "
                "do not cover every year; those years have no capacity.",
                "Add rows for the missing years or a row without a year.",
                gaps,
            )
        )
    return capacity.fillna(0.0).astype(float), findings


def budget_by_year(
    budget: pd.DataFrame, years: list[int], file: str
) -> tuple[pd.Series, list[Finding]]:
    """Budget per horizon year (0 where the file has no row, with a warning)."""
    findings: list[Finding] = []
    b = budget.dropna(subset=["year"]).astype({"year": int})
    negative = b["budget_usd"] < 0
    if negative.any():
        findings.append(
            error(
                file,
                "budget-negative",
                "Budgets must be >= 0.",
                "Correct the listed years.",
                b.loc[negative, "year"],
            )
        )
    dup = b["year"].duplicated(keep=False)
    if dup.any():
        findings.append(
            error(
                file,
                "budget-duplicate-year",
                "A year appears more than once.",
                "Keep one row per year.",
                sorted(b.loc[dup, "year"].unique()),
            )
        )
    outside = b[~b["year"].isin(years)]
    if len(outside):
        findings.append(
            warning(
                file,
                "budget-year-outside",
                "Rows outside the horizon are ignored.",
                "Check [plan] start_year and years.",
                outside["year"],
            )
        )
    series = b.drop_duplicates("year").set_index("year")["budget_usd"].reindex(years)
    if series.isna().any():
        findings.append(
            warning(
                file,
                "budget-year-missing",
                "Some horizon years have no budget row and get 0.",
                "Add a row for each year.",
                series.index[series.isna()],
            )
        )
    return series.fillna(0.0).astype(float).rename("budget_usd"), findings
