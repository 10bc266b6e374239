"""The validated planning problem: the one value every layer above the core reads.

It is built only by :func:`prioritise.inputs.loader.build_problem`, which checks every table
first; nothing here reads files or solves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from prioritise.core.errors import Finding
from prioritise.core.settings import Settings

if TYPE_CHECKING:  # geometry types only: the core never reads or writes geodata
    import geopandas as gpd


@dataclass(frozen=True)
class Problem:
    """Everything the model needs, checked and derived once. Treat it as read-only.

    ``hazards`` is indexed 0..n-1 in input order; ``options`` refers to hazards by that
    position. ``capacity`` is team-days by year (rows) and team type (columns).
    """

    settings: Settings
    hazards: pd.DataFrame
    contributions: pd.DataFrame
    options: pd.DataFrame
    team_types: pd.DataFrame
    capacity: pd.DataFrame
    budget: pd.Series
    dependencies: pd.DataFrame
    geometry: gpd.GeoSeries | None = None
    provinces: gpd.GeoDataFrame | None = None
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    source: Path | None = None  # the project TOML it was loaded from (None: built in memory)

    @property
    def years(self) -> list[int]:
        return self.settings.plan.horizon

    @property
    def hazard_ids(self) -> pd.Series:
        return self.hazards["hazard_id"]

    def replace(self, **changes: object) -> Problem:
        return replace(self, **changes)  # type: ignore[arg-type]


IMPACT_NOT_GIVEN = "impact-not-given"  # the loader's warning: an NPV plan's hazard without impact


def unscored(problem: Problem) -> np.ndarray:
    """Per hazard: True when its impact was not given (objective = "npv" allows it; the
    loader fills 0 so the model can run). Reports leave these out of impact-years."""
    ids = {i for f in problem.findings if f.rule == IMPACT_NOT_GIVEN for i in f.ids}
    return problem.hazards["hazard_id"].astype(str).isin(ids).to_numpy()


def impact_known(problem: Problem) -> bool:
    """Whether impact-years mean anything: some hazard has an impact score."""
    return not bool(unscored(problem).all())
