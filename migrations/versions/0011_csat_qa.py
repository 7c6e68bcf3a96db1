"""CSAT surveys and QA reviews

Revision ID: 0011_csat_qa
Revises: 0010_report_facts
Create Date: 2026-12-02 13:00:00
"""
from alembic import op  # noqa: F401

revision = '0011_csat_qa'
down_revision = '0010_report_facts'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
