"""Land-release options: every way each hazard could be released, with its cost and team-days.

An option is (hazard, method, operator). A method needs one team of each *kind* it names; an
operator (national or international) can deliver it when it has a team type of every such
kind. Survey methods survey the whole area and clear only what is expected to remain after
cancellation and reduction, which is why survey releases land so much more cheaply.

Operators' own estimates (``cost_usd`` with ``days_<team_type>``) replace the computed options
of that hazard with the one option they describe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prioritise.core.errors import Finding, error, warning
from prioritise.core.schema import DAYS_PREFIX
from prioritise.core.settings import MethodSettings

ESTIMATE = "estimate"


def days_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if isinstance(c, str) and c.startswith(DAYS_PREFIX)]


@dataclass(frozen=True)
class _Computed:
    """What every computed (non-estimate) option of one project shares."""

    hazards: pd.DataFrame
    usable: np.ndarray  # rows with an area and no operator's estimate
    area: np.ndarray
    cancel: np.ndarray
    reduce: np.ndarray
    sensitivity: np.ndarray
    team_names: list[str]
    cost_rate: pd.Series
    by_kind_op: dict[tuple[str, str], str]
    file: str


def build_options(
    hazards: pd.DataFrame, methods: tuple[MethodSettings, ...], types: pd.DataFrame, file: str
) -> tuple[pd.DataFrame, list[Finding]]:
    """The option frame: one row per feasible (hazard, method, operator).

    Columns: ``hazard`` (row position), ``method``, ``operator``, ``cost``, ``released_m2``,
    ``cleared_m2``, ``cancelled_m2``, ``reduced_m2``, ``env`` and ``days_<team_type>`` for every
    team type.
    """
    findings: list[Finding] = []
    team_names = list(types["team_type"])
    cost_rate = types.set_index("team_type")["cost_per_day"]
    operator_of = types.set_index("team_type")["operator"]
    given_days, found = _given_days(hazards, team_names, file)
    findings.extend(found)
    has_days = (
        hazards[given_days].notna().any(axis=1)
        if given_days
        else pd.Series(False, index=hazards.index)
    )
    area = hazards["area_m2"].to_numpy(float)
    computed = ~has_days.to_numpy()
    no_area = computed & np.isnan(area)
    if no_area.any():
        findings.append(
            error(
                file,
                "missing-area",
                "Hazards have neither an area (area_m2 or geometry) nor an operator's estimate.",
                "Give area_m2, a polygon, or cost_usd with days_<team_type>.",
                hazards.loc[no_area, "hazard_id"],
            )
        )
    shared = _Computed(
        hazards=hazards,
        usable=computed & ~np.isnan(area),
        area=area,
        cancel=hazards["cancel_fraction"].to_numpy(float),
        reduce=hazards["reduce_fraction"].to_numpy(float),
        sensitivity=hazards["env_sensitivity"].to_numpy(float),
        team_names=team_names,
        cost_rate=cost_rate,
        by_kind_op={
            (k, o): t
            for t, k, o in types[["team_type", "kind", "operator"]].itertuples(index=False)
        },
        file=file,
    )
    frames: list[pd.DataFrame] = []
    for m in methods:
        made, found = _method_options(m, shared)
        frames.extend(made)
        findings.extend(found)
    options = pd.concat(frames, ignore_index=True) if frames else _empty(team_names)
    _charge_estimated_cost(options, hazards, computed)
    estimate_rows = np.flatnonzero(has_days.to_numpy())
    if len(estimate_rows):
        disturbance = {m.name: m.disturbance for m in methods}
        est, found = _estimate_options(
            hazards, estimate_rows, team_names, cost_rate, operator_of, disturbance, file
        )
        findings.extend(found)
        options = pd.concat([options, est], ignore_index=True)
    options = options.sort_values(["hazard", "method", "operator"], kind="stable")
    return options.reset_index(drop=True), findings


def _given_days(
    hazards: pd.DataFrame, team_names: list[str], file: str
) -> tuple[list[str], list[Finding]]:
    """The days_<team_type> columns naming known team types (the others are an error)."""
    given = days_columns(hazards)
    unknown = [c for c in given if c[len(DAYS_PREFIX) :] not in team_names]
    if not unknown:
        return given, []
    return [c for c in given if c not in unknown], [
        error(
            file,
            "unknown-team-type",
            f"Column(s) {', '.join(unknown)} name team types that teams.csv does not have.",
            f"Team types are: {', '.join(team_names)}.",
        )
    ]


def _charge_estimated_cost(
    options: pd.DataFrame, hazards: pd.DataFrame, computed: np.ndarray
) -> None:
    """An operator's cost estimate without team-days: keep the computed team-days of each
    method but charge the estimated cost (in place)."""
    only_cost = hazards["cost_usd"].notna().to_numpy() & computed
    if not only_cost.any():
        return
    override = hazards["cost_usd"].to_numpy(float)
    mask = only_cost[options["hazard"].to_numpy()]
    options.loc[mask, "cost"] = override[options.loc[mask, "hazard"].to_numpy()]


def _method_options(m: MethodSettings, c: _Computed) -> tuple[list[pd.DataFrame], list[Finding]]:
    """The options of one method: one frame per operator that can deliver it."""
    findings: list[Finding] = []
    eligible = c.usable.copy()
    if m.hazard_types:
        eligible &= c.hazards["hazard_type"].isin(m.hazard_types).to_numpy()
    if m.classes:
        eligible &= c.hazards["hazard_class"].str.upper().isin(m.classes).to_numpy()
    idx = np.flatnonzero(eligible)
    if not len(idx):
        return [], findings
    a = c.area[idx]
    if m.surveys:
        cancelled, reduced = a * c.cancel[idx], a * c.reduce[idx]
    else:
        cancelled = reduced = np.zeros(len(idx))
    cleared = a - cancelled - reduced
    frames: list[pd.DataFrame] = []
    for operator in ("national", "international"):
        teams = {k: c.by_kind_op.get((k, operator)) for k in m.kinds}
        if any(t is None for t in teams.values()):
            continue
        frame = pd.DataFrame(
            {
                "hazard": idx,
                "method": m.name,
                "operator": operator,
                "released_m2": a,
                "cleared_m2": cleared,
                "cancelled_m2": cancelled,
                "reduced_m2": reduced,
            }
        )
        for name in c.team_names:
            frame[DAYS_PREFIX + name] = 0.0
        for kind, prod in m.productivity.items():
            frame[DAYS_PREFIX + str(teams[kind])] += cleared / prod
        for kind, prod in m.survey_productivity.items():
            frame[DAYS_PREFIX + str(teams[kind])] += a / prod
        used = [str(t) for t in set(teams.values())]
        if c.cost_rate[used].isna().any() and m.cost_per_m2 == 0:
            findings.append(
                error(
                    c.file,
                    "cost-unknown",
                    f"Method '{m.name}' has no cost: team type(s) "
                    f"{', '.join(sorted(u for u in used if pd.isna(c.cost_rate[u])))} lack "
                    "cost_per_day and the method has no cost_per_m2.",
                    "Add cost_per_day to teams.csv, cost_per_m2 to the method, or cost_usd to "
                    "the hazards.",
                )
            )
        frame["cost"] = (
            sum(frame[DAYS_PREFIX + t] * np.nan_to_num(c.cost_rate[t]) for t in used)
            + m.cost_per_m2 * cleared
        )
        frame["env"] = c.sensitivity[idx] * m.disturbance
        frames.append(frame)
    if not frames:
        findings.append(
            warning(
                c.file,
                "method-undeliverable",
                f"Method '{m.name}' needs team "
                f"kinds {', '.join(m.kinds)}, which no single operator has; "
                "it is not used.",
                "Add team types of those kinds or drop the method.",
            )
        )
    return frames, findings


def _estimate_options(
    hazards: pd.DataFrame,
    rows: np.ndarray,
    team_names: list[str],
    cost_rate: pd.Series,
    operator_of: pd.Series,
    disturbance: dict[str, float],
    file: str,
) -> tuple[pd.DataFrame, list[Finding]]:
    findings: list[Finding] = []
    sub = hazards.iloc[rows]
    days = sub.reindex(columns=[DAYS_PREFIX + t for t in team_names]).fillna(0.0).astype(float)
    negative = (days < 0).any(axis=1).to_numpy() | (sub["cost_usd"] < 0).to_numpy()
    if negative.any():
        findings.append(
            error(
                file,
                "negative-estimate",
                "Estimated cost_usd or days_* are negative.",
                "Correct the listed hazards.",
                sub.loc[negative, "hazard_id"],
            )
        )
    # A copy: under pandas copy-on-write to_numpy() is read-only ("assignment destination is
    # read-only" on a blank cost_usd beside days_*).
    cost = np.array(sub["cost_usd"], dtype=float)
    missing_cost = np.isnan(cost)
    if missing_cost.any():
        rates = np.nan_to_num(cost_rate.reindex(team_names).to_numpy(float))
        cost[missing_cost] = days.to_numpy()[missing_cost] @ rates
        if cost_rate.reindex(team_names).isna().any():
            findings.append(
                warning(
                    file,
                    "estimate-cost",
                    "Hazards give days_* without "
                    "cost_usd; their cost is days x cost_per_day where known.",
                    "Give cost_usd with the team-day estimate.",
                    sub.loc[missing_cost, "hazard_id"],
                )
            )
    area = sub["area_m2"].to_numpy(float)
    method = sub["method"].replace("", ESTIMATE).fillna(ESTIMATE).astype(str).to_numpy()
    main_team = days.idxmax(axis=1).str.slice(len(DAYS_PREFIX))
    frame = pd.DataFrame(
        {
            "hazard": rows,
            "method": method,
            "operator": operator_of.reindex(main_team).fillna("national").to_numpy(),
            "released_m2": np.nan_to_num(area),
            "cleared_m2": np.nan_to_num(area),
            "cancelled_m2": 0.0,
            "reduced_m2": 0.0,
        }
    )
    for t in team_names:
        frame[DAYS_PREFIX + t] = days[DAYS_PREFIX + t].to_numpy()
    frame["cost"] = cost
    frame["env"] = sub["env_sensitivity"].to_numpy(float) * np.array(
        [disturbance.get(m, 0.0) for m in method]
    )
    return frame, findings


def _empty(team_names: list[str]) -> pd.DataFrame:
    cols = [
        "hazard",
        "method",
        "operator",
        "released_m2",
        "cleared_m2",
        "cancelled_m2",
        "reduced_m2",
        *[DAYS_PREFIX + t for t in team_names],
        "cost",
        "env",
    ]
    return pd.DataFrame({c: pd.Series(dtype=float) for c in cols}).astype(
        {"hazard": int, "method": object, "operator": object}
    )
