"""Live wallboard figures, kept incrementally in Redis from the event stream.

Every event that carries a ticket summary updates that ticket's entry (its last
known state: client, region, status, assignee, channel, SLA flags), and the
aggregates move by the difference between the old and the new state, in one
Redis transaction (WATCH on the entry). An event older than the entry (by the
client's sequence number), or the same event again, changes nothing. So a
figure costs O(1) per event, and reading the board never touches the tickets
table. ``rebuild`` recomputes everything from the database (periodically, and
on demand) and corrects any drift, e.g. events pushed while Redis was down.

Keys, per (region, client) pair ``R:C`` (region 0 = none yet):

- ``wb:open:R:C``     hash: open, waiting, at_risk, breached
- ``wb:waiting:R:C``  zset: waiting ticket -> since (the oldest is the first)
- ``wb:in:R:C``       zset: ticket -> created (the last 15 minutes are counted)
- ``wb:handled:R:C``  zset: ticket -> solved (counted from the region's local midnight)
- ``wb:load:A``       hash: channel -> open tickets of agent A on it
- ``wb:handled-agent:A`` zset: ticket -> solved
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from redis.exceptions import WatchError
from sqlalchemy import func, select

from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.platform.db import utcnow
from helpdesk.platform.models import Event
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing import regions as routing
from helpdesk.routing.assignment import LOAD_STATUSES, ROUTABLE_STATUSES  # waiting and slots as routing counts them
from helpdesk.routing.calendars import next_change
from helpdesk.staff.models import Agent
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from workers.queues import get_redis

PREFIX = "wb:"
PAIRS_KEY = PREFIX + "pairs"
VERSION_KEY = PREFIX + "version"
INCOMING_WINDOW = timedelta(minutes=15)
KEEP_DONE = timedelta(days=2)  # solved tickets stay long enough for "handled today" in every zone
REPLY_TARGETS = ("first_response", "next_response")  # an agent's reply meets these


@dataclass(frozen=True)
class TicketState:
    client: int
    region: int
    status: str
    assignee: int
    channel: str
    risk: tuple[str, ...] = ()  # SLA targets warned and still running
    breached: bool = False
    waiting_since: float = 0.0

    @property
    def pair(self) -> str:
        return f"{self.region}:{self.client}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_waiting(self) -> bool:
        return self.status in ROUTABLE_STATUSES and not self.assignee

    @property
    def holds_slot(self) -> bool:
        return bool(self.assignee) and self.status in LOAD_STATUSES

    @property
    def at_risk(self) -> bool:
        return self.is_open and bool(self.risk) and not self.breached

    def counts(self) -> dict[str, int]:
        return {"open": int(self.is_open), "waiting": int(self.is_open and self.is_waiting),
                "at_risk": int(self.at_risk), "breached": int(self.is_open and self.breached)}

    def dump(self, seq: int) -> dict[str, str]:
        values = asdict(self)
        values["risk"] = ",".join(self.risk)
        return {key: str(int(value) if isinstance(value, bool) else value) for key, value in values.items()} | {
            "seq": str(seq)}

    @classmethod
    def load(cls, raw: dict[bytes, bytes]) -> TicketState:
        text = {key.decode(): value.decode() for key, value in raw.items()}
        return cls(int(text["client"]), int(text["region"]), text["status"], int(text["assignee"]),
                   text["channel"], tuple(t for t in text["risk"].split(",") if t), text["breached"] == "1",
                   float(text["waiting_since"]))


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def state_after(old: TicketState | None, event: Event) -> TicketState:
    """The ticket's state once this event happened, from the summary it carries and what came before."""
    summary = event.data["ticket"]
    risk = set(old.risk) if old else set()
    breached = old.breached if old else False
    target = (event.data or {}).get("target")
    if event.type == "ticket.sla_warning":
        risk.add(target)
    elif event.type == "ticket.sla_breached":
        risk.discard(target)
        breached = True
    elif event.type == "message.created" and ((event.data or {}).get("message") or {}).get("kind") == "outbound":
        risk.difference_update(REPLY_TARGETS)
    state = TicketState(summary["client_id"], summary.get("region_id") or 0, summary["status"],
                        summary.get("assignee_id") or 0, summary["channel"], tuple(sorted(risk)), breached)
    if state.status not in OPEN_STATUSES:
        state = replace(state, risk=())
    since = old.waiting_since if old and old.is_waiting and old.pair == state.pair else _epoch(event.created_at)
    return replace(state, waiting_since=since if state.is_waiting else 0.0)


