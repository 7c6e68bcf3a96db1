"""Email both ways through real SMTP servers (aiosmtpd): the customer's mail client side is smtplib.

A ticket arrives over our SMTP server, the agent replies in the workspace API, the
RQ job sends it over SMTP to a capturing server, and the customer's answer to
that message threads back onto the same ticket.
"""

from __future__ import annotations

import smtplib
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from helpdesk.channels.email import outbound as email_out
from helpdesk.channels.email.smtp_server import inbound_controller, sink_controller
from helpdesk.extensions import db as _db
from helpdesk.models import Message, Outbox, Ticket
from tests import factories
from tests.mail_helpers import CaptureHandler, make_mail, make_mail_client, post_mail
from tests.support import wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SMTP_OUT_PORT = free_port()


@pytest.fixture
def app_config():
    return {"SMTP_URL": f"smtp://127.0.0.1:{SMTP_OUT_PORT}", "SMTP_TIMEOUT": 5}


@pytest.fixture
def customer_mail_server():
    handler = CaptureHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_OUT_PORT)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def our_smtp(app_factory, app_config):
    """Our inbound SMTP server, on an app of its own (as `flask helpdesk smtp` runs)."""
    server_app = app_factory(**app_config, MAIL_MAX_BYTES=64 * 1024)
    port = free_port()
    controller = inbound_controller(server_app, "127.0.0.1", port)
    controller.start()
    yield port
    controller.stop()


def smtp_send(port: int, raw: bytes, recipients: list[str], sender: str = "alice@customer.example") -> dict:
    # The SMTP server's threads write to the database: this test's session must not hold it
    # (on SQLite every transaction here takes the write lock).
    _db.session.rollback()
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        return smtp.sendmail(sender, recipients, raw)


def read_now(statement):
    """One value, read in a transaction that ends at once (the server writes between polls)."""
    value = _db.session.scalar(statement)
    _db.session.rollback()
    return value


def staff_reply(client, login, ticket_id: int, body: str, **extra):
    factories.make_agent("agent@helpdesk.test")
    login("agent@helpdesk.test")
    token = factories.csrf_token(client.get("/agent").get_data(as_text=True))
    return client.post(f"/agent/api/tickets/{ticket_id}/messages", json={"body": body, **extra},
                       headers={"X-CSRFToken": token})


def test_round_trip_over_smtp(app, client, db, login, queue, customer_mail_server, our_smtp):
    acme = make_mail_client("acme")
    first = make_mail(message_id="<rt-1@customer.example>")
    smtp_send(our_smtp, first, ["support+billing@acme.example"])
    ticket_id = wait_for(lambda: read_now(select(Ticket.id).where(Ticket.client_id == acme.id)))
    ticket = db.session.get(Ticket, ticket_id)

    response = staff_reply(client, login, ticket.id, "Please switch it off and on again.")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["message"]["delivery_status"] == "queued"
    queue.run()

    received = customer_mail_server.received
    assert len(received) == 2  # the acknowledgement and the reply
    reply = next(mail for mail in received if "switch it off" in mail.get_body(("plain",)).get_content())
    ack = next(mail for mail in received if mail is not reply)
    assert ack["Auto-Submitted"] == "auto-replied"
    assert reply["From"].addresses[0].addr_spec == "support@acme.example"
    assert reply["To"].addresses[0].addr_spec == "alice@customer.example"
    assert reply["In-Reply-To"] == "<rt-1@customer.example>"
    assert "<rt-1@customer.example>" in reply["References"]
    assert reply["Subject"] == f"Re: [#{ticket.reference}] Printer on fire"
    sent = db.session.scalar(select(Message).where(Message.message_id_header == reply["Message-ID"].lower()))
    assert sent.delivery_status == "sent" and sent.sent_at is not None
    assert db.session.get(Ticket, ticket.id).first_responded_at is not None

    # The customer's mail program answers that message (no subject token: headers alone thread it).
    answer = make_mail("Re: Printer on fire", "That worked, thanks!\n\nOn Tue, Support wrote:\n> Please switch",
                       message_id="<rt-2@customer.example>", in_reply_to=reply["Message-ID"],
                       references=f"<rt-1@customer.example> {reply['Message-ID']}")
    smtp_send(our_smtp, answer, ["support@acme.example"])
    appended_id = wait_for(lambda: read_now(
        select(Message.id).where(Message.message_id_header == "<rt-2@customer.example>")))
    appended = db.session.get(Message, appended_id)
    assert appended.ticket_id == ticket.id and appended.new_text == "That worked, thanks!"
    assert db.session.scalar(select(Ticket.id).where(Ticket.client_id == acme.id).offset(1)) is None


