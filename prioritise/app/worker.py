"""What a worker process runs for one plan: the CLI's own steps, with progress persisted.

Runs outside the web server (a local process or a Dask worker): it opens its own database
engine, marks the plan running, reports phase and solver progress at most twice a second,
and ends it done or failed. It never overwrites a plan the server has since marked
interrupted.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from pathlib import Path
from typing import Any

from sqlalchemy import update

from prioritise.analyses.deadline import analyse_deadline
from prioritise.analyses.report_data import prepare_report
from prioritise.app.db import Plan, make_engine, session_factory, utcnow
from prioritise.core.errors import InfeasibleError, ProjectError, SolverUnavailableError
from prioritise.core.problem import Problem
from prioritise.execution.batch import RunOptions, run_scenarios, write_comparison
from prioritise.execution.engine import Executor
from prioritise.inputs.loader import load_problem
from prioritise.inputs.scenarios import load_scenarios
from prioritise.outputs.deadline import render_answer, write_answer
from prioritise.outputs.files import write_atomic, write_json
from prioritise.outputs.plan import write_plan_outputs
from prioritise.outputs.report.maps import plan_map
from prioritise.planning.planner import plan
from prioritise.planning.record import hashed_inputs, versions

PROGRESS_EVERY_S = 0.5


class Recorder:
    """Writes one plan's state; every write is one short transaction."""

    def __init__(self, db_url: str, plan_id: int):
        self.engine = make_engine(db_url)
        self.sessions = session_factory(self.engine)
        self.plan_id = plan_id
        self.started = time.perf_counter()
        self.last = -1.0
        self.parent = os.getppid()
        self.state: dict[str, Any] = {}

    def _update(self, only_running: bool = True, **values: Any) -> bool:
        stmt = update(Plan).where(Plan.id == self.plan_id)
        if only_running:
            stmt = stmt.where(Plan.status == "running")
        with self.sessions.begin() as db:
            return bool(db.execute(stmt.values(**values)).rowcount)

    def start(self) -> bool:
        """Queued -> running; False when the plan is no longer queued (interrupted)."""
        stmt = (
            update(Plan)
            .where(Plan.id == self.plan_id, Plan.status == "queued")
            .values(status="running", phase="loading the project", started_at=utcnow())
        )
        with self.sessions.begin() as db:
            return bool(db.execute(stmt).rowcount)

    def phase(self, text: str) -> None:
        self.state["elapsed"] = round(time.perf_counter() - self.started, 1)
        self._update(phase=text, progress=json.dumps(self.state))

    def progress(
        self, solver_s: float, best: float | None, bound: float | None, gap: float | None
    ) -> None:
        """The solver's callback: persisted at most every PROGRESS_EVERY_S seconds."""
        if os.getppid() != self.parent:  # the server is gone: stop, it will say interrupted
            os._exit(3)
        now = time.perf_counter()
        if now - self.last < PROGRESS_EVERY_S:
            return
        self.last = now
        self.state.update(
            elapsed=round(now - self.started, 1),
            solver_s=round(solver_s, 1),
            best=best,
            bound=bound,
            gap=gap,
        )
        self._update(progress=json.dumps(self.state))

    def finish(self, status: str, phase: str, **values: Any) -> None:
        self.state["elapsed"] = round(time.perf_counter() - self.started, 1)
        self._update(
            status=status,
            phase=phase,
            progress=json.dumps(self.state),
            finished_at=utcnow(),
            **values,
        )
        self.engine.dispose()


