"""SQLite settings for the embedded default: WAL, foreign keys, immediate write locks."""

from __future__ import annotations

from sqlalchemy import Engine, event


def configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # IMMEDIATE takes the write lock up front. A deferred transaction that reads
        # and then writes fails with SQLITE_BUSY_SNAPSHOT (no wait) when another
        # process wrote in between; with the lock taken first it just waits its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
