"""Security: names that try to leave the project folder (files and zip entries), zip bombs,
script in hazard ids and province names shown as text, forms without CSRF tokens, tokens that
are wrong or missing, and the login rate limit."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from prioritise.app.config import AppConfig
from prioritise.app.uploads import UploadError, clean_path
from tests.app.conftest import PASSWORD, SAMPLES, login, token, upload_zip, wait_plan, zip_folder

MINIMAL = SAMPLES / "minimal"
SCRIPT_ID = "<script>alert('id')</script>"
SCRIPT_PROVINCE = '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "etc/passwd"),
        ("/etc/passwd", "etc/passwd"),
        ("..\\..\\windows\\system.ini", "windows/system.ini"),
        ("C:\\temp\\hazards.csv", "temp/hazards.csv"),
        ("a/./b/../c.csv", "a/b/c.csv"),
        ("hazards\x00.csv", "hazards.csv"),
        ("data/hazards (v2).csv", "data/hazards (v2).csv"),
    ],
)
def test_clean_path_stays_relative(name: str, expected: str) -> None:
    assert str(clean_path(name)) == expected


@pytest.mark.parametrize("name", ["..", "/", "../..", ""])
def test_clean_path_refuses_empty_names(name: str) -> None:
    with pytest.raises(UploadError):
        clean_path(name)


def _outside(config: AppConfig) -> list[Path]:
    """Files written anywhere but under the workspace's projects folder."""
    root = config.workspace.parent
    allowed = config.projects_dir.resolve()
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and not p.resolve().is_relative_to(allowed) and p.parent != config.workspace
    ]


def test_traversal_in_file_names_stays_inside(client: TestClient, config: AppConfig) -> None:
    h = token(client, "planner")
    files = [
        ("files", ("../../../" + p.name, p.read_bytes(), "application/octet-stream"))
        for p in sorted(MINIMAL.iterdir())
    ]
    r = client.post("/api/projects", files=files, headers=h)
    assert r.status_code == 201, r.text  # stored under clean names: still a valid project
    assert _outside(config) == []


def test_traversal_in_zip_entries_stays_inside(client: TestClient, config: AppConfig) -> None:
    h = token(client, "planner")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(MINIMAL.iterdir()):
            zf.write(p, p.name)
        zf.writestr("../../escaped.txt", "x")
        zf.writestr("/abs/escaped2.txt", "x")
        zf.writestr("..\\..\\escaped3.txt", "x")
    r = upload_zip(client, h, buf.getvalue())
    assert r.status_code == 201, r.text
    assert _outside(config) == []
    assert list(config.workspace.parent.rglob("escaped*.txt"))  # kept, but inside the project
    for found in config.workspace.parent.rglob("escaped*.txt"):
        assert found.resolve().is_relative_to(config.projects_dir.resolve())


def test_zip_symlink_is_refused(client: TestClient) -> None:
    h = token(client, "planner")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    r = upload_zip(client, h, buf.getvalue())
    assert r.status_code == 422 and "symbolic link" in r.json()["detail"]


def test_zip_bomb_is_refused_before_it_is_written(client: TestClient, config: AppConfig) -> None:
    h = token(client, "planner")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.toml", "[data]\n")
        zf.writestr("hazards.csv", b"\0" * (20 * 1024 * 1024))
    assert len(buf.getvalue()) < 100_000
    r = upload_zip(client, h, buf.getvalue())
    assert r.status_code == 413 and "zip bomb" in r.json()["detail"]
    assert not any(p.stat().st_size > 1_000_000 for p in config.workspace.rglob("*") if p.is_file())


def test_too_many_zip_entries_are_refused(client: TestClient) -> None:
    h = token(client, "planner")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(2001):
            zf.writestr(f"f{i}.txt", "")
    r = upload_zip(client, h, buf.getvalue())
    assert r.status_code == 422 and "entries" in r.json()["detail"]


def _hostile_minimal() -> bytes:
    """The minimal sample with script in one hazard id and one province, and points."""
    lines = (MINIMAL / "hazards.csv").read_text().splitlines()
    out = [lines[0] + ",lon,lat"]
    for i, line in enumerate(lines[1:]):
        line = line.replace("HA-001,", f'"{SCRIPT_ID}",', 1)
        line = line.replace(",Eastern,", f',"{SCRIPT_PROVINCE.replace(chr(34), chr(34) * 2)}",')
        out.append(f"{line},{30 + 0.01 * i:.2f},{10 + 0.01 * (i % 7):.2f}")
    return zip_folder(MINIMAL, edit={"hazards.csv": "\n".join(out) + "\n"})


