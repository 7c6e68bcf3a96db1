"""Input Python accepts but no column or encoder can hold: each is a 4xx with the error envelope.

Walks every ``<int:>`` route and every route that reads JSON, so a route added
later is covered without anyone remembering to list it.
"""

from __future__ import annotations

import pytest

from helpdesk.platform import pagination
from helpdesk.request_input import MAX_DB_INT
from tests import factories
from tests.factories import auth, make_client
from tests.mail_helpers import signed_headers
from tests.test_client_webhooks import make
from tests.test_errors import assert_envelope, assert_no_leak

HUGE = "99999999999999999999"  # past 64 bits
JUST_PAST = str(MAX_DB_INT + 1)  # fits 64 bits, not the 32-bit columns
DEEP = "[" * 50_000 + "]" * 50_000
LONE_SURROGATE = '{"subject": "\\ud800", "body": "x", "contact": {"email": "a@example.com"}}'
BODY_METHODS = {"POST", "PUT", "PATCH"}


def _rules(app, *, converter: str | None = None, methods: set[str] | None = None):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        if converter and not any(type(c).__name__ == "DatabaseIntConverter" for c in rule._converters.values()):
            continue
        chosen = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if methods is not None:
            chosen &= methods
        for method in sorted(chosen):
            yield rule, method


def _path(rule, number: str) -> str:
    values = {}
    for name, conv in rule._converters.items():
        values[name] = number if type(conv).__name__ == "DatabaseIntConverter" else "acme"
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", value).replace(f"<{name}>", value)
        path = path.replace(f"<string:{name}>", value).replace(f"<path:{name}>", value)
    assert "<" not in path, path
    return path


@pytest.fixture
def staff_client(client, login):
    factories.make_agent("ana@helpdesk.test", role="admin")
    login("ana@helpdesk.test")
    token = factories.csrf_token(client.get("/agent").get_data(as_text=True))
    return client, {"X-CSRFToken": token}


@pytest.mark.parametrize("number", [HUGE, JUST_PAST])
def test_every_id_route_answers_404_for_ids_no_row_can_have(app, client, number):
    _, key = make_client("acme")
    checked = 0
    for rule, method in _rules(app, converter="int"):
        path = _path(rule, number)
        response = client.open(path, method=method, headers=auth(key), json={} if method in BODY_METHODS else None)
        assert response.status_code == 404, (method, path, response.status_code)
        assert_no_leak_unless_html(response)
        checked += 1
    assert checked > 40  # the walk found the routes: a broken walk must not pass quietly


def assert_no_leak_unless_html(response):
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "OverflowError" not in text


def test_ids_past_range_in_the_api_are_404_envelopes(client):
    _, key = make_client("acme")
    for path in (f"/api/v1/tickets/{HUGE}", f"/api/v1/tickets/{JUST_PAST}", f"/api/v1/tickets/{HUGE}/messages"):
        method = client.post if path.endswith("messages") else client.get
        assert_envelope(method(path, headers=auth(key), json={"body": "x"}), 404, "not_found")


@pytest.mark.parametrize("since", [HUGE, "35927478267954442240", JUST_PAST, "-1"])
def test_events_since_out_of_range_is_422(client, since):
    _, key = make_client("acme")
    error = assert_envelope(client.get("/api/v1/events", query_string={"since": since}, headers=auth(key)),
                            422, "validation_failed")
    assert "since" in error["details"]


def test_since_at_the_top_of_the_range_is_an_empty_page(client):
    _, key = make_client("acme")
    response = client.get("/api/v1/events", query_string={"since": MAX_DB_INT}, headers=auth(key))
    assert response.status_code == 200
    assert response.get_json()["data"] == []


@pytest.mark.parametrize("document", [DEEP, LONE_SURROGATE, '["\\udc00"]', '{"a": "\\ud83d"}'])
def test_unusable_json_is_400_on_the_api(client, document):
    _, key = make_client("acme")
    for method, path in (("post", "/api/v1/tickets"), ("patch", "/api/v1/tickets/1")):
        response = client.open(path, method=method.upper(), data=document,
                               headers={**auth(key), "Content-Type": "application/json"})
        error = assert_envelope(response, 400, "bad_request")
        assert "JSON" in error["message"]
        assert_no_leak(response)


