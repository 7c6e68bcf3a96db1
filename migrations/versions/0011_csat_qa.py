"""CSAT surveys and QA reviews

Revision ID: 0011_csat_qa
Revises: 0010_report_facts
Create Date: 2026-12-02 13:00:00

The tables come from 0001; this adds what the features need on top:
- csat_responses: delivery state and attempts of the survey email, and an index
  for "answered surveys of a client in a date range" (reports);
- qa_rubrics: one rubric per client (unique index);
- qa_reviews: one review per ticket per reviewer (unique index; a re-score updates it).
Plain ADD COLUMN / CREATE INDEX, no batch mode: tickets and messages are not touched.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_csat_qa'
down_revision = '0010_report_facts'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('csat_responses', sa.Column('delivery_status', sa.String(length=16), nullable=True))
    op.add_column('csat_responses', sa.Column('delivery_attempts', sa.Integer(), nullable=False,
                                              server_default='0'))
    op.create_index('ix_csat_responses_client_answered', 'csat_responses', ['client_id', 'answered_at'])
    op.create_index('uq_qa_rubrics_client', 'qa_rubrics', ['client_id'], unique=True)
    op.create_index('uq_qa_reviews_ticket_reviewer', 'qa_reviews', ['ticket_id', 'reviewer_id'], unique=True)


def downgrade():
    op.drop_index('uq_qa_reviews_ticket_reviewer', table_name='qa_reviews')
    op.drop_index('uq_qa_rubrics_client', table_name='qa_rubrics')
    op.drop_index('ix_csat_responses_client_answered', table_name='csat_responses')
    with op.batch_alter_table('csat_responses') as batch_op:
        batch_op.drop_column('delivery_attempts')
        batch_op.drop_column('delivery_status')
