"""The JSON error envelope on the API surface, and the health probes."""

from __future__ import annotations

from helpdesk.api import tickets as tickets_api
from helpdesk.extensions import db
from tests.factories import auth, make_client
from tests.support import other_app

SECRET = "s3cr3t-internal-detail-4711"


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def assert_no_leak(response):
    text = response.get_data(as_text=True)
    for leak in ("Traceback", SECRET, "RuntimeError", "File \"", ".py", "<html"):
        assert leak not in text, leak


def test_unknown_api_route_is_404_json(client):
    _, key = make_client("acme")
    for path in ("/api/v1/nope", "/api/v1/tickets/1/nope", "/api/v2/tickets", "/api/v1/tickets/abc",
                 "/api/v1/events/1"):
        for headers in ({}, auth(key)):
            assert_envelope(client.get(path, headers=headers), 404, "not_found")
    # JSON even when the caller prefers HTML
    assert_envelope(client.get("/api/v1/nope", headers={"Accept": "text/html"}), 404, "not_found")


WRONG_METHODS = [
    ("delete", "/api/v1/tickets", {"GET", "POST"}),
    ("put", "/api/v1/tickets", {"GET", "POST"}),
    ("delete", "/api/v1/tickets/1", {"GET", "PATCH"}),
    ("put", "/api/v1/tickets/1", {"GET", "PATCH"}),
    ("get", "/api/v1/tickets/1/messages", {"POST"}),
    ("post", "/api/v1/events", {"GET"}),
]


def test_wrong_method_is_405_json(client):
    _, key = make_client("acme")
    for method, path, allowed in WRONG_METHODS:
        response = getattr(client, method)(path, headers=auth(key))
        assert_envelope(response, 405, "method_not_allowed")
        assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}, (method, path)


def test_unhandled_exception_is_500_json_without_traceback(app, app_factory):
    with other_app(app_factory) as boom_app:

        @boom_app.get("/api/v1/_boom")
        def _boom():
            raise RuntimeError(SECRET)

        @boom_app.get("/api/v1/_boom_key")
        def _boom_key():
            raise KeyError(SECRET)

        http = boom_app.test_client()
        for response in (http.get("/api/v1/_boom"), http.get("/api/v1/_boom_key", headers={"Accept": "text/html"})):
            error = assert_envelope(response, 500, "internal_error")
            assert error["details"] == {}
            assert_no_leak(response)
        # the app keeps serving afterwards
        assert http.get("/healthz").status_code == 200


def test_exception_inside_an_api_view_is_500_json(client, monkeypatch):
    _, key = make_client("acme")

    def explode(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(tickets_api.tickets, "list_tickets", explode)
    response = client.get("/api/v1/tickets", headers=auth(key))
    assert_envelope(response, 500, "internal_error")
    assert_no_leak(response)


def test_database_error_inside_an_api_view_is_500_json(client, monkeypatch):
    from sqlalchemy import text

    _, key = make_client("acme")

    def broken_query(*args, **kwargs):
        db.session.execute(text("SELECT * FROM no_such_table_" + SECRET.replace("-", "_")))

    monkeypatch.setattr(tickets_api.tickets, "get_ticket", broken_query)
    response = client.get("/api/v1/tickets/1", headers=auth(key))
    assert_envelope(response, 500, "internal_error")
    assert "no_such_table" not in response.get_data(as_text=True)
    assert_no_leak(response)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_when_everything_is_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_is_503_when_redis_is_unreachable(app, app_factory):
    with other_app(app_factory, REDIS_URL="redis://127.0.0.1:1/0") as broken:
        http = broken.test_client()
        response = http.get("/readyz")
        error = assert_envelope(response, 503, "unavailable")
        assert error["details"]["database"] == "ok"
        assert error["details"]["redis"].startswith("error")
        # liveness does not depend on Redis
        assert http.get("/healthz").status_code == 200
