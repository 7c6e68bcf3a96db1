"""The mail corpus: messages in the shapes real mail programs produce, each with its expected outcome.

tests/mail_corpus/ holds the .eml files and expected.json (see its README). For
every message this starts from empty tables, files the anchor messages (tickets
ACME-1, ACME-2 closed, GLOBEX-1, and our outbound replies on them), delivers the
message through the signed HTTP endpoint, and checks the outcome, the ticket it
landed on, the decoded subject, sender, text, new text, HTML and attachments.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from helpdesk.extensions import db as _db
from helpdesk.models import Attachment, Client, Message, Ticket
from helpdesk.platform.tenancy import TenantScope
from helpdesk.tickets import service as ticket_service
from tests.mail_helpers import make_mail_client, post_mail

CORPUS = Path(__file__).parent / "mail_corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text()) if (CORPUS / "expected.json").exists() else None
OUR_OUTBOUND = {"ACME-1": "<hd.acme.anchor-out@helpdesk.test>", "GLOBEX-1": "<hd.globex.anchor-out@helpdesk.test>"}
ADDRESSES = {"acme": "support@acme.example", "globex": "help@globex.example"}


def corpus_entries() -> list:
    if EXPECTED is None:
        return []
    return [pytest.param(entry, id=entry["file"]) for entry in EXPECTED["messages"]]


def test_corpus_is_present_and_large_enough():
    assert EXPECTED is not None, "tests/mail_corpus/expected.json is missing"
    messages = EXPECTED["messages"]
    assert len(messages) >= 150
    assert all((CORPUS / "messages" / entry["file"]).exists() for entry in messages)
    outcomes = {entry["outcome"] for entry in messages}
    assert {"created", "appended", "duplicate", "bounce", "ignored", "quarantined"} <= outcomes


def test_committed_corpus_is_what_the_builder_writes(tmp_path):
    subprocess.run([sys.executable, str(CORPUS / "build_corpus.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)

    def files(root: Path) -> dict[str, bytes]:
        return {str(path.relative_to(root)): path.read_bytes() for sub in ("messages", "anchors")
                for path in sorted((root / sub).rglob("*.eml"))}

    built, committed = files(tmp_path), files(CORPUS)
    assert sorted(built) == sorted(committed)
    assert [name for name in built if built[name] != committed[name]] == []
    assert (tmp_path / "expected.json").read_bytes() == (CORPUS / "expected.json").read_bytes()


def ticket_by_reference(reference: str) -> Ticket:
    prefix, number = reference.rsplit("-", 1)
    client = _db.session.scalar(select(Client).where(Client.ticket_prefix == prefix))
    return _db.session.scalar(select(Ticket).where(Ticket.client_id == client.id, Ticket.number == int(number)))


def set_up_anchors(http, clients: dict[str, Client]) -> None:
    for anchor in EXPECTED["anchors"]:
        raw = (CORPUS / anchor["file"]).read_bytes()
        answer = post_mail(http, clients[anchor["client"]], raw).get_json()
        assert answer["outcome"] == "created", (anchor, answer)
        ticket = _db.session.get(Ticket, answer["ticket_id"])
        assert ticket.reference == anchor["ticket"], (anchor, ticket.reference)
        if ticket.reference in OUR_OUTBOUND:
            ticket_service.new_message(ticket, "outbound", body_text="Have you tried turning it off?",
                                       channel="email", message_id_header=OUR_OUTBOUND[ticket.reference],
                                       subject=f"Re: [#{ticket.reference}] {ticket.subject}",
                                       from_email=ADDRESSES[anchor["client"]], delivery_status="sent")
        ticket.status = anchor.get("status", "open")
        _db.session.commit()


@pytest.mark.parametrize("entry", corpus_entries())
def test_corpus_message(entry, app, client, db):
    clients = {"acme": make_mail_client("acme", ADDRESSES["acme"]),
               "globex": make_mail_client("globex", ADDRESSES["globex"], skip_region=True)}
    set_up_anchors(client, clients)
    target = clients[entry.get("client", "acme")]
    raw = (CORPUS / "messages" / entry["file"]).read_bytes()
    response = post_mail(client, target, raw)
    assert response.status_code in (200, 201, 202), response.get_json()
    answer = response.get_json()
    expected_outcome = entry["outcome"]
    assert answer["outcome"] == expected_outcome, (entry["description"], answer)
    if expected_outcome == "quarantined":
        if entry.get("reason_contains"):
            assert entry["reason_contains"] in answer["reason"]
        return
    if expected_outcome == "bounce":
        bounced = db.session.get(Message, answer["message_id"])
        assert bounced.message_id_header == entry["bounce_of"] and bounced.delivery_status == "bounced"
        return
    if expected_outcome in ("ignored", "duplicate"):
        return
    check_filed_message(entry, target, answer)


def check_filed_message(entry: dict, target: Client, answer: dict) -> None:
    ticket = _db.session.get(Ticket, answer["ticket_id"])
    assert ticket.client_id == target.id
    if entry["outcome"] == "appended":
        assert ticket.reference == entry["ticket"], entry["description"]
    else:
        assert ticket.reference not in {a["ticket"] for a in EXPECTED["anchors"]}, entry["description"]
        if "subject" in entry:
            assert ticket.subject == entry["subject"]
    message = _db.session.scalar(TenantScope.for_client(target.id).select(Message, Message.id == answer["message_id"]))
    assert message.kind == "inbound" and message.channel == "email"
    if "from_email" in entry:
        assert message.from_email == entry["from_email"]
    if "from_name" in entry:
        assert message.from_name == entry["from_name"]
    for text in entry.get("text_contains", []):
        assert text in message.body_text, (text, message.body_text[:500])
    for text in entry.get("new_text_contains", []):
        assert text in message.new_text, (text, message.new_text[:500])
    for text in entry.get("new_text_excludes", []):
        assert text not in message.new_text, (text, message.new_text[:500])
    html = message.body_html or ""
    for text in entry.get("html_contains", []):
        assert text in html, (text, html[:500])
    for text in entry.get("html_excludes", []):
        assert text.lower() not in html.lower(), (text, html[:500])
    if "auto_reply" in entry:
        assert message.is_auto_reply is entry["auto_reply"]
    attachments = list(_db.session.scalars(select(Attachment).where(Attachment.message_id == message.id)))
    if "attachments" in entry:
        got = sorted((a.filename, a.content_type, a.is_inline) for a in attachments)
        want = sorted((a["filename"], a["content_type"], a.get("inline", False)) for a in entry["attachments"])
        assert got == want
    for fragment in entry.get("attachment_name_excludes", []):
        assert all(fragment not in a.filename for a in attachments), [a.filename for a in attachments]