def test_script_in_ids_and_provinces_is_shown_as_text(client: TestClient) -> None:
    h = token(client, "planner")
    r = upload_zip(client, h, _hostile_minimal())
    assert r.status_code == 201, r.text
    project_id = r.json()["id"]
    plan_id = client.post(f"/api/projects/{project_id}/plans", headers=h).json()["id"]
    assert wait_plan(client, h, plan_id)["status"] == "done"
    login(client, "viewer")
    pages = [
        client.get("/").text,
        client.get(f"/projects/{project_id}").text,
        client.get(f"/plans/{plan_id}").text,
        client.get(f"/plans/{plan_id}/hazards/{quote(SCRIPT_ID, safe='')}").text,
    ]
    plan_page, fragment = pages[2], pages[3]
    assert 'id="plan-map"' in plan_page  # the map is drawn, with the hostile id in it
    assert "&lt;script&gt;alert(&#39;id&#39;)&lt;/script&gt;" in fragment
    for html in pages:
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    assert "&lt;script&gt;alert" in plan_page


def _session_post(client: TestClient, path: str, data: dict[str, str]) -> int:
    return client.post(path, data=data, follow_redirects=False).status_code


def test_forms_without_csrf_token_are_refused(client: TestClient) -> None:
    h = token(client, "planner")
    project_id = upload_zip(client, h, zip_folder(MINIMAL)).json()["id"]
    csrf = login(client, "planner")
    assert _session_post(client, f"/projects/{project_id}/plans", {}) == 403
    assert _session_post(client, f"/projects/{project_id}/plans", {"csrf_token": "x" * 43}) == 403
    assert _session_post(client, f"/projects/{project_id}/weights", {"weight": "1"}) == 403
    assert _session_post(client, "/logout", {}) == 403
    # The login form needs its own token too.
    client.cookies.clear()
    r = client.post("/login", data={"username": "planner", "password": PASSWORD})
    assert r.status_code == 403
    csrf = login(client, "planner")
    assert _session_post(client, f"/projects/{project_id}/plans", {"csrf_token": csrf}) == 303


def test_one_session_cannot_use_anothers_csrf(config: AppConfig, client: TestClient) -> None:
    h = token(client, "planner")
    project_id = upload_zip(client, h, zip_folder(MINIMAL)).json()["id"]
    admin_csrf = login(client, "admin")
    client.cookies.clear()
    login(client, "planner")
    r = client.post(
        f"/projects/{project_id}/plans", data={"csrf_token": admin_csrf}, follow_redirects=False
    )
    assert r.status_code == 403


def test_cookie_flags_and_logout_ends_the_session(client: TestClient) -> None:
    page = client.get("/login")
    csrf = client.cookies.get("prioritise_login")
    r = client.post(
        "/login",
        data={"username": "viewer", "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    assert page.status_code == 200
    session = client.cookies.get("prioritise_session")
    home = client.get("/")
    marker = 'name="csrf_token" value="'
    start = home.text.index(marker) + len(marker)
    csrf = home.text[start : home.text.index('"', start)]
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    client.cookies.set("prioritise_session", session or "")
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_login_rate_limit(client: TestClient) -> None:
    for _ in range(5):
        r = client.post("/api/tokens", json={"username": "planner", "password": "wrong-password"})
        assert r.status_code == 401
    # Now even the right password is refused for a while, on the API and the page.
    r = client.post("/api/tokens", json={"username": "planner", "password": PASSWORD})
    assert r.status_code == 429
    client.get("/login")
    csrf = client.cookies.get("prioritise_login")
    r = client.post(
        "/login", data={"username": "planner", "password": PASSWORD, "csrf_token": csrf}
    )
    assert r.status_code == 429 and "Too many failed logins" in r.text
    # The address is limited too: guessing across many names from one place is slowed.
    r = client.post("/api/tokens", json={"username": "viewer", "password": PASSWORD})
    assert r.status_code == 429


def test_expired_or_revoked_api_token_is_401(client: TestClient, config: AppConfig) -> None:
    from sqlalchemy import update

    from prioritise.app.db import ApiToken, make_engine, utcnow

    h = token(client, "viewer")
    assert client.get("/api/projects", headers=h).status_code == 200
    engine = make_engine(config.db_url)
    with engine.begin() as conn:
        conn.execute(update(ApiToken).values(expires_at=utcnow()))
    engine.dispose()
    assert client.get("/api/projects", headers=h).status_code == 401


def test_pages_forbid_inline_scripts_and_framing(client: TestClient) -> None:
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text  # scripts come from /static only
