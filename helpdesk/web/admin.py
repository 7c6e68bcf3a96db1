"""Admin pages (admins only): set-up of clients, calendars, regions, staff and macros
(helpdesk/web/admin_setup.py, admin_staff.py), the inbound quarantine and the embedded
outgoing-mail sink."""

from __future__ import annotations

import email
from email.policy import default as default_policy
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.mail.smtp_server import sink_messages
from helpdesk.services import email_ingest

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != "admin":
        abort(403)


SECTIONS = (
    ("admin.clients", "Client companies", "Contracts: channels, languages, allowed regions, SLA policies, "
     "business calendar, support addresses, chat sites; API keys and webhook secrets."),
    ("admin.calendars", "Business calendars", "Time zone, weekly hours, holidays and closures."),
    ("admin.regions", "Regions and shifts", "The follow-the-sun chain: shift hours, order, OLA targets."),
    ("admin.agents", "Agents", "Staff accounts, roles, skills (languages, channels, capacity), dedication."),
    ("admin.macros", "Macros", "Canned replies and their ticket actions, global or per client."),
    ("admin.quarantine", "Inbound quarantine", "Messages that could not be filed."),
    ("admin.mail_outbox", "Outgoing mail", "The embedded mail sink."),
)


@bp.get("")
def index():
    return render_template("admin/index.html", sections=SECTIONS)


class FormView:
    """Values for a form's fields: what was posted, or what is stored (lists of strings per field)."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        self.values: dict[str, list[str]] = {}
        for name, value in (values or {}).items():
            items = value if isinstance(value, list | tuple | set) else [value]
            self.values[name] = ["" if v is None else (("1" if v else "") if isinstance(v, bool) else str(v))
                                 for v in items]

    @classmethod
    def posted(cls) -> FormView:
        view = cls()
        view.values = request.form.to_dict(flat=False)
        return view

    def get(self, name: str) -> str:
        return (self.values.get(name) or [""])[0]

    def has(self, name: str, value: Any = "1") -> bool:
        return str(value) in self.values.get(name, [])


def posted() -> dict[str, list[str]]:
    return request.form.to_dict(flat=False)


@bp.get("/quarantine")
def quarantine():
    return render_template("admin/quarantine.html", rows=email_ingest.quarantined(200))


@bp.post("/quarantine/<int:raw_id>/reprocess")
def reprocess(raw_id: int):
    try:
        result = email_ingest.process(raw_id, email_ingest.IngestOptions(rate_limit=False))
    except LookupError:
        abort(404)
    flash(f"Inbound #{raw_id}: {result.outcome}" + (f" ({result.reason})" if result.reason else ""),
          "ok" if result.outcome not in ("quarantined", "rate_limited") else "error")
    return redirect(url_for("admin.quarantine"))


def _summary(key: str, message) -> dict:
    parsed = email.message_from_bytes(message.as_bytes(), policy=default_policy)
    body = parsed.get_body(("plain",))
    return {"key": key, "from": parsed.get("From", ""), "to": parsed.get("To", ""),
            "subject": parsed.get("Subject", ""), "date": parsed.get("Date", ""),
            "message_id": parsed.get("Message-ID", ""), "in_reply_to": parsed.get("In-Reply-To", ""),
            "text": body.get_content() if body is not None else ""}


@bp.get("/mail-outbox")
def mail_outbox():
    """What the embedded default 'sent': the local SMTP sink's Maildir."""
    app = current_app._get_current_object()
    items = [_summary(key, message) for key, message in sink_messages(app)]
    return render_template("admin/mail_outbox.html", items=items, embedded=app.config["SMTP_EMBEDDED"])


# The set-up pages add their routes to this blueprint.
from helpdesk.web import admin_setup, admin_staff  # noqa: E402,F401