def apply(event: Event) -> bool:
    """Fold one event into the figures; False when it carries no ticket or is not newer than what is known."""
    if not (event.data or {}).get("ticket") or not event.ticket_id:
        return False
    key = f"{PREFIX}t:{event.ticket_id}"
    with get_redis().pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                raw = pipe.hgetall(key)
                if raw and int(raw[b"seq"]) >= event.seq:
                    return False
                old = TicketState.load(raw) if raw else None
                new = state_after(old, event)
                pipe.multi()
                _write_change(pipe, event, old, new)
                pipe.execute()
                return True
            except WatchError:
                continue  # the same ticket changed meanwhile: read it again


def _write_change(pipe, event: Event, old: TicketState | None, new: TicketState) -> None:
    for state, sign in ((old, -1), (new, 1)):
        if state is not None:
            _count(pipe, state, sign)
    ticket = str(event.ticket_id)
    if old is not None and old.is_waiting and (not new.is_waiting or old.pair != new.pair):
        pipe.zrem(f"{PREFIX}waiting:{old.pair}", ticket)
    if new.is_waiting:
        pipe.zadd(f"{PREFIX}waiting:{new.pair}", {ticket: new.waiting_since})
    at = _epoch(event.created_at)
    forget_before = at - KEEP_DONE.total_seconds()  # these sets are trimmed as they grow
    if event.type == "ticket.created":
        pipe.zadd(f"{PREFIX}in:{new.pair}", {ticket: at})
        pipe.zremrangebyscore(f"{PREFIX}in:{new.pair}", "-inf", forget_before)
    if new.status == "solved" and (old is None or old.status not in ("solved", "closed")):
        pipe.zadd(f"{PREFIX}handled:{new.pair}", {ticket: at})
        pipe.zremrangebyscore(f"{PREFIX}handled:{new.pair}", "-inf", forget_before)
        if new.assignee:
            pipe.zadd(f"{PREFIX}handled-agent:{new.assignee}", {ticket: at})
            pipe.zremrangebyscore(f"{PREFIX}handled-agent:{new.assignee}", "-inf", forget_before)
    pipe.sadd(PAIRS_KEY, new.pair)
    entry = f"{PREFIX}t:{event.ticket_id}"
    pipe.hset(entry, mapping=new.dump(event.seq))
    if new.is_open:
        pipe.persist(entry)
    else:
        pipe.expire(entry, int(KEEP_DONE.total_seconds()))
    pipe.incr(VERSION_KEY)


def _count(pipe, state: TicketState, sign: int) -> None:
    """Add (sign 1) or take away (sign -1) one ticket's share of its pair's counts and its agent's load."""
    for name, count in state.counts().items():
        if count:
            pipe.hincrby(f"{PREFIX}open:{state.pair}", name, sign * count)
    if state.holds_slot:
        pipe.hincrby(f"{PREFIX}load:{state.assignee}", state.channel, sign)


def version() -> int:
    """Grows with every change: a pusher compares it to decide whether the board needs sending again."""
    return int(get_redis().get(VERSION_KEY) or 0)


def touch() -> None:
    """Something the board shows changed outside the ticket events (an agent's presence): push again."""
    get_redis().incr(VERSION_KEY)


# --- pushing -------------------------------------------------------------------------------------------

PUSH_INTERVAL = timedelta(milliseconds=500)  # at most two boards a second, however many events
REFRESH_INTERVAL = timedelta(seconds=30)     # durations and clocks move even when nothing happens


def boards_to_push(now: datetime | None = None) -> list[tuple[int | None, dict[str, Any]]]:
    """The boards to send now, if it is this process's turn: (None, the board of every client) for
    supervisors of all clients, (supervisor id, their board) for each one dedicated to some clients.

    Web nodes all call this on a timer; a short Redis lock makes one of them send per interval,
    and only when the figures changed since the last push (or a refresh is due)."""
    now = now or utcnow()
    redis = get_redis()
    if not redis.set(PREFIX + "push-lock", "1", nx=True, px=int(PUSH_INTERVAL.total_seconds() * 1000)):
        return []
    current = version()
    last_version, last_at = (float(part) for part in (redis.get(PREFIX + "pushed") or b"0:0").decode().split(":"))
    if current == last_version and _epoch(now) - last_at < REFRESH_INTERVAL.total_seconds():
        return []
    redis.set(PREFIX + "pushed", f"{current}:{_epoch(now)}")
    boards: list[tuple[int | None, dict[str, Any]]] = [(None, snapshot(TenantScope(None, all_clients=True), now))]
    dedicated = db.session.scalars(select(Agent).where(
        Agent.active.is_(True), Agent.role == "supervisor", Agent.all_clients.is_(False),
        Agent.presence != "offline"))
    boards += [(supervisor.id, snapshot(TenantScope.for_agent(supervisor), now)) for supervisor in dedicated]
    return boards


