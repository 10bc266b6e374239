"""Impact scores from user-weighted criteria, kept as per-criterion contributions.

impact = scale x sum_i w_i s_i / sum_i w_i, with each criterion score s_i in [0, 1]. The
contribution of criterion i is scale x w_i s_i / sum w, so a hazard's contributions add up to
its impact exactly and every score can be explained line by line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from prioritise.core.errors import Finding, error, warning
from prioritise.core.settings import Criterion, ScoringSettings
from prioritise.inputs.readers import coerce_column, row_labels

if TYPE_CHECKING:
    from prioritise.core.problem import Problem


def normalise(values: pd.Series, method: str) -> pd.Series:
    """Map raw numbers to [0, 1]. A constant column scores 0: it cannot rank anything."""
    x = values.astype(float)
    if method == "none":
        return x.clip(0.0, 1.0)
    if method == "log":
        x = np.log1p(x.clip(lower=0.0))
    if method == "rank":
        ranks = x.rank(method="average")
        n = int(ranks.notna().sum())
        return (ranks - 1.0) / (n - 1.0) if n > 1 else ranks * 0.0
    lo, hi = x.min(), x.max()
    if not np.isfinite(hi - lo) or hi == lo:
        return x * 0.0
    return (x - lo) / (hi - lo)


def criterion_scores(
    frame: pd.DataFrame, c: Criterion, file: str, ids: pd.Series
) -> tuple[pd.Series, list[Finding]]:
    """Score one criterion for every hazard in [0, 1], with findings on unusable values."""
    findings: list[Finding] = []
    if c.column not in frame.columns:
        findings.append(
            error(
                file,
                "criterion-column",
                f"Scoring criterion '{c.name}' reads "
                f"column '{c.column}', which the hazards do not have.",
                "Add the column or map it in [columns].",
            )
        )
        return pd.Series(0.0, index=frame.index), findings
    raw = frame[c.column]
    if c.kind == "boolean":
        values, bad = coerce_column(raw, "bool")
        if bad.any():
            findings.append(
                error(
                    file,
                    "criterion-value",
                    f"Criterion '{c.name}' ({c.column}) needs true/false values.",
                    "Use true/false, yes/no or 1/0.",
                    row_labels(ids, bad),
                )
            )
        s = values.astype(float)
    elif c.kind == "categorical":
        text = raw.astype(str).str.strip()
        known = text.isin(list(c.points))
        blank = raw.isna() | (text == "")
        unknown = ~known & ~blank
        if unknown.any():
            cats = sorted(text[unknown].unique())
            findings.append(
                error(
                    file,
                    "criterion-category",
                    f"Criterion '{c.name}' ({c.column}) has categories "
                    f"without points: {', '.join(cats[:10])}.",
                    f"Add them to the criterion's points table (known: {', '.join(c.points)}).",
                    row_labels(ids, unknown),
                )
            )
        s = text.map(c.points).astype(float).fillna(0.0)
        if blank.any():
            findings.append(
                warning(
                    file,
                    "criterion-blank",
                    f"Criterion '{c.name}' is blank for "
                    f"{int(blank.sum())} hazard(s); they score 0 on it.",
                    "Fill the values if they are known.",
                    row_labels(ids, blank),
                )
            )
    else:
        values, bad = coerce_column(raw, "float")
        if bad.any():
            findings.append(
                error(
                    file,
                    "criterion-value",
                    f"Criterion '{c.name}' ({c.column}) needs numbers.",
                    "Correct the listed rows.",
                    row_labels(ids, bad),
                )
            )
        blank = values.isna() & ~bad
        if blank.any():
            findings.append(
                warning(
                    file,
                    "criterion-blank",
                    f"Criterion '{c.name}' is blank for "
                    f"{int(blank.sum())} hazard(s); they score 0 on it.",
                    "Fill the values if they are known.",
                    row_labels(ids, blank),
                )
            )
        s = normalise(values, c.normalise).fillna(0.0)
        if c.normalise == "none" and ((values < 0) | (values > 1)).any():
            findings.append(
                warning(
                    file,
                    "criterion-range",
                    f"Criterion '{c.name}' uses "
                    "normalise = none but has values outside 0..1; clipped.",
                    "Choose minmax, log or rank, or rescale the column.",
                )
            )
    if not c.higher_is_better:
        s = 1.0 - s
    return s, findings


def score_hazards(
    frame: pd.DataFrame, scoring: ScoringSettings, file: str
) -> tuple[pd.Series, pd.DataFrame, list[Finding]]:
    """Impact per hazard and the contribution of each criterion to it."""
    findings: list[Finding] = []
    ids = frame["hazard_id"]
    total_weight = sum(c.weight for c in scoring.criteria)
    contributions = pd.DataFrame(index=frame.index)
    for c in scoring.criteria:
        s, found = criterion_scores(frame, c, file, ids)
        findings.extend(found)
        contributions[c.name] = scoring.scale * c.weight * s / total_weight
    impact = contributions.sum(axis=1) if len(scoring.criteria) else pd.Series(0.0, frame.index)
    return impact.rename("impact"), contributions, findings


def score_breakdown(problem: Problem) -> pd.DataFrame:
    """Per hazard: impact, each criterion's contribution and the environmental score of each
    method (site sensitivity x method disturbance), as ``prioritise score`` writes them."""
    out = problem.contributions.copy()
    out.insert(1, "impact", problem.hazards["impact"].to_numpy())
    sensitivity = problem.hazards["env_sensitivity"].to_numpy(float)
    out["env_sensitivity"] = sensitivity
    for m in problem.settings.methods:
        out[f"env_{m.name}"] = sensitivity * m.disturbance
    out["rank"] = out["impact"].rank(ascending=False, method="min").astype(int)
    return out
