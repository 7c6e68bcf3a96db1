"""helpdesk: multichannel support ticketing for a BPO serving many client companies."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

import helpdesk.models  # noqa: F401  (every model first: some modules use mapped attributes at import)
from config import Config, config_from_env
from helpdesk import cli, errors, logs, realtime, request_input
from helpdesk.api import register_api
from helpdesk.extensions import api, csrf, db, limiter, login_manager, migrate
from helpdesk.health import bp as health_bp
from helpdesk.platform import outbox
from helpdesk.platform.sqlite import configure_sqlite, read_only_safe_methods
from helpdesk.staff.accounts import load_session_user
from helpdesk.supervision import reports
from helpdesk.web import register_web


def create_app(config_class: type[Config] | Config | None = None) -> Flask:
    config = config_class() if isinstance(config_class, type) else config_class
    config = config or config_from_env()()
    app = Flask(__name__, instance_path=str(config.INSTANCE_DIR))
    app.config.from_object(config)
    request_input.install(app)
    logs.configure(app)

    db.init_app(app)
    outbox.forget_pending_on_rollback(Session)
    reports.install()  # report facts follow every ticket and CSAT write
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # The embedded default keeps its database (and Redis socket) under instance/.
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        with app.app_context():
            configure_sqlite(db.engine)
        read_only_safe_methods(app)
    migrate.init_app(app, db, directory=str(config.BASE_MIGRATIONS))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.user_loader(load_session_user)
    app.config["RATELIMIT_STORAGE_URI"] = limiter_storage_uri(app.config["REDIS_URL"])
    limiter.init_app(app)
    api.init_app(app)
    realtime.init_app(app)
    _trust_configured_proxies(app)

    _register_blueprints(app)
    errors.register_error_handlers(app)
    cli.register(app)
    return app


def _trust_configured_proxies(app: Flask) -> None:
    """Outermost, so the Socket.IO transport's origin check sees the rewritten host too."""
    hops = app.config["TRUSTED_PROXY_COUNT"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def limiter_storage_uri(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(health_bp)
    register_api(app)
    register_web(app)
