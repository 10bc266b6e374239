"""Named scenarios: overrides on a base project, read from a TOML file.

A scenario is data (:class:`Scenario`, frozen). ``load_scenarios`` reads the file, resolves
``inherits`` chains (a child's tables are merged over its parent's, key by key) and reports
every problem in the file at once, each naming the scenario and the key. What can only be
checked against a project (team types, criteria, provinces, years) is checked by
``check_scenarios``; :mod:`prioritise.scenario_apply` turns a scenario plus a base
:class:`~prioritise.inputs.loader.Problem` into a new problem.

File format (every key optional)::

    [scenarios.cut30]
    description = "Donor funding falls by 30%"
    inherits = "baseline"
    budget = { multiplier = 0.7 }        # or per_year / shape / total / ... (finance.BudgetProfile)
    financing = { amount = 2.0e7, draw_years = 3, rate = 0.04, repay_years = 6,
                  schedule = "annuity" }  # or draws = { 2027 = 1.0e7, 2028 = 1.0e7 }
    completion_fund = { amount = 4.0e6, final_years = 2 }   # condition_year = 2032 optional
    teams = { mdd = 20 }                 # team counts per team type (every year)
    team_multiplier = { manual_international = 0.5 }
    productivity = { mechanical = 1.3 }  # team type or kind: team-days per option / 1.3
    weights = { "Casualties (24 months)" = 5 }
    deadline_year = 2032                 # false removes the project's deadline
    discount_rate = 0.05
    localisation_min_share = 0.6
    equity_min_share = 0.05
    years = 15                           # horizon length; later years repeat the last one

    [[scenarios.cut30.earmarks]]
    name = "north-fund"
    amount = 1.0e6                       # every year, or per_year = { 2027 = ... }
    provinces = ["North"]                # and/or methods = [...], operators = [...]
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prioritise.core.errors import Finding, ProjectError, ValidationReport, error
from prioritise.core.finance import BudgetProfile
from prioritise.core.limits import shorten
from prioritise.core.settings.adapter import (
    CHOICE,
    FINITE,
    KEY,
    RANGE,
    TABLE,
    UNKNOWN,
    Issue,
    table_fields,
    validate,
)
from prioritise.core.settings.scenarios import (
    BudgetTable as BudgetTable,
)
from prioritise.core.settings.scenarios import (
    EarmarkSpec,
    FinancingSpec,
    FundSpec,
    ScenarioTable,
)
from prioritise.core.settings.scenarios import (
    ScenarioFile as ScenarioFile,
)

NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")  # never "." or "..": it names a folder


@dataclass(frozen=True)
class Scenario:
    """One named set of overrides, with its inheritance already resolved.

    ``None`` means "as in the project" for every field; ``deadline_year = False`` removes the
    project's deadline. Mappings are plain dicts so scenarios pickle into worker processes;
    treat them as read-only.
    """

    name: str
    description: str = ""
    lineage: tuple[str, ...] = ()  # parents, nearest first
    budget: BudgetProfile | None = None
    financing: FinancingSpec | None = None
    completion_fund: FundSpec | None = None
    earmarks: tuple[EarmarkSpec, ...] = ()
    teams: Mapping[str, float] = field(default_factory=dict)
    team_multiplier: Mapping[str, float] = field(default_factory=dict)
    productivity: Mapping[str, float] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    deadline_year: int | bool | None = None
    discount_rate: float | None = None
    localisation_min_share: float | None = None
    equity_min_share: float | None = None
    years: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)  # merged table, for the record


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read a scenarios TOML file; raise :class:`ProjectError` listing every problem."""
    path = Path(path)
    report = ValidationReport()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        report.add(error(path.name, "missing-file", f"Scenario file {path} does not exist."))
        raise ProjectError(report) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        report.add(
            error(
                path.name,
                "toml-syntax",
                f"The scenario file is not valid TOML: {exc}.",
                "Fix the line named in the message.",
            )
        )
        raise ProjectError(report) from None
    scenarios, findings = parse_scenarios(doc, path.name)
    report.extend(findings)
    if report.errors:
        raise ProjectError(report)
    return scenarios


