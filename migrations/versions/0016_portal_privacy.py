"""client portal accounts; attachment retention per client

Revision ID: 0016_portal_privacy
Revises: 0015_audit_log
Create Date: 2026-12-07 14:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0016_portal_privacy'
down_revision = '0015_audit_log'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'portal_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('invite_token_hash', sa.String(length=64), nullable=True),
        sa.Column('invite_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('session_version', sa.Integer(), nullable=False),
        sa.Column('last_signed_in_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email'),
        sa.UniqueConstraint('invite_token_hash'),
    )
    op.create_index(op.f('ix_portal_users_client_id'), 'portal_users', ['client_id'], unique=False)
    with op.batch_alter_table('clients') as batch:
        batch.add_column(sa.Column('attachment_retention_days', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('clients') as batch:
        batch.drop_column('attachment_retention_days')
    op.drop_index(op.f('ix_portal_users_client_id'), table_name='portal_users')
    op.drop_table('portal_users')
