"""The plan as GIS layers: ``plan.gpkg`` (layers ``workplan`` and ``access_dependencies``,
styled) and ``plan.geojson`` (the workplan, with ``plan.qml`` beside it).

What a GIS user needs to filter and style without casting: years are integers, money and
areas reals, flags booleans, and a missing value is NULL (never 0 or ""). Layer names are
set explicitly, so a file written to a temporary name and moved into place never carries
that name inside. The GeoPackage is written as version 1.2, which every GDAL since 2.2 (so
QGIS 3.22 and older) opens without the "may only be partially supported" warning that 1.4
raises in GDAL < 3.7. Each layer's QGIS style (hazards coloured by planned year, access
dependencies as arrows) is stored in the ``layer_styles`` table, where QGIS finds it and
applies it when the layer is opened.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from prioritise.core import fmt
from prioritise.core.problem import Problem
from prioritise.outputs.qml import dependencies_qml, workplan_qml

WORKPLAN_LAYER = "workplan"
DEPENDENCIES_LAYER = "access_dependencies"
STYLES_LAYER = "layer_styles"
GPKG_VERSION = "1.2"
REAL_KINDS = {"money", "money_rate", "area", "score", "days", "share"}
GEOMETRY_COLUMN = "geom"  # GDAL's GeoPackage default, named in layer_styles


def dependency_kind(deps: pd.DataFrame) -> pd.Series:
    """'dep-road' for edges derived from the road network, 'dep-explicit' otherwise."""
    if "source" not in deps.columns:
        return pd.Series("dep-explicit", index=deps.index)
    src = deps["source"].astype(str).str.lower()
    road = src.str.contains("road|derived|network|access", regex=True) & ~src.str.contains(
        "explicit|given|file|both", regex=True
    )
    return pd.Series(np.where(road, "dep-road", "dep-explicit"), index=deps.index)


def typed_column(name: str, column: pd.Series) -> pd.Series:
    """A column with the field type a GIS should see: Int32 years, nullable booleans for
    flags, Int64 for whole counts, float64 for money, areas and scores, text otherwise."""
    if pd.api.types.is_bool_dtype(column):
        return column.astype("boolean")
    kind = fmt.column_kind(name)
    if kind == "year":
        return pd.to_numeric(column, errors="coerce").round().astype("Int32")
    if kind in REAL_KINDS and pd.api.types.is_numeric_dtype(column):
        return column.astype("float64")
    if pd.api.types.is_integer_dtype(column):
        return column.astype("Int64")
    if pd.api.types.is_numeric_dtype(column):
        return column.astype("float64")
    flags = {True, False, "True", "False", "true", "false"}
    if column.dropna().isin(flags).all() and column.notna().any():
        return column.map(lambda v: None if fmt.missing(v) else str(v).lower() == "true").astype(
            "boolean"
        )
    return column.astype(object).where(column.notna(), None)


def workplan_layer(workplan: pd.DataFrame, geometry: gpd.GeoSeries) -> gpd.GeoDataFrame:
    """The workplan joined to hazard geometry (EPSG:4326), one typed field per column."""
    frame = pd.DataFrame(
        {str(c): typed_column(str(c), workplan[c]) for c in workplan.columns},
        index=range(len(workplan)),
    )
    frame["scheduled"] = pd.array(workplan["status"].to_numpy() == "scheduled", dtype="boolean")
    return gpd.GeoDataFrame(frame, geometry=geometry.reset_index(drop=True).array, crs=4326)


def dependencies_layer(problem: Problem, workplan: pd.DataFrame) -> gpd.GeoDataFrame | None:
    """One line per access dependency, from the hazard needed first to the one that needs
    it, with both planned years (NULL when not scheduled); None without dependencies."""
    geometry = problem.geometry
    deps = problem.dependencies
    if geometry is None or deps.empty:
        return None
    ids = workplan["hazard_id"].astype(str).to_numpy()
    pos = pd.Series(np.arange(len(ids)), index=ids)
    a = pos.reindex(deps["hazard_id"].astype(str)).to_numpy()
    b = pos.reindex(deps["requires"].astype(str)).to_numpy()
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok].astype(int), b[ok].astype(int)
    points = shapely.point_on_surface(np.asarray(geometry.reset_index(drop=True).array))
    lines = shapely.linestrings(
        np.stack([shapely.get_coordinates(points[b]), shapely.get_coordinates(points[a])], axis=1)
    )
    years = typed_column("year", workplan["year"]).reset_index(drop=True)
    kind = dependency_kind(deps).to_numpy()[ok]
    frame = pd.DataFrame(
        {
            "hazard_id": ids[a],
            "requires": ids[b],
            "source": np.where(kind == "dep-road", "roads", "given"),
            "year": years.iloc[a].to_numpy(),
            "requires_year": years.iloc[b].to_numpy(),
        }
    )
    frame["year"] = frame["year"].astype("Int32")
    frame["requires_year"] = frame["requires_year"].astype("Int32")
    return gpd.GeoDataFrame(frame, geometry=lines, crs=4326)


def _styles_table(styles: dict[str, str]) -> pd.DataFrame:
    """QGIS's layer_styles table (the columns QGIS itself creates), one default style each."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    return pd.DataFrame(
        {
            "f_table_catalog": [""] * len(styles),
            "f_table_schema": [""] * len(styles),
            "f_table_name": list(styles),
            "f_geometry_column": [GEOMETRY_COLUMN] * len(styles),
            "styleName": [f"prioritise {name}" for name in styles],
            "styleQML": list(styles.values()),
            "styleSLD": [""] * len(styles),
            "useAsDefault": pd.array([True] * len(styles), dtype="boolean"),
            "description": [f"written by prioritise with the {name} layer" for name in styles],
            "owner": [""] * len(styles),
            "ui": [None] * len(styles),
            "update_time": pd.to_datetime([now] * len(styles)),
        }
    )


def write_geopackage(
    path: Path, workplan: gpd.GeoDataFrame, dependencies: gpd.GeoDataFrame | None, years: list[int]
) -> None:
    """Write the layers and their styles into a new GeoPackage at ``path``."""
    pyogrio.write_dataframe(
        workplan,
        path,
        layer=WORKPLAN_LAYER,
        driver="GPKG",
        dataset_options={"VERSION": GPKG_VERSION},
    )
    styles = {WORKPLAN_LAYER: workplan_qml(years)}
    if dependencies is not None and len(dependencies):
        pyogrio.write_dataframe(dependencies, path, layer=DEPENDENCIES_LAYER, driver="GPKG")
        styles[DEPENDENCIES_LAYER] = dependencies_qml()
    pyogrio.write_dataframe(_styles_table(styles), path, layer=STYLES_LAYER, driver="GPKG")


def write_geojson(path: Path, workplan: gpd.GeoDataFrame) -> None:
    """The workplan layer as GeoJSON (layer name ``workplan``, fields typed as above)."""
    pyogrio.write_dataframe(workplan, path, layer=WORKPLAN_LAYER, driver="GeoJSON")
