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
from prioritise.core.finance import SCHEDULES, SHAPES, BudgetProfile, FinancingTerms

NAME = re.compile(r"^[A-Za-z0-9_.-]+$")

SCENARIO_KEYS = {
    "description",
    "inherits",
    "budget",
    "financing",
    "completion_fund",
    "earmarks",
    "teams",
    "team_multiplier",
    "productivity",
    "weights",
    "deadline_year",
    "discount_rate",
    "localisation_min_share",
    "equity_min_share",
    "years",
}
BUDGET_KEYS = {
    "per_year",
    "shape",
    "total",
    "decline_rate",
    "front_years",
    "front_share",
    "multiplier",
}
FINANCING_KEYS = {"amount", "draw_years", "draws", "rate", "repay_years", "repay_start", "schedule"}
FUND_KEYS = {"amount", "final_years", "per_year", "condition_year"}
EARMARK_KEYS = {"name", "amount", "per_year", "provinces", "methods", "operators"}


@dataclass(frozen=True)
class FundSpec:
    """A completion fund as written: an amount over the final years, or amounts per year."""

    amount: float | None = None
    final_years: int = 2
    per_year: Mapping[int, float] = field(default_factory=dict)
    condition_year: int | None = None


@dataclass(frozen=True)
class FinancingSpec:
    """Financing as written: draws per year, or an amount spread over the first years."""

    amount: float | None = None
    draw_years: int = 1
    draws: Mapping[int, float] = field(default_factory=dict)
    rate: float = 0.0
    repay_years: int = 5
    repay_start: int | None = None
    schedule: str = "annuity"

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
    name: str
    amount: float | None = None
    per_year: Mapping[int, float] = field(default_factory=dict)
    provinces: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()


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
                    "letters, digits, '_', '-' and '.' (it names a folder).",
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


