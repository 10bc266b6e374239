"""Validation at the door: every problem reported at once, naming file, ids, rule and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from prioritise import ProjectError, load_problem
from tests.conftest import hazard, make_problem


def write_project(
    folder: Path,
    *,
    toml: str | None = None,
    hazards: str | None = None,
    teams: str | None = None,
    budget: str | None = None,
    deps: str | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "project.toml").write_text(
        toml
        or (
            '[plan]\nstart_year = 2027\nyears = 3\n\n[data]\nhazards = "hazards.csv"\n'
            'teams = "teams.csv"\nbudget = "budget.csv"\ndependencies = "deps.csv"\n'
        )
    )
    (folder / "hazards.csv").write_text(
        hazards
        or ("hazard_id,province,impact,cost_usd,days_manual\nA,N,1,10,1\nB,N,2,10,1\nC,S,3,10,1\n")
    )
    (folder / "teams.csv").write_text(teams or "team_type,teams,days_per_year\nmanual,1,10\n")
    (folder / "budget.csv").write_text(budget or "year,budget_usd\n2027,100\n2028,100\n2029,100\n")
    (folder / "deps.csv").write_text(deps or "hazard_id,requires\nB,A\n")
    return folder / "project.toml"


def rules(exc: pytest.ExceptionInfo[ProjectError]) -> set[str]:
    return {f.rule for f in exc.value.report.errors}


def test_valid_project_loads(tmp_path: Path) -> None:
    problem = load_problem(write_project(tmp_path))
    assert list(problem.hazard_ids) == ["A", "B", "C"]
    assert len(problem.dependencies) == 1


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    path = write_project(
        tmp_path,
        hazards=(
            "hazard_id,province,impact,area_m2,cost_usd,days_manual\n"
            "A,N,1,-5,10,1\nA,N,2,,10,1\nC,,x,,10,1\nD,S,1,,-3,1\n"
        ),
        deps="hazard_id,requires\nA,ZZ\nC,C\n",
    )
    with pytest.raises(ProjectError) as exc:
        load_problem(path)
    found = rules(exc)
    # The unreadable impact stops type coercion first; fix it and the rest shows.
    assert "bad-value" in found
    text = str(exc.value)
    assert "hazards.csv" in text and "impact" in text and "C" in text
    path = write_project(
        tmp_path,
        hazards=(
            "hazard_id,province,impact,area_m2,cost_usd,days_manual\n"
            "A,N,1,-5,10,1\nA,N,2,,10,1\nC,,3,,10,1\nD,S,1,,-3,1\n"
        ),
        deps="hazard_id,requires\nA,ZZ\nC,C\n",
    )
    with pytest.raises(ProjectError) as exc:
        load_problem(path)
    found = rules(exc)
    assert {"duplicate-id", "missing-province", "negative-area_m2", "negative-cost_usd"} <= found


def test_dependency_problems_name_ids_and_print_cycles(tmp_path: Path) -> None:
    path = write_project(tmp_path, deps="hazard_id,requires\nA,ZZ\nA,B\nB,C\nC,A\nB,B\n")
    with pytest.raises(ProjectError) as exc:
        load_problem(path)
    assert {"dependency-unknown-id", "dependency-cycle", "dependency-self"} <= rules(exc)
    cycle = next(f for f in exc.value.report.errors if f.rule == "dependency-cycle")
    assert "A -> " in cycle.message and cycle.message.count("->") == 3
    unknown = next(f for f in exc.value.report.errors if f.rule == "dependency-unknown-id")
    assert unknown.ids == ("ZZ",)
    assert "deps.csv" in unknown.file


def test_missing_columns_and_files(tmp_path: Path) -> None:
    path = write_project(tmp_path, hazards="id,prov\nA,N\n")
    with pytest.raises(ProjectError) as exc:
        load_problem(path)
    missing = next(f for f in exc.value.report.errors if f.rule == "missing-column")
    assert "hazard_id" in missing.message and "[columns]" in missing.fix
    (tmp_path / "teams.csv").unlink()
    with pytest.raises(ProjectError) as exc:
        load_problem(path)
    assert "missing-file" in rules(exc)


def test_toml_mistakes_are_named(tmp_path: Path) -> None:
    path = write_project(
        tmp_path,
        toml=(
            '[plan]\nstart_year = "2027"\nyears = 3\ndiscount_rat = 0.1\n\n[data]\n'
            'hazards = "hazards.csv"\nteams = "teams.csv"\nbudget = "budget.csv"\n'
            '[solver]\nname = "gurobi"\n'
        ),
    )
    with pytest.raises(ProjectError) as exc:
        load_problem(path)
    text = str(exc.value)
    assert "discount_rat" in text and "start_year" in text and "gurobi" in text
    (tmp_path / "project.toml").write_text("[plan\nstart_year = 1")
    with pytest.raises(ProjectError, match="not valid TOML"):
        load_problem(tmp_path / "project.toml")


def test_years_outside_the_horizon(tmp_path: Path) -> None:
    path = write_project(
        tmp_path,
        toml=(
            "[plan]\nstart_year = 2027\nyears = 3\ndeadline_year = 2040\n\n[data]\n"
            'hazards = "hazards.csv"\nteams = "teams.csv"\nbudget = "budget.csv"\n'
        ),
    )
    with pytest.raises(ProjectError) as exc:
        load_problem(path)
    assert "plan-deadline" in rules(exc)
    with pytest.raises(ProjectError) as exc2:
        make_problem([hazard("A", 1, 10, 1, lock="must", lock_year=2035)])
    assert "lock-year-outside" in rules(exc2)


def test_locks_that_conflict_with_each_other_or_budgets() -> None:
    with pytest.raises(ProjectError) as exc:
        make_problem(
            [
                hazard("A", 1, 150, 1, lock="must", lock_year=2027),
                hazard("B", 1, 100, 1, lock="must", lock_year=2027),
                hazard("C", 1, 10, 1, lock="must_not"),
                hazard("D", 1, 10, 1, lock="must"),
                hazard("E", 1, 10, 1, lock="must", lock_year=2027),
                hazard("F", 1, 10, 1, lock="must", lock_year=2028),
            ],
            deps=[("D", "C"), ("E", "F")],
        )
    found = rules(exc)
    assert {"lock-over-budget", "lock-vs-access", "lock-order"} <= found
    over = next(f for f in exc.value.report.errors if f.rule == "lock-over-budget")
    assert set(over.ids) == {"A", "B", "E"} and "2027" in over.message


def test_deadline_that_budgets_cannot_meet() -> None:
    with pytest.raises(ProjectError) as exc:
        make_problem(
            [hazard("A", 1, 300, 1, article5=True)],
            budget=[100, 100, 100],
            toml={"plan": {"deadline_year": 2028}},
        )
    assert "deadline-over-budget" in rules(exc)
    assert "prioritise deadline" in next(iter(exc.value.report.errors)).fix


def test_strict_promotes_warnings(tmp_path: Path) -> None:
    path = write_project(tmp_path, budget="year,budget_usd\n2027,100\n2028,100\n")
    problem = load_problem(path)
    assert any(f.rule == "budget-year-missing" for f in problem.findings)
    with pytest.raises(ProjectError, match="strict"):
        load_problem(path, strict=True)


def test_cli_validate_exit_codes_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_project(tmp_path / "good")
    assert main(["validate", str(good)]) == 0
    assert "valid" in capsys.readouterr().out
    bad = write_project(tmp_path / "bad", deps="hazard_id,requires\nA,B\nB,A\n")
    assert main(["validate", str(bad)]) == 3
    err = capsys.readouterr().err
    assert "dependency-cycle" in err and "Traceback" not in err
    assert main(["validate", str(tmp_path / "nope.toml")]) == 3
    assert "does not exist" in capsys.readouterr().err
