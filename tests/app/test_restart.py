"""Restart: stop the server while a plan runs, start it again; the plan shows as
interrupted (and can be re-run), and every earlier project and result is still there."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import PASSWORD, SAMPLES, zip_folder
from tests.app.server import Server, add_cli_users

pytestmark = pytest.mark.slow


def call(
    url: str, path: str, token: str | None = None, body: Any = None, files: bytes | None = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if files is not None:
        boundary = "----prioritise-test"
        data = (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="files"; filename="p.zip"\r\n'
                "Content-Type: application/zip\r\n\r\n"
            ).encode()
            + files
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(
        url + path, data=data, headers=headers, method="POST" if data is not None else "GET"
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            return r.status, json.loads(
                raw
            ) if r.headers.get_content_type() == "application/json" else raw
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def wait_status(
    url: str, token: str, plan_id: int, wanted: set[str], timeout: float
) -> dict[str, Any]:
    end = time.monotonic() + timeout
    state: dict[str, Any] = {}
    while time.monotonic() < end:
        _, state = call(url, f"/api/plans/{plan_id}", token)
        if state["status"] in wanted:
            return state
        time.sleep(0.3)
    raise AssertionError(f"plan {plan_id} never reached {wanted}: {state}")


def test_restart_marks_running_plans_interrupted(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    add_cli_users(workspace, ("planner",))
    srv = Server(workspace, workers=1).start()
    try:
        _, body = call(srv.url, "/api/tokens", body={"username": "planner", "password": PASSWORD})
        token = body["token"]
        status, small = call(srv.url, "/api/projects", token, files=zip_folder(SAMPLES / "minimal"))
        assert status == 201
        _, first = call(srv.url, f"/api/projects/{small['id']}/plans", token, body={})
        done = wait_status(srv.url, token, first["id"], {"done"}, 120)
        status, national = call(
            srv.url, "/api/projects", token, files=zip_folder(SAMPLES / "national")
        )
        assert status == 201, national
        _, long = call(
            srv.url, f"/api/projects/{national['id']}/plans", token, body={"time_limit": 600}
        )
        wait_status(srv.url, token, long["id"], {"running"}, 120)
        time.sleep(2)
    finally:
        srv.stop()
    assert srv.proc is not None and srv.proc.returncode is not None

    srv2 = Server(workspace, workers=1).start()
    try:
        _, body = call(srv2.url, "/api/tokens", body={"username": "planner", "password": PASSWORD})
        token = body["token"]
        _, state = call(srv2.url, f"/api/plans/{long['id']}", token)
        assert state["status"] == "interrupted" and "server stopped" in state["phase"]
        _, again = call(srv2.url, f"/api/plans/{first['id']}", token)
        assert again["status"] == "done" and again["summary"] == done["summary"]
        status, raw = call(srv2.url, f"/api/plans/{first['id']}/files/workplan.csv", token)
        assert status == 200 and raw.startswith(b"hazard_id,")
        _, listed = call(srv2.url, "/api/projects", token)
        assert [p["id"] for p in listed] == [small["id"], national["id"]]
        # Re-run the interrupted plan's project: it queues and starts again.
        _, rerun = call(
            srv2.url, f"/api/projects/{national['id']}/plans", token, body={"time_limit": 5}
        )
        assert wait_status(srv2.url, token, rerun["id"], {"running", "done"}, 120)["status"] in {
            "running",
            "done",
        }
    finally:
        srv2.stop()
