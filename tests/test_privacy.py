"""PII masking, erasure and retention through the API, the inbound mail webhook and a real RQ worker.

"Seen nowhere" is checked the hard way: a dump of the whole database (every table,
search index included), the event feed, the bodies a real webhook receiver got,
the report CSV and every log line of the run.
"""

from __future__ import annotations

import email
import logging
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, text

from helpdesk.extensions import db
from helpdesk.models import Attachment, AuditEntry, Client, InboundRaw, Ticket
from helpdesk.platform.db import utcnow
from tests import factories
from tests.mail_helpers import post_mail
from workers import jobs

CARD = "4111 1111 1111 1111"
CARD_DIGITS = CARD.replace(" ", "")
IBAN = "DE89 3704 0044 0532 0130 00"
ORDER = "ORD-884422"


@pytest.fixture
def acme(app):
    factories.make_region("manila")
    client_id, key = factories.make_client("acme", support_email="support@acme.example")
    return client_id, factories.auth(key)


def set_masking(client, headers, **masking) -> dict:
    response = client.patch("/api/v1/privacy", json={"masking": masking}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def database_dump() -> str:
    """Every row of every table as text (SQLite: the engine's own dump, FTS shadow tables included)."""
    db.session.commit()
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        dump = "\n".join(connection.connection.driver_connection.iterdump())
    else:
        metadata = MetaData()
        metadata.reflect(connection)
        dump = "\n".join(repr(tuple(row)) for table in metadata.sorted_tables
                         for row in connection.execute(select(table)))
    db.session.commit()
    return dump


def card_mail(body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Pat Doe <pat@customer.example>"
    message["To"] = "support@acme.example"
    message["Subject"] = f"Refund to card {CARD}"
    message["Message-ID"] = "<refund-1@customer.example>"
    message.set_content(body, cte="base64")  # encoded: the raw bytes do not show the number
    message.add_alternative(f"<p>{body}</p>", subtype="html")
    return message.as_bytes(policy=SMTP)


def test_masked_text_is_all_that_is_ever_stored_sent_or_logged(client, acme, queue, receiver, caplog):
    client_id, headers = acme
    settings = set_masking(client, headers, iban=True, custom=[{"name": "order number", "pattern": r"ORD-\d{6}"}])
    assert settings["masking"]["cards"] is True  # on unless turned off
    hook = client.post("/api/v1/webhooks", json={"url": receiver.url("/hook"), "event_types": ["*"]},
                       headers=headers).get_json()
    caplog.set_level(logging.DEBUG)
    created = client.post("/api/v1/tickets", headers=headers, json={
        "subject": f"Charge on {CARD}", "body": f"My card {CARD} and IBAN {IBAN}, order {ORDER}",
        "body_html": f"<p>card {CARD_DIGITS}</p>", "custom_fields": {"note": f"card {CARD}"},
        "contact": {"email": "pat@customer.example"}})
    assert created.status_code == 201
    ticket = created.get_json()
    assert ticket["subject"] == "Charge on [card •••• 1111]"
    reply = client.post(f"/api/v1/tickets/{ticket['id']}/messages", headers=headers,
                        json={"body": f"again: {CARD_DIGITS}"})
    assert reply.status_code == 201 and reply.get_json()["body"] == "again: [card •••• 1111]"
    mail = post_mail(client, db.session.get(Client, client_id), card_mail(f"Please refund {CARD} for {ORDER}"))
    assert mail.status_code in (200, 201, 202), mail.get_json()
    queue.run()

    shown = client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers).get_json()
    bodies = [m["body"] for m in shown["messages"]]
    assert bodies[0] == ("My card [card •••• 1111] and IBAN [IBAN •••• 3000], order [order number removed]")
    assert shown["custom_fields"] == {"note": "card [card •••• 1111]"}
    assert client.get("/api/v1/tickets/search", query_string={"q": CARD_DIGITS}, headers=headers) \
        .get_json()["data"] == []
    assert client.get("/api/v1/tickets/search", query_string={"q": "refund"}, headers=headers).get_json()["data"]
    events = client.get("/api/v1/events", headers=headers).get_json()
    csv = client.get("/api/v1/reports/volume", query_string={"format": "csv"}, headers=headers)
    assert receiver.at("/hook") and hook
    places = {
        "database": database_dump(),
        "events": str(events),
        "webhooks": "\n".join(got.raw.decode() for got in receiver.at("/hook")),
        "logs": "\n".join(record.getMessage() for record in caplog.records),
        "report csv": csv.get_data(as_text=True),
    }
    for place, content in places.items():
        for secret in (CARD, CARD_DIGITS, "4111-1111", IBAN, IBAN.replace(" ", ""), ORDER):
            assert secret not in content, f"{secret!r} found in the {place}"
    assert "[card •••• 1111]" in places["webhooks"] and "[card •••• 1111]" in places["database"]
    # The raw mail held the number (base64-encoded): its copy is dropped once filed.
    (raw,) = db.session.scalars(select(InboundRaw)).all()
    assert raw.status == "created" and raw.content == b"" and "personal data" in raw.error


def test_raw_mail_is_kept_when_it_holds_nothing_to_mask(client, acme, queue):
    client_id, _ = acme
    mail = card_mail("nothing secret here").replace(CARD.encode(), b"the usual")
    # A MIME boundary is a long random number; one that passes the card check is not personal data.
    boundary = email.message_from_bytes(mail).get_boundary().encode()
    mail = mail.replace(boundary, f"==============={CARD_DIGITS}==".encode())
    assert post_mail(client, db.session.get(Client, client_id), mail).status_code in (200, 201, 202)
    queue.run()
    (raw,) = db.session.scalars(select(InboundRaw)).all()
    assert raw.content == mail and raw.error is None


def test_masking_can_be_turned_off_and_rules_are_checked(client, acme):
    _, headers = acme
    set_masking(client, headers, cards=False)
    ticket = client.post("/api/v1/tickets", headers=headers, json={"subject": "x", "body": CARD}).get_json()
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers).get_json()["messages"][0]["body"] == CARD
    bad = client.patch("/api/v1/privacy", headers=headers, json={"masking": {"custom": [
        {"name": "backref", "pattern": r"(a)\1"}, {"name": "empty", "pattern": "x*"}]}})
    assert bad.status_code == 422
    details = bad.get_json()["error"]["details"]
    assert "not valid RE2" in details["custom.0"][0] and "empty" in details["custom.1"][0]
    wrong_days = client.patch("/api/v1/privacy", headers=headers, json={"retention_days": 0})
    assert wrong_days.status_code == 422 and "retention_days" in str(wrong_days.get_json()["error"]["details"])
    audit = client.get("/api/v1/audit", query_string={"action": "privacy.updated"}, headers=headers).get_json()
    assert len(audit["data"]) == 1 and audit["data"][0]["details"]["after"]["masking"]["cards"] is False


