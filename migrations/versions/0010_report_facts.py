"""report facts and rollups (reports)

Revision ID: 0010_report_facts
Revises: 0009_queue_order_index
Create Date: 2026-12-02 13:00:00
"""
from alembic import op  # noqa: F401

revision = '0010_report_facts'
down_revision = '0009_queue_order_index'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
