"""Portal pages for the company's own set-up: colleagues (invitations, roles), API keys,
privacy settings and the audit trail. Members read; changes are for portal admins, and a
refused change says why next to its button."""

from __future__ import annotations

import re

from flask import Response, flash, g, redirect, render_template, request, url_for

from helpdesk import audit
from helpdesk.admin import clients as admin_clients
from helpdesk.client import clients, pii
from helpdesk.client.models import PORTAL_ROLES, ApiKey
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.portal import accounts
from helpdesk.privacy import settings as privacy
from helpdesk.web.admin.audit import audit_filters
from helpdesk.web.portal.base import admins_only, bp, scope

AUDIT_ROWS = 100


# --- colleagues ----------------------------------------------------------------------

def _users_page(errors: dict | None = None, message: str | None = None, status: int = 200):
    return render_template("portal/users.html", users=accounts.list_users(scope()), roles=PORTAL_ROLES,
                           errors=errors or {}, message=message, posted=request.form), status


@bp.get("/users")
def users():
    return _users_page()


@bp.post("/users")
def invite_user():
    admins_only("Inviting colleagues is")
    try:
        user = accounts.invite(scope(), request.form.get("email", ""), request.form.get("name", ""),
                               request.form.get("role", "member"))
    except (ValidationFailed, Conflict) as refused:
        return _users_page(refused.details, refused.message, 400 if isinstance(refused, ValidationFailed) else 409)
    flash(f"Invitation mailed to {user.email}; the link works for {accounts.INVITE_HOURS} hours.", "ok")
    return redirect(url_for("portal.users"))


@bp.post("/users/<int:user_id>")
def change_user(user_id: int):
    admins_only("Changing colleagues' accounts is")
    try:
        flash(accounts.apply_action(scope(), user_id, request.form.get("action"), role=request.form.get("role"),
                                    acting=g.portal_user), "ok")
    except (ValidationFailed, Conflict) as refused:
        flash(refused.message, "error")
    return redirect(url_for("portal.users", _anchor=f"user-{user_id}"))


# --- API keys ------------------------------------------------------------------------

def _keys_page(shown: tuple[str, str] | None = None, errors: dict | None = None, status: int = 200):
    return render_template("portal/api_keys.html", keys=admin_clients.api_keys(g.portal_user.client_id),
                           shown=shown, errors=errors or {}), status


@bp.get("/api-keys")
def api_keys():
    return _keys_page()


@bp.post("/api-keys")
def create_api_key():
    admins_only("Creating API keys is")
    name = (request.form.get("name") or "").strip()
    if not name or len(name) > 100:
        return _keys_page(errors={"name": ["Give the key a name of 1 to 100 characters, e.g. CRM sync."]},
                          status=400)
    return _keys_page(shown=(f"New API key {name}", clients.create_api_key(g.portal_user.client_id, name)))


@bp.post("/api-keys/<int:key_id>/revoke")
def revoke_api_key(key_id: int):
    admins_only("Revoking API keys is")
    key = scope().get_or_404(ApiKey, key_id, "API key")
    if key.revoked_at is None:
        clients.revoke_api_key(key.client_id, key.prefix)
        flash(f"API key {key.name} revoked; it no longer works.", "ok")
    return redirect(url_for("portal.api_keys"))


# --- privacy -------------------------------------------------------------------------

RULE_LINE = re.compile(r"^\s*([^:]{1,60}?)\s*:\s*(.+?)\s*$")


def _privacy_page(values: dict, errors: dict | None = None, message: str | None = None, status: int = 200):
    custom_text = values.pop("custom_text", None)
    if custom_text is None:
        custom_text = "\n".join(f"{rule['name']}: {rule['pattern']}" for rule in values["masking"].get("custom", []))
    return render_template("portal/privacy.html", values=values, custom_text=custom_text, built_in=pii.DEFAULTS,
                           errors=errors or {}, message=message, max_days=privacy.MAX_DAYS), status


@bp.get("/privacy")
def privacy_settings():
    return _privacy_page(privacy.read(g.portal_user.client_id))


@bp.post("/privacy")
def save_privacy():
    admins_only("Changing privacy settings is")
    form = request.form
    errors: dict[str, list[str]] = {}
    custom = []
    for number, line in enumerate(form.get("custom", "").splitlines(), start=1):
        if line.strip():
            parsed = RULE_LINE.match(line)
            if parsed is None:
                errors.setdefault("custom", []).append(f"Line {number}: write name: pattern.")
            else:
                custom.append({"name": parsed.group(1), "pattern": parsed.group(2)})
    changes = {"masking": {**{name: name in form.getlist("rules") for name in pii.DEFAULTS}, "custom": custom}}
    for name in privacy.RETENTION_FIELDS:
        text = (form.get(name) or "").strip()
        if not text:
            changes[name] = None
        elif text.isdigit() and len(text) < 7:
            changes[name] = int(text)
        else:
            errors[name] = [f"A whole number of days from 1 to {privacy.MAX_DAYS}, or empty to keep forever."]
    shown = {"masking": changes["masking"], "custom_text": form.get("custom", ""),
             **{name: form.get(name, "") for name in privacy.RETENTION_FIELDS}}
    if errors:
        return _privacy_page(shown, errors, "Nothing was saved: fix the fields marked below.", 400)
    try:
        privacy.update(g.portal_user.client_id, changes)
    except ValidationFailed as refused:
        return _privacy_page(shown, _rule_errors(refused.details), "Nothing was saved: " + refused.message, 400)
    flash("Privacy settings saved. They apply to everything stored from now on.", "ok")
    return redirect(url_for("portal.privacy_settings"))


def _rule_errors(details: dict) -> dict:
    """The service names custom rules custom.<n> (from 0); the form speaks of lines."""
    errors: dict[str, list[str]] = {}
    for key, messages in (details or {}).items():
        if key.startswith("custom."):
            errors.setdefault("custom", []).extend(f"Rule {int(key.split('.')[1]) + 1}: {m}" for m in messages)
        else:
            errors.setdefault(key, []).extend(messages)
    return errors


# --- audit trail ---------------------------------------------------------------------

@bp.get("/audit")
def audit_trail():
    admins_only("The audit trail is")
    filters, problem = audit_filters()
    client_id = g.portal_user.client_id
    rows, next_cursor = ([], None) if problem else audit.entries(client_id, filters, AUDIT_ROWS,
                                                                 request.args.get("cursor") or None)
    if request.args.get("format") == "csv" and not problem:
        audit.record_read("audit.exported", client_id=client_id, details={"rows": len(rows)})
        return Response(audit.to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return render_template("portal/audit.html", rows=rows, next_cursor=next_cursor, args=request.args,
                           problem=problem), 400 if problem else 200

