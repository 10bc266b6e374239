"""The scenario form: add, replace or remove one scenario of the project's ``scenarios.toml``.

The file is the one ``prioritise scenarios`` reads; every edit is checked with the library's
own parser (:func:`parse_scenarios`) before it is written, so the form can only write a file
the CLI accepts. A new file starts with a ``baseline`` scenario (the project as it is), so
every comparison has the reference it is read against. Blank fields leave the project's value.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit

from prioritise.app.projects import criteria, finding_dict
from prioritise.app.settings_form import FormError, form_problem
from prioritise.inputs.readers import read_any
from prioritise.inputs.scenarios import NAME, parse_scenarios

FILE = "scenarios.toml"
SHAPES = ("", "flat", "declining", "front_loaded")
TEAM = "team__"
WEIGHT = "weight__"
# Plain fields: (form name, TOML key, kind, label, help)
PLAIN: tuple[tuple[str, str, str, str, str], ...] = (
    ("years", "years", "int", "Years planned", "horizon length; later years repeat the last"),
    ("deadline_year", "deadline_year", "int", "Deadline year", "'none' removes the deadline"),
    ("discount_rate", "discount_rate", "float", "Discount rate", "a fraction, e.g. 0.03"),
    (
        "localisation_min_share",
        "localisation_min_share",
        "float",
        "Least national share",
        "of team-days, a fraction",
    ),
    ("equity_min_share", "equity_min_share", "float", "Least share per province", "a fraction"),
)


def scenarios_path(project_file: Path) -> Path:
    return project_file.parent / FILE


def team_types(project_file: Path) -> list[str]:
    """The team types of the project's teams table ([] when it cannot be read: the project's
    check says why)."""
    doc = tomllib.loads(project_file.read_text(encoding="utf-8"))
    rel = doc.get("data", {}).get("teams")
    if not isinstance(rel, str):
        return []
    path = (project_file.parent / rel).resolve()
    if not path.is_relative_to(project_file.parent.resolve()) or not path.is_file():
        return []
    try:
        frame = read_any(path)
    except Exception:  # reported by the project's check, not here
        return []
    if "team_type" not in frame.columns:
        return []
    return sorted({str(t) for t in frame["team_type"].dropna()})


def listing(project_file: Path) -> list[dict[str, Any]]:
    """Each scenario with its description and what it changes, in file order."""
    path = scenarios_path(project_file)
    if not path.is_file():
        return []
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    out = []
    for name, table in doc.get("scenarios", {}).items():
        if not isinstance(table, dict):
            continue
        changes = {k: v for k, v in table.items() if k not in ("description", "inherits")}
        out.append(
            {
                "name": name,
                "description": str(table.get("description", "")),
                "inherits": table.get("inherits"),
                "changes": "; ".join(f"{k} = {_text(v)}" for k, v in changes.items())
                or "nothing: the project as it is",
            }
        )
    return out


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _problem(field: str, message: str, fix: str) -> dict[str, Any]:
    return form_problem(field.replace("_", "-"), message, fix)


def _number(field: str, label: str, text: str, kind: str, found: list[dict[str, Any]]) -> Any:
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        whole = "a whole number" if kind == "int" else "a number"
        found.append(_problem(field, f"{label}: '{text[:40]}' is not {whole}.", f"Give {whole}."))
        return None


def _budget(form: Mapping[str, str], found: list[dict[str, Any]]) -> dict[str, Any]:
    budget: dict[str, Any] = {}
    multiplier = form.get("budget_multiplier", "").strip()
    if multiplier:
        budget["multiplier"] = _number(
            "budget_multiplier", "Budget multiplier", multiplier, "float", found
        )
    shape = form.get("budget_shape", "").strip()
    if shape not in SHAPES:
        found.append(_problem("budget_shape", f"Budget profile '{shape[:40]}' is unknown.", ""))
    elif shape:
        budget["shape"] = shape
        rate = form.get("decline_rate", "").strip()
        if shape == "declining" and rate:
            budget["decline_rate"] = _number("decline_rate", "Decline rate", rate, "float", found)
    return budget


def _per_name(
    form: Mapping[str, str], prefix: str, label: str, found: list[dict[str, Any]]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, text in form.items():
        if key.startswith(prefix) and text.strip():
            name = key[len(prefix) :]
            out[name] = _number(key, f"{label} {name}", text.strip(), "float", found)
    return out


def scenario_table(form: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """The scenario's name and TOML table from the form's text; FormError on bad text."""
    found: list[dict[str, Any]] = []
    name = form.get("name", "").strip()
    if not NAME.match(name):
        found.append(
            _problem(
                "name",
                f"Scenario name '{name[:60]}' is not usable.",
                "Use letters, digits, '_', '-' and '.' (not first): it names a folder.",
            )
        )
    table: dict[str, Any] = {}
    if description := form.get("description", "").strip():
        table["description"] = description[:500]
    if budget := _budget(form, found):
        table["budget"] = budget
    if teams := _per_name(form, TEAM, "Teams of type", found):
        table["teams"] = teams
    if weights := _per_name(form, WEIGHT, "Weight of", found):
        table["weights"] = weights
    for field, key, kind, label, _help in PLAIN:
        text = form.get(field, "").strip()
        if field == "deadline_year" and text.lower() == "none":
            table[key] = False
        elif text:
            table[key] = _number(field, label, text, kind, found)
    if found:
        raise FormError(found)
    return name, table


def _document(path: Path) -> tomlkit.TOMLDocument:
    if path.is_file():
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    doc = tomlkit.document()
    doc.add(tomlkit.comment("Scenarios written by the prioritise workspace's scenario form."))
    doc.add(tomlkit.comment("Run: prioritise scenarios project.toml scenarios.toml --out DIR"))
    scenarios = tomlkit.table(is_super_table=True)
    base = tomlkit.table()
    base["description"] = "Budgets, teams and rules as in the project."
    scenarios["baseline"] = base
    doc["scenarios"] = scenarios
    return doc


def _check_and_write(path: Path, doc: tomlkit.TOMLDocument) -> None:
    _scenarios, found = parse_scenarios(doc.unwrap(), FILE)
    errors = [finding_dict(f) for f in found if f.severity == "error"]
    if errors:
        raise FormError(errors)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    tmp.replace(path)


def save(project_file: Path, form: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """Add or replace one scenario; returns its name and table. The criteria named in the
    weights must be the project's (a scenario naming another is refused when it runs)."""
    name, table = scenario_table(form)
    known = {c["name"] for c in criteria(project_file)}
    unknown = sorted(set(table.get("weights", {})) - known)
    if unknown:
        raise FormError(
            [_problem("weights", f"No scoring criterion is named {', '.join(unknown)}.", "")]
        )
    path = scenarios_path(project_file)
    doc = copy.deepcopy(_document(path))
    scenarios = doc.setdefault("scenarios", tomlkit.table(is_super_table=True))
    entry = tomlkit.table()
    for key, value in table.items():
        entry[key] = tomlkit.inline_table() if isinstance(value, dict) else value
        if isinstance(value, dict):
            entry[key].update(value)
    scenarios[name] = entry
    _check_and_write(path, doc)
    return name, table


def remove(project_file: Path, name: str) -> bool:
    """Remove one scenario (refused when others inherit from it, or it is the last one)."""
    path = scenarios_path(project_file)
    if not path.is_file():
        return False
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    scenarios = doc.get("scenarios", {})
    if name not in scenarios:
        return False
    del scenarios[name]
    _check_and_write(path, doc)
    return True
