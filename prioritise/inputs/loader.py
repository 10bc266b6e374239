"""The validated planning problem and the one loader that builds it.

``load_problem(path)`` reads a project TOML and its files; ``build_problem(settings, ...)``
does the checking and derivation from in-memory frames, so tests, benchmarks and scenario
runs build problems without files. Either way every finding is collected first and a
:class:`ProjectError` carries them all.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from prioritise.access.routes import check_access_settings, derive_access, merge_dependencies
from prioritise.core import schema
from prioritise.core.errors import Finding, ProjectError, ValidationReport, error, warning
from prioritise.core.graph import check_dependencies
from prioritise.core.limits import shorten
from prioritise.core.problem import Problem
from prioritise.core.settings import Settings, parse_settings
from prioritise.inputs.benefit import economic_benefit
from prioritise.inputs.checks import check_problem
from prioritise.inputs.geometry import (
    WGS84,
    areas_m2,
    check_area_crs,
    check_crs,
    check_geometry_types,
    repair_polygons,
)
from prioritise.inputs.land_release import build_options
from prioritise.inputs.readers import (
    ReadError,
    apply_column_map,
    coerce_column,
    coerce_table,
    column_map_findings,
    read_any,
    row_labels,
)
from prioritise.inputs.resources import budget_by_year, capacity_by_year, team_types
from prioritise.inputs.scoring import score_hazards
from prioritise.inputs.textfiles import CERTAIN
from prioritise.inputs.validation import id_findings, repeated_team_rows, suspicious_values


def load_problem(
    path: str | Path, strict: bool = False, *, ignore_deadline: bool = False
) -> Problem:
    """Read and validate a project TOML and every file it names.

    ``ignore_deadline`` loads the project as if it had no ``[plan] deadline_year``: the
    deadline analysis sets the year itself, and must load a project whose own deadline is
    out of reach (which is otherwise an error) in order to say what reaching it would take.
    """
    path = Path(path)
    report = ValidationReport()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        report.add(
            error(
                path.name,
                "missing-file",
                f"Project file {path} does not exist.",
                "Give the path of a project TOML.",
            )
        )
        raise ProjectError(report) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        report.add(
            error(
                path.name,
                "toml-syntax",
                f"The project file is not valid TOML: {exc}.",
                "Fix the line named in the message.",
            )
        )
        raise ProjectError(report) from None
    settings = _settings(doc, path, report)
    if settings is None:
        raise ProjectError(report)
    if ignore_deadline:
        settings = replace(settings, plan=replace(settings.plan, deadline_year=None))
    data = settings.data
    csv = data.csv.as_options()
    hazards = _read(data.hazards, report, data.hazards_layer, csv)
    teams = _read(data.teams, report, options=csv)
    budget = _read(data.budget, report, options=csv)
    deps = _read(data.dependencies, report, options=csv) if data.dependencies else None
    locks = _read(data.locks, report, options=csv) if data.locks else None
    provinces = _read(data.provinces, report) if data.provinces else None
    if hazards is None or teams is None or budget is None or report.errors:
        raise ProjectError(report)
    if data.roads is not None:
        deps = _derive_access(settings, hazards, deps, report)
    problem = build_problem(
        settings,
        hazards,
        teams,
        budget,
        deps,
        locks,
        provinces if isinstance(provinces, gpd.GeoDataFrame) else None,
        report=report,
        strict=strict,
    )
    return problem.replace(source=path.resolve())


def _settings(doc: dict[str, Any], path: Path, report: ValidationReport) -> Settings | None:
    """The project's settings, with findings about them and about the files they name."""
    settings, found = parse_settings(doc, path)
    report.extend(found)
    if settings is None:
        return None
    if "access" in doc:
        report.extend(check_access_settings(settings.access, path.name))
    return None if report.errors else settings


