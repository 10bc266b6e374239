"""A stored project: find its TOML, validate it with the library, and edit the parts a
planner changes in forms (the ``[columns]`` mapping and the scoring weights).

Edits go through tomlkit, so the file keeps its comments and order and stays a normal
project TOML that the CLI runs as it is.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from prioritise.app.uploads import UploadError
from prioritise.core.errors import Finding, ProjectError
from prioritise.core.schema import column_names
from prioritise.inputs.loader import load_problem
from prioritise.inputs.readers import read_any

MAX_IDS = 200  # ids kept per finding in the database (the rest are counted)


@dataclass
class Validation:
    valid: bool
    findings: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "severity": f.severity,
        "file": f.file,
        "rule": f.rule,
        "message": f.message,
        "fix": f.fix,
        "ids": list(f.ids[:MAX_IDS]),
        "more_ids": max(0, len(f.ids) - MAX_IDS),
    }


def _is_project(path: Path) -> bool:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
        return path.name == "project.toml"  # broken but clearly meant: validation says why
    return "data" in doc or "project" in doc


def find_project_file(folder: Path, starter: Callable[[Path], Path] | None = None) -> Path:
    """The project TOML among the uploaded files (``project.toml`` first, nearest the top);
    without one, ``starter`` may write one from the data files (a bare export)."""
    candidates = sorted(
        (p for p in folder.rglob("*.toml") if _is_project(p)),
        key=lambda p: (p.name != "project.toml", len(p.parts), str(p)),
    )
    if not candidates and starter is not None:
        return starter(folder)
    if not candidates:
        raise UploadError(
            "No project TOML among the uploaded files. Upload the project.toml with its data "
            "files (or a zip of the project folder)."
        )
    return candidates[0]


def validate(project_file: Path) -> Validation:
    """Load the project as the CLI does; every finding in plain words, never a traceback."""
    try:
        problem = load_problem(project_file)
    except ProjectError as exc:
        return Validation(False, [finding_dict(f) for f in exc.report.findings])
    except Exception as exc:  # ValueError, OSError, or a defect: one finding, never a 500
        return Validation(
            False,
            [
                {
                    "severity": "error",
                    "file": project_file.name,
                    "rule": "unreadable",
                    "message": f"{type(exc).__name__}: {exc}",
                    "fix": "Check the file named in the message.",
                    "ids": [],
                    "more_ids": 0,
                }
            ],
        )
    facts = {
        "name": problem.settings.name,
        "hazards": len(problem.hazards),
        "years": [int(y) for y in problem.years],
        "options": len(problem.options),
        "dependencies": len(problem.dependencies),
        "geometry": problem.geometry is not None,
    }
    return Validation(True, [finding_dict(f) for f in problem.findings], facts)


def read_doc(project_file: Path) -> tomlkit.TOMLDocument:
    return tomlkit.parse(project_file.read_text(encoding="utf-8"))


def write_doc(project_file: Path, doc: tomlkit.TOMLDocument) -> None:
    tmp = project_file.with_suffix(".toml.tmp")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    tmp.replace(project_file)


def project_title(project_file: Path, fallback: str) -> str:
    try:
        doc = tomllib.loads(project_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
        return fallback
    name = doc.get("project", {}).get("name")
    return str(name)[:200] if name else fallback


def hazard_columns(project_file: Path) -> list[str]:
    """The column names of the hazards file as exported (before the mapping)."""
    doc = tomllib.loads(project_file.read_text(encoding="utf-8"))
    rel = doc.get("data", {}).get("hazards")
    if not isinstance(rel, str):
        return []
    path = (project_file.parent / rel).resolve()
    if not path.is_relative_to(project_file.parent.resolve()) or not path.exists():
        return []
    try:
        frame = read_any(path, doc.get("data", {}).get("hazards_layer"))
    except Exception:  # an unreadable file is reported by validation, not here
        return []
    return [str(c) for c in frame.columns if str(c) != "geometry"]


def schema_columns() -> list[str]:
    return column_names("hazards")


def current_mapping(project_file: Path) -> dict[str, str]:
    doc = tomllib.loads(project_file.read_text(encoding="utf-8"))
    cols = doc.get("columns", {})
    return {str(k): str(v) for k, v in cols.items()} if isinstance(cols, dict) else {}


def set_mapping(project_file: Path, mapping: dict[str, str]) -> dict[str, str]:
    """Replace ``[columns]`` with the non-empty entries of ``mapping``; returns the change."""
    doc = read_doc(project_file)
    before = current_mapping(project_file)
    table = tomlkit.table()
    for src, dst in mapping.items():
        if dst.strip():
            table[src] = dst.strip()
    doc["columns"] = table
    write_doc(project_file, doc)
    after = {k: v.strip() for k, v in mapping.items() if v.strip()}
    return {k: after.get(k, "") for k in set(before) | set(after) if before.get(k) != after.get(k)}


def criteria(project_file: Path) -> list[dict[str, Any]]:
    doc = tomllib.loads(project_file.read_text(encoding="utf-8"))
    rows = doc.get("scoring", {}).get("criteria", [])
    return [
        {"index": i, "name": str(c.get("name", c.get("column", i))), "weight": c.get("weight", 1)}
        for i, c in enumerate(rows)
        if isinstance(c, dict)
    ]


def set_weights(project_file: Path, weights: dict[int, float]) -> dict[str, float]:
    """Set criterion weights by position; returns the changed names and new weights."""
    doc = read_doc(project_file)
    rows = doc.get("scoring", {}).get("criteria", [])
    changed: dict[str, float] = {}
    for i, w in weights.items():
        if 0 <= i < len(rows) and rows[i].get("weight") != w:
            rows[i]["weight"] = int(w) if float(w).is_integer() else w
            changed[str(rows[i].get("name", i))] = w
    write_doc(project_file, doc)
    return changed
