"""/api/v1/webhooks: the calling client's outbound webhook endpoints and their delivery logs."""

from __future__ import annotations

from flask import g

from helpdesk.api.auth import api_blueprint
from helpdesk.channels.webhooks import endpoints
from helpdesk.channels.webhooks.schemas import (
    WebhookDeliveryArgs,
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookEndpointCreated,
    WebhookEndpointIn,
    WebhookEndpointList,
    WebhookEndpointOut,
    WebhookEndpointPatch,
    WebhookSecretOut,
)

blp = api_blueprint("webhooks", __name__, "/api/v1/webhooks",
                    "Outbound webhooks (Standard Webhooks signatures) of the calling client company")


@blp.get("")
@blp.response(200, WebhookEndpointList)
def list_endpoints():
    """Every endpoint of this client."""
    return {"data": endpoints.list_endpoints(g.scope)}


@blp.post("")
@blp.arguments(WebhookEndpointIn)
@blp.response(201, WebhookEndpointCreated)
def create_endpoint(data):
    """Add an endpoint; the answer carries its ``whsec_`` secret, shown only this once."""
    endpoint, _secret = endpoints.create_endpoint(g.scope, data)
    return endpoint  # WebhookEndpointCreated shows its secret


@blp.get("/<int:endpoint_id>")
@blp.response(200, WebhookEndpointOut)
def get_endpoint(endpoint_id):
    """One endpoint, with why it is paused or disabled."""
    return endpoints.get_endpoint(g.scope, endpoint_id)


@blp.patch("/<int:endpoint_id>")
@blp.arguments(WebhookEndpointPatch)
@blp.response(200, WebhookEndpointOut)
def update_endpoint(data, endpoint_id):
    """Change an endpoint; ``active: true`` enables a disabled one and resumes its waiting deliveries."""
    return endpoints.update_endpoint(g.scope, endpoint_id, data)


@blp.delete("/<int:endpoint_id>")
@blp.response(204)
def delete_endpoint(endpoint_id):
    """Remove an endpoint and its delivery log."""
    endpoints.delete_endpoint(g.scope, endpoint_id)


@blp.post("/<int:endpoint_id>/rotate-secret")
@blp.response(200, WebhookSecretOut)
def rotate_secret(endpoint_id):
    """A new secret; for 24 h every delivery is signed with both the new and the old one."""
    endpoint, secret = endpoints.rotate_secret(g.scope, endpoint_id)
    return {"secret": secret, "previous_secret_expires_at": endpoint.previous_secret_expires_at}


@blp.get("/<int:endpoint_id>/deliveries")
@blp.arguments(WebhookDeliveryArgs, location="query", as_kwargs=True)
@blp.response(200, WebhookDeliveryPage)
def list_deliveries(endpoint_id, limit, status=None, cursor=None):
    """The delivery log, newest first: status, attempts, last answer (first 1 KB), next attempt."""
    rows, next_cursor = endpoints.list_deliveries(g.scope, endpoint_id, status, limit, cursor)
    return {"data": rows, "next_cursor": next_cursor}


@blp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/replay")
@blp.response(202, WebhookDeliveryOut)
def replay_delivery(endpoint_id, delivery_id):
    """Send a delivery again, with the same webhook-id and body and a fresh retry budget."""
    return endpoints.replay(g.scope, endpoint_id, delivery_id)


@blp.post("/<int:endpoint_id>/test")
@blp.response(202, WebhookDeliveryOut)
def send_test(endpoint_id):
    """Send a ``webhook.test`` ping to this endpoint now."""
    return endpoints.send_test(g.scope, endpoint_id, g.actor)
