"""The project TOML's tables as typed, frozen dataclasses that pydantic validates.

Each class is one table; each field is one key, with its type, its default, its range (the
constrained types of :mod:`prioritise.core.types`) and a docstring that becomes its line in
``docs/settings.md``. Adding a setting is adding a field and its docstring here.

They are standard-library dataclasses validated through ``pydantic.TypeAdapter`` rather than
``BaseModel`` subclasses so that the rest of the engine keeps building and copying them as it
always has (``dataclasses.replace``, positional construction) without re-validating plans'
own changes; the TOML file is validated once, at the door, with every error collected.

To add a key to a table, add the field and its docstring. To add a table, add its
dataclass, then a field of that type in ``ProjectFile`` and one of the same name in
``Settings``; ``parse.build_settings`` passes it on. Regenerate the reference with
``python -m prioritise.core.settings > docs/settings.md`` (``--json`` for the schema).

``ProjectFile`` is the file as written (``[methods.NAME]`` tables, ``[[scoring.criteria]]``,
relative paths); :class:`Settings` is what the engine reads (methods as a tuple with names,
absolute paths, ``[access]`` included). :mod:`prioritise.core.settings.parse` turns one into
the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, ConfigDict, Field, Strict

from prioritise.core.types import (
    Finite,
    Fraction,
    Money,
    NonNegative,
    NonNegativeInt,
    Positive,
    PositiveInt,
    Rule,
    Seconds,
    Share,
    Text,
    Year,
)

# Unknown keys are errors: a misspelt ``discount_rat`` silently ignored would change a plan
# without anyone knowing. Field docstrings become descriptions in the JSON Schema and docs.
TABLE = ConfigDict(extra="forbid", use_attribute_docstrings=True)

Normalisation = Literal["minmax", "log", "rank", "none"]
CriterionKind = Literal["numeric", "categorical", "boolean"]
SolverName = Literal["highs", "cbc"]
Precedence = Literal["by", "cumulative", "aggregated"]
Objective = Literal["completion", "assignment"]
OffNetwork = Literal["reachable", "new_track"]
RouteChoice = Literal["fewest_blockers", "shortest"]

NORMALISATIONS: tuple[str, ...] = get_args(Normalisation)
SOLVERS: tuple[str, ...] = get_args(SolverName)
PRECEDENCE_FORMULATIONS: tuple[str, ...] = get_args(Precedence)
OFF_NETWORK_MODES: tuple[str, ...] = get_args(OffNetwork)
ROUTE_CHOICES: tuple[str, ...] = get_args(RouteChoice)

StrictBool = Annotated[bool, Strict()]


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _one_or_many(value: object) -> object:
    """A single name where a list is asked for is read as a list of one."""
    return [value] if isinstance(value, str) else value


Names = Annotated[tuple[Text, ...], BeforeValidator(_one_or_many)]
Productivity = Annotated[
    Positive, Rule("method-productivity", "Productivity is m² per team-day and must be > 0.")
]


@dataclass(frozen=True)
class ProjectTable:
    """``[project]``: names shown in reports."""

    __pydantic_config__ = TABLE

    name: Text | None = None
    """Project name for titles; defaults to the TOML's folder (or file) name."""
    currency: Text | None = None
    """Currency of every money figure in the data, e.g. "USD" (for the record)."""
    country: Text | None = None
    """Country or programme (for the record)."""


BenefitYears = Annotated[
    Literal["horizon", "perpetual"] | PositiveInt,
    Rule("plan-benefit-years", 'Use "horizon", "perpetual" or a whole number of years >= 1.'),
]
PlanObjective = Literal["impact", "npv"]


