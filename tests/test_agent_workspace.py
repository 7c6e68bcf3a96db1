"""The agent workspace pages (/agent, /agent/tickets/<id>) and the staff routes they use,
through HTTP with the Flask test client."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from helpdesk.extensions import db as _db
from helpdesk.models import Attachment, SlaPolicy, Ticket, utcnow
from helpdesk.platform.events import Actor
from helpdesk.routing import assignment
from helpdesk.web.agent import pages as workspace
from tests import factories
from tests.mail_helpers import post_mail

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"


class World:
    """Two clients served in Manila; Ana is entitled to Acme only, Lea supervises everything."""

    def __init__(self) -> None:
        self.region = factories.make_region("manila")
        self.acme_id, self.acme_key = factories.make_client("acme", region_slugs=["manila"], timezone="Europe/Berlin")
        self.globex_id, self.globex_key = factories.make_client("globex", region_slugs=["manila"])
        for priority in ("low", "normal", "high", "urgent"):
            _db.session.add(SlaPolicy(client_id=self.acme_id, priority=priority, first_response_minutes=60,
                                      next_response_minutes=120, resolution_minutes=24 * 60))
        _db.session.commit()
        self.ana = factories.make_agent("ana@helpdesk.test", region_slug="manila", name="Ana Cruz",
                                        all_clients=False, client_slugs=["acme"], timezone="Asia/Manila")
        self.lea = factories.make_agent("lea@helpdesk.test", role="supervisor", region_slug="manila", name="Lea")


@pytest.fixture
def world(app) -> World:
    return World()


def new_ticket(http, key: str, subject: str = "Parcel lost", **extra) -> dict:
    payload = {"subject": subject, "body": "Where is my parcel?", "contact": {"email": "c@customer.example"}}
    payload.update(extra)
    response = http.post("/api/v1/tickets", json=payload, headers=factories.auth(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def sign_in(client, login, email: str) -> str:
    login(email)
    return factories.csrf_token(client.get("/agent").get_data(as_text=True))


def give(ticket_id: int, agent_id: int) -> None:
    assignment.reassign(ticket_id, agent_id, Actor.system())


def row_ids(html: str) -> set[int]:
    import re

    return {int(found) for found in re.findall(r'<tr data-ticket-id="(\d+)"', html)}


# --- inbox -------------------------------------------------------------------------------

def test_my_tickets_queue_and_all_open_views(client, login, world):
    mine = new_ticket(client, world.acme_key, "Mine")
    waiting = new_ticket(client, world.acme_key, "Waiting")
    give(mine["id"], world.ana.id)
    sign_in(client, login, "ana@helpdesk.test")

    assert row_ids(client.get("/agent").get_data(as_text=True)) == {mine["id"]}
    queue = client.get("/agent?view=queue").get_data(as_text=True)
    assert row_ids(queue) == {waiting["id"]}
    assert 'id="take-next"' in queue
    assert row_ids(client.get("/agent?view=open").get_data(as_text=True)) == {mine["id"], waiting["id"]}


def test_inbox_filters_by_status_priority_client_channel_and_sla(client, login, world):
    high = new_ticket(client, world.acme_key, "Urgent-ish", priority="high", channel="web")
    low = new_ticket(client, world.acme_key, "Later", priority="low")
    sign_in(client, login, "lea@helpdesk.test")
    globex = new_ticket(client, world.globex_key, "Globex one")

    def shown(query: str) -> set[int]:
        return row_ids(client.get(f"/agent?view=open&{query}").get_data(as_text=True))

    assert shown("priority=high") == {high["id"]}
    assert shown("channel=web") == {high["id"]}
    assert shown(f"client_id={world.globex_id}") == {globex["id"]}
    assert shown("status=solved") == set()
    assert shown("status=new") == {high["id"], low["id"], globex["id"]}
    # Acme has SLA policies (due within a day); Globex has none, so it is never "due".
    tomorrow = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert shown(f"sla_due_before={tomorrow}") == {high["id"], low["id"]}
    assert shown("sla_due_before=2000-01-01T00:00") == set()
    page = client.get("/agent?view=open&priority=nonsense").get_data(as_text=True)
    assert "priority: One of" in page


def test_sla_filter_is_read_in_the_agents_time_zone():
    filters = workspace.parse_inbox_filters(_Args({"sla_due_before": "2026-12-02T17:30"}), "Asia/Manila")
    assert filters.sla_due_before.isoformat() == "2026-12-02T09:30:00+00:00"


class _Args(dict):
    def getlist(self, name):
        return [self[name]] if name in self else []


def test_inbox_api_pages_with_load_more(client, login, world, monkeypatch):
    monkeypatch.setattr(workspace, "INBOX_PAGE", 2)
    created = [new_ticket(client, world.acme_key, f"T{n}")["id"] for n in range(3)]
    sign_in(client, login, "ana@helpdesk.test")
    first = client.get("/agent?view=queue").get_data(as_text=True)
    assert len(row_ids(first)) == 2 and 'id="load-more"' in first and 'data-offset="2"' in first
    more = client.get("/agent/api/inbox?view=queue&offset=2").get_json()
    assert [t["id"] for t in more["tickets"]] == [created[2]]
    assert more["has_more"] is False and more["next_offset"] == 3
    assert more["tickets"][0]["next_due_at"].endswith("+00:00")
    bad = client.get("/agent/api/inbox?view=everything")
    assert bad.status_code == 422
    assert bad.get_json()["error"]["details"] == {"view": ["One of mine, queue, open."]}


# --- scoping -----------------------------------------------------------------------------

def test_an_agent_never_sees_another_clients_tickets(client, login, world):
    foreign = new_ticket(client, world.globex_key, "Globex secret")
    own = new_ticket(client, world.acme_key, "Acme")
    sign_in(client, login, "ana@helpdesk.test")

    assert client.get(f"/agent/tickets/{foreign['id']}").status_code == 404
    assert client.get("/agent/tickets/999999").status_code == 404
    assert client.get(f"/agent/tickets/{own['id']}").status_code == 200
    inbox = client.get("/agent?view=open").get_data(as_text=True)
    assert "Globex" not in inbox          # neither as a row nor as a client filter choice
    assert row_ids(client.get(f"/agent?view=open&client_id={world.globex_id}").get_data(as_text=True)) == set()
    api = client.get(f"/agent/api/inbox?view=open&client_id={world.globex_id}").get_json()
    assert api["tickets"] == []


def test_pages_need_a_signed_in_agent(client, world):
    assert client.get("/agent").status_code == 302
    assert client.get("/agent/tickets/1").status_code == 302
    assert client.get("/agent/api/inbox").status_code == 401


# --- ticket page -------------------------------------------------------------------------

def test_ticket_page_shows_conversation_notes_calls_sla_and_history(client, login, world):
    ticket = new_ticket(client, world.acme_key, "Broken screen", contact={"email": "bo@customer.example",
                                                                          "name": "Bo Customer", "phone": "+15551234"})
    other = new_ticket(client, world.acme_key, "Earlier problem", contact={"email": "bo@customer.example"})
    give(ticket["id"], world.ana.id)
    token = sign_in(client, login, "ana@helpdesk.test")
    headers = {"X-CSRFToken": token}
    url = f"/agent/api/tickets/{ticket['id']}"
    assert client.post(f"{url}/messages", json={"body": "Customer sounds upset", "internal": True},
                       headers=headers).status_code == 201
    assert client.post(f"{url}/messages", json={"body": "We are on it"}, headers=headers).status_code == 201
    call = client.post(f"{url}/calls", json={"number": "+15551234", "duration_seconds": 95, "notes": "Called back"},
                       headers=headers)
    assert call.status_code == 201

    page = client.get(f"/agent/tickets/{ticket['id']}").get_data(as_text=True)
    for text in ("Where is my parcel?", "Customer sounds upset", "We are on it", "Called back"):
        assert text in page
    assert page.index("Where is my parcel?") < page.index("Customer sounds upset") < page.index("We are on it")
    assert 'class="msg note"' in page and "internal note" in page
    assert "Bo Customer" in page and "+15551234" in page
    assert other["reference"] in page and "Earlier problem" in page     # the customer's other tickets
    assert "ticket.reassigned" in page and "call.logged" in page
    assert "1:35" in page                                               # the call's duration
    assert "Client time (Europe/Berlin)" in page and "Your time (Asia/Manila)" in page
    assert 'class="countdown" data-due="' in page


def test_ticket_page_links_recordings_but_never_javascript_urls():
    assert workspace.safe_link("https://api.twilio.com/rec/1") == "https://api.twilio.com/rec/1"
    assert workspace.safe_link("javascript:alert(1)") is None
    assert workspace.safe_link(None) is None


def test_history_shows_routing_reasons(client, login, world):
    ticket = new_ticket(client, world.acme_key)
    assignment.move_to_region(ticket["id"], world.region.id, Actor("agent", world.lea.id),
                              note="customer speaks Tagalog")
    sign_in(client, login, "lea@helpdesk.test")
    page = client.get(f"/agent/tickets/{ticket['id']}").get_data(as_text=True)
    assert "ticket.moved" in page and "customer speaks Tagalog" in page and "by Lea" in page


# --- change status, priority, tags --------------------------------------------------------

def test_change_ticket_needs_csrf_the_assignee_or_a_supervisor(client, login, world):
    ticket = new_ticket(client, world.acme_key)
    token = sign_in(client, login, "ana@helpdesk.test")
    url = f"/agent/api/tickets/{ticket['id']}"

    no_csrf = client.patch(url, json={"priority": "high"})
    assert no_csrf.status_code == 400 and no_csrf.get_json()["error"]["code"]
    not_mine = client.patch(url, json={"priority": "urgent"}, headers={"X-CSRFToken": token})
    assert not_mine.status_code == 403
    assert set(not_mine.get_json()["error"]) == {"code", "message", "details"}

    give(ticket["id"], world.ana.id)
    changed = client.patch(url, json={"status": "pending", "priority": "high", "tags": [" vip", "refund", "vip"]},
                           headers={"X-CSRFToken": token})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()["ticket"]
    assert (body["status"], body["priority"], body["tags"]) == ("pending", "high", ["refund", "vip"])
    stored = _db.session.get(Ticket, ticket["id"])
    _db.session.refresh(stored)
    assert (stored.status, stored.priority, stored.tags) == ("pending", "high", ["refund", "vip"])


def test_change_ticket_validation_and_scope_errors(client, login, world):
    ticket = new_ticket(client, world.acme_key)
    foreign = new_ticket(client, world.globex_key)
    token = sign_in(client, login, "ana@helpdesk.test")
    headers = {"X-CSRFToken": token}
    give(ticket["id"], world.ana.id)
    url = f"/agent/api/tickets/{ticket['id']}"

    wrong = client.patch(url, json={"priority": "whenever", "colour": "red"}, headers=headers)
    assert wrong.status_code == 422
    assert set(wrong.get_json()["error"]["details"]) == {"priority", "colour"}
    assert client.patch(url, json={}, headers=headers).get_json()["error"]["code"] == "validation_failed"
    closed = client.patch(url, json={"status": "closed"}, headers=headers)
    assert closed.status_code == 422
    hidden = client.patch(f"/agent/api/tickets/{foreign['id']}", json={"priority": "low"}, headers=headers)
    assert hidden.status_code == 404 and hidden.get_json()["error"]["code"] == "not_found"


def test_a_supervisor_changes_any_ticket_in_scope(client, login, world):
    ticket = new_ticket(client, world.globex_key)
    token = sign_in(client, login, "lea@helpdesk.test")
    changed = client.patch(f"/agent/api/tickets/{ticket['id']}", json={"priority": "urgent"},
                           headers={"X-CSRFToken": token})
    assert changed.status_code == 200
    assert changed.get_json()["ticket"]["priority"] == "urgent"


# --- XSS ---------------------------------------------------------------------------------

def xss_mail() -> bytes:
    message = EmailMessage()
    message["From"] = f'"{XSS}" <eve@customer.example>'
    message["To"] = "support@acme.example"
    message["Subject"] = XSS
    message["Message-ID"] = "<xss@customer.example>"
    message.set_content("Body " + XSS)
    message.add_alternative(f"<p>Hi {XSS}</p>", subtype="html")
    message.add_attachment(b"data", maintype="application", subtype="octet-stream", filename=f"{XSS}.txt")
    return message.as_bytes(policy=SMTP)


def test_user_provided_text_is_rendered_as_text(client, login, app):
    from tests.mail_helpers import make_mail_client

    acme = make_mail_client("acme")
    factories.make_agent("ana@helpdesk.test")
    ticket_id = post_mail(client, acme, xss_mail()).get_json()["ticket_id"]
    # Ingest already tidies file names; the page must be safe for any stored name all the same.
    first = _db.session.get(Ticket, ticket_id).messages[0]
    _db.session.add(Attachment(client_id=first.client_id, message_id=first.id, filename=f"{XSS}.txt",
                               content_type="text/plain", size=4, sha256="0" * 64, storage_key="none"))
    _db.session.commit()
    _db.session.remove()  # the pages load the message's attachments afresh
    api_ticket = new_ticket(client, acme.test_api_key, XSS, contact={"email": "x@customer.example", "name": XSS},
                            body="Text " + XSS)
    sign_in(client, login, "ana@helpdesk.test")

    inbox = client.get("/agent?view=open").get_data(as_text=True)
    ticket_page = client.get(f"/agent/tickets/{ticket_id}").get_data(as_text=True)
    api_page = client.get(f"/agent/tickets/{api_ticket['id']}").get_data(as_text=True)
    for page in (inbox, ticket_page, api_page):
        assert "<img src=x" not in page and "<script>alert" not in page
        assert ESCAPED in page
    assert f"{ESCAPED}.txt" in ticket_page                   # the attachment's name, as text
    assert 'class="original"' in ticket_page                 # the HTML part only inside the sandboxed frame
    assert "<p>Hi" not in ticket_page
    assert "Text " + ESCAPED in api_page and 'id="contact-name">' + ESCAPED in api_page
