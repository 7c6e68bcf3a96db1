"""POST/GET/PATCH /api/v1/tickets and /messages through the real HTTP interface."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from helpdesk.client import clients
from helpdesk.extensions import db
from helpdesk.models import Contact, Event, IdempotencyKey, Message, Ticket
from helpdesk.platform.security import split_api_key
from tests.factories import auth, make_client
from tests.support import other_app

API = "/api/v1/tickets"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def acme(client):
    """(client_id, api_key) of a client company with slug "acme"."""
    return make_client("acme")


def create(http, key: str, **fields) -> dict:
    body = {"subject": "Printer on fire", **fields}
    response = http.post(API, json=body, headers=auth(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def patch(http, key: str, ticket_id: int, **fields):
    return http.patch(f"{API}/{ticket_id}", json=fields, headers=auth(key))


def assert_error(response, status: int, code: str) -> dict:
    """The response is the project-wide JSON error envelope with this status and code."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def count(model, *criteria) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*criteria))


def events_of(client_id: int, event_type: str | None = None) -> list[Event]:
    db.session.expire_all()
    query = select(Event).where(Event.client_id == client_id).order_by(Event.seq)
    if event_type:
        query = query.where(Event.type == event_type)
    return list(db.session.scalars(query))


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --------------------------------------------------------------------------- create


def test_create_returns_201_with_the_new_ticket(client, acme):
    client_id, key = acme
    response = client.post(API, json={"subject": "  Cannot log in  ", "body": "Since this morning."},
                           headers=auth(key))
    assert response.status_code == 201, response.get_json()
    ticket = response.get_json()
    assert ticket["number"] == 1
    assert ticket["reference"] == "ACME-1"
    assert ticket["subject"] == "Cannot log in"
    assert ticket["status"] == "new"
    assert ticket["priority"] == "normal"
    assert ticket["channel"] == "api"
    assert ticket["solved_at"] is None and ticket["closed_at"] is None
    assert [m["body"] for m in ticket["messages"]] == ["Since this morning."]
    assert ticket["messages"][0]["kind"] == "inbound"
    row = db.session.get(Ticket, ticket["id"])
    assert row is not None and row.client_id == client_id and row.subject == "Cannot log in"


def test_create_accepts_explicit_fields(client, acme):
    _, key = acme
    ticket = create(client, key, priority="urgent", channel="email", language="de", tags=["vip", "billing", "vip"],
                    custom_fields={"order": "A-17"}, external_id="crm-42")
    assert ticket["priority"] == "urgent"
    assert ticket["channel"] == "email"
    assert ticket["language"] == "de"
    assert ticket["tags"] == ["billing", "vip"]
    assert ticket["custom_fields"] == {"order": "A-17"}
    assert ticket["external_id"] == "crm-42"
    # external_id is unique per client
    again = client.post(API, json={"subject": "dup", "external_id": "crm-42"}, headers=auth(key))
    assert_error(again, 409, "conflict")


def test_ticket_numbers_are_sequential_per_client(client, acme):
    _, key = acme
    made = [create(client, key, subject=f"Ticket {i}") for i in range(3)]
    assert [t["number"] for t in made] == [1, 2, 3]
    assert [t["reference"] for t in made] == ["ACME-1", "ACME-2", "ACME-3"]
    assert len({t["id"] for t in made}) == 3
    # the prefix is the slug upper-cased without punctuation
    _, other_key = make_client("big-co-2")
    assert create(client, other_key)["reference"] == "BIGCO2-1"


def test_contact_is_created_then_reused_by_email(client, acme):
    client_id, key = acme
    first = create(client, key, contact={"email": "Jane.Doe@Example.com", "name": "Jane"})
    assert first["contact"]["email"] == "jane.doe@example.com"
    assert first["contact"]["name"] == "Jane"
    second = create(client, key, body="me again", contact={"email": "jane.doe@example.com"})
    assert second["contact"]["id"] == first["contact"]["id"]
    third = create(client, key, contact={"email": "someone.else@example.com"})
    assert third["contact"]["id"] != first["contact"]["id"]
    assert count(Contact, Contact.client_id == client_id) == 2
    # The first message is authored by the ticket's contact.
    assert second["messages"][0]["author_contact_id"] == first["contact"]["id"]


def test_contact_is_reused_by_external_id(client, acme):
    client_id, key = acme
    first = create(client, key, contact={"external_id": "cust-1", "email": "a@example.com"})
    second = create(client, key, contact={"external_id": "cust-1", "email": "other@example.com"})
    assert second["contact"]["id"] == first["contact"]["id"]
    assert count(Contact, Contact.client_id == client_id) == 1


def test_ticket_without_contact_or_body(client, acme):
    _, key = acme
    ticket = create(client, key)
    assert ticket["contact"] is None
    assert ticket["messages"] == []
    assert count(Message) == 0


