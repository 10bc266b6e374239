"""Project settings: the scalar part of a planning project, parsed from its TOML file.

Parsing collects findings instead of raising, so a project with a bad key and a missing file
reports both. Unknown keys are errors: a misspelt ``discount_rat`` silently ignored would
change a plan without anyone knowing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from prioritise.core.errors import Finding, ProjectError, ValidationReport, error
from prioritise.core.limits import YEAR

CSV_KEYS = {"delimiter", "decimal", "encoding"}

NORMALISATIONS = ("minmax", "log", "rank", "none")
SOLVERS = ("highs", "cbc")
PRECEDENCE_FORMULATIONS = ("by", "cumulative", "aggregated")


@dataclass(frozen=True)
class PlanSettings:
    start_year: int
    years: int
    discount_rate: float = 0.0
    carry_over: bool = False
    deadline_year: int | None = None
    environment_weight: float = 0.0

    @property
    def horizon(self) -> list[int]:
        return list(range(self.start_year, self.start_year + self.years))


@dataclass(frozen=True)
class DataSettings:
    """Paths (absolute, resolved against the TOML's folder) and reading options."""

    hazards: Path
    teams: Path
    budget: Path
    dependencies: Path | None = None
    locks: Path | None = None
    provinces: Path | None = None
    roads: Path | None = None
    bases: Path | None = None
    hazards_layer: str | None = None
    crs: str | None = None
    area_crs: str = "geodesic"
    # How to read CSV files when detection is not enough: delimiter, decimal, encoding.
    csv: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MethodSettings:
    """A land-release method: which kinds of team work on it, how fast, and its footprint.

    ``productivity`` maps a team kind to m² per team-day over the area the method clears.
    ``survey_productivity`` maps a kind to m² per team-day over the whole area surveyed
    first; a method with survey clears only the expected remaining area after cancellation
    and reduction.
    """

    name: str
    label: str
    productivity: Mapping[str, float]
    survey_productivity: Mapping[str, float] = field(default_factory=dict)
    cost_per_m2: float = 0.0
    disturbance: float = 0.0
    hazard_types: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()

    @property
    def surveys(self) -> bool:
        return bool(self.survey_productivity)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.productivity) | set(self.survey_productivity)))


@dataclass(frozen=True)
class Criterion:
    """One scoring criterion: a column, its weight, and how values become 0..1 scores."""

    name: str
    column: str
    weight: float
    kind: str = "numeric"  # numeric | categorical | boolean
    normalise: str = "minmax"
    points: Mapping[str, float] = field(default_factory=dict)
    higher_is_better: bool = True


@dataclass(frozen=True)
class ScoringSettings:
    criteria: tuple[Criterion, ...] = ()
    scale: float = 100.0


@dataclass(frozen=True)
class ConstraintSettings:
    equity_min_share: Mapping[str, float] = field(default_factory=dict)
    equity_default_share: float = 0.0
    localisation_min_share: float = 0.0


@dataclass(frozen=True)
class SolverSettings:
    name: str = "highs"
    time_limit: float = 60.0
    gap: float = 0.005
    threads: int = 0
    precedence: str = "by"
    objective: str = "completion"  # completion (y, continuous) or assignment (x, binary)


@dataclass(frozen=True)
class Settings:
    """Everything a project's TOML says, typed."""

    name: str
    root: Path
    plan: PlanSettings
    data: DataSettings
    columns: Mapping[str, str]
    methods: tuple[MethodSettings, ...]
    scoring: ScoringSettings
    constraints: ConstraintSettings
    solver: SolverSettings

    def with_solver(self, **changes: Any) -> Settings:
        """A copy with solver options changed (CLI flags override the TOML)."""
        return replace(self, solver=replace(self.solver, **changes))


# Default methods, used when a project declares none. Productivities and disturbance follow
# the ranges in the domain notes: manual 150-250 m²/team-day, MDD 400-900, machines
# 5,000-30,000 with manual follow-up, survey orders of magnitude faster per m².
DEFAULT_METHODS: tuple[MethodSettings, ...] = (
    MethodSettings("manual", "Manual clearance", {"manual": 200.0}, disturbance=0.2),
    MethodSettings(
        "mechanical",
        "Mechanical with manual follow-up",
        {"mechanical": 8000.0, "manual": 1500.0},
        disturbance=0.9,
    ),
    MethodSettings(
        "mdd", "Mine detection dogs with manual", {"mdd": 700.0, "manual": 2500.0}, disturbance=0.3
    ),
    MethodSettings(
        "technical_survey",
        "Technical survey, then manual clearance of what remains",
        {"manual": 200.0},
        survey_productivity={"survey": 3000.0},
        disturbance=0.25,
    ),
)


