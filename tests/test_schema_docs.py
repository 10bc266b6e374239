"""The schema is data: the docs are generated from it and must match."""

from __future__ import annotations

from prioritise.core.schema import TABLES, render_markdown
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
