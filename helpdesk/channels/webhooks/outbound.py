"""Outbound webhooks: from a stored event to signed POSTs at the client's endpoints.

The job that pushes an event live also *plans* its webhooks (which endpoints
want which webhook types; the JSON body, in the REST API's shapes) and saves
one delivery row per endpoint and type. Deliveries are sent by
``run_endpoint`` jobs, one endpoint at a time: a Redis lock lets only one run
per endpoint exist anywhere (the per-endpoint concurrency cap), a run stops
after a few seconds and asks for another, and a failure pauses just that
endpoint until its next attempt. So a slow or dead receiver holds at most one
worker for at most one timeout, and never queues in front of another client's.
"""

from __future__ import annotations

import json
import logging
import math
import random
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import func, insert, or_, select, tuple_

from helpdesk.channels import signatures
from helpdesk.channels.email.outbound import smtp_connection
from helpdesk.channels.webhooks.transport import Answer, Sender
from helpdesk.client.clients import portal_admin_emails
from helpdesk.client.models import WebhookDelivery, WebhookEndpoint
from helpdesk.extensions import db
from helpdesk.platform import events, outbox, retention
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.platform.models import Event
from helpdesk.platform.sqlite import read_only
from helpdesk.platform.tenancy import TenantScope
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.schemas import MessageOut, TicketOut
from workers.queues import WEBHOOK_QUEUE, get_redis

log = logging.getLogger(__name__)

WEBHOOK_TYPES = ("ticket.created", "ticket.updated", "ticket.assigned", "ticket.solved", "message.created",
                 "sla.warning", "sla.breached", "csat.rated")
TEST_TYPE = "webhook.test"
RUN_TASK = "workers.jobs.deliver_webhooks"
NOTICE_TASK = "workers.jobs.send_webhook_disabled_notice"
DUE_STATES = ("pending", "retrying")
BATCH = 25
RETRY_AFTER_CAP = timedelta(hours=6)
QUEUED_FLAG_SECONDS = 30
SWEEP_LIMIT = 500


# --- planning: which endpoints get which webhook of an event -------------------------------------

def webhook_types(event: Event) -> list[str]:
    """The webhook types an event becomes (a ticket solved by an update is also ``ticket.solved``)."""
    data = event.data or {}
    if event.type in ("ticket.created", "csat.rated"):
        return [event.type]
    if event.type == "ticket.updated":
        status = (data.get("changes") or {}).get("status")
        return ["ticket.updated"] + (["ticket.solved"] if status and status[1] == "solved" else [])
    if event.type in ("ticket.assigned", "ticket.reassigned") and data.get("agent_id"):
        return ["ticket.assigned"]
    if event.type == "message.created" and (data.get("message") or {}).get("kind") != "note":
        return ["message.created"]
    if event.type in ("ticket.sla_warning", "ticket.sla_breached"):
        return ["sla." + event.type.removeprefix("ticket.sla_")]
    return []


def wants(event_types: list[str], webhook_type: str) -> bool:
    return "*" in event_types or webhook_type in event_types


def plan(found: list[Event]) -> list[dict[str, Any]]:
    """The delivery rows these events call for; reads only (the caller may be in a read-only transaction)."""
    by_client: dict[int, list[Event]] = defaultdict(list)
    for event in found:
        by_client[event.client_id].append(event)
    rows = []
    for client_id, client_events in by_client.items():
        endpoints = db.session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.event_types)
            .where(WebhookEndpoint.client_id == client_id, WebhookEndpoint.active.is_(True))).all()
        if not endpoints:
            continue
        for event in client_events:
            for webhook_type in webhook_types(event):
                targets = [endpoint.id for endpoint in endpoints if wants(endpoint.event_types, webhook_type)]
                if targets:
                    body = payload(event, webhook_type)
                    rows.extend(new_delivery(client_id, target, event.id, webhook_type, body) for target in targets)
    return rows