def _headline(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without its bulky per-hazard parts (those stay in summary.json)."""
    return {k: v for k, v in summary.items() if not isinstance(v, list) or len(v) <= 50}


def write_record(
    problem: Problem, project_file: Path, out_dir: Path, options: dict[str, Any]
) -> None:
    """What reproduces this run: the project TOML as used, a SHA-256 of every input file,
    the options and the versions (the library's record, as summary.json carries it)."""
    record = {
        "project_toml": project_file.read_text(encoding="utf-8"),
        "inputs_sha256": {
            i["path"]: i["sha256"] for i in hashed_inputs(problem.settings, project_file)
        },
        "options": options,
        "versions": versions(),
    }
    write_json(out_dir / "record.json", record)


def _plan_steps(rec: Recorder, project_file: Path, out_dir: Path, options: dict[str, Any]) -> None:
    problem = load_problem(project_file)
    write_record(problem, project_file, out_dir, options)
    rec.phase(f"solving ({len(problem.hazards)} hazards, {len(problem.years)} years)")
    result = plan(
        problem,
        time_limit=options.get("time_limit"),
        gap=options.get("gap"),
        threads=1,
        progress=rec.progress,
    )
    rec.phase("explaining the plan and writing the outputs")
    report = prepare_report(result)
    write_plan_outputs(result, report, out_dir)
    drawn = plan_map(problem, result.workplan)
    if drawn is not None:
        write_json(
            out_dir / "map.json",
            {"svg": drawn.svg, "legend": drawn.legend, "css": drawn.css, "missing": drawn.missing},
        )
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    rec.finish("done", "done", summary=json.dumps(_headline(summary), default=str))


def _deadline_steps(
    rec: Recorder, project_file: Path, out_dir: Path, options: dict[str, Any]
) -> None:
    """What meeting ``options["year"]`` would take (the project's own deadline ignored)."""
    year = int(options["year"])
    problem = load_problem(project_file, ignore_deadline=True)
    rec.phase(f"analysing the deadline {year} ({len(problem.hazards)} hazards)")
    answer = analyse_deadline(
        problem, year, time_limit=float(options.get("time_limit", 60.0)), plan_tables=True
    )
    text = render_answer(answer)
    write_answer(answer, out_dir)
    write_atomic(out_dir / "answer.txt", lambda p: p.write_text(text, encoding="utf-8"))
    rec.finish("done", "done", summary=json.dumps({"year": year, "answer": text}))


class _ScenarioProgress:
    """The execution layer's progress sink: counts written as the job's phase."""

    def __init__(self, rec: Recorder):
        self.rec = rec

    def update(self, done: int, running: int, failed: int, total: int) -> None:
        extra = f", {failed} without a plan" if failed else ""
        self.rec.phase(f"{done} of {total} scenario(s) planned{extra}")

    def close(self) -> None:
        pass


def _scenario_steps(
    rec: Recorder, project_file: Path, out_dir: Path, options: dict[str, Any]
) -> None:
    """Every scenario of the project's scenarios.toml, one after another on the execution
    layer's in-process worker (this already is a worker process: no cluster of its own)."""
    problem = load_problem(project_file)
    scenarios = load_scenarios(project_file.parent / "scenarios.toml")
    rec.phase(f"planning {len(scenarios)} scenario(s)")
    run = RunOptions(time_limit=options.get("time_limit"), gap=options.get("gap"), threads=1)
    with Executor(workers=1, processes=False) as executor:
        batch = run_scenarios(
            problem,
            scenarios,
            options=run,
            out_dir=out_dir,
            progress=_ScenarioProgress(rec),
            executor=executor,
        )
    write_comparison(batch, out_dir)
    rows = json.loads(batch.comparison.to_json(orient="records"))
    rec.finish("done", "done", summary=json.dumps({"scenarios": len(scenarios), "rows": rows}))


STEPS = {"plan": _plan_steps, "deadline": _deadline_steps, "scenarios": _scenario_steps}


def lower_priority() -> None:
    """Solvers yield the CPU to the web server: pages stay quick while plans run."""
    if hasattr(os, "nice"):
        os.nice(10)


def warm_up() -> None:
    """Nothing: importing this module in a new worker process is the work (see jobs.py)."""


def run_job(
    db_url: str, plan_id: int, kind: str, project_file: str, out_dir: str, options: dict[str, Any]
) -> None:
    """Run one job (a plan, a deadline analysis or the scenarios) of a stored project into
    ``out_dir`` and record the outcome in the database."""
    rec = Recorder(db_url, plan_id)
    if not rec.start():
        rec.engine.dispose()
        return
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        STEPS[kind](rec, Path(project_file), Path(out_dir), options)
    except ProjectError as exc:
        rec.finish("failed", "the project is not valid", error=exc.report.render())
    except InfeasibleError as exc:
        rec.finish("failed", "no feasible plan", error=f"No feasible plan: {exc}")
    except SolverUnavailableError as exc:
        rec.finish("failed", "solver unavailable", error=str(exc))
    except Exception as exc:  # a defect: the user sees one line, the log keeps the traceback
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "error.log").write_text(traceback.format_exc(), encoding="utf-8")
        rec.finish(
            "failed",
            "internal error",
            error=f"Internal error: {type(exc).__name__}: {exc}. "
            "This is a bug in prioritise; error.log in the plan's folder has the details.",
        )
