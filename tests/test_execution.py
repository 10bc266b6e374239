"""The execution layer on a real distributed.LocalCluster: same rows whatever the workers,
through a scheduler address, a lost worker's task retried, a failing task keeps its row."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from distributed import LocalCluster

from prioritise.analyses.monte_carlo import MonteCarloSettings
from prioritise.execution.batch import RunOptions, run_scenarios
from prioritise.execution.engine import Executor, run_inline, task_seed
from prioritise.execution.manyplans import run_monte_carlo
from prioritise.execution.progress import ProgressBar
from prioritise.inputs.scenarios import parse_scenarios
from prioritise.planning.planner import plan
from tests.conftest import hazard, make_problem


def seeded(shared: float, item: int) -> float:
    """A pure seeded task: its value depends on its item only."""
    if item == 3:
        raise RuntimeError("sample 3 is broken")
    return shared + float(np.random.default_rng(task_seed(7, item)).normal())


def die_once(shared: str, item: int) -> int:
    """Kills its worker process the first time it runs item 1 (a marker file remembers)."""
    marker = Path(shared) / f"died-{item}"
    if item == 1 and not marker.exists():
        marker.write_text("x")
        os._exit(1)
    return item * 10


def always_die(shared: str, item: int) -> int:
    os._exit(1)


def values(rows: list[Any]) -> list[Any]:
    return [(r.index, r.ok, r.value, r.error.split(" (at ")[0]) for r in rows]


@pytest.fixture(scope="module")
def cluster() -> Any:
    """An existing cluster reached by its address, as an operator's would be. Worker
    processes, not threads: HiGHS shares one thread pool per process, so two solves in
    threads of one process interfere."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c


def test_rows_do_not_depend_on_workers_or_where_the_cluster_is(cluster: Any) -> None:
    reference = run_inline(seeded, range(12), shared=1.0)
    with Executor(1, processes=False) as one:
        a = one.run(seeded, range(12), shared=1.0)
    with Executor(2, processes=False) as two:
        b = two.run(seeded, range(12), shared=1.0)
        assert {r.worker for r in b} <= {"0", "1"}
    with Executor(scheduler=cluster.scheduler_address) as remote:
        c = remote.run(seeded, range(12), shared=1.0)
    assert values(a) == values(b) == values(c) == values(reference)
    # The failing task keeps its row, with its error; the others carry on.
    assert not a[3].ok and a[3].error.startswith("RuntimeError: sample 3 is broken")
    assert "test_execution.py" in a[3].error  # a defect says where
    assert sum(r.ok for r in a) == 11
    assert all(r.worker for r in c)


@pytest.mark.slow  # starts worker processes and kills them (15-45 s on the shared machine)
def test_a_lost_worker_task_is_retried_once_then_reported(tmp_path: Path) -> None:
    with Executor(1, processes=True) as ex:
        rows = ex.run(die_once, range(3), shared=str(tmp_path))
        assert [r.value for r in rows] == [0, 10, 20]
        assert rows[1].attempts == 2  # (tasks queued on the dead worker are retried too)
        assert all(r.ok and r.worker for r in rows)
        lost = ex.run(always_die, [0], shared=str(tmp_path))
    assert not lost[0].ok and lost[0].attempts == 2
    assert lost[0].error.startswith("worker lost twice")


def test_scenario_sweep_is_identical_with_one_two_workers_and_a_scheduler(
    tmp_path: Path, cluster: Any
) -> None:
    problem = make_problem(
        [
            hazard("A", 10, 100, 5, article5=True),
            hazard("B", 8, 100, 5),
            hazard("C", 6, 100, 5, province="South"),
            hazard("D", 20, 150, 5, province="South"),
        ],
        budget=[200, 200, 100],
        deps=[("D", "C")],
    )
    scenarios, _ = parse_scenarios(
        {
            "scenarios": {
                "baseline": {},
                "cut": {"budget": {"multiplier": 0.5}},
                "typo": {"teams": {"dogs": 3}},
            }
        }
    )
    options = RunOptions(gap=0.0, samples=20, seed=4)
    keep = ["scenario", "status", "error", "objective", "cost_usd", "p_deadline_met"]

    def table(**kw: Any) -> pd.DataFrame:
        batch = run_scenarios(problem, scenarios, options=options, **kw)
        assert batch.comparison["worker"].notna().all()
        return batch.comparison[[*keep, "impact_years_p50"]]

    with Executor(1, processes=False) as ex:  # one worker: a thread of this process is safe
        one = table(executor=ex)
    # Two worker processes of a cluster reached by its address.
    with Executor(scheduler=cluster.scheduler_address) as ex:
        two = table(executor=ex)
    pd.testing.assert_frame_equal(one, two)
    assert one.set_index("scenario").loc["typo", "status"] == "invalid"


def test_monte_carlo_is_identical_with_one_and_two_workers(cluster: Any) -> None:
    problem = make_problem(
        [
            hazard("A", 10, 100, 5, article5=True),
            hazard("B", 8, 100, 5),
            hazard("C", 6, 100, 5, province="South"),
            hazard("D", 20, 150, 5, province="South"),
        ],
        budget=[200, 200, 100],
        deps=[("D", "C")],
    )
    nominal = plan(problem, gap=0.0)
    settings = MonteCarloSettings(samples=6, seed=2, productivity_sigma=0.3, cost_sigma=0.3)
    with Executor(1, processes=False) as one:
        a = run_monte_carlo(nominal, settings, executor=one)
    with Executor(scheduler=cluster.scheduler_address) as remote:
        b = run_monte_carlo(nominal, settings, executor=remote)
    c = run_monte_carlo(nominal, settings)  # inline
    cols = ["sample", "ok", "impact_years", "cost_usd", "released_m2", "replans"]
    pd.testing.assert_frame_equal(a.samples[cols], b.samples[cols])
    pd.testing.assert_frame_equal(a.samples[cols], c.samples[cols])
    assert a.summary == b.summary


def test_progress_bar_counts_and_estimates() -> None:
    import io

    stream = io.StringIO()
    bar = ProgressBar("jobs", stream=stream, every=0.0)
    bar.update(1, 2, 0, 4)
    bar.update(4, 0, 1, 4)
    text = stream.getvalue()
    assert "1/4 done, 2 running, 0 failed" in text and "left (estimate)" in text
    assert "4/4 done, 0 running, 1 failed" in text


def test_execution_table_and_flags_choose_where_tasks_run() -> None:
    import argparse

    from prioritise.cli.execution import scheduler_for, workers_for

    problem = make_problem(
        [hazard("A", 10, 100, 5)],
        toml={"execution": {"scheduler": "tcp://10.0.0.5:8786", "workers": 3}},
    )
    none = argparse.Namespace(scheduler=None, workers=None)
    assert scheduler_for(none, problem) == "tcp://10.0.0.5:8786"
    assert workers_for(none, problem) == 3
    given = argparse.Namespace(scheduler="tcp://other:1", workers=1)
    assert scheduler_for(given, problem) == "tcp://other:1"  # the command line wins
    assert workers_for(given, problem) == 1
    plain = make_problem([hazard("A", 10, 100, 5)])
    assert scheduler_for(none, plain) is None
