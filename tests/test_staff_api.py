"""Staff JSON API /agent/api: session + CSRF auth, roles, take-next, assign, move, presence, queue."""

from __future__ import annotations

import re

import pytest

from helpdesk.extensions import db
from helpdesk.models import Agent, PresenceLog, Ticket
from tests.factories import auth, make_agent, make_client, make_region

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def _token(browser, page: str = "/agent") -> str:
    response = browser.get(page)
    assert response.status_code == 200
    match = META_CSRF.search(response.get_data(as_text=True))
    assert match, "no csrf-token meta tag"
    return match.group(1)


class Staff:
    """A signed-in browser: the test client plus the CSRF token its pages carry."""

    def __init__(self, browser, token: str) -> None:
        self.browser, self.token = browser, token

    def post(self, path: str, body: dict | None = None):
        return self.browser.post(f"/agent/api{path}", json=body or {}, headers={"X-CSRFToken": self.token})

    def get(self, path: str):
        return self.browser.get(f"/agent/api{path}")


@pytest.fixture
def sign_in(app, client, login):
    used = []

    def do_sign_in(agent) -> Staff:
        browser = client if not used else app.test_client()
        used.append(browser)
        login(agent.email, test_client=browser)
        return Staff(browser, _token(browser))

    return do_sign_in


@pytest.fixture
def manila():
    return make_region("manila", tz="Asia/Manila", order=1)


def _configure(agent, **changes) -> Agent:
    agent = db.session.get(Agent, agent.id)
    for field, value in changes.items():
        setattr(agent, field, value)
    db.session.commit()
    return agent


def _ticket(client, key, **body) -> int:
    response = client.post("/api/v1/tickets", json={"subject": "Help", **body}, headers=auth(key))
    assert response.status_code == 201, response.json
    return response.json["id"]


def _events(client, key, kind: str) -> list[dict]:
    response = client.get("/api/v1/events?limit=1000", headers=auth(key))
    assert response.status_code == 200, response.json
    return [e for e in response.json["data"] if e["type"] == kind]


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.json["error"]["code"] == code, response.json
    return response.json["error"]


