"""The readable outputs: report.html, explanations.csv, the workbook, the GeoPackage and the
scenario comparison, checked on small projects built here (and on the samples when present).
"""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from prioritise import load_problem, plan
from prioritise.analyses.report_data import prepare_report
from prioritise.outputs.gis import dependency_kind
from prioritise.outputs.plan import write_plan_outputs
from prioritise.outputs.report.comparison import write_comparison_report
from prioritise.outputs.report.html import write_report
from prioritise.outputs.report.maps import fitted_bounds, plan_map, projection

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_data"
NASTY = "<script>alert('x')</script>"
NASTY_PROVINCE = "North <b>bold</b> & co"

PROJECT = """[project]
name = "Test <i>project</i>"

[plan]
start_year = 2027
years = 3
deadline_year = 2029

[data]
hazards = "hazards.gpkg"
teams = "teams.csv"
budget = "budget.csv"
dependencies = "deps.csv"
provinces = "provinces.geojson"

[methods.manual]
productivity = {{ manual = 100 }}

[[scoring.criteria]]
name = "Casualties"
column = "casualties"
weight = 2

[[scoring.criteria]]
name = "Farmland"
column = "farmland"
weight = 1
{extra}
"""


def hazards_frame() -> gpd.GeoDataFrame:
    """Six squares near 33°E 14°N in two provinces; names carry markup and a formula."""
    lon, lat = 33.0, 14.0
    d = 0.002
    geoms = [
        box(lon + 0.01 * i, lat + 0.005 * (i % 2), lon + 0.01 * i + d, lat + 0.005 * (i % 2) + d)
        for i in range(6)
    ]
    return gpd.GeoDataFrame(
        {
            "hazard_id": [f"H{i}" for i in range(1, 7)],
            "name": [
                NASTY,
                "=1+2",
                'Tom & Jerry "field"',
                "Village well",
                "School road",
                "Pasture",
            ],
            "province": [NASTY_PROVINCE] * 3 + ["South"] * 3,
            "casualties": [5, 3, 0, 2, 1, 4],
            "farmland": [1, 2, 3, 1, 0, 2],
            "article5": [True, False, False, True, False, False],
            "beneficiaries": [100, 80, 60, 40, 20, 10],
            "beneficiaries_women": [30, 20, 15, 10, 5, 3],
            "beneficiaries_men": [30, 20, 15, 10, 5, 3],
            "beneficiaries_girls": [20, 20, 15, 10, 5, 2],
            "beneficiaries_boys": [20, 20, 15, 10, 5, 2],
            "cost_usd": [100.0] * 6,
            "days_manual": [5.0] * 6,
        },
        geometry=geoms,
        crs=4326,
    )


def write_project(
    tmp: Path,
    extra: str = "",
    budget: tuple[float, ...] = (250, 150, 150),
) -> Path:
    hazards_frame().to_file(tmp / "hazards.gpkg", driver="GPKG", layer="hazards")
    provinces = gpd.GeoDataFrame(
        {"province": [NASTY_PROVINCE, "South"]},
        geometry=[box(32.99, 13.99, 33.025, 14.02), box(33.025, 13.99, 33.07, 14.02)],
        crs=4326,
    )
    provinces.to_file(tmp / "provinces.geojson", driver="GeoJSON")
    (tmp / "teams.csv").write_text("team_type,teams,days_per_year,cost_per_day\nmanual,2,100,20\n")
    (tmp / "budget.csv").write_text(
        "year,budget_usd\n" + "".join(f"{2027 + i},{b}\n" for i, b in enumerate(budget))
    )
    (tmp / "deps.csv").write_text("hazard_id,requires\nH5,H4\n")
    path = tmp / "project.toml"
    path.write_text(PROJECT.format(extra=extra))
    return path


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("report")
    project = write_project(tmp)
    result = plan(load_problem(project), gap=0.0)
    out = tmp / "out"
    written = write_plan_outputs(result, prepare_report(result), out)
    return {
        "result": result,
        "out": out,
        "written": written,
        "project": project,
        "html": (out / "report.html").read_text(encoding="utf-8"),
        "summary": json.loads((out / "summary.json").read_text(encoding="utf-8")),
    }


