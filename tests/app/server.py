"""A real ``prioritise serve`` in a subprocess on 127.0.0.1, for browser, restart and load
tests: the same command a user runs, with its worker processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.app.conftest import PASSWORD, REPO, ROLES


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_cli_users(workspace: Path, roles: tuple[str, ...] = ROLES) -> None:
    for role in roles:
        subprocess.run(
            [
                sys.executable,
                "cli.py",
                "users",
                "add",
                role,
                "--role",
                role,
                "--password-stdin",
                "--workspace",
                str(workspace),
            ],
            input=PASSWORD + "\n",
            text=True,
            cwd=REPO,
            check=True,
            capture_output=True,
        )


class Server:
    """Start, wait for health, stop (SIGINT: uvicorn's graceful stop, as Ctrl+C)."""

    def __init__(self, workspace: Path, workers: int = 1, log: Path | None = None):
        self.workspace = workspace
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or workspace.parent / f"server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> Server:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "cli.py",
                "serve",
                "--workspace",
                str(self.workspace),
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            cwd=REPO,
            stdout=out,
            stderr=out,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self, timeout: float = 30) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
