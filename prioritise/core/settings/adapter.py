"""Pydantic's collected validation errors, made into plain-words issues about keys.

pydantic reports every error in a document at once, each with a location such as
``("methods", "mdd", "productivity", "dogs")`` and an error type. :func:`issues` walks the
model's annotations along that location to name the table and key, the expected type in
words, the bound that was broken and the :class:`~prioritise.core.types.Rule` declared on the
field. The project reader and the scenario reader then word them in their own style
(``[plan] years = 60 ...`` or ``scenario 'cut': budget.total ...``).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, cast, get_args, get_origin

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from prioritise.core.limits import shorten
from prioritise.core.types import Rule

Loc = tuple[str | int, ...]

# Error kinds, from pydantic's error types.
UNKNOWN, MISSING, TABLE, TYPE, FINITE, RANGE, CHOICE, KEY = (
    "unknown",
    "missing",
    "table",
    "type",
    "finite",
    "range",
    "choice",
    "key",
)
_BOUNDS = {
    "greater_than_equal": (">=", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("<=", "le"),
    "less_than": ("<", "lt"),
}


@dataclass(frozen=True)
class Issue:
    """One thing wrong with a document, located and described in words."""

    kind: str  # one of the kinds above
    path: Loc  # keys and indices from the document's root, union branches removed
    table_depth: int  # path[:table_depth] is the table, path[table_depth:] the key in it
    value: Any = None
    expected: str = ""  # "an integer", "a number", "one of highs, cbc", ...
    bound: str = ""  # ">= 0", "< 1", "not empty"
    rule: Rule | None = None
    choices: tuple[str, ...] = ()  # allowed values (CHOICE) or allowed keys (UNKNOWN)

    @property
    def table(self) -> Loc:
        return self.path[: self.table_depth]

    @property
    def key(self) -> Loc:
        return self.path[self.table_depth :]

    @property
    def shown(self) -> str:
        """The value as written (repr), cut short so garbage cannot flood a message."""
        return shorten(repr(self.value))

    @property
    def plain(self) -> str:
        """The number as Python prints it (``-1.0``, ``inf``), cut short likewise."""
        return shorten(str(self.value))


@functools.cache
def adapter(kind: Any) -> TypeAdapter[Any]:
    """One TypeAdapter per model (building one compiles a validator: reuse it)."""
    return TypeAdapter(kind)


def validate(kind: Any, data: object, prefix: Loc = ()) -> tuple[Any, list[Issue]]:
    """``data`` validated as ``kind``: the value, or None and every issue (paths prefixed)."""
    try:
        return adapter(kind).validate_python(data), []
    except ValidationError as exc:
        return None, issues(kind, exc.errors(), prefix)


def issues(kind: Any, errors: list[ErrorDetails], prefix: Loc = ()) -> list[Issue]:
    """Issues for pydantic's errors against ``kind``, one per key (the clearest error)."""
    best: dict[Loc, Issue] = {}
    for err in errors:
        issue = _issue(kind, err, prefix)
        old = best.get(issue.path)
        # A value outside a union (number or table) fails every branch; a range error in one
        # branch says more than "not a number" from the other.
        if old is None or (old.kind == TYPE and issue.kind != TYPE):
            best[issue.path] = issue
    # Likewise an error inside a table branch beats "not a number" about the whole value.
    deeper = {p[:n] for p in best for n in range(len(p))}
    return [i for p, i in best.items() if not (i.kind == TYPE and p in deeper)]


def _issue(kind: Any, err: ErrorDetails, prefix: Loc) -> Issue:
    walk = _walk(kind, tuple(err["loc"]))
    path = prefix + walk.path
    depth = len(prefix) + walk.table_depth
    etype = err["type"]
    ctx = err.get("ctx") or {}
    common: dict[str, Any] = {"path": path, "table_depth": depth, "rule": walk.rule}
    if etype in ("unexpected_keyword_argument", "extra_forbidden"):
        allowed = tuple(sorted(table_fields(walk.table_type)))
        return Issue(UNKNOWN, choices=allowed, **{**common, "table_depth": len(path) - 1})
    if etype in ("missing", "missing_argument"):
        return Issue(MISSING, **common)
    if walk.is_key:
        return Issue(KEY, value=err["input"], expected="a year", **common)
    if etype in ("dataclass_type", "dataclass_args_type") and walk.leaf_is_table:
        return Issue(TABLE, value=err["input"], **{**common, "table_depth": len(path)})
    if etype == "finite_number":
        return Issue(FINITE, value=err["input"], **common)
    if walk.union is not None and (etype == "literal_error" or etype.endswith("_type")):
        return Issue(TYPE, value=err["input"], expected=walk.expected, **common)
    if etype == "literal_error":
        return Issue(CHOICE, value=err["input"], choices=walk.choices, **common)
    if etype in _BOUNDS:
        sign, name = _BOUNDS[etype]
        return Issue(RANGE, value=err["input"], bound=f"{sign} {ctx[name]:g}", **common)
    if etype == "too_short":
        return Issue(RANGE, value=err["input"], bound="not empty", **common)
    return Issue(TYPE, value=err["input"], expected=walk.expected, **common)


