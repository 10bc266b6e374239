"""Checks on legal-looking input that is almost surely a mistake, or unsafe to carry along.

Ids become file names, report anchors and spreadsheet cells, so they must be one line of
printable text; ids that differ only by case are kept apart but named. Values that are legal
but far outside anything real (costs over $1bn, an impact orders of magnitude above the rest,
a plan starting long ago) are warnings naming the hazard and the column: they are usually a
unit slip (cents for dollars, m² for km²) that would silently reshape the plan.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from prioritise.core.errors import Finding, error, warning
from prioritise.core.limits import (
    SUSPICIOUS_COST_USD,
    SUSPICIOUS_IMPACT_RATIO,
    SUSPICIOUS_PAST_YEARS,
    shorten,
)
from prioritise.core.settings import Settings

MAX_ID_LENGTH = 200


def id_findings(ids: pd.Series, file: str, column: str = "hazard_id") -> list[Finding]:
    """Ids with line breaks or control characters, too long, or equal but for case."""
    findings: list[Finding] = []
    text = ids.dropna().astype(str)
    control = text.str.contains(r"[\x00-\x1f\x7f]", regex=True)
    if control.any():
        findings.append(
            error(
                file,
                "id-characters",
                f"{column} values contain a line break, tab or other control character.",
                "Make each id one line of printable text (retype it in the cell).",
                [shorten(repr(v), 40) for v in text[control]],
            )
        )
    long = text.str.len() > MAX_ID_LENGTH
    if long.any():
        findings.append(
            error(
                file,
                "id-length",
                f"{column} values are longer than {MAX_ID_LENGTH} characters.",
                "Use the short IMSMA id; put descriptions in the name column.",
                [shorten(v, 40) for v in text[long]],
            )
        )
    folded = text.str.casefold()
    case_only = folded.duplicated(keep=False) & ~text.duplicated(keep=False)
    if case_only.any():
        findings.append(
            warning(
                file,
                "id-case",
                f"Some {column} values differ only by upper/lower case; they are treated as "
                "different hazards.",
                "If they are the same hazard, make the ids identical and merge the rows.",
                sorted(text[case_only]),
            )
        )
    return findings


def repeated_team_rows(teams: pd.DataFrame, file: str) -> list[Finding]:
    """Two rows for one team type and year (or both for every year) are added together;
    usually one is a copy."""
    year = [
        "every" if pd.isna(y) else str(y)
        for y in (teams["year"] if "year" in teams.columns else [None] * len(teams))
    ]
    key = teams["team_type"].astype(str) + "|" + pd.Series(year, index=teams.index)
    dup = key.duplicated(keep=False)
    if not dup.any():
        return []
    return [
        warning(
            file,
            "team-repeated",
            "A team type has more than one row for the same year; their teams are added up.",
            "If a row is a copy, delete it; otherwise give each team type one row per year.",
            sorted(teams.loc[dup, "team_type"].astype(str).unique()),
        )
    ]


def suspicious_values(
    hazards: pd.DataFrame, settings: Settings, file: str, today: dt.date | None = None
) -> list[Finding]:
    """Warnings for values that are legal but almost surely a unit slip or a typo."""
    findings: list[Finding] = []
    ids = hazards["hazard_id"]
    costly = hazards["cost_usd"] > SUSPICIOUS_COST_USD
    if costly.any():
        findings.append(
            warning(
                file,
                "cost-suspicious",
                f"cost_usd is over ${SUSPICIOUS_COST_USD:,.0f} for one hazard.",
                "Check the unit (USD, not cents or local currency).",
                ids[costly],
            )
        )
    findings.extend(_impact_outliers(hazards, file))
    year = (today or dt.date.today()).year
    start = settings.plan.start_year
    if start < year - SUSPICIOUS_PAST_YEARS:
        findings.append(
            warning(
                "project TOML",
                "start-year-past",
                f"[plan] start_year = {start} is more than {SUSPICIOUS_PAST_YEARS} years ago.",
                f"Plan from the coming year (e.g. start_year = {year + 1}).",
            )
        )
    return findings


def _impact_outliers(hazards: pd.DataFrame, file: str) -> list[Finding]:
    impact = hazards["impact"].to_numpy(float)
    positive = impact[np.isfinite(impact) & (impact > 0)]
    if len(positive) < 3:
        return []
    median = float(np.median(positive))
    high = hazards["impact"] > median * SUSPICIOUS_IMPACT_RATIO
    if not high.any():
        return []
    return [
        warning(
            file,
            "impact-suspicious",
            f"impact is over {SUSPICIOUS_IMPACT_RATIO:,.0f} times the median ({median:,.3g}); "
            "these hazards will dominate the plan.",
            "Check the value (a unit or decimal-point slip?).",
            hazards.loc[high, "hazard_id"],
        )
    ]
