"""Queue names and the Redis connection factory; always pass ``connection=``."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue

DEFAULT_QUEUE = "default"
ROUTING_QUEUE = "routing"
REALTIME_QUEUE = "realtime"
SCHEDULED_QUEUE = "scheduled"
# Last in every worker's order: a client's receiver never delays routing or live pushes.
WEBHOOK_QUEUE = "webhooks"
# A worker listens in this order: live pushes first, periodic housekeeping last.
ALL_QUEUES = (REALTIME_QUEUE, ROUTING_QUEUE, DEFAULT_QUEUE, SCHEDULED_QUEUE, WEBHOOK_QUEUE)
LIVE_QUEUES = (REALTIME_QUEUE, ROUTING_QUEUE, DEFAULT_QUEUE, WEBHOOK_QUEUE)


def redis_connection(url: str) -> Redis:
    """A new client for ``url``; short timeouts so a Redis outage fails fast."""
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5, health_check_interval=30)


def get_redis() -> Redis:
    """The current app's shared client (one pool per app, created on first use)."""
    cached = current_app.extensions.get("helpdesk_redis")
    if cached is None:
        cached = current_app.extensions["helpdesk_redis"] = redis_connection(current_app.config["REDIS_URL"])
    return cached


def get_queue(name: str, connection: Redis) -> Queue:
    return Queue(name, connection=connection)
