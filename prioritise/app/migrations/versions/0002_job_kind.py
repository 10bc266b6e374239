"""Plans become jobs of a kind: a plan, a deadline analysis or a scenario comparison.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="plan"))


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("kind")
