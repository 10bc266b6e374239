"""JSON Schema of the project and scenario files, and ``docs/settings.md`` rendered from it.

Both come from the models alone (types, ranges, defaults, field docstrings), so a new setting
documents itself. ``python -m prioritise.core.settings > docs/settings.md`` regenerates the
reference; ``--json`` prints the JSON Schema (for forms and editors); a test keeps both
committed copies current.
"""

from __future__ import annotations

import json
from typing import Any

from prioritise.core.settings.adapter import adapter
from prioritise.core.settings.models import ProjectFile
from prioritise.core.settings.scenarios import ScenarioFile

Schema = dict[str, Any]


def json_schemas() -> dict[str, Schema]:
    """JSON Schema (draft 2020-12) of each file the user writes, by file kind."""
    return {
        "project": adapter(ProjectFile).json_schema(),
        "scenarios": adapter(ScenarioFile).json_schema(),
    }


def render_json() -> str:
    return json.dumps(json_schemas(), indent=2, sort_keys=True) + "\n"


HEADER = """# Settings reference

Generated from the settings models (`prioritise/core/settings/`) by
`python -m prioritise.core.settings > docs/settings.md`; do not edit. The JSON Schema of both
files is in `docs/settings.schema.json` (`python -m prioritise.core.settings --json`).

Every key is checked when the file is read and every mistake is reported at once, naming the
file, the table and key, the rule and a fix. Unknown keys are errors. Numbers must be finite
(`inf` and `nan` are refused); an integer is accepted where a number is asked for, but text
such as `"5"` or `true` is not. Paths are relative to the TOML file's folder.
"""


def render_markdown() -> str:
    """The settings reference: one section per table, one row per key."""
    schemas = json_schemas()
    parts = [HEADER]
    parts.append("## Project file (`project.toml`)\n")
    parts += _tables(schemas["project"], "", "")
    parts.append("## Scenario file (`scenarios.toml`)\n")
    parts.append(
        "A scenario inherits every key of the scenario it names in `inherits`, tables merged "
        "key by key; a cycle or an unknown parent is an error. Money is in the currency of "
        "the project's data.\n"
    )
    parts += _tables(schemas["scenarios"], "", "")
    return "\n".join(parts)


def _tables(root: Schema, path: str, title: str) -> list[str]:
    """Sections for ``root`` (an object schema) and, depth first, for its sub-tables."""
    defs = root.get("$defs", {})
    out: list[str] = []

    def visit(schema: Schema, name: str, array: bool) -> None:
        schema = _deref(schema, defs)
        rows, subs = [], []
        for key, prop in schema.get("properties", {}).items():
            sub = _subtable(prop, defs)
            full = f"{name}.{key}" if name else key
            if sub is not None:
                kind, target = sub
                subs.append((target, full + (".NAME" if kind == "map" else ""), kind == "list"))
                continue
            required = key in schema.get("required", [])
            rows.append(_row(key, prop, required, defs))
        if name:
            heading = f"[[{name}]]" if array else f"[{name}]"
            out.append(f"### `{heading}`\n")
            if schema.get("description"):
                out.append(_one_line(_after_heading(schema["description"])) + "\n")
        if rows:
            out.append("| key | type | default | meaning |")
            out.append("| --- | --- | --- | --- |")
            out.extend(rows)
            out.append("")
        for target, sub_name, sub_array in subs:
            visit(target, sub_name, sub_array)

    visit(root, path, False)
    return out


def _deref(schema: Schema, defs: Schema) -> Schema:
    ref = schema.get("$ref")
    return defs[ref.rsplit("/", 1)[1]] if ref else schema


def _branches(prop: Schema) -> list[Schema]:
    return [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]


def _subtable(prop: Schema, defs: Schema) -> tuple[str, Schema] | None:
    """("table" | "map" | "list", its schema) when ``prop`` holds a table of keys."""
    branches = _branches(prop)
    if len(branches) != 1:
        return None
    b = branches[0]
    if "$ref" in b:
        return "table", _deref(b, defs)
    for kind, inner in (("map", b.get("additionalProperties")), ("list", b.get("items"))):
        if isinstance(inner, dict) and "$ref" in inner:
            return kind, _deref(inner, defs)
    return None


def _row(key: str, prop: Schema, required: bool, defs: Schema) -> str:
    kind = " or ".join(_type(b, defs) for b in _branches(prop))
    if required:
        default = "**required**"
    elif "default" in prop and prop["default"] is not None:
        default = f"`{_toml(prop['default'])}`"
    else:
        default = "not set"
    meaning = _one_line(prop.get("description", ""))
    return f"| `{key}` | {kind} | {default} | {meaning} |"


def _type(schema: Schema, defs: Schema) -> str:
    schema = _deref(schema, defs)
    if "enum" in schema or "const" in schema:
        values = schema.get("enum", [schema.get("const")])
        listed = ", ".join(f"`{_toml(v)}`" for v in values)
        return listed if len(values) == 1 else f"one of {listed}"
    kind = schema.get("type")
    if kind == "object":
        inner = schema.get("additionalProperties")
        keys = schema.get("propertyNames", {})
        key_text = "year" if keys.get("pattern") == "^[0-9]+$" else "name"
        value = _type(inner, defs) if isinstance(inner, dict) else "value"
        return f"table of {key_text} = {value}"
    if kind == "array":
        return f"list of {_type(schema.get('items', {}), defs)}"
    words = {"integer": "integer", "number": "number", "boolean": "true/false"}
    text = "path" if schema.get("format") == "path" else words.get(str(kind), "text")
    bounds = [
        f"{sign} {_toml(schema[name])}"
        for name, sign in (
            ("minimum", "≥"),
            ("exclusiveMinimum", ">"),
            ("maximum", "≤"),
            ("exclusiveMaximum", "<"),
        )
        if name in schema
    ]
    return text + (f" ({', '.join(bounds)})" if bounds else "")


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _after_heading(text: str) -> str:
    """A class docstring without its leading ````[table]``: `` (the heading says it)."""
    head, sep, rest = text.partition(": ")
    if sep and head.startswith("``") and head.endswith("``"):
        return rest[:1].upper() + rest[1:]
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
