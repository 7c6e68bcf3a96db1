"""A client's outbound webhook endpoints: create, change, rotate the secret, the delivery log, replay, test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from helpdesk import audit
from helpdesk.channels.webhooks import outbound
from helpdesk.channels.webhooks.transport import check_url
from helpdesk.client.models import WebhookDelivery, WebhookEndpoint
from helpdesk.errors import Conflict, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import events, outbox, pagination, security
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope


def _checked_url(url: str) -> str:
    problem = check_url(url, allow_internal=current_app.config["WEBHOOK_ALLOW_INTERNAL_URLS"])
    if problem:
        raise ValidationFailed("This URL cannot receive webhooks.", {"url": [problem]})
    return url


def _checked_types(event_types: list[str]) -> list[str]:
    unknown = [name for name in event_types if name != "*" and name not in outbound.WEBHOOK_TYPES]
    if unknown or not event_types:
        raise ValidationFailed("Unknown event types.", {"event_types": [
            "Use * or any of: " + ", ".join(outbound.WEBHOOK_TYPES) + (f" (not {', '.join(unknown)})" if unknown
                                                                        else "")]})
    return sorted(set(event_types))


def create_endpoint(scope: TenantScope, data: dict[str, Any]) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret, which is shown this once."""
    client_id = scope.client_id
    limit = current_app.config["WEBHOOK_MAX_ENDPOINTS"]
    count = db.session.scalar(select(func.count()).select_from(WebhookEndpoint)
                              .where(scope.where(WebhookEndpoint)))
    if count >= limit:
        raise Conflict(f"A client may have at most {limit} webhook endpoints.", {"endpoints": [count]})
    secret = security.new_webhook_secret()
    event_types = _checked_types(data["event_types"])
    endpoint = WebhookEndpoint(url=_checked_url(data["url"]), description=data.get("description"),
                               event_types=event_types, active=data.get("active", True),
                               alert_email=data.get("alert_email"), secret=secret)
    scope.add(endpoint, client_id)
    db.session.flush()
    _audit("webhook.created", endpoint, {"url": endpoint.url, "event_types": endpoint.event_types})
    db.session.commit()
    return endpoint, secret


def list_endpoints(scope: TenantScope) -> list[WebhookEndpoint]:
    return list(db.session.scalars(scope.select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def get_endpoint(scope: TenantScope, endpoint_id: int) -> WebhookEndpoint:
    return scope.get_or_404(WebhookEndpoint, endpoint_id, "webhook endpoint")


def update_endpoint(scope: TenantScope, endpoint_id: int, data: dict[str, Any]) -> WebhookEndpoint:
    """Change URL, types, description, alert address or the active flag; enabling resumes waiting deliveries."""
    endpoint = get_endpoint(scope, endpoint_id)
    if "url" in data:
        endpoint.url = _checked_url(data["url"])
    if "event_types" in data:
        endpoint.event_types = _checked_types(data["event_types"])
    for field in ("description", "alert_email"):
        if field in data:
            setattr(endpoint, field, data[field])
    if data.get("active") is True and not endpoint.active:
        endpoint.active = True
        endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = endpoint.paused_until = None
        outbound.request_run(endpoint.id, endpoint.client_id)
    elif data.get("active") is False:
        endpoint.active = False
    endpoint.updated_at = utcnow()
    _audit("webhook.updated", endpoint, {key: value for key, value in data.items()})
    outbox.commit()
    return endpoint


def delete_endpoint(scope: TenantScope, endpoint_id: int) -> None:
    endpoint = get_endpoint(scope, endpoint_id)
    _audit("webhook.deleted", endpoint, {"url": endpoint.url})
    db.session.delete(endpoint)
    db.session.commit()


def rotate_secret(scope: TenantScope, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
    """A new secret; the current one keeps signing too for the overlap (24 h), so receivers can switch."""
    endpoint = get_endpoint(scope, endpoint_id)
    hours = current_app.config["WEBHOOK_SECRET_OVERLAP_HOURS"]
    endpoint.previous_secret, endpoint.previous_secret_expires_at = endpoint.secret, utcnow() + timedelta(hours=hours)
    endpoint.secret = security.new_webhook_secret()
    _audit("webhook.secret_rotated", endpoint,
           {"previous_valid_until": endpoint.previous_secret_expires_at.isoformat()})
    db.session.commit()
    return endpoint, endpoint.secret


def list_deliveries(scope: TenantScope, endpoint_id: int, status: list[str] | None, limit: int,
                    cursor: str | None) -> tuple[list[WebhookDelivery], str | None]:
    """The delivery log, newest first."""
    get_endpoint(scope, endpoint_id)
    query = scope.select(WebhookDelivery, WebhookDelivery.endpoint_id == endpoint_id)
    if status:
        query = query.where(WebhookDelivery.status.in_(status))
    query = pagination.apply(query, WebhookDelivery, "-created_at", cursor, limit)
    return pagination.page(list(db.session.scalars(query)), "-created_at", limit)


def replay(scope: TenantScope, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again (same webhook-id and body) with a fresh retry budget."""
    endpoint = get_endpoint(scope, endpoint_id)
    delivery = db.session.scalar(scope.select(WebhookDelivery, WebhookDelivery.id == delivery_id,
                                              WebhookDelivery.endpoint_id == endpoint_id))
    if delivery is None:
        raise NotFound(f"No delivery with id {delivery_id} for this endpoint.", {"id": delivery_id})
    _must_be_active(endpoint)
    delivery.status, delivery.round_attempts, delivery.next_attempt_at = "pending", 0, utcnow()
    endpoint.paused_until = None
    outbound.request_run(endpoint.id, endpoint.client_id)
    _audit("webhook.replayed", endpoint, {"delivery_id": delivery.id, "webhook_id": delivery.webhook_id})
    outbox.commit()
    return delivery


def send_test(scope: TenantScope, endpoint_id: int, actor: Actor) -> WebhookDelivery:
    """Deliver a ``webhook.test`` ping to this endpoint only (whatever types it listens to)."""
    endpoint = get_endpoint(scope, endpoint_id)
    _must_be_active(endpoint)
    recorded = events.record(endpoint.client_id, outbound.TEST_TYPE, actor, {"endpoint_id": endpoint.id},
                             publish_task=None)
    body = {"type": outbound.TEST_TYPE, "timestamp": utcnow().isoformat(), "seq": recorded.seq,
            "event_id": recorded.id, "data": {"endpoint_id": endpoint.id, "message": "A test from helpdesk."}}
    delivery = WebhookDelivery(**outbound.new_delivery(endpoint.client_id, endpoint.id, recorded.id,
                                                       outbound.TEST_TYPE, body))
    db.session.add(delivery)
    endpoint.paused_until = None
    outbound.request_run(endpoint.id, endpoint.client_id)
    outbox.commit()
    return delivery


def _audit(action: str, endpoint: WebhookEndpoint, details: dict[str, Any]) -> None:
    audit.record(action, client_id=endpoint.client_id, object_type="webhook_endpoint", object_id=endpoint.id,
                 details=details)


def _must_be_active(endpoint: WebhookEndpoint) -> None:
    if not endpoint.active:
        raise Conflict("This endpoint is disabled; enable it (PATCH active: true) to send to it.",
                       {"active": [False], "disabled_reason": [endpoint.disabled_reason or "disabled by the client"]})
