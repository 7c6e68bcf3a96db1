"""Admin page for the BPO's staff: a client company's portal accounts. The BPO invites the
company's first portal admin here; from then on the company can invite its own people."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from helpdesk.admin import clients as admin_clients
from helpdesk.client.models import PORTAL_ROLES
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.platform.tenancy import TenantScope
from helpdesk.portal import accounts
from helpdesk.web.admin.base import bp


def _page(client, errors: dict | None = None, message: str | None = None, status: int = 200):
    return render_template("admin/client_portal_users.html", client=client,
                           users=accounts.list_users(TenantScope.for_client(client.id)), roles=PORTAL_ROLES,
                           errors=errors or {}, message=message, posted=request.form), status


@bp.get("/clients/<int:client_id>/portal-users")
def client_portal_users(client_id: int):
    return _page(admin_clients.get_client(client_id))


@bp.post("/clients/<int:client_id>/portal-users")
def invite_portal_user(client_id: int):
    client = admin_clients.get_client(client_id)
    try:
        user = accounts.invite(TenantScope.for_client(client.id), request.form.get("email", ""),
                               request.form.get("name", ""), request.form.get("role", "admin"))
    except (ValidationFailed, Conflict) as refused:
        return _page(client, refused.details, refused.message, 400 if isinstance(refused, ValidationFailed) else 409)
    flash(f"Invitation mailed to {user.email}.", "ok")
    return redirect(url_for("admin.client_portal_users", client_id=client.id))


@bp.post("/clients/<int:client_id>/portal-users/<int:user_id>")
def change_portal_user(client_id: int, user_id: int):
    client = admin_clients.get_client(client_id)
    try:
        flash(accounts.apply_action(TenantScope.for_client(client.id), user_id, request.form.get("action"),
                                    role=request.form.get("role")), "ok")
    except (ValidationFailed, Conflict) as refused:
        flash(refused.message, "error")
    return redirect(url_for("admin.client_portal_users", client_id=client.id))
