"""Configuration comes from the environment; production refuses unsafe defaults."""

from __future__ import annotations

import pytest

from config import DEFAULT_SECRET, DevelopmentConfig, ProductionConfig


def test_config_reads_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/helpdesk")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/2")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("API_RATE_LIMIT", "10/second")
    config = DevelopmentConfig()
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@db/helpdesk"
    assert config.REDIS_URL == "redis://cache:6379/2" and config.REDIS_EMBEDDED is False
    assert config.API_RATE_LIMIT == "10/second"
    assert config.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] is True


def test_embedded_defaults_without_environment(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HELPDESK_INSTANCE", str(tmp_path))
    config = DevelopmentConfig()
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path / 'helpdesk.db'}"
    assert config.REDIS_URL == f"unix://{tmp_path / 'redis.sock'}" and config.REDIS_EMBEDDED


@pytest.mark.parametrize("secret", [None, DEFAULT_SECRET, "short"])
def test_production_refuses_default_or_weak_secret(monkeypatch, secret):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/helpdesk")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig()


def test_production_needs_real_services(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "y" * 48)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        ProductionConfig()


def test_production_config_with_real_settings(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "y" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/helpdesk")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    config = ProductionConfig()
    assert config.SESSION_COOKIE_SECURE is True and config.SESSION_COOKIE_HTTPONLY is True