def _read(
    path: Path | None,
    report: ValidationReport,
    layer: str | None = None,
    options: Mapping[str, str] | None = None,
) -> pd.DataFrame | None:
    """One input table, or None with a finding that says why and what to do."""
    if path is None:
        return None
    try:
        frame = read_any(path, layer, options)
    except ReadError as exc:
        report.add(error(path.name, exc.rule, exc.message, exc.fix))
        return None
    except Exception as exc:  # any other reader failure becomes a finding, never a traceback
        report.add(
            error(
                path.name,
                "unreadable-file",
                f"Could not read {path.name}: {type(exc).__name__}: {shorten(str(exc), 200)}",
                "Check the file opens in a spreadsheet or GIS program.",
            )
        )
        return None
    encoding = frame.attrs.get("encoding")
    if encoding is not None and encoding not in CERTAIN:
        report.add(
            warning(
                path.name,
                "text-encoding",
                f"{path.name} is not UTF-8; it was read as {encoding}.",
                "If names look wrong, save it as UTF-8 or set [data] csv = "
                '{ encoding = "..." } (e.g. "cp1251" for Cyrillic).',
            )
        )
    return frame


def _derive_access(
    settings: Settings,
    hazards: pd.DataFrame,
    explicit: pd.DataFrame | None,
    report: ValidationReport,
) -> pd.DataFrame | None:
    """Dependencies derived from roads and bases, merged with the explicit ones."""

    derived = _access_result(settings, hazards, report)
    if derived is None:
        return explicit
    result, ignore = derived
    merged, found = merge_dependencies(result.edges, explicit, ignore)
    report.extend(found)
    return merged


def load_access(path: str | Path) -> Any:
    """Derive access dependencies for a project (``prioritise access``); an AccessResult.

    Raises ProjectError when the project or its road data cannot be read.
    """
    path = Path(path)
    report = ValidationReport()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        report.add(error(path.name, "toml-syntax", f"Cannot read the project file: {exc}."))
        raise ProjectError(report) from None
    settings = _settings(doc, path, report)
    if settings is None or report.errors:
        raise ProjectError(report)
    if settings.data.roads is None:
        report.add(
            error(
                path.name,
                "access-no-roads",
                "The project names no road layer.",
                'Add [data] roads = "roads.gpkg" (and bases = "bases.geojson").',
            )
        )
        raise ProjectError(report)
    hazards = _read(
        settings.data.hazards, report, settings.data.hazards_layer, settings.data.csv.as_options()
    )
    derived = None if hazards is None else _access_result(settings, hazards, report)
    if derived is None or report.errors:
        raise ProjectError(report)
    return derived[0]


def _access_result(
    settings: Settings, hazards: pd.DataFrame, report: ValidationReport
) -> tuple[Any, pd.DataFrame | None] | None:
    """Run the road-network derivation; None (with findings) when it cannot run."""

    file = f"{settings.data.hazards.name}"
    access_settings = settings.access
    roads = _read(settings.data.roads, report)
    bases = _read(settings.data.bases, report) if settings.data.bases else None
    if not isinstance(hazards, gpd.GeoDataFrame) or not isinstance(roads, gpd.GeoDataFrame):
        report.add(
            error(
                file,
                "access-geometry",
                "Deriving access from roads needs hazard polygons and a road line layer.",
                "Give hazards with geometry, or remove [data] roads.",
            )
        )
        return None
    if report.errors:
        return None
    frame = apply_column_map(hazards, settings.columns, schema.HAZARDS)
    if "hazard_id" not in frame.columns:  # reported by the hazards check; nothing to derive
        return None
    result = derive_access(
        frame[["hazard_id", "geometry"]].astype({"hazard_id": str}),
        roads,
        bases if isinstance(bases, gpd.GeoDataFrame) else None,
        access_settings,
    )
    report.extend(result.findings)
    ignore = _read(access_settings.ignore, report) if access_settings.ignore else None
    return result, ignore


