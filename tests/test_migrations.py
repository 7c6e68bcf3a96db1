"""`flask db upgrade` from empty gives exactly the models, with a single head."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, make_url, text

from config import BASE_DIR
from helpdesk.extensions import db
from helpdesk.tickets.search_tables import include_name
from tests.processes import PROJECT

MIGRATIONS = BASE_DIR / "migrations"


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A brand-new empty database on the same backend as the suite."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    url = make_url(database_url)
    name = f"hd_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def flask_db(database_url: str, redis_url: str, instance, *args: str) -> None:
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "HELPDESK_INSTANCE": str(instance),
           "PATH": "/usr/bin:/bin", "LOG_LEVEL": "WARNING"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "helpdesk", "db", *args],
                            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_upgrade_from_empty_matches_models(empty_database, redis_url, tmp_path):
    flask_db(empty_database, redis_url, tmp_path, "upgrade")

    engine = create_engine(empty_database)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, db.metadata)
        tables = set(conn.dialect.get_table_names(conn))
    engine.dispose()
    assert diff == [], f"migrations and models differ: {diff}"
    assert {t.name for t in db.metadata.sorted_tables} <= tables


def test_single_head():
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


def _search_objects(database_url: str) -> set[str]:
    """The full-text search columns (PostgreSQL) or FTS5 tables and triggers (SQLite) present."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            rows = conn.execute(text("SELECT table_name || '.' || column_name FROM information_schema.columns "
                                     "WHERE column_name = 'search_vector'"))
        else:
            rows = conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE '%fts' "
                                     "OR (type = 'trigger' AND name LIKE '%fts_a_')"))
        found = set(rows.scalars())
    engine.dispose()
    return found


def test_search_migration_downgrades_and_upgrades_again(empty_database, redis_url, tmp_path):
    flask_db(empty_database, redis_url, tmp_path, "upgrade")
    present = _search_objects(empty_database)
    assert present in ({"tickets.search_vector", "messages.search_vector"},
                       {"tickets_fts", "messages_fts", *(f"{t}_fts_{s}" for t in ("tickets", "messages")
                                                          for s in ("ai", "ad", "au"))})
    flask_db(empty_database, redis_url, tmp_path, "downgrade", "0006_inbound_channels")
    assert _search_objects(empty_database) == set()
    flask_db(empty_database, redis_url, tmp_path, "upgrade")
    assert _search_objects(empty_database) == present
