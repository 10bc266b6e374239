"""Settings of one workspace server: where it keeps its files and what it accepts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class AppConfig:
    """One workspace folder holds the SQLite database (unless ``database_url`` says otherwise)
    and every uploaded file and plan output, per project and per plan."""

    workspace: Path
    database_url: str | None = None
    scheduler: str | None = None  # a Dask scheduler address; None: local worker processes
    workers: int = 2  # local worker processes for plans
    max_upload_bytes: int = 200 * MB  # one request's body
    max_unzipped_bytes: int = 1024 * MB  # everything a zip expands to
    max_zip_entries: int = 2000
    max_zip_ratio: float = 200.0  # uncompressed / compressed size of one entry
    login_failures: int = 5  # failed logins allowed per name and per address ...
    login_window_s: float = 600.0  # ... within this many seconds
    session_hours: float = 12.0
    secure_cookies: bool = True  # False only for plain http beyond this machine

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.workspace / 'workspace.db').resolve()}"

    @property
    def projects_dir(self) -> Path:
        return self.workspace / "projects"

    @property
    def plans_dir(self) -> Path:
        return self.workspace / "plans"