def build_problem(  # noqa: PLR0913 - the public signature: three tables, three optional ones
    settings: Settings,
    hazards: pd.DataFrame,
    teams: pd.DataFrame,
    budget: pd.DataFrame,
    dependencies: pd.DataFrame | None = None,
    locks: pd.DataFrame | None = None,
    provinces: gpd.GeoDataFrame | None = None,
    report: ValidationReport | None = None,
    strict: bool = False,
) -> Problem:
    """Validate in-memory input tables and derive the problem; raise with every finding."""
    report = report or ValidationReport()
    data = settings.data
    frame, geometry, contributions = _hazard_table(settings, hazards, report)
    # Each table is checked as far as it can be, so one report lists everything at once.
    types, capacity, budget_series = _resources(settings, teams, budget, report)
    deps = _dependencies(dependencies, frame["hazard_id"], data, report)
    frame = _apply_locks(frame, locks, settings, report)
    report.extend(check_area_crs(data.area_crs, "project TOML"))
    report.extend(suspicious_values(frame, settings, data.hazards.name))
    if report.errors:
        raise ProjectError(report)
    options = _options(frame, settings, types, report)
    problem = Problem(
        settings=settings,
        hazards=frame,
        contributions=contributions.reset_index(drop=True),
        options=options,
        team_types=types,
        capacity=capacity,
        budget=budget_series,
        dependencies=deps,
        geometry=geometry,
        provinces=provinces,
        findings=tuple(report.findings),
    )
    if not report.errors:
        report.extend(check_problem(problem))
    if not report.ok(strict):
        raise ProjectError(report, strict=strict)
    return replace(problem, findings=tuple(report.findings))


def _hazard_table(
    settings: Settings, hazards: pd.DataFrame, report: ValidationReport
) -> tuple[pd.DataFrame, gpd.GeoSeries | None, pd.DataFrame]:
    """The coerced, checked hazard rows, their geometry and their impact contributions;
    raises ProjectError when a cell or column cannot be read (nothing later would be)."""
    h_file = settings.data.hazards.name
    report.extend(column_map_findings(hazards, settings.columns, h_file))
    frame = apply_column_map(hazards, settings.columns, schema.HAZARDS)
    if len(frame) == 0:
        report.add(
            error(
                h_file,
                "no-hazards",
                "The hazards table has a header but no rows: there is nothing to plan.",
                "Check it is the right file (or the right [data] hazards_layer).",
            )
        )
        raise ProjectError(report)
    geometry, found = _hazard_geometry(frame, settings, h_file)
    report.extend(found)
    frame = _coerce_hazards(frame, h_file, report)
    if report.errors:
        raise ProjectError(report)
    frame = frame.reset_index(drop=True)
    report.extend(_check_hazards(frame, h_file))
    geometry = _areas_from_geometry(frame, geometry, settings, report)
    contributions = _impact(frame, hazards, settings, report)
    report.extend(economic_benefit(frame, settings))
    return frame, geometry, contributions


def _coerce_hazards(frame: pd.DataFrame, file: str, report: ValidationReport) -> pd.DataFrame:
    """Schema columns and the days_<team_type> estimates, coerced with every bad cell named."""
    extra_days = [
        c for c in frame.columns if isinstance(c, str) and c.startswith(schema.DAYS_PREFIX)
    ]
    plain = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    plain.attrs.update(frame.attrs)
    out, found = coerce_table(plain, schema.HAZARDS, file, id_column="hazard_id")
    report.extend(found)
    decimal = str(frame.attrs.get("decimal", "auto"))
    for col in extra_days:
        values, bad = coerce_column(out[col], "float", decimal)
        out[col] = values
        if bad.any():
            report.add(
                error(
                    file,
                    "bad-value",
                    f"Column '{col}' must be a finite number of team-days.",
                    "Correct the listed rows.",
                    row_labels(out["hazard_id"], bad),
                )
            )
    return out


def _areas_from_geometry(
    frame: pd.DataFrame,
    geometry: gpd.GeoSeries | None,
    settings: Settings,
    report: ValidationReport,
) -> gpd.GeoSeries | None:
    """Fill area_m2 from polygons (a given area wins, with a warning); points from lon/lat."""
    if geometry is not None:
        geometry = geometry.reset_index(drop=True)
        computed = areas_m2(geometry, settings.data.area_crs)
        given = frame["area_m2"].notna()
        frame["area_m2"] = frame["area_m2"].where(given, pd.Series(computed, index=frame.index))
        if given.any():
            report.add(
                warning(
                    settings.data.hazards.name,
                    "area-given",
                    f"{int(given.sum())} hazard(s) carry "
                    "area_m2 as well as a geometry; the given area is used.",
                    "Drop area_m2 to use the polygon's area.",
                )
            )
        return geometry
    pts = frame[["lon", "lat"]].notna().all(axis=1)
    if not pts.any():
        return None
    points = gpd.GeoSeries(gpd.points_from_xy(frame["lon"], frame["lat"]), crs=WGS84)
    points[~pts] = None
    return points


