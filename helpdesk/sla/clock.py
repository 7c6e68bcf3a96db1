"""SLA clocks on tickets: due times in the client's calendar, pauses, warnings, breaches.

Targets come from the client's policy for the ticket's priority (first
response, next response, resolution), counted in the client's business
calendar or around the clock. While a ticket is pending or on hold its clock
stops; when it resumes every due time moves later by the clock time that
passed, so the clock continues and never restarts.

Each due time carries a warning instant (``warning_percent`` of the target).
The earliest instant not yet acted on is kept in ``sla_next_check_at``; a
check job is scheduled for it through the outbox (RQ runs it at that time) and
a periodic sweep catches anything a lost job missed. Checks are idempotent:
what was raised is remembered in ``sla_alerts``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from helpdesk.extensions import db
from helpdesk.platform import events, outbox
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.platform.sqlite import read_only
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing.models import Region
from helpdesk.sla import policy as sla
from helpdesk.sla.models import OlaTarget, SlaPolicy
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.tickets.summaries import ticket_summary as summary
from workers.queues import DEFAULT_QUEUE

CHECK_TASK = "workers.jobs.sla_check"
SLA_TARGETS = ("first_response", "next_response", "resolution")
# The BPO's internal targets for the region holding the ticket, in that region's shift hours.
OLA_TARGETS = ("ola_first_response", "ola_resolution")
TARGETS = SLA_TARGETS + OLA_TARGETS
DUE_FIELD = {target: f"{target}_due_at" for target in TARGETS}
DEFAULT_OLA_WARNING_PERCENT = 75
PAUSED = ("pending", "on_hold")
# Tickets checked per transaction by the sweep.
SWEEP_BATCH = 200
# A check reads the ticket and its client (escalation rule, reference), not its contact or assignee.
LEAN = (lazyload(Ticket.contact), lazyload(Ticket.assignee))
RAISED_PRIORITY = {"low": "normal", "normal": "high", "high": "urgent", "urgent": "urgent"}


def _policy(ticket: Ticket) -> SlaPolicy | None:
    scope = TenantScope.for_client(ticket.client_id)
    return db.session.scalar(scope.select(SlaPolicy, SlaPolicy.priority == ticket.priority))


def _ola(ticket: Ticket) -> OlaTarget | None:
    if ticket.region_id is None:
        return None
    return db.session.scalar(select(OlaTarget).where(
        OlaTarget.region_id == ticket.region_id, OlaTarget.priority == ticket.priority))


@dataclass(frozen=True)
class Clock:
    """How one target is counted: in which calendar, business hours or not, how long, when to warn."""

    calendar: Any
    business_hours: bool
    minutes: int | None
    warning_percent: int


def _clocks(ticket: Ticket) -> dict[str, Clock]:
    """The clock of every target that applies, from one SLA-policy and one OLA lookup."""
    clocks = {}
    policy = _policy(ticket)
    if policy is not None:
        for target in SLA_TARGETS:
            clocks[target] = Clock(ticket.client.calendar, bool(policy.business_hours),
                                   getattr(policy, f"{target}_minutes"), policy.warning_percent or 75)
    ola = _ola(ticket)
    if ola is not None:
        calendar = db.session.get(Region, ticket.region_id).calendar
        for target in OLA_TARGETS:
            clocks[target] = Clock(calendar, True, getattr(ola, target.removeprefix("ola_") + "_minutes"),
                                   DEFAULT_OLA_WARNING_PERCENT)
    return clocks


def _set_due(ticket: Ticket, target: str, clock: Clock | None, start: datetime, extra_seconds: float = 0) -> None:
    alerts = dict(ticket.sla_alerts or {})
    if clock is None or clock.minutes is None:
        setattr(ticket, DUE_FIELD[target], None)
        alerts.pop(target, None)
    else:
        due = sla.advance(clock.calendar, clock.business_hours, start, clock.minutes * 60 + extra_seconds)
        warn = sla.warning_at(clock.calendar, clock.business_hours, start, due, clock.warning_percent)
        setattr(ticket, DUE_FIELD[target], due)
        alerts[target] = {"warning_at": warn.isoformat()}
    ticket.sla_alerts = alerts


def start(ticket: Ticket) -> None:
    """Set the client's first-response and resolution due times, and the region's OLA."""
    clocks = _clocks(ticket)
    for target in ("first_response", "resolution"):
        _set_due(ticket, target, clocks.get(target), ticket.created_at)
    _start_ola_targets(ticket, clocks, ticket.created_at)
    _schedule_next_check(ticket)


def region_changed(ticket: Ticket, at: datetime) -> None:
    """A new region owns the ticket: its OLA runs from now. The client's SLA is untouched."""
    _start_ola_targets(ticket, _clocks(ticket), at)
    _schedule_next_check(ticket)


