"""Thin RQ jobs: take IDs, run one service call inside the worker's app context.

Jobs run at least once (RQ redelivers, the outbox reconciler re-queues failed
or lost jobs), so each one is safe to run twice. The worker pushes the app context (workers.runner).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from helpdesk.channels.email import ingest as email_ingest
from helpdesk.channels.email import outbound as email_out
from helpdesk.channels.webhooks import outbound as webhooks_out
from helpdesk.client import clients
from helpdesk.extensions import db
from helpdesk.platform import outbox, retention
from helpdesk.platform.models import Event
from helpdesk.platform.sqlite import read_only
from helpdesk.portal import accounts as portal_accounts
from helpdesk.privacy import retention as client_retention
from helpdesk.realtime import offer_chat_survey
from helpdesk.realtime import publish_event as push_event
from helpdesk.routing import assignment, handoff, presence
from helpdesk.sla import clock as sla_clock
from helpdesk.supervision import csat, wallboard

log = logging.getLogger(__name__)


def publish_event(event_id: int) -> list[str] | None:
    """Push a stored event to its rooms and plan its webhooks (saved only if an endpoint wants one)."""
    with read_only():
        event = db.session.get(Event, event_id)
        if event is None:
            log.warning("publish_event: event %s not found", event_id)
            return None
        rooms = push_event(event)
        wallboard.apply(event)
        planned = webhooks_out.plan([event])
        db.session.rollback()
    webhooks_out.save(planned)
    return rooms


def publish_events(event_ids: list[int]) -> int:
    """Push several stored events of one client in sequence order (a filed batch of mail)."""
    with read_only():
        found = db.session.scalars(select(Event).where(Event.id.in_(event_ids)).order_by(Event.seq)).all()
        for event in found:
            push_event(event)
            wallboard.apply(event)
        planned = webhooks_out.plan(list(found))
        db.session.rollback()
    webhooks_out.save(planned)
    if len(found) < len(event_ids):
        log.warning("publish_events: %d of %d events not found", len(event_ids) - len(found), len(event_ids))
    return len(found)


def route_ticket(ticket_id: int) -> dict | None:
    decision = assignment.route_ticket(ticket_id)
    return None if decision is None else {"agent_id": decision.agent_id, "reason": decision.reason}


def drain_queue(region_id: int) -> int:
    return assignment.drain_queue(region_id)


def sla_check(ticket_id: int) -> list[str]:
    return sla_clock.check(ticket_id)


def sla_sweep() -> int:
    return sla_clock.sweep()


def shift_handoff() -> dict[str, int]:
    return handoff.run()


def presence_sweep() -> int:
    return presence.expire_silent()


def relay_outbox() -> int:
    return outbox.relay_pending()


def reconcile_outbox() -> dict[str, int]:
    return outbox.reconcile()


def send_email(message_id: int) -> str:
    return email_out.send(message_id)


def send_csat_survey(ticket_id: int) -> str:
    return csat.send_survey(ticket_id, offer_in_chat=offer_chat_survey)


def file_inbound_backlog(client_id: int) -> int:
    return email_ingest.file_backlog(client_id)


def reprocess_stale_inbound() -> int:
    return email_ingest.reprocess_stale()


def prune_old_records() -> dict[str, int]:
    return {**retention.prune(), **webhooks_out.prune()}


def rebuild_wallboard() -> int:
    return wallboard.rebuild()


def deliver_webhooks(endpoint_id: int) -> dict[str, int]:
    return webhooks_out.run_endpoint(endpoint_id)


def sweep_webhooks() -> int:
    return webhooks_out.sweep()


def send_portal_invitation(portal_user_id: int) -> str:
    return portal_accounts.send_invitation(portal_user_id)


def send_webhook_disabled_notice(endpoint_id: int) -> str:
    return webhooks_out.send_disabled_notice(endpoint_id)


def flush_api_key_use() -> int:
    return clients.flush_key_use()


def apply_client_retention() -> dict[str, int]:
    return client_retention.apply_all()
