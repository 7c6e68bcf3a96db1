"""Email in over HTTP: the signed endpoint and the Mailgun, SendGrid and Postmark adapters."""

from __future__ import annotations

import base64
import hashlib
import json
import time

import pytest
from sqlalchemy import select

from helpdesk.channels import raw as inbound_raw
from helpdesk.channels import signatures
from helpdesk.channels.email import ingest as email_ingest
from helpdesk.client import clients
from helpdesk.models import Attachment, InboundRaw, Message, Ticket
from helpdesk.tickets import service as ticket_service
from tests import factories
from tests.mail_helpers import make_mail, make_mail_client, post_mail, signed_headers


@pytest.fixture
def acme(app):
    return make_mail_client("acme")


def tickets_of(db, client) -> list[Ticket]:
    return list(db.session.scalars(select(Ticket).where(Ticket.client_id == client.id).order_by(Ticket.id)))


def test_new_mail_creates_a_ticket_and_a_duplicate_changes_nothing(client, db, acme):
    raw = make_mail(message_id="<first@customer.example>")
    response = post_mail(client, acme, raw)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["outcome"] == "created"
    ticket = db.session.get(Ticket, body["ticket_id"])
    assert (ticket.subject, ticket.channel) == ("Printer on fire", "email")
    assert ticket.contact.email == "alice@customer.example"
    first = ticket.messages[0]
    assert first.message_id_header == "<first@customer.example>" and "on fire" in first.body_text
    # the raw bytes are kept, exactly
    stored = db.session.get(InboundRaw, body["inbound_id"])
    assert stored.content == raw and stored.status == "created"

    again = post_mail(client, acme, raw)
    assert again.status_code == 200 and again.get_json()["outcome"] == "duplicate"
    assert again.get_json()["ticket_id"] == ticket.id
    assert db.session.scalar(select(Message.id).where(Message.ticket_id == ticket.id).offset(2)) is None
    assert len(tickets_of(db, acme)) == 1


def test_without_message_id_the_raw_hash_deduplicates(client, db, acme):
    raw = b"From: bob@customer.example\r\nTo: support@acme.example\r\nSubject: No id\r\n\r\nHello\r\n"
    assert post_mail(client, acme, raw).get_json()["outcome"] == "created"
    assert post_mail(client, acme, raw).get_json()["outcome"] == "duplicate"
    assert post_mail(client, acme, raw + b"again\r\n").get_json()["outcome"] == "created"


def test_a_reply_threads_and_the_customer_reply_reopens(client, db, acme):
    created = post_mail(client, acme, make_mail(message_id="<q1@customer.example>")).get_json()
    ticket = db.session.get(Ticket, created["ticket_id"])
    ticket.status = "solved"
    db.session.commit()
    reply = make_mail("Re: Printer on fire", "Still burning.\n\nOn Mon, Alice wrote:\n> It is on fire.\n",
                      in_reply_to="<q1@customer.example>", references="<q1@customer.example>")
    answer = post_mail(client, acme, reply).get_json()
    assert answer["outcome"] == "appended" and answer["ticket_id"] == ticket.id
    db.session.refresh(ticket)
    assert ticket.status == "open"
    last = ticket.messages[-1]
    assert last.new_text == "Still burning." and "> It is on fire." in last.body_text


def test_subject_token_threads_only_within_the_same_client(client, db, acme):
    globex = make_mail_client("globex", skip_region=True)
    acme_ticket = post_mail(client, acme, make_mail()).get_json()["ticket_id"]
    reference = db.session.get(Ticket, acme_ticket).reference
    same = post_mail(client, acme, make_mail(f"Re: [#{reference}] Printer on fire")).get_json()
    assert (same["outcome"], same["ticket_id"]) == ("appended", acme_ticket)
    # the same token sent to another client's address is a new ticket there
    other = post_mail(client, globex, make_mail(f"Re: [#{reference}] x", to="support@globex.example")).get_json()
    assert other["outcome"] == "created" and db.session.get(Ticket, other["ticket_id"]).client_id == globex.id


