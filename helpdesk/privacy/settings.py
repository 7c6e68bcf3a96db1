"""A client's privacy settings: what is masked and how long tickets and attachments are kept."""

from __future__ import annotations

from typing import Any

from helpdesk import audit
from helpdesk.client import pii
from helpdesk.client.models import Client
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db

MAX_DAYS = 36_500
RETENTION_FIELDS = ("retention_days", "attachment_retention_days")


def read(client_id: int) -> dict[str, Any]:
    client = db.session.get(Client, client_id)
    return {"masking": {**pii.DEFAULTS, "custom": [], **(client.pii_masking or {})},
            "retention_days": client.retention_days,
            "attachment_retention_days": client.attachment_retention_days}


def update(client_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply the changes given (masking replaces the whole rule set); audited with before and after."""
    client = db.session.get(Client, client_id)
    before = read(client_id)
    problems: dict[str, list[str]] = {}
    for name in RETENTION_FIELDS:
        if name in changes:
            days = changes[name]
            if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS):
                problems[name] = [f"Give a whole number of days from 1 to {MAX_DAYS}, or null to keep forever."]
    if problems:
        raise ValidationFailed("The privacy settings are not valid.", problems)
    if "masking" in changes:
        client.pii_masking = pii.validate_settings(changes["masking"])
    for name in RETENTION_FIELDS:
        if name in changes:
            setattr(client, name, changes[name])
    after = read(client_id)
    audit.record("privacy.updated", client_id=client_id, object_type="client", object_id=client_id,
                 details={"before": before, "after": after})
    db.session.commit()
    return after
