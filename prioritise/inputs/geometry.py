"""Hazard geometry: CRS checks, polygon repair and areas.

Areas decide costs and team-days, so they are computed deliberately: geodesically on the
WGS84 ellipsoid by default (exact whatever the input CRS), or in a projected CRS the project
names. Web Mercator and other non-equal-area inputs therefore never distort an area.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod
from pyproj.exceptions import CRSError

from prioritise.core.errors import Finding, error, warning
from prioritise.inputs.textfiles import ReadError

WGS84 = "EPSG:4326"
_GEOD = Geod(ellps="WGS84")


def check_crs(
    gdf: gpd.GeoDataFrame, file: str, assumed: str | None
) -> tuple[gpd.GeoDataFrame | None, list[Finding]]:
    """Give the layer a usable CRS or say why it has none.

    A layer without a CRS is an error unless the project states ``[data] crs``; a CRS that
    disagrees with the coordinates (degrees stored under a projected CRS, or the reverse) is
    an error; Web Mercator and non-WGS84 geographic CRSs are warnings.
    """
    findings: list[Finding] = []
    if gdf.crs is None:
        if not assumed:
            findings.append(
                error(
                    file,
                    "crs-missing",
                    "The layer has no coordinate reference system.",
                    "Add a .prj / CRS to the file, or state it in the project: [data] crs = "
                    '"EPSG:4326" (or the projected CRS the coordinates are in).',
                )
            )
            return None, findings
        try:
            gdf = gdf.set_crs(CRS.from_user_input(assumed))
        except CRSError:
            findings.append(
                error(
                    file,
                    "crs-invalid",
                    f"[data] crs = {assumed!r} is not a CRS.",
                    'Use an EPSG code such as "EPSG:32636".',
                )
            )
            return None, findings
        findings.append(
            warning(
                file,
                "crs-assumed",
                f"The layer has no CRS; assuming {assumed} as the project states.",
                "Store the CRS in the file itself.",
            )
        )
    crs = CRS.from_user_input(gdf.crs)
    finite = gdf.geometry[~gdf.geometry.is_empty & ~gdf.geometry.isna()]
    if len(finite):
        xmin, ymin, xmax, ymax = finite.total_bounds
        looks_degrees = xmin >= -180.5 and xmax <= 180.5 and ymin >= -90.5 and ymax <= 90.5
        if crs.is_geographic and not looks_degrees:
            findings.append(
                error(
                    file,
                    "crs-mismatch",
                    f"The layer's CRS ({crs.to_string()}) is in degrees but "
                    f"the coordinates reach {xmax:.0f}, {ymax:.0f}: they look projected.",
                    "Fix the file's CRS, or state the right one in [data] crs.",
                )
            )
            return None, findings
        if crs.is_projected and looks_degrees and max(abs(xmax), abs(ymax)) > 0:
            findings.append(
                error(
                    file,
                    "crs-mismatch",
                    f"The layer's CRS ({crs.to_string()}) is projected but the "
                    "coordinates look like degrees.",
                    "Set the file's CRS to EPSG:4326, or state it in [data] crs.",
                )
            )
            return None, findings
    if crs.to_epsg() == 3857:
        findings.append(
            warning(
                file,
                "crs-web-mercator",
                "The layer is in Web Mercator (EPSG:3857), whose areas are "
                "badly distorted; areas are computed geodesically instead.",
                "Nothing to do unless you meant another CRS.",
            )
        )
    elif crs.is_geographic and crs.to_epsg() != 4326:
        findings.append(
            warning(
                file,
                "crs-unusual",
                f"The layer uses the geographic CRS {crs.name}; it is converted "
                "to WGS84 (EPSG:4326).",
                "Check the datum if positions matter to the metre.",
            )
        )
    return gdf, findings


def repair_polygons(
    geoms: gpd.GeoSeries, ids: pd.Series, file: str
) -> tuple[gpd.GeoSeries, list[Finding]]:
    """Make invalid polygons valid (keeping holes as holes) and warn naming the hazards.

    IMSMA does not validate polygons, so self-intersections and bow-ties are common; the
    'structure' repair keeps the area the surveyor meant rather than an even-odd patchwork.
    """
    findings: list[Finding] = []
    values = geoms.array
    present = ~(shapely.is_missing(values) | shapely.is_empty(values))
    invalid = present & ~shapely.is_valid(values)
    if invalid.any():
        fixed = shapely.make_valid(values[invalid], method="structure", keep_collapsed=False)
        values = values.copy()
        values[invalid] = fixed
        findings.append(
            warning(
                file,
                "geometry-repaired",
                f"{int(invalid.sum())} invalid polygon(s) were repaired "
                "(self-intersections, bad rings).",
                "Check the repaired shapes in the plan output.",
                ids[invalid],
            )
        )
    kinds = shapely.get_type_id(values)
    # make_valid may return a collection holding the polygon and a stray line, or parts
    # that touch along an edge (an invalid multipolygon); both are merged below.
    collections = present & ((kinds == 7) | ~shapely.is_valid(values))
    if collections.any():
        # make_valid may return a collection holding the polygon and a stray line.
        parts = [
            shapely.union_all(
                shapely.get_parts(g)[np.isin(shapely.get_type_id(shapely.get_parts(g)), [3, 6])]
            )
            for g in values[collections]
        ]
        values[collections] = parts
    return gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs), findings


def check_geometry_types(
    geoms: gpd.GeoSeries, ids: pd.Series, area_given: np.ndarray, file: str
) -> list[Finding]:
    """Hazards need polygons: a point or line has no area, so every cost would be 0.

    Points or lines (or missing/empty geometry) are errors on rows without ``area_m2`` and a
    warning on rows with it (the given area is used; the shape only locates the hazard).
    """
    values = geoms.array
    missing = shapely.is_missing(values) | shapely.is_empty(values)
    kinds = shapely.get_type_id(values)
    not_polygon = ~missing & ~np.isin(kinds, [3, 6])
    findings: list[Finding] = []
    for mask, what in ((missing, "no geometry (null or empty)"), (not_polygon, "not polygons")):
        for rows, severity in ((mask & ~area_given, error), (mask & area_given, warning)):
            if not rows.any():
                continue
            kinds_found = sorted({_TYPE_NAMES.get(int(k), str(k)) for k in kinds[rows] if k >= 0})
            found = f" ({', '.join(kinds_found)})" if kinds_found else ""
            findings.append(
                severity(
                    file,
                    "geometry-missing" if mask is missing else "geometry-type",
                    f"{int(rows.sum())} hazard(s) have {what}{found}"
                    + ("; their area_m2 is used." if severity is warning else "; no area."),
                    "Draw the hazard polygons, or give area_m2 for these rows."
                    if severity is error
                    else "Draw polygons to map them precisely.",
                    ids[rows],
                )
            )
    return findings


_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 4: "MultiPoint"}
_TYPE_NAMES |= {5: "MultiLineString", 7: "GeometryCollection"}

# A shapefile is several files; GDAL needs these beside the .shp (.prj: see check_crs).
SHAPEFILE_PARTS = (".dbf", ".shx")


def check_shapefile_parts(path: Path) -> None:
    """Raise ReadError naming each missing part of a shapefile (.dbf attributes, .shx
    index); a missing .prj surfaces as a missing CRS in :func:`check_crs`."""
    if path.suffix.lower() != ".shp" or not path.exists():
        return
    present = {p.name.lower() for p in path.parent.iterdir()}
    missing = [
        path.with_suffix(ext).name
        for ext in SHAPEFILE_PARTS
        if path.with_suffix(ext).name.lower() not in present
    ]
    if missing:
        raise ReadError(
            f"The shapefile {path.name} is missing {', '.join(missing)}: a shapefile is "
            "several files kept together.",
            f"Copy {', '.join(missing)} beside {path.name}, or give a GeoPackage instead.",
            "shapefile-parts",
        )


def areas_m2(geoms: gpd.GeoSeries, area_crs: str = "geodesic") -> np.ndarray:
    """Area of each geometry in m² (NaN for missing or empty, 0 for points).

    ``geodesic`` integrates on the WGS84 ellipsoid; any other value is a projected CRS in
    which planar areas are taken.
    """
    if area_crs == "geodesic":
        lonlat = geoms.to_crs(WGS84)
        out = np.full(len(lonlat), np.nan)
        for i, geom in enumerate(lonlat.array):
            if geom is None or geom.is_empty:
                continue
            out[i] = abs(_GEOD.geometry_area_perimeter(geom)[0])
        return out
    projected = geoms.to_crs(area_crs)
    out = shapely.area(projected.array).astype(float)
    out[shapely.is_missing(projected.array) | shapely.is_empty(projected.array)] = np.nan
    return out


def check_area_crs(area_crs: str, file: str) -> list[Finding]:
    """An area CRS other than 'geodesic' must be a projected CRS."""
    if area_crs == "geodesic":
        return []
    try:
        crs = CRS.from_user_input(area_crs)
    except CRSError:
        return [
            error(
                file,
                "area-crs",
                f"[data] area_crs = {area_crs!r} is not a CRS.",
                'Use "geodesic" or a projected EPSG code such as "EPSG:32636".',
            )
        ]
    if not crs.is_projected:
        return [
            error(
                file,
                "area-crs",
                f"[data] area_crs = {area_crs!r} is not projected; planar "
                "areas in degrees are meaningless.",
                'Use "geodesic" or a projected (metre) CRS.',
            )
        ]
    return []