def _start_ola_targets(ticket: Ticket, clocks: dict[str, Clock], start_at: datetime) -> None:
    if ticket.first_responded_at is None:
        _set_due(ticket, "ola_first_response", clocks.get("ola_first_response"), start_at)
    if ticket.solved_at is None:
        _set_due(ticket, "ola_resolution", clocks.get("ola_resolution"), start_at)


def priority_changed(ticket: Ticket) -> None:
    """New targets for the new priority, counted from creation, paused time included."""
    clocks = _clocks(ticket)
    if ticket.first_responded_at is None:
        _set_due(ticket, "first_response", clocks.get("first_response"), ticket.created_at,
                 ticket.sla_paused_seconds)
    if ticket.solved_at is None:
        _set_due(ticket, "resolution", clocks.get("resolution"), ticket.created_at, ticket.sla_paused_seconds)
    _schedule_next_check(ticket)


def status_changed(ticket: Ticket, old: str, new: str, now: datetime) -> None:
    if new in PAUSED and old not in PAUSED:
        ticket.sla_paused_at = now
        ticket.sla_next_check_at = None
    elif old in PAUSED and new not in PAUSED and ticket.sla_paused_at is not None:
        _resume(ticket, now)
    if new in ("solved", "closed"):
        ticket.sla_next_check_at = None
    elif old in ("solved", "closed") and new in OPEN_STATUSES:
        _schedule_next_check(ticket)


def _resume(ticket: Ticket, now: datetime) -> None:
    paused_from, ticket.sla_paused_at = ticket.sla_paused_at, None
    clocks = _clocks(ticket)
    client_clock = clocks.get("first_response")  # every client target shares one calendar and mode
    if client_clock is not None:
        ticket.sla_paused_seconds += int(sla.elapsed(client_clock.calendar, client_clock.business_hours,
                                                     paused_from, now))
    alerts = dict(ticket.sla_alerts or {})
    for target in TARGETS:
        due = getattr(ticket, DUE_FIELD[target])
        clock = clocks.get(target)
        if due is None or clock is None or "breached" in alerts.get(target, {}):
            continue
        calendar, business = clock.calendar, clock.business_hours
        setattr(ticket, DUE_FIELD[target], sla.extend_for_pause(calendar, business, due, paused_from, now))
        entry = dict(alerts.get(target, {}))
        if "warning_at" in entry and "warned" not in entry:
            entry["warning_at"] = sla.extend_for_pause(
                calendar, business, datetime.fromisoformat(entry["warning_at"]), paused_from, now).isoformat()
        alerts[target] = entry
    ticket.sla_alerts = alerts
    _schedule_next_check(ticket)


def customer_replied(ticket: Ticket, now: datetime) -> None:
    """After the first response, each customer message starts the next-response clock."""
    if ticket.first_responded_at is not None:
        _set_due(ticket, "next_response", _clocks(ticket).get("next_response"), now)
        _schedule_next_check(ticket)


def agent_replied(ticket: Ticket, now: datetime) -> None:
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
    ticket.next_response_due_at = None
    alerts = dict(ticket.sla_alerts or {})
    alerts.pop("next_response", None)
    ticket.sla_alerts = alerts
    _schedule_next_check(ticket)


def _pending_instants(ticket: Ticket) -> list[tuple[datetime, str, str]]:
    """(instant, target, "warning"|"breach") not yet acted on, for targets still running."""
    found = []
    done = {"first_response": ticket.first_responded_at, "resolution": ticket.solved_at, "next_response": None,
            "ola_first_response": ticket.first_responded_at, "ola_resolution": ticket.solved_at}
    for target in TARGETS:
        due = getattr(ticket, DUE_FIELD[target])
        entry = (ticket.sla_alerts or {}).get(target, {})
        if due is None or done[target] is not None or "breached" in entry:
            continue
        if "warned" not in entry and "warning_at" in entry:
            found.append((datetime.fromisoformat(entry["warning_at"]), target, "warning"))
        found.append((due, target, "breach"))
    return sorted(found)


def _schedule_next_check(ticket: Ticket) -> None:
    if ticket.status not in OPEN_STATUSES or ticket.status in PAUSED:
        ticket.sla_next_check_at = None
        return
    instants = _pending_instants(ticket)
    next_at = instants[0][0] if instants else None
    previous, ticket.sla_next_check_at = ticket.sla_next_check_at, next_at
    if next_at is not None and next_at != previous:
        if ticket.id is None:
            # The job needs the ticket's id; every due time is set by now, so a new ticket
            # is written in one INSERT rather than an INSERT and an UPDATE.
            db.session.flush()
        outbox.add(CHECK_TASK, {"ticket_id": ticket.id}, client_id=ticket.client_id, queue=DEFAULT_QUEUE,
                   not_before=next_at)


