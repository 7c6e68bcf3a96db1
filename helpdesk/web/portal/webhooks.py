"""Portal page: the company's outbound webhook endpoints and their delivery logs.

Admins add, enable, disable, delete, rotate, test and replay; members read. A refused
action (a disabled endpoint cannot be tested) says why next to the endpoint.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from helpdesk.channels.webhooks import endpoints
from helpdesk.channels.webhooks.outbound import WEBHOOK_TYPES
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.platform.events import Actor
from helpdesk.web.portal.base import admins_only, bp, scope

LOG_ROWS = 20


def _page(shown: tuple[str, str] | None = None, errors: dict | None = None, message: str | None = None,
          status: int = 200):
    listed = [(endpoint, endpoints.list_deliveries(scope(), endpoint.id, None, LOG_ROWS, None)[0])
              for endpoint in endpoints.list_endpoints(scope())]
    return render_template("portal/webhooks.html", listed=listed, types=WEBHOOK_TYPES, shown=shown,
                           errors=errors or {}, message=message, posted=request.form), status


@bp.get("/webhooks")
def webhooks():
    return _page()


@bp.post("/webhooks")
def add_webhook():
    admins_only("Adding webhook endpoints is")
    form = request.form
    data = {"url": (form.get("url") or "").strip(), "description": (form.get("description") or "").strip() or None,
            "event_types": form.getlist("event_types"), "alert_email": (form.get("alert_email") or "").strip() or None}
    problems = {}
    if not data["url"] or len(data["url"]) > 2000:
        problems["url"] = ["Give the https URL that receives the webhooks."]
    if data["description"] and len(data["description"]) > 200:
        problems["description"] = ["At most 200 characters."]
    if data["alert_email"] and ("@" not in data["alert_email"] or len(data["alert_email"]) > 320):
        problems["alert_email"] = ["Give an e-mail address, or leave it empty."]
    try:
        if problems:
            raise ValidationFailed("The endpoint was not added.", problems)
        endpoint, secret = endpoints.create_endpoint(scope(), data)
    except (ValidationFailed, Conflict) as refused:
        return _page(errors=refused.details, message=refused.message,
                     status=400 if isinstance(refused, ValidationFailed) else 409)
    return _page(shown=(f"Signing secret of endpoint {endpoint.id}", secret))


@bp.post("/webhooks/<int:endpoint_id>")
def change_webhook(endpoint_id: int):
    admins_only("Changing webhook endpoints is")
    endpoints.get_endpoint(scope(), endpoint_id)  # another company's endpoint is a 404 whatever the action
    action = request.form.get("action")
    try:
        if action in ("enable", "disable"):
            endpoints.update_endpoint(scope(), endpoint_id, {"active": action == "enable"})
            done = "enabled; waiting deliveries resume" if action == "enable" else "disabled"
            flash(f"Endpoint {endpoint_id} {done}.", "ok")
        elif action == "test":
            endpoints.send_test(scope(), endpoint_id, Actor("portal_user", g.portal_user.id))
            flash(f"Test ping queued for endpoint {endpoint_id}.", "ok")
        elif action == "rotate":
            endpoint, secret = endpoints.rotate_secret(scope(), endpoint_id)
            return _page(shown=(f"New signing secret of endpoint {endpoint.id} (the old one signs too until "
                                f"{endpoint.previous_secret_expires_at:%Y-%m-%d %H:%M} UTC)", secret))
        elif action == "delete":
            endpoints.delete_endpoint(scope(), endpoint_id)
            flash(f"Endpoint {endpoint_id} deleted.", "ok")
            return redirect(url_for("portal.webhooks"))
        else:
            raise ValidationFailed("Unknown action.", {"action": ["enable, disable, test, rotate or delete"]})
    except (ValidationFailed, Conflict) as refused:
        flash(f"Endpoint {endpoint_id}: {refused.message}", "error")
    return redirect(url_for("portal.webhooks", _anchor=f"endpoint-{endpoint_id}"))


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay")
def replay_delivery(endpoint_id: int, delivery_id: int):
    admins_only("Replaying deliveries is")
    try:
        endpoints.replay(scope(), endpoint_id, delivery_id)
        flash(f"Delivery {delivery_id} queued again.", "ok")
    except Conflict as refused:
        flash(f"Endpoint {endpoint_id}: {refused.message}", "error")
    return redirect(url_for("portal.webhooks", _anchor=f"endpoint-{endpoint_id}"))