def test_forged_reference_to_another_clients_message_starts_a_new_ticket(client, db, acme):
    globex = make_mail_client("globex", skip_region=True)
    post_mail(client, acme, make_mail(message_id="<secret-thread@customer.example>"))
    forged = make_mail("Re: Printer on fire", "let me in", to="support@globex.example",
                       in_reply_to="<secret-thread@customer.example>")
    answer = post_mail(client, globex, forged).get_json()
    assert answer["outcome"] == "created"
    assert db.session.get(Ticket, answer["ticket_id"]).client_id == globex.id
    assert len(tickets_of(db, acme)) == 1


def test_signature_failures_and_wrong_client_are_refused_before_storing(client, db, acme):
    globex = make_mail_client("globex", skip_region=True)
    raw = make_mail()
    tampered = signed_headers(acme.inbound_webhook_secret, raw)
    for response in (
        client.post("/inbound/email/acme", data=raw + b"x", headers=tampered),
        client.post("/inbound/email/acme", data=raw,
                    headers=signed_headers(acme.inbound_webhook_secret, raw, timestamp=int(time.time()) - 600)),
        # client A's secret cannot post into client B
        client.post("/inbound/email/globex", data=raw, headers=signed_headers(acme.inbound_webhook_secret, raw)),
        client.post("/inbound/email/acme", data=raw, headers={"Content-Type": "message/rfc822"}),
    ):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    missing = client.post("/inbound/email/nobody", data=raw, headers=signed_headers(acme.inbound_webhook_secret, raw))
    assert missing.status_code == 404 and missing.get_json()["error"]["details"] == {"client_slug": ["nobody"]}
    wrong_type = client.post("/inbound/email/acme", data=raw,
                             headers={**signed_headers(acme.inbound_webhook_secret, raw), "Content-Type": "image/png"})
    assert wrong_type.status_code == 415
    assert db.session.scalar(select(InboundRaw.id)) is None
    assert tickets_of(db, globex) == []


@pytest.mark.parametrize("app_config", [{"MAIL_MAX_BYTES": 4096}])
def test_oversized_message_is_413(client, db, acme):
    raw = make_mail(body="x" * 5000)
    response = post_mail(client, acme, raw)
    assert response.status_code == 413
    assert response.get_json()["error"] == {"code": "payload_too_large", "message": response.get_json()["error"][
        "message"], "details": {"max_bytes": 4096}}


def test_unparseable_mail_is_quarantined_kept_and_reprocessable(client, db, acme, login):
    garbage = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    response = post_mail(client, acme, garbage)
    assert response.status_code == 202
    body = response.get_json()
    assert body["outcome"] == "quarantined" and "not an email" in body["reason"]
    row = db.session.get(InboundRaw, body["inbound_id"])
    assert row.content == garbage and row.status == "quarantined"
    # admins see it and can reprocess it; agents cannot
    factories.make_agent("agent@helpdesk.test")
    factories.make_agent("admin@helpdesk.test", role="admin")
    login("agent@helpdesk.test")
    assert client.get("/agent/api/admin/inbound").status_code == 403
    client.post("/logout", data={"csrf_token": _csrf(client)})
    login("admin@helpdesk.test")
    listed = client.get("/agent/api/admin/inbound").get_json()["inbound"]
    assert [(item["id"], item["status"]) for item in listed] == [(row.id, "quarantined")]
    assert "not an email" in client.get("/admin/quarantine").get_data(as_text=True)


def _csrf(http) -> str:
    return factories.csrf_token(http.get("/agent").get_data(as_text=True))


