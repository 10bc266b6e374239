"""Writing outputs safely: a reader never sees half a file, inputs are never touched, and an
output folder holds exactly one run.

Two tools, for every command that writes:

- :class:`RunFolder` for an output *folder* (``plan``, ``access``, ``scenarios``,
  ``deadline --out``, ``uncertainty --out``, and any command added later)::

      with RunFolder(args.out, inputs=project_inputs(problem.settings, args.project),
                     overwrite=args.overwrite) as run:
          write_csv(run.file("workplan.csv"), table)      # names checked, inside the run
          folder = run.child(scenario.name)               # a checked sub-folder
      # only here, on success, does the new run replace --out

  The run is written into a fresh hidden folder beside ``--out`` and swapped into place
  when the ``with`` block ends without an error, so ``--out`` never mixes two runs and a
  crash or Ctrl-C leaves the previous run as it was. A non-empty ``--out`` is replaced only
  with ``overwrite=True`` (``--overwrite``) and only if it holds an earlier run (a
  ``.prioritise-run`` marker), so ``--out ~`` can never empty a home folder. A folder that
  holds or sits inside any input is refused outright.
- :func:`output_file` for a single output *file* (``score --out FILE``): refuses an input
  file, a folder, and an existing file without ``overwrite``.

Every file itself is written to a temporary name and moved into place with ``os.replace``
(:func:`atomic_path`), atomic on one filesystem.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from prioritise.core import fmt
from prioritise.core.errors import UsageError
from prioritise.core.limits import shorten, unsafe_component
from prioritise.core.settings import Settings

# Written into every complete run folder: proof that --overwrite may replace the folder.
RUN_MARKER = ".prioritise-run"

# Unfinished run folders of this process, removed by discard_pending() on a hard exit.
_PENDING: set[Path] = set()


def discard_pending() -> None:
    """Remove every unfinished run folder (a second Ctrl-C exits without unwinding)."""
    for tmp in list(_PENDING):
        shutil.rmtree(tmp, ignore_errors=True)
    _PENDING.clear()


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


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
        os.chmod(tmp_path, 0o666 & ~_umask())
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


def project_inputs(settings: Settings | None, *extra: Path | None) -> list[Path]:
    """Every input file of a project: the TOML(s) in ``extra`` and each ``[data]`` path."""
    paths = [p for p in extra if p is not None]
    if settings is not None:
        for f in fields(settings.data):
            value = getattr(settings.data, f.name)
            if isinstance(value, Path):
                paths.append(value)
        ignore = getattr(getattr(settings, "access", None), "ignore", None)
        if isinstance(ignore, Path):
            paths.append(ignore)  # [access] ignore: a CSV the user keeps by hand
    return paths


def _overlaps(out: Path, inputs: Iterable[Path]) -> Path | None:
    """The first input inside ``out`` (or containing it, for folder inputs), else None."""
    for path in inputs:
        p = path.resolve()
        if p == out or p.is_relative_to(out) or out.is_relative_to(p):
            return path
    return None


def check_output_dir(out_dir: Path, inputs: list[Path]) -> None:
    """Refuse an output folder that holds an input file (outputs must never replace inputs)."""
    clash = _overlaps(out_dir.resolve(), inputs)
    if clash is not None:
        raise UsageError(
            f"The output folder {out_dir} holds the input {clash.name}; choose another --out "
            "folder so inputs are never overwritten."
        )


def output_file(path: Path, inputs: Iterable[Path], overwrite: bool = False) -> Path:
    """Check a single output file: never an input, never a folder, replaced only if asked."""
    target = path.resolve()
    for p in inputs:
        if p.resolve() == target:
            raise UsageError(
                f"--out {path} is the project's input file {p.name}; writing there would "
                "destroy it. Give another file name."
            )
    if target.is_dir():
        raise UsageError(f"--out {path} is a folder; give a file name such as scores.csv.")
    if target.exists() and not overwrite:
        raise UsageError(f"{path} already exists; add --overwrite to replace it.")
    return path


class RunFolder:
    """An output folder that receives one complete run or nothing (see the module docstring).

    Enter it before the long work (solving) so a bad ``--out`` is refused at once; write
    through :meth:`file` and :meth:`child`; leaving the block without an exception swaps the
    new run into place, leaving it with one discards the new run.
    """

    def __init__(self, out: Path, inputs: Iterable[Path] = (), overwrite: bool = False):
        self.target = Path(out)
        self.inputs = list(inputs)
        self.overwrite = overwrite
        self._tmp: Path | None = None

    @property
    def path(self) -> Path:
        """The folder being written (a hidden sibling of ``--out`` until the swap)."""
        if self._tmp is None:
            raise RuntimeError("RunFolder used outside its `with` block")
        return self._tmp

    def file(self, name: str) -> Path:
        """``name`` inside the run, refused unless it is one safe file name."""
        why = unsafe_component(name)
        if why is not None:
            raise UsageError(f"Output file name {why}.")
        return self.path / name

    def child(self, name: str) -> Path:
        """A sub-folder ``name`` of the run (created), refused unless one safe name."""
        folder = self.file(name)
        folder.mkdir(exist_ok=True)
        return folder

    def check(self) -> None:
        """Raise UsageError when ``--out`` may not receive this run."""
        out = self.target.resolve()
        clash = _overlaps(out, self.inputs)
        if clash is not None:
            raise UsageError(
                f"--out {self.target} holds or lies inside the input {clash}; outputs must "
                "never replace inputs. Choose a folder outside the project's files."
            )
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {self.target} is a file; give a folder.")
        if out.is_dir() and any(out.iterdir()):
            names = sorted(p.name for p in out.iterdir())
            listed = ", ".join(shorten(n, 40) for n in names[:4])
            more = f" and {len(names) - 4} more" if len(names) > 4 else ""
            if not self.overwrite:
                raise UsageError(
                    f"--out {self.target} is not empty ({listed}{more}). Add --overwrite to "
                    "replace the earlier run, or choose a new folder."
                )
            if not (out / RUN_MARKER).exists():
                raise UsageError(
                    f"--out {self.target} holds files that are not a prioritise run "
                    f"({listed}{more}); --overwrite replaces only an earlier run's folder. "
                    "Choose a new or empty folder."
                )

    def __enter__(self) -> RunFolder:
        self.check()
        out = self.target.resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".new", dir=out.parent))
        _PENDING.add(self._tmp)
        os.chmod(self._tmp, 0o777 & ~_umask())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tmp, self._tmp = self._tmp, None
        if tmp is None:
            return
        _PENDING.discard(tmp)
        if exc_type is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            return
        try:
            (tmp / RUN_MARKER).write_text("one complete run of prioritise\n", encoding="utf-8")
            self._swap(tmp, self.target.resolve())
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @staticmethod
    def _swap(new: Path, out: Path) -> None:
        """Move ``new`` to ``out``; an earlier run there is moved aside first, then deleted."""
        old: Path | None = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.rmdir(old)
            os.rename(out, old)
        try:
            os.rename(new, out)
        except BaseException:
            if old is not None:
                os.rename(old, out)  # put the earlier run back
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
