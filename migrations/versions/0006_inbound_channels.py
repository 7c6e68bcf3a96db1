"""inbound channels: client webhooks keep their first answer

Revision ID: 0006_inbound_channels
Revises: 0005_email_channel
Create Date: 2026-11-25 01:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_inbound_channels'
down_revision = '0005_email_channel'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_body', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_column('response_body')
