"""Monte Carlo with re-planning, re-planning from progress, sensitivity and the ladder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from prioritise import ProjectError, load_problem, plan
from prioritise.analyses.monte_carlo import (
    MonteCarloSettings,
    actual_work,
    draw_truth,
    impact_years_of,
    nominal_schedule,
    simulate_sample,
)
from prioritise.analyses.replan import read_progress, replan_problem, replan_record
from prioritise.execution.manyplans import run_monte_carlo
from prioritise.planning.planner import PlanResult
from tests.conftest import SAMPLES, hazard, make_problem


@pytest.fixture(scope="module")
def province() -> PlanResult:
    return plan(load_problem(SAMPLES / "province" / "project.toml"))


def test_zero_noise_reproduces_the_nominal_plan_exactly(province: PlanResult) -> None:
    problem = province.problem
    shared = (problem, nominal_schedule(problem, province.schedule), MonteCarloSettings())
    run = simulate_sample((shared[0], shared[1], MonteCarloSettings.zero_noise()), 0)
    planned = np.zeros(len(problem.hazards), dtype=np.int64)
    planned[province.schedule["hazard"].to_numpy()] = province.schedule["year"].to_numpy()
    assert (run.done_year == planned).all()
    assert run.replans == 0  # every year went as planned: the plan stands
    assert impact_years_of(problem, run.done_year, np.ones(len(planned))) == pytest.approx(
        province.summary.impact_years, abs=1e-6
    )
    assert run.cost_usd == pytest.approx(province.summary.totals.cost_usd, rel=1e-9)


def test_noise_preserves_the_mean_cost_and_team_days(province: PlanResult) -> None:
    """E[true cost] of the first year's work equals the plan's (mean-preserving noise)."""
    problem = province.problem
    rows = province.schedule[province.schedule["year"] == problem.years[0]]
    settings = MonteCarloSettings(productivity_sigma=0.2, cost_sigma=0.15, area_sigma=0.1)
    left = np.ones(len(problem.hazards))
    totals, days = [], []
    for k in range(120):
        work = actual_work(problem, rows, draw_truth(problem, settings, k), left)
        totals.append(work["cost"].sum())
        days.append(work[[c for c in work.columns if c.startswith("days_")]].to_numpy().sum())
    planned = float(rows["cost"].sum())
    planned_days = float(rows[[c for c in rows.columns if c.startswith("days_")]].sum().sum())
    for sample, target in ((np.array(totals), planned), (np.array(days), planned_days)):
        se = sample.std(ddof=1) / np.sqrt(len(sample))
        assert abs(sample.mean() - target) < 4 * se, (sample.mean(), target, se)
        assert sample.std() > 0.01 * target  # the noise is there
    # cost per m² released: the same ratio of means
    area = float(rows["released_m2"].sum())
    assert np.mean(totals) / area == pytest.approx(planned / area, rel=4 * se / planned + 0.01)


@pytest.mark.slow
def test_with_replanning_some_samples_beat_the_nominal_plan(province: PlanResult) -> None:
    mc = run_monte_carlo(province, MonteCarloSettings(samples=6, seed=1))
    iy = mc.summary["impact_years"]
    assert mc.summary["replan"] is True and mc.summary["samples"] == 6
    assert iy["share_of_samples_above_nominal"] > 0
    assert iy["p10"] <= iy["p50"] <= iy["p90"]


def progress_of(schedule: pd.DataFrame, year: int, cost_factor: float = 1.0) -> pd.DataFrame:
    rows = schedule[schedule["year"] == year]
    return pd.DataFrame(
        {
            "hazard_id": rows["hazard_id"],
            "year": year,
            "released_m2": rows["released_m2"],
            "cost_usd": rows["cost"] * cost_factor,
        }
    )


def test_replan_after_a_year_as_planned_reproduces_the_rest(province: PlanResult) -> None:
    problem = province.problem
    progress = read_progress(problem, progress_of(province.schedule, 2027))
    inputs = replan_problem(problem, progress)
    assert progress.start_year == 2028
    rest = plan(inputs.remaining.problem)
    record = replan_record(problem, province.schedule, inputs, rest.schedule, rest.summary)
    before = record["rest_impact_years_planned_before"]
    gap = problem.settings.solver.gap
    assert record["rest_impact_years_replanned"] >= before * (1 - gap) - 1e-6
    assert record["rest_impact_years_replanned"] <= before * (1 + gap) + 1e-6
    assert record["hazards_done"] == int((province.schedule["year"] == 2027).sum())


def test_an_overspend_shifts_later_work(province: PlanResult) -> None:
    problem = province.problem
    progress = read_progress(problem, progress_of(province.schedule, 2027, cost_factor=1.3))
    assert progress.money_in < 0
    inputs = replan_problem(problem, progress)
    budget = inputs.remaining.problem.budget
    assert budget[2028] == pytest.approx(problem.budget[2028] + progress.money_in)
    rest = plan(inputs.remaining.problem)
    s = rest.schedule
    assert s.loc[s["year"] == 2028, "cost"].sum() <= budget[2028] * (1 + 1e-6)
    record = replan_record(problem, province.schedule, inputs, s, rest.summary)
    assert record["rest_impact_years_replanned"] < record["rest_impact_years_planned_before"]
    before = set(province.schedule.loc[province.schedule["year"] == 2028, "hazard_id"])
    assert not before <= set(s.loc[s["year"] == 2028, "hazard_id"])  # some 2028 work moved


def test_progress_findings_are_reported_at_once() -> None:
    problem = make_problem([hazard("A", 10, 100, 5), hazard("B", 8, 100, 5)])
    frame = pd.DataFrame(
        {
            "hazard_id": ["A", "NEW-1", "B"],
            "year": [2027, 2027, 2030],
            "released_m2": [1.0, 2.0, -3.0],
            "cost_usd": [10, 10, 10],
        }
    )
    with pytest.raises(ProjectError) as info:
        read_progress(problem, frame)
    text = info.value.report.render()
    assert "NEW-1" in text and "new hazards" in text
    assert "'released_m2' must be a number >= 0" in text


def test_partial_progress_keeps_the_rest_of_the_area() -> None:
    problem = make_problem(
        [
            {"hazard_id": "A", "province": "N", "impact": 5, "area_m2": 1000.0},
            {"hazard_id": "B", "province": "N", "impact": 3, "area_m2": 500.0},
        ],
        teams=[{"team_type": "manual", "teams": 1, "days_per_year": 10, "cost_per_day": 10}],
        toml={"methods": {"manual": {"label": "m", "productivity": {"manual": 200}}}},
    )
    frame = pd.DataFrame(
        {"hazard_id": ["A"], "year": [2027], "released_m2": [250.0], "cost_usd": [12.5]}
    )
    progress = read_progress(problem, frame)
    assert progress.done == () and progress.fraction_left == {"A": 0.75}
    rest = replan_problem(problem, progress).remaining.problem
    a = rest.options[rest.options["hazard"] == 0]
    assert rest.hazards.loc[0, "area_m2"] == pytest.approx(750.0)
    assert a["days_manual"].iloc[0] == pytest.approx(750.0 / 200)
    assert rest.years == [2028, 2029]


def write_tiny_project(folder: Path) -> Path:
    rows = [
        hazard("A", 10, 100, 5, article5=True),
        hazard("B", 8, 100, 5),
        hazard("C", 6, 100, 5, province="South"),
    ]
    pd.DataFrame(rows).to_csv(folder / "hazards.csv", index=False)
    pd.DataFrame([{"team_type": "manual", "teams": 1, "days_per_year": 10}]).to_csv(
        folder / "teams.csv", index=False
    )
    pd.DataFrame({"year": [2027, 2028, 2029], "budget_usd": [200, 100, 100]}).to_csv(
        folder / "budget.csv", index=False
    )
    (folder / "project.toml").write_text(
        '[plan]\nstart_year = 2027\nyears = 3\n[data]\nhazards = "hazards.csv"\n'
        'teams = "teams.csv"\nbudget = "budget.csv"\n'
    )
    return folder / "project.toml"


def test_cli_uncertainty_writes_its_files(tmp_path: Path) -> None:
    from prioritise.cli.main import main

    project = write_tiny_project(tmp_path)
    out = tmp_path / "out"
    code = main(
        [
            "uncertainty",
            str(project),
            "--samples",
            "4",
            "--workers",
            "1",
            "--deadline",
            "2028",
            "--productivity-sigma",
            "0.4",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    data: dict[str, Any] = json.loads((out / "uncertainty.json").read_text())
    assert data["replan"] is True
    assert 0.0 <= data["p_meet_deadline"] <= 1.0
    assert set(data["impact_years"]) >= {"p10", "p50", "p90", "nominal"}
    assert sum(data["completion_year"].values()) == pytest.approx(1.0)
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == 4 and samples["worker"].notna().all()
    fixed = tmp_path / "fixed"
    code = main(
        ["uncertainty", str(project), "--samples", "5", "--fixed-plan", "--out", str(fixed)]
    )
    assert code == 0
    assert json.loads((fixed / "uncertainty.json").read_text())["replan"] is False
    # A second run into the same folder is refused unless --overwrite
    assert main(["uncertainty", str(project), "--samples", "2", "--out", str(fixed)]) == 2


CRITERIA = {
    "scoring": {
        "criteria": [
            {"name": "Casualties", "column": "casualties", "weight": 3},
            {"name": "People", "column": "people", "weight": 1},
        ]
    }
}


def scored_problem() -> Any:
    rows = [
        hazard("A", 0, 100, 5, casualties=9, people=1),
        hazard("B", 0, 100, 5, casualties=1, people=9),
        hazard("C", 0, 100, 5, casualties=5, people=5),
        hazard("D", 0, 100, 5, casualties=0, people=0),
    ]
    for r in rows:
        del r["impact"]
    return make_problem(rows, budget=[100, 100, 100], toml=CRITERIA)


def test_kendall_tau_b_matches_a_hand_count() -> None:
    from prioritise.analyses.sensitivity import kendall_tau_b

    assert kendall_tau_b(np.array([1, 2, 3]), np.array([1, 2, 3])) == (1.0, 0.0)
    assert kendall_tau_b(np.array([1, 2, 3]), np.array([3, 2, 1])) == (-1.0, 1.0)
    # pairs: (1,2) concordant, (1,3) concordant, (2,3) tied in b -> tau-b = 2/sqrt(3*2)
    tau, discordant = kendall_tau_b(np.array([1, 2, 3]), np.array([1, 2, 2]))
    assert tau == pytest.approx(2 / np.sqrt(6)) and discordant == 0.0


def test_sensitivity_counts_schedules_and_the_core() -> None:
    from prioritise.analyses.sensitivity import SensitivitySettings, draw_weights
    from prioritise.execution.manyplans import run_sensitivity

    problem = scored_problem()
    settings = SensitivitySettings(samples=6, seed=3, spread=0.5, gap=0.0)
    w = np.array([draw_weights(problem, settings, k) for k in range(6)])
    assert ((w >= [1.5, 0.5]) & (w <= [4.5, 1.5])).all()  # +/-50% of 3 and 1
    result = run_sensitivity(plan(problem, gap=0.0), settings)
    h = result.hazards.set_index("hazard_id")
    # One hazard a year fits the money: A (casualties weigh 3x) always first, D never.
    assert h.loc["A", "share_scheduled"] == 1.0 and h.loc["A", "share_2027"] == 1.0
    assert h.loc["D", "share_scheduled"] == 0.0 and not h.loc["D", "robust_core"]
    assert result.summary["robust_core_hazards"] == 3
    assert result.samples["kendall_tau_b"].between(-1, 1).all()
    d = SensitivitySettings(samples=4, dirichlet=50.0)
    shares = np.array([draw_weights(problem, d, k) for k in range(4)])
    assert shares.sum(axis=1) == pytest.approx([4.0] * 4)  # shares of the same total


def test_ladder_is_nested_and_lists_every_hazard() -> None:
    """One year, so a plan's value is its impact. Budget 120 at level 1.

    0.5 (60): B (9). 1.0 (120): free plan A (20) drops B; with B required, B + C (17).
    1.5 (180): free plan A + B (29) drops C; with B and C required, B + C + D (18).
    Priority: B, C, D, then A (funded at no level of the nested ladder).
    """
    from prioritise.analyses.ladder import LadderSettings
    from prioritise.execution.manyplans import run_ladder

    problem = make_problem(
        [
            hazard("A", 20, 110, 1),
            hazard("B", 9, 60, 1),
            hazard("C", 8, 60, 1),
            hazard("D", 1, 30, 1),
        ],
        years=1,
        budget=[120],
    )
    ladder = run_ladder(problem, LadderSettings(levels=(0.5, 1.0, 1.5), gap=0.0))
    levels = ladder.levels.set_index("level")
    assert ladder.exceptions.empty
    assert levels["impact_years"].tolist() == pytest.approx([9.0, 17.0, 18.0])
    assert levels["impact_years_given_up_to_nest"].tolist() == pytest.approx([0.0, 3.0, 11.0])
    assert "required" in levels.loc[1.0, "how"] and "required" in levels.loc[1.5, "how"]
    assert ladder.priority["hazard_id"].tolist() == ["B", "C", "D", "A"]
    assert ladder.priority["first_funded_at_level"].tolist()[:3] == [0.5, 1.0, 1.5]
    assert pd.isna(ladder.priority["first_funded_at_level"].iloc[3])
    assert ladder.priority["cumulative_cost_usd"].tolist()[:3] == pytest.approx([60, 120, 150])


def test_ladder_reports_where_the_rules_force_an_exception() -> None:
    from prioritise.analyses.ladder import LevelPlan, nest

    problem = make_problem([hazard("A", 10, 100, 1), hazard("B", 9, 60, 1)], years=1)
    free = [
        LevelPlan(0.5, np.array([2027, 0]), np.array([100.0, 0]), "optimal", 10.0, 10.0),
        LevelPlan(1.0, np.array([0, 2027]), np.array([0, 60.0]), "optimal", 9.0, 9.0),
    ]

    def impossible(level: float, required: tuple[str, ...]) -> LevelPlan:
        return LevelPlan(
            level,
            np.zeros(2, np.int64),
            np.zeros(2),
            "infeasible",
            None,
            0.0,
            "No plan meets every lock",
        )

    _chosen, exceptions, how = nest(problem, free, impossible)
    assert [e["hazard_id"] for e in exceptions] == ["A"]
    assert "infeasible" in exceptions[0]["reason"] and "rules do not allow" in how[1]


def _tiny(budget: float = 200.0) -> Any:
    return make_problem(
        [hazard("A", 10, 100, 5), hazard("B", 8, 100, 5)],
        budget=[budget, budget, budget],
    )


def test_a_new_hazard_found_joins_the_remaining_plan() -> None:
    problem = _tiny()
    frame = pd.DataFrame(
        {
            "hazard_id": ["A", "NEW-1"],
            "year": [2027, 2027],
            "released_m2": [100.0, 0.0],
            "cost_usd": [100.0, 0.0],
            "status": ["done", "new"],
            "area_m2": [None, 400.0],
            "province": [None, "North"],
            "impact": [None, 50.0],
            "estimate_cost_usd": [None, 150.0],
            "days_manual": [None, 4.0],
        }
    )
    progress = read_progress(problem, frame)
    assert progress.new_hazards == ("NEW-1",)
    inputs = replan_problem(problem, progress)
    rest = inputs.remaining.problem
    assert list(rest.hazards["hazard_id"]) == ["B", "NEW-1"]
    new = rest.options[rest.options["hazard"] == 1]
    assert new["cost"].iloc[0] == pytest.approx(150.0)
    assert new["days_manual"].iloc[0] == pytest.approx(4.0)
    result = plan(rest)
    # 2028 and 2029 with 200 and 10 team-days each: NEW-1 (impact 50) first, then B
    s = result.schedule.set_index("hazard_id")["year"]
    assert s["NEW-1"] == 2028 and s["B"] == 2029
    assert any("new hazard" in n for n in inputs.remaining.notes)


def test_new_hazard_rows_are_checked_with_the_other_findings() -> None:
    problem = _tiny()
    frame = pd.DataFrame(
        {
            "hazard_id": ["A", "NEW-1", "NEW-2", "TYPO"],
            "year": [2027, 2027, 2027, 2027],
            "released_m2": [-1.0, 0.0, 0.0, 0.0],
            "cost_usd": [0.0, 0.0, 0.0, 0.0],
            "status": ["", "new", "new", ""],
            "area_m2": [None, 0.0, 10.0, None],
            "province": [None, "North", None, None],
            "impact": [None, 5.0, None, None],
        }
    )
    with pytest.raises(ProjectError) as info:
        read_progress(problem, frame)
    text = info.value.report.render()
    assert "'released_m2' must be a number >= 0" in text
    assert "needs its area_m2" in text and "NEW-1" in text
    assert "needs its province" in text and "needs its impact" in text and "NEW-2" in text
    assert "TYPO" in text and "status = new" in text


def test_team_days_spent_in_the_year_under_way_reduce_its_capacity() -> None:
    problem = _tiny()
    frame = pd.DataFrame(
        {
            "hazard_id": ["A"],
            "year": [2028],
            "released_m2": [100.0],
            "cost_usd": [90.0],
            "days_manual": [6.0],
        }
    )
    progress = read_progress(problem, frame, start_year=2028)
    assert progress.days_in_start_year == {"manual": 6.0}
    rest = replan_problem(problem, progress).remaining.problem
    assert rest.capacity.loc[2028, "manual"] == pytest.approx(4.0)  # 10 - 6
    assert not problem.settings.plan.carry_over
    assert rest.budget[2028] == pytest.approx(200.0 - 90.0)  # 90 already spent
    # B needs 5 team-days: only 4 are left in 2028, so it moves to 2029
    assert plan(rest).schedule.set_index("hazard_id")["year"]["B"] == 2029
    with pytest.raises(ProjectError, match="team type"):
        read_progress(
            problem, frame.rename(columns={"days_manual": "days_mechanical"}), "p.csv", 2028
        )


def _html_text(path: Path) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_cli_sensitivity_and_ladder_write_their_pages(tmp_path: Path) -> None:
    from prioritise.cli.main import main

    rows = [
        {**hazard("A", 0, 100, 5, casualties=9, people=1), "name": "Alpha <b>"},
        hazard("B", 0, 100, 5, casualties=1, people=9),
        hazard("C", 0, 100, 5, casualties=5, people=5),
        hazard("D", 0, 100, 5, casualties=0, people=0),
    ]
    for r in rows:
        del r["impact"]
    pd.DataFrame(rows).to_csv(tmp_path / "hazards.csv", index=False)
    pd.DataFrame([{"team_type": "manual", "teams": 1, "days_per_year": 10}]).to_csv(
        tmp_path / "teams.csv", index=False
    )
    pd.DataFrame({"year": [2027, 2028, 2029], "budget_usd": [100, 100, 100]}).to_csv(
        tmp_path / "budget.csv", index=False
    )
    (tmp_path / "project.toml").write_text(
        '[plan]\nstart_year = 2027\nyears = 3\n[data]\nhazards = "hazards.csv"\n'
        'teams = "teams.csv"\nbudget = "budget.csv"\n'
        '[[scoring.criteria]]\nname = "Casualties"\ncolumn = "casualties"\nweight = 3\n'
        '[[scoring.criteria]]\nname = "People"\ncolumn = "people"\nweight = 1\n'
    )
    project = str(tmp_path / "project.toml")
    out = tmp_path / "sens"
    args = ["sensitivity", project, "--samples", "4", "--workers", "1", "--out", str(out)]
    assert main(args) == 0
    summary = json.loads((out / "sensitivity.json").read_text())
    text = _html_text(out / "sensitivity.html")
    core = summary["robust_core_hazards"]
    assert f"Robust core (in the plan in at least 90% of samples): {core} hazards" in text
    assert "Robust core" in text and "Kendall tau-b" in text and "Every hazard" in text
    assert f"median {summary['kendall_tau_b']['median']:.3f}" in text
    assert "Alpha &lt;b&gt;" in (out / "sensitivity.html").read_text()  # input text escaped
    taus = pd.read_csv(out / "sensitivity_tau.csv")
    assert taus["samples"].sum() == summary["samples"] == 4
    out = tmp_path / "ladder"
    assert main(["ladder", project, "--levels", "0.5,1", "--workers", "1", "--out", str(out)]) == 0
    text = _html_text(out / "ladder.html")
    priority = pd.read_csv(out / "ladder_priority.csv")
    assert "Priority list" in text and "Funding levels" in text
    # every hazard of the priority list is on the page, in its order
    positions = [text.index(f" {h} ") for h in priority["hazard_id"]]
    assert positions == sorted(positions)


def test_cli_replan_report_shows_plan_against_actual(tmp_path: Path) -> None:
    from prioritise.cli.main import main

    project = write_tiny_project(tmp_path)
    progress = pd.DataFrame(
        {
            "hazard_id": ["B", "NEW-9"],
            "year": [2027, 2027],
            "released_m2": [0.0, 0.0],
            "cost_usd": [130.0, 0.0],
            "status": ["done", "new"],
            "area_m2": [None, 50.0],
            "province": [None, "North"],
            "impact": [None, 30.0],
            "estimate_cost_usd": [None, 40.0],
            "days_manual": [None, 2.0],
        }
    )
    progress.to_csv(tmp_path / "progress.csv", index=False)
    out = tmp_path / "replan"
    args = ["replan", str(project), "--progress", str(tmp_path / "progress.csv")]
    assert main([*args, "--out", str(out)]) == 0
    by_year = pd.read_csv(out / "plan_vs_actual_by_year.csv")
    assert by_year["actual_cost_usd"].tolist() == [130.0]
    text = _html_text(out / "report.html")
    assert "Plan against actual, 2027" in text
    assert "$130" in text and "NEW-9" in text and "new hazard found" in text
    record = json.loads((out / "replan.json").read_text())
    assert record["new_hazards"] == ["NEW-9"]
    plan_rows = pd.read_csv(out / "workplan.csv")
    assert "NEW-9" in set(plan_rows["hazard_id"])  # impact 30 for 40: planned in 2028
