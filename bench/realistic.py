"""Realistic national inventories for the optimiser benchmark (issue 11), seeded.

The easy family in ``bench/synthetic.py`` has no deadline, no shares, no carry-over and
shallow access, and its mechanical and dog teams never bind: a one-line greedy gets within
about 1% of its bound, so it only measures build speed. This family keeps its areas, methods
and team types and adds what makes real programmes hard:

- an Article 5 deadline on about a third of the hazards (chosen at random, so large ones too),
  ``deadline_offset`` years after the start;
- carry-over of unspent money, a 3% discount rate, environment weight 5;
- a province equity share (4% of spending each, 8 provinces) and a localisation share (35%
  of spending on national operators);
- access chains several levels deep: about 35% of hazards require one to three hazards of
  their province reached through a chain (each new hazard hangs off a recent one, so chains
  of 4-8 levels form);
- resources calibrated so that every team type binds in some year: the budget covers
  ``budget_share`` of the cheapest-option cost of the inventory, and each team type gets
  ``capacity_share`` of what the cheapest options would need, mechanical and dog teams
  a scarcer ``scarce_share``; every type must have at least what the deadline hazards need by
  the deadline (times ``deadline_margin``), so the deadline stays feasible.

``dense=True`` gives the dense-access variant: each hazard requires 10-20 earlier hazards of
its province (about 200,000 dependencies at 15,000 hazards), as road-derived access on a dense
network does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.synthetic import (
    SEED,
    START_YEAR,
    TEAMS,
    Tables,
    _build,
    hazard_table,
    make_tables,
)
from bench.synthetic import Spec as EasySpec
from prioritise.core.problem import Problem

SCARCE = ("mechanical", "mdd")


@dataclass(frozen=True)
class RealisticSpec:
    hazards: int = 10_000
    years: int = 10
    seed: int = SEED + 11
    article5_share: float = 1 / 3
    deadline_offset: int = 6  # deadline year = start + offset (7 years to meet it)
    budget_share: float = 0.5
    capacity_share: float = 0.5
    scarce_share: float = 0.3
    deadline_margin: float = 1.4
    dependency_share: float = 0.35
    dense: bool = False
    equity: float = 0.04
    localisation: float = 0.35

    @property
    def label(self) -> str:
        kind = "dense" if self.dense else "realistic"
        return f"{kind} {self.hazards:,} x {self.years}"


def chain_dependencies(
    hazards: pd.DataFrame, share: float, rng: np.random.Generator, dense: bool
) -> pd.DataFrame:
    """Access edges inside each province, acyclic by construction (a random order).

    Sparse: ``share`` of hazards require 1-3 hazards among the ~20 placed just before them
    in their province's order, so chains run several levels deep. Dense: every hazard after
    the first 20 of its province requires 10-20 of the 200 placed before it.
    """
    after_all: list[np.ndarray] = []
    before_all: list[np.ndarray] = []
    province = hazards["province"].to_numpy()
    for p in np.unique(province):
        members = rng.permutation(np.flatnonzero(province == p))
        m = len(members)
        if dense:
            who = np.arange(min(20, m), m)
            k = rng.integers(10, 21, len(who))
            window = 200
        else:
            who = np.flatnonzero(rng.random(m) < share)
            who = who[who > 0]
            k = rng.integers(1, 4, len(who))
            window = 20
        pos = np.repeat(who, k)
        back = (rng.random(len(pos)) * np.minimum(pos, window)).astype(int) + 1
        before = pos - np.minimum(back, pos)
        pairs = np.unique(np.stack([pos, before], axis=1), axis=0)
        after_all.append(members[pairs[:, 0]])
        before_all.append(members[pairs[:, 1]])
    ids = hazards["hazard_id"].to_numpy()
    after = np.concatenate(after_all)
    before = np.concatenate(before_all)
    return pd.DataFrame({"hazard_id": ids[after], "requires": ids[before]})


def make_realistic_tables(spec: RealisticSpec) -> Tables:
    rng = np.random.default_rng(spec.seed)
    easy = make_tables(EasySpec(hazards=spec.hazards, years=spec.years, seed=spec.seed))
    hazards = hazard_table(EasySpec(hazards=spec.hazards, years=spec.years), rng)
    hazards["article5"] = rng.random(len(hazards)) < spec.article5_share
    deps = chain_dependencies(hazards, spec.dependency_share, rng, spec.dense)
    doc = dict(easy.doc)
    doc["project"] = {"name": spec.label}
    doc["plan"] = {
        "start_year": START_YEAR,
        "years": spec.years,
        "discount_rate": 0.03,
        "environment_weight": 5.0,
        "carry_over": True,
        "deadline_year": START_YEAR + spec.deadline_offset,
    }
    doc["constraints"] = {
        "equity": {"min_share": spec.equity},
        "localisation": {"min_national_share": spec.localisation},
    }
    teams, budget = _resources(spec, doc, hazards, deps, easy.teams)
    return Tables(doc, hazards, teams, budget, deps)


def _resources(
    spec: RealisticSpec,
    doc: dict,  # type: ignore[type-arg]
    hazards: pd.DataFrame,
    deps: pd.DataFrame,
    teams: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Budget and fleet from a pilot problem with ample resources (see the module note)."""
    years = list(range(START_YEAR, START_YEAR + spec.years))
    pilot_doc = {**doc, "plan": {**doc["plan"], "deadline_year": None}}
    pilot_doc["plan"] = {k: v for k, v in pilot_doc["plan"].items() if v is not None}
    pilot = _build(
        pilot_doc, hazards, teams, pd.DataFrame({"year": years, "budget_usd": 1.0}), None
    )
    cheap = pilot.options.sort_values(["hazard", "cost"]).drop_duplicates("hazard")
    required = _required_closure(hazards, deps)
    in_deadline = cheap["hazard"].isin(required).to_numpy()
    n_deadline_years = spec.deadline_offset + 1
    day_cols = [f"days_{t}" for t in TEAMS]
    per_year_cost = cheap["cost"].sum() / spec.years
    deadline_cost = cheap.loc[in_deadline, "cost"].sum() / n_deadline_years
    yearly = max(spec.budget_share * per_year_cost, spec.deadline_margin * deadline_cost)
    growth = np.linspace(0.95, 1.08, spec.years)
    budget = pd.DataFrame({"year": years, "budget_usd": np.round(yearly * growth, -3)})
    need = cheap[day_cols].sum().to_numpy() / spec.years
    deadline_need = cheap.loc[in_deadline, day_cols].sum().to_numpy() / n_deadline_years
    share = np.array([spec.scarce_share if t in SCARCE else spec.capacity_share for t in TEAMS])
    need = np.maximum(share * need, 0.2 * share * need.max())
    need = np.maximum(need, spec.deadline_margin * deadline_need)
    out = teams.copy()
    out["teams"] = np.maximum(np.ceil(need / out["days_per_year"].to_numpy()), 1.0)
    return out, budget


def _required_closure(hazards: pd.DataFrame, deps: pd.DataFrame) -> set[int]:
    """Positions of Article 5 hazards and everything they require, transitively."""
    pos = pd.Series(np.arange(len(hazards)), index=hazards["hazard_id"])
    after = pos.reindex(deps["hazard_id"]).to_numpy()
    before = pos.reindex(deps["requires"]).to_numpy()
    order = np.argsort(after, kind="stable")
    after, before = after[order], before[order]
    starts = np.searchsorted(after, np.arange(len(hazards) + 1))
    stack = list(np.flatnonzero(hazards["article5"].to_numpy()))
    seen = set(int(h) for h in stack)
    while stack:
        h = stack.pop()
        for g in before[starts[h] : starts[h + 1]]:
            if int(g) not in seen:
                seen.add(int(g))
                stack.append(int(g))
    return seen


def build_realistic(spec: RealisticSpec) -> Problem:
    t = make_realistic_tables(spec)
    return _build(t.doc, t.hazards, t.teams, t.budget, t.dependencies)
