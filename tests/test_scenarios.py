"""Scenario files: inheritance, validation, applying overrides, batches, outlook, Monte Carlo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from prioritise import InfeasibleError, ProjectError, plan
from prioritise.analyses.outlook import completion_outlook
from prioritise.analyses.scenarios.apply import apply_scenario, scenario_findings
from prioritise.analyses.uncertainty import UncertaintySettings, simulate
from prioritise.core.problem import Problem
from prioritise.execution.batch import RunOptions, run_scenarios, write_comparison
from prioritise.inputs.roster import read_roster
from prioritise.inputs.scenarios import Scenario, load_scenarios, parse_scenarios
from prioritise.planning.summary import YearTotals
from tests.conftest import hazard, make_problem

CRITERIA = {
    "scoring": {
        "criteria": [
            {"name": "Casualties", "column": "casualties", "weight": 3},
            {"name": "People", "column": "people", "weight": 1},
        ]
    }
}


def parse(doc: dict[str, Any]) -> tuple[dict[str, Scenario], list[str]]:
    scenarios, findings = parse_scenarios({"scenarios": doc})
    return {s.name: s for s in scenarios}, [f.message for f in findings]


def test_inheritance_merges_tables_key_by_key() -> None:
    by_name, errors = parse(
        {
            "base": {
                "description": "base",
                "budget": {"multiplier": 0.8, "per_year": {"2027": 5}},
                "teams": {"manual": 3},
            },
            "child": {"inherits": "base", "budget": {"multiplier": 0.5}},
            "grandchild": {"inherits": "child", "teams": {"mdd": 1}},
        }
    )
    assert errors == []
    g = by_name["grandchild"]
    assert g.lineage == ("child", "base")
    assert g.budget is not None
    assert g.budget.multiplier == 0.5  # the child's
    assert dict(g.budget.per_year) == {2027: 5.0}  # the base's, merged in
    assert dict(g.teams) == {"manual": 3.0, "mdd": 1.0}
    assert g.description == "base"


def test_cycles_and_unknown_parents_name_the_scenario() -> None:
    by_name, errors = parse(
        {"a": {"inherits": "b"}, "b": {"inherits": "a"}, "c": {"inherits": "nowhere"}, "ok": {}}
    )
    assert set(by_name) == {"ok"}
    assert any("inheritance forms a cycle: a -> b -> a" in e for e in errors)
    assert any("scenario 'c': inherits = 'nowhere'" in e for e in errors)


def test_every_invalid_override_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "scenarios.toml"
    path.write_text("""