@dataclass(frozen=True)
class PlanSettings:
    """``[plan]``: the planning horizon and how later years are weighed."""

    __pydantic_config__ = TABLE

    start_year: Year
    """First year of the plan."""
    years: Annotated[
        int, Strict(), Field(ge=1, le=50), Rule("plan-years", "Plan between 1 and 50 years.")
    ]
    """Number of years planned, 1..50."""
    discount_rate: Annotated[
        Fraction, Rule("plan-discount", "Give the rate as a fraction, e.g. 0.03 for 3%.")
    ] = 0.0
    """Yearly discount on later impact, a fraction in [0, 1) (0.03 = 3%)."""
    carry_over: StrictBool = False
    """Let unspent budget carry over to the next year."""
    deadline_year: Year | None = None
    """Year by which every Article 5 hazard must be completed; within the horizon."""
    environment_weight: Annotated[
        NonNegative,
        Rule("plan-environment", "Use 0 to ignore the environment, a positive weight to count it."),
    ] = 0.0
    """Weight of environmental harm (sensitivity x method disturbance) against impact (in USD
    per unit of environmental score when objective = "npv")."""
    benefit_years: BenefitYears = "horizon"
    """How long a released hazard's benefit counts from its completion year: "horizon" (to
    the plan's last year), a number of years (may run past the horizon) or "perpetual"
    (needs discount_rate > 0)."""
    objective: Annotated[
        PlanObjective, Rule("plan-objective", 'Use objective = "impact" or "npv".')
    ] = "impact"
    """What the plan maximises: "impact" (discounted impact-years) or "npv" (net present
    value in USD of benefit_usd_per_year over the benefit lifetime minus clearance cost)."""

    @property
    def horizon(self) -> list[int]:
        return list(range(self.start_year, self.start_year + self.years))


@dataclass(frozen=True)
class CsvOptions:
    """``[data] csv``: how to read text tables when detection is not enough (Excel exports)."""

    __pydantic_config__ = TABLE

    delimiter: Text | None = None
    """Field separator, e.g. ";" (detected from the file when absent)."""
    decimal: Text | None = None
    """Decimal mark, "." or "," (detected per column when absent)."""
    encoding: Text | None = None
    """Text encoding, e.g. "cp1252" or "utf-16" (detected when absent)."""

    def as_options(self) -> dict[str, str]:
        """The options the CSV reader takes: only those the project sets."""
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass(frozen=True)
class DataSettings:
    """``[data]``: input files, relative to the project TOML's folder, and how to read them.

    In :class:`Settings` the paths are absolute (resolved against the TOML's folder).
    """

    __pydantic_config__ = TABLE

    hazards: Path
    """Hazard table: CSV, Excel, GeoPackage, shapefile or GeoJSON."""
    teams: Path
    """Team roster (CSV or Excel)."""
    budget: Path
    """Budget per year (CSV or Excel)."""
    dependencies: Path | None = None
    """Explicit "hazard B requires hazard A" pairs."""
    locks: Path | None = None
    """Hazards that must (or must not) be scheduled, optionally in a given year."""
    provinces: Path | None = None
    """Province polygons, for maps."""
    roads: Path | None = None
    """Road lines; with them, access dependencies are derived (see [access])."""
    bases: Path | None = None
    """Team bases (points) that routes start from."""
    hazards_layer: Text | None = None
    """Layer to read from a multi-layer hazards file (GeoPackage)."""
    crs: Text | None = None
    """CRS of hazard coordinates when the file does not say, e.g. "EPSG:4326"."""
    area_crs: Text = "geodesic"
    """How areas are measured: "geodesic" (on the ellipsoid) or a projected CRS in metres."""
    csv: Annotated[CsvOptions, Rule("toml-csv")] = field(default_factory=CsvOptions)
    """How to read CSV files, e.g. csv = { delimiter = ";", decimal = ",", encoding = "cp1252" }."""


