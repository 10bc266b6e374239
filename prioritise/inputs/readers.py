"""Reading input tables from CSV, Excel and vector files, and coercing them to the schema.

Everything is read as found and then coerced column by column, so one bad cell produces a
finding that names the file, the rows and the column instead of a parser traceback. A file
that cannot be read at all raises :class:`~prioritise.inputs.textfiles.ReadError` with the
reason and the fix (the loader turns it into a finding); nothing else escapes a reader.

Numbers must be finite and within :data:`MAX_ABS` (``inf``, ``Infinity`` and ``1e300`` broke
the objective); whole-number and year columns follow :mod:`prioritise.core.limits`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from prioritise.core.errors import Finding, error
from prioritise.core.limits import MAX_YEAR, MIN_YEAR, shorten
from prioritise.core.schema import Column
from prioritise.inputs.geometry import check_shapefile_parts
from prioritise.inputs.textfiles import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_TEXT_BYTES,
    SETTING,
    ReadError,
    decode,
    from_decimal_comma,
    header_cells,
    is_decimal_comma_column,
    sniff,
)

VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".gdb", ".zip", ".fgb"}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}

TRUE_WORDS = {"true", "t", "yes", "y", "1", "1.0"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "0.0", ""}

# No quantity in a clearance inventory comes near this; above it sums overflow the solver.
MAX_ABS = 1e15
# 1,234 or 12,345,678: a thousands separator as much as a decimal comma, so never guessed.
THOUSANDS_LIKE = re.compile(r"^\s*[-+]?\d{1,3}(,\d{3})+\s*$")
# Columns holding calendar years, checked against MIN_YEAR..MAX_YEAR.
YEAR_COLUMNS = {"year", "lock_year"}

__all__ = ["ReadError", "apply_column_map", "coerce_column", "coerce_table", "read_any"]


def is_vector(path: Path) -> bool:
    return path.suffix.lower() in VECTOR_SUFFIXES or path.is_dir()


def read_any(
    path: Path, layer: str | None = None, options: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Read a table or a vector layer; vector files come back as GeoDataFrames.

    ``options`` holds the ``[data] csv`` options (delimiter, decimal, encoding) for text tables.
    Raises ReadError (never a parser's own exception) when the file is not a table.
    """
    if not path.exists():
        raise ReadError(f"{path} does not exist.", "Check the path in the project's [data].")
    if path.is_file() and path.stat().st_size > MAX_BYTES:
        raise ReadError(
            f"{path.name} is {path.stat().st_size / 2**30:.1f} GiB; no input table is that big.",
            "Check it is the right file.",
            "not-a-table",
        )
    suffix = path.suffix.lower()
    if is_vector(path):
        return _read_vector(path, layer)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _read_excel(path, layer)
    return read_csv_text(path, options or {})


def read_csv_text(path: Path, options: Mapping[str, str]) -> pd.DataFrame:
    """A text table in any common locale, every cell as text (ids keep leading zeros)."""
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise ReadError(
            f"{path.name} is {path.stat().st_size / 2**20:,.0f} MiB; no input table is that big.",
            "Check it is the right file (or give a GeoPackage for very large layers).",
            "not-a-table",
        )
    raw = path.read_bytes()
    text, encoding = decode(path, raw, options.get("encoding"))
    if not text.strip():
        raise ReadError(f"{path.name} is empty.", "Give a table with a header row.", "empty-file")
    dialect = sniff(path, text, options)
    _check_header(path, header_cells(path, text, dialect.delimiter))
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=dialect.delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        raise ReadError(
            f"{path.name} cannot be read as a table with delimiter {dialect.delimiter!r} "
            f"({shorten(str(exc), 200)}).",
            f"Check the row named; if the delimiter is wrong, {SETTING}.",
            "not-a-table",
        ) from None
    frame.attrs["decimal"] = dialect.decimal
    frame.attrs["encoding"] = encoding
    frame.attrs["delimiter"] = dialect.delimiter
    return frame


def _check_header(path: Path, names: Sequence[object]) -> None:
    """Refuse repeated column names (pandas would silently rename one ``impact.1``)."""
    if len(names) > MAX_COLUMNS:
        raise ReadError(
            f"{path.name}: the header has {len(names):,} columns; no input table has that many.",
            "Check it is the right file.",
            "not-a-table",
        )
    seen: dict[str, str] = {}
    repeated: list[str] = []
    for name in names:
        key = str(name).strip().lower()
        if key and key in seen and key not in [r.lower() for r in repeated]:
            repeated.append(str(name).strip())
        seen.setdefault(key, str(name))
    if repeated:
        raise ReadError(
            f"{path.name}: column header(s) repeated: "
            f"{', '.join(shorten(r, 40) for r in repeated[:5])}"
            + (f" and {len(repeated) - 5} more" if len(repeated) > 5 else "")
            + " (names are compared ignoring case and surrounding spaces).",
            "Keep one column of each name; rename or delete the copy.",
            "duplicate-column",
        )


