"""The scenario file's tables (``[scenarios.NAME]`` and what it may hold), as typed models.

Validated like the project's tables (:mod:`prioritise.core.settings.models`); the reader
(:mod:`prioritise.inputs.scenarios`) resolves ``inherits`` first, then validates each
scenario's merged table. Checks against a project (team types, provinces, years) come later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, Strict

from prioritise.core.finance import BudgetProfile, FinancingTerms
from prioritise.core.settings.models import Names
from prioritise.core.types import Money, NonNegative, PositiveInt, Share, Text, Year

TABLE_CONFIG = ConfigDict(extra="forbid", use_attribute_docstrings=True)


def _year_key(value: object) -> object:
    """TOML keys are text: ``{ 2027 = 5 }`` arrives as ``{"2027": 5}``."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("not a year")


YearKey = Annotated[int, BeforeValidator(_year_key)]
# A table keyed by year: { 2027 = 1.0e6 }. The key pattern tells forms and docs what to ask.
YEAR_KEYS = Field(json_schema_extra={"propertyNames": {"pattern": "^[0-9]+$"}})
Rate = Annotated[float, Strict(), Field(ge=0, le=0.999, allow_inf_nan=False)]
Shape = Literal["flat", "declining", "front_loaded"]
Schedule = Literal["annuity", "equal_principal"]


@dataclass(frozen=True)
class BudgetTable:
    """``budget = { ... }``: how the scenario rewrites the project's general budget."""

    __pydantic_config__ = TABLE_CONFIG

    per_year: Annotated[Mapping[YearKey, Money], YEAR_KEYS] = field(default_factory=dict)
    """Absolute amounts for the years listed; other years keep the project's."""
    shape: Shape | None = None
    """Redistribute the total: flat, declining or front_loaded."""
    total: Money | None = None
    """Total to redistribute (default: the budget after per_year)."""
    decline_rate: Rate = 0.1
    """declining: each year is (1 - decline_rate) times the last."""
    front_years: PositiveInt = 3
    """front_loaded: the first years that get front_share of the total."""
    front_share: Share = 0.5
    """front_loaded: share of the total spent in the first front_years."""
    multiplier: NonNegative | Annotated[Mapping[YearKey, NonNegative], YEAR_KEYS] = 1.0
    """One factor for every year, or factors for the years listed: { 2027 = 0.8 }."""

    def profile(self) -> BudgetProfile:
        multiplier = (
            {int(k): float(v) for k, v in self.multiplier.items()}
            if isinstance(self.multiplier, Mapping)
            else float(self.multiplier)
        )
        return BudgetProfile(
            per_year={int(k): float(v) for k, v in self.per_year.items()},
            shape=self.shape,
            total=None if self.total is None else float(self.total),
            decline_rate=float(self.decline_rate),
            front_years=int(self.front_years),
            front_share=float(self.front_share),
            multiplier=multiplier,
        )


@dataclass(frozen=True)
class FundSpec:
    """``completion_fund = { ... }``: a top-up paid in the final years only if every Article 5
    hazard is done by ``condition_year``; an amount over the final years, or amounts per year.
    """

    __pydantic_config__ = TABLE_CONFIG

    amount: Money | None = None
    """Total paid over the final_years."""
    final_years: PositiveInt = 2
    """Number of final years of the horizon the amount is spread over."""
    per_year: Annotated[Mapping[YearKey, Money], YEAR_KEYS] = field(default_factory=dict)
    """Or amounts per year: { 2031 = 2.0e6 }."""
    condition_year: Year | None = None
    """Year by which Article 5 work must be done (default: the deadline, else the horizon)."""


