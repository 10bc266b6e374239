"""Text tables as spreadsheets save them in any locale: encoding, delimiter, decimal mark.

Excel writes ``;``-separated files with decimal commas where the comma is the decimal mark,
Windows-1252 text by default, and UTF-16 for "Unicode text". Each is detected here (BOMs, a
strict UTF-8 try, then ``charset-normalizer``; ``csv.Sniffer`` over the first lines; a
column-wise test for decimal commas), or named in ``[data] csv = { ... }`` when detection
cannot be sure. Garbage is refused early and cheaply: a file whose first line is longer than
:data:`MAX_LINE` characters, with more than :data:`MAX_COLUMNS` columns, or with NUL bytes
outside UTF-16, is not read further.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from prioritise.core.limits import shorten

SAMPLE_BYTES = 64 * 1024
MAX_LINE = 100_000  # characters in one header line
MAX_COLUMNS = 2_000
MAX_BYTES = 1 << 30  # 1 GiB: far above any real inventory or road layer
MAX_TEXT_BYTES = 256 << 20  # a text table is read whole: 50,000 hazards take about 15 MB
DELIMITERS = ",;\t|"

SETTING = 'set [data] csv = { delimiter = ";", decimal = ",", encoding = "cp1252" } as needed'

# 1.234,5 or 1234,5 or -0,25 (a decimal comma, optional dot thousands).
DECIMAL_COMMA = re.compile(r"^\s*[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+\s*$")


class ReadError(Exception):
    """A file that cannot be read as a table: ``message`` says why, ``fix`` what to do."""

    def __init__(self, message: str, fix: str, rule: str = "unreadable-file"):
        super().__init__(message)
        self.message, self.fix, self.rule = message, fix, rule


@dataclass(frozen=True)
class Dialect:
    """How one text file was read, for messages and for ``decimal`` handling."""

    encoding: str
    delimiter: str
    decimal: str  # "." or "," ("auto": decide per column)


# Encodings read from the bytes with confidence; any other was a guess (and is warned about).
CERTAIN = {"utf-8", "utf-8-sig", "utf-16"}


def decode(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    """The text of ``raw`` and the encoding used (BOM, UTF-8, else the best guess)."""
    if encoding:
        try:
            codecs.lookup(encoding)
            return raw.decode(encoding), "utf-8"  # as the project says: nothing to warn about
        except LookupError:
            raise ReadError(
                f"[data] csv encoding {encoding!r} is not a known encoding.",
                "Use e.g. utf-8, cp1252, latin-1 or utf-16.",
                "toml-csv",
            ) from None
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"{path.name} is not {encoding} text (byte {exc.start}).",
                f"Save it as UTF-8, or {SETTING}.",
            ) from None
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if raw.startswith(bom):
            return _strict(path, raw, name), name
    if b"\x00" in raw[:SAMPLE_BYTES]:
        raise ReadError(
            f"{path.name} holds binary data (NUL bytes): it is not a text table.",
            "Export the table as CSV (or give the .xlsx file itself).",
        )
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _guess(path, raw)


def _strict(path: Path, raw: bytes, name: str) -> str:
    try:
        return raw.decode(name)
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{path.name} starts like {name} text but byte {exc.start} is not.",
            f"Save it again as UTF-8, or {SETTING}.",
        ) from None


def _guess(path: Path, raw: bytes) -> tuple[str, str]:
    """Not UTF-8. Windows-1252 first: it is what Excel saves in every Latin-script locale and
    decodes almost any byte string, while statistical detection on a few accented letters in
    a mostly-ASCII table picks exotic code pages (mac_iceland, hp_roman8). When cp1252 cannot
    decode, charset-normalizer decides, preferring another Windows code page. The loader
    warns that the encoding was assumed, naming the setting that fixes it."""
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    found = [r.encoding for r in from_bytes(raw[: 4 * SAMPLE_BYTES])]
    ordered = sorted(found, key=lambda e: not e.startswith("cp125"))
    for candidate in (*ordered, "latin-1"):
        try:
            return raw.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    raise ReadError(  # latin-1 decodes every byte, so this is only a guard
        f"{path.name}: cannot tell its text encoding.", f"Save it as UTF-8, or {SETTING}."
    )


def sniff(path: Path, text: str, options: Mapping[str, str]) -> Dialect:
    """Encoding is known; find the delimiter and decimal mark (or take them from options)."""
    first = text.split("\n", 1)[0]
    if len(first) > MAX_LINE:
        raise ReadError(
            f"{path.name}: the first line is {len(first):,} characters long; it is not a "
            "table with a header row.",
            "Give a CSV file with one header row and one row per record.",
            "not-a-table",
        )
    delimiter = options.get("delimiter") or _delimiter(text)
    if len(delimiter) != 1:
        raise ReadError(
            f"[data] csv delimiter {delimiter!r} must be one character.",
            'e.g. delimiter = ";"',
            "toml-csv",
        )
    n_cols = first.count(delimiter) + 1
    if n_cols > MAX_COLUMNS:
        raise ReadError(
            f"{path.name}: the header has {n_cols:,} columns; no input table has that many.",
            f"Check the file is the right one and its delimiter ({SETTING}).",
            "not-a-table",
        )
    decimal = options.get("decimal") or ("auto" if delimiter != "," else ".")
    if decimal not in (".", ",", "auto"):
        raise ReadError(
            f"[data] csv decimal {decimal!r} must be '.' or ','.", 'e.g. decimal = ","', "toml-csv"
        )
    return Dialect("", delimiter, decimal)


def _delimiter(text: str) -> str:
    """The delimiter the first lines agree on (csv.Sniffer, then the header's most common)."""
    sample = "\n".join(text[:SAMPLE_BYTES].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.split("\n", 1)[0]
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] > 0 else ","


def is_decimal_comma_column(values: list[str]) -> bool:
    """True when every non-blank cell reads as a number with a decimal comma."""
    filled = [v for v in values if v and v.strip()]
    return bool(filled) and all(DECIMAL_COMMA.match(v) for v in filled)


def from_decimal_comma(value: str) -> str:
    """``1.234,5`` -> ``1234.5`` (only called on cells :data:`DECIMAL_COMMA` matched)."""
    return value.strip().replace(".", "").replace(",", ".")


def header_cells(path: Path, text: str, delimiter: str) -> list[str]:
    """The header row, split as the csv module does (for duplicate-name checks)."""
    first = text.split("\n", 1)[0].rstrip("\r")
    try:
        return next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration):
        raise ReadError(
            f"{path.name}: the header row cannot be split ({shorten(first)!r}).",
            "Check the quotes in the first line.",
        ) from None
