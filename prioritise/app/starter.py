"""A starting project TOML for an upload without one (a bare IMSMA export with its teams and
budget tables): the files are recognised by name, the horizon is read from the budget table,
and the methods are the library's defaults written out in full so they can be read and
changed. The result is a normal project TOML (downloadable, runnable with the CLI); whatever
it cannot know (column names that differ from the schema, the centre's productivities) shows
up in the check of the inputs and is fixed in the project's forms.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import tomlkit

from prioritise.app.uploads import UploadError
from prioritise.core.settings import DEFAULT_METHODS
from prioritise.inputs.readers import read_any

SPATIAL = (".shp", ".gpkg", ".geojson", ".json", ".fgb")
TABLES = (".csv", ".xlsx", ".xls", ".ods")
ROLES = {"hazards": ("hazard", "ha_", "sha", "cha"), "teams": ("team",), "budget": ("budget",)}


def _pick(files: list[Path], words: tuple[str, ...], suffixes: tuple[str, ...]) -> Path | None:
    hits = [
        p for p in files if p.suffix.lower() in suffixes and any(w in p.stem.lower() for w in words)
    ]
    return sorted(hits, key=lambda p: (len(p.parts), str(p)))[0] if hits else None


def recognise(folder: Path) -> dict[str, Path]:
    """The hazards, teams and budget files among the uploads, by name (hazards may be any
    spatial file when only one is there); UploadError naming what is missing."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    found: dict[str, Path] = {}
    teams = _pick(files, ROLES["teams"], TABLES)
    budget = _pick(files, ROLES["budget"], TABLES)
    hazards = _pick(files, ROLES["hazards"], SPATIAL + TABLES)
    spatial = [p for p in files if p.suffix.lower() in SPATIAL]
    if hazards is None and len(spatial) == 1:
        hazards = spatial[0]
    for role, path in (("hazards", hazards), ("teams", teams), ("budget", budget)):
        if path is not None:
            found[role] = path
    missing = [r for r in ROLES if r not in found]
    if missing:
        raise UploadError(
            "No project TOML among the uploaded files, and no "
            + ", ".join(f"{r} file" for r in missing)
            + " was recognised. Upload the project.toml with its data files, or the hazards "
            "export with the teams and budget tables, named so they can be told apart "
            "(e.g. hazards.shp, teams.csv, budget.csv)."
        )
    return found


def horizon(budget: Path) -> tuple[int, int, str]:
    """First year and number of years from the budget table's ``year`` column; otherwise
    next year and 5 years, with a note saying so."""
    try:
        frame = read_any(budget)
        column = next(c for c in frame.columns if str(c).lower() == "year")
        years = pd.to_numeric(frame[column])
        first, last = int(years.min()), int(years.max())
        if 1900 <= first <= last <= 2200:
            return first, min(50, last - first + 1), f"the years of {budget.name}"
    except Exception:  # an unreadable table is reported by the project's check
        pass
    first = dt.datetime.now(dt.UTC).year + 1
    return first, 5, f"a guess ({budget.name} has no readable year column): check it"


def starter_toml(folder: Path, files: dict[str, Path]) -> str:
    first, years, why = horizon(files["budget"])
    doc = tomlkit.document()
    doc.add(tomlkit.comment("Written by the prioritise workspace from an upload without a project"))
    doc.add(tomlkit.comment("TOML. Edit it in the workspace's forms or by hand; it runs as it is"))
    doc.add(tomlkit.comment("with: prioritise plan project.toml --out DIR"))
    project = tomlkit.table()
    project["name"] = files["hazards"].stem if folder.name.isdigit() else folder.name
    doc["project"] = project
    plan = tomlkit.table()
    plan["start_year"] = first
    plan["years"] = years
    plan.comment(f"horizon from {why}")
    doc["plan"] = plan
    data = tomlkit.table()
    for role in ("hazards", "teams", "budget"):
        data[role] = files[role].relative_to(folder).as_posix()
    doc["data"] = data
    methods = tomlkit.table(is_super_table=True)
    for m in DEFAULT_METHODS:
        table = tomlkit.table()
        table["label"] = m.label
        table["productivity"] = tomlkit.inline_table()
        table["productivity"].update(dict(m.productivity))
        if m.survey_productivity:
            table["survey_productivity"] = tomlkit.inline_table()
            table["survey_productivity"].update(dict(m.survey_productivity))
        table["disturbance"] = m.disturbance
        if m.hazard_types:
            table["hazard_types"] = list(m.hazard_types)
        if m.classes:
            table["classes"] = list(m.classes)
        methods[m.name] = table
    doc.add(tomlkit.nl())
    doc.add(tomlkit.comment("Methods: the library's defaults (m² per team-day by team kind, from"))
    doc.add(tomlkit.comment("typical ranges): estimates to replace with the centre's own figures."))
    doc["methods"] = methods
    return tomlkit.dumps(doc)


def write_starter(folder: Path) -> Path:
    """Write ``project.toml`` for the recognised files in ``folder``; returns its path."""
    files = recognise(folder)
    path = folder / "project.toml"
    path.write_text(starter_toml(folder, files), encoding="utf-8")
    return path
