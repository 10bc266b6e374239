"""Server-rendered pages (Jinja2, autoescaped) with HTMX for progress and explanations.

Every POST needs the session's CSRF token and the right role; the same operations as the
API (:mod:`.services`) do the work.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from prioritise.app import (
    auth,
    budget_form,
    criteria_form,
    methods_form,
    present,
    preview,
    projects,
    scenario_form,
    services,
    settings_form,
)
from prioritise.app.db import ROLES, AuditEntry, Plan, Project, User, WebSession, audit
from prioritise.app.deps import (
    DB,
    SESSION_COOKIE,
    WS,
    BadInputError,
    NotFoundError,
    Viewer,
    page_action,
    page_role,
    page_viewer,
)
from prioritise.app.settings_form import FormError
from prioritise.app.uploads import UploadError
from prioritise.core.settings import NORMALISATIONS

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
TEMPLATES.env.filters["num"] = present.number
TEMPLATES.env.globals["options_text"] = present.options_text
LOGIN_COOKIE = "prioritise_login"
router = APIRouter(include_in_schema=False)

Reader = Annotated[Viewer, Depends(page_viewer)]
AdminPage = Annotated[Viewer, Depends(page_role("admin"))]
PlannerAction = Annotated[Viewer, Depends(page_action("planner"))]
AdminAction = Annotated[Viewer, Depends(page_action("admin"))]
AnyAction = Annotated[Viewer, Depends(page_action("viewer"))]


def render(
    request: Request, name: str, viewer: Viewer | None, status: int = 200, **context: Any
) -> HTMLResponse:
    context.update(viewer=viewer, csrf=viewer.session.csrf if viewer else "")
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    return TEMPLATES.TemplateResponse(
        request,
        "error.html",
        {"title": title, "message": message, "viewer": None, "csrf": ""},
        status_code=status,
    )


def _set_cookie(request: Request, response: Response, key: str, value: str, max_age: int) -> None:
    cfg = request.app.state.workspace.config
    response.set_cookie(
        key,
        value,
        max_age=max_age,
        httponly=True,
        secure=cfg.secure_cookies,
        samesite="lax",
        path="/",
    )


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# --- signing in and out -------------------------------------------------------------------


def _saved(
    ws: Any,
    db: Any,
    viewer: Viewer,
    project: Project,
    action: str,
    what: object,
    anchor: str,
) -> Response:
    """After a project edit: re-validate, record who changed what, back to the section."""
    result = services.revalidate(ws.config, project)
    audit(db, viewer.user, action, f"project {project.id}", f"{what}; valid={result.valid}")
    db.commit()
    return RedirectResponse(f"/projects/{project.id}#{anchor}", status_code=303)


def _refused(
    request: Request,
    ws: Any,
    db: Any,
    viewer: Viewer,
    project: Project,
    **extra: Any,
) -> Response:
    """A refused edit: the project page again (422) with the form's values and findings."""
    context = _project_context(ws, db, project)
    context.update(extra)
    return render(request, "project.html", viewer, status=422, **context)


@router.get("/login")
def login_form(request: Request, error: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, login_csrf=token, error=error)
    _set_cookie(request, response, LOGIN_COOKIE, token, 3600)
    return response


