"""A client's own system creates and updates tickets: POST /inbound/webhook/<client>, Standard Webhooks."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from helpdesk.models import Client, Ticket
from tests import factories
from tests.mail_helpers import signed_headers


def make(slug: str) -> Client:
    from helpdesk.extensions import db

    client_id, _ = factories.make_client(slug)
    return db.session.get(Client, client_id)


@pytest.fixture
def acme(app):
    factories.make_region()
    return make("acme")


def post(http, client: Client, document: dict, *, webhook_id: str | None = None, secret: str | None = None,
         timestamp: int | None = None, slug: str | None = None):
    raw = json.dumps(document).encode()
    headers = signed_headers(secret or client.inbound_webhook_secret, raw, msg_id=webhook_id, timestamp=timestamp)
    headers["Content-Type"] = "application/json"
    return http.post(f"/inbound/webhook/{slug or client.slug}", data=raw, headers=headers)


def tickets_of(db, client: Client) -> list[Ticket]:
    db.session.expire_all()
    return list(db.session.scalars(select(Ticket).where(Ticket.client_id == client.id).order_by(Ticket.id)))


NEW = {"external_id": "CRM-1001", "subject": "Order never arrived", "body": "Customer called our shop.",
       "priority": "high", "tags": ["crm"], "contact": {"email": "dana@customer.example", "name": "Dana"}}


def test_create_then_update_by_external_id(client, db, acme):
    created = post(client, acme, NEW, webhook_id="wh_1")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["outcome"] == "created" and body["ticket"]["priority"] == "high"
    [ticket] = tickets_of(db, acme)
    assert (ticket.external_id, ticket.channel, ticket.contact.email) == ("CRM-1001", "api", "dana@customer.example")
    assert ticket.messages[0].body_text == "Customer called our shop."

    updated = post(client, acme, {"external_id": "CRM-1001", "priority": "urgent", "tags": ["crm", "vip"],
                                  "body": "She called again."}, webhook_id="wh_2")
    assert updated.status_code == 200 and updated.get_json()["outcome"] == "updated"
    [ticket] = tickets_of(db, acme)
    assert ticket.priority == "urgent" and ticket.tags == ["crm", "vip"]
    assert [m.body_text for m in ticket.messages] == ["Customer called our shop.", "She called again."]


def test_a_replayed_webhook_id_returns_the_first_answer_and_changes_nothing(client, db, acme):
    first = post(client, acme, NEW, webhook_id="wh_same")
    post(client, acme, {"external_id": "CRM-1001", "priority": "low"}, webhook_id="wh_other")
    again = post(client, acme, NEW, webhook_id="wh_same")  # re-signed with a new timestamp, as a retry is
    assert again.status_code == 201 and again.headers["Webhook-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    [ticket] = tickets_of(db, acme)
    assert ticket.priority == "low" and len(ticket.messages) == 1  # the replay neither re-created nor reset it
    reused = post(client, acme, {**NEW, "subject": "Something else"}, webhook_id="wh_same")
    assert reused.status_code == 422 and reused.get_json()["error"]["code"] == "idempotency_key_reused"


def test_schema_errors_are_422_with_field_details(client, db, acme):
    bad = post(client, acme, {"subject": "x" * 600, "priority": "whenever", "tags": "not-a-list"})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["details"]) == {"external_id", "subject", "priority", "tags"}
    no_subject = post(client, acme, {"external_id": "CRM-2"})
    assert no_subject.status_code == 422 and "subject" in no_subject.get_json()["error"]["details"]
    raw = b"{not json"
    headers = signed_headers(acme.inbound_webhook_secret, raw)
    assert client.post("/inbound/webhook/acme", data=raw, headers=headers).status_code == 400
    assert tickets_of(db, acme) == []


def test_signatures_and_clients_are_checked_first(client, db, acme):
    assert post(client, acme, NEW, secret="whsec_" + "B" * 32).status_code == 401
    assert post(client, acme, NEW, timestamp=int(time.time()) - 600).status_code == 401
    assert post(client, acme, NEW, slug="nobody").status_code == 404
    globex = make("globex")
    # Globex's correctly signed post sent to acme's URL is refused: the secret is per client.
    assert post(client, globex, NEW, slug="acme").status_code == 401
    assert tickets_of(db, acme) == []


def test_external_ids_are_per_client_and_never_reach_another_client(client, db, acme):
    globex = make("globex")
    assert post(client, acme, NEW).status_code == 201
    # The same external_id at globex is globex's own, new ticket; acme's is untouched.
    assert post(client, globex, {**NEW, "subject": "Globex order"}).status_code == 201
    assert post(client, globex, {"external_id": "CRM-1001", "status": "solved"}).status_code == 200
    [acme_ticket] = tickets_of(db, acme)
    [globex_ticket] = tickets_of(db, globex)
    assert acme_ticket.subject == "Order never arrived" and acme_ticket.status != "solved"
    assert globex_ticket.subject == "Globex order" and globex_ticket.status == "solved"


def test_a_closed_ticket_is_a_conflict(client, db, acme):
    post(client, acme, NEW)
    assert post(client, acme, {"external_id": "CRM-1001", "status": "closed"}).status_code == 200
    closed = post(client, acme, {"external_id": "CRM-1001", "body": "Anyone?"})
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "conflict"