@dataclass(frozen=True)
class FinancingSpec:
    """``financing = { ... }``: a front-loaded facility: draws per year, or an amount spread
    over the first years, repaid from later budgets."""

    __pydantic_config__ = TABLE_CONFIG

    amount: Money | None = None
    """Amount drawn in equal parts over the first draw_years."""
    draw_years: PositiveInt = 1
    """Number of first years the amount is drawn over."""
    draws: Annotated[Mapping[YearKey, Money], YEAR_KEYS] = field(default_factory=dict)
    """Or draws per year: { 2027 = 1.0e7, 2028 = 1.0e7 }."""
    rate: Share = 0.0
    """Yearly interest rate, a fraction (0.04 = 4%)."""
    repay_years: PositiveInt = 5
    """Number of yearly repayments."""
    repay_start: PositiveInt | None = None
    """Year of the first repayment (default: the year after the last draw)."""
    schedule: Schedule = "annuity"
    """annuity (equal payments) or equal_principal."""

    def terms(self, first_year: int) -> FinancingTerms:
        """The terms with draws placed in the horizon that starts in ``first_year``."""
        draws = dict(self.draws) or {
            first_year + i: float(self.amount or 0.0) / self.draw_years
            for i in range(self.draw_years)
        }
        return FinancingTerms(
            draws=draws,
            rate=self.rate,
            repay_years=self.repay_years,
            repay_start=self.repay_start,
            schedule=self.schedule,
        )


@dataclass(frozen=True)
class EarmarkSpec:
    """``[[scenarios.NAME.earmarks]]``: money that may only pay for matching work."""

    __pydantic_config__ = TABLE_CONFIG

    name: Text = ""
    """Name in reports (default earmark1, earmark2, ...)."""
    amount: Money | None = None
    """Amount available every year."""
    per_year: Annotated[Mapping[YearKey, Money], YEAR_KEYS] = field(default_factory=dict)
    """Or amounts per year: { 2027 = 1.0e6 }."""
    provinces: Names = ()
    """Provinces the money may be spent in."""
    methods: Names = ()
    """Methods it may pay for."""
    operators: Names = ()
    """Operators (national, international) whose team-days it may pay for."""


@dataclass(frozen=True)
class ScenarioTable:
    """``[scenarios.NAME]``: overrides on the base project; every key optional."""

    __pydantic_config__ = TABLE_CONFIG

    description: Text = ""
    """One line shown in the comparison."""
    inherits: Text | None = None
    """Name of a scenario whose tables this one is merged over, key by key."""
    budget: BudgetTable | None = None
    """See budget below."""
    financing: FinancingSpec | None = None
    """See financing below."""
    completion_fund: FundSpec | None = None
    """See completion_fund below."""
    earmarks: tuple[EarmarkSpec, ...] = ()
    """See earmarks below."""
    teams: Mapping[str, NonNegative] = field(default_factory=dict)
    """Team counts per team type, every year: { mdd = 20 }."""
    team_multiplier: Mapping[str, NonNegative] = field(default_factory=dict)
    """Factor on the team counts per team type: { manual_international = 0.5 }."""
    productivity: Mapping[str, Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]] = (
        field(default_factory=dict)
    )
    """Factor on productivity per team type or kind: team-days per option are divided by it."""
    weights: Mapping[str, NonNegative] = field(default_factory=dict)
    """New weights for scoring criteria, by criterion name."""
    deadline_year: Year | Literal[False] | None = None
    """Article 5 deadline; false removes the project's deadline."""
    discount_rate: Rate | None = None
    """Yearly discount rate, a fraction (< 1)."""
    localisation_min_share: Share | None = None
    """Minimum share of team-days by national operators."""
    equity_min_share: Share | None = None
    """Minimum share of each year's work per province."""
    years: Annotated[int, Strict(), Field(ge=1, le=50)] | None = None
    """Horizon length; later years repeat the project's last year."""


@dataclass(frozen=True)
class ScenarioFile:
    """A scenarios TOML file: one ``[scenarios.NAME]`` table per scenario."""

    __pydantic_config__ = TABLE_CONFIG

    scenarios: Mapping[str, ScenarioTable]
    """The scenarios, by name (letters, digits, '_', '-', '.')."""
