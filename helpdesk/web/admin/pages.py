"""Admin pages: the index of every admin section, the inbound quarantine and the embedded
outgoing-mail sink. The set-up pages are in ``setup`` (clients, calendars) and ``staff``
(regions, agents, macros); all share the blueprint of ``base``."""

from __future__ import annotations

import email
from email.policy import default as default_policy

from flask import abort, current_app, flash, redirect, render_template, url_for

from helpdesk.channels.email import ingest as email_ingest
from helpdesk.channels.email.smtp_server import sink_messages
from helpdesk.web.admin.base import bp

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

