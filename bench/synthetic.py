"""Synthetic national inventories, generated in memory with a fixed seed, for the benchmarks.

The numbers follow ``sample_data/generate.py`` (and the domain notes it cites): log-normal
areas with a median of about 3 ha (sigma 1.4, capped at 4 km²), SHA/CHA land-release
fractions, five team types of the kinds manual/mechanical/mdd/survey run by national and
international operators, and a budget and fleet that cover only part of the inventory over
the horizon, so both bind and a long tail stays unscheduled. About 7% of hazards need
access through another hazard of the same province (a random DAG).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prioritise.core.problem import Problem
from prioritise.core.settings import parse_settings
from prioritise.inputs.loader import build_problem

SEED = 20261126
START_YEAR = 2027
PROVINCES = ("Capital", "Northern", "Eastern", "Delta", "Lakes", "Highlands", "Coast", "Plains")
TYPES = ("AP", "AT", "mixed", "UXO", "CMR")
TYPE_SHARE = (0.30, 0.15, 0.25, 0.18, 0.12)
TYPE_MEDIAN_HA = {"AP": 2.0, "AT": 4.0, "mixed": 3.0, "UXO": 3.0, "CMR": 5.0}

# As sample_data/national: kind, operator, cost per team-day (USD), days per year.
TEAMS = {
    "manual_national": ("manual", "national", 230.0, 200.0),
    "manual_international": ("manual", "international", 560.0, 210.0),
    "mechanical": ("mechanical", "international", 2800.0, 190.0),
    "mdd": ("mdd", "national", 650.0, 190.0),
    "survey": ("survey", "national", 520.0, 200.0),
}

# The national sample's methods (the engine's defaults lack battle-area clearance and the
# hazard-type filters).
REALISTIC_METHODS: dict[str, Any] = {
    "manual": {"label": "Manual clearance", "productivity": {"manual": 200}, "disturbance": 0.2},
    "mechanical": {
        "label": "Mechanical with manual follow-up",
        "productivity": {"mechanical": 6000, "manual": 1500},
        "disturbance": 0.9,
        "hazard_types": ["AP", "AT", "mixed"],
    },
    "mdd": {
        "label": "Mine detection dogs with manual follow-up",
        "productivity": {"mdd": 700, "manual": 2500},
        "disturbance": 0.3,
        "hazard_types": ["AP", "AT", "mixed"],
    },
    "bac": {
        "label": "Battle area clearance",
        "productivity": {"manual": 350},
        "disturbance": 0.15,
        "hazard_types": ["UXO", "CMR"],
    },
    "technical_survey": {
        "label": "Technical survey, then manual clearance of what remains",
        "productivity": {"manual": 200},
        "survey_productivity": {"survey": 3000},
        "disturbance": 0.25,
        "classes": ["SHA"],
    },
}


@dataclass(frozen=True)
class Spec:
    """What to generate. Shares of the inventory's cheapest-method need give the resources."""

    hazards: int = 10_000
    years: int = 10
    seed: int = SEED
    methods: str = "realistic"  # realistic | default
    dependency_share: float = 0.07
    budget_share: float = 0.45  # horizon budget / cost of every hazard at its cheapest option
    capacity_share: float = 0.45  # team-days per type / team-days of those cheapest options
    equity: float = 0.0  # minimum share of spending per province (0 = off)
    localisation: float = 0.0  # minimum national share of spending (0 = off)
    precedence: str = "by"
    discount_rate: float = 0.03
    environment_weight: float = 5.0


@dataclass(frozen=True)
class Tables:
    doc: dict[str, Any]
    hazards: pd.DataFrame
    teams: pd.DataFrame
    budget: pd.DataFrame
    dependencies: pd.DataFrame


def hazard_table(spec: Spec, rng: np.random.Generator) -> pd.DataFrame:
    n = spec.hazards
    kind = rng.choice(len(TYPES), size=n, p=TYPE_SHARE)
    hazard_type = np.array(TYPES)[kind]
    median = np.array([TYPE_MEDIAN_HA[t] for t in TYPES])[kind] * 10_000.0
    area = np.minimum(median * np.exp(rng.normal(0.0, 1.4, n)), 4e6)
    sha = rng.random(n) < 0.45
    cancel = np.where(sha, rng.uniform(0.3, 0.8, n), 0.0)
    reduce = np.where(sha, rng.uniform(0.1, 0.25, n), rng.uniform(0.0, 0.15, n))
    reduce = np.minimum(reduce, 0.95 - cancel)
    province = rng.choice(
        len(PROVINCES),
        size=n,
        p=np.linspace(1.6, 0.6, len(PROVINCES)) / np.linspace(1.6, 0.6, len(PROVINCES)).sum(),
    )
    # Impact: a 0-100 score that grows slowly with area (more land, more beneficiaries).
    score = rng.beta(2.0, 5.0, n) * (1.0 + 0.25 * np.log(area / 30_000.0))
    impact = np.round(np.clip(100.0 * score, 1.0, 100.0), 3)
    return pd.DataFrame(
        {
            "hazard_id": [f"HA-{i:06d}" for i in range(n)],
            "province": np.array(PROVINCES)[province],
            "hazard_class": np.where(sha, "SHA", "CHA"),
            "hazard_type": hazard_type,
            "area_m2": np.round(area, 1),
            "impact": impact,
            "cancel_fraction": np.round(cancel, 3),
            "reduce_fraction": np.round(reduce, 3),
            "env_sensitivity": np.round(rng.random(n), 3),
            "article5": np.isin(hazard_type, ["AP", "mixed"]),
        }
    )