def new_delivery(client_id: int, endpoint_id: int, event_id: int, webhook_type: str, body: dict) -> dict[str, Any]:
    now = utcnow()
    return {"client_id": client_id, "endpoint_id": endpoint_id, "event_id": event_id, "event_type": webhook_type,
            "webhook_id": "msg_" + secrets.token_hex(16), "payload": body, "status": "pending", "attempts": 0,
            "round_attempts": 0, "next_attempt_at": now, "created_at": now}


def payload(event: Event, webhook_type: str) -> dict[str, Any]:
    """``{type, timestamp, seq, data}``, with the ticket and message as ``GET /api/v1/tickets/<id>`` shows them."""
    return {"type": webhook_type, "timestamp": event.created_at.isoformat(), "seq": event.seq,
            "event_id": event.id, "data": _data(event, webhook_type)}


def _data(event: Event, webhook_type: str) -> dict[str, Any]:
    source = event.data or {}
    scope = TenantScope.for_client(event.client_id)
    ticket = scope.get(Ticket, event.ticket_id)
    data: dict[str, Any] = {"ticket": TicketOut().dump(ticket) if ticket else source.get("ticket")}
    if webhook_type in ("ticket.updated", "ticket.solved"):
        data["changes"] = source.get("changes", {})
    elif webhook_type == "ticket.assigned":
        data["reason"] = source.get("reason")
    elif webhook_type == "message.created":
        message = scope.get(Message, (source.get("message") or {}).get("id"))
        data["message"] = MessageOut().dump(message) if message else source.get("message")
    elif webhook_type.startswith("sla."):
        data.update({key: source.get(key) for key in ("target", "due_at", "at")})
    elif webhook_type == "csat.rated":
        data["csat"] = source.get("csat")
    return data


def save(rows: list[dict[str, Any]]) -> int:
    """Store planned deliveries (once: a repeated job finds them there) and start their endpoints' runs."""
    if not rows:
        return 0
    keys = {(row["endpoint_id"], row["event_id"], row["event_type"]) for row in rows}
    existing = set(db.session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.event_id, WebhookDelivery.event_type)
        .where(tuple_(WebhookDelivery.endpoint_id, WebhookDelivery.event_id, WebhookDelivery.event_type)
               .in_(list(keys)))).all())
    new = [row for row in rows if (row["endpoint_id"], row["event_id"], row["event_type"]) not in existing]
    if new:
        db.session.execute(insert(WebhookDelivery), new)
        for endpoint_id, client_id in {(row["endpoint_id"], row["client_id"]) for row in new}:
            request_run(endpoint_id, client_id)
    outbox.commit()
    return len(new)


def fan_out(event_ids: list[int]) -> int:
    found = db.session.scalars(select(Event).where(Event.id.in_(event_ids)).order_by(Event.seq)).all()
    return save(plan(list(found)))


# --- runs: one endpoint at a time ----------------------------------------------------------------

def request_run(endpoint_id: int, client_id: int, not_before: datetime | None = None) -> None:
    """Add a run of this endpoint to the caller's transaction, unless one is already queued."""
    if not_before is None:
        flag, seconds = f"webhooks:queued:{endpoint_id}", QUEUED_FLAG_SECONDS
    else:  # one run per endpoint and instant, however many runs asked for it
        # RQ keeps whole seconds and would release the run up to a second early, to find nothing due.
        not_before = datetime.fromtimestamp(math.ceil(not_before.timestamp()), UTC)
        flag = f"webhooks:scheduled:{endpoint_id}:{int(not_before.timestamp())}"
        seconds = max(1, int((not_before - utcnow()).total_seconds())) + QUEUED_FLAG_SECONDS
    try:
        if not get_redis().set(flag, 1, nx=True, ex=seconds):
            return
    except RedisError:
        pass  # the outbox row waits for Redis like any other job
    outbox.add(RUN_TASK, {"endpoint_id": endpoint_id}, client_id=client_id, queue=WEBHOOK_QUEUE,
               not_before=not_before)