def _read_excel(path: Path, layer: str | None) -> pd.DataFrame:
    try:
        raw = pd.read_excel(path, sheet_name=layer or 0, dtype=object, header=None)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise ReadError(
            f"{path.name} cannot be opened as an Excel workbook "
            f"({type(exc).__name__}: {shorten(str(exc), 160)}).",
            "Open it in a spreadsheet and save it again as .xlsx, or export it as CSV.",
            "unreadable-file",
        ) from None
    if raw.empty:
        raise ReadError(f"{path.name} has an empty sheet.", "Give a header row.", "empty-file")
    header = [
        "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
        for v in raw.iloc[0]
    ]
    _check_header(path, [h for h in header if h])
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = pd.Index([h or f"column {i + 1}" for i, h in enumerate(header)], dtype=object)
    return body


def _read_vector(path: Path, layer: str | None) -> pd.DataFrame:
    import geopandas as gpd

    check_shapefile_parts(path)
    kwargs = {"layer": layer} if layer else {}
    try:
        frame = gpd.read_file(path, engine="pyogrio", **kwargs)
    except Exception as exc:  # pyogrio's errors are many and change between versions
        raise ReadError(
            f"{path.name} cannot be read as a GIS layer ({shorten(str(exc), 200)}).",
            "Check it opens in QGIS; give GeoPackage, GeoJSON or a shapefile with its parts.",
            "unreadable-file",
        ) from None
    _check_header(path, [c for c in frame.columns if c != "geometry"])
    return frame


def column_map_findings(
    frame: pd.DataFrame, mapping: Mapping[str, str], file: str
) -> list[Finding]:
    """A ``[columns]`` entry whose target column already exists would make two columns of
    one name (a crash later): name it."""
    present = {str(c).strip().lower() for c in frame.columns}
    clashes = [
        f"{src} -> {dst}"
        for src, dst in mapping.items()
        if src.strip().lower() in present
        and dst.strip().lower() in present
        and src.strip().lower() != dst.strip().lower()
    ]
    if not clashes:
        return []
    return [
        error(
            file,
            "column-map-clash",
            f"[columns] maps onto column(s) the file already has: {', '.join(clashes[:5])}.",
            "Drop the mapping or rename/delete the existing column, so one column remains.",
        )
    ]


def apply_column_map(
    frame: pd.DataFrame, mapping: Mapping[str, str], schema: Sequence[Column]
) -> pd.DataFrame:
    """Strip header spaces, rename by the project's [columns] map, then match schema names
    ignoring case (` Hazard_ID ` -> `hazard_id`: both quirks at once).

    Shapefile exports truncate and recapitalise field names (``Province``, ``Hazard_Typ``);
    the explicit map handles truncation and the case-insensitive pass handles the rest. A map
    onto an existing column is skipped here (``column_map_findings`` reports it).
    """
    stripped = frame.rename(columns=lambda c: c.strip() if isinstance(c, str) else c)
    existing = {str(c).lower() for c in stripped.columns}
    by_map = {
        col: mapping[key]
        for col in stripped.columns
        if isinstance(col, str)
        for key in mapping
        if key.strip().lower() == col.lower()
        and (mapping[key].strip().lower() not in existing or mapping[key].lower() == col.lower())
    }
    renamed = stripped.rename(columns=by_map)
    wanted = {c.name.lower(): c.name for c in schema}
    by_case = {
        col: wanted[col.lower()]
        for col in renamed.columns
        if isinstance(col, str)
        and col.lower() in wanted
        and col not in wanted.values()
        and wanted[col.lower()] not in renamed.columns
    }
    out = renamed.rename(columns=by_case)
    out.attrs.update(frame.attrs)
    return out


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype(str).str.strip() == "")


def coerce_column(
    series: pd.Series, dtype: str, decimal: str = "auto"
) -> tuple[pd.Series, pd.Series]:
    """Convert a column to a schema type; return the values and a mask of unreadable cells.

    Numbers must be finite with ``|x| <= MAX_ABS``; ``decimal`` is "," to read every cell
    with a decimal comma, "auto" to do so when the whole column is written that way.
    """
    blank = _blank(series)
    if dtype == "str":
        out = series.astype(object).where(~blank, None)
        out = out.map(lambda v: v if v is None else _id_text(v))
        return out, pd.Series(False, index=series.index)
    if dtype in ("float", "int"):
        return _numbers(series, blank, dtype, decimal)
    if dtype == "bool":
        text = series.astype(str).str.strip().str.lower()
        truthy = text.isin(TRUE_WORDS)
        falsy = text.isin(FALSE_WORDS) | blank
        bad = ~(truthy | falsy)
        return truthy.astype(bool), bad
    raise ValueError(f"unknown schema dtype {dtype}")


