"""Build-level tests: each constraint family's rows checked without solving."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.families import FAMILIES
from models.workplan import BuiltModel, build_model
from prioritise.core.problem import Problem
from tests.conftest import hazard, make_problem


def dense(built: BuiltModel, family: str) -> pd.DataFrame:
    """A family's rows as a dense frame: one row per constraint, one column per variable."""
    block = built.model.block(family)
    matrix = np.zeros((block.n_rows, built.model.n_cols))
    np.add.at(matrix, (block.rows, block.cols), block.vals)
    return pd.DataFrame(matrix, columns=built.model.col_names())


def x_name(hid: str, year: int) -> str:
    return f"x__{hid}__estimate__national__{year}"


@pytest.fixture
def built(four_hazards: Problem) -> BuiltModel:
    return build_model(four_hazards)


def test_family_assignment_variables(four_hazards: Problem) -> None:
    """One binary per hazard, option and year. With the objective on assignment its
    coefficient is I_h w_t with w = (3, 2, 1); on completion (default) x carries only the
    environmental term (0 here)."""
    built = build_model(four_hazards, objective="assignment")
    block = built.model.column_block("x")
    assert block.stop - block.start == 4 * 3
    lower, upper, cost, integer = built.model.columns()
    coef = dict(zip(built.model.col_names(), cost, strict=True))
    assert coef[x_name("D", 2027)] == 60 and coef[x_name("D", 2029)] == 20
    assert coef[x_name("A", 2028)] == 20
    assert integer[block.start : block.stop].all()
    assert (upper[block.start : block.stop] == 1).all() and (lower == 0).all()
    default = build_model(four_hazards)
    coef = dict(zip(default.model.col_names(), default.model.columns()[2], strict=True))
    assert coef[x_name("D", 2027)] == 0


def test_family_completed_by(built: BuiltModel) -> None:
    """y[h,t] - y[h,t-1] - sum_o x[h,o,t] = 0 for every hazard; objective I_h (1+r)^-t, so
    D (impact 20) completed in 2027 earns 20 in each of the 3 years: 60 = I_h w_0."""
    d = dense(built, "completed_by_definition")
    assert len(d) == 4 * 3
    row = d.iloc[2 * 3 + 1]  # C, t = 1
    assert row["completed_by__C__1"] == 1 and row["completed_by__C__0"] == -1
    assert row[x_name("C", 2028)] == -1
    coef = dict(zip(built.model.col_names(), built.model.columns()[2], strict=True))
    assert [coef[f"completed_by__D__{t}"] for t in range(3)] == [20, 20, 20]
    assert built.model.columns()[3][built.model.column_block("completed_by").start] == 0


def test_family_complete_once(built: BuiltModel) -> None:
    m = dense(built, "complete_once")
    block = built.model.block("complete_once")
    assert list(block.keys["hazard"]) == ["A", "B", "C", "D"]
    assert (block.upper == 1).all() and np.isneginf(block.lower).all()
    # Row A sums exactly A's three year variables.
    row_a = m.iloc[0]
    assert set(row_a[row_a != 0].index) == {x_name("A", y) for y in (2027, 2028, 2029)}


def test_family_required_completion() -> None:
    """A must lock to 2028 and an Article 5 hazard under a 2028 deadline both get >= 1 rows,
    and their variables exist only in the allowed years."""
    problem = make_problem(
        [
            hazard("A", 1, 10, 1, lock="must", lock_year=2028),
            hazard("B", 1, 10, 1, article5=True),
            hazard("C", 1, 10, 1),
        ],
        toml={"plan": {"deadline_year": 2028}},
    )
    b = build_model(problem)
    block = b.model.block("required_completion")
    assert list(block.keys["hazard"]) == ["A", "B"]
    assert (block.lower == 1).all()
    names = set(b.model.col_names())
    assert x_name("A", 2028) in names and x_name("A", 2027) not in names
    assert x_name("B", 2029) not in names and x_name("C", 2029) in names


def test_family_budget_per_year(built: BuiltModel) -> None:
    m = dense(built, "budget_per_year")
    block = built.model.block("budget_per_year")
    assert list(block.upper) == [200, 200, 100]
    assert m.loc[1, x_name("D", 2028)] == 150 and m.loc[0, x_name("D", 2028)] == 0