def parse_scenarios(
    doc: Mapping[str, Any],
    file: str = "scenarios.toml",
) -> tuple[list[Scenario], list[Finding]]:
    """Scenarios from a parsed document, in file order, plus every finding about them."""
    findings: list[Finding] = []
    extra = sorted(set(doc) - {"scenarios"})
    if extra:
        findings.append(
            error(
                file,
                "scenario-unknown-key",
                f"Unknown top-level key(s): {', '.join(extra)}.",
                "Put each scenario under [scenarios.<name>].",
            )
        )
    tables = doc.get("scenarios", {})
    if not isinstance(tables, dict) or not tables:
        findings.append(
            error(
                file,
                "scenario-none",
                "The file declares no scenarios.",
                "Add at least one [scenarios.<name>] table.",
            )
        )
        return [], findings
    for name, table in tables.items():
        if not NAME.match(name):
            findings.append(
                error(
                    file,
                    "scenario-name",
                    f"Scenario name {name!r} may only use "
                    "letters, digits, '_', '-' and '.', not first (it names a folder).",
                    ids=[name],
                )
            )
        if not isinstance(table, dict):
            findings.append(
                error(file, "scenario-type", f"scenario '{name}' must be a table.", ids=[name])
            )
    tables = {k: v for k, v in tables.items() if isinstance(v, dict)}
    merged, found = resolve_inheritance(tables, file)
    findings.extend(found)
    scenarios = []
    for name in tables:
        if name not in merged:
            continue
        scenario, found = _scenario(name, merged[name], file)
        findings.extend(found)
        if scenario is not None:
            scenarios.append(scenario)
    return scenarios, findings


def resolve_inheritance(
    tables: Mapping[str, Mapping[str, Any]], file: str
) -> tuple[dict[str, tuple[dict[str, Any], tuple[str, ...]]], list[Finding]]:
    """Each scenario's table merged over its ancestors', with its lineage.

    Unknown parents and cycles are errors naming the scenario; scenarios caught in them are
    left out of the result (their descendants too), so later checks do not repeat the error.
    """
    findings: list[Finding] = []
    parent: dict[str, str | None] = {}
    for name, table in tables.items():
        p = table.get("inherits")
        if p is not None and not isinstance(p, str):
            findings.append(
                error(
                    file,
                    "scenario-type",
                    f"scenario '{name}': inherits = {p!r} must be the name of another scenario.",
                    ids=[name],
                )
            )
            p = None
        parent[name] = p
    resolved: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {}
    broken: set[str] = set()
    for name in tables:
        chain = [name]
        while True:
            p = parent[chain[-1]]
            if p is None:
                break
            if p not in tables:
                findings.append(
                    error(
                        file,
                        "scenario-unknown-parent",
                        f"scenario '{chain[-1]}': inherits = '{p}', which is not a "
                        "scenario in this file.",
                        f"Scenarios are: {', '.join(tables)}.",
                        ids=[chain[-1]],
                    )
                )
                broken.update(chain)
                break
            if p in chain:
                cycle = [*chain[chain.index(p) :], p]
                findings.append(
                    error(
                        file,
                        "scenario-cycle",
                        f"scenario '{name}': inheritance forms a cycle: {' -> '.join(cycle)}.",
                        "Remove one 'inherits' from the cycle.",
                        ids=[name],
                    )
                )
                broken.update(chain)
                break
            chain.append(p)
        if name in broken:
            continue
        merged: dict[str, Any] = {}
        for ancestor in reversed(chain):
            merged = _merge(merged, tables[ancestor])
        merged.pop("inherits", None)
        resolved[name] = (merged, tuple(chain[1:]))
    # Unique findings: a cycle is met once from each of its members.
    seen: set[tuple[str, str]] = set()
    unique = []
    for f in findings:
        if (f.rule, f.message) not in seen:
            seen.add((f.rule, f.message))
            unique.append(f)
    return resolved, unique


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged into ``base``: tables key by key, everything else (arrays too) replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _scenario(
    name: str, merged: tuple[dict[str, Any], tuple[str, ...]], file: str
) -> tuple[Scenario | None, list[Finding]]:
    """One scenario from its merged table; None when a key is invalid (all are reported)."""
    raw, lineage = merged
    table = raw
    earmarks = table.get("earmarks")
    if isinstance(earmarks, list):  # unnamed earmarks are numbered, as reports name them
        table = {
            **table,
            "earmarks": [
                {"name": f"earmark{i + 1}", **e} if isinstance(e, dict) else e
                for i, e in enumerate(earmarks)
            ],
        }
    spec, issues = validate(ScenarioTable, table)
    findings = [_finding(name, file, table, i) for i in issues]
    if spec is None:
        return None, findings
    findings += [
        _error(name, file, rule, key, message) for rule, key, message in _cross_checks(spec)
    ]
    scenario = Scenario(
        name=name,
        description=spec.description,
        lineage=lineage,
        budget=None if spec.budget is None else spec.budget.profile(),
        financing=spec.financing,
        completion_fund=spec.completion_fund,
        earmarks=spec.earmarks,
        teams=_floats(spec.teams),
        team_multiplier=_floats(spec.team_multiplier),
        productivity=_floats(spec.productivity),
        weights=_floats(spec.weights),
        deadline_year=spec.deadline_year,
        discount_rate=spec.discount_rate,
        localisation_min_share=spec.localisation_min_share,
        equity_min_share=spec.equity_min_share,
        years=spec.years,
        raw=raw,
    )
    return scenario, findings


