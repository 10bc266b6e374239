"""Property tests: random bytes, cells, column orders and missing cells for every reader.

Whatever the input, a reader returns a table or raises ReadError, and the loader returns a
problem or raises ProjectError: no other exception escapes. Random *valid* projects always
give a plan listing every hazard exactly once. The default run keeps the example counts
modest; the ``slow`` run repeats each property with ten times as many (thousands overall).
"""

from __future__ import annotations

import io
import json
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prioritise import plan
from prioritise.core.errors import ProjectError
from prioritise.inputs.loader import load_problem
from prioritise.inputs.readers import ReadError, read_any
from tests.badkit import MINIMAL
from tests.conftest import make_problem

FAST = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))

# Text cells a spreadsheet might hold, good and bad.
NUMBERISH = st.sampled_from(
    ["1", "0", "-1", "1.5", "1,5", "1.234,5", "1e300", "inf", "-Infinity", "NaN", "", " ",
     "2027", "20270000000000000000", "TRUE", "no", "1,234", "0x10", "١٢", "½"]
)  # fmt: skip
TEXTISH = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
CELL = st.one_of(NUMBERISH, TEXTISH)
COLUMNS = [
    *("hazard_id", "province", "impact", "area_m2", "article5", "cost_usd", "days_manual"),
    *("cancel_fraction", "hazard_class", "lock", "lock_year", " Impact ", "HAZARD_ID"),
]


def reads_or_refuses(path: Path) -> None:
    refused: ReadError | None = None
    try:
        frame = read_any(path)
    except ReadError as exc:
        refused = exc
    if refused is not None:
        assert refused.message and refused.fix
        assert len(refused.message) < 2000
        return
    assert isinstance(frame, pd.DataFrame)


def with_file(suffix: str, payload: bytes, check: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"t{suffix}"
        path.write_bytes(payload)
        check(path)


# --- random bytes, every reader ----------------------------------------------------------

BYTES = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=600).map(lambda t: t.encode("utf-8")),
    st.text(max_size=300).map(lambda t: t.encode("utf-16")),
)


def _bytes_property(suffix: str) -> Callable[[bytes], None]:
    def prop(payload: bytes) -> None:
        with_file(suffix, payload, reads_or_refuses)

    return prop


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".geojson"])
@FAST
@given(payload=BYTES)
def test_random_bytes(suffix: str, payload: bytes) -> None:
    _bytes_property(suffix)(payload)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".geojson"])
@SLOW
@given(payload=BYTES)
def test_random_bytes_long(suffix: str, payload: bytes) -> None:
    _bytes_property(suffix)(payload)


# --- random grids of cells, as CSV (any delimiter) and XLSX --------------------------------

GRID = st.tuples(
    st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8),
    st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=6),
    st.sampled_from([",", ";", "\t"]),
)


def _grid_csv(grid: tuple[list[str], list[list[str]], str]) -> bytes:
    header, rows, sep = grid
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return "\n".join(lines).encode("utf-8")


def _grid_xlsx(grid: tuple[list[str], list[list[str]], str]) -> bytes:
    header, rows, _ = grid
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [header, *rows]:
        sheet.append([c if c.isprintable() else repr(c) for c in row])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@FAST
@given(grid=GRID)
def test_random_csv_cells(grid: tuple[list[str], list[list[str]], str]) -> None:
    with_file(".csv", _grid_csv(grid), reads_or_refuses)


@FAST
@given(grid=GRID)
def test_random_xlsx_cells(grid: tuple[list[str], list[list[str]], str]) -> None:
    with_file(".xlsx", _grid_xlsx(grid), reads_or_refuses)


@pytest.mark.slow
@SLOW
@given(grid=GRID)
def test_random_csv_and_xlsx_cells_long(grid: tuple[list[str], list[list[str]], str]) -> None:
    with_file(".csv", _grid_csv(grid), reads_or_refuses)
    with_file(".xlsx", _grid_xlsx(grid), reads_or_refuses)


