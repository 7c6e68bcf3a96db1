"""ticket search: full-text indexes over ticket subjects and message bodies

Revision ID: 0007_ticket_search
Revises: 0006_inbound_channels
Create Date: 2026-11-26 10:00:00

PostgreSQL: a stored generated tsvector on tickets (subject) and on messages
(body), each with a GIN index. The `simple` configuration (lower-case, no
stemming, no stop words) because tickets are multilingual: an English stemmer
would mangle Polish or Spanish words.

SQLite: two external-content FTS5 tables over tickets.subject and
messages.body_text, kept in sync by triggers. They hold only the index, not a
second copy of the text.

None of these objects are in the ORM models (helpdesk/models/search.py names
them for Alembic to ignore). A later SQLite batch migration that recreates
tickets or messages drops these triggers with the table: recreate them there
(`sqlite_triggers()` below); tests/test_migrations.py checks they exist at head.
"""
from alembic import op


revision = '0007_ticket_search'
down_revision = '0006_inbound_channels'
branch_labels = None
depends_on = None

# Longer bodies are indexed up to here: to_tsvector fails outright past 1 MB of
# lexemes, and failing would reject the message itself.
PG_BODY_CHARS = 100_000

# (fts table, content table, indexed column)
SQLITE_INDEXES = (('tickets_fts', 'tickets', 'subject'), ('messages_fts', 'messages', 'body_text'))


def sqlite_triggers(fts, content, column):
    """Insert, delete and update triggers; an update touches the index only when the text changes."""
    add = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    remove = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    return [
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {content} BEGIN {add} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {content} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {content} BEGIN {remove} {add} END",
    ]


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def _upgrade_postgresql():
    op.execute("ALTER TABLE tickets ADD COLUMN search_vector tsvector "
               "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(subject, ''))) STORED")
    op.execute("ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
               f"(to_tsvector('simple'::regconfig, left(coalesce(body_text, ''), {PG_BODY_CHARS}))) STORED")
    op.execute("CREATE INDEX ix_tickets_search ON tickets USING gin (search_vector)")
    op.execute("CREATE INDEX ix_messages_search ON messages USING gin (search_vector)")


def _upgrade_sqlite():
    for fts, content, column in SQLITE_INDEXES:
        # remove_diacritics 2: "zamowienie" finds "zamówienie" (agents without a Polish keyboard).
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{content}', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2')")
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # index the existing rows
        for statement in sqlite_triggers(fts, content, column):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_messages_search")
        op.execute("DROP INDEX IF EXISTS ix_tickets_search")
        op.execute("ALTER TABLE messages DROP COLUMN IF EXISTS search_vector")
        op.execute("ALTER TABLE tickets DROP COLUMN IF EXISTS search_vector")
        return
    for fts, _, _ in SQLITE_INDEXES:
        for suffix in ('ai', 'ad', 'au'):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