def test_a_crash_while_filing_quarantines_and_reprocessing_files_it(client, db, acme, monkeypatch, login):
    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(ticket_service, "build_ticket", broken)
    body = post_mail(client, acme, make_mail(message_id="<crash@customer.example>")).get_json()
    assert body["outcome"] == "quarantined" and "database hiccup" in body["reason"]
    assert tickets_of(db, acme) == []
    monkeypatch.undo()
    factories.make_agent("admin@helpdesk.test", role="admin")
    login("admin@helpdesk.test")
    token = _csrf(client)
    result = client.post(f"/agent/api/admin/inbound/{body['inbound_id']}/reprocess", headers={"X-CSRFToken": token})
    assert result.status_code == 200 and result.get_json()["outcome"] == "created"
    assert [t.subject for t in tickets_of(db, acme)] == ["Printer on fire"]
    # reprocessing a filed message does nothing more
    again = client.post(f"/agent/api/admin/inbound/{body['inbound_id']}/reprocess", headers={"X-CSRFToken": token})
    assert again.get_json()["outcome"] == "created" and len(tickets_of(db, acme)) == 1


def test_a_message_stored_but_never_filed_is_picked_up_by_the_sweep(db, acme):
    raw_id = inbound_raw.store_raw(acme.id, make_mail(message_id="<orphan@customer.example>"), "http")
    row = db.session.get(InboundRaw, raw_id)
    row.received_at = row.received_at.replace(year=row.received_at.year - 1)
    db.session.commit()
    assert email_ingest.reprocess_stale() == 1
    assert db.session.get(InboundRaw, raw_id).status == "created"
    assert email_ingest.reprocess_stale() == 0


@pytest.mark.parametrize("app_config", [{"MAIL_SENDER_LIMIT": 3}])
def test_per_sender_limit_stops_a_mail_loop(client, db, acme):
    outcomes = [post_mail(client, acme, make_mail(f"Loop {n}")).get_json()["outcome"] for n in range(5)]
    assert outcomes == ["created"] * 3 + ["rate_limited"] * 2
    other = post_mail(client, acme, make_mail("Other", sender="carol@customer.example")).get_json()
    assert other["outcome"] == "created"
    held = db.session.scalars(select(InboundRaw).where(InboundRaw.status == "rate_limited")).all()
    assert len(held) == 2 and all(row.content for row in held)


def test_new_ticket_is_acknowledged_but_auto_replies_are_not(client, db, acme, queue):
    created = post_mail(client, acme, make_mail(message_id="<ack-me@customer.example>")).get_json()
    ticket = db.session.get(Ticket, created["ticket_id"])
    outbound = [m for m in ticket.messages if m.kind == "outbound"]
    assert len(outbound) == 1
    ack = outbound[0]
    assert ack.is_auto_reply and ack.delivery_status == "queued" and ack.in_reply_to == "<ack-me@customer.example>"
    assert ack.subject == f"Re: [#{ticket.reference}] Printer on fire"
    assert ticket.first_responded_at is None  # an acknowledgement is not a response
    ooo = make_mail("Automatic reply: Printer", "I am away", headers={"Auto-Submitted": "auto-replied"})
    auto = post_mail(client, acme, ooo).get_json()
    auto_ticket = db.session.get(Ticket, auto["ticket_id"])
    assert auto_ticket.messages[0].is_auto_reply and "auto-reply" in auto_ticket.tags
    assert [m for m in auto_ticket.messages if m.kind == "outbound"] == []
    clients.configure_email("acme", auto_ack=False)
    quiet = post_mail(client, acme, make_mail("No ack please")).get_json()
    assert [m.kind for m in db.session.get(Ticket, quiet["ticket_id"]).messages] == ["inbound"]


