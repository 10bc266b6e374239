"""The deadline analysis's independent solves on the execution layer: the same answers as
the sequential run, on a real (in-process) Dask cluster and through the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from distributed import LocalCluster

from cli import main
from prioritise.analyses.deadline import DeadlineAnswer, Fanout, analyse_deadline, earliest_year
from prioritise.execution.engine import Executor
from prioritise.execution.manyplans import executor_mapper
from prioritise.inputs.roster import read_roster
from tests.conftest import hazard, make_problem
from tests.test_deadline import TEAMS, three_article5


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as c:
        yield c


def _figures(a: DeadlineAnswer) -> dict[str, Any]:
    def req(r: Any) -> Any:
        if r is None:
            return None
        extra = None if r.extra is None else r.extra.round(6).to_dict(orient="list")
        return (r.status, r.value, r.money, extra)

    tables = {
        way: {name: frame.round(6).to_dict(orient="list") for name, frame in t.items()}
        for way, t in a.tables.items()
    }
    return {
        "current": a.current.feasible,
        "budget": req(a.extra_budget),
        "uniform": req(a.uniform),
        "teams": req(a.extra_teams),
        "both": req(a.extra_both),
        "earliest": (a.earliest_year, a.earliest_note),
        "tables": tables,
        "notes": a.notes,
    }


@pytest.mark.parametrize("max_extension", [0, 3, 9])
def test_a_search_of_several_years_a_round_ends_on_the_binary_searchs_year(
    max_extension: int,
) -> None:
    """Seven hazards, one a year fits: done by 2033, past a 3-year horizon."""
    seven = make_problem(
        [hazard(h, 1, 100, 1, article5=True) for h in "ABCDEFG"],
        years=3,
        budget=[100] * 3,
        teams=TEAMS,
    )
    binary = earliest_year(seven, 30, max_extension)
    for width in (2, 3, 5):
        assert earliest_year(seven, 30, max_extension, width=width) == binary
    assert binary[0] == (2033 if max_extension >= 4 else None)


def test_deadline_on_a_cluster_equals_the_sequential_answer(cluster: LocalCluster) -> None:
    base = three_article5()
    roster = read_roster(base, pd.DataFrame(TEAMS))
    both_base = three_article5(days=5.0)
    both_roster = read_roster(both_base, pd.DataFrame(TEAMS))
    alone = _figures(analyse_deadline(base, 2028, time_limit=30, roster=roster))
    both = _figures(
        analyse_deadline(both_base, 2027, time_limit=30, roster=both_roster, plan_tables=False)
    )
    with Executor(scheduler=cluster.scheduler_address) as ex:
        fan = Fanout(executor_mapper(ex), ex.workers)
        assert fan.width == 2
        far = analyse_deadline(base, 2028, time_limit=30, roster=roster, fanout=fan)
        far_both = analyse_deadline(
            both_base, 2027, time_limit=30, roster=both_roster, plan_tables=False, fanout=fan
        )
    assert _figures(far) == alone
    assert _figures(far_both) == both
    assert alone["budget"][1] == pytest.approx(100.0) and alone["earliest"][0] == 2029
    assert both["both"][2] == pytest.approx(200.0)  # the case where (a+b) is asked


def test_cli_deadline_on_a_scheduler_prints_the_same_answer(
    tmp_path: Path, cluster: LocalCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    pd.DataFrame([hazard(h, 5, 100, 3, article5=True) for h in "ABC"]).to_csv(
        tmp_path / "hazards.csv", index=False
    )
    pd.DataFrame(TEAMS).to_csv(tmp_path / "teams.csv", index=False)
    pd.DataFrame({"year": [2027, 2028, 2029], "budget_usd": [100] * 3}).to_csv(
        tmp_path / "budget.csv", index=False
    )
    (tmp_path / "project.toml").write_text(
        "[plan]\nstart_year = 2027\nyears = 3\n[data]\n"
        'hazards = "hazards.csv"\nteams = "teams.csv"\nbudget = "budget.csv"\n'
    )
    args = ["deadline", str(tmp_path / "project.toml"), "--year", "2027", "--time-limit", "30"]
    assert main(args) == 0
    here = capsys.readouterr()
    assert main([*args, "--scheduler", cluster.scheduler_address]) == 0
    there = capsys.readouterr()
    assert "Independent solves on 2 worker(s) of the Dask cluster" in there.err
    assert "Least extra money, in the years up to 2027: $200 in total" in there.out
    assert there.out == here.out
