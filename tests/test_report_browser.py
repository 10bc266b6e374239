"""report.html in a real browser (Debian's Chromium driven by Playwright): no console message,
no request beyond the file itself, and the page's controls work (details panel, a hazard's
access chain, all links on demand, table filter, section menu)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from prioritise import load_problem, plan
from prioritise.analyses.report_data import prepare_report
from prioritise.outputs.plan import write_plan_outputs
from prioritise.outputs.report.comparison import write_comparison_report
from tests.test_report import NASTY, write_project

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_VERSION = (
    subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    if CHROMIUM
    else ""
)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    result = plan(load_problem(write_project(tmp)), gap=0.0)
    write_plan_outputs(result, prepare_report(result), tmp / "out")
    return tmp / "out" / "report.html"


@pytest.fixture(scope="module")
def browser() -> Any:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        assert b.version.split(".")[0] in CHROMIUM_VERSION  # Debian's, not a download
        yield b
        b.close()


def open_page(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    """The page loaded with its script finished; console messages and request URLs."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    messages: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_selector('body[data-script="ok"]', timeout=30_000)
    return page, messages, requests


def test_report_loads_offline_without_console_messages(
    browser: Any, report: Path, tmp_path: Path
) -> None:
    page, messages, requests = open_page(browser, report)
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert messages == []
    assert requests == [report.resolve().as_uri()]  # nothing fetched but the page itself
    assert shot.stat().st_size > 30_000  # a blank page compresses to ~10 kB
    # The section menu stays on screen when scrolled to the bottom.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator("nav.toc").bounding_box()
    assert box is not None
    assert box["y"] <= 1
    page.close()


def test_clicking_a_hazard_shows_its_facts_and_access_chain(browser: Any, report: Path) -> None:
    page, messages, _ = open_page(browser, report)
    shown = "(s) => getComputedStyle(s).display !== 'none'"
    line = page.locator('#plan-map .deps line[data-a="H5"]')
    assert not line.evaluate(shown)  # dependencies are hidden until asked for
    page.locator('#plan-map [data-id="H5"]').first.dispatch_event("click")
    panel = page.locator("#hazard-details")
    assert panel.get_attribute("data-shown") == "H5"
    assert "Casualties" in panel.inner_text()
    assert line.evaluate(shown)  # H5's chain: it requires H4
    assert "sel" in (page.locator('#plan-map path[data-id="H5"]').get_attribute("class") or "")
    page.locator('#plan-map [data-id="H1"]').first.dispatch_event("click")
    assert NASTY in panel.inner_text()  # the markup in a name is shown as text
    assert page.locator("#hazard-details script").count() == 0
    assert not line.evaluate(shown)  # H1 has no chain; H5's is cleared
    page.locator("#all-deps").click()
    assert line.evaluate(shown)
    assert page.locator("#all-deps").get_attribute("aria-pressed") == "true"
    page.locator('#map-legend [data-toggle="un"]').click()
    assert "hide-un" in (page.locator("#plan-map").get_attribute("class") or "")
    assert messages == []
    page.close()


def test_long_tables_collapse_with_a_working_filter(browser: Any, tmp_path: Path) -> None:
    """A comparison of 30 scenarios: the full table is collapsed with a filter box."""
    import pandas as pd

    names = [f"Scenario {i:02d}" for i in range(30)]
    comparison = pd.DataFrame(
        {
            "scenario": names,
            "status": ["optimal"] * 30,
            "objective": np.arange(30.0),
            "cost_usd": np.arange(30.0) * 1e5,
            "article5_completion_year": [2030] * 30,
            "remaining_area_m2": np.arange(30.0) * 1e4,
            "extra_column": np.arange(30),
        }
    )
    path = write_comparison_report(comparison, {}, tmp_path / "comparison.html")
    page, messages, requests = open_page(browser, path)
    assert requests == [path.resolve().as_uri()]
    page.locator("details.long summary").first.click()
    rows = page.locator("details.long tbody tr")
    visible = "(rows) => rows.filter(r => !r.hidden).length"
    assert rows.evaluate_all(visible) == 30
    page.locator("details.long input.tfilter").first.fill("scenario 1")
    assert rows.evaluate_all(visible) == 10  # Scenario 10-19
    assert messages == []
    page.close()
