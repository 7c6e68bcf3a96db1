"""One client company's API key never reaches another client's data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk.errors import NotFound
from helpdesk.extensions import db
from helpdesk.models import Contact, Event, Message, Ticket
from helpdesk.platform.tenancy import TenantScope
from tests.factories import auth, make_client

API = "/api/v1/tickets"


@pytest.fixture
def tenants(client):
    """Two client companies, each with one ticket: {"a": {...}, "b": {...}}."""
    out = {}
    for name, slug in (("a", "alpha"), ("b", "bravo")):
        client_id, key = make_client(slug)
        response = client.post(API, json={"subject": f"{slug} secret subject", "body": f"{slug} secret body",
                                          "contact": {"email": "shared@example.com"}}, headers=auth(key))
        assert response.status_code == 201
        out[name] = {"id": client_id, "key": key, "ticket": response.get_json()}
    return out


def assert_not_found(response):
    assert response.status_code == 404, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == "not_found"
    return body


def events_of(client_id: int) -> list[Event]:
    db.session.expire_all()
    return list(db.session.scalars(select(Event).where(Event.client_id == client_id).order_by(Event.seq)))


def test_reading_another_clients_ticket_is_404_like_a_missing_one(client, tenants):
    a, b = tenants["a"], tenants["b"]
    foreign = client.get(f"{API}/{b['ticket']['id']}", headers=auth(a["key"]))
    body = assert_not_found(foreign)
    assert "bravo" not in foreign.get_data(as_text=True)
    missing = client.get(f"{API}/987654", headers=auth(a["key"]))
    assert_not_found(missing)
    # indistinguishable apart from the id echoed back
    assert body["error"]["message"].replace(str(b["ticket"]["id"]), "N") == \
        missing.get_json()["error"]["message"].replace("987654", "N")
    # B itself can read it
    assert client.get(f"{API}/{b['ticket']['id']}", headers=auth(b["key"])).status_code == 200


def test_list_shows_only_own_tickets(client, tenants):
    a, b = tenants["a"], tenants["b"]
    for key, own, other in ((a["key"], a, b), (b["key"], b, a)):
        for params in ({}, {"status": "new"}, {"sort": "updated_at"}, {"updated_since": "2000-01-01T00:00:00Z"},
                       {"client_id": other["id"]}):
            response = client.get(API, query_string=params, headers=auth(key))
            assert response.status_code == 200
            assert [t["id"] for t in response.get_json()["data"]] == [own["ticket"]["id"]], params
            assert other["ticket"]["subject"] not in response.get_data(as_text=True)


def test_cursor_made_by_another_client_reveals_nothing(client, tenants):
    a, b = tenants["a"], tenants["b"]
    for i in range(3):
        client.post(API, json={"subject": f"b{i}"}, headers=auth(b["key"]))
    cursor = client.get(API, query_string={"limit": 1}, headers=auth(b["key"])).get_json()["next_cursor"]
    assert cursor
    page = client.get(API, query_string={"cursor": cursor}, headers=auth(a["key"])).get_json()
    assert {t["id"] for t in page["data"]} <= {a["ticket"]["id"]}


def test_patching_another_clients_ticket_is_404_and_changes_nothing(client, tenants):
    a, b = tenants["a"], tenants["b"]
    before = client.get(f"{API}/{b['ticket']['id']}", headers=auth(b["key"])).get_json()
    for change in ({"status": "closed"}, {"subject": "pwned"}, {"priority": "urgent", "tags": ["x"]}):
        assert_not_found(client.patch(f"{API}/{b['ticket']['id']}", json=change, headers=auth(a["key"])))
    assert client.get(f"{API}/{b['ticket']['id']}", headers=auth(b["key"])).get_json() == before
    assert [e.type for e in events_of(b["id"])] == ["ticket.created"]
    assert [e.type for e in events_of(a["id"])] == ["ticket.created"]


def test_posting_a_message_to_another_clients_ticket_is_404(client, tenants):
    a, b = tenants["a"], tenants["b"]
    target = b["ticket"]["id"]
    assert_not_found(client.post(f"{API}/{target}/messages", json={"body": "injected"}, headers=auth(a["key"])))
    assert_not_found(client.post(f"{API}/{target}/messages", json={"body": "injected"},
                                 headers={**auth(a["key"]), "Idempotency-Key": "x1"}))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.ticket_id == target)) == 1
    assert "injected" not in client.get(f"{API}/{target}", headers=auth(b["key"])).get_data(as_text=True)
    assert len(events_of(b["id"])) == 1 and len(events_of(a["id"])) == 1


def test_idempotency_replay_never_crosses_clients(client, tenants):
    a, b = tenants["a"], tenants["b"]
    # B posts a message with a key; A uses the same key and URL shape on its own ticket
    b_msg = client.post(f"{API}/{b['ticket']['id']}/messages", json={"body": "same"},
                        headers={**auth(b["key"]), "Idempotency-Key": "k"})
    a_msg = client.post(f"{API}/{a['ticket']['id']}/messages", json={"body": "same"},
                        headers={**auth(a["key"]), "Idempotency-Key": "k"})
    assert b_msg.status_code == a_msg.status_code == 201
    assert a_msg.get_json()["id"] != b_msg.get_json()["id"]
    assert a_msg.get_json()["ticket_id"] == a["ticket"]["id"]


def test_events_show_only_own_client(client, tenants):
    a, b = tenants["a"], tenants["b"]
    client.patch(f"{API}/{b['ticket']['id']}", json={"priority": "high"}, headers=auth(b["key"]))
    for params in ({}, {"since": 0, "limit": 1000}, {"client_id": b["id"]}):
        response = client.get("/api/v1/events", query_string=params, headers=auth(a["key"]))
        assert response.status_code == 200
        data = response.get_json()["data"]
        assert [(e["type"], e["ticket_id"]) for e in data] == [("ticket.created", a["ticket"]["id"])]
        assert "bravo" not in response.get_data(as_text=True)
    b_events = client.get("/api/v1/events", headers=auth(b["key"])).get_json()["data"]
    assert [e["type"] for e in b_events] == ["ticket.created", "ticket.updated"]
    assert {e["ticket_id"] for e in b_events} == {b["ticket"]["id"]}


def test_contacts_with_the_same_email_are_distinct_per_client(client, tenants):
    a, b = tenants["a"], tenants["b"]
    a_contact, b_contact = a["ticket"]["contact"], b["ticket"]["contact"]
    assert a_contact["email"] == b_contact["email"] == "shared@example.com"
    assert a_contact["id"] != b_contact["id"]
    rows = db.session.scalars(select(Contact).where(Contact.email == "shared@example.com")).all()
    assert sorted((c.client_id, c.id) for c in rows) == sorted([(a["id"], a_contact["id"]), (b["id"], b_contact["id"])])
    # reuse stays within the client
    again = client.post(API, json={"subject": "again", "contact": {"email": "SHARED@example.com"}},
                        headers=auth(b["key"])).get_json()
    assert again["contact"]["id"] == b_contact["id"]
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 2


def test_contact_external_id_is_scoped_per_client(client, tenants):
    made = {}
    for name in ("a", "b"):
        made[name] = client.post(API, json={"subject": "s", "contact": {"external_id": "cust-1", "name": name}},
                                 headers=auth(tenants[name]["key"])).get_json()["contact"]
    assert made["a"]["id"] != made["b"]["id"]
    assert (made["a"]["name"], made["b"]["name"]) == ("a", "b")


def test_ticket_numbers_are_independent_per_client(client, tenants):
    a, b = tenants["a"], tenants["b"]
    order = ["a", "a", "b", "a", "b"]
    refs = {"a": [a["ticket"]["reference"]], "b": [b["ticket"]["reference"]]}
    for name in order:
        response = client.post(API, json={"subject": "n"}, headers=auth(tenants[name]["key"]))
        refs[name].append(response.get_json()["reference"])
    assert refs["a"] == ["ALPHA-1", "ALPHA-2", "ALPHA-3", "ALPHA-4"]
    assert refs["b"] == ["BRAVO-1", "BRAVO-2", "BRAVO-3"]


def test_external_id_uniqueness_is_per_client(client, tenants):
    a, b = tenants["a"], tenants["b"]
    for tenant in (a, b):
        response = client.post(API, json={"subject": "ext", "external_id": "crm-1"}, headers=auth(tenant["key"]))
        assert response.status_code == 201, response.get_json()


# --------------------------------------------------------------------------- TenantScope


def test_scope_for_one_client(client, tenants):
    a, b = tenants["a"], tenants["b"]
    scope = TenantScope.for_client(a["id"])
    assert scope.client_id == a["id"]
    assert scope.allows(a["id"]) and not scope.allows(b["id"]) and not scope.allows(None)
    assert scope.get(Ticket, a["ticket"]["id"]).id == a["ticket"]["id"]
    assert scope.get(Ticket, b["ticket"]["id"]) is None
    assert scope.get(Ticket, None) is None
    assert scope.get_or_404(Ticket, a["ticket"]["id"]).client_id == a["id"]
    with pytest.raises(NotFound) as caught:
        scope.get_or_404(Ticket, b["ticket"]["id"], "ticket")
    assert caught.value.status == 404 and caught.value.code == "not_found"
    with pytest.raises(NotFound):
        scope.get_or_404(Contact, b["ticket"]["contact"]["id"])
    assert [t.id for t in db.session.scalars(scope.select(Ticket))] == [a["ticket"]["id"]]


def test_scope_add_refuses_a_foreign_owner(client, tenants):
    a, b = tenants["a"], tenants["b"]
    scope = TenantScope.for_client(a["id"])
    contact = scope.add(Contact(email="new@example.com"))
    assert contact.client_id == a["id"]
    with pytest.raises(NotFound):
        scope.add(Contact(email="x@example.com"), client_id=b["id"])
    db.session.rollback()


def test_scope_spanning_several_clients(client, tenants):
    a, b = tenants["a"], tenants["b"]
    c_id, _ = make_client("charlie")
    both = TenantScope([a["id"], b["id"]])
    with pytest.raises(ValueError):
        both.client_id  # noqa: B018
    with pytest.raises(ValueError):
        both.add(Contact(email="y@example.com"))
    assert both.get(Ticket, a["ticket"]["id"]) is not None
    assert both.get(Ticket, b["ticket"]["id"]) is not None
    assert both.allows(a["id"]) and both.allows(b["id"]) and not both.allows(c_id)
    assert sorted(t.id for t in db.session.scalars(both.select(Ticket))) == \
        sorted([a["ticket"]["id"], b["ticket"]["id"]])

    everyone = TenantScope(None, all_clients=True)
    with pytest.raises(ValueError):
        everyone.client_id  # noqa: B018
    assert everyone.allows(c_id) and not everyone.allows(None)
    assert everyone.get(Ticket, b["ticket"]["id"]) is not None

    nobody = TenantScope([])
    with pytest.raises(ValueError):
        nobody.client_id  # noqa: B018
    assert nobody.get(Ticket, a["ticket"]["id"]) is None
    with pytest.raises(NotFound):
        nobody.get_or_404(Ticket, a["ticket"]["id"])
    assert list(db.session.scalars(nobody.select(Ticket))) == []
