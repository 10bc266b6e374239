"""Instances of 1-4 hazards whose optimum is worked out by hand in each docstring."""

from __future__ import annotations

import pulp
import pytest

from prioritise import InfeasibleError, plan
from prioritise.core.problem import Problem
from tests.conftest import hazard, make_problem


def years_of(problem: Problem, **kwargs: object) -> tuple[float, dict[str, int]]:
    result = plan(problem, gap=0.0, **kwargs)  # type: ignore[arg-type]
    s = result.schedule
    return result.summary.objective, dict(zip(s["hazard_id"], s["year"], strict=True))


@pytest.mark.parametrize("precedence", ["by", "cumulative", "aggregated"])
def test_four_hazards_worked_example(four_hazards: Problem, precedence: str) -> None:
    """T=3 so w = (3, 2, 1); 10 team-days a year fit two hazards; budgets 200/200/100.

    A+C in 2027 (10x3 + 6x3 = 48), D (needs C) in 2028 (20x2 = 40), B in 2029 (8): 96.
    Anything with A+B first leaves D unaffordable later (150 > 100 in 2029): at most 66.
    """
    objective, years = years_of(four_hazards, precedence=precedence)
    assert objective == pytest.approx(96.0)
    assert years == {"A": 2027, "C": 2027, "D": 2028, "B": 2029}


def test_baseline_and_uplift_of_worked_example(four_hazards: Problem) -> None:
    """Ranking D, A, B, C: D waits for C; A and B fill 2027 (30 + 24); C in 2028 (12);
    D never fits 2029's 100. Baseline 66, uplift 30."""
    result = plan(four_hazards, gap=0.0)
    assert result.summary.baseline.objective == pytest.approx(66.0)
    assert result.summary.uplift_impact_years == pytest.approx(30.0)
    assert dict(zip(result.baseline["hazard_id"], result.baseline["year"], strict=True)) == {
        "A": 2027,
        "B": 2027,
        "C": 2028,
    }


def test_discounting_weights_years_of_use() -> None:
    """r = 0.5, T = 2: w = (1 + 1/1.5, 1/1.5). One hazard a year: X (10) first, Y (9) next."""
    problem = make_problem(
        [hazard("X", 10, 10, 10), hazard("Y", 9, 10, 10)],
        years=2,
        toml={"plan": {"discount_rate": 0.5}},
    )
    objective, years = years_of(problem)
    assert objective == pytest.approx(10 * (1 + 1 / 1.5) + 9 / 1.5)
    assert years == {"X": 2027, "Y": 2028}


def test_lock_in_a_year(four_hazards: Problem) -> None:
    """B locked to 2027 takes one of 2027's two team slots: B+C (24+18), D 2028 (40),
    A 2029 (10) = 92 beats B+A first (24+30, then C=12 and D never) = 66."""
    h = four_hazards.hazards.copy()
    h.loc[h["hazard_id"] == "B", ["lock", "lock_year"]] = ["must", 2027.0]
    objective, years = years_of(four_hazards.replace(hazards=h))
    assert objective == pytest.approx(92.0)
    assert years == {"B": 2027, "C": 2027, "D": 2028, "A": 2029}


def test_locked_out_hazard_blocks_its_dependants() -> None:
    """C must_not: D (needs C) cannot be done either; A and B fill 2027: 30 + 24 = 54."""
    problem = make_problem(
        [
            hazard("A", 10, 100, 5),
            hazard("B", 8, 100, 5),
            hazard("C", 6, 100, 5, lock="must_not"),
            hazard("D", 20, 150, 5),
        ],
        budget=[200, 200, 100],
        deps=[("D", "C")],
    )
    result = plan(problem, gap=0.0)
    assert result.summary.objective == pytest.approx(54.0)
    reasons = result.workplan.set_index("hazard_id")["reason"]
    assert reasons["C"] == "locked out (must_not)"
    assert "requires C" in reasons["D"]


def test_deadline_forces_article5_hazards_early() -> None:
    """B is an Article 5 hazard with deadline 2027: same plan as locking B to 2027 (92)."""
    problem = make_problem(
        [
            hazard("A", 10, 100, 5),
            hazard("B", 8, 100, 5, article5=True),
            hazard("C", 6, 100, 5),
            hazard("D", 20, 150, 5),
        ],
        budget=[200, 200, 100],
        deps=[("D", "C")],
        toml={"plan": {"deadline_year": 2027}},
    )
    objective, years = years_of(problem)
    assert objective == pytest.approx(92.0)
    assert years["B"] == 2027
    assert plan(problem).summary.article5.meets_deadline is True


