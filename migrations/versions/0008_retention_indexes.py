"""retention indexes: find processed outbox rows and old idempotency keys without a scan

Revision ID: 0008_retention_indexes
Revises: 0007_ticket_search
Create Date: 2026-12-02 05:40:00

The hourly retention job (helpdesk/services/retention.py) deletes by these
columns. Plain CREATE INDEX, no batch mode: nothing needs a table rebuilt.
"""
from alembic import op

revision = '0008_retention_indexes'
down_revision = '0007_ticket_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_outbox_processed', 'outbox', ['processed_at'], unique=False)
    op.create_index('ix_idempotency_keys_created', 'idempotency_keys', ['created_at'], unique=False)


def downgrade():
    op.drop_index('ix_idempotency_keys_created', table_name='idempotency_keys')
    op.drop_index('ix_outbox_processed', table_name='outbox')
