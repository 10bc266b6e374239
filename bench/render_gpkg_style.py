"""Draw plan.gpkg with the QGIS style stored in it, without QGIS: a check that the style
colours each planned year as intended and draws the dependencies.

Reads the ``workplan`` and ``access_dependencies`` layers and their QML from
``layer_styles`` with pyogrio/sqlite3, applies the categorised renderer (field ``year`` ->
fill colour, field ``source`` -> line colour and dash), and draws them with the report's own
map projection into an SVG page; with ``--png`` it screenshots that page in Chromium.

    python bench/render_gpkg_style.py OUT/plan.gpkg styled.html [--png styled.png]
"""

from __future__ import annotations

import argparse
import sqlite3
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from prioritise.outputs.report.maps import fitted_bounds, path_strings, projection


def categories(qml: str) -> tuple[str, dict[str, dict[str, str]]]:
    """The renderer's field and, per category value, its label and symbol properties."""
    root = ET.fromstring(qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None
    symbols = {}
    for sym in renderer.find("symbols") or []:
        layer = sym.find("layer")
        assert layer is not None
        props = {o.get("name"): o.get("value") for o in layer.iter("Option") if o.get("name")}
        symbols[sym.get("name")] = props
    out = {
        c.get("value") or "": {"label": c.get("label") or "", **symbols[c.get("symbol")]}
        for c in renderer.iter("category")
    }
    return renderer.get("attr") or "", out


def rgb(value: str) -> str:
    r, g, b, a = (int(v) for v in value.split(","))
    return f"rgba({r},{g},{b},{a / 255:.2f})"


def render(gpkg: Path, zoomed: bool = False) -> str:
    with sqlite3.connect(gpkg) as con:
        styles = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles"))
    hz = pyogrio.read_dataframe(gpkg, layer="workplan")
    field, cats = categories(styles["workplan"])
    geoms = np.asarray(hz.geometry.array, dtype=object)
    proj = projection(fitted_bounds(geoms))
    d = path_strings(shapely.simplify(geoms, 0.5 / proj.scale), proj)
    parts, dots = [], []
    centres = proj(shapely.get_coordinates(shapely.point_on_surface(geoms)))
    for value, path, (cx, cy) in zip(hz[field], d, centres, strict=True):
        key = "" if value != value or value is None else str(int(value))
        cat = cats.get(key, cats[""])
        parts.append(
            f'<path d="{path}" fill="{rgb(cat["color"])}" stroke="#232323" '
            'stroke-width="0.5" vector-effect="non-scaling-stroke"/>'
        )
        # the CentroidFill layer's dot (1.4 mm: about 1/130 of a 180 mm wide map)
        dots.append(
            f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{proj.width / 260:.0f}" '
            f'fill="{rgb(cat["color"])}" stroke="#fff" stroke-width="0.3" '
            'vector-effect="non-scaling-stroke"/>'
        )
    parts += dots
    dep_qml = styles.get("access_dependencies", "\n<qgis/>")
    dep_root = ET.fromstring(dep_qml.split("\n", 1)[1])
    hidden = dep_root.get("hasScaleBasedVisibilityFlag") == "1"
    note = (
        f" access_dependencies shows from 1:{int(dep_root.get('minScale', '0')):,} in,"
        " so it is not drawn at this (national) scale."
        if hidden and not zoomed
        else ""
    )
    if "access_dependencies" in styles and not note:
        deps = pyogrio.read_dataframe(gpkg, layer="access_dependencies")
        dfield, dcats = categories(styles["access_dependencies"])
        for value, line in zip(deps[dfield], deps.geometry, strict=True):
            cat = dcats[str(value)]
            (x1, y1), (x2, y2) = proj(shapely.get_coordinates(line))
            dash = ' stroke-dasharray="6 4"' if cat.get("line_style") == "dash" else ""
            parts.append(
                f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
                f'stroke="{rgb(cat["line_color"])}" stroke-width="1.2"{dash} '
                'vector-effect="non-scaling-stroke"/>'
            )
    legend = "".join(
        f'<span style="margin-right:10px"><span style="display:inline-block;width:12px;'
        f'height:12px;background:{rgb(c["color"])};border:1px solid #333"></span> '
        f"{escape(c['label'])}</span>"
        for c in cats.values()
    )
    return (
        '<!DOCTYPE html><html><body style="font:13px sans-serif;margin:12px">'
        f"<p><b>{escape(gpkg.name)}</b>: layers drawn with their stored QGIS styles "
        f"(field <code>{escape(field)}</code>).{escape(note)}</p><p>{legend}</p>"
        f'<svg viewBox="0 0 {proj.width} {proj.height}" style="width:900px;height:auto">'
        + "".join(parts)
        + "</svg></body></html>"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("gpkg", type=Path)
    ap.add_argument("html", type=Path)
    ap.add_argument("--png", type=Path)
    args = ap.parse_args()
    args.html.write_text(render(args.gpkg), encoding="utf-8")
    if args.png:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = b.new_page(viewport={"width": 940, "height": 1000})
            page.goto(args.html.resolve().as_uri())
            page.screenshot(path=str(args.png), full_page=True)
            b.close()


if __name__ == "__main__":
    main()