def test_html_and_attachments_are_kept_safely(client, db, acme):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "alice@customer.example"
    message["To"] = "support@acme.example"
    message["Subject"] = "Screenshot"
    message["Message-ID"] = "<shot@customer.example>"
    message.set_content("See the screenshot.")
    message.add_alternative('<p>See <img src="cid:shot1"><script>alert(1)</script>'
                            '<a href="javascript:alert(2)">x</a></p>', subtype="html")
    message.get_payload()[1].add_related(b"\x89PNG fake", maintype="image", subtype="png", cid="<shot1>")
    message.add_attachment(b"secret,data\n", maintype="text", subtype="csv", filename="../../etc/report.csv")
    body = post_mail(client, acme, message.as_bytes()).get_json()
    stored = db.session.scalar(select(Message).where(Message.ticket_id == body["ticket_id"], Message.kind == "inbound"))
    names = sorted((a.filename, a.is_inline) for a in stored.attachments)
    assert names == [("attachment.png", True), ("report.csv", False)]
    inline = next(a for a in stored.attachments if a.is_inline)
    assert f'src="/agent/api/attachments/{inline.id}/inline"' in stored.body_html
    assert "<script" not in stored.body_html and "javascript:" not in stored.body_html
    assert db.session.scalar(select(Attachment.size).where(Attachment.filename == "report.csv")) == 12


def test_mailgun_route(client, db, acme):
    clients.configure_email("acme", mailgun_signing_key="key-mg")
    raw = make_mail("Via Mailgun", message_id="<mg@customer.example>")
    stamp, token = str(int(time.time())), "tok123tok123tok123tok123tok123tok123tok123tok123tok"
    form = {"timestamp": stamp, "token": token, "signature": signatures.mailgun_signature("key-mg", stamp, token),
            "recipient": "support@acme.example", "sender": "alice@customer.example",
            "body-mime": (raw, "message.mime", "message/rfc822")}
    response = client.post("/inbound/email/acme/mailgun", data=_multipart(form), content_type=_CT)
    assert response.status_code == 201 and response.get_json()["outcome"] == "created"
    form["signature"] = "0" * 64
    forged = client.post("/inbound/email/acme/mailgun", data=_multipart(form), content_type=_CT)
    assert forged.status_code == 401
    form.pop("body-mime")
    form["signature"] = signatures.mailgun_signature("key-mg", stamp, token)
    empty = client.post("/inbound/email/acme/mailgun", data=_multipart(form), content_type=_CT)
    assert empty.status_code == 422 and "body-mime" in empty.get_json()["error"]["details"]


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_sendgrid_raw_mode_keeps_8bit_bytes(client, db, acme):
    clients.configure_email("acme", basic_auth="parse:pa55")
    raw = ("From: José <jose@customer.example>\r\nTo: support@acme.example\r\nSubject: Olá\r\n"
           "Message-ID: <sg@customer.example>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
           "Não funciona.\r\n").encode("latin-1")
    form = {"email": raw, "to": "support@acme.example", "from": "jose@customer.example",
            "envelope": json.dumps({"to": ["support@acme.example"], "from": "jose@customer.example"}),
            "charsets": json.dumps({"to": "UTF-8", "subject": "UTF-8", "from": "UTF-8"})}
    ok = client.post("/inbound/email/acme/sendgrid", data=_multipart(form), content_type=_CT,
                     headers=_basic("parse", "pa55"))
    assert ok.status_code == 201, ok.get_json()
    message = db.session.scalar(select(Message).where(Message.message_id_header == "<sg@customer.example>"))
    assert message.body_text.strip() == "Não funciona." and message.from_name == "José"
    assert db.session.get(InboundRaw, ok.get_json()["inbound_id"]).content == raw
    wrong = client.post("/inbound/email/acme/sendgrid", data=_multipart(form), content_type=_CT,
                        headers=_basic("parse", "nope"))
    assert wrong.status_code == 401
    parsed_mode = client.post("/inbound/email/acme/sendgrid", data=_multipart({"text": "hi"}), content_type=_CT,
                              headers=_basic("parse", "pa55"))
    assert parsed_mode.status_code == 422 and "email" in parsed_mode.get_json()["error"]["details"]