def _fresh(model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


# --- take next -------------------------------------------------------------------------------------------------

def test_take_next_picks_the_best_ticket_the_agent_can_serve_within_capacity(client, sign_in, manila):
    _, key = make_client("acme", languages=["en", "pt"])
    _, other_key = make_client("globex")
    ana = make_agent("ana@x.test", region_slug="manila", all_clients=False, client_slugs=["acme"])
    _configure(ana, languages=["en"], channels=["email", "chat"], capacity={"email": 1, "chat": 1})

    low_email = _ticket(client, key, channel="email", priority="low")
    _ticket(client, key, channel="email", priority="urgent", language="pt")  # language she lacks
    _ticket(client, key, channel="phone", priority="urgent")  # channel she lacks
    _ticket(client, other_key, channel="email", priority="urgent")  # client she does not serve
    high_email = _ticket(client, key, channel="email", priority="high")
    normal_chat = _ticket(client, key, channel="chat", priority="normal")

    staff = sign_in(ana)
    first = staff.post("/take-next")
    assert first.status_code == 200, first.json
    ticket = first.json["ticket"]
    assert ticket["id"] == high_email
    assert ticket["priority"] == "high" and ticket["channel"] == "email" and ticket["region_id"] == manila.id
    assert ticket["reference"] == "ACME-4" and ticket["subject"] == "Help"
    assert _fresh(Ticket, high_email).assignee_id == ana.id

    # Her one email slot is taken: the low-priority email waits, the chat fits.
    second = staff.post("/take-next")
    assert second.status_code == 200 and second.json["ticket"]["id"] == normal_chat

    refused = _error(staff.post("/take-next"), 404, "nothing_waiting")
    assert _fresh(Ticket, low_email).assignee_id is None
    # It says why, with numbers: each waiting ticket's obstacle, the checks take next applies.
    message = refused["message"]
    assert message.startswith("No waiting ticket you can take (4 waiting): ")
    for part in ("1 ticket need a free slot and you are at capacity (email 1 of 1)",
                 "1 ticket in languages you do not have (pt)", "1 ticket on channels you do not work (phone)",
                 "1 ticket for clients you do not serve"):
        assert part in message, message
    assert refused["details"] == {"waiting": 4, "reasons": {"capacity": 1, "language": 1, "channel": 1,
                                                            "client": 1}}


def test_the_queue_shows_which_tickets_the_agent_could_take(client, sign_in, manila):
    _, key = make_client("acme")
    ana = make_agent("ana@x.test", region_slug="manila")
    _configure(ana, languages=["en"], channels=["email"], capacity={"email": 2})
    takeable = _ticket(client, key, channel="email", subject="Takeable one")
    _ticket(client, key, channel="phone", subject="Phone one")
    staff = sign_in(ana)
    page = staff.browser.get("/agent?view=queue").get_data(as_text=True)
    assert "<th>For you</th>" in page
    assert '<td class="for-you can-take">can take</td>' in page
    assert '<td class="for-you">phone is not one of your channels</td>' in page
    rows = {t["id"]: t["for_you"] for t in staff.get("/inbox?view=queue").json["tickets"]}
    assert rows[takeable] == "can take" and sorted(rows.values()) == ["can take", "phone is not one of your channels"]
    # Not on other views, nor for supervisors, who do not take from the queue.
    assert "For you" not in staff.browser.get("/agent?view=open").get_data(as_text=True)


def test_take_next_explains_an_empty_queue_and_a_missing_region(client, sign_in, manila):
    make_client("acme")
    error = _error(sign_in(make_agent("ana@x.test", region_slug="manila")).post("/take-next"), 404,
                   "nothing_waiting")
    assert error["message"] == "The queue is empty: no ticket is waiting in your region."
    homeless = make_agent("bo@x.test", region_slug=None)
    error = _error(sign_in(homeless).post("/take-next"), 404, "nothing_waiting")
    assert "not in a region" in error["message"]


def test_take_next_with_nothing_waiting_is_404(client, sign_in, manila):
    make_client("acme")
    staff = sign_in(make_agent("ana@x.test", region_slug="manila"))
    error = _error(staff.post("/take-next"), 404, "nothing_waiting")
    assert error["message"]


def test_take_next_records_the_assignment(client, sign_in, manila):
    _, key = make_client("acme")
    ana = make_agent("ana@x.test", region_slug="manila")
    ticket_id = _ticket(client, key)
    assert sign_in(ana).post("/take-next").status_code == 200
    (event,) = [e for e in _events(client, key, "ticket.assigned") if e["ticket_id"] == ticket_id]
    assert event["actor"] == {"type": "agent", "id": ana.id}
    assert event["data"]["agent_id"] == ana.id


# --- assign ----------------------------------------------------------------------------------------------------

def test_supervisor_assigns_and_returns_a_ticket(client, sign_in, manila):
    _, key = make_client("acme")
    ana = make_agent("ana@x.test", region_slug="manila")
    lead = make_agent("lead@x.test", role="supervisor", region_slug="manila")
    ticket_id = _ticket(client, key)
    staff = sign_in(lead)

    response = staff.post(f"/tickets/{ticket_id}/assign", {"agent_id": ana.id})
    assert response.status_code == 200, response.json
    assert response.json["ticket"]["id"] == ticket_id and response.json["ticket"]["assignee_id"] == ana.id
    assert _fresh(Ticket, ticket_id).assignee_id == ana.id
    (event,) = _events(client, key, "ticket.reassigned")
    assert event["ticket_id"] == ticket_id
    assert event["actor"] == {"type": "agent", "id": lead.id}
    assert event["data"]["agent_id"] == ana.id and event["data"]["from_agent_id"] is None

    back = staff.post(f"/tickets/{ticket_id}/assign", {"agent_id": None})
    assert back.status_code == 200 and back.json["ticket"]["assignee_id"] is None
    assert _fresh(Ticket, ticket_id).assignee_id is None
    latest = _events(client, key, "ticket.reassigned")[-1]
    assert latest["data"]["from_agent_id"] == ana.id and latest["data"]["agent_id"] is None


def test_agent_cannot_assign(client, sign_in, manila):
    _, key = make_client("acme")
    ana = make_agent("ana@x.test", region_slug="manila")
    ticket_id = _ticket(client, key)
    _error(sign_in(ana).post(f"/tickets/{ticket_id}/assign", {"agent_id": ana.id}), 403, "forbidden")
    assert _fresh(Ticket, ticket_id).assignee_id is None
    assert _events(client, key, "ticket.reassigned") == []


def test_supervisor_of_another_client_gets_404(client, sign_in, manila):
    _, key = make_client("acme")
    make_client("globex")
    ana = make_agent("ana@x.test", region_slug="manila")
    lead = make_agent("lead@x.test", role="supervisor", all_clients=False, client_slugs=["globex"])
    ticket_id = _ticket(client, key)
    staff = sign_in(lead)
    _error(staff.post(f"/tickets/{ticket_id}/assign", {"agent_id": ana.id}), 404, "not_found")
    _error(staff.post(f"/tickets/{ticket_id}/move", {"region_id": manila.id}), 404, "not_found")
    _error(staff.post("/tickets/999999/assign", {"agent_id": ana.id}), 404, "not_found")
    assert _fresh(Ticket, ticket_id).assignee_id is None
    assert _events(client, key, "ticket.reassigned") == []


@pytest.mark.parametrize("body, field", [
    ({}, "agent_id"),
    ({"agent_id": "seven"}, "agent_id"),
    ({"agent_id": 0}, "agent_id"),
    ({"agent_id": 1, "extra": True}, "extra"),
])
def test_assign_validates_its_body(client, sign_in, manila, body, field):
    _, key = make_client("acme")
    ticket_id = _ticket(client, key)
    staff = sign_in(make_agent("lead@x.test", role="supervisor"))
    error = _error(staff.post(f"/tickets/{ticket_id}/assign", body), 422, "validation_failed")
    assert field in error["details"], error


def test_assign_to_an_agent_who_cannot_serve_the_ticket_is_422(client, sign_in, manila):
    _, key = make_client("acme")
    chat_only = _configure(make_agent("ana@x.test", region_slug="manila"), channels=["chat"])
    ticket_id = _ticket(client, key, channel="email")
    staff = sign_in(make_agent("lead@x.test", role="admin"))
    error = _error(staff.post(f"/tickets/{ticket_id}/assign", {"agent_id": chat_only.id}), 422, "validation_failed")
    assert "agent_id" in error["details"]
    assert _fresh(Ticket, ticket_id).assignee_id is None


def test_invalid_json_body_is_400(client, sign_in):
    staff = sign_in(make_agent("lead@x.test", role="supervisor"))
    response = staff.browser.post("/agent/api/tickets/1/assign", data="{not json",
                                  headers={"X-CSRFToken": staff.token, "Content-Type": "application/json"})
    _error(response, 400, "bad_request")


# --- move ------------------------------------------------------------------------------------------------------

def test_supervisor_moves_a_ticket_to_another_region(client, sign_in, manila):
    bogota = make_region("bogota", tz="America/Bogota", order=2)
    _, key = make_client("acme")
    ana = make_agent("ana@x.test", region_slug="manila")
    lead = make_agent("lead@x.test", role="supervisor", region_slug="manila")
    ticket_id = _ticket(client, key)
    assert _fresh(Ticket, ticket_id).region_id == manila.id
    staff = sign_in(lead)
    assert staff.post(f"/tickets/{ticket_id}/assign", {"agent_id": ana.id}).status_code == 200

    response = staff.post(f"/tickets/{ticket_id}/move", {"region_id": bogota.id, "note": "Spanish speaker"})
    assert response.status_code == 200, response.json
    assert response.json["ticket"]["region_id"] == bogota.id and response.json["ticket"]["assignee_id"] is None
    ticket = _fresh(Ticket, ticket_id)
    assert ticket.region_id == bogota.id and ticket.assignee_id is None
    (event,) = _events(client, key, "ticket.moved")
    assert event["ticket_id"] == ticket_id and event["actor"] == {"type": "agent", "id": lead.id}
    assert event["data"]["reason"] == "Spanish speaker"
    assert event["data"]["from_region_id"] == manila.id and event["data"]["region_id"] == bogota.id
    assert event["data"]["from_agent_id"] == ana.id


def test_move_validation_and_roles(client, sign_in, manila):
    make_region("bogota", order=2)
    closed_to_acme = make_region("warsaw", order=3)
    _, key = make_client("acme", region_slugs=["manila", "bogota"])
    ticket_id = _ticket(client, key)
    agent = sign_in(make_agent("ana@x.test", region_slug="manila"))
    _error(agent.post(f"/tickets/{ticket_id}/move", {"region_id": closed_to_acme.id}), 403, "forbidden")

    lead = sign_in(make_agent("lead@x.test", role="supervisor"))
    for body, field in [({"region_id": closed_to_acme.id}, "region_id"),
                        ({"region_id": 999999}, "region_id"),
                        ({}, "region_id"),
                        ({"region_id": manila.id, "note": "x" * 501}, "note")]:
        error = _error(lead.post(f"/tickets/{ticket_id}/move", body), 422, "validation_failed")
        assert field in error["details"], (body, error)
    assert _fresh(Ticket, ticket_id).region_id == manila.id
    assert _events(client, key, "ticket.moved") == []


# --- presence --------------------------------------------------------------------------------------------------

def test_presence_changes_state_and_logs_time(client, sign_in, manila):
    ana = make_agent("ana@x.test", region_slug="manila")
    staff = sign_in(ana)

    response = staff.post("/presence", {"state": "online"})
    assert response.status_code == 200, response.json
    assert response.json == {"state": "online", "changed": True}
    assert _fresh(Agent, ana.id).presence == "online"

    assert staff.post("/presence", {"state": "away"}).json == {"state": "away", "changed": True}
    assert staff.post("/presence", {"state": "away"}).json == {"state": "away", "changed": False}
    assert _fresh(Agent, ana.id).presence == "away"
    logs = db.session.scalars(db.select(PresenceLog).where(PresenceLog.agent_id == ana.id)
                              .order_by(PresenceLog.id)).all()
    assert [(log.state, log.ended_at is None) for log in logs] == [("online", False), ("away", True)]

    error = _error(staff.post("/presence", {"state": "asleep"}), 422, "validation_failed")
    assert "state" in error["details"]
    assert _fresh(Agent, ana.id).presence == "away"


# --- queue -----------------------------------------------------------------------------------------------------

def test_queue_lists_waiting_tickets_of_the_callers_clients_in_order(client, sign_in, manila):
    _, key = make_client("acme")
    _, other_key = make_client("globex")
    ana = make_agent("ana@x.test", region_slug="manila", all_clients=False, client_slugs=["acme"])
    normal = _ticket(client, key, subject="Normal")
    urgent = _ticket(client, key, subject="Urgent", priority="urgent")
    taken = _ticket(client, key, subject="Taken", priority="high")
    _ticket(client, other_key, subject="Not hers", priority="urgent")
    db.session.execute(db.update(Ticket).where(Ticket.id == taken).values(assignee_id=ana.id, status="open"))
    db.session.commit()

    response = sign_in(ana).get("/queue")
    assert response.status_code == 200, response.json
    assert response.json["region_id"] == manila.id
    tickets = response.json["tickets"]
    assert [t["id"] for t in tickets] == [urgent, normal]
    assert set(tickets[0]) >= {"id", "reference", "subject", "priority", "first_response_due_at"}
    assert tickets[0]["subject"] == "Urgent" and tickets[0]["reference"] == "ACME-2"


def test_queue_without_a_region_is_empty(client, sign_in, manila):
    _, key = make_client("acme")
    _ticket(client, key)
    response = sign_in(make_agent("roamer@x.test")).get("/queue")
    assert response.status_code == 200 and response.json == {"region_id": None, "tickets": []}


# --- authentication and CSRF -----------------------------------------------------------------------------------

def test_unauthenticated_requests_get_401_json(client, manila):
    _error(client.get("/agent/api/queue"), 401, "unauthorized")
    # A token from the sign-in page passes the CSRF check; the missing session still answers 401, not a redirect.
    token = _token(client, "/login")
    response = client.post("/agent/api/take-next", json={}, headers={"X-CSRFToken": token})
    _error(response, 401, "unauthorized")
    assert "Location" not in response.headers


def test_writes_without_csrf_token_are_rejected(client, sign_in, manila):
    ana = make_agent("ana@x.test", region_slug="manila")
    staff = sign_in(ana)
    _error(client.post("/agent/api/presence", json={"state": "online"}), 400, "bad_request")
    _error(client.post("/agent/api/presence", json={"state": "online"}, headers={"X-CSRFToken": "forged"}),
           400, "bad_request")
    # Without an Accept or JSON content type the answer is still JSON.
    _error(client.post("/agent/api/presence", data="state=online"), 400, "bad_request")
    assert _fresh(Agent, ana.id).presence == "offline"
    assert staff.post("/presence", {"state": "online"}).status_code == 200


def test_session_of_a_deactivated_agent_gets_401(client, sign_in, manila):
    ana = make_agent("ana@x.test", region_slug="manila")
    staff = sign_in(ana)
    _configure(ana, active=False)
    _error(staff.post("/presence", {"state": "online"}), 401, "unauthorized")