def dependency_table(hazards: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.DataFrame:
    """~share of hazards require one earlier hazard (in a random order) of their province."""
    n = len(hazards)
    order = rng.permutation(n)  # position in a random topological order
    rank = np.empty(n, int)
    rank[order] = np.arange(n)
    after = rng.choice(n, size=round(share * n), replace=False)
    frame = pd.DataFrame({"pos": np.arange(n), "province": hazards["province"], "rank": rank})
    by_province = {p: g.sort_values("rank")["pos"].to_numpy() for p, g in frame.groupby("province")}
    before = np.full(len(after), -1)
    for p, members in by_province.items():  # one vectorised draw per province
        sel = np.flatnonzero(hazards["province"].to_numpy()[after] == p)
        k = np.searchsorted(rank[members], rank[after[sel]])  # earlier members of p
        ok = k > 0
        pick = (rng.random(len(sel)) * np.maximum(k, 1)).astype(int)
        before[sel[ok]] = members[pick[ok]]
    keep = before >= 0
    ids = hazards["hazard_id"].to_numpy()
    return pd.DataFrame({"hazard_id": ids[after[keep]], "requires": ids[before[keep]]})


def make_tables(spec: Spec) -> Tables:
    rng = np.random.default_rng(spec.seed)
    hazards = hazard_table(spec, rng)
    deps = dependency_table(hazards, spec.dependency_share, rng)
    doc: dict[str, Any] = {
        "project": {"name": f"synthetic {spec.hazards} x {spec.years}"},
        "plan": {
            "start_year": START_YEAR,
            "years": spec.years,
            "discount_rate": spec.discount_rate,
            "environment_weight": spec.environment_weight,
        },
        "data": {
            "hazards": "hazards.csv",
            "teams": "teams.csv",
            "budget": "budget.csv",
            "dependencies": "dependencies.csv",
        },
        "solver": {"precedence": spec.precedence},
    }
    if spec.methods == "realistic":
        doc["methods"] = REALISTIC_METHODS
    constraints: dict[str, Any] = {}
    if spec.equity > 0:
        constraints["equity"] = {"min_share": spec.equity}
    if spec.localisation > 0:
        constraints["localisation"] = {"min_national_share": spec.localisation}
    if constraints:
        doc["constraints"] = constraints
    # Resources: calibrate against every hazard at its cheapest option, using a pilot
    # problem with ample resources.
    teams = pd.DataFrame(
        [
            {
                "team_type": t,
                "kind": k,
                "operator": o,
                "cost_per_day": c,
                "days_per_year": d,
                "teams": 1.0,
            }
            for t, (k, o, c, d) in TEAMS.items()
        ]
    )
    years = list(range(START_YEAR, START_YEAR + spec.years))
    pilot = _build(doc, hazards, teams, pd.DataFrame({"year": years, "budget_usd": 1.0}), None)
    cheap = pilot.options.sort_values(["hazard", "cost"]).drop_duplicates("hazard")
    per_year_cost = cheap["cost"].sum() / spec.years
    growth = np.linspace(0.95, 1.08, spec.years)  # budgets drift up a little
    budget = pd.DataFrame(
        {"year": years, "budget_usd": np.round(spec.budget_share * per_year_cost * growth, -3)}
    )
    need = cheap[[f"days_{t}" for t in TEAMS]].sum().to_numpy() / spec.years
    # Types the cheapest options never use still get a fleet (a fifth of the largest).
    need = np.maximum(need, 0.2 * need.max())
    days = teams["days_per_year"].to_numpy()
    teams["teams"] = np.maximum(np.round(spec.capacity_share * need / days), 1.0)
    return Tables(doc, hazards, teams, budget, deps)


def _build(
    doc: dict[str, Any],
    hazards: pd.DataFrame,
    teams: pd.DataFrame,
    budget: pd.DataFrame,
    deps: pd.DataFrame | None,
) -> Problem:
    settings, findings = parse_settings(doc, Path.cwd() / "synthetic.toml", check_files=False)
    if settings is None:
        raise ValueError("; ".join(f.message for f in findings))
    return build_problem(settings, hazards, teams, budget, deps)


def build(tables: Tables) -> Problem:
    return _build(tables.doc, tables.hazards, tables.teams, tables.budget, tables.dependencies)
