"""Baselines worked by hand: today's practice, the best simple rules, and the uplift."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from models.baseline import all_baselines, binding_team
from models.solvers import RawResult, SolveStatus
from models.workplan import build_model
from prioritise import load_problem, plan
from prioritise.core.problem import Problem
from prioritise.outputs.console import render_plan_summary
from prioritise.planning.planner import objective_step, proven_by_integrality
from prioritise.planning.summary import impact_years
from tests.conftest import hazard, make_problem

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def big_first() -> Problem:
    """One year, budget 100, plenty of team-days. Score ranking takes BIG (impact 10, $100)
    and nothing else fits: 10. Impact per dollar takes S1..S4 (impact 4, $25 each: 0.16 a
    dollar against BIG's 0.1): 16."""
    return make_problem(
        [hazard("BIG", 10, 100, 1)] + [hazard(f"S{i}", 4, 25, 1) for i in range(1, 5)],
        years=1,
        budget=[100.0],
    )


def test_per_dollar_beats_the_score_ranking_by_hand() -> None:
    problem = big_first()
    practice, per_dollar = all_baselines(problem)[:2]
    assert set(practice.schedule["hazard_id"]) == {"BIG"}
    assert set(per_dollar.schedule["hazard_id"]) == {"S1", "S2", "S3", "S4"}
    assert impact_years(problem, practice.schedule) == pytest.approx(10.0)
    assert impact_years(problem, per_dollar.schedule) == pytest.approx(16.0)
    assert practice.feasible and per_dollar.feasible


def test_headline_uplift_names_the_stronger_baseline() -> None:
    """The plan reaches 16 too (the optimum, by enumeration of the 32 subsets): the uplift
    is 0 over impact per dollar, not +60% over the score ranking."""
    problem = big_first()
    best = max(
        sum(4 if n else 10 for n in subset)
        for k in range(6)
        for subset in itertools.combinations([0, 1, 1, 1, 1], k)
        if sum(25 if n else 100 for n in subset) <= 100
    )
    assert best == 16
    s = plan(problem, gap=0.0).summary
    assert s.impact_years == pytest.approx(16.0)
    assert s.uplift is not None
    assert s.uplift.baseline == "impact per dollar"
    assert s.uplift.impact_years == pytest.approx(0.0)
    assert s.uplift.percent == pytest.approx(0.0)
    # today's practice stays in `baseline`, and its legacy uplift is kept as it was
    assert s.baseline.impact_years == pytest.approx(10.0)
    assert s.uplift_impact_years == pytest.approx(6.0)
    assert [b.name for b in s.baselines] == ["today's practice", "impact per dollar"]
    d = s.to_dict()
    assert d["uplift"]["baseline"] == "impact per dollar"
    assert {"name", "objective", "impact_years", "spent_usd", "feasible"} <= set(d["baselines"][0])
    text = render_plan_summary(s)
    assert "uplift over impact per dollar: 0.0 impact-years (+0.0%)" in text
    assert "no plan can beat objective 16.00" in text


def test_article5_first_under_a_deadline_keeps_the_rule() -> None:
    """Deadline 2027 for A (impact 1, $100): the score ranking spends 2027 on B (impact 9)
    and breaks the deadline; the simple rule does A first, keeps it, and is the uplift's
    reference even though practice earns more."""
    problem = make_problem(
        [hazard("A", 1, 100, 1, article5=True), hazard("B", 9, 100, 1)],
        years=2,
        budget=[100.0, 100.0],
        toml={"plan": {"deadline_year": 2027}},
    )
    practice, per_dollar = all_baselines(problem)[:2]
    assert not practice.feasible
    assert any("not done by 2027" in v for v in practice.violations)
    assert per_dollar.feasible
    assert dict(
        zip(per_dollar.schedule["hazard_id"], per_dollar.schedule["year"], strict=True)
    ) == {
        "A": 2027,
        "B": 2028,
    }
    ignored = all_baselines(problem)[-1]
    assert ignored.name == "impact per dollar, deadline ignored"
    assert not ignored.feasible  # B first (9 per dollar-unit against A's 1): A is late
    s = plan(problem, gap=0.0).summary
    assert s.uplift is not None and s.uplift.baseline == "impact per dollar"


def test_share_envelopes_keep_the_localisation_share() -> None:
    """40% of spend must go to national teams; budget 60. Practice ranks I1-I3 (impact 5,
    $20, international) first and spends all 60 on them: 0% national. The simple rule sets
    40% x 60 = 24 aside for national work first (N1, N2 at $12), then I1 ($20); I2 no
    longer fits: national 24 of 44 = 55%."""
    teams = [
        {"team_type": "manual", "teams": 1, "days_per_year": 10, "operator": "national"},
        {"team_type": "mech", "teams": 1, "days_per_year": 10, "operator": "international"},
    ]
    intl = [{**hazard(f"I{i}", 5, 20, 0), "days_mech": 1} for i in (1, 2, 3)]
    national = [{**hazard(f"N{i}", 1, 12, 1), "days_mech": 0} for i in (1, 2)]
    problem = make_problem(
        intl + national,
        years=1,
        budget=[60.0],
        teams=teams,
        toml={"constraints": {"localisation": {"min_national_share": 0.4}}},
    )
    practice, simple = all_baselines(problem)[:2]
    assert set(practice.schedule["hazard_id"]) == {"I1", "I2", "I3"}
    assert any("national share" in v for v in practice.violations)
    assert set(simple.schedule["hazard_id"]) == {"N1", "N2", "I1"}
    assert simple.feasible, simple.violations


def test_binding_team_is_named_when_team_days_are_scarcer_than_money() -> None:
    """Money covers all three hazards twice over; the manual team-days cover half."""
    problem = make_problem([hazard(f"H{i}", 1, 10, 10) for i in range(3)], years=1, budget=[60.0])
    assert binding_team(problem) == "manual"
    names = [b.name for b in all_baselines(problem)]
    assert names == ["today's practice", "impact per dollar", "impact per manual team-day"]


def test_optimal_by_integrality(four_hazards: Problem) -> None:
    """Whole impacts, no discounting: every objective is whole, so a plan at 96 with a bound
    of 96.7 is optimal; with a bound of 97.2 it is not proven."""
    built = build_model(four_hazards)
    assert objective_step(built) == 1.0
    raw = RawResult(SolveStatus.GAP_LIMIT, None, 96.0, 96.7, 0.007, 0.1, "highs", "gap")
    proven = proven_by_integrality(built, raw)
    assert proven.status == SolveStatus.OPTIMAL
    assert proven.best_bound == 96.0 and proven.gap == 0.0
    assert "integrality" in proven.message
    open_raw = RawResult(SolveStatus.GAP_LIMIT, None, 96.0, 97.2, 0.0125, 0.1, "highs", "gap")
    assert proven_by_integrality(built, open_raw).status == SolveStatus.GAP_LIMIT


def test_no_integrality_step_with_discounting() -> None:
    problem = make_problem([hazard("A", 1, 10, 1)], years=3, toml={"plan": {"discount_rate": 0.03}})
    assert objective_step(build_model(problem)) is None


def test_report_headline_names_the_fair_baseline_and_explains_the_figures() -> None:
    from prioritise.analyses.indicators import build_report_data
    from prioritise.outputs.report.html import render_report

    result = plan(big_first(), gap=0.0)
    html = render_report(result, build_report_data(result))
    headline = html[html.index('<section id="headline">') : html.index("</section>")]
    assert "Uplift over impact per dollar" in headline
    assert "the strongest simple rule that keeps every rule" in headline
    assert "No plan can beat an objective of 16.0" in headline
    assert "the plan is proven best" in headline
    assert "today&#39;s practice" in headline or "today&#x27;s practice" in headline
    assert "Reproducibility record" not in headline and "Reproducibility record" in html


def test_plan_is_never_below_a_rule_keeping_baseline_even_with_no_time() -> None:
    """With almost no time to search, the plan is still at least the best simple rule that
    keeps every rule: those baselines are offered to the optimiser as incumbents."""
    problem = load_problem(SAMPLES / "province" / "project.toml")
    result = plan(problem, time_limit=0.5)
    keeping = [b.objective for b in result.summary.baselines if b.feasible]
    assert keeping
    assert result.summary.objective >= max(keeping) - 1e-6
