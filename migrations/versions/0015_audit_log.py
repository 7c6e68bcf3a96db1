"""audit log: who did or read what, for which client, from where; rows refused UPDATE and DELETE by triggers

Revision ID: 0015_audit_log
Revises: 0014_outbound_webhooks
Create Date: 2026-12-07 11:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_audit_log'
down_revision = '0014_outbound_webhooks'
branch_labels = None
depends_on = None

# The same statements as helpdesk.audit.GUARD_SQL, copied so that the migration stays as it was written.
GUARD = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_log_immutable() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit rows cannot be changed or deleted'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
           FOR EACH ROW EXECUTE FUNCTION audit_log_immutable()""",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed or deleted'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed or deleted'); END""",
    ],
}


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_audit_log_client_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_action', ['action'], unique=False)
        batch_op.create_index('ix_audit_log_client_created', ['client_id', 'created_at'], unique=False)
    for statement in GUARD.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    op.drop_table('audit_log')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_immutable()")