def test_postmark_json(client, db, acme):
    clients.configure_email("acme", basic_auth="pm:pm-secret")
    payload = {
        "FromName": "Dana", "From": "dana@customer.example",
        "FromFull": {"Email": "dana@customer.example", "Name": "Dana", "MailboxHash": ""},
        "To": "support@acme.example", "Subject": "Invoice 42", "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "Date": "Fri, 1 Aug 2026 16:45:32 -04:00", "TextBody": "Where is invoice 42?", "HtmlBody": "<p>Where?</p>",
        "StrippedTextReply": "", "Tag": "", "MessageStream": "inbound",
        "Headers": [{"Name": "Message-ID", "Value": "<pm-1@customer.example>"},
                    {"Name": "X-Spam-Status", "Value": "No"}],
        "Attachments": [{"Name": "invoice.pdf", "Content": base64.b64encode(b"%PDF-1.4 fake").decode(),
                         "ContentType": "application/pdf", "ContentLength": 13}],
    }
    response = client.post("/inbound/email/acme/postmark", json=payload, headers=_basic("pm", "pm-secret"))
    assert response.status_code == 201, response.get_json()
    message = db.session.scalar(select(Message).where(Message.message_id_header == "<pm-1@customer.example>"))
    assert message.subject == "Invoice 42" and "invoice 42" in message.body_text
    assert [(a.filename, a.content_type, a.size) for a in message.attachments] == [
        ("invoice.pdf", "application/pdf", 13)]
    replay = client.post("/inbound/email/acme/postmark", json=payload, headers=_basic("pm", "pm-secret"))
    assert replay.get_json()["outcome"] == "duplicate"
    assert client.post("/inbound/email/acme/postmark", data=b"{nope", headers={
        **_basic("pm", "pm-secret"), "Content-Type": "application/json"}).status_code == 400
    assert client.post("/inbound/email/acme/postmark", json={"Subject": "x"},
                       headers=_basic("pm", "pm-secret")).status_code == 422
    assert client.post("/inbound/email/acme/postmark", json=payload).status_code == 401


_BOUNDARY = "----helpdesk-test-boundary-7MA4YWxkTrZu0gW"
_CT = f"multipart/form-data; boundary={_BOUNDARY}"


