"""Benefit lifetimes and the NPV objective: hand-solved instances, a brute-force cross-check
(every assignment enumerated), the value table at load time and the reported figures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.eligibility import completion_weights, year_weights
from prioritise import plan
from prioritise.core.errors import ProjectError
from prioritise.core.problem import Problem
from prioritise.core.settings import settings_from_dict
from tests.conftest import hazard, make_problem
from tests.test_bruteforce import METHODS, TEAMS, best_assignment


def two_in_two(lifetime: object, rate: float) -> Problem:
    """X (10) and Y (9), one hazard a year fits (10 team-days each), T = 2."""
    return make_problem(
        [hazard("X", 10, 10, 10), hazard("Y", 9, 10, 10)],
        years=2,
        toml={"plan": {"discount_rate": rate, "benefit_years": lifetime}},
    )


@pytest.mark.parametrize(
    ("lifetime", "rate", "expected"),
    [
        # horizon, r = 0.5: w = (1 + 2/3, 2/3): X first, 10 x 5/3 + 9 x 2/3.
        ("horizon", 0.5, 10 * 5 / 3 + 9 * 2 / 3),
        # one year of benefit: w = (1, 2/3): 10 + 6.
        (1, 0.5, 16.0),
        # three years, past the two-year horizon: w0 = 1 + 2/3 + 4/9 = 19/9,
        # w1 = 2/3 + 4/9 + 8/27 = 38/27: 10 x 19/9 + 9 x 38/27 = 912/27.
        (3, 0.5, 912 / 27),
        # perpetual: w0 = (1 + r)/r = 3, w1 = 3/1.5 = 2: 30 + 18.
        ("perpetual", 0.5, 48.0),
        # ten years undiscounted: w = (10, 10), the order no longer matters: 190.
        (10, 0.0, 190.0),
    ],
)
def test_lifetimes_hand_solved(lifetime: object, rate: float, expected: float) -> None:
    result = plan(two_in_two(lifetime, rate), gap=0.0)
    assert result.summary.objective == pytest.approx(expected)
    years = dict(zip(result.schedule["hazard_id"], result.schedule["year"], strict=True))
    if rate > 0:
        assert years == {"X": 2027, "Y": 2028}  # discounting puts the larger impact first
    assert result.summary.impact_years == pytest.approx(expected)
    wp = result.workplan.set_index("hazard_id")
    assert wp["impact_years"].sum() == pytest.approx(expected, abs=1e-3)


def test_lifetime_changes_the_choice() -> None:
    """Budget 10 a year with carry-over, r = 0. SMALL (impact 5, cost 10) fits any year; BIG
    (impact 6, cost 20) only 2028 with 2027's money carried; not both (20 in all).
    horizon, w = (2, 1): SMALL in 2027 earns 10 > BIG's 6. Ten years of benefit, w = (10, 10):
    BIG earns 60 > SMALL's 50, so the end-of-horizon effect no longer hides the larger area."""
    rows = [hazard("SMALL", 5, 10, 1), hazard("BIG", 6, 20, 1)]
    for lifetime, expected, chosen in (("horizon", 10.0, "SMALL"), (10, 60.0, "BIG")):
        problem = make_problem(
            rows,
            years=2,
            budget=[10, 10],
            toml={"plan": {"carry_over": True, "benefit_years": lifetime}},
        )
        result = plan(problem, gap=0.0)
        assert result.summary.objective == pytest.approx(expected)
        assert list(result.schedule["hazard_id"]) == [chosen]


