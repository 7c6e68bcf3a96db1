"""admin pages

Revision ID: 0012_admin
Revises: 0011_csat_qa
Create Date: 2026-12-02 13:00:00
"""
from alembic import op  # noqa: F401

revision = '0012_admin'
down_revision = '0011_csat_qa'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
