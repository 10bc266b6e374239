"""Property tests for geometry, graph and weighting helpers (hypothesis)."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.eligibility import year_weights
from models.solution import check_schedule
from prioritise import plan
from prioritise.core.graph import dependency_graph, find_cycles
from prioritise.inputs.geometry import areas_m2, repair_polygons
from tests.conftest import hazard, make_problem

coords = st.tuples(st.floats(33.0, 33.02), st.floats(14.0, 14.02))


@given(st.lists(coords, min_size=4, max_size=9))
@settings(max_examples=60, deadline=None)
def test_repaired_polygons_are_valid_with_non_negative_area(points: list) -> None:
    ring = shapely.Polygon(points)
    series = gpd.GeoSeries([ring], crs=4326)
    repaired, _ = repair_polygons(series, pd.Series(["H"]), "hazards")
    geom = repaired.iloc[0]
    assert geom is None or geom.is_empty or geom.is_valid
    area = areas_m2(repaired)[0]
    assert np.isnan(area) or area >= 0


@given(st.floats(33.0, 34.0), st.floats(12.0, 16.0), st.floats(10.0, 2000.0))
@settings(max_examples=40, deadline=None)
def test_geodesic_and_utm_areas_agree_for_small_squares(
    lon: float, lat: float, side_m: float
) -> None:
    d_lat = side_m / 110_574.0
    d_lon = side_m / (111_320.0 * np.cos(np.radians(lat)))
    series = gpd.GeoSeries([shapely.box(lon, lat, lon + d_lon, lat + d_lat)], crs=4326)
    geodesic = areas_m2(series)[0]
    assert abs(geodesic - side_m**2) / side_m**2 < 0.01
    assert abs(areas_m2(series, "EPSG:32636")[0] - geodesic) / geodesic < 0.005


@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=14))
def test_find_cycles_agrees_with_networkx(edges: list[tuple[int, int]]) -> None:
    frame = pd.DataFrame([(f"H{a}", f"H{b}") for a, b in edges], columns=["hazard_id", "requires"])
    graph = dependency_graph([f"H{i}" for i in range(8)], frame)
    cycles = find_cycles(graph)
    assert (not cycles) == nx.is_directed_acyclic_graph(graph)
    for cycle in cycles:
        assert cycle[0] == cycle[-1]
        for u, v in itertools.pairwise(cycle):
            assert graph.has_edge(u, v)


@given(st.integers(1, 12), st.floats(0.0, 0.2))
def test_year_weights_count_discounted_years_left(years: int, rate: float) -> None:
    w = year_weights(years, rate)
    assert len(w) == years
    assert np.all(np.diff(w) < 0) or years == 1
    assert np.isclose(w[-1], (1 + rate) ** -(years - 1))
    if rate == 0:
        assert list(w) == list(range(years, 0, -1))


@given(st.data())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_plans_respect_every_dependency_of_random_dags(data: st.DataObject) -> None:
    n = data.draw(st.integers(3, 8))
    edges = data.draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n)
    )
    deps = sorted({(f"H{max(a, b)}", f"H{min(a, b)}") for a, b in edges if a != b})
    impacts = data.draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))
    rows = [hazard(f"H{i}", impacts[i], 60, 4) for i in range(n)]
    problem = make_problem(rows, deps=deps, budget=[150, 100, 200])
    result = plan(problem, gap=0.0)
    assert check_schedule(problem, result.schedule) == []
    assert check_schedule(problem, result.baseline, rules="resources") == []
    assert result.summary.objective >= result.summary.baseline.objective - 1e-6