def _impact(
    frame: pd.DataFrame, raw: pd.DataFrame, settings: Settings, report: ValidationReport
) -> pd.DataFrame:
    """Set frame['impact'] (given, or scored from criteria); return the contributions."""
    h_file = settings.data.hazards.name
    if settings.scoring.criteria:
        if raw.columns.isin(["impact"]).any() and frame["impact"].notna().any():
            report.add(
                warning(
                    h_file,
                    "impact-replaced",
                    "The hazards have an impact column "
                    "but [scoring] criteria are declared; the criteria are used.",
                    "Remove [scoring] criteria to use the column.",
                )
            )
        impact, contributions, found = score_hazards(frame, settings.scoring, h_file)
        report.extend(found)
        frame["impact"] = impact
    else:
        missing = frame["impact"].isna()
        if missing.any() and settings.plan.objective == "npv":
            # NPV plans rank by money; impact-years are then only reported, over the rows given.
            frame["impact"] = frame["impact"].fillna(0.0)
            report.add(
                warning(
                    h_file,
                    "impact-not-given",
                    f"{int(missing.sum())} hazard(s) have no impact score: objective = 'npv' "
                    "plans without it, and their impact-years count as 0 in the reports.",
                    "Give an impact column or [[scoring.criteria]] to report impact-years.",
                    frame.loc[missing, "hazard_id"],
                )
            )
        elif missing.any():
            report.add(
                error(
                    h_file,
                    "missing-impact",
                    "Hazards have no impact score and no [scoring] criteria are declared.",
                    "Give an impact column or declare [[scoring.criteria]] in the project.",
                    frame.loc[missing, "hazard_id"],
                )
            )
        contributions = pd.DataFrame({"impact (given)": frame["impact"]})
    contributions.insert(0, "hazard_id", frame["hazard_id"])
    return contributions


def _resources(
    settings: Settings, teams: pd.DataFrame, budget: pd.DataFrame, report: ValidationReport
) -> tuple[Any, Any, Any]:
    """Team types, team-days per year and budget per year (None where a table is broken)."""
    data, years = settings.data, settings.plan.horizon
    t_file, b_file = data.teams.name, data.budget.name
    types = capacity = budget_series = None
    teams_frame, teams_found = coerce_table(teams, schema.TEAMS, t_file, id_column="team_type")
    report.extend(teams_found)
    budget_frame, budget_found = coerce_table(budget, schema.BUDGET, b_file)
    report.extend(budget_found)
    if not any(f.severity == "error" for f in teams_found):
        report.extend(repeated_team_rows(teams_frame, t_file))
        types, found = team_types(teams_frame, t_file)
        report.extend(found)
        capacity, found = capacity_by_year(teams_frame, years, t_file)
        report.extend(found)
    if not any(f.severity == "error" for f in budget_found):
        budget_series, found = budget_by_year(budget_frame, years, b_file)
        report.extend(found)
    return types, capacity, budget_series


def _options(
    frame: pd.DataFrame, settings: Settings, types: pd.DataFrame, report: ValidationReport
) -> pd.DataFrame:
    """Every (hazard, method, operator) option; a warning names hazards with none."""
    h_file = settings.data.hazards.name
    options, found = build_options(frame, settings.methods, types, h_file)
    report.extend(found)
    no_option = ~frame.index.isin(options["hazard"])
    if no_option.any() and not report.errors:
        report.add(
            warning(
                h_file,
                "no-eligible-method",
                "No method can release these hazards "
                "(method filters by hazard_type/class, or missing teams); they stay "
                "unscheduled.",
                "Widen the methods' hazard_types/classes.",
                frame.loc[no_option, "hazard_id"],
            )
        )
    return options