@router.post("/login")
def login(
    request: Request,
    db: DB,
    ws: WS,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return error_page(
            request, 403, "Not allowed", "The login form expired: reload the page and try again."
        )
    cfg = ws.config
    try:
        user = auth.check_login(
            db, username, password, _address(request), cfg.login_failures, cfg.login_window_s
        )
    except auth.RateLimitedError:
        return render(
            request,
            "login.html",
            None,
            status=429,
            login_csrf=expected,
            error="Too many failed logins. Wait a few minutes and try again.",
        )
    if user is None:
        return render(
            request,
            "login.html",
            None,
            status=401,
            login_csrf=expected,
            error="Wrong user name or password.",
        )
    token, _row = auth.new_session(db, user, cfg.session_hours)
    audit(db, user, "login")
    db.commit()
    response = RedirectResponse("/", status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, token, int(cfg.session_hours * 3600))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(viewer: AnyAction, db: DB) -> Response:
    row = db.get(WebSession, viewer.session.id)
    if row is not None:
        db.delete(row)
    audit(db, viewer.user, "logout")
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- projects ----------------------------------------------------------------------------


@router.get("/")
def home(request: Request, viewer: Reader, db: DB) -> Response:
    rows = list(db.scalars(select(Project).where(Project.folder != "").order_by(Project.id.desc())))
    return render(request, "projects.html", viewer, projects=rows)


@router.post("/projects")
def upload(
    request: Request,
    viewer: PlannerAction,
    db: DB,
    ws: WS,
    files: Annotated[list[UploadFile], File()],
) -> Response:
    try:
        project, _ = services.create_project(
            ws, db, viewer.user, [(f.filename or "upload", f.file) for f in files]
        )
    except UploadError as exc:
        return error_page(request, exc.status, "Upload refused", str(exc))
    return RedirectResponse(f"/projects/{project.id}", status_code=303)


def _project(db: Any, project_id: int) -> Project:
    project = db.get(Project, project_id)
    if project is None or not project.folder:
        raise NotFoundError(f"There is no project {project_id}.")
    return project


def _project_context(ws: Any, db: Any, project: Project) -> dict[str, Any]:
    path = services.project_path(ws.config, project)
    mapping = projects.current_mapping(path)
    source = list(project.fact_dict.get("source_columns", []))
    columns = [(c, mapping.get(c, "")) for c in source] + [
        (c, t) for c, t in mapping.items() if c not in source
    ]
    methods, default_methods = methods_form.rows(path)
    return {
        "project": project,
        "findings": project.finding_list,
        "errors": [f for f in project.finding_list if f["severity"] == "error"],
        "facts": project.fact_dict,
        "columns": columns,
        "source_columns": set(source),
        "schema": projects.schema_columns(),
        "criteria": projects.criteria(path),
        "plans": services.project_plans(db, project.id),
        "fields": settings_form.FIELDS,
        "settings": settings_form.current(path),
        "settings_findings": [],
        "scenarios": scenario_form.listing(path),
        "team_types": scenario_form.team_types(path),
        "plain_fields": scenario_form.PLAIN,
        "shapes": scenario_form.SHAPES,
        "scenario_values": {},
        "scenario_findings": [],
        "kinds": criteria_form.KINDS,
        "normalisations": NORMALISATIONS,
        "criterion_values": {},
        "criterion_findings": [],
        "methods": methods,
        "default_methods": default_methods,
        "method_findings": [],
        "budget_rows": budget_form.rows(path),
        "budget_findings": [],
    }


@router.get("/projects/{project_id}")
def project_page(request: Request, project_id: int, viewer: Reader, db: DB, ws: WS) -> Response:
    project = db.get(Project, project_id)
    if project is None or not project.folder:
        return error_page(request, 404, "Not found", f"There is no project {project_id}.")
    return render(request, "project.html", viewer, **_project_context(ws, db, project))


async def form_text(request: Request) -> dict[str, str]:
    """Every text field of a posted form (the handler itself stays synchronous, in the
    thread pool, since it reads and validates files)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormText = Annotated[dict[str, str], Depends(form_text)]


@router.post("/projects/{project_id}/settings")
def save_settings(
    request: Request, project_id: int, viewer: PlannerAction, db: DB, ws: WS, form: FormText
) -> Response:
    """The plan-settings form; refused values re-show the form with every finding (422)."""
    project = _project(db, project_id)
    values = {f.name: form.get(f.name, "")[:100] for f in settings_form.FIELDS}
    path = services.project_path(ws.config, project)
    try:
        changed = settings_form.apply(path, values)
    except FormError as exc:
        return _refused(
            request, ws, db, viewer, project, settings=values, settings_findings=exc.findings
        )
    return _saved(ws, db, viewer, project, "project.settings", changed, "settings")


@router.post("/projects/{project_id}/scenario")
def save_scenario(
    request: Request, project_id: int, viewer: PlannerAction, db: DB, ws: WS, form: FormText
) -> Response:
    """Add or replace one scenario of scenarios.toml; refused ones re-show the form (422)."""
    project = _project(db, project_id)
    values = {k: v[:500] for k, v in form.items() if k != "csrf_token"}
    path = services.project_path(ws.config, project)
    try:
        name, table = scenario_form.save(path, values)
    except FormError as exc:
        return _refused(
            request, ws, db, viewer, project, scenario_values=values, scenario_findings=exc.findings
        )
    services.revalidate(ws.config, project)
    audit(db, viewer.user, "project.scenario", f"project {project.id}", f"{name}: {table}")
    db.commit()
    return RedirectResponse(f"/projects/{project.id}#scenarios", status_code=303)


@router.post("/projects/{project_id}/scenario/{name}/delete")
def delete_scenario(
    request: Request, project_id: int, name: str, viewer: PlannerAction, db: DB, ws: WS
) -> Response:
    project = _project(db, project_id)
    path = services.project_path(ws.config, project)
    try:
        removed = scenario_form.remove(path, name)
    except FormError as exc:
        return _refused(request, ws, db, viewer, project, scenario_findings=exc.findings)
    if not removed:
        raise NotFoundError(f"Project {project_id} has no scenario {name!r}.")
    services.revalidate(ws.config, project)
    audit(db, viewer.user, "project.scenario.delete", f"project {project.id}", name)
    db.commit()
    return RedirectResponse(f"/projects/{project.id}#scenarios", status_code=303)


@router.get("/projects/{project_id}/scenarios.toml")
def download_scenarios(project_id: int, viewer: Reader, db: DB, ws: WS) -> Response:
    project = _project(db, project_id)
    path = scenario_form.scenarios_path(services.project_path(ws.config, project))
    if not path.is_file():
        raise NotFoundError(f"Project {project_id} has no scenarios.toml yet.")
    return FileResponse(path, filename="scenarios.toml", media_type="application/toml")


@router.post("/projects/{project_id}/columns")
def save_columns(
    project_id: int,
    viewer: PlannerAction,
    db: DB,
    ws: WS,
    src: Annotated[list[str], Form()],
    dst: Annotated[list[str], Form()],
) -> Response:
    project = _project(db, project_id)
    if len(src) != len(dst):
        raise BadInputError("The column form was incomplete: reload the page and try again.")
    changed = projects.set_mapping(
        services.project_path(ws.config, project), dict(zip(src, dst, strict=True))
    )
    return _saved(ws, db, viewer, project, "project.columns", changed, "validation")


@router.post("/projects/{project_id}/weights")
def save_weights(
    project_id: int, viewer: PlannerAction, db: DB, ws: WS, weight: Annotated[list[float], Form()]
) -> Response:
    project = _project(db, project_id)
    if any(w < 0 for w in weight):
        raise BadInputError("Weights cannot be negative.")
    changed = projects.set_weights(
        services.project_path(ws.config, project), dict(enumerate(weight))
    )
    return _saved(ws, db, viewer, project, "project.weights", changed, "weights")


@router.post("/projects/{project_id}/criteria")
def add_criterion(
    request: Request, project_id: int, viewer: PlannerAction, db: DB, ws: WS, form: FormText
) -> Response:
    """Add one scoring criterion; refused ones re-show the form with the finding (422)."""
    project = _project(db, project_id)
    values = {k: v[:500] for k, v in form.items() if k != "csrf_token"}
    path = services.project_path(ws.config, project)
    try:
        table = criteria_form.add(path, values)
    except FormError as exc:
        return _refused(
            request,
            ws,
            db,
            viewer,
            project,
            criterion_values=values,
            criterion_findings=exc.findings,
        )
    return _saved(ws, db, viewer, project, "project.criterion.add", table, "weights")


@router.post("/projects/{project_id}/criteria/{index}/delete")
def delete_criterion(
    request: Request, project_id: int, index: int, viewer: PlannerAction, db: DB, ws: WS
) -> Response:
    project = _project(db, project_id)
    path = services.project_path(ws.config, project)
    try:
        name = criteria_form.remove(path, index)
    except FormError as exc:
        return _refused(request, ws, db, viewer, project, criterion_findings=exc.findings)
    if name is None:
        raise NotFoundError(f"Project {project_id} has no criterion {index + 1}.")
    return _saved(ws, db, viewer, project, "project.criterion.delete", name, "weights")


@router.post("/projects/{project_id}/methods")
def save_methods(
    request: Request, project_id: int, viewer: PlannerAction, db: DB, ws: WS, form: FormText
) -> Response:
    """Replace the project's [methods]; refused values re-show the form (422)."""
    project = _project(db, project_id)
    values = {k: v[:500] for k, v in form.items() if k != "csrf_token"}
    path = services.project_path(ws.config, project)
    try:
        names = methods_form.save(path, values)
    except FormError as exc:
        return _refused(request, ws, db, viewer, project, method_findings=exc.findings)
    result = services.revalidate(ws.config, project)
    audit(
        db,
        viewer.user,
        "project.methods",
        f"project {project.id}",
        f"{', '.join(names)}; valid={result.valid}",
    )
    db.commit()
    return RedirectResponse(f"/projects/{project.id}#methods", status_code=303)


@router.post("/projects/{project_id}/budget")
def save_budget(
    request: Request, project_id: int, viewer: PlannerAction, db: DB, ws: WS, form: FormText
) -> Response:
    """Each plan year's budget into the budget table; refused amounts re-show the form."""
    project = _project(db, project_id)
    path = services.project_path(ws.config, project)
    try:
        changed = budget_form.save(path, form)
    except FormError as exc:
        return _refused(request, ws, db, viewer, project, budget_findings=exc.findings)
    return _saved(ws, db, viewer, project, "project.budget", changed, "budget")


@router.post("/projects/{project_id}/weights/preview")
def preview_weights(
    request: Request,
    project_id: int,
    viewer: AnyAction,
    db: DB,
    ws: WS,
    weight: Annotated[list[str], Form()],
) -> Response:
    """The score map under the weights in the form, re-scored by the library; nothing is
    saved (so any signed-in user may ask, with the page's CSRF token)."""
    project = _project(db, project_id)
    path = services.project_path(ws.config, project)
    try:
        weights = [float(w) for w in weight[:1000]]
    except ValueError:
        weights = []
    result = preview.preview(path, weights) if weights else None
    return render(
        request,
        "_score_map.html",
        viewer,
        preview=result,
        message="" if result else "Give every weight as a number.",
    )


@router.get("/projects/{project_id}/project.toml")
def download_toml(project_id: int, viewer: Reader, db: DB, ws: WS) -> Response:
    project = _project(db, project_id)
    return FileResponse(
        services.project_path(ws.config, project),
        filename="project.toml",
        media_type="application/toml",
    )


def _options(time_limit: str, gap: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, text, hi in (("time_limit", time_limit, 86400.0), ("gap", gap, 1.0)):
        if text.strip():
            try:
                value = float(text)
            except ValueError:
                raise BadInputError(f"{key.replace('_', ' ')} must be a number.") from None
            if not 0 < value <= hi and not (key == "gap" and value == 0):
                raise BadInputError(f"{key.replace('_', ' ')} must be between 0 and {hi:g}.")
            out[key] = value
    return out


@router.post("/projects/{project_id}/plans")
def run_plan(
    project_id: int,
    viewer: PlannerAction,
    db: DB,
    ws: WS,
    time_limit: Annotated[str, Form()] = "",
    gap: Annotated[str, Form()] = "",
) -> Response:
    project = _project(db, project_id)
    if not project.valid:
        raise BadInputError("The project is not valid: fix the errors listed on its page first.")
    plan = services.start_plan(ws, db, viewer.user, project, _options(time_limit, gap))
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


@router.post("/projects/{project_id}/deadline")
def run_deadline(
    project_id: int,
    viewer: PlannerAction,
    db: DB,
    ws: WS,
    year: Annotated[int, Form(ge=1900, le=2200)],
    time_limit: Annotated[str, Form()] = "",
) -> Response:
    project = _project(db, project_id)
    if not project.valid:
        raise BadInputError("The project is not valid: fix the errors listed on its page first.")
    options: dict[str, Any] = {"year": year, **_options(time_limit, "")}
    job = services.start_plan(ws, db, viewer.user, project, options, kind="deadline")
    return RedirectResponse(f"/plans/{job.id}", status_code=303)


@router.post("/projects/{project_id}/scenarios")
def run_scenarios(
    project_id: int,
    viewer: PlannerAction,
    db: DB,
    ws: WS,
    time_limit: Annotated[str, Form()] = "",
) -> Response:
    project = _project(db, project_id)
    if not project.valid or not project.fact_dict.get("scenarios"):
        raise BadInputError("The project needs to be valid and have a scenarios.toml.")
    job = services.start_plan(
        ws, db, viewer.user, project, _options(time_limit, ""), kind="scenarios"
    )
    return RedirectResponse(f"/plans/{job.id}", status_code=303)


# --- plans -------------------------------------------------------------------------------


def _plan(db: Any, plan_id: int) -> Plan:
    plan = db.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(f"There is no plan {plan_id}.")
    return plan


def _map(ws: Any, plan: Plan) -> dict[str, Any] | None:
    path = services.plan_dir(ws.config, plan) / "map.json"
    if plan.status != "done" or not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@router.get("/plans/{plan_id}")
def plan_page(request: Request, plan_id: int, viewer: Reader, db: DB, ws: WS) -> Response:
    plan = db.get(Plan, plan_id)
    if plan is None:
        return error_page(request, 404, "Not found", f"There is no plan {plan_id}.")
    project = db.get(Project, plan.project_id)
    summary = plan.loads("summary")
    done_plan = plan.status == "done" and plan.kind == "plan"
    return render(
        request,
        "plan.html",
        viewer,
        plan=plan,
        project=project,
        progress=present.progress_rows(plan.loads("progress")),
        headline=present.headline(summary) if done_plan else [],
        per_year=present.per_year(summary) if done_plan else [],
        summary=summary,
        comparison=present.comparison(summary) if plan.kind == "scenarios" else None,
        files=services.plan_files(ws.config, plan),
        map=_map(ws, plan),
    )


@router.get("/plans/{plan_id}/progress")
def plan_progress(
    request: Request, plan_id: int, viewer: Reader, db: DB, since: str = ""
) -> Response:
    plan = _plan(db, plan_id)
    response = render(
        request,
        "_progress.html",
        viewer,
        plan=plan,
        progress=present.progress_rows(plan.loads("progress")),
    )
    if since and since != plan.status and plan.status not in ("queued", "running"):
        response.headers["HX-Refresh"] = "true"  # finished: show the results
    return response


@router.get("/plans/{plan_id}/hazards/{hazard_id:path}")
def hazard(
    request: Request, plan_id: int, hazard_id: str, viewer: Reader, db: DB, ws: WS
) -> Response:
    plan = _plan(db, plan_id)
    path = services.plan_dir(ws.config, plan) / "explanations.csv"
    row: dict[str, Any] | None = None
    if path.is_file():
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        found = table[table["hazard_id"] == hazard_id]
        row = found.iloc[0].to_dict() if len(found) else None
    return render(request, "_hazard.html", viewer, hazard_id=hazard_id, row=row)


@router.get("/plans/{plan_id}/files/{name}")
def plan_download(plan_id: int, name: str, viewer: Reader, db: DB, ws: WS) -> Response:
    plan = _plan(db, plan_id)
    path = services.plan_file(ws.config, plan, name)
    if path is None:
        raise NotFoundError(f"Plan {plan_id} has no file {name!r}.")
    return FileResponse(path, filename=name)


@router.post("/plans/{plan_id}/rerun")
def rerun(plan_id: int, viewer: PlannerAction, db: DB, ws: WS) -> Response:
    old = _plan(db, plan_id)
    project = _project(db, old.project_id)
    if not project.valid:
        raise BadInputError("The project is not valid any more: fix it before planning again.")
    plan = services.start_plan(
        ws, db, viewer.user, project, old.loads("options"), rerun_of=old.id, kind=old.kind
    )
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


@router.post("/plans/{plan_id}/approve")
def approve(plan_id: int, viewer: AdminAction, db: DB) -> Response:
    plan = _plan(db, plan_id)
    if plan.status != "done" or plan.kind != "plan":
        raise BadInputError("Only a finished plan can be approved.")
    services.approve_plan(db, viewer.user, plan)
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


# --- administration ------------------------------------------------------------------------


@router.get("/admin/users")
def users_page(request: Request, viewer: AdminPage, db: DB, error: str = "") -> Response:
    users = list(db.scalars(select(User).order_by(User.name)))
    return render(request, "users.html", viewer, users=users, roles=ROLES, error=error)


@router.post("/admin/users")
def add_user(
    request: Request,
    viewer: AdminAction,
    db: DB,
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        user = auth.add_user(db, name, role, password)
    except auth.AccountError as exc:
        db.rollback()
        users = list(db.scalars(select(User).order_by(User.name)))
        return render(
            request, "users.html", viewer, status=422, users=users, roles=ROLES, error=str(exc)
        )
    audit(db, viewer.user, "user.add", f"user {user.name}", f"role {role}")
    db.commit()
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit")
def audit_page(request: Request, viewer: AdminPage, db: DB) -> Response:
    rows = list(db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(500)))
    return render(request, "audit.html", viewer, rows=rows)
