"""The schema is data: the docs are generated from it and must match."""

from __future__ import annotations

import re

from prioritise.core.schema import TABLES, render_markdown
from prioritise.core.settings.reference import json_schemas, render_json
from prioritise.core.settings.reference import render_markdown as render_settings
from tests.conftest import REPO


def test_schema_docs_are_current() -> None:
    text = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    assert text == render_markdown(), "run: python -m prioritise.core.schema > docs/schema.md"


def test_every_table_has_its_required_columns_documented() -> None:
    text = render_markdown()
    for table, columns in TABLES.items():
        assert f"## {table}" in text
        for c in columns:
            assert f"`{c.name}`" in text


def test_settings_reference_is_current() -> None:
    """docs/settings.md and its JSON Schema are generated from the settings models."""
    text = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    assert text == render_settings(), "run: python -m prioritise.core.settings > docs/settings.md"
    schema = (REPO / "docs" / "settings.schema.json").read_text(encoding="utf-8")
    assert schema == render_json(), (
        "run: python -m prioritise.core.settings --json > docs/settings.schema.json"
    )


def test_every_setting_is_documented() -> None:
    """Each key of each table has a row with a meaning (its field docstring)."""
    text = render_settings()
    for schema in json_schemas().values():
        for table in [schema, *schema.get("$defs", {}).values()]:
            for key, prop in table.get("properties", {}).items():
                # a key row (`key`), or a sub-table's heading ([plan], [scoring.criteria])
                assert re.search(rf"[`.\[]{key}[`\].]", text), key
                assert prop.get("description"), f"{table.get('title')}.{key} has no docstring"