def _hazard_geometry(
    frame: pd.DataFrame, settings: Settings, file: str
) -> tuple[gpd.GeoSeries | None, list[Finding]]:
    if not isinstance(frame, gpd.GeoDataFrame) or "geometry" not in frame.columns:
        return None, []
    findings: list[Finding] = []
    gdf, found = check_crs(frame, file, settings.data.crs)
    findings.extend(found)
    if gdf is None:
        return None, findings
    ids = (
        frame["hazard_id"].astype(str)
        if "hazard_id" in frame.columns
        else pd.Series([f"row {i + 2}" for i in range(len(frame))])
    )
    ids = ids.reset_index(drop=True)
    geoms, found = repair_polygons(gdf.geometry, ids, file)
    findings.extend(found)
    area = (
        pd.to_numeric(frame["area_m2"], errors="coerce").notna().to_numpy()
        if "area_m2" in frame.columns
        else np.zeros(len(frame), dtype=bool)
    )
    findings.extend(check_geometry_types(geoms, ids, area, file))
    return geoms.to_crs(WGS84), findings


def _check_hazards(frame: pd.DataFrame, file: str) -> list[Finding]:
    findings: list[Finding] = []
    ids = frame["hazard_id"]
    missing = ids.isna()
    if missing.any():
        findings.append(
            error(
                file,
                "missing-id",
                "Rows have no hazard_id.",
                "Give every row a unique id.",
                row_labels(None, missing),
            )
        )
    findings.extend(id_findings(ids, file))
    dup = ids.duplicated(keep=False) & ~missing
    if dup.any():
        findings.append(
            error(
                file,
                "duplicate-id",
                "hazard_id values are not unique.",
                "Give each hazard its own id (merge or rename duplicates).",
                sorted(ids[dup].unique()),
            )
        )
    no_province = frame["province"].isna()
    if no_province.any():
        findings.append(
            error(
                file,
                "missing-province",
                "Hazards have no province.",
                "Fill the province column.",
                ids[no_province],
            )
        )
    for col, what in (
        ("area_m2", "area"),
        ("impact", "impact"),
        ("cost_usd", "cost_usd"),
        ("beneficiaries", "beneficiaries"),
    ):
        negative = frame[col] < 0
        if negative.any():
            findings.append(
                error(
                    file,
                    f"negative-{col}",
                    f"Hazards have a negative {what}.",
                    f"Correct {col} for the listed hazards.",
                    ids[negative],
                )
            )
    zero_area = frame["area_m2"] == 0
    if zero_area.any():
        findings.append(
            warning(
                file,
                "zero-area",
                "Hazards have an area of 0 m².",
                "Check the area or polygon.",
                ids[zero_area],
            )
        )
    for col in ("cancel_fraction", "reduce_fraction", "env_sensitivity"):
        out = (frame[col] < 0) | (frame[col] > 1)
        if out.any():
            findings.append(
                error(
                    file,
                    f"range-{col}",
                    f"{col} must lie in 0..1.",
                    "Give fractions, e.g. 0.4 for 40%.",
                    ids[out],
                )
            )
    over = frame["cancel_fraction"] + frame["reduce_fraction"] > 1
    if over.any():
        findings.append(
            error(
                file,
                "fractions-sum",
                "cancel_fraction + reduce_fraction exceeds 1.",
                "The two shares of one area cannot add to more than 100%.",
                ids[over],
            )
        )
    cha_cancel = (frame["hazard_class"].str.upper() == "CHA") & (frame["cancel_fraction"] > 0)
    if cha_cancel.any():
        findings.append(
            warning(
                file,
                "cha-cancel",
                "Confirmed hazards (CHA) carry a "
                "cancellation fraction; cancellation applies to suspected areas.",
                "Check hazard_class or cancel_fraction.",
                ids[cha_cancel],
            )
        )
    bad_class = ~frame["hazard_class"].str.upper().isin(["SHA", "CHA"])
    if bad_class.any():
        findings.append(
            warning(
                file,
                "hazard-class",
                "hazard_class is neither SHA nor CHA.",
                "Use SHA or CHA.",
                ids[bad_class],
            )
        )
    return findings


def _dependencies(
    edges: pd.DataFrame | None, ids: pd.Series, data: object, report: ValidationReport
) -> pd.DataFrame:
    empty = pd.DataFrame(
        {
            "hazard_id": pd.Series(dtype=object),
            "requires": pd.Series(dtype=object),
            "source": pd.Series(dtype=object),
        }
    )
    if edges is None:
        return empty
    file = getattr(data, "dependencies", None)
    name = file.name if isinstance(file, Path) else "dependencies"
    frame, found = coerce_table(edges, schema.DEPENDENCIES, name)
    report.extend(found)
    if found and any(f.severity == "error" for f in found):
        return empty
    if "source" not in frame.columns:
        frame["source"] = "explicit"
    usable, found = check_dependencies(frame, ids, name)
    report.extend(found)
    return usable[["hazard_id", "requires", "source"]]