@pytest.mark.parametrize("lifetime", ["horizon", 1, 4, 9, "perpetual"])
@pytest.mark.parametrize("rate", [0.0, 0.07])
def test_year_weights_are_the_sum_they_claim(lifetime: object, rate: float) -> None:
    """w_t = sum_{s=t}^{t+L-1} (1+r)^-s summed term by term (perpetual: 2,000 terms)."""
    if lifetime == "perpetual" and rate == 0:
        with pytest.raises(ValueError, match="discount rate"):
            year_weights(5, rate, "perpetual")
        return
    T = 5
    w = year_weights(T, rate, lifetime)  # type: ignore[arg-type]
    for t in range(T):
        length = T - t if lifetime == "horizon" else 2000 if lifetime == "perpetual" else lifetime
        assert isinstance(length, int)
        direct = sum((1 + rate) ** -s for s in range(t, t + length))
        assert w[t] == pytest.approx(direct, rel=1e-9 if lifetime != "perpetual" else 1e-6)
    doc = {"plan": {"start_year": 2027, "years": T, "discount_rate": rate}}
    doc["plan"]["benefit_years"] = lifetime  # type: ignore[assignment]
    c = completion_weights(settings_from_dict(doc).plan)
    # y[h,t] = 1 from the completion year on: the c_t from t onward add up to w_t.
    assert np.cumsum(c[::-1])[::-1] == pytest.approx(w)


def test_perpetual_needs_a_discount_rate() -> None:
    with pytest.raises(ProjectError, match="perpetual"):
        make_problem([hazard("X", 1, 1, 1)], toml={"plan": {"benefit_years": "perpetual"}})


def npv_hazard(hid: str, benefit: float, cost: float, days: float = 1, **extra: object) -> dict:
    row = hazard(hid, 1, cost, days, **extra)
    del row["impact"]
    return {**row, "benefit_usd_per_year": benefit}


NPV_PLAN = {"objective": "npv", "benefit_years": 10, "discount_rate": 0.0}


def test_npv_clears_a_losing_hazard_only_when_a_valuable_one_needs_it() -> None:
    """r = 0, ten years of benefit, so timing does not matter and A_L = 10.
    V: 100/yr x 10 - 300 = +700; N: 0 - 200 = -200; M: 5 x 10 - 100 = -50.
    V requires N: V + N = 500 > 0, so N is cleared for V's sake and M is not: NPV 500.
    Without the dependency N is left: 700."""
    rows = [npv_hazard("V", 100, 300), npv_hazard("N", 0, 200), npv_hazard("M", 5, 100)]
    toml = {"plan": NPV_PLAN}
    with_dep = plan(make_problem(rows, budget=[1000] * 3, deps=[("V", "N")], toml=toml), gap=0)
    assert with_dep.summary.objective == pytest.approx(500.0)
    assert set(with_dep.schedule["hazard_id"]) == {"V", "N"}
    econ = with_dep.summary.economics
    assert econ is not None
    assert econ.plan.npv_usd == pytest.approx(500.0)
    assert econ.plan.pv_benefits_usd == pytest.approx(1000.0)
    assert econ.plan.pv_costs_usd == pytest.approx(500.0)
    assert econ.plan.bcr == pytest.approx(2.0)
    wp = with_dep.workplan.set_index("hazard_id")
    assert wp.loc["N", "npv_usd"] == pytest.approx(-200.0)
    assert wp.loc["N", "bcr"] == pytest.approx(0.0)
    assert wp.loc["V", "bcr"] == pytest.approx(1000 / 300, rel=1e-4)
    assert math.isnan(wp.loc["M", "npv_usd"])  # not scheduled: blank, not 0

    alone = plan(make_problem(rows, budget=[1000] * 3, toml=toml), gap=0)
    assert alone.summary.objective == pytest.approx(700.0)
    assert set(alone.schedule["hazard_id"]) == {"V"}


