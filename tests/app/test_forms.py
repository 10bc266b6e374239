"""The forms that write the project TOML (plan settings, scenarios): valid values are
written and re-checked, refused ones re-show the form with the library's finding and leave
the file as it was, and a viewer or a post without the CSRF token changes nothing."""

from __future__ import annotations

import io
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from prioritise.app.config import AppConfig
from prioritise.inputs.loader import load_problem
from prioritise.inputs.scenarios import load_scenarios
from tests.app.conftest import SAMPLES, login, token, upload_zip, wait_plan, zip_folder

MINIMAL = SAMPLES / "minimal"
SETTINGS = {
    "start_year": "2027",
    "years": "5",
    "deadline_year": "2031",
    "discount_rate": "0.03",
    "carry_over": "on",
    "environment_weight": "",
    "national_share": "0.25",
    "equity_share": "",
    "time_limit": "20",
    "gap": "",
}


def _project(client: TestClient, config: AppConfig) -> tuple[int, Path]:
    r = upload_zip(client, token(client, "planner"), zip_folder(MINIMAL))
    assert r.status_code == 201, r.text
    pid = int(r.json()["id"])
    return pid, config.projects_dir / str(pid) / "project.toml"


def test_settings_form_writes_a_toml_the_library_reads(
    client: TestClient, config: AppConfig
) -> None:
    pid, path = _project(client, config)
    csrf = login(client, "planner")
    page = client.get(f"/projects/{pid}").text
    assert 'id="settings"' in page and 'name="deadline_year"' in page
    r = client.post(
        f"/projects/{pid}/settings", data={**SETTINGS, "csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    doc = tomllib.loads(path.read_text())
    assert doc["plan"] == {
        "start_year": 2027,
        "years": 5,
        "deadline_year": 2031,
        "discount_rate": 0.03,
        "carry_over": True,
    }
    assert doc["constraints"]["localisation"] == {"min_national_share": 0.25}
    assert doc["solver"]["time_limit"] == 20.0 and "gap" not in doc["solver"]
    assert "[data]" in path.read_text()  # the rest of the file is kept
    page = client.get(f"/projects/{pid}").text
    assert 'value="2031"' in page and ">valid<" in page, re.findall(r"\[[a-z-]+\]: [^<]*", page)
    # Clearing an optional field removes the key (the library's default applies again).
    r = client.post(
        f"/projects/{pid}/settings",
        data={**SETTINGS, "deadline_year": "", "carry_over": "", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    plan = tomllib.loads(path.read_text())["plan"]
    assert "deadline_year" not in plan and plan["carry_over"] is False
    client.cookies.clear()
    login(client, "admin")
    log = client.get("/admin/audit").text
    assert "project.settings" in log and "deadline_year" in log


def test_settings_form_refuses_what_the_library_refuses(
    client: TestClient, config: AppConfig
) -> None:
    pid, path = _project(client, config)
    before = path.read_text()
    csrf = login(client, "planner")
    cases = {
        "deadline_year": ("2040", "outside the horizon 2027-2031"),
        "years": ("sixty", "is not a whole number"),
        "national_share": ("1.5", "min_national_share"),
        "start_year": ("", "a value is needed"),
        "gap": ("2", "gap"),
    }
    for name, (value, words) in cases.items():
        r = client.post(
            f"/projects/{pid}/settings", data={**SETTINGS, name: value, "csrf_token": csrf}
        )
        assert r.status_code == 422, (name, r.text[:300])
        assert "Not saved" in r.text and words in r.text, (name, words)
        assert path.read_text() == before, name
    # What was typed is shown again, escaped.
    r = client.post(
        f"/projects/{pid}/settings",
        data={**SETTINGS, "years": "<script>x</script>", "csrf_token": csrf},
    )
    assert r.status_code == 422 and "<script>x" not in r.text and "&lt;script&gt;x" in r.text


def test_settings_form_refused_to_a_viewer_and_without_csrf(
    client: TestClient, config: AppConfig
) -> None:
    pid, path = _project(client, config)
    before = path.read_text()
    r = client.post(f"/projects/{pid}/settings", data=SETTINGS, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    csrf = login(client, "planner")
    assert client.post(f"/projects/{pid}/settings", data=SETTINGS).status_code == 403
    client.cookies.clear()
    csrf = login(client, "viewer")
    page = client.get(f"/projects/{pid}").text
    assert "Save settings" not in page
    r = client.post(f"/projects/{pid}/settings", data={**SETTINGS, "csrf_token": csrf})
    assert r.status_code == 403
    assert path.read_text() == before


SCORED = (MINIMAL / "project.toml").read_text() + (
    '\n[[scoring.criteria]]\nname = "Impact"\ncolumn = "impact"\nweight = 2\n'
)
SCENARIO = {
    "name": "cut_30",
    "description": "Donor funding falls by 30%",
    "budget_multiplier": "0.7",
    "budget_shape": "declining",
    "decline_rate": "0.1",
    "deadline_year": "none",
    "team__manual": "4",
    "weight__Impact": "3",
}


def _scored_project(client: TestClient, config: AppConfig) -> tuple[int, Path]:
    data = zip_folder(MINIMAL, edit={"project.toml": SCORED})
    r = upload_zip(client, token(client, "planner"), data)
    assert r.status_code == 201, r.text
    pid = int(r.json()["id"])
    return pid, config.projects_dir / str(pid) / "project.toml"


def test_scenario_form_writes_a_file_the_library_reads(
    client: TestClient, config: AppConfig
) -> None:
    pid, path = _scored_project(client, config)
    csrf = login(client, "planner")
    page = client.get(f"/projects/{pid}").text
    assert 'name="team__mdd"' in page and 'name="weight__Impact"' in page
    assert "Run the scenarios" not in page
    r = client.post(
        f"/projects/{pid}/scenario", data={**SCENARIO, "csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    scenarios = load_scenarios(path.parent / "scenarios.toml")
    assert [s.name for s in scenarios] == ["baseline", "cut_30"]
    doc = tomllib.loads((path.parent / "scenarios.toml").read_text())["scenarios"]["cut_30"]
    assert doc == {
        "description": "Donor funding falls by 30%",
        "budget": {"multiplier": 0.7, "shape": "declining", "decline_rate": 0.1},
        "teams": {"manual": 4.0},
        "weights": {"Impact": 3.0},
        "deadline_year": False,
    }
    page = client.get(f"/projects/{pid}").text
    assert "Run the scenarios" in page and "cut_30" in page
    got = client.get(f"/projects/{pid}/scenarios.toml")
    assert got.status_code == 200 and "[scenarios.cut_30]" in got.text
    # The same name replaces; then removing it leaves the baseline.
    r = client.post(
        f"/projects/{pid}/scenario",
        data={"name": "cut_30", "budget_multiplier": "0.5", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert [s.name for s in load_scenarios(path.parent / "scenarios.toml")] == [
        "baseline",
        "cut_30",
    ]
    r = client.post(
        f"/projects/{pid}/scenario/cut_30/delete",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert [s.name for s in load_scenarios(path.parent / "scenarios.toml")] == ["baseline"]
    # The last scenario cannot be removed: the file would declare none.
    r = client.post(f"/projects/{pid}/scenario/baseline/delete", data={"csrf_token": csrf})
    assert r.status_code == 422 and "declares no scenarios" in r.text
    client.cookies.clear()
    login(client, "admin")
    log = client.get("/admin/audit").text
    assert "project.scenario" in log and "project.scenario.delete" in log


def test_scenario_form_refusals(client: TestClient, config: AppConfig) -> None:
    pid, path = _scored_project(client, config)
    csrf = login(client, "planner")
    cases = {
        "name": ("../etc", "is not usable"),
        "budget_multiplier": ("-1", "multiplier"),
        "budget_shape": ("zigzag", "is unknown"),
        "weight__Impact": ("lots", "is not a number"),
        "weight__Nothing": ("1", "No scoring criterion is named Nothing"),
        "localisation_min_share": ("1.5", "localisation_min_share"),
        "deadline_year": ("soon", "is not a whole number"),
    }
    for name, (value, words) in cases.items():
        r = client.post(
            f"/projects/{pid}/scenario", data={**SCENARIO, name: value, "csrf_token": csrf}
        )
        assert r.status_code == 422, (name, r.text[:300])
        assert "Not saved" in r.text and words in r.text, (name, words)
        assert not (path.parent / "scenarios.toml").exists(), name
    assert client.get(f"/projects/{pid}/scenarios.toml").status_code == 404
    # Viewers see the list but no form, and are refused.
    client.cookies.clear()
    csrf = login(client, "viewer")
    assert "Save the scenario" not in client.get(f"/projects/{pid}").text
    r = client.post(f"/projects/{pid}/scenario", data={**SCENARIO, "csrf_token": csrf})
    assert r.status_code == 403 and not (path.parent / "scenarios.toml").exists()


@pytest.mark.slow
def test_scenarios_written_by_the_form_run_side_by_side(
    client: TestClient, config: AppConfig
) -> None:
    pid, _path = _scored_project(client, config)
    csrf = login(client, "planner")
    r = client.post(
        f"/projects/{pid}/scenario",
        data={"name": "cut", "budget_multiplier": "0.7", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = client.post(
        f"/projects/{pid}/scenarios",
        data={"time_limit": "20", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    job = int(r.headers["location"].rsplit("/", 1)[1])
    state = wait_plan(client, token(client, "viewer"), job)
    assert state["status"] == "done", state
    rows = state["summary"]["rows"]
    assert [row["scenario"] for row in rows] == ["baseline", "cut"]
    assert rows[1]["cost_usd"] <= rows[0]["cost_usd"] + 1e-6


def test_score_preview_follows_the_weights(client: TestClient, config: AppConfig) -> None:
    """The province sample (shapefile): the map fragment re-scores on every change and
    saves nothing; the top hazard under one criterion alone is the one that criterion ranks
    first, as the library scores it."""
    r = upload_zip(client, token(client, "planner"), zip_folder(SAMPLES / "province"))
    assert r.status_code == 201, r.text
    pid = int(r.json()["id"])
    path = config.projects_dir / str(pid) / "project.toml"
    before = path.read_text()
    csrf = login(client, "viewer")  # reading a preview changes nothing: viewers may
    page = client.get(f"/projects/{pid}").text
    assert f'hx-post="/projects/{pid}/weights/preview"' in page
    saved = ["3", "2", "1.5", "1.5", "1", "1"]
    r = client.post(f"/projects/{pid}/weights/preview", data={"weight": saved, "csrf_token": csrf})
    assert r.status_code == 200, r.text
    assert '<svg id="score-map"' in r.text and r.text.count("<path") > 100
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([\d.]+)</td><td>([\d.]+)</td></tr>", r.text)
    assert len(rows) == 10 and all(now == old for _, now, old in rows)  # saved weights
    # Casualties alone: the top hazard is the one with the most casualties.
    only = ["1", "0", "0", "0", "0", "0"]
    r = client.post(f"/projects/{pid}/weights/preview", data={"weight": only, "csrf_token": csrf})
    problem = load_problem(path)
    top = problem.hazards.sort_values("casualties_24m", ascending=False, kind="stable")
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([\d.]+)</td>", r.text)
    best = float(top["casualties_24m"].iloc[0])
    assert rows[0][0] in set(top.loc[top["casualties_24m"] == best, "hazard_id"])
    assert float(rows[0][1]) == 100.0
    for bad, words in ((["0"] * 6, "above 0"), (["1"] * 5, "Give 6 weights"), (["x"] * 6, "")):
        r = client.post(
            f"/projects/{pid}/weights/preview", data={"weight": bad, "csrf_token": csrf}
        )
        assert r.status_code == 200 and "score-map" not in r.text and words in r.text
    assert (
        client.post(f"/projects/{pid}/weights/preview", data={"weight": saved}).status_code == 403
    )
    assert path.read_text() == before


def _bare(folder: Path) -> bytes:
    """A sample folder's data files without its project and scenario TOMLs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix != ".toml":
                zf.write(path, path.name)
    return buf.getvalue()


def test_bare_export_gets_a_project_toml_the_cli_runs(
    client: TestClient, config: AppConfig, tmp_path: Path
) -> None:
    planner = token(client, "planner")
    r = upload_zip(client, planner, _bare(MINIMAL))
    assert r.status_code == 201, r.text
    assert r.json()["valid"] is True
    pid = int(r.json()["id"])
    csrf = login(client, "planner")
    text = client.get(f"/projects/{pid}/project.toml").text
    doc = tomllib.loads(text)
    assert doc["plan"] == {"start_year": 2027, "years": 5}  # the budget table's years
    assert doc["data"] == {"hazards": "hazards.csv", "teams": "teams.csv", "budget": "budget.csv"}
    assert doc["methods"]["manual"]["productivity"] == {"manual": 200.0}
    # The written TOML is a normal project: the library loads it as the CLI would.
    problem = load_problem(config.projects_dir / str(pid) / "project.toml")
    assert len(problem.hazards) == len(load_problem(MINIMAL / "project.toml").hazards)
    assert csrf


def test_bare_imsma_export_says_what_is_missing(client: TestClient) -> None:
    """The province shapefile (IMSMA column names, matched in any case) with its tables and
    no TOML: the project is kept, and the one thing the export cannot say (how to score
    hazards) is the finding, in plain words."""
    r = upload_zip(client, token(client, "planner"), _bare(SAMPLES / "province"))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["valid"] is False
    assert [f["rule"] for f in body["findings"] if f["severity"] == "error"] == ["missing-impact"]
    login(client, "planner")
    text = client.get(f"/projects/{body['id']}/project.toml").text
    assert 'hazards = "hazards.shp"' in text and "start_year = 2027" in text


def test_upload_without_toml_or_recognisable_files(client: TestClient) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.txt", "nothing to plan")
        zf.writestr("teams.csv", "team_type,teams,days_per_year\nmanual,1,200\n")
    r = upload_zip(client, token(client, "planner"), buf.getvalue())
    assert r.status_code == 422
    assert "no hazards file, budget file was recognised" in r.text


def test_criteria_form_makes_a_bare_export_plannable(client: TestClient, config: AppConfig) -> None:
    """The bare province export lacks only scoring: adding one criterion in the form makes
    it valid; bad criteria are refused with the library's words; removal works."""
    r = upload_zip(client, token(client, "planner"), _bare(SAMPLES / "province"))
    pid = int(r.json()["id"])
    path = config.projects_dir / str(pid) / "project.toml"
    csrf = login(client, "planner")
    assert "Add a criterion" in client.get(f"/projects/{pid}").text
    good = {"name": "Casualties", "column": "Casualties", "weight": "3", "normalise": "log"}
    before = path.read_text()
    for bad, words in (
        ({"weight": "-1"}, "weight"),
        ({"weight": "heavy"}, "must be a number"),
        ({"name": ""}, "name is needed"),
        ({"type": "categorical", "points": "irrigated"}, "category = number"),
        ({"type": "categorical"}, "points"),
    ):
        r = client.post(f"/projects/{pid}/criteria", data={**good, **bad, "csrf_token": csrf})
        assert r.status_code == 422 and "Not saved" in r.text and words in r.text, (bad, words)
        assert path.read_text() == before
    r = client.post(
        f"/projects/{pid}/criteria", data={**good, "csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    crit = tomllib.loads(path.read_text())["scoring"]["criteria"]
    assert crit == [
        {"name": "Casualties", "column": "Casualties", "weight": 3.0, "normalise": "log"}
    ]
    assert ">valid<" in client.get(f"/projects/{pid}").text
    r = client.post(f"/projects/{pid}/criteria", data={**good, "csrf_token": csrf})
    assert r.status_code == 422 and "already named" in r.text
    r = client.post(
        f"/projects/{pid}/criteria",
        data={
            "name": "Land use",
            "column": "Land_Use",
            "weight": "2",
            "type": "categorical",
            "points": "irrigated = 1, forest = 0.2",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    crit = tomllib.loads(path.read_text())["scoring"]["criteria"]
    assert crit[1]["points"] == {"irrigated": 1.0, "forest": 0.2}
    r = client.post(
        f"/projects/{pid}/criteria/0/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    assert [c["name"] for c in tomllib.loads(path.read_text())["scoring"]["criteria"]] == [
        "Land use"
    ]
    assert (
        client.post(f"/projects/{pid}/criteria/9/delete", data={"csrf_token": csrf}).status_code
        == 404
    )
    client.cookies.clear()
    csrf = login(client, "viewer")
    assert "Add a criterion" not in client.get(f"/projects/{pid}").text
    r = client.post(f"/projects/{pid}/criteria", data={**good, "csrf_token": csrf})
    assert r.status_code == 403


def _method_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(m\d+_[a-z_]+)" value="([^"]*)"', page))


def test_methods_form(client: TestClient, config: AppConfig) -> None:
    """The minimal sample has no [methods]: the form shows the library's defaults, labelled
    estimates; saving writes them with the edits, and the library reads them back."""
    pid, path = _project(client, config)
    csrf = login(client, "planner")
    page = client.get(f"/projects/{pid}").text
    assert "library&#39;s defaults" in page or "library's defaults" in page
    fields = _method_fields(page)
    assert fields["m0_name"] == "manual" and fields["m0_productivity"] == "manual = 200"
    edited = {**fields, "m0_productivity": "manual = 180", "csrf_token": csrf}
    last = max(int(k[1 : k.index("_")]) for k in fields)
    edited[f"m{last}_name"] = "bac"  # the spare row adds a method
    edited[f"m{last}_productivity"] = "manual = 350"
    edited[f"m{last}_types"] = "UXO, CMR"
    edited["m1_name"] = ""  # blanking a name removes the method
    r = client.post(f"/projects/{pid}/methods", data=edited, follow_redirects=False)
    assert r.status_code == 303, r.text[-2000:]
    methods = load_problem(path).settings.methods
    by_name = {m.name: m for m in methods}
    assert by_name["manual"].productivity == {"manual": 180.0}
    assert by_name["bac"].hazard_types == ("UXO", "CMR")
    assert fields["m1_name"] not in by_name
    page = client.get(f"/projects/{pid}").text
    assert "library&#39;s defaults" not in page and ">valid<" in page
    before = path.read_text()
    for key, value, words in (
        ("m0_productivity", "manual", "team kind = m² per day"),
        ("m0_disturbance", "lots", "disturbance must be a number"),
        ("m0_disturbance", "3", "disturbance"),
        ("m0_productivity", "manual = -5", "productivity"),
    ):
        r = client.post(
            f"/projects/{pid}/methods",
            data={**_method_fields(page), key: value, "csrf_token": csrf},
        )
        assert r.status_code == 422 and "Not saved" in r.text and words in r.text, (key, value)
        assert path.read_text() == before
    client.cookies.clear()
    csrf = login(client, "viewer")
    assert "Save methods" not in client.get(f"/projects/{pid}").text
    r = client.post(f"/projects/{pid}/methods", data={**edited, "csrf_token": csrf})
    assert r.status_code == 403 and path.read_text() == before


def test_budget_form(client: TestClient, config: AppConfig) -> None:
    pid, path = _project(client, config)
    budget = path.parent / "budget.csv"
    csrf = login(client, "planner")
    page = client.get(f"/projects/{pid}").text
    shown = dict(re.findall(r'name="budget_(\d{4})" value="([^"]*)"', page))
    assert list(shown) == ["2027", "2028", "2029", "2030", "2031"] and shown["2027"] == "100000"
    data = {f"budget_{y}": v for y, v in shown.items()}
    r = client.post(
        f"/projects/{pid}/budget",
        data={**data, "budget_2028": "250,000", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert load_problem(path).budget.loc[2028] == 250000.0
    before = budget.read_text()
    for value in ("-1", "lots", ""):
        r = client.post(
            f"/projects/{pid}/budget", data={**data, "budget_2029": value, "csrf_token": csrf}
        )
        assert r.status_code == 422 and "Budget for 2029" in r.text
        assert budget.read_text() == before
    # A longer horizon shows the new year with no row; the check says the budget is missing.
    client.post(
        f"/projects/{pid}/settings",
        data={**SETTINGS, "years": "6", "deadline_year": "", "csrf_token": csrf},
    )
    page = client.get(f"/projects/{pid}").text
    assert 'name="budget_2032" value=""' in page and "no row yet" in page
    client.cookies.clear()
    csrf = login(client, "viewer")
    r = client.post(f"/projects/{pid}/budget", data={**data, "csrf_token": csrf})
    assert r.status_code == 403 and budget.read_text() == before
