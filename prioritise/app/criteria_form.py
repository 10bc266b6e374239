"""Adding and removing scoring criteria (``[[scoring.criteria]]``) from a form.

Each edit goes into a copy of the project document and is checked with the library's
settings models (:func:`parse_settings`) before it is written, so the form writes only what
the CLI accepts; whether the column exists is then said by the project's check.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit

from prioritise.app.projects import finding_dict, read_doc, write_doc
from prioritise.app.settings_form import FormError, parse_pairs
from prioritise.app.settings_form import form_problem as _problem
from prioritise.core.settings import NORMALISATIONS, parse_settings

KINDS = ("numeric", "categorical", "boolean")


def _points(text: str, found: list[dict[str, Any]]) -> dict[str, float]:
    """'irrigated = 1, forest = 0.2' -> {'irrigated': 1.0, 'forest': 0.2}."""
    out, bad = parse_pairs(text)
    found += [
        _problem(
            "points",
            f"Points: '{part[:40]}' is not 'category = number'.",
            "Write e.g. irrigated = 1, forest = 0.2",
        )
        for part in bad
    ]
    return out


def criterion(form: Mapping[str, str]) -> dict[str, Any]:
    """The criterion's TOML table from the form's text; FormError on unreadable text."""
    found: list[dict[str, Any]] = []
    table: dict[str, Any] = {}
    for key in ("name", "column"):
        text = form.get(key, "").strip()
        if not text:
            found.append(_problem(key, f"The criterion's {key} is needed.", "Fill in the field."))
        table[key] = text[:120]
    try:
        table["weight"] = float(form.get("weight", ""))
    except ValueError:
        found.append(_problem("weight", "The weight must be a number.", "e.g. 1 or 2.5"))
    kind = form.get("type", "numeric")
    if kind not in KINDS:
        found.append(_problem("type", f"Type '{kind[:40]}' is unknown."))
    elif kind != "numeric":
        table["type"] = kind
    normalise = form.get("normalise", "minmax")
    if normalise not in NORMALISATIONS:
        found.append(_problem("normalise", f"Normalisation '{normalise[:40]}' is unknown."))
    elif kind == "numeric" and normalise != "minmax":
        table["normalise"] = normalise
    if points := _points(form.get("points", ""), found):
        table["points"] = points
    if form.get("lower_is_better", "") in ("on", "true", "1"):
        table["higher_is_better"] = False
    if found:
        raise FormError(found)
    return table


def _check_and_write(project_file: Path, doc: tomlkit.TOMLDocument) -> None:
    _settings, found = parse_settings(doc.unwrap(), project_file, check_files=False)
    errors = [finding_dict(f) for f in found if f.severity == "error"]
    if errors:
        raise FormError(errors)
    write_doc(project_file, doc)


def add(project_file: Path, form: Mapping[str, str]) -> dict[str, Any]:
    """Append one criterion (a name already used is refused); returns its table."""
    table = criterion(form)
    doc = copy.deepcopy(read_doc(project_file))
    scoring = doc.setdefault("scoring", tomlkit.table())
    rows = scoring.setdefault("criteria", tomlkit.aot())
    if any(str(r.get("name", r.get("column"))) == table["name"] for r in rows):
        raise FormError([_problem("name", f"A criterion is already named '{table['name']}'.")])
    entry = tomlkit.table()
    for key, value in table.items():
        if isinstance(value, dict):
            entry[key] = tomlkit.inline_table()
            entry[key].update(value)
        else:
            entry[key] = value
    rows.append(entry)
    _check_and_write(project_file, doc)
    return table


def remove(project_file: Path, index: int) -> str | None:
    """Remove the criterion at ``index``; its name, or None when there is none there."""
    doc = copy.deepcopy(read_doc(project_file))
    rows = doc.get("scoring", {}).get("criteria", [])
    if not 0 <= index < len(rows):
        return None
    name = str(rows[index].get("name", rows[index].get("column", index)))
    del rows[index]
    _check_and_write(project_file, doc)
    return name