def check(ticket_id: int, now: datetime | None = None) -> list[str]:
    """Raise every warning and breach that is due; safe to run any number of times."""
    query = select(Ticket).where(Ticket.id == ticket_id).options(*LEAN)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(of=Ticket)
    return check_tickets(db.session.scalars(query).all(), now or utcnow()).get(ticket_id, [])


def check_tickets(tickets: list[Ticket], now: datetime) -> dict[int, list[str]]:
    """Raise what is due on each of these (locked) tickets and commit once; what was raised, per ticket.

    The events of each client are written together (one counter update, one
    bulk insert, one push job), so checking hundreds of tickets costs a few
    statements, not a transaction each.
    """
    raised_by_ticket: dict[int, list[str]] = {}
    entries_by_client: dict[int, list] = defaultdict(list)
    for ticket in tickets:
        if ticket.status not in OPEN_STATUSES or ticket.status in PAUSED:
            continue
        raised, escalation = _raise_due(ticket, now)
        _schedule_next_check(ticket)
        if raised:
            raised_by_ticket[ticket.id] = [f"{event_type}:{target}" for event_type, target, _ in raised]
            entries_by_client[ticket.client_id].extend(
                (event_type, ticket, target, instant, escalation) for event_type, target, instant in raised)
    db.session.flush()
    for client_id, raised in entries_by_client.items():
        events.record_many(client_id, [_alert_event(*entry) for entry in raised])
    outbox.commit()
    return raised_by_ticket


def _raise_due(ticket: Ticket, now: datetime) -> tuple[list[tuple[str, str, datetime]], dict]:
    """Mark every warning and breach whose instant has passed; apply the escalation rule on a breach."""
    raised = []
    alerts = {target: dict(entry) for target, entry in (ticket.sla_alerts or {}).items()}
    for instant, target, kind in _pending_instants(ticket):
        if instant > now:
            break
        family = "ola" if target in OLA_TARGETS else "sla"
        if kind == "warning":
            alerts[target]["warned"] = now.isoformat()
            raised.append((f"ticket.{family}_warning", target, instant))
        else:
            alerts.setdefault(target, {})["breached"] = now.isoformat()
            raised.append((f"ticket.{family}_breached", target, instant))
    if not raised:
        return [], {}
    ticket.sla_alerts = alerts
    return raised, _escalate(ticket, [r for r in raised if r[0] == "ticket.sla_breached"])


def _alert_event(event_type: str, ticket: Ticket, target: str, instant: datetime, escalation: dict) -> tuple:
    data: dict[str, Any] = {"target": target, "due_at": getattr(ticket, DUE_FIELD[target]).isoformat(),
                            "at": instant.isoformat(), "ticket": summary(ticket)}
    if event_type == "ticket.sla_breached":
        data["escalation"] = escalation
    return event_type, Actor.system(), data, ticket.id


def _escalate(ticket: Ticket, breaches: list) -> dict:
    """Apply the client's escalation rule; by default a breach raises the priority one step."""
    if not breaches:
        return {}
    rule = ticket.client.escalation_rule or {}
    applied = {}
    ticket.sla_breached = True
    if rule.get("raise_priority", True) and ticket.priority != RAISED_PRIORITY[ticket.priority]:
        applied["priority"] = [ticket.priority, RAISED_PRIORITY[ticket.priority]]
        ticket.priority = RAISED_PRIORITY[ticket.priority]
    if rule.get("notify"):
        applied["notify"] = rule["notify"]
    return applied


def sweep(now: datetime | None = None, limit: int = 1000, batch: int = SWEEP_BATCH) -> int:
    """Safety net: check every ticket whose next SLA instant has passed (a job was lost).

    Tickets are checked in batches, each in one transaction. On PostgreSQL a
    ticket another transaction holds is skipped: it is being changed right now,
    and the next sweep (or its own check job) sees it.
    """
    now = now or utcnow()
    with read_only():  # usually nothing is due: do not queue for SQLite's write lock to find out
        due = list(db.session.scalars(
            select(Ticket.id).where(Ticket.sla_next_check_at <= now - timedelta(seconds=5))
            .order_by(Ticket.sla_next_check_at).limit(limit)))
        db.session.rollback()
    for first in range(0, len(due), batch):
        query = select(Ticket).where(Ticket.id.in_(due[first:first + batch])).order_by(Ticket.id).options(*LEAN)
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(of=Ticket, skip_locked=True)
        check_tickets(db.session.scalars(query).unique().all(), now)
    return len(due)