class _Reader:
    """Reads one TOML table, recording findings for missing, mistyped and unknown keys."""

    def __init__(self, file: str, findings: list[Finding]):
        self.file = file
        self.findings = findings

    def table(self, doc: Mapping[str, Any], key: str, section: str = "") -> dict[str, Any]:
        value = doc.get(key, {})
        if not isinstance(value, dict):
            self.findings.append(
                error(
                    self.file,
                    "toml-type",
                    f"[{section}{key}] must be a table.",
                    f"Write it as a [{section}{key}] section.",
                )
            )
            return {}
        return value

    def unknown(self, table: Mapping[str, Any], allowed: set[str], section: str) -> None:
        extra = sorted(set(table) - allowed)
        if extra:
            self.findings.append(
                error(
                    self.file,
                    "toml-unknown-key",
                    f"Unknown key(s) in [{section}]: {', '.join(extra)}.",
                    f"Allowed keys: {', '.join(sorted(allowed))}.",
                )
            )

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        section: str,
        default: Any = None,
        required: bool = False,
    ) -> Any:
        if key not in table:
            if required:
                self.findings.append(
                    error(
                        self.file,
                        "toml-missing-key",
                        f"[{section}] needs '{key}'.",
                        f"Add {key} = ... under [{section}].",
                    )
                )
            return default
        value = table[key]
        # bool is an int in Python; a year of `true` must not pass as an int.
        ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _tuple(kind))
        if not ok:
            names = "/".join(k.__name__ for k in _tuple(kind))
            self.findings.append(
                error(
                    self.file,
                    "toml-type",
                    f"[{section}] {key} = {value!r} is not a {names}.",
                    f"Give {key} as a {names}.",
                )
            )
            return default
        if isinstance(value, float) and not math.isfinite(value):
            self.findings.append(error(self.file, "toml-value", f"[{section}] {key} is {value}."))
            return default
        return value


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


NUMBER = (int, float)


def parse_settings(
    doc: Mapping[str, Any],
    toml_path: Path,
    check_files: bool = True,
) -> tuple[Settings | None, list[Finding]]:
    """Typed settings from a parsed TOML document, plus every finding about it.

    ``check_files=False`` skips the existence check of [data] paths, for problems built
    from in-memory tables (tests, benchmarks, scenario runs).
    """
    findings: list[Finding] = []
    file = toml_path.name
    r = _Reader(file, findings)
    root = toml_path.parent.resolve()
    r.unknown(
        doc,
        {
            "project",
            "plan",
            "data",
            "columns",
            "methods",
            "scoring",
            "constraints",
            "solver",
            "access",
        },
        "top level",
    )

    project = r.table(doc, "project")
    r.unknown(project, {"name", "currency", "country"}, "project")
    default_name = toml_path.parent.name if toml_path.stem == "project" else toml_path.stem
    name = str(project.get("name", default_name))

    plan = _parse_plan(r, r.table(doc, "plan"))
    data = _parse_data(r, r.table(doc, "data"), root, check_files)
    columns = r.table(doc, "columns")
    for src, dst in columns.items():
        if not isinstance(dst, str):
            findings.append(error(file, "toml-type", f"[columns] {src} must map to a column name."))
    methods = _parse_methods(r, r.table(doc, "methods"))
    scoring = _parse_scoring(r, r.table(doc, "scoring"))
    constraints = _parse_constraints(r, r.table(doc, "constraints"))
    solver = _parse_solver(r, r.table(doc, "solver"))

    if plan is None or data is None or any(f.severity == "error" for f in findings):
        return None, findings
    settings = Settings(
        name=name,
        root=root,
        plan=plan,
        data=data,
        columns={str(k): str(v) for k, v in columns.items()},
        methods=methods,
        scoring=scoring,
        constraints=constraints,
        solver=solver,
    )
    return settings, findings


