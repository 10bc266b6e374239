"""Team counts and working days per team, recovered from the project's teams table.

A :class:`~prioritise.inputs.loader.Problem` keeps only team-days per year and team type, which is
all the workplan model needs. Scenarios that set team *counts*, and the deadline analysis
that adds whole teams, need the other factor: working days per team. It is read back from
the teams table with the same rule as the loader (a row without a year applies to every
year; dated rows replace it for their year).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prioritise.core import schema
from prioritise.core.problem import Problem
from prioritise.inputs.readers import coerce_table, read_any


@dataclass(frozen=True)
class Roster:
    """``teams`` and ``days_per_team``: frames indexed by year, one column per team type."""

    teams: pd.DataFrame
    days_per_team: pd.DataFrame

    def extend(self, years: list[int]) -> Roster:
        """The roster over ``years``; years after the last repeat the last year."""
        return Roster(_repeat_last(self.teams, years), _repeat_last(self.days_per_team, years))


def _repeat_last(frame: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    out = frame.reindex(years)
    return out.ffill().fillna(0.0) if len(frame) else out.fillna(0.0)


def read_roster(problem: Problem, teams: pd.DataFrame | None = None) -> Roster:
    """The roster of ``problem`` from ``teams`` or, if not given, its teams file."""
    if teams is None:
        path = problem.settings.data.teams
        if not path.exists():
            raise ValueError(
                f"Team counts need the teams table, and {path} does not exist; "
                "pass the table as teams=."
            )
        teams = read_any(path)
    frame, found = coerce_table(
        teams, schema.TEAMS, problem.settings.data.teams.name, id_column="team_type"
    )
    if any(f.severity == "error" for f in found):
        raise ValueError("The teams table is not valid: " + "; ".join(f.message for f in found))
    years = problem.years
    types = list(problem.capacity.columns)
    frame = frame.assign(team_days=frame["teams"] * frame["days_per_year"])
    general = frame[frame["year"].isna()].groupby("team_type")[["teams", "team_days"]].sum()
    dated = frame[frame["year"].notna()].astype({"year": int})
    dated = (
        dated[dated["year"].isin(years)]
        .groupby(["year", "team_type"])[["teams", "team_days"]]
        .sum()
    )
    count = pd.DataFrame(0.0, index=pd.Index(years, name="year"), columns=types)
    days = count.copy()
    for t in general.index.intersection(types):
        count[t] = general.loc[t, "teams"]
        days[t] = general.loc[t, "team_days"]
    for (year, t), row in dated.iterrows():
        if t in types:
            count.loc[year, t] = row["teams"]
            days.loc[year, t] = row["team_days"]
    # Days per team where a year has no team of a type: the type's mean over its rows.
    mean_days = frame.groupby("team_type")["days_per_year"].mean().reindex(types)
    per_team = (days / count.where(count > 0)).fillna(
        pd.DataFrame(
            np.broadcast_to(mean_days.to_numpy(), count.shape), index=count.index, columns=types
        )
    )
    return Roster(count, per_team.fillna(0.0))
