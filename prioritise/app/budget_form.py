"""The budget form: money available for clearance in each year of the plan.

It edits the project's budget table when that table is a plain CSV of ``year`` and
``budget_usd`` (as the samples and the starter project have); any other layout is left to be
edited in its own file, and the form says so. Years outside the horizon are kept as they are;
the table is written atomically and the project is checked again, by the library.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from prioritise.app.settings_form import FormError

COLUMNS = ["year", "budget_usd"]


def budget_file(project_file: Path) -> Path | None:
    """The budget CSV when the form can edit it (inside the project, year + budget_usd)."""
    doc = tomllib.loads(project_file.read_text(encoding="utf-8"))
    rel = doc.get("data", {}).get("budget")
    if not isinstance(rel, str) or "csv" in doc.get("data", {}):
        return None  # custom CSV options: leave the file to its author
    path = (project_file.parent / rel).resolve()
    if not path.is_relative_to(project_file.parent.resolve()) or path.suffix.lower() != ".csv":
        return None
    if not path.is_file():
        return None
    try:
        head = pd.read_csv(path, nrows=0)
    except Exception:
        return None
    return path if [str(c).strip().lower() for c in head.columns] == COLUMNS else None


def horizon(project_file: Path) -> list[int]:
    plan = tomllib.loads(project_file.read_text(encoding="utf-8")).get("plan", {})
    try:
        start, years = int(plan["start_year"]), int(plan["years"])
    except (KeyError, TypeError, ValueError):
        return []
    return list(range(start, start + max(0, min(years, 50))))


def rows(project_file: Path) -> list[tuple[int, str]]:
    """Each plan year with its amount as text ('' when the table has no row for it)."""
    path = budget_file(project_file)
    if path is None:
        return []
    table = pd.read_csv(path)
    table.columns = COLUMNS
    known = {int(y): v for y, v in zip(table["year"], table["budget_usd"], strict=True)}
    return [
        (y, f"{known[y]:.2f}".rstrip("0").rstrip(".") if y in known else "")
        for y in horizon(project_file)
    ]


def save(project_file: Path, form: Mapping[str, str]) -> dict[int, Any]:
    """Write the form's amounts; returns {year: (old, new)} for the years that changed."""
    path = budget_file(project_file)
    if path is None:
        raise FormError(
            [_problem("The budget table is not a year, budget_usd CSV: edit it in its file.")]
        )
    found = []
    amounts: dict[int, float] = {}
    for year in horizon(project_file):
        text = form.get(f"budget_{year}", "").strip().replace(",", "")
        try:
            value = float(text)
            if not math.isfinite(value) or value < 0:
                raise ValueError
            amounts[year] = value
        except ValueError:
            found.append(
                _problem(f"Budget for {year}: '{text[:40]}' is not an amount of 0 or more.")
            )
    if found:
        raise FormError(found)
    table = pd.read_csv(path)
    table.columns = COLUMNS
    old = {int(y): float(v) for y, v in zip(table["year"], table["budget_usd"], strict=True)}
    merged = {**old, **amounts}
    out = pd.DataFrame({"year": sorted(merged), "budget_usd": [merged[y] for y in sorted(merged)]})
    tmp = path.with_suffix(".csv.tmp")
    out.to_csv(tmp, index=False, float_format="%.2f")
    tmp.replace(path)
    return {y: (old.get(y), v) for y, v in amounts.items() if old.get(y) != v}


def _problem(message: str) -> dict[str, Any]:
    return {
        "severity": "error",
        "file": "form",
        "rule": "form-budget",
        "message": message,
        "fix": "Give each year's amount in the project's currency, e.g. 1250000.",
        "ids": [],
        "more_ids": 0,
    }