def test_body_html_is_sanitised(client, acme):
    _, key = acme
    html = ('<p onclick="steal()">Hello <b>there</b><script>alert("x")</script>'
            '<a href="https://example.com" target="_blank">link</a><img src=x onerror="boom()"></p>')
    ticket = create(client, key, body="Hello there", body_html=html)
    stored = ticket["messages"][0]["body_html"]
    for forbidden in ("<script", "alert(", "onclick", "steal()", "onerror", "boom()"):
        assert forbidden not in stored
    assert "<b>there</b>" in stored and "https://example.com" in stored
    assert 'rel="noopener noreferrer nofollow"' in stored
    # Stored sanitised: a fresh read and the database row agree.
    got = client.get(f"{API}/{ticket['id']}", headers=auth(key)).get_json()
    assert got["messages"][0]["body_html"] == stored
    assert "<script" not in db.session.get(Message, ticket["messages"][0]["id"]).body_html


# --------------------------------------------------------------------------- create: validation


CREATE_ERRORS = [
    ({}, "subject"),
    ({"body": "no subject"}, "subject"),
    ({"subject": ""}, "subject"),
    ({"subject": 42}, "subject"),
    ({"subject": "x" * 501}, "subject"),
    ({"subject": "ok", "priority": "critical"}, "priority"),
    ({"subject": "ok", "channel": "pigeon"}, "channel"),
    ({"subject": "ok", "status": "open"}, "status"),  # status is not settable on create
    ({"subject": "ok", "bogus": 1}, "bogus"),
    ({"subject": "ok", "tags": ["has space"]}, "tags"),
    ({"subject": "ok", "tags": "not-a-list"}, "tags"),
    ({"subject": "ok", "contact": {"email": "not-an-email"}}, "contact"),
    ({"subject": "ok", "contact": {"email": "a@b.example", "shoe_size": 9}}, "contact"),
    ({"subject": "ok", "custom_fields": ["not", "a", "dict"]}, "custom_fields"),
]


def test_create_validation_errors_are_422_with_field_details(client, acme):
    client_id, key = acme
    for body, field in CREATE_ERRORS:
        error = assert_error(client.post(API, json=body, headers=auth(key)), 422, "validation_failed")
        assert field in error["details"], (body, error)
        assert isinstance(error["details"][field], list | dict) and error["details"][field]
    assert count(Ticket) == 0
    assert events_of(client_id) == []


def test_validation_errors_name_every_bad_field(client, acme):
    _, key = acme
    error = assert_error(client.post(API, json={"priority": "x", "channel": "y", "zzz": 1}, headers=auth(key)),
                         422, "validation_failed")
    assert {"subject", "priority", "channel", "zzz"} <= set(error["details"])
    error = assert_error(client.post(API, json={"subject": "s", "contact": {"email": "nope"}}, headers=auth(key)),
                         422, "validation_failed")
    assert "email" in error["details"]["contact"]


def test_malformed_json_is_400_json_error(client, acme):
    client_id, key = acme
    for raw in ('{"subject": "x"', "not json at all", '{"subject": }', "[1, 2", "\xff\xfe"):
        response = client.post(API, data=raw, headers={**auth(key), "Content-Type": "application/json"})
        error = assert_error(response, 400, "bad_request")
        assert isinstance(error["details"], dict), error
    ticket_id = create(client, key)["id"]
    for method, path in (("patch", f"{API}/{ticket_id}"), ("post", f"{API}/{ticket_id}/messages")):
        headers = {**auth(key), "Content-Type": "application/json"}
        response = getattr(client, method)(path, data="{oops", headers=headers)
        assert_error(response, 400, "bad_request")
    assert count(Ticket) == 1 and count(Message) == 0
    assert [e.type for e in events_of(client_id)] == ["ticket.created"]


# --------------------------------------------------------------------------- list and filters


def test_list_newest_first_and_only_summaries(client, acme):
    _, key = acme
    assert client.get(API, headers=auth(key)).get_json() == {"data": [], "next_cursor": None}
    made = [create(client, key, subject=f"T{i}", body="secret body text") for i in range(3)]
    response = client.get(API, headers=auth(key))
    assert response.status_code == 200
    page = response.get_json()
    assert [t["id"] for t in page["data"]] == [t["id"] for t in reversed(made)]
    assert page["next_cursor"] is None
    assert all("messages" not in t for t in page["data"])
    assert "secret body text" not in response.get_data(as_text=True)


@pytest.fixture
def mixed_tickets(client, acme):
    """Tickets with a spread of status, priority and channel; returns {name: ticket id}."""
    _, key = acme
    spec = {
        "a": ("low", "email", "open"),
        "b": ("high", "email", "solved"),
        "c": ("urgent", "phone", "pending"),
        "d": ("normal", "chat", None),
        "e": ("high", "api", "open"),
        "f": ("normal", "web", "solved"),
    }
    ids = {}
    for name, (priority, channel, status) in spec.items():
        ticket = create(client, key, subject=name, priority=priority, channel=channel)
        if status:
            assert patch(client, key, ticket["id"], status=status).status_code == 200
        ids[name] = ticket["id"]
    return ids


