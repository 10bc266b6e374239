"""Project settings: the project TOML's tables as typed, validated values.

``models`` declares the tables (types, defaults, ranges, docstrings), ``parse`` turns a TOML
document into :class:`Settings` with every finding at once, ``adapter`` words pydantic's
errors, and ``reference`` renders the JSON Schema and ``docs/settings.md`` from the models.
"""

from prioritise.core.settings.models import (
    DEFAULT_METHODS,
    NORMALISATIONS,
    OFF_NETWORK_MODES,
    PRECEDENCE_FORMULATIONS,
    ROUTE_CHOICES,
    SOLVERS,
    AccessSettings,
    ConstraintSettings,
    Criterion,
    DataSettings,
    MethodSettings,
    PlanSettings,
    ProjectFile,
    ScoringSettings,
    Settings,
    SolverSettings,
)
from prioritise.core.settings.parse import parse_settings, settings_findings, settings_from_dict

__all__ = [
    "DEFAULT_METHODS",
    "NORMALISATIONS",
    "OFF_NETWORK_MODES",
    "PRECEDENCE_FORMULATIONS",
    "ROUTE_CHOICES",
    "SOLVERS",
    "AccessSettings",
    "ConstraintSettings",
    "Criterion",
    "DataSettings",
    "MethodSettings",
    "PlanSettings",
    "ProjectFile",
    "ScoringSettings",
    "Settings",
    "SolverSettings",
    "parse_settings",
    "settings_findings",
    "settings_from_dict",
]
