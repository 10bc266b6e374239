"""Writers for derived access: edges CSV, per-hazard CSV, network GeoJSON, summary JSON.

Every file is written to a temporary file in the output folder and then moved over the
target with :func:`os.replace`, so a reader never sees a half-written file and an
interrupted run leaves the previous outputs intact.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from prioritise.access.routes import AccessResult
from prioritise.core import fmt

EDGES_FILE = "access_edges.csv"
HAZARDS_FILE = "access_hazards.csv"
NETWORK_FILE = "access_network.geojson"
SUMMARY_FILE = "access_summary.json"


def write_access_outputs(result: AccessResult, out_dir: Path) -> list[Path]:
    """Write the derived access files into ``out_dir`` (created if needed).

    - ``access_edges.csv``: hazard_id, requires, reason, route_length_m, detour_factor;
    - ``access_hazards.csv``: one row per hazard with its access status and blockers;
    - ``access_network.geojson``: road segments (EPSG:4326) with segment_id, length_m,
      blocked_by, blocked (true when any hazard blocks it) and connector;
    - ``access_summary.json``: the summary counts and the findings.

    Returns the paths written, in that order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [
        out_dir / EDGES_FILE,
        out_dir / HAZARDS_FILE,
        out_dir / NETWORK_FILE,
        out_dir / SUMMARY_FILE,
    ]

    _atomic(paths[0], lambda f: result.edges.to_csv(f, index=False, lineterminator="\n"))
    _atomic(paths[1], lambda f: result.hazards.to_csv(f, index=False, lineterminator="\n"))

    network = result.network.copy()
    network["blocked"] = network["blocked_by"].astype(str) != ""
    geojson = network.to_json(na="null", drop_id=True)
    _atomic(paths[2], lambda f: f.write(geojson))

    summary = {"summary": result.summary, "findings": [asdict(f) for f in result.findings]}
    text = fmt.dumps(summary) + "\n"
    _atomic(paths[3], lambda f: f.write(text))
    return paths


def _atomic(path: Path, write: Callable[[IO[str]], Any]) -> None:
    """Write through ``write`` to a temporary file next to ``path``, then replace ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