def _listed(client, key, **params) -> set[int]:
    response = client.get(API, query_string={"limit": 100, **params}, headers=auth(key))
    assert response.status_code == 200, response.get_json()
    return {t["id"] for t in response.get_json()["data"]}


def _names(ids: dict, names: str) -> set[int]:
    return {ids[n] for n in names}


FILTER_CASES = [
    ({}, "abcdef"),
    ({"status": "open"}, "ae"),
    ({"status": "open,solved"}, "abef"),
    ({"status": "new"}, "d"),
    ({"status": "closed"}, ""),
    ({"priority": "high"}, "be"),
    ({"priority": "high,urgent"}, "bce"),
    ({"channel": "email"}, "ab"),
    ({"channel": "chat,web,phone"}, "cdf"),
    ({"status": "open,solved", "priority": "high"}, "be"),
    ({"status": "solved", "channel": "email,api"}, "b"),
    ({"status": "open", "priority": "normal,low", "channel": "email"}, "a"),
    ({"status": "open", "channel": "chat"}, ""),
]


def test_list_filters(client, acme, mixed_tickets):
    _, key = acme
    for params, expected in FILTER_CASES:
        assert _listed(client, key, **params) == _names(mixed_tickets, expected), params


BAD_QUERIES = [
    {"status": "opened"},
    {"status": "open,bogus"},
    {"priority": "meh"},
    {"channel": "fax"},
    {"sort": "subject"},
    {"limit": 0},
    {"limit": 101},
    {"updated_since": "yesterday"},
]


def test_list_rejects_bad_query_parameters(client, acme):
    _, key = acme
    for params in BAD_QUERIES:
        error = assert_error(client.get(API, query_string=params, headers=auth(key)), 422, "validation_failed")
        assert set(params) <= set(error["details"]), (params, error)


def _set_times(ticket_id: int, *, created_at: datetime | None = None, updated_at: datetime) -> None:
    values = {"updated_at": updated_at}
    if created_at is not None:
        values["created_at"] = created_at
    db.session.execute(update(Ticket).where(Ticket.id == ticket_id).values(**values))
    db.session.commit()


def test_updated_since_filter(client, acme):
    _, key = acme
    base = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    ids = [create(client, key, subject=f"T{i}")["id"] for i in range(4)]
    for offset, ticket_id in enumerate(ids):
        _set_times(ticket_id, created_at=base - timedelta(days=30), updated_at=base + timedelta(days=offset))
    # inclusive bound, UTC given as Z
    assert _listed(client, key, updated_since="2024-03-02T12:00:00Z") == set(ids[1:])
    assert _listed(client, key, updated_since="2024-03-02T12:00:00.000001Z") == set(ids[2:])
    # other offsets are converted: 14:00+02:00 == 12:00Z
    assert _listed(client, key, updated_since="2024-03-03T14:00:00+02:00") == set(ids[2:])
    # no offset means UTC
    assert _listed(client, key, updated_since="2024-03-04T12:00:00") == {ids[3]}
    assert _listed(client, key, updated_since="2024-03-05T00:00:00Z") == set()
    assert _listed(client, key, updated_since="2020-01-01T00:00:00Z") == set(ids)


def test_updated_since_sees_tickets_changed_through_the_api(client, acme):
    _, key = acme
    old = create(client, key, subject="old")
    changed = create(client, key, subject="changed")
    past = datetime.now(UTC) - timedelta(hours=2)
    _set_times(old["id"], created_at=past, updated_at=past)
    _set_times(changed["id"], created_at=past, updated_at=past)
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert _listed(client, key, updated_since=since) == set()
    assert patch(client, key, changed["id"], priority="high").status_code == 200
    assert _listed(client, key, updated_since=since) == {changed["id"]}
    assert client.post(f"{API}/{old['id']}/messages", json={"body": "ping"}, headers=auth(key)).status_code == 201
    assert _listed(client, key, updated_since=since) == {changed["id"], old["id"]}


# --------------------------------------------------------------------------- cursor pagination


