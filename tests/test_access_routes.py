"""Access dependencies derived from roads, hazard polygons and bases (issue 5).

Geometry is hand-built in UTM zone 36N (EPSG:32636), metres, around (500000, 3500000).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from prioritise.access.network import build_network
from prioritise.access.routes import (
    ACCESS_STATUSES,
    AccessResult,
    AccessSettings,
    derive_access,
    merge_dependencies,
    parse_access_settings,
    read_ignore,
)
from prioritise.outputs.access import write_access_outputs

CRS = "EPSG:32636"
X0, Y0 = 500_000.0, 3_500_000.0


def line(*points: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in points])


def square(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def roads(*lines: LineString) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"road_class": ["track"] * len(lines)}, geometry=list(lines), crs=CRS)


def hazards(**polygons: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"hazard_id": list(polygons)}, geometry=list(polygons.values()), crs=CRS
    )


def bases(*points: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"base": [f"Depot{i + 1}" for i in range(len(points))]},
        geometry=[Point(X0 + x, Y0 + y) for x, y in points],
        crs=CRS,
    )


def edge_set(result: AccessResult) -> set[tuple[str, str]]:
    return set(zip(result.edges["hazard_id"], result.edges["requires"], strict=True))


def status(result: AccessResult) -> dict[str, str]:
    return dict(zip(result.hazards["hazard_id"], result.hazards["access_status"], strict=True))


def rules(result: AccessResult) -> list[str]:
    return [f.rule for f in result.findings]


# A road east from a depot at x=0 to a village at x=2000; a minefield M across it at
# x=970..1030 and the village's own hazard V at x=1790..1850.
MAIN = line((0, 0), (2000, 0))
M = square(970, -30, 1030, 30)
V = square(1790, -30, 1850, 30)


def test_minefield_across_the_only_road_blocks_the_village() -> None:
    result = derive_access(hazards(M=M, V=V), roads(MAIN), bases((0, 0)), AccessSettings())
    assert edge_set(result) == {("V", "M")}
    assert status(result) == {"M": "reachable", "V": "one_blocker"}
    row = result.edges.iloc[0]
    assert "no unblocked route exists" in row["reason"]
    assert "Depot1" in row["reason"]
    assert math.isnan(row["detour_factor"])
    # V is reached where the road enters its 10 m zone.
    assert row["route_length_m"] == pytest.approx(1780.0)
    hz = result.hazards.set_index("hazard_id")
    assert hz.loc["V", "blockers"] == "M"
    assert hz.loc["M", "route_length_m"] == pytest.approx(960.0)
    assert result.summary["reachable_now"] == 1
    assert result.summary["behind_one_blocker"] == 1
    assert result.summary["crs"] == CRS
    # One segment (no junctions), blocked by both.
    assert result.network["blocked_by"].tolist() == ["M,V"]
    assert result.network.crs.to_epsg() == 4326
    assert set(result.hazards["access_status"]) <= set(ACCESS_STATUSES)


def test_bypass_of_similar_length_means_no_dependency() -> None:
    bypass = line((800, 0), (800, 100), (1200, 100), (1200, 0))  # +200 m
    result = derive_access(hazards(M=M, V=V), roads(MAIN, bypass), bases((0, 0)), AccessSettings())
    assert edge_set(result) == set()
    hz = result.hazards.set_index("hazard_id")
    assert hz.loc["V", "access_status"] == "reachable"
    assert hz.loc["V", "route_length_m"] == pytest.approx(1980.0)
    assert hz.loc["V", "detour_factor"] == pytest.approx(1980 / 1780, abs=1e-3)


def test_bypass_longer_than_the_detour_factor_keeps_the_dependency() -> None:
    bypass = line((800, 0), (800, 1000), (1200, 1000), (1200, 0))  # +2000 m
    result = derive_access(
        hazards(M=M, V=V), roads(MAIN, bypass), bases((0, 0)), AccessSettings(detour_factor=1.5)
    )
    assert edge_set(result) == {("V", "M")}
    row = result.edges.iloc[0]
    assert row["detour_factor"] == pytest.approx(3780 / 1780, abs=1e-3)
    assert "2.12x longer (> 1.5x)" in row["reason"]
    assert row["route_length_m"] == pytest.approx(1780.0)
    # A more tolerant factor accepts the bypass.
    relaxed = derive_access(
        hazards(M=M, V=V), roads(MAIN, bypass), bases((0, 0)), AccessSettings(detour_factor=2.5)
    )
    assert edge_set(relaxed) == set()


def test_two_minefields_in_series_both_come_before_the_village() -> None:
    m2 = square(1370, -30, 1430, 30)
    result = derive_access(hazards(M1=M, M2=m2, V=V), roads(MAIN), bases((0, 0)), AccessSettings())
    # Every hazard entered on the route is listed (not only the nearest).
    assert edge_set(result) == {("M2", "M1"), ("V", "M1"), ("V", "M2")}
    hz = result.hazards.set_index("hazard_id")
    assert hz.loc["V", "access_status"] == "several_blockers"
    assert hz.loc["V", "n_blockers"] == 2
    assert hz.loc["V", "blockers"] == "M1,M2"  # in route order
    merged, _ = merge_dependencies(result.edges, None, None)
    graph = nx.DiGraph(list(zip(merged["requires"], merged["hazard_id"], strict=True)))
    assert nx.ancestors(graph, "V") == {"M1", "M2"}


def test_fewest_blockers_route_beats_a_shorter_route_with_more() -> None:
    # Main road crosses A and B; a track 10% longer crosses only C.
    a, b = square(470, -30, 530, 30), square(1170, -30, 1230, 30)
    c = square(970, 70, 1030, 130)
    track = line((200, 0), (200, 100), (1800, 100), (1800, 0))
    hz = hazards(A=a, B=b, C=c, V=V)
    result = derive_access(hz, roads(MAIN, track), bases((0, 0)), AccessSettings())
    assert {r for h, r in edge_set(result) if h == "V"} == {"C"}
    assert "least-blocked route" in result.edges.set_index("requires").loc["C", "reason"]
    shortest = derive_access(
        hz, roads(MAIN, track), bases((0, 0)), AccessSettings(route_choice="shortest")
    )
    assert {r for h, r in edge_set(shortest) if h == "V"} == {"A", "B"}


def test_hazard_far_off_the_network() -> None:
    far = square(1000, 2000, 1050, 2050)
    for mode in ("reachable", "new_track"):
        result = derive_access(
            hazards(M=M, F=far), roads(MAIN), bases((0, 0)), AccessSettings(off_network=mode)
        )
        hz = result.hazards.set_index("hazard_id")
        assert hz.loc["F", "access_status"] == "off_network"
        assert hz.loc["F", "access_distance_m"] == pytest.approx(2000.0)
        assert "F" not in set(result.edges["hazard_id"]) | set(result.edges["requires"])
        finding = next(f for f in result.findings if f.rule == "access-off-network")
        assert finding.ids == ("F",)
        assert ("new track" in finding.message) == (mode == "new_track")
        assert result.summary["needs_new_track"] == (1 if mode == "new_track" else 0)
    near = derive_access(
        hazards(M=M, F=square(500, 300, 550, 350)), roads(MAIN), bases((0, 0)), AccessSettings()
    )
    # 300 m off the road: reached on foot from the nearest road point, past nothing.
    assert status(near)["F"] == "reachable"
    f = near.hazards.set_index("hazard_id").loc["F"]
    assert f["access_distance_m"] == pytest.approx(300.0)
    assert 500.0 <= f["route_length_m"] <= 550.0


def test_hazard_beyond_a_walk_off_the_road_after_a_minefield() -> None:
    result = derive_access(
        hazards(M=M, F=square(1500, 300, 1550, 350)), roads(MAIN), bases((0, 0)), AccessSettings()
    )
    assert edge_set(result) == {("F", "M")}


@pytest.mark.parametrize(("tolerance", "connected"), [(5.0, True), (1.0, False)])
def test_near_miss_line_ends_snap_within_tolerance(tolerance: float, connected: bool) -> None:
    west = line((0, 0), (1000, 0))
    east = line((1000, 2), (2000, 2))  # starts 2 m from the end of `west`
    spur = line((500, 2), (500, 800))  # starts 2 m from the middle of `west`
    hz = hazards(E=square(1500, -20, 1550, 20), N=square(480, 600, 520, 650))
    result = derive_access(
        hz, roads(west, east, spur), bases((0, 0)), AccessSettings(snap_tolerance_m=tolerance)
    )
    expected = "reachable" if connected else "unreachable"
    assert status(result) == {"E": expected, "N": expected}
    assert (result.summary["n_connectors"] > 0) == connected
    if not connected:
        finding = next(f for f in result.findings if f.rule == "access-unreachable")
        assert set(finding.ids) == {"E", "N"}
    else:
        # The route runs through the 2 m connector: 1000 + 2 + 490 to E's zone.
        e = result.hazards.set_index("hazard_id").loc["E"]
        assert e["route_length_m"] == pytest.approx(1492.0, abs=0.01)


def test_network_nodes_at_crossings_and_snapped_ends() -> None:
    cross = np.array(
        [line((0, 0), (100, 0)), line((50, -50), (50, 50)), line((100, 3), (200, 3))], dtype=object
    )
    net = build_network(cross, 5.0)
    # Crossing at (50, 0) splits both lines; the 3 m gap is bridged by one connector.
    assert net.n_segments == 6
    assert net.connector.sum() == 1
    assert net.n_nodes == 7
    loose = build_network(cross, 1.0)
    assert loose.n_segments == 5
    assert loose.connector.sum() == 0


def test_mutual_blocking_is_dropped_with_a_warning() -> None:
    # Two minefields either side of the road over the same stretch: each one's zone starts
    # where the other's does, so each blocks the other's access.
    north, south = square(970, 0, 1030, 50), square(970, -50, 1030, 0)
    result = derive_access(
        hazards(N=north, S=south, V=V), roads(MAIN), bases((0, 0)), AccessSettings()
    )
    graph = nx.DiGraph(list(edge_set(result)))
    assert nx.is_directed_acyclic_graph(graph)
    assert edge_set(result) == {("V", "N"), ("V", "S")}
    finding = next(f for f in result.findings if f.rule == "access-mutual-blocking")
    assert finding.severity == "warning"
    assert finding.ids == ("N", "S")
    assert result.summary["n_mutual_edges_dropped"] == 2
    # The per-hazard table still shows the geometry.
    assert result.hazards.set_index("hazard_id").loc["N", "blockers"] == "S"


def test_no_bases_means_no_dependencies_and_a_warning() -> None:
    for no_bases in (None, bases()):
        result = derive_access(hazards(M=M, V=V), roads(MAIN), no_bases, AccessSettings())
        assert result.edges.empty
        assert "access-no-bases" in rules(result)
        assert set(result.hazards["access_status"]) == {"reachable"}


def test_base_off_the_network_is_reported_and_unused() -> None:
    result = derive_access(
        hazards(M=M, V=V), roads(MAIN), bases((0, 0), (5000, 5000)), AccessSettings()
    )
    finding = next(f for f in result.findings if f.rule == "access-base-off-network")
    assert finding.ids == ("Depot2",)
    assert edge_set(result) == {("V", "M")}


def test_base_between_two_hazards_on_one_segment() -> None:
    a, b = square(170, -30, 230, 30), square(1770, -30, 1830, 30)
    result = derive_access(hazards(A=a, B=b), roads(MAIN), bases((1000, 0)), AccessSettings())
    assert edge_set(result) == set()
    assert result.hazards.set_index("hazard_id")["route_length_m"].tolist() == pytest.approx(
        [760.0, 760.0]
    )


def test_hazard_reached_from_whichever_side_is_open() -> None:
    # A loop: the depot at the west end, M on the north arm; V sits on the loop's east end
    # and is reached along the south arm without crossing M.
    loop = line((0, 0), (500, 0), (500, -300), (2500, -300), (2500, 0))
    north = line((500, 0), (2500, 0))
    hz = hazards(M=square(900, -20, 960, 20), V=square(2480, -100, 2520, -60))
    result = derive_access(hz, roads(loop, north), bases((0, 0)), AccessSettings())
    assert edge_set(result) == set()


def test_inputs_in_lon_lat_get_a_utm_crs() -> None:
    to_ll = {"crs": "EPSG:4326"}
    result = derive_access(
        hazards(M=M, V=V).to_crs(**to_ll),
        roads(MAIN).to_crs(**to_ll),
        bases((0, 0)).to_crs(**to_ll),
        AccessSettings(),
    )
    assert result.summary["crs"] == "EPSG:32636"
    assert edge_set(result) == {("V", "M")}


def test_input_errors_are_findings() -> None:
    no_crs = gpd.GeoDataFrame({"hazard_id": ["M"]}, geometry=[M])
    result = derive_access(no_crs, roads(MAIN), bases((0, 0)), AccessSettings())
    assert [f.rule for f in result.findings] == ["access-crs"]
    assert result.edges.empty
    dup = hazards(M=M)
    dup = pd.concat([dup, dup], ignore_index=True)
    result = derive_access(dup, roads(MAIN), bases((0, 0)), AccessSettings())
    assert result.findings[0].rule == "access-hazard-id"
    assert result.findings[0].ids == ("M",)


def test_deterministic() -> None:
    hz = hazards(M=M, V=V, N=square(970, 0, 1030, 50))
    one = derive_access(hz, roads(MAIN), bases((0, 0)), AccessSettings())
    two = derive_access(hz, roads(MAIN), bases((0, 0)), AccessSettings())
    pd.testing.assert_frame_equal(one.edges, two.edges)
    pd.testing.assert_frame_equal(one.hazards, two.hazards)


# --- merge_dependencies -------------------------------------------------------------------


def test_merge_dependencies_with_explicit_and_ignore() -> None:
    derived = pd.DataFrame(
        {"hazard_id": ["V", "V", "B"], "requires": ["M", "N", "A"], "reason": ["x", "y", "z"]}
    )
    explicit = pd.DataFrame({"hazard_id": ["V", "C", "C"], "requires": ["M", "A", "A"]})
    ignore = pd.DataFrame({"hazard_id": ["V", "Q"], "requires": ["N", "R"]})
    merged, findings = merge_dependencies(derived, explicit, ignore)
    assert merged.to_dict("records") == [
        {"hazard_id": "B", "requires": "A", "source": "derived"},
        {"hazard_id": "C", "requires": "A", "source": "explicit"},
        {"hazard_id": "V", "requires": "M", "source": "both"},
    ]
    assert [f.rule for f in findings] == ["access-ignore-unmatched"]
    assert findings[0].severity == "warning"
    assert findings[0].ids == ("Q requires R",)


def test_merge_dependencies_explicit_edges_win() -> None:
    # ignore never removes an explicit edge
    derived = pd.DataFrame({"hazard_id": ["V"], "requires": ["M"]})
    explicit = pd.DataFrame({"hazard_id": ["V"], "requires": ["M"]})
    merged, findings = merge_dependencies(derived, explicit, derived)
    assert merged.to_dict("records") == [{"hazard_id": "V", "requires": "M", "source": "explicit"}]
    assert findings == []
    # A derived edge contradicting explicit ones (a cycle) is dropped with a warning.
    derived = pd.DataFrame({"hazard_id": ["A", "V", "W"], "requires": ["C", "M", "V"]})
    explicit = pd.DataFrame({"hazard_id": ["M", "B"], "requires": ["W", "A"]})
    merged, findings = merge_dependencies(derived, explicit, None)
    assert set(zip(merged["hazard_id"], merged["requires"], merged["source"], strict=True)) == {
        ("A", "C", "derived"),
        ("M", "W", "explicit"),
        ("B", "A", "explicit"),
    }
    assert [f.rule for f in findings] == ["access-contradicts-explicit"]
    assert findings[0].ids == ("V requires M", "W requires V")
    # Explicit rows pass through for the loader to check (even a cycle among them).
    explicit = pd.DataFrame({"hazard_id": ["V", "M", " X "], "requires": ["M", "V", None]})
    merged, findings = merge_dependencies(
        pd.DataFrame(columns=["hazard_id", "requires"]), explicit, None
    )
    assert len(merged) == 2
    assert [f.rule for f in findings] == ["blank-id"]
    empty, none = merge_dependencies(pd.DataFrame(columns=["hazard_id", "requires"]), None, None)
    assert list(empty.columns) == ["hazard_id", "requires", "source"]
    assert empty.empty
    assert none == []


def test_read_ignore(tmp_path: Path) -> None:
    path = tmp_path / "ignore.csv"
    path.write_text("hazard_id,requires,note\nV,M,track is fine\n")
    table, findings = read_ignore(path)
    assert findings == []
    assert table.to_dict("records") == [{"hazard_id": "V", "requires": "M"}]
    path.write_text("hazard,requires\nV,M\n")
    _, findings = read_ignore(path)
    assert findings[0].rule == "access-ignore"
    assert "hazard_id" in findings[0].message


# --- settings -----------------------------------------------------------------------------


def test_parse_access_settings_defaults_and_values(tmp_path: Path) -> None:
    (tmp_path / "ignore.csv").write_text("hazard_id,requires\n")
    parsed, findings = parse_access_settings(
        {
            "snap_tolerance_m": 2,
            "max_walk_m": 300.0,
            "block_buffer_m": 0,
            "detour_factor": 1.2,
            "off_network": "new_track",
            "crs": "EPSG:32636",
            "ignore": "ignore.csv",
            "route_choice": "shortest",
        },
        "project.toml",
        tmp_path,
    )
    assert findings == []
    assert parsed == AccessSettings(
        2.0,
        300.0,
        0.0,
        1.2,
        "new_track",
        "EPSG:32636",
        (tmp_path / "ignore.csv").resolve(),
        "shortest",
    )
    assert parse_access_settings({}, "project.toml", tmp_path) == (AccessSettings(), [])


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"snap_tolerance": 5}, "snap_tolerance"),
        ({"snap_tolerance_m": "5"}, "snap_tolerance_m"),
        ({"max_walk_m": -1}, "max_walk_m"),
        ({"block_buffer_m": True}, "block_buffer_m"),
        ({"detour_factor": 0.9}, "detour_factor"),
        ({"detour_factor": float("nan")}, "detour_factor"),
        ({"off_network": "walk"}, "off_network"),
        ({"route_choice": "cheapest"}, "route_choice"),
        ({"crs": "EPSG:4326"}, "crs"),
        ({"crs": "not a crs"}, "crs"),
        ({"crs": "EPSG:2263"}, "crs"),  # US survey feet
        ({"ignore": "missing.csv"}, "ignore"),
        ({"ignore": 3}, "ignore"),
    ],
)
def test_parse_access_settings_errors_name_the_key(
    tmp_path: Path, table: dict[str, object], key: str
) -> None:
    parsed, findings = parse_access_settings(table, "project.toml", tmp_path)
    assert len(findings) == 1
    assert findings[0].severity == "error"
    assert findings[0].file == "project.toml"
    assert key in findings[0].message
    assert "[access]" in findings[0].message
    assert isinstance(parsed, AccessSettings)


# --- outputs ------------------------------------------------------------------------------


def test_write_access_outputs(tmp_path: Path) -> None:
    result = derive_access(
        hazards(M=M, V=V, F=square(0, 3000, 10, 3010)), roads(MAIN), bases((0, 0)), AccessSettings()
    )
    out = tmp_path / "out"
    paths = write_access_outputs(result, out)
    assert [p.name for p in paths] == [
        "access_edges.csv",
        "access_hazards.csv",
        "access_network.geojson",
        "access_summary.json",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temps
    edges = pd.read_csv(out / "access_edges.csv")
    assert list(edges.columns) == [
        "hazard_id",
        "requires",
        "reason",
        "route_length_m",
        "detour_factor",
    ]
    assert edges[["hazard_id", "requires"]].values.tolist() == [["V", "M"]]
    network = gpd.read_file(out / "access_network.geojson")
    assert network.crs.to_epsg() == 4326
    assert network["blocked"].tolist() == [True]
    assert network["blocked_by"].tolist() == ["M,V"]
    summary = json.loads((out / "access_summary.json").read_text())
    assert summary["summary"]["off_network"] == 1
    assert summary["findings"][0]["rule"] == "access-off-network"
    # Writing again replaces the files in place.
    write_access_outputs(result, out)
    assert len(list(out.iterdir())) == 4


# --- properties ---------------------------------------------------------------------------

SPACING = 100.0


@st.composite
def grid_worlds(
    draw: st.DrawFn,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, float]:
    """A small grid of roads, random square hazards (many across roads) and one base."""
    nx_ = draw(st.integers(2, 4))
    ny_ = draw(st.integers(2, 4))
    width, height = (nx_ - 1) * SPACING, (ny_ - 1) * SPACING
    lines = [line((0, j * SPACING), (width, j * SPACING)) for j in range(ny_)]
    lines += [line((i * SPACING, 0), (i * SPACING, height)) for i in range(nx_)]
    # Drop some roads, but keep the grid's outline so the base stays connected.
    inner = [g for g in lines if not _on_outline(g, width, height)]
    keep = draw(st.lists(st.booleans(), min_size=len(inner), max_size=len(inner)))
    lines = [g for g in lines if _on_outline(g, width, height)] + [
        g for g, k in zip(inner, keep, strict=True) if k
    ]
    n = draw(st.integers(1, 7))
    polygons = []
    for _ in range(n):
        on_horizontal = draw(st.booleans())
        along = draw(st.integers(0, int(max(width, height) / 5))) * 5.0
        across = draw(st.integers(0, max(nx_, ny_) - 1)) * SPACING
        off = draw(st.sampled_from([0.0, 0.0, 8.0, 25.0]))
        x, y = (
            (min(along, width), min(across, height) + off)
            if on_horizontal
            else (min(across, width) + off, min(along, height))
        )
        side = draw(st.sampled_from([4.0, 10.0, 20.0, 40.0, 70.0]))
        polygons.append(square(x - side / 2, y - side / 2, x + side / 2, y + side / 2))
    bx = draw(st.integers(0, nx_ - 1)) * SPACING
    by = draw(st.sampled_from([0.0, height]))
    factor = draw(st.sampled_from([1.0, 1.2, 1.5, 2.0]))
    hz = gpd.GeoDataFrame({"hazard_id": [f"H{i}" for i in range(n)]}, geometry=polygons, crs=CRS)
    base = gpd.GeoDataFrame(geometry=[Point(X0 + bx, Y0 + by)], crs=CRS)
    return hz, gpd.GeoDataFrame(geometry=lines, crs=CRS), base, factor


def _on_outline(g: LineString, width: float, height: float) -> bool:
    (x0, y0), (x1, y1) = [(x - X0, y - Y0) for x, y in g.coords]
    return (y0 == y1 and y0 in (0.0, height)) or (x0 == x1 and x0 in (0.0, width))


def _raw(result: AccessResult) -> set[tuple[str, str]]:
    """Edges before mutual ones are dropped, from the per-hazard blockers."""
    return {
        (h, x)
        for h, b in zip(result.hazards["hazard_id"], result.hazards["blockers"], strict=True)
        for x in (b.split(",") if b else [])
    }


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(grid_worlds(), st.sampled_from(["fewest_blockers", "shortest"]))
def test_property_derived_edges_are_acyclic(world: tuple, route_choice: str) -> None:
    hz, rd, base, factor = world
    result = derive_access(
        hz, rd, base, AccessSettings(detour_factor=factor, route_choice=route_choice)
    )
    graph = nx.DiGraph()
    graph.add_nodes_from(hz["hazard_id"])
    graph.add_edges_from(edge_set(result))
    assert nx.is_directed_acyclic_graph(graph)
    assert set(result.hazards["access_status"]) <= set(ACCESS_STATUSES)
    assert not any(h == r for h, r in edge_set(result))
    # Every hazard with blockers is behind them: a route to it enters each one.
    for h, b in zip(result.hazards["hazard_id"], result.hazards["blockers"], strict=True):
        assert (b == "") == (status(result)[h] in ("reachable", "off_network", "unreachable"))


@PROPERTY
@given(grid_worlds(), st.data())
def test_property_removing_a_hazard_never_adds_a_dependency(
    world: tuple, data: st.DataObject
) -> None:
    """Under route_choice = "shortest" the derived relation only ever shrinks."""
    hz, rd, base, factor = world
    chosen = AccessSettings(detour_factor=factor, route_choice="shortest")
    before = derive_access(hz, rd, base, chosen)
    drop = data.draw(st.integers(0, len(hz) - 1))
    after = derive_access(hz.drop(index=drop).reset_index(drop=True), rd, base, chosen)
    assert _raw(after) <= _raw(before)
    assert edge_set(after) <= _raw(before)
    was = status(before)
    for h, s in status(after).items():
        if was[h] == "reachable":
            assert s == "reachable"


@PROPERTY
@given(grid_worlds(), st.data())
def test_property_removing_a_hazard_never_blocks_a_reachable_one(
    world: tuple, data: st.DataObject
) -> None:
    """Under the default fewest-blockers rule, the weaker guarantee: nothing that was
    reachable becomes blocked, and nothing gets further from the bases."""
    hz, rd, base, factor = world
    chosen = AccessSettings(detour_factor=factor)
    before = derive_access(hz, rd, base, chosen)
    drop = data.draw(st.integers(0, len(hz) - 1))
    after = derive_access(hz.drop(index=drop).reset_index(drop=True), rd, base, chosen)
    was = before.hazards.set_index("hazard_id")
    for _, row in after.hazards.iterrows():
        old = was.loc[row["hazard_id"]]
        if old["access_status"] == "reachable":
            assert row["access_status"] == "reachable"
        if old["access_status"] in ("off_network", "unreachable"):
            assert row["access_status"] == old["access_status"]
        if not math.isnan(old["shortest_route_m"]):
            assert row["shortest_route_m"] == old["shortest_route_m"]
