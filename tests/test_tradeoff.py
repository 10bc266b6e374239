"""Trade-off curves: every point respects its cap, no frontier point dominates another, the
knee is a frontier point, and the command writes a table, a chart and each point's plan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prioritise import load_problem, plan
from prioritise.analyses.tradeoff import (
    TradeoffSettings,
    epsilons,
    frontier_table,
    point_task,
    problem_for,
)
from prioritise.cli.main import main
from prioritise.core.problem import Problem
from tests.conftest import make_problem
from tests.test_bruteforce import TEAMS

METHODS = {
    "methods": {
        "manual": {"productivity": {"manual": 100}, "disturbance": 0.1},
        "mechanical": {"productivity": {"mechanical": 800, "manual": 400}, "disturbance": 0.9},
    }
}


def small_problem(seed: int = 3) -> Problem:
    """6 hazards in 3 provinces (4 in A), two methods (mechanical fast but disturbing), 3 years."""
    rng = np.random.default_rng(seed)
    rows = [
        {
            "hazard_id": f"H{i}",
            "province": "AAAABC"[i],
            "impact": float(rng.integers(1, 20)),
            "area_m2": float(rng.integers(300, 1500)),
            "env_sensitivity": float(rng.uniform(0.2, 1.0)),
        }
        for i in range(6)
    ]
    return make_problem(rows, years=3, budget=[150.0, 150.0, 150.0], teams=TEAMS, toml={**METHODS})


def sweep(problem: Problem, axis: str, points: int = 5) -> pd.DataFrame:
    problem = problem_for(problem, axis)
    settings = TradeoffSettings(axis, points, time_limit=30, gap=0.0)
    caps = epsilons(problem, settings)
    found = [point_task((problem, settings), (i, c)) for i, c in enumerate(caps)]
    return frontier_table(found, axis)


def dominated(a: tuple[float, float], b: tuple[float, float], larger_is_better: bool) -> bool:
    """b dominates a (written independently of the module's own test)."""
    sa, sb = (a[1], b[1]) if larger_is_better else (-a[1], -b[1])
    no_worse = b[0] >= a[0] - 1e-9 and sb >= sa - 1e-9
    strictly = b[0] > a[0] + 1e-6 or sb > sa + 1e-6
    return no_worse and strictly


@pytest.mark.parametrize("axis", ["environment", "cost", "equity"])
def test_frontier_points_respect_caps_and_none_dominates_another(axis: str) -> None:
    table = sweep(small_problem(), axis)
    # An empty plan has no province shares: it is reported without an equity figure.
    planned = table[table["objective"].notna() & table["measure"].notna()]
    assert len(planned) >= 2
    if axis == "equity":
        assert (planned["measure"] >= planned["cap"] - 1e-6).all()
    else:
        assert (planned["measure"] <= planned["cap"] + 1e-6).all()
    front = table[table["on_frontier"]]
    assert len(front) >= 2, table
    pairs = list(zip(front["objective"], front["measure"], strict=True))
    for a in pairs:
        for b in pairs:
            assert not dominated(a, b, axis == "equity"), (a, b)
    # Tighter caps never raise the objective (each point is optimal, gap 0).
    ordered = planned.sort_values("cap", ascending=axis == "equity")
    assert ordered["objective"].is_monotonic_decreasing
    if table["knee"].any():
        assert bool(table.loc[table["knee"], "on_frontier"].all())


def test_dominated_points_are_marked() -> None:
    """A point no better on either measure than another is left off the frontier."""
    from prioritise.analyses.tradeoff import TradeoffPoint

    pts = [
        TradeoffPoint(0, 10.0, "optimal", 100.0, 10.0, None, None),
        TradeoffPoint(1, 8.0, "optimal", 90.0, 8.0, None, None),
        TradeoffPoint(2, 6.0, "time_limit", 80.0, 9.0, None, None),  # worse than point 1
        TradeoffPoint(3, 4.0, "optimal", 50.0, 3.0, None, None),
        TradeoffPoint(4, 2.0, "no_solution", None, None, None, None),
    ]
    table = frontier_table(pts, "cost").set_index("point")
    assert list(table["on_frontier"]) == [True, True, False, True, False]
    assert table.loc[2, "dominated_by"] == "point 1"
    assert table["knee"].sum() == 1
    assert bool(table.loc[1, "knee"])  # 90 of 100 for 80% of the cost: the elbow


@pytest.mark.slow  # a local Dask cluster: ~35 s at load 8
def test_tradeoff_command_writes_table_chart_and_plans(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "hazards.csv").write_text(
        "hazard_id,province,impact,cost_usd,days_manual\n"
        "A,North,10,100,5\nB,North,8,100,5\nC,South,6,100,5\nD,South,20,150,5\n",
        encoding="utf-8",
    )
    (folder / "teams.csv").write_text(
        "team_type,teams,days_per_year\nmanual,1,10\n", encoding="utf-8"
    )
    (folder / "budget.csv").write_text(
        "year,budget_usd\n2027,200\n2028,200\n2029,100\n", encoding="utf-8"
    )
    (folder / "project.toml").write_text(
        '[plan]\nstart_year = 2027\nyears = 3\n[data]\nhazards = "hazards.csv"\n'
        'teams = "teams.csv"\nbudget = "budget.csv"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(
        [
            "tradeoff",
            str(folder / "project.toml"),
            "--between",
            "impact,cost",
            "--points",
            "4",
            "--gap",
            "0",
            "--out",
            str(out),
            "--workers",
            "1",
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "tradeoff.csv")
    assert len(table) == 4
    page = (out / "tradeoff.html").read_text(encoding="utf-8")
    assert "<svg" in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # offline
    for link in table["workplan"].dropna():
        assert (out / link).is_file()
        assert f'href="{link}"' in page
    # The first cap is the unconstrained plan's spending: the same optimum as `plan`.
    free = plan(load_problem(folder / "project.toml"), gap=0.0)
    assert table.iloc[0]["objective"] == pytest.approx(free.summary.objective)
    assert table.iloc[0]["cap"] == pytest.approx(free.summary.totals.cost_usd)
    assert table["objective"].fillna(0).is_monotonic_decreasing  # less money, less impact


def test_tradeoff_files_link_every_plan_offline(tmp_path: Path) -> None:
    """The writer without the cluster: table, chart and each point's plan, links resolving."""
    from prioritise.outputs.tradeoff import write_tradeoff

    problem = small_problem()
    settings = TradeoffSettings("cost", 3, time_limit=30, gap=0.0)
    caps = epsilons(problem, settings)
    found = [point_task((problem, settings), (i, c)) for i, c in enumerate(caps)]
    table = frontier_table(found, "cost")
    write_tradeoff(tmp_path, found, table, "cost", "impact-years", "small")
    page = (tmp_path / "tradeoff.html").read_text(encoding="utf-8")
    assert "<svg" in page
    assert "<script" not in page
    links = [link for link in table["workplan"] if link]
    assert links
    for link in links:
        assert (tmp_path / link).is_file()
        assert f'href="{link}"' in page
    assert pd.read_csv(tmp_path / "tradeoff.csv")["point"].tolist() == [0, 1, 2]