def test_smtp_refuses_unknown_recipients_and_oversized_mail(app, db, our_smtp):
    make_mail_client("acme")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp_send(our_smtp, make_mail(), ["nobody@acme.example"])
    assert refused.value.recipients["nobody@acme.example"][0] == 550
    # smtplib announces the size (SIZE=) so the server refuses at MAIL FROM; without it, after DATA.
    with pytest.raises(smtplib.SMTPSenderRefused) as too_big:
        smtp_send(our_smtp, make_mail(body=("y" * 70 + "\n") * 1000), ["support@acme.example"])
    assert too_big.value.smtp_code == 552
    _db.session.rollback()
    with smtplib.SMTP("127.0.0.1", our_smtp, timeout=20) as smtp:
        smtp.helo("customer.example")  # plain HELO: no SIZE extension, the limit applies to DATA
        smtp.mail("alice@customer.example")
        smtp.rcpt("support@acme.example")
        code, text = smtp.data(make_mail(body=("y" * 70 + "\n") * 1000))
    assert code == 552, text
    # a mixed envelope delivers to the known address only
    assert smtp_send(our_smtp, make_mail(), ["support@acme.example", "ghost@acme.example"]) == {
        "ghost@acme.example": (550, b"5.1.1 No such mailbox here")}
    assert wait_for(lambda: read_now(select(Ticket.id)))


def test_smtp_failure_retries_with_backoff_then_sends(app, client, db, login, queue):
    acme = make_mail_client("acme")
    ticket_id = post_mail(client, acme, make_mail()).get_json()["ticket_id"]
    staff_reply(client, login, ticket_id, "First answer")
    queue.run()  # nothing listens on the SMTP port yet
    messages = db.session.scalars(select(Message).where(Message.kind == "outbound")).all()
    assert {m.delivery_status for m in messages} == {"retrying"}
    assert all("Connection refused" in m.delivery_error for m in messages)
    retries = db.session.scalars(select(Outbox).where(Outbox.task == email_out.SEND_TASK,
                                                      Outbox.not_before.isnot(None))).all()
    assert len(retries) == 2 and all(row.not_before > row.created_at for row in retries)

    handler = CaptureHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_OUT_PORT)
    controller.start()
    try:
        for message in messages:  # the scheduled retry, run now instead of in 30 s
            assert email_out.send(message.id) == "sent"
            assert email_out.send(message.id) == "sent"  # idempotent: not sent twice
    finally:
        controller.stop()
    assert len(handler.received) == 2


def test_refused_recipient_fails_permanently_and_a_bounce_marks_the_message(
        app, client, db, login, queue, customer_mail_server):
    acme = make_mail_client("acme")
    ticket_id = post_mail(client, acme, make_mail()).get_json()["ticket_id"]
    customer_mail_server.refuse_recipients = True
    staff_reply(client, login, ticket_id, "Hello?")
    queue.run()
    states = {m.delivery_status for m in db.session.scalars(select(Message).where(Message.kind == "outbound"))}
    assert states == {"failed"}

    customer_mail_server.refuse_recipients = False
    reply = client.post(f"/agent/api/tickets/{ticket_id}/messages", json={"body": "Second try"},
                        headers={"X-CSRFToken": factories.csrf_token(client.get("/agent").get_data(as_text=True))})
    queue.run()
    sent = db.session.get(Message, reply.get_json()["message"]["id"])
    assert sent.delivery_status == "sent"
    dsn = delivery_status_notification(sent.message_id_header)
    result = post_mail(client, acme, dsn).get_json()
    assert result["outcome"] == "bounce" and result["message_id"] == sent.id
    db.session.refresh(sent)
    assert sent.delivery_status == "bounced" and "550 5.1.1" in sent.delivery_error
    assert db.session.scalar(select(Ticket.id).offset(1)) is None  # no ticket for the bounce


def delivery_status_notification(original_id: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.customer.example (Mail Delivery System)\r\n"
        "To: support@acme.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.customer.example>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n\r\n'
        "--B1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n\r\n"
        "--B1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.example\r\n\r\n"
        "Final-Recipient: rfc822; alice@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <alice@customer.example>: mailbox unavailable\r\n\r\n"
        "--B1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@acme.example\r\nTo: alice@customer.example\r\nMessage-ID: {original_id}\r\n"
        "Subject: Re: something\r\n\r\n--B1--\r\n"
    ).encode()


def test_embedded_sink_shows_sent_mail_to_admins(app_factory, client, db, login, queue):
    port = free_port()
    make_mail_client("acme")
    sink = sink_controller(client.application, "127.0.0.1", port)
    sink.start()
    try:
        client.application.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
        acme_id = db.session.scalar(select(Ticket.client_id)) or None
        assert acme_id is None
        acme = make_mail_client("beta", skip_region=True)
        post_mail(client, acme, make_mail("Sink check", to="support@beta.example"))
        queue.run()
    finally:
        sink.stop()
    factories.make_agent("boss@helpdesk.test", role="admin")
    login("boss@helpdesk.test")
    page = client.get("/admin/mail-outbox").get_data(as_text=True)
    assert "[#BETA-1] Sink check" in page and "alice@customer.example" in page
    factories.make_agent("plain@helpdesk.test")
    client.post("/logout", data={"csrf_token": factories.csrf_token(client.get("/agent").get_data(as_text=True))})
    login("plain@helpdesk.test")
    assert client.get("/admin/mail-outbox").status_code == 403
