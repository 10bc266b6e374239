"""The plan map as inline SVG: hazards coloured by planned year, provinces, access links.

No web tiles or map library: coordinates are projected in numpy (equirectangular, x scaled
by cos of the mean latitude, which keeps shapes true at national scale), simplified with
``shapely.simplify`` in one vectorised call, and written as integer relative path commands,
so 3,000 polygons stay well under a megabyte. Hazards far smaller than a pixel at full view
also get a marker circle (the script keeps markers a constant size when zooming), so no
scheduled hazard is invisible.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from prioritise.core.problem import Problem
from prioritise.outputs.gis import dependency_kind
from prioritise.outputs.report.page import esc
from prioritise.outputs.report.svg import sequential

WIDTH = 10000  # user units across the map; the SVG is scaled to the page
PAD = 200
MAX_ZOOM = 16  # detail is kept for this zoom factor
MARKER_R = 36  # user units at zoom 1 (about 3.5 px on a 1,000 px wide map)
UNSCHEDULED = "#b8b8b8"


@dataclass(frozen=True)
class Projection:
    """lon/lat degrees -> map user units (y down)."""

    lon0: float
    lat1: float
    kx: float
    scale: float
    width: int
    height: int

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        x = PAD + (xy[:, 0] - self.lon0) * self.kx * self.scale
        y = PAD + (self.lat1 - xy[:, 1]) * self.scale
        return np.stack([x, y], axis=1)


def projection(bounds: np.ndarray) -> Projection:
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    kx = float(np.cos(np.radians((miny + maxy) / 2)))
    dx = max((maxx - minx) * kx, 1e-6)
    dy = max(maxy - miny, 1e-6)
    if dx < 1e-3 and dy < 1e-3:  # a single point or tiny site: give it ~1 km of room
        dx = dy = 0.01
        minx, maxy = minx - 0.005 / kx, maxy + 0.005
    scale = (WIDTH - 2 * PAD) / max(dx, dy * 0.5)
    height = round(dy * scale + 2 * PAD)
    width = round(dx * scale + 2 * PAD)
    return Projection(minx, maxy, kx, scale, width, height)


def path_strings(geoms: np.ndarray, proj: Projection) -> list[str]:
    """SVG path data per (multi)polygon or line, relative integer moves; '' if empty."""
    out = [""] * len(geoms)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not valid.any():
        return out
    idx = np.flatnonzero(valid)
    parts, part_of = shapely.get_parts(geoms[idx], return_index=True)
    polygonal = shapely.get_type_id(parts) == 3
    rings = np.empty(0, dtype=object)
    ring_part = np.empty(0, dtype=int)
    if polygonal.any():
        r, rp = shapely.get_rings(parts[polygonal], return_index=True)
        rings = r
        ring_part = np.flatnonzero(polygonal)[rp]
    lines = np.flatnonzero(shapely.get_type_id(parts) == 1)
    closed = np.concatenate([np.ones(len(rings), bool), np.zeros(len(lines), bool)])
    all_rings = np.concatenate([rings, parts[lines]]) if len(lines) else rings
    all_part = np.concatenate([ring_part, lines]) if len(lines) else ring_part
    if not len(all_rings):
        return out
    coords, ring_of = shapely.get_coordinates(all_rings, return_index=True)
    xy = np.round(proj(coords)).astype(np.int64)
    # Relative moves within a ring; drop zero moves and the closing point of rings.
    starts = np.r_[0, np.flatnonzero(np.diff(ring_of)) + 1]
    delta = np.diff(xy, axis=0, prepend=xy[:1])
    first = np.zeros(len(xy), bool)
    first[starts] = True
    keep = first | (delta != 0).any(axis=1)
    text = np.where(first, [f"M{x} {y}" for x, y in xy], [f"{dx} {dy}" for dx, dy in delta])
    pieces: dict[int, list[str]] = {}
    ring_geom = idx[part_of[all_part]]
    bounds = np.r_[starts, len(xy)]
    for r in range(len(starts)):
        seg = slice(bounds[r], bounds[r + 1])
        sel = keep[seg]
        tokens = text[seg][sel]
        if len(tokens) < 2:
            continue
        s = tokens[0] + "l" + " ".join(tokens[1:]) + ("z" if closed[ring_of[bounds[r]]] else "")
        pieces.setdefault(int(ring_geom[ring_of[bounds[r]]]), []).append(s)
    for g, segs in pieces.items():
        out[g] = "".join(segs)
    return out


def _province_names(provinces: gpd.GeoDataFrame) -> pd.Series:
    """The layer's name column (province, name, base, ...), else its first text column."""
    for col in ("province", "name", "NAME", "Province", "admin1", "ADM1_EN", "base"):
        if col in provinces.columns:
            return provinces[col].astype(str)
    text = [
        c
        for c in provinces.columns
        if c != provinces.geometry.name
        and (provinces[c].dtype == object or pd.api.types.is_string_dtype(provinces[c]))
    ]
    return provinces[text[0]].astype(str) if text else pd.Series([""] * len(provinces))


