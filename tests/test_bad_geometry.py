"""Bad hazard geometry: wrong types, null or empty shapes, shapefiles missing a part."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon

from tests.badkit import MINIMAL, assert_refused, project, run, snapshot

TOML = (MINIMAL / "project.toml").read_text(encoding="utf-8")


def square(i: int) -> Polygon:
    x, y = 30.0 + 0.01 * i, 1.0
    return Polygon([(x, y), (x + 0.001, y), (x + 0.001, y + 0.001), (x, y + 0.001)])


def layer(shapes: dict[int, object], keep_area: bool = False) -> gpd.GeoDataFrame:
    frame = pd.read_csv(MINIMAL / "hazards.csv", dtype={"hazard_id": str})
    if not keep_area:
        frame = frame.drop(columns=["area_m2"])
    geoms = [shapes.get(i, square(i)) for i in range(len(frame))]
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=4326)


def check_layer(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    gdf: gpd.GeoDataFrame,
    code: int,
    *culprits: str,
    suffix: str = ".geojson",
) -> Path:
    toml = project(tmp_path, project_toml=TOML.replace("hazards.csv", f"hazards{suffix}"))
    driver = {".geojson": "GeoJSON", ".shp": "ESRI Shapefile", ".gpkg": "GPKG"}[suffix]
    gdf.to_file(toml.parent / f"hazards{suffix}", driver=driver, engine="pyogrio")
    before = snapshot(toml.parent)
    assert_refused(run(capsys, "validate", str(toml)), code, *culprits)
    assert snapshot(toml.parent) == before
    return toml


def test_polygons_are_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_layer(tmp_path, capsys, layer({}), 0, "valid (30 hazards")


@pytest.mark.parametrize(
    ("shape", "word"),
    [(Point(30.0, 1.0), "Point"), (LineString([(30.0, 1.0), (30.1, 1.0)]), "LineString")],
)
def test_points_or_lines_without_area_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: object, word: str
) -> None:
    check_layer(tmp_path, capsys, layer({2: shape, 5: shape}), 3, "geometry-type", word,
                "HA-003", "HA-006")  # fmt: skip


def test_points_with_area_are_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    points = {i: Point(30.0 + i * 0.01, 1.0) for i in range(30)}
    check_layer(tmp_path, capsys, layer(points, keep_area=True), 0, "geometry-type", "area_m2")


def test_null_and_empty_geometries_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check_layer(tmp_path, capsys, layer({3: None, 7: Polygon()}), 3, "geometry-missing",
                "HA-004", "HA-008")  # fmt: skip


@pytest.mark.parametrize("part", [".dbf", ".shx"])
def test_shapefile_missing_a_part_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], part: str
) -> None:
    toml = project(tmp_path, project_toml=TOML.replace("hazards.csv", "hazards.shp"))
    layer({}).to_file(toml.parent / "hazards.shp", engine="pyogrio")
    (toml.parent / f"hazards{part}").unlink()
    before = snapshot(toml.parent)
    assert_refused(run(capsys, "validate", str(toml)), 3, f"hazards{part}", "shapefile-parts")
    assert snapshot(toml.parent) == before


def test_shapefile_without_prj_asks_for_a_crs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = project(tmp_path, project_toml=TOML.replace("hazards.csv", "hazards.shp"))
    layer({}).to_file(toml.parent / "hazards.shp", engine="pyogrio")
    (toml.parent / "hazards.prj").unlink()
    assert_refused(run(capsys, "validate", str(toml)), 3, "crs-missing", ".prj")


def test_garbage_geojson(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = project(tmp_path, project_toml=TOML.replace("hazards.csv", "hazards.geojson"))
    (toml.parent / "hazards.geojson").write_bytes(b'{"type": "FeatureCollection", "feat' * 1000)
    assert_refused(run(capsys, "validate", str(toml)), 3, "hazards.geojson", "GIS layer")
