"""Money with strings attached: earmarked funds and conditional top-ups.

Both families are applied to a built workplan model (after :func:`models.workplan.build_model`)
and rewrite the ``budget_per_year`` rows. The problem's budget B_t is the *total* money that
may be spent in year t (general + earmarked + top-up), so the plain re-check of a schedule
against the problem stays a valid (weaker) test; these families take the restricted part back
out of the right-hand side and let it return only under its condition.

Earmarks. Earmark e gives E_{e,t} usable only on the options it matches (a province, method
or operator type). With u_{e,t} in [0, E_{e,t}] the earmarked money actually used::

    sum_{h,o} c x[h,o,t] + r_t - r_{t-1} - sum_e u_{e,t} <= B_t - sum_e E_{e,t}
    sum_{e in S} u_{e,t} <= sum_{(h,o) matching some e in S} c x[h,o,t]   for every S

The second family is Hall's condition for allocating spending to funds: with disjoint
earmarks only singletons S are needed; overlapping earmarks need every subset of each
group of overlapping earmarks (at most 2^k - 1 rows per year, k = the group's size).
Unused earmarked money lapses at the end of its year (it does not join the carry-over).

Conditional top-up. F_t is paid only when every Article 5 hazard is completed by year Y:
a binary z with::

    sum_{h,o} c x[h,o,t] + ... <= B_t - F_t + F_t z
    sum_{o, s <= Y} x[h,o,s] >= z   for every Article 5 hazard h
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from models.matrix import LinearModel, RowBlock
from models.workplan import BuiltModel

MAX_OVERLAPPING = 8  # 2^8 - 1 = 255 rows per year for one group of overlapping earmarks


@dataclass(frozen=True)
class Earmark:
    """Money usable only on matching options; an empty filter matches everything."""

    name: str
    per_year: Mapping[int, float]
    provinces: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()

    def matches(self, frame: pd.DataFrame, province: np.ndarray) -> np.ndarray:
        """Which rows of an option/eligibility frame this earmark may pay for."""
        ok = np.ones(len(frame), bool)
        if self.provinces:
            ok &= np.isin(province, self.provinces)
        if self.methods:
            ok &= frame["method"].isin(self.methods).to_numpy()
        if self.operators:
            ok &= frame["operator"].isin(self.operators).to_numpy()
        return ok


@dataclass(frozen=True)
class ConditionalTopUp:
    """Money in some years, payable only if all Article 5 hazards are done by a year."""

    per_year: Mapping[int, float]
    condition_year: int


@dataclass(frozen=True)
class FundingColumns:
    """Where the funding families put their columns, for reading the solution."""

    earmark_use: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    earmark_keys: pd.DataFrame = field(default_factory=pd.DataFrame)
    top_up: int | None = None


def restricted_per_year(
    years: Sequence[int], earmarks: Sequence[Earmark], top_up: ConditionalTopUp | None
) -> pd.Series:
    """Total restricted money per year (added to the general budget to give B_t)."""
    total = pd.Series(0.0, index=pd.Index(years, name="year"))
    for e in earmarks:
        total += pd.Series(e.per_year, dtype=float).reindex(years, fill_value=0.0).to_numpy()
    if top_up is not None:
        total += pd.Series(top_up.per_year, dtype=float).reindex(years, fill_value=0.0).to_numpy()
    return total


def extend_block(
    model: LinearModel,
    family: str,
    rows: np.ndarray,
    cols: np.ndarray,
    vals: np.ndarray,
    upper: np.ndarray | None = None,
) -> RowBlock:
    """Add coefficients to an existing row block (and optionally new upper bounds)."""
    i = next(k for k, b in enumerate(model.row_blocks) if b.family == family)
    b = model.row_blocks[i]
    keep = np.asarray(vals, float) != 0
    new = RowBlock(
        family=b.family,
        rows=np.concatenate([b.rows, np.asarray(rows, np.int64)[keep]]),
        cols=np.concatenate([b.cols, np.asarray(cols, np.int64)[keep]]),
        vals=np.concatenate([b.vals, np.asarray(vals, float)[keep]]),
        lower=b.lower,
        upper=b.upper if upper is None else np.asarray(upper, float),
        keys=b.keys,
    )
    model.row_blocks[i] = new
    return new


def overlap_groups(match: np.ndarray) -> list[list[int]]:
    """Earmarks grouped so that two earmarks sharing any option are in the same group."""
    k = match.shape[1]
    shared = (match.T.astype(np.int64) @ match.astype(np.int64)) > 0
    graph = nx.Graph()
    graph.add_nodes_from(range(k))
    graph.add_edges_from((a, b) for a, b in zip(*np.nonzero(np.triu(shared, 1)), strict=True))
    return [sorted(c) for c in nx.connected_components(graph)]


def add_earmarks(built: BuiltModel, earmarks: Sequence[Earmark]) -> FundingColumns:
    """Earmark columns u[e,t], the budget rows' restricted part and the Hall rows."""
    if not earmarks:
        return FundingColumns()
    problem = built.problem
    model = built.model
    f = built.eligibility.frame
    years = problem.years
    T = len(years)
    province = problem.hazards["province"].to_numpy()[f["hazard"].to_numpy()]
    match = np.column_stack([e.matches(f, province) for e in earmarks])  # rows x earmarks
    amounts = np.array(
        [
            pd.Series(e.per_year, dtype=float).reindex(years, fill_value=0.0).to_numpy()
            for e in earmarks
        ]
    )  # earmarks x years
    keys = pd.DataFrame(
        {"earmark": np.repeat([e.name for e in earmarks], T), "year": np.tile(years, len(earmarks))}
    )
    u = model.add_columns("earmark_use", keys, lower=0.0, upper=amounts.ravel())

    budget = model.block("budget_per_year")
    t_of_u = np.tile(np.arange(T), len(earmarks))
    extend_block(
        model,
        "budget_per_year",
        t_of_u,
        u,
        -np.ones(len(u)),
        upper=budget.upper - amounts.sum(axis=0),
    )

    cost = f["cost"].to_numpy(float)
    t = f["t"].to_numpy()
    groups = overlap_groups(match)
    if any(len(g) > MAX_OVERLAPPING for g in groups):
        raise ValueError(f"more than {MAX_OVERLAPPING} earmarks overlap one another")
    subsets = [
        s
        for group in groups
        for n in range(1, len(group) + 1)
        for s in itertools.combinations(group, n)
    ]
    rows, cols, vals = [], [], []
    for i, subset in enumerate(subsets):
        hit = np.flatnonzero(match[:, list(subset)].any(axis=1))
        members = np.array(subset)
        rows += [i * T + t[hit], np.repeat(i * T + np.arange(T), len(members))]
        cols += [built.x[hit], u[(members[None, :] * T + np.arange(T)[:, None]).ravel()]]
        vals += [-cost[hit], np.ones(T * len(members))]
    names = ["+".join(earmarks[j].name for j in s) for s in subsets]
    model.add_rows(
        "earmark_allocation",
        pd.DataFrame({"earmarks": np.repeat(names, T), "year": np.tile(years, len(subsets))}),
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(vals),
        lower=-np.inf,
        upper=0.0,
    )
    return FundingColumns(earmark_use=u, earmark_keys=keys)


