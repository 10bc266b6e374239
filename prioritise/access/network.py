"""Road network: road lines snapped into a routable graph, and positions on it.

Everything here works in one projected CRS in metres (the caller reprojects). Lengths and
positions along segments are held as whole millimetres (``int64``) so that route lengths add
up exactly: splitting a segment never changes a sum, and equal routes tie exactly.

The network depends on the roads and the snap tolerance only, never on the hazards, so
segment ids are stable when the hazard inventory changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

# Interior near-miss connectors are extended this far past the line they join, so that the
# noding sees a proper crossing (a point computed "on" a line is rarely exactly on it).
CONNECTOR_OVERSHOOT_M = 0.01
# A connector end this close to a vertex of the target line is moved onto that vertex.
VERTEX_SNAP_M = 1e-6

Geoms = NDArray[np.object_]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class RoadNetwork:
    """Noded road segments: segment ``i`` joins nodes ``u[i]`` and ``v[i]``.

    ``u[i]`` is the node at the segment's first vertex (position 0), ``v[i]`` the node at its
    last vertex (position ``length_mm[i]``). ``connector[i]`` marks the short links added to
    join near-miss line ends.
    """

    segments: Geoms
    u: Ints
    v: Ints
    length_mm: Ints
    connector: NDArray[np.bool_]
    n_nodes: int

    @property
    def n_segments(self) -> int:
        return len(self.segments)


@dataclass(frozen=True)
class Located:
    """Where geometries meet the network: nearest segment, position on it, distance.

    ``seg`` is -1 for empty geometries or an empty network (``distance_m`` is then inf).
    """

    seg: Ints
    pos_mm: Ints
    distance_m: NDArray[np.float64]


@dataclass(frozen=True)
class Intervals:
    """Stretches of segments lying in zones: zone ``zone[i]`` covers positions
    ``a_mm[i]..b_mm[i]`` of segment ``seg[i]`` (both ends included). Sorted by segment, then
    position."""

    zone: Ints
    seg: Ints
    a_mm: Ints
    b_mm: Ints


def to_mm(metres: NDArray[np.float64]) -> Ints:
    return np.rint(np.asarray(metres, dtype=float) * 1000.0).astype(np.int64)


def prepare_lines(geoms: Geoms) -> tuple[Geoms, int]:
    """2D LineStrings with non-zero length from any geometries; also how many input
    geometries were not lines (dropped)."""
    geoms = np.asarray(geoms, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    geoms = shapely.force_2d(geoms[present])
    parts, owner = shapely.get_parts(geoms, return_index=True)
    kind = shapely.get_type_id(parts)
    is_line = (kind == 1) | (kind == 2)  # LineString, LinearRing
    dropped = len(geoms) - len(np.unique(owner[is_line]))
    lines = parts[is_line]
    lines = lines[shapely.length(lines) > 0]
    return np.asarray(lines, dtype=object), int(dropped)


def near_miss_connectors(lines: Geoms, tolerance_m: float) -> Geoms:
    """Short lines joining each line end to every other line within ``tolerance_m`` of it
    that it does not already touch.

    A connector to another line's vertex (its end, say) ends exactly on that vertex; one to
    the inside of a segment is extended by 1 cm past it so the noding splits both there.
    Ends are not snapped to their own line.
    """
    if tolerance_m <= 0 or len(lines) < 2:
        return np.empty(0, dtype=object)
    n = len(lines)
    ends = np.concatenate([shapely.get_point(lines, 0), shapely.get_point(lines, -1)])
    owner = np.concatenate([np.arange(n), np.arange(n)])
    tree = shapely.STRtree(lines)
    pi, li = tree.query(ends, predicate="dwithin", distance=tolerance_m)
    keep = li != owner[pi]
    pi, li = pi[keep], li[keep]
    if len(pi) == 0:
        return np.empty(0, dtype=object)
    gap = shapely.distance(ends[pi], lines[li])
    keep = gap > 0
    pi, li = pi[keep], li[keep]
    if len(pi) == 0:
        return np.empty(0, dtype=object)
    start = shapely.get_coordinates(ends[pi])
    target = shapely.get_coordinates(
        shapely.get_point(shapely.shortest_line(ends[pi], lines[li]), 1)
    )
    vertices = shapely.extract_unique_points(lines[li])
    at_vertex = shapely.distance(shapely.points(target), vertices) < VERTEX_SNAP_M
    vertex = shapely.get_coordinates(
        shapely.get_point(shapely.shortest_line(shapely.points(target), vertices), 1)
    )
    direction = target - start
    norm = np.hypot(direction[:, 0], direction[:, 1])[:, None]
    beyond = target + direction / np.where(norm > 0, norm, 1.0) * CONNECTOR_OVERSHOOT_M
    end = np.where(at_vertex[:, None], vertex, beyond)
    connectors = shapely.linestrings(np.stack([start, end], axis=1))
    return np.asarray(connectors[shapely.length(connectors) > 0], dtype=object)


def build_network(lines: Geoms, snap_tolerance_m: float) -> RoadNetwork:
    """Node the lines into segments: a node at every line end and every crossing, with
    near-miss ends joined by connectors (see :func:`near_miss_connectors`).

    Crossings are junctions even where one road passes over the other on a bridge.
    """
    lines = np.asarray(lines, dtype=object)
    if len(lines) == 0:
        empty = np.empty(0, dtype=np.int64)
        return RoadNetwork(
            np.empty(0, dtype=object), empty, empty, empty, np.empty(0, dtype=bool), 0
        )
    connectors = near_miss_connectors(lines, snap_tolerance_m)
    noded = shapely.union_all(np.concatenate([lines, connectors]))
    segments = shapely.get_parts(noded)
    segments = segments[shapely.get_type_id(segments) == 1]
    length_mm = to_mm(shapely.length(segments))
    keep = length_mm > 0
    segments, length_mm = segments[keep], length_mm[keep]
    first = shapely.get_coordinates(shapely.get_point(segments, 0))
    last = shapely.get_coordinates(shapely.get_point(segments, -1))
    coords = np.round(np.concatenate([first, last]), 6)
    _, inverse = np.unique(coords, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int64)
    n = len(segments)
    is_connector = np.zeros(n, dtype=bool)
    if len(connectors):
        mid = shapely.line_interpolate_point(segments, 0.5, normalized=True)
        near_connector = np.zeros(n, dtype=bool)
        near_connector[
            shapely.STRtree(connectors).query(mid, predicate="dwithin", distance=1e-6)[0]
        ] = True
        near_road = np.zeros(n, dtype=bool)
        near_road[shapely.STRtree(lines).query(mid, predicate="dwithin", distance=1e-6)[0]] = True
        is_connector = near_connector & ~near_road
    return RoadNetwork(
        segments=np.asarray(segments, dtype=object),
        u=inverse[:n],
        v=inverse[n:],
        length_mm=length_mm,
        connector=is_connector,
        n_nodes=int(inverse.max()) + 1 if n else 0,
    )


def locate(network: RoadNetwork, geoms: Geoms) -> Located:
    """The nearest network point to each geometry: its segment, position and distance.

    Among equally near segments one is taken (the first STRtree match); a geometry crossing
    a road is at distance 0 from it.
    """
    geoms = np.asarray(geoms, dtype=object)
    m = len(geoms)
    seg = np.full(m, -1, dtype=np.int64)
    pos = np.zeros(m, dtype=np.int64)
    dist = np.full(m, np.inf)
    if m == 0 or network.n_segments == 0:
        return Located(seg, pos, dist)
    tree = shapely.STRtree(network.segments)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    idx = np.flatnonzero(valid)
    if len(idx) == 0:
        return Located(seg, pos, dist)
    (gi, si), d = tree.query_nearest(geoms[idx], return_distance=True, all_matches=False)
    gi = idx[gi]
    nearest = shapely.get_point(shapely.shortest_line(geoms[gi], network.segments[si]), 1)
    p = to_mm(shapely.line_locate_point(network.segments[si], nearest))
    seg[gi] = si
    pos[gi] = np.clip(p, 0, network.length_mm[si])
    dist[gi] = d
    return Located(seg, pos, dist)


def zone_intervals(network: RoadNetwork, zones: Geoms) -> Intervals:
    """Every stretch of a segment inside a zone (a buffered hazard), as position ranges.

    Uses one STRtree query for the candidate pairs and vectorised intersections; a zone that
    only touches a segment gives a zero-length stretch. Ends within 1 mm of a segment end are
    put on it, so a zone covering a node covers it on every segment meeting there.
    """
    empty = np.empty(0, dtype=np.int64)
    if network.n_segments == 0 or len(zones) == 0:
        return Intervals(empty, empty, empty, empty)
    zones = np.asarray(zones, dtype=object)
    valid = np.flatnonzero(~(shapely.is_missing(zones) | shapely.is_empty(zones)))
    tree = shapely.STRtree(network.segments)
    zi, si = tree.query(zones[valid], predicate="intersects")
    zi = valid[zi]
    if len(zi) == 0:
        return Intervals(empty, empty, empty, empty)
    inside = shapely.intersection(network.segments[si], zones[zi])
    parts, owner = shapely.get_parts(inside, return_index=True)
    kind = shapely.get_type_id(parts)
    keep = (kind == 0) | (kind == 1)
    parts, owner, kind = parts[keep], owner[keep], kind[keep]
    is_point = kind == 0
    start = np.where(is_point, parts, shapely.get_point(parts, 0))
    stop = np.where(is_point, parts, shapely.get_point(parts, -1))
    seg = si[owner]
    lines = network.segments[seg]
    p0 = to_mm(shapely.line_locate_point(lines, start))
    p1 = to_mm(shapely.line_locate_point(lines, stop))
    length = network.length_mm[seg]
    a = np.clip(np.minimum(p0, p1), 0, length)
    b = np.clip(np.maximum(p0, p1), 0, length)
    a = np.where(a <= 1, 0, a)
    b = np.where(b >= length - 1, length, b)
    order = np.lexsort((zi[owner], b, a, seg))
    return Intervals(
        zone=zi[owner][order].astype(np.int64),
        seg=seg[order].astype(np.int64),
        a_mm=a[order].astype(np.int64),
        b_mm=b[order].astype(np.int64),
    )