def test_npv_discounts_costs_to_the_year_spent() -> None:
    """r = 0.25, one year of benefit; 10 team-days a year, each hazard takes 10.
    P: 500 - 100 = 400 in 2027 or 400/1.25 = 320 in 2028; Q: 300 - 100 = 200 or 160.
    P first: 400 + 160 = 560 (Q first: 200 + 320 = 520). A lock (must) on a losing hazard
    R (0 - 50, 0 days) costs its discounted 50 in 2027: the plan clears it and pays 510."""
    toml = {"plan": {"objective": "npv", "benefit_years": 1, "discount_rate": 0.25}}
    rows = [npv_hazard("P", 500, 100, 10), npv_hazard("Q", 300, 100, 10)]
    result = plan(make_problem(rows, years=2, toml=toml), gap=0)
    assert result.summary.objective == pytest.approx(560.0)
    years = dict(zip(result.schedule["hazard_id"], result.schedule["year"], strict=True))
    assert years == {"P": 2027, "Q": 2028}
    rows.append(npv_hazard("R", 0, 50, 0, lock="must", lock_year=2027))
    locked = plan(make_problem(rows, years=2, toml=toml), gap=0)
    assert locked.summary.objective == pytest.approx(510.0)
    per_year = locked.summary.economics.per_year  # type: ignore[union-attr]
    assert per_year["2028"].npv_usd == pytest.approx(160.0)
    assert per_year["2027"].npv_usd == pytest.approx(350.0)


def test_value_table_computes_benefit_and_shows_how() -> None:
    toml = {
        "plan": NPV_PLAN,
        "economics": {
            "usd_per_m2_year": {"agriculture": 0.05, "pasture": 0.01},
            "usd_per_beneficiary_year": 2.0,
        },
    }
    rows = [
        {**npv_hazard("A", float("nan"), 10), "area_m2": 1000, "land_use": "agriculture"},
        {**npv_hazard("B", 7, 10), "area_m2": 1000, "land_use": "pasture", "beneficiaries": 4},
        {**npv_hazard("C", float("nan"), 10), "area_m2": 500, "beneficiaries": 3},
        {**npv_hazard("D", float("nan"), 10), "area_m2": 500, "land_use": "forest"},
    ]
    problem = make_problem(rows, toml=toml)
    h = problem.hazards.set_index("hazard_id")
    assert h.loc["A", "benefit_usd_per_year"] == pytest.approx(50.0)
    assert h.loc["A", "benefit_basis"] == "agriculture: 1,000 m² x 0.05 USD/m²/yr = 50"
    assert h.loc["B", "benefit_usd_per_year"] == 7  # a given figure wins
    assert h.loc["B", "benefit_basis"] == "given in benefit_usd_per_year"
    assert h.loc["C", "benefit_usd_per_year"] == pytest.approx(6.0)
    assert h.loc["C", "benefit_basis"] == "3 people x 2 USD/yr = 6"
    # forest has no rate and D no beneficiaries: its benefit stays unknown (blank, not 0).
    assert np.isnan(h.loc["D", "benefit_usd_per_year"])
    assert h.loc["D", "benefit_basis"] == ""
    rules = {f.rule for f in problem.findings}
    assert "unpriced-land-use" in rules
    assert "impact-not-given" in rules
    assert "missing-benefit" in rules


def test_npv_without_any_benefit_is_refused() -> None:
    with pytest.raises(ProjectError, match="no hazard has an economic benefit"):
        make_problem([hazard("X", 1, 1, 1)], toml={"plan": {"objective": "npv"}})


def test_impact_plans_report_no_economics_without_benefits(four_hazards: Problem) -> None:
    result = plan(four_hazards, gap=0.0)
    assert result.summary.economics is None
    assert "economics" not in result.summary.to_dict()
    assert result.workplan["npv_usd"].isna().all()  # blank, never 0, for unknown


# --- brute force ---------------------------------------------------------------------------


