"""SQLite settings for the embedded default: WAL, foreign keys, immediate write locks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, g, request
from sqlalchemy import Engine, event

_deferred: ContextVar[bool] = ContextVar("sqlite_deferred", default=False)


@contextmanager
def read_only() -> Iterator[None]:
    """Transactions begun inside only read: on SQLite they skip the write lock.

    (WAL readers never block writers.) End the transaction before leaving, and
    never write inside: a deferred transaction that reads and then writes can
    fail at once when another process wrote in between. No effect on PostgreSQL.
    """
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """The opposite, inside a GET request: transactions begun inside take the write lock up front."""
    token = _deferred.set(False)
    try:
        yield
    finally:
        _deferred.reset(token)


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
        connection.exec_driver_sql("BEGIN" if _deferred.get() else "BEGIN IMMEDIATE")


def read_only_safe_methods(app: Flask) -> None:
    """GET and HEAD requests only read: begin their transactions without the write lock."""

    @app.before_request
    def _enter_read_only():
        if request.method in ("GET", "HEAD"):
            g._sqlite_read_only = _deferred.set(True)

    @app.teardown_request
    def _leave_read_only(_exc):
        token = g.pop("_sqlite_read_only", None)
        if token is not None:
            _deferred.reset(token)
