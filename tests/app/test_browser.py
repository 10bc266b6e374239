"""The planner's path in a real browser (Debian's Chromium driven by Playwright) against a
real ``prioritise serve``: sign in, upload the province sample, fix a column mapping, change
a weight, run a plan and watch its progress, open a hazard's explanation on the map, download
the workbook; and the same refused for a viewer.

Set PRIORITISE_SCREENSHOTS=docs to refresh the screenshots in docs/ from this run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from prioritise.app.config import AppConfig
from tests.app.conftest import PASSWORD, REPO, SAMPLES, add_users, zip_folder
from tests.app.server import Server

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workspace = tmp_path_factory.mktemp("browser") / "ws"
    workspace.mkdir()
    add_users(AppConfig(workspace=workspace))  # in-process: three CLI runs take ~15 s here
    srv = Server(workspace, workers=1).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            viewport={"width": 1280, "height": 860},
            accept_downloads=True,
        )
        yield context
        context.close()


def shots_dir(tmp: Path) -> Path:
    target = os.environ.get("PRIORITISE_SCREENSHOTS")
    return (REPO / target) if target else tmp


def sign_in(page: object, url: str, name: str) -> None:
    page.goto(url + "/login")  # type: ignore[attr-defined]
    page.fill("input[name=username]", name)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
    page.wait_for_url(url + "/")  # type: ignore[attr-defined]


def broken_province_zip(folder: Path) -> Path:
    """The province sample with a mapping typo: its hazards then have no hazard_id."""
    toml = (SAMPLES / "province" / "project.toml").read_text()
    assert 'HAZARD_ID = "hazard_id"' in toml
    data = zip_folder(
        SAMPLES / "province",
        prefix="province/",
        edit={"project.toml": toml.replace('HAZARD_ID = "hazard_id"', 'HAZARD_ID = "hazard_ref"')},
    )
    path = folder / "lakes-province.zip"
    path.write_bytes(data)
    return path


def test_planner_path(server: Server, browser: object, tmp_path: Path) -> None:
    shots = shots_dir(tmp_path)
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server.url + "/")
    assert page.url.endswith("/login")
    page.screenshot(path=str(shots / "workspace-login.png"))
    sign_in(page, server.url, "planner")

    # Upload: the validation report lists the missing column in plain words.
    page.set_input_files("input[name=files]", str(broken_province_zip(tmp_path)))
    page.click("button:has-text('Upload and check')")
    page.wait_for_url(re.compile(r".*/projects/\d+$"))
    project_url = page.url
    assert "not valid" in page.inner_text(".facts")
    assert "hazard_id" in page.inner_text("#validation")
    page.screenshot(path=str(shots / "workspace-project-invalid.png"), full_page=True)

    # Fix the mapping in the form; the project becomes valid.
    field = page.get_by_label("Schema column for HAZARD_ID")
    assert field.input_value() == "hazard_ref"
    field.fill("hazard_id")
    page.click("button:has-text('Save mapping and check again')")
    page.wait_for_load_state()
    assert page.inner_text(".facts").startswith("valid")
    assert "207 hazards" in page.inner_text(".facts")

    # Change a weight: the score map preview (loaded with the page) follows it as it is typed.
    page.wait_for_selector("#score-map")
    weight = page.get_by_label("Weight of Casualties (24 months)")
    with page.expect_response(lambda r: r.url.endswith("/weights/preview") and r.ok):
        weight.fill("4")
    page.wait_for_selector("#score-map")
    page.click("button:has-text('Save weights')")
    page.wait_for_load_state()
    assert page.get_by_label("Weight of Casualties (24 months)").input_value() == "4"
    page.wait_for_selector("#score-map")  # the preview under the saved weights
    page.screenshot(path=str(shots / "workspace-project.png"), full_page=True)

    # Run a plan and watch its progress until the results replace it.
    page.fill("input[name=time_limit]", "20")
    page.click("button:has-text('Run a plan')")
    page.wait_for_url(re.compile(r".*/plans/\d+$"))
    plan_url = page.url
    page.wait_for_selector("#progress .status")
    seen = page.inner_text("#progress")
    assert re.search(r"queued|running", seen), seen
    page.wait_for_selector("#progress:has-text('Elapsed'), #headline", timeout=120_000)
    if page.locator("#progress:has-text('Best plan so far')").count() == 0:
        page.wait_for_selector("#progress:has-text('Best plan so far'), #headline", timeout=120_000)
    if page.locator("#progress").count():
        page.screenshot(path=str(shots / "workspace-progress.png"))
    page.wait_for_selector("#headline", timeout=180_000)  # HX-Refresh when the plan is done
    assert "proven" in page.inner_text("#headline")

    # A hazard's explanation on the map.
    hazard = page.locator("#plan-map path[data-id]").first
    hazard_id = hazard.get_attribute("data-id")
    hazard.dispatch_event("click")
    page.wait_for_selector("#hazard-details .explanation")
    details = page.inner_text("#hazard-details")
    assert hazard_id in details and "scores" in details
    page.locator("#map").screenshot(path=str(shots / "workspace-plan-map.png"))
    page.screenshot(path=str(shots / "workspace-plan.png"), full_page=True)

    # Download the workbook.
    with page.expect_download() as info:
        page.click("a[href$='/files/workplan.xlsx']")
    saved = tmp_path / "workplan.xlsx"
    info.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK" and saved.stat().st_size > 10_000
    page.close()
    server_state["project_url"], server_state["plan_url"] = project_url, plan_url


server_state: dict[str, str] = {}


def test_viewer_is_refused(server: Server, browser: object, tmp_path: Path) -> None:
    if "plan_url" not in server_state:
        pytest.skip("the planner's path did not finish")
    browser.clear_cookies()  # type: ignore[attr-defined]
    page = browser.new_page()  # type: ignore[attr-defined]
    sign_in(page, server.url, "viewer")
    assert page.locator("input[name=files]").count() == 0  # no upload form
    page.goto(server_state["project_url"])
    assert page.locator("button:has-text('Run a plan')").count() == 0
    assert page.get_by_label("Schema column for HAZARD_ID").is_disabled()
    # Even a hand-made request with the viewer's own CSRF token is refused.
    status = page.evaluate(
        """async (url) => {
            const token = document.querySelector('input[name=csrf_token]').value;
            const body = new URLSearchParams({csrf_token: token});
            const r = await fetch(url + '/plans', {method: 'POST', body});
            return r.status;
        }""",
        server_state["project_url"],
    )
    assert status == 403
    page.goto(server_state["plan_url"])
    assert page.locator("button:has-text('Run again')").count() == 0
    assert page.locator("#headline").count() == 1  # but it can read the results
    page.close()


def test_admin_pages(server: Server, browser: object, tmp_path: Path) -> None:
    shots = shots_dir(tmp_path)
    browser.clear_cookies()  # type: ignore[attr-defined]
    page = browser.new_page()  # type: ignore[attr-defined]
    sign_in(page, server.url, "admin")
    page.screenshot(path=str(shots / "workspace-projects.png"))
    page.goto(server.url + "/admin/audit")
    text = page.inner_text("main")
    assert "project.upload" in text and "project.columns" in text and "plan.start" in text
    page.screenshot(path=str(shots / "workspace-audit.png"))
    page.close()
    if os.environ.get("PRIORITISE_SCREENSHOTS"):
        shutil.copy(shots / "workspace-plan.png", shots / "workspace.png")
