"""Each hazard's yearly economic benefit (USD/year), given or computed from ``[economics]``.

A given ``benefit_usd_per_year`` wins; otherwise the value table prices the released land by
its land use (area x USD/m²/year) plus its beneficiaries (people x USD/person/year). The
``benefit_basis`` column says, per hazard, which rule produced the figure, so an evaluator can
redo the arithmetic; a hazard with no figure keeps a blank (unknown), never 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prioritise.core.errors import Finding, error, warning
from prioritise.core.settings import Settings


def economic_benefit(frame: pd.DataFrame, settings: Settings) -> list[Finding]:
    """Fill frame['benefit_usd_per_year'] and frame['benefit_basis']; return the findings."""
    h_file = settings.data.hazards.name
    econ = settings.economics
    given = frame["benefit_usd_per_year"].notna()
    benefit = frame["benefit_usd_per_year"].astype(float).copy()
    basis = pd.Series(
        np.where(given, "given in benefit_usd_per_year", ""), index=frame.index, dtype=object
    )
    findings: list[Finding] = []
    if econ.given:
        computed, text, found = _from_table(frame, settings)
        findings += found
        todo = ~given & computed.notna()
        benefit = benefit.where(~todo, computed)
        basis = basis.where(~todo, text)
    frame["benefit_usd_per_year"] = benefit
    frame["benefit_basis"] = basis
    if settings.plan.objective == "npv":
        missing = benefit.isna()
        if missing.all():
            findings.append(
                error(
                    h_file,
                    "missing-benefit",
                    "objective = 'npv' but no hazard has an economic benefit.",
                    "Give a benefit_usd_per_year column or an [economics] value table.",
                )
            )
        elif missing.any():
            findings.append(
                warning(
                    h_file,
                    "missing-benefit",
                    f"{int(missing.sum())} hazard(s) have no economic benefit; the NPV objective "
                    "counts only their cost (they are cleared only when required).",
                    "Give benefit_usd_per_year for them or a rate for their land use.",
                    frame.loc[missing, "hazard_id"],
                )
            )
    return findings


def _from_table(
    frame: pd.DataFrame, settings: Settings
) -> tuple[pd.Series, pd.Series, list[Finding]]:
    """Benefit from the value table where it prices something, with the arithmetic as text."""
    econ = settings.economics
    h_file = settings.data.hazards.name
    findings: list[Finding] = []
    col = econ.land_use_column
    area = frame["area_m2"].astype(float)
    people = frame["beneficiaries"].astype(float).fillna(0.0)
    if col in frame.columns:
        use = frame[col].astype(object).where(frame[col].notna(), None)
        use = use.map(lambda v: None if v is None else str(v).strip())
    else:
        use = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        if econ.usd_per_m2_year:
            findings.append(
                error(
                    h_file,
                    "missing-land-use",
                    f"[economics] usd_per_m2_year prices land uses but the hazards have no "
                    f"'{col}' column.",
                    f"Add a '{col}' column or set [economics] land_use_column.",
                )
            )
    rates = dict(econ.usd_per_m2_year)
    rate = use.map(lambda v: rates.get(v) if v is not None else None).astype(float)
    unpriced = use.notna() & rate.isna()
    if unpriced.any() and rates:
        names = sorted({str(v) for v in use[unpriced]})
        findings.append(
            warning(
                h_file,
                "unpriced-land-use",
                f"Land use(s) {', '.join(names)} have no rate in [economics] usd_per_m2_year; "
                "their land counts no economic benefit.",
                "Add a rate (0 if the land has no economic use).",
                frame.loc[unpriced, "hazard_id"],
            )
        )
    per_person = float(econ.usd_per_beneficiary_year)
    land = (area * rate).where(rate.notna() & area.notna())
    person = (people * per_person).where((people > 0) & (per_person > 0))
    computed = land.fillna(0.0) + person.fillna(0.0)
    known = land.notna() | person.notna()
    computed = computed.where(known)
    text = [
        _basis(use[i], area[i], rate[i], people[i], per_person, land[i], person[i])
        for i in frame.index
    ]
    return computed, pd.Series(text, index=frame.index, dtype=object), findings


def _basis(
    use: str | None,
    area: float,
    rate: float,
    people: float,
    per_person: float,
    land: float,
    person: float,
) -> str:
    """'agriculture: 12,000 m² x 0.05 USD/m²/yr = 600; 40 people x 10 USD/yr = 400'."""
    parts = []
    if not np.isnan(land):
        parts.append(f"{use}: {area:,.0f} m² x {rate:g} USD/m²/yr = {land:,.0f}")
    if not np.isnan(person):
        parts.append(f"{people:,.0f} people x {per_person:g} USD/yr = {person:,.0f}")
    return "; ".join(parts)
