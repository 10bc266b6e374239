"""The operations pages and API share: store a project, validate it, start and approve
plans, find a plan's files. Each change is committed with its audit entry."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select

from prioritise.app import projects, starter
from prioritise.app.config import AppConfig
from prioritise.app.db import Plan, Project, User, audit, utcnow
from prioritise.app.jobs import JobRunner
from prioritise.app.uploads import UploadError, ZipLimits, single_top_folder, store_files
from prioritise.app.worker import run_job

# Files a plan run writes that can be downloaded, in the order pages list them.
PLAN_FILES = (
    "report.html",
    "workplan.xlsx",
    "workplan.csv",
    "summary.json",
    "explanations.csv",
    "plan.gpkg",
    "plan.geojson",
    "record.json",
    "answer.txt",
    "deadline.json",
    "extension_request.xlsx",
    "comparison.html",
    "comparison.xlsx",
    "comparison.csv",
)


@dataclass
class Workspace:
    """What every request needs: settings, database sessions and the job runner."""

    config: AppConfig
    sessions: Any
    runner: JobRunner


def project_path(cfg: AppConfig, project: Project) -> Path:
    return cfg.workspace / project.folder / project.project_file


def plan_dir(cfg: AppConfig, plan: Plan) -> Path:
    return cfg.plans_dir / str(plan.id)


def revalidate(cfg: AppConfig, project: Project) -> projects.Validation:
    path = project_path(cfg, project)
    result = projects.validate(path)
    # Read the export's column names once here, not on every view of the project page.
    result.facts["source_columns"] = projects.hazard_columns(path)
    result.facts["scenarios"] = (path.parent / "scenarios.toml").is_file()
    project.valid = result.valid
    project.findings = json.dumps(result.findings)
    project.facts = json.dumps(result.facts)
    project.updated_at = utcnow()
    return result


def create_project(
    ws: Workspace, db: Any, user: User, files: list[tuple[str, BinaryIO]]
) -> tuple[Project, projects.Validation]:
    """Store uploaded files as a new project and validate it; nothing is kept on failure."""
    cfg = ws.config
    row = Project(name="(uploading)", owner_id=user.id, folder="", project_file="")
    db.add(row)
    db.flush()
    root = cfg.projects_dir / str(row.id)
    if root.exists():  # a leftover from an upload that failed after its id was used
        shutil.rmtree(root)
    limits = ZipLimits(cfg.max_unzipped_bytes, cfg.max_zip_entries, cfg.max_zip_ratio)
    try:
        store_files(root, files, cfg.max_upload_bytes, limits)
        base = single_top_folder(root)
        toml = projects.find_project_file(base, starter.write_starter)
    except UploadError:
        db.rollback()
        shutil.rmtree(root, ignore_errors=True)
        raise
    row.folder = str(toml.parent.relative_to(cfg.workspace))
    row.project_file = toml.name
    row.name = projects.project_title(toml, toml.parent.name)
    result = revalidate(cfg, row)
    audit(db, user, "project.upload", f"project {row.id}", f"{row.name}; valid={result.valid}")
    db.commit()
    return row, result


def start_plan(
    ws: Workspace,
    db: Any,
    user: User,
    project: Project,
    options: dict[str, Any],
    rerun_of: int | None = None,
    kind: str = "plan",
) -> Plan:
    """Queue a job of ``kind`` (plan, deadline, scenarios) and hand it to the runner."""
    row = Plan(
        kind=kind,
        project_id=project.id,
        user_id=user.id,
        status="queued",
        phase="waiting for a worker",
        options=json.dumps(options),
        rerun_of=rerun_of,
    )
    db.add(row)
    db.flush()
    audit(db, user, f"{kind}.start", f"job {row.id}", f"project {project.id}; options {options}")
    db.commit()
    ws.runner.submit(
        run_job,
        ws.config.db_url,
        row.id,
        kind,
        str(project_path(ws.config, project)),
        str(plan_dir(ws.config, row)),
        options,
    )
    return row


def approve_plan(db: Any, user: User, plan: Plan) -> None:
    """Freeze a finished plan: its files stay as they are, with who approved it and when."""
    plan.approved_by = user.name
    plan.approved_at = utcnow()
    audit(db, user, "plan.approve", f"plan {plan.id}", f"project {plan.project_id}")
    db.commit()


def plan_files(cfg: AppConfig, plan: Plan) -> list[str]:
    folder = plan_dir(cfg, plan)
    return [name for name in PLAN_FILES if (folder / name).is_file()]


def plan_file(cfg: AppConfig, plan: Plan, name: str) -> Path | None:
    """A downloadable output by its exact name, or None (names are never paths)."""
    if name not in PLAN_FILES:
        return None
    path = plan_dir(cfg, plan) / name
    return path if path.is_file() else None


def project_plans(db: Any, project_id: int) -> list[Plan]:
    return list(
        db.scalars(select(Plan).where(Plan.project_id == project_id).order_by(Plan.id.desc()))
    )


def plan_state(plan: Plan) -> dict[str, Any]:
    """The API's view of one plan."""
    return {
        "id": plan.id,
        "kind": plan.kind,
        "project_id": plan.project_id,
        "status": plan.status,
        "phase": plan.phase,
        "progress": plan.loads("progress"),
        "summary": plan.loads("summary") if plan.status == "done" else None,
        "error": plan.error or None,
        "options": plan.loads("options"),
        "created_at": plan.created_at.isoformat() + "Z",
        "finished_at": plan.finished_at.isoformat() + "Z" if plan.finished_at else None,
        "approved_by": plan.approved_by,
        "rerun_of": plan.rerun_of,
    }


def project_state(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "valid": project.valid,
        "findings": project.finding_list,
        "facts": project.fact_dict,
        "created_at": project.created_at.isoformat() + "Z",
    }