def run_endpoint(endpoint_id: int) -> dict[str, int]:
    """Send this endpoint's due deliveries for a few seconds; safe to run twice (the lock decides)."""
    connection = get_redis()
    connection.delete(f"webhooks:queued:{endpoint_id}")
    lock_key, token = f"webhooks:running:{endpoint_id}", secrets.token_hex(8)
    hold = int(_setting("WEBHOOK_RUN_SECONDS") + _setting("WEBHOOK_TIMEOUT_SECONDS")) + 30
    if not connection.set(lock_key, token, nx=True, ex=hold):
        return {"busy": 1}
    try:
        counts = _deliver_due(endpoint_id)
    finally:
        db.session.rollback()
        if connection.get(lock_key) == token.encode():
            connection.delete(lock_key)
    _follow_up(endpoint_id)
    return counts


@dataclass
class _Outgoing:
    delivery_id: int
    webhook_id: str
    body: bytes


def _deliver_due(endpoint_id: int) -> dict[str, int]:
    """Batches of: read what is due (no lock held), send with no transaction open, record in a short one.

    On SQLite a transaction that writes holds the one write lock: open across HTTP calls
    to a slow receiver, it would stop every other writer for as long as the receiver takes.
    """
    counts: dict[str, int] = defaultdict(int)
    deadline = time.monotonic() + _setting("WEBHOOK_RUN_SECONDS")
    while time.monotonic() < deadline:
        loaded = _load_batch(endpoint_id)
        if loaded is None:
            break
        url, secrets_now, batch = loaded
        answers = []
        for item in batch:
            answer = _sender().post(url, item.body, signed_headers(secrets_now, item.webhook_id, item.body))
            answers.append((item.delivery_id, answer))
            if _pauses(answer) or time.monotonic() >= deadline:
                break
        outcomes, still_active = _record_answers(endpoint_id, answers)
        for outcome in outcomes:
            counts[outcome] += 1
        if "retrying" in outcomes or not still_active:
            break  # the endpoint is paused (or disabled): the rest wait for it
    return dict(counts)


def _load_batch(endpoint_id: int) -> tuple[str, list[str], list[_Outgoing]] | None:
    with read_only():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id, populate_existing=True)
        now = utcnow()
        if endpoint is None or not endpoint.active or (endpoint.paused_until and endpoint.paused_until > now):
            db.session.rollback()
            return None
        batch = [_Outgoing(d.id, d.webhook_id, _body(d.payload))
                 for d in db.session.scalars(_due(endpoint_id, now).limit(BATCH))]
        loaded = (endpoint.url, signing_secrets(endpoint), batch)
        db.session.rollback()
    return loaded if batch else None


def _body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _pauses(answer: Answer) -> bool:
    """After this answer nothing more goes to the endpoint in this run."""
    return not _ok(answer) and (answer.status == 410 or _retryable(answer))


def _record_answers(endpoint_id: int, answers: list[tuple[int, Answer]]) -> tuple[list[str], bool]:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id, populate_existing=True)
    deliveries = {d.id: d for d in db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.id.in_([delivery_id for delivery_id, _ in answers])))}
    outcomes = [record_answer(endpoint, deliveries[delivery_id], answer)
                for delivery_id, answer in answers if endpoint is not None and delivery_id in deliveries]
    still_active = endpoint is not None and endpoint.active
    outbox.commit()
    return outcomes, still_active


def _due(endpoint_id: int, now: datetime):
    return (select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status.in_(DUE_STATES),
                   WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id))


