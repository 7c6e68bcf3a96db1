"""The audit trail through the real interfaces: API, agent pages, sign-in, admin pages; rows are immutable."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from helpdesk.extensions import db
from tests import factories


@pytest.fixture
def acme(app):
    factories.make_region("manila")
    client_id, key = factories.make_client("acme")
    return client_id, factories.auth(key)


def trail(client, headers, **query) -> list[dict]:
    response = client.get("/api/v1/audit", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def test_api_changes_are_audited_with_the_key_and_address_and_reads_are_not(client, acme):
    _, headers = acme
    ticket = client.post("/api/v1/tickets", json={"subject": "Help", "body": "x"}, headers=headers,
                         environ_base={"REMOTE_ADDR": "203.0.113.7"}).get_json()
    client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers)  # the client reading its own ticket
    client.patch(f"/api/v1/tickets/{ticket['id']}", json={"priority": "high"}, headers=headers)
    rows = trail(client, headers)
    assert [row["action"] for row in rows] == ["ticket.updated", "ticket.created"]
    created = rows[1]
    assert created["actor"]["type"] == "api_key" and created["actor"]["role"] == "api_key"
    assert created["object_type"] == "ticket" and created["object_id"] == str(ticket["id"])
    assert created["address"] == "203.0.113.7" and created["details"]["seq"] >= 1


def test_staff_reading_a_conversation_and_signing_in_are_audited(client, acme, login):
    client_id, headers = acme
    ticket = client.post("/api/v1/tickets", json={"subject": "Help", "body": "x"}, headers=headers).get_json()
    agent = factories.make_agent("ana@helpdesk.test")
    client.post("/login", data={"email": "ana@helpdesk.test", "password": "wrong-password",
                                "csrf_token": factories.csrf_token(client.get("/login").get_data(as_text=True))})
    login("ana@helpdesk.test")
    assert client.get(f"/agent/tickets/{ticket['id']}").status_code == 200
    assert client.get(f"/agent/api/tickets/{ticket['id']}/messages").status_code == 200
    viewed = trail(client, headers, action="ticket.viewed")
    assert len(viewed) == 2 and {row["actor"]["id"] for row in viewed} == {agent.id}
    assert viewed[0]["actor"]["role"] == "agent"
    # Sign-ins are the BPO's, not the client's: the client does not see them, the admin does.
    assert trail(client, headers, action="auth.signed_in") == []
    factories.make_agent("root@helpdesk.test", role="admin")
    client.post("/logout", data={"csrf_token": factories.csrf_token(client.get("/agent/").get_data(as_text=True))})
    login("root@helpdesk.test")
    html = client.get("/admin/audit?action=auth.signed_in,auth.sign_in_failed").get_data(as_text=True)
    assert html.count("auth.signed_in") >= 2 and "auth.sign_in_failed" in html and "wrong" not in html
    assert "ana@helpdesk.test" in html  # the failed attempt names the email tried, never the password
    page = client.get(f"/admin/audit?client_id={client_id}&action=ticket.viewed")
    assert page.status_code == 200 and page.get_data(as_text=True).count("ticket.viewed") >= 2
    assert client.get("/admin/audit?since=yesterday").status_code == 400


def test_keys_webhooks_and_exports_are_audited_and_csv_is_safe(client, acme):
    client_id, headers = acme
    client.post("/api/v1/tickets", json={"subject": "=HYPERLINK(\"http://evil\")", "body": "x"}, headers=headers)
    endpoint = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/h", "event_types": ["*"]},
                           headers=headers).get_json()
    client.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret", headers=headers)
    client.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=headers)
    export = client.get("/api/v1/reports/volume?format=csv&group_by=channel", headers=headers)
    assert export.status_code == 200
    actions = [row["action"] for row in trail(client, headers)]
    for action in ("webhook.created", "webhook.secret_rotated", "webhook.deleted", "report.exported"):
        assert action in actions
    csv_answer = client.get("/api/v1/audit?format=csv&limit=500", headers=headers)
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    assert csv_answer.get_data(as_text=True).splitlines()[0].startswith("id,created_at,client_id")
    assert "audit.exported" in [row["action"] for row in trail(client, headers)]


def test_one_client_never_reads_anothers_trail(client, acme):
    _, headers = acme
    _, other_key = factories.make_client("globex")
    client.post("/api/v1/tickets", json={"subject": "Acme only", "body": "x"}, headers=headers)
    assert trail(client, factories.auth(other_key)) == []
    assert trail(client, headers) != []


def test_rows_cannot_be_changed_or_deleted(client, acme):
    _, headers = acme
    client.post("/api/v1/tickets", json={"subject": "Help", "body": "x"}, headers=headers)
    assert db.session.execute(text("SELECT count(*) FROM audit_log")).scalar() >= 1
    for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="cannot be changed or deleted"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert "nothing" not in [row["action"] for row in trail(client, headers)]
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)("/api/v1/audit", headers=headers).status_code == 405