[scenarios.one]
budgett = { multiplier = 0.5 }
budget = { multiplier = -0.3, per_year = { 2027 = -5 } }
[scenarios.two]
financing = { amount = -1.0, rate = 0.05, schedule = "balloon" }
teams = { manual = "many" }
[scenarios.three]
inherits = "zero"
""")
    with pytest.raises(ProjectError) as info:
        load_scenarios(path)
    messages = [f.message for f in info.value.report.errors]
    expected = [
        "scenario 'one': budgett is not a known key",
        "scenario 'one': budget.multiplier = -0.3 must be >= 0",
        "scenario 'one': budget.per_year.2027 = -5 must be >= 0",
        "scenario 'two': financing.amount = -1.0 must be >= 0",
        "scenario 'two': financing.schedule = 'balloon' is not one of",
        "scenario 'two': teams.manual = 'many' is not a number",
        "scenario 'three': inherits = 'zero'",
    ]
    for text in expected:
        assert any(m.startswith(text) for m in messages), (text, messages)
    assert all(f.ids for f in info.value.report.errors)  # each names its scenario


def test_names_are_checked_against_the_project() -> None:
    problem = make_problem([hazard("A", 1, 10, 1)], years=3)
    by_name, _ = parse(
        {
            "s": {
                "teams": {"mechanical": 2},
                "productivity": {"dogs": 1.2},
                "weights": {"Casualties": 2},
                "deadline_year": 2035,
                "budget": {"per_year": {"2040": 1.0}},
                "earmarks": [{"name": "e", "amount": 1.0, "provinces": ["Atlantis"]}],
            }
        }
    )
    messages = [f.message for f in scenario_findings(problem, by_name["s"])]
    for text in (
        "teams.mechanical is not a team type",
        "productivity.dogs is neither",
        "weights.Casualties cannot apply",
        "deadline_year = 2035 must lie",
        "budget.per_year.2040 must lie",
        "earmarks[e].provinces names 'Atlantis'",
    ):
        assert any(text in m for m in messages), (text, messages)
    with pytest.raises(ProjectError):
        apply_scenario(problem, by_name["s"])


def test_apply_never_mutates_the_base() -> None:
    problem = make_problem(
        [hazard("A", 5, 100, 4), hazard("B", 3, 50, 2)],
        years=2,
        toml={"plan": {"deadline_year": 2028}},
    )
    before = (problem.budget.copy(), problem.capacity.copy(), problem.options.copy())
    by_name, _ = parse(
        {
            "s": {
                "budget": {"multiplier": 0.5},
                "productivity": {"manual": 2.0},
                "team_multiplier": {"manual": 3},
                "deadline_year": False,
                "discount_rate": 0.1,
                "localisation_min_share": 0.2,
                "years": 4,
            }
        }
    )
    new = apply_scenario(problem, by_name["s"]).problem
    pd.testing.assert_series_equal(problem.budget, before[0])
    pd.testing.assert_frame_equal(problem.capacity, before[1])
    pd.testing.assert_frame_equal(problem.options, before[2])
    assert new.years == [2027, 2028, 2029, 2030]
    assert new.budget.tolist() == [100.0] * 4  # 200 x 0.5, later years repeat the last
    assert new.capacity["manual"].tolist() == [30.0] * 4
    # Productivity x2 halves team-days; without cost_per_day the cost stays.
    assert new.options["days_manual"].tolist() == [2.0, 1.0]
    assert new.settings.plan.deadline_year is None
    assert new.settings.plan.discount_rate == 0.1
    assert new.settings.constraints.localisation_min_share == 0.2
    assert problem.settings.plan.deadline_year == 2028


def test_productivity_saves_the_team_days_cost() -> None:
    """Computed options: 2,000 m² manual at 200 m²/day = 10 days x 50 = 500; x1.25 -> 8 days,
    400."""
    problem = make_problem(
        [{"hazard_id": "A", "province": "P", "impact": 1.0, "area_m2": 2000.0}],
        years=1,
        budget=[1000],
        teams=[{"team_type": "manual", "teams": 1, "days_per_year": 100, "cost_per_day": 50.0}],
    )
    manual = problem.options[problem.options["method"] == "manual"]
    assert manual["cost"].tolist() == [500.0]
    by_name, _ = parse({"s": {"productivity": {"manual": 1.25}}})
    new = apply_scenario(problem, by_name["s"]).problem
    row = new.options[new.options["method"] == "manual"]
    assert row["days_manual"].tolist() == pytest.approx([8.0])
    assert row["cost"].tolist() == pytest.approx([400.0])


def test_team_counts_use_days_per_team_from_the_roster() -> None:
    teams = pd.DataFrame(
        [
            {"team_type": "manual", "teams": 2, "days_per_year": 150},
            {"team_type": "manual", "teams": 4, "days_per_year": 150, "year": 2028},
        ]
    )
    problem = make_problem([hazard("A", 1, 10, 1)], years=2, teams=teams.to_dict("records"))
    assert problem.capacity["manual"].tolist() == [300.0, 600.0]
    roster = read_roster(problem, teams)
    by_name, _ = parse({"s": {"teams": {"manual": 10}}})
    new = apply_scenario(problem, by_name["s"], roster).problem
    assert new.capacity["manual"].tolist() == [1500.0, 1500.0]


def test_reweighting_equals_rebuilding_with_those_weights() -> None:
    rows = [
        hazard(h, 0, 10, 1, casualties=c, people=p)
        for h, c, p in (("A", 0, 100), ("B", 5, 10), ("C", 2, 1000))
    ]
    for r in rows:
        del r["impact"]
    problem = make_problem(rows, toml=CRITERIA)
    by_name, _ = parse({"s": {"weights": {"Casualties": 1, "people": 4}}})
    new = apply_scenario(problem, by_name["s"]).problem
    rebuilt = make_problem(
        rows,
        toml={
            "scoring": {
                "criteria": [
                    {"name": "Casualties", "column": "casualties", "weight": 1},
                    {"name": "People", "column": "people", "weight": 4},
                ]
            }
        },
    )
    assert new.hazards["impact"].tolist() == pytest.approx(rebuilt.hazards["impact"].tolist())
    assert new.hazards["impact"].tolist() != pytest.approx(problem.hazards["impact"].tolist())


def batch_problem() -> Problem:
    return make_problem(
        [
            hazard("A", 10, 100, 5, article5=True),
            hazard("B", 8, 100, 5),
            hazard("C", 6, 100, 5, province="South"),
            hazard("D", 20, 150, 5, province="South"),
        ],
        budget=[200, 200, 100],
        deps=[("D", "C")],
    )


def test_batch_reports_failures_in_their_rows_and_finishes_the_rest(tmp_path: Path) -> None:
    scenarios, findings = parse_scenarios(
        {
            "scenarios": {
                "baseline": {},
                "cut": {"budget": {"multiplier": 0.5}},
                "hopeless": {"deadline_year": 2027, "budget": {"per_year": {"2027": 10}}},
                "typo": {"teams": {"dogs": 3}},
            }
        }
    )
    assert not findings
    batch = run_scenarios(
        batch_problem(), scenarios, workers=2, options=RunOptions(gap=0.0), out_dir=tmp_path
    )
    table = batch.comparison.set_index("scenario")
    assert list(table.index) == ["baseline", "cut", "hopeless", "typo"]
    assert table.loc["baseline", "objective"] == pytest.approx(96.0)  # the worked example
    assert table.loc["cut", "status"] in ("optimal", "gap_limit")
    assert table.loc["cut", "objective"] < 96.0
    assert table.loc["hopeless", "status"] == "infeasible"  # proven by the quick checks
    assert "scenario 'hopeless'" in table.loc["hopeless", "error"]
    assert table.loc["typo", "status"] == "invalid"
    assert "teams.dogs" in table.loc["typo", "error"]
    assert batch.failed == ["hopeless", "typo"]
    assert set(batch.released["scenario"]) == {"baseline", "cut"}
    written = {p.name for p in write_comparison(batch, tmp_path)}
    assert {"comparison.csv", "comparison.xlsx"} <= written
    assert (tmp_path / "baseline" / "workplan.csv").exists()
    assert (tmp_path / "baseline" / "scenario.json").exists()
    assert not (tmp_path / "typo").exists()
    csv = pd.read_csv(tmp_path / "comparison.csv")
    assert {
        "objective",
        "completion_method",
        "released_m2_2027",
        "article5_completion_year",
        "remaining_area_m2",
        "national_share_of_cost",
        "environmental_score",
        "gap",
    } <= set(csv.columns)


def test_extrapolated_completion_by_hand() -> None:
    """100 m² left after 2029; the last three years released 10, 20, 30 (mean 20): 5 more
    years, so 2034."""

    def year(y: int, released: float, remaining: float) -> YearTotals:
        return YearTotals(y, 1, released, released, 0.0, 0.0, 0.0, 0.0, remaining, {}, {})

    per_year = [year(2027, 10.0, 150.0), year(2028, 20.0, 130.0), year(2029, 30.0, 100.0)]
    year_done, method = completion_outlook(per_year)
    assert year_done == 2034
    assert method.startswith("extrapolated")
    per_year[-1] = year(2029, 30.0, 0.0)
    assert completion_outlook(per_year) == (2029, "within the horizon")


def survey_problem() -> Problem:
    """Suspected areas released by technical survey (survey + manual), or manual clearance."""
    rng = np.random.default_rng(3)
    rows = [
        {
            "hazard_id": f"H{i}",
            "province": "P",
            "impact": float(rng.uniform(1, 10)),
            "area_m2": float(rng.uniform(2000, 8000)),
            "hazard_class": "SHA",
            "cancel_fraction": 0.5,
            "reduce_fraction": 0.2,
            "article5": i < 3,
        }
        for i in range(12)
    ]
    teams = [
        {"team_type": "manual", "teams": 2, "days_per_year": 40, "cost_per_day": 100.0},
        {"team_type": "survey", "teams": 1, "days_per_year": 20, "cost_per_day": 80.0},
    ]
    return make_problem(
        rows,
        years=3,
        budget=[6000, 6000, 6000],
        teams=teams,
        toml={"plan": {"deadline_year": 2029}},
    )


def test_monte_carlo_is_reproducible_and_exact_without_noise() -> None:
    problem = survey_problem()
    result = plan(problem, gap=0.0)
    a = simulate(problem, result.schedule, UncertaintySettings(samples=40, seed=7))
    b = simulate(problem, result.schedule, UncertaintySettings(samples=40, seed=7))
    c = simulate(problem, result.schedule, UncertaintySettings(samples=40, seed=8))
    pd.testing.assert_frame_equal(a.samples, b.samples)
    assert not a.samples["impact_years"].equals(c.samples["impact_years"])
    h = a.headline()
    assert h["impact_years_p10"] <= h["impact_years_p50"] <= h["impact_years_p90"]
    assert 0.0 <= h["p_deadline_met"] <= 1.0
    exact = simulate(
        problem,
        result.schedule,
        UncertaintySettings(samples=3, seed=0, concentration=float("inf"), productivity_sigma=0.0),
    )
    assert exact.samples["impact_years"].tolist() == pytest.approx(
        [result.summary.impact_years] * 3
    )
    assert exact.samples["slipped"].tolist() == [0, 0, 0]
    assert exact.headline()["p_deadline_met"] == 1.0


def test_monte_carlo_slips_work_that_no_longer_fits() -> None:
    """Productivity a third lower (sigma tiny, all samples alike) cannot fit the same work:
    some of it slips to later years or out of the horizon."""
    problem = survey_problem()
    result = plan(problem, gap=0.0)
    slow = problem.replace(capacity=problem.capacity * 0.6)
    sim = simulate(
        slow,
        result.schedule,
        UncertaintySettings(samples=5, seed=1, concentration=float("inf"), productivity_sigma=0.0),
    )
    assert (sim.samples["slipped"] > 0).all()
    assert (sim.samples["impact_years"] < result.summary.impact_years).all()


def test_cli_scenarios_writes_everything_and_flags_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    rows = [hazard("A", 10, 100, 5, article5=True), hazard("B", 8, 100, 5), hazard("C", 6, 100, 5)]
    pd.DataFrame(rows).to_csv(tmp_path / "hazards.csv", index=False)
    pd.DataFrame([{"team_type": "manual", "teams": 1, "days_per_year": 10}]).to_csv(
        tmp_path / "teams.csv", index=False
    )
    pd.DataFrame({"year": [2027, 2028], "budget_usd": [200, 100]}).to_csv(
        tmp_path / "budget.csv", index=False
    )
    (tmp_path / "project.toml").write_text(
        '[plan]\nstart_year = 2027\nyears = 2\n[data]\nhazards = "hazards.csv"\n'
        'teams = "teams.csv"\nbudget = "budget.csv"\n'
    )
    (tmp_path / "scenarios.toml").write_text(
        "[scenarios.baseline]\n[scenarios.more_teams]\nteams = { manual = 2 }\n"
        "[scenarios.broke]\nbudget = { multiplier = 0.0 }\ndeadline_year = 2028\n"
    )
    out = tmp_path / "out"
    code = main(
        [
            "scenarios",
            str(tmp_path / "project.toml"),
            str(tmp_path / "scenarios.toml"),
            "--out",
            str(out),
            "--workers",
            "1",
            "--samples",
            "20",
            "--seed",
            "3",
        ]
    )
    captured = capsys.readouterr()
    assert code == 4  # 'broke' has no plan; the others are written all the same
    assert "3/3 done, 0 running, 1 failed" in captured.err
    table = pd.read_csv(out / "comparison.csv").set_index("scenario")
    assert table.loc["baseline", "status"] in ("optimal", "gap_limit")
    assert table.loc["broke", "status"] == "infeasible"
    # Two teams double the team-days: all three hazards fit in 2027's 20 days... but not
    # the money (200): the plan does two in 2027 and one in 2028 either way.
    assert table.loc["more_teams", "hazards_scheduled"] == 3
    assert {"p_article5_within_horizon", "impact_years_p50"} <= set(table.columns)
    assert (out / "more_teams" / "summary.json").exists()


@pytest.mark.parametrize("name", ["province", pytest.param("national", marks=pytest.mark.slow)])
def test_sample_scenario_files_are_valid_for_their_projects(name: str) -> None:
    from prioritise import load_problem
    from tests.conftest import SAMPLES

    problem = load_problem(SAMPLES / name / "project.toml")
    scenarios = load_scenarios(SAMPLES / name / "scenarios.toml")
    required = {
        "baseline",
        "funding_cut_30",
        "front_loaded_facility",
        "completion_fund",
        "localisation_push",
        "mechanical_productivity_30",
    }
    assert required <= {s.name for s in scenarios}
    for s in scenarios:
        assert [f.message for f in scenario_findings(problem, s) if f.severity == "error"] == []
        if name == "national" and s.name == "funding_cut_30":
            # Deliberately hopeless: the 2032 deadline needs more than 70% of the money.
            with pytest.raises(InfeasibleError, match="by 2032 needs at least"):
                apply_scenario(problem, s)
            continue
        assert apply_scenario(problem, s).problem.budget.notna().all()