def _follow_up(endpoint_id: int) -> None:
    """After the lock is released: another run now if work is due, or one at the endpoint's next attempt."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id, populate_existing=True)
    if endpoint is None or not endpoint.active:
        db.session.rollback()
        return
    now = utcnow()
    if endpoint.paused_until and endpoint.paused_until > now:
        request_run(endpoint.id, endpoint.client_id, not_before=endpoint.paused_until)
    elif db.session.scalar(_due(endpoint_id, now).limit(1)) is not None:
        request_run(endpoint.id, endpoint.client_id)
    else:
        upcoming = db.session.scalar(select(func.min(WebhookDelivery.next_attempt_at)).where(
            WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status.in_(DUE_STATES)))
        if upcoming is not None:
            request_run(endpoint.id, endpoint.client_id, not_before=upcoming)
    outbox.commit()


def sweep() -> int:
    """Safety net (scheduled): start runs for endpoints with due deliveries whose run was lost."""
    now = utcnow()
    rows = db.session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.client_id).join(
            WebhookDelivery, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
        .where(WebhookEndpoint.active.is_(True),
               or_(WebhookEndpoint.paused_until.is_(None), WebhookEndpoint.paused_until <= now),
               WebhookDelivery.status.in_(DUE_STATES), WebhookDelivery.next_attempt_at <= now)
        .group_by(WebhookEndpoint.id, WebhookEndpoint.client_id).limit(SWEEP_LIMIT)).all()
    for endpoint_id, client_id in rows:
        request_run(endpoint_id, client_id)
    outbox.commit()
    return len(rows)


# --- one attempt ----------------------------------------------------------------------------------

def record_answer(endpoint: WebhookEndpoint, delivery: WebhookDelivery, answer: Answer) -> str:
    """Record one attempt's answer on the delivery and its endpoint; returns the delivery's new status."""
    now = utcnow()
    delivery.attempts += 1
    delivery.round_attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = answer.status
    delivery.last_response_body = answer.body
    delivery.last_duration_ms = answer.duration_ms
    delivery.last_error = answer.error or (None if _ok(answer) else f"the receiver answered {answer.status}")
    if _ok(answer):
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        endpoint.failing_since = endpoint.paused_until = None
        return delivery.status
    endpoint.failing_since = endpoint.failing_since or now
    if answer.status == 410:
        _give_up(delivery, "the receiver answered 410 Gone")
        disable(endpoint, "The receiver answered 410 Gone: it asked us to stop.", now)
    elif _retryable(answer):
        _retry_later(endpoint, delivery, answer, now)
    else:
        _give_up(delivery, delivery.last_error)
    if endpoint.active and now - endpoint.failing_since >= timedelta(hours=_setting("WEBHOOK_DISABLE_AFTER_HOURS")):
        disable(endpoint, f"Every delivery failed since {endpoint.failing_since.isoformat(timespec='seconds')}.",
                now)
    return delivery.status


def _ok(answer: Answer) -> bool:
    return answer.status is not None and 200 <= answer.status < 300


def _retryable(answer: Answer) -> bool:
    if answer.refused:
        return False
    if answer.status is None:
        return True  # network error or timeout
    return answer.status in (408, 409, 425, 429) or answer.status >= 500 or 300 <= answer.status < 400


def _retry_later(endpoint: WebhookEndpoint, delivery: WebhookDelivery, answer: Answer, now: datetime) -> None:
    delays = retry_delays()
    if delivery.round_attempts > len(delays):
        _give_up(delivery, f"gave up after {delivery.round_attempts} attempts: {delivery.last_error}")
        return
    if answer.retry_after is not None:
        delay = min(timedelta(seconds=answer.retry_after), RETRY_AFTER_CAP)
    else:  # exponential schedule with +-20% jitter so a recovering receiver is not hit all at once
        delay = timedelta(seconds=delays[delivery.round_attempts - 1] * random.uniform(0.8, 1.2))
    delivery.status, delivery.next_attempt_at = "retrying", now + delay
    endpoint.paused_until = delivery.next_attempt_at


def _give_up(delivery: WebhookDelivery, reason: str | None) -> None:
    delivery.status, delivery.next_attempt_at, delivery.last_error = "failed", None, reason


def disable(endpoint: WebhookEndpoint, reason: str, now: datetime) -> None:
    """Stop delivering to an endpoint; the client hears it by event and by email (its alert address and
    its portal admins)."""
    endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason
    endpoint.paused_until = None
    log.warning("webhook endpoint %s of client %s disabled: %s", endpoint.id, endpoint.client_id, reason)
    events.record(endpoint.client_id, "webhook.endpoint_disabled", Actor.system(),
                  {"endpoint": {"id": endpoint.id, "url": endpoint.url, "reason": reason}})
    if _notice_recipients(endpoint):
        outbox.add(NOTICE_TASK, {"endpoint_id": endpoint.id}, client_id=endpoint.client_id)


def _notice_recipients(endpoint: WebhookEndpoint) -> list[str]:
    found = ([endpoint.alert_email] if endpoint.alert_email else []) + portal_admin_emails(endpoint.client_id)
    return list(dict.fromkeys(address.lower() for address in found))


def signed_headers(secrets_now: list[str], webhook_id: str, body: bytes) -> dict[str, str]:
    """Standard Webhooks headers; during a rotation both the new and the old secret sign."""
    timestamp = int(time.time())
    signatures_sent = [signatures.standard_webhooks_signature(secret, webhook_id, timestamp, body)
                       for secret in secrets_now]
    return {"content-type": "application/json", "user-agent": "helpdesk-webhooks/1",
            "webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(signatures_sent)}


def signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    previous_valid = (endpoint.previous_secret and endpoint.previous_secret_expires_at
                      and endpoint.previous_secret_expires_at > utcnow())
    return [endpoint.secret] + ([endpoint.previous_secret] if previous_valid else [])


def retry_delays() -> list[float]:
    return [float(part) for part in str(_setting("WEBHOOK_RETRY_DELAYS")).split(",") if part.strip()]


def _setting(name: str) -> Any:
    return current_app.config[name]


def _sender() -> Sender:
    extensions = current_app.extensions
    if "helpdesk_webhook_sender" not in extensions:
        extensions["helpdesk_webhook_sender"] = Sender(
            allow_internal=_setting("WEBHOOK_ALLOW_INTERNAL_URLS"), timeout_seconds=_setting("WEBHOOK_TIMEOUT_SECONDS"))
    return extensions["helpdesk_webhook_sender"]


def send_disabled_notice(endpoint_id: int) -> str:
    """Email the endpoint's alert address and the client's portal admins that it was disabled, and why."""
    with read_only():  # no transaction stays open while SMTP talks
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        needed = endpoint is not None and not endpoint.active
        recipients = _notice_recipients(endpoint) if needed else []
        if needed:
            db.session.expunge(endpoint)
        db.session.rollback()
    if not recipients:
        return "not needed"
    notice = EmailMessage()
    notice["From"] = current_app.config["MAIL_FROM"]
    notice["To"] = ", ".join(recipients)
    notice["Subject"] = f"Webhook endpoint {endpoint.id} was disabled"
    notice.set_content(
        f"We stopped sending webhooks to {endpoint.url}.\n\nWhy: {endpoint.disabled_reason}\n\n"
        "Deliveries that were waiting stay in the delivery log. Fix the receiver, then enable the endpoint "
        f"again (PATCH /api/v1/webhooks/{endpoint.id} with {{\"active\": true}}) to resume them.\n")
    with smtp_connection() as smtp:
        smtp.send_message(notice)
    return "sent"


def prune() -> dict[str, int]:
    """Forget finished deliveries past WEBHOOK_LOG_RETENTION_DAYS (the log's reach); waiting ones stay."""
    cutoff = utcnow() - timedelta(days=_setting("WEBHOOK_LOG_RETENTION_DAYS"))
    finished = WebhookDelivery.status.in_(("delivered", "failed")) & (WebhookDelivery.created_at < cutoff)
    return {"webhook_deliveries": retention.delete_in_batches(WebhookDelivery, finished)}