def _numbers(
    series: pd.Series, blank: pd.Series, dtype: str, decimal: str
) -> tuple[pd.Series, pd.Series]:
    source = series.where(~blank)
    if decimal in (",", "auto") and source.map(type).eq(str).any():
        cells = [c for c in source.dropna().astype(str) if not c.strip().lstrip("+-").isdigit()]
        ambiguous = all(THOUSANDS_LIKE.match(c) for c in cells)
        if decimal == "," or (not ambiguous and is_decimal_comma_column(cells)):
            source = source.map(lambda v: from_decimal_comma(v) if isinstance(v, str) else v)
    values = pd.to_numeric(source, errors="coerce").astype(float)
    bad = ~blank & (values.isna() | ~np.isfinite(values.fillna(0.0)))
    bad |= values.abs() > MAX_ABS
    if dtype == "int":
        bad |= values.notna() & np.isfinite(values.fillna(0.0)) & (values != np.round(values))
    values = values.where(~bad)
    return values, bad


def _id_text(value: object) -> str:
    """Text of an id or label; a float id read from Excel (12.0) becomes '12'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def coerce_table(
    frame: pd.DataFrame, schema: Sequence[Column], file: str, id_column: str | None = None
) -> tuple[pd.DataFrame, list[Finding]]:
    """Check required columns, fill defaults and coerce types; report every bad cell."""
    findings: list[Finding] = []
    out = frame.copy()
    decimal = str(frame.attrs.get("decimal", "auto"))
    missing = [c.name for c in schema if c.required and c.name not in out.columns]
    if missing:
        findings.append(_missing_columns(frame, missing, file))
    ids = out[id_column] if id_column and id_column in out.columns else None
    for col in schema:
        if col.name not in out.columns:
            out[col.name] = col.default if col.default is not None else np.nan
            if col.dtype == "str" and col.default is None:
                out[col.name] = None
            continue
        values, bad = coerce_column(out[col.name], col.dtype, decimal)
        if col.name in YEAR_COLUMNS:
            bad |= values.notna() & ((values < MIN_YEAR) | (values > MAX_YEAR))
        if bad.any():
            findings.append(_bad_cells(out, col, bad, ids, file, decimal))
        if col.default is not None and col.dtype != "bool":
            values = values.where(values.notna(), col.default)
            if col.dtype == "str":
                default = col.default
                values = values.map(lambda v, d=default: d if v is None else v)
        out[col.name] = values
    return out, findings


def _missing_columns(frame: pd.DataFrame, missing: list[str], file: str) -> Finding:
    found = [str(c) for c in frame.columns if c != "geometry"]
    delimiter = frame.attrs.get("delimiter")
    hint = ""
    if len(found) == 1 and any(d in found[0] for d in ",;\t"):
        hint = f" The header reads as one column: the delimiter is not the one used; {SETTING}."
    shown = ", ".join(shorten(c, 40) for c in found[:12])
    more = f" and {len(found) - 12} more" if len(found) > 12 else ""
    return error(
        file,
        "missing-column",
        f"Required column(s) missing: {', '.join(missing)}."
        + (f" (read with delimiter {delimiter!r})" if delimiter else ""),
        f"Add the column(s), or map your names in the project's [columns] section "
        f"(found: {shown}{more}).{hint}",
    )


def _bad_cells(
    out: pd.DataFrame,
    col: Column,
    bad: pd.Series,
    ids: pd.Series | None,
    file: str,
    decimal: str,
) -> Finding:
    example = out.loc[bad, col.name].iloc[0]
    rule = {
        "float": f"a finite number (at most {MAX_ABS:.0e} in size)",
        "int": "a whole number",
    }.get(col.dtype, col.dtype)
    if col.name in YEAR_COLUMNS:
        rule = f"a year in {MIN_YEAR}..{MAX_YEAR}"
    fix = "Correct or blank the listed rows."
    if isinstance(example, str) and "," in example and decimal == ".":
        fix += f" If the file uses decimal commas, {SETTING}."
    return error(
        file,
        "bad-value",
        f"Column '{col.name}' must be {rule} ({col.unit or 'no unit'}); "
        f"{int(bad.sum())} value(s) are not, e.g. {shorten(str(example), 40)!r}.",
        fix,
        row_labels(ids, bad),
    )


def row_labels(ids: pd.Series | None, mask: pd.Series) -> list[str]:
    """Ids of the masked rows, or 'row N' (1-based, header excluded) when ids are unknown."""
    if ids is not None:
        return [
            shorten(str(v), 40) if v is not None and str(v) != "nan" else f"row {i + 2}"
            for i, v in zip(np.flatnonzero(mask.to_numpy()), ids[mask], strict=True)
        ]
    return [f"row {i + 2}" for i in np.flatnonzero(mask.to_numpy())]
