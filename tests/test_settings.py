"""Typed settings: every table's keys checked at once, worded as file / [table] key / rule / fix."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from cli import main
from prioritise import ProjectError, load_problem
from prioritise.core import limits, types
from prioritise.core.errors import Finding
from prioritise.core.settings import (
    AccessSettings,
    ProjectFile,
    Settings,
    parse_settings,
    settings_from_dict,
)
from prioritise.inputs.scenarios import parse_scenarios
from tests.test_validation import write_project

BASE: dict[str, Any] = {
    "plan": {"start_year": 2027, "years": 3},
    "data": {"hazards": "h.csv", "teams": "t.csv", "budget": "b.csv"},
}
TOML = Path("/nowhere/project.toml")


def parse(**tables: Any) -> list[Finding]:
    """Findings for BASE with ``tables`` merged in (key by key for plan/data)."""
    doc = {k: dict(v) for k, v in BASE.items()}
    for name, table in tables.items():
        doc[name] = {**doc.get(name, {}), **table} if isinstance(table, dict) else table
    settings, findings = parse_settings(doc, TOML, check_files=False)
    assert (settings is None) == any(f.severity == "error" for f in findings)
    return findings


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [f.render() for f in findings]
    assert findings[0].file == "project.toml"
    return findings[0]


INF, NAN = math.inf, math.nan

# (table, key, bad value, rule, words in the message): one row per way a key can be wrong.
CASES: list[tuple[str, Any, str, str]] = [
    # [plan]
    ("plan", {"discount_rat": 0.1}, "toml-unknown-key", "Unknown key(s) in [plan]: discount_rat"),
    ("plan", {"start_year": "2027"}, "toml-type", "[plan] start_year = '2027' is not an integer"),
    ("plan", {"start_year": True}, "toml-type", "[plan] start_year = True is not an integer"),
    ("plan", {"years": 3.0}, "toml-type", "[plan] years = 3.0 is not an integer"),
    ("plan", {"years": 60}, "plan-years", "[plan] years = 60 must be <= 50"),
    ("plan", {"discount_rate": 1.0}, "plan-discount", "[plan] discount_rate = 1.0 must be < 1"),
    ("plan", {"discount_rate": INF}, "toml-value", "[plan] discount_rate = inf is not a finite"),
    ("plan", {"environment_weight": -1}, "plan-environment", "environment_weight = -1 must be"),
    ("plan", {"deadline_year": 2040}, "plan-deadline", "deadline_year = 2040 is outside"),
    ("plan", {"carry_over": "yes"}, "toml-type", "[plan] carry_over = 'yes' is not true or false"),
    # [data]
    ("data", {"hazard": "x.csv"}, "toml-unknown-key", "Unknown key(s) in [data]: hazard"),
    ("data", {"hazards": 3}, "toml-type", "[data] hazards = 3 is not a path"),
    # [project], [columns]
    ("project", {"nam": "x"}, "toml-unknown-key", "Unknown key(s) in [project]: nam"),
    ("columns", {"ID": 3}, "toml-type", "[columns] ID = 3 is not text"),
    # [methods.NAME]
    ("methods", {"m": {"productivity": {"manual": 0}}}, "method-productivity", "> 0"),
    ("methods", {"m": {"productivity": {}}}, "method-productivity", "must be not empty"),
    ("methods", {"m": {"label": "x"}}, "toml-missing-key", "[methods.m] needs 'productivity'"),
    ("methods", {"m": {"productivity": {"manual": INF}}}, "toml-value", "is not a finite"),
    (
        "methods",
        {"m": {"productivity": {"manual": 1}, "disturbance": 2}},
        "method-disturbance",
        "[methods.m] disturbance = 2 must be <= 1",
    ),
    (
        "methods",
        {"m": {"productivity": {"manual": 1}, "cost_per_m2": -1}},
        "method-cost",
        "cost_per_m2 = -1 must be >= 0",
    ),
    (
        "methods",
        {"m": {"productivity": {"manual": 1}, "speed": 1}},
        "toml-unknown-key",
        "Unknown key(s) in [methods.m]: speed",
    ),
    ("methods", {"m": 3}, "toml-type", "[methods.m] must be a table"),
    # [scoring], [[scoring.criteria]]
    ("scoring", {"scale": NAN}, "toml-value", "[scoring] scale = nan is not a finite"),
    ("scoring", {"criteria": {"a": 1}}, "toml-type", "[scoring] criteria = {'a': 1} is not a list"),
    (
        "scoring",
        {"criteria": [{"column": "c", "weight": -1}]},
        "criterion-weight",
        "[scoring.criteria #1] weight = -1 must be >= 0",
    ),
    (
        "scoring",
        {"criteria": [{"column": "c", "weight": 0}]},
        "criterion-weight",
        "All scoring weights are zero",
    ),
    (
        "scoring",
        {"criteria": [{"column": "c", "weight": 1, "normalise": "z"}]},
        "criterion-normalise",
        "normalise = 'z' is not one of minmax, log, rank, none",
    ),
    (
        "scoring",
        {"criteria": [{"column": "c", "weight": 1, "type": "ordinal"}]},
        "criterion-type",
        "type = 'ordinal' is not one of",
    ),
    (
        "scoring",
        {"criteria": [{"column": "c", "weight": 1, "type": "categorical"}]},
        "toml-type",
        "[scoring.criteria #1] points must map categories to points",
    ),
    (
        "scoring",
        {"criteria": [{"weight": 1}]},
        "toml-missing-key",
        "[scoring.criteria #1] needs 'column'",
    ),
    # [constraints.*]
    ("constraints", {"equity": {"min_share": 1.5}}, "equity-share", "min_share = 1.5 must be <= 1"),
    (
        "constraints",
        {"equity": {"min_share": {"N": 0.6, "S": 0.6}}},
        "equity-share",
        "sum to 1.2, more than 1",
    ),
    (
        "constraints",
        {"equity": {"min_share": {"N": -0.1}}},
        "equity-share",
        "[constraints.equity] min_share.N = -0.1 must be >= 0",
    ),
    (
        "constraints",
        {"equity": {"min_share": "all"}},
        "toml-type",
        "min_share = 'all' is not a number or a table",
    ),
    (
        "constraints",
        {"localisation": {"min_national_share": 2}},
        "localisation-share",
        "[constraints.localisation] min_national_share = 2 must be <= 1",
    ),
    ("constraints", {"equality": {}}, "toml-unknown-key", "Unknown key(s) in [constraints]"),
    # [solver]
    ("solver", {"name": "gurobi"}, "solver-name", "[solver] name = 'gurobi' is not one of"),
    ("solver", {"time_limit": 0}, "solver-limits", "[solver] time_limit = 0 must be > 0"),
    ("solver", {"time_limit": INF}, "toml-value", "[solver] time_limit = inf is not a finite"),
    ("solver", {"gap": 1}, "solver-limits", "[solver] gap = 1 must be < 1"),
    ("solver", {"threads": -1}, "toml-value", "[solver] threads = -1 must be >= 0"),
    ("solver", {"threads": 1.5}, "toml-type", "[solver] threads = 1.5 is not an integer"),
    ("solver", {"precedence": "x"}, "solver-precedence", "precedence = 'x' is not one of"),
    ("solver", {"objective": "x"}, "solver-objective", "objective = 'x' is not one of"),
    # [access]
    ("access", {"snap_tolerance": 5}, "toml-unknown-key", "Unknown key(s) in [access]"),
    ("access", {"max_walk_m": -1}, "toml-value", "[access] max_walk_m = -1 must be >= 0"),
    ("access", {"detour_factor": 0.9}, "toml-value", "[access] detour_factor = 0.9 must be >= 1"),
    ("access", {"detour_factor": NAN}, "toml-value", "[access] detour_factor = nan is not a"),
    ("access", {"off_network": "walk"}, "toml-value", "off_network = 'walk' is not one of"),
    # top level
    ("acess", {"crs": "x"}, "toml-unknown-key", "Unknown key(s) in [top level]: acess"),
    ("plan", 3, "toml-type", "[plan] must be a table"),
]


@pytest.mark.parametrize(("table", "value", "rule", "words"), CASES)
def test_each_mistake_is_one_finding_naming_table_key_and_rule(
    table: str, value: Any, rule: str, words: str
) -> None:
    finding = only([f for f in parse(**{table: value}) if f.severity == "error"])
    assert finding.rule == rule
    assert words in finding.message, finding.message
    if rule in ("toml-unknown-key", "toml-missing-key", "toml-type", "solver-limits"):
        assert finding.fix  # says what to write instead


def test_every_mistake_in_a_file_is_reported_together() -> None:
    findings = parse(
        plan={"years": 0, "discount_rate": -0.1, "typo": 1},
        data={"budget": 5},
        methods={"m": {"productivity": {"manual": -2}}},
        scoring={"criteria": [{"column": "c", "weight": "3"}]},
        solver={"name": "cplex", "gap": 2},
        access={"block_buffer_m": INF},
        extra={},
    )
    assert sorted(f.rule for f in findings) == sorted(
        [
            "toml-unknown-key",  # [top level] extra
            "toml-unknown-key",  # [plan] typo
            "plan-years",
            "plan-discount",
            "toml-type",  # [data] budget
            "method-productivity",
            "toml-type",  # weight "3"
            "solver-name",
            "solver-limits",
            "toml-value",  # inf
        ]
    )
    assert all(f.severity == "error" and f.file == "project.toml" for f in findings)


def test_garbage_values_and_keys_are_cut_short_in_messages() -> None:
    findings = parse(plan={"years": "9" * 100_000}, solver={"x" * 100_000: 1})
    assert {f.rule for f in findings} == {"toml-type", "toml-unknown-key"}
    assert all(len(f.message) < 300 for f in findings), [len(f.message) for f in findings]
    messages = scenario_messages({"s": {"description": ["d"] * 50_000, "y" * 50_000: 1}})
    assert len(messages) == 2 and all(len(m) < 400 for m in messages)


def test_missing_tables_report_each_required_key() -> None:
    settings, findings = parse_settings({}, TOML, check_files=False)
    assert settings is None
    messages = {f.message for f in findings}
    assert {
        "[plan] needs 'start_year'.",
        "[plan] needs 'years'.",
        "[data] needs 'hazards'.",
        "[data] needs 'teams'.",
        "[data] needs 'budget'.",
    } == messages


def test_values_become_the_engine_settings() -> None:
    settings = settings_from_dict(
        {
            **BASE,
            "project": {"name": "Demo"},
            "methods": {"dogs": {"productivity": {"mdd": 700}, "classes": "cha"}},
            "scoring": {"criteria": [{"column": "land", "weight": 2, "points": {"farm": 1}}]},
            "constraints": {"equity": {"min_share": {"N": 0.1}}},
            "solver": {"name": "HiGHS", "time_limit": 5},
        },
        root=Path("/tmp/x"),
    )
    assert settings.name == "Demo"
    assert settings.data.hazards == Path("/tmp/x/h.csv")
    (method,) = settings.methods
    assert (method.name, method.label, method.classes) == ("dogs", "dogs", ("CHA",))
    assert method.productivity == {"mdd": 700.0}
    assert isinstance(method.productivity["mdd"], float)
    (criterion,) = settings.scoring.criteria
    assert (criterion.name, criterion.kind, dict(criterion.points)) == (
        "land",
        "categorical",
        {"farm": 1.0},
    )
    assert dict(settings.constraints.equity_min_share) == {"N": 0.1}
    assert settings.solver.name == "highs"
    assert settings.solver.time_limit == 5.0 and isinstance(settings.solver.time_limit, float)
    assert settings.access == AccessSettings()


def test_every_table_reaches_the_engine() -> None:
    """A table in the file model is never dropped on its way to Settings."""
    written = {f.name for f in dataclasses.fields(ProjectFile)} - {"project"}  # -> name
    assert written <= {f.name for f in dataclasses.fields(Settings)}


def test_access_is_part_of_settings_and_checked_at_load(tmp_path: Path) -> None:
    project = load_problem(Path("sample_data/minimal/project.toml"))
    assert project.settings.access == AccessSettings()
    toml = (
        '[plan]\nstart_year = 2027\nyears = 3\n\n[data]\nhazards = "hazards.csv"\n'
        'teams = "teams.csv"\nbudget = "budget.csv"\n\n'
        '[access]\ndetour_factor = 2.5\nroute_choice = "shortest"\n'
    )
    path = write_project(tmp_path / "ok", toml=toml)
    access = load_problem(path).settings.access
    assert (access.detour_factor, access.route_choice) == (2.5, "shortest")
    # Mistakes in [access] are reported even without [data] roads, with the TOML's name.
    bad = write_project(tmp_path / "bad", toml=toml + 'crs = "EPSG:4326"\nignore = "missing.csv"\n')
    with pytest.raises(ProjectError) as exc:
        load_problem(bad)
    found = {(f.rule, f.file) for f in exc.value.report.errors}
    assert found == {
        ("toml-value", "project.toml"),  # crs in degrees
        ("missing-file", "project.toml"),  # ignore
    }
    typo = write_project(tmp_path / "typo", toml=toml + "snap = 1\n")
    with pytest.raises(ProjectError) as exc:
        load_problem(typo)
    assert [f.rule for f in exc.value.report.errors] == ["toml-unknown-key"]


def test_cli_validate_lists_every_settings_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_project(
        tmp_path,
        toml=(
            "[plan]\nstart_year = 2027\nyears = 99\n\n[data]\nhazards = 'hazards.csv'\n"
            "teams = 'teams.csv'\nbudget = 'budget.csv'\n\n[solver]\ngap = inf\nthreads = true\n"
        ),
    )
    assert main(["validate", str(path)]) == 3
    err = capsys.readouterr().err
    for text in ("[plan-years]", "[solver] gap = inf", "[solver] threads = True", "3 error(s)"):
        assert text in err, err
    assert "Traceback" not in err


# --- scenario files -------------------------------------------------------------------------


def scenario_messages(doc: dict[str, Any]) -> list[str]:
    _, findings = parse_scenarios({"scenarios": doc})
    assert all(f.file == "scenarios.toml" and f.ids for f in findings)
    return [f"{f.rule}: {f.message}" for f in findings]


def test_scenario_values_are_checked_like_settings() -> None:
    messages = scenario_messages(
        {
            "s": {
                "discount_rate": INF,
                "years": 0,
                "deadline_year": True,
                "teams": {"manual": NAN},
                "budget": {"per_year": {"next": 5}, "multiplier": {"2027": -1}},
                "completion_fund": {"amount": 1.0, "condition_year": 27},
                "earmarks": [{"amount": 1.0, "provinces": "North", "colour": "red"}],
            }
        }
    )
    expected = [
        "scenario-value: scenario 's': discount_rate = inf is not a finite number.",
        "scenario-value: scenario 's': years = 0 must be >= 1.",
        "scenario-type: scenario 's': deadline_year = True is not an integer or false.",
        "scenario-value: scenario 's': teams.manual = nan is not a finite number.",
        "scenario-type: scenario 's': budget.per_year.next is not a year.",
        "scenario-negative: scenario 's': budget.multiplier.2027 = -1 must be >= 0.",
        "scenario-value: scenario 's': completion_fund.condition_year = 27 must be >= 1900.",
        "scenario-unknown-key: scenario 's': earmarks[earmark1].colour is not a known key.",
    ]
    assert sorted(messages) == sorted(expected)


def test_scenario_inheritance_then_validation() -> None:
    """A child inherits its parent's keys; an invalid inherited value is reported for both."""
    doc = {
        "base": {"budget": {"multiplier": 0.9, "total": 5.0, "shape": "flat"}},
        "child": {"inherits": "base", "budget": {"multiplier": 0.5}},
        "bad": {"budget": {"total": -1.0}},
        "heir": {"inherits": "bad", "description": "inherits a bad total"},
    }
    scenarios, findings = parse_scenarios({"scenarios": doc})
    by_name = {s.name: s for s in scenarios}
    assert set(by_name) == {"base", "child"}
    child = by_name["child"].budget
    assert child is not None
    assert (child.multiplier, child.total, child.shape) == (0.5, 5.0, "flat")
    assert sorted(f.ids for f in findings) == [("bad",), ("heir",)]
    assert all("budget.total = -1.0 must be >= 0" in f.message for f in findings)