def kpi_values(text: str) -> dict[str, Any]:
    """data-key -> Python value of the headline cards."""
    out = {}
    for key, value in re.findall(r'class="kpi" data-key="([^"]+)" data-value="([^"]*)"', text):
        out[key] = ast.literal_eval(html.unescape(value)) if value else None
    return out


def map_ids(text: str) -> set[str]:
    svg = text[text.index('<svg id="plan-map"') :]
    svg = svg[: svg.index("</svg>")]
    return {html.unescape(v) for v in re.findall(r'data-id="([^"]*)"', svg)}


def assert_offline(text: str) -> None:
    """No network request of any kind can come from the page."""
    assert not re.search(
        r"""(?:src|href|xlink:href|action)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I
    )
    assert "@import" not in text
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", text, re.I)
    assert "http://" not in text
    assert "https://" not in text
    assert "<link" not in text.lower()
    assert "<iframe" not in text.lower()
    assert "<img" not in text.lower()


def test_every_plan_run_writes_the_report_and_explanations(planned: dict[str, Any]) -> None:
    names = {p.name for p in planned["written"]}
    assert {
        "report.html",
        "explanations.csv",
        "workplan.xlsx",
        "summary.json",
        "plan.gpkg",
    } <= names
    ex = pd.read_csv(planned["out"] / "explanations.csv")
    assert list(ex["hazard_id"]) == [f"H{i}" for i in range(1, 7)]
    assert ex["explanation"].str.len().gt(20).all()
    mv = planned["summary"]["marginal_values"]
    assert mv["status"] == "optimal"
    assert {v["resource"] for v in mv["values"]} == {"budget", "team-days"}


def test_headline_numbers_match_summary_json(planned: dict[str, Any]) -> None:
    s = planned["summary"]
    k = kpi_values(planned["html"])
    assert k["impact_years"] == pytest.approx(s["impact_years"])
    assert k["released_m2"] == pytest.approx(s["totals"]["released_m2"])
    assert k["cost_usd"] == pytest.approx(s["totals"]["cost_usd"])
    assert k["beneficiaries"] == pytest.approx(s["totals"]["beneficiaries"])
    assert k["article5_completion_year"] == s["article5"]["completion_year"]
    assert k["uplift"] == pytest.approx(s["uplift"]["impact_years"])
    assert k["best_bound"] == pytest.approx(s["best_bound"])
    assert k["status"] == s["status"]
    assert k["hazards_scheduled"] == s["hazards"]["scheduled"]
    # The sex/age breakdown is shown and adds up to the scheduled hazards' figures.
    wp = planned["result"].workplan
    h = hazards_frame().set_index("hazard_id")
    done = wp.loc[wp["status"] == "scheduled", "hazard_id"]
    women = int(h.loc[done, "beneficiaries_women"].sum())
    assert f"women {women:,}" in planned["html"]


def test_every_scheduled_hazard_is_on_the_map(planned: dict[str, Any]) -> None:
    wp = planned["result"].workplan
    ids = map_ids(planned["html"])
    assert set(wp.loc[wp["status"] == "scheduled", "hazard_id"]) <= ids
    assert set(wp["hazard_id"]) == ids  # unscheduled ones are drawn too, in grey
    assert 'data-a="H5" data-b="H4"' in planned["html"]  # the access dependency line
    assert planned["html"].count('<path d="') >= 2  # province boundaries


def test_report_makes_no_network_requests(planned: dict[str, Any]) -> None:
    assert_offline(planned["html"])


def test_markup_from_inputs_is_shown_as_text(planned: dict[str, Any]) -> None:
    text = planned["html"]
    assert NASTY not in text
    assert "<b>bold</b>" not in text
    assert "<i>project</i>" not in text
    assert html.escape(NASTY_PROVINCE, quote=True) in text
    assert html.escape("Test <i>project</i>") in text
    assert text.count("<script") == 2  # the JSON data block and the page script, no more
    block = re.search(
        r'<script type="application/json" id="hazard-data">(.*?)</script>', text, re.S
    )
    assert block is not None
    data = json.loads(block.group(1))
    assert data["h"]["H1"]["n"] == NASTY  # exact text survives, as data, never as markup
    assert data["h"]["H1"]["p"] == NASTY_PROVINCE
    assert data["cols"] == ["Casualties", "Farmland"]


def test_report_sections_and_vfm(planned: dict[str, Any]) -> None:
    text = planned["html"]
    for anchor in (
        "headline",
        "map",
        "charts",
        "indicators",
        "vfm",
        "marginal",
        "why",
        "assumptions",
    ):
        assert f'id="{anchor}"' in text
    for word in (
        "Economy",
        "Efficiency",
        "Effectiveness",
        "Equity",
        "How to read this",
        "cost per m² released",
        "share to national operators",
        "One more dollar",
    ):
        assert word in text
    assert text.count("<svg") >= 6  # map + burn-down, budget, team-days, method, province


def test_geopackage_is_readable_by_gdal(planned: dict[str, Any]) -> None:
    import pyogrio

    path = planned["out"] / "plan.gpkg"
    info = pyogrio.read_info(path, layer="workplan")
    assert info["features"] == 6
    assert info["crs"] == "EPSG:4326"
    assert "Polygon" in info["geometry_type"]
    frame = pyogrio.read_dataframe(path, layer="workplan")
    assert list(frame["hazard_id"]) == [f"H{i}" for i in range(1, 7)]
    assert set(frame["status"]) <= {"scheduled", "unscheduled"}
    assert frame.loc[frame["hazard_id"] == "H1", "name"].item() == NASTY
    assert pyogrio.list_layers(path)[:, 0].tolist()[0] == "workplan"  # see test_outputs_gis


def test_points_only_project_maps_circles(tmp_path: Path) -> None:
    (tmp_path / "hazards.csv").write_text(
        "hazard_id,province,impact,cost_usd,days_manual,lon,lat\n"
        "P1,North,5,100,2,33.0,14.0\nP2,North,3,100,2,33.1,14.1\n"
        "P3,South,1,100,2,33.2,14.05\n"
    )
    (tmp_path / "teams.csv").write_text("team_type,teams,days_per_year\nmanual,1,10\n")
    (tmp_path / "budget.csv").write_text("year,budget_usd\n2027,200\n")
    (tmp_path / "project.toml").write_text(
        '[plan]\nstart_year = 2027\nyears = 1\n[data]\nhazards = "hazards.csv"\n'
        'teams = "teams.csv"\nbudget = "budget.csv"\n'
    )
    result = plan(load_problem(tmp_path / "project.toml"))
    write_plan_outputs(result, prepare_report(result), tmp_path / "out")
    text = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert map_ids(text) == {"P1", "P2", "P3"}
    assert len(re.findall(r"<circle data-id=", text)) == 3
    assert "women" not in kpi_values(text)
    assert "no sex/age breakdown" in text
    assert_offline(text)


def test_project_without_geometry_still_reports(tmp_path: Path) -> None:
    (tmp_path / "hazards.csv").write_text(
        "hazard_id,province,impact,cost_usd,days_manual\nA,North,5,100,2\nB,South,3,100,2\n"
    )
    (tmp_path / "teams.csv").write_text("team_type,teams,days_per_year\nmanual,1,10\n")
    (tmp_path / "budget.csv").write_text("year,budget_usd\n2027,100\n2028,100\n")
    (tmp_path / "project.toml").write_text(
        '[plan]\nstart_year = 2027\nyears = 2\n[data]\nhazards = "hazards.csv"\n'
        'teams = "teams.csv"\nbudget = "budget.csv"\n'
    )
    result = plan(load_problem(tmp_path / "project.toml"))
    write_plan_outputs(result, prepare_report(result), tmp_path / "out")
    text = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "no map" in text
    assert 'id="plan-map"' not in text
    assert kpi_values(text)["cost_usd"] == pytest.approx(200.0)


def test_dependency_sources_are_told_apart() -> None:
    deps = pd.DataFrame(
        {
            "hazard_id": ["a", "b", "c"],
            "requires": ["x", "y", "z"],
            "source": ["roads", "explicit", "derived from road network"],
        }
    )
    assert list(dependency_kind(deps)) == ["dep-road", "dep-explicit", "dep-road"]
    assert list(dependency_kind(deps.drop(columns="source"))) == ["dep-explicit"] * 3


def test_comparison_report(tmp_path: Path, planned: dict[str, Any]) -> None:
    base = planned["summary"]
    lean = json.loads(json.dumps(base))
    for row in lean["per_year"]:
        row["remaining_area_m2"] = row["remaining_area_m2"] * 1.1
    summaries = {"Baseline budget": base, "Lean <years>": lean}
    comparison = pd.DataFrame(
        {
            "scenario": list(summaries),
            "status": ["optimal", "time_limit"],
            "objective": [base["objective"], base["objective"] * 0.8],
            "cost_usd": [base["totals"]["cost_usd"], base["totals"]["cost_usd"] * 0.7],
            "article5_completion_year": [base["article5"]["completion_year"], None],
            "remaining_area_m2": [base["totals"]["remaining_area_m2"], 1.0],
        }
    )
    path = write_comparison_report(comparison, summaries, tmp_path / "comparison.html")
    text = path.read_text(encoding="utf-8")
    assert_offline(text)
    assert "Lean <years>" not in text
    assert "Lean &lt;years&gt;" in text
    assert "not within the plan" in text
    assert text.count("<polyline") == 2  # one remaining-area curve per scenario
    with pytest.raises(ValueError, match="lacks"):
        write_comparison_report(
            comparison.drop(columns="cost_usd"), summaries, tmp_path / "bad.html"
        )


def _sample(name: str) -> Path:
    """A committed sample project: missing or broken, the test fails (it never skips)."""
    return SAMPLES / name / "project.toml"


def test_province_sample_report(tmp_path: Path) -> None:
    problem = load_problem(_sample("province"))
    result = plan(problem, time_limit=20)
    write_plan_outputs(result, prepare_report(result), tmp_path)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    wp = result.workplan
    assert set(wp.loc[wp["status"] == "scheduled", "hazard_id"]) <= map_ids(text)
    assert_offline(text)
    assert (tmp_path / "report.html").stat().st_size < 2_000_000
    s = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert kpi_values(text)["impact_years"] == pytest.approx(s["impact_years"])
    # The project has roads and bases in [data]: both are drawn for orientation.
    assert '<g class="roads"><path' in text
    assert '<g class="depots"><g><rect' in text
    assert "Roads and depots are drawn for orientation." in text


@pytest.mark.slow
def test_national_sample_report_stays_under_3_mb(tmp_path: Path) -> None:
    """2,953 polygons, 1,424 dependencies, roads and depots: one page under 3 MB."""
    project = _sample("national")
    result = plan(load_problem(project), time_limit=30)
    path = write_report(result, tmp_path / "report.html", prepare_report(result))
    assert path.stat().st_size < 3_000_000
    text = path.read_text(encoding="utf-8")
    assert map_ids(text) >= set(result.workplan["hazard_id"])
    assert '<g class="roads"><path' in text
    assert_offline(text)


def test_map_extent_is_fitted_to_the_hazards(planned: dict[str, Any]) -> None:
    """The provinces reach beyond the hazards; the map frames the hazards (plus 4%)."""
    result = planned["result"]
    m = plan_map(result.problem, result.workplan)
    assert m is not None
    geoms = np.asarray(result.problem.geometry.array, dtype=object)
    proj = projection(fitted_bounds(geoms))
    xy = proj(np.array([[32.99, 13.99], [33.07, 14.02]]))  # the provinces' corners
    assert xy[0, 0] < 0  # west of the map's left edge
    assert xy[1, 0] > proj.width  # east of its right edge
    hz = proj(np.array([[33.0, 14.0], [33.052, 14.007]]))
    assert 0 < hz[0, 0] < 0.1 * proj.width
    assert 0.9 * proj.width < hz[1, 0] < proj.width