def test_carry_over_lets_unspent_money_build_up() -> None:
    """E costs 300, each year's budget is 200: impossible without carry-over; with it, E is
    done in 2028 (2 years of use left of 3): 5 x 2 = 10."""
    rows = [hazard("E", 5, 300, 5)]
    assert years_of(make_problem(rows))[0] == pytest.approx(0.0)
    objective, years = years_of(make_problem(rows, toml={"plan": {"carry_over": True}}))
    assert objective == pytest.approx(10.0)
    assert years == {"E": 2028}


def test_equity_share_can_outrank_impact() -> None:
    """One year, budget 100: N1 (impact 10) or S1 (impact 1). South must get half the spend,
    so N1 alone is not allowed; S1 alone (1) is the best plan."""
    rows = [hazard("N1", 10, 100, 1), hazard("S1", 1, 100, 1, province="South")]
    assert years_of(make_problem(rows, years=1, budget=[100]))[0] == pytest.approx(10.0)
    problem = make_problem(
        rows, years=1, budget=[100], toml={"constraints": {"equity": {"min_share": {"South": 0.5}}}}
    )
    objective, years = years_of(problem)
    assert objective == pytest.approx(1.0)
    assert years == {"S1": 2027}


LOCAL_TEAMS = [
    {
        "team_type": "manual_nat",
        "kind": "manual",
        "operator": "national",
        "teams": 1,
        "days_per_year": 10,
        "cost_per_day": 100,
    },
    {
        "team_type": "manual_int",
        "kind": "manual",
        "operator": "international",
        "teams": 1,
        "days_per_year": 10,
        "cost_per_day": 50,
    },
]
MANUAL_ONLY = {"methods": {"manual": {"productivity": {"manual": 100}}}}


def test_localisation_moves_work_to_national_teams() -> None:
    """Each 1,000 m² hazard takes 10 manual team-days: 500 by the international team,
    1,000 by the national one; budget 1,000. Without a national share the cheap team does
    H1; with min share 0.5 only H1 by the national team is allowed. Both earn 10."""
    rows = [
        {"hazard_id": "H1", "province": "P", "impact": 10, "area_m2": 1000},
        {"hazard_id": "H2", "province": "P", "impact": 9, "area_m2": 1000},
    ]
    base = make_problem(rows, years=1, budget=[1000], teams=LOCAL_TEAMS, toml=MANUAL_ONLY)
    local = make_problem(
        rows,
        years=1,
        budget=[1000],
        teams=LOCAL_TEAMS,
        toml={**MANUAL_ONLY, "constraints": {"localisation": {"min_national_share": 0.5}}},
    )
    r = plan(local, gap=0.0)
    assert r.summary.objective == pytest.approx(10.0)
    assert list(r.schedule["operator"]) == ["national"]
    assert r.summary.totals.national_share_of_cost == pytest.approx(1.0)
    assert plan(base, gap=0.0).summary.objective == pytest.approx(10.0)


def test_survey_releases_a_suspected_area_cheaply() -> None:
    """10,000 m² SHA, 60% expected cancelled and 20% reduced. Manual clearance: 100 team-days
    x 10 = 1,000. Survey first: 10 survey days x 20 + (2,000 m² / 100) x 10 = 400."""
    teams = [
        {"team_type": "manual", "teams": 1, "days_per_year": 200, "cost_per_day": 10},
        {"team_type": "survey", "teams": 1, "days_per_year": 200, "cost_per_day": 20},
    ]
    methods = {
        "methods": {
            "manual": {"productivity": {"manual": 100}},
            "technical_survey": {
                "productivity": {"manual": 100},
                "survey_productivity": {"survey": 1000},
            },
        }
    }
    rows = [
        {
            "hazard_id": "S",
            "province": "P",
            "impact": 1,
            "area_m2": 10_000,
            "hazard_class": "SHA",
            "cancel_fraction": 0.6,
            "reduce_fraction": 0.2,
        }
    ]
    r = plan(make_problem(rows, years=1, budget=[500], teams=teams, toml=methods), gap=0.0)
    row = r.schedule.iloc[0]
    assert row["method"] == "technical_survey"
    assert row["cost"] == pytest.approx(400.0)
    assert (row["cleared_m2"], row["cancelled_m2"], row["reduced_m2"]) == pytest.approx(
        (2000.0, 6000.0, 2000.0)
    )
    assert r.summary.totals.released_m2 == pytest.approx(10_000.0)


