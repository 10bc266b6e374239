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
    free = plan(problem, time_limit=30, gap=0.0)
    caps = epsilons(problem, settings, free)
    found = [
        point_task((problem, settings, [("free", free.schedule)]), (i, c))
        for i, c in enumerate(caps)
    ]
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
    """The sweep and writer without the cluster: table, chart and each point's plan, links
    resolving; the project's own plan (uncapped on this axis) is on the frontier."""
    from prioritise.analyses.tradeoff_sweep import conclude, prepare
    from prioritise.outputs.tradeoff import write_tradeoff

    settings = TradeoffSettings("cost", 3, time_limit=30, gap=0.0)
    sweep = prepare(small_problem(), settings)
    assert sweep.caps[0] == pytest.approx(sweep.own.summary.totals.cost_usd)
    found = [
        point_task((sweep.problem, settings, sweep.starts), (i, c))
        for i, c in enumerate(sweep.caps)
    ]
    table, position = conclude(sweep, found)
    assert position is not None and position.dominated_by == []
    write_tradeoff(tmp_path, sweep, found, table)
    page = (tmp_path / "tradeoff.html").read_text(encoding="utf-8")
    assert "<svg" in page
    assert "<script" not in page
    links = [link for link in table["workplan"] if link]
    assert links
    for link in links:
        assert (tmp_path / link).is_file()
        assert f'href="{link}"' in page
    assert pd.read_csv(tmp_path / "tradeoff.csv")["point"].tolist() == [0, 1, 2]


def _front(rows: list[tuple[int, float, float, float | None]]) -> pd.DataFrame:
    from prioritise.analyses.tradeoff import TradeoffPoint

    pts = [TradeoffPoint(i, m, "optimal", o, m, None, None, g) for i, o, m, g in rows]
    return frontier_table(pts, "environment")


def test_plan_below_the_frontier_is_placed_with_both_distances() -> None:
    """Points (impact, env): 100@10, 90@6, 50@2. A plan with 80 at env 8 is beaten by point 1
    (90 at 6: 10 more for less) and reaches its impact at env 6 (2 lower)."""
    from prioritise.analyses.tradeoff_position import place

    table = _front([(0, 100.0, 10.0, 0.0), (1, 90.0, 6.0, 0.0), (2, 50.0, 2.0, 0.0)])
    pos = place(table, "environment", 80.0, 8.0, "impact-years")
    assert pos.better_objective is not None and pos.better_objective["point"] == 1
    assert pos.better_measure is not None and pos.better_measure["point"] == 1
    assert pos.dominated_by == [1]
    text = " ".join(pos.sentences)
    assert "point 1 (proven optimal for its cap) reaches impact-years 90.0: 10.0 more" in text
    assert "has environmental score 6.00: 2.00 lower" in text
    assert "best plans found" not in text  # every gap is 0


def test_plan_on_the_frontier_and_unproven_points_are_said_so() -> None:
    from prioritise.analyses.tradeoff_position import place

    table = _front([(0, 100.0, 10.0, 0.03), (1, 90.0, 6.0, 0.0)])
    pos = place(table, "environment", 95.0, 8.0, "impact-years")
    assert pos.better_objective is None and pos.better_measure is None
    assert pos.dominated_by == []
    text = " ".join(pos.sentences)
    assert "on or beyond the computed frontier" in text
    assert "best plans found, not proven optima" in text
    # Beaten only by an unproven point: labelled as the best plan found, with its gap.
    pos = place(table, "environment", 97.0, 12.0, "impact-years")
    assert "point 0 (the best plan found, within 3.00% of proven)" in " ".join(pos.sentences)


def test_the_plans_own_cap_joins_the_sweep_in_order() -> None:
    from prioritise.analyses.tradeoff import with_cap

    assert with_cap([10.0, 6.0, 2.0], 7.5) == [10.0, 7.5, 6.0, 2.0]
    assert with_cap([0.1, 0.2], 0.15) == [0.1, 0.15, 0.2]
    assert with_cap([10.0, 6.0], 6.0) == [10.0, 6.0]


def test_plan_frontier_flag_refuses_a_folder_that_is_no_tradeoff_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "other").mkdir()
    code = main(
        [
            "plan",
            "sample_data/minimal/project.toml",
            "--out",
            str(tmp_path / "out"),
            "--frontier",
            str(tmp_path / "other"),
        ]
    )
    assert code == 2
    assert "is not a finished trade-off run" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # a local Dask cluster and three plans of the minimal sample: ~15 s
def test_tradeoff_then_plan_frontier_shows_the_plan_on_the_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    out = tmp_path / "frontier"
    args = ["--between", "impact,cost", "--points", "3", "--gap", "0", "--workers", "1"]
    assert main(["tradeoff", "sample_data/minimal/project.toml", *args, "--out", str(out)]) == 0
    meta = json.loads((out / "tradeoff.json").read_text(encoding="utf-8"))
    assert meta["axis"] == "cost" and meta["objective"] == "impact-years"
    assert (out / "plan" / "workplan.csv").is_file()
    # The project's plan is the uncapped plan here (no environmental weight): point 0.
    table = pd.read_csv(out / "tradeoff.csv")
    assert meta["plan"]["objective"] == pytest.approx(table.loc[0, "objective"])
    assert any("on or beyond the computed frontier" in s for s in meta["plan"]["position"])
    assert "your plan" in (out / "tradeoff.html").read_text(encoding="utf-8")

    report_dir = tmp_path / "plan"
    minimal = "sample_data/minimal/project.toml"
    code = main(["plan", minimal, "--out", str(report_dir), "--gap", "0", "--frontier", str(out)])
    assert code == 0
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    assert '<section id="tradeoffs">' in page
    assert 'class="own-plan"' in page
    assert "Your plan: impact-years" in page
    assert 'href="../frontier/point_00/workplan.csv"' in page
    # A trade-off run of another project is refused before planning.
    province = "sample_data/province/project.toml"
    code = main(["plan", province, "--out", str(tmp_path / "p2"), "--frontier", str(out)])
    assert code == 2
    assert "it is not a plan of this project" in capsys.readouterr().err
    assert not (tmp_path / "p2").exists()
    # An edited table is refused, not read as a frontier.
    table = table.astype({"objective": object})
    table.loc[1, "objective"] = "lots"
    table.to_csv(out / "tradeoff.csv", index=False)
    code = main(["plan", minimal, "--out", str(tmp_path / "p3"), "--frontier", str(out)])
    assert code == 2
    assert "objective column holds a value that is not a number" in capsys.readouterr().err