def test_scenario_cycles_of_three_and_self() -> None:
    messages = scenario_messages(
        {
            "a": {"inherits": "b"},
            "b": {"inherits": "c"},
            "c": {"inherits": "a"},
            "me": {"inherits": "me"},
            "ok": {"inherits": "ok2"},
            "ok2": {},
        }
    )
    cycles = [m for m in messages if m.startswith("scenario-cycle")]
    assert any("a -> b -> c -> a" in m for m in cycles)
    assert any("me -> me" in m for m in cycles)
    assert not any("'ok'" in m for m in messages)


def test_earmark_names_default_and_single_names_become_lists() -> None:
    scenarios, findings = parse_scenarios(
        {"scenarios": {"s": {"earmarks": [{"amount": 1.0, "provinces": "North"}]}}}
    )
    assert findings == []
    (earmark,) = scenarios[0].earmarks
    assert (earmark.name, earmark.provinces) == ("earmark1", ("North",))
    assert "name" not in scenarios[0].raw["earmarks"][0]  # the record keeps what was written


# --- shared constrained types ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (types.Fraction, [0, 0.0, 0.5, 0.999], [1, 1.0, -0.01, INF, NAN, True, "0.1"]),
        (types.Share, [0, 1, 1.0], [1.01, -1, NAN]),
        (types.Money, [0, 150_000, 1.5e9], [-1, INF, "1000"]),
        (types.Seconds, [0.5, 60], [0, -1, INF]),
        (types.Threads, [1, 8], [0, 1.0, True]),
        (types.Samples, [1, 500], [0, -5, 2.5]),
        (types.Year, [1900, 2027, 2200], [27, 20270, 2027.0, "2027", False]),
        (types.Positive, [1e-9, 3], [0, -1, NAN]),
        (types.NonNegative, [0, 3], [-1e-9, INF]),
        (types.Finite, [-1, 0, 2.5], [INF, -INF, NAN]),
    ],
)
def test_constrained_types(kind: Any, good: list[Any], bad: list[Any]) -> None:
    for value in good:
        assert types.check_value(kind, value) == value
    for value in bad:
        with pytest.raises(ValidationError):
            types.check_value(kind, value)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_gap_is_accepted_exactly_in_zero_to_one(gap: float) -> None:
    findings = parse(solver={"gap": gap})
    assert (findings == []) == (math.isfinite(gap) and 0 <= gap < 1)
    if findings:
        assert only(findings).rule in ("solver-limits", "toml-value")