def year_classes(years: list[int]) -> dict[int, str]:
    return {y: f"y{i}" for i, y in enumerate(years)}


def map_css(years: list[int]) -> str:
    """Fill colours per planned year and the rules that hide a year toggled off."""
    colours = sequential(len(years))
    rules = [f".map .y{i}{{fill:{c}}}" for i, c in enumerate(colours)]
    rules.append(f".map .un{{fill:{UNSCHEDULED};fill-opacity:.55}}")
    rules += [f".map.hide-y{i} .y{i}{{display:none}}" for i in range(len(years))]
    rules.append(".map.hide-un .un{display:none}")
    return "\n".join(rules)


def legend_html(years: list[int], n_deps: pd.Series, context: list[str]) -> str:
    colours = sequential(len(years))
    items = [
        f'<button type="button" class="lgi" data-toggle="y{i}" aria-pressed="true">'
        f'<span class="sw" style="background:{c}"></span>{y}</button>'
        for i, (y, c) in enumerate(zip(years, colours, strict=True))
    ]
    items.append(
        f'<button type="button" class="lgi" data-toggle="un" aria-pressed="true">'
        f'<span class="sw" style="background:{UNSCHEDULED}"></span>unscheduled'
        f"</button>"
    )
    for kind, count in n_deps.items():
        items.append(
            f'<span class="lgk"><span class="ln {esc(kind)}"></span>'
            f"{esc(_dep_label(str(kind)))} ({int(count):,})</span>"
        )
    for layer in context:
        items.append(f'<span class="lgk"><span class="ctx-{esc(layer)}"></span>{esc(layer)}</span>')
    return '<div class="legend" id="map-legend">' + "".join(items) + "</div>"


def _dep_label(kind: str) -> str:
    return {
        "dep-road": "access derived from roads",
        "dep-explicit": "access dependency (given)",
    }.get(kind, "access dependency")


@dataclass(frozen=True)
class MapResult:
    svg: str
    legend: str
    css: str
    drawn: int  # hazards drawn
    missing: int  # hazards without geometry
    n_deps: int  # access dependencies drawable (hidden until asked for)
    context: list[str]  # orientation layers drawn: "roads", "depots"


EXTENT_PAD = 0.04  # share of the hazards' extent added around them


def fitted_bounds(geoms: np.ndarray) -> np.ndarray:
    """The hazards' bounds plus a margin: the map frames the work, not the whole country."""
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geoms))
    dx, dy = (maxx - minx) * EXTENT_PAD, (maxy - miny) * EXTENT_PAD
    return np.array([minx - dx, miny - dy, maxx + dx, maxy + dy])


