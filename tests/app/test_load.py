"""Bounded load test against ``prioritise serve`` on 127.0.0.1 only: 20 concurrent clients
read pages and poll plans (as the plan page does, once a second) while 2 national plans
solve in the two worker processes. The p95 of page and API reads must stay under 300 ms.

Every loop is bounded in count and time and stops by itself. Run with ``-m slow -s`` to see
the table (recorded in BENCHMARKS.md).
"""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.app.conftest import PASSWORD, SAMPLES, zip_folder
from tests.app.server import Server, add_cli_users

pytestmark = pytest.mark.slow
CLIENTS = 20
SECONDS = 30.0
MAX_REQUESTS = 400  # per client: a hard bound besides the time
POLL_S = 0.25  # think time between a client's requests


def _client_loop(
    url: str, cookie: str, token: str, paths: list[str], out: dict[str, list[float]], stop: float
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, cookies={"prioritise_session": cookie}, timeout=10) as c:
        for i in range(MAX_REQUESTS):
            if time.monotonic() > stop:
                break
            path = paths[i % len(paths)]
            start = time.perf_counter()
            r = c.get(path, headers=headers if path.startswith("/api/") else None)
            elapsed = time.perf_counter() - start
            assert r.status_code == 200, (path, r.status_code)
            out.setdefault(path.split("?")[0], []).append(elapsed)
            time.sleep(POLL_S)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def test_reads_stay_fast_while_two_national_plans_solve(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    add_cli_users(workspace, ("planner",))
    srv = Server(workspace, workers=2).start()
    try:
        with httpx.Client(base_url=srv.url, timeout=120) as c:
            token = c.post(
                "/api/tokens", json={"username": "planner", "password": PASSWORD}
            ).json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            files = [
                ("files", ("national.zip", zip_folder(SAMPLES / "national"), "application/zip"))
            ]
            project = c.post("/api/projects", files=files, headers=auth).json()
            plans = [
                c.post(
                    f"/api/projects/{project['id']}/plans", json={"time_limit": 90}, headers=auth
                ).json()["id"]
                for _ in range(2)
            ]
            # The cookies are Secure: read them off the headers (httpx keeps them for https).
            page = c.get("/login")
            login_token = page.headers["set-cookie"].split(";")[0].split("=", 1)[1]
            r = c.post(
                "/login",
                data={"username": "planner", "password": PASSWORD, "csrf_token": login_token},
                headers={"Cookie": f"prioritise_login={login_token}"},
                follow_redirects=False,
            )
            assert r.status_code == 303, r.text
            session = [
                h for h in r.headers.get_list("set-cookie") if h.startswith("prioritise_session=")
            ]
            cookie = session[0].split(";")[0].split("=", 1)[1]
            assert cookie
            end = time.monotonic() + 60
            while time.monotonic() < end:  # both solving before the clock starts
                states = [c.get(f"/api/plans/{p}", headers=auth).json()["status"] for p in plans]
                if all(s == "running" for s in states):
                    break
                time.sleep(0.5)
            assert states == ["running", "running"], states
        paths = [
            "/",
            f"/projects/{project['id']}",
            *(f"/plans/{p}" for p in plans),
            *(f"/plans/{p}/progress?since=running" for p in plans),
            *(f"/api/plans/{p}" for p in plans),
            "/api/projects",
        ]
        results: list[dict[str, list[float]]] = [{} for _ in range(CLIENTS)]
        stop = time.monotonic() + SECONDS
        threads = [
            threading.Thread(
                target=_client_loop,
                args=(srv.url, cookie, token, paths[i % 3 :] + paths[: i % 3], results[i], stop),
            )
            for i in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS + 60)
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            still = [c.get(f"/api/plans/{p}", headers=auth).json()["status"] for p in plans]
    finally:
        srv.stop()
    merged: dict[str, list[float]] = {}
    for r in results:
        for k, v in r.items():
            merged.setdefault(k, []).extend(v)
    everything = [x for v in merged.values() for x in v]
    print(
        f"\n{len(everything)} reads by {CLIENTS} clients in {SECONDS:.0f} s; plans during: {still}"
    )
    print(f"{'path':38} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for k, v in [*sorted(merged.items()), ("all reads", everything)]:
        ms = [statistics.median(v) * 1e3, _p95(v) * 1e3, max(v) * 1e3]
        print(f"{k:38} {len(v):5d} {ms[0]:8.1f} {ms[1]:8.1f} {ms[2]:8.1f}")
    p95 = _p95(everything)
    assert "running" in still  # the solves were going on throughout
    assert p95 < 0.300, f"p95 {p95 * 1e3:.0f} ms"
