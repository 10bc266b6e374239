"""The live score-map preview: hazards re-scored under weights being typed, drawn as SVG.

The library does the work: :func:`prioritise.inputs.scoring.score_hazards` scores exactly as
loading the project does, and the report's map code (:mod:`prioritise.outputs.report.maps`)
projects and draws the shapes. Nothing is written; the loaded project is kept in a small
cache keyed by the TOML's and the hazards file's modification times, so each keystroke only
re-scores (milliseconds) instead of re-reading the export.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from prioritise.core.errors import ProjectError
from prioritise.core.problem import Problem
from prioritise.inputs.loader import load_problem
from prioritise.inputs.scoring import score_hazards
from prioritise.outputs.report.maps import MARKER_R, fitted_bounds, path_strings, projection
from prioritise.outputs.report.page import esc
from prioritise.outputs.report.svg import sequential

BINS = 5
TOP = 10
_CACHE: OrderedDict[tuple[str, int, int], Problem] = OrderedDict()
_LOCK = threading.Lock()
CACHE_SIZE = 4


@dataclass(frozen=True)
class Preview:
    """The fragment's content: the map (or why there is none), the bins, the top hazards."""

    svg: str
    css: str
    legend: list[tuple[str, str]]  # (colour, range label)
    top: list[tuple[str, float, float]]  # (hazard id, score now, score saved)
    scale: float
    message: str = ""


def _key(project_file: Path) -> tuple[str, int, int]:
    """The TOML's and its folder's newest modification times: any edit reloads."""
    newest = max((p.stat().st_mtime_ns for p in project_file.parent.iterdir()), default=0)
    return str(project_file), project_file.stat().st_mtime_ns, newest


def problem_for(project_file: Path) -> Problem:
    """The project as loaded by the library, cached (ProjectError when it is not valid)."""
    key = _key(project_file)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    problem = load_problem(project_file)
    with _LOCK:
        _CACHE[key] = problem
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return problem


def rescore(problem: Problem, weights: list[float]) -> pd.Series:
    """Impact per hazard (index aligned with ``problem.hazards``) under ``weights``."""
    scoring = problem.settings.scoring
    criteria = tuple(
        replace(c, weight=float(w)) for c, w in zip(scoring.criteria, weights, strict=True)
    )
    impact, _contrib, _found = score_hazards(
        problem.hazards, replace(scoring, criteria=criteria), problem.settings.data.hazards.name
    )
    return impact


def _classes(score: np.ndarray, scale: float) -> np.ndarray:
    """Equal bins over 0..scale (fixed, so colours compare while weights change)."""
    edges = np.linspace(0, scale, BINS + 1)[1:-1]
    return np.digitize(np.nan_to_num(score), edges)


def _svg(problem: Problem, score: np.ndarray, scale: float) -> str:
    assert problem.geometry is not None
    geoms = np.asarray(problem.geometry.reset_index(drop=True).array, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    proj = projection(fitted_bounds(geoms[present]))
    simple = shapely.simplify(geoms, 0.5 / proj.scale, preserve_topology=True)
    d = path_strings(simple, proj)
    cls = _classes(score, scale)
    ids = problem.hazards["hazard_id"].astype(str).to_numpy()
    bb = shapely.bounds(geoms)
    extent = np.nan_to_num(np.maximum(bb[:, 2] - bb[:, 0], bb[:, 3] - bb[:, 1])) * proj.scale
    shapes, markers = [], []
    for i in np.argsort(np.nan_to_num(score), kind="stable"):  # high scores drawn on top
        if not present[i]:
            continue
        attr = f'class="s{cls[i]}"><title>{esc(ids[i])}: {score[i]:.1f}</title'
        if d[i]:
            shapes.append(f'<path d="{d[i]}" {attr}></path>')
        if not d[i] or extent[i] < 4 * MARKER_R:
            (cx, cy), *_ = proj(shapely.get_coordinates(shapely.point_on_surface(geoms[i])))
            markers.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{MARKER_R}" {attr}></circle>')
    return (
        f'<svg id="score-map" class="map" viewBox="0 0 {proj.width} {proj.height}" role="img" '
        f'aria-label="Map of hazards by impact score" preserveAspectRatio="xMidYMid meet">'
        f'<g class="hz">{"".join(shapes)}</g><g class="hz mk">{"".join(markers)}</g></svg>'
    )


def preview(project_file: Path, weights: list[float]) -> Preview:
    """The score map under ``weights`` (by criterion position), beside the saved scores."""
    try:
        problem = problem_for(project_file)
    except ProjectError:
        return Preview("", "", [], [], 0.0, "The project is not valid: fix it to preview scores.")
    n = len(problem.settings.scoring.criteria)
    if n == 0:
        return Preview("", "", [], [], 0.0, "The project has no scoring criteria.")
    if len(weights) != n or any(not np.isfinite(w) or w < 0 for w in weights):
        return Preview("", "", [], [], 0.0, f"Give {n} weights, each 0 or more.")
    if sum(weights) <= 0:
        return Preview("", "", [], [], 0.0, "At least one weight must be above 0.")
    scale = float(problem.settings.scoring.scale)
    score = rescore(problem, weights).to_numpy(float)
    saved = problem.hazards["impact"].to_numpy(float)
    colours = list(reversed(sequential(BINS)))  # dark = high score
    step = scale / BINS
    legend = [(colours[b], f"{b * step:g}–{(b + 1) * step:g}") for b in range(BINS)]
    css = (
        "".join(f"#score-map .s{b}{{fill:{c};stroke:{c}}}" for b, c in enumerate(colours))
        + "#score-map path{stroke-width:8;fill-opacity:.85}"
    )
    order = np.argsort(-np.nan_to_num(score), kind="stable")[:TOP]
    ids = problem.hazards["hazard_id"].astype(str).to_numpy()
    top = [(ids[i], float(score[i]), float(saved[i])) for i in order]
    drawable = problem.geometry is not None and bool(
        (~(problem.geometry.is_empty | problem.geometry.isna())).any()
    )
    svg = _svg(problem, score, scale) if drawable else ""
    message = "" if svg else "The hazards have no geometry, so there is no map."
    return Preview(svg, css, legend, top, scale, message)
