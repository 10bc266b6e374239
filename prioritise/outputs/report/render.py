"""Jinja2 rendering for the HTML pages (plan report, scenario comparison).

Markup lives in ``templates/``, styles and the script in ``static/``, all package files;
:func:`render` inlines the static files so the page stays one self-contained offline file.
Autoescaping is on for every template: text from input files is escaped unless a value is
deliberately :class:`~markupsafe.Markup` (the SVG charts and map, built with escaping in
:mod:`.svg` and :mod:`.maps`).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from prioritise.core import fmt
from prioritise.outputs.report.page import script_json


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("prioritise.outputs.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=fmt.money,
        area=fmt.area,
        number=fmt.number,
        percent=fmt.percent,
        year=fmt.year,
        signed=fmt.signed,
        json_script=lambda data, element_id: Markup(script_json(element_id, data)),
    )
    return env


@cache
def static(name: str) -> str:
    """A file of ``static/`` as text (CSS or JavaScript to inline)."""
    return (files("prioritise.outputs.report") / "static" / name).read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    """Render a page template with the shared CSS and script available to it."""
    css = static("report.css")
    script = static("report.js")
    return environment().get_template(template).render(css=css, script=script, **context)
