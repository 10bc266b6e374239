"""Shared tools of the tests/test_bad_*.py modules: a throw-away project, an in-process CLI
run, and the checks every bad-input case makes (exit code, no traceback, culprit named,
inputs byte-identical, --out holding nothing new or one complete run)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from prioritise.cli.main import main
from tests.conftest import SAMPLES

MINIMAL = SAMPLES / "minimal"
# A bounded message: even 10 MB of garbage must not produce more than this.
MAX_MESSAGE = 4000


@dataclass
class Run:
    code: int
    out: str
    err: str


def project(tmp_path: Path, **files: str | bytes) -> Path:
    """The minimal sample copied to tmp_path/project, with ``files`` replaced (name -> text
    or bytes; ``project_toml`` for project.toml). Returns the project TOML path."""
    folder = tmp_path / "project"
    shutil.copytree(MINIMAL, folder)
    for name, content in files.items():
        target = folder / ("project.toml" if name == "project_toml" else name)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder / "project.toml"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to prove inputs are untouched)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    """The CLI in-process; argparse's own exits (code 2) come back as a Run too."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def assert_refused(result: Run, code: int, *culprits: str) -> None:
    """Exit ``code``, no traceback, every culprit named, a bounded message."""
    text = result.out + result.err
    assert result.code == code, text[-3000:]
    assert "Traceback" not in text
    assert "Internal error" not in text
    for culprit in culprits:
        assert culprit in text, f"{culprit!r} not in:\n{text[-3000:]}"
    assert len(result.err) < MAX_MESSAGE, f"message of {len(result.err)} characters"


def assert_no_run(parent: Path, out_name: str) -> None:
    """``--out`` was not created and no unfinished run folder is left beside it."""
    assert not (parent / out_name).exists()
    assert not [p for p in parent.iterdir() if p.name.startswith(f".{out_name}.")]
