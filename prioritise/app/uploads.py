"""Storing uploaded files safely: clean names, nothing outside the project folder, zips
expanded under limits (entries, total size, compression ratio) so a zip bomb is refused
before it is written.
"""

from __future__ import annotations

import re
import shutil
import stat
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()+-]")
CHUNK = 1024 * 1024


class UploadError(ValueError):
    """An upload refused as a whole, with the reason a user can act on."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ZipLimits:
    max_bytes: int
    max_entries: int
    max_ratio: float


def clean_part(part: str) -> str:
    """One path component reduced to safe characters; '' for '.', '..' and empties."""
    text = unicodedata.normalize("NFKC", part).replace("\x00", "")
    text = _UNSAFE.sub("_", text).strip(" .")
    return "" if text in ("", ".", "..") else text[:120]


def clean_path(name: str) -> PurePosixPath:
    """A relative path with every component cleaned (backslashes are separators too).

    Absolute paths, drive letters and '..' never survive: '../../etc/passwd' becomes
    'etc/passwd', inside the project folder.
    """
    raw = [p for p in re.split(r"[\\/]+", name) if not re.fullmatch(r"[A-Za-z]:", p)]
    parts = [c for c in (clean_part(p) for p in raw) if c]
    if not parts:
        raise UploadError(f"The file name {name!r} has no usable characters.")
    return PurePosixPath(*parts[-8:])


def inside(root: Path, rel: PurePosixPath) -> Path:
    """``root / rel``, checked to stay inside ``root`` after resolving."""
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()):
        raise UploadError(f"The name {str(rel)!r} points outside the project folder.")
    return target


def save_stream(root: Path, name: str, stream: BinaryIO, limit: int) -> Path:
    """Write one uploaded file under ``root``; refuse it past ``limit`` bytes (413)."""
    target = inside(root, clean_path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(CHUNK):
            written += len(chunk)
            if written > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise UploadError(f"{name} is larger than the upload limit.", status=413)
            out.write(chunk)
    return target


def _check_zip(zf: zipfile.ZipFile, limits: ZipLimits) -> list[tuple[zipfile.ZipInfo, str]]:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise UploadError(f"The zip has {len(infos)} entries; at most {limits.max_entries}.")
    total = 0
    kept = []
    for info in infos:
        if info.is_dir() or info.filename.startswith("__MACOSX/"):
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UploadError(f"The zip entry {info.filename!r} is a symbolic link.")
        total += info.file_size
        if total > limits.max_bytes:
            raise UploadError("The zip expands beyond the size limit.", status=413)
        if info.file_size > limits.max_ratio * max(info.compress_size, 1024):
            raise UploadError(
                f"The zip entry {info.filename!r} is compressed {info.file_size} : "
                f"{info.compress_size}; such ratios are refused (zip bomb guard).",
                status=413,
            )
        kept.append((info, info.filename))
    return kept


def extract_zip(root: Path, archive: Path, limits: ZipLimits) -> list[Path]:
    """Expand a zip under ``root`` with cleaned names; declared sizes are checked first and
    the bytes actually written are counted too (a zip can lie about its sizes)."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise UploadError(f"{archive.name} is not a readable zip file ({exc}).") from None
    out: list[Path] = []
    budget = limits.max_bytes
    with zf:
        for info, name in _check_zip(zf, limits):
            target = inside(root, clean_path(name))
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, target.open("wb") as dst:
                while chunk := src.read(CHUNK):
                    budget -= len(chunk)
                    if budget < 0:
                        raise UploadError("The zip expands beyond the size limit.", status=413)
                    dst.write(chunk)
            out.append(target)
    return out


def single_top_folder(root: Path) -> Path:
    """A zip often holds one folder with everything in it: plan from inside it."""
    entries = [p for p in root.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return root


def store_files(
    root: Path, files: Iterable[tuple[str, BinaryIO]], per_file: int, limits: ZipLimits
) -> list[Path]:
    """Save every upload under ``root``; zips are expanded (and the archive removed)."""
    root.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    try:
        for name, stream in files:
            path = save_stream(root, name, stream, per_file)
            if path.suffix.lower() == ".zip":
                saved.extend(extract_zip(root, path, limits))
                path.unlink()
            else:
                saved.append(path)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    if not saved:
        shutil.rmtree(root, ignore_errors=True)
        raise UploadError("No files were uploaded.")
    return saved
