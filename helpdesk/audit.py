"""The audit trail: who did or read what, for which client, when and from which address.

``record`` adds a row to the caller's transaction, so an audited change and its
row commit or roll back together. ``record_read`` is for reads (a ticket's
conversation, an export): the row is committed before the data is shown, so
nothing is read unaudited. Rows are never changed or deleted: no code path
does, and database triggers refuse UPDATE and DELETE (``GUARD_SQL``).

Who: the API key of the request (``g.actor``), else the signed-in portal user
(``g.portal_user``), else the signed-in staff member, else the system. Changes by
customers and by the system itself (mail filing, routing, SLA) are in the event log
and not repeated here.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.platform import pagination
from helpdesk.platform.db import JSONType, UTCDateTime, utcnow
from helpdesk.platform.sqlite import writing
from helpdesk.spreadsheet import safe_cell

AUDITED_ACTORS = ("agent", "api_key")


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_client_created", "client_id", "created_at"),
                      Index("ix_audit_log_action", "action"))

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Created by migration 0015 (and by the tests' table reset): the database itself refuses changes.
GUARD_SQL = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_log_immutable() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit rows cannot be changed or deleted'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
           FOR EACH ROW EXECUTE FUNCTION audit_log_immutable()""",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed or deleted'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed or deleted'); END""",
    ],
}
UNGUARD_SQL = {
    "postgresql": ["DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
                   "DROP FUNCTION IF EXISTS audit_log_immutable()"],
    "sqlite": ["DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete"],
}


def who() -> tuple[str, int | None, str]:
    """(actor type, id, role) of the current request."""
    if has_request_context():
        actor = g.get("actor")
        if actor is not None and actor.kind == "api_key":
            return "api_key", actor.id, "api_key"
        portal_user = g.get("portal_user")
        if portal_user is not None:  # a client's staff member on /portal (a session of its own, not flask-login)
            return "portal_user", portal_user.id, f"portal_{portal_user.role}"
        if current_user and getattr(current_user, "is_authenticated", False):
            return "agent", current_user.id, current_user.role
    return "system", None, "system"


def record(action: str, *, client_id: int | None, object_type: str | None = None, object_id: Any = None,
           details: dict[str, Any] | None = None, actor: tuple[str, int | None, str] | None = None) -> AuditEntry:
    """Add an audit row to the caller's transaction."""
    actor_type, actor_id, role = actor or who()
    entry = AuditEntry(client_id=client_id, actor_type=actor_type, actor_id=actor_id, actor_role=role,
                       action=action, object_type=object_type,
                       object_id=None if object_id is None else str(object_id), details=details or {},
                       address=request.remote_addr if has_request_context() else None, created_at=utcnow())
    db.session.add(entry)
    return entry


def record_read(action: str, **kwargs: Any) -> None:
    """Commit an audit row for a read before the data is shown (GET requests only read otherwise)."""
    db.session.commit()  # end the read-only transaction: the row needs the write lock from the start
    with writing():
        record(action, **kwargs)
        db.session.commit()


def record_change_event(client_id: int, event_type: str, actor_kind: str, actor_id: int | None,
                        ticket_id: int | None, seq: int) -> None:
    """Called by the event log for each event: staff and API key changes are audited too."""
    if actor_kind not in AUDITED_ACTORS:
        return
    request_actor = who()  # the role is known when the request's own actor made the change
    role = request_actor[2] if request_actor[:2] == (actor_kind, actor_id) else actor_kind
    record(event_type, client_id=client_id, object_type="ticket" if ticket_id else None, object_id=ticket_id,
           details={"seq": seq}, actor=(actor_kind, actor_id, role))


CSV_COLUMNS = ("id", "created_at", "client_id", "actor_type", "actor_id", "actor_role", "action", "object_type",
               "object_id", "address", "details")


def entries(client_id: int | None, filters: dict[str, Any], limit: int,
            cursor: str | None) -> tuple[list[AuditEntry], str | None]:
    """Newest first; ``client_id`` None reads every client's rows and the BPO's own (the BPO's admins)."""
    query = select(AuditEntry)
    if client_id is not None:
        query = query.where(AuditEntry.client_id == client_id)
    if filters.get("action"):
        query = query.where(AuditEntry.action.in_(filters["action"]))
    if filters.get("actor_type"):
        query = query.where(AuditEntry.actor_type == filters["actor_type"])
    if filters.get("actor_id") is not None:
        query = query.where(AuditEntry.actor_id == filters["actor_id"])
    if filters.get("since") is not None:
        query = query.where(AuditEntry.created_at >= filters["since"])
    if filters.get("until") is not None:
        query = query.where(AuditEntry.created_at < filters["until"])
    query = pagination.apply(query, AuditEntry, "-created_at", cursor, limit)
    return pagination.page(list(db.session.scalars(query)), "-created_at", limit)


def to_csv(rows: list[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(_plain(row, name)) for name in CSV_COLUMNS])
    return out.getvalue()


def _plain(row: AuditEntry, name: str) -> Any:
    value = getattr(row, name)
    if name == "details":
        return json.dumps(value, sort_keys=True)
    return value.isoformat() if isinstance(value, datetime) else value
