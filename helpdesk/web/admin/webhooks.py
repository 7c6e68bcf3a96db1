"""Admin page for the BPO's staff: a client's outbound webhook endpoints, their delivery logs, replay and test.

The client manages its endpoints over the API; staff see the same log here and can
replay a delivery or send a test. A refused action says why, next to the endpoint.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from helpdesk.admin import clients as admin_clients
from helpdesk.channels.webhooks import endpoints
from helpdesk.errors import Conflict
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.web.admin.base import bp

LOG_ROWS = 20


@bp.get("/clients/<int:client_id>/webhooks")
def client_webhooks(client_id: int):
    client = admin_clients.get_client(client_id)
    scope = TenantScope.for_client(client.id)
    listed = [(endpoint, endpoints.list_deliveries(scope, endpoint.id, None, LOG_ROWS, None)[0])
              for endpoint in endpoints.list_endpoints(scope)]
    return render_template("admin/client_webhooks.html", client=client, listed=listed)


@bp.post("/clients/<int:client_id>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay")
def replay_webhook(client_id: int, endpoint_id: int, delivery_id: int):
    return _act(client_id, endpoint_id, "Delivery queued again.",
                lambda scope: endpoints.replay(scope, endpoint_id, delivery_id))


@bp.post("/clients/<int:client_id>/webhooks/<int:endpoint_id>/test")
def test_webhook(client_id: int, endpoint_id: int):
    return _act(client_id, endpoint_id, "Test ping queued.",
                lambda scope: endpoints.send_test(scope, endpoint_id, Actor("agent", current_user.id)))


def _act(client_id: int, endpoint_id: int, done: str, action):
    client = admin_clients.get_client(client_id)
    try:
        action(TenantScope.for_client(client.id))
        flash(done, "ok")
    except Conflict as refused:
        flash(f"Endpoint {endpoint_id}: {refused.message}", "error")
    return redirect(url_for("admin.client_webhooks", client_id=client.id, _anchor=f"endpoint-{endpoint_id}"))
