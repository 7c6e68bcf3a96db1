"""GET /api/v1/events and the events that every ticket change writes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.client import clients
from helpdesk.extensions import db
from helpdesk.models import ApiKey, Event, ImmutableEventError
from helpdesk.platform.security import split_api_key
from tests.factories import auth, make_client

EVENTS = "/api/v1/events"
TICKETS = "/api/v1/tickets"


def get_events(http, key, **params) -> dict:
    response = http.get(EVENTS, query_string=params, headers=auth(key))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def new_ticket(http, key, **fields) -> dict:
    response = http.post(TICKETS, json={"subject": "Help", **fields}, headers=auth(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def all_events(http, key) -> list[dict]:
    return get_events(http, key, limit=1000)["data"]


@pytest.fixture
def acme(client):
    return make_client("acme")


def api_key_id(key: str) -> int:
    return db.session.scalar(select(ApiKey.id).where(ApiKey.prefix == split_api_key(key)[0]))


def test_no_events_yet(client, acme):
    _, key = acme
    assert get_events(client, key) == {"data": [], "next_since": 0, "has_more": False}
    assert get_events(client, key, since=7) == {"data": [], "next_since": 7, "has_more": False}


def test_create_writes_one_ticket_created_event(client, acme):
    client_id, key = acme
    ticket = new_ticket(client, key, body="hello", contact={"email": "x@example.com"})
    events = all_events(client, key)
    assert len(events) == 1
    event = events[0]
    assert event["type"] == "ticket.created"
    assert event["seq"] == 1
    assert event["ticket_id"] == ticket["id"]
    assert event["actor"] == {"type": "api_key", "id": api_key_id(key)}
    summary = event["data"]["ticket"]
    assert summary["id"] == ticket["id"]
    assert summary["number"] == 1 and summary["reference"] == "ACME-1"
    assert summary["status"] == "new" and summary["subject"] == "Help"
    assert event["created_at"]


def test_patch_writes_one_ticket_updated_event_with_changes(client, acme):
    _, key = acme
    ticket = new_ticket(client, key, tags=["a"])
    response = client.patch(f"{TICKETS}/{ticket['id']}",
                            json={"status": "open", "priority": "high", "tags": ["b", "a"], "subject": "Help"},
                            headers=auth(key))
    assert response.status_code == 200
    events = all_events(client, key)
    assert [e["type"] for e in events] == ["ticket.created", "ticket.updated"]
    updated = events[1]
    assert updated["seq"] == 2 and updated["ticket_id"] == ticket["id"]
    # unchanged fields (subject) are not listed
    assert updated["data"]["changes"] == {"status": ["new", "open"], "priority": ["normal", "high"],
                                          "tags": [["a"], ["a", "b"]]}
    assert updated["data"]["ticket"]["status"] == "open"
    assert updated["data"]["ticket"]["priority"] == "high"


def test_each_patch_is_its_own_event_with_old_and_new(client, acme):
    _, key = acme
    ticket_id = new_ticket(client, key)["id"]
    for status in ("open", "solved", "closed"):
        assert client.patch(f"{TICKETS}/{ticket_id}", json={"status": status}, headers=auth(key)).status_code == 200
    changes = [e["data"]["changes"] for e in all_events(client, key) if e["type"] == "ticket.updated"]
    assert changes == [{"status": ["new", "open"]}, {"status": ["open", "solved"]}, {"status": ["solved", "closed"]}]


def test_custom_fields_change_is_recorded(client, acme):
    _, key = acme
    ticket_id = new_ticket(client, key, custom_fields={"plan": "free"})["id"]
    client.patch(f"{TICKETS}/{ticket_id}", json={"custom_fields": {"plan": "gold"}}, headers=auth(key))
    last = all_events(client, key)[-1]
    assert last["data"]["changes"] == {"custom_fields": [{"plan": "free"}, {"plan": "gold"}]}


def test_message_writes_one_message_created_event(client, acme):
    _, key = acme
    ticket_id = new_ticket(client, key)["id"]
    client.patch(f"{TICKETS}/{ticket_id}", json={"status": "solved"}, headers=auth(key))
    response = client.post(f"{TICKETS}/{ticket_id}/messages", json={"body": "It  broke\nagain"}, headers=auth(key))
    assert response.status_code == 201
    message = response.get_json()
    events = all_events(client, key)
    # the reopen is part of the message's change: still exactly one event
    assert [e["type"] for e in events] == ["ticket.created", "ticket.updated", "message.created"]
    created = events[-1]
    assert created["ticket_id"] == ticket_id
    assert created["data"]["message"]["id"] == message["id"]
    assert created["data"]["message"]["kind"] == "inbound"
    assert created["data"]["message"]["excerpt"] == "It broke again"
    assert created["data"]["ticket"]["status"] == "open"


def test_requests_that_change_nothing_write_no_event(client, acme):
    client_id, key = acme
    ticket = new_ticket(client, key, priority="high")
    tid = ticket["id"]
    calls = [
        client.patch(f"{TICKETS}/{tid}", json={"priority": "high"}, headers=auth(key)),  # no-op: 200
        client.patch(f"{TICKETS}/{tid}", json={}, headers=auth(key)),
        client.patch(f"{TICKETS}/{tid}", json={"status": "bogus"}, headers=auth(key)),
        client.patch(f"{TICKETS}/{tid + 100}", json={"status": "open"}, headers=auth(key)),
        client.post(f"{TICKETS}/{tid}/messages", json={}, headers=auth(key)),
        client.post(TICKETS, json={"priority": "high"}, headers=auth(key)),
        client.get(TICKETS, headers=auth(key)),
        client.get(f"{TICKETS}/{tid}", headers=auth(key)),
    ]
    assert [r.status_code for r in calls] == [200, 422, 422, 404, 422, 422, 200, 200]
    assert [e["type"] for e in all_events(client, key)] == ["ticket.created"]


def test_idempotent_replays_write_no_extra_events(client, acme):
    _, key = acme
    headers = {**auth(key), "Idempotency-Key": "once"}
    for _ in range(3):
        ticket = client.post(TICKETS, json={"subject": "x"}, headers=headers).get_json()
    for _ in range(3):
        client.post(f"{TICKETS}/{ticket['id']}/messages", json={"body": "m"}, headers=headers)
    assert [e["type"] for e in all_events(client, key)] == ["ticket.created", "message.created"]


def test_seq_is_gap_free_from_1_and_independent_per_client(client, acme):
    a_id, a_key = acme
    b_id, b_key = make_client("bravo")
    a_ticket = new_ticket(client, a_key)["id"]
    b_ticket = new_ticket(client, b_key)["id"]
    for i in range(4):
        client.patch(f"{TICKETS}/{a_ticket}", json={"subject": f"a{i}"}, headers=auth(a_key))
        if i % 2:
            client.post(f"{TICKETS}/{b_ticket}/messages", json={"body": f"b{i}"}, headers=auth(b_key))
    a_events, b_events = all_events(client, a_key), all_events(client, b_key)
    assert [e["seq"] for e in a_events] == [1, 2, 3, 4, 5]
    assert [e["seq"] for e in b_events] == [1, 2, 3]
    assert {e["ticket_id"] for e in a_events} == {a_ticket}
    assert {e["ticket_id"] for e in b_events} == {b_ticket}
    assert not {e["id"] for e in a_events} & {e["id"] for e in b_events}
    # the database agrees
    rows = db.session.execute(select(Event.client_id, Event.seq).order_by(Event.client_id, Event.seq)).all()
    assert [tuple(r) for r in rows] == [(a_id, s) for s in range(1, 6)] + [(b_id, s) for s in range(1, 4)]


def test_paging_with_since_and_limit(client, acme):
    _, key = acme
    ticket_id = new_ticket(client, key)["id"]
    for i in range(6):
        client.patch(f"{TICKETS}/{ticket_id}", json={"subject": f"s{i}"}, headers=auth(key))
    # 7 events in all
    seen, since, pages = [], 0, 0
    while True:
        page = get_events(client, key, since=since, limit=3)
        pages += 1
        assert all(e["seq"] > since for e in page["data"])
        seen += [e["seq"] for e in page["data"]]
        assert page["next_since"] == (page["data"][-1]["seq"] if page["data"] else since)
        since = page["next_since"]
        if not page["has_more"]:
            break
        assert len(page["data"]) == 3
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    assert pages == 3
    # an exact fit reports has_more false
    exact = get_events(client, key, since=4, limit=3)
    assert [e["seq"] for e in exact["data"]] == [5, 6, 7]
    assert exact["has_more"] is False and exact["next_since"] == 7
    # polling at the head returns nothing and keeps the position
    assert get_events(client, key, since=7) == {"data": [], "next_since": 7, "has_more": False}
    # new events appear after the old position
    client.patch(f"{TICKETS}/{ticket_id}", json={"priority": "low"}, headers=auth(key))
    after = get_events(client, key, since=7)
    assert [e["seq"] for e in after["data"]] == [8] and after["next_since"] == 8
    # default limit and since
    assert [e["seq"] for e in get_events(client, key)["data"]] == list(range(1, 9))
    assert [e["seq"] for e in get_events(client, key, since=6, limit=1)["data"]] == [7]


def test_bad_event_query_parameters_are_422(client, acme):
    _, key = acme
    for params in ({"since": -1}, {"since": "abc"}, {"limit": 0}, {"limit": 1001}, {"limit": "x"}):
        response = client.get(EVENTS, query_string=params, headers=auth(key))
        assert response.status_code == 422, params
        error = response.get_json()["error"]
        assert error["code"] == "validation_failed"
        assert set(params) <= set(error["details"])


def test_actor_is_the_key_that_made_the_change(client, acme):
    client_id, key = acme
    second = clients.create_api_key(client_id, "second")
    ticket_id = new_ticket(client, key)["id"]
    client.patch(f"{TICKETS}/{ticket_id}", json={"priority": "low"}, headers=auth(second))
    actors = [e["actor"] for e in all_events(client, key)]
    assert actors == [{"type": "api_key", "id": api_key_id(key)}, {"type": "api_key", "id": api_key_id(second)}]
    assert api_key_id(key) != api_key_id(second)


# --------------------------------------------------------------------------- immutability


def _one_event(client, key) -> Event:
    new_ticket(client, key)
    db.session.expire_all()
    return db.session.scalars(select(Event)).one()


def test_events_cannot_be_updated(client, acme):
    _, key = acme
    event = _one_event(client, key)
    event.type = "ticket.deleted"
    with pytest.raises(ImmutableEventError):
        db.session.flush()
    db.session.rollback()
    event = db.session.scalars(select(Event)).one()
    event.data = {"tampered": True}
    with pytest.raises(ImmutableEventError):
        db.session.commit()
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.scalars(select(Event)).one()
    assert stored.type == "ticket.created" and "tampered" not in stored.data
    assert [e["type"] for e in all_events(client, key)] == ["ticket.created"]


def test_events_cannot_be_deleted(client, acme):
    _, key = acme
    event = _one_event(client, key)
    db.session.delete(event)
    with pytest.raises(ImmutableEventError):
        db.session.flush()
    db.session.rollback()
    event = db.session.scalars(select(Event)).one()
    db.session.delete(event)
    with pytest.raises(ImmutableEventError):
        db.session.commit()
    db.session.rollback()
    db.session.expire_all()
    assert len(db.session.scalars(select(Event)).all()) == 1
    assert len(all_events(client, key)) == 1
