"""The GIS outputs read back as a GIS user meets them: typed fields, stable layer names, a
GeoPackage version older GDAL reads without a warning, and QGIS styles stored with the data."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pytest

from prioritise import load_problem, plan
from prioritise.analyses.report_data import prepare_report
from prioritise.outputs.gis import typed_column
from prioritise.outputs.plan import write_plan_outputs
from prioritise.outputs.qml import rgba
from prioritise.outputs.report.svg import sequential
from tests.test_report import write_project


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("gis")
    result = plan(load_problem(write_project(tmp)), gap=0.0)
    out = tmp / "out"
    write_plan_outputs(result, prepare_report(result), out)
    return {"dir": out, "result": result}


def field_types(path: Path, layer: str) -> dict[str, tuple[str, str]]:
    """field -> (OGR type, OGR subtype), as QGIS sees them."""
    info = pyogrio.read_info(path, layer=layer)
    return {
        f: (t, s)
        for f, t, s in zip(info["fields"], info["ogr_types"], info["ogr_subtypes"], strict=True)
    }


INTEGER = ("OFTInteger", "OFSTNone")
BOOLEAN = ("OFTInteger", "OFSTBoolean")
REAL = ("OFTReal", "OFSTNone")
TEXT = ("OFTString", "OFSTNone")


@pytest.mark.parametrize("name", ["plan.gpkg", "plan.geojson"])
def test_workplan_fields_are_typed(out: dict[str, Any], name: str) -> None:
    types = field_types(out["dir"] / name, "workplan")
    assert types["year"] == INTEGER
    assert types["baseline_year"] == INTEGER
    assert types["article5"] == BOOLEAN
    assert types["scheduled"] == BOOLEAN
    for money_or_area in ("cost_usd", "area_m2", "released_m2", "impact", "days_manual"):
        assert types[money_or_area] == REAL, money_or_area
    assert types["hazard_id"] == TEXT
    frame = pyogrio.read_dataframe(out["dir"] / name, layer="workplan")
    wp = out["result"].workplan
    assert list(frame["hazard_id"]) == list(wp["hazard_id"])
    # Unscheduled hazards have a NULL year (never 0), scheduled ones their plan year.
    scheduled = (wp["status"] == "scheduled").to_numpy()
    assert frame.loc[~scheduled, "year"].isna().all()
    assert (frame.loc[scheduled, "year"].to_numpy() == wp.loc[scheduled, "year"].to_numpy()).all()
    assert frame["scheduled"].tolist() == scheduled.tolist()


def test_layer_names_are_stable(out: dict[str, Any]) -> None:
    gpkg = pyogrio.list_layers(out["dir"] / "plan.gpkg")[:, 0].tolist()
    assert gpkg == ["workplan", "access_dependencies", "layer_styles"]
    assert pyogrio.list_layers(out["dir"] / "plan.geojson")[:, 0].tolist() == ["workplan"]
    raw = json.loads((out["dir"] / "plan.geojson").read_text(encoding="utf-8"))
    assert raw["name"] == "workplan"  # not the temporary file's name
    years = [f["properties"]["year"] for f in raw["features"]]
    assert all(y is None or isinstance(y, int) for y in years)
    assert any(isinstance(y, int) for y in years)


def test_geopackage_version_is_readable_by_older_gdal(out: dict[str, Any]) -> None:
    with sqlite3.connect(out["dir"] / "plan.gpkg") as con:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200  # GeoPackage 1.2
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_access_dependencies_layer(out: dict[str, Any]) -> None:
    path = out["dir"] / "plan.gpkg"
    types = field_types(path, "access_dependencies")
    assert types["year"] == INTEGER
    assert types["requires_year"] == INTEGER
    frame = pyogrio.read_dataframe(path, layer="access_dependencies")
    assert frame[["hazard_id", "requires", "source"]].values.tolist() == [["H5", "H4", "given"]]
    wp = out["result"].workplan.set_index("hazard_id")
    for col, hid in (("year", "H5"), ("requires_year", "H4")):
        expected = wp.loc[hid, "year"]
        got = frame[col].iloc[0]
        assert pd.isna(got) if pd.isna(expected) else got == expected
    assert frame.geometry.iloc[0].geom_type == "LineString"


def test_qgis_styles_are_stored_with_the_layers(out: dict[str, Any]) -> None:
    with sqlite3.connect(out["dir"] / "plan.gpkg") as con:
        rows = con.execute(
            "SELECT f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles"
        ).fetchall()
        geom = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
    styles = {r[0]: r for r in rows}
    assert set(styles) == {"workplan", "access_dependencies"}
    for name, (_, column, default, _qml) in styles.items():
        assert column == geom[name]
        assert default == 1
    years = list(out["result"].problem.years)
    root = ET.fromstring(styles["workplan"][3].split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None
    assert renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "year"
    cats = [(c.get("value"), c.get("label")) for c in renderer.iter("category")]
    assert cats == [(str(y), str(y)) for y in years] + [("", "not scheduled")]
    # The same colours as the report's map, year by year.
    colours = [
        o.get("value")
        for layer in renderer.iter("layer")
        if layer.get("class") == "SimpleFill"
        for o in layer.iter("Option")
        if o.get("name") == "color"
    ]
    # Each year's fill also carries a centre dot (CentroidFill), so tiny hazards show.
    assert sum(1 for x in renderer.iter("layer") if x.get("class") == "CentroidFill") == len(cats)
    assert colours[: len(years)] == [rgba(c) for c in sequential(len(years))]
    deps = ET.fromstring(styles["access_dependencies"][3].split("\n", 1)[1])
    assert [c.get("value") for c in deps.iter("category")] == ["given", "roads"]
    assert any(layer.get("class") == "MarkerLine" for layer in deps.iter("layer"))
    assert deps.get("hasScaleBasedVisibilityFlag") == "1"  # arrows only when zoomed in
    assert deps.get("minScale") == "100000"
    # plan.qml beside plan.geojson (QGIS loads a same-named .qml) is the workplan style.
    assert (out["dir"] / "plan.qml").read_text(encoding="utf-8") == styles["workplan"][3]


def test_typed_column_rules() -> None:
    assert typed_column("year", pd.Series([2027.0, None])).dtype == "Int32"
    flags = typed_column("flag", pd.Series(["True", "false", None]))
    assert flags.dtype == "boolean"
    assert flags.isna().tolist() == [False, False, True]
    assert flags.iloc[:2].tolist() == [True, False]
    assert typed_column("cost_usd", pd.Series([1, 2])).dtype == "float64"  # money is real
    assert typed_column("hazards", pd.Series([1, 2])).dtype == "Int64"
    assert typed_column("name", pd.Series(["a", None])).tolist() == ["a", None]


@pytest.mark.parametrize("years", [5, 10, 12])
def test_year_colours_stay_apart_for_colour_blind_readers(years: int) -> None:
    """Consecutive plan years differ by a clearly visible step (CIELAB distance) with normal
    vision and with simulated deuteranopia, protanopia and tritanopia, and run dark to light
    (so they also print in order in greyscale)."""
    from prioritise.outputs.palette import VISIONS, lab, min_step, year_colours

    colours = year_colours(years)
    assert len(set(colours)) == years
    floor = {5: 18.0, 10: 8.5, 12: 8.0}[years]
    for vision in VISIONS:
        assert min_step(colours, vision) >= floor, vision
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours], float)
    lightness = lab(rgb)[:, 0]
    assert (np.diff(lightness) > 0).all()


def test_even_viridis_sampling_was_closer_than_ours() -> None:
    """The equal-step sampling beats an even one on its worst pair (10 years, any vision)."""
    from prioritise.outputs.palette import VIRIDIS, VISIONS, hex_colour, min_step, year_colours

    xp = np.linspace(0, 1, len(VIRIDIS))
    even = [
        hex_colour(np.array([np.interp(t, xp, VIRIDIS[:, k]) for k in range(3)]))
        for t in np.linspace(0, 1, 10)
    ]
    ours = year_colours(10)
    assert min(min_step(ours, v) for v in VISIONS) > min(min_step(even, v) for v in VISIONS)
