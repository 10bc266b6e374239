"""The JSON API: every endpoint, each role, and each error status the issue lists."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from fastapi.testclient import TestClient

from tests.app.conftest import SAMPLES, login, token, upload_zip, wait_plan, zip_folder

MINIMAL = SAMPLES / "minimal"


def test_health_needs_no_token(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/tokens",
        "/api/projects",
        "/api/projects/{project_id}",
        "/api/projects/{project_id}/plans",
        "/api/plans/{plan_id}",
        "/api/plans/{plan_id}/files/{name}",
        "/api/health",
    ):
        assert path in paths
    assert not any(p.startswith("/projects") for p in paths)  # pages are not API


def test_token_wrong_password_and_bad_body(client: TestClient) -> None:
    r = client.post("/api/tokens", json={"username": "planner", "password": "nope"})
    assert r.status_code == 401
    r = client.post("/api/tokens", json={"username": "nobody", "password": "x" * 12})
    assert r.status_code == 401
    assert client.post("/api/tokens", json={"username": "planner"}).status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/projects"),
        ("post", "/api/projects"),
        ("get", "/api/projects/1"),
        ("post", "/api/projects/1/plans"),
        ("get", "/api/plans/1"),
        ("get", "/api/plans/1/files/workplan.csv"),
        ("post", "/api/plans/1/approve"),
    ],
)
def test_missing_and_wrong_tokens_are_401(client: TestClient, method: str, path: str) -> None:
    r = getattr(client, method)(path)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = getattr(client, method)(path, headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    r = getattr(client, method)(path, headers={"Authorization": "Basic cGxhbm5lcjp4"})
    assert r.status_code == 401


def test_viewer_reads_but_cannot_change(client: TestClient) -> None:
    planner, viewer = token(client, "planner"), token(client, "viewer")
    r = upload_zip(client, viewer, zip_folder(MINIMAL))
    assert r.status_code == 403 and "planner role" in r.json()["detail"]
    pid = upload_zip(client, planner, zip_folder(MINIMAL)).json()["id"]
    assert client.get(f"/api/projects/{pid}", headers=viewer).status_code == 200
    assert client.get("/api/projects", headers=viewer).status_code == 200
    assert client.post(f"/api/projects/{pid}/plans", headers=viewer).status_code == 403


def test_unknown_ids_are_404(client: TestClient) -> None:
    h = token(client, "viewer")
    assert client.get("/api/projects/999", headers=h).status_code == 404
    assert client.get("/api/plans/999", headers=h).status_code == 404
    assert client.get("/api/plans/999/files/workplan.csv", headers=h).status_code == 404
    p = token(client, "planner")
    assert client.post("/api/projects/999/plans", headers=p).status_code == 404


def test_oversized_upload_is_413_and_leaves_nothing(client: TestClient) -> None:
    h = token(client, "planner")
    big = b"x" * (6 * 1024 * 1024)  # the fixture's limit is 5 MB
    r = client.post("/api/projects", files=[("files", ("hazards.csv", big, "text/csv"))], headers=h)
    assert r.status_code == 413
    assert client.get("/api/projects", headers=h).json() == []


def test_invalid_project_is_422_with_every_finding(client: TestClient) -> None:
    h = token(client, "planner")
    text = (MINIMAL / "hazards.csv").read_text()
    rows = text.splitlines()
    broken = "\n".join([*rows, rows[1]]) + "\n"  # a duplicate hazard id
    r = upload_zip(client, h, zip_folder(MINIMAL, edit={"hazards.csv": broken}))
    assert r.status_code == 422
    body = r.json()
    assert body["valid"] is False and body["id"] >= 1
    assert any(f["severity"] == "error" and f["file"] == "hazards.csv" for f in body["findings"])
    dup_id = rows[1].split(",")[0]
    assert any(dup_id in f["ids"] for f in body["findings"])
    # Kept (so it can be fixed in the pages), but it cannot be planned.
    assert client.get(f"/api/projects/{body['id']}", headers=h).json()["valid"] is False
    r = client.post(f"/api/projects/{body['id']}/plans", headers=h)
    assert r.status_code == 422 and r.json()["detail"]["findings"]


def test_upload_without_project_toml_is_422(client: TestClient) -> None:
    h = token(client, "planner")
    data = (MINIMAL / "hazards.csv").read_bytes()
    r = client.post(
        "/api/projects", files=[("files", ("hazards.csv", data, "text/csv"))], headers=h
    )
    assert r.status_code == 422 and "No project TOML" in r.json()["detail"]


def test_plan_options_are_checked(client: TestClient) -> None:
    h = token(client, "planner")
    pid = upload_zip(client, h, zip_folder(MINIMAL)).json()["id"]
    for bad in ({"gap": 2}, {"time_limit": -1}, {"time_limit": "soon"}):
        assert client.post(f"/api/projects/{pid}/plans", json=bad, headers=h).status_code == 422


def test_upload_plan_download_and_approve(client: TestClient) -> None:
    planner, viewer, admin = (token(client, r) for r in ("planner", "viewer", "admin"))
    # Separate files (not a zip) are accepted too.
    files = [
        ("files", (p.name, p.read_bytes(), "application/octet-stream"))
        for p in sorted(MINIMAL.iterdir())
    ]
    r = client.post("/api/projects", files=files, headers=planner)
    assert r.status_code == 201, r.text
    project = r.json()
    assert project["valid"] is True and isinstance(project["findings"], list)
    listed = client.get("/api/projects", headers=viewer).json()
    assert [p["id"] for p in listed] == [project["id"]] and listed[0]["facts"]["hazards"] == 30

    r = client.post(
        f"/api/projects/{project['id']}/plans",
        json={"time_limit": 30, "gap": 0.01},
        headers=planner,
    )
    assert r.status_code == 202
    plan_id = r.json()["id"]
    state = wait_plan(client, viewer, plan_id)
    assert state["status"] == "done", state
    assert state["options"] == {"time_limit": 30.0, "gap": 0.01}
    assert state["progress"]["elapsed"] > 0
    summary = state["summary"]
    assert (
        summary["hazards"]["total"] == 30 and summary["objective"] <= summary["best_bound"] + 1e-6
    )
    assert {"workplan.csv", "workplan.xlsx", "report.html", "summary.json", "record.json"} <= set(
        state["files"]
    )
    record = client.get(f"/api/plans/{plan_id}/files/record.json", headers=viewer).json()
    assert record["project_toml"] == (MINIMAL / "project.toml").read_text()
    assert set(record["inputs_sha256"]) == {
        "project.toml",
        "hazards.csv",
        "teams.csv",
        "budget.csv",
        "dependencies.csv",
    }
    assert record["options"] == {"time_limit": 30.0, "gap": 0.01}

    r = client.get(f"/api/plans/{plan_id}/files/workplan.csv", headers=viewer)
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 30
    assert sum(row["status"] == "scheduled" for row in rows) == summary["hazards"]["scheduled"]
    r = client.get(f"/api/plans/{plan_id}/files/workplan.xlsx", headers=viewer)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    for name in ("nothing.csv", "..%2F..%2Fworkspace.db", "map.json", "error.log"):
        assert client.get(f"/api/plans/{plan_id}/files/{name}", headers=viewer).status_code == 404

    assert client.post(f"/api/plans/{plan_id}/approve", headers=planner).status_code == 403
    r = client.post(f"/api/plans/{plan_id}/approve", headers=admin)
    assert r.status_code == 200 and r.json()["approved_by"] == "admin"


@pytest.mark.slow  # the analysis itself takes 10-40 s on the shared machine
def test_deadline_and_scenarios_jobs(client: TestClient) -> None:
    planner, viewer = token(client, "planner"), token(client, "viewer")
    pid = upload_zip(client, planner, zip_folder(MINIMAL)).json()["id"]
    r = client.post(
        f"/api/projects/{pid}/deadline", json={"year": 2029, "time_limit": 20}, headers=viewer
    )
    assert r.status_code == 403
    assert (
        client.post(
            f"/api/projects/{pid}/deadline", json={"year": 2020}, headers=planner
        ).status_code
        == 422
    )
    # The minimal sample has no scenarios.toml.
    r = client.post(f"/api/projects/{pid}/scenarios", headers=planner)
    assert r.status_code == 422 and "scenarios.toml" in r.json()["detail"]
    r = client.post(
        f"/api/projects/{pid}/deadline", json={"year": 2029, "time_limit": 20}, headers=planner
    )
    assert r.status_code == 202
    state = wait_plan(client, viewer, r.json()["id"])
    assert state["status"] == "done" and state["kind"] == "deadline", state
    assert state["summary"]["answer"].startswith("Deadline 2029:")
    assert "deadline.json" in state["files"] and "answer.txt" in state["files"]
    # A deadline analysis is not a plan: it cannot be approved.
    admin = token(client, "admin")
    assert client.post(f"/api/plans/{state['id']}/approve", headers=admin).status_code == 409
    login(client, "viewer")
    page = client.get(f"/plans/{state['id']}").text
    assert "What meeting 2029 would take" in page and "Deadline 2029:" in page


SCENARIOS = """
[scenarios.baseline]
description = "As in the project."

[scenarios.cut]
inherits = "baseline"
description = "Funding falls by 30%."
budget = { multiplier = 0.7 }
"""


@pytest.mark.slow
def test_scenarios_side_by_side(client: TestClient) -> None:
    planner = token(client, "planner")
    data = zip_folder(
        MINIMAL, edit={"dependencies.csv": (MINIMAL / "dependencies.csv").read_text()}
    )
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("scenarios.toml", SCENARIOS)
    pid = upload_zip(client, planner, buf.getvalue()).json()["id"]
    r = client.post(f"/api/projects/{pid}/scenarios", json={"time_limit": 20}, headers=planner)
    assert r.status_code == 202
    state = wait_plan(client, planner, r.json()["id"])
    assert state["status"] == "done" and state["kind"] == "scenarios", state
    rows = state["summary"]["rows"]
    assert [row["scenario"] for row in rows] == ["baseline", "cut"]
    assert rows[1]["cost_usd"] <= rows[0]["cost_usd"] + 1e-6  # less money, no more spent
    assert {"comparison.html", "comparison.xlsx", "comparison.csv"} <= set(state["files"])
    login(client, "viewer")
    page = client.get(f"/plans/{state['id']}").text
    assert "Scenarios side by side" in page and "<td>cut</td>" in page
