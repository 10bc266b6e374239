"""Workspace app fixtures: an app over a fresh workspace with one user of each role.

API and page tests run plan jobs in a thread of the test process (:class:`ThreadRunner`) so
they need no process start-up; the restart, browser and load tests run the real server with
its worker processes.
"""

from __future__ import annotations

import io
import shutil
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from prioritise.app import auth
from prioritise.app.config import AppConfig
from prioritise.app.db import make_engine, migrate, session_factory
from prioritise.app.server import create_app

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_data"
PASSWORD = "correct horse battery"
ROLES = ("admin", "planner", "viewer")


class ThreadRunner:
    """Runs each job in a daemon thread of this process (tests only)."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        pass

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        t = threading.Thread(target=fn, args=args, daemon=True)
        t.start()
        self.threads.append(t)

    def shutdown(self) -> None:
        for t in self.threads:
            t.join(timeout=120)


def add_users(cfg: AppConfig) -> None:
    engine = make_engine(cfg.db_url)
    migrate(engine)
    with session_factory(engine)() as db:
        for role in ROLES:
            auth.add_user(db, role, role, PASSWORD)
        db.commit()
    engine.dispose()


def zip_folder(folder: Path, prefix: str = "", edit: dict[str, str] | None = None) -> bytes:
    """A zip of a sample folder; ``edit`` replaces the text of some files."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                name = prefix + path.name
                if edit and path.name in edit:
                    zf.writestr(name, edit[path.name])
                else:
                    zf.write(path, name)
    return buf.getvalue()


@pytest.fixture(scope="session", autouse=True)
def light_hasher() -> Iterator[None]:
    """argon2 at its production cost takes ~0.5 s a hash on the shared machine; tests use
    the same code with a cheap cost (hashes carry their parameters)."""
    saved = auth.HASHER
    auth.HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    yield
    auth.HASHER = saved


@pytest.fixture(scope="session")
def users_template(tmp_path_factory: pytest.TempPathFactory, light_hasher: None) -> Path:
    folder = tmp_path_factory.mktemp("template") / "ws"
    folder.mkdir()
    add_users(AppConfig(workspace=folder))
    return folder


@pytest.fixture
def config(tmp_path: Path, users_template: Path) -> AppConfig:
    cfg = AppConfig(workspace=tmp_path / "ws", max_upload_bytes=5 * 1024 * 1024)
    shutil.copytree(users_template, cfg.workspace)
    return cfg


@pytest.fixture
def client(config: AppConfig) -> Iterator[TestClient]:
    app = create_app(config, runner=ThreadRunner())
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def token(client: TestClient, name: str) -> dict[str, str]:
    r = client.post("/api/tokens", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def upload_zip(
    client: TestClient, headers: dict[str, str], data: bytes, name: str = "p.zip"
) -> Any:
    return client.post(
        "/api/projects", files=[("files", (name, data, "application/zip"))], headers=headers
    )


def wait_plan(
    client: TestClient, headers: dict[str, str], plan_id: int, timeout: float = 120
) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state: dict[str, Any] = client.get(f"/api/plans/{plan_id}", headers=headers).json()
        if state["status"] not in ("queued", "running"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"plan {plan_id} did not finish in {timeout} s")


def login(client: TestClient, name: str) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    page = client.get("/login")
    csrf = client.cookies.get("prioritise_login")
    assert csrf and page.status_code == 200
    r = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    home = client.get("/")
    marker = 'name="csrf_token" value="'
    start = home.text.index(marker) + len(marker)
    return home.text[start : home.text.index('"', start)]
