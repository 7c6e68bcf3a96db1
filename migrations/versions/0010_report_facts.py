"""report facts and rollups (reports)

Revision ID: 0010_report_facts
Revises: 0009_queue_order_index
Create Date: 2026-12-02 13:00:00

Two new tables, nothing altered (no batch mode, the tickets FTS triggers stay):
ticket_facts (one row per ticket: durations computed once) and report_rollups
(additive sums per time bucket and key). Existing tickets get their facts with
`flask helpdesk reports-rebuild` (helpdesk/services/report_facts.py).
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_report_facts'
down_revision = '0009_queue_order_index'
branch_labels = None
depends_on = None



INDEXED = (('ix_ticket_facts_created', 'created_at'), ('ix_ticket_facts_first_response', 'first_response_at'),
           ('ix_ticket_facts_solved', 'solved_at'), ('ix_ticket_facts_done', 'done_at'))


def upgrade():
    op.create_table(
        'ticket_facts',
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id', ondelete='CASCADE'), primary_key=True,
                  autoincrement=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(16), nullable=False),
        sa.Column('priority', sa.String(16), nullable=False),
        sa.Column('assignee_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('solved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('fr_business_s', sa.BigInteger(), nullable=True),
        sa.Column('fr_wall_s', sa.BigInteger(), nullable=True),
        sa.Column('res_business_s', sa.BigInteger(), nullable=True),
        sa.Column('res_wall_s', sa.BigInteger(), nullable=True),
        sa.Column('fr_met', sa.Boolean(), nullable=True),
        sa.Column('res_met', sa.Boolean(), nullable=True),
        sa.Column('handle_s', sa.BigInteger(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False, server_default='1'),
        sa.Column('pending', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('rolled', sa.JSON(), nullable=True),
    )
    op.create_index('ix_ticket_facts_client_id', 'ticket_facts', ['client_id'])
    op.create_index('ix_ticket_facts_pending', 'ticket_facts', ['pending'])
    for name, column in INDEXED:
        op.create_index(name, 'ticket_facts', [column])
    op.create_table(
        'report_rollups',
        sa.Column('kind', sa.String(1), primary_key=True),
        sa.Column('grain', sa.String(1), primary_key=True),
        sa.Column('bucket', sa.DateTime(timezone=True), primary_key=True),
        sa.Column('client_id', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('region_id', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('channel', sa.String(16), primary_key=True),
        sa.Column('priority', sa.String(16), primary_key=True),
        sa.Column('agent_id', sa.Integer(), primary_key=True, autoincrement=False),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default='0') for name in (
            'created', 'backlog_delta', 'first_responses', 'fr_met', 'fr_breached', 'solved', 'res_met',
            'res_breached')],
        *[sa.Column(name, sa.BigInteger(), nullable=False, server_default='0') for name in (
            'fr_business_s', 'fr_wall_s', 'res_business_s', 'res_wall_s', 'handle_s')],
    )


def downgrade():
    op.drop_table('report_rollups')
    for name, _column in INDEXED:
        op.drop_index(name, table_name='ticket_facts')
    op.drop_index('ix_ticket_facts_pending', table_name='ticket_facts')
    op.drop_index('ix_ticket_facts_client_id', table_name='ticket_facts')
    op.drop_table('ticket_facts')
