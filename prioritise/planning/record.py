"""The reproducibility record: which inputs, settings and software produced a plan.

``summary.json`` carries it as ``record``, so anyone holding the outputs can say exactly
what they came from, and ``prioritise rerun DIR`` can plan again from it (refusing when an
input's hash no longer matches). Input paths are relative to the project TOML's folder, so
a project folder copied elsewhere still matches its record.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import platform
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from models.solvers import SolverOptions
from prioritise import __version__
from prioritise.core.problem import Problem
from prioritise.core.settings import Settings

# The adapter fixes HiGHS's random_seed (models/solvers.py); CBC runs with its default.
SOLVER_SEED = 0
LIBRARIES = (
    "highspy",
    "pulp",
    "numpy",
    "pandas",
    "networkx",
    "shapely",
    "pyproj",
    "geopandas",
    "pyogrio",
    "openpyxl",
)
# Shapefile parts read together with the .shp (a changed .dbf changes the attributes).
SIDECARS = (".shx", ".dbf", ".prj", ".cpg")
DATA_KEYS = ("hazards", "teams", "budget", "dependencies", "locks", "provinces", "roads", "bases")


def input_files(settings: Settings, source: Path | None) -> list[Path]:
    """Every file a project reads: the TOML, its [data] files and their shapefile parts."""
    files = [source] if source is not None else []
    for key in DATA_KEYS:
        path = getattr(settings.data, key, None)
        if path is None:
            continue
        path = Path(path)
        files.append(path)
        if path.suffix.lower() == ".shp":
            files += [path.with_suffix(s) for s in SIDECARS if path.with_suffix(s).exists()]
    return files


def sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _sha256(path: str, _mtime_ns: int, _size: int) -> str:
    """Cached on (path, mtime, size): scenario batches plan the same inputs many times."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def relative(path: Path, root: Path) -> str:
    """``path`` relative to the project folder (POSIX), or absolute when outside it."""
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()


def hashed_inputs(settings: Settings, source: Path | None) -> list[dict[str, str]]:
    root = source.parent if source is not None else Path(settings.root)
    return [
        {"path": relative(p, root), "sha256": sha256(p)}
        for p in input_files(settings, source)
        if p.exists()
    ]


def plain(value: Any, root: Path) -> Any:
    """Settings as JSON-ready data (paths relative to the project folder)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name), root) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):  # a pydantic model
        return plain(value.model_dump(), root)
    if isinstance(value, Path):
        return relative(value, root)
    if isinstance(value, Mapping):
        return {str(k): plain(v, root) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v, root) for v in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


@cache
def versions() -> dict[str, str | None]:
    """The engine, Python and the key libraries (None: not installed)."""
    out: dict[str, str | None] = {"prioritise": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def build_record(
    problem: Problem, options: SolverOptions, overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """What ``summary.json``'s ``record`` holds for a plan of ``problem``."""
    source = problem.source
    root = source.parent if source is not None else Path(problem.settings.root)
    return {
        "project_file": source.as_posix() if source is not None else None,
        "inputs": hashed_inputs(problem.settings, source),
        "settings": plain(problem.settings, root),
        "overrides": {k: v for k, v in overrides.items() if v is not None},
        "seed": SOLVER_SEED,
        "solver": {
            "name": options.name,
            "version": versions().get("highspy" if options.name == "highs" else "pulp"),
            "time_limit": options.time_limit,
            "gap": options.gap,
            "threads": options.threads,
        },
        "versions": versions(),
        "machine": {
            "cpu_count": os.cpu_count(),
            "threads_requested": options.threads or None,
            "platform": platform.platform(),
        },
    }


def input_differences(record: Mapping[str, Any], project_file: Path) -> list[str]:
    """How the inputs on disk differ from a record's (empty: every hash matches)."""
    root = project_file.resolve().parent
    out = []
    for item in record.get("inputs", []):
        path = root / item["path"]
        if not path.exists():
            out.append(f"{item['path']}: missing (it was read for the recorded plan)")
            continue
        now = sha256(path)
        if now != item["sha256"]:
            out.append(
                f"{item['path']}: changed (sha256 {item['sha256'][:12]}... when planned, "
                f"{now[:12]}... now)"
            )
    return out


def version_differences(record: Mapping[str, Any]) -> list[str]:
    """Software that differs from the record's (a rerun may then differ for that reason)."""
    then = record.get("versions", {})
    now = versions()
    return [
        f"{name} {then.get(name)} when planned, {now.get(name)} now"
        for name in sorted(set(then) | set(now))
        if then.get(name) != now.get(name)
    ]