# --- random GeoJSON documents -------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
FEATURE = st.fixed_dictionaries(
    {
        "type": st.just("Feature"),
        "properties": st.dictionaries(st.sampled_from(COLUMNS), CELL, max_size=5),
        "geometry": st.one_of(
            st.none(),
            st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]},
                      st.floats(-180, 180), st.floats(-90, 90)),
            JSON,
        ),
    }
)  # fmt: skip
GEOJSON = st.one_of(
    JSON,
    st.builds(lambda fs: {"type": "FeatureCollection", "features": fs}, st.lists(FEATURE)),
)


def _geojson_bytes(doc: Any) -> bytes:
    return json.dumps(doc, allow_nan=True).encode()


@FAST
@given(doc=GEOJSON)
def test_random_geojson(doc: Any) -> None:
    with_file(".geojson", _geojson_bytes(doc), reads_or_refuses)


@pytest.mark.slow
@SLOW
@given(doc=GEOJSON)
def test_random_geojson_long(doc: Any) -> None:
    with_file(".geojson", _geojson_bytes(doc), reads_or_refuses)


# --- the whole loader on random hazard tables ---------------------------------------------

BASE = pd.read_csv(MINIMAL / "hazards.csv", dtype=str).head(6)


@st.composite
def hazard_tables(draw: st.DrawFn) -> str:
    """The minimal sample's first rows, with random cells replaced, columns dropped or
    shuffled and a random delimiter."""
    frame = BASE.copy()
    for _ in range(draw(st.integers(0, 6))):
        row = draw(st.integers(0, len(frame) - 1))
        col = draw(st.sampled_from(list(frame.columns)))
        frame.loc[row, col] = draw(CELL)
    keep = draw(st.permutations(list(frame.columns)))
    drop = draw(st.integers(0, 2))
    frame = frame[list(keep)[: len(keep) - drop]]
    sep = draw(st.sampled_from([",", ";", "\t"]))
    return frame.to_csv(index=False, sep=sep)


def loads_or_reports(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("project.toml", "teams.csv", "budget.csv"):
            (folder / name).write_bytes((MINIMAL / name).read_bytes())
        toml = (
            (MINIMAL / "project.toml")
            .read_text()
            .replace('dependencies = "dependencies.csv"\n', "")
        )
        (folder / "project.toml").write_text(toml)
        (folder / "hazards.csv").write_text(text, encoding="utf-8")
        refused: ProjectError | None = None
        try:
            problem = load_problem(folder / "project.toml")
        except ProjectError as exc:
            refused = exc
        if refused is not None:
            assert refused.report.errors or refused.strict
            return
        assert problem.hazards["hazard_id"].is_unique
        numbers = problem.hazards[["impact", "area_m2", "cost_usd"]].to_numpy(float)
        assert all(math.isfinite(v) or math.isnan(v) for v in numbers.ravel())


@FAST
@given(text=hazard_tables())
def test_random_hazard_tables_load_or_report(text: str) -> None:
    loads_or_reports(text)


@pytest.mark.slow
@SLOW
@given(text=hazard_tables())
def test_random_hazard_tables_load_or_report_long(text: str) -> None:
    loads_or_reports(text)


# --- random valid projects: every hazard exactly once -------------------------------------


@st.composite
def valid_hazards(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 7))
    rows = []
    for i in range(n):
        rows.append(
            {
                "hazard_id": f"H{i}",
                "province": draw(st.sampled_from(["North", "South"])),
                "impact": draw(st.floats(0.0, 100.0)),
                "cost_usd": draw(st.floats(1.0, 300.0)),
                "days_manual": draw(st.floats(0.5, 20.0)),
                "article5": draw(st.booleans()),
            }
        )
    order = draw(st.permutations(list(rows[0])))
    return [{k: r[k] for k in order} for r in rows]


def plans_every_hazard_once(rows: list[dict[str, Any]]) -> None:
    result = plan(make_problem(rows), time_limit=10.0)
    ids = result.workplan["hazard_id"]
    assert ids.is_unique
    assert sorted(ids) == sorted(r["hazard_id"] for r in rows)
    assert set(result.workplan["status"]) <= {"scheduled", "unscheduled"}


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=valid_hazards())
def test_random_valid_projects_plan_every_hazard_once(rows: list[dict[str, Any]]) -> None:
    plans_every_hazard_once(rows)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=valid_hazards())
def test_random_valid_projects_plan_every_hazard_once_long(rows: list[dict[str, Any]]) -> None:
    plans_every_hazard_once(rows)