def _parse_plan(r: _Reader, t: Mapping[str, Any]) -> PlanSettings | None:
    r.unknown(t, {f.name for f in fields(PlanSettings)}, "plan")
    start = r.get(t, "start_year", int, "plan", required=True)
    years = r.get(t, "years", int, "plan", required=True)
    rate = float(r.get(t, "discount_rate", NUMBER, "plan", 0.0))
    carry = r.get(t, "carry_over", bool, "plan", False)
    deadline = r.get(t, "deadline_year", int, "plan")
    env_w = float(r.get(t, "environment_weight", NUMBER, "plan", 0.0))
    if start is None or years is None:
        return None
    why = YEAR.problem(start)
    if why is not None:
        r.findings.append(
            error(r.file, "plan-start-year", f"[plan] start_year {why}.", "e.g. start_year = 2027.")
        )
        return None
    if not 1 <= years <= 50:
        r.findings.append(
            error(
                r.file,
                "plan-years",
                f"[plan] years = {years} is outside 1..50.",
                "Plan between 1 and 50 years.",
            )
        )
        return None
    if not 0.0 <= rate < 1.0:
        r.findings.append(
            error(
                r.file,
                "plan-discount",
                f"[plan] discount_rate = {rate} is not in [0, 1).",
                "Give the rate as a fraction, e.g. 0.03 for 3%.",
            )
        )
    if env_w < 0:
        r.findings.append(
            error(
                r.file,
                "plan-environment",
                "[plan] environment_weight < 0.",
                "Use 0 to ignore the environment, a positive weight to count it.",
            )
        )
    if deadline is not None and not start <= deadline < start + years:
        r.findings.append(
            error(
                r.file,
                "plan-deadline",
                f"[plan] deadline_year = {deadline} is outside the horizon "
                f"{start}-{start + years - 1}.",
                "Move the deadline into the horizon or extend [plan] years.",
            )
        )
    return PlanSettings(start, years, rate, carry, deadline, env_w)


def _parse_data(
    r: _Reader, t: Mapping[str, Any], root: Path, check_files: bool = True
) -> DataSettings | None:
    r.unknown(t, {f.name for f in fields(DataSettings)}, "data")
    paths: dict[str, Path | None] = {}
    for key in (
        "hazards",
        "teams",
        "budget",
        "dependencies",
        "locks",
        "provinces",
        "roads",
        "bases",
    ):
        required = key in ("hazards", "teams", "budget")
        value = r.get(t, key, str, "data", required=required)
        if value is None:
            paths[key] = None
            continue
        path = (root / value).resolve()
        if check_files and not path.exists():
            r.findings.append(
                error(
                    r.file,
                    "missing-file",
                    f"[data] {key} = '{value}' does not exist ({path}).",
                    "Paths are relative to the project TOML's folder.",
                )
            )
        paths[key] = path
    layer = r.get(t, "hazards_layer", str, "data")
    crs = r.get(t, "crs", str, "data")
    area_crs = r.get(t, "area_crs", str, "data", "geodesic")
    csv = r.get(t, "csv", dict, "data", {})
    if set(csv) - CSV_KEYS or not all(isinstance(v, str) for v in csv.values()):
        r.findings.append(
            error(
                r.file,
                "toml-csv",
                f"[data] csv = {csv!r}: keys are {', '.join(sorted(CSV_KEYS))}, values text.",
                'e.g. csv = { delimiter = ";", decimal = ",", encoding = "cp1252" }',
            )
        )
        csv = {}
    hazards, teams, budget = paths["hazards"], paths["teams"], paths["budget"]
    if hazards is None or teams is None or budget is None:
        return None
    return DataSettings(
        hazards=hazards,
        teams=teams,
        budget=budget,
        dependencies=paths["dependencies"],
        locks=paths["locks"],
        provinces=paths["provinces"],
        roads=paths["roads"],
        bases=paths["bases"],
        hazards_layer=layer,
        crs=crs,
        area_crs=area_crs,
        csv=csv,
    )


def _number_map(r: _Reader, value: Any, where: str) -> dict[str, float]:
    if not isinstance(value, dict) or not all(
        isinstance(v, NUMBER) and not isinstance(v, bool) for v in value.values()
    ):
        r.findings.append(
            error(
                r.file,
                "toml-type",
                f"{where} must map names to numbers.",
                f"Write {where} = {{ manual = 200 }}.",
            )
        )
        return {}
    bad = [k for k, v in value.items() if v <= 0]
    if bad:
        r.findings.append(
            error(
                r.file,
                "method-productivity",
                f"{where} has non-positive productivity for {', '.join(bad)}.",
                "Productivity is m² per team-day and must be > 0.",
            )
        )
    return {str(k): float(v) for k, v in value.items()}