def test_environment_weight_changes_the_method() -> None:
    """Impact 10, T = 2 (w = 2, 1). Mechanical costs 100 (disturbance 0.9), manual 300
    (0.2); 2027 has only 150. lambda = 0: mechanical in 2027 earns 20. lambda = 20:
    mechanical 2027 earns 20 - 18 = 2, manual 2028 earns 10 - 4 = 6, so manual wins."""
    teams = [
        {"team_type": "manual", "teams": 1, "days_per_year": 100, "cost_per_day": 30},
        {"team_type": "mechanical", "teams": 1, "days_per_year": 100, "cost_per_day": 100},
    ]
    methods = {
        "manual": {"productivity": {"manual": 100}, "disturbance": 0.2},
        "mechanical": {"productivity": {"mechanical": 1000}, "disturbance": 0.9},
    }
    rows = [
        {"hazard_id": "E", "province": "P", "impact": 10, "area_m2": 1000, "env_sensitivity": 1.0}
    ]
    r0 = plan(
        make_problem(rows, years=2, budget=[150, 300], teams=teams, toml={"methods": methods}),
        gap=0.0,
    )
    assert (r0.schedule.iloc[0]["method"], r0.summary.objective) == ("mechanical", 20.0)
    r1 = plan(
        make_problem(
            rows,
            years=2,
            budget=[150, 300],
            teams=teams,
            toml={"methods": methods, "plan": {"environment_weight": 20}},
        ),
        gap=0.0,
    )
    assert r1.schedule.iloc[0]["method"] == "manual"
    assert r1.schedule.iloc[0]["year"] == 2028
    assert r1.summary.objective == pytest.approx(6.0)
    assert r1.summary.impact_years == pytest.approx(10.0)


def test_infeasible_plan_says_which_rule_to_relax() -> None:
    """N1 is locked 'must' and takes the whole budget; South must still get half the spend."""
    rows = [hazard("N1", 10, 100, 1, lock="must"), hazard("S1", 1, 100, 1, province="South")]
    problem = make_problem(
        rows, years=1, budget=[100], toml={"constraints": {"equity": {"min_share": {"South": 0.5}}}}
    )
    with pytest.raises(InfeasibleError, match="equity") as info:
        plan(problem)
    assert any("equity" in h for h in info.value.hints)


def test_objective_is_impact_years_without_environmental_data(four_hazards: Problem) -> None:
    result = plan(four_hazards, gap=0.0)
    assert result.summary.objective == pytest.approx(result.summary.impact_years)
    assert result.workplan["impact_years"].sum() == pytest.approx(96.0)


@pytest.mark.skipif(
    not pulp.PULP_CBC_CMD(msg=False).available(), reason="PuLP has no CBC binary on this platform"
)
def test_cbc_through_pulp_gives_the_same_optimum(four_hazards: Problem) -> None:
    objective, years = years_of(four_hazards, solver="cbc")
    assert objective == pytest.approx(96.0)
    assert years == {"A": 2027, "C": 2027, "D": 2028, "B": 2029}


def test_cbc_bound_is_read_from_its_log() -> None:
    from models.cbc import read_bound

    # CBC is given the minimisation of the negated objective: its figures are negated.
    log = (
        "Cbc0010I After 0 nodes, 1 on tree, -19082.658 best solution, best possible "
        "-19192.612 (2.05 seconds)\nResult - Optimal solution found (within gap tolerance)"
        "\nObjective value:                -19104.25612632\nLower bound:"
        "                    -19192.612\n"
    )
    assert read_bound(log, 19104.256) == pytest.approx(19192.612)
    assert read_bound(log.split("Result")[0], 19104.256) == pytest.approx(19192.612)
    assert read_bound("Result - Optimal solution found\n", 96.0) == 96.0
    assert read_bound("Result - Stopped on time limit\n", 50.0) is None
