"""Access dependencies as a directed graph: an edge ``requires -> hazard_id``.

"B requires A" means B can be completed only in a year at or after A's year, and not at all
if A is not completed. The graph must be acyclic; a cycle is reported with its members in
order so the user can see which edge to drop.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import networkx as nx
import pandas as pd

from prioritise.core.errors import Finding, error, warning

T = TypeVar("T")


def dependency_graph(hazard_ids: Iterable[str], edges: pd.DataFrame) -> nx.DiGraph:
    """A DiGraph over every hazard, with an edge from each required hazard to its dependant."""
    graph = nx.DiGraph()
    graph.add_nodes_from(hazard_ids)
    graph.add_edges_from(zip(edges["requires"], edges["hazard_id"], strict=True))
    return graph


def with_prerequisites(graph: nx.DiGraph, nodes: Iterable[T]) -> set[T]:
    """``nodes`` and every hazard they require, transitively: one walk back along the edges
    from all of them at once (calling ``nx.ancestors`` per node repeats the shared part)."""
    seen = set(nodes)
    stack = list(seen)
    while stack:
        for before in graph.predecessors(stack.pop()):
            if before not in seen:
                seen.add(before)
                stack.append(before)
    return seen


def find_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """One cycle per strongly connected component that has one, in a stable order."""
    cycles = []
    for component in nx.strongly_connected_components(graph):
        if len(component) == 1:
            node = next(iter(component))
            if graph.has_edge(node, node):
                cycles.append([node, node])
            continue
        sub = graph.subgraph(component)
        start = min(component)
        cycle = [u for u, _ in nx.find_cycle(sub, source=start)]
        cycles.append([*cycle, cycle[0]])
    return sorted(cycles)


def check_dependencies(
    edges: pd.DataFrame, hazard_ids: pd.Series, file: str
) -> tuple[pd.DataFrame, list[Finding]]:
    """Validate dependency rows; return the usable, de-duplicated edges and findings."""
    findings: list[Finding] = []
    known = set(hazard_ids)
    e = edges.dropna(subset=["hazard_id", "requires"])
    unknown = ~e["hazard_id"].isin(known) | ~e["requires"].isin(known)
    if unknown.any():
        bad = sorted(
            set(e.loc[~e["hazard_id"].isin(known), "hazard_id"])
            | set(e.loc[~e["requires"].isin(known), "requires"])
        )
        findings.append(
            error(
                file,
                "dependency-unknown-id",
                "Dependencies name hazards that are not in the hazard table.",
                "Correct the ids or remove the rows.",
                bad,
            )
        )
    self_loop = e["hazard_id"] == e["requires"]
    if self_loop.any():
        findings.append(
            error(
                file,
                "dependency-self",
                "A hazard requires itself.",
                "Remove the rows.",
                e.loc[self_loop, "hazard_id"],
            )
        )
    e = e[~unknown & ~self_loop]
    dup = e.duplicated(["hazard_id", "requires"])
    if dup.any():
        findings.append(
            warning(
                file,
                "dependency-duplicate",
                f"{int(dup.sum())} duplicate dependency row(s) ignored.",
                "Remove the repeats.",
                e.loc[dup, "hazard_id"],
            )
        )
    e = e[~dup]
    graph = dependency_graph(hazard_ids, e)
    for cycle in find_cycles(graph):
        findings.append(
            error(
                file,
                "dependency-cycle",
                "Access dependencies form a cycle: " + " -> ".join(cycle) + " (each needs the "
                "previous one first).",
                "Drop one edge of the cycle, or let these areas be cleared "
                "together by removing the edges between them.",
                cycle[:-1],
            )
        )
    return e.reset_index(drop=True), findings
