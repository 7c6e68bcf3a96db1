"""Mail that used to break replies: control characters in one-line fields, unbalanced quotes in From,
a send that can never succeed; and the Message-IDs the API shows."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from helpdesk.channels.email import outbound as email_out
from helpdesk.models import Contact, Message, Outbox, Ticket
from tests.factories import auth
from tests.mail_helpers import make_mail, make_mail_client, post_mail, signed_headers
from tests.test_email_roundtrip import app_config as app_config  # noqa: F401  (the SMTP port the replies use)
from tests.test_email_roundtrip import customer_mail_server as customer_mail_server  # noqa: F401
from tests.test_email_roundtrip import staff_reply

CONTROL = ["Line one\r\nBcc: victim@example.com", "Tab\there", "Bell\x07", "Nul\x00byte", "Cr\r", "Del\x7f"]


@pytest.mark.parametrize("text", CONTROL)
def test_control_characters_in_one_line_api_fields_are_422(client, db, text):
    acme = make_mail_client("acme")
    key = acme.test_api_key
    cases = [
        {"subject": text, "body": "x"},
        {"subject": "Fine", "body": "x", "contact": {"email": "a@example.com", "name": text}},
        {"subject": "Fine", "body": "x", "contact": {"email": "a@example.com", "phone": text}},
        {"subject": "Fine", "body": "x", "external_id": text},
    ]
    for document in cases:
        response = client.post("/api/v1/tickets", json=document, headers=auth(key))
        assert response.status_code == 422, (document, response.get_data(as_text=True))
        details = response.get_json()["error"]["details"]
        assert "one line" in json.dumps(details)
    created = client.post("/api/v1/tickets", json={"subject": "Fine", "body": "x"}, headers=auth(key)).get_json()
    patched = client.patch(f"/api/v1/tickets/{created['id']}", json={"subject": text}, headers=auth(key))
    assert patched.status_code == 422
    assert db.session.scalar(select(func.count(Ticket.id))) == 1
    # A multi-line body is a body: still accepted.
    assert client.post("/api/v1/tickets", json={"subject": "Fine", "body": "a\r\nb"},
                       headers=auth(key)).status_code == 201


def test_control_characters_in_a_client_webhook_are_422(client, db):
    acme = make_mail_client("acme")
    for document in ({"external_id": "CRM-1", "subject": "Two\nlines"},
                     {"external_id": "CRM-1", "subject": "x", "contact": {"email": "a@example.com", "name": "A\rB"}},
                     {"external_id": "CRM\n1", "subject": "x"}):
        raw = json.dumps(document).encode()
        headers = {**signed_headers(acme.inbound_webhook_secret, raw), "Content-Type": "application/json"}
        response = client.post("/inbound/webhook/acme", data=raw, headers=headers)
        assert response.status_code == 422, response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Ticket.id))) == 0


def test_mail_with_an_encoded_newline_in_subject_and_name_is_stored_on_one_line_and_answerable(
        client, db, login, queue, customer_mail_server):
    acme = make_mail_client("acme")
    # As a careless mailer writes them (the standard library refuses to build such headers).
    raw = make_mail(subject="SUBJECT", sender="NAME <eve@customer.example>")
    raw = raw.replace(b"Subject: SUBJECT", b"Subject: =?utf-8?q?Order_help=0D=0ABcc=3A_victim=40example=2Ecom?=")
    raw = raw.replace(b"From: NAME", b"From: =?utf-8?q?Eve=0D=0AX-Evil=3A_1?=")
    ticket_id = post_mail(client, acme, raw).get_json()["ticket_id"]
    ticket = db.session.get(Ticket, ticket_id)
    assert ticket.subject == "Order help Bcc: victim@example.com"
    assert ticket.contact.name == "Eve X-Evil: 1"
    response = staff_reply(client, login, ticket_id, "We are looking into it.")
    assert response.status_code == 201
    queue.run()
    reply = next(m for m in customer_mail_server.received if "looking into it" in m.get_body(("plain",)).get_content())
    assert "Bcc" not in reply and "X-Evil" not in reply
    assert reply["To"].addresses[0].addr_spec == "eve@customer.example"
    assert "\n" not in str(reply["Subject"])


@pytest.mark.parametrize("sender", ['""><b>x" <a@example.com>"', '"x <a@example.com>', '"Ann <a@example.com>>'])
def test_unbalanced_quotes_in_from_keep_a_clean_address_and_replies_go_out(
        client, db, login, queue, customer_mail_server, sender):
    acme = make_mail_client("acme")
    raw = make_mail(headers={})
    raw = raw.replace(b"From: Alice Customer <alice@customer.example>", b"From: " + sender.encode())
    ticket_id = post_mail(client, acme, raw).get_json()["ticket_id"]
    contact = db.session.scalar(select(Contact).join(Ticket, Ticket.contact_id == Contact.id)
                                .where(Ticket.id == ticket_id))
    assert contact.email == "a@example.com"
    staff_reply(client, login, ticket_id, "Answer for you.")
    queue.run()
    message = db.session.scalar(select(Message).where(Message.ticket_id == ticket_id, Message.kind == "outbound",
                                                      Message.body_text.contains("Answer for you")))
    assert message.delivery_status == "sent", message.delivery_error
    assert any(m["To"].addresses[0].addr_spec == "a@example.com" for m in customer_mail_server.received)


def _reply_that_cannot_be_sent(client, login, queue, db) -> Message:
    acme = make_mail_client("acme")
    ticket_id = post_mail(client, acme, make_mail()).get_json()["ticket_id"]
    staff_reply(client, login, ticket_id, "Nobody will get this")
    queue.run()  # nothing listens on the SMTP port
    return db.session.scalar(select(Message).where(Message.body_text == "Nobody will get this"))


def test_a_send_that_never_succeeds_ends_failed_visible_on_the_ticket_and_stops(client, db, login, queue):
    message = _reply_that_cannot_be_sent(client, login, queue, db)
    assert message.delivery_status == "retrying"
    while message.delivery_status == "retrying":  # each scheduled retry, run now instead of later
        email_out.send(message.id)
        db.session.refresh(message)
    assert message.delivery_status == "failed"
    assert message.delivery_attempts == email_out.MAX_ATTEMPTS
    assert f"gave up after {email_out.MAX_ATTEMPTS} attempts" in message.delivery_error
    assert email_out.send(message.id) == "failed"  # the job stops: nothing more is scheduled
    sends = [row for row in db.session.scalars(select(Outbox).where(Outbox.task == email_out.SEND_TASK))
             if row.payload.get("message_id") == message.id]
    assert len(sends) == email_out.MAX_ATTEMPTS  # the first send and one row per retry, none after failing

    page = client.get(f"/agent/tickets/{message.ticket_id}").get_data(as_text=True)
    assert 'class="delivery delivery-failed" role="alert"' in page
    assert "Not sent" in page and "gave up after" in page


def test_an_attempt_that_never_finished_counts_and_the_message_ends_failed(client, db, login, queue):
    message = _reply_that_cannot_be_sent(client, login, queue, db)
    # The last attempt's worker was killed mid-conversation: counted (committed first), never recorded.
    message.delivery_attempts = email_out.MAX_ATTEMPTS
    db.session.commit()
    assert email_out.send(message.id) == "failed"
    db.session.refresh(message)
    assert "the last one did not finish" in message.delivery_error


def test_each_attempt_is_counted_before_the_smtp_conversation(client, db, login, queue, monkeypatch):
    message = _reply_that_cannot_be_sent(client, login, queue, db)
    seen = []

    def observe(msg):  # the worker is killed here: what has the database recorded?
        seen.append(db.session.execute(select(Message.delivery_attempts).where(Message.id == msg.id)).scalar())
        raise ConnectionRefusedError("no one listening")

    monkeypatch.setattr(email_out, "_deliver", observe)
    attempts = message.delivery_attempts
    email_out.send(message.id)
    assert seen == [attempts + 1]


def test_the_api_shows_each_messages_message_id_and_in_reply_to(client, db, login, queue, customer_mail_server):
    acme = make_mail_client("acme")
    ticket_id = post_mail(client, acme, make_mail(message_id="<first@customer.example>")).get_json()["ticket_id"]
    staff_reply(client, login, ticket_id, "Reply")
    queue.run()
    body = client.get(f"/api/v1/tickets/{ticket_id}", headers=auth(acme.test_api_key)).get_json()
    inbound = next(m for m in body["messages"] if m["kind"] == "inbound")
    outbound = next(m for m in body["messages"] if m["kind"] == "outbound" and m["body"] == "Reply")
    assert inbound["message_id"] == "<first@customer.example>"
    assert outbound["message_id"].startswith("<hd.acme.") and outbound["in_reply_to"] == "<first@customer.example>"
    assert outbound["delivery_status"] == "sent" and outbound["delivery_error"] is None
