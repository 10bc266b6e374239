"""Persistence and job runners: the schema upgrades an older workspace in place, the Dask
runner (``--scheduler``) runs the same jobs, and interrupted jobs are marked at start-up."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from prioritise.app.config import AppConfig
from prioritise.app.db import MIGRATIONS, Plan, make_engine, migrate, session_factory
from prioritise.app.jobs import mark_interrupted
from prioritise.app.worker import run_job
from tests.app.conftest import SAMPLES


def test_upgrade_from_the_first_schema_keeps_plans(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO users VALUES (1, 'a', 'admin', 'x', 1, '2026-01-01')"))
        conn.execute(
            text(
                "INSERT INTO projects VALUES (1, 'p', 1, 'projects/1', 'project.toml', 1, '[]', "
                "'{}', '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO plans (id, project_id, user_id, status, phase, progress, summary, "
                "options, error, created_at) VALUES (1, 1, 1, 'running', 'solving', '{}', '{}', "
                "'{}', '', '2026-01-01')"
            )
        )
    migrate(engine)
    with session_factory(engine)() as db:
        plan = db.get(Plan, 1)
        assert plan is not None and plan.kind == "plan"
        assert mark_interrupted(db) == 1
        db.refresh(plan)
        assert plan.status == "interrupted" and plan.finished_at is not None
    engine.dispose()


@pytest.mark.slow
def test_dask_runner_runs_a_plan(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from prioritise.app.jobs import DaskRunner

    cfg = AppConfig(workspace=tmp_path)
    engine = make_engine(cfg.db_url)
    migrate(engine)
    with session_factory(engine)() as db:
        db.execute(text("INSERT INTO users VALUES (1, 'a', 'admin', 'x', 1, '2026-01-01')"))
        db.execute(
            text(
                "INSERT INTO projects VALUES (1, 'p', 1, 'x', 'project.toml', 1, '[]', '{}', "
                "'2026-01-01', '2026-01-01')"
            )
        )
        db.add(Plan(id=1, project_id=1, user_id=1, options="{}"))
        db.commit()
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False) as cluster:
        runner = DaskRunner(cluster.scheduler_address)
        runner.start()
        runner.submit(
            run_job,
            cfg.db_url,
            1,
            "plan",
            str(SAMPLES / "minimal" / "project.toml"),
            str(tmp_path / "plans" / "1"),
            {"time_limit": 20},
        )
        end = time.monotonic() + 120
        status = "queued"
        while time.monotonic() < end and status in ("queued", "running"):
            time.sleep(0.5)
            with session_factory(engine)() as db:
                plan = db.get(Plan, 1)
                assert plan is not None
                status = plan.status
        runner.shutdown()
    assert status == "done"
    assert (
        json.loads((tmp_path / "plans" / "1" / "summary.json").read_text())["hazards"]["total"]
        == 30
    )
    engine.dispose()
