"""Agent presence: online / away / offline, from their sockets and their own choice.

Redis counts each agent's open sockets (a browser may have several tabs); the
agent row holds the state routing reads, and ``presence_logs`` the time spent
in each state (productivity and billing reports read it).
"""

from __future__ import annotations

import contextlib

from redis import Redis
from redis.exceptions import RedisError

from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import outbox
from helpdesk.platform.db import utcnow
from helpdesk.staff.models import PRESENCE_STATES, Agent, PresenceLog
from helpdesk.supervision import wallboard
from helpdesk.tickets import followups
from workers.queues import get_redis

SOCKETS_KEY = "helpdesk:presence:sockets:{agent_id}"
SOCKETS_TTL = 24 * 3600
ALIVE_KEY = "helpdesk:presence:alive:{agent_id}"
# Browsers send a heartbeat every 20 s; an agent silent for this long (closed laptop,
# lost network, crashed web node) is taken offline by the periodic presence sweep.
ALIVE_TTL = 60


def set_state(agent_id: int, state: str) -> bool:
    """Record a new presence state; returns True if it changed. Coming online drains the region's queue."""
    if state not in PRESENCE_STATES:
        raise ValidationFailed("Unknown presence state.", {"state": [f"One of {', '.join(PRESENCE_STATES)}."]})
    agent = db.session.get(Agent, agent_id)
    if agent is None or agent.presence == state:
        db.session.rollback()
        return False
    now = utcnow()
    open_log = db.session.scalar(db.select(PresenceLog).where(
        PresenceLog.agent_id == agent_id, PresenceLog.ended_at.is_(None)).order_by(PresenceLog.id.desc()))
    if open_log is not None:
        open_log.ended_at = now
    db.session.add(PresenceLog(agent_id=agent_id, state=state, started_at=now))
    agent.presence, agent.presence_since = state, now
    if state == "online":
        followups.request_drain(agent.region_id)
    outbox.commit()
    # Presence is not a ticket event: tell the wallboard pusher the board changed. Without Redis
    # the board still catches up on its 30-second refresh.
    with contextlib.suppress(RedisError):
        wallboard.touch()
    if state != "offline":
        heartbeat(agent_id)
    return True


def heartbeat(agent_id: int, connection: Redis | None = None) -> None:
    (connection or get_redis()).set(ALIVE_KEY.format(agent_id=agent_id), "1", ex=ALIVE_TTL)


def expire_silent() -> int:
    """Take offline every online or away agent whose heartbeat stopped."""
    present = db.session.scalars(db.select(Agent.id).where(Agent.presence != "offline")).all()
    db.session.rollback()
    if not present:
        return 0
    redis = get_redis()
    alive = redis.mget([ALIVE_KEY.format(agent_id=agent_id) for agent_id in present])
    silent = [agent_id for agent_id, flag in zip(present, alive, strict=True) if flag is None]
    for agent_id in silent:
        redis.delete(SOCKETS_KEY.format(agent_id=agent_id))
        set_state(agent_id, "offline")
    return len(silent)


def socket_opened(agent_id: int, connection: Redis | None = None) -> int:
    redis = connection or get_redis()
    key = SOCKETS_KEY.format(agent_id=agent_id)
    with redis.pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, SOCKETS_TTL)
        count, _ = pipe.execute()
    return int(count)


def socket_closed(agent_id: int, connection: Redis | None = None) -> int:
    redis = connection or get_redis()
    key = SOCKETS_KEY.format(agent_id=agent_id)
    count = int(redis.decr(key))
    if count <= 0:
        redis.delete(key)
    return max(count, 0)
