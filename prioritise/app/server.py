"""``create_app(config)``: the FastAPI application, its start-up and its safety nets."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from prioritise.app import api, pages
from prioritise.app.config import AppConfig
from prioritise.app.db import make_engine, migrate, session_factory
from prioritise.app.deps import LoginRequiredError, PageError
from prioritise.app.jobs import JobRunner, make_runner, mark_interrupted
from prioritise.app.services import Workspace

STATIC = Path(__file__).with_name("static")
log = logging.getLogger("prioritise.app")


class BodyLimit:
    """Refuse a request body over ``limit`` bytes with 413 by its Content-Length, before it
    is parsed or stored; a chunked body without a length is refused (411), and the bytes
    received are counted as a last guard."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await _too_large(scope, receive, send, self.limit)
            return
        if length is None and b"transfer-encoding" in headers:
            # A chunked body could not be refused before parsing: ask for its length.
            await JSONResponse({"detail": "Send the body with a Content-Length."}, 411)(
                scope, receive, send
            )
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLargeError
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLargeError:
            await _too_large(scope, receive, send, self.limit)


SECURITY_HEADERS = [
    # Scripts only from the app itself (htmx and app.js): no inline script can run, so text
    # that slipped through escaping still could not execute. Inline styles are the map's.
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class _TooLargeError(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    mb = limit / (1024 * 1024)
    response = JSONResponse(
        {"detail": f"The upload is larger than the limit of {mb:.0f} MB."}, status_code=413
    )
    await response(scope, receive, send)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, exc: LoginRequiredError) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        return pages.error_page(request, exc.status, exc.title, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": _plain(exc.errors())}, status_code=422)
        return pages.error_page(request, 422, "Invalid form", "Some fields are missing or invalid.")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        text = "Internal error; the server log has the details."
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": text}, status_code=500)
        return pages.error_page(request, 500, "Internal error", text)


def _plain(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without the submitted input echoed back (it may be a password)."""
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in errors]


def create_app(config: AppConfig, runner: JobRunner | None = None) -> FastAPI:
    """The app over one workspace. The schema is migrated and interrupted plans are marked
    at start-up; jobs run in ``runner`` (default: worker processes, or Dask by scheduler)."""
    config.workspace.mkdir(parents=True, exist_ok=True)
    engine = make_engine(config.db_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        n = mark_interrupted(db)
    if n:
        log.warning("%d plan(s) were running when the server stopped: marked interrupted", n)
    ws = Workspace(config, sessions, runner or make_runner(config.scheduler, config.workers))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ws.runner.start()
        yield
        ws.runner.shutdown()
        engine.dispose()

    app = FastAPI(
        title="prioritise workspace",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive docs load scripts from the internet
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.workspace = ws
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _handlers(app)
    app.add_middleware(BodyLimit, limit=config.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    return app