def _floats(mapping: Mapping[str, float]) -> dict[str, float]:
    return {str(k): float(v) for k, v in mapping.items()}


def _cross_checks(spec: ScenarioTable) -> list[tuple[str, str, str]]:
    """(rule, key, message) for rules that span several keys of a valid scenario."""
    out = []
    f = spec.financing
    if f is not None:
        if (f.amount is None) == (not f.draws):
            out.append(
                (
                    "scenario-value",
                    "financing",
                    "needs exactly one of amount (with draw_years) "
                    "or draws = { <year> = <amount> }.",
                )
            )
        if f.repay_start is not None and f.draws and f.repay_start <= max(f.draws):
            out.append(
                (
                    "scenario-value",
                    "financing.repay_start",
                    f"= {f.repay_start} must come after the last draw ({max(f.draws)}).",
                )
            )
    fund = spec.completion_fund
    if fund is not None and (fund.amount is None) == (not fund.per_year):
        out.append(
            (
                "scenario-value",
                "completion_fund",
                "needs exactly one of amount (with final_years) "
                "or per_year = { <year> = <amount> }.",
            )
        )
    for e in spec.earmarks:
        where = f"earmarks[{e.name}]"
        if (e.amount is None) == (not e.per_year):
            out.append(
                (
                    "scenario-value",
                    where,
                    "needs exactly one of amount (every year) or per_year = { <year> = <amount> }.",
                )
            )
        if not (e.provinces or e.methods or e.operators):
            out.append(
                (
                    "scenario-value",
                    where,
                    "restricts nothing: give provinces, "
                    "methods or operators (otherwise add the money to the budget).",
                )
            )
    names = [e.name for e in spec.earmarks]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        out.append(("scenario-value", f"earmarks[{dup}]", "is declared twice."))
    return out


def _error(scenario: str, file: str, rule: str, key: str, message: str, fix: str = "") -> Finding:
    return error(file, rule, f"scenario '{scenario}': {key} {message}", fix, ids=[scenario])


def _key(table: Mapping[str, Any], path: tuple[str | int, ...]) -> str:
    """``("earmarks", 0, "amount")`` -> ``earmarks[north-fund].amount``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            raw = table.get("earmarks", [])
            item = raw[part] if isinstance(raw, list) and part < len(raw) else {}
            label = item.get("name", f"earmark{part + 1}") if isinstance(item, dict) else part
            text += f"[{label}]"
        else:
            text += f".{shorten(part)}" if text else shorten(part)
    return text


def _finding(scenario: str, file: str, table: Mapping[str, Any], issue: Issue) -> Finding:
    """A validation issue worded as before: ``scenario 'x': budget.total = -1 must be >= 0``."""
    key = _key(table, issue.path)
    fix = issue.rule.fix if issue.rule else ""
    if issue.kind == UNKNOWN:
        return _error(
            scenario,
            file,
            "scenario-unknown-key",
            key,
            "is not a known key.",
            f"Allowed: {', '.join(issue.choices)}.",
        )
    if issue.kind == RANGE:
        rule = "scenario-negative" if issue.bound == ">= 0" else "scenario-value"
        return _error(scenario, file, rule, key, f"= {issue.plain} must be {issue.bound}.", fix)
    if issue.kind == CHOICE:
        options = ", ".join(issue.choices)
        return _error(
            scenario, file, "scenario-value", key, f"= {issue.shown} is not one of {options}."
        )
    if issue.kind == FINITE:
        return _error(
            scenario, file, "scenario-value", key, f"= {issue.plain} is not a finite number."
        )
    if issue.kind == KEY:
        return _error(scenario, file, "scenario-type", key, "is not a year.")
    if issue.kind == TABLE or issue.expected == "a table":
        return _error(
            scenario, file, "scenario-type", key, f"must be a table, e.g. {key} = {{ ... }}."
        )
    if key == "earmarks":
        return _error(
            scenario,
            file,
            "scenario-type",
            key,
            "must be an array of tables ([[scenarios.<name>.earmarks]]).",
        )
    return _error(
        scenario, file, "scenario-type", key, f"= {issue.shown} is not {issue.expected}.", fix
    )


# Keys of a scenario table, for the record (the model is the reference).
SCENARIO_KEYS = set(table_fields(ScenarioTable)) - {"inherits"}
