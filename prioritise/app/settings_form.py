"""The plan-settings form: horizon, deadline, discounting, shares and solver limits.

The form's text is turned into TOML values, put into a copy of the project document and
validated with the library's own settings models (:func:`parse_settings`) before anything is
written: a value the CLI would refuse is refused here with the same finding, and the file is
left as it was. Blank fields remove optional keys, so the library's default applies.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from prioritise.app.projects import finding_dict, read_doc, write_doc
from prioritise.core.settings import parse_settings


def form_problem(rule: str, message: str, fix: str = "") -> dict[str, Any]:
    """A finding about a form field, shaped like the library's findings for the pages."""
    return {
        "severity": "error",
        "file": "form",
        "rule": f"form-{rule}",
        "message": message,
        "fix": fix,
        "ids": [],
        "more_ids": 0,
    }


def parse_pairs(text: str) -> tuple[dict[str, float], list[str]]:
    """'a = 1, b = 0.2' -> ({'a': 1.0, 'b': 0.2}, []); the parts that are not
    'key = number' come back second, for the caller to name in its own words."""
    out: dict[str, float] = {}
    bad: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        try:
            if not sep or not key.strip():
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            bad.append(part)
    return out, bad


@dataclass(frozen=True)
class Field:
    """One form field: where it lives in the TOML, how its text is read, what it means."""

    name: str
    table: tuple[str, ...]
    key: str
    kind: str  # int | float | bool
    label: str
    help: str
    required: bool = False


FIELDS: tuple[Field, ...] = (
    Field("start_year", ("plan",), "start_year", "int", "First year", "of the plan", True),
    Field("years", ("plan",), "years", "int", "Years planned", "1 to 50", True),
    Field(
        "deadline_year",
        ("plan",),
        "deadline_year",
        "int",
        "Deadline year",
        "every Article 5 hazard completed by the end of it; blank for none",
    ),
    Field(
        "discount_rate",
        ("plan",),
        "discount_rate",
        "float",
        "Discount rate",
        "yearly, as a fraction (0.03 = 3%); blank for 0",
    ),
    Field(
        "carry_over",
        ("plan",),
        "carry_over",
        "bool",
        "Carry unspent budget over",
        "to the next year",
    ),
    Field(
        "environment_weight",
        ("plan",),
        "environment_weight",
        "float",
        "Environment weight",
        "harm (sensitivity x method disturbance) against impact; blank for 0",
    ),
    Field(
        "national_share",
        ("constraints", "localisation"),
        "min_national_share",
        "float",
        "Least national share",
        "of each year's team-days, as a fraction (0.4 = 40%); blank for none",
    ),
    Field(
        "equity_share",
        ("constraints", "equity"),
        "min_share",
        "float",
        "Least share per province",
        "of each year's work, as a fraction; blank for none",
    ),
    Field(
        "time_limit",
        ("solver",),
        "time_limit",
        "float",
        "Solver time limit (s)",
        "blank for 60",
    ),
    Field("gap", ("solver",), "gap", "float", "Solver gap", "as a fraction; blank for 0.005"),
)


class FormError(ValueError):
    """Values the form cannot write, each finding in plain words."""

    def __init__(self, findings: list[dict[str, Any]]):
        super().__init__("; ".join(f["message"] for f in findings))
        self.findings = findings


def _table(doc: Mapping[str, Any], path: tuple[str, ...]) -> Mapping[str, Any] | None:
    node: Any = doc
    for part in path:
        node = node.get(part) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else None


def current(project_file: Path) -> dict[str, Any]:
    """The form's fields as the project TOML has them ('' when absent or not a plain value;
    a per-province equity table is shown as '' and kept unless the field is filled)."""
    doc = read_doc(project_file).unwrap()
    out: dict[str, Any] = {}
    for f in FIELDS:
        table = _table(doc, f.table)
        value = table.get(f.key) if table is not None else None
        if f.kind == "bool":
            out[f.name] = bool(value)
        else:
            out[f.name] = "" if value is None or isinstance(value, Mapping) else value
    return out


def _finding(f: Field, message: str, fix: str) -> dict[str, Any]:
    return {
        "severity": "error",
        "file": "form",
        "rule": f"form-{f.name.replace('_', '-')}",
        "message": f"{f.label}: {message}",
        "fix": fix,
        "ids": [],
        "more_ids": 0,
    }


def _read(f: Field, text: str) -> tuple[Any, dict[str, Any] | None]:
    """The TOML value of one field's text (None: remove the key), or a finding."""
    text = text.strip()
    if f.kind == "bool":
        return text.lower() in ("on", "true", "1", "yes"), None
    if not text:
        if f.required:
            return None, _finding(f, "a value is needed.", "Fill in the field.")
        return None, None
    try:
        return (int(text) if f.kind == "int" else float(text)), None
    except ValueError:
        whole = "a whole number" if f.kind == "int" else "a number"
        return None, _finding(f, f"'{text[:40]}' is not {whole}.", f"Give {whole}.")


def _put(doc: tomlkit.TOMLDocument, f: Field, value: Any, old: Any) -> None:
    node: Any = doc
    for part in f.table:
        if part not in node:
            if value is None:
                return
            node[part] = tomlkit.table()
        node = node[part]
    if value is None or (f.kind == "bool" and value is False and old is None):
        node.pop(f.key, None)
    elif f.name == "equity_share" and isinstance(old, Mapping) and value == 0:
        return  # a blank-equivalent entry keeps the per-province table
    else:
        node[f.key] = value


def apply(project_file: Path, form: Mapping[str, str]) -> dict[str, Any]:
    """Write the form's values into the project TOML when the library accepts them.

    Returns what changed ({field: new value}); raises :class:`FormError` with every finding
    (the form's own, then the settings models') and leaves the file untouched otherwise.
    """
    doc = read_doc(project_file)
    plain = doc.unwrap()
    edited = copy.deepcopy(doc)
    findings: list[dict[str, Any]] = []
    changed: dict[str, Any] = {}
    for f in FIELDS:
        value, problem = _read(f, form.get(f.name, ""))
        if problem is not None:
            findings.append(problem)
            continue
        table = _table(plain, f.table)
        old = table.get(f.key) if table is not None else None
        if isinstance(old, Mapping) and value is None:
            continue  # a per-province table the form does not show stays as it is
        _put(edited, f, value, old)
        if (old if old is not None else (False if f.kind == "bool" else None)) != value:
            changed[f.name] = value
    if findings:
        raise FormError(findings)
    _settings, found = parse_settings(edited.unwrap(), project_file, check_files=False)
    errors = [finding_dict(x) for x in found if x.severity == "error"]
    if errors:
        raise FormError(errors)
    write_doc(project_file, edited)
    return changed