# Each constrained type and the rule the command-line flags are checked with (core/limits.py).
TYPES_AND_LIMITS = [
    (types.Fraction, limits.GAP, False),
    (types.Share, limits.FRACTION, False),
    (types.Seconds, limits.SECONDS, False),
    (types.Positive, limits.POSITIVE, False),
    (types.NonNegative, limits.NON_NEGATIVE, False),
    (types.Finite, limits.FINITE, False),
    (types.Threads, limits.THREADS, True),
    (types.Samples, limits.SAMPLES, True),
    (types.Year, limits.YEAR, True),
]
EDGES = [-1, 0, 0.5, 1, 2, 1023, 1024, 1025, 1899, 1900, 2200, 2201, 1e7, 1e7 + 1]
EDGES += [10_000_000, 10_000_001, INF, -INF, NAN, True, False]


@pytest.mark.parametrize(("kind", "limit", "integer"), TYPES_AND_LIMITS)
@given(value=st.one_of(st.integers(), st.floats(), st.sampled_from(EDGES)))
def test_settings_types_agree_with_the_flags_rules(
    kind: Any, limit: limits.Limit, integer: bool, value: float
) -> None:
    """A value legal in a TOML file is legal as a flag, and the other way round.

    (Integer kinds take integers: TOML ``years = 3.0`` is refused as before.)
    """
    if integer and isinstance(value, float):
        return
    try:
        types.check_value(kind, value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (limit.problem(value) is None), (value, limit.what)