@dataclass
class _Walk:
    path: Loc = ()
    table_depth: int = 0
    table_type: Any = None
    leaf: Any = None
    rule: Rule | None = None
    is_key: bool = False
    union: Any = None

    @property
    def leaf_is_table(self) -> bool:
        return dataclasses.is_dataclass(self.leaf)

    @property
    def choices(self) -> tuple[str, ...]:
        return _choices(self.leaf)

    @property
    def expected(self) -> str:
        return _expected(self.union if self.union is not None else self.leaf)


def _walk(kind: Any, loc: Loc) -> _Walk:
    """Follow ``loc`` through the annotations: table, key, leaf type and its Rule."""
    w = _Walk(table_type=kind)
    current = kind
    parts = list(loc)
    while True:
        current, rule = _unwrap(current)
        w.rule = rule or w.rule
        if not parts:
            break
        part = parts.pop(0)
        if part == "[key]":
            w.is_key = True
            break
        if dataclasses.is_dataclass(current):
            w.table_depth, w.table_type = len(w.path), current
            w.path += (part,)
            hints = table_fields(cast(type, current))
            if part not in hints:
                current = None
                break
            w.rule = None  # a rule belongs to its own field only
            current = hints[part]
        elif _is_union(current):
            # ``part`` names the branch pydantic tried; an error about the value itself is
            # described against the whole union ("an integer or false").
            if not parts:
                w.union = current
            branches = [a for a in get_args(current) if a is not type(None)]
            wants_mapping = bool(parts) and not isinstance(parts[0], int)
            current = next(
                (b for b in branches if _is_mapping(_unwrap(b)[0]) == wants_mapping),
                branches[0],
            )
        elif _is_mapping(current) or get_origin(current) in (tuple, list):
            w.path += (part,)
            args = get_args(current)
            current = args[-1] if _is_mapping(current) else args[0]
        else:  # an unexpected location: stop, keeping what is known
            w.path += (part, *parts)
            break
    if dataclasses.is_dataclass(current) and not w.is_key:
        w.table_depth, w.table_type = len(w.path), current
    w.leaf = current
    return w


def _unwrap(tp: Any) -> tuple[Any, Rule | None]:
    """The type without Annotated and Optional, and the last Rule among its metadata."""
    rule = None
    while True:
        if get_origin(tp) is Annotated:
            rules = [m for m in tp.__metadata__ if isinstance(m, Rule)]
            rule = rules[-1] if rules else rule
            tp = get_args(tp)[0]
        elif _is_union(tp) and type(None) in get_args(tp):
            rest = [a for a in get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return Union[tuple(rest)], rule  # noqa: UP007 (built at run time)
            tp = rest[0]
        else:
            return tp, rule


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _is_mapping(tp: Any) -> bool:
    origin = get_origin(tp)
    return origin is not None and isinstance(origin, type) and issubclass(origin, Mapping)


@functools.cache
def table_fields(cls: Any) -> dict[str, Any]:
    """A dataclass's field annotations, resolved, with their Annotated metadata."""
    if not dataclasses.is_dataclass(cls):
        return {}
    hints = typing.get_type_hints(cls, include_extras=True)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _choices(tp: Any) -> tuple[str, ...]:
    if get_origin(tp) is Literal:
        return tuple(str(a) for a in get_args(tp))
    if _is_union(tp):
        return tuple(c for a in get_args(tp) for c in _choices(_unwrap(a)[0]))
    return ()


def _expected(tp: Any) -> str:
    """The type in words, for "... is not <expected>"."""
    tp = _unwrap(tp)[0]
    if _is_union(tp):
        return " or ".join(_expected(a) for a in get_args(tp) if a is not type(None))
    if get_origin(tp) is Literal:
        args = get_args(tp)
        if args == (False,):
            return "false"
        return "one of " + ", ".join(str(a) for a in args)
    if _is_mapping(tp) or dataclasses.is_dataclass(tp):
        return "a table"
    if get_origin(tp) in (tuple, list):
        return "a list"
    words = {bool: "true or false", int: "an integer", float: "a number", str: "text"}
    if tp is Path:
        return "a path (text)"
    return words.get(tp, "a valid value")
