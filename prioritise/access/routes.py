"""Access dependencies derived from geometry: roads, hazard polygons and bases.

An area is reachable once some route from a base to it avoids every uncleared hazard. This
module snaps the roads into a graph (:mod:`prioritise.road_network`), finds which stretches
of road each hazard blocks, routes from all bases at once, and turns the result into
"hazard B requires hazard A" edges with a reason each. The rules are documented in
``docs/access.md``; in short:

1. Roads are noded at line ends and crossings; a line end within ``snap_tolerance_m`` of
   another line is joined to it.
2. A hazard's *zone* is its polygon buffered by ``block_buffer_m``. A hazard is reached when
   a route touches its zone on a road; a hazard whose zone touches no road is reached at the
   nearest road point, and is *off the network* if that is over ``max_walk_m`` away.
3. A route *enters* a hazard where it passes into the hazard's zone; entering other hazards
   on the way is what makes a hazard depend on them. A hazard never blocks itself.
4. Routes are compared by (hazards entered, length). With ``d0`` the shortest route ignoring
   all hazards, a hazard depends on nothing if an unblocked route no longer than
   ``detour_factor * d0`` exists; otherwise it depends on every hazard entered on the chosen
   route: the route entering the fewest hazards among those no longer than
   ``detour_factor * d0`` (``route_choice = "fewest_blockers"``, the default), or the
   shortest route (``route_choice = "shortest"``).
5. Mutual dependencies (cycles) are dropped with a warning so that their hazards can be
   cleared together; the edges always form a DAG.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from prioritise.access.network import (
    Intervals,
    Located,
    RoadNetwork,
    build_network,
    locate,
    prepare_lines,
    zone_intervals,
)
from prioritise.core.errors import Finding, error, warning
from prioritise.core.settings import (
    OFF_NETWORK_MODES as OFF_NETWORK_MODES,
)
from prioritise.core.settings import (
    ROUTE_CHOICES as ROUTE_CHOICES,
)
from prioritise.core.settings import (
    AccessSettings as AccessSettings,
)
from prioritise.core.settings import (
    settings_findings,
)
from prioritise.core.settings.adapter import validate

log = logging.getLogger(__name__)

ACCESS_STATUSES = ("reachable", "one_blocker", "several_blockers", "off_network", "unreachable")
EDGE_COLUMNS = ["hazard_id", "requires", "reason", "route_length_m", "detour_factor"]
HAZARD_COLUMNS = [
    "hazard_id",
    "access_status",
    "n_blockers",
    "access_distance_m",
    "route_length_m",
    "shortest_route_m",
    "detour_factor",
    "base_id",
    "blockers",
]
MERGED_COLUMNS = ["hazard_id", "requires", "source"]
BASE_ID_COLUMNS = ("base_id", "base", "name")
SECTION = "access"
SOURCE = "access"  # Finding.file for findings about the derivation

INF = math.inf


@dataclass(frozen=True)
class AccessResult:
    """Derived access: edges (a DAG), per-hazard status, the network and a summary.

    ``edges``: hazard_id, requires, reason, route_length_m, detour_factor; one row per edge,
    sorted. ``hazards``: one row per input hazard, in input order, describing the geometry
    (before mutual dependencies are dropped). ``network``: segments in EPSG:4326 with
    segment_id, length_m, blocked_by (comma-separated hazard ids or ""), connector.
    """

    edges: pd.DataFrame
    hazards: pd.DataFrame
    network: gpd.GeoDataFrame
    summary: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Settings


def parse_access_settings(
    table: Mapping[str, Any], file: str, root: Path
) -> tuple[AccessSettings, list[Finding]]:
    """Typed ``[access]`` settings and every finding about them.

    The table is validated by the settings model (:class:`AccessSettings` in the core), then
    :func:`check_access_settings` checks what needs the outside world. With any error the
    defaults are returned, so that callers can carry on collecting findings. ``ignore`` is a
    path relative to ``root`` (the project TOML's folder) and must exist.
    """
    parsed, issues = validate(AccessSettings, table, (SECTION,))
    findings = settings_findings(issues, file)
    if parsed is None:
        return AccessSettings(), findings
    if parsed.ignore is not None:
        parsed = replace(parsed, ignore=(root / parsed.ignore).resolve())
    findings += check_access_settings(parsed, file)
    return (parsed if not findings else AccessSettings()), findings


def check_access_settings(settings: AccessSettings, file: str) -> list[Finding]:
    """What the type check cannot see: a CRS pyproj knows, in metres, and an ignore file
    that exists (``settings.ignore`` already absolute)."""
    findings: list[Finding] = []
    if settings.crs is not None:
        problem = _projected_crs_problem(settings.crs)
        if problem:
            findings.append(
                error(
                    file,
                    "toml-value",
                    f"[{SECTION}] crs = {settings.crs!r}: {problem}",
                    'Give a projected CRS in metres, e.g. crs = "EPSG:32636", '
                    "or leave it out to use the UTM zone of the data.",
                )
            )
    if settings.ignore is not None and not settings.ignore.exists():
        findings.append(
            error(
                file,
                "missing-file",
                f"[{SECTION}] ignore = '{settings.ignore.name}' does not exist "
                f"({settings.ignore}).",
                "Paths are relative to the project TOML's folder.",
            )
        )
    return findings


def _projected_crs_problem(value: Any) -> str:
    """Why ``value`` is not a projected CRS in metres ("" when it is)."""
    if not isinstance(value, str) or not value:
        return "not a CRS string."
    try:
        crs = CRS.from_user_input(value)
    except CRSError:
        return "not a CRS pyproj knows."
    if not crs.is_projected:
        return "not a projected CRS (lengths would be in degrees)."
    units = {axis.unit_name for axis in crs.axis_info}
    if units - {"metre", "meter"}:
        return f"its units are {', '.join(sorted(units))}, not metres."
    return ""


def read_ignore(path: Path) -> tuple[pd.DataFrame, list[Finding]]:
    """The ``[access] ignore`` CSV (columns hazard_id, requires) and findings about it."""
    findings: list[Finding] = []
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        findings.append(
            error(
                path.name,
                "access-ignore",
                f"Cannot read the ignore file: {exc}",
                "Write it as a CSV with columns hazard_id,requires.",
            )
        )
        return pd.DataFrame(columns=["hazard_id", "requires"]), findings
    missing = [c for c in ("hazard_id", "requires") if c not in table.columns]
    if missing:
        findings.append(
            error(
                path.name,
                "access-ignore",
                f"The ignore file lacks column(s) {', '.join(missing)}.",
                "Write it as a CSV with columns hazard_id,requires.",
            )
        )
        return pd.DataFrame(columns=["hazard_id", "requires"]), findings
    return table[["hazard_id", "requires"]].copy(), findings


# ---------------------------------------------------------------------------------------
# Derivation


@dataclass
class _Inputs:
    """Inputs in the working CRS, as plain arrays."""

    ids: list[str]
    hazards: np.ndarray
    roads: np.ndarray
    base_ids: list[str]
    bases: np.ndarray


# A label: (blockers entered, length mm, base index, ((hazard, segment), ...) in route order).
_Label = tuple[int, int, int, tuple[tuple[int, int], ...]]


@dataclass
class _Graph:
    """Directed arcs of the road graph with the hazards each one enters."""

    n_nodes: int
    # adj[u] = [(v, length_mm, n_entered, entered, segment), ...]
    adj: list[list[tuple[int, int, int, tuple[tuple[int, int], ...], int]]]
    # segment -> [(hazard, a_mm, b_mm), ...] sorted by a
    intervals: dict[int, list[tuple[int, int, int]]]
    # node -> hazards whose zone covers the node
    inside: dict[int, frozenset[int]]


@dataclass
class _Route:
    """The route chosen for one hazard."""

    status: str
    length_mm: float = INF
    shortest_mm: float = INF
    free_mm: float = INF
    base: int = -1
    blockers: list[tuple[int, int]] = field(default_factory=list)  # (hazard, segment)


def derive_access(
    hazards: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    bases: gpd.GeoDataFrame | None,
    settings: AccessSettings,
) -> AccessResult:
    """Derive access dependencies from roads, hazard polygons and bases.

    ``hazards`` needs ``hazard_id`` and a geometry (polygons; points work too), ``roads``
    LineStrings/MultiLineStrings, ``bases`` Points (ids from a ``base_id``, ``base`` or
    ``name`` column, else B1, B2, ...). Layers may be in any CRS but must have one.

    With no usable base no routing is possible: hazards on the network are reported
    reachable, nothing depends on anything, and a warning says so. Problems that stop the
    derivation (no CRS, no or duplicate hazard ids) come back as error findings with empty
    tables. See the module docstring and ``docs/access.md`` for the rules.
    """
    t_start = time.perf_counter()
    stage: dict[str, float] = {}
    findings: list[Finding] = []

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        stage[name] = round(now - since, 3)
        return now

    if "hazard_id" not in hazards.columns:
        findings.append(
            error(
                SOURCE,
                "access-hazard-id",
                "The hazards have no hazard_id column.",
                "Name the id column hazard_id (or map it under [columns]).",
            )
        )
        return _failed(findings, settings, stage, t_start)
    ids = hazards["hazard_id"].astype(str).str.strip().tolist()
    duplicated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if duplicated:
        findings.append(
            error(
                SOURCE,
                "access-hazard-id",
                "Duplicate hazard ids.",
                "Give every hazard its own id.",
                ids=duplicated,
            )
        )
        return _failed(findings, settings, stage, t_start)

    layers = {"hazards": hazards, "roads": roads}
    if bases is not None:
        layers["bases"] = bases
    for name, layer in layers.items():
        if len(layer) and layer.crs is None:
            findings.append(
                error(
                    SOURCE,
                    "access-crs",
                    f"The {name} layer has no CRS.",
                    "Set the CRS of the file (e.g. a .prj next to a shapefile), or [data] crs.",
                )
            )
    if any(f.severity == "error" for f in findings):
        return _failed(findings, settings, stage, t_start, ids)

    crs = _working_crs(settings, roads, hazards)
    log.info("access routes: lengths in %s", crs.to_string())
    data = _project(ids, hazards, roads, bases, crs)
    t = lap("project", t_start)

    lines, not_lines = prepare_lines(data.roads)
    if not_lines:
        findings.append(
            warning(
                SOURCE,
                "access-roads",
                f"{not_lines} road geometries are not lines and were ignored.",
                "Give roads as LineStrings or MultiLineStrings.",
            )
        )
    network = build_network(lines, settings.snap_tolerance_m)
    if network.n_segments == 0:
        findings.append(
            warning(
                SOURCE,
                "access-roads",
                "There are no roads; every hazard is off the network and no dependency is derived.",
                "Give [data] roads to derive access from geometry.",
            )
        )
    t = lap("network", t)

    geoms = data.hazards
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        findings.append(
            warning(
                SOURCE,
                "access-geometry",
                f"{int(empty.sum())} hazards have no "
                "geometry; they are treated as off the network.",
                "Give every hazard a polygon or a point.",
                ids=[ids[i] for i in np.flatnonzero(empty)],
            )
        )
    invalid = ~empty & ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    zones = shapely.buffer(geoms, settings.block_buffer_m) if settings.block_buffer_m > 0 else geoms
    intervals = zone_intervals(network, zones)
    t = lap("zones", t)

    hazard_at = locate(network, geoms)
    base_at = locate(network, data.bases)
    t = lap("locate", t)

    graph = _build_graph(network, intervals)
    usable = np.flatnonzero(base_at.distance_m <= settings.max_walk_m)
    used = set(usable.tolist())
    far_bases = [b for i, b in enumerate(data.base_ids) if i not in used]
    if far_bases:
        findings.append(
            warning(
                SOURCE,
                "access-base-off-network",
                f"{len(far_bases)} base(s) are more than {settings.max_walk_m:g} "
                "m from any road and were not used.",
                "Move the bases onto the road network or add the road to them.",
                ids=far_bases,
            )
        )
    routes = _route_all(network, graph, intervals, hazard_at, base_at, usable, settings)
    t = lap("routes", t)

    raw = [(h, x, s) for h, r in enumerate(routes) for x, s in r.blockers]
    edges, cycle_findings, dropped = _break_cycles(
        raw, routes, ids, network, data.base_ids, settings
    )
    findings.extend(cycle_findings)
    table = _hazard_table(ids, routes, hazard_at, data.base_ids)
    findings.extend(_status_findings(table, settings, usable, bases is None))
    t = lap("derive", t)

    network_gdf = _network_frame(network, intervals, ids, crs)
    lap("output", t)

    counts = table["access_status"].value_counts()
    summary: dict[str, Any] = {
        "reachable_now": int(counts.get("reachable", 0)),
        "behind_one_blocker": int(counts.get("one_blocker", 0)),
        "behind_several": int(counts.get("several_blockers", 0)),
        "off_network": int(counts.get("off_network", 0)),
        "unreachable": int(counts.get("unreachable", 0)),
        "needs_new_track": int(counts.get("off_network", 0))
        if settings.off_network == "new_track"
        else 0,
        "n_hazards": len(ids),
        "n_edges": len(edges),
        "n_mutual_edges_dropped": dropped,
        "n_bases": len(data.base_ids),
        "n_bases_used": len(usable),
        "crs": crs.to_string(),
        "n_segments": network.n_segments,
        "n_nodes": network.n_nodes,
        "n_connectors": int(network.connector.sum()),
        "n_blocked_segments": int((network_gdf["blocked_by"] != "").sum()),
        "route_choice": settings.route_choice,
        "detour_factor": settings.detour_factor,
        "stage_seconds": stage,
        "seconds": round(time.perf_counter() - t_start, 3),
    }
    return AccessResult(
        edges=edges, hazards=table, network=network_gdf, summary=summary, findings=findings
    )


def _failed(
    findings: list[Finding],
    settings: AccessSettings,
    stage: dict[str, float],
    t_start: float,
    ids: Sequence[str] = (),
) -> AccessResult:
    """The result when input errors stop the derivation: empty tables, the findings."""
    summary: dict[str, Any] = {
        "reachable_now": 0,
        "behind_one_blocker": 0,
        "behind_several": 0,
        "off_network": 0,
        "unreachable": 0,
        "needs_new_track": 0,
        "n_hazards": len(ids),
        "n_edges": 0,
        "n_mutual_edges_dropped": 0,
        "n_bases": 0,
        "n_bases_used": 0,
        "crs": None,
        "n_segments": 0,
        "n_nodes": 0,
        "n_connectors": 0,
        "n_blocked_segments": 0,
        "route_choice": settings.route_choice,
        "detour_factor": settings.detour_factor,
        "stage_seconds": stage,
        "seconds": round(time.perf_counter() - t_start, 3),
    }
    network = gpd.GeoDataFrame(
        {
            "segment_id": pd.Series([], dtype=str),
            "length_m": pd.Series([], dtype=float),
            "blocked_by": pd.Series([], dtype=str),
            "connector": pd.Series([], dtype=bool),
        },
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )
    return AccessResult(
        edges=pd.DataFrame(columns=EDGE_COLUMNS),
        hazards=pd.DataFrame(columns=HAZARD_COLUMNS),
        network=network,
        summary=summary,
        findings=findings,
    )


def _working_crs(
    settings: AccessSettings, roads: gpd.GeoDataFrame, hazards: gpd.GeoDataFrame
) -> CRS:
    """``[access] crs``, else the UTM zone (WGS 84, standard 6° zones) of the centre of the
    roads' extent, or of the hazards' when there are no roads."""
    if settings.crs:
        return CRS.from_user_input(settings.crs)
    for layer in (roads, hazards):
        if not len(layer) or layer.crs is None:
            continue
        bounds = layer.geometry.total_bounds
        if not np.isfinite(bounds).all():
            continue
        west, south, east, north = (
            bounds
            if CRS.from_user_input(layer.crs).is_geographic
            else Transformer.from_crs(layer.crs, "EPSG:4326", always_xy=True).transform_bounds(
                *bounds
            )
        )
        lon, lat = (west + east) / 2.0, (south + north) / 2.0
        zone = min(60, max(1, math.floor((lon + 180.0) / 6.0) + 1))
        return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
    return CRS.from_epsg(3857)


def _project(
    ids: list[str],
    hazards: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    bases: gpd.GeoDataFrame | None,
    crs: CRS,
) -> _Inputs:
    def arr(layer: gpd.GeoDataFrame | None) -> np.ndarray:
        if layer is None or len(layer) == 0:
            return np.empty(0, dtype=object)
        series = layer.geometry.to_crs(crs) if layer.crs is not None else layer.geometry
        return np.asarray(series.to_numpy(), dtype=object)

    base_ids: list[str] = []
    if bases is not None and len(bases):
        column = next((c for c in BASE_ID_COLUMNS if c in bases.columns), None)
        if column is None:
            base_ids = [f"B{i + 1}" for i in range(len(bases))]
        else:
            base_ids = [
                str(v) if pd.notna(v) and str(v).strip() else f"B{i + 1}"
                for i, v in enumerate(bases[column].tolist())
            ]
    return _Inputs(
        ids=ids, hazards=arr(hazards), roads=arr(roads), base_ids=base_ids, bases=arr(bases)
    )


def _build_graph(network: RoadNetwork, iv: Intervals) -> _Graph:
    """Arcs in both directions per segment; an arc enters the hazards with a zone on its
    segment, except those whose zone already covers the node it leaves."""
    intervals: dict[int, list[tuple[int, int, int]]] = {}
    inside_sets: dict[int, set[int]] = {}
    u_of, v_of, length = network.u, network.v, network.length_mm
    for h, s, a, b in zip(
        iv.zone.tolist(), iv.seg.tolist(), iv.a_mm.tolist(), iv.b_mm.tolist(), strict=True
    ):
        intervals.setdefault(s, []).append((h, a, b))
        if a == 0:
            inside_sets.setdefault(int(u_of[s]), set()).add(h)
        if b == length[s]:
            inside_sets.setdefault(int(v_of[s]), set()).add(h)
    inside = {n: frozenset(hs) for n, hs in inside_sets.items()}
    none: frozenset[int] = frozenset()
    adj: list[list[tuple[int, int, int, tuple[tuple[int, int], ...], int]]] = [
        [] for _ in range(network.n_nodes)
    ]
    for s, (u, v, w) in enumerate(zip(u_of.tolist(), v_of.tolist(), length.tolist(), strict=True)):
        if u == v:
            continue
        ivs = intervals.get(s, [])
        forward = _entered(ivs, 0, w, inside.get(u, none), s, reverse=False)
        backward = _entered(ivs, 0, w, inside.get(v, none), s, reverse=True)
        adj[u].append((v, w, len(forward), forward, s))
        adj[v].append((u, w, len(backward), backward, s))
    return _Graph(n_nodes=network.n_nodes, adj=adj, intervals=intervals, inside=inside)


def _entered(
    ivs: Sequence[tuple[int, int, int]],
    lo: int,
    hi: int,
    skip: Iterable[int],
    seg: int,
    reverse: bool,
) -> tuple[tuple[int, int], ...]:
    """Hazards (with ``seg``) whose zone meets positions ``lo..hi`` of a segment, once each,
    in walking order; hazards in ``skip`` are left out."""
    skipped = set(skip)
    out: list[tuple[int, int]] = []
    for h, a, b in reversed(ivs) if reverse else ivs:
        if a <= hi and b >= lo and h not in skipped:
            skipped.add(h)
            out.append((h, seg))
    return tuple(out)


def _sources(
    network: RoadNetwork, graph: _Graph, base_at: Located, usable: np.ndarray
) -> list[tuple[int, int, int, tuple[tuple[int, int], ...]]]:
    """Start labels (node, length, base, entered) from each usable base to both ends of its
    segment; a base inside a zone enters that hazard."""
    out = []
    for j in usable.tolist():
        s, p = int(base_at.seg[j]), int(base_at.pos_mm[j])
        w = int(network.length_mm[s])
        ivs = graph.intervals.get(s, [])
        out.append((int(network.u[s]), p, j, _entered(ivs, 0, p, (), s, reverse=True)))
        out.append((int(network.v[s]), w - p, j, _entered(ivs, p, w, (), s, reverse=False)))
    return out


def _pareto(
    graph: _Graph, sources: Sequence[tuple[int, int, int, tuple[tuple[int, int], ...]]]
) -> list[list[_Label]]:
    """Every non-dominated (hazards entered, length) label at every node, one search.

    Labels are settled in lexicographic order (entered, length), so a label is kept exactly
    when it is shorter than every label kept before at its node: each node ends with a list
    in which entries go up and lengths go down, the last being the shortest route ignoring
    hazards and the first (if it has 0 entries) the shortest unblocked route.
    """
    best = [INF] * graph.n_nodes
    fronts: list[list[_Label]] = [[] for _ in range(graph.n_nodes)]
    counter = itertools.count()
    heap: list[tuple[int, int, int, int, int, tuple[tuple[int, int], ...]]] = []
    for node, length, base, entered in sources:
        heap.append((len(entered), length, next(counter), node, base, entered))
    heapq.heapify(heap)
    adj = graph.adj
    push, pop = heapq.heappush, heapq.heappop
    while heap:
        k, length, _, node, base, entered = pop(heap)
        if length >= best[node]:
            continue
        best[node] = length
        fronts[node].append((k, length, base, entered))
        for v, w, dk, arc_entered, _s in adj[node]:
            total = length + w
            if total < best[v]:
                push(
                    heap,
                    (
                        k + dk,
                        total,
                        next(counter),
                        v,
                        base,
                        entered + arc_entered if dk else entered,
                    ),
                )
    return fronts


def _shortest_tree(
    graph: _Graph, sources: Sequence[tuple[int, int, int, tuple[tuple[int, int], ...]]]
) -> tuple[list[float], list[int], list[tuple[tuple[int, int], ...]]]:
    """Shortest routes ignoring hazards, with ties broken by node and source order only, so
    the chosen route never depends on the hazards. Returns length, base and the hazards
    entered along it, per node."""
    n = graph.n_nodes
    dist = [INF] * n
    base = [-1] * n
    entered: list[tuple[tuple[int, int], ...]] = [()] * n
    done = [False] * n
    heap: list[tuple[int, int, int, int, tuple[tuple[int, int], ...]]] = []
    for order, (node, length, b, ent) in enumerate(sources):
        if length < dist[node]:
            dist[node], base[node], entered[node] = length, b, ent
            heap.append((length, node, order, b, ent))
    heapq.heapify(heap)
    while heap:
        length, node, _, b, ent = heapq.heappop(heap)
        if done[node] or length > dist[node]:
            continue
        done[node] = True
        for v, w, dk, arc_entered, _s in graph.adj[node]:
            total = length + w
            if total < dist[v]:
                dist[v], base[v] = total, b
                entered[v] = ent + arc_entered if dk else ent
                heapq.heappush(heap, (total, v, node, b, entered[v]))
    return dist, base, entered


def _route_all(
    network: RoadNetwork,
    graph: _Graph,
    iv: Intervals,
    hazard_at: Located,
    base_at: Located,
    usable: np.ndarray,
    settings: AccessSettings,
) -> list[_Route]:
    """The chosen route of every hazard (see the module docstring, rule 4)."""
    n = len(hazard_at.seg)
    routes: list[_Route] = []
    on_network = hazard_at.distance_m <= settings.max_walk_m
    if len(usable) == 0:
        for i in range(n):
            routes.append(_Route("reachable" if on_network[i] else "off_network"))
        return routes

    # Targets: the hazard's zone on each segment it meets, else its nearest road point.
    targets: dict[int, list[tuple[int, int, int]]] = {}
    for h, s, a, b in zip(
        iv.zone.tolist(), iv.seg.tolist(), iv.a_mm.tolist(), iv.b_mm.tolist(), strict=True
    ):
        targets.setdefault(h, []).append((s, a, b))
    bases_on: dict[int, list[tuple[int, int]]] = {}
    for j in usable.tolist():
        bases_on.setdefault(int(base_at.seg[j]), []).append((j, int(base_at.pos_mm[j])))

    sources = _sources(network, graph, base_at, usable)
    fronts = _pareto(graph, sources)
    shortest = settings.route_choice == "shortest"
    tree = _shortest_tree(graph, sources) if shortest else None
    none: frozenset[int] = frozenset()
    factor = settings.detour_factor

    for h in range(n):
        if not on_network[h]:
            routes.append(_Route("off_network"))
            continue
        own = targets.get(h) or [
            (int(hazard_at.seg[h]), int(hazard_at.pos_mm[h]), int(hazard_at.pos_mm[h]))
        ]
        # Ways in, in a fixed order: (node or -1, base or -1, length, entered on the way).
        ways: list[tuple[int, int, int, tuple[tuple[int, int], ...]]] = []
        for s, a, b in own:
            w = int(network.length_mm[s])
            ivs = graph.intervals.get(s, [])
            u, v = int(network.u[s]), int(network.v[s])
            ways.append(
                (u, -1, a, _entered(ivs, 0, a, graph.inside.get(u, none) | {h}, s, reverse=False))
            )
            ways.append(
                (
                    v,
                    -1,
                    w - b,
                    _entered(ivs, b, w, graph.inside.get(v, none) | {h}, s, reverse=True),
                )
            )
            for j, p in bases_on.get(s, []):
                if p <= a:
                    ways.append((-1, j, a - p, _entered(ivs, p, a, {h}, s, reverse=False)))
                elif p >= b:
                    ways.append((-1, j, p - b, _entered(ivs, b, p, {h}, s, reverse=True)))
                else:
                    ways.append((-1, j, 0, _entered(ivs, p, p, {h}, s, reverse=False)))

        d0 = INF
        free = INF
        for node, _j, extra, ent in ways:
            if node >= 0:
                front = fronts[node]
                if not front:
                    continue
                d0 = min(d0, front[-1][1] + extra)
                if not ent and front[0][0] == 0:
                    free = min(free, front[0][1] + extra)
            else:
                d0 = min(d0, extra)
                if not ent:
                    free = min(free, extra)
        if d0 == INF:
            routes.append(_Route("unreachable"))
            continue
        budget = factor * d0 + 1e-6

        best: tuple[int, float, int, tuple[tuple[int, int], ...]] | None = None
        if free <= budget:
            best = _best_way(ways, fronts, budget, free_only=True)
        elif tree is not None:
            dist, base_of, entered_of = tree
            for node, j, extra, ent in ways:
                if node >= 0:
                    cand = (0, dist[node] + extra, base_of[node], entered_of[node] + ent)
                else:
                    cand = (0, float(extra), j, ent)
                if best is None or cand[1] < best[1]:
                    best = cand
        else:
            best = _best_way(ways, fronts, budget, free_only=False)
        assert best is not None
        blockers: list[tuple[int, int]] = []
        seen = {h}
        for x, s in best[3]:
            if x not in seen:
                seen.add(x)
                blockers.append((x, s))
        status = (
            ("reachable", "one_blocker")[len(blockers)] if len(blockers) < 2 else "several_blockers"
        )
        routes.append(
            _Route(
                status,
                length_mm=best[1],
                shortest_mm=d0,
                free_mm=free,
                base=best[2],
                blockers=blockers,
            )
        )
    return routes


def _best_way(
    ways: Sequence[tuple[int, int, int, tuple[tuple[int, int], ...]]],
    fronts: list[list[_Label]],
    budget: float,
    free_only: bool,
) -> tuple[int, float, int, tuple[tuple[int, int], ...]] | None:
    """The way in with the fewest hazards entered, then the shortest, within ``budget``."""
    best: tuple[int, float, int, tuple[tuple[int, int], ...]] | None = None
    for node, j, extra, ent in ways:
        if node >= 0:
            for k, length, base, entered in fronts[node]:
                if length + extra <= budget:
                    cand = (k + len(ent), float(length + extra), base, entered + ent)
                    break
            else:
                continue
        else:
            if extra > budget:
                continue
            cand = (len(ent), float(extra), j, ent)
        if free_only and cand[0]:
            continue
        if best is None or cand[:2] < best[:2]:
            best = cand
    return best


def _break_cycles(
    raw: list[tuple[int, int, int]],
    routes: Sequence[_Route],
    ids: Sequence[str],
    network: RoadNetwork,
    base_ids: Sequence[str],
    settings: AccessSettings,
) -> tuple[pd.DataFrame, list[Finding], int]:
    """Edges as a table, without the edges inside strongly connected components (hazards
    that block each other), which are reported so they can be cleared together."""
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_edges_from((h, x) for h, x, _ in raw)
    findings: list[Finding] = []
    group: dict[int, int] = {}
    components = [
        sorted(c, key=lambda i: ids[i])
        for c in nx.strongly_connected_components(graph)
        if len(c) > 1
    ]
    for g, members in enumerate(sorted(components, key=lambda c: [ids[i] for i in c])):
        for m in members:
            group[m] = g
        names = [ids[m] for m in members]
        findings.append(
            warning(
                SOURCE,
                "access-mutual-blocking",
                f"{len(names)} hazards block each other's access ({', '.join(names[:4])}"
                f"{', ...' if len(names) > 4 else ''}); their dependencies on each other were "
                "dropped so they can be cleared together.",
                "Plan them as one task, or add explicit dependencies if one must come first.",
                ids=names,
            )
        )
    rows = []
    dropped = 0
    for h, x, s in raw:
        if h in group and group.get(x) == group[h]:
            dropped += 1
            continue
        r = routes[h]
        rows.append(
            {
                "hazard_id": ids[h],
                "requires": ids[x],
                "reason": _reason(r, s, network, base_ids, settings),
                "route_length_m": round(r.length_mm / 1000.0, 3),
                "detour_factor": _ratio(r.free_mm, r.shortest_mm),
            }
        )
    edges = pd.DataFrame(rows, columns=EDGE_COLUMNS)
    edges = edges.sort_values(["hazard_id", "requires"], kind="stable", ignore_index=True)
    return edges, findings, dropped


def _ratio(free_mm: float, shortest_mm: float) -> float:
    if free_mm == INF or shortest_mm in (0, INF):
        return math.nan
    return round(free_mm / shortest_mm, 3)


def _reason(
    route: _Route, seg: int, network: RoadNetwork, base_ids: Sequence[str], settings: AccessSettings
) -> str:
    which = "shortest" if route.length_mm <= route.shortest_mm else "least-blocked"
    base = base_ids[route.base] if 0 <= route.base < len(base_ids) else "?"
    head = f"on the {which} route from base {base} (segment {_segment_id(seg)})"
    if route.free_mm == INF:
        return f"{head}; no unblocked route exists"
    ratio = route.free_mm / route.shortest_mm if route.shortest_mm else math.inf
    return f"{head}; the unblocked bypass is {ratio:.2f}x longer (> {settings.detour_factor:g}x)"


def _segment_id(seg: int) -> str:
    return f"S{seg + 1}"


def _hazard_table(
    ids: Sequence[str], routes: Sequence[_Route], hazard_at: Located, base_ids: Sequence[str]
) -> pd.DataFrame:
    def metres(mm: float) -> float:
        return round(mm / 1000.0, 3) if mm != INF else math.nan

    rows = []
    for i, r in enumerate(routes):
        distance = float(hazard_at.distance_m[i])
        rows.append(
            {
                "hazard_id": ids[i],
                "access_status": r.status,
                "n_blockers": len(r.blockers),
                "access_distance_m": round(distance, 3) if math.isfinite(distance) else math.nan,
                "route_length_m": metres(r.length_mm),
                "shortest_route_m": metres(r.shortest_mm),
                "detour_factor": _ratio(r.free_mm, r.shortest_mm),
                "base_id": base_ids[r.base] if 0 <= r.base < len(base_ids) else "",
                "blockers": ",".join(ids[x] for x, _ in r.blockers),
            }
        )
    table = pd.DataFrame(rows, columns=HAZARD_COLUMNS)
    table["n_blockers"] = table["n_blockers"].astype("int64")
    return table


def _status_findings(
    table: pd.DataFrame, settings: AccessSettings, usable: np.ndarray, no_bases: bool
) -> list[Finding]:
    findings: list[Finding] = []
    if len(usable) == 0 and len(table):
        why = "No bases were given" if no_bases else "No base is on the road network"
        findings.append(
            warning(
                SOURCE,
                "access-no-bases",
                f"{why}, so no route can be traced: no dependency is derived from geometry.",
                "Give [data] bases (points where teams start) to derive access dependencies.",
            )
        )
    off = table.loc[table["access_status"] == "off_network", "hazard_id"].tolist()
    if off:
        if settings.off_network == "new_track":
            message = (
                f"{len(off)} hazards are more than {settings.max_walk_m:g} m from any road "
                "and need a new track; no dependency is derived for them."
            )
            fix = "Add the tracks to the roads, or explicit dependencies if a track is blocked."
        else:
            message = (
                f"{len(off)} hazards are more than {settings.max_walk_m:g} m from any road; "
                "they are treated as reached on foot, with no dependency."
            )
            fix = 'Add missing tracks to the roads, or set [access] off_network = "new_track".'
        findings.append(warning(SOURCE, "access-off-network", message, fix, ids=off))
    unreachable = table.loc[table["access_status"] == "unreachable", "hazard_id"].tolist()
    if unreachable:
        findings.append(
            warning(
                SOURCE,
                "access-unreachable",
                f"{len(unreachable)} hazards are on roads not connected to any base; no dependency "
                "is derived for them.",
                "Check for gaps in the road network (see access_network.geojson) or add a base.",
                ids=unreachable,
            )
        )
    return findings


def _network_frame(
    network: RoadNetwork, iv: Intervals, ids: Sequence[str], crs: CRS
) -> gpd.GeoDataFrame:
    blocked: dict[int, set[str]] = {}
    for h, s in zip(iv.zone.tolist(), iv.seg.tolist(), strict=True):
        blocked.setdefault(s, set()).add(ids[h])
    n = network.n_segments
    frame = gpd.GeoDataFrame(
        {
            "segment_id": [_segment_id(s) for s in range(n)],
            "length_m": network.length_mm / 1000.0,
            "blocked_by": [",".join(sorted(blocked.get(s, ()))) for s in range(n)],
            "connector": network.connector,
        },
        geometry=gpd.GeoSeries(network.segments, crs=crs),
    )
    return frame.to_crs("EPSG:4326")


# ---------------------------------------------------------------------------------------
# Merging with hand-made dependencies


def merge_dependencies(
    derived: pd.DataFrame, explicit: pd.DataFrame | None, ignore: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[Finding]]:
    """Derived edges minus ``ignore``, plus ``explicit`` ones: hazard_id, requires, source.

    ``source`` is "derived", "explicit" or "both". Explicit edges win:

    - ``ignore`` removes derived edges only; an ignore row matching no derived edge is a
      warning (a typo, or geometry that changed);
    - a derived edge that closes a cycle with explicit ones (e.g. the geometry says B needs A,
      a planner says A needs B) is dropped with a warning: every derived-only edge inside a
      strongly connected component of the merged graph goes.

    Explicit rows are otherwise passed through unchanged: checking them (unknown ids,
    self-dependencies, cycles among explicit edges) is the loader's job. Blank ids are
    skipped with a warning. Rows are unique and sorted by hazard_id, requires.
    """
    findings: list[Finding] = []
    derived_pairs = _pairs(derived, "access_edges.csv", findings)
    explicit_pairs = _pairs(explicit, "dependencies", findings)
    ignore_pairs = _pairs(ignore, "access ignore", findings)

    unmatched = sorted(ignore_pairs - derived_pairs)
    if unmatched:
        findings.append(
            warning(
                "access ignore",
                "access-ignore-unmatched",
                f"{len(unmatched)} ignore row(s) match no derived access dependency.",
                "Check the ids (hazard_id needs requires); ignore only removes derived edges.",
                ids=[f"{h} requires {r}" for h, r in unmatched],
            )
        )
    kept = derived_pairs - ignore_pairs

    graph: nx.DiGraph = nx.DiGraph()
    graph.add_edges_from(kept | explicit_pairs)
    component: dict[str, int] = {}
    for c, members in enumerate(nx.strongly_connected_components(graph)):
        for m in members:
            component[m] = c
    contradicting = sorted(
        p for p in kept - explicit_pairs if p[0] != p[1] and component[p[0]] == component[p[1]]
    )
    if contradicting:
        findings.append(
            warning(
                "access_edges.csv",
                "access-contradicts-explicit",
                f"{len(contradicting)} derived access dependencies form cycles with the explicit "
                "ones and were dropped (explicit dependencies win).",
                "Check the explicit dependencies of these hazards; list the derived edges in the "
                "[access] ignore file to silence this.",
                ids=[f"{h} requires {r}" for h, r in contradicting],
            )
        )
    kept -= set(contradicting)

    rows = []
    for pair in sorted(kept | explicit_pairs):
        source = (
            "both"
            if pair in kept and pair in explicit_pairs
            else ("derived" if pair in kept else "explicit")
        )
        rows.append((pair[0], pair[1], source))
    return pd.DataFrame(rows, columns=MERGED_COLUMNS), findings


def _pairs(table: pd.DataFrame | None, file: str, findings: list[Finding]) -> set[tuple[str, str]]:
    if table is None or len(table) == 0:
        return set()
    missing = [c for c in ("hazard_id", "requires") if c not in table.columns]
    if missing:
        findings.append(
            error(
                file,
                "missing-column",
                f"Column(s) {', '.join(missing)} missing.",
                "Give the columns hazard_id and requires.",
            )
        )
        return set()
    h = table["hazard_id"].astype("string").str.strip()
    r = table["requires"].astype("string").str.strip()
    blank = (h.isna() | r.isna() | (h == "") | (r == "")).to_numpy(dtype=bool)
    if blank.any():
        findings.append(
            warning(
                file,
                "blank-id",
                f"{int(blank.sum())} row(s) with a blank hazard_id or requires were skipped.",
                "Fill in or delete them.",
            )
        )
    return {
        (str(a), str(b))
        for a, b, skip in zip(h.tolist(), r.tolist(), blank, strict=True)
        if not skip
    }
