"""Merging a duplicate ticket into another, through the staff API and the ticket page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Event, Message, Ticket
from tests import factories
from tests.mail_helpers import make_mail, make_mail_client, post_mail


@pytest.fixture
def acme(app):
    return make_mail_client("acme")


def _mail_ticket(client, acme, subject: str, message_id: str, tags: list[str] | None = None) -> Ticket:
    body = post_mail(client, acme, make_mail(subject, f"About {subject}.\n", message_id=message_id)).get_json()
    ticket = db.session.get(Ticket, body["ticket_id"])
    if tags:
        ticket.tags = tags
        db.session.commit()
    return ticket


def _agent(client, login, email: str, *owned: Ticket, role: str = "agent") -> str:
    agent = factories.make_agent(email, role=role)
    for ticket in owned:
        ticket.assignee_id, ticket.status = agent.id, "open"
    db.session.commit()
    login(email)
    return factories.csrf_token(client.get("/agent").get_data(as_text=True))


def _merge(client, token: str, source: Ticket, into: str):
    return client.post(f"/agent/api/tickets/{source.id}/merge", json={"into": into}, headers={"X-CSRFToken": token})


def test_merge_closes_the_duplicate_and_shows_its_conversation_on_the_target(client, login, acme):
    target = _mail_ticket(client, acme, "Printer on fire", "<a@customer.example>", tags=["printer"])
    source = _mail_ticket(client, acme, "Printer still on fire", "<b@customer.example>", tags=["urgent-ish"])
    token = _agent(client, login, "ana@helpdesk.test", source)

    response = _merge(client, token, source, target.reference.lower())  # references are case-insensitive
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["ticket"]["id"] == target.id

    db.session.expire_all()
    source, target = db.session.get(Ticket, source.id), db.session.get(Ticket, target.id)
    assert (source.status, source.merged_into_id) == ("closed", target.id)
    assert target.status in ("new", "open") and target.tags == ["printer", "urgent-ish"]
    notes = {m.ticket_id: m.body_text for m in db.session.scalars(select(Message).where(Message.kind == "note"))}
    assert notes[source.id] == f"Merged into {target.reference}."
    assert source.reference in notes[target.id]
    merged_events = db.session.scalars(select(Event).where(Event.type == "ticket.merged")).all()
    assert sorted(e.ticket_id for e in merged_events) == sorted([source.id, target.id])

    # The target's page and its conversation API show the duplicate's messages, marked as such.
    page = client.get(f"/agent/tickets/{target.id}").get_data(as_text=True)
    assert "About Printer still on fire." in page and f"from {source.reference}" in page
    assert f"{source.reference} merged into {target.reference}" in page  # the history line
    listed = client.get(f"/agent/api/tickets/{target.id}/messages").get_json()["messages"]
    assert {m["body"] for m in listed} >= {"About Printer on fire.\n", "About Printer still on fire.\n"}
    # The duplicate's page says where it went and offers no merge any more.
    source_page = client.get(f"/agent/tickets/{source.id}").get_data(as_text=True)
    assert 'id="merged-into"' in source_page and 'id="merge-form"' not in source_page


def test_mail_on_the_duplicates_thread_files_into_the_target(client, login, acme):
    target = _mail_ticket(client, acme, "Invoice wrong", "<inv1@customer.example>")
    source = _mail_ticket(client, acme, "Invoice wrong again", "<inv2@customer.example>")
    token = _agent(client, login, "ana@helpdesk.test", source)
    assert _merge(client, token, source, target.reference).status_code == 200

    reply = make_mail("Re: Invoice wrong again", "Any news?\n", in_reply_to="<inv2@customer.example>",
                      references="<inv2@customer.example>")
    answer = post_mail(client, acme, reply).get_json()
    assert answer["outcome"] == "appended" and answer["ticket_id"] == target.id


def test_merge_refusals(client, login, acme):
    target = _mail_ticket(client, acme, "One", "<one@customer.example>")
    source = _mail_ticket(client, acme, "Two", "<two@customer.example>")
    other = _mail_ticket(client, acme, "Three", "<three@customer.example>")
    token = _agent(client, login, "ana@helpdesk.test", source)

    assert _merge(client, token, source, source.reference).status_code == 422
    assert _merge(client, token, source, "not a reference").status_code == 422
    assert _merge(client, token, source, f"{acme.ticket_prefix}-99999").status_code == 404
    missing_body = client.post(f"/agent/api/tickets/{source.id}/merge", json={}, headers={"X-CSRFToken": token})
    assert missing_body.status_code == 422 and missing_body.get_json()["error"]["details"]["into"]
    # Agents change only their own tickets: merging someone else's ticket away is refused.
    assert _merge(client, token, other, target.reference).status_code == 403

    assert _merge(client, token, source, target.reference).status_code == 200
    again = _merge(client, token, source, other.reference)
    assert again.status_code == 409 and again.get_json()["error"]["code"]
    # Nothing may be merged into a closed (or merged) ticket.
    other.assignee_id = source.assignee_id
    db.session.commit()
    assert _merge(client, token, other, source.reference).status_code == 409


def test_no_merge_across_client_companies(client, login, acme):
    globex = make_mail_client("globex", skip_region=True)
    mine = _mail_ticket(client, acme, "Acme question", "<acme-q@customer.example>")
    theirs = _mail_ticket(client, globex, "Globex question", "<globex-q@customer.example>")
    token = _agent(client, login, "sup@helpdesk.test", mine, role="supervisor")

    by_prefix = _merge(client, token, mine, theirs.reference)
    assert by_prefix.status_code == 409
    # A bare number only ever names a ticket of the source's own client.
    by_number = _merge(client, token, mine, str(theirs.number))
    assert by_number.status_code in (404, 422) or by_number.get_json()["ticket"]["id"] != theirs.id
    db.session.expire_all()
    assert db.session.get(Ticket, theirs.id).merged_into_id is None
    assert db.session.get(Ticket, theirs.id).status != "closed"


def test_a_client_dedicated_agent_cannot_merge_into_a_ticket_it_cannot_see(client, login, acme):
    globex = make_mail_client("globex", skip_region=True)
    theirs = _mail_ticket(client, globex, "Globex question", "<g@customer.example>")
    factories.make_agent("acme-only@helpdesk.test", all_clients=False, client_slugs=["acme"])
    login("acme-only@helpdesk.test")
    token = factories.csrf_token(client.get("/agent").get_data(as_text=True))
    # The other client's ticket is not found at all (404), not forbidden.
    assert _merge(client, token, theirs, "1").status_code == 404
