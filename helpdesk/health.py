"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from helpdesk.extensions import db, limiter
from workers.queues import get_redis

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    checks = {"database": "ok", "redis": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    finally:
        db.session.rollback()
    try:
        get_redis().ping()
    except RedisError as exc:
        checks["redis"] = f"error: {exc.__class__.__name__}"
    ready = all(v == "ok" for v in checks.values())
    if ready:
        return jsonify(status="ready", checks=checks)
    body = {"error": {"code": "unavailable", "message": "A dependency is unreachable.", "details": checks}}
    return jsonify(body), 503