def test_family_budget_per_year_with_carry_over() -> None:
    problem = make_problem([hazard("A", 1, 10, 1)], toml={"plan": {"carry_over": True}})
    b = build_model(problem)
    m = dense(b, "budget_per_year")
    # r_2027 leaves 2027 (+1) and arrives in 2028 (-1).
    assert m.loc[0, "carry__2027"] == 1 and m.loc[1, "carry__2027"] == -1
    assert m.loc[1, "carry__2028"] == 1 and m.loc[2, "carry__2028"] == -1


def test_family_team_capacity(built: BuiltModel) -> None:
    m = dense(built, "team_capacity")
    block = built.model.block("team_capacity")
    assert list(block.keys["team_type"]) == ["manual"] * 3
    assert list(block.upper) == [10, 10, 10]
    assert m.loc[2, x_name("B", 2029)] == 5 and m.loc[2, x_name("B", 2027)] == 0


def test_family_access_precedence_by(built: BuiltModel) -> None:
    """y[h,t] - y[h,t-1] - sum_o x[h,o,t] = 0 and y[D,t] - y[C,t] <= 0 for every t."""
    p = dense(built, "access_precedence")
    assert len(p) == 3
    assert p.loc[2, "completed_by__D__2"] == 1 and p.loc[2, "completed_by__C__2"] == -1
    assert (built.model.block("access_precedence").upper == 0).all()


def test_family_access_precedence_cumulative(four_hazards: Problem) -> None:
    """sum_{s<=t} x[D,s] - sum_{s<=t} x[C,s] <= 0 written inline."""
    p = dense(build_model(four_hazards, "cumulative"), "access_precedence")
    row = p.iloc[1]  # t = 2028
    assert row[x_name("D", 2027)] == 1 and row[x_name("D", 2028)] == 1
    assert row[x_name("D", 2029)] == 0
    assert row[x_name("C", 2027)] == -1 and row[x_name("C", 2028)] == -1
    assert row[x_name("A", 2027)] == 0


def test_family_access_precedence_aggregated(four_hazards: Problem) -> None:
    b = build_model(four_hazards, "aggregated")
    year_row = dense(b, "access_precedence_year").iloc[0]
    # sum (t+1-T) x_D - sum (t+1) x_C >= -T with T = 3.
    assert year_row[x_name("D", 2027)] == -2 and year_row[x_name("C", 2029)] == -3
    assert b.model.block("access_precedence_year").lower[0] == -3


def test_family_province_equity() -> None:
    problem = make_problem(
        [hazard("N", 1, 10, 1), hazard("S", 1, 30, 1, province="South")],
        years=1,
        toml={"constraints": {"equity": {"min_share": {"South": 0.25}}}},
    )
    b = build_model(problem)
    m = dense(b, "province_equity")
    assert list(b.model.block("province_equity").keys["province"]) == ["South"]
    assert m.loc[0, x_name("S", 2027)] == 30 and m.loc[0, x_name("N", 2027)] == 0
    assert m.loc[0, "total_spend__all"] == -0.25
    spend = dense(b, "total_spend_definition")
    assert spend.loc[0, x_name("N", 2027)] == 10 and spend.loc[0, "total_spend__all"] == -1


def test_family_localisation() -> None:
    teams = [
        {"team_type": "manual", "teams": 1, "days_per_year": 10, "operator": "national"},
        {"team_type": "mech", "teams": 1, "days_per_year": 10, "operator": "international"},
    ]
    problem = make_problem(
        [hazard("A", 1, 10, 1), {**hazard("B", 1, 20, 0), "days_mech": 1}],
        years=1,
        teams=teams,
        toml={"constraints": {"localisation": {"min_national_share": 0.4}}},
    )
    b = build_model(problem)
    m = dense(b, "localisation")
    assert m.loc[0, x_name("A", 2027)] == 10
    assert m.loc[0, "x__B__estimate__international__2027"] == 0
    assert m.loc[0, "total_spend__all"] == -0.4


def test_every_family_has_a_build_test() -> None:
    tested = {name[len("test_family_") :] for name in globals() if name.startswith("test_family_")}
    missing = {f for f in FAMILIES if not any(t.startswith(f) for t in tested)}
    assert not missing, f"families without a build-level test: {missing}"


def test_no_duplicate_names_in_a_model(four_hazards: Problem) -> None:
    b = build_model(four_hazards)
    assert len(set(b.model.col_names())) == b.model.n_cols
    assert len(set(b.model.row_names())) == b.model.n_rows
