"""Which hazards to complete, and when, under access precedence alone: a maximum closure.

With the coupling rows priced (``models.lagrangian``), what is left of the model is, for
every hazard h, a first year of completion t among its eligible years worth p[h,t] (or none,
worth 0), with y[h,t] = "h completed by t" monotone in t and, for every access edge (a
requires b) and year t, y[a,t] <= y[b,t]. Written in y the value telescopes,

    sum_h sum_t y[h,t] (p[h,t] - p[h,t'])      (t' the next eligible year; p = 0 past the last)

and the constraints say "if node (a,t) is chosen, so is (b,t)": the best choice is a
maximum-weight closure, solved exactly by one minimum cut (Picard 1976). Years in which a
hazard has no option are merged into the previous eligible year's node (y cannot change
there), and a node whose requirement has no eligible year yet is tied to the sink. The
constraint matrix is totally unimodular, so the Lagrangian bound with this subproblem reaches
the LP relaxation's bound at the best prices, instead of the weaker bound the per-hazard
choice without precedence gives.

The cut is scipy's Dinic maximum flow on integer capacities: weights are scaled and rounded
*up*, so the closure value returned is an upper bound of the exact one (by at most one unit
of the scale per node, about 1e-9 of the total here), and a bound built on it stays proven.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

INT_MAX = 2**31 - 1  # scipy's maximum flow works on int32 capacities
RESOLUTION = 2.0**30  # integer units for the sum of |weights| on the cut


@dataclass(frozen=True)
class ClosureGraph:
    """The fixed structure: nodes (hazard, eligible year) of the hazards on access edges,
    and the arcs between them. Built once per problem; each pricing changes the weights only.

    Hazards on no edge are decided alone (their best year, or none), exactly in floats.
    """

    eligible: np.ndarray  # hazards x years
    involved: np.ndarray  # hazard -> on some access edge
    node_hazard: np.ndarray  # node -> hazard
    node_year: np.ndarray  # node -> first year the node covers
    next_node: np.ndarray  # node -> the hazard's next node, -1 for its last
    last_node: np.ndarray  # hazard -> its last node, -1 when it has none
    requires: np.ndarray  # (2, m) arcs u -> v: u chosen implies v chosen
    blocked: np.ndarray  # nodes that cannot be chosen (a requirement has no year yet)
    forced: np.ndarray  # hazard -> must be completed

    @property
    def n_nodes(self) -> int:
        return len(self.node_hazard)


def closure_graph(
    eligible: np.ndarray, after: np.ndarray, before: np.ndarray, forced: np.ndarray
) -> ClosureGraph:
    """Structure from the (hazards x years) eligibility, the edges and the forced hazards.

    ``eligible[h, t]`` says h has an option in year t; edge i says ``after[i]`` requires
    ``before[i]`` (completed in the same year or earlier).
    """
    n, T = eligible.shape
    involved = np.zeros(n, bool)
    involved[after] = True
    involved[before] = True
    on_graph = eligible & involved[:, None]
    node_of = np.full((n, T), -1, np.int64)
    node_of[on_graph] = np.arange(int(on_graph.sum()))
    node_hazard, node_year = np.nonzero(on_graph)
    # The node covering year t: the last eligible year at or before t.
    covering = np.maximum.accumulate(node_of, axis=1)
    nxt = np.full(len(node_hazard), -1, np.int64)
    same = node_hazard[1:] == node_hazard[:-1]
    nxt[:-1][same] = np.arange(1, len(node_hazard))[same]
    arcs_u = [np.flatnonzero(nxt >= 0)]
    arcs_v = [nxt[nxt >= 0]]
    blocked = np.zeros(0, np.int64)
    if len(after):
        # Edge i, year t where `after` has a node: (after, t) requires b's node covering t.
        e, t = np.nonzero(on_graph[after])
        u = node_of[after[e], t]
        v = covering[before[e], t]
        arcs_u.append(u[v >= 0])
        arcs_v.append(v[v >= 0])
        blocked = np.unique(u[v < 0])
    pairs = np.unique(np.stack([np.concatenate(arcs_u), np.concatenate(arcs_v)]), axis=1)
    is_forced = np.zeros(n, bool)
    is_forced[np.asarray(forced, np.int64)] = True
    return ClosureGraph(
        eligible, involved, node_hazard, node_year, nxt, covering[:, -1], pairs, blocked, is_forced
    )


@dataclass(frozen=True)
class Closure:
    value: float  # an upper bound of the best closure's value (weights rounded up)
    year: np.ndarray  # hazard -> chosen year index, -1 when not chosen
    feasible: bool  # False when the forced hazards cannot all be completed


def best_closure(graph: ClosureGraph, worth: np.ndarray) -> Closure:
    """The best completion years given ``worth[h, t]``, the value of finishing h in year t
    (ignored where h has no option in t)."""
    n = len(graph.involved)
    p = np.where(graph.eligible, worth, -np.inf)
    # Hazards on no edge: their best year, or none (unless forced).
    alone = ~graph.involved
    best_t = np.argmax(p, axis=1)
    best = p[np.arange(n), best_t]
    take = alone & np.isfinite(best) & ((best > 0) | graph.forced)
    if (graph.forced & ~graph.eligible.any(axis=1)).any():
        return Closure(np.inf, np.full(n, -1), False)
    year = np.where(take, best_t, -1)
    value = float(best[take].sum())
    if not graph.n_nodes:
        return Closure(value, year, True)
    cut = _cut(graph, p[graph.node_hazard, graph.node_year])
    if cut is None:
        return Closure(np.inf, np.full(n, -1), False)
    cut_value, chosen = cut
    nodes = np.flatnonzero(chosen)[::-1]  # later nodes first, so the first one wins
    year[graph.node_hazard[nodes]] = graph.node_year[nodes]
    return Closure(value + cut_value, year, True)


def _cut(graph: ClosureGraph, worth: np.ndarray) -> tuple[float, np.ndarray] | None:
    """(upper bound of the best closure's value, chosen nodes) on the graph's nodes."""
    # Node weight: worth at the node minus worth at the hazard's next node (0 after the last).
    following = np.where(graph.next_node >= 0, worth[np.maximum(graph.next_node, 0)], 0.0)
    weight = worth - following
    scale = RESOLUTION / max(float(np.abs(weight).sum()), 1e-12)
    w = np.ceil(weight * scale).astype(np.int64)
    inf = INT_MAX  # more than any finite cut: the finite capacities sum to at most 2^30 + N
    N = graph.n_nodes
    source, sink = N, N + 1
    pos = np.flatnonzero(w > 0)
    neg = np.flatnonzero(w < 0)
    forced_nodes = graph.last_node[graph.forced & graph.involved]
    if (forced_nodes < 0).any():
        return None
    m = graph.requires.shape[1]
    rows = np.concatenate(
        [
            np.full(len(pos), source),
            neg,
            graph.requires[0],
            graph.blocked,
            np.full(len(forced_nodes), source),
        ]
    )
    cols = np.concatenate(
        [
            pos,
            np.full(len(neg), sink),
            graph.requires[1],
            np.full(len(graph.blocked), sink),
            forced_nodes,
        ]
    )
    caps = np.concatenate(
        [w[pos], -w[neg], np.full(m + len(graph.blocked) + len(forced_nodes), inf)]
    )
    cap = sp.coo_matrix((caps, (rows, cols)), shape=(N + 2, N + 2)).tocsr()
    cap.data = np.minimum(cap.data, inf).astype(np.int32)  # duplicates summed: stay finite
    flow = maximum_flow(cap, source, sink, method="dinic")
    if flow.flow_value >= inf:
        return None
    residual = (cap.astype(np.int64) - flow.flow).tocsr()
    residual.data = (residual.data > 0).astype(np.int8)
    residual.eliminate_zeros()
    reached = breadth_first_order(residual, source, directed=True, return_predecessors=False)
    chosen = np.zeros(N + 2, bool)
    chosen[reached] = True
    return (int(w[pos].sum()) - int(flow.flow_value)) / scale, chosen[:N]
