"""Project TOML document -> :class:`Settings`, with every finding about it.

Each top-level table is validated on its own (so a bad ``[solver]`` does not hide a bad
``[plan]``), pydantic's errors become findings worded as before (``[plan] years = 60 must be
<= 50``, rule ``plan-years``), and the checks that span several keys (a deadline inside the
horizon, weights that are not all zero, equity shares summing to at most 1) run on the tables
that are valid; last, unless ``check_files=False``, the files named in ``[data]`` must exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from prioritise.core.errors import Finding, ProjectError, ValidationReport, error
from prioritise.core.limits import shorten
from prioritise.core.settings.adapter import (
    CHOICE,
    FINITE,
    KEY,
    MISSING,
    RANGE,
    TABLE,
    UNKNOWN,
    Issue,
    Loc,
    table_fields,
    validate,
)
from prioritise.core.settings.models import (
    DEFAULT_METHODS,
    AccessSettings,
    ConstraintSettings,
    ConstraintsTable,
    Criterion,
    DataSettings,
    MethodSettings,
    MethodTable,
    PlanSettings,
    ProjectFile,
    ProjectTable,
    ScoringSettings,
    ScoringTable,
    Settings,
)

# Tables a project must have; the others default when absent.
REQUIRED = ("plan", "data")


def parse_settings(
    doc: Mapping[str, Any], toml_path: Path, check_files: bool = True
) -> tuple[Settings | None, list[Finding]]:
    """Typed settings from a parsed TOML document, plus every finding about it.

    Paths in ``[data]`` and ``[access] ignore`` are made absolute against the TOML's folder.
    ``check_files=False`` skips the existence check of [data] paths, for problems built
    from in-memory tables (tests, benchmarks, scenario runs).
    """
    file = toml_path.name
    tables, found = validate_tables(doc)
    findings = settings_findings(found, file)
    findings += cross_checks(tables, file)
    root = toml_path.parent.resolve()
    if check_files and tables["data"] is not None:
        findings += missing_files(resolve_paths(tables["data"], root), file)
    if any(v is None for v in tables.values()) or any(f.severity == "error" for f in findings):
        return None, findings
    return build_settings(tables, toml_path), findings


def resolve_paths(data: DataSettings, root: Path) -> DataSettings:
    """``data`` with every path made absolute against ``root`` (the TOML's folder)."""
    paths: dict[str, Any] = {
        f.name: (root / value).resolve()
        for f in dataclasses.fields(DataSettings)
        if isinstance(value := getattr(data, f.name), Path)
    }
    return dataclasses.replace(data, **paths)


def missing_files(data: DataSettings, file: str) -> list[Finding]:
    """Every [data] path (already absolute) that does not exist."""
    findings = []
    for f in dataclasses.fields(data):
        value = getattr(data, f.name)
        if isinstance(value, Path) and not value.exists():
            findings.append(
                error(
                    file,
                    "missing-file",
                    f"[data] {f.name} = '{value.name}' does not exist ({value}).",
                    "Paths are relative to the project TOML's folder.",
                )
            )
    return findings


def validate_tables(doc: Mapping[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
    """Each top-level table validated on its own: the valid ones, and every issue."""
    hints = table_fields(ProjectFile)
    found = [
        Issue(UNKNOWN, (key,), 0, choices=tuple(sorted(hints))) for key in doc if key not in hints
    ]
    defaults = {f.name: f for f in dataclasses.fields(ProjectFile)}
    tables: dict[str, Any] = {}
    for name, kind in hints.items():
        if name not in doc and name not in REQUIRED:
            field = defaults[name]
            factory = field.default_factory
            tables[name] = factory() if callable(factory) else field.default
            continue
        value, issues = validate(kind, doc.get(name, {}), (name,))
        tables[name] = value
        found += issues
    return tables, found


def build_settings(tables: Mapping[str, Any], toml_path: Path) -> Settings:
    """The engine's view of validated tables: absolute paths, named methods, flat shares.

    A table that needs no conversion (``[plan]``, ``[solver]``, any new one) is passed on as
    validated: adding a table is a dataclass in ``models`` plus one field in ``ProjectFile``
    and one in ``Settings`` with the same name.
    """
    root = toml_path.parent.resolve()
    project: ProjectTable = tables["project"]
    default_name = toml_path.parent.name if toml_path.stem == "project" else toml_path.stem
    access: AccessSettings = tables["access"]
    if access.ignore is not None:
        access = dataclasses.replace(access, ignore=(root / access.ignore).resolve())
    converted: dict[str, Any] = {
        "name": project.name if project.name is not None else default_name,
        "root": root,
        "data": resolve_paths(tables["data"], root),
        "columns": dict(tables["columns"]),
        "methods": _methods(tables["methods"]),
        "scoring": _scoring(tables["scoring"]),
        "constraints": _constraints(tables["constraints"]),
        "access": access,
    }
    same = {f.name for f in dataclasses.fields(Settings)} - set(converted)
    return Settings(**converted, **{name: tables[name] for name in same})


def _methods(table: Mapping[str, MethodTable]) -> tuple[MethodSettings, ...]:
    if not table:
        return DEFAULT_METHODS
    return tuple(
        MethodSettings(
            name=name,
            label=spec.label if spec.label is not None else name,
            productivity={k: float(v) for k, v in spec.productivity.items()},
            survey_productivity={k: float(v) for k, v in spec.survey_productivity.items()},
            cost_per_m2=float(spec.cost_per_m2),
            disturbance=float(spec.disturbance),
            hazard_types=tuple(spec.hazard_types),
            classes=tuple(c.upper() for c in spec.classes),
        )
        for name, spec in table.items()
    )


def _scoring(table: ScoringTable) -> ScoringSettings:
    criteria = []
    for spec in table.criteria:
        kind = spec.type or ("categorical" if spec.points else "numeric")
        criteria.append(
            Criterion(
                name=spec.name if spec.name is not None else spec.column,
                column=spec.column,
                weight=float(spec.weight),
                kind=kind,
                normalise=spec.normalise,
                points={k: float(v) for k, v in spec.points.items()}
                if kind == "categorical"
                else {},
                higher_is_better=spec.higher_is_better,
            )
        )
    return ScoringSettings(tuple(criteria), float(table.scale))


def _constraints(table: ConstraintsTable) -> ConstraintSettings:
    share = table.equity.min_share
    local = float(table.localisation.min_national_share)
    if isinstance(share, Mapping):
        return ConstraintSettings({k: float(v) for k, v in share.items()}, 0.0, local)
    return ConstraintSettings({}, float(share), local)


# --- checks across keys ---------------------------------------------------------------------


def cross_checks(tables: Mapping[str, Any], file: str) -> list[Finding]:
    """Rules that span several keys, on the tables that are valid."""
    findings: list[Finding] = []
    plan: PlanSettings | None = tables.get("plan")
    if plan is not None and plan.deadline_year is not None:
        start, end = plan.start_year, plan.start_year + plan.years - 1
        if not start <= plan.deadline_year <= end:
            findings.append(
                error(
                    file,
                    "plan-deadline",
                    f"[plan] deadline_year = {plan.deadline_year} is outside the horizon "
                    f"{start}-{end}.",
                    "Move the deadline into the horizon or extend [plan] years.",
                )
            )
    if plan is not None and plan.benefit_years == "perpetual" and plan.discount_rate <= 0:
        findings.append(
            error(
                file,
                "plan-benefit-years",
                '[plan] benefit_years = "perpetual" needs a discount_rate above 0 (an '
                "undiscounted benefit for ever is infinite).",
                "Set discount_rate (e.g. 0.03) or give benefit_years as a number of years.",
            )
        )
    scoring: ScoringTable | None = tables.get("scoring")
    if scoring is not None:
        findings += _scoring_checks(scoring, file)
    constraints: ConstraintsTable | None = tables.get("constraints")
    share = None if constraints is None else constraints.equity.min_share
    if isinstance(share, Mapping) and sum(share.values()) > 1:
        findings.append(
            error(
                file,
                "equity-share",
                "[constraints.equity] min_share: the provinces' shares sum to "
                f"{sum(share.values()):g}, more than 1.",
                "Give shares as fractions, e.g. 0.1, summing to at most 1.",
            )
        )
    return findings


def _scoring_checks(scoring: ScoringTable, file: str) -> list[Finding]:
    findings = []
    for i, spec in enumerate(scoring.criteria):
        categorical = spec.type == "categorical" or (spec.type is None and spec.points)
        if categorical and not spec.points:
            where = f"[scoring.criteria #{i + 1}] points"
            findings.append(
                error(
                    file,
                    "toml-type",
                    f"{where} must map categories to points.",
                    f"Write {where} = {{ agriculture = 1.0, forest = 0.2 }}.",
                )
            )
    if scoring.criteria and sum(c.weight for c in scoring.criteria) <= 0:
        findings.append(
            error(
                file,
                "criterion-weight",
                "All scoring weights are zero.",
                "Give at least one criterion a positive weight.",
            )
        )
    return findings


# --- wording ----------------------------------------------------------------------------------


def section(table: Loc) -> str:
    """``("scoring", "criteria", 0)`` -> ``scoring.criteria #1``; ``()`` -> ``top level``."""
    text = ""
    for part in table:
        text += f" #{part + 1}" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "top level"


def key_path(key: Loc) -> str:
    return ".".join(f"#{p + 1}" if isinstance(p, int) else shorten(str(p)) for p in key)


def settings_findings(issues: Iterable[Issue], file: str) -> list[Finding]:
    """Issues worded as project-file findings: ``[table] key = value ...``, rule and fix.

    Unknown keys are gathered into one finding per table, listing the allowed keys.
    """
    issues = list(issues)
    findings: list[Finding] = []
    unknown: dict[Loc, list[Issue]] = {}
    for issue in issues:
        if issue.kind == UNKNOWN:
            unknown.setdefault(issue.table, []).append(issue)
    for table, group in unknown.items():
        keys = ", ".join(key_path(i.key) for i in group)
        rule = group[0].rule  # a table may name its own rule ([data.csv]: toml-csv)
        findings.append(
            error(
                file,
                rule.name if rule else "toml-unknown-key",
                f"Unknown key(s) in [{section(table)}]: {keys}.",
                f"Allowed keys: {', '.join(group[0].choices)}.",
            )
        )
    findings += [_finding(i, file) for i in issues if i.kind != UNKNOWN]
    return findings


def _finding(issue: Issue, file: str) -> Finding:
    where, key = f"[{section(issue.table)}]", key_path(issue.key)
    rule = issue.rule.name if issue.rule else "toml-value"
    fix = issue.rule.fix if issue.rule else ""
    if issue.kind == MISSING:
        return error(
            file, "toml-missing-key", f"{where} needs '{key}'.", f"Add {key} = ... under {where}."
        )
    if issue.kind == TABLE:
        return error(
            file, "toml-type", f"{where} must be a table.", f"Write it as a {where} section."
        )
    if issue.kind == FINITE:
        return error(
            file,
            "toml-value",
            f"{where} {key} = {issue.plain} is not a finite number.",
            fix or "inf and nan are not allowed: give a finite number.",
        )
    if issue.kind == RANGE:
        return error(file, rule, f"{where} {key} = {issue.shown} must be {issue.bound}.", fix)
    if issue.kind == CHOICE:
        options = ", ".join(issue.choices)
        return error(
            file,
            rule,
            f"{where} {key} = {issue.shown} is not one of {options}.",
            fix or f"Use one of {options}.",
        )
    if issue.kind == KEY:
        return error(file, "toml-type", f"{where} {key} is not a year.")
    return error(
        file,
        "toml-type",
        f"{where} {key} = {issue.shown} is not {issue.expected}.",
        f"Give {key} as {issue.expected}.",
    )


def settings_from_dict(doc: Mapping[str, Any], root: Path | None = None) -> Settings:
    """Settings for an in-memory project; raises ProjectError listing every finding.

    ``[data]`` may be omitted: placeholder names are used for messages.
    """
    full = dict(doc)
    full.setdefault("data", {"hazards": "hazards", "teams": "teams", "budget": "budget"})
    settings, findings = parse_settings(
        full, (root or Path.cwd()) / "project.toml", check_files=False
    )
    report = ValidationReport(findings)
    if settings is None or report.errors:
        raise ProjectError(report)
    return settings