def _apply_locks(
    frame: pd.DataFrame, locks: pd.DataFrame | None, settings: Settings, report: ValidationReport
) -> pd.DataFrame:
    """Merge a locks file into the hazard columns ``lock``/``lock_year`` and check both."""
    h_file = settings.data.hazards.name
    out = frame.copy()
    if locks is not None:
        l_file = settings.data.locks.name if settings.data.locks else "locks"
        lk, found = coerce_table(locks, schema.LOCKS, l_file)
        report.extend(found)
        if not found:
            unknown = ~lk["hazard_id"].isin(out["hazard_id"])
            if unknown.any():
                report.add(
                    error(
                        l_file,
                        "lock-unknown-id",
                        "Locks name unknown hazards.",
                        "Correct the ids.",
                        lk.loc[unknown, "hazard_id"],
                    )
                )
            dup = lk["hazard_id"].duplicated(keep=False)
            if dup.any():
                report.add(
                    error(
                        l_file,
                        "lock-conflict",
                        "A hazard has more than one lock.",
                        "Keep one lock per hazard.",
                        sorted(lk.loc[dup, "hazard_id"]),
                    )
                )
            lk = lk[~unknown & ~dup].set_index("hazard_id")
            pos = out["hazard_id"].map(lambda i: i in lk.index)
            existing = out.loc[pos, "lock"].astype(str).str.strip()
            clash = (existing != "") & (
                existing.to_numpy() != lk.loc[out.loc[pos, "hazard_id"], "lock"].to_numpy()
            )
            if clash.any():
                report.add(
                    error(
                        l_file,
                        "lock-conflict",
                        "The locks file contradicts the hazards' lock column.",
                        "Keep the lock in one place.",
                        out.loc[pos, "hazard_id"][clash],
                    )
                )
            out.loc[pos, "lock"] = lk.loc[out.loc[pos, "hazard_id"], "lock"].to_numpy()
            out.loc[pos, "lock_year"] = lk.loc[out.loc[pos, "hazard_id"], "year"].to_numpy()
    out["lock"] = out["lock"].fillna("").astype(str).str.strip().str.lower()
    bad = ~out["lock"].isin(["", "must", "must_not"])
    if bad.any():
        report.add(
            error(
                h_file,
                "lock-value",
                "lock must be 'must', 'must_not' or blank.",
                "Correct the listed hazards.",
                out.loc[bad, "hazard_id"],
            )
        )
    year_without_must = out["lock_year"].notna() & (out["lock"] != "must")
    if year_without_must.any():
        report.add(
            error(
                h_file,
                "lock-year",
                "lock_year is set on hazards not locked 'must'.",
                "Set lock = must or clear lock_year.",
                out.loc[year_without_must, "hazard_id"],
            )
        )
    years = settings.plan.horizon
    outside = out["lock_year"].notna() & ~out["lock_year"].isin(years)
    if outside.any():
        report.add(
            error(
                h_file,
                "lock-year-outside",
                f"lock_year is outside the horizon {years[0]}-{years[-1]}.",
                "Move the lock into the horizon.",
                out.loc[outside, "hazard_id"],
            )
        )
    deadline = settings.plan.deadline_year
    if deadline is not None:
        late = out["article5"] & out["lock_year"].notna() & (out["lock_year"] > deadline)
        if late.any():
            report.add(
                error(
                    h_file,
                    "lock-after-deadline",
                    f"Article 5 hazards are locked to a year after the deadline {deadline}.",
                    "Move the lock year to the deadline or earlier.",
                    out.loc[late, "hazard_id"],
                )
            )
        barred = out["article5"] & (out["lock"] == "must_not")
        if barred.any():
            report.add(
                error(
                    h_file,
                    "lock-vs-deadline",
                    "Article 5 hazards are locked must_not, but the deadline requires them.",
                    "Remove the lock or the deadline.",
                    out.loc[barred, "hazard_id"],
                )
            )
    out["lock_year"] = out["lock_year"].astype("Int64").astype(float)
    return out