def _parse_methods(r: _Reader, t: Mapping[str, Any]) -> tuple[MethodSettings, ...]:
    if not t:
        return DEFAULT_METHODS
    methods = []
    allowed = {
        "label",
        "productivity",
        "survey_productivity",
        "cost_per_m2",
        "disturbance",
        "hazard_types",
        "classes",
    }
    for name, spec in t.items():
        section = f"methods.{name}"
        if not isinstance(spec, dict):
            r.findings.append(error(r.file, "toml-type", f"[{section}] must be a table."))
            continue
        r.unknown(spec, allowed, section)
        prod = _number_map(r, spec.get("productivity", {}), f"[{section}] productivity")
        if not prod:
            r.findings.append(
                error(
                    r.file,
                    "method-productivity",
                    f"[{section}] needs productivity = {{ <team kind> = m²/day }}.",
                )
            )
        survey = (
            _number_map(r, spec.get("survey_productivity", {}), f"[{section}] survey_productivity")
            if "survey_productivity" in spec
            else {}
        )
        disturbance = float(r.get(spec, "disturbance", NUMBER, section, 0.0))
        if not 0.0 <= disturbance <= 1.0:
            r.findings.append(
                error(
                    r.file,
                    "method-disturbance",
                    f"[{section}] disturbance = {disturbance} is not in 0..1.",
                )
            )
        cost = float(r.get(spec, "cost_per_m2", NUMBER, section, 0.0))
        if cost < 0:
            r.findings.append(error(r.file, "method-cost", f"[{section}] cost_per_m2 < 0."))
        methods.append(
            MethodSettings(
                name=str(name),
                label=str(spec.get("label", name)),
                productivity=prod,
                survey_productivity=survey,
                cost_per_m2=cost,
                disturbance=disturbance,
                hazard_types=tuple(str(x) for x in r.get(spec, "hazard_types", list, section, [])),
                classes=tuple(str(x).upper() for x in r.get(spec, "classes", list, section, [])),
            )
        )
    return tuple(methods)


def _parse_scoring(r: _Reader, t: Mapping[str, Any]) -> ScoringSettings:
    r.unknown(t, {"criteria", "scale"}, "scoring")
    scale = float(r.get(t, "scale", NUMBER, "scoring", 100.0))
    raw = t.get("criteria", [])
    if not isinstance(raw, list):
        r.findings.append(
            error(
                r.file,
                "toml-type",
                "scoring.criteria must be an array of tables.",
                "Write each criterion as a [[scoring.criteria]] block.",
            )
        )
        raw = []
    criteria = []
    allowed = {"name", "column", "weight", "type", "normalise", "points", "higher_is_better"}
    for i, spec in enumerate(raw):
        section = f"scoring.criteria #{i + 1}"
        if not isinstance(spec, dict):
            r.findings.append(error(r.file, "toml-type", f"[{section}] must be a table."))
            continue
        r.unknown(spec, allowed, section)
        column = r.get(spec, "column", str, section, required=True)
        weight = r.get(spec, "weight", NUMBER, section, required=True)
        if column is None or weight is None:
            continue
        if weight < 0:
            r.findings.append(
                error(
                    r.file,
                    "criterion-weight",
                    f"[{section}] weight < 0.",
                    "Weights are >= 0; reverse a criterion with higher_is_better = false.",
                )
            )
        points = spec.get("points", {})
        kind = str(spec.get("type", "categorical" if points else "numeric"))
        if kind not in ("numeric", "categorical", "boolean"):
            r.findings.append(
                error(
                    r.file,
                    "criterion-type",
                    f"[{section}] type = {kind!r}.",
                    "Use numeric, categorical or boolean.",
                )
            )
        normalise = str(spec.get("normalise", "minmax"))
        if normalise not in NORMALISATIONS:
            r.findings.append(
                error(
                    r.file,
                    "criterion-normalise",
                    f"[{section}] normalise = {normalise!r}.",
                    f"Use one of {', '.join(NORMALISATIONS)}.",
                )
            )
        pts = _number_map_any(r, points, f"[{section}] points") if kind == "categorical" else {}
        criteria.append(
            Criterion(
                name=str(spec.get("name", column)),
                column=column,
                weight=float(weight),
                kind=kind,
                normalise=normalise,
                points=pts,
                higher_is_better=bool(spec.get("higher_is_better", True)),
            )
        )
    if criteria and sum(c.weight for c in criteria) <= 0:
        r.findings.append(
            error(
                r.file,
                "criterion-weight",
                "All scoring weights are zero.",
                "Give at least one criterion a positive weight.",
            )
        )
    return ScoringSettings(tuple(criteria), scale)


