"""The JSON API (``/api``): the same roles as the pages, bearer tokens instead of cookies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from prioritise.app import auth, services
from prioritise.app.db import Plan, Project, User, audit
from prioritise.app.deps import DB, WS, api_role
from prioritise.app.uploads import UploadError

router = APIRouter(prefix="/api", tags=["api"])
Viewer = Annotated[User, Depends(api_role("viewer"))]
Planner = Annotated[User, Depends(api_role("planner"))]
Admin = Annotated[User, Depends(api_role("admin"))]


class Credentials(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class Token(BaseModel):
    token: str


class PlanOptions(BaseModel):
    time_limit: float | None = Field(default=None, gt=0, le=86400, description="seconds")
    gap: float | None = Field(default=None, ge=0, le=1, description="relative gap, e.g. 0.01")


class DeadlineOptions(BaseModel):
    year: int = Field(ge=1900, le=2200, description="the year every Article 5 hazard is done by")
    time_limit: float | None = Field(default=None, gt=0, le=86400, description="seconds a solve")


class Created(BaseModel):
    id: int


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/health")
def health(db: DB) -> dict[str, Any]:
    """Liveness and database reachability; needs no token."""
    db.execute(select(1))
    return {"status": "ok"}


@router.post("/tokens", response_model=Token, responses={401: {}, 429: {}})
def create_token(body: Credentials, request: Request, db: DB, ws: WS) -> Token:
    cfg = ws.config
    try:
        user = auth.check_login(
            db,
            body.username,
            body.password,
            client_address(request),
            cfg.login_failures,
            cfg.login_window_s,
        )
    except auth.RateLimitedError:
        raise HTTPException(429, "Too many failed logins; wait a few minutes.") from None
    if user is None:
        raise HTTPException(401, "Wrong user name or password.")
    token = auth.new_api_token(db, user)
    audit(db, user, "token.create")
    db.commit()
    return Token(token=token)


@router.post("/projects", status_code=201, responses={413: {}, 422: {}})
def upload_project(
    files: Annotated[
        list[UploadFile], File(description="project TOML and data files, or one .zip")
    ],
    user: Planner,
    db: DB,
    ws: WS,
) -> JSONResponse:
    """Store and validate a project: 201 when valid, 422 with every finding when not (the
    project is kept so it can be fixed)."""
    try:
        project, result = services.create_project(
            ws, db, user, [(f.filename or "upload", f.file) for f in files]
        )
    except UploadError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    body = {"id": project.id, "valid": result.valid, "findings": result.findings}
    return JSONResponse(body, status_code=201 if result.valid else 422)


@router.get("/projects")
def list_projects(user: Viewer, db: DB) -> list[dict[str, Any]]:
    rows = db.scalars(select(Project).where(Project.folder != "").order_by(Project.id))
    return [services.project_state(p) for p in rows]


def _project(db: Any, project_id: int) -> Project:
    project = db.get(Project, project_id)
    if project is None or not project.folder:
        raise HTTPException(404, f"No project {project_id}.")
    return project


def _plan(db: Any, plan_id: int) -> Plan:
    plan = db.get(Plan, plan_id)
    if plan is None:
        raise HTTPException(404, f"No plan {plan_id}.")
    return plan


@router.get("/projects/{project_id}")
def get_project(project_id: int, user: Viewer, db: DB) -> dict[str, Any]:
    project = _project(db, project_id)
    state = services.project_state(project)
    state["plans"] = [p.id for p in services.project_plans(db, project_id)]
    return state


@router.post("/projects/{project_id}/plans", status_code=202, response_model=Created)
def start_plan(
    project_id: int, user: Planner, db: DB, ws: WS, options: PlanOptions | None = None
) -> Created:
    project = _project(db, project_id)
    _valid(project)
    opts = (options or PlanOptions()).model_dump(exclude_none=True)
    plan = services.start_plan(ws, db, user, project, opts)
    return Created(id=plan.id)


def _valid(project: Project) -> None:
    if not project.valid:
        raise HTTPException(
            422, {"message": "The project is not valid.", "findings": project.finding_list}
        )


@router.post("/projects/{project_id}/deadline", status_code=202, response_model=Created)
def start_deadline(
    project_id: int, body: DeadlineOptions, user: Planner, db: DB, ws: WS
) -> Created:
    """What meeting an Article 5 deadline would take (more budget, teams, or both); the
    answer is in the job's summary and files (``GET /api/plans/{id}``)."""
    project = _project(db, project_id)
    _valid(project)
    start = min(project.fact_dict.get("years", [body.year]))
    if body.year < start:
        raise HTTPException(422, f"The year {body.year} is before the plan starts ({start}).")
    job = services.start_plan(
        ws, db, user, project, body.model_dump(exclude_none=True), kind="deadline"
    )
    return Created(id=job.id)


@router.post("/projects/{project_id}/scenarios", status_code=202, response_model=Created)
def start_scenarios(
    project_id: int, user: Planner, db: DB, ws: WS, options: PlanOptions | None = None
) -> Created:
    """Plan every scenario of the project's scenarios.toml and compare them side by side."""
    project = _project(db, project_id)
    _valid(project)
    if not project.fact_dict.get("scenarios"):
        raise HTTPException(422, "The project has no scenarios.toml beside its project TOML.")
    opts = (options or PlanOptions()).model_dump(exclude_none=True)
    job = services.start_plan(ws, db, user, project, opts, kind="scenarios")
    return Created(id=job.id)


@router.get("/plans/{plan_id}")
def get_plan(plan_id: int, user: Viewer, db: DB, ws: WS) -> dict[str, Any]:
    plan = _plan(db, plan_id)
    state = services.plan_state(plan)
    state["files"] = services.plan_files(ws.config, plan)
    return state


@router.post("/plans/{plan_id}/approve")
def approve(plan_id: int, user: Admin, db: DB) -> dict[str, Any]:
    plan = _plan(db, plan_id)
    if plan.status != "done" or plan.kind != "plan":
        raise HTTPException(409, "Only a finished plan can be approved.")
    services.approve_plan(db, user, plan)
    return services.plan_state(plan)


@router.get("/plans/{plan_id}/files/{name}")
def get_file(plan_id: int, name: str, user: Viewer, db: DB, ws: WS) -> FileResponse:
    plan = _plan(db, plan_id)
    path = services.plan_file(ws.config, plan, name)
    if path is None:
        raise HTTPException(404, f"Plan {plan_id} has no file {name!r}.")
    return FileResponse(path, filename=name)