@pytest.mark.parametrize("axis", ["environment", "cost"])
def test_capped_points_start_from_the_uncapped_plan_trimmed_to_the_cap(axis: str) -> None:
    """The start keeps the cap and every rule; the point is never worse than its start, even
    when the solver has almost no time (the start is then the plan reported)."""
    from models.solution import check_schedule
    from prioritise.analyses.tradeoff import trimmed_start

    problem = problem_for(small_problem(), axis)
    free = plan(problem, time_limit=30, gap=0.0)
    settings = TradeoffSettings(axis, 4, time_limit=0.5, gap=0.0)
    column = "env" if axis == "environment" else "cost"
    starts = 0
    for i, c in enumerate(epsilons(problem, settings, free)):
        start = trimmed_start(problem, free.schedule, axis, c)
        if start is None:
            continue
        starts += 1
        assert start[column].sum() <= c + 1e-6
        assert check_schedule(problem, start) == []
        point = point_task((problem, settings, [("free", free.schedule)]), (i, c))
        assert point.objective is not None
        assert point.objective >= start["value"].sum() - 1e-6
        assert point.measure is not None and point.measure <= c + 1e-6
    assert starts >= 3  # the uncapped plan itself, and trimmed ones below it


def test_environment_sweep_with_a_weighted_plan_places_it_at_its_own_score() -> None:
    """With lambda > 0 the project's plan is not the uncapped one: a point is added at its
    own score, the anchor gives the tight end, and every point has a start keeping its cap."""
    import dataclasses

    from prioritise.analyses.tradeoff_sweep import conclude, prepare

    base = small_problem()
    weighted = base.replace(
        settings=dataclasses.replace(
            base.settings,
            plan=dataclasses.replace(base.settings.plan, environment_weight=5.0),
        )
    )
    settings = TradeoffSettings("environment", 3, time_limit=30, gap=0.0)
    sweep = prepare(weighted, settings)
    own = float(sweep.own.schedule["env"].sum())
    assert any(abs(c - own) < 1e-6 for c in sweep.caps)
    assert [name for name, _ in sweep.starts] == ["uncapped plan", "least-environment plan"]
    assert sweep.caps[-1] == pytest.approx(float(sweep.starts[1][1]["env"].sum()))
    found = [
        point_task((sweep.problem, settings, sweep.starts), (i, c))
        for i, c in enumerate(sweep.caps)
    ]
    assert all(p.objective is not None for p in found)
    table, position = conclude(sweep, found)
    assert position is not None
    # The point at the plan's own score is optimal at gap 0: the plan (optimal for its own
    # weighted objective) cannot beat it, and is at best level with it.
    at_own = table[(table["cap"] - own).abs() < 1e-6].iloc[0]
    assert at_own["objective"] >= position.objective - 1e-6


def test_a_start_filled_from_the_anchor_keeps_the_cap_and_every_rule() -> None:
    """The anchor plus the uncapped plan's other work, added while the cap and every rule
    hold: never below the anchor, within the cap, rule-checked."""
    from models.solution import check_schedule
    from prioritise.analyses.tradeoff import filled_start

    problem = problem_for(small_problem(), "environment")
    free = plan(problem, time_limit=30, gap=0.0).schedule
    anchor = free[free["env"] == free["env"].min()].head(1)  # a one-hazard plan
    assert check_schedule(problem, anchor) == []
    cap = (float(anchor["env"].sum()) + float(free["env"].sum())) / 2
    filled = filled_start(problem, anchor, free, "environment", cap)
    assert filled is not None
    assert len(filled) > 1 and filled["env"].sum() <= cap + 1e-9
    assert filled["value"].sum() >= anchor["value"].sum()
    assert check_schedule(problem, filled) == []
    assert filled_start(problem, free, free, "environment", cap) is None  # base over the cap


def test_cost_anchor_is_a_cheap_plan_counted_as_the_sweep_counts() -> None:
    """The cost axis's anchor plans with the options' cost in the environmental term; its
    schedule comes back with the real scores and values (impact-years here, lambda = 0)."""
    from models.solution import check_schedule
    from prioritise.analyses.tradeoff import anchor_plan
    from prioritise.planning.summary import impact_years

    problem = small_problem()
    settings = TradeoffSettings("cost", 3, time_limit=30, gap=0.0)
    free = plan(problem, time_limit=30, gap=0.0)
    anchor = anchor_plan(problem, settings, free)
    assert anchor is not None
    assert check_schedule(problem, anchor) == []
    assert anchor["cost"].sum() < free.schedule["cost"].sum()
    assert anchor["value"].sum() == pytest.approx(impact_years(problem, anchor))
    env = problem.options.set_index(["hazard", "method", "operator"])["env"]
    for r in anchor.itertuples():
        assert r.env == pytest.approx(env[(r.hazard, r.method, r.operator)])