def random_npv_problem(seed: int) -> Problem:
    """5 hazards, 2 methods, 3 years, random dependencies and benefits (some worth less than
    they cost), sometimes a lock, random lifetime and rate."""
    rng = np.random.default_rng(1000 + seed)
    n = 5
    rows = [
        {
            "hazard_id": f"H{i}",
            "province": "P" if i % 2 else "Q",
            "area_m2": float(rng.integers(300, 1500)),
            "benefit_usd_per_year": float(rng.integers(0, 40)),
        }
        for i in range(n)
    ]
    if rng.random() < 0.5:
        rows[int(rng.integers(n))]["lock"] = "must"
    deps = [(f"H{j}", f"H{i}") for i in range(n) for j in range(i + 1, n) if rng.random() < 0.3]
    rate = float(rng.choice([0.0, 0.1]))
    lifetimes: list[object] = ["horizon", 1, 6] + (["perpetual"] if rate > 0 else [])
    lifetime = lifetimes[int(rng.integers(len(lifetimes)))]
    return make_problem(
        rows,
        years=3,
        budget=[float(rng.integers(100, 250)) for _ in range(3)],
        teams=TEAMS,
        deps=deps,
        toml={
            **METHODS,
            "plan": {
                "objective": "npv",
                "discount_rate": rate,
                "benefit_years": lifetime,
                "carry_over": bool(rng.random() < 0.5),
            },
        },
    )


def brute_force_npv(problem: Problem) -> float:
    """max sum over completed hazards of (1+r)^-t (B_h A_L - cost) with w_t = (1+r)^-t A_L,
    over every assignment of (option, year) or nothing, within every rule."""
    plan_ = problem.settings.plan
    T = len(problem.years)
    w = year_weights(T, plan_.discount_rate, plan_.benefit_years)
    disc = (1 + plan_.discount_rate) ** -np.arange(T, dtype=float)
    benefit = problem.hazards["benefit_usd_per_year"].to_numpy(float)
    cost = problem.options["cost"].to_numpy()
    must = (problem.hazards["lock"] == "must").to_numpy()
    return best_assignment(
        problem, lambda h, r, t: benefit[h] * w[t] - disc[t] * cost[r], required=must
    )


@pytest.mark.parametrize("seed", range(8))
def test_npv_matches_brute_force(seed: int) -> None:
    problem = random_npv_problem(seed)
    expected = brute_force_npv(problem)
    result = plan(problem, gap=0.0)
    assert result.summary.status == "optimal"
    assert result.summary.objective == pytest.approx(expected, abs=1e-6)
    econ = result.summary.economics
    assert econ is not None
    assert econ.plan.npv_usd == pytest.approx(expected, abs=0.01)


def test_random_npv_instances_are_not_trivial() -> None:
    """Guard the generator: some optima leave a hazard out although money and time allow it
    (its NPV is negative), and some clear a hazard whose own NPV is negative."""
    negative_cleared = negative_left = 0
    for seed in range(8):
        result = plan(random_npv_problem(seed), gap=0.0)
        wp = result.workplan
        negative_cleared += int((wp["npv_usd"] < 0).sum())
        negative_left += int((wp["status"] == "unscheduled").sum())
    assert negative_cleared > 0
    assert negative_left > 0


def test_npv_plan_without_impact_scores_says_unknown_not_zero() -> None:
    """No hazard has an impact score (allowed under NPV): summary.json's impact-years are
    null, the console says unknown, and the workplan's impact column is blank."""
    from prioritise.outputs.console import _impact_years

    rows = [npv_hazard(h, float("nan"), 10) for h in "ABC"]
    for row, benefit in zip(rows, (50.0, 40.0, 30.0), strict=True):
        row["benefit_usd_per_year"] = benefit
    problem = make_problem(rows, toml={"plan": NPV_PLAN})
    result = plan(problem, gap=0.0)
    out = result.summary.to_dict()
    assert out["impact_known"] is False
    assert out["impact_years"] is None
    assert out["baseline"]["impact_years"] is None
    assert all(b["impact_years"] is None for b in out["baselines"])
    assert out["objective"] is not None  # the NPV itself is known
    assert _impact_years(result.summary).startswith("unknown")
    assert result.workplan["impact"].isna().all()
    assert result.workplan["impact_years"].isna().all()