def _number_map_any(r: _Reader, value: Any, where: str) -> dict[str, float]:
    if (
        not isinstance(value, dict)
        or not value
        or not all(isinstance(v, NUMBER) and not isinstance(v, bool) for v in value.values())
    ):
        r.findings.append(
            error(
                r.file,
                "toml-type",
                f"{where} must map categories to points.",
                f"Write {where} = {{ agriculture = 1.0, forest = 0.2 }}.",
            )
        )
        return {}
    return {str(k): float(v) for k, v in value.items()}


def _parse_constraints(r: _Reader, t: Mapping[str, Any]) -> ConstraintSettings:
    r.unknown(t, {"equity", "localisation"}, "constraints")
    equity = r.table(t, "equity", "constraints.")
    r.unknown(equity, {"min_share"}, "constraints.equity")
    share = equity.get("min_share", 0.0)
    per_province: dict[str, float] = {}
    default_share = 0.0
    if isinstance(share, dict):
        per_province = _number_map_any(r, share, "[constraints.equity] min_share")
    elif isinstance(share, NUMBER) and not isinstance(share, bool):
        default_share = float(share)
    else:
        r.findings.append(
            error(
                r.file,
                "toml-type",
                "[constraints.equity] min_share must be a number or a table of province = share.",
            )
        )
    shares = [default_share, *per_province.values()]
    if any(not 0 <= s <= 1 for s in shares) or sum(per_province.values()) > 1:
        r.findings.append(
            error(
                r.file,
                "equity-share",
                "Equity shares must lie in 0..1 and sum to at most 1.",
                "Give shares as fractions, e.g. 0.1.",
            )
        )
    local = r.table(t, "localisation", "constraints.")
    r.unknown(local, {"min_national_share"}, "constraints.localisation")
    local_share = float(r.get(local, "min_national_share", NUMBER, "constraints.localisation", 0.0))
    if not 0 <= local_share <= 1:
        r.findings.append(
            error(
                r.file,
                "localisation-share",
                "[constraints.localisation] min_national_share is not in 0..1.",
            )
        )
    return ConstraintSettings(per_province, default_share, local_share)


def _parse_solver(r: _Reader, t: Mapping[str, Any]) -> SolverSettings:
    r.unknown(t, {f.name for f in fields(SolverSettings)}, "solver")
    s = SolverSettings(
        name=str(r.get(t, "name", str, "solver", "highs")).lower(),
        time_limit=float(r.get(t, "time_limit", NUMBER, "solver", 60.0)),
        gap=float(r.get(t, "gap", NUMBER, "solver", 0.005)),
        threads=int(r.get(t, "threads", int, "solver", 0)),
        precedence=str(r.get(t, "precedence", str, "solver", "by")),
        objective=str(r.get(t, "objective", str, "solver", "completion")),
    )
    if s.objective not in ("completion", "assignment"):
        r.findings.append(
            error(
                r.file,
                "solver-objective",
                f"[solver] objective = {s.objective!r}.",
                "Use completion or assignment.",
            )
        )
    if s.name not in SOLVERS:
        r.findings.append(
            error(
                r.file,
                "solver-name",
                f"[solver] name = {s.name!r}.",
                f"Use one of {', '.join(SOLVERS)}.",
            )
        )
    if s.precedence not in PRECEDENCE_FORMULATIONS:
        r.findings.append(
            error(
                r.file,
                "solver-precedence",
                f"[solver] precedence = {s.precedence!r}.",
                f"Use {', '.join(PRECEDENCE_FORMULATIONS)}.",
            )
        )
    if s.time_limit <= 0 or not 0 <= s.gap < 1:
        r.findings.append(
            error(
                r.file,
                "solver-limits",
                "[solver] time_limit must be > 0 and gap in [0, 1).",
                "e.g. time_limit = 60, gap = 0.005.",
            )
        )
    return s


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