@dataclass(frozen=True)
class MethodTable:
    """``[methods.NAME]``: a land-release method (the table's name names it)."""

    __pydantic_config__ = TABLE

    productivity: Annotated[
        Mapping[str, Productivity],
        Field(min_length=1),
        Rule("method-productivity", "Write productivity = { <team kind> = m²/day }."),
    ]
    """m² per team-day for each kind of team working on the area the method clears."""
    label: Text | None = None
    """Name shown in reports; defaults to the table's name."""
    survey_productivity: Mapping[str, Productivity] = field(default_factory=dict)
    """m² per team-day of survey over the whole area; the method then clears only what
    survey leaves (after cancellation and reduction)."""
    cost_per_m2: Annotated[Money, Rule("method-cost", "Give a cost >= 0 per m².")] = 0.0
    """Cost per m² on top of team-days (equipment, consumables)."""
    disturbance: Annotated[
        Share, Rule("method-disturbance", "Give disturbance as a fraction in 0..1.")
    ] = 0.0
    """Environmental disturbance of the method, 0 (none) to 1 (severe)."""
    hazard_types: Names = ()
    """Hazard types the method may be used on; empty = every type."""
    classes: Names = ()
    """Hazard classes (SHA, CHA) the method may be used on; empty = both."""


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
class CriterionTable:
    """``[[scoring.criteria]]``: one column that contributes to a hazard's impact score."""

    __pydantic_config__ = TABLE

    column: Text
    """Hazard column the criterion reads."""
    weight: Annotated[
        NonNegative,
        Rule(
            "criterion-weight",
            "Weights are >= 0; reverse a criterion with higher_is_better = false.",
        ),
    ]
    """Weight of the criterion in the score."""
    name: Text | None = None
    """Name shown in reports; defaults to the column."""
    type: Annotated[
        CriterionKind | None, Rule("criterion-type", "Use numeric, categorical or boolean.")
    ] = None
    """numeric, categorical or boolean; categorical when points are given, else numeric."""
    normalise: Annotated[
        Normalisation, Rule("criterion-normalise", "Use one of minmax, log, rank, none.")
    ] = "minmax"
    """How numeric values become 0..1 scores: minmax, log, rank or none."""
    points: Mapping[str, Finite] = field(default_factory=dict)
    """Points per category of a categorical criterion."""
    higher_is_better: StrictBool = True
    """False when a lower value should score higher (e.g. distance)."""


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
class ScoringTable:
    """``[scoring]``: how impact is computed from criteria columns (else read as `impact`)."""

    __pydantic_config__ = TABLE

    criteria: tuple[CriterionTable, ...] = ()
    """The criteria, one ``[[scoring.criteria]]`` block each."""
    scale: Finite = 100.0
    """Score of a hazard that is best on every criterion."""


@dataclass(frozen=True)
class ScoringSettings:
    criteria: tuple[Criterion, ...] = ()
    scale: float = 100.0


EquityShare = Annotated[
    Share, Rule("equity-share", "Give shares as fractions, e.g. 0.1, summing to at most 1.")
]


@dataclass(frozen=True)
class EquityTable:
    """``[constraints.equity]``: a minimum share of each year's work per province."""

    __pydantic_config__ = TABLE

    min_share: EquityShare | Mapping[str, EquityShare] = 0.0
    """One share for every province, or a table of province = share (summing to <= 1)."""


@dataclass(frozen=True)
class LocalisationTable:
    """``[constraints.localisation]``: a minimum share of team-days by national teams."""

    __pydantic_config__ = TABLE

    min_national_share: Annotated[
        Share, Rule("localisation-share", "Give the share as a fraction, e.g. 0.4.")
    ] = 0.0
    """Minimum share of each year's team-days worked by national operators."""


@dataclass(frozen=True)
class ConstraintsTable:
    """``[constraints]``: equity and localisation rules."""

    __pydantic_config__ = TABLE

    equity: EquityTable = EquityTable()
    """See [constraints.equity]."""
    localisation: LocalisationTable = LocalisationTable()
    """See [constraints.localisation]."""


@dataclass(frozen=True)
class ConstraintSettings:
    equity_min_share: Mapping[str, float] = field(default_factory=dict)
    equity_default_share: float = 0.0
    localisation_min_share: float = 0.0


SolverLimit = Rule("solver-limits", "e.g. time_limit = 60, gap = 0.005.")


@dataclass(frozen=True)
class SolverSettings:
    """``[solver]``: which MILP solver, and when it may stop."""

    __pydantic_config__ = TABLE

    name: Annotated[
        SolverName,
        BeforeValidator(_lower),
        Rule("solver-name", "Use one of highs, cbc."),
    ] = "highs"
    """highs or cbc."""
    time_limit: Annotated[Seconds, SolverLimit] = 60.0
    """Seconds the solver may search; the best plan found by then is reported with its gap."""
    gap: Annotated[Fraction, SolverLimit] = 0.005
    """Relative optimality gap at which to stop, in [0, 1) (0.005 = 0.5%)."""
    threads: NonNegativeInt = 0
    """Solver threads; 0 lets the solver choose."""
    precedence: Annotated[
        Precedence, Rule("solver-precedence", "Use by, cumulative, aggregated.")
    ] = "by"
    """How dependencies are written into the model: by, cumulative or aggregated."""
    objective: Annotated[Objective, Rule("solver-objective", "Use completion or assignment.")] = (
        "completion"
    )
    """completion (continuous completion variables) or assignment (binary assignments)."""