# --- reading -------------------------------------------------------------------------------------------

def snapshot(scope: TenantScope, now: datetime | None = None) -> dict[str, Any]:
    """The board for a supervisor: per region and client, per agent, and the follow-the-sun clocks."""
    now = now or utcnow()
    regions = {region.id: region for region in routing.all_regions()}
    pairs = sorted(_visible_pairs(scope), key=lambda p: (int(p.split(":")[0]), int(p.split(":")[1])))
    queues = _queue_rows(pairs, regions, now)
    return {"at": now.isoformat(), "queues": queues, "agents": _agent_rows(scope, regions, now),
            "regions": [_region_row(region, now) for region in regions.values()],
            "clients": _client_names(scope, {row["client_id"] for row in queues})}


def _client_names(scope: TenantScope, client_ids: set[int]) -> dict[str, str]:
    visible = {client_id for client_id in client_ids if scope.allows(client_id)}
    if not visible:
        return {}
    rows = db.session.execute(select(Client.id, Client.name).where(Client.id.in_(visible)))
    return {str(client_id): name for client_id, name in rows}


def _visible_pairs(scope: TenantScope) -> list[str]:
    pairs = [p.decode() for p in get_redis().smembers(PAIRS_KEY)]
    return [p for p in pairs if scope.allows(int(p.split(":")[1]))]


def _midnight(region: Any, now: datetime) -> float:
    local = now.astimezone(ZoneInfo(region.calendar.timezone))
    return _epoch(local.replace(hour=0, minute=0, second=0, microsecond=0))


def _day_start(regions: dict, region_id: int, now: datetime) -> float:
    region = regions.get(region_id)
    return _midnight(region, now) if region else _epoch(now.replace(hour=0, minute=0, second=0, microsecond=0))


def _queue_rows(pairs: list[str], regions: dict, now: datetime) -> list[dict[str, Any]]:
    with get_redis().pipeline(transaction=False) as pipe:
        for pair in pairs:
            region_id = int(pair.split(":")[0])
            pipe.hgetall(f"{PREFIX}open:{pair}")
            pipe.zrange(f"{PREFIX}waiting:{pair}", 0, 0, withscores=True)
            pipe.zcount(f"{PREFIX}in:{pair}", _epoch(now - INCOMING_WINDOW), "+inf")
            pipe.zcount(f"{PREFIX}handled:{pair}", _day_start(regions, region_id, now), "+inf")
        replies = pipe.execute()
    rows = []
    for index, pair in enumerate(pairs):
        counts, oldest, incoming, handled = replies[index * 4:index * 4 + 4]
        figures = {name: int(counts.get(name.encode(), 0)) for name in ("open", "waiting", "at_risk", "breached")}
        region_id, client_id = (int(part) for part in pair.split(":"))
        rows.append({"region_id": region_id or None, "client_id": client_id, **figures,
                     "oldest_waiting_seconds": round(_epoch(now) - oldest[0][1]) if oldest else None,
                     "incoming_15m": incoming, "handled_today": handled})
    return rows


def _agent_rows(scope: TenantScope, regions: dict, now: datetime) -> list[dict[str, Any]]:
    query = select(Agent).where(Agent.active.is_(True), Agent.role == "agent").order_by(Agent.region_id, Agent.name)
    staff = [a for a in db.session.scalars(query) if scope.all_clients or a.all_clients
             or scope.client_ids & {c.id for c in a.clients}]
    with get_redis().pipeline(transaction=False) as pipe:
        for agent in staff:
            pipe.hgetall(f"{PREFIX}load:{agent.id}")
            pipe.zcount(f"{PREFIX}handled-agent:{agent.id}", _day_start(regions, agent.region_id, now), "+inf")
        replies = pipe.execute()
    rows = []
    for index, agent in enumerate(staff):
        load, handled = replies[index * 2:index * 2 + 2]
        since = agent.presence_since
        rows.append({"id": agent.id, "name": agent.name, "region_id": agent.region_id, "presence": agent.presence,
                     "presence_seconds": round((now - since).total_seconds()) if since else None,
                     "load": {k.decode(): int(v) for k, v in load.items() if int(v)}, "handled_today": handled})
    return rows