def add_conditional_top_up(
    built: BuiltModel, top_up: ConditionalTopUp, columns: FundingColumns | None = None
) -> FundingColumns:
    """The binary z releasing the top-up and the Article 5 completion rows behind it."""
    problem = built.problem
    model = built.model
    years = problem.years
    amounts = pd.Series(top_up.per_year, dtype=float).reindex(years, fill_value=0.0).to_numpy()
    h = problem.hazards
    a5 = np.flatnonzero(h["article5"].to_numpy(bool))
    excluded = built.eligibility.excluded.index
    blocked = np.intersect1d(a5, excluded)
    # With an Article 5 hazard that can never be scheduled, the condition cannot be met.
    z = int(
        model.add_columns(
            "top_up_released",
            pd.DataFrame({"name": ["top_up"]}),
            lower=0.0,
            upper=0.0 if len(blocked) else 1.0,
            integer=True,
        )[0]
    )
    budget = model.block("budget_per_year")
    t_idx = np.flatnonzero(amounts)
    extend_block(
        model,
        "budget_per_year",
        t_idx,
        np.full(len(t_idx), z),
        -amounts[t_idx],
        upper=budget.upper - amounts,
    )
    if len(a5) and not len(blocked):
        f = built.eligibility.frame
        in_time = (f["hazard"].isin(a5) & (f["year"] <= top_up.condition_year)).to_numpy()
        code = np.searchsorted(a5, f.loc[in_time, "hazard"].to_numpy())
        model.add_rows(
            "top_up_condition",
            pd.DataFrame({"hazard": h["hazard_id"].to_numpy()[a5]}),
            np.concatenate([code, np.arange(len(a5))]),
            np.concatenate([built.x[in_time], np.full(len(a5), z)]),
            np.concatenate([np.ones(int(in_time.sum())), -np.ones(len(a5))]),
            lower=0.0,
            upper=np.inf,
        )
    base = columns or FundingColumns()
    return FundingColumns(base.earmark_use, base.earmark_keys, z)


def funding_use(
    built: BuiltModel, columns: FundingColumns, x: np.ndarray | None, earmarks: Sequence[Earmark]
) -> dict[str, object]:
    """Earmarked money used per earmark and year, and whether the top-up was released."""
    out: dict[str, object] = {}
    if x is None:
        return out
    if len(columns.earmark_use):
        used = columns.earmark_keys.assign(used_usd=np.round(x[columns.earmark_use], 2))
        out["earmarks"] = {
            e.name: {int(y): float(v) for y, v in zip(g["year"], g["used_usd"], strict=True)}
            for e in earmarks
            for _, g in [(e.name, used[used["earmark"] == e.name])]
        }
    if columns.top_up is not None:
        out["top_up_released"] = bool(x[columns.top_up] > 0.5)
    return out
