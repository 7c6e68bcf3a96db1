"""What agents get of an email through the staff API: conversation, safe HTML, attachments."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest
from sqlalchemy import select

from helpdesk.models import Message
from tests import factories
from tests.mail_helpers import make_mail_client, post_mail


def rich_mail() -> bytes:
    message = EmailMessage()
    message["From"] = '"<img src=x onerror=alert(1)>" <eve@customer.example>'
    message["To"] = "support@acme.example"
    message["Subject"] = "<script>alert('subject')</script>"
    message["Message-ID"] = "<rich@customer.example>"
    message.set_content("Plain part")
    message.add_alternative(
        '<p onclick="alert(3)">Hi<img src="cid:logo"><img src="https://tracker.example/p.gif">'
        '<iframe src="https://evil.example"></iframe><script>alert(4)</script></p>', subtype="html")
    message.get_payload()[1].add_related(b"GIF89a fake", maintype="image", subtype="gif", cid="<logo>")
    message.add_attachment(b"<svg onload=alert(5)>", maintype="image", subtype="svg+xml",
                           filename="evil\u202egnp.svg")
    message.add_attachment("Résumé".encode(), maintype="application", subtype="pdf", filename="Résumé 2026.pdf")
    return message.as_bytes(policy=SMTP)


@pytest.fixture
def acme(app):
    return make_mail_client("acme")


@pytest.fixture
def mail(client, db, acme):
    ticket_id = post_mail(client, acme, rich_mail()).get_json()["ticket_id"]
    message = db.session.scalar(select(Message).where(Message.message_id_header == "<rich@customer.example>"))
    return ticket_id, message


def sign_in(client, login, email: str, **kwargs) -> str:
    factories.make_agent(email, **kwargs)
    login(email)
    return factories.csrf_token(client.get("/agent").get_data(as_text=True))


def test_conversation_html_is_sandboxed_and_remote_images_wait(client, login, mail):
    ticket_id, message = mail
    token = sign_in(client, login, "agent@helpdesk.test")
    conversation = client.get(f"/agent/api/tickets/{ticket_id}/messages").get_json()["messages"]
    first = conversation[0]
    assert first["subject"] == "<script>alert('subject')</script>"  # kept as text; the page escapes it
    assert first["from_name"] == "<img src=x onerror=alert(1)>"
    page = client.get(f"/agent/api/messages/{message.id}/html")
    html = page.get_data(as_text=True)
    csp = page.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "script-src" not in csp and "https:" not in csp
    for forbidden in ("<script", "onclick", "<iframe", "tracker.example"):
        assert forbidden not in html
    inline = next(a for a in message.attachments if a.is_inline)
    assert f"/agent/api/attachments/{inline.id}/inline" in html
    assert client.post(f"/agent/api/messages/{message.id}/remote-images",
                       headers={"X-CSRFToken": token}).status_code == 200
    allowed = client.get(f"/agent/api/messages/{message.id}/html")
    assert "tracker.example/p.gif" in allowed.get_data(as_text=True)
    assert "https:" in allowed.headers["Content-Security-Policy"]
    assert "<script" not in allowed.get_data(as_text=True)


def test_attachments_download_safely(client, login, mail):
    _, message = mail
    sign_in(client, login, "agent@helpdesk.test")
    by_name = {a.filename: a for a in message.attachments}
    svg = next(a for name, a in by_name.items() if name.endswith(".svg"))
    assert "\u202e" not in svg.filename
    download = client.get(f"/agent/api/attachments/{svg.id}")
    assert download.status_code == 200 and download.data == b"<svg onload=alert(5)>"
    assert download.mimetype == "application/octet-stream"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # an SVG is never rendered inline, even through the inline route
    assert client.get(f"/agent/api/attachments/{svg.id}/inline").mimetype == "application/octet-stream"
    pdf = by_name["Résumé 2026.pdf"]
    disposition = client.get(f"/agent/api/attachments/{pdf.id}").headers["Content-Disposition"]
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf" in disposition
    gif = next(a for a in message.attachments if a.is_inline)
    shown = client.get(f"/agent/api/attachments/{gif.id}/inline")
    assert shown.mimetype == "image/gif" and shown.headers["Content-Disposition"].startswith("inline;")


def test_other_clients_staff_and_strangers_cannot_download(app, client, login, mail, db):
    _, message = mail
    attachment = message.attachments[0]
    assert client.get(f"/agent/api/attachments/{attachment.id}").status_code == 401
    other = make_mail_client("globex", skip_region=True)
    factories.make_agent("globex-agent@helpdesk.test", all_clients=False, client_slugs=[other.slug])
    login("globex-agent@helpdesk.test")
    for url in (f"/agent/api/attachments/{attachment.id}", f"/agent/api/messages/{message.id}/html",
                f"/agent/api/tickets/{message.ticket_id}/messages"):
        response = client.get(url)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_agent_note_stays_internal_and_reply_is_queued(app, client, login, mail, acme):
    ticket_id, _ = mail
    token = sign_in(client, login, "agent@helpdesk.test")
    note = client.post(f"/agent/api/tickets/{ticket_id}/messages", json={"body": "Customer seems upset",
                       "internal": True}, headers={"X-CSRFToken": token})
    assert note.status_code == 201 and note.get_json()["message"]["kind"] == "note"
    assert note.get_json()["message"]["delivery_status"] is None
    reply = client.post(f"/agent/api/tickets/{ticket_id}/messages", json={"body": "On it", "status": "pending"},
                        headers={"X-CSRFToken": token})
    assert reply.get_json()["message"]["delivery_status"] == "queued"
    bad = client.post(f"/agent/api/tickets/{ticket_id}/messages", json={"body": "", "colour": "red"},
                      headers={"X-CSRFToken": token})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["details"]) == {"body", "colour"}
    staff_kinds = [m["kind"] for m in client.get(f"/agent/api/tickets/{ticket_id}/messages").get_json()["messages"]]
    assert "note" in staff_kinds
    # the client company's API never shows the internal note
    api = app.test_client().get(f"/api/v1/tickets/{ticket_id}", headers=factories.auth(acme.test_api_key))
    api_kinds = [m["kind"] for m in api.get_json()["messages"]]
    assert "note" not in api_kinds and "outbound" in api_kinds
    assert next(m for m in api.get_json()["messages"] if m["body"] == "On it")["delivery_status"] == "queued"
