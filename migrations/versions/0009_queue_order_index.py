"""queue order index for the agent queue view (agent workspace)

Revision ID: 0009_queue_order_index
Revises: 0008_retention_indexes
Create Date: 2026-12-02 13:00:00
"""
from alembic import op  # noqa: F401

revision = '0009_queue_order_index'
down_revision = '0008_retention_indexes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
