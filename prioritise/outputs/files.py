"""Writing plan outputs atomically: a reader never sees half a file, inputs are never touched.

Each file is written to a temporary name in the destination folder and moved into place with
``os.replace``, which is atomic on one filesystem.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from prioritise.core import fmt


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates 0600 files; give outputs the usual permissions under the umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_atomic(path: Path, writer: Callable[[Path], Any]) -> Path:
    with atomic_path(path) as tmp:
        writer(tmp)
    return path


def write_json(path: Path, data: Any) -> Path:
    text = fmt.dumps(data)  # the one JSON sanitiser: NaN/NA -> null, numpy -> Python
    return write_atomic(path, lambda p: p.write_text(text + "\n", encoding="utf-8"))


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    return write_atomic(path, lambda p: frame.to_csv(p, index=False, lineterminator="\n"))


def check_output_dir(out_dir: Path, inputs: list[Path]) -> None:
    """Refuse an output folder that holds an input file (outputs must never replace inputs)."""
    out = out_dir.resolve()
    for path in inputs:
        if path.resolve().parent == out:
            raise ValueError(
                f"The output folder {out_dir} holds the input file {path.name}; "
                "choose another --out folder so inputs are never overwritten."
            )
