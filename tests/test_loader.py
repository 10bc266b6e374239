"""Reading real file formats: CSV, Excel, GeoJSON, GeoPackage, Shapefile with IMSMA names."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from prioritise import ProjectError, load_problem, plan
from prioritise.inputs.geometry import areas_m2

PROJECT = """[plan]
start_year = 2027
years = 2

[data]
hazards = "{hazards}"
teams = "teams.csv"
budget = "budget.csv"
{extra}

[methods.manual]
productivity = {{ manual = 100 }}
{more}
"""


def folder_with(tmp: Path, hazards_name: str, extra: str = "", more: str = "") -> Path:
    (tmp / "teams.csv").write_text("team_type,teams,days_per_year,cost_per_day\nmanual,2,200,100\n")
    (tmp / "budget.csv").write_text("year,budget_usd\n2027,50000\n2028,50000\n")
    path = tmp / "project.toml"
    path.write_text(PROJECT.format(hazards=hazards_name, extra=extra, more=more))
    return path


def polygons() -> gpd.GeoDataFrame:
    """Three squares near 33°E 14°N; the third is a self-intersecting bow-tie."""
    lon, lat = 33.0, 14.0
    d = 0.001  # ~108 m east-west, ~111 m north-south
    bow = Polygon(
        [(lon + 0.01, lat), (lon + 0.01 + d, lat + d), (lon + 0.01 + d, lat), (lon + 0.01, lat + d)]
    )
    return gpd.GeoDataFrame(
        {
            "hazard_id": ["H1", "H2", "H3"],
            "province": ["North", "North", "South"],
            "impact": [10.0, 5.0, 1.0],
        },
        geometry=[
            box(lon, lat, lon + d, lat + d),
            box(lon + 0.005, lat, lon + 0.005 + 2 * d, lat + d),
            bow,
        ],
        crs=4326,
    )


def test_geodesic_area_of_a_known_square() -> None:
    """0.001° x 0.001° at 14°N is ~107.9 m x 110.6 m on WGS84."""
    area = areas_m2(polygons().geometry.iloc[:1])[0]
    assert area == pytest.approx(107.9 * 110.6, rel=0.002)
    utm = areas_m2(polygons().geometry.iloc[:1], "EPSG:32636")[0]
    assert utm == pytest.approx(area, rel=0.002)


@pytest.mark.parametrize(
    ("name", "driver"), [("hazards.geojson", "GeoJSON"), ("hazards.gpkg", "GPKG")]
)
def test_vector_formats_compute_area_and_repair(tmp_path: Path, name: str, driver: str) -> None:
    polygons().to_file(tmp_path / name, driver=driver)
    problem = load_problem(folder_with(tmp_path, name))
    areas = problem.hazards.set_index("hazard_id")["area_m2"]
    assert areas["H2"] == pytest.approx(2 * areas["H1"], rel=0.01)
    repaired = [f for f in problem.findings if f.rule == "geometry-repaired"]
    assert repaired and repaired[0].ids == ("H3",)
    assert problem.geometry is not None and problem.geometry.is_valid.all()


def test_imsma_shapefile_with_truncated_names(tmp_path: Path) -> None:
    gdf = polygons().rename(
        columns={"hazard_id": "HAZARD_ID", "province": "Province", "impact": "Impact_Sco"}
    )
    gdf["Hazard_Typ"] = ["AP", "AT", "UXO"]
    gdf.to_file(tmp_path / "hazards.shp")
    path = folder_with(
        tmp_path,
        "hazards.shp",
        more='\n[columns]\nImpact_Sco = "impact"\nHazard_Typ = "hazard_type"\n',
    )
    problem = load_problem(path)
    h = problem.hazards.set_index("hazard_id")
    assert list(h.index) == ["H1", "H2", "H3"]
    assert list(h["hazard_type"]) == ["AP", "AT", "UXO"]
    assert h.loc["H1", "impact"] == 10.0


def test_excel_hazards(tmp_path: Path) -> None:
    pd.DataFrame(
        {
            "hazard_id": ["X1", "X2"],
            "province": ["P", "P"],
            "impact": [1, 2],
            "area_m2": [1000, 2000],
        }
    ).to_excel(tmp_path / "hazards.xlsx", index=False)
    problem = load_problem(folder_with(tmp_path, "hazards.xlsx"))
    assert list(problem.hazards["area_m2"]) == [1000, 2000]


def test_missing_crs_is_an_error_unless_stated(tmp_path: Path) -> None:
    gdf = polygons().iloc[:2]
    gdf.to_file(tmp_path / "hazards.shp")
    (tmp_path / "hazards.prj").unlink()
    with pytest.raises(ProjectError, match="crs-missing"):
        load_problem(folder_with(tmp_path, "hazards.shp"))
    problem = load_problem(folder_with(tmp_path, "hazards.shp", extra='crs = "EPSG:4326"'))
    assert any(f.rule == "crs-assumed" for f in problem.findings)


def test_projected_crs_and_web_mercator(tmp_path: Path) -> None:
    polygons().iloc[:2].to_crs(3857).to_file(tmp_path / "hazards.gpkg")
    problem = load_problem(folder_with(tmp_path, "hazards.gpkg"))
    assert any(f.rule == "crs-web-mercator" for f in problem.findings)
    # Web Mercator inflates areas by ~1/cos²(14°) = 6%; geodesic areas must not be.
    assert problem.hazards["area_m2"].iloc[0] == pytest.approx(107.9 * 110.6, rel=0.003)


def test_degrees_under_a_projected_crs_are_caught(tmp_path: Path) -> None:
    polygons().iloc[:2].set_crs(32636, allow_override=True).to_file(tmp_path / "hazards.gpkg")
    with pytest.raises(ProjectError, match="crs-mismatch"):
        load_problem(folder_with(tmp_path, "hazards.gpkg"))


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_inputs_are_never_modified_and_plans_repeat(tmp_path: Path) -> None:
    polygons().to_file(tmp_path / "hazards.gpkg")
    path = folder_with(tmp_path, "hazards.gpkg")
    before = digest(tmp_path)
    first = plan(load_problem(path), gap=0.0)
    second = plan(load_problem(path), gap=0.0)
    assert digest(tmp_path) == before
    pd.testing.assert_frame_equal(first.workplan, second.workplan)
    assert first.summary.objective == second.summary.objective
    problem = load_problem(path)
    hazards_before = problem.hazards.copy()
    plan(problem)
    pd.testing.assert_frame_equal(problem.hazards, hazards_before)