def stored_file(app, key: str) -> Path:
    return Path(app.config["INSTANCE_DIR"]) / "attachments" / key[:2] / key[2:4] / key


def mail_with_attachment(token: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Erin Erasable <erin@customer.example>"
    message["To"] = "support@acme.example"
    message["Subject"] = f"Passport {token}"
    message["Message-ID"] = f"<{token}@customer.example>"
    message.set_content(f"My passport number is {token}. Call me on +48 601 234 567.")
    message.add_attachment(f"scan of {token}".encode(), maintype="application", subtype="pdf", filename="scan.pdf")
    return message.as_bytes(policy=SMTP)


def test_erasure_removes_the_contact_everywhere_and_keeps_report_figures(client, acme, queue, receiver, app):
    client_id, headers = acme
    client.post("/api/v1/webhooks", json={"url": receiver.url("/hook"), "event_types": ["*"]}, headers=headers)
    token = "ZX81TOKEN"
    filed = post_mail(client, db.session.get(Client, client_id), mail_with_attachment(token))
    assert filed.status_code in (200, 201, 202)
    other = client.post("/api/v1/tickets", headers=headers, json={
        "subject": "Someone else", "body": "keep me", "contact": {"email": "kim@customer.example"}}).get_json()
    queue.run()
    (ticket,) = [t for t in client.get("/api/v1/tickets", headers=headers).get_json()["data"]
                 if t["id"] != other["id"]]
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", headers=headers, json={"body": f"more {token}"})
    client.patch(f"/api/v1/tickets/{ticket['id']}", headers=headers, json={"status": "solved"})
    queue.run()
    (attachment,) = db.session.scalars(select(Attachment)).all()
    stored = stored_file(app, attachment.storage_key)
    assert stored.exists() and token in database_dump()
    volume_before = client.get("/api/v1/reports/volume", headers=headers).get_json()
    contact_id = ticket["contact"]["id"]

    intruder = factories.auth(factories.make_client("globex")[1])
    assert client.post(f"/api/v1/contacts/{contact_id}/erase", headers=intruder).status_code == 404

    answer = client.post(f"/api/v1/contacts/{contact_id}/erase", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    erased = answer.get_json()
    assert erased["removed"]["messages"] >= 2 and erased["removed"]["attachments"] == 1
    assert erased["removed"]["tickets"] == 1 and erased["removed"]["events"] >= 3
    assert erased["removed"]["webhook_deliveries"] >= 3 and erased["ticket_ids"] == [ticket["id"]]
    dump = database_dump()
    for trace in (token, "erin@customer.example", "Erin Erasable", "601 234 567"):
        assert trace not in dump, trace
    assert "keep me" in dump and "kim@customer.example" in dump  # the other customer is untouched
    assert not stored.exists()
    shown = client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers).get_json()
    assert shown["subject"] == "[erased]" and shown["contact"] is None and shown["status"] == "solved"
    assert {m["body"] for m in shown["messages"]} == {"[erased]"}
    assert client.get("/api/v1/tickets/search", query_string={"q": token}, headers=headers).get_json()["data"] == []
    assert token not in str(client.get("/api/v1/events", headers=headers).get_json())
    assert client.get("/api/v1/reports/volume", headers=headers).get_json() == volume_before
    audit = client.get("/api/v1/audit", query_string={"action": "contact.erased"}, headers=headers).get_json()
    assert audit["data"][0]["object_id"] == str(contact_id)
    assert audit["data"][0]["details"]["removed"]["attachments"] == 1
    assert client.post(f"/api/v1/contacts/{contact_id}/erase", headers=headers).status_code == 404


def test_retention_deletes_old_solved_tickets_and_old_attachments_in_batches(client, acme, queue, app):
    client_id, headers = acme
    assert client.patch("/api/v1/privacy", headers=headers,
                        json={"retention_days": 30, "attachment_retention_days": 7}).status_code == 200
    assert post_mail(client, db.session.get(Client, client_id), mail_with_attachment("OLDSCAN")).status_code \
        in (200, 201, 202)
    old_ids = [client.post("/api/v1/tickets", headers=headers, json={"subject": f"old {n}", "body": "x"})
               .get_json()["id"] for n in range(3)]
    young = client.post("/api/v1/tickets", headers=headers, json={"subject": "young", "body": "x"}).get_json()
    still_open = client.post("/api/v1/tickets", headers=headers, json={"subject": "open", "body": "x"}).get_json()
    for ticket_id in [*old_ids, young["id"]]:
        client.patch(f"/api/v1/tickets/{ticket_id}", headers=headers, json={"status": "solved"})
    queue.run()
    now = utcnow()
    for ticket_id in old_ids:
        db.session.execute(text("UPDATE tickets SET solved_at = :at WHERE id = :id"),
                           {"at": now - timedelta(days=31), "id": ticket_id})
    db.session.execute(text("UPDATE tickets SET created_at = :at WHERE id = :id"),
                       {"at": now - timedelta(days=60), "id": still_open["id"]})
    db.session.execute(text("UPDATE messages SET created_at = :at WHERE id IN (SELECT message_id FROM attachments)"),
                       {"at": now - timedelta(days=8)})
    db.session.commit()
    volume_before = client.get("/api/v1/reports/volume", headers=headers).get_json()
    (attachment,) = db.session.scalars(select(Attachment)).all()
    stored = stored_file(app, attachment.storage_key)
    assert stored.exists()

    assert jobs.apply_client_retention() == {"tickets": 3, "attachments": 1}
    for ticket_id in old_ids:
        assert client.get(f"/api/v1/tickets/{ticket_id}", headers=headers).status_code == 404
    for kept in (young, still_open):
        assert client.get(f"/api/v1/tickets/{kept['id']}", headers=headers).status_code == 200
    assert db.session.scalar(select(Attachment.id)) is None and not stored.exists()
    # The mail's ticket is open: it stays, without its attachment.
    assert db.session.scalar(select(Ticket.id).where(Ticket.subject == "Passport OLDSCAN")) is not None
    assert client.get("/api/v1/reports/volume", headers=headers).get_json() == volume_before
    (row,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "retention.applied")).all()
    assert row.details["deleted"] == {"tickets": 3, "attachments": 1} and row.actor_role == "retention"
    assert jobs.apply_client_retention() == {"tickets": 0, "attachments": 0}