def walk(client, key: str, limit: int, **params) -> list[list[int]]:
    """Follow next_cursor to the end; returns the ids of each page."""
    pages, cursor = [], None
    for _ in range(100):
        query = {"limit": limit, **params}
        if cursor:
            query["cursor"] = cursor
        response = client.get(API, query_string=query, headers=auth(key))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        pages.append([t["id"] for t in body["data"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(body["data"]) == limit  # only the last page may be short
    raise AssertionError("pagination never ended")


def expected_order(sort: str) -> list[int]:
    db.session.expire_all()
    rows = db.session.scalars(select(Ticket)).all()
    column = sort.lstrip("-")
    ordered = sorted(rows, key=lambda t: (getattr(t, column), t.id), reverse=sort.startswith("-"))
    return [t.id for t in ordered]


@pytest.fixture
def many_tickets(client, acme):
    """11 tickets whose created/updated orders differ from id order, with timestamp ties."""
    _, key = acme
    ids = [create(client, key, subject=f"T{i}")["id"] for i in range(11)]
    base = datetime(2024, 5, 1, tzinfo=UTC)
    # created_at: several ties (same instant), not in id order
    created_offsets = [5, 1, 1, 1, 7, 3, 3, 9, 0, 1, 2]
    # updated_at: a different permutation with its own ties
    updated_offsets = [2, 8, 8, 0, 4, 4, 4, 6, 1, 9, 3]
    for ticket_id, c, u in zip(ids, created_offsets, updated_offsets, strict=True):
        _set_times(ticket_id, created_at=base + timedelta(minutes=c), updated_at=base + timedelta(hours=1, minutes=u))
    return ids


def test_cursor_walk_visits_every_ticket_once_in_order(client, acme, many_tickets):
    _, key = acme
    for sort in ("-created_at", "updated_at", "created_at", "-updated_at", None):
        expected = expected_order(sort or "-created_at")  # newest first by default
        for limit in (1, 2, 3, 4, 10, 11, 50):
            pages = walk(client, key, limit, **({"sort": sort} if sort else {}))
            flat = [ticket_id for page in pages for ticket_id in page]
            assert len(flat) == len(set(flat)), ("duplicates across pages", sort, limit)
            assert sorted(flat) == sorted(many_tickets), ("tickets missing or extra", sort, limit)
            assert flat == expected, (sort, limit)
            assert len(pages) == -(-len(many_tickets) // limit)


def test_cursor_walk_after_real_updates_by_updated_at(client, acme):
    """updated_at order built by real PATCHes, walked with the ascending sort."""
    _, key = acme
    ids = [create(client, key, subject=f"T{i}")["id"] for i in range(7)]
    for ticket_id in (ids[3], ids[0], ids[5]):
        assert patch(client, key, ticket_id, priority="high").status_code == 200
    flat = [i for page in walk(client, key, 2, sort="updated_at") for i in page]
    assert flat == expected_order("updated_at")
    assert flat[-3:] == [ids[3], ids[0], ids[5]]


def test_cursor_walk_with_a_filter(client, acme, mixed_tickets):
    _, key = acme
    flat = [i for page in walk(client, key, 1, status="open,solved") for i in page]
    assert sorted(flat) == sorted(_names(mixed_tickets, "abef"))
    assert len(flat) == 4


def test_cursor_is_stable_when_tickets_are_added_while_walking(client, acme):
    _, key = acme
    ids = [create(client, key, subject=f"T{i}")["id"] for i in range(5)]
    first = client.get(API, query_string={"limit": 2}, headers=auth(key)).get_json()
    assert [t["id"] for t in first["data"]] == [ids[4], ids[3]]
    newer = create(client, key, subject="arrived while paging")["id"]
    rest = client.get(API, query_string={"limit": 10, "cursor": first["next_cursor"]}, headers=auth(key)).get_json()
    assert [t["id"] for t in rest["data"]] == [ids[2], ids[1], ids[0]]
    assert newer not in [t["id"] for t in rest["data"]]
    assert rest["next_cursor"] is None


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


BAD_CURSORS = [
    "zzz",
    "not a cursor!",
    "e30",  # {}
    _cursor(["-created_at", "not a date", 1]),
    _cursor(["-created_at", "2024-05-01T00:00:00+00:00"]),
    _cursor(["-created_at", "2024-05-01T00:00:00+00:00", "x"]),
    _cursor(["-created_at", 5, 1]),
    _cursor("just a string"),
    _cursor(7),
    _cursor(["-created_at", "2024-05-01T00:00:00", 1]),  # naive timestamp
    _cursor(["-created_at", "2024-05-01T00:00:00+00:00", 1e400]),  # Infinity
    _cursor(["-created_at", "2024-05-01T00:00:00+00:00", 10**30]),
    _cursor(["-created_at", "2024-05-01T00:00:00+00:00", -5]),
]


def test_invalid_cursor_is_422(client, acme, many_tickets):
    _, key = acme
    for cursor in BAD_CURSORS:
        error = assert_error(client.get(API, query_string={"cursor": cursor}, headers=auth(key)), 422,
                             "validation_failed")
        assert "cursor" in error["details"], cursor
    assert "cursor" in assert_error(client.get(API, query_string={"cursor": "a" * 501}, headers=auth(key)),
                                    422, "validation_failed")["details"]
    # a genuine cursor is only valid for the sort it was made for
    cursor = client.get(API, query_string={"limit": 2, "sort": "updated_at"}, headers=auth(key)).get_json()
    assert cursor["next_cursor"]
    response = client.get(API, query_string={"limit": 2, "cursor": cursor["next_cursor"]}, headers=auth(key))
    assert "cursor" in assert_error(response, 422, "validation_failed")["details"]


# --------------------------------------------------------------------------- get one


def test_get_one(client, acme):
    _, key = acme
    made = create(client, key, body="first", contact={"email": "c@example.com", "name": "C"})
    response = client.get(f"{API}/{made['id']}", headers=auth(key))
    assert response.status_code == 200
    got = response.get_json()
    assert got["id"] == made["id"] and got["reference"] == "ACME-1"
    assert got["contact"]["email"] == "c@example.com"
    assert [m["body"] for m in got["messages"]] == ["first"]


def test_unknown_ticket_is_404(client, acme):
    client_id, key = acme
    ticket_id = create(client, key)["id"]
    for path in (f"{API}/{ticket_id + 1}", f"{API}/999999", f"{API}/0", f"{API}/abc", f"{API}/-1"):
        assert_error(client.get(path, headers=auth(key)), 404, "not_found")
        assert_error(client.patch(path, json={"status": "open"}, headers=auth(key)), 404, "not_found")
        assert_error(client.post(f"{path}/messages", json={"body": "hi"}, headers=auth(key)), 404, "not_found")
    assert count(Message) == 0
    assert [e.type for e in events_of(client_id)] == ["ticket.created"]


# --------------------------------------------------------------------------- patch


def test_patch_changes_fields(client, acme):
    _, key = acme
    ticket = create(client, key, tags=["a"])
    response = patch(client, key, ticket["id"], subject="New subject", priority="high", language="fr",
                     tags=["z", "b", "z"], custom_fields={"plan": "gold"})
    assert response.status_code == 200, response.get_json()
    got = response.get_json()
    assert got["subject"] == "New subject"
    assert got["priority"] == "high"
    assert got["language"] == "fr"
    assert got["tags"] == ["b", "z"]
    assert got["custom_fields"] == {"plan": "gold"}
    assert parse_ts(got["updated_at"]) > parse_ts(ticket["updated_at"])
    again = client.get(f"{API}/{ticket['id']}", headers=auth(key)).get_json()
    assert again["subject"] == "New subject" and again["tags"] == ["b", "z"]
    assert again["number"] == ticket["number"]


def test_status_transitions_set_solved_and_closed_timestamps(client, acme):
    _, key = acme
    ticket_id = create(client, key)["id"]

    opened = patch(client, key, ticket_id, status="open").get_json()
    assert opened["status"] == "open" and opened["solved_at"] is None and opened["closed_at"] is None

    solved = patch(client, key, ticket_id, status="solved").get_json()
    assert solved["status"] == "solved"
    assert solved["solved_at"] is not None and solved["closed_at"] is None

    reopened = patch(client, key, ticket_id, status="open").get_json()
    assert reopened["solved_at"] is None and reopened["closed_at"] is None

    solved_again = patch(client, key, ticket_id, status="solved").get_json()
    closed = patch(client, key, ticket_id, status="closed").get_json()
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None
    assert closed["solved_at"] == solved_again["solved_at"]  # closing keeps when it was solved
    assert parse_ts(closed["closed_at"]) >= parse_ts(closed["solved_at"])

    # closing a ticket that was never solved
    other_id = create(client, key)["id"]
    closed = patch(client, key, other_id, status="closed").get_json()
    assert closed["status"] == "closed" and closed["closed_at"] is not None and closed["solved_at"] is None


def test_pending_and_on_hold_pause_the_sla_clock(client, acme):
    _, key = acme
    ticket_id = create(client, key)["id"]
    assert patch(client, key, ticket_id, status="pending").status_code == 200
    assert db.session.get(Ticket, ticket_id).sla_paused_at is not None
    assert patch(client, key, ticket_id, status="open").status_code == 200
    db.session.expire_all()
    assert db.session.get(Ticket, ticket_id).sla_paused_at is None


def test_closed_ticket_cannot_be_patched(client, acme):
    client_id, key = acme
    ticket_id = create(client, key, tags=["x"])["id"]
    assert patch(client, key, ticket_id, status="closed").status_code == 200
    before = client.get(f"{API}/{ticket_id}", headers=auth(key)).get_json()
    events_before = len(events_of(client_id))
    for change in ({"status": "open"}, {"status": "closed"}, {"subject": "x"}, {"priority": "low"}, {"tags": []}):
        assert_error(patch(client, key, ticket_id, **change), 409, "conflict")
    assert client.get(f"{API}/{ticket_id}", headers=auth(key)).get_json() == before
    assert len(events_of(client_id)) == events_before


PATCH_ERRORS = [
    ({}, "_schema"),
    ({"status": "reopened"}, "status"),
    ({"priority": "critical"}, "priority"),
    ({"subject": ""}, "subject"),
    ({"number": 7}, "number"),
    ({"channel": "email"}, "channel"),  # channel is fixed after creation
    ({"tags": ["a b"]}, "tags"),
]


def test_patch_validation_errors(client, acme):
    client_id, key = acme
    ticket = create(client, key)
    for body, field in PATCH_ERRORS:
        error = assert_error(patch(client, key, ticket["id"], **body), 422, "validation_failed")
        assert field in error["details"], (body, error)
    assert client.get(f"{API}/{ticket['id']}", headers=auth(key)).get_json() == ticket
    assert len(events_of(client_id)) == 1


def test_noop_patch_changes_nothing(client, acme):
    _, key = acme
    ticket = create(client, key, priority="high", tags=["b", "a"])
    response = patch(client, key, ticket["id"], priority="high", tags=["a", "b"], subject=ticket["subject"])
    assert response.status_code == 200
    assert response.get_json()["updated_at"] == ticket["updated_at"]


# --------------------------------------------------------------------------- messages


def post_message(http, key, ticket_id, headers=None, **body):
    return http.post(f"{API}/{ticket_id}/messages", json=body, headers={**auth(key), **(headers or {})})


def test_add_message(client, acme):
    _, key = acme
    ticket = create(client, key, body="first", contact={"email": "m@example.com"})
    response = post_message(client, key, ticket["id"], body="second", body_html="<p>second<script>x()</script></p>")
    assert response.status_code == 201, response.get_json()
    message = response.get_json()
    assert message["ticket_id"] == ticket["id"]
    assert message["kind"] == "inbound"
    assert message["body"] == "second"
    assert "<script" not in message["body_html"] and "second" in message["body_html"]
    assert message["author_contact_id"] == ticket["contact"]["id"]
    got = client.get(f"{API}/{ticket['id']}", headers=auth(key)).get_json()
    assert [m["body"] for m in got["messages"]] == ["first", "second"]
    assert got["messages"][1]["id"] == message["id"]
    assert parse_ts(got["updated_at"]) > parse_ts(ticket["updated_at"])
    assert got["status"] == "new"  # a new ticket stays new
    html_only = post_message(client, key, ticket["id"], body_html="<b>bold</b>")
    assert html_only.status_code == 201
    assert html_only.get_json()["body_html"] == "<b>bold</b>"


def test_message_reopens_solved_or_pending_ticket(client, acme):
    _, key = acme
    for status in ("solved", "pending"):
        ticket_id = create(client, key)["id"]
        changed = patch(client, key, ticket_id, status=status).get_json()
        assert changed["status"] == status
        assert (changed["solved_at"] is not None) == (status == "solved")
        assert post_message(client, key, ticket_id, body="still broken").status_code == 201
        got = client.get(f"{API}/{ticket_id}", headers=auth(key)).get_json()
        assert got["status"] == "open", status
        assert got["solved_at"] is None
    # on_hold is the BPO's decision: a customer message leaves it on hold
    ticket_id = create(client, key)["id"]
    patch(client, key, ticket_id, status="on_hold")
    assert post_message(client, key, ticket_id, body="any news?").status_code == 201
    assert client.get(f"{API}/{ticket_id}", headers=auth(key)).get_json()["status"] == "on_hold"


def test_message_on_closed_ticket_is_409(client, acme):
    client_id, key = acme
    ticket_id = create(client, key)["id"]
    patch(client, key, ticket_id, status="closed")
    assert_error(post_message(client, key, ticket_id, body="hello?"), 409, "conflict")
    assert count(Message, Message.ticket_id == ticket_id) == 0
    got = client.get(f"{API}/{ticket_id}", headers=auth(key)).get_json()
    assert got["status"] == "closed" and got["messages"] == []


def test_empty_message_is_422(client, acme):
    client_id, key = acme
    ticket_id = create(client, key)["id"]
    for body in ({}, {"body": ""}, {"body_html": ""}, {"body": "", "body_html": ""}):
        error = assert_error(post_message(client, key, ticket_id, **body), 422, "validation_failed")
        assert "body" in error["details"], body
    error = assert_error(post_message(client, key, ticket_id, body="x", kind="note"), 422, "validation_failed")
    assert "kind" in error["details"]
    assert count(Message) == 0
    assert [e.type for e in events_of(client_id)] == ["ticket.created"]


# --------------------------------------------------------------------------- internal notes


def test_internal_notes_are_never_shown(client, acme):
    client_id, key = acme
    ticket = create(client, key, body="customer asks")
    db.session.add(Message(client_id=client_id, ticket_id=ticket["id"], kind="note", channel="api",
                           body_text="INTERNAL: customer is difficult", body_html="<p>INTERNAL html</p>",
                           created_at=datetime.now(UTC)))
    db.session.add(Message(client_id=client_id, ticket_id=ticket["id"], kind="outbound", channel="api",
                           body_text="agent reply", created_at=datetime.now(UTC)))
    db.session.commit()
    assert count(Message, Message.ticket_id == ticket["id"]) == 3

    response = client.get(f"{API}/{ticket['id']}", headers=auth(key))
    assert response.status_code == 200
    assert [(m["kind"], m["body"]) for m in response.get_json()["messages"]] == [
        ("inbound", "customer asks"), ("outbound", "agent reply")]
    assert "INTERNAL" not in response.get_data(as_text=True)

    for other in (client.get(API, headers=auth(key)),
                  patch(client, key, ticket["id"], priority="high"),
                  client.get("/api/v1/events", headers=auth(key))):
        assert other.status_code == 200
        assert "INTERNAL" not in other.get_data(as_text=True)
    assert "INTERNAL" not in patch(client, key, ticket["id"], priority="low").get_data(as_text=True)
    posted = post_message(client, key, ticket["id"], body="more")
    assert posted.status_code == 201 and "INTERNAL" not in posted.get_data(as_text=True)


# --------------------------------------------------------------------------- body size and rate limits


def test_body_over_api_max_body_bytes_is_413(client, app_factory):
    with other_app(app_factory, API_MAX_BODY_BYTES=1000) as small:
        http = small.test_client()
        client_id, key = make_client("small")
        big = {"subject": "big", "body": "x" * 2000}
        error = assert_error(http.post(API, json=big, headers=auth(key)), 413, "payload_too_large")
        assert error["message"]
        assert count(Ticket) == 0
        ok = http.post(API, json={"subject": "fits", "body": "x" * 500}, headers=auth(key))
        assert ok.status_code == 201
        ticket_id = ok.get_json()["id"]
        assert_error(http.post(f"{API}/{ticket_id}/messages", json={"body": "y" * 1500}, headers=auth(key)),
                     413, "payload_too_large")
        assert_error(http.patch(f"{API}/{ticket_id}", json={"subject": "s", "custom_fields": {"k": "v" * 1500}},
                                headers=auth(key)), 413, "payload_too_large")
        assert count(Message, Message.ticket_id == ticket_id) == 1
        assert count(Ticket) == 1


def test_default_body_limit_allows_ordinary_bodies(client, acme):
    _, key = acme
    assert create(client, key, body="x" * 50_000)["messages"][0]["body"] == "x" * 50_000


def test_rate_limit_is_429_per_api_key(client, app_factory):
    with other_app(app_factory, API_RATE_LIMIT="3/minute") as limited:
        http = limited.test_client()
        client_id, key = make_client("limited")
        second_key = clients.create_api_key(client_id, "second")
        _, other_key = make_client("other")
        # one budget per key across the whole API
        assert http.get(API, headers=auth(key)).status_code == 200
        assert http.post(API, json={"subject": "first"}, headers=auth(key)).status_code == 201
        assert http.get("/api/v1/events", headers=auth(key)).status_code == 200
        response = http.get(API, headers=auth(key))
        assert_error(response, 429, "rate_limited")
        assert response.headers.get("Retry-After")
        assert_error(http.post(API, json={"subject": "x"}, headers=auth(key)), 429, "rate_limited")
        assert_error(http.get("/api/v1/events", headers=auth(key)), 429, "rate_limited")
        assert count(Ticket) == 1
        # the limit is per key: other keys are unaffected
        assert http.get(API, headers=auth(second_key)).status_code == 200
        assert http.get(API, headers=auth(other_key)).status_code == 200


# --------------------------------------------------------------------------- authentication


def _bad_auth_headers(key: str) -> list[dict]:
    prefix, secret = split_api_key(key)
    return [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer    "},
        {"Authorization": key},
        {"Authorization": f"Basic {key}"},
        {"Authorization": f"Token {key}"},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": f"Bearer hdk_{prefix}"},
        {"Authorization": f"Bearer xyz_{prefix}_{secret}"},
        {"Authorization": f"Bearer hdk_{prefix}_{secret}x"},
        {"Authorization": f"Bearer hdk_{prefix}_wrong"},
        {"Authorization": f"Bearer hdk_ffffffffffff_{secret}"},
        {"X-Api-Key": key},
    ]


def test_missing_or_bad_key_is_401(client, acme):
    client_id, key = acme
    ticket_id = create(client, key)["id"]
    calls = [
        ("get", API, None),
        ("post", API, {"subject": "x"}),
        ("get", f"{API}/{ticket_id}", None),
        ("patch", f"{API}/{ticket_id}", {"status": "open"}),
        ("post", f"{API}/{ticket_id}/messages", {"body": "x"}),
        ("get", "/api/v1/events", None),
    ]
    for method, path, body in calls:
        for headers in _bad_auth_headers(key):
            response = getattr(client, method)(path, json=body, headers=headers)
            error = assert_error(response, 401, "unauthorized")
            assert "authorization" in error["details"]
            assert "Printer on fire" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(Ticket) == 1 and count(Message) == 0
    assert db.session.scalar(select(Ticket.status)) == "new"


def test_revoked_key_is_401_other_keys_keep_working(client, acme):
    client_id, key = acme
    spare = clients.create_api_key(client_id, "spare")
    assert client.get(API, headers=auth(key)).status_code == 200
    clients.revoke_api_key(client_id, split_api_key(key)[0])
    assert_error(client.get(API, headers=auth(key)), 401, "unauthorized")
    assert_error(client.post(API, json={"subject": "x"}, headers=auth(key)), 401, "unauthorized")
    assert client.get(API, headers=auth(spare)).status_code == 200
    assert count(Ticket) == 0
    # a deactivated client company's keys all stop working
    clients.set_active(client_id, False)
    assert_error(client.get(API, headers=auth(spare)), 401, "unauthorized")


def test_several_keys_of_one_client_share_its_tickets(client, acme):
    client_id, key = acme
    keys = [key, clients.create_api_key(client_id, "zapier"), clients.create_api_key(client_id, "crm")]
    made = [create(client, k, subject=f"via key {i}") for i, k in enumerate(keys)]
    assert [t["number"] for t in made] == [1, 2, 3]
    for k in keys:
        listed = client.get(API, headers=auth(k)).get_json()["data"]
        assert sorted(t["id"] for t in listed) == sorted(t["id"] for t in made)
        assert client.get(f"{API}/{made[0]['id']}", headers=auth(k)).status_code == 200
    assert patch(client, keys[2], made[0]["id"], status="open").status_code == 200


# --------------------------------------------------------------------------- idempotency


def post_ticket(http, key, body, idem=None):
    headers = auth(key)
    if idem is not None:
        headers["Idempotency-Key"] = idem
    return http.post(API, json=body, headers=headers)


def test_idempotent_create_replays_the_first_ticket(client, acme):
    client_id, key = acme
    body = {"subject": "Only once", "body": "retry me", "contact": {"email": "r@example.com"}}
    first = post_ticket(client, key, body, "key-123")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    second = post_ticket(client, key, body, "key-123")
    assert second.status_code == first.status_code
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.get_json()["id"] == first.get_json()["id"]
    assert second.get_json()["number"] == 1
    assert count(Ticket, Ticket.client_id == client_id) == 1
    assert count(Message) == 1
    assert count(Contact) == 1
    assert [e.type for e in events_of(client_id)] == ["ticket.created"]
    assert count(IdempotencyKey) == 1
    # a later request without a key is a new ticket, numbered without a gap
    assert create(client, key, subject="next")["number"] == 2


def test_idempotency_key_reused_with_a_different_body_is_422(client, acme):
    client_id, key = acme
    assert post_ticket(client, key, {"subject": "one"}, "k-1").status_code == 201
    response = post_ticket(client, key, {"subject": "two"}, "k-1")
    error = assert_error(response, 422, "idempotency_key_reused")
    assert error["details"]
    assert count(Ticket) == 1
    assert len(events_of(client_id, "ticket.created")) == 1


def test_same_idempotency_key_in_two_clients_makes_two_tickets(client, acme):
    _, key_a = acme
    client_b, key_b = make_client("beta")
    body = {"subject": "shared key"}
    a = post_ticket(client, key_a, body, "same-key")
    b = post_ticket(client, key_b, body, "same-key")
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b.headers
    assert a.get_json()["id"] != b.get_json()["id"]
    assert a.get_json()["reference"] == "ACME-1" and b.get_json()["reference"] == "BETA-1"
    assert count(Ticket) == 2
    assert len(events_of(client_b, "ticket.created")) == 1


def test_different_keys_or_no_key_create_separate_tickets(client, acme):
    _, key = acme
    body = {"subject": "same body"}
    ids = {post_ticket(client, key, body, idem).get_json()["id"] for idem in ("k-a", "k-b", None, None)}
    assert len(ids) == 4
    # creating a ticket and posting a message are separate key spaces
    message = post_message(client, key, min(ids), headers={"Idempotency-Key": "k-a"}, body="b")
    assert message.status_code == 201 and "Idempotent-Replayed" not in message.headers


def test_idempotency_key_shared_by_keys_of_one_client(client, acme):
    client_id, key = acme
    other_key = clients.create_api_key(client_id, "other")
    body = {"subject": "via two keys"}
    first = post_ticket(client, key, body, "shared")
    second = post_ticket(client, other_key, body, "shared")
    assert second.get_json()["id"] == first.get_json()["id"]
    assert second.headers.get("Idempotent-Replayed") == "true"


def test_overlong_idempotency_key_is_rejected(client, acme):
    _, key = acme
    error = assert_error(post_ticket(client, key, {"subject": "x"}, "k" * 256), 400, "bad_request")
    assert "Idempotency-Key" in error["details"]
    assert count(Ticket) == 0
    assert post_ticket(client, key, {"subject": "x"}, "k" * 255).status_code == 201


def test_idempotent_message_posting(client, acme):
    client_id, key = acme
    ticket_id = create(client, key)["id"]
    other_ticket_id = create(client, key)["id"]
    headers = {"Idempotency-Key": "msg-1"}
    first = post_message(client, key, ticket_id, headers=headers, body="hello")
    second = post_message(client, key, ticket_id, headers=headers, body="hello")
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.get_json()["id"] == first.get_json()["id"]
    assert count(Message, Message.ticket_id == ticket_id) == 1
    assert len(events_of(client_id, "message.created")) == 1

    reused = post_message(client, key, ticket_id, headers=headers, body="different")
    assert_error(reused, 422, "idempotency_key_reused")
    assert count(Message, Message.ticket_id == ticket_id) == 1

    # the key is scoped to the ticket: the same key on another ticket is a new message
    elsewhere = post_message(client, key, other_ticket_id, headers=headers, body="hello")
    assert elsewhere.status_code == 201 and "Idempotent-Replayed" not in elsewhere.headers
    assert elsewhere.get_json()["id"] != first.get_json()["id"]
    assert elsewhere.get_json()["ticket_id"] == other_ticket_id
    assert len(events_of(client_id, "message.created")) == 2