def test_a_paired_surrogate_escape_is_still_accepted(client):
    _, key = make_client("acme")
    body = '{"subject": "Smile \\ud83d\\ude00", "body": "x", "contact": {"email": "a@example.com"}}'
    response = client.post("/api/v1/tickets", data=body, headers={**auth(key), "Content-Type": "application/json"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["subject"] == "Smile \U0001f600"


def test_every_json_route_refuses_unusable_json_with_a_4xx(app, staff_client):
    client, headers = staff_client
    _, key = make_client("acme")
    checked = 0
    for rule, method in _rules(app, methods=BODY_METHODS):
        path = _path(rule, "1")
        if "logout" in path:
            continue  # would end the session the rest of the walk needs
        for document in (DEEP, LONE_SURROGATE):
            response = client.open(path, method=method, data=document,
                                   headers={**headers, **auth(key), "Content-Type": "application/json"})
            # Form routes do not read JSON and may redirect; none may fail, and JSON surfaces refuse it.
            assert response.status_code < 500, (method, path, response.status_code)
            if path.startswith(("/api/", "/inbound/", "/agent/api/", "/supervisor/api/")):
                assert 400 <= response.status_code < 500, (method, path, response.status_code)
            assert_no_leak_unless_html(response)
        checked += 1
    assert checked > 30


@pytest.mark.parametrize("path", ["/agent/api/tickets/1", "/agent/api/tickets/1/messages"])
def test_staff_json_api_says_the_body_is_not_json(staff_client, path):
    client, headers = staff_client
    method = "PATCH" if path.endswith("/1") else "POST"
    for document in (DEEP, LONE_SURROGATE):
        response = client.open(path, method=method, data=document,
                               headers={**headers, "Content-Type": "application/json"})
        # The ticket does not exist, but the body is refused first or the id is: both 4xx with an envelope.
        assert response.status_code in (400, 404), response.get_data(as_text=True)
        assert set(response.get_json()["error"]) == {"code", "message", "details"}


def test_inbound_webhook_refuses_unusable_json(client, db):
    factories.make_region()
    acme = make("acme")
    for document in (DEEP.encode(), LONE_SURROGATE.encode()):
        headers = {**signed_headers(acme.inbound_webhook_secret, document), "Content-Type": "application/json"}
        response = client.post("/inbound/webhook/acme", data=document, headers=headers)
        assert_envelope(response, 400, "bad_request")


def test_an_agent_filter_past_range_says_so_instead_of_failing(staff_client):
    client, _ = staff_client
    response = client.get("/agent", query_string={"client_id": HUGE})
    assert response.status_code == 200
    assert "A whole number from 0 to" in response.get_data(as_text=True)


@pytest.mark.parametrize("cursor", ["not-a-cursor", "W10", "WyJjcmVhdGVkX2F0IiwiMjAyNiIsOTk5OTk5OTk5OTk5OTk5OTk5OV0"])
def test_a_bad_cursor_gets_fixed_wording_not_python_text(client, cursor):
    _, key = make_client("acme")
    response = client.get("/api/v1/tickets", query_string={"cursor": cursor}, headers=auth(key))
    error = assert_envelope(response, 422, "validation_failed")
    assert error["details"] == {"cursor": [pagination.NOT_OUR_CURSOR]}


def test_a_cursor_from_another_sort_says_which_problem(client):
    _, key = make_client("acme")
    for n in range(3):
        client.post("/api/v1/tickets", json={"subject": f"T{n}", "body": "x", "contact": {"email": "a@example.com"}},
                    headers=auth(key))
    cursor = client.get("/api/v1/tickets", query_string={"limit": 1}, headers=auth(key)).get_json()["next_cursor"]
    response = client.get("/api/v1/tickets", query_string={"cursor": cursor, "sort": "updated_at"},
                          headers=auth(key))
    error = assert_envelope(response, 422, "validation_failed")
    assert error["details"] == {"cursor": [pagination.OTHER_SORT]}
