"""Human column headers with units, for the workbook and the report's tables.

Field names (``released_m2_optimised``) stay the machine interface (CSV, JSON, GIS fields,
the workbook's header comments); people read ``Released, plan (m²)``. Known fields have a
written label; any other is derived from its name and the unit its kind implies, so a new
column still gets a readable header.
"""

from __future__ import annotations

from prioritise.core import fmt

LABELS = {
    "hazard_id": "Hazard ID",
    "name": "Name",
    "province": "Province",
    "district": "District",
    "hazard_class": "Hazard class",
    "hazard_type": "Hazard type",
    "article5": "Article 5",
    "status": "Status",
    "year": "Year",
    "method": "Method",
    "operator": "Operator",
    "team_type": "Team type",
    "impact": "Impact score",
    "impact_years": "Impact-years",
    "env_score": "Environmental score",
    "environmental_score": "Environmental score",
    "beneficiaries": "Beneficiaries (people)",
    "baseline_year": "Year in ranking baseline",
    "reason": "Reason",
    "why": "Why",
    "binding": "What held it back",
    "contributions": "Score contributions",
    "impact_rank": "Rank by score",
    "force_cost_lp_estimate": "Cost of forcing it in, LP estimate, not a bound (impact-years)",
    "force_cost_at_least": "Cost of forcing it in, proven at least (impact-years)",
    "force_cost_proven_at_least": "Cost of forcing it in, proven at least (impact-years)",
    "force_cost_note": "Cost of forcing it in: how it was found",
    "marginal_value": "Marginal value (impact-years per unit)",
    "marginal_per_1000": "Marginal value per 1,000 units (impact-years)",
    "resource": "Resource",
    "available": "Available",
    "used_lp": "Used in LP relaxation",
    "note": "Note",
    "item": "Item",
    "value": "Value",
    "section": "Section",
    "measure": "Measure",
    "hazards": "Hazards",
    "teams": "Teams",
    "scenario": "Scenario",
    "gap": "Optimality gap (%)",
    "objective": "Objective (impact-years)",
    "best_bound": "Best bound (impact-years)",
    "per_usd_1m": "Impact-years per extra US$1m",
    "marginal_value_per_usd": "Impact-years per extra USD",
    "budget_usd": "Budget (USD)",
    "benefit_usd_per_year": "Economic benefit (USD a year)",
    "benefit_basis": "How the benefit was computed",
    "pv_benefit_usd": "PV of benefits (USD)",
    "pv_cost_usd": "PV of cost (USD)",
    "npv_usd": "NPV (USD)",
    "bcr": "Benefit-cost ratio",
    "impact_years_per_usd1000": "Impact-years per US$1,000",
    "benefit_per_usd": "PV benefit per USD of PV cost",
    "share_of_benefit": "Share of PV benefits (%)",
}
UNITS = {
    "money": "USD",
    "money_rate": "USD",
    "area": "m²",
    "days": "team-days",
    "share": "%",
}
VARIANTS = {"_optimised": "plan", "_baseline": "baseline"}
UNIT_TOKENS = ("_usd", "usd_", "_m2", "m2_")
PHRASES = (
    ("per_m2", "per m²"),
    ("team_days", "team-days"),
    ("team_day", "team-day"),
    ("per_day", "per team-day"),
    ("article5", "Article 5"),
)


def label(field: str) -> str:
    """``released_m2_optimised`` -> ``Released, plan (m²)``; ``cost_usd`` -> ``Cost (USD)``."""
    if field in LABELS:
        return LABELS[field]
    base, variant = field, ""
    for suffix, name in VARIANTS.items():
        if base.endswith(suffix):
            base, variant = base[: -len(suffix)], name
            break
    if base in LABELS and variant:
        return _with_variant(LABELS[base], variant)
    unit = UNITS.get(fmt.column_kind(field) or "")
    words = base
    if words.startswith("days_"):
        words = "team-days " + words[len("days_") :]
        unit = None
    for phrase, words_for in PHRASES:
        words = words.replace(phrase, words_for.replace(" ", "_"))
    for token in UNIT_TOKENS:
        words = words.replace(token, "_" if token.startswith("_") else "")
    text = words.strip("_").replace("_", " ")
    text = text[:1].upper() + text[1:] if text else field
    if variant:
        text += f", {variant}"
    return f"{text} ({unit})" if unit and unit.lower() not in text.lower() else text


def _with_variant(text: str, variant: str) -> str:
    if text.endswith(")"):
        head, _, unit = text.rpartition(" (")
        return f"{head}, {variant} ({unit}"
    return f"{text}, {variant}"
