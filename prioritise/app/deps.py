"""Request dependencies: the database session, and who is asking (token or session)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from prioritise.app import auth
from prioritise.app.db import User, WebSession
from prioritise.app.services import Workspace

SESSION_COOKIE = "prioritise_session"
bearer = HTTPBearer(auto_error=False, description="A token from POST /api/tokens")


def workspace(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


def get_db(request: Request) -> Iterator[Any]:
    db = workspace(request).sessions()
    try:
        yield db
    finally:
        db.close()


DB = Annotated[Any, Depends(get_db)]
WS = Annotated[Workspace, Depends(workspace)]


def api_user(
    db: DB, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> User:
    """The token's user; 401 without a valid bearer token (cookies are not read here, so
    the API cannot be driven by a forged cross-site request)."""
    user = auth.token_user(db, creds.credentials) if creds else None
    if user is None:
        raise HTTPException(
            401, "A valid API token is required.", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


def api_role(needed: str) -> Callable[..., User]:
    def check(user: Annotated[User, Depends(api_user)]) -> User:
        if not auth.allows(user.role, needed):
            raise HTTPException(403, f"This needs the {needed} role; you are a {user.role}.")
        return user

    return check


class LoginRequiredError(Exception):
    """A page was asked for without a session: the handler redirects to the login page."""


class PageError(Exception):
    """Shown to a page's user as an error page with this status and message."""

    status = 400
    title = "Error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ForbiddenError(PageError):
    status, title = 403, "Not allowed"


class NotFoundError(PageError):
    status, title = 404, "Not found"


class BadInputError(PageError):
    status, title = 422, "Invalid input"


@dataclass
class Viewer:
    """The signed-in user of a page request and their session (for its CSRF token)."""

    user: User
    session: WebSession

    def can(self, role: str) -> bool:
        return auth.allows(self.user.role, role)


def page_viewer(request: Request, db: DB) -> Viewer:
    found = auth.session_user(db, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise LoginRequiredError
    return Viewer(*found)


def page_role(needed: str) -> Callable[..., Viewer]:
    def check(viewer: Annotated[Viewer, Depends(page_viewer)]) -> Viewer:
        if not viewer.can(needed):
            raise ForbiddenError(
                f"This needs the {needed} role; you are signed in as a {viewer.user.role}."
            )
        return viewer

    return check


async def csrf_checked(request: Request, viewer: Annotated[Viewer, Depends(page_viewer)]) -> Viewer:
    """Every page POST carries the session's CSRF token (form field or X-CSRF-Token)."""
    given = request.headers.get("x-csrf-token")
    if not given:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not auth.csrf_ok(viewer.session, given):
        raise ForbiddenError(
            "The form's security token is missing or stale: reload the page and try again."
        )
    return viewer


def page_action(needed: str) -> Callable[..., Any]:
    """A page POST: a valid CSRF token and at least the ``needed`` role."""

    def check(viewer: Annotated[Viewer, Depends(csrf_checked)]) -> Viewer:
        if not viewer.can(needed):
            raise ForbiddenError(
                f"This needs the {needed} role; you are signed in as a {viewer.user.role}."
            )
        return viewer

    return check