def _region_row(region: Any, now: datetime) -> dict[str, Any]:
    upcoming = next_change(region.calendar, now)
    return {"id": region.id, "name": region.name, "timezone": region.calendar.timezone,
            "local_time": now.astimezone(ZoneInfo(region.calendar.timezone)).isoformat(),
            "on_shift": routing.is_on_shift(region, now), "next_change": upcoming.isoformat() if upcoming else None}


# --- rebuilding from the database -------------------------------------------------------------------

@dataclass
class _Rebuild:
    states: dict[int, TicketState] = field(default_factory=dict)
    created: dict[int, float] = field(default_factory=dict)
    solved: dict[int, float] = field(default_factory=dict)


def rebuild(now: datetime | None = None) -> int:
    """Recompute every figure from the database and replace the Redis state in one transaction.

    Reads the open tickets, those created in the incoming window and those solved
    in the last two days (all on indexed columns); returns how many tickets it read."""
    now = now or utcnow()
    found = _read_tickets(now)
    latest = dict(db.session.execute(select(Event.client_id, func.max(Event.seq)).group_by(Event.client_id)).all())
    db.session.rollback()
    redis = get_redis()
    stale = list(redis.scan_iter(match=PREFIX + "*", count=1000))
    with redis.pipeline() as pipe:  # MULTI/EXEC: readers see the old board or the new one, never half
        if stale:
            pipe.delete(*stale)
        for ticket_id, state in found.states.items():
            _write_rebuilt(pipe, ticket_id, state, found, latest.get(state.client, 0))
        pipe.incr(VERSION_KEY)
        pipe.execute()
    return len(found.states)


def _read_tickets(now: datetime) -> _Rebuild:
    found = _Rebuild()
    recent = now - KEEP_DONE
    query = select(Ticket.id, Ticket.client_id, Ticket.region_id, Ticket.status, Ticket.assignee_id,
                   Ticket.channel, Ticket.sla_alerts, Ticket.sla_breached, Ticket.queued_at, Ticket.created_at,
                   Ticket.solved_at).where(
        Ticket.status.in_(OPEN_STATUSES) | (Ticket.solved_at >= recent) | (Ticket.created_at >= now - INCOMING_WINDOW))
    for row in db.session.execute(query):
        risk = tuple(sorted(target for target, alert in (row.sla_alerts or {}).items()
                            if "warned" in alert and "breached" not in alert and not target.startswith("ola_")))
        state = TicketState(row.client_id, row.region_id or 0, row.status, row.assignee_id or 0, row.channel,
                            risk if row.status in OPEN_STATUSES else (), bool(row.sla_breached))
        since = _epoch(row.queued_at or row.created_at)
        found.states[row.id] = replace(state, waiting_since=since if state.is_waiting else 0.0)
        if row.created_at >= now - INCOMING_WINDOW:
            found.created[row.id] = _epoch(row.created_at)
        if row.solved_at is not None and row.solved_at >= recent and row.status in ("solved", "closed"):
            found.solved[row.id] = _epoch(row.solved_at)
    return found


def _write_rebuilt(pipe, ticket_id: int, state: TicketState, found: _Rebuild, seq: int) -> None:
    _count(pipe, state, 1)
    if state.is_waiting:
        pipe.zadd(f"{PREFIX}waiting:{state.pair}", {str(ticket_id): state.waiting_since})
    if ticket_id in found.created:
        pipe.zadd(f"{PREFIX}in:{state.pair}", {str(ticket_id): found.created[ticket_id]})
    if ticket_id in found.solved:
        pipe.zadd(f"{PREFIX}handled:{state.pair}", {str(ticket_id): found.solved[ticket_id]})
        if state.assignee:
            pipe.zadd(f"{PREFIX}handled-agent:{state.assignee}", {str(ticket_id): found.solved[ticket_id]})
    pipe.sadd(PAIRS_KEY, state.pair)
    # Events up to the client's latest sequence number are already in this state.
    pipe.hset(f"{PREFIX}t:{ticket_id}", mapping=state.dump(seq))
