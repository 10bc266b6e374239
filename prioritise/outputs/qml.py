"""QGIS layer styles (QML) for the plan's GIS layers.

The workplan is a categorised renderer on ``year``: one class per plan year on the same
viridis scale the HTML report uses (dark = early, light = late), and every other feature
(not scheduled, year NULL) in grey. Access dependencies are arrows from the hazard needed
first to the one that needs it: purple solid when given in the inputs, orange dashed when
derived from the road network, the report's colours too; they appear only when zoomed in
to 1:100,000 or closer (the report likewise draws them on demand).

Symbol-layer properties are written both as ``<Option type="Map">`` (read by QGIS 3.26 and
later) and as ``<prop k v>`` (read by older releases, QGIS 3.22 included), the way QGIS
3.22 itself wrote them, so one file opens styled in both.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from prioritise.outputs.report.svg import sequential

UNSCHEDULED_RGBA = "184,184,184,200"
GIVEN_RGBA = "106,61,154,255"  # #6a3d9a
ROADS_RGBA = "217,95,2,255"  # #d95f02
QGIS_VERSION = "3.22.0-Białowieża"
# Dependencies show from 1:100,000 in: at national scale a thousand arrows hide the plan.
DEPENDENCIES_FROM_SCALE = 100_000


def rgba(hex_colour: str, alpha: int = 255) -> str:
    h = hex_colour.lstrip("#")
    return ",".join(str(int(h[i : i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def _props(layer: ET.Element, props: dict[str, str]) -> None:
    options = ET.SubElement(layer, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(options, "Option", name=k, type="QString", value=v)
    for k, v in props.items():
        ET.SubElement(layer, "prop", k=k, v=v)


def _symbol(parent: ET.Element, name: str, kind: str) -> ET.Element:
    return ET.SubElement(
        parent,
        "symbol",
        name=name,
        type=kind,
        alpha="1",
        clip_to_extent="1",
        force_rhr="0",
    )


def _symbol_layer(symbol: ET.Element, cls: str, props: dict[str, str]) -> ET.Element:
    layer = ET.SubElement(symbol, "layer", {"class": cls, "enabled": "1", "locked": "0"})
    layer.set("pass", "0")
    _props(layer, props)
    return layer


def _fill(parent: ET.Element, name: str, colour: str) -> None:
    """The hazard's polygon, plus a dot at its centre so that a hazard far smaller than a
    pixel at national scale still shows (the report's map does the same)."""
    symbol = _symbol(parent, name, "fill")
    _symbol_layer(
        symbol,
        "SimpleFill",
        {
            "color": colour,
            "style": "solid",
            "outline_color": "35,35,35,255",
            "outline_style": "solid",
            "outline_width": "0.2",
            "outline_width_unit": "MM",
            "joinstyle": "bevel",
        },
    )
    centre = _symbol_layer(
        symbol, "CentroidFill", {"point_on_surface": "1", "point_on_all_parts": "0"}
    )
    dot = _symbol(centre, "@" + name + "@1", "marker")
    _symbol_layer(
        dot,
        "SimpleMarker",
        {
            "name": "circle",
            "color": colour,
            "outline_color": "255,255,255,255",
            "outline_style": "solid",
            "outline_width": "0.1",
            "size": "1.4",
            "size_unit": "MM",
        },
    )


def _arrow(parent: ET.Element, name: str, colour: str, dashed: bool) -> None:
    symbol = _symbol(parent, name, "line")
    _symbol_layer(
        symbol,
        "SimpleLine",
        {
            "line_color": colour,
            "line_style": "dash" if dashed else "solid",
            "line_width": "0.4",
            "line_width_unit": "MM",
            "capstyle": "round",
        },
    )
    head = _symbol_layer(
        symbol,
        "MarkerLine",
        {
            "placement": "lastvertex",
            "placements": "LastVertex",
            "rotate": "1",
            "interval": "3",
            "offset": "0",
        },
    )
    marker = _symbol(head, "@" + name + "@1", "marker")
    _symbol_layer(
        marker,
        "SimpleMarker",
        {
            "name": "filled_arrowhead",
            "color": colour,
            "outline_color": colour,
            "outline_style": "no",
            "size": "2.6",
            "size_unit": "MM",
            "angle": "0",
            "vertical_anchor_point": "1",
            "horizontal_anchor_point": "1",
        },
    )


def _categorised(
    attr: str, categories: list[tuple[str, str, str]], max_denominator: int = 0
) -> tuple[ET.Element, ET.Element]:
    """The document and its <symbols>, with one category per (value, label, symbol name);
    with ``max_denominator`` the layer shows only at scales larger than 1:max_denominator."""
    root = ET.Element(
        "qgis",
        version=QGIS_VERSION,
        styleCategories="Symbology|Rendering",
        hasScaleBasedVisibilityFlag="1" if max_denominator else "0",
        minScale=str(max_denominator or 100000000),
        maxScale="0",
    )
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        type="categorizedSymbol",
        attr=attr,
        symbollevels="0",
        enableorderby="0",
        forceraster="0",
    )
    cats = ET.SubElement(renderer, "categories")
    for value, label, symbol in categories:
        ET.SubElement(cats, "category", render="true", value=value, label=label, symbol=symbol)
    return root, ET.SubElement(renderer, "symbols")


def _text(root: ET.Element) -> str:
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


def workplan_qml(years: list[int]) -> str:
    """Hazards coloured by planned year; not scheduled in grey."""
    cats = [(str(y), str(y), str(i)) for i, y in enumerate(years)]
    cats.append(("", "not scheduled", str(len(years))))
    root, symbols = _categorised("year", cats)
    for i, colour in enumerate(sequential(len(years))):
        _fill(symbols, str(i), rgba(colour))
    _fill(symbols, str(len(years)), UNSCHEDULED_RGBA)
    return _text(root)


def dependencies_qml() -> str:
    """Arrows from the hazard needed first to the one that needs it."""
    root, symbols = _categorised(
        "source",
        [
            ("given", "access dependency (given)", "0"),
            ("roads", "access derived from roads", "1"),
        ],
        max_denominator=DEPENDENCIES_FROM_SCALE,
    )
    _arrow(symbols, "0", GIVEN_RGBA, dashed=False)
    _arrow(symbols, "1", ROADS_RGBA, dashed=True)
    return _text(root)
