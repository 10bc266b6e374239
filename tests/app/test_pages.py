"""The pages through the test client: sign-in, upload, column mapping, weights, plan,
progress, explanation, downloads, administration; and what a viewer is refused."""

from __future__ import annotations

import re
import tomllib

from fastapi.testclient import TestClient

from prioritise.app.config import AppConfig
from tests.app.conftest import PASSWORD, SAMPLES, login, token, upload_zip, wait_plan, zip_folder

MINIMAL = SAMPLES / "minimal"


def _renamed_province() -> bytes:
    """The minimal sample exported with 'Region' for the province column: not valid."""
    text = (
        (MINIMAL / "hazards.csv").read_text().replace("hazard_id,province,", "hazard_id,Region,", 1)
    )
    return zip_folder(MINIMAL, edit={"hazards.csv": text})


def test_pages_need_a_session(client: TestClient) -> None:
    for path in ("/", "/projects/1", "/plans/1", "/admin/users", "/admin/audit"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/login").status_code == 200


def test_wrong_password_on_the_page(client: TestClient) -> None:
    client.get("/login")
    csrf = client.cookies.get("prioritise_login")
    r = client.post("/login", data={"username": "planner", "password": "nope", "csrf_token": csrf})
    assert r.status_code == 401 and "Wrong user name or password" in r.text


def test_planner_fixes_mapping_and_plans(client: TestClient, config: AppConfig) -> None:
    csrf = login(client, "planner")
    r = client.post(
        "/projects",
        data={"csrf_token": csrf},
        files=[("files", ("export.zip", _renamed_province(), "application/zip"))],
        follow_redirects=False,
    )
    assert r.status_code == 303
    url = r.headers["location"]
    page = client.get(url).text
    assert "not valid" in page and "province" in page
    srcs = re.findall(r'name="src" value="([^"]*)"', page)
    assert "Region" in srcs and "hazard_id" in srcs
    dst = ["province" if s == "Region" else "" for s in srcs]
    r = client.post(
        f"{url}/columns",
        data={"csrf_token": csrf, "src": srcs, "dst": dst},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(url).text
    assert '<span class="ok">valid</span>' in page
    toml = client.get(f"{url}/project.toml")
    assert tomllib.loads(toml.text)["columns"] == {"Region": "province"}

    r = client.post(
        f"{url}/plans", data={"csrf_token": csrf, "time_limit": "20"}, follow_redirects=False
    )
    assert r.status_code == 303
    plan_url = r.headers["location"]
    plan_id = int(plan_url.rsplit("/", 1)[1])
    first = client.get(f"{plan_url}/progress?since=queued")
    assert 'id="progress"' in first.text
    state = wait_plan(client, token(client, "viewer"), plan_id)
    assert state["status"] == "done"
    r = client.get(f"{plan_url}/progress?since=running")
    assert r.headers.get("hx-refresh") == "true"
    page = client.get(plan_url).text
    assert "Headline figures" in page and "Best bound" in page and "proven upper bound" in page
    assert "workplan.xlsx" in page and "Approve this plan" not in page  # planners do not approve
    fragment = client.get(f"{plan_url}/hazards/HA-001").text
    assert "HA-001" in fragment and "scores" in fragment
    missing = client.get(f"{plan_url}/hazards/NOPE").text
    assert "No explanation for NOPE" in missing
    r = client.get(f"{plan_url}/files/workplan.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert client.get(f"{plan_url}/files/..%2Fworkspace.db").status_code == 404


def test_weights_form_edits_the_toml_keeping_comments(
    client: TestClient, config: AppConfig
) -> None:
    h = token(client, "planner")
    project_id = upload_zip(client, h, zip_folder(SAMPLES / "province")).json()["id"]
    csrf = login(client, "planner")
    page = client.get(f"/projects/{project_id}").text
    weights = re.findall(r'name="weight" type="number" min="0" step="any" value="([^"]*)"', page)
    assert weights == ["3", "2", "1.5", "1.5", "1", "1"]
    weights[0] = "6"
    r = client.post(
        f"/projects/{project_id}/weights",
        data={"csrf_token": csrf, "weight": weights},
        follow_redirects=False,
    )
    assert r.status_code == 303
    text = client.get(f"/projects/{project_id}/project.toml").text
    assert text.startswith("# Lakes province")  # comments kept
    doc = tomllib.loads(text)
    assert [c["weight"] for c in doc["scoring"]["criteria"]] == [6, 2, 1.5, 1.5, 1, 1]
    r = client.post(
        f"/projects/{project_id}/weights",
        data={"csrf_token": csrf, "weight": ["-1", *weights[1:]]},
        follow_redirects=False,
    )
    assert r.status_code == 422


def test_viewer_sees_no_forms_and_is_refused(client: TestClient) -> None:
    h = token(client, "planner")
    project_id = upload_zip(client, h, zip_folder(MINIMAL)).json()["id"]
    csrf = login(client, "viewer")
    home = client.get("/").text
    assert "Upload a project" not in home
    page = client.get(f"/projects/{project_id}").text
    assert "Run a plan" not in page and "Save mapping" not in page
    for path, data in (
        ("/projects", {}),
        (f"/projects/{project_id}/plans", {}),
        (f"/projects/{project_id}/columns", {"src": ["a"], "dst": ["b"]}),
        (f"/projects/{project_id}/weights", {"weight": ["1"]}),
        ("/admin/users", {"name": "mallory", "role": "admin", "password": "x" * 10}),
    ):
        r = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert r.status_code == 403, path
        assert "role" in r.text
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_admin_adds_users_and_reads_the_audit_log(client: TestClient) -> None:
    csrf = login(client, "admin")
    r = client.post(
        "/admin/users",
        data={"csrf_token": csrf, "name": "nadia", "role": "planner", "password": "long enough"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = client.post(
        "/admin/users",
        data={"csrf_token": csrf, "name": "nadia", "role": "planner", "password": "long enough"},
    )
    assert r.status_code == 422 and "already exists" in r.text
    r = client.post(
        "/admin/users",
        data={"csrf_token": csrf, "name": "x y", "role": "viewer", "password": "long enough"},
    )
    assert r.status_code == 422
    assert (
        client.post(
            "/api/tokens", json={"username": "nadia", "password": "long enough"}
        ).status_code
        == 200
    )
    audit = client.get("/admin/audit").text
    assert "user.add" in audit and "user nadia" in audit and "login" in audit
    assert PASSWORD not in audit and "long enough" not in audit