def _multipart(fields: dict) -> bytes:
    """A multipart/form-data body built by hand, so byte content (8-bit mail) is sent exactly."""
    out = []
    for name, value in fields.items():
        if isinstance(value, tuple):
            data, filename, ctype = value
            head = (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {ctype}\r\n")
        else:
            data, head = value, f'Content-Disposition: form-data; name="{name}"\r\n'
        data = data if isinstance(data, bytes) else str(data).encode()
        out.append(f"--{_BOUNDARY}\r\n{head}\r\n".encode() + data + b"\r\n")
    return b"".join(out) + f"--{_BOUNDARY}--\r\n".encode()


def test_raw_sha_is_recorded(db, acme):
    raw = make_mail()
    raw_id = inbound_raw.store_raw(acme.id, raw, "http")
    assert db.session.get(InboundRaw, raw_id).sha256 == hashlib.sha256(raw).hexdigest()


def _raw_statuses(db) -> list[str]:
    db.session.expire_all()
    return [row.status for row in db.session.scalars(select(InboundRaw).order_by(InboundRaw.id))]


def test_respond_async_keeps_the_mail_and_one_worker_job_files_the_backlog_in_order(client, db, acme, queue):
    first = make_mail(message_id="<async-1@customer.example>")
    reply = make_mail("Re: Printer on fire", "Still burning.\n", message_id="<async-2@customer.example>",
                      in_reply_to="<async-1@customer.example>")
    answers = [post_mail(client, acme, raw, Prefer="respond-async") for raw in (first, reply, first)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert all(a.headers["Preference-Applied"] == "respond-async" for a in answers)
    assert {(a.get_json()["outcome"], a.get_json()["ticket_id"]) for a in answers} == {("accepted", None)}
    assert _raw_statuses(db) == ["received"] * 3 and tickets_of(db, acme) == []
    backlog_jobs = [job for job in queue.jobs("default") if job.func_name == email_ingest.BACKLOG_TASK]
    assert len(backlog_jobs) == 1  # one queued filer per client, however many messages arrive

    queue.run()
    assert _raw_statuses(db) == ["created", "appended", "duplicate"]
    [ticket] = tickets_of(db, acme)
    assert [m.message_id_header for m in ticket.messages if m.kind == "inbound"] == [
        "<async-1@customer.example>", "<async-2@customer.example>"]


def test_without_the_preference_the_answer_is_the_outcome(client, db, acme):
    answer = post_mail(client, acme, make_mail(), Prefer="return=minimal")
    assert answer.status_code == 201 and answer.get_json()["outcome"] == "created"
    assert "Preference-Applied" not in answer.headers


def test_only_one_filer_per_client_runs_and_it_rechecks_before_leaving(db, acme, redis):
    for n in range(3):
        inbound_raw.store_raw(acme.id, make_mail(f"Queued {n}", message_id=f"<queued-{n}@customer.example>"),
                               "http")
    held = redis.lock(f"helpdesk:inbound-filer:{acme.id}", timeout=30)
    assert held.acquire(blocking=False)
    assert email_ingest.file_backlog(acme.id) == 0  # another filer holds the client: leave it to them
    assert _raw_statuses(db) == ["received"] * 3
    held.release()
    assert email_ingest.file_backlog(acme.id) == 3
    assert _raw_statuses(db) == ["created"] * 3
    assert email_ingest.file_backlog(acme.id) == 0


def test_async_mail_while_redis_is_down_is_kept_and_the_sweep_files_it(app, app_factory, tmp_path):
    from helpdesk.embedded_redis import EmbeddedRedis
    from helpdesk.extensions import db as session_db
    from tests.support import other_app

    server = EmbeddedRedis(tmp_path / "redis-mail", socket_path=tmp_path / "mail.sock")
    with other_app(app_factory, REDIS_URL=server.url) as app:
        acme = make_mail_client("acme")
        http = app.test_client()
        server.close()  # Redis goes away: no job can be queued
        answer = post_mail(http, acme, make_mail(message_id="<while-down@customer.example>"), Prefer="respond-async")
        assert answer.status_code == 202 and answer.get_json()["outcome"] == "accepted"
        raw_id = answer.get_json()["inbound_id"]
        assert session_db.session.get(InboundRaw, raw_id).status == "received"

        server = EmbeddedRedis(tmp_path / "redis-mail-2", socket_path=tmp_path / "mail.sock")  # back, empty
        try:
            row = session_db.session.get(InboundRaw, raw_id)
            row.received_at = row.received_at - email_ingest.STALE_AFTER * 2
            session_db.session.commit()
            assert email_ingest.reprocess_stale() == 1
            session_db.session.expire_all()
            assert session_db.session.get(InboundRaw, raw_id).status == "created"
        finally:
            server.close()


def test_two_filers_racing_on_one_backlog_keep_every_thread_together(app, db, acme):
    import threading

    for thread in range(10):
        for depth in range(3):
            parent = f"<race-{thread}-{depth - 1}@customer.example>" if depth else None
            raw = make_mail(f"Race {thread}", f"Message {depth}\n", in_reply_to=parent, references=parent,
                            message_id=f"<race-{thread}-{depth}@customer.example>")
            inbound_raw.store_raw(acme.id, raw, "http")
    db.session.remove()
    filed, errors = [], []

    def filer():
        try:
            with app.app_context():
                filed.append(email_ingest.file_backlog(acme.id))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    racers = [threading.Thread(target=filer) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    assert errors == [] and sum(filed) == 30
    assert _raw_statuses(db) == (["created"] + ["appended"] * 2) * 10
    assert sorted(len([m for m in t.messages if m.kind == "inbound"]) for t in tickets_of(db, acme)) == [3] * 10
