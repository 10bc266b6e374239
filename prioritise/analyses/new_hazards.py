"""New hazards found during the years reported, added to the project before re-planning.

A progress row whose ``status`` is ``new`` describes a hazard the project does not have yet:
its ``area_m2`` (the whole area found), ``province`` and, as the hazards file would, either
an ``impact`` (projects without ``[scoring] criteria``) or the criteria columns. Any other
hazards-file column (``hazard_type``, ``cancel_fraction``, ``cost_usd``, ``days_<team>``,
``lon``/``lat``, ...) may be given; the rest take the hazards file's defaults. Its options
are derived exactly as the loader derives them (:func:`build_options`).

With criteria, impact is re-scored over *all* hazards: the criteria are normalised across
the hazards (min-max, rank, ...), so a new hazard can move the scale, and scoring it alone
would put it on another one. The re-plan says when existing hazards' impact changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from prioritise.core import schema
from prioritise.core.errors import Finding, error
from prioritise.core.problem import Problem
from prioritise.inputs.land_release import build_options
from prioritise.inputs.readers import coerce_table
from prioritise.inputs.scoring import score_hazards

NEW_STATUS = "new"


@dataclass(frozen=True)
class Added:
    """The project with the new hazards appended (positions n.. in the hazard table)."""

    problem: Problem
    ids: tuple[str, ...]
    notes: tuple[str, ...]


def new_hazard_rows(rows: pd.DataFrame) -> pd.Series:
    """Which progress rows describe a new hazard (``status`` = new)."""
    if "status" not in rows:
        return pd.Series(False, index=rows.index)
    return rows["status"].astype(str).str.strip().str.lower().eq(NEW_STATUS)


def add_new_hazards(
    problem: Problem, rows: pd.DataFrame, file: str
) -> tuple[Added | None, list[Finding]]:
    """Append the hazards that ``rows`` (status = new) describe; every finding at once."""
    attrs = _attributes(problem, rows)
    frame, findings = coerce_table(attrs, schema.HAZARDS, file, id_column="hazard_id")
    findings += _checks(problem, frame, file)
    if any(f.severity == "error" for f in findings):
        return None, findings
    old = problem.hazards
    frame = frame.reindex(columns=old.columns).reset_index(drop=True)
    for col in old.columns:  # same dtypes as the project's table, so concat keeps them
        if frame[col].isna().all():
            frame[col] = pd.Series([np.nan] * len(frame), dtype=old[col].dtype)
    hazards = pd.concat([old, frame], ignore_index=True)
    contributions, notes, found = _impact(problem, hazards, file)
    findings += found
    options, found = build_options(frame, problem.settings.methods, problem.team_types, file)
    findings += found
    if any(f.severity == "error" for f in findings):
        return None, findings
    options["hazard"] = options["hazard"].to_numpy() + len(old)
    options = pd.concat([problem.options, options], ignore_index=True)
    no_option = sorted(set(frame["hazard_id"]) - set(hazards["hazard_id"].iloc[options["hazard"]]))
    if no_option:
        notes.append(
            f"No method can release the new hazard(s) {', '.join(no_option)}; "
            "they stay unscheduled."
        )
    out = problem.replace(
        hazards=hazards,
        contributions=contributions,
        options=options,
        geometry=_geometry(problem, frame),
    )
    ids = tuple(frame["hazard_id"].astype(str))
    return Added(out, ids, tuple(notes)), findings


def _attributes(problem: Problem, rows: pd.DataFrame) -> pd.DataFrame:
    """One row of hazard attributes per new hazard (its first row that gives an area); the
    columns the project's hazard table has (a column it does not know is not read)."""
    drop = {"year", "released_m2", "cost_usd", "status", "team_days", "team_type"}
    keep = [c for c in rows.columns if c not in drop and c in _known(problem)]
    if "area_m2" in rows:
        rows = rows.sort_values("area_m2", na_position="last", kind="stable")
    first = rows[keep].drop_duplicates("hazard_id", keep="first")
    out = pd.DataFrame(first.reset_index(drop=True))
    # cost_usd in progress is money spent; the hazards file's estimate is estimate_cost_usd
    return out.rename(columns={"estimate_cost_usd": "cost_usd"})


def _known(problem: Problem) -> set[str]:
    return {*map(str, problem.hazards.columns), "estimate_cost_usd"}


def _checks(problem: Problem, frame: pd.DataFrame, file: str) -> list[Finding]:
    ids = frame["hazard_id"]
    findings = []
    area = pd.to_numeric(frame["area_m2"], errors="coerce")
    bad = ~(area > 0) | ~np.isfinite(area.fillna(np.inf))
    if bad.any():
        findings.append(
            error(
                file,
                "new-hazard-area",
                "A new hazard (status = new) needs its area_m2, a number > 0.",
                "Give the whole area found in area_m2 on the new hazard's row.",
                ids[bad],
            )
        )
    no_province = frame["province"].isna() | frame["province"].astype(str).str.strip().eq("")
    if no_province.any():
        findings.append(
            error(
                file,
                "new-hazard-province",
                "A new hazard (status = new) needs its province.",
                "Fill the province column on the new hazard's row.",
                ids[no_province],
            )
        )
    if not problem.settings.scoring.criteria:
        no_impact = frame["impact"].isna()
        if no_impact.any():
            findings.append(
                error(
                    file,
                    "new-hazard-impact",
                    "A new hazard needs its impact: the project gives impact scores, "
                    "not [scoring] criteria.",
                    "Fill the impact column on the new hazard's row.",
                    ids[no_impact],
                )
            )
    return findings


def _impact(
    problem: Problem, hazards: pd.DataFrame, file: str
) -> tuple[pd.DataFrame, list[str], list[Finding]]:
    """Contributions for every hazard (re-scored over all of them when criteria are used)."""
    n = len(problem.hazards)
    if not problem.settings.scoring.criteria:
        contributions = pd.DataFrame(
            {"hazard_id": hazards["hazard_id"], "impact (given)": hazards["impact"]}
        )
        return contributions, [], []
    impact, contributions, found = score_hazards(hazards, problem.settings.scoring, file)
    before = problem.hazards["impact"].to_numpy(float)
    moved = int((np.abs(impact.to_numpy()[:n] - before) > 1e-9).sum())
    hazards["impact"] = impact.to_numpy()
    contributions.insert(0, "hazard_id", hazards["hazard_id"])
    notes = (
        [
            f"The criteria are normalised over all hazards: with the new hazard(s), "
            f"{moved} existing hazard(s) score differently (re-scored as loading would)."
        ]
        if moved
        else []
    )
    return contributions.reset_index(drop=True), notes, found


def _geometry(problem: Problem, frame: pd.DataFrame) -> gpd.GeoSeries | None:
    """Points at lon/lat where given (no polygon is known yet); none otherwise."""
    if problem.geometry is None:
        return None
    lon = pd.to_numeric(frame.get("lon"), errors="coerce")
    lat = pd.to_numeric(frame.get("lat"), errors="coerce")
    points = [
        shapely.Point(x, y) if np.isfinite(x) and np.isfinite(y) else None
        for x, y in zip(
            np.asarray(lon, float) if lon is not None else np.full(len(frame), np.nan),
            np.asarray(lat, float) if lat is not None else np.full(len(frame), np.nan),
            strict=True,
        )
    ]
    added = gpd.GeoSeries(points, crs="EPSG:4326")
    if problem.geometry.crs is not None:
        added = added.to_crs(problem.geometry.crs)
    return gpd.GeoSeries(pd.concat([problem.geometry, added], ignore_index=True))