class _Checker:
    """Reads one scenario's merged table, recording findings that name scenario and key."""

    def __init__(self, scenario: str, file: str, findings: list[Finding]):
        self.scenario = scenario
        self.file = file
        self.findings = findings

    def fail(self, rule: str, key: str, message: str, fix: str = "") -> None:
        self.findings.append(
            error(
                self.file,
                rule,
                f"scenario '{self.scenario}': {key} {message}",
                fix,
                ids=[self.scenario],
            )
        )

    def unknown(self, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(table) - allowed):
            self.fail(
                "scenario-unknown-key",
                f"{where}{key}",
                "is not a known key.",
                f"Allowed: {', '.join(sorted(allowed))}.",
            )

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        where: str = "",
        *,
        minimum: float | None = 0.0,
        maximum: float | None = None,
        positive: bool = False,
        integer: bool = False,
    ) -> Any:
        if key not in table:
            return None
        value = table[key]
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            self.fail(
                "scenario-type",
                f"{where}{key}",
                f"= {value!r} is not {'an integer' if integer else 'a number'}.",
            )
            return None
        if positive and value <= 0:
            self.fail("scenario-value", f"{where}{key}", f"= {value} must be > 0.")
            return None
        if minimum is not None and value < minimum:
            rule = "scenario-negative" if minimum == 0 else "scenario-value"
            self.fail(rule, f"{where}{key}", f"= {value} must be >= {minimum:g}.")
            return None
        if maximum is not None and value > maximum:
            self.fail("scenario-value", f"{where}{key}", f"= {value} must be <= {maximum:g}.")
            return None
        return value

    def table(self, parent: Mapping[str, Any], key: str, where: str = "") -> dict[str, Any]:
        value = parent.get(key, {})
        if not isinstance(value, dict):
            self.fail("scenario-type", f"{where}{key}", f"must be a table, e.g. {key} = {{ ... }}.")
            return {}
        return value

    def number_map(
        self,
        parent: Mapping[str, Any],
        key: str,
        where: str = "",
        *,
        positive: bool = False,
        years: bool = False,
    ) -> dict[Any, float]:
        raw = self.table(parent, key, where)
        out: dict[Any, float] = {}
        for k, _ in raw.items():
            v = self.number(raw, k, f"{where}{key}.", positive=positive)
            if v is None:
                continue
            if years:
                if not str(k).isdigit():
                    self.fail("scenario-type", f"{where}{key}.{k}", "is not a year.")
                    continue
                out[int(k)] = float(v)
            else:
                out[str(k)] = float(v)
        return out

    def names(self, table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail("scenario-type", f"{where}{key}", "must be a list of names.")
            return ()
        return tuple(value)


def _scenario(
    name: str, merged: tuple[dict[str, Any], tuple[str, ...]], file: str
) -> tuple[Scenario, list[Finding]]:
    table, lineage = merged
    findings: list[Finding] = []
    c = _Checker(name, file, findings)
    c.unknown(table, SCENARIO_KEYS, "")
    description = table.get("description", "")
    if not isinstance(description, str):
        c.fail("scenario-type", "description", "must be text.")
        description = ""
    deadline = table.get("deadline_year")
    if deadline is not None and not (
        deadline is False or (isinstance(deadline, int) and not isinstance(deadline, bool))
    ):
        c.fail(
            "scenario-type",
            "deadline_year",
            f"= {deadline!r} must be a year, or false to remove the project's deadline.",
        )
        deadline = None
    scenario = Scenario(
        name=name,
        description=description,
        lineage=lineage,
        budget=_budget(c, table),
        financing=_financing(c, table),
        completion_fund=_fund(c, table),
        earmarks=_earmarks(c, table),
        teams=c.number_map(table, "teams"),
        team_multiplier=c.number_map(table, "team_multiplier"),
        productivity=c.number_map(table, "productivity", positive=True),
        weights=c.number_map(table, "weights"),
        deadline_year=deadline,
        discount_rate=c.number(table, "discount_rate", maximum=0.999),
        localisation_min_share=c.number(table, "localisation_min_share", maximum=1.0),
        equity_min_share=c.number(table, "equity_min_share", maximum=1.0),
        years=c.number(table, "years", integer=True, positive=True, maximum=50),
        raw=table,
    )
    return scenario, findings


def _budget(c: _Checker, table: Mapping[str, Any]) -> BudgetProfile | None:
    if "budget" not in table:
        return None
    t = c.table(table, "budget")
    c.unknown(t, BUDGET_KEYS, "budget.")
    shape = t.get("shape")
    if shape is not None and shape not in SHAPES:
        c.fail("scenario-value", "budget.shape", f"= {shape!r} is not one of {', '.join(SHAPES)}.")
        shape = None
    multiplier: float | dict[int, float] = 1.0
    if isinstance(t.get("multiplier"), dict):
        multiplier = c.number_map(t, "multiplier", "budget.", years=True)
    elif "multiplier" in t:
        scalar = c.number(t, "multiplier", "budget.")
        multiplier = 1.0 if scalar is None else float(scalar)
    front_share = c.number(t, "front_share", "budget.", maximum=1.0)
    decline = c.number(t, "decline_rate", "budget.", maximum=0.999)
    front_years = c.number(t, "front_years", "budget.", integer=True, positive=True)
    total = c.number(t, "total", "budget.")
    return BudgetProfile(
        per_year=c.number_map(t, "per_year", "budget.", years=True),
        shape=shape,
        total=None if total is None else float(total),
        decline_rate=0.1 if decline is None else float(decline),
        front_years=3 if front_years is None else int(front_years),
        front_share=0.5 if front_share is None else float(front_share),
        multiplier=multiplier,
    )


def _financing(c: _Checker, table: Mapping[str, Any]) -> FinancingSpec | None:
    if "financing" not in table:
        return None
    t = c.table(table, "financing")
    c.unknown(t, FINANCING_KEYS, "financing.")
    w = "financing."
    amount = c.number(t, "amount", w)
    draws = c.number_map(t, "draws", w, years=True)
    if (amount is None) == (not draws):
        c.fail(
            "scenario-value",
            "financing",
            "needs exactly one of amount (with draw_years) or draws = { <year> = <amount> }.",
        )
    schedule = t.get("schedule", "annuity")
    if schedule not in SCHEDULES:
        c.fail(
            "scenario-value",
            "financing.schedule",
            f"= {schedule!r} is not one of {', '.join(SCHEDULES)}.",
        )
        schedule = "annuity"
    draw_years = c.number(t, "draw_years", w, integer=True, positive=True)
    repay_years = c.number(t, "repay_years", w, integer=True, positive=True)
    rate = c.number(t, "rate", w, maximum=1.0)
    repay_start = c.number(t, "repay_start", w, integer=True, positive=True)
    if repay_start is not None and draws and repay_start <= max(draws):
        c.fail(
            "scenario-value",
            "financing.repay_start",
            f"= {repay_start} must come after the last draw ({max(draws)}).",
        )
        repay_start = None
    return FinancingSpec(
        amount=None if amount is None else float(amount),
        draw_years=1 if draw_years is None else int(draw_years),
        draws=draws,
        rate=0.0 if rate is None else float(rate),
        repay_years=5 if repay_years is None else int(repay_years),
        repay_start=repay_start,
        schedule=str(schedule),
    )


def _fund(c: _Checker, table: Mapping[str, Any]) -> FundSpec | None:
    if "completion_fund" not in table:
        return None
    t = c.table(table, "completion_fund")
    w = "completion_fund."
    c.unknown(t, FUND_KEYS, w)
    amount = c.number(t, "amount", w)
    per_year = c.number_map(t, "per_year", w, years=True)
    if (amount is None) == (not per_year):
        c.fail(
            "scenario-value",
            "completion_fund",
            "needs exactly one of amount (with final_years) or per_year = { <year> = <amount> }.",
        )
    final_years = c.number(t, "final_years", w, integer=True, positive=True)
    condition = c.number(t, "condition_year", w, integer=True, positive=True)
    return FundSpec(
        amount=None if amount is None else float(amount),
        final_years=2 if final_years is None else int(final_years),
        per_year=per_year,
        condition_year=condition,
    )


def _earmarks(c: _Checker, table: Mapping[str, Any]) -> tuple[EarmarkSpec, ...]:
    raw = table.get("earmarks", [])
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        c.fail(
            "scenario-type",
            "earmarks",
            "must be an array of tables ([[scenarios.<name>.earmarks]]).",
        )
        return ()
    out = []
    for i, t in enumerate(raw):
        name = t.get("name", f"earmark{i + 1}")
        w = f"earmarks[{name}]."
        c.unknown(t, EARMARK_KEYS, w)
        amount = c.number(t, "amount", w)
        per_year = c.number_map(t, "per_year", w, years=True)
        if (amount is None) == (not per_year):
            c.fail(
                "scenario-value",
                f"earmarks[{name}]",
                "needs exactly one of amount (every year) or per_year = { <year> = <amount> }.",
            )
        spec = EarmarkSpec(
            name=str(name),
            amount=None if amount is None else float(amount),
            per_year=per_year,
            provinces=c.names(t, "provinces", w),
            methods=c.names(t, "methods", w),
            operators=c.names(t, "operators", w),
        )
        if not (spec.provinces or spec.methods or spec.operators):
            c.fail(
                "scenario-value",
                f"earmarks[{name}]",
                "restricts nothing: give provinces, "
                "methods or operators (otherwise add the money to the budget).",
            )
        out.append(spec)
    names = [e.name for e in out]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        c.fail("scenario-value", f"earmarks[{dup}]", "is declared twice.")
    return tuple(out)