@dataclass(frozen=True)
class AccessSettings:
    """``[access]``: deriving access dependencies from roads. Distances are metres in ``crs``.

    Used when ``[data] roads`` is given; see docs/access.md for the rules.
    """

    __pydantic_config__ = TABLE

    snap_tolerance_m: NonNegative = 5.0
    """A road end this close to another road is joined to it."""
    max_walk_m: NonNegative = 500.0
    """A hazard farther than this from any road is off the network."""
    block_buffer_m: NonNegative = 10.0
    """A hazard blocks the road within this distance of its polygon."""
    detour_factor: Annotated[float, Strict(), Field(ge=1, allow_inf_nan=False)] = 1.5
    """A route up to this many times the shortest counts as a way round a hazard (>= 1)."""
    off_network: OffNetwork = "reachable"
    """Hazards off the network: reachable (on foot) or new_track (a track must be built)."""
    crs: Text | None = None
    """Projected CRS in metres for the derivation; default: the UTM zone of the data."""
    ignore: Path | None = None
    """CSV of derived pairs (hazard_id, requires) to drop."""
    route_choice: RouteChoice = "fewest_blockers"
    """Which blocked route decides the dependencies: fewest_blockers or shortest."""


@dataclass(frozen=True)
class ExecutionSettings:
    """``[execution]``: where many-plans jobs (scenarios, uncertainty, sensitivity, ladder)
    run. The command line's ``--scheduler`` and ``--workers`` take precedence."""

    __pydantic_config__ = TABLE

    scheduler: Text | None = None
    """Address of an existing Dask scheduler (e.g. "tcp://10.0.0.5:8786"); default: a
    local cluster on this machine."""
    workers: PositiveInt | None = None
    """Workers of the local cluster; default: one per core."""


@dataclass(frozen=True)
class EconomicsSettings:
    """``[economics]``: the yearly economic benefit of released land, for hazards without a
    ``benefit_usd_per_year`` value. Figures are the user's (see docs/economics.md for ranges
    and sources); the benefit of a hazard is area x the rate of its land use plus
    beneficiaries x the rate per person."""

    __pydantic_config__ = TABLE

    usd_per_m2_year: Mapping[str, NonNegative] = field(default_factory=dict)
    """USD per m² per year of released land, by land use, e.g. { agriculture = 0.05 }."""
    usd_per_beneficiary_year: NonNegative = 0.0
    """USD per beneficiary per year once the land is released."""
    land_use_column: Text = "land_use"
    """Hazard column holding the land use that keys usd_per_m2_year."""

    @property
    def given(self) -> bool:
        """Whether the table says anything (an empty table values nothing)."""
        return bool(self.usd_per_m2_year) or self.usd_per_beneficiary_year > 0


@dataclass(frozen=True)
class ProjectFile:
    """A project TOML as written: one field per top-level table."""

    __pydantic_config__ = TABLE

    plan: PlanSettings
    """[plan]"""
    data: DataSettings
    """[data]"""
    project: ProjectTable = ProjectTable()
    """[project]"""
    columns: Mapping[str, Text] = field(default_factory=dict)
    """Renames of input columns: <column in the file> = "<column the engine expects>"."""
    methods: Mapping[str, MethodTable] = field(default_factory=dict)
    """[methods.NAME]; when none is given, the default methods are used."""
    scoring: ScoringTable = ScoringTable()
    """[scoring]"""
    constraints: ConstraintsTable = ConstraintsTable()
    """[constraints]"""
    solver: SolverSettings = SolverSettings()
    """[solver]"""
    access: AccessSettings = AccessSettings()
    """[access]"""
    execution: ExecutionSettings = ExecutionSettings()
    """[execution]"""
    economics: EconomicsSettings = EconomicsSettings()
    """[economics]"""


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
    access: AccessSettings = AccessSettings()
    execution: ExecutionSettings = ExecutionSettings()
    economics: EconomicsSettings = EconomicsSettings()

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