def _in_4326(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        return frame.to_crs(4326)
    return frame


def _hazard_shapes(
    geoms: np.ndarray, workplan: pd.DataFrame, years: list[int], proj: Projection
) -> tuple[str, str, np.ndarray]:
    """Hazard paths and marker circles (unscheduled first, then late years under early
    ones), and each hazard's centre in map units."""
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    deg_per_unit = 1.0 / proj.scale
    d = path_strings(shapely.simplify(geoms, 0.5 * deg_per_unit, preserve_topology=True), proj)
    cent = np.full((len(geoms), 2), np.nan)
    cent[present] = proj(shapely.get_coordinates(shapely.point_on_surface(geoms[present])))
    bb = shapely.bounds(geoms)
    extent = np.nan_to_num(np.maximum(bb[:, 2] - bb[:, 0], bb[:, 3] - bb[:, 1])) * proj.scale
    tiny = present & (extent < 4 * MARKER_R)
    wp = workplan.reset_index(drop=True)
    cls_of = year_classes(years)
    year = wp["year"]
    cls = np.array([cls_of.get(int(y), "un") if pd.notna(y) else "un" for y in year])
    ids = wp["hazard_id"].astype(str).to_numpy()
    order_key = np.where(cls == "un", -1, year.fillna(0).astype(float).to_numpy())
    order = np.lexsort((np.arange(len(wp)), -order_key))
    order = np.r_[order[cls[order] == "un"], order[cls[order] != "un"]]
    shapes, markers = [], []
    for i in order:
        if not present[i]:
            continue
        attr = f'data-id="{esc(ids[i])}" class="{cls[i]}"'
        if d[i]:
            shapes.append(f'<path {attr} d="{d[i]}"/>')
        if tiny[i] or not d[i]:
            cx, cy = cent[i]
            markers.append(f'<circle {attr} cx="{cx:.0f}" cy="{cy:.0f}" r="{MARKER_R}"/>')
    return "".join(shapes), "".join(markers), cent


def _provinces(provinces: gpd.GeoDataFrame | None, proj: Projection) -> tuple[str, str]:
    """Province outlines and their names (labels are drawn last, with a halo)."""
    if provinces is None or not len(provinces):
        return "", ""
    provinces = _in_4326(provinces)
    parr = np.asarray(provinces.geometry.array, dtype=object)
    simple = shapely.simplify(parr, 1.0 / proj.scale, preserve_topology=True)
    names = _province_names(provinces)
    outlines = "".join(
        f'<path d="{p}"><title>{esc(n)}</title></path>'
        for p, n in zip(path_strings(simple, proj), names, strict=True)
        if p
    )
    rp = shapely.point_on_surface(parr)
    ok = ~shapely.is_empty(rp)
    labels = ""
    if ok.any():
        pts = proj(shapely.get_coordinates(rp[ok]))
        labels = "".join(
            f'<text x="{x:.0f}" y="{y:.0f}">{esc(n)}</text>'
            for (x, y), n in zip(pts, names[ok], strict=True)
        )
    return outlines, labels


def _roads(roads: gpd.GeoDataFrame | None, proj: Projection) -> str:
    """Roads for orientation: one path per road class, simplified to ~2 map pixels."""
    if roads is None or not len(roads):
        return ""
    roads = _in_4326(roads)
    klass = (
        roads["road_class"].astype(str)
        if "road_class" in roads.columns
        else pd.Series("road", index=roads.index)
    )
    out = []
    for name, part in roads.groupby(klass.to_numpy(), sort=True):
        merged = shapely.union_all(np.asarray(part.geometry.array, dtype=object))
        simple = shapely.simplify(np.array([merged], dtype=object), 2.0 / proj.scale)
        d = path_strings(simple, proj)[0]
        if d:
            cls = "major" if str(name).lower() in MAJOR_ROADS else "minor"
            out.append(f'<path class="{cls}" d="{d}"><title>{esc(name)} road</title></path>')
    return "".join(out)


MAJOR_ROADS = {"trunk", "primary", "motorway", "highway", "main"}


def _depots(bases: gpd.GeoDataFrame | None, proj: Projection) -> str:
    """Depots (bases) and settlements as labelled squares."""
    if bases is None or not len(bases):
        return ""
    bases = _in_4326(bases)
    pts = shapely.point_on_surface(np.asarray(bases.geometry.array, dtype=object))
    ok = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    names = _province_names(bases)
    xy = proj(shapely.get_coordinates(pts[ok]))
    s = MARKER_R * 1.6
    return "".join(
        f'<g><rect x="{x - s / 2:.0f}" y="{y - s / 2:.0f}" width="{s:.0f}" height="{s:.0f}"/>'
        f'<text x="{x + s:.0f}" y="{y + s / 3:.0f}">{esc(n)}</text></g>'
        for (x, y), n in zip(xy, names[ok], strict=True)
    )


def _dependencies(deps: pd.DataFrame, ids: np.ndarray, cent: np.ndarray) -> tuple[str, pd.Series]:
    """Dependency arrows (hidden until all are asked for or a hazard's chain is shown)."""
    if deps.empty:
        return "", pd.Series(dtype=int)
    pos = pd.Series(np.arange(len(ids)), index=ids)
    a = pos.reindex(deps["hazard_id"].astype(str)).to_numpy()
    b = pos.reindex(deps["requires"].astype(str)).to_numpy()
    kind = dependency_kind(deps).to_numpy()
    ok = ~(np.isnan(a) | np.isnan(b))
    lines = []
    counts: dict[str, int] = {}
    for ai, bi, k in zip(a[ok].astype(int), b[ok].astype(int), kind[ok], strict=True):
        (x1, y1), (x2, y2) = cent[bi], cent[ai]
        if np.isnan([x1, y1, x2, y2]).any():
            continue
        counts[k] = counts.get(k, 0) + 1
        lines.append(
            f'<line class="{k}" data-a="{esc(ids[ai])}" data-b="{esc(ids[bi])}" '
            f'x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}"/>'
        )
    return "".join(lines), pd.Series(counts, dtype=int).sort_index()


def plan_map(
    problem: Problem,
    workplan: pd.DataFrame,
    basemap: dict[str, gpd.GeoDataFrame] | None = None,
) -> MapResult | None:
    """The map SVG for a workplan (None when the project has no geometry); ``basemap`` may
    hold ``roads`` and ``bases`` layers drawn for orientation."""
    geom = problem.geometry
    if geom is None:
        return None
    basemap = basemap or {}
    years = list(problem.years)
    geoms = np.asarray(geom.reset_index(drop=True).array, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return None
    proj = projection(fitted_bounds(geoms[present]))
    shapes, markers, cent = _hazard_shapes(geoms, workplan, years, proj)
    outlines, labels = _provinces(problem.provinces, proj)
    roads = _roads(basemap.get("roads"), proj)
    depots = _depots(basemap.get("bases"), proj)
    ids = workplan["hazard_id"].astype(str).to_numpy()
    dep_svg, kinds = _dependencies(problem.dependencies, ids, cent)
    svg = (
        f'<svg id="plan-map" class="map" viewBox="0 0 {proj.width} {proj.height}" '
        f'data-w="{proj.width}" data-h="{proj.height}" data-marker-r="{MARKER_R}" '
        f'role="img" aria-label="Map of hazards by planned year" '
        f'preserveAspectRatio="xMidYMid meet">'
        "<defs>"
        + "".join(
            f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="4.5" markerHeight="4.5" orient="auto">'
            f'<path d="M0 1L10 5L0 9z" class="ah-{k}"/></marker>'
            for k in ("dep-road", "dep-explicit")
        )
        + "</defs>"
        f'<g class="prov">{outlines}</g>'
        f'<g class="roads">{roads}</g>'
        f'<g class="hz">{shapes}</g>'
        f'<g class="hz mk">{markers}</g>'
        f'<g class="deps">{dep_svg}</g>'
        f'<g class="depots">{depots}</g>'
        f'<g class="prov-labels">{labels}</g></svg>'
    )
    context = [name for name, drawn in (("roads", roads), ("depots", depots)) if drawn]
    return MapResult(
        svg=svg,
        legend=legend_html(years, kinds, context),
        css=map_css(years),
        drawn=int(present.sum()),
        missing=int((~present).sum()),
        n_deps=int(kinds.sum()) if len(kinds) else 0,
        context=context,
    )
