"""queue order index: a region's waiting tickets read in "take next" order

Revision ID: 0009_queue_order_index
Revises: 0008_retention_indexes
Create Date: 2026-12-02 13:00:00

A partial expression index over the unassigned new/open tickets, in the order
routing serves them (priority rank, first-response due time with no-target
last, queued time, id). The agent's queue view, take-next and the queue drain
then read the first page in index order instead of sorting the whole queue.
helpdesk/services/assignment.py spells the same CASE and predicate out as
literal SQL: both SQLite and PostgreSQL use such an index only when the query's
expressions match it. Plain CREATE INDEX (no batch mode), so SQLite keeps the
search triggers on tickets.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009_queue_order_index'
down_revision = '0008_retention_indexes'
branch_labels = None
depends_on = None

PRIORITY_RANK = ("CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 "
                 "WHEN 'low' THEN 3 ELSE 4 END")


def upgrade():
    op.create_index(
        'ix_tickets_queue_order', 'tickets',
        ['region_id', sa.text(f'({PRIORITY_RANK})'), sa.text('(first_response_due_at IS NULL)'),
         'first_response_due_at', 'queued_at', 'id'],
        unique=False,
        postgresql_where=sa.text("assignee_id IS NULL AND status IN ('new', 'open')"),
        sqlite_where=sa.text("assignee_id IS NULL AND status IN ('new', 'open')"),
    )


def downgrade():
    op.drop_index('ix_tickets_queue_order', table_name='tickets')
