"""Admin pages: the inbound quarantine and the embedded outgoing-mail sink."""

from __future__ import annotations

import email
from email.policy import default as default_policy

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from helpdesk.mail.smtp_server import sink_messages
from helpdesk.services import email_ingest

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != "admin":
        abort(403)


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
