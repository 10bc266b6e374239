"""Reading input tables from CSV, Excel and vector files, and coercing them to the schema.

Everything is read as found and then coerced column by column, so one bad cell produces a
finding that names the file, the rows and the column instead of a parser traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from prioritise.core.errors import Finding, error
from prioritise.core.schema import Column

VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".gdb", ".zip", ".fgb"}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}

TRUE_WORDS = {"true", "t", "yes", "y", "1", "1.0"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "0.0", ""}


def is_vector(path: Path) -> bool:
    return path.suffix.lower() in VECTOR_SUFFIXES or path.is_dir()


def read_any(path: Path, layer: str | None = None) -> pd.DataFrame:
    """Read a table or a vector layer; vector files come back as GeoDataFrames."""
    suffix = path.suffix.lower()
    if is_vector(path):
        import geopandas as gpd

        kwargs = {"layer": layer} if layer else {}
        return gpd.read_file(path, engine="pyogrio", **kwargs)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(path, sheet_name=layer or 0, dtype=object)
    # Read as text so that ids like "007" keep their zeros and bad numbers can be reported.
    return pd.read_csv(
        path, dtype=str, keep_default_na=False, na_values=[""], skipinitialspace=True
    )


def apply_column_map(
    frame: pd.DataFrame, mapping: Mapping[str, str], schema: Sequence[Column]
) -> pd.DataFrame:
    """Rename columns by the project's [columns] map, then match schema names ignoring case.

    Shapefile exports truncate and recapitalise field names (``Province``, ``Hazard_Typ``);
    the explicit map handles truncation and the case-insensitive pass handles the rest.
    """
    renamed = frame.rename(columns=dict(mapping))
    wanted = {c.name.lower(): c.name for c in schema}
    by_case = {
        col: wanted[col.lower()]
        for col in renamed.columns
        if isinstance(col, str)
        and col.lower() in wanted
        and col not in wanted.values()
        and wanted[col.lower()] not in renamed.columns
    }
    renamed = renamed.rename(columns=by_case)
    # Strip surrounding spaces in header names, a common spreadsheet artefact.
    return renamed.rename(columns=lambda c: c.strip() if isinstance(c, str) else c)


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype(str).str.strip() == "")


def coerce_column(series: pd.Series, dtype: str) -> tuple[pd.Series, pd.Series]:
    """Convert a column to a schema type; return the values and a mask of unreadable cells."""
    blank = _blank(series)
    if dtype == "str":
        out = series.astype(object).where(~blank, None)
        out = out.map(lambda v: v if v is None else _id_text(v))
        return out, pd.Series(False, index=series.index)
    if dtype in ("float", "int"):
        values = pd.to_numeric(series.where(~blank), errors="coerce")
        bad = ~blank & values.isna()
        if dtype == "int":
            bad |= values.notna() & (values != np.round(values))
        return values.astype(float), bad
    if dtype == "bool":
        text = series.astype(str).str.strip().str.lower()
        truthy = text.isin(TRUE_WORDS)
        falsy = text.isin(FALSE_WORDS) | blank
        bad = ~(truthy | falsy)
        return truthy.astype(bool), bad
    raise ValueError(f"unknown schema dtype {dtype}")


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
    missing = [c.name for c in schema if c.required and c.name not in out.columns]
    if missing:
        findings.append(
            error(
                file,
                "missing-column",
                f"Required column(s) missing: {', '.join(missing)}.",
                f"Add the column(s), or map your names in the project's [columns] section "
                f"(found: {', '.join(str(c) for c in frame.columns if c != 'geometry')}).",
            )
        )
    ids = out[id_column] if id_column and id_column in out.columns else None
    for col in schema:
        if col.name not in out.columns:
            out[col.name] = col.default if col.default is not None else np.nan
            if col.dtype == "str" and col.default is None:
                out[col.name] = None
            continue
        values, bad = coerce_column(out[col.name], col.dtype)
        if bad.any():
            where = row_labels(ids, bad)
            findings.append(
                error(
                    file,
                    "bad-value",
                    f"Column '{col.name}' must be {col.dtype} ({col.unit or 'no unit'}); "
                    f"{int(bad.sum())} value(s) are not, e.g. {out.loc[bad, col.name].iloc[0]!r}.",
                    "Correct or blank the listed rows.",
                    where,
                )
            )
        if col.default is not None and col.dtype != "bool":
            values = values.where(values.notna(), col.default)
            if col.dtype == "str":
                default = col.default
                values = values.map(lambda v, d=default: d if v is None else v)
        out[col.name] = values
    return out, findings


def row_labels(ids: pd.Series | None, mask: pd.Series) -> list[str]:
    """Ids of the masked rows, or 'row N' (1-based, header excluded) when ids are unknown."""
    if ids is not None:
        return [
            str(v) if v is not None and str(v) != "nan" else f"row {i + 2}"
            for i, v in zip(np.flatnonzero(mask.to_numpy()), ids[mask], strict=True)
        ]
    return [f"row {i + 2}" for i in np.flatnonzero(mask.to_numpy())]
