"""The methods form: each clearance method's productivity by team kind (m² per team-day),
survey productivity, disturbance and the hazard types and classes it applies to.

The form shows the project's ``[methods]`` (or the library's defaults when it has none) and
writes the whole table back; a row whose name is blanked is removed and the spare row adds
a method. The edited document is checked with the library's settings models before it is
written, so the TOML stays one the CLI runs.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit

from prioritise.app.projects import finding_dict, read_doc, write_doc
from prioritise.app.settings_form import FormError, parse_pairs
from prioritise.app.settings_form import form_problem as _problem
from prioritise.core.settings import DEFAULT_METHODS, parse_settings

KEYS = ("name", "label", "productivity", "survey_productivity", "disturbance", "types", "classes")


def _pairs(mapping: Mapping[str, Any]) -> str:
    return ", ".join(
        f"{k} = {v:g}" if isinstance(v, float | int) else f"{k} = {v}" for k, v in mapping.items()
    )


def rows(project_file: Path) -> tuple[list[dict[str, str]], bool]:
    """The methods as form rows, and whether they are the library's defaults."""
    doc = tomllib.loads(project_file.read_text(encoding="utf-8"))
    methods = doc.get("methods")
    if isinstance(methods, dict) and methods:
        out = [
            {
                "name": name,
                "label": str(m.get("label", "")),
                "productivity": _pairs(m.get("productivity", {})),
                "survey_productivity": _pairs(m.get("survey_productivity", {})),
                "disturbance": f"{m['disturbance']:g}" if "disturbance" in m else "",
                "types": ", ".join(map(str, m.get("hazard_types", []))),
                "classes": ", ".join(map(str, m.get("classes", []))),
            }
            for name, m in methods.items()
            if isinstance(m, dict)
        ]
        return out, False
    defaults = [
        {
            "name": m.name,
            "label": m.label,
            "productivity": _pairs(m.productivity),
            "survey_productivity": _pairs(m.survey_productivity),
            "disturbance": f"{m.disturbance:g}",
            "types": ", ".join(m.hazard_types),
            "classes": ", ".join(m.classes),
        }
        for m in DEFAULT_METHODS
    ]
    return defaults, True


def _numbers(method: str, what: str, text: str, found: list[dict[str, Any]]) -> dict[str, float]:
    out, bad = parse_pairs(text)
    found += [
        _problem(
            "methods",
            f"Method {method}: {what} '{part[:40]}' is not 'team kind = m² per day'.",
            "Write e.g. mechanical = 6000, manual = 1500",
        )
        for part in bad
    ]
    return out


def _method(row: Mapping[str, str], found: list[dict[str, Any]]) -> dict[str, Any]:
    name = row["name"]
    table: dict[str, Any] = {}
    if row["label"].strip():
        table["label"] = row["label"].strip()[:200]
    table["productivity"] = _numbers(name, "productivity", row["productivity"], found)
    if survey := _numbers(name, "survey productivity", row["survey_productivity"], found):
        table["survey_productivity"] = survey
    if row["disturbance"].strip():
        try:
            table["disturbance"] = float(row["disturbance"])
        except ValueError:
            found.append(_problem("methods", f"Method {name}: disturbance must be a number."))
    for key, field in (("hazard_types", "types"), ("classes", "classes")):
        names = [t.strip() for t in row[field].split(",") if t.strip()]
        if names:
            table[key] = names
    return table


def table_from_form(form: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """{method: table} from fields m<i>_<key>; FormError with every unreadable value."""
    found: list[dict[str, Any]] = []
    methods: dict[str, dict[str, Any]] = {}
    i = 0
    while f"m{i}_name" in form and i < 100:
        row = {k: form.get(f"m{i}_{k}", "") for k in KEYS}
        i += 1
        name = row["name"].strip()
        if not name:
            continue  # a blanked name removes the method; the spare row stays blank
        if name in methods:
            found.append(_problem("methods", f"Two methods are named {name}."))
        methods[name] = _method({**row, "name": name}, found)
    if not methods:
        found.append(_problem("methods", "At least one method is needed."))
    if found:
        raise FormError(found)
    return methods


def save(project_file: Path, form: Mapping[str, str]) -> list[str]:
    """Replace ``[methods]`` with the form's; returns the method names written."""
    methods = table_from_form(form)
    doc = copy.deepcopy(read_doc(project_file))
    table = tomlkit.table(is_super_table=True)
    for name, spec in methods.items():
        entry = tomlkit.table()
        for key, value in spec.items():
            if isinstance(value, dict):
                entry[key] = tomlkit.inline_table()
                entry[key].update(value)
            else:
                entry[key] = value
        table[name] = entry
    doc["methods"] = table
    _settings, found = parse_settings(doc.unwrap(), project_file, check_files=False)
    errors = [finding_dict(f) for f in found if f.severity == "error"]
    if errors:
        raise FormError(errors)
    write_doc(project_file, doc)
    return list(methods)
