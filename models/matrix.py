"""A solver-neutral sparse MILP, assembled from named blocks of rows and columns.

Families append whole blocks built with numpy (row index, column index, value triplets), so
a model of millions of non-zeros is assembled without a Python object per coefficient; the
solver adapter hands the arrays to HiGHS as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ColumnBlock:
    """A family of variables occupying columns ``start`` .. ``stop - 1``."""

    family: str
    start: int
    stop: int
    keys: pd.DataFrame  # one row per column, used for names and for reading the solution


@dataclass(frozen=True)
class RowBlock:
    """A family of constraints ``lower <= A x <= upper`` with local row numbers."""

    family: str
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    keys: pd.DataFrame  # one row per constraint

    @property
    def n_rows(self) -> int:
        return len(self.lower)


@dataclass
class LinearModel:
    """Columns with bounds, objective and integrality, plus row blocks; maximised."""

    col_lower: list[np.ndarray] = field(default_factory=list)
    col_upper: list[np.ndarray] = field(default_factory=list)
    col_cost: list[np.ndarray] = field(default_factory=list)
    col_integer: list[np.ndarray] = field(default_factory=list)
    col_blocks: list[ColumnBlock] = field(default_factory=list)
    row_blocks: list[RowBlock] = field(default_factory=list)
    n_cols: int = 0

    def add_columns(
        self,
        family: str,
        keys: pd.DataFrame,
        *,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        cost: np.ndarray | float = 0.0,
        integer: bool = False,
    ) -> np.ndarray:
        """Add one variable per row of ``keys``; return their column indices."""
        n = len(keys)
        start = self.n_cols
        self.col_lower.append(np.broadcast_to(np.asarray(lower, float), n).copy())
        self.col_upper.append(np.broadcast_to(np.asarray(upper, float), n).copy())
        self.col_cost.append(np.broadcast_to(np.asarray(cost, float), n).copy())
        self.col_integer.append(np.full(n, integer))
        self.col_blocks.append(ColumnBlock(family, start, start + n, keys.reset_index(drop=True)))
        self.n_cols += n
        return np.arange(start, start + n)

    def add_rows(
        self,
        family: str,
        keys: pd.DataFrame,
        rows: np.ndarray,
        cols: np.ndarray,
        vals: np.ndarray,
        *,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
    ) -> RowBlock:
        """Add a family of constraints given as COO triplets with local row numbers."""
        n = len(keys)
        block = RowBlock(
            family=family,
            rows=np.asarray(rows, np.int64),
            cols=np.asarray(cols, np.int64),
            vals=np.asarray(vals, float),
            lower=np.broadcast_to(np.asarray(lower, float), n).copy(),
            upper=np.broadcast_to(np.asarray(upper, float), n).copy(),
            keys=keys.reset_index(drop=True),
        )
        # Drop explicit zeros so that the matrix is what it says.
        keep = block.vals != 0
        if not keep.all():
            block = RowBlock(
                family,
                block.rows[keep],
                block.cols[keep],
                block.vals[keep],
                block.lower,
                block.upper,
                block.keys,
            )
        self.row_blocks.append(block)
        return block

    # --- assembled views -------------------------------------------------------------

    @property
    def n_rows(self) -> int:
        return sum(b.n_rows for b in self.row_blocks)

    @property
    def n_nonzeros(self) -> int:
        return sum(len(b.vals) for b in self.row_blocks)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(lower, upper, cost, is_integer) over all columns."""
        cat = np.concatenate
        return (
            cat(self.col_lower) if self.col_lower else np.zeros(0),
            cat(self.col_upper) if self.col_upper else np.zeros(0),
            cat(self.col_cost) if self.col_cost else np.zeros(0),
            cat(self.col_integer) if self.col_integer else np.zeros(0, bool),
        )

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.row_blocks:
            return np.zeros(0), np.zeros(0)
        return (
            np.concatenate([b.lower for b in self.row_blocks]),
            np.concatenate([b.upper for b in self.row_blocks]),
        )

    def coo(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Global (row, col, value) triplets."""
        if not self.row_blocks:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        rows = np.empty(self.n_nonzeros, np.int64)
        pos = offset = 0
        for b in self.row_blocks:  # one pass per block, written in place (no temporaries)
            np.add(b.rows, offset, out=rows[pos : pos + len(b.rows)])
            pos += len(b.rows)
            offset += b.n_rows
        return (
            rows,
            np.concatenate([b.cols for b in self.row_blocks]),
            np.concatenate([b.vals for b in self.row_blocks]),
        )

    def csc(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Column-wise (start, row index, value) arrays as HiGHS takes them."""
        rows, cols, vals = self.coo()
        counts = np.bincount(cols, minlength=self.n_cols)
        start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        if self.n_cols * max(self.n_rows, 1) < 2**62:
            # One stable sort of the key col * n_rows + row orders as lexsort((rows, cols))
            # does, two to three times faster at 10^7 non-zeros. coo() returns fresh arrays,
            # so the key overwrites cols, and both go before the gathers: at this size fresh
            # memory (page faults) costs as much as the arithmetic.
            key = cols
            key *= self.n_rows
            key += rows
            order = np.argsort(key, kind="stable")
            del key, cols
        else:
            order = np.lexsort((rows, cols))
        return start, rows.astype(np.int32)[order], vals[order]

    def activity(self, x: np.ndarray, absolute: bool = False) -> np.ndarray:
        """A x for a given column vector (used to re-check solutions); |A| |x| if absolute."""
        rows, cols, vals = self.coo()
        terms = vals * x[cols]
        return np.bincount(
            rows, weights=np.abs(terms) if absolute else terms, minlength=self.n_rows
        )

    def row_family_of(self) -> np.ndarray:
        """The family name of every global row."""
        return (
            np.concatenate([np.full(b.n_rows, b.family, dtype=object) for b in self.row_blocks])
            if self.row_blocks
            else np.zeros(0)
        )

    def block(self, family: str) -> RowBlock:
        for b in self.row_blocks:
            if b.family == family:
                return b
        raise KeyError(family)

    def column_block(self, family: str) -> ColumnBlock:
        for b in self.col_blocks:
            if b.family == family:
                return b
        raise KeyError(family)

    def row_names(self) -> list[str]:
        """PuLP/LP-safe names: ``family__key1__key2`` (for export and infeasibility maps)."""
        names: list[str] = []
        for b in self.row_blocks:
            names.extend(_names(b.family, b.keys))
        return names

    def col_names(self) -> list[str]:
        names: list[str] = []
        for b in self.col_blocks:
            names.extend(_names(b.family, b.keys))
        return names


def _names(family: str, keys: pd.DataFrame) -> list[str]:
    if keys.empty or len(keys.columns) == 0:
        return [f"{family}__{i}" for i in range(len(keys))]
    parts = keys.astype(str).apply(lambda s: s.str.replace(r"[^A-Za-z0-9_.]", "_", regex=True))
    joined = parts.agg("__".join, axis=1)
    return [f"{family}__{k}" for k in joined]


def split_long_rows(model: LinearModel, max_length: int) -> LinearModel:
    """An equivalent model whose rows have at most ``max_length`` non-zeros.

    A row sum_j a_j x_j in [l, u] with more entries becomes sum_c s_c in [l, u] plus, for
    every chunk c of the entries, s_c - sum_{j in c} a_j x_j = 0 with s_c continuous and free.
    The feasible set and the LP bound in x are unchanged. Solvers propagate bounds row by row
    and some heuristics (HiGHS's randomized rounding) do so once per fixed column, so rows as
    long as a national year's whole budget make them quadratic; chunked rows keep it linear.
    Columns keep their indices; the auxiliary columns are appended at the end.
    """
    out = LinearModel(
        list(model.col_lower),
        list(model.col_upper),
        list(model.col_cost),
        list(model.col_integer),
        list(model.col_blocks),
        [],
        model.n_cols,
    )
    for block in model.row_blocks:
        counts = np.bincount(block.rows, minlength=block.n_rows)
        long_rows = np.flatnonzero(counts > max_length)
        if not len(long_rows):
            out.row_blocks.append(block)
            continue
        order = np.argsort(block.rows, kind="stable")
        rows, cols, vals = block.rows[order], block.cols[order], block.vals[order]
        is_long = (counts > max_length)[rows]
        # Position of each entry within its row, hence its chunk number.
        starts = np.concatenate([[0], np.cumsum(counts)])[rows]
        chunk = (np.arange(len(rows)) - starts) // max_length
        long_r, long_chunk = rows[is_long], chunk[is_long]
        # Entries are sorted by row, then chunk: each (row, chunk) pair starts where either
        # changes (np.unique(axis=0) would sort them again, seconds at 10^7 entries).
        first = np.ones(len(long_r), bool)
        first[1:] = (long_r[1:] != long_r[:-1]) | (long_chunk[1:] != long_chunk[:-1])
        pairs = np.stack([long_r[first], long_chunk[first]], axis=1)
        pair_of = np.cumsum(first) - 1
        aux = out.add_columns(
            f"{block.family}__part",
            pd.DataFrame({"row": pairs[:, 0], "chunk": pairs[:, 1]}),
            lower=-np.inf,
            upper=np.inf,
        )
        # The original block: short rows as they were, long rows as sums of their parts.
        out.row_blocks.append(
            RowBlock(
                block.family,
                np.concatenate([rows[~is_long], pairs[:, 0]]),
                np.concatenate([cols[~is_long], aux]),
                np.concatenate([vals[~is_long], np.ones(len(pairs))]),
                block.lower,
                block.upper,
                block.keys,
            )
        )
        n_parts = len(pairs)
        out.add_rows(
            f"{block.family}__part_definition",
            pd.DataFrame({"row": pairs[:, 0], "chunk": pairs[:, 1]}),
            np.concatenate([np.arange(n_parts), pair_of]),
            np.concatenate([aux, cols[is_long]]),
            np.concatenate([-np.ones(n_parts), vals[is_long]]),
            lower=0.0,
            upper=0.0,
        )
    return out


@dataclass(frozen=True)
class Restricted:
    """A model with some columns fixed and removed: ``model`` over ``kept`` columns."""

    model: LinearModel
    kept: np.ndarray  # original index of each column of ``model``
    values: np.ndarray  # a full column vector holding the fixed values

    def expand(self, x: np.ndarray) -> np.ndarray:
        """The full column vector for a point ``x`` of the restricted model."""
        out = self.values.copy()
        out[self.kept] = x
        return out


def restrict(model: LinearModel, fixed: np.ndarray, values: np.ndarray) -> Restricted:
    """The model with columns ``fixed`` (a boolean mask) held at ``values`` and removed.

    Each row keeps its free entries, its bounds shifted by the fixed entries' activity;
    rows left with no free entry are dropped (they hold, or the fixed point breaks them,
    which the full-model check after solving would catch). Column families and row families
    keep their names, so a restricted model is solved and read like any other. Work and
    memory are proportional to the model's non-zeros, once.
    """
    kept = np.flatnonzero(~fixed)
    new_index = np.full(model.n_cols, -1, np.int64)
    new_index[kept] = np.arange(len(kept))
    lower, upper, cost, integer = model.columns()
    out = LinearModel()
    out.add_columns(
        "free",
        pd.DataFrame({"column": kept}),
        lower=lower[kept],
        upper=upper[kept],
        cost=cost[kept],
        integer=False,
    )
    out.col_integer = [integer[kept].copy()]
    for block in model.row_blocks:
        is_fixed = fixed[block.cols]
        shift = np.bincount(
            block.rows[is_fixed],
            weights=block.vals[is_fixed] * values[block.cols[is_fixed]],
            minlength=block.n_rows,
        )
        free_rows = np.unique(block.rows[~is_fixed])
        if not len(free_rows):
            continue
        local = np.full(block.n_rows, -1, np.int64)
        local[free_rows] = np.arange(len(free_rows))
        out.row_blocks.append(
            RowBlock(
                block.family,
                local[block.rows[~is_fixed]],
                new_index[block.cols[~is_fixed]],
                block.vals[~is_fixed],
                block.lower[free_rows] - shift[free_rows],
                block.upper[free_rows] - shift[free_rows],
                block.keys.iloc[free_rows].reset_index(drop=True),
            )
        )
    return Restricted(out, kept, np.where(fixed, values, 0.0))
