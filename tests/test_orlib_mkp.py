"""OR-Library multidimensional knapsacks solved as one-year workplans reach the proven optima.

The 5 x 100 problems of mknapcb1 (Chu & Beasley) have proven optima. Each is built into a
Problem through ``build_problem`` (budget = constraint 1, team-days of team types = the
others, impact = profit) and solved through ``plan()`` with gap 0. The chosen hazards are
then checked against the original knapsack data, independently of the engine.

The default search on these small models is the portfolio (models/portfolio.py: CBC and
HiGHS side by side, the first proof stops the other): a second or two each. HiGHS alone
needs 5-12 s of CPU per problem here (about 26 s for the three), so those are marked slow;
CBC alone (``solver="cbc"``) proves all three in a few seconds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
MKP_DIR = SHARED / "benchmarks" / "orlib-mkp"
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.orlib import MKPInstance, chosen_items, read_instances, to_problem  # noqa: E402
from models import portfolio  # noqa: E402
from models.solvers import cbc_binary  # noqa: E402
from prioritise.core.errors import SolverUnavailableError  # noqa: E402
from prioritise.planning.planner import plan  # noqa: E402

# The data sits in ../shared beside the repository. CI always has it, so there a missing
# file fails loudly; elsewhere (a clone without shared/) these tests are skipped, and say so.
pytestmark = pytest.mark.skipif(
    not (MKP_DIR / "mknapcb1.txt").exists() and not os.environ.get("CI"),
    reason=f"OR-Library data not found in {MKP_DIR} (optional outside CI)",
)

PROVEN = (24381, 24274, 23551)  # 5.100-00 .. 5.100-02 in best-feasible-slns.txt


@pytest.fixture(scope="module")
def instances() -> list[MKPInstance]:
    return read_instances(MKP_DIR / "mknapcb1.txt")[:3]


def test_reader_matches_published_values(instances: list[MKPInstance]) -> None:
    assert [i.name for i in instances] == ["5.100-00", "5.100-01", "5.100-02"]
    assert tuple(i.best for i in instances) == PROVEN
    first = instances[0]
    assert (first.n, first.m, first.header_optimum) == (100, 5, 24381)
    assert first.weights.shape == (5, 100)
    assert first.profits[:3].tolist() == [504, 803, 667]
    assert first.lp_bound == pytest.approx(24585.902722)


def test_instance_becomes_a_one_year_knapsack(instances: list[MKPInstance]) -> None:
    inst = instances[0]
    problem = to_problem(inst)
    assert len(problem.hazards) == inst.n
    assert problem.budget.tolist() == [inst.capacities[0]]
    assert problem.capacity.to_numpy().ravel().tolist() == inst.capacities[1:].tolist()
    assert len(problem.options) == inst.n  # one option (the estimate) per item


def _solve_and_check(inst: MKPInstance, solver: str | None) -> str:
    """Solve through plan() and check the plan against the raw data; return the method."""
    try:
        result = plan(to_problem(inst), solver=solver, gap=0.0, time_limit=120.0)
    except SolverUnavailableError as exc:
        pytest.skip(str(exc))
    x = chosen_items(result.schedule, inst.n)
    assert inst.feasible(x), "the plan breaks a knapsack constraint"
    assert inst.value(x) == inst.best
    assert round(result.solution.objective) == inst.best
    assert result.solution.status == "optimal"
    assert result.summary.optimiser is not None
    return str(result.summary.optimiser["method"])


@pytest.mark.skipif(cbc_binary() is None, reason="no CBC binary: the portfolio is HiGHS alone")
@pytest.mark.parametrize("k", [0, 1, 2])
def test_portfolio_reaches_proven_optimum(instances: list[MKPInstance], k: int) -> None:
    method = _solve_and_check(instances[k], None)
    assert method.startswith("portfolio (CBC")  # HiGHS joins only if CBC has not proved it


@pytest.mark.parametrize(
    "k",
    [pytest.param(k, marks=pytest.mark.slow) for k in (0, 1, 2)],
)
def test_highs_alone_reaches_proven_optimum(
    instances: list[MKPInstance], k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(portfolio, "SMALL_SOLVERS", ("highs",))
    monkeypatch.setattr(portfolio, "TINY_SOLVERS", ("highs",))
    assert _solve_and_check(instances[k], "highs").startswith("HiGHS branch-and-bound")


@pytest.mark.parametrize("k", [0, 1, 2])
def test_cbc_reaches_proven_optimum(instances: list[MKPInstance], k: int) -> None:
    assert _solve_and_check(instances[k], "cbc").startswith("CBC branch-and-bound")
